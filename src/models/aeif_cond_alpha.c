/* aeif_cond_alpha.c — adaptive exponential integrate-and-fire neuron with alpha-shaped postsynaptic
 * conductances (NEST's aeif_cond_alpha), integrated with adaptive Dormand-Prince 5(4) and spike
 * detection after every substep, as aeif_cond_exp. */
#include <float.h>
#include <math.h>

#include "aeif.h"

enum { P_C_m, P_g_L, P_E_L, P_V_th, P_Delta_T, P_tau_w, P_a, P_b, P_V_peak, P_V_reset, P_t_ref,
       P_E_ex, P_E_in, P_tau_syn_ex, P_tau_syn_in, P_I_e, N_PARAMS };
enum { S_V_m, S_w, S_dX_ex, S_X_ex, S_dX_in, S_X_in, S_I_stim, S_h, S_refractory, N_STATES };
/* consts: the refractory steps; the spike detection threshold (NEST: V_th where Delta_T = 0);
 * e / tau_syn_X (a weight w makes the alpha function peak at w) */
enum { C_REFRACTORY, C_V_PEAK, C_PSC_EX, C_PSC_IN, N_CONSTS };
/* the shared parameters, consts[0] and state layout of aeif.h */
_Static_assert((int)P_C_m == LAEIF_C_m && (int)P_g_L == LAEIF_g_L && (int)P_E_L == LAEIF_E_L &&
                   (int)P_V_th == LAEIF_V_th && (int)P_Delta_T == LAEIF_Delta_T &&
                   (int)P_tau_w == LAEIF_tau_w && (int)P_a == LAEIF_a && (int)P_b == LAEIF_b &&
                   (int)P_V_peak == LAEIF_V_peak && (int)P_V_reset == LAEIF_V_reset &&
                   (int)P_t_ref == LAEIF_t_ref && C_REFRACTORY == 0,
               "aeif.h's parameter order");
_Static_assert(S_V_m == 0 && S_w == 1 && S_I_stim == 6 && S_h == 7 && S_refractory == 8,
               "aeif.h's state layout");

static const lparam_def params[N_PARAMS] = {
    [P_C_m] = {"C_m", "pF", 281.0, LP_POSITIVE, 0, "Membrane capacitance."},
    [P_g_L] = {"g_L", "nS", 30.0, LP_POSITIVE, 0, "Leak conductance."},
    [P_E_L] = {"E_L", "mV", -70.6, LP_ANY, 0, "Leak reversal potential."},
    [P_V_th] = {"V_th", "mV", -50.4, LP_ANY, 0, "Spike initiation threshold (V_T)."},
    [P_Delta_T] = {"Delta_T", "mV", 2.0, LP_NONNEGATIVE, 0,
                   "Slope factor of the exponential term (0: integrate-and-fire)."},
    [P_tau_w] = {"tau_w", "ms", 144.0, LP_POSITIVE, 0, "Adaptation time constant."},
    [P_a] = {"a", "nS", 4.0, LP_ANY, 0, "Subthreshold adaptation."},
    [P_b] = {"b", "pA", 80.5, LP_ANY, 0, "Spike-triggered adaptation (added to w at a spike)."},
    [P_V_peak] = {"V_peak", "mV", 0.0, LP_ANY, 0, "Spike detection threshold."},
    [P_V_reset] = {"V_reset", "mV", -60.0, LP_ANY, 0, "Reset potential."},
    [P_t_ref] = {"t_ref", "ms", 0.0, LP_NONNEGATIVE, 0,
                 "Duration of the refractory period (V_m clamped to V_reset)."},
    [P_E_ex] = {"E_ex", "mV", 0.0, LP_ANY, 0, "Excitatory reversal potential."},
    [P_E_in] = {"E_in", "mV", -85.0, LP_ANY, 0, "Inhibitory reversal potential."},
    [P_tau_syn_ex] = {"tau_syn_ex", "ms", 0.2, LP_POSITIVE, 0,
                      "Rise time of the excitatory conductance (its peak time)."},
    [P_tau_syn_in] = {"tau_syn_in", "ms", 2.0, LP_POSITIVE, 0,
                      "Rise time of the inhibitory conductance (its peak time)."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
};

static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -70.6, LP_ANY, 0, "Membrane potential."},
    [S_w] = {"w", "pA", 0.0, LP_ANY, 0, "Adaptation current."},
    [S_dX_ex] = {"dg_ex", "nS/ms", 0.0, LP_ANY, 0, "Derivative state of the excitatory conductance."},
    [S_X_ex] = {"g_ex", "nS", 0.0, LP_ANY, 0, "Excitatory conductance."},
    [S_dX_in] = {"dg_in", "nS/ms", 0.0, LP_ANY, 0, "Derivative state of the inhibitory conductance."},
    [S_X_in] = {"g_in", "nS", 0.0, LP_ANY, 0, "Inhibitory conductance."},
    [S_I_stim] = {"I_stim", "pA", 0.0, LP_ANY, LP_HIDDEN, "Current from current generators."},
    [S_h] = {"h_int", "ms", 0.0, LP_ANY, LP_HIDDEN, "Integrator's substep, kept between steps."},
    [S_refractory] = {"refractory_steps", "steps", 0.0, LP_NONNEGATIVE, LP_HIDDEN,
                      "Steps of the refractory period left (a whole number, kept as a double)."},
};

/* NEST's rules of the aeif models. */
static leinao_status check(lctx *ctx, const double *p)
{
    if (!(p[P_V_peak] > p[P_V_th]))
        return lc_error(ctx, LEINAO_INVALID, "V_peak must be > V_th, got V_peak = %g, V_th = %g",
                        p[P_V_peak], p[P_V_th]);
    if (!(p[P_V_reset] < p[P_V_peak]))
        return lc_error(ctx, LEINAO_INVALID,
                        "V_reset must be < V_peak, got V_reset = %g, V_peak = %g", p[P_V_reset],
                        p[P_V_peak]);
    if (p[P_Delta_T] > 0.0 && (p[P_V_peak] - p[P_V_th]) / p[P_Delta_T] >= log(DBL_MAX / 1e20))
        return lc_error(ctx, LEINAO_INVALID,
                        "(V_peak - V_th) / Delta_T must be < %g (exp would overflow), got %g",
                        log(DBL_MAX / 1e20), (p[P_V_peak] - p[P_V_th]) / p[P_Delta_T]);
    return LEINAO_OK;
}

static void prepare(const double *p, double dt, double *c)
{
    c[C_REFRACTORY] = lmodel_steps(p[P_t_ref], dt);
    c[C_V_PEAK] = p[P_Delta_T] > 0.0 ? p[P_V_peak] : p[P_V_th];
    c[C_PSC_EX] = exp(1.0) / p[P_tau_syn_ex];
    c[C_PSC_IN] = exp(1.0) / p[P_tau_syn_in];
}

static void rhs(const double *y, double *f, void *user)
{
    const laeif_inputs *in = user;
    const double *p = in->p;
    const double V = laeif_voltage(in, y[0]);
    const double spike_current = laeif_spike_current(p, V);
    f[0] = in->refractory ? 0.0
                          : (-p[P_g_L] * (V - p[P_E_L]) + spike_current - y[3] * (V - p[P_E_ex]) -
                             y[5] * (V - p[P_E_in]) - y[1] + in->I) /
                                p[P_C_m];
    f[1] = laeif_adaptation(p, V, y[1]);
    /* alpha functions: (dX, X) with dX' = -dX / tau, X' = dX - X / tau */
    f[2] = -y[2] / p[P_tau_syn_ex];
    f[3] = y[2] - y[3] / p[P_tau_syn_ex];
    f[4] = -y[4] / p[P_tau_syn_in];
    f[5] = y[4] - y[5] / p[P_tau_syn_in];
}

static const laeif_layout layout = {6, rhs, S_dX_ex, S_dX_in, P_I_e};

static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0, int nsteps)
{
    laeif_update(b, begin, end, step0, nsteps, &layout, b->consts[C_V_PEAK], b->consts[C_PSC_EX], b->consts[C_PSC_IN]);
}

const lmodel lmodel_aeif_cond_alpha = {
    .name = "aeif_cond_alpha",
    .kind = LM_NEURON,
    .summary = "Adaptive exponential integrate-and-fire neuron (AdEx) with alpha-shaped "
               "conductances.",
    .doc =
        "`C_m dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_th)/Delta_T) - g_ex (V - E_ex) "
        "- g_in (V - E_in) - w + I_e + I_stim`, `tau_w dw/dt = a (V - E_L) - w`. A spike of "
        "weight `w` (nS) arriving at t0 adds the conductance `w e/tau_s (t - t0) "
        "e^{-(t - t0)/tau_s}` to `g_ex` (w > 0) or, with `|w|`, to `g_in` (w < 0): it peaks at "
        "`|w|` at `t0 + tau_s`. When `V >= V_peak`, a spike is emitted, `V` is set to `V_reset` "
        "and `w` grows by `b`; during `t_ref` V is clamped to `V_reset`.\n\n"
        "Integration as `aeif_cond_exp`: adaptive Dormand-Prince 5(4) within each step "
        "(tolerances 1e-6), the threshold tested after every accepted substep; the exponential "
        "sees V at most V_peak. With `Delta_T` = 0 the model is an integrate-and-fire neuron "
        "whose spikes are detected at `V_th` instead of `V_peak` (NEST). Guards against blow-up: a substep below 1e-12 ms, V below "
        "-1000 mV or |w| above 1e6 pA stop the run with an error naming the neuron and the "
        "time. At most one spike per step is sent.\n\n"
        "Reference: Brette & Gerstner (2005) J. Neurophysiol. 94:3637; NEST `aeif_cond_alpha`.",
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
