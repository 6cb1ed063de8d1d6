/* generator.h — what the stimulation devices (poisson_generator.c, spike_generator.c,
 * dc_generator.c, ac_generator.c, noise_generator.c, sinusoidal_poisson_generator.c,
 * step_current_generator.c) share:
 * NEST's activity window, parameters 1 (start) and 2 (stop) of each. */
#ifndef LEINAO_MODELS_GENERATOR_H
#define LEINAO_MODELS_GENERATOR_H

#include "device.h"
#include "model.h"

#define ACTIVITY_WINDOW                                                                   \
    {"start", "ms", 0.0, LP_NONNEGATIVE, 0, "Activation time: active from start (exclusive)."}, \
    {"stop", "ms", INFINITY, LP_NONNEGATIVE, LP_INF_OK,                                    \
     "Deactivation time: active up to stop (inclusive); inf: never stops."}
enum { P_START = 1, P_STOP = 2 }; /* every generator's activity window */

static inline leinao_status ldevice_check_window(lctx *ctx, const double *p)
{
    if (!(p[P_STOP] >= p[P_START]))
        return lc_error(ctx, LEINAO_INVALID, "stop must be >= start, got start = %g, stop = %g",
                        p[P_START], p[P_STOP]);
    return LEINAO_OK;
}

/* Emission steps of the slice inside the device's activity window: [*lo, *hi). */
static inline int ldevice_active_range(const ldevice_call *c, int64_t *lo, int64_t *hi)
{
    int64_t a = lmodel_first_active_step(c->params[P_START], c->dt);
    int64_t b = lmodel_end_active_step(c->params[P_STOP], c->dt);
    *lo = c->step > a ? c->step : a;
    *hi = c->step + c->n < b ? c->step + c->n : b;
    return *lo < *hi;
}

/* NEST 3's window of the current generators (dc_generator, ac_generator, noise_generator,
 * step_current_generator): their output of
 * emission step n (the step from n dt to (n + 1) dt) counts as active when
 * start < (n + 2) dt <= stop, one step earlier than a spike generator's, so that with a delay d
 * the current acts on the membrane over (start + d, stop + d] (NEST's test_dcgen_versus_I_e and
 * test_step_current_generator: the current of a generator started at 5 ms through a 1 ms delay
 * has moved V_m by the end of the step ending at 6.0 + dt). Steps [*lo, *hi) of the slice. */
static inline int ldevice_current_range(const ldevice_call *c, int64_t *lo, int64_t *hi)
{
    int64_t a = lmodel_first_active_step(c->params[P_START], c->dt) - 1;
    int64_t b = lmodel_end_active_step(c->params[P_STOP], c->dt);
    b = b == INT64_MAX ? b : b - 1;
    *lo = c->step > a ? c->step : a;
    *hi = c->step + c->n < b ? c->step + c->n : b;
    return *lo < *hi;
}

/* step_current_generator (step_current_generator.c). Its schedule: n changes, the emission step each value applies from (a value
 * stamped t applies to the step ending at t, NEST: n = t / dt - 1), the values. */
typedef struct lstep_schedule {
    size_t n;
    int64_t *step;
    double *value;
} lstep_schedule;
/* NEST's rules: as many values as times, times strictly increasing, > 0, on the grid; makes the
 * schedule (allocated through ctx) that lstep_current_deliver reads as its data. */
leinao_status lstep_current_prepare(lctx *ctx, const double *times, size_t n_times,
                                    const double *values, size_t n_values, double dt, void **data);
void lstep_current_deliver(const ldevice_call *c);

#endif
