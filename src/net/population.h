/* population.h — a population, its fields grouped by lifetime: what was declared (model,
 * parameters, initial values), what the build derives from it (constants, segments), and the run
 * state (state arrays, ring buffers, spike statistics, archive). */
#ifndef LEINAO_NET_POPULATION_H
#define LEINAO_NET_POPULATION_H

#include "../base/rng.h"
#include "archive.h"
#include "../models/model.h"

typedef struct lpopulation {
    /* declared (configuration: what the model file or caller set) */
    int id;
    char *name;
    const lmodel *model;
    uint32_t size;
    double *params;              /* model's order; effective values after lpop_resolve */
    unsigned char *param_given;
    double **arrays;             /* per parameter: the list of a list parameter (LP_ARRAY,
                                    LP_ARRAY_ANY; e.g. spike_times), NULL for the others and
                                    for a list never set */
    size_t *n_arrays;            /* per parameter: the length of arrays[i] (0 if none) */
    double tau_minus;            /* postsynaptic trace of stdp_synapse, ms (every neuron) */
    leinao_dist *init;           /* per state variable */
    unsigned char *init_given;
    double **param_values;       /* per parameter: one value per neuron, or NULL (per_neuron.c) */
    double **init_values;        /* per state variable: one initial value per neuron, or NULL */

    /* derived (made by the build from the above; remade when a parameter changes) */
    double *consts;
    /* with per-neuron values: segments of consecutive neurons sharing one parameter vector,
     * neurons segment_start[s] .. segment_start[s + 1] with segment_params[s * n_params ..] and
     * segment_consts[s * (n_consts + 1) ..]; n_segments is 0 without per-neuron values */
    uint32_t n_segments;
    uint32_t *segment_start;
    double *segment_params, *segment_consts;
    void *device_data;           /* a device's run-time data, from its prepare_device hook */
    uint32_t slots;              /* ring-buffer slots per buffer */
    int current_input;           /* a current generator targets it (set by the engine) */

    /* run state (what changes while running; with the projections' plastic weights and
     * per-source state, what a checkpoint holds) */
    double **state;              /* per state variable, hidden ones (refractory counters)
                                    included */
    double *ring;                /* input in flight: [buffer][slot][neuron] */
    lspike_list spikes;          /* the current slice's spikes, gathered */
    uint32_t *count, *isi_n;     /* spike statistics after the transient */
    double *last_spike, *isi_sum, *isi_sq;
    uint64_t total_spikes;       /* whole run */
    larchive *archive;           /* spike history, when a synapse model reads it (STDP) */
} lpopulation;

leinao_status lpop_create(lctx *ctx, lpopulation **out, int id, const char *name,
                          const lmodel *model, uint32_t size);
/* Frees what lpop_build made (state, buffers, statistics, archive): as declared again. The
 * device data of lpop_resolve stays (it is remade by the next resolve). */
void lpop_unbuild(lctx *ctx, lpopulation *pop);
void lpop_destroy(lctx *ctx, lpopulation *pop);
leinao_status lpop_set_param(lctx *ctx, lpopulation *pop, const char *name, double value);
leinao_status lpop_set_array(lctx *ctx, lpopulation *pop, const char *name, const double *v,
                             size_t n);
leinao_status lpop_set_init(lctx *ctx, lpopulation *pop, const char *var, const leinao_dist *d);
/* Applies NEST's E_L convention and the model's cross-parameter rules; prepares a device's
 * run-time data (its prepare_device hook). */
leinao_status lpop_resolve(lctx *ctx, lpopulation *pop, double dt);
/* Allocates state, draws initial values, allocates ring buffers (slots per buffer) and spike
 * lists able to hold `max_steps` steps of spikes of every neuron. */
leinao_status lpop_build(lctx *ctx, lpopulation *pop, double dt, uint32_t slots, int max_steps,
                         uint64_t seed);
/* Sets a parameter of a built population: the rules are checked again, the derived constants
 * and a device's run-time data remade; on failure nothing changes. */
leinao_status lpop_change_param(lctx *ctx, lpopulation *pop, const char *name, double value,
                                double dt);
/* Bytes lpop_build will allocate. */
uint64_t lpop_bytes(const lpopulation *pop, uint32_t slots, int max_steps);

/* Per-neuron values (per_neuron.c): n must be the population's size; each value is checked by
 * the parameter's own rule (the error names the index). */
leinao_status lpop_set_param_values(lctx *ctx, lpopulation *pop, const char *name,
                                    const double *values, size_t n);
leinao_status lpop_set_init_values(lctx *ctx, lpopulation *pop, const char *var,
                                   const double *values, size_t n);
/* At build, after lpop_resolve: the segments of identical parameter vectors, each prepared and
 * checked by the rules between parameters (the error names the neuron). */
leinao_status lpop_build_segments(lctx *ctx, lpopulation *pop, double dt);
/* Frees the segments (built) / the per-neuron values and segments (all). */
void lpop_free_segments(lctx *ctx, lpopulation *pop);
void lpop_free_per_neuron(lctx *ctx, lpopulation *pop);

/* Advances neurons [lo, hi) of a population of neurons: one kernel call, or one per segment of
 * identical parameters that meets [lo, hi). */
static inline void lpop_update(const lpopulation *p, lneuron_block *block, uint32_t lo,
                               uint32_t hi, int64_t step0, int nsteps)
{
    if (!p->n_segments) {
        p->model->update(block, lo, hi, step0, nsteps);
        return;
    }
    const size_t np = (size_t)p->model->n_params, nc = (size_t)p->model->n_consts + 1;
    uint32_t a = 0, b = p->n_segments; /* the segment holding lo */
    while (b - a > 1) {
        uint32_t mid = a + (b - a) / 2;
        if (p->segment_start[mid] <= lo)
            a = mid;
        else
            b = mid;
    }
    for (uint32_t s = a; s < p->n_segments && p->segment_start[s] < hi; s++) {
        uint32_t begin = p->segment_start[s] > lo ? p->segment_start[s] : lo;
        uint32_t end = p->segment_start[s + 1] < hi ? p->segment_start[s + 1] : hi;
        block->params = p->segment_params + s * np;
        block->consts = p->segment_consts + s * nc;
        if (begin < end)
            p->model->update(block, begin, end, step0, nsteps);
    }
}

#endif
