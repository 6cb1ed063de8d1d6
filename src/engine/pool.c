/* pool.c — see pool.h. The job and its context are published before the start barrier and read
 * after it; the barrier's atomics (sequentially consistent) order those accesses. */
#include "pool.h"

#include <sched.h>

static void barrier_wait(lspin_barrier *b, int *sense)
{
    *sense = !*sense;
    if (atomic_fetch_sub(&b->waiting, 1) == 1) {
        atomic_store(&b->waiting, b->n);
        atomic_store(&b->sense, *sense);
        return;
    }
    for (unsigned spins = 0; atomic_load(&b->sense) != *sense; spins++)
        if (spins > 4096)
            sched_yield();
}

static void *worker_main(void *arg)
{
    lpool_worker *w = arg;
    lpool *pool = w->pool;
    for (;;) {
        barrier_wait(&pool->barrier, &w->sense);
        if (atomic_load(&pool->quit))
            break;
        pool->job(pool->ctx, w->id);
        barrier_wait(&pool->barrier, &w->sense);
    }
    return NULL;
}

int lpool_init(lpool *pool, int n, lpool_worker *workers)
{
    pool->n = 1;
    pool->workers = workers;
    atomic_store(&pool->quit, 0);
    if (n <= 1)
        return 0;
    pool->barrier.n = n;
    atomic_store(&pool->barrier.waiting, n);
    atomic_store(&pool->barrier.sense, 0);
    workers[0].sense = 0;
    for (int t = 1; t < n; t++) {
        workers[t].pool = pool;
        workers[t].id = t;
        workers[t].sense = 0;
        if (pthread_create(&workers[t].thread, NULL, worker_main, &workers[t]) != 0) {
            /* release the workers already started: they wait at the start barrier, which
             * counts n threads, so stand in for the missing ones */
            atomic_store(&pool->quit, 1);
            pool->barrier.n = t;
            atomic_store(&pool->barrier.waiting, t);
            barrier_wait(&pool->barrier, &workers[0].sense);
            for (int k = 1; k < t; k++)
                pthread_join(workers[k].thread, NULL);
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
    barrier_wait(&pool->barrier, &pool->workers[0].sense);
    job(ctx, 0);
    barrier_wait(&pool->barrier, &pool->workers[0].sense);
}

void lpool_destroy(lpool *pool)
{
    if (pool->n <= 1)
        return;
    atomic_store(&pool->quit, 1);
    barrier_wait(&pool->barrier, &pool->workers[0].sense);
    for (int t = 1; t < pool->n; t++)
        pthread_join(pool->workers[t].thread, NULL);
    pool->n = 1;
}
