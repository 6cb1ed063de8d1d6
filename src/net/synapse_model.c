/* synapse_model.c — synapse model tables and their update rules (NEST's stdp_synapse and
 * tsodyks_synapse; Tsodyks, Uziel & Markram 2000; Guetig et al. 2003 for the weight
 * dependence exponents). */
#include "synapse_model.h"

#include <math.h>
#include <string.h>

static const lsynapse_model static_synapse = {
    "static_synapse", LSYN_STATIC, "Fixed weight and delay.",
    "The weight and delay never change. A positive weight targets the excitatory receptor, a "
    "negative one the inhibitory receptor. Storage: 8 bytes per synapse (target and delay 4, "
    "weight 4); a projection whose weight is a single number stores no per-synapse weight "
    "(4 bytes per synapse), and if its delay is a single number too and the target population "
    "has at most 65536 neurons, only a 16-bit target index (2 bytes per synapse).",
    NULL, 0, 0, LSTDP_ALL_TO_ALL, NULL};

static const lparam_def stdp_params[STDP_N] = {
    [STDP_tau_plus] = {"tau_plus", "ms", 20.0, LP_POSITIVE, 0,
                       "Time constant of the presynaptic trace K+ (potentiation window)."},
    [STDP_lambda] = {"lambda", "", 0.01, LP_NONNEGATIVE, 0, "Step size (learning rate)."},
    [STDP_alpha] = {"alpha", "", 1.0, LP_NONNEGATIVE, 0,
                    "Asymmetry: depression is alpha * lambda."},
    [STDP_mu_plus] = {"mu_plus", "", 1.0, LP_NONNEGATIVE, 0,
                      "Weight dependence of potentiation (0: additive, 1: multiplicative)."},
    [STDP_mu_minus] = {"mu_minus", "", 1.0, LP_NONNEGATIVE, 0,
                       "Weight dependence of depression (0: additive, 1: multiplicative)."},
    [STDP_Wmax] = {"Wmax", "as weight", 100.0, LP_ANY, 0,
                   "Maximum weight; weights stay in [0, Wmax] (Wmax and weights share a sign)."},
};

static leinao_status stdp_check(lctx *ctx, const double *p)
{
    if (p[STDP_Wmax] == 0.0)
        return lc_error(ctx, LEINAO_INVALID, "Wmax must not be 0");
    return LEINAO_OK;
}

static const lsynapse_model stdp_synapse = {
    "stdp_synapse", LSYN_STDP, "Pair-based spike-timing dependent plasticity (all-to-all).",
    "NEST's `stdp_synapse` (Guetig et al. 2003): every presynaptic spike interacts with every "
    "postsynaptic spike. The update happens when a presynaptic spike at t is delivered: first, "
    "for each postsynaptic spike t_post in (t_last - d, t - d] (d: the synapse's delay, all of "
    "it dendritic, as in NEST), potentiation "
    "`w/Wmax <- w/Wmax + lambda (1 - w/Wmax)^mu_plus K+ exp((t_last - t_post - d)/tau_plus)`, "
    "capped at 1; then depression `w/Wmax <- w/Wmax - alpha lambda (w/Wmax)^mu_minus K-(t - d)`, "
    "floored at 0, where K- is the postsynaptic trace (time constant `tau_minus`, a parameter "
    "of the target neuron, default 20 ms) just before t - d. The spike is transmitted with "
    "the new weight; then `K+ <- K+ exp((t_last - t)/tau_plus) + 1`, `t_last <- t`.\n\n"
    "K+ and t_last depend only on the presynaptic train: leinao keeps them once per source "
    "neuron of the projection (NEST keeps a copy in every synapse); the weight lives in the "
    "synapse entry; the target neuron keeps its spike history and K- (NEST's archiving node). "
    "Weights are stored as 32-bit floats. Only neurons can be sources of plastic synapses "
    "(use a `parrot_neuron` to repeat a generator's spikes). For nearest-neighbour pairing use "
    "`stdp_nn_symm_synapse`.",
    stdp_params, STDP_N, STDP_S_N, LSTDP_ALL_TO_ALL, stdp_check};

static const lsynapse_model stdp_nn_symm_synapse = {
    "stdp_nn_symm_synapse", LSYN_STDP,
    "Pair-based STDP with symmetric nearest-neighbour pairing.",
    "NEST's `stdp_nn_symm_synapse` (Morrison et al. 2008): the rule, parameters and timing of "
    "`stdp_synapse`, but each presynaptic spike pairs only with the nearest postsynaptic spike "
    "before it (depression with `exp(-(t - d - t_post)/tau_minus)` of the latest t_post < t - d) "
    "and each postsynaptic spike only with the nearest presynaptic spike before it "
    "(potentiation with `exp((t_last - t_post - d)/tau_plus)`, no accumulated K+). As in NEST, "
    "before the first presynaptic spike t_last is 0.",
    stdp_params, STDP_N, STDP_S_N, LSTDP_NEAREST_SYMMETRIC, stdp_check};

static const lparam_def tsodyks_params[TSO_N] = {
    [TSO_U] = {"U", "", 0.5, LP_NONNEGATIVE, 0, "Utilisation increment at a spike (0..1)."},
    [TSO_tau_psc] = {"tau_psc", "ms", 3.0, LP_POSITIVE, 0,
                     "Time constant of the active state y (the PSC's)."},
    [TSO_tau_fac] = {"tau_fac", "ms", 0.0, LP_NONNEGATIVE, 0,
                     "Facilitation time constant (0: no facilitation)."},
    [TSO_tau_rec] = {"tau_rec", "ms", 800.0, LP_POSITIVE, 0, "Recovery time constant."},
    [TSO_x] = {"x", "", 1.0, LP_NONNEGATIVE, 0, "Initial fraction of recovered resources."},
    [TSO_y] = {"y", "", 0.0, LP_NONNEGATIVE, 0, "Initial fraction of active resources."},
    [TSO_u] = {"u", "", 0.0, LP_NONNEGATIVE, 0, "Initial utilisation."},
};

static leinao_status tsodyks_check(lctx *ctx, const double *p)
{
    if (p[TSO_U] > 1.0)
        return lc_error(ctx, LEINAO_INVALID, "U must be in [0, 1], got %g", p[TSO_U]);
    if (p[TSO_u] > 1.0)
        return lc_error(ctx, LEINAO_INVALID, "u must be in [0, 1], got %g", p[TSO_u]);
    if (p[TSO_x] + p[TSO_y] > 1.0)
        return lc_error(ctx, LEINAO_INVALID, "x + y must be <= 1, got %g", p[TSO_x] + p[TSO_y]);
    if (p[TSO_tau_psc] == p[TSO_tau_rec])
        return lc_error(ctx, LEINAO_INVALID, "tau_psc must differ from tau_rec, got %g for both",
                        p[TSO_tau_psc]);
    return LEINAO_OK;
}

static const lsynapse_model tsodyks_synapse = {
    "tsodyks_synapse", LSYN_TSODYKS, "Tsodyks-Markram short-term depression and facilitation.",
    "NEST's `tsodyks_synapse` (Tsodyks, Uziel & Markram 2000): resources are recovered (x), "
    "active (y) or inactive (z = 1 - x - y); y decays into z with `tau_psc`, z recovers into x "
    "with `tau_rec`, the utilisation u decays with `tau_fac`. At a presynaptic spike, after "
    "propagating the state exactly from the previous spike, `u <- u + U (1 - u)`, a fraction "
    "`u x` of the resources becomes active and the spike is transmitted with weight "
    "`weight * u * x`. With `tau_fac = 0` there is no facilitation (u = U at each spike). "
    "As in NEST, the state starts at t = 0 from (x, y, u). The state depends only on the "
    "presynaptic train, so leinao keeps it once per source neuron of the projection.",
    tsodyks_params, TSO_N, TSO_S_N, LSTDP_ALL_TO_ALL, tsodyks_check};

static const lsynapse_model *const all[] = {&static_synapse, &stdp_synapse, &stdp_nn_symm_synapse,
                                            &tsodyks_synapse};
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

double lstdp_facilitate(const double *p, double w, double kplus)
{
    double Wmax = p[STDP_Wmax], norm = w / Wmax;
    norm += p[STDP_lambda] * pow(1.0 - norm, p[STDP_mu_plus]) * kplus;
    return norm < 1.0 ? norm * Wmax : Wmax;
}

double lstdp_depress(const double *p, double w, double kminus)
{
    double Wmax = p[STDP_Wmax], norm = w / Wmax;
    norm -= p[STDP_alpha] * p[STDP_lambda] * pow(norm, p[STDP_mu_minus]) * kminus;
    return norm > 0.0 ? norm * Wmax : 0.0;
}

double ltsodyks_spike(const double *p, double *s, double t)
{
    double h = t - s[TSO_S_t_last];
    double tau_psc = p[TSO_tau_psc], tau_rec = p[TSO_tau_rec];
    double Puu = p[TSO_tau_fac] == 0.0 ? 0.0 : exp(-h / p[TSO_tau_fac]);
    double Pyy = exp(-h / tau_psc), Pzz = exp(-h / tau_rec);
    double Pxy = ((Pzz - 1.0) * tau_rec - (Pyy - 1.0) * tau_psc) / (tau_psc - tau_rec);
    double Pxz = 1.0 - Pzz;
    double z = 1.0 - s[TSO_S_x] - s[TSO_S_y];
    s[TSO_S_u] *= Puu;
    s[TSO_S_x] += Pxy * s[TSO_S_y] + Pxz * z;
    s[TSO_S_y] *= Pyy;
    s[TSO_S_u] += p[TSO_U] * (1.0 - s[TSO_S_u]);
    double released = s[TSO_S_u] * s[TSO_S_x];
    s[TSO_S_x] -= released;
    s[TSO_S_y] += released;
    s[TSO_S_t_last] = t;
    return released;
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
