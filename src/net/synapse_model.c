/* synapse_model.c — the list of synapse models (one line each; the models are in their own
 * files) and of those registered at run time, lookup by name, and their generated
 * documentation. */
#include "synapse_model.h"

#include <string.h>

#include "../base/named_list.h"
#include "../models/model.h"

extern const lsynapse_model lsynapse_static;
extern const lsynapse_model lsynapse_stdp;
extern const lsynapse_model lsynapse_stdp_nn_symm;
extern const lsynapse_model lsynapse_tsodyks;

static const lsynapse_model *const builtin[] = {
    &lsynapse_static,
    &lsynapse_stdp,
    &lsynapse_stdp_nn_symm,
    &lsynapse_tsodyks,
};
#define N_BUILTIN ((int)(sizeof builtin / sizeof builtin[0]))

static const char *synapse_name(const void *m)
{
    return ((const lsynapse_model *)m)->name;
}

/* Models registered at run time, process-wide, after the built-in ones. */
static lnamed_list registered = LNAMED_LIST_INIT(synapse_name);

int lsynapse_count(void)
{
    return N_BUILTIN + lnamed_count(&registered);
}

const lsynapse_model *lsynapse_at(int i)
{
    return i < 0 ? NULL : i < N_BUILTIN ? builtin[i] : lnamed_at(&registered, i - N_BUILTIN);
}

static const lsynapse_model *find_builtin(const char *name)
{
    for (int i = 0; i < N_BUILTIN; i++)
        if (!strcmp(builtin[i]->name, name))
            return builtin[i];
    return NULL;
}

const lsynapse_model *lsynapse_find(const char *name)
{
    const lsynapse_model *m = find_builtin(name);
    return m ? m : lnamed_find(&registered, name);
}

/* What the engine relies on in a synapse model's descriptor. */
static leinao_status check_descriptor(lctx *ctx, const lsynapse_model *m)
{
    if (!m->deliver)
        return lc_error(ctx, LEINAO_INVALID, "synapse model '%s' has no deliver hook", m->name);
    if (m->n_params < 0 || m->n_params > LSYN_MAX_PARAMS || (m->n_params > 0 && !m->params))
        return lc_error(ctx, LEINAO_INVALID,
                        "synapse model '%s': n_params = %d must be in [0, %d], with a table when "
                        "not 0",
                        m->name, m->n_params, LSYN_MAX_PARAMS);
    if (m->n_source_state < 0 || m->n_pre < 0 || (m->n_pre > 0 && !m->on_pre_spike))
        return lc_error(ctx, LEINAO_INVALID,
                        "synapse model '%s': n_source_state = %d and n_pre = %d must be >= 0, and "
                        "n_pre > 0 needs an on_pre_spike hook",
                        m->name, m->n_source_state, m->n_pre);
    return LEINAO_OK;
}

leinao_status lsynapse_register(lctx *ctx, const lsynapse_model *m)
{
    if (!m)
        return lc_error(ctx, LEINAO_INVALID, "lsynapse_register: the descriptor is NULL");
    if (!lmodel_valid_name(m->name))
        return lc_error(ctx, LEINAO_INVALID,
                        "synapse model name '%s' is invalid: it must match [A-Za-z_][A-Za-z0-9_]*",
                        m->name ? m->name : "(null)");
    leinao_status st = check_descriptor(ctx, m);
    if (st)
        return st;
    if (find_builtin(m->name) || lmodel_find(m->name))
        return lc_error(ctx, LEINAO_INVALID, "a model named '%s' exists already", m->name);
    return lnamed_add(&registered, ctx, m);
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
