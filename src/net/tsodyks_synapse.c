/* tsodyks_synapse.c — Tsodyks-Markram short-term depression and facilitation (NEST's
 * tsodyks_synapse; Tsodyks, Uziel & Markram 2000). The state (x, y, u) depends only on the
 * presynaptic train, so it is kept once per source neuron; a spike transmits weight * released. */
#include <math.h>

#include "projection.h"

static const lparam_def params[TSO_N] = {
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

static leinao_status check(lctx *ctx, const double *p)
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

static void init_source_state(const double *p, double *s)
{
    s[TSO_S_x] = p[TSO_x];
    s[TSO_S_y] = p[TSO_y];
    s[TSO_S_u] = p[TSO_u];
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

static void on_pre_spike(const double *p, double *s, double t, double *pre)
{
    pre[0] = ltsodyks_spike(p, s, t);
}

static void deliver(const lsynapse_call *c, uint64_t b, uint64_t e, uint64_t emitted,
                    const double *pre)
{
    const lprojection *proj = c->proj;
    const double released = pre[0];
    for (; b < e; b++) {
        double w = (double)proj->weight_of[b] * released;
        uint32_t slot = lring_slot(c->ring, emitted, lproj_delay(proj, b));
        lring_port(c->ring, w)[(size_t)slot * c->ring->n + lproj_target(proj, b)] += w;
    }
}

const lsynapse_model lsynapse_tsodyks = {
    .name = "tsodyks_synapse",
    .summary = "Tsodyks-Markram short-term depression and facilitation.",
    .doc = "NEST's `tsodyks_synapse` (Tsodyks, Uziel & Markram 2000): resources are recovered (x), "
           "active (y) or inactive (z = 1 - x - y); y decays into z with `tau_psc`, z recovers "
           "into x with `tau_rec`, the utilisation u decays with `tau_fac`. At a presynaptic "
           "spike, after propagating the state exactly from the previous spike, "
           "`u <- u + U (1 - u)`, a fraction `u x` of the resources becomes active and the spike "
           "is transmitted with weight `weight * u * x`. With `tau_fac = 0` there is no "
           "facilitation (u = U at each spike). As in NEST, the state starts at t = 0 from "
           "(x, y, u). The state depends only on the presynaptic train, so leinao keeps it once "
           "per source neuron of the projection.",
    .params = params,
    .n_params = TSO_N,
    .plastic = 1,
    .n_source_state = TSO_S_N,
    .n_pre = 1,
    .check = check,
    .init_source_state = init_source_state,
    .on_pre_spike = on_pre_spike,
    .deliver = deliver,
};
