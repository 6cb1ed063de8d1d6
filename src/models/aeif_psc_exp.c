/* aeif_psc_exp.c — adaptive exponential integrate-and-fire neuron with exponentially decaying
 * postsynaptic currents (NEST's aeif_psc_exp), integrated with adaptive Dormand-Prince 5(4)
 * and spike detection after every substep, as aeif_cond_exp. */
#include <float.h>
#include <math.h>

#include "model.h"
#include "odeint.h"

enum { P_C_m, P_g_L, P_E_L, P_V_th, P_Delta_T, P_tau_w, P_a, P_b, P_V_peak, P_V_reset, P_t_ref,
       P_tau_syn_ex, P_tau_syn_in, P_I_e, N_PARAMS };
enum { S_V_m, S_w, S_I_ex, S_I_in, S_I_stim, S_h, S_refractory, N_STATES };
/* consts: the refractory steps; the spike detection threshold (NEST: V_th where Delta_T = 0) */
enum { C_REFRACTORY, C_V_PEAK, N_CONSTS };

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
    [P_tau_syn_ex] = {"tau_syn_ex", "ms", 0.2, LP_POSITIVE, 0,
                      "Decay time of the excitatory postsynaptic current."},
    [P_tau_syn_in] = {"tau_syn_in", "ms", 2.0, LP_POSITIVE, 0,
                      "Decay time of the inhibitory postsynaptic current."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
};

static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -70.6, LP_ANY, 0, "Membrane potential."},
    [S_w] = {"w", "pA", 0.0, LP_ANY, 0, "Adaptation current."},
    [S_I_ex] = {"I_syn_ex", "pA", 0.0, LP_ANY, 0, "Excitatory postsynaptic current."},
    [S_I_in] = {"I_syn_in", "pA", 0.0, LP_ANY, 0,
                "Inhibitory postsynaptic current (NEST: positive, subtracted from the input)."},
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
}

typedef struct inputs {
    const double *p;
    double I, V_peak;
    int refractory, spiked;
} inputs;

static void rhs(const double *y, double *f, void *user)
{
    const inputs *in = user;
    const double *p = in->p;
    /* NEST: V_m clamped to V_reset while refractory; the exponential sees at most V_peak */
    const double V = in->refractory ? p[P_V_reset] : fmin(y[0], in->V_peak);
    const double spike_current =
        p[P_Delta_T] > 0.0 ? p[P_g_L] * p[P_Delta_T] * exp((V - p[P_V_th]) / p[P_Delta_T]) : 0.0;
    f[0] = in->refractory ? 0.0
                          : (-p[P_g_L] * (V - p[P_E_L]) + spike_current + y[2] - y[3] - y[1] +
                             in->I) /
                                p[P_C_m];
    f[1] = (p[P_a] * (V - p[P_E_L]) - y[1]) / p[P_tau_w];
    f[2] = -y[2] / p[P_tau_syn_ex];
    f[3] = -y[3] / p[P_tau_syn_in];
}

/* After each substep: the refractory clamp, or a spike's reset. */
static int after(double *y, void *user)
{
    inputs *in = user;
    const double *p = in->p;
    if (in->refractory) {
        y[0] = p[P_V_reset];
        return 1;
    }
    if (y[0] >= in->V_peak) {
        y[0] = p[P_V_reset];
        y[1] += p[P_b];
        in->spiked = 1;
        in->refractory = p[P_t_ref] > 0.0;
        return 1;
    }
    return 0;
}

static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0, int nsteps)
{
    const double *p = b->params;
    const int32_t refractory_steps = (int32_t)b->consts[C_REFRACTORY];
    const uint32_t n = b->n, slots = b->slots;
    double **s = b->state;
    const size_t per_buffer = (size_t)slots * n;
    double *in_ex = b->ring, *in_in = b->ring + per_buffer, *in_cur = b->ring + 2 * per_buffer;
    lspike_list *out = b->spikes;
    uint32_t first_slot = (uint32_t)(step0 % slots);
    inputs in = {p, 0.0, b->consts[C_V_PEAK], 0, 0};
    lode_system sys = {4, rhs, after, &in, 1e-6, 1e-6};

    for (uint32_t i = begin; i < end; i++) {
        double y[4] = {s[S_V_m][i], s[S_w][i], s[S_I_ex][i], s[S_I_in][i]}, h = s[S_h][i];
        double I0 = s[S_I_stim][i];
        int32_t r = (int32_t)s[S_refractory][i];
        uint32_t slot = first_slot;
        for (int k = 0; k < nsteps; k++) {
            size_t at = (size_t)slot * n + i;
            in.I = p[P_I_e] + I0;
            in.refractory = r > 0;
            in.spiked = 0;
            if (lode_advance(&sys, y, b->dt, &h) != 0 || y[0] < -1e3 || fabs(y[1]) > 1e6)
                y[0] = NAN; /* diverged (NEST's bounds): the engine stops the run */
            if (r > 0)
                r--;
            if (in.spiked) {
                r = refractory_steps;
                lspike_emit(out, i, k);
            }
            y[2] += in_ex[at];
            y[3] -= in_in[at];
            in_ex[at] = in_in[at] = 0.0;
            I0 = in_cur[at];
            in_cur[at] = 0.0;
            if (++slot == slots)
                slot = 0;
        }
        s[S_V_m][i] = y[0];
        s[S_w][i] = y[1];
        s[S_I_ex][i] = y[2];
        s[S_I_in][i] = y[3];
        s[S_h][i] = h;
        s[S_I_stim][i] = I0;
        s[S_refractory][i] = r;
    }
}

const lmodel lmodel_aeif_psc_exp = {
    .name = "aeif_psc_exp",
    .kind = LM_NEURON,
    .summary = "Adaptive exponential integrate-and-fire neuron (AdEx) with exponential "
               "postsynaptic currents.",
    .doc =
        "`C_m dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_th)/Delta_T) + I_syn_ex - I_syn_in "
        "- w + I_e + I_stim`, `tau_w dw/dt = a (V - E_L) - w`, `dI_syn_X/dt = -I_syn_X / "
        "tau_syn_X`. A spike of weight `w` (pA) adds `w` to `I_syn_ex` (w > 0) or `|w|` to "
        "`I_syn_in` (w < 0; NEST keeps it positive). When `V >= V_peak`, a spike is emitted, `V` "
        "is set to `V_reset` and `w` grows by `b`; during `t_ref` V is clamped to `V_reset`.\n\n"
        "Integration as `aeif_cond_exp`: adaptive Dormand-Prince 5(4) within each step "
        "(tolerances 1e-6), the threshold tested after every accepted substep; the exponential "
        "sees V at most V_peak. With `Delta_T` = 0 the model is an integrate-and-fire neuron "
        "whose spikes are detected at `V_th` instead of `V_peak` (NEST). Guards against blow-up: a substep below 1e-12 ms, V below "
        "-1000 mV or |w| above 1e6 pA stop the run with an error naming the neuron and the "
        "time. At most one spike per step is sent.\n\n"
        "Reference: Brette & Gerstner (2005) J. Neurophysiol. 94:3637; NEST `aeif_psc_exp`.",
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
