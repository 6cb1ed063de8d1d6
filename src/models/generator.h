/* generator.h — what the stimulation devices (poisson_generator.c, spike_generator.c,
 * dc_generator.c) share: NEST's activity window, parameters 1 (start) and 2 (stop) of each. */
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

#endif
