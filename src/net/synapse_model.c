/* synapse_model.c — the list of synapse models (one line each; the models are in their own
 * files), lookup by name, and their generated documentation. */
#include "synapse_model.h"

#include <string.h>

extern const lsynapse_model lsynapse_static;
extern const lsynapse_model lsynapse_stdp;
extern const lsynapse_model lsynapse_stdp_nn_symm;
extern const lsynapse_model lsynapse_tsodyks;

static const lsynapse_model *const all[] = {
    &lsynapse_static,
    &lsynapse_stdp,
    &lsynapse_stdp_nn_symm,
    &lsynapse_tsodyks,
};
#define N_SYNAPSE_MODELS ((int)(sizeof all / sizeof all[0]))

int lsynapse_count(void)
{
    return N_SYNAPSE_MODELS;
}

const lsynapse_model *lsynapse_at(int i)
{
    return i >= 0 && i < N_SYNAPSE_MODELS ? all[i] : NULL;
}

const lsynapse_model *lsynapse_find(const char *name)
{
    for (int i = 0; i < N_SYNAPSE_MODELS; i++)
        if (!strcmp(all[i]->name, name))
            return all[i];
    return NULL;
}

void lsynapse_write_doc(const lsynapse_model *m, FILE *out)
{
    fprintf(out, "# `%s`\n\n%s\n\n%s\n\n", m->name, m->summary, m->doc);
    fputs("## Parameters (under `synapse:` in a projection)\n\n"
          "| name | unit | default | rule | meaning |\n|---|---|---|---|---|\n"
          "| `weight` | mV, pA or nS (by target model) | 1 | number or distribution | "
          "Synaptic weight; its sign selects the receptor. |\n"
          "| `delay` | ms | 1 | number or distribution | Transmission delay (a multiple of dt). |\n",
          out);
    for (int i = 0; i < m->n_params; i++) {
        const lparam_def *d = &m->params[i];
        fprintf(out, "| `%s` | %s | %g | %s | %s |\n", d->name, d->unit[0] ? d->unit : "-",
                d->def, lparam_rule_text(d->rule), d->doc);
    }
}
