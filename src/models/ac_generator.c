/* ac_generator.c — a sinusoidal current into the current port of its targets (NEST's
 * ac_generator): offset + amplitude sin(2 pi frequency t + phase). */
#include <math.h>

#include "generator.h"

enum { P_amplitude, P_offset = 3, P_frequency, P_phase, N_PARAMS };
enum { STEPS = 64 }; /* steps whose currents are computed before they are delivered */
static const double PI = 3.14159265358979323846;

static const lparam_def ac_params[N_PARAMS] = {
    [P_amplitude] = {"amplitude", "pA", 0.0, LP_ANY, 0, "Amplitude of the sine."},
    ACTIVITY_WINDOW,
    [P_offset] = {"offset", "pA", 0.0, LP_ANY, 0, "Constant offset of the current."},
    [P_frequency] = {"frequency", "Hz", 0.0, LP_ANY, 0, "Frequency of the sine."},
    [P_phase] = {"phase", "deg", 0.0, LP_ANY, 0, "Phase of the sine at t = 0."},
};

/* The current of emission step n is the sine at the step's end, (n + 1) dt, as NEST's
 * recursion gives it: NEST rotates (cos, sin) by omega dt once per step from t = 0, so its step
 * n holds sin(omega (n + 1) dt + phi) up to the rounding the rotations accumulate (about n
 * ulp); evaluated here in closed form, which keeps no state between slices and gives every
 * thread the same value. */
static void ac_deliver(const ldevice_call *c)
{
    int64_t lo, hi;
    if (!ldevice_current_range(c, &lo, &hi))
        return;
    const lring *d = c->ring;
    const lsyn_view *syn = c->syn;
    const double *p = c->params;
    const double omega = 2.0 * PI * p[P_frequency] / 1000.0; /* rad/ms */
    const double phi = p[P_phase] * PI / 180.0;
    double I[STEPS];
    for (int64_t s0 = lo; s0 < hi; s0 += STEPS) {
        const int64_t s1 = hi - s0 < STEPS ? hi : s0 + STEPS;
        for (int64_t s = s0; s < s1; s++)
            I[s - s0] = p[P_offset] + p[P_amplitude] * sin(omega * (double)(s + 1) * c->dt + phi);
        for (uint64_t j = c->begin; j < c->end; j++) {
            const double w = lsyn_weight(syn, j);
            const uint32_t tgt = lsyn_target(syn, j), delay = lsyn_delay(syn, j);
            for (int64_t s = s0; s < s1; s++)
                d->current[(size_t)((uint64_t)(s + delay) % d->slots) * d->n + tgt] +=
                    w * I[s - s0];
        }
    }
}

static leinao_status ac_check(lctx *ctx, const double *p)
{
    return ldevice_check_window(ctx, p);
}

const lmodel lmodel_ac_generator = {
    .name = "ac_generator",
    .kind = LM_DEVICE,
    .summary = "Sinusoidal current.",
    .doc = "Sends `weight * (offset + amplitude sin(2 pi frequency t + phase))` pA (frequency in "
           "Hz, t in ms / 1000, phase in degrees) to the current port of its targets. As in NEST, "
           "the current of the step from t - dt to t is the sine at t, and the generator is a "
           "current generator in NEST 3's sense: through a delay d its current acts on the "
           "membrane over (start + d, stop + d] (one step earlier than `dc_generator` in "
           "leinao today). The sine is evaluated in closed form at each step, where NEST "
           "advances it by a rotation per step; the two agree to the rotations' rounding "
           "(tests/unit/test_current_generators.c).\n\n"
           "Reference: NEST `ac_generator`; NEST's test_ac_generator.",
    .params = ac_params,
    .n_params = N_PARAMS,
    .port_buffer = {-1, -1, -1},
    .check = ac_check,
    .output_port = LPORT_CURRENT,
    .deliver = ac_deliver,
};
