/* pool.h — a fixed set of worker threads that run one job at a time, each on its own share of
 * the work; the caller's thread is worker 0. No allocation: the caller provides the storage.
 * Threads meet at a sense-reversing spin barrier (a slice can be a single step, far shorter
 * than a sleep and wake-up in the kernel); after a while spinning it yields the processor, so
 * more threads than cores stay usable. */
#ifndef LEINAO_ENGINE_POOL_H
#define LEINAO_ENGINE_POOL_H

#include <pthread.h>
#include <stdatomic.h>

typedef void (*lpool_job)(void *ctx, int thread);

typedef struct lspin_barrier {
    atomic_int waiting;
    atomic_int sense;
    int n;
} lspin_barrier;

struct lpool;
typedef struct lpool_worker {
    struct lpool *pool;
    int id, sense;
    pthread_t thread;
} lpool_worker;

typedef struct lpool {
    int n;
    lpool_worker *workers; /* n entries, provided by the caller; workers[0] is the caller */
    lspin_barrier barrier;
    lpool_job job;
    void *ctx;
    atomic_int quit;
} lpool;

/* Starts n - 1 workers (n >= 1) using `workers[n]`. Returns 0, or -1 if threads could not be
 * started (then the pool runs everything on the caller's thread). */
int lpool_init(lpool *pool, int n, lpool_worker *workers);
/* Runs job(ctx, t) for t = 0 .. n - 1 in parallel and returns when all are done. */
void lpool_run(lpool *pool, lpool_job job, void *ctx);
void lpool_destroy(lpool *pool);

#endif
