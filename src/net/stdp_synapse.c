/* stdp_synapse.c — NEST's pair-based STDP (Guetig et al. 2003), all-to-all pairing
 * (stdp_synapse) and symmetric nearest-neighbour pairing (stdp_nn_symm_synapse; Morrison et al.
 * 2008). K+ and the last presynaptic spike time are kept once per source neuron; the weight in
 * the synapse entry; the postsynaptic history and K- with the target (its spike archive). */
#include <math.h>

#include "archive.h"
#include "projection.h"

static const lparam_def params[STDP_N] = {
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

static leinao_status check(lctx *ctx, const double *p)
{
    if (p[STDP_Wmax] == 0.0)
        return lc_error(ctx, LEINAO_INVALID, "Wmax must not be 0");
    return LEINAO_OK;
}

static leinao_status check_weights(lctx *ctx, const double *p, const float *weight, uint64_t n)
{
    double Wmax = p[STDP_Wmax];
    for (uint64_t j = 0; j < n; j++)
        if (weight[j] * Wmax < 0.0 || fabs(weight[j]) > fabs(Wmax))
            return lc_error(ctx, LEINAO_INVALID,
                            "stdp_synapse: weights must lie between 0 and Wmax = %g, got %g", Wmax,
                            (double)weight[j]);
    return LEINAO_OK;
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

/* pre = (K+, t_last) before this spike; then K+ decays to t and jumps by 1. */
static void on_pre_spike(const double *p, double *s, double t, double *pre)
{
    pre[0] = s[STDP_S_Kplus];
    pre[1] = s[STDP_S_t_last];
    s[STDP_S_Kplus] = s[STDP_S_Kplus] * exp((s[STDP_S_t_last] - t) / p[STDP_tau_plus]) + 1.0;
    s[STDP_S_t_last] = t;
}

/* NEST's rule on each synapse (weights change), then transmission with the new weight. */
static inline void update_row(const lsynapse_call *c, uint64_t b, uint64_t e, uint64_t emitted,
                              const double *pre, int nearest)
{
    lprojection *proj = c->proj;
    const double *p = proj->syn_params, dt = c->dt, t = (double)(emitted + 1) * dt;
    const double t_last = pre[1], K_pre = nearest ? 1.0 : pre[0];
    larchive *a = c->archive;
    for (; b < e; b++) {
        uint32_t tgt = lproj_target(proj, b), delay_steps = lproj_delay(proj, b);
        double delay = delay_steps * dt, w = proj->weight_of[b];
        uint32_t first, last;
        larchive_range(a, tgt, t_last - delay, t - delay, &first, &last);
        for (uint32_t h = first; h < last; h++)
            w = lstdp_facilitate(p, w,
                                 K_pre * exp((t_last - (a->h[tgt].t[h] + delay)) / p[STDP_tau_plus]));
        w = lstdp_depress(p, w, nearest ? larchive_nearest_K(a, tgt, t - delay)
                                        : larchive_K(a, tgt, t - delay));
        proj->weight_of[b] = (float)w;
        double wf = (double)proj->weight_of[b];
        lring_port(c->ring, wf)[(size_t)lring_slot(c->ring, emitted, delay_steps) * c->ring->n + tgt] += wf;
    }
}

static void deliver_all_to_all(const lsynapse_call *c, uint64_t b, uint64_t e, uint64_t emitted,
                               const double *pre)
{
    update_row(c, b, e, emitted, pre, 0);
}

static void deliver_nearest(const lsynapse_call *c, uint64_t b, uint64_t e, uint64_t emitted,
                            const double *pre)
{
    update_row(c, b, e, emitted, pre, 1);
}

const lsynapse_model lsynapse_stdp = {
    .name = "stdp_synapse",
    .summary = "Pair-based spike-timing dependent plasticity (all-to-all).",
    .doc =
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
    .params = params,
    .n_params = STDP_N,
    .plastic = 1,
    .needs_archive = 1,
    .n_source_state = STDP_S_N,
    .n_pre = 2,
    .check = check,
    .check_weights = check_weights,
    .on_pre_spike = on_pre_spike,
    .deliver = deliver_all_to_all,
};

const lsynapse_model lsynapse_stdp_nn_symm = {
    .name = "stdp_nn_symm_synapse",
    .summary = "Pair-based STDP with symmetric nearest-neighbour pairing.",
    .doc =
        "NEST's `stdp_nn_symm_synapse` (Morrison et al. 2008): the rule, parameters and timing of "
        "`stdp_synapse`, but each presynaptic spike pairs only with the nearest postsynaptic spike "
        "before it (depression with `exp(-(t - d - t_post)/tau_minus)` of the latest t_post < t - d) "
        "and each postsynaptic spike only with the nearest presynaptic spike before it "
        "(potentiation with `exp((t_last - t_post - d)/tau_plus)`, no accumulated K+). As in NEST, "
        "before the first presynaptic spike t_last is 0.",
    .params = params,
    .n_params = STDP_N,
    .plastic = 1,
    .needs_archive = 1,
    .n_source_state = STDP_S_N,
    .n_pre = 2,
    .check = check,
    .check_weights = check_weights,
    .on_pre_spike = on_pre_spike,
    .deliver = deliver_nearest,
};
