/* iaf_cond_alpha.c — leaky integrate-and-fire neuron with alpha-shaped synaptic conductances
 * (NEST's iaf_cond_alpha), integrated with adaptive Dormand-Prince 5(4) within each step. */
#include <math.h>

#include "model.h"
#include "odeint.h"

enum { P_V_th, P_V_reset, P_t_ref, P_g_L, P_C_m, P_E_ex, P_E_in, P_E_L, P_tau_syn_ex,
       P_tau_syn_in, P_I_e, N_PARAMS };
enum { S_V_m, S_dg_ex, S_g_ex, S_dg_in, S_g_in, S_I_stim, S_h, S_refractory, N_STATES };
/* consts: the refractory steps, e / tau_syn_X (a weight w makes the conductance peak at w) */
enum { C_REFRACTORY, C_PSC_EX, C_PSC_IN, N_CONSTS };

static const lparam_def params[N_PARAMS] = {
    [P_V_th] = {"V_th", "mV", -55.0, LP_ANY, 0, "Spike threshold."},
    [P_V_reset] = {"V_reset", "mV", -60.0, LP_ANY, 0,
                   "Reset potential; V_m is held here during the refractory period."},
    [P_t_ref] = {"t_ref", "ms", 2.0, LP_NONNEGATIVE, 0,
                 "Duration of the absolute refractory period (rounded to the nearest step)."},
    [P_g_L] = {"g_L", "nS", 16.6667, LP_POSITIVE, 0, "Leak conductance."},
    [P_C_m] = {"C_m", "pF", 250.0, LP_POSITIVE, 0, "Membrane capacitance."},
    [P_E_ex] = {"E_ex", "mV", 0.0, LP_ANY, 0, "Excitatory reversal potential."},
    [P_E_in] = {"E_in", "mV", -85.0, LP_ANY, 0, "Inhibitory reversal potential."},
    [P_E_L] = {"E_L", "mV", -70.0, LP_ANY, 0, "Leak reversal potential."},
    [P_tau_syn_ex] = {"tau_syn_ex", "ms", 0.2, LP_POSITIVE, 0,
                      "Rise time of the excitatory conductance (its peak time)."},
    [P_tau_syn_in] = {"tau_syn_in", "ms", 2.0, LP_POSITIVE, 0,
                      "Rise time of the inhibitory conductance (its peak time)."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
};

static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -70.0, LP_ANY, 0, "Membrane potential."},
    [S_dg_ex] = {"dg_ex", "nS/ms", 0.0, LP_ANY, 0,
                 "Derivative state of the excitatory conductance."},
    [S_g_ex] = {"g_ex", "nS", 0.0, LP_ANY, 0, "Excitatory conductance."},
    [S_dg_in] = {"dg_in", "nS/ms", 0.0, LP_ANY, 0,
                 "Derivative state of the inhibitory conductance."},
    [S_g_in] = {"g_in", "nS", 0.0, LP_ANY, 0, "Inhibitory conductance."},
    [S_I_stim] = {"I_stim", "pA", 0.0, LP_ANY, LP_HIDDEN, "Current from current generators."},
    [S_h] = {"h_int", "ms", 0.0, LP_ANY, LP_HIDDEN, "Integrator's substep, kept between steps."},
    [S_refractory] = {"refractory_steps", "steps", 0.0, LP_NONNEGATIVE, LP_HIDDEN,
                      "Steps of the refractory period left (a whole number, kept as a double)."},
};

static leinao_status check(lctx *ctx, const double *p)
{
    return lmodel_check_reset(ctx, p[P_V_reset], p[P_V_th]);
}

static void prepare(const double *p, double dt, double *c)
{
    c[C_REFRACTORY] = lmodel_steps(p[P_t_ref], dt);
    c[C_PSC_EX] = exp(1.0) / p[P_tau_syn_ex];
    c[C_PSC_IN] = exp(1.0) / p[P_tau_syn_in];
}

typedef struct inputs {
    const double *p;
    double I; /* I_e + I_stim */
    int refractory;
} inputs;

static void rhs(const double *y, double *f, void *user)
{
    const inputs *in = user;
    const double *p = in->p, V = y[0];
    f[0] = in->refractory ? 0.0
                          : (-p[P_g_L] * (V - p[P_E_L]) - y[2] * (V - p[P_E_ex]) -
                             y[4] * (V - p[P_E_in]) + in->I) /
                                p[P_C_m];
    /* alpha functions: (dg, g) with dg' = -dg / tau, g' = dg - g / tau */
    f[1] = -y[1] / p[P_tau_syn_ex];
    f[2] = y[1] - y[2] / p[P_tau_syn_ex];
    f[3] = -y[3] / p[P_tau_syn_in];
    f[4] = y[3] - y[4] / p[P_tau_syn_in];
}

static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0, int nsteps)
{
    const double *p = b->params, *c = b->consts;
    const int32_t refractory_steps = (int32_t)c[C_REFRACTORY];
    const uint32_t n = b->n, slots = b->slots;
    double **s = b->state;
    const size_t per_buffer = (size_t)slots * n;
    double *in_ex = b->ring, *in_in = b->ring + per_buffer, *in_cur = b->ring + 2 * per_buffer;
    lspike_list *out = b->spikes;
    const uint32_t first_slot = (uint32_t)(step0 % slots);
    inputs in = {p, 0.0, 0};
    lode_system sys = {5, rhs, NULL, &in, 1e-6, 1e-6};

    for (uint32_t i = begin; i < end; i++) {
        double y[5] = {s[S_V_m][i], s[S_dg_ex][i], s[S_g_ex][i], s[S_dg_in][i], s[S_g_in][i]};
        double h = s[S_h][i], I0 = s[S_I_stim][i];
        int32_t r = (int32_t)s[S_refractory][i];
        uint32_t slot = first_slot;
        for (int k = 0; k < nsteps; k++) {
            const size_t at = (size_t)slot * n + i;
            in.I = p[P_I_e] + I0;
            in.refractory = r > 0;
            if (lode_advance(&sys, y, b->dt, &h) != 0)
                y[0] = NAN; /* diverged: the engine stops the run */
            /* NEST's order: integrate, then the refractory clamp or the threshold test */
            if (r > 0) {
                r--;
                y[0] = p[P_V_reset];
            } else if (y[0] >= p[P_V_th]) {
                r = refractory_steps;
                y[0] = p[P_V_reset];
                lspike_emit(out, i, k);
            }
            y[1] += c[C_PSC_EX] * in_ex[at];
            y[3] -= c[C_PSC_IN] * in_in[at];
            in_ex[at] = in_in[at] = 0.0;
            I0 = in_cur[at];
            in_cur[at] = 0.0;
            if (++slot == slots)
                slot = 0;
        }
        s[S_V_m][i] = y[0];
        s[S_dg_ex][i] = y[1];
        s[S_g_ex][i] = y[2];
        s[S_dg_in][i] = y[3];
        s[S_g_in][i] = y[4];
        s[S_h][i] = h;
        s[S_I_stim][i] = I0;
        s[S_refractory][i] = r;
    }
}

const lmodel lmodel_iaf_cond_alpha = {
    .name = "iaf_cond_alpha",
    .kind = LM_NEURON,
    .summary = "Leaky integrate-and-fire neuron with alpha-shaped synaptic conductances.",
    .doc =
        "`C_m dV_m/dt = -g_L (V_m - E_L) - g_ex (V_m - E_ex) - g_in (V_m - E_in) + I_e + I_stim`. "
        "A spike of weight `w` (nS) arriving at t0 adds the conductance `w e/tau_s (t - t0) "
        "e^{-(t - t0)/tau_s}` to `g_ex` (w > 0) or, with `|w|`, to `g_in` (w < 0): it peaks at "
        "`|w|` at `t0 + tau_s`. A spike is emitted when `V_m >= V_th` at the end of a step; "
        "`V_m` is set to `V_reset` and held there for `t_ref` (the conductances go on).\n\n"
        "Integration: within each step an adaptive Dormand-Prince 5(4) Runge-Kutta pair "
        "(absolute and relative tolerance 1e-6, as NEST's GSL integrator), its substep kept "
        "from step to step. NEST's order per step: integrate, then the refractory clamp or the "
        "threshold test, then this step's spikes add `e/tau_s |w|` to the conductance's "
        "derivative state, and current-generator input is applied from the next step on. A "
        "state that becomes NaN stops the run with an error naming the neuron.\n\n"
        "Reference: NEST `iaf_cond_alpha`; Kuhn, Aertsen & Rotter (2004) J. Neurosci. 24:2345.",
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
