/* iaf_cond_exp.c — leaky integrate-and-fire neuron with exponentially decaying synaptic
 * conductances (NEST's iaf_cond_exp), integrated with adaptive Dormand-Prince 5(4). */
#include <math.h>

#include "model.h"
#include "odeint.h"

enum { P_V_th, P_V_reset, P_t_ref, P_g_L, P_C_m, P_E_ex, P_E_in, P_E_L, P_tau_syn_ex,
       P_tau_syn_in, P_I_e, N_PARAMS };
enum { S_V_m, S_g_ex, S_g_in, S_I_stim, S_h, N_STATES };
enum { C_REFRACTORY, N_CONSTS };

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
                      "Decay time of the excitatory conductance."},
    [P_tau_syn_in] = {"tau_syn_in", "ms", 2.0, LP_POSITIVE, 0,
                      "Decay time of the inhibitory conductance."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
};

static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -70.0, LP_ANY, 0, "Membrane potential."},
    [S_g_ex] = {"g_ex", "nS", 0.0, LP_ANY, 0, "Excitatory conductance."},
    [S_g_in] = {"g_in", "nS", 0.0, LP_ANY, 0, "Inhibitory conductance."},
    [S_I_stim] = {"I_stim", "pA", 0.0, LP_ANY, LP_HIDDEN, "Current from current generators."},
    [S_h] = {"h_int", "ms", 0.0, LP_ANY, LP_HIDDEN, "Integrator's substep, kept between steps."},
};

static leinao_status check(lctx *ctx, const double *p)
{
    return lmodel_check_reset(ctx, p[P_V_reset], p[P_V_th]);
}

static void prepare(const double *p, double dt, double *c)
{
    c[C_REFRACTORY] = lmodel_steps(p[P_t_ref], dt);
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
                          : (-p[P_g_L] * (V - p[P_E_L]) - y[1] * (V - p[P_E_ex]) -
                             y[2] * (V - p[P_E_in]) + in->I) /
                                p[P_C_m];
    f[1] = -y[1] / p[P_tau_syn_ex];
    f[2] = -y[2] / p[P_tau_syn_in];
}

static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0, int nsteps)
{
    const double *p = b->params;
    const double dt = b->dt;
    const int32_t refractory_steps = (int32_t)b->consts[C_REFRACTORY];
    const uint32_t n = b->n, slots = b->slots;
    double **s = b->state;
    const size_t per_buffer = (size_t)slots * n;
    double *in_ex = b->ring, *in_in = b->ring + per_buffer, *in_cur = b->ring + 2 * per_buffer;
    lspike_list *out = b->spikes;
    uint32_t first_slot = (uint32_t)(step0 % slots);
    inputs in = {p, 0.0, 0};
    lode_system sys = {3, rhs, NULL, &in, 1e-6, 1e-6};

    for (uint32_t i = begin; i < end; i++) {
        double y[3] = {s[S_V_m][i], s[S_g_ex][i], s[S_g_in][i]}, h = s[S_h][i];
        double I0 = s[S_I_stim][i];
        int32_t r = b->refractory[i];
        uint32_t slot = first_slot;
        for (int k = 0; k < nsteps; k++) {
            size_t at = (size_t)slot * n + i;
            in.I = p[P_I_e] + I0;
            in.refractory = r > 0;
            if (lode_advance(&sys, y, dt, &h) != 0)
                y[0] = NAN; /* diverged: the engine stops the run and names the neuron */
            if (r > 0) {
                r--;
                y[0] = p[P_V_reset];
            } else if (y[0] >= p[P_V_th]) {
                r = refractory_steps;
                y[0] = p[P_V_reset];
                lspike_emit(out, i, k);
            }
            y[1] += in_ex[at];
            y[2] -= in_in[at]; /* inhibitory weights are negative; g_in is positive */
            in_ex[at] = in_in[at] = 0.0;
            I0 = in_cur[at];
            in_cur[at] = 0.0;
            if (++slot == slots)
                slot = 0;
        }
        s[S_V_m][i] = y[0];
        s[S_g_ex][i] = y[1];
        s[S_g_in][i] = y[2];
        s[S_h][i] = h;
        s[S_I_stim][i] = I0;
        b->refractory[i] = r;
    }
}

const lmodel lmodel_iaf_cond_exp = {
    .name = "iaf_cond_exp",
    .kind = LM_NEURON,
    .summary = "Leaky integrate-and-fire neuron with exponentially decaying conductances.",
    .doc =
        "`C_m dV_m/dt = -g_L (V_m - E_L) - g_ex (V_m - E_ex) - g_in (V_m - E_in) + I_e + I_stim`, "
        "`dg_X/dt = -g_X / tau_syn_X`. A spike of weight `w` (nS) adds `w` to `g_ex` (w > 0) or "
        "`|w|` to `g_in` (w < 0) at its arrival. A spike is emitted when `V_m >= V_th` at the end "
        "of a step; `V_m` is set to `V_reset` and held there for `t_ref` (the conductances go on "
        "decaying).\n\n"
        "Integration: within each step the system is integrated with an adaptive Dormand-Prince "
        "5(4) Runge-Kutta pair (absolute and relative tolerance 1e-6), whose substep is kept "
        "from step to step as NEST keeps its GSL integrator's. The test suite compares it with a "
        "fine-step reference (see tests/unit/test_conductance_models.c for the error reached). "
        "NEST's order per step: integrate, then the refractory clamp or the threshold test, "
        "then this step's spikes add to the conductances, and current-generator input is "
        "applied from the next step on. A state that becomes NaN or diverges stops the run "
        "with an error naming the neuron.\n\n"
        "Reference: NEST `iaf_cond_exp`; Vogels & Abbott (2005); Brette et al. (2007).",
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
