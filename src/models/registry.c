/* registry.c — the list of built-in models, lookup by name, and their generated docs. */
#include <math.h>
#include <string.h>

#include "model.h"

extern const lmodel lmodel_iaf_psc_delta;
extern const lmodel lmodel_iaf_psc_exp;
extern const lmodel lmodel_iaf_psc_alpha;
extern const lmodel lmodel_iaf_cond_exp;
extern const lmodel lmodel_izhikevich;
extern const lmodel lmodel_aeif_cond_exp;
extern const lmodel lmodel_parrot_neuron;
extern const lmodel lmodel_poisson_generator;
extern const lmodel lmodel_spike_generator;
extern const lmodel lmodel_dc_generator;

static const lmodel *const all_models[] = {
    &lmodel_iaf_psc_delta,
    &lmodel_iaf_psc_exp,
    &lmodel_iaf_psc_alpha,
    &lmodel_iaf_cond_exp,
    &lmodel_izhikevich,
    &lmodel_aeif_cond_exp,
    &lmodel_parrot_neuron,
    &lmodel_poisson_generator,
    &lmodel_spike_generator,
    &lmodel_dc_generator,
};

int lmodel_count(void)
{
    return (int)(sizeof all_models / sizeof all_models[0]);
}

const lmodel *lmodel_at(int i)
{
    return i >= 0 && i < lmodel_count() ? all_models[i] : NULL;
}

const lmodel *lmodel_find(const char *name)
{
    for (int i = 0; i < lmodel_count(); i++)
        if (strcmp(all_models[i]->name, name) == 0)
            return all_models[i];
    return NULL;
}

/* Steps are below 2^32 (leinao_configure); anything later is simply "after the run". */
static int64_t step_of(double ms, double dt)
{
    double s = nearbyint(ms / dt);
    return s >= 9e15 || isnan(s) ? INT64_MAX : s < 0.0 ? 0 : (int64_t)s;
}

int64_t lmodel_first_active_step(double start, double dt)
{
    return step_of(start, dt);
}

int64_t lmodel_end_active_step(double stop, double dt)
{
    return step_of(stop, dt);
}

static void write_default(FILE *out, const lparam_def *d)
{
    if (d->rule == LP_ARRAY)
        fputs("[]", out);
    else if (isinf(d->def))
        fputs(d->def < 0 ? "-inf" : "inf", out);
    else
        fprintf(out, "%g", d->def);
}

void lmodel_write_doc(const lmodel *m, FILE *out)
{
    fprintf(out, "# `%s`\n\n%s\n\n%s\n\n", m->name, m->summary, m->doc);
    fputs("## Parameters\n\n| name | unit | default | rule | meaning |\n|---|---|---|---|---|\n",
          out);
    for (int i = 0; i < m->n_params; i++) {
        const lparam_def *d = &m->params[i];
        fprintf(out, "| `%s` | %s | ", d->name, d->unit);
        write_default(out, d);
        fprintf(out, " | %s%s | %s |\n", lparam_rule_text(d->rule),
                (d->flags & LP_FOLLOWS_E_L) ? "; moves with E_L" : "", d->doc);
    }
    int visible = 0;
    for (int i = 0; i < m->n_states; i++)
        visible += !(m->states[i].flags & LP_HIDDEN);
    if (visible) {
        fputs("\n## State variables (settable under `init`)\n\n"
              "| name | unit | default | meaning |\n|---|---|---|---|\n",
              out);
        for (int i = 0; i < m->n_states; i++) {
            const lparam_def *d = &m->states[i];
            if (d->flags & LP_HIDDEN)
                continue;
            fprintf(out, "| `%s` | %s | ", d->name, d->unit);
            write_default(out, d);
            fprintf(out, " | %s%s |\n", d->doc,
                    (d->flags & LP_FOLLOWS_E_L) ? " Moves with E_L when not set." : "");
        }
    }
    if (m->kind == LM_NEURON)
        fputs("\nEvery neuron model also takes `tau_minus` (ms, default 20, > 0): the time "
              "constant of the postsynaptic trace that `stdp_synapse` reads (NEST's archiving "
              "node).\n",
              out);
    if (m->kind == LM_NEURON)
        fputs("\n## Receptors\n\nA positive weight targets the excitatory receptor, a negative "
              "weight the inhibitory one (NEST's convention).\n",
              out);
}
