/* step_current_generator.c — a piecewise constant current (NEST's step_current_generator):
 * amplitude_values[i] from amplitude_times[i] on. Two list parameters: the times (LP_ARRAY:
 * sorted, > 0) and the values (LP_ARRAY_ANY: any finite numbers); NEST's rules between them
 * are checked by its prepare_device hook (tests/unit/test_step_current_generator.c). */
#include <math.h>

#include "generator.h"

enum { P_TIMES = 0, P_VALUES = 3, N_PARAMS = 4 }; /* the window is 1 and 2 (generator.h) */

static const lparam_def step_params[N_PARAMS] = {
    {"amplitude_times", "ms", 0.0, LP_ARRAY, 0,
     "Times of the changes: strictly increasing, > 0, multiples of dt."},
    ACTIVITY_WINDOW,
    {"amplitude_values", "pA", 0.0, LP_ARRAY_ANY, 0,
     "Amplitudes from each time on (multiplied by the weight); as many as amplitude_times."},
};

leinao_status lstep_current_prepare(lctx *ctx, const double *times, size_t n_times,
                                    const double *values, size_t n_values, double dt, void **data)
{
    if (n_times != n_values)
        return lc_error_at(ctx, LEINAO_INVALID, "param", "amplitude_values", -1,
                           "amplitude_times and amplitude_values must have the same length, got "
                           "%zu and %zu",
                           n_times, n_values);
    for (size_t k = 0; k < n_times; k++) {
        double steps;
        if (!(times[k] > 0.0) || !lgrid_steps(times[k], dt, &steps))
            return lc_error_at(ctx, LEINAO_INVALID, "values", "amplitude_times", (int64_t)k,
                               "amplitude_times[%zu] = %g must be > 0 and a multiple of dt = %g",
                               k, times[k], dt);
        if (!(steps < 4294967295.0))
            return lc_error_at(ctx, LEINAO_INVALID, "values", "amplitude_times", (int64_t)k,
                               "amplitude_times[%zu] = %g is beyond the 2^32 steps of a run", k,
                               times[k]);
        if (k > 0 && !(times[k] > times[k - 1]))
            return lc_error_at(ctx, LEINAO_INVALID, "values", "amplitude_times", (int64_t)k,
                               "amplitude_times must be strictly increasing, got %g after %g at "
                               "index %zu",
                               times[k], times[k - 1], k);
        if (!isfinite(values[k]))
            return lc_error_at(ctx, LEINAO_INVALID, "values", "amplitude_values", (int64_t)k,
                               "amplitude_values[%zu] must be finite, got %g", k, values[k]);
    }
    const size_t n = n_times;
    lstep_schedule *sc = lc_malloc(ctx, sizeof *sc + (n ? n : 1) * (sizeof(int64_t) + sizeof(double)));
    if (!sc)
        return LEINAO_NOMEM;
    sc->n = n;
    sc->step = (int64_t *)(sc + 1);
    sc->value = (double *)(sc->step + (n ? n : 1));
    for (size_t k = 0; k < n; k++) {
        sc->step[k] = (int64_t)llround(times[k] / dt) - 1;
        sc->value[k] = values[k];
    }
    *data = sc;
    return LEINAO_OK;
}

static leinao_status step_prepare(lctx *ctx, const double *p, const double *const *arrays,
                                  const size_t *n_arrays, double dt, void **data)
{
    (void)p;
    return lstep_current_prepare(ctx, arrays[P_TIMES], n_arrays[P_TIMES], arrays[P_VALUES],
                                 n_arrays[P_VALUES], dt, data);
}

/* The index of the value in force at step s: the last k with step[k] <= s, or -1. */
static ptrdiff_t in_force(const lstep_schedule *sc, int64_t s)
{
    size_t lo = 0, hi = sc->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sc->step[mid] <= s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (ptrdiff_t)lo - 1;
}

void lstep_current_deliver(const ldevice_call *c)
{
    int64_t lo, hi;
    if (!ldevice_current_range(c, &lo, &hi))
        return;
    const lstep_schedule *sc = c->data;
    const lring *d = c->ring;
    const lsyn_view *syn = c->syn;
    for (uint64_t j = c->begin; j < c->end; j++) {
        const double w = lsyn_weight(syn, j);
        const uint32_t tgt = lsyn_target(syn, j), delay = lsyn_delay(syn, j);
        ptrdiff_t k = in_force(sc, lo);
        for (int64_t s = lo; s < hi; s++) {
            while ((size_t)(k + 1) < sc->n && sc->step[k + 1] <= s)
                k++;
            if (k >= 0)
                d->current[(size_t)((uint64_t)(s + delay) % d->slots) * d->n + tgt] +=
                    w * sc->value[k];
        }
    }
}

const lmodel lmodel_step_current_generator = {
    .name = "step_current_generator",
    .kind = LM_DEVICE,
    .summary = "Piecewise constant current.",
    .doc = "Sends `weight * amplitude_values[i]` pA from `amplitude_times[i]` on (the value "
           "stamped t is the current of the step ending at t, NEST's convention); zero before "
           "the first time. A current generator in NEST 3's sense: through a delay d its current "
           "acts on the membrane over (start + d, stop + d].\n\n"
           "Reference: NEST `step_current_generator`; NEST's test_step_current_generator.",
    .params = step_params,
    .n_params = N_PARAMS,
    .port_buffer = {-1, -1, -1},
    .check = ldevice_check_window,
    .output_port = LPORT_CURRENT,
    .prepare_device = step_prepare,
    .deliver = lstep_current_deliver,
};
