/* registry.c — the list of built-in models and of those registered at run time, lookup by
 * name, and their generated docs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../base/named_list.h"
#include "model.h"

extern const lmodel lmodel_iaf_psc_delta;
extern const lmodel lmodel_iaf_psc_exp;
extern const lmodel lmodel_iaf_psc_exp_htum;
extern const lmodel lmodel_iaf_psc_alpha;
extern const lmodel lmodel_iaf_cond_exp;
extern const lmodel lmodel_izhikevich;
extern const lmodel lmodel_aeif_cond_exp;
extern const lmodel lmodel_iaf_cond_alpha;
extern const lmodel lmodel_aeif_cond_alpha;
extern const lmodel lmodel_aeif_psc_exp;
extern const lmodel lmodel_aeif_psc_alpha;
extern const lmodel lmodel_hh_psc_alpha;
extern const lmodel lmodel_hh_cond_exp_traub;
extern const lmodel lmodel_mat2_psc_exp;
extern const lmodel lmodel_parrot_neuron;
extern const lmodel lmodel_poisson_generator;
extern const lmodel lmodel_spike_generator;
extern const lmodel lmodel_dc_generator;
extern const lmodel lmodel_ac_generator;
extern const lmodel lmodel_noise_generator;
extern const lmodel lmodel_sinusoidal_poisson_generator;
extern const lmodel lmodel_step_current_generator;

static const lmodel *const builtin_models[] = {
    &lmodel_iaf_psc_delta,
    &lmodel_iaf_psc_exp,
    &lmodel_iaf_psc_alpha,
    &lmodel_iaf_cond_exp,
    &lmodel_izhikevich,
    &lmodel_aeif_cond_exp,
    &lmodel_iaf_cond_alpha,
    &lmodel_aeif_cond_alpha,
    &lmodel_aeif_psc_exp,
    &lmodel_aeif_psc_alpha,
    &lmodel_iaf_psc_exp_htum,
    &lmodel_hh_psc_alpha,
    &lmodel_hh_cond_exp_traub,
    &lmodel_mat2_psc_exp,
    &lmodel_parrot_neuron,
    &lmodel_poisson_generator,
    &lmodel_spike_generator,
    &lmodel_dc_generator,
    &lmodel_ac_generator,
    &lmodel_noise_generator,
    &lmodel_sinusoidal_poisson_generator,
    &lmodel_step_current_generator,
};

#define N_BUILTIN ((int)(sizeof builtin_models / sizeof builtin_models[0]))

static const char *model_name(const void *m)
{
    return ((const lmodel *)m)->name;
}

/* Models registered at run time, process-wide, after the built-in ones. */
static lnamed_list registered = LNAMED_LIST_INIT(model_name);

int lmodel_count(void)
{
    return N_BUILTIN + lnamed_count(&registered);
}

const lmodel *lmodel_at(int i)
{
    return i < 0 ? NULL : i < N_BUILTIN ? builtin_models[i] : lnamed_at(&registered, i - N_BUILTIN);
}

static const lmodel *find_builtin(const char *name)
{
    for (int i = 0; i < N_BUILTIN; i++)
        if (strcmp(builtin_models[i]->name, name) == 0)
            return builtin_models[i];
    return NULL;
}

const lmodel *lmodel_find(const char *name)
{
    const lmodel *m = find_builtin(name);
    return m ? m : lnamed_find(&registered, name);
}

int lmodel_valid_name(const char *s)
{
    if (!s || !*s)
        return 0;
    for (const char *c = s; *c; c++) {
        const int alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_';
        if (!alpha && !(c > s && *c >= '0' && *c <= '9'))
            return 0;
    }
    return 1;
}

/* What the engine relies on in a device's descriptor: a deliver hook, an output port it knows
 * (spikes or current), no state (a device's run-time data is what prepare_device makes). */
static leinao_status check_device(lctx *ctx, const lmodel *m)
{
    if (!m->deliver)
        return lc_error(ctx, LEINAO_INVALID, "device model '%s' has no deliver hook", m->name);
    if (m->output_port != LPORT_EX && m->output_port != LPORT_CURRENT)
        return lc_error(ctx, LEINAO_INVALID,
                        "device model '%s': output_port %d must be LPORT_EX (spikes) or "
                        "LPORT_CURRENT",
                        m->name, m->output_port);
    if (m->n_states != 0)
        return lc_error(ctx, LEINAO_INVALID,
                        "device model '%s': devices have no state variables, got n_states = %d",
                        m->name, m->n_states);
    return LEINAO_OK;
}

/* What the engine relies on in a neuron model's descriptor. */
static leinao_status check_neuron(lctx *ctx, const lmodel *m)
{
    if (!m->update)
        return lc_error(ctx, LEINAO_INVALID, "neuron model '%s' has no update kernel", m->name);
    if (m->n_states < 0 || m->n_consts < 0 || m->n_buffers < 1 ||
        (m->n_states > 0 && !m->states))
        return lc_error(ctx, LEINAO_INVALID,
                        "model '%s': its tables are inconsistent (n_params = %d, n_states = %d, "
                        "n_consts = %d, n_buffers = %d: counts >= 0, at least one buffer, a "
                        "table for every non-zero count)",
                        m->name, m->n_params, m->n_states, m->n_consts, m->n_buffers);
    for (int port = 0; port < LPORT_COUNT; port++)
        if (m->port_buffer[port] < -1 || m->port_buffer[port] >= m->n_buffers)
            return lc_error(ctx, LEINAO_INVALID,
                            "model '%s': port %d maps to buffer %d, which must be -1 or in "
                            "[0, %d)",
                            m->name, port, m->port_buffer[port], m->n_buffers);
    return LEINAO_OK;
}

static leinao_status check_descriptor(lctx *ctx, const lmodel *m)
{
    if (m->kind != LM_NEURON && m->kind != LM_DEVICE)
        return lc_error(ctx, LEINAO_INVALID,
                        "model '%s': kind %d is neither LM_NEURON nor LM_DEVICE", m->name,
                        (int)m->kind);
    if (m->n_params < 0 || (m->n_params > 0 && !m->params))
        return lc_error(ctx, LEINAO_INVALID,
                        "model '%s': n_params = %d must be >= 0, with a table when not 0",
                        m->name, m->n_params);
    return m->kind == LM_DEVICE ? check_device(ctx, m) : check_neuron(ctx, m);
}

leinao_status lmodel_register(lctx *ctx, const lmodel *model)
{
    if (!model)
        return lc_error(ctx, LEINAO_INVALID, "lmodel_register: the descriptor is NULL");
    if (!lmodel_valid_name(model->name))
        return lc_error(ctx, LEINAO_INVALID,
                        "model name '%s' is invalid: it must match [A-Za-z_][A-Za-z0-9_]*",
                        model->name ? model->name : "(null)");
    leinao_status st = check_descriptor(ctx, model);
    if (st)
        return st;
    if (find_builtin(model->name))
        return lc_error(ctx, LEINAO_INVALID, "a model named '%s' exists already", model->name);
    return lnamed_add(&registered, ctx, model);
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
    if (lparam_is_array(d->rule))
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
