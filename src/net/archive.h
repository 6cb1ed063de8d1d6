/* archive.h — the spike history and postsynaptic trace K- of neurons that are targets of
 * stdp_synapse (NEST's archiving node). Each history entry counts how many incoming plastic
 * synapses have read it; entries read by all of them and older than the longest delay are
 * dropped, as in NEST. The latest dropped entry is remembered, so that K- stays exact for a
 * presynaptic spike that is still to be delivered and whose last postsynaptic spike before it
 * was dropped (a regression test in test_plasticity.c guards this). */
#ifndef LEINAO_NET_ARCHIVE_H
#define LEINAO_NET_ARCHIVE_H

#include <stdint.h>

#include "../base/context.h"

#define LARCHIVE_EPS 1e-6 /* ms: NEST's stdp_eps */

typedef struct lhistory {
    double *t, *K;    /* spike time, K- just after it */
    uint32_t *access; /* incoming plastic synapses that have read the entry */
    uint32_t start, len, cap;
} lhistory;

typedef struct larchive {
    uint32_t n;
    double tau_minus;
    lhistory *h;
    double *Kminus, *t_last;
    double *dropped_t, *dropped_K; /* the latest entry dropped: K- before any kept entry */
    uint32_t *n_incoming;
} larchive;

leinao_status larchive_create(lctx *ctx, larchive **out, uint32_t n, double tau_minus);
void larchive_free(lctx *ctx, larchive *a);
/* Records a spike of neuron i at t (ms); drops entries no longer needed. */
leinao_status larchive_add(lctx *ctx, larchive *a, uint32_t i, double t, double max_delay);
/* K- of neuron i just before t (spikes at t itself are not counted). */
double larchive_K(const larchive *a, uint32_t i, double t);
/* exp((t_post - t)/tau_minus) for the latest spike t_post of neuron i before t; 0 if none. */
double larchive_nearest_K(const larchive *a, uint32_t i, double t);
/* Entries of neuron i with t1 < t_spike <= t2 (within eps): [*first, *last) indices into h->t;
 * marks them read. */
void larchive_range(larchive *a, uint32_t i, double t1, double t2, uint32_t *first, uint32_t *last);

#endif
