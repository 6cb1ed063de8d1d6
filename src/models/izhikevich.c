/* izhikevich.c — Izhikevich (2003) simple model (NEST's izhikevich), NEST's integration. */
#include <math.h>

#include "model.h"

enum { P_a, P_b, P_c, P_d, P_I_e, P_V_th, P_V_min, P_consistent, N_PARAMS };
enum { S_V_m, S_U_m, S_I_stim, N_STATES };

static const lparam_def params[N_PARAMS] = {
    [P_a] = {"a", "1/ms", 0.02, LP_ANY, 0, "Time scale of the recovery variable U_m."},
    [P_b] = {"b", "1/ms", 0.2, LP_ANY, 0, "Sensitivity of U_m to V_m."},
    [P_c] = {"c", "mV", -65.0, LP_ANY, 0, "After-spike reset value of V_m."},
    [P_d] = {"d", "mV", 8.0, LP_ANY, 0, "After-spike increment of U_m."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current (acts as mV/ms, as in NEST)."},
    [P_V_th] = {"V_th", "mV", 30.0, LP_ANY, 0, "Spike threshold (the peak)."},
    [P_V_min] = {"V_min", "mV", -INFINITY, LP_ANY, LP_INF_OK, "Lower bound of V_m."},
    [P_consistent] = {"consistent_integration", "", 1.0, LP_NONNEGATIVE, 0,
                      "1: forward Euler on (V, U) (NEST's default); 0: Izhikevich's published "
                      "scheme (two half steps for V, then U from the new V)."},
};

static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -65.0, LP_ANY, 0, "Membrane potential."},
    [S_U_m] = {"U_m", "mV", -13.0, LP_ANY, 0, "Recovery variable."},
    [S_I_stim] = {"I_stim", "pA", 0.0, LP_ANY, LP_HIDDEN, "Current from current generators."},
};

static leinao_status check(lctx *ctx, const double *p)
{
    if (p[P_consistent] != 0.0 && p[P_consistent] != 1.0)
        return lc_error(ctx, LEINAO_INVALID, "consistent_integration must be 0 or 1, got %g",
                        p[P_consistent]);
    return LEINAO_OK;
}

static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0, int nsteps)
{
    const double *p = b->params, h = b->dt;
    const double a = p[P_a], bb = p[P_b], c = p[P_c], d = p[P_d], I_e = p[P_I_e];
    const int consistent = p[P_consistent] != 0.0;
    const uint32_t n = b->n, slots = b->slots;
    double *V_m = b->state[S_V_m], *U_m = b->state[S_U_m], *I_stim = b->state[S_I_stim];
    double *in_spk = b->ring, *in_cur = b->ring + (size_t)slots * n;
    lspike_list *out = b->spikes;
    uint32_t first_slot = (uint32_t)(step0 % slots);

    for (uint32_t i = begin; i < end; i++) {
        double v = V_m[i], u = U_m[i], I = I_stim[i];
        uint32_t slot = first_slot;
        for (int k = 0; k < nsteps; k++) {
            size_t at = (size_t)slot * n + i;
            double input = in_spk[at];
            in_spk[at] = 0.0;
            if (consistent) {
                double v_old = v, u_old = u;
                v += h * (0.04 * v_old * v_old + 5.0 * v_old + 140.0 - u_old + I + I_e) + input;
                u += h * a * (bb * v_old - u_old);
            } else {
                v += h / 2 * (0.04 * v * v + 5.0 * v + 140.0 - u + I + I_e);
                v += h / 2 * (0.04 * v * v + 5.0 * v + 140.0 - u + I + I_e) + input;
                u += h * a * (bb * v - u);
            }
            if (v < p[P_V_min])
                v = p[P_V_min];
            if (v >= p[P_V_th]) {
                v = c;
                u += d;
                lspike_emit(out, i, k);
            }
            I = in_cur[at];
            in_cur[at] = 0.0;
            if (++slot == slots)
                slot = 0;
        }
        V_m[i] = v;
        U_m[i] = u;
        I_stim[i] = I;
    }
}

const lmodel lmodel_izhikevich = {
    .name = "izhikevich",
    .kind = LM_NEURON,
    .summary = "Izhikevich (2003) simple spiking neuron.",
    .doc = "`dV_m/dt = 0.04 V_m^2 + 5 V_m + 140 - U_m + I_e + I_stim`, "
           "`dU_m/dt = a (b V_m - U_m)`; when `V_m >= V_th` a spike is emitted, `V_m <- c`, "
           "`U_m <- U_m + d`. A spike of weight `w` makes `V_m` jump by `w` mV on arrival. "
           "No refractory period.\n\n"
           "Integration as NEST: forward Euler with step dt on (V_m, U_m) when "
           "`consistent_integration` is 1 (the default), or Izhikevich's published scheme (two "
           "half steps for V_m, then U_m from the new V_m) when it is 0. As in NEST and "
           "Izhikevich's paper, currents enter the equation directly (units of mV/ms).\n\n"
           "Reference: Izhikevich (2003) IEEE Trans. Neural Netw. 14:1569; NEST `izhikevich`.",
    .params = params,
    .n_params = N_PARAMS,
    .states = states,
    .n_states = N_STATES,
    .n_buffers = 2,
    .port_buffer = {0, 0, 1},
    .check = check,
    .update = update,
};
