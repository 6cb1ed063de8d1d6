/* static_synapse.c — fixed weight and delay: the hot path of delivery. A row's synapses add
 * their weights into scattered cells of the targets' ring buffers; three storage forms get a
 * loop each (weights per synapse, one weight, compact 16-bit targets with one delay). */
#include "projection.h"

/* The ring-buffer cells a row adds to are scattered over far more memory than the caches hold,
 * so each add would wait for memory in turn; asking for the cell PREFETCH synapses ahead lets
 * those waits overlap. */
#define PREFETCH 32

/* Synapses b .. e - 1 with their weights, or all of weight w_uniform where weight is NULL.
 * Inlined at each call, so that each case gets its own loop. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void add_row(const lring *d, uint64_t emitted, const uint32_t *entry,
                           const float *weight, double w_uniform, int bits, uint32_t mask,
                           uint64_t b, uint64_t e)
{
    const uint32_t slots = d->slots, first = (uint32_t)(emitted % slots);
    const size_t n = d->n;
    for (; b < e; b++) {
        if (d->prefetch && b + PREFETCH < e) {
            uint32_t x = entry[b + PREFETCH], slot = first + (x & mask);
            slot -= slot >= slots ? slots : 0;
            double *ring = lring_port(d, weight ? weight[b + PREFETCH] : w_uniform);
            __builtin_prefetch(ring + (size_t)slot * n + (x >> bits), 1, 3);
        }
        uint32_t x = entry[b], slot = first + (x & mask);
        slot -= slot >= slots ? slots : 0;
        double w = weight ? (double)weight[b] : w_uniform;
        lring_port(d, w)[(size_t)slot * n + (x >> bits)] += w;
    }
}

/* A compact projection (one weight, one delay, 16-bit targets): all of a row's synapses add w
 * to one slot of one ring. */
static void add_compact(const lring *d, uint64_t emitted, uint32_t delay, const uint16_t *target,
                        double w, uint64_t b, uint64_t e)
{
    double *ring = lring_port(d, w) + (size_t)lring_slot(d, emitted, delay) * d->n;
    if (d->prefetch)
        for (; b + PREFETCH < e; b++) {
            __builtin_prefetch(ring + target[b + PREFETCH], 1, 3);
            ring[target[b]] += w;
        }
    for (; b < e; b++)
        ring[target[b]] += w;
}

static void deliver(const lsynapse_call *c, uint64_t b, uint64_t e, uint64_t emitted,
                    const double *pre)
{
    (void)pre;
    const lprojection *p = c->proj;
    if (p->target16)
        add_compact(c->ring, emitted, (uint32_t)p->min_delay, p->target16,
                    (double)p->weight_uniform, b, e);
    else if (p->weight_of)
        add_row(c->ring, emitted, p->entry, p->weight_of, 0.0, p->delay_bits, p->delay_mask, b,
                e);
    else
        add_row(c->ring, emitted, p->entry, NULL, (double)p->weight_uniform, p->delay_bits,
                p->delay_mask, b, e);
}

const lsynapse_model lsynapse_static = {
    .name = "static_synapse",
    .summary = "Fixed weight and delay.",
    .doc = "The weight and delay never change. A positive weight targets the excitatory "
           "receptor, a negative one the inhibitory receptor. Storage: 8 bytes per synapse "
           "(target and delay 4, weight 4); a projection whose weight is a single number stores "
           "no per-synapse weight (4 bytes per synapse), and if its delay is a single number too "
           "and the target population has at most 65536 neurons, only a 16-bit target index "
           "(2 bytes per synapse).",
    .deliver = deliver,
};
