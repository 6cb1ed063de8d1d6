/* dc_generator.c — a constant current into the current port of its targets (NEST's
 * dc_generator). */
#include <math.h>

#include "generator.h"

static const lparam_def dc_params[] = {
    {"amplitude", "pA", 0.0, LP_ANY, 0, "Amplitude of the current (multiplied by the weight)."},
    ACTIVITY_WINDOW,
};

static void dc_deliver(const ldevice_call *c)
{
    int64_t lo, hi;
    if (!ldevice_current_range(c, &lo, &hi))
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
    .doc = "Sends `weight * amplitude` pA to the current port of its targets. A current "
           "generator in NEST 3's sense: through a delay d its current acts on the membrane over "
           "(start + d, stop + d], i.e. it moves V_m first at the end of the step that ends at "
           "start + d + dt, exactly as `I_e` set at start + d would (NEST's "
           "test_dcgen_versus_I_e).\n\n"
           "Reference: NEST `dc_generator`.",
    .params = dc_params,
    .n_params = 3,
    .port_buffer = {-1, -1, -1},
    .check = ldevice_check_window,
    .output_port = LPORT_CURRENT,
    .deliver = dc_deliver,
};
