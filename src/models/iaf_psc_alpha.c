/* iaf_psc_alpha.c — leaky integrate-and-fire neuron with alpha-shaped postsynaptic currents
 * (NEST's iaf_psc_alpha), integrated exactly (Rotter & Diesmann 1999). */
#include <math.h>

#include "model.h"
#include "propagators.h"

enum { P_E_L, P_C_m, P_tau_m, P_t_ref, P_V_th, P_V_reset, P_V_min, P_tau_syn_ex, P_tau_syn_in,
       P_I_e, N_PARAMS };
enum { S_V_m, S_I_syn_ex, S_I_syn_in, S_dI_ex, S_dI_in, S_I_stim, S_refractory, N_STATES };
enum { C_P33, C_P30, C_P11_ex, C_P21_ex, C_P31_ex, C_P32_ex, C_P11_in, C_P21_in, C_P31_in,
       C_P32_in, C_PSC_ex, C_PSC_in, C_REFRACTORY, N_CONSTS };

static const lparam_def params[N_PARAMS] = {
    [P_E_L] = {"E_L", "mV", -70.0, LP_ANY, 0, "Resting membrane potential."},
    [P_C_m] = {"C_m", "pF", 250.0, LP_POSITIVE, 0, "Membrane capacitance."},
    [P_tau_m] = {"tau_m", "ms", 10.0, LP_POSITIVE, 0, "Membrane time constant."},
    [P_t_ref] = {"t_ref", "ms", 2.0, LP_NONNEGATIVE, 0,
                 "Duration of the absolute refractory period (rounded to the nearest step)."},
    [P_V_th] = {"V_th", "mV", -55.0, LP_ANY, LP_FOLLOWS_E_L, "Spike threshold."},
    [P_V_reset] = {"V_reset", "mV", -70.0, LP_ANY, LP_FOLLOWS_E_L,
                   "Reset potential; V_m is held here during the refractory period."},
    [P_V_min] = {"V_min", "mV", -INFINITY, LP_ANY, LP_FOLLOWS_E_L | LP_INF_OK,
                 "Lower bound of V_m (-inf: unbounded)."},
    [P_tau_syn_ex] = {"tau_syn_ex", "ms", 2.0, LP_POSITIVE, 0,
                      "Rise time of the excitatory postsynaptic current (its peak time)."},
    [P_tau_syn_in] = {"tau_syn_in", "ms", 2.0, LP_POSITIVE, 0,
                      "Rise time of the inhibitory postsynaptic current (its peak time)."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
};

static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -70.0, LP_ANY, LP_FOLLOWS_E_L, "Membrane potential."},
    [S_I_syn_ex] = {"I_syn_ex", "pA", 0.0, LP_ANY, 0, "Excitatory postsynaptic current."},
    [S_I_syn_in] = {"I_syn_in", "pA", 0.0, LP_ANY, 0, "Inhibitory postsynaptic current."},
    [S_dI_ex] = {"dI_syn_ex", "pA/ms", 0.0, LP_ANY, 0, "Derivative state of the excitatory alpha current."},
    [S_dI_in] = {"dI_syn_in", "pA/ms", 0.0, LP_ANY, 0, "Derivative state of the inhibitory alpha current."},
    [S_I_stim] = {"I_stim", "pA", 0.0, LP_ANY, LP_HIDDEN,
                  "Current from current generators, applied one step after it arrives (NEST)."},
    [S_refractory] = {"refractory_steps", "steps", 0.0, LP_NONNEGATIVE, LP_HIDDEN,
                      "Steps of the refractory period left (a whole number, kept as a double)."},
};

static leinao_status check(lctx *ctx, const double *p)
{
    leinao_status st = lmodel_check_reset(ctx, p[P_V_reset], p[P_V_th]);
    return st ? st : lmodel_check_floor(ctx, p[P_V_reset], p[P_V_min]);
}

static void prepare(const double *p, double dt, double *c)
{
    const double tau_m = p[P_tau_m], C_m = p[P_C_m];
    c[C_P33] = exp(-dt / tau_m);
    c[C_P30] = -tau_m / C_m * expm1(-dt / tau_m);
    const int idx[2][5] = {{C_P11_ex, C_P21_ex, C_P31_ex, C_P32_ex, C_PSC_ex},
                           {C_P11_in, C_P21_in, C_P31_in, C_P32_in, C_PSC_in}};
    const double taus[2] = {p[P_tau_syn_ex], p[P_tau_syn_in]};
    for (int k = 0; k < 2; k++) {
        double tau_s = taus[k];
        c[idx[k][0]] = exp(-dt / tau_s);                              /* dI -> dI, I -> I */
        c[idx[k][1]] = dt * exp(-dt / tau_s);                         /* dI -> I */
        c[idx[k][2]] = lprop_alpha_current(tau_m, tau_s, C_m, dt);    /* dI -> V */
        c[idx[k][3]] = lprop_exp_current(tau_m, tau_s, C_m, dt);      /* I -> V */
        c[idx[k][4]] = exp(1.0) / tau_s; /* a weight w makes the current peak at w, at tau_s */
    }
    c[C_REFRACTORY] = lmodel_steps(p[P_t_ref], dt);
}

static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0, int nsteps)
{
    const double *p = b->params, *c = b->consts;
    const double E_L = p[P_E_L], V_th = p[P_V_th] - E_L, V_reset = p[P_V_reset] - E_L;
    const double V_min = p[P_V_min] - E_L, I_e = p[P_I_e];
    const int32_t refractory_steps = (int32_t)c[C_REFRACTORY];
    const uint32_t n = b->n, slots = b->slots;
    double *V_m = b->state[S_V_m], *I_ex = b->state[S_I_syn_ex], *I_in = b->state[S_I_syn_in];
    double *dI_ex = b->state[S_dI_ex], *dI_in = b->state[S_dI_in], *I_stim = b->state[S_I_stim];
    double *refractory = b->state[S_refractory];
    const size_t per_buffer = (size_t)slots * n;
    double *in_ex = b->ring, *in_in = b->ring + per_buffer, *in_cur = b->ring + 2 * per_buffer;
    lspike_list *out = b->spikes;
    uint32_t first_slot = (uint32_t)(step0 % slots);

    for (uint32_t i = begin; i < end; i++) {
        double V = V_m[i] - E_L, ex = I_ex[i], inh = I_in[i], dex = dI_ex[i], din = dI_in[i];
        double I0 = I_stim[i];
        int32_t r = (int32_t)refractory[i];
        uint32_t slot = first_slot;
        for (int k = 0; k < nsteps; k++) {
            size_t at = (size_t)slot * n + i;
            if (r == 0) {
                V = c[C_P30] * (I0 + I_e) + c[C_P31_ex] * dex + c[C_P32_ex] * ex +
                    c[C_P31_in] * din + c[C_P32_in] * inh + c[C_P33] * V;
                if (V < V_min)
                    V = V_min;
            } else {
                r--;
            }
            ex = c[C_P21_ex] * dex + c[C_P11_ex] * ex;
            dex = c[C_P11_ex] * dex + c[C_PSC_ex] * in_ex[at];
            inh = c[C_P21_in] * din + c[C_P11_in] * inh;
            din = c[C_P11_in] * din + c[C_PSC_in] * in_in[at];
            in_ex[at] = in_in[at] = 0.0;
            if (V >= V_th) {
                r = refractory_steps;
                V = V_reset;
                lspike_emit(out, i, k);
            }
            I0 = in_cur[at];
            in_cur[at] = 0.0;
            if (++slot == slots)
                slot = 0;
        }
        V_m[i] = V + E_L;
        I_ex[i] = ex;
        I_in[i] = inh;
        dI_ex[i] = dex;
        dI_in[i] = din;
        I_stim[i] = I0;
        refractory[i] = r;
    }
}

const lmodel lmodel_iaf_psc_alpha = {
    .name = "iaf_psc_alpha",
    .kind = LM_NEURON,
    .summary = "Leaky integrate-and-fire neuron with alpha-shaped postsynaptic currents.",
    .doc =
        "`C_m dV_m/dt = -(C_m/tau_m)(V_m - E_L) + I_syn_ex + I_syn_in + I_e + I_stim`. A spike of "
        "weight `w` (pA) arriving at t0 adds the current `w e/tau_s (t - t0) e^{-(t - t0)/tau_s}`, "
        "which peaks at `w` at `t0 + tau_s`. A spike is emitted when `V_m >= V_th`; `V_m` is set "
        "to `V_reset` and held for `t_ref`. `V_min` bounds `V_m` from below.\n\n"
        "Integration is exact (Rotter & Diesmann 1999), NEST's update order: the current is the "
        "pair (dI, I) with `dI' = -dI/tau_s`, `I' = dI - I/tau_s`; per step V is advanced with "
        "the propagators of (dI, I, I_e + I_stim), then (dI, I) are advanced and the step's "
        "spikes add `e/tau_s w` to dI. The propagator from dI to V is "
        "`(1/C_m) e^{-dt/tau_m} (dt e^{a dt}/a - (e^{a dt} - 1)/a^2)`, `a = 1/tau_m - 1/tau_s`, "
        "evaluated by its power series near `tau_m == tau_s`, so the singular case is exact.\n\n"
        "Reference: NEST `iaf_psc_alpha`; Rotter & Diesmann (1999).",
    .params = params,
    .n_params = N_PARAMS,
    .states = states,
    .n_states = N_STATES,
    .n_buffers = 3,
    .port_buffer = {0, 1, 2},
    .n_consts = N_CONSTS,
    .check = check,
    .prepare = prepare,
    .update = update,
};
