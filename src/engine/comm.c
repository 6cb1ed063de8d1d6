/* comm.c — the exchange between processes (comm.h), and the public calls that start and stop
 * MPI. Without LEINAO_HAVE_MPI there is one process and every call is trivial. */
#include "comm.h"

#include <stdlib.h>
#include <string.h>

#include "../base/context.h"

#ifdef LEINAO_HAVE_MPI
#include <mpi.h>

static int mpi_running(void)
{
    int up = 0, down = 0;
    MPI_Initialized(&up);
    if (up)
        MPI_Finalized(&down);
    return up && !down;
}

/* Launched by an MPI launcher: OpenMPI's mpirun, or a PMI/PMIx one (MPICH's hydra, srun). */
static int launched_by_mpi(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

static int started_here;

int leinao_mpi_init(int *argc, char ***argv)
{
    if (!mpi_running() && launched_by_mpi()) {
        int provided;
        /* only the main thread calls MPI */
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            return -1;
        started_here = 1;
    }
    return leinao_mpi_size();
}

void leinao_mpi_finalize(void)
{
    if (started_here && mpi_running())
        MPI_Finalize();
    started_here = 0;
}

void leinao_mpi_abort(int code)
{
    if (mpi_running())
        MPI_Abort(MPI_COMM_WORLD, code);
}

int leinao_mpi_rank(void)
{
    int r = 0;
    if (mpi_running())
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int leinao_mpi_size(void)
{
    int n = 1;
    if (mpi_running())
        MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

void lcomm_init(lcomm *c)
{
    memset(c, 0, sizeof *c);
    c->rank = leinao_mpi_rank();
    c->size = leinao_mpi_size();
}

static MPI_Op mpi_op(enum lcomm_op op)
{
    return op == LCOMM_SUM ? MPI_SUM : op == LCOMM_MAX ? MPI_MAX : op == LCOMM_MIN ? MPI_MIN : MPI_BOR;
}

void lcomm_allreduce_u64(lcomm *c, uint64_t *v, int n, enum lcomm_op op)
{
    if (c->size == 1)
        return;
    double t0 = lc_wall_seconds();
    MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_UINT64_T, mpi_op(op), MPI_COMM_WORLD);
    c->wall += lc_wall_seconds() - t0;
}

void lcomm_allreduce_f64(lcomm *c, double *v, int n, enum lcomm_op op)
{
    if (c->size == 1)
        return;
    double t0 = lc_wall_seconds();
    MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, mpi_op(op), MPI_COMM_WORLD);
    c->wall += lc_wall_seconds() - t0;
}

/* MPI's counts are int: large buffers go in pieces */
#define PIECE ((size_t)1 << 28)

void lcomm_reduce_bor(lcomm *c, const void *send, void *recv, size_t n)
{
    if (c->size == 1) {
        memcpy(recv, send, n);
        return;
    }
    double t0 = lc_wall_seconds();
    const unsigned char *w = send;
    unsigned char *into = recv;
    for (size_t at = 0; at < n; at += PIECE) {
        int m = (int)(n - at < PIECE ? n - at : PIECE);
        MPI_Reduce(w + at, c->rank == 0 ? into + at : NULL, m, MPI_BYTE, MPI_BOR, 0,
                   MPI_COMM_WORLD);
    }
    c->bytes += n;
    c->wall += lc_wall_seconds() - t0;
}

void lcomm_allgather(lcomm *c, const void *send, size_t bytes, void *recv)
{
    if (c->size == 1) {
        memcpy(recv, send, bytes);
        return;
    }
    double t0 = lc_wall_seconds();
    MPI_Allgather(send, (int)bytes, MPI_BYTE, recv, (int)bytes, MPI_BYTE, MPI_COMM_WORLD);
    c->bytes += bytes;
    c->calls++;
    c->wall += lc_wall_seconds() - t0;
}

void lcomm_allgatherv_u64(lcomm *c, const uint64_t *send, const uint64_t *counts, uint64_t *recv)
{
    if (c->size == 1) {
        memcpy(recv, send, (size_t)counts[0] * sizeof *send);
        return;
    }
    double t0 = lc_wall_seconds();
    int *n = malloc(2 * (size_t)c->size * sizeof *n);
    if (!n) /* a few bytes per rank: without them nothing can go on */
        MPI_Abort(MPI_COMM_WORLD, 3);
    int *at = n + c->size, total = 0;
    for (int r = 0; r < c->size; r++) {
        n[r] = (int)counts[r];
        at[r] = total;
        total += n[r];
    }
    MPI_Allgatherv(send, n[c->rank], MPI_UINT64_T, recv, n, at, MPI_UINT64_T, MPI_COMM_WORLD);
    c->bytes += counts[c->rank] * sizeof *send;
    c->calls++;
    free(n);
    c->wall += lc_wall_seconds() - t0;
}

void lcomm_bcast(lcomm *c, void *buf, size_t bytes, int root)
{
    if (c->size == 1)
        return;
    double t0 = lc_wall_seconds();
    MPI_Bcast(buf, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD);
    c->wall += lc_wall_seconds() - t0;
}

void lcomm_allreduce_xsum(lcomm *c, lxsum *s, int n)
{
    if (c->size == 1)
        return;
    int64_t *d = malloc((size_t)n * LXSUM_DIGITS * sizeof *d);
    if (!d)
        MPI_Abort(MPI_COMM_WORLD, 3);
    for (int i = 0; i < n; i++) {
        lxsum_normalize(&s[i]);
        memcpy(d + (size_t)i * LXSUM_DIGITS, s[i].d, sizeof s[i].d);
    }
    double t0 = lc_wall_seconds();
    /* normalised digits are below 2^32: a sum over up to 2^31 ranks does not overflow */
    MPI_Allreduce(MPI_IN_PLACE, d, n * LXSUM_DIGITS, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    c->wall += lc_wall_seconds() - t0;
    for (int i = 0; i < n; i++) {
        memcpy(s[i].d, d + (size_t)i * LXSUM_DIGITS, sizeof s[i].d);
        lxsum_normalize(&s[i]);
    }
    free(d);
}

#else /* one process */

int leinao_mpi_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 1;
}

void leinao_mpi_finalize(void) {}

void leinao_mpi_abort(int code)
{
    (void)code;
}

int leinao_mpi_rank(void)
{
    return 0;
}

int leinao_mpi_size(void)
{
    return 1;
}

void lcomm_init(lcomm *c)
{
    memset(c, 0, sizeof *c);
    c->size = 1;
}

void lcomm_allreduce_u64(lcomm *c, uint64_t *v, int n, enum lcomm_op op)
{
    (void)c, (void)v, (void)n, (void)op;
}

void lcomm_allreduce_f64(lcomm *c, double *v, int n, enum lcomm_op op)
{
    (void)c, (void)v, (void)n, (void)op;
}

void lcomm_reduce_bor(lcomm *c, const void *send, void *recv, size_t n)
{
    (void)c;
    memcpy(recv, send, n);
}

void lcomm_allgather(lcomm *c, const void *send, size_t bytes, void *recv)
{
    (void)c;
    memcpy(recv, send, bytes);
}

void lcomm_allgatherv_u64(lcomm *c, const uint64_t *send, const uint64_t *counts, uint64_t *recv)
{
    (void)c;
    memcpy(recv, send, (size_t)counts[0] * sizeof *send);
}

void lcomm_bcast(lcomm *c, void *buf, size_t bytes, int root)
{
    (void)c, (void)buf, (void)bytes, (void)root;
}

void lcomm_allreduce_xsum(lcomm *c, lxsum *s, int n)
{
    (void)c, (void)s, (void)n;
}

#endif
