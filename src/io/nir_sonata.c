/* nir_sonata.c — a SONATA spike file as the input of a NIR graph (leinao_nir_sonata_input in
 * include/leinao_nir.h): the spikes of one population binned into steps of the prepared dt,
 * node id j -> input element j, each value the number of spikes in its step. The file is read
 * by the project's SONATA spike reader (sonata_read.c). */
#include "../nir/nir.h"
#include "sonata_read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_VALUES ((size_t)1 << 28)

/* The step of a spike at t ms: floor(t / dt_ms), a time within 1e-9 (relative) of a step
 * boundary on it (0.3 / 0.1 is 2.9999999999999996 in binary). -1 when t < 0 or too late. */
static int64_t step_of(double t, double dt_ms)
{
    double q = t / dt_ms, r = nearbyint(q);
    if (fabs(q - r) <= 1e-9 * (fabs(r) > 1.0 ? fabs(r) : 1.0))
        q = r;
    if (!(q >= 0.0) || q >= 9e15)
        return -1;
    return (int64_t)floor(q);
}

leinao_status leinao_nir_sonata_input(leinao_nir *g, const char *path, const char *population,
                                      int64_t steps, leinao_nir_spike_input *out)
{
    if (!g || !path || !out)
        return g ? lc_error_at(&g->ctx, LEINAO_INVALID, "path", NULL, -1, "leinao_nir_sonata_input: NULL argument")
                 : LEINAO_INVALID;
    memset(out, 0, sizeof *out);
    if (!g->prepared)
        return lc_error(&g->ctx, LEINAO_STATE, "leinao_nir_sonata_input: call leinao_nir_prepare first (dt)");
    if (steps < 0)
        return lc_error_at(&g->ctx, LEINAO_INVALID, "steps", NULL, -1, "steps must be >= 0, got %lld",
                           (long long)steps);
    lspike_table *table = NULL;
    leinao_status st = lsonata_read_spikes(&g->ctx, path, &table);
    if (st)
        return st;
    const lspike_population *pop = NULL;
    if (population && population[0]) {
        for (int k = 0; k < table->n; k++)
            if (!strcmp(table->pops[k].name, population))
                pop = &table->pops[k];
    } else if (table->n == 1) {
        pop = &table->pops[0];
    }
    if (!pop) {
        char names[512] = "";
        size_t at = 0;
        for (int k = 0; k < table->n && at < sizeof names; k++)
            at += (size_t)snprintf(names + at, sizeof names - at, "%s'%s'", k ? ", " : "", table->pops[k].name);
        st = population && population[0]
                 ? lc_error(&g->ctx, LEINAO_NOT_FOUND, "%s: no spike population '%s' (the file has %s)", path,
                            population, table->n ? names : "none")
                 : lc_error(&g->ctx, LEINAO_INVALID, "%s: %d spike populations (%s): name one", path, table->n,
                            table->n ? names : "none");
        lsonata_free_spikes(&g->ctx, table);
        return st;
    }
    size_t in = leinao_nir_input_size(g);
    double dt_ms = g->opt.dt * 1000.0;
    int64_t last = -1;
    for (size_t j = 0; j < pop->n; j++) {
        int64_t k = step_of(pop->t[j], dt_ms);
        if (k < 0) {
            st = lc_error(&g->ctx, LEINAO_INVALID, "%s: population '%s': spike %zu at %g ms: times must be >= 0",
                          path, pop->name, j, pop->t[j]);
            break;
        }
        if (pop->ids[j] >= in) {
            st = lc_error(&g->ctx, LEINAO_INVALID,
                          "%s: population '%s': node id %llu, but the graph's input has %zu elements (ids 0..%zu)",
                          path, pop->name, (unsigned long long)pop->ids[j], in, in ? in - 1 : 0);
            break;
        }
        last = k > last ? k : last;
    }
    int64_t n_steps = steps > 0 ? steps : last + 1;
    if (!st && n_steps < 1)
        st = lc_error(&g->ctx, LEINAO_INVALID, "%s: population '%s' has no spikes: give the number of steps",
                      path, pop->name);
    size_t values = 0;
    if (!st && (lc_mul_overflows((size_t)n_steps, in, &values) || values > MAX_VALUES))
        st = lc_error(&g->ctx, LEINAO_INVALID,
                      "%s: %lld steps of %g ms x %zu inputs is more than %zu values (give fewer steps)", path,
                      (long long)n_steps, dt_ms, in, MAX_VALUES);
    float *data = NULL;
    if (!st && !(data = lc_calloc(&g->ctx, values ? values : 1, sizeof *data)))
        st = LEINAO_NOMEM;
    if (!st) {
        for (size_t j = 0; j < pop->n; j++) {
            int64_t k = step_of(pop->t[j], dt_ms);
            if (k >= n_steps) {
                out->dropped++;
                continue;
            }
            data[(size_t)k * in + (size_t)pop->ids[j]] += 1.0f;
            out->spikes++;
        }
        lc_free(&g->ctx, g->spike_input);
        g->spike_input = data;
        out->data = data;
        out->steps = n_steps;
        snprintf(out->population, sizeof out->population, "%s", pop->name);
    } else {
        memset(out, 0, sizeof *out);
    }
    lsonata_free_spikes(&g->ctx, table);
    return st;
}
