/* pool.c — see pool.h: two barriers per job, no locks and no allocation in the jobs. */
#include "pool.h"

static void *worker_main(void *arg)
{
    lpool_worker *w = arg;
    lpool *pool = w->pool;
    for (;;) {
        pthread_barrier_wait(&pool->start);
        if (pool->quit)
            break;
        pool->job(pool->ctx, w->id);
        pthread_barrier_wait(&pool->done);
    }
    return NULL;
}

int lpool_init(lpool *pool, int n, lpool_worker *workers)
{
    pool->n = 1;
    pool->workers = workers;
    pool->quit = 0;
    if (n <= 1)
        return 0;
    if (pthread_barrier_init(&pool->start, NULL, (unsigned)n) != 0)
        return -1;
    if (pthread_barrier_init(&pool->done, NULL, (unsigned)n) != 0) {
        pthread_barrier_destroy(&pool->start);
        return -1;
    }
    for (int t = 1; t < n; t++) {
        workers[t].pool = pool;
        workers[t].id = t;
        if (pthread_create(&workers[t].thread, NULL, worker_main, &workers[t]) != 0) {
            /* the barriers count n threads: workers already started cannot be released
             * cleanly, so cancel them (they only ever wait at the start barrier) */
            for (int k = 1; k < t; k++)
                pthread_cancel(workers[k].thread);
            for (int k = 1; k < t; k++)
                pthread_join(workers[k].thread, NULL);
            pthread_barrier_destroy(&pool->start);
            pthread_barrier_destroy(&pool->done);
            return -1;
        }
    }
    pool->n = n;
    return 0;
}

void lpool_run(lpool *pool, lpool_job job, void *ctx)
{
    if (pool->n <= 1) {
        job(ctx, 0);
        return;
    }
    pool->job = job;
    pool->ctx = ctx;
    pthread_barrier_wait(&pool->start);
    job(ctx, 0);
    pthread_barrier_wait(&pool->done);
}

void lpool_destroy(lpool *pool)
{
    if (pool->n <= 1)
        return;
    pool->quit = 1;
    pthread_barrier_wait(&pool->start);
    for (int t = 1; t < pool->n; t++)
        pthread_join(pool->workers[t].thread, NULL);
    pthread_barrier_destroy(&pool->start);
    pthread_barrier_destroy(&pool->done);
    pool->n = 1;
}
