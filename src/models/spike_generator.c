/* spike_generator.c — spikes at given times (NEST's spike_generator). */
#include <math.h>

#include "generator.h"

static const lparam_def spike_params[] = {
    {"spike_times", "ms", 0.0, LP_ARRAY, 0,
     "Spike times: sorted, > 0, multiples of dt (an off-grid time is an error)."},
    ACTIVITY_WINDOW,
};

/* The emission steps of the spike times, sorted, ended by INT64_MAX: a spike at time t is
 * emitted by the step that ends at t. */
static leinao_status spike_prepare(lctx *ctx, const double *p, const double *const *arrays,
                                   const size_t *n_arrays, double dt, void **data)
{
    (void)p;
    const double *times = arrays[0];
    const size_t n = n_arrays[0];
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
    if (!ldevice_active_range(c, &lo, &hi))
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
    .check = ldevice_check_window,
    .output_port = LPORT_EX,
    .prepare_device = spike_prepare,
    .deliver = spike_deliver,
};
