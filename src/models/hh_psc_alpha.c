/* hh_psc_alpha.c — Hodgkin-Huxley neuron with alpha-shaped postsynaptic currents (NEST's
 * hh_psc_alpha: its equations, defaults and update order), integrated with NEST's RKF45. */
#include <math.h>

#include "hh.h"

enum { P_t_ref, P_g_Na, P_g_K, P_g_L, P_C_m, P_E_Na, P_E_K, P_E_L, P_tau_syn_ex, P_tau_syn_in,
       P_I_e, N_PARAMS };
enum { S_V_m, S_Act_m, S_Inact_h, S_Act_n, S_dI_ex, S_I_ex, S_dI_in, S_I_in, S_I_stim, S_h,
       S_refractory, N_STATES };
/* consts: the refractory steps (hh.h's consts[0]), e / tau_syn_X (a weight w makes the alpha
 * current peak at w) */
enum { C_REFRACTORY, C_PSC_EX, C_PSC_IN, N_CONSTS };
_Static_assert(C_REFRACTORY == 0 && S_I_stim == 8 && S_h == 9 && S_refractory == 10,
               "hh.h's state layout");

/* Defaults: NEST's hh_psc_alpha (models/hh_psc_alpha.cpp, Parameters_::Parameters_; the same in
 * nest-simulator 3.10's GetDefaults). */
static const lparam_def params[N_PARAMS] = {
    [P_t_ref] = {"t_ref", "ms", 2.0, LP_NONNEGATIVE, 0,
                 "Pseudo-refractory period: no spike is detected during it (rounded to steps)."},
    [P_g_Na] = {"g_Na", "nS", 12000.0, LP_NONNEGATIVE, 0, "Sodium peak conductance."},
    [P_g_K] = {"g_K", "nS", 3600.0, LP_NONNEGATIVE, 0, "Potassium peak conductance."},
    [P_g_L] = {"g_L", "nS", 30.0, LP_NONNEGATIVE, 0, "Leak conductance."},
    [P_C_m] = {"C_m", "pF", 100.0, LP_POSITIVE, 0, "Membrane capacitance."},
    [P_E_Na] = {"E_Na", "mV", 50.0, LP_ANY, 0, "Sodium reversal potential."},
    [P_E_K] = {"E_K", "mV", -77.0, LP_ANY, 0, "Potassium reversal potential."},
    [P_E_L] = {"E_L", "mV", -54.402, LP_ANY, 0, "Leak reversal potential."},
    [P_tau_syn_ex] = {"tau_syn_ex", "ms", 0.2, LP_POSITIVE, 0,
                      "Rise time of the excitatory postsynaptic current (its peak time)."},
    [P_tau_syn_in] = {"tau_syn_in", "ms", 2.0, LP_POSITIVE, 0,
                      "Rise time of the inhibitory postsynaptic current (its peak time)."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
};

/* Initial state as NEST's: V_m = -65 mV and the gating variables at their steady state there
 * (alpha / (alpha + beta) of the rate functions below at V = -65; the values of nest-simulator
 * 3.10's GetDefaults("hh_psc_alpha"), checked against the formulas by test_hh_models). */
static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -65.0, LP_ANY, 0, "Membrane potential."},
    [S_Act_m] = {"Act_m", "", 0.05293248525724958, LP_NONNEGATIVE, 0,
                 "Sodium activation m."},
    [S_Inact_h] = {"Inact_h", "", 0.5961207535084603, LP_NONNEGATIVE, 0,
                   "Sodium inactivation h."},
    [S_Act_n] = {"Act_n", "", 0.3176769140606974, LP_NONNEGATIVE, 0,
                 "Potassium activation n."},
    [S_dI_ex] = {"dI_syn_ex", "pA/ms", 0.0, LP_ANY, 0,
                 "Derivative state of the excitatory current."},
    [S_I_ex] = {"I_syn_ex", "pA", 0.0, LP_ANY, 0, "Excitatory postsynaptic current."},
    [S_dI_in] = {"dI_syn_in", "pA/ms", 0.0, LP_ANY, 0,
                 "Derivative state of the inhibitory current."},
    [S_I_in] = {"I_syn_in", "pA", 0.0, LP_ANY, 0,
                "Inhibitory postsynaptic current (NEST: negative, added to the input)."},
    [S_I_stim] = {"I_stim", "pA", 0.0, LP_ANY, LP_HIDDEN, "Current from current generators."},
    [S_h] = {"h_int", "ms", 0.0, LP_ANY, LP_HIDDEN, "Integrator's substep, kept between steps."},
    [S_refractory] = {"refractory_steps", "steps", 0.0, LP_NONNEGATIVE, LP_HIDDEN,
                      "Steps of the refractory period left (a whole number, kept as a double)."},
};

static void prepare(const double *p, double dt, double *c)
{
    c[C_REFRACTORY] = lmodel_steps(p[P_t_ref], dt);
    c[C_PSC_EX] = exp(1.0) / p[P_tau_syn_ex];
    c[C_PSC_IN] = exp(1.0) / p[P_tau_syn_in];
}

/* a x / (1 - e^{-x/s}), NEST's expression, with its limit a s at x = 0 (where NEST would compute
 * 0/0 = NaN) */
static inline double rate(double a, double x, double s)
{
    return x != 0.0 ? (a * x) / (1.0 - exp(-x / s)) : a * s;
}

/* NEST's hh_psc_alpha_dynamics: rate functions of Hodgkin & Huxley (1952) with V in mV and the
 * resting potential at -65 mV (Dayan & Abbott 2001, ch. 5), rates in 1/ms. */
static void rhs(const double *y, double *f, void *user)
{
    const lhh_inputs *in = user;
    const double *p = in->p;
    const double V = y[S_V_m], m = y[S_Act_m], h = y[S_Inact_h], n = y[S_Act_n];
    const double alpha_n = rate(0.01, V + 55.0, 10.0);
    const double beta_n = 0.125 * exp(-(V + 65.0) / 80.0);
    const double alpha_m = rate(0.1, V + 40.0, 10.0);
    const double beta_m = 4.0 * exp(-(V + 65.0) / 18.0);
    const double alpha_h = 0.07 * exp(-(V + 65.0) / 20.0);
    const double beta_h = 1.0 / (1.0 + exp(-(V + 35.0) / 10.0));
    const double I_Na = p[P_g_Na] * m * m * m * h * (V - p[P_E_Na]);
    const double I_K = p[P_g_K] * n * n * n * n * (V - p[P_E_K]);
    const double I_L = p[P_g_L] * (V - p[P_E_L]);
    f[S_V_m] = (-(I_Na + I_K + I_L) + in->I_stim + p[P_I_e] + y[S_I_ex] + y[S_I_in]) / p[P_C_m];
    f[S_Act_m] = alpha_m * (1.0 - m) - beta_m * m;
    f[S_Inact_h] = alpha_h * (1.0 - h) - beta_h * h;
    f[S_Act_n] = alpha_n * (1.0 - n) - beta_n * n;
    /* alpha functions: (dI, I) with dI' = -dI / tau, I' = dI - I / tau */
    f[S_dI_ex] = -y[S_dI_ex] / p[P_tau_syn_ex];
    f[S_I_ex] = y[S_dI_ex] - y[S_I_ex] / p[P_tau_syn_ex];
    f[S_dI_in] = -y[S_dI_in] / p[P_tau_syn_in];
    f[S_I_in] = y[S_dI_in] - y[S_I_in] / p[P_tau_syn_in];
}

static const lhh_layout layout = {8, rhs, S_dI_ex, S_dI_in};

static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0, int nsteps)
{
    /* NEST: a spike is a local maximum of V_m at or above 0 mV; inhibitory weights stay
     * negative in I_syn_in */
    lhh_update(b, begin, end, step0, nsteps, &layout, 0.0, b->consts[C_PSC_EX],
               b->consts[C_PSC_IN]);
}

const lmodel lmodel_hh_psc_alpha = {
    .name = "hh_psc_alpha",
    .kind = LM_NEURON,
    .summary = "Hodgkin-Huxley neuron with alpha-shaped postsynaptic currents.",
    .doc =
        "`C_m dV_m/dt = -g_Na m^3 h (V_m - E_Na) - g_K n^4 (V_m - E_K) - g_L (V_m - E_L) + "
        "I_syn_ex + I_syn_in + I_e + I_stim`; each gating variable x of m, h, n follows "
        "`dx/dt = alpha_x(V) (1 - x) - beta_x(V) x` with Hodgkin and Huxley's rate functions "
        "(V in mV, rest at -65 mV): `alpha_n = 0.01 (V + 55) / (1 - e^{-(V + 55)/10})`, "
        "`beta_n = 0.125 e^{-(V + 65)/80}`, `alpha_m = 0.1 (V + 40) / (1 - e^{-(V + 40)/10})`, "
        "`beta_m = 4 e^{-(V + 65)/18}`, `alpha_h = 0.07 e^{-(V + 65)/20}`, `beta_h = 1 / (1 + "
        "e^{-(V + 35)/10})` (1/ms). A spike of weight `w` (pA) arriving at t0 adds the current "
        "`w e/tau_s (t - t0) e^{-(t - t0)/tau_s}` to `I_syn_ex` (w > 0) or `I_syn_in` (w < 0, "
        "kept negative): it peaks at `w` at `t0 + tau_s`. The initial gating variables are their "
        "steady state at V_m = -65 mV; setting V_m does not change them (NEST).\n\n"
        "Spikes: emitted at the end of a step when `V_m >= 0` mV and V_m is below its value at "
        "the start of the step (it just passed a maximum), unless a spike was emitted within "
        "`t_ref` before; V_m is not reset, the action potential is the model's own.\n\n"
        "Integration as NEST's: Runge-Kutta-Fehlberg 4(5) with GSL's step-size control "
        "(absolute tolerance 1e-3, relative 0), its substep kept from step to step. NEST's order "
        "per step: integrate, add the step's spike input, detect a spike, then take the step's "
        "current-generator input for the next step. A state that becomes NaN stops the run.\n\n"
        "Reference: Hodgkin & Huxley (1952) J. Physiol. 117:500; Gerstner & Kistler (2002) "
        "Spiking Neuron Models; Dayan & Abbott (2001) Theoretical Neuroscience; NEST "
        "`hh_psc_alpha`.",
    .params = params,
    .n_params = N_PARAMS,
    .states = states,
    .n_states = N_STATES,
    .n_buffers = 3,
    .port_buffer = {0, 1, 2},
    .n_consts = N_CONSTS,
    .prepare = prepare,
    .update = update,
};
