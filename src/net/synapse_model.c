/* synapse_model.c — the list of synapse models (one line each; the models are in their own
 * files) and of those registered at run time, lookup by name, and their generated
 * documentation. */
#include "synapse_model.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

/* Models registered at run time, process-wide, after the built-in ones: only ever appended, so
 * an index, once valid, keeps naming the same model (as registry.c's neuron and device
 * models). */
static pthread_mutex_t registered_lock = PTHREAD_MUTEX_INITIALIZER;
static const lsynapse_model **registered;
static int n_registered, registered_cap;

int lsynapse_count(void)
{
    pthread_mutex_lock(&registered_lock);
    int n = N_BUILTIN + n_registered;
    pthread_mutex_unlock(&registered_lock);
    return n;
}

const lsynapse_model *lsynapse_at(int i)
{
    if (i < 0)
        return NULL;
    if (i < N_BUILTIN)
        return builtin[i];
    pthread_mutex_lock(&registered_lock);
    const lsynapse_model *m = i - N_BUILTIN < n_registered ? registered[i - N_BUILTIN] : NULL;
    pthread_mutex_unlock(&registered_lock);
    return m;
}

static const lsynapse_model *find_locked(const char *name)
{
    for (int i = 0; i < N_BUILTIN; i++)
        if (!strcmp(builtin[i]->name, name))
            return builtin[i];
    for (int i = 0; i < n_registered; i++)
        if (!strcmp(registered[i]->name, name))
            return registered[i];
    return NULL;
}

const lsynapse_model *lsynapse_find(const char *name)
{
    pthread_mutex_lock(&registered_lock);
    const lsynapse_model *m = find_locked(name);
    pthread_mutex_unlock(&registered_lock);
    return m;
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
    pthread_mutex_lock(&registered_lock);
    if (find_locked(m->name) || lmodel_find(m->name)) {
        st = lc_error(ctx, LEINAO_INVALID, "a model named '%s' exists already", m->name);
    } else if (n_registered == registered_cap) {
        int cap = registered_cap ? 2 * registered_cap : 8;
        const lsynapse_model **grown = realloc(registered, (size_t)cap * sizeof *grown);
        if (grown) {
            registered = grown;
            registered_cap = cap;
        } else {
            st = lc_nomem(ctx);
        }
    }
    if (!st)
        registered[n_registered++] = m;
    pthread_mutex_unlock(&registered_lock);
    return st;
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
