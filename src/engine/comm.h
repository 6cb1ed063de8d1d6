/* comm.h — the exchange between processes: one interface with a single-process implementation
 * and an MPI one (LEINAO_HAVE_MPI). With one process every call is a copy or does nothing, so the
 * core builds and runs without MPI. All calls are collective: every rank makes the same calls in
 * the same order, from its main thread. */
#ifndef LEINAO_ENGINE_COMM_H
#define LEINAO_ENGINE_COMM_H

#include <stddef.h>
#include <stdint.h>

#include "../base/xsum.h"

typedef struct lcomm {
    int rank, size;
    uint64_t bytes, calls; /* sent by this rank through the per-slice exchange */
    double wall;           /* seconds in collective calls */
} lcomm;

/* The ranks of MPI_COMM_WORLD when MPI was started (leinao_mpi_init), else rank 0 of 1. */
void lcomm_init(lcomm *c);

enum lcomm_op { LCOMM_SUM, LCOMM_MAX, LCOMM_MIN, LCOMM_BOR };

/* In place over all ranks. */
void lcomm_allreduce_u64(lcomm *c, uint64_t *v, int n, enum lcomm_op op);
void lcomm_allreduce_f64(lcomm *c, double *v, int n, enum lcomm_op op); /* MIN or MAX */
/* Bitwise OR of every rank's n bytes into rank 0's recv (recv unused elsewhere): where each
 * rank sets only its own elements and leaves the others zero, rank 0 gets all of them. */
void lcomm_reduce_bor(lcomm *c, const void *send, void *recv, size_t n);
/* Every rank's `bytes` bytes, in rank order, into recv (size * bytes). */
void lcomm_allgather(lcomm *c, const void *send, size_t bytes, void *recv);
/* Rank r's counts[r] 64-bit words, in rank order, into recv; counts are known to all. */
void lcomm_allgatherv_u64(lcomm *c, const uint64_t *send, const uint64_t *counts, uint64_t *recv);
void lcomm_bcast(lcomm *c, void *buf, size_t bytes, int root);
/* The exact sums of all ranks, merged, on all ranks. */
void lcomm_allreduce_xsum(lcomm *c, lxsum *s, int n);

#endif
