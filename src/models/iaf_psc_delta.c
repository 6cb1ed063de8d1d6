/* iaf_psc_delta.c — leaky integrate-and-fire neuron with delta-shaped synaptic input (NEST's
 * iaf_psc_delta), integrated exactly (Rotter & Diesmann 1999). */
#include <math.h>

#include "chunk.h"

enum { P_E_L, P_C_m, P_tau_m, P_t_ref, P_V_th, P_V_reset, P_V_min, P_I_e, N_PARAMS };
enum { S_V_m, S_I_stim, S_refractory, N_STATES };
enum { C_P33, C_P30, C_REFRACTORY_STEPS, N_CONSTS };

static const lparam_def params[N_PARAMS] = {
    [P_E_L] = {"E_L", "mV", -70.0, LP_ANY, 0, "Resting membrane potential."},
    [P_C_m] = {"C_m", "pF", 250.0, LP_POSITIVE, 0,
               "Membrane capacitance. With C_m = 1 a weight of w raises V_m by w mV."},
    [P_tau_m] = {"tau_m", "ms", 10.0, LP_POSITIVE, 0, "Membrane time constant."},
    [P_t_ref] = {"t_ref", "ms", 2.0, LP_NONNEGATIVE, 0,
                 "Duration of the absolute refractory period (rounded to the nearest step)."},
    [P_V_th] = {"V_th", "mV", -55.0, LP_ANY, LP_FOLLOWS_E_L, "Spike threshold."},
    [P_V_reset] = {"V_reset", "mV", -70.0, LP_ANY, LP_FOLLOWS_E_L,
                   "Reset potential; V_m is held here during the refractory period."},
    [P_V_min] = {"V_min", "mV", -INFINITY, LP_ANY, LP_FOLLOWS_E_L | LP_INF_OK,
                 "Lower bound of V_m (-inf: unbounded)."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
};

static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -70.0, LP_ANY, LP_FOLLOWS_E_L, "Membrane potential."},
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
    c[C_P33] = exp(-dt / p[P_tau_m]);
    c[C_P30] = -p[P_tau_m] / p[P_C_m] * expm1(-dt / p[P_tau_m]);
    c[C_REFRACTORY_STEPS] = lmodel_steps(p[P_t_ref], dt);
}

/* Chunks of W neurons advance step by step together, one vectorised loop per step with selects
 * instead of branches: the same operations in the same order for each neuron as a
 * neuron-by-neuron loop; spikes are then emitted in (neuron, step) order. */
enum { W = 64 };
_Static_assert(W <= LCHUNK_MAX, "chunk wider than the driver's");

typedef struct step_consts {
    double E_L, V_th, V_reset, V_min, I_e, P33, P30, refractory_steps;
} step_consts;

#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline uint64_t step_chunk(const step_consts *c, int m, double *restrict V,
                                  double *restrict I, double *restrict r,
                                  double *restrict spike_in, double *restrict current_in,
                                  double *restrict spiked)
{
    uint64_t bad = 0; /* a NaN or infinite state value */
    const double E_L = c->E_L, P33 = c->P33, P30 = c->P30, I_e = c->I_e, V_min = c->V_min;
    for (int j = 0; j < m; j++) {
        const double input = spike_in[j], current = current_in[j], rr = r[j];
        spike_in[j] = 0.0;
        current_in[j] = 0.0;
        const int refr = rr > 0.0; /* input arriving while refractory is discarded */
        double v = E_L + P33 * (V[j] - E_L) + P30 * (I[j] + I_e) + input;
        v = v < V_min ? V_min : v;
        v = refr ? V[j] : v;
        const int spike = v >= c->V_th;
        V[j] = spike ? c->V_reset : v;
        r[j] = spike ? c->refractory_steps : refr ? rr - 1.0 : rr + 0.0;
        spiked[j] = spike ? 1.0 : 0.0;
        I[j] = current;
        bad |= lnonfinite_bit(V[j]) | lnonfinite_bit(current);
    }
    return bad;
}

/* The kernel's view of a block for the chunk driver. */
typedef struct kernel {
    step_consts k;
    double *V, *I, *r; /* state arrays */
    size_t per_buffer;
} kernel;

static LCHUNK_INLINE uint64_t step(void *self, uint32_t c0, int m, double *in, double *spiked)
{
    const kernel *kn = self;
    return step_chunk(&kn->k, m, kn->V + c0, kn->I + c0, kn->r + c0, in, in + kn->per_buffer,
                      spiked);
}

LEINAO_KERNEL static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0,
                                 int nsteps)
{
    const double *p = b->params, *c = b->consts;
    kernel kn = {{p[P_E_L], p[P_V_th], p[P_V_reset], p[P_V_min], p[P_I_e], c[C_P33], c[C_P30],
                  c[C_REFRACTORY_STEPS]},
                 b->state[S_V_m],
                 b->state[S_I_stim],
                 b->state[S_refractory],
                 (size_t)b->slots * b->n};
    lchunk_update(b, begin, end, step0, nsteps, W, &kn, NULL, step, NULL);
}

const lmodel lmodel_iaf_psc_delta = {
    .name = "iaf_psc_delta",
    .kind = LM_NEURON,
    .summary = "Leaky integrate-and-fire neuron with delta-shaped postsynaptic currents.",
    .doc =
        "Membrane potential `V_m` follows `C_m dV/dt = -(C_m/tau_m)(V_m - E_L) + I_e + I_stim`, "
        "and each incoming spike of weight `w` makes `V_m` jump by `w` mV at the moment it "
        "arrives (spike time + delay). A spike is emitted when `V_m >= V_th`; then `V_m` is set "
        "to `V_reset` and held there for `t_ref`. Input arriving during the refractory period "
        "is discarded (NEST's default, `refractory_input = false`).\n\n"
        "Integration is exact (Rotter & Diesmann 1999): per step "
        "`V <- E_L + P33 (V - E_L) + P30 (I_stim + I_e) + input`, with "
        "`P33 = exp(-dt/tau_m)` and `P30 = tau_m/C_m (1 - P33)`. As in NEST, current from a "
        "`dc_generator` takes effect one step after it arrives, and `V_th`, `V_reset`, `V_min` "
        "and the initial `V_m` move with `E_L` when `E_L` is set and they are not.\n\n"
        "Both excitatory (w > 0) and inhibitory (w < 0) spikes act on `V_m` directly. "
        "Reference: NEST `iaf_psc_delta`; Brunel (2000) J. Comput. Neurosci. 8:183.",
    .params = params,
    .n_params = N_PARAMS,
    .states = states,
    .n_states = N_STATES,
    .n_buffers = 2,
    .port_buffer = {0, 0, 1},
    .n_consts = N_CONSTS,
    .check = check,
    .prepare = prepare,
    .update = update,
    .reports_nonfinite = 1,
};
