/* explicit.h — projections given as explicit lists of synapses (source, target, weight, delay),
 * as loaders of SONATA edge files and programs that generate their own connectivity need. */
#ifndef LEINAO_NET_EXPLICIT_H
#define LEINAO_NET_EXPLICIT_H

#include "projection.h"

/* The list, in canonical order (by source, then target, then the order given): the synapses
 * of source i are row[i] .. row[i + 1] - 1. At the build, row, entry and weight become
 * the projection's arrays (8 bytes a synapse, as drawn connections): no second copy. */
typedef struct lexplicit {
    uint64_t n;
    uint32_t n_src;
    uint64_t *row;   /* [n_src + 1] */
    uint32_t *entry; /* target << delay_bits | delay in steps, as the built rows hold them */
    int delay_bits;  /* for the list's longest delay */
    float *weight;   /* NULL: every weight is 1; 32-bit as the built rows hold weights */
} lexplicit;

/* Checks n synapses against the population sizes and dt (errors name the argument and the
 * index of the first bad element), sorts a copy into canonical order and attaches it to p. It
 * also sets p->weight and p->delay to the range of the list (a constant when all are equal),
 * so that storage and delay range are chosen as for drawn connections. */
leinao_status lexplicit_create(lctx *ctx, lprojection *p, size_t n, const uint32_t *sources,
                               const uint32_t *targets, const double *weights,
                               const double *delays, uint32_t n_src, uint32_t n_tgt, double dt);
/* Makes p's rows from the synapses of its list to targets tgt_lo .. tgt_hi - 1 (after the delay
 * bits are chosen); the list's arrays pass to p or are freed. */
leinao_status lexplicit_build(lctx *ctx, lprojection *p, uint32_t n_src, uint32_t n_tgt,
                               uint32_t tgt_lo, uint32_t tgt_hi);
void lexplicit_free(lctx *ctx, lexplicit *e);

#endif
