/* generators.c — the stimulation devices: poisson_generator, spike_generator, dc_generator.
 * Their descriptors live here; the engine delivers their output (see engine/devices.c). */
#include <math.h>

#include "model.h"

#define ACTIVITY_WINDOW                                                                   \
    {"start", "ms", 0.0, LP_NONNEGATIVE, 0, "Activation time: active from start (exclusive)."}, \
    {"stop", "ms", INFINITY, LP_NONNEGATIVE, LP_INF_OK,                                    \
     "Deactivation time: active up to stop (inclusive); inf: never stops."}

/* Every generator has its activity window as parameters 1 (start) and 2 (stop). */
static leinao_status check_window(lctx *ctx, const double *p)
{
    if (!(p[2] >= p[1]))
        return lc_error(ctx, LEINAO_INVALID, "stop must be >= start, got start = %g, stop = %g",
                        p[1], p[2]);
    return LEINAO_OK;
}

static const lparam_def poisson_params[] = {
    {"rate", "Hz", 0.0, LP_NONNEGATIVE, 0, "Mean rate of each target's spike train."},
    ACTIVITY_WINDOW,
};

const lmodel lmodel_poisson_generator = {
    .name = "poisson_generator",
    .kind = LM_POISSON_GENERATOR,
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
};

static const lparam_def spike_params[] = {
    {"spike_times", "ms", 0.0, LP_ARRAY, 0,
     "Spike times: sorted, > 0, multiples of dt (an off-grid time is an error)."},
    ACTIVITY_WINDOW,
};

const lmodel lmodel_spike_generator = {
    .name = "spike_generator",
    .kind = LM_SPIKE_GENERATOR,
    .summary = "Emits spikes at given times.",
    .doc = "Every element emits a spike at each time in `spike_times` (within the activity "
           "window); a spike at time t reaches its targets at t + delay, exactly as a neuron's "
           "spike at t would. Repeated times send several spikes.",
    .params = spike_params,
    .n_params = 3,
    .port_buffer = {-1, -1, -1},
    .check = check_window,
};

static const lparam_def dc_params[] = {
    {"amplitude", "pA", 0.0, LP_ANY, 0, "Amplitude of the current (multiplied by the weight)."},
    ACTIVITY_WINDOW,
};

const lmodel lmodel_dc_generator = {
    .name = "dc_generator",
    .kind = LM_DC_GENERATOR,
    .summary = "Constant current.",
    .doc = "Sends `weight * amplitude` pA to the current port of its targets for each step "
           "ending at t with start < t <= stop; it arrives after the connection's delay. "
           "iaf_psc_delta applies it one step after arrival, as NEST does.",
    .params = dc_params,
    .n_params = 3,
    .port_buffer = {-1, -1, -1},
    .check = check_window,
};
