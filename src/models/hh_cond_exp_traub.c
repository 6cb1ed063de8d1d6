/* hh_cond_exp_traub.c — Hodgkin-Huxley neuron of Traub and Miles with exponential synaptic
 * conductances (NEST's hh_cond_exp_traub: its equations, defaults and update order), integrated
 * with NEST's RKF45. */
#include <math.h>

#include "hh.h"

enum { P_g_Na, P_g_K, P_g_L, P_C_m, P_E_Na, P_E_K, P_E_L, P_V_T, P_E_ex, P_E_in, P_tau_syn_ex,
       P_tau_syn_in, P_t_ref, P_I_e, N_PARAMS };
enum { S_V_m, S_Act_m, S_Inact_h, S_Act_n, S_g_ex, S_g_in, S_I_stim, S_h, S_refractory,
       N_STATES };
enum { C_REFRACTORY, N_CONSTS }; /* hh.h's consts[0] */
_Static_assert(S_I_stim == 6 && S_h == 7 && S_refractory == 8, "hh.h's state layout");

/* Defaults: NEST's hh_cond_exp_traub (models/hh_cond_exp_traub.cpp, Parameters_::Parameters_;
 * the same in nest-simulator 3.10's GetDefaults). */
static const lparam_def params[N_PARAMS] = {
    [P_g_Na] = {"g_Na", "nS", 20000.0, LP_ANY, 0, "Sodium peak conductance."},
    [P_g_K] = {"g_K", "nS", 6000.0, LP_ANY, 0, "Potassium peak conductance."},
    [P_g_L] = {"g_L", "nS", 10.0, LP_ANY, 0, "Leak conductance."},
    [P_C_m] = {"C_m", "pF", 200.0, LP_POSITIVE, 0, "Membrane capacitance."},
    [P_E_Na] = {"E_Na", "mV", 50.0, LP_ANY, 0, "Sodium reversal potential."},
    [P_E_K] = {"E_K", "mV", -90.0, LP_ANY, 0, "Potassium reversal potential."},
    [P_E_L] = {"E_L", "mV", -60.0, LP_ANY, 0, "Leak reversal potential."},
    [P_V_T] = {"V_T", "mV", -63.0, LP_ANY, 0,
               "Voltage offset of the rate functions (sets the threshold near -50 mV)."},
    [P_E_ex] = {"E_ex", "mV", 0.0, LP_ANY, 0, "Excitatory reversal potential."},
    [P_E_in] = {"E_in", "mV", -80.0, LP_ANY, 0, "Inhibitory reversal potential."},
    [P_tau_syn_ex] = {"tau_syn_ex", "ms", 5.0, LP_POSITIVE, 0,
                      "Decay time of the excitatory conductance."},
    [P_tau_syn_in] = {"tau_syn_in", "ms", 10.0, LP_POSITIVE, 0,
                      "Decay time of the inhibitory conductance."},
    [P_t_ref] = {"t_ref", "ms", 2.0, LP_NONNEGATIVE, 0,
                 "Pseudo-refractory period: no spike is detected during it (rounded to steps)."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
};

/* Initial state as NEST's: V_m = E_L and the gating variables at the steady state of the rate
 * functions evaluated at V = E_L itself, without the V_T offset (NEST's State_ constructor does
 * so); the values of nest-simulator 3.10's GetDefaults("hh_cond_exp_traub"), checked against
 * the formulas by test_hh_models. */
static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -60.0, LP_ANY, 0, "Membrane potential."},
    [S_Act_m] = {"Act_m", "", 9.895563096746586e-09, LP_NONNEGATIVE, 0,
                 "Sodium activation m."},
    [S_Inact_h] = {"Inact_h", "", 0.999999999106396, LP_NONNEGATIVE, 0,
                   "Sodium inactivation h."},
    [S_Act_n] = {"Act_n", "", 2.551577051602551e-07, LP_NONNEGATIVE, 0,
                 "Potassium activation n."},
    [S_g_ex] = {"g_ex", "nS", 0.0, LP_ANY, 0, "Excitatory conductance."},
    [S_g_in] = {"g_in", "nS", 0.0, LP_ANY, 0, "Inhibitory conductance."},
    [S_I_stim] = {"I_stim", "pA", 0.0, LP_ANY, LP_HIDDEN, "Current from current generators."},
    [S_h] = {"h_int", "ms", 0.0, LP_ANY, LP_HIDDEN, "Integrator's substep, kept between steps."},
    [S_refractory] = {"refractory_steps", "steps", 0.0, LP_NONNEGATIVE, LP_HIDDEN,
                      "Steps of the refractory period left (a whole number, kept as a double)."},
};

static void prepare(const double *p, double dt, double *c)
{
    c[C_REFRACTORY] = lmodel_steps(p[P_t_ref], dt);
}

/* a x / (e^{x/s} - 1), NEST's expression, with its limit a s at x = 0 (where NEST would compute
 * 0/0 = NaN) */
static inline double rate(double a, double x, double s)
{
    return x != 0.0 ? a * x / (exp(x / s) - 1.0) : a * s;
}

/* NEST's hh_cond_exp_traub_dynamics: Traub & Miles (1991) rate functions in the form of
 * Brette et al. (2007), of V - V_T in mV, rates in 1/ms. */
static void rhs(const double *y, double *f, void *user)
{
    const lhh_inputs *in = user;
    const double *p = in->p;
    const double Vm = y[S_V_m], m = y[S_Act_m], h = y[S_Inact_h], n = y[S_Act_n];
    const double I_Na = p[P_g_Na] * m * m * m * h * (Vm - p[P_E_Na]);
    const double I_K = p[P_g_K] * n * n * n * n * (Vm - p[P_E_K]);
    const double I_L = p[P_g_L] * (Vm - p[P_E_L]);
    const double I_syn_ex = y[S_g_ex] * (Vm - p[P_E_ex]);
    const double I_syn_in = y[S_g_in] * (Vm - p[P_E_in]);
    f[S_V_m] = (-I_Na - I_K - I_L - I_syn_ex - I_syn_in + in->I_stim + p[P_I_e]) / p[P_C_m];
    const double V = Vm - p[P_V_T];
    const double alpha_n = rate(0.032, 15.0 - V, 5.0);
    const double beta_n = 0.5 * exp((10.0 - V) / 40.0);
    const double alpha_m = rate(0.32, 13.0 - V, 4.0);
    const double beta_m = rate(0.28, V - 40.0, 5.0);
    const double alpha_h = 0.128 * exp((17.0 - V) / 18.0);
    const double beta_h = 4.0 / (1.0 + exp((40.0 - V) / 5.0));
    f[S_Act_m] = alpha_m - (alpha_m + beta_m) * m;
    f[S_Inact_h] = alpha_h - (alpha_h + beta_h) * h;
    f[S_Act_n] = alpha_n - (alpha_n + beta_n) * n;
    f[S_g_ex] = -y[S_g_ex] / p[P_tau_syn_ex];
    f[S_g_in] = -y[S_g_in] / p[P_tau_syn_in];
}

static const lhh_layout layout = {6, rhs, S_g_ex, S_g_in};

static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0, int nsteps)
{
    /* NEST: a spike is a local maximum of V_m at or above V_T + 30 mV; an inhibitory weight w < 0
     * adds |w| to g_in */
    lhh_update(b, begin, end, step0, nsteps, &layout, b->params[P_V_T] + 30.0, 1.0, -1.0);
}

const lmodel lmodel_hh_cond_exp_traub = {
    .name = "hh_cond_exp_traub",
    .kind = LM_NEURON,
    .summary = "Hodgkin-Huxley neuron of Traub and Miles with exponential synaptic conductances.",
    .doc =
        "`C_m dV_m/dt = -g_Na m^3 h (V_m - E_Na) - g_K n^4 (V_m - E_K) - g_L (V_m - E_L) - g_ex "
        "(V_m - E_ex) - g_in (V_m - E_in) + I_e + I_stim`; each gating variable x of m, h, n "
        "follows `dx/dt = alpha_x - (alpha_x + beta_x) x` with Traub and Miles' rate functions "
        "of `V = V_m - V_T` (mV): `alpha_n = 0.032 (15 - V) / (e^{(15 - V)/5} - 1)`, `beta_n = "
        "0.5 e^{(10 - V)/40}`, `alpha_m = 0.32 (13 - V) / (e^{(13 - V)/4} - 1)`, `beta_m = 0.28 "
        "(V - 40) / (e^{(V - 40)/5} - 1)`, `alpha_h = 0.128 e^{(17 - V)/18}`, `beta_h = 4 / (1 + "
        "e^{(40 - V)/5})` (1/ms). A spike of weight `w` (nS) makes `g_ex` (w > 0) or `g_in` (w < "
        "0, with `|w|`) jump by `|w|`; both decay exponentially with `tau_syn_ex`, `tau_syn_in`. "
        "The initial gating variables are NEST's: the steady state of the rate functions taken "
        "at `V = E_L` without the `V_T` offset; setting V_m does not change them.\n\n"
        "Spikes: emitted at the end of a step when `V_m >= V_T + 30` mV and V_m is below its "
        "value at the start of the step (it just passed a maximum), unless a spike was emitted "
        "within `t_ref` before; V_m is not reset.\n\n"
        "Integration as NEST's: Runge-Kutta-Fehlberg 4(5) with GSL's step-size control "
        "(absolute tolerance 1e-3, relative 0), its substep kept from step to step. NEST's order "
        "per step: integrate, add the step's spike input, detect a spike, then take the step's "
        "current-generator input for the next step. A state that becomes NaN stops the run.\n\n"
        "Reference: Traub & Miles (1991) Neuronal Networks of the Hippocampus; Brette et al. "
        "(2007) J. Comput. Neurosci. 23:349 (the COBAHH benchmark); NEST `hh_cond_exp_traub`.",
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
