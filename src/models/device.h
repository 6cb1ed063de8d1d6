/* device.h — what delivery writes into and what a device's hook sees: the ring buffers of a
 * target population (lring), one projection's synapse storage read through accessors
 * (lsyn_view: the layout of src/net/projection.h, seen from below), and the arguments of a
 * device's deliver hook (ldevice_call). A device model is a descriptor (model.h) whose hooks
 * prepare its run-time data and deliver its output over a slice; the engine only loops. */
#ifndef LEINAO_MODELS_DEVICE_H
#define LEINAO_MODELS_DEVICE_H

#include <stdint.h>

/* Ring buffers of one target population: cell (slot, neuron) of a buffer is
 * buffer[slot * n + neuron]; ex/in/current are NULL where the model has no such port. */
typedef struct lring {
    double *ex, *in, *current;
    uint32_t n, slots;
    int prefetch; /* the buffers exceed the caches: delivery asks for cells ahead */
} lring;

/* The receptor buffer a spike of weight w goes to (NEST: the sign picks the receptor). */
static inline double *lring_port(const lring *r, double w)
{
    return w < 0.0 ? r->in : r->ex;
}

/* Slot of the ring buffers that a spike emitted in step `emitted` reaches after `delay` steps
 * (delay < slots). */
static inline uint32_t lring_slot(const lring *r, uint64_t emitted, uint32_t delay)
{
    uint32_t slot = (uint32_t)(emitted % r->slots) + delay;
    return slot >= r->slots ? slot - r->slots : slot;
}

/* One projection's synapses: a 32-bit entry (target << delay_bits | delay) per synapse, or, where
 * compact, a 16-bit target and one delay; a float weight per synapse, or one for all. */
typedef struct lsyn_view {
    const uint32_t *entry;
    const uint16_t *target16;
    const float *weight;
    float weight_uniform;
    int delay_bits;
    uint32_t delay_mask, delay_uniform;
    uint32_t projection; /* id: part of the keys of random streams */
} lsyn_view;

static inline uint32_t lsyn_target(const lsyn_view *s, uint64_t j)
{
    return s->target16 ? s->target16[j] : s->entry[j] >> s->delay_bits;
}

static inline uint32_t lsyn_delay(const lsyn_view *s, uint64_t j)
{
    return s->target16 ? s->delay_uniform : s->entry[j] & s->delay_mask;
}

static inline float lsyn_weight(const lsyn_view *s, uint64_t j)
{
    return s->weight ? s->weight[j] : s->weight_uniform;
}

/* A device's deliver hook: the output of device element `element` over the emission steps
 * [step, step + n) of a slice, through its synapses begin .. end - 1 (those of one thread's
 * targets), into the targets' ring buffers. */
typedef struct ldevice_call {
    const double *params; /* the device population's parameters */
    const void *data;     /* what the model's prepare_device made (NULL if it has none) */
    const lring *ring;
    const lsyn_view *syn;
    uint32_t element;
    uint64_t begin, end;
    /* j + key_offset is synapse j's index in the whole projection, whatever the partition:
     * what keys its random stream (with MPI ranks, each holds only part of a projection) */
    int64_t key_offset;
    int64_t step;
    int n;
    double dt;
    uint64_t seed;
} ldevice_call;

#endif
