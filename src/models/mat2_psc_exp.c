/* mat2_psc_exp.c — non-resetting leaky integrate-and-fire neuron with a multi-timescale adaptive
 * threshold and exponential postsynaptic currents (NEST's mat2_psc_exp; Kobayashi, Tsubo &
 * Shinomoto 2009), integrated exactly. */
#include <math.h>

#include "model.h"

enum { P_E_L, P_I_e, P_C_m, P_tau_m, P_tau_syn_ex, P_tau_syn_in, P_t_ref, P_tau_1, P_tau_2,
       P_alpha_1, P_alpha_2, P_omega, N_PARAMS };
enum { S_V_m, S_I_syn_ex, S_I_syn_in, S_V_th_alpha_1, S_V_th_alpha_2, S_V_th, S_I_stim,
       S_refractory, N_STATES };
/* consts: NEST's propagators (P22_expm1 = e^{-h/tau_m} - 1, kept as expm1 for accuracy, as
 * NEST), the threshold decays, omega relative to E_L, the refractory steps */
enum { C_P22_expm1, C_P20, C_P11_ex, C_P11_in, C_P21_ex, C_P21_in, C_P11_th, C_P22_th, C_OMEGA,
       C_REFRACTORY, N_CONSTS };

/* Defaults: NEST's mat2_psc_exp (models/mat2_psc_exp.cpp, Parameters_::Parameters_; omega is
 * E_L + 19 mV, as nest-simulator 3.10's GetDefaults reports it). NEST stores omega and V_m
 * relative to E_L but, when E_L alone is set, shifts them back by the change (delta_EL in its
 * Parameters_::set and State_::set): their absolute values stay, so neither follows E_L here
 * (NEST 3.10 with only E_L = -65 set: V_m -70, omega -51). */
static const lparam_def params[N_PARAMS] = {
    [P_E_L] = {"E_L", "mV", -70.0, LP_ANY, 0, "Resting membrane potential."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
    [P_C_m] = {"C_m", "pF", 100.0, LP_POSITIVE, 0, "Membrane capacitance."},
    [P_tau_m] = {"tau_m", "ms", 5.0, LP_POSITIVE, 0, "Membrane time constant."},
    [P_tau_syn_ex] = {"tau_syn_ex", "ms", 1.0, LP_POSITIVE, 0,
                      "Time constant of the excitatory postsynaptic current (not tau_m)."},
    [P_tau_syn_in] = {"tau_syn_in", "ms", 3.0, LP_POSITIVE, 0,
                      "Time constant of the inhibitory postsynaptic current (not tau_m)."},
    [P_t_ref] = {"t_ref", "ms", 2.0, LP_POSITIVE, 0,
                 "Absolute refractory period: no spike within it (rounded to steps, at least "
                 "one); V_m is not clamped."},
    [P_tau_1] = {"tau_1", "ms", 10.0, LP_POSITIVE, 0, "Short time constant of the threshold."},
    [P_tau_2] = {"tau_2", "ms", 200.0, LP_POSITIVE, 0, "Long time constant of the threshold."},
    [P_alpha_1] = {"alpha_1", "mV", 37.0, LP_ANY, 0,
                   "Jump of the short threshold component at a spike."},
    [P_alpha_2] = {"alpha_2", "mV", 2.0, LP_ANY, 0,
                   "Jump of the long threshold component at a spike."},
    [P_omega] = {"omega", "mV", -51.0, LP_ANY, 0, "Resting spike threshold."},
};

static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -70.0, LP_ANY, 0, "Membrane potential."},
    [S_I_syn_ex] = {"I_syn_ex", "pA", 0.0, LP_ANY, 0, "Excitatory postsynaptic current."},
    [S_I_syn_in] = {"I_syn_in", "pA", 0.0, LP_ANY, 0,
                    "Inhibitory postsynaptic current (negative weights make it negative)."},
    [S_V_th_alpha_1] = {"V_th_alpha_1", "mV", 0.0, LP_ANY, 0,
                        "Short-time-scale component of the threshold (above omega)."},
    [S_V_th_alpha_2] = {"V_th_alpha_2", "mV", 0.0, LP_ANY, 0,
                        "Long-time-scale component of the threshold (above omega)."},
    [S_V_th] = {"V_th", "mV", -51.0, LP_ANY, 0,
                "Threshold, omega + V_th_alpha_1 + V_th_alpha_2 (derived: rewritten every step, "
                "for recording)."},
    [S_I_stim] = {"I_stim", "pA", 0.0, LP_ANY, LP_HIDDEN,
                  "Current from current generators, applied one step after it arrives (NEST)."},
    [S_refractory] = {"refractory_steps", "steps", 0.0, LP_NONNEGATIVE, LP_HIDDEN,
                      "Steps of the refractory period left (a whole number, kept as a double)."},
};

/* NEST's rule: its propagators are singular where tau_m equals a synaptic time constant. */
static leinao_status check(lctx *ctx, const double *p)
{
    if (p[P_tau_m] == p[P_tau_syn_ex] || p[P_tau_m] == p[P_tau_syn_in])
        return lc_error(ctx, LEINAO_INVALID,
                        "tau_m must differ from tau_syn_ex and tau_syn_in, got tau_m = %g, "
                        "tau_syn_ex = %g, tau_syn_in = %g",
                        p[P_tau_m], p[P_tau_syn_ex], p[P_tau_syn_in]);
    return LEINAO_OK;
}

/* NEST's propagators for step h (mat2_psc_exp's pre_run_hook): the exact solution of
 * dV/dt = -V/tau_m + (I_syn + I_e + I_stim)/C over one step, the PSCs decaying exponentially. */
static void prepare(const double *p, double h, double *c)
{
    const double tau = p[P_tau_m], C = p[P_C_m];
    c[C_P11_ex] = exp(-h / p[P_tau_syn_ex]);
    c[C_P11_in] = exp(-h / p[P_tau_syn_in]);
    c[C_P22_expm1] = expm1(-h / tau);
    c[C_P21_ex] = -tau / (C * (1.0 - tau / p[P_tau_syn_ex])) * c[C_P11_ex] *
                  expm1(h * (1.0 / p[P_tau_syn_ex] - 1.0 / tau));
    c[C_P21_in] = -tau / (C * (1.0 - tau / p[P_tau_syn_in])) * c[C_P11_in] *
                  expm1(h * (1.0 / p[P_tau_syn_in] - 1.0 / tau));
    c[C_P20] = -tau / C * c[C_P22_expm1];
    c[C_P11_th] = exp(-h / p[P_tau_1]);
    c[C_P22_th] = exp(-h / p[P_tau_2]);
    c[C_OMEGA] = p[P_omega] - p[P_E_L];
    const double steps = lmodel_steps(p[P_t_ref], h);
    c[C_REFRACTORY] = steps < 1.0 ? 1.0 : steps;
}

/* NEST's order per step: V_m, the threshold components and the PSCs decay (V_m with the
 * currents of the step before), the step's spikes join the PSCs, then the threshold test
 * unless refractory (V_m is not reset; the threshold jumps by alpha_1, alpha_2), then the
 * step's current-generator input for the next step. V_m relative to E_L within the slice. */
static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0, int nsteps)
{
    const double *p = b->params, *c = b->consts;
    const double E_L = p[P_E_L], I_e = p[P_I_e], omega = c[C_OMEGA];
    const double alpha_1 = p[P_alpha_1], alpha_2 = p[P_alpha_2];
    const int32_t refractory_steps = (int32_t)c[C_REFRACTORY];
    const uint32_t n = b->n, slots = b->slots;
    double **s = b->state;
    const size_t per_buffer = (size_t)slots * n;
    double *in_ex = b->ring, *in_in = b->ring + per_buffer, *in_cur = b->ring + 2 * per_buffer;
    const uint32_t first_slot = (uint32_t)(step0 % slots);
    uint64_t bad = 0;

    for (uint32_t i = begin; i < end; i++) {
        double V = s[S_V_m][i] - E_L, ex = s[S_I_syn_ex][i], inh = s[S_I_syn_in][i];
        double th1 = s[S_V_th_alpha_1][i], th2 = s[S_V_th_alpha_2][i], I0 = s[S_I_stim][i];
        int32_t r = (int32_t)s[S_refractory][i];
        uint32_t slot = first_slot;
        for (int k = 0; k < nsteps; k++) {
            const size_t at = (size_t)slot * n + i;
            V = V * c[C_P22_expm1] + V + ex * c[C_P21_ex] + inh * c[C_P21_in] +
                (I_e + I0) * c[C_P20];
            th1 *= c[C_P11_th];
            th2 *= c[C_P22_th];
            ex = ex * c[C_P11_ex] + in_ex[at];
            inh = inh * c[C_P11_in] + in_in[at];
            in_ex[at] = in_in[at] = 0.0;
            if (r == 0) {
                if (V >= omega + th2 + th1) {
                    r = refractory_steps;
                    th1 += alpha_1;
                    th2 += alpha_2;
                    lspike_emit(b->spikes, i, k);
                }
            } else {
                r--;
            }
            I0 = in_cur[at];
            in_cur[at] = 0.0;
            if (++slot == slots)
                slot = 0;
        }
        s[S_V_m][i] = V + E_L;
        s[S_I_syn_ex][i] = ex;
        s[S_I_syn_in][i] = inh;
        s[S_V_th_alpha_1][i] = th1;
        s[S_V_th_alpha_2][i] = th2;
        s[S_V_th][i] = E_L + omega + th1 + th2;
        s[S_I_stim][i] = I0;
        s[S_refractory][i] = r;
        bad |= lnonfinite_bit(V) | lnonfinite_bit(ex) | lnonfinite_bit(inh) |
               lnonfinite_bit(th1) | lnonfinite_bit(th2);
    }
    if (bad)
        b->nonfinite = 1;
}

const lmodel lmodel_mat2_psc_exp = {
    .name = "mat2_psc_exp",
    .kind = LM_NEURON,
    .summary = "Non-resetting leaky integrate-and-fire neuron with a multi-timescale adaptive "
               "threshold (MAT(2)) and exponential postsynaptic currents.",
    .doc =
        "`C_m dV_m/dt = -(C_m/tau_m)(V_m - E_L) + I_syn_ex + I_syn_in + I_e + I_stim`; the "
        "threshold is `V_th = omega + V_th_alpha_1 + V_th_alpha_2`, each component decaying "
        "to 0 with `tau_1` and `tau_2`. A spike of weight `w` (pA) adds `w` to `I_syn_ex` (w > "
        "0) or `I_syn_in` (w < 0, kept negative); both decay with `tau_syn_ex`, `tau_syn_in`. "
        "When `V_m >= V_th` at the end of a step outside the refractory period, a spike is "
        "emitted and the threshold components jump by `alpha_1` and `alpha_2`; V_m is not reset "
        "(the model's threshold does the work of a reset) and goes on integrating during "
        "`t_ref`, in which no spike is emitted.\n\n"
        "Integration: exact (Rotter & Diesmann 1999) with NEST's propagators and its order per "
        "step: V_m, the threshold and the currents decay, the step's spikes join the currents, "
        "then the threshold test, then current-generator input applies from the next step. "
        "NEST's rules: tau_m differs from both synaptic time constants (its propagators are "
        "singular there); t_ref > 0. NEST refuses a t_ref below one step; here it is one step.\n\n"
        "Reference: Kobayashi, Tsubo & Shinomoto (2009) Front. Comput. Neurosci. 3:9; "
        "NEST `mat2_psc_exp`.",
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
    .reports_nonfinite = 1,
};
