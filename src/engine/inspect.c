/* inspect.c — reading a handle's settings and a population's values back (for programs that
 * write a network out again, such as the SONATA exporter). */
#include <string.h>

#include "sim.h"

leinao_status leinao_get_config(const leinao_sim *sim, double *dt, double *duration,
                                uint64_t *seed, int *threads)
{
    if (dt)
        *dt = sim->config.dt;
    if (duration)
        *duration = sim->config.duration;
    if (seed)
        *seed = sim->config.seed;
    if (threads)
        *threads = sim->config.threads;
    return LEINAO_OK;
}

leinao_status leinao_get_param_values(const leinao_sim *sim, int pop, const char *name,
                                      double *values, size_t n)
{
    lctx *ctx = (lctx *)&sim->ctx; /* a failure's message is the one thing a query changes */
    if (pop < 0 || pop >= sim->net.n_pops)
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "pop", NULL, pop, "no population with id %d",
                           pop);
    if (!name)
        return lc_error_at(ctx, LEINAO_INVALID, "name", NULL, -1, "name must not be NULL");
    if (sim->phase == LSIM_DECLARING)
        return lc_error_at(ctx, LEINAO_STATE, "pop", NULL, pop,
                           "values are read back after leinao_build");
    const lpopulation *p = sim->net.pops[pop];
    const lmodel *m = p->model;
    if (n != p->size || !values)
        return lc_error_at(ctx, LEINAO_INVALID, "n", name, -1,
                           "population '%s' has %u elements, the array holds %zu", p->name,
                           p->size, values ? n : 0);
    int k = lparam_find(m->params, m->n_params, name);
    if (k >= 0 && !(m->params[k].flags & LP_HIDDEN) && m->params[k].rule != LP_ARRAY) {
        uint32_t s = 0;
        for (uint32_t i = 0; i < p->size; i++) {
            if (!p->n_segments) {
                values[i] = p->params[k];
                continue;
            }
            while (s + 1 < p->n_segments && p->segment_start[s + 1] <= i)
                s++;
            values[i] = p->segment_params[(size_t)s * (size_t)m->n_params + (size_t)k];
        }
        return LEINAO_OK;
    }
    if (k < 0 && m->kind == LM_NEURON && !strcmp(name, "tau_minus")) { /* archiving node */
        for (uint32_t i = 0; i < p->size; i++)
            values[i] = p->tau_minus;
        return LEINAO_OK;
    }
    k = lparam_find(m->states, m->n_states, name);
    if (k >= 0 && !(m->states[k].flags & LP_HIDDEN) && p->state && p->state[k]) {
        memcpy(values, p->state[k], (size_t)p->size * sizeof *values);
        return LEINAO_OK;
    }
    return lc_error_at(ctx, LEINAO_NOT_FOUND, "name", name, -1,
                       "'%s' is not a number parameter or state variable of population '%s' (%s)",
                       name, p->name, m->name);
}

leinao_status leinao_get_param_array(const leinao_sim *sim, int pop, const char *name,
                                     const double **values, size_t *n)
{
    lctx *ctx = (lctx *)&sim->ctx;
    if (pop < 0 || pop >= sim->net.n_pops)
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "pop", NULL, pop, "no population with id %d",
                           pop);
    if (!name || !values || !n)
        return lc_error_at(ctx, LEINAO_INVALID, !name ? "name" : !values ? "values" : "n", NULL,
                           -1, "arguments must not be NULL");
    const lpopulation *p = sim->net.pops[pop];
    const lmodel *m = p->model;
    int k = lparam_find(m->params, m->n_params, name);
    if (k < 0 || (m->params[k].rule != LP_ARRAY && m->params[k].rule != LP_ARRAY_ANY))
        return lc_error_at(ctx, LEINAO_NOT_FOUND, "name", name, -1,
                           "'%s' is not an array parameter of population '%s' (%s)", name,
                           p->name, m->name);
    *values = p->arrays ? p->arrays[k] : NULL;
    *n = p->n_arrays ? p->n_arrays[k] : 0;
    return LEINAO_OK;
}
