/* poisson_generator.c — independent Poisson spike trains, one per synapse (NEST's
 * poisson_generator): every synapse draws from its own keyed random stream and writes only to
 * its target's buffers, so the result does not depend on the partition. */
#include <math.h>

#include "../base/rng.h"
#include "generator.h"

static const lparam_def poisson_params[] = {
    {"rate", "Hz", 0.0, LP_NONNEGATIVE, 0, "Mean rate of each target's spike train."},
    ACTIVITY_WINDOW,
};

static leinao_status poisson_prepare(lctx *ctx, const double *p, const double *const *arrays,
                                     const size_t *n_arrays, double dt, void **data)
{
    (void)arrays;
    (void)n_arrays;
    lpoisson *pois = lc_malloc(ctx, sizeof *pois);
    if (!pois)
        return LEINAO_NOMEM;
    lpoisson_init(pois, p[0] * dt * 1e-3);
    *data = pois;
    return LEINAO_OK;
}

LEINAO_KERNEL static void poisson_deliver(const ldevice_call *c)
{
    int64_t lo, hi;
    if (!ldevice_active_range(c, &lo, &hi))
        return;
    const lpoisson *pois = c->data;
    const lring *d = c->ring;
    const lsyn_view *syn = c->syn;
    uint32_t key[2] = {(uint32_t)c->seed, (uint32_t)(c->seed >> 32)};
    for (uint64_t j = c->begin; j < c->end; j++) {
        const float wf = lsyn_weight(syn, j);
        double *ring = lring_port(d, wf), w = wf;
        uint32_t tgt = lsyn_target(syn, j), delay = lsyn_delay(syn, j);
        uint32_t ctr[4] = {0, (uint32_t)(j + c->key_offset), 0, (LRNG_POISSON << 24) | syn->projection};
        uint32_t block[4];
        int64_t have = -1;
        uint32_t slot = (uint32_t)((uint64_t)(lo + delay) % d->slots);
        for (int64_t s = lo; s < hi; s++, slot = slot + 1 == d->slots ? 0 : slot + 1) {
            uint64_t k;
            if (pois->mu < 10.0) {
                /* one Philox block gives the uniforms of four consecutive steps */
                if (s >> 2 != have) {
                    have = s >> 2;
                    ctr[2] = (uint32_t)have;
                    lrng_philox(ctr, key, block);
                }
                k = lpoisson_small_u32(pois, block[s & 3]);
            } else {
                lrng r;
                lrng_open(&r, c->seed, LRNG_POISSON_LARGE, syn->projection, (uint32_t)(j + c->key_offset),
                          (uint32_t)s);
                k = lpoisson_draw(pois, &r);
            }
            if (k)
                ring[(size_t)slot * d->n + tgt] += w * (double)k;
        }
    }
}

const lmodel lmodel_poisson_generator = {
    .name = "poisson_generator",
    .kind = LM_DEVICE,
    .summary = "Independent Poisson spike trains, one per target.",
    .doc = "As in NEST, every synapse of a `poisson_generator` carries its own independent "
           "Poisson train of rate `rate`: in each step of length dt a target receives k spikes, "
           "k ~ Poisson(rate * dt), i.e. an input of k times the weight. The numbers come from "
           "the counter-based stream keyed by (seed, projection, synapse, step), so they do not "
           "depend on how the network is partitioned. A spike emitted in the step ending at t is "
           "sent when start < t <= stop and arrives at t + delay.",
    .params = poisson_params,
    .n_params = 3,
    .port_buffer = {-1, -1, -1},
    .check = ldevice_check_window,
    .output_port = LPORT_EX,
    .max_synapses = UINT64_C(0xFFFFFFFF), /* the synapse index is a 32-bit stream key */
    .prepare_device = poisson_prepare,
    .deliver = poisson_deliver,
};
