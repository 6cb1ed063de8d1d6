/* noise_generator.c — Gaussian white noise current, one independent current per synapse
 * (NEST's noise_generator), drawn from counter-based streams keyed by the synapse and the
 * noise interval, so the result does not depend on the partition. */
#include <math.h>

#include "../base/rng.h"
#include "generator.h"

enum { P_mean, P_std = 3, P_dt, P_std_mod, P_frequency, P_phase, N_PARAMS };
static const double PI = 3.14159265358979323846;

static const lparam_def noise_params[N_PARAMS] = {
    [P_mean] = {"mean", "pA", 0.0, LP_ANY, 0, "Mean of the current."},
    ACTIVITY_WINDOW,
    [P_std] = {"std", "pA", 0.0, LP_NONNEGATIVE, 0, "Standard deviation of the current."},
    [P_dt] = {"dt", "ms", 1.0, LP_POSITIVE, 0,
              "Interval between new values of the current: a multiple of the resolution."},
    [P_std_mod] = {"std_mod", "pA", 0.0, LP_NONNEGATIVE, 0,
                   "Modulation of the standard deviation (<= std)."},
    [P_frequency] = {"frequency", "Hz", 0.0, LP_ANY, 0, "Frequency of the modulation."},
    [P_phase] = {"phase", "deg", 0.0, LP_ANY, 0, "Phase of the modulation at t = 0."},
};

static leinao_status noise_check(lctx *ctx, const double *p)
{
    if (!(p[P_std_mod] <= p[P_std]))
        return lc_error(ctx, LEINAO_INVALID, "std_mod must be <= std, got std_mod = %g, std = %g",
                        p[P_std_mod], p[P_std]);
    return ldevice_check_window(ctx, p);
}

/* The noise interval in steps, checked against the resolution (NEST: StepMultipleRequired). */
static leinao_status noise_prepare(lctx *ctx, const double *p, const double *const *arrays,
                                   const size_t *n_arrays, double dt, void **data)
{
    (void)arrays;
    (void)n_arrays;
    double steps;
    if (!lgrid_steps(p[P_dt], dt, &steps) || steps < 1.0)
        return lc_error(ctx, LEINAO_INVALID,
                        "dt = %g of the noise_generator must be a multiple of the resolution %g",
                        p[P_dt], dt);
    if (!(steps < 4294967295.0))
        return lc_error(ctx, LEINAO_INVALID,
                        "dt = %g of the noise_generator is beyond the 2^32 steps of a run", p[P_dt]);
    int64_t *interval = lc_malloc(ctx, sizeof *interval);
    if (!interval)
        return LEINAO_NOMEM;
    *interval = (int64_t)steps;
    *data = interval;
    return LEINAO_OK;
}

/* Each synapse's current is mean + sigma N(0, 1), a new normal number for every interval of
 * `dt` counted from the first active step (NEST: the first step of activity draws, then every
 * dt), with sigma^2 = std^2 + std_mod^2 sin(omega t + phase) at the end of the interval's first
 * step. */
static void noise_deliver(const ldevice_call *c)
{
    int64_t lo, hi;
    if (!ldevice_current_range(c, &lo, &hi))
        return;
    const lring *d = c->ring;
    const lsyn_view *syn = c->syn;
    const double *p = c->params;
    const int64_t interval = *(const int64_t *)c->data;
    int64_t first = lmodel_first_active_step(p[P_START], c->dt) - 1;
    first = first < 0 ? 0 : first;
    const double omega = 2.0 * PI * p[P_frequency] / 1000.0, phi = p[P_phase] * PI / 180.0;
    for (uint64_t j = c->begin; j < c->end; j++) {
        const double w = lsyn_weight(syn, j);
        const uint32_t tgt = lsyn_target(syn, j), delay = lsyn_delay(syn, j);
        int64_t block = -1;
        double current = 0.0;
        for (int64_t s = lo; s < hi; s++) {
            const int64_t b = (s - first) / interval;
            if (b != block) {
                block = b;
                const int64_t s_b = first + b * interval;
                double var = p[P_std] * p[P_std];
                if (p[P_std_mod] != 0.0)
                    var += p[P_std_mod] * p[P_std_mod] *
                           sin(omega * (double)(s_b + 1) * c->dt + phi);
                lrng r;
                lrng_open(&r, c->seed, LRNG_NOISE, syn->projection, (uint32_t)(j + c->key_offset), (uint32_t)b);
                current = w * (p[P_mean] + sqrt(var) * lrng_normal(&r));
            }
            d->current[(size_t)((uint64_t)(s + delay) % d->slots) * d->n + tgt] += current;
        }
    }
}

const lmodel lmodel_noise_generator = {
    .name = "noise_generator",
    .kind = LM_DEVICE,
    .summary = "Gaussian white noise current, independent for each target.",
    .doc = "Every synapse of a `noise_generator` carries its own current "
           "`weight * (mean + sqrt(std^2 + std_mod^2 sin(2 pi frequency t + phase)) xi)`, a new "
           "standard normal `xi` for each interval of length `dt` (a multiple of the "
           "resolution), counted from the first active step, as in NEST. The numbers come from "
           "the counter-based stream keyed by (seed, projection, synapse, interval), so they do "
           "not depend on how the network is partitioned. A current generator in NEST 3's "
           "sense: through a delay d its current acts on the membrane over (start + d, "
           "stop + d]. The membrane's response is not white noise: for a leaky membrane with "
           "time constant tau_m driven by intervals of dt, the stationary standard deviation of "
           "V_m is `std R sqrt((1 - e) / (1 + e))`, `e = exp(-dt / tau_m)`, R = tau_m / C_m "
           "(tests/unit/test_current_generators.c).\n\n"
           "Reference: NEST `noise_generator`.",
    .params = noise_params,
    .n_params = N_PARAMS,
    .port_buffer = {-1, -1, -1},
    .check = noise_check,
    .output_port = LPORT_CURRENT,
    .max_synapses = UINT64_C(0xFFFFFFFF), /* the synapse index is a 32-bit stream key */
    .prepare_device = noise_prepare,
    .deliver = noise_deliver,
};
