/* pool.h — a fixed set of worker threads that run one job at a time, each on its own share of
 * the work; the caller's thread is worker 0. No allocation: the caller provides the storage. */
#ifndef LEINAO_ENGINE_POOL_H
#define LEINAO_ENGINE_POOL_H

#include <pthread.h>

typedef void (*lpool_job)(void *ctx, int thread);

struct lpool;
typedef struct lpool_worker {
    struct lpool *pool;
    int id;
    pthread_t thread;
} lpool_worker;

typedef struct lpool {
    int n;
    lpool_worker *workers; /* n entries, provided by the caller */
    pthread_barrier_t start, done;
    lpool_job job;
    void *ctx;
    int quit;
} lpool;

/* Starts n - 1 workers (n >= 1) using `workers[n]`. Returns 0, or -1 if threads could not be
 * started (then the pool runs everything on the caller's thread). */
int lpool_init(lpool *pool, int n, lpool_worker *workers);
/* Runs job(ctx, t) for t = 0 .. n - 1 in parallel and returns when all are done. */
void lpool_run(lpool *pool, lpool_job job, void *ctx);
void lpool_destroy(lpool *pool);

#endif
