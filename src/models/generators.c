/* generators.c — the stimulation devices: poisson_generator, spike_generator, dc_generator.
 * Each descriptor carries its behaviour: prepare_device checks and precomputes what the device
 * needs at run time, deliver writes one element's output over a slice into its targets' ring
 * buffers. Every synapse draws from its own keyed random stream and writes only to its target's
 * buffers, so the result does not depend on the partition. */
#include <math.h>

#include "../base/rng.h"
#include "device.h"
#include "model.h"

#define ACTIVITY_WINDOW                                                                   \
    {"start", "ms", 0.0, LP_NONNEGATIVE, 0, "Activation time: active from start (exclusive)."}, \
    {"stop", "ms", INFINITY, LP_NONNEGATIVE, LP_INF_OK,                                    \
     "Deactivation time: active up to stop (inclusive); inf: never stops."}
enum { P_START = 1, P_STOP = 2 }; /* every generator's activity window */

static leinao_status check_window(lctx *ctx, const double *p)
{
    if (!(p[P_STOP] >= p[P_START]))
        return lc_error(ctx, LEINAO_INVALID, "stop must be >= start, got start = %g, stop = %g",
                        p[P_START], p[P_STOP]);
    return LEINAO_OK;
}

/* Emission steps of the slice inside the device's activity window: [*lo, *hi). */
static int active_range(const ldevice_call *c, int64_t *lo, int64_t *hi)
{
    int64_t a = lmodel_first_active_step(c->params[P_START], c->dt);
    int64_t b = lmodel_end_active_step(c->params[P_STOP], c->dt);
    *lo = c->step > a ? c->step : a;
    *hi = c->step + c->n < b ? c->step + c->n : b;
    return *lo < *hi;
}

/* ---- poisson_generator ------------------------------------------------------------------ */

static const lparam_def poisson_params[] = {
    {"rate", "Hz", 0.0, LP_NONNEGATIVE, 0, "Mean rate of each target's spike train."},
    ACTIVITY_WINDOW,
};

static leinao_status poisson_prepare(lctx *ctx, const double *p, const double *array, size_t n,
                                     double dt, void **data)
{
    (void)array;
    (void)n;
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
    if (!active_range(c, &lo, &hi))
        return;
    const lpoisson *pois = c->data;
    const lring *d = c->ring;
    const lsyn_view *syn = c->syn;
    uint32_t key[2] = {(uint32_t)c->seed, (uint32_t)(c->seed >> 32)};
    for (uint64_t j = c->begin; j < c->end; j++) {
        const float wf = lsyn_weight(syn, j);
        double *ring = lring_port(d, wf), w = wf;
        uint32_t tgt = lsyn_target(syn, j), delay = lsyn_delay(syn, j);
        uint32_t ctr[4] = {0, (uint32_t)j, 0, (LRNG_POISSON << 24) | syn->projection};
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
                lrng_open(&r, c->seed, LRNG_POISSON_LARGE, syn->projection, (uint32_t)j,
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
    .check = check_window,
    .output_port = LPORT_EX,
    .max_synapses = UINT64_C(0xFFFFFFFF), /* the synapse index is a 32-bit stream key */
    .prepare_device = poisson_prepare,
    .deliver = poisson_deliver,
};

/* ---- spike_generator -------------------------------------------------------------------- */

static const lparam_def spike_params[] = {
    {"spike_times", "ms", 0.0, LP_ARRAY, 0,
     "Spike times: sorted, > 0, multiples of dt (an off-grid time is an error)."},
    ACTIVITY_WINDOW,
};

/* The emission steps of the spike times, sorted, ended by INT64_MAX: a spike at time t is
 * emitted by the step that ends at t. */
static leinao_status spike_prepare(lctx *ctx, const double *p, const double *times, size_t n,
                                   double dt, void **data)
{
    (void)p;
    for (size_t k = 0; k < n; k++) {
        double steps;
        int on_grid = lgrid_steps(times[k], dt, &steps);
        if (!(steps < 4294967295.0))
            return lc_error(ctx, LEINAO_INVALID,
                            "spike_times[%zu] = %g is beyond the 2^32 steps of a run", k,
                            times[k]);
        if (!on_grid)
            return lc_error(ctx, LEINAO_INVALID,
                            "spike_times[%zu] = %g is not a multiple of dt = %g", k, times[k], dt);
    }
    int64_t *steps = lc_malloc(ctx, (n + 1) * sizeof *steps);
    if (!steps)
        return LEINAO_NOMEM;
    for (size_t k = 0; k < n; k++)
        steps[k] = (int64_t)llround(times[k] / dt) - 1;
    steps[n] = INT64_MAX;
    *data = steps;
    return LEINAO_OK;
}

static void spike_deliver(const ldevice_call *c)
{
    int64_t lo, hi;
    if (!active_range(c, &lo, &hi))
        return;
    const lring *d = c->ring;
    const lsyn_view *syn = c->syn;
    for (const int64_t *s = c->data; *s < hi; s++) {
        if (*s < lo)
            continue;
        for (uint64_t j = c->begin; j < c->end; j++) {
            const float w = lsyn_weight(syn, j);
            double *ring = lring_port(d, w);
            uint32_t tgt = lsyn_target(syn, j), delay = lsyn_delay(syn, j);
            ring[(size_t)((uint64_t)(*s + delay) % d->slots) * d->n + tgt] += w;
        }
    }
}

const lmodel lmodel_spike_generator = {
    .name = "spike_generator",
    .kind = LM_DEVICE,
    .summary = "Emits spikes at given times.",
    .doc = "Every element emits a spike at each time in `spike_times` (within the activity "
           "window); a spike at time t reaches its targets at t + delay, exactly as a neuron's "
           "spike at t would. Repeated times send several spikes.",
    .params = spike_params,
    .n_params = 3,
    .port_buffer = {-1, -1, -1},
    .check = check_window,
    .output_port = LPORT_EX,
    .prepare_device = spike_prepare,
    .deliver = spike_deliver,
};

/* ---- dc_generator ----------------------------------------------------------------------- */

static const lparam_def dc_params[] = {
    {"amplitude", "pA", 0.0, LP_ANY, 0, "Amplitude of the current (multiplied by the weight)."},
    ACTIVITY_WINDOW,
};

static void dc_deliver(const ldevice_call *c)
{
    int64_t lo, hi;
    if (!active_range(c, &lo, &hi))
        return;
    const lring *d = c->ring;
    const lsyn_view *syn = c->syn;
    double amplitude = c->params[0];
    for (uint64_t j = c->begin; j < c->end; j++) {
        double current = lsyn_weight(syn, j) * amplitude;
        uint32_t tgt = lsyn_target(syn, j), delay = lsyn_delay(syn, j);
        for (int64_t s = lo; s < hi; s++)
            d->current[(size_t)((uint64_t)(s + delay) % d->slots) * d->n + tgt] += current;
    }
}

const lmodel lmodel_dc_generator = {
    .name = "dc_generator",
    .kind = LM_DEVICE,
    .summary = "Constant current.",
    .doc = "Sends `weight * amplitude` pA to the current port of its targets for each step "
           "ending at t with start < t <= stop; it arrives after the connection's delay. "
           "iaf_psc_delta applies it one step after arrival, as NEST does.",
    .params = dc_params,
    .n_params = 3,
    .port_buffer = {-1, -1, -1},
    .check = check_window,
    .output_port = LPORT_CURRENT,
    .deliver = dc_deliver,
};
