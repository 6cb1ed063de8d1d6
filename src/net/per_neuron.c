/* per_neuron.c — parameters and initial values given neuron by neuron. Kernels take one
 * parameter vector per call, so a population is split at build into segments of consecutive
 * neurons with identical vectors, each prepared once: fully heterogeneous values cost one kernel
 * call per neuron per slice. */
#include <string.h>

#include "population.h"

static leinao_status check_values(lctx *ctx, const lpopulation *pop, const lparam_def *def,
                                  const double *values, size_t n)
{
    if (n != pop->size)
        return lc_error_at(ctx, LEINAO_INVALID, "n", def->name, -1,
                           "%s: %zu values for population '%s' of %u neurons", def->name, n,
                           pop->name, pop->size);
    if (!values)
        return lc_error_at(ctx, LEINAO_INVALID, "values", def->name, -1,
                           "values must not be NULL");
    for (size_t i = 0; i < n; i++) {
        leinao_status st = lparam_check(ctx, def, values[i]);
        if (st) {
            char msg[sizeof ctx->errmsg];
            memcpy(msg, ctx->errmsg, sizeof msg);
            return lc_error_at(ctx, st, "values", def->name, (int64_t)i, "neuron %zu: %s", i, msg);
        }
    }
    return LEINAO_OK;
}

/* Copies values into (*slots)[k], allocating the table of n_rows pointers on first use. */
static leinao_status store(lctx *ctx, double ***slots, int n_rows, int k, const double *values,
                           size_t n)
{
    if (!*slots && !(*slots = lc_calloc(ctx, (size_t)n_rows, sizeof **slots)))
        return LEINAO_NOMEM;
    double *copy = lc_malloc(ctx, n * sizeof *copy);
    if (!copy)
        return LEINAO_NOMEM;
    memcpy(copy, values, n * sizeof *copy);
    lc_free(ctx, (*slots)[k]);
    (*slots)[k] = copy;
    return LEINAO_OK;
}

static leinao_status neurons_only(lctx *ctx, const lpopulation *pop)
{
    if (pop->model->kind != LM_NEURON)
        return lc_error_at(ctx, LEINAO_INVALID, "pop", NULL, pop->id,
                           "population '%s' is a %s: per-neuron values are for neurons",
                           pop->name, pop->model->name);
    return LEINAO_OK;
}

leinao_status lpop_set_param_values(lctx *ctx, lpopulation *pop, const char *name,
                                    const double *values, size_t n)
{
    const lmodel *m = pop->model;
    leinao_status st = neurons_only(ctx, pop);
    if (st)
        return st;
    int k = lparam_find(m->params, m->n_params, name);
    if (k < 0)
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "param", name, -1, "%s has no parameter '%s'",
                           m->name, name);
    if (lparam_is_array(m->params[k].rule))
        return lc_error_at(ctx, LEINAO_INVALID, "param", name, -1, "%s is a list, not per neuron",
                           name);
    if ((st = check_values(ctx, pop, &m->params[k], values, n)))
        return st;
    return store(ctx, &pop->param_values, m->n_params, k, values, n);
}

leinao_status lpop_set_init_values(lctx *ctx, lpopulation *pop, const char *var,
                                   const double *values, size_t n)
{
    const lmodel *m = pop->model;
    leinao_status st = neurons_only(ctx, pop);
    if (st)
        return st;
    int k = lparam_find(m->states, m->n_states, var);
    if (k < 0 || (m->states[k].flags & LP_HIDDEN))
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "var", var, -1, "%s has no state variable '%s'",
                           m->name, var);
    if ((st = check_values(ctx, pop, &m->states[k], values, n)))
        return st;
    return store(ctx, &pop->init_values, m->n_states, k, values, n);
}

/* Parameter vector of neuron i: the population's values, then its own. A per-neuron E_L moves
 * the parameters that follow E_L and are not given (NEST's convention, as lpop_resolve). */
static void vector_of(const lpopulation *pop, uint32_t i, int e_l, double *v)
{
    const lmodel *m = pop->model;
    memcpy(v, pop->params, (size_t)m->n_params * sizeof *v);
    for (int k = 0; k < m->n_params; k++)
        if (pop->param_values[k])
            v[k] = pop->param_values[k][i];
    if (e_l < 0 || !pop->param_values[e_l])
        return;
    for (int k = 0; k < m->n_params; k++)
        if ((m->params[k].flags & LP_FOLLOWS_E_L) && !pop->param_given[k] && !pop->param_values[k])
            v[k] = m->params[k].def + (v[e_l] - m->params[e_l].def);
}

leinao_status lpop_build_segments(lctx *ctx, lpopulation *pop, double dt)
{
    const lmodel *m = pop->model;
    if (!pop->param_values || m->kind != LM_NEURON)
        return LEINAO_OK;
    const size_t np = (size_t)m->n_params, nc = (size_t)m->n_consts + 1;
    int e_l = lparam_find(m->params, m->n_params, "E_L");
    /* count the segments, then fill them */
    double *a = lc_malloc(ctx, (np + 1) * sizeof *a), *b = lc_malloc(ctx, (np + 1) * sizeof *b);
    if (!a || !b) {
        lc_free(ctx, a);
        lc_free(ctx, b);
        return LEINAO_NOMEM;
    }
    uint32_t count = 0;
    for (uint32_t i = 0; i < pop->size; i++) {
        vector_of(pop, i, e_l, b);
        if (i == 0 || memcmp(a, b, np * sizeof *a))
            count++;
        memcpy(a, b, np * sizeof *a);
    }
    pop->segment_start = lc_malloc(ctx, ((size_t)count + 1) * sizeof *pop->segment_start);
    pop->segment_params = lc_malloc(ctx, (size_t)count * np * sizeof(double) + 1);
    pop->segment_consts = lc_calloc(ctx, (size_t)count * nc, sizeof(double));
    leinao_status st = pop->segment_start && pop->segment_params && pop->segment_consts
                           ? LEINAO_OK
                           : LEINAO_NOMEM;
    uint32_t s = 0;
    for (uint32_t i = 0; !st && i < pop->size; i++) {
        vector_of(pop, i, e_l, b);
        if (i > 0 && !memcmp(a, b, np * sizeof *a))
            continue;
        memcpy(a, b, np * sizeof *a);
        double *params = pop->segment_params + (size_t)s * np;
        memcpy(params, b, np * sizeof *b);
        pop->segment_start[s++] = i;
        if (m->check && (st = m->check(ctx, params))) {
            char msg[sizeof ctx->errmsg];
            memcpy(msg, ctx->errmsg, sizeof msg);
            st = lc_error_at(ctx, st, "values", NULL, i, "neuron %u: %s", i, msg);
        } else if (m->prepare) {
            m->prepare(params, dt, pop->segment_consts + (size_t)(s - 1) * nc);
        }
    }
    lc_free(ctx, a);
    lc_free(ctx, b);
    if (st)
        return st;
    pop->segment_start[count] = pop->size;
    pop->n_segments = count;
    return LEINAO_OK;
}

void lpop_free_segments(lctx *ctx, lpopulation *pop)
{
    void *blocks[] = {pop->segment_start, pop->segment_params, pop->segment_consts};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        lc_free(ctx, blocks[i]);
    pop->segment_start = NULL;
    pop->segment_params = pop->segment_consts = NULL;
    pop->n_segments = 0;
}

void lpop_free_per_neuron(lctx *ctx, lpopulation *pop)
{
    for (int k = 0; pop->param_values && k < pop->model->n_params; k++)
        lc_free(ctx, pop->param_values[k]);
    for (int k = 0; pop->init_values && k < pop->model->n_states; k++)
        lc_free(ctx, pop->init_values[k]);
    lc_free(ctx, pop->param_values);
    lc_free(ctx, pop->init_values);
    lpop_free_segments(ctx, pop);
}
