/* devices.c — the devices' output, one slice at a time, each thread for its own targets: the
 * engine loops over device projections and calls each device model's deliver hook (the
 * behaviour lives in the model's descriptor, src/models/poisson_generator.c and its siblings). */
#include "sim.h"

void lsim_deliver_devices(leinao_sim *sim, int64_t step, int n, int t)
{
    for (int i = 0; i < sim->net.n_projs; i++) {
        const lprojection *p = sim->net.projs[i];
        const lpopulation *dev = sim->net.pops[p->src];
        if (dev->model->kind != LM_DEVICE || p->n == 0)
            continue;
        ldevice_call call = {dev->params, dev->device_data, &sim->eng.delivery[i].ring,
                             &sim->eng.delivery[i].view, 0, 0, 0, 0, step, n, sim->config.dt,
                             sim->config.seed};
        const int64_t *offset = sim->part.key_offset ? sim->part.key_offset[i] : NULL;
        for (uint32_t g = 0; g < dev->size; g++) {
            call.element = g;
            call.key_offset = offset ? offset[g] : 0;
            lsim_row(sim, i, g, t, &call.begin, &call.end);
            dev->model->deliver(&call);
        }
    }
}
