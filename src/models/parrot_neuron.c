/* parrot_neuron.c — repeats each incoming spike (NEST's parrot_neuron): lets generator spike
 * trains pass through plastic synapses and be recorded. */
#include "model.h"

static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0, int nsteps)
{
    const uint32_t n = b->n, slots = b->slots;
    lspike_list *out = b->spikes;
    uint32_t first_slot = (uint32_t)(step0 % slots);
    for (uint32_t i = begin; i < end; i++) {
        uint32_t slot = first_slot;
        for (int k = 0; k < nsteps; k++) {
            double *in = &b->ring[(size_t)slot * n + i];
            if (*in != 0.0) {
                lspike_emit(out, i, k);
            }
            *in = 0.0;
            if (++slot == slots)
                slot = 0;
        }
    }
}

const lmodel lmodel_parrot_neuron = {
    .name = "parrot_neuron",
    .kind = LM_NEURON,
    .summary = "Repeats incoming spikes.",
    .doc = "Emits a spike in every step in which at least one spike arrives, at the arrival "
           "time (the weight is ignored; several spikes arriving in the same step give one). "
           "Use it to pass a generator's spike trains through plastic synapses, or to record "
           "them. Reference: NEST `parrot_neuron`.",
    .n_buffers = 1,
    .port_buffer = {0, 0, -1},
    .update = update,
};
