/* sinusoidal_poisson_generator.c — Poisson spike trains with a sinusoidally modulated rate, one
 * independent train per synapse (NEST's sinusoidal_poisson_generator with
 * individual_spike_trains true), drawn from counter-based streams keyed by synapse and step. */
#include <math.h>

#include "../base/rng.h"
#include "generator.h"

enum { P_rate, P_amplitude = 3, P_frequency, P_phase, P_individual, N_PARAMS };
static const double PI = 3.14159265358979323846;

static const lparam_def sinus_params[N_PARAMS] = {
    [P_rate] = {"rate", "Hz", 0.0, LP_ANY, 0, "Mean rate of each target's spike train."},
    ACTIVITY_WINDOW,
    [P_amplitude] = {"amplitude", "Hz", 0.0, LP_ANY, 0, "Amplitude of the rate's modulation."},
    [P_frequency] = {"frequency", "Hz", 0.0, LP_ANY, 0, "Frequency of the modulation."},
    [P_phase] = {"phase", "deg", 0.0, LP_ANY, 0, "Phase of the modulation at t = 0."},
    [P_individual] = {"individual_spike_trains", "", 1.0, LP_ANY, 0,
                      "1 (NEST's true): each target gets its own train; 0 (one train shared "
                      "by all targets) is not supported yet."},
};

static leinao_status sinus_check(lctx *ctx, const double *p)
{
    if (p[P_individual] != 1.0)
        return lc_error(ctx, LEINAO_INVALID,
                        "individual_spike_trains must be 1 (true): one train shared by all "
                        "targets is not supported, got %g",
                        p[P_individual]);
    return ldevice_check_window(ctx, p);
}

/* A Poisson draw of mean mu < 10 by inversion of one 32-bit word (resolution 2^-32), from the
 * cumulative probabilities built up term by term; emu = exp(-mu). */
static uint32_t poisson_inversion(double mu, double emu, uint32_t word)
{
    const double u = ((double)word + 0.5) * (1.0 / 4294967296.0);
    double term = emu, cdf = emu;
    uint32_t k = 0;
    while (u > cdf && k < 100) {
        k++;
        term *= mu / k;
        cdf += term;
    }
    return k;
}

/* The rate of emission step n is max(0, rate + amplitude sin(omega (n + 1) dt + phase)), the
 * value at the step's end (NEST's test_sinusoidal_poisson_generator_rate_profile: the rate
 * recorded at t is the sine at t); each synapse draws k ~ Poisson(rate dt) spikes in the step. */
static void sinus_deliver(const ldevice_call *c)
{
    int64_t lo, hi;
    if (!ldevice_active_range(c, &lo, &hi))
        return;
    const lring *d = c->ring;
    const lsyn_view *syn = c->syn;
    const double *p = c->params;
    const double omega = 2.0 * PI * p[P_frequency] / 1000.0, phi = p[P_phase] * PI / 180.0;
    const uint32_t key[2] = {(uint32_t)c->seed, (uint32_t)(c->seed >> 32)};
    for (int64_t s = lo; s < hi; s++) {
        const double rate = p[P_rate] + p[P_amplitude] * sin(omega * (double)(s + 1) * c->dt + phi);
        if (!(rate > 0.0))
            continue;
        const double mu = rate * c->dt * 1e-3, emu = exp(-mu);
        lpoisson large;
        if (mu >= 10.0)
            lpoisson_init(&large, mu);
        for (uint64_t j = c->begin; j < c->end; j++) {
            uint64_t k;
            if (mu < 10.0) {
                const uint32_t ctr[4] = {0, (uint32_t)(j + c->key_offset), (uint32_t)s,
                                         (LRNG_SINUSOIDAL_POISSON << 24) | syn->projection};
                uint32_t block[4];
                lrng_philox(ctr, key, block);
                k = poisson_inversion(mu, emu, block[0]);
            } else {
                lrng r;
                lrng_open(&r, c->seed, LRNG_SINUSOIDAL_POISSON, syn->projection, (uint32_t)(j + c->key_offset),
                          (uint32_t)s);
                k = lpoisson_draw(&large, &r);
            }
            if (k) {
                const float wf = lsyn_weight(syn, j);
                const uint32_t tgt = lsyn_target(syn, j), delay = lsyn_delay(syn, j);
                lring_port(d, wf)[(size_t)((uint64_t)(s + delay) % d->slots) * d->n + tgt] +=
                    (double)wf * (double)k;
            }
        }
    }
}

const lmodel lmodel_sinusoidal_poisson_generator = {
    .name = "sinusoidal_poisson_generator",
    .kind = LM_DEVICE,
    .summary = "Poisson spike trains with a sinusoidally modulated rate, one per target.",
    .doc = "Every synapse carries its own inhomogeneous Poisson train of rate "
           "`max(0, rate + amplitude sin(2 pi frequency t + phase))` (Hz; t in ms / 1000, phase "
           "in degrees): in the step ending at t a target receives k spikes, k ~ Poisson(rate(t) "
           "dt), i.e. an input of k times the weight, when start < t <= stop. As in NEST the rate "
           "of a step is the sine at the step's end; if amplitude > rate the rate is cut at "
           "zero, so the mean rate is then below `rate`. The numbers come from the counter-based "
           "stream keyed by (seed, projection, synapse, step), so they do not depend on how the "
           "network is partitioned. NEST's `individual_spike_trains` false (one train for all "
           "targets) is not supported yet.\n\n"
           "Reference: NEST `sinusoidal_poisson_generator`.",
    .params = sinus_params,
    .n_params = N_PARAMS,
    .port_buffer = {-1, -1, -1},
    .check = sinus_check,
    .output_port = LPORT_EX,
    .max_synapses = UINT64_C(0xFFFFFFFF), /* the synapse index is a 32-bit stream key */
    .deliver = sinus_deliver,
};
