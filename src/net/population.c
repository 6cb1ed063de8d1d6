/* population.c — parameters, initial state and storage of one population. */
#include "population.h"

#include <math.h>
#include <string.h>

leinao_status lpop_create(lctx *ctx, lpopulation **out, int id, const char *name,
                          const lmodel *model, uint32_t size)
{
    lpopulation *p = lc_calloc(ctx, 1, sizeof *p);
    if (!p)
        return LEINAO_NOMEM;
    p->id = id;
    p->model = model;
    p->size = size;
    p->name = lc_strdup(ctx, name);
    p->params = lc_calloc(ctx, (size_t)model->n_params + 1, sizeof(double));
    p->param_given = lc_calloc(ctx, (size_t)model->n_params + 1, 1);
    p->init = lc_calloc(ctx, (size_t)model->n_states + 1, sizeof(leinao_dist));
    p->init_given = lc_calloc(ctx, (size_t)model->n_states + 1, 1);
    if (!p->name || !p->params || !p->param_given || !p->init || !p->init_given) {
        lpop_destroy(ctx, p);
        return LEINAO_NOMEM;
    }
    for (int i = 0; i < model->n_params; i++)
        p->params[i] = model->params[i].def;
    p->tau_minus = 20.0; /* NEST's archiving node */
    *out = p;
    return LEINAO_OK;
}

void lpop_unbuild(lctx *ctx, lpopulation *p)
{
    if (p->state)
        for (int k = 0; k < p->model->n_states; k++)
            lc_free(ctx, p->state[k]);
    larchive_free(ctx, p->archive);
    lpop_free_segments(ctx, p);
    void *blocks[] = {p->consts, p->state, p->ring, p->spikes.index,
                      p->spikes.step, p->count, p->isi_n, p->last_spike, p->isi_sum, p->isi_sq};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        lc_free(ctx, blocks[i]);
    p->archive = NULL;
    p->consts = NULL;
    p->state = NULL;
    p->ring = NULL;
    p->spikes = (lspike_list){0};
    p->count = p->isi_n = NULL;
    p->last_spike = p->isi_sum = p->isi_sq = NULL;
    p->slots = 0;
    p->current_input = 0;
    p->total_spikes = 0;
}

void lpop_destroy(lctx *ctx, lpopulation *p)
{
    if (!p)
        return;
    lpop_unbuild(ctx, p);
    lpop_free_per_neuron(ctx, p);
    void *blocks[] = {p->name, p->params, p->param_given, p->array, p->init,
                      p->init_given, p->device_data, p};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        lc_free(ctx, blocks[i]);
}

static leinao_status unknown(lctx *ctx, const lpopulation *pop, const char *what, const char *name,
                             const lparam_def *table, int n)
{
    lsuggest sg;
    lsuggest_init(&sg, name);
    for (int i = 0; i < n; i++)
        if (!(table[i].flags & LP_HIDDEN))
            lsuggest_offer(&sg, table[i].name);
    const char *best = lsuggest_best(&sg);
    if (best)
        return lc_error(ctx, LEINAO_NOT_FOUND, "%s has no %s '%s' (did you mean '%s'?)",
                        pop->model->name, what, name, best);
    return lc_error(ctx, LEINAO_NOT_FOUND, "%s has no %s '%s'", pop->model->name, what, name);
}

leinao_status lpop_set_param(lctx *ctx, lpopulation *pop, const char *name, double value)
{
    const lmodel *m = pop->model;
    int i = lparam_find(m->params, m->n_params, name);
    if (i < 0 && m->kind == LM_NEURON && !strcmp(name, "tau_minus")) {
        if (!(value > 0.0) || !isfinite(value))
            return lc_error(ctx, LEINAO_INVALID, "tau_minus must be > 0, got %g", value);
        pop->tau_minus = value;
        return LEINAO_OK;
    }
    if (i < 0)
        return unknown(ctx, pop, "parameter", name, m->params, m->n_params);
    if (m->params[i].rule == LP_ARRAY)
        return lc_error(ctx, LEINAO_INVALID, "%s must be a list of numbers", name);
    leinao_status st = lparam_check(ctx, &m->params[i], value);
    if (st)
        return st;
    pop->params[i] = value;
    pop->param_given[i] = 1;
    return LEINAO_OK;
}

leinao_status lpop_set_array(lctx *ctx, lpopulation *pop, const char *name, const double *v,
                             size_t n)
{
    const lmodel *m = pop->model;
    int i = lparam_find(m->params, m->n_params, name);
    if (i < 0)
        return unknown(ctx, pop, "parameter", name, m->params, m->n_params);
    if (m->params[i].rule != LP_ARRAY)
        return lc_error(ctx, LEINAO_INVALID, "%s must be a number, not a list", name);
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(v[k]) || v[k] <= 0.0)
            return lc_error_at(ctx, LEINAO_INVALID, "values", name, (int64_t)k,
                               "%s[%zu] must be > 0, got %g", name, k, v[k]);
        if (k > 0 && v[k] < v[k - 1])
            return lc_error_at(ctx, LEINAO_INVALID, "values", name, (int64_t)k,
                            "%s must be sorted, got %g after %g at index %zu", name, v[k],
                            v[k - 1], k);
    }
    double *copy = lc_malloc(ctx, (n ? n : 1) * sizeof *copy);
    if (!copy)
        return LEINAO_NOMEM;
    if (n)
        memcpy(copy, v, n * sizeof *copy);
    lc_free(ctx, pop->array);
    pop->array = copy;
    pop->n_array = n;
    pop->param_given[i] = 1;
    return LEINAO_OK;
}

leinao_status lpop_set_init(lctx *ctx, lpopulation *pop, const char *var, const leinao_dist *d)
{
    const lmodel *m = pop->model;
    int i = lparam_find(m->states, m->n_states, var);
    if (i < 0 || (m->states[i].flags & LP_HIDDEN))
        return unknown(ctx, pop, "state variable", var, m->states, m->n_states);
    pop->init[i] = *d;
    pop->init_given[i] = 1;
    return LEINAO_OK;
}

/* NEST keeps V_th, V_reset, V_min and V_m relative to E_L: setting E_L alone moves them. */
static double e_l_shift(const lpopulation *pop)
{
    const lmodel *m = pop->model;
    int e = lparam_find(m->params, m->n_params, "E_L");
    if (e < 0 || !pop->param_given[e])
        return 0.0;
    return pop->params[e] - m->params[e].def;
}

leinao_status lpop_resolve(lctx *ctx, lpopulation *pop, double dt)
{
    const lmodel *m = pop->model;
    double shift = e_l_shift(pop);
    for (int i = 0; i < m->n_params; i++)
        if ((m->params[i].flags & LP_FOLLOWS_E_L) && !pop->param_given[i])
            pop->params[i] = m->params[i].def + shift;
    for (int i = 0; i < m->n_states; i++) {
        if (!pop->init_given[i]) {
            double v = m->states[i].def + ((m->states[i].flags & LP_FOLLOWS_E_L) ? shift : 0.0);
            pop->init[i] = (leinao_dist){LEINAO_DIST_CONSTANT, v, 0.0, 0.0, 0.0};
        }
    }
    if (m->check) {
        leinao_status st = m->check(ctx, pop->params);
        if (st)
            return st;
    }
    if (m->prepare_device) {
        void *data = NULL;
        leinao_status st = m->prepare_device(ctx, pop->params, pop->array, pop->n_array, dt, &data);
        if (st)
            return st;
        lc_free(ctx, pop->device_data);
        pop->device_data = data;
    }
    return LEINAO_OK;
}

uint64_t lpop_bytes(const lpopulation *pop, uint32_t slots, int max_steps)
{
    const lmodel *m = pop->model;
    uint64_t n = pop->size;
    if (m->kind != LM_NEURON)
        return 64 + 8 * (uint64_t)pop->n_array;
    return n * (8 * (uint64_t)m->n_states + 8 * (uint64_t)m->n_buffers * slots +
                6 * (uint64_t)max_steps + 4 * 2 + 8 * 3);
}

static leinao_status build_neurons(lctx *ctx, lpopulation *pop, uint32_t slots, int max_steps,
                                   uint64_t seed)
{
    const lmodel *m = pop->model;
    size_t n = pop->size, ring_len, spike_cap;
    if (lc_mul_overflows(n, (size_t)slots * (size_t)m->n_buffers, &ring_len) ||
        lc_mul_overflows(n, (size_t)max_steps, &spike_cap))
        return lc_nomem(ctx);
    pop->slots = slots;
    pop->state = lc_calloc(ctx, (size_t)m->n_states, sizeof(double *));
    pop->ring = lc_calloc(ctx, ring_len, sizeof(double));
    pop->spikes.index = lc_malloc(ctx, spike_cap * sizeof(uint32_t));
    pop->spikes.step = lc_malloc(ctx, spike_cap * sizeof(uint16_t));
    pop->spikes.cap = spike_cap;
    pop->count = lc_calloc(ctx, n, sizeof(uint32_t));
    pop->isi_n = lc_calloc(ctx, n, sizeof(uint32_t));
    pop->last_spike = lc_calloc(ctx, n, sizeof(double));
    pop->isi_sum = lc_calloc(ctx, n, sizeof(double));
    pop->isi_sq = lc_calloc(ctx, n, sizeof(double));
    if (!pop->state || !pop->ring || !pop->spikes.index ||
        !pop->spikes.step || !pop->count || !pop->isi_n || !pop->last_spike || !pop->isi_sum ||
        !pop->isi_sq)
        return LEINAO_NOMEM;
    for (int k = 0; k < m->n_states; k++) {
        pop->state[k] = lc_malloc(ctx, n * sizeof(double));
        if (!pop->state[k])
            return LEINAO_NOMEM;
        const leinao_dist *d = &pop->init[k];
        const double *given = pop->init_values ? pop->init_values[k] : NULL;
        for (size_t i = 0; i < n; i++) {
            double v = d->a;
            if (given) {
                v = given[i];
            } else if (d->kind != LEINAO_DIST_CONSTANT) {
                lrng r;
                lrng_open(&r, seed, LRNG_INIT, ((uint32_t)pop->id << 8) | (uint32_t)k,
                          (uint32_t)i, 0);
                v = lrng_draw(&r, d);
            }
            if (!isfinite(v))
                return lc_error(ctx, LEINAO_INVALID,
                                "population %s: initial %s of neuron %zu is not finite (%g)",
                                pop->name, m->states[k].name, i, v);
            pop->state[k][i] = v;
        }
    }
    return LEINAO_OK;
}

leinao_status lpop_build(lctx *ctx, lpopulation *pop, double dt, uint32_t slots, int max_steps,
                         uint64_t seed)
{
    const lmodel *m = pop->model;
    pop->consts = lc_calloc(ctx, (size_t)m->n_consts + 1, sizeof(double));
    if (!pop->consts)
        return LEINAO_NOMEM;
    if (m->prepare)
        m->prepare(pop->params, dt, pop->consts);
    leinao_status st = lpop_build_segments(ctx, pop, dt);
    if (st)
        return st;
    if (m->kind == LM_NEURON)
        return build_neurons(ctx, pop, slots, max_steps, seed);
    return LEINAO_OK;
}

leinao_status lpop_change_param(lctx *ctx, lpopulation *pop, const char *name, double value,
                                double dt)
{
    const lmodel *m = pop->model;
    size_t bytes = ((size_t)m->n_params + 1) * sizeof(double);
    double *saved = lc_malloc(ctx, bytes);
    unsigned char *given = lc_malloc(ctx, (size_t)m->n_params + 1);
    if (!saved || !given) {
        lc_free(ctx, saved);
        lc_free(ctx, given);
        return LEINAO_NOMEM;
    }
    memcpy(saved, pop->params, bytes);
    memcpy(given, pop->param_given, (size_t)m->n_params + 1);
    /* with per-neuron values, the segments are made anew (a value for the whole population
     * replaces that parameter's per-neuron values, as NEST's SetStatus with one value) */
    lpopulation old = *pop;
    leinao_status st = lpop_set_param(ctx, pop, name, value);
    if (!st)
        st = lpop_resolve(ctx, pop, dt);
    int k = lparam_find(m->params, m->n_params, name);
    double *per_neuron = pop->param_values && k >= 0 ? pop->param_values[k] : NULL;
    if (!st && pop->n_segments) {
        pop->param_values[k] = NULL;
        pop->segment_start = NULL;
        pop->segment_params = pop->segment_consts = NULL;
        pop->n_segments = 0;
        st = lpop_build_segments(ctx, pop, dt);
        if (st) {
            lpop_free_segments(ctx, pop);
            pop->param_values[k] = per_neuron;
        }
    }
    if (st) { /* as before the call */
        pop->segment_start = old.segment_start;
        pop->segment_params = old.segment_params;
        pop->segment_consts = old.segment_consts;
        pop->n_segments = old.n_segments;
        memcpy(pop->params, saved, bytes);
        memcpy(pop->param_given, given, (size_t)m->n_params + 1);
    } else {
        if (old.n_segments) {
            lpop_free_segments(ctx, &old);
            lc_free(ctx, per_neuron);
        }
        if (m->prepare)
            m->prepare(pop->params, dt, pop->consts);
    }
    lc_free(ctx, saved);
    lc_free(ctx, given);
    return st;
}
