/* iaf_psc_exp.c — leaky integrate-and-fire neuron with exponentially decaying postsynaptic
 * currents (NEST's iaf_psc_exp), integrated exactly (Rotter & Diesmann 1999). */
#include <math.h>

#include "chunk.h"
#include "propagators.h"

enum { P_E_L, P_C_m, P_tau_m, P_t_ref, P_V_th, P_V_reset, P_tau_syn_ex, P_tau_syn_in, P_I_e, N_PARAMS };
enum { S_V_m, S_I_syn_ex, S_I_syn_in, S_I_stim, S_refractory, N_STATES };
enum { C_P22, C_P20, C_P11_ex, C_P11_in, C_P21_ex, C_P21_in, C_REFRACTORY, N_CONSTS };

static const lparam_def params[N_PARAMS] = {
    [P_E_L] = {"E_L", "mV", -70.0, LP_ANY, 0, "Resting membrane potential."},
    [P_C_m] = {"C_m", "pF", 250.0, LP_POSITIVE, 0, "Membrane capacitance."},
    [P_tau_m] = {"tau_m", "ms", 10.0, LP_POSITIVE, 0, "Membrane time constant."},
    [P_t_ref] = {"t_ref", "ms", 2.0, LP_NONNEGATIVE, 0,
                 "Duration of the absolute refractory period (rounded to the nearest step)."},
    [P_V_th] = {"V_th", "mV", -55.0, LP_ANY, LP_FOLLOWS_E_L, "Spike threshold."},
    [P_V_reset] = {"V_reset", "mV", -70.0, LP_ANY, LP_FOLLOWS_E_L,
                   "Reset potential; V_m is held here during the refractory period."},
    [P_tau_syn_ex] = {"tau_syn_ex", "ms", 2.0, LP_POSITIVE, 0,
                      "Time constant of the excitatory postsynaptic current."},
    [P_tau_syn_in] = {"tau_syn_in", "ms", 2.0, LP_POSITIVE, 0,
                      "Time constant of the inhibitory postsynaptic current."},
    [P_I_e] = {"I_e", "pA", 0.0, LP_ANY, 0, "Constant input current."},
};

static const lparam_def states[N_STATES] = {
    [S_V_m] = {"V_m", "mV", -70.0, LP_ANY, LP_FOLLOWS_E_L, "Membrane potential."},
    [S_I_syn_ex] = {"I_syn_ex", "pA", 0.0, LP_ANY, 0, "Excitatory postsynaptic current."},
    [S_I_syn_in] = {"I_syn_in", "pA", 0.0, LP_ANY, 0,
                    "Inhibitory postsynaptic current (negative weights make it negative)."},
    [S_I_stim] = {"I_stim", "pA", 0.0, LP_ANY, LP_HIDDEN,
                  "Current from current generators, applied one step after it arrives (NEST)."},
    [S_refractory] = {"refractory_steps", "steps", 0.0, LP_NONNEGATIVE, LP_HIDDEN,
                      "Steps of the refractory period left (a whole number, kept as a double)."},
};

static leinao_status check(lctx *ctx, const double *p)
{
    return lmodel_check_reset(ctx, p[P_V_reset], p[P_V_th]);
}

static void prepare(const double *p, double dt, double *c)
{
    c[C_P22] = exp(-dt / p[P_tau_m]);
    c[C_P20] = -p[P_tau_m] / p[P_C_m] * expm1(-dt / p[P_tau_m]);
    c[C_P11_ex] = exp(-dt / p[P_tau_syn_ex]);
    c[C_P11_in] = exp(-dt / p[P_tau_syn_in]);
    c[C_P21_ex] = lprop_exp_current(p[P_tau_m], p[P_tau_syn_ex], p[P_C_m], dt);
    c[C_P21_in] = lprop_exp_current(p[P_tau_m], p[P_tau_syn_in], p[P_C_m], dt);
    c[C_REFRACTORY] = lmodel_steps(p[P_t_ref], dt);
}

/* Chunks of W neurons advance step by step together: each step is one loop over the chunk
 * with selects instead of branches (the compiler vectorises it), the same operations in the
 * same order for each neuron as a neuron-by-neuron loop; spikes are then emitted in (neuron,
 * step) order. */
enum { W = 64 };
_Static_assert(W <= LCHUNK_MAX, "chunk wider than the driver's");

typedef struct step_consts {
    double V_th, V_reset, I_e, P22, P20, P11_ex, P11_in, P21_ex, P21_in, refractory_steps;
} step_consts;

/* One step of a chunk (V relative to E_L; r: refractory steps left, as doubles). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline uint64_t step_chunk(const step_consts *k, int m, double *restrict V,
                                  double *restrict r, double *restrict ex, double *restrict inh,
                                  double *restrict I0, double *restrict in_ex,
                                  double *restrict in_in, double *restrict in_cur,
                                  double *restrict spiked, const int current)
{
    uint64_t bad = 0; /* a NaN or infinite state value */
    const double P22 = k->P22, P20 = k->P20, P21_ex = k->P21_ex, P21_in = k->P21_in;
    const double P11_ex = k->P11_ex, P11_in = k->P11_in, I_e = k->I_e;
    for (int j = 0; j < m; j++) {
        const double v = P22 * V[j] + P21_ex * ex[j] + P21_in * inh[j] + P20 * (I_e + I0[j]);
        const int refr = r[j] > 0.0;
        const double vv = refr ? V[j] : v, rr = refr ? r[j] - 1.0 : r[j];
        /* currents decay, then this step's spikes add to them: they act from the next step */
        ex[j] = P11_ex * ex[j] + in_ex[j];
        inh[j] = P11_in * inh[j] + in_in[j];
        in_ex[j] = in_in[j] = 0.0;
        const int spike = vv >= k->V_th;
        V[j] = spike ? k->V_reset : vv;
        r[j] = spike ? k->refractory_steps : rr;
        spiked[j] = spike ? 1.0 : 0.0;
        if (current) { /* a constant: the loop is compiled with and without this */
            I0[j] = in_cur[j];
            in_cur[j] = 0.0;
        }
        bad |= lnonfinite_bit(V[j]) | lnonfinite_bit(ex[j]) | lnonfinite_bit(inh[j]) |
               lnonfinite_bit(I0[j]);
    }
    return bad;
}

/* The kernel's view of a block for the chunk driver: the state arrays, and V_m relative to
 * E_L of the chunk being advanced. */
typedef struct kernel {
    step_consts k;
    double E_L;
    double *V_m, *ex, *inh, *I0, *r;
    size_t per_buffer;
    int current; /* b->current_input */
    double *V;   /* [W] */
} kernel;

static LCHUNK_INLINE void load(void *self, uint32_t c0, int m)
{
    const kernel *kn = self;
    lchunk_relative(m, kn->V, kn->V_m + c0, kn->E_L);
}

static LCHUNK_INLINE uint64_t step(void *self, uint32_t c0, int m, double *in, double *spiked)
{
    kernel *kn = self;
    double *in_in = in + kn->per_buffer, *in_cur = in + 2 * kn->per_buffer;
    double *ex = kn->ex + c0, *inh = kn->inh + c0, *I0 = kn->I0 + c0, *r = kn->r + c0;
    return kn->current
               ? step_chunk(&kn->k, m, kn->V, r, ex, inh, I0, in, in_in, in_cur, spiked, 1)
               : step_chunk(&kn->k, m, kn->V, r, ex, inh, I0, in, in_in, in_cur, spiked, 0);
}

static LCHUNK_INLINE void store(void *self, uint32_t c0, int m)
{
    const kernel *kn = self;
    lchunk_absolute(m, kn->V_m + c0, kn->V, kn->E_L);
}

LEINAO_KERNEL static void update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0,
                                 int nsteps)
{
    const double *p = b->params, *c = b->consts;
    const double E_L = p[P_E_L];
    double **s = b->state;
    double V[W];
    kernel kn = {.k = {p[P_V_th] - E_L, p[P_V_reset] - E_L, p[P_I_e], c[C_P22], c[C_P20],
                       c[C_P11_ex], c[C_P11_in], c[C_P21_ex], c[C_P21_in], c[C_REFRACTORY]},
                 .E_L = E_L,
                 .V_m = s[S_V_m],
                 .ex = s[S_I_syn_ex],
                 .inh = s[S_I_syn_in],
                 .I0 = s[S_I_stim],
                 .r = s[S_refractory],
                 .per_buffer = (size_t)b->slots * b->n,
                 .current = b->current_input,
                 .V = V};
    lchunk_update(b, begin, end, step0, nsteps, W, &kn, load, step, store);
}

const lmodel lmodel_iaf_psc_exp = {
    .name = "iaf_psc_exp",
    .kind = LM_NEURON,
    .summary = "Leaky integrate-and-fire neuron with exponentially decaying postsynaptic currents.",
    .doc =
        "`C_m dV_m/dt = -(C_m/tau_m)(V_m - E_L) + I_syn_ex + I_syn_in + I_e + I_stim`, with "
        "`dI_syn_X/dt = -I_syn_X / tau_syn_X`. A spike of weight `w` (pA) arriving at t adds `w` to "
        "`I_syn_ex` (w > 0) or `I_syn_in` (w < 0) at t; the current then acts on `V_m`. A spike is "
        "emitted when `V_m >= V_th`; `V_m` is set to `V_reset` and held for `t_ref`, while the "
        "currents go on decaying and collecting input.\n\n"
        "Integration is exact (Rotter & Diesmann 1999), NEST's update order: per step "
        "`V <- P22 V + P21_ex I_ex + P21_in I_in + P20 (I_e + I_stim)` (relative to E_L), then "
        "`I_X <- P11_X I_X + input_X`, with `P22 = exp(-dt/tau_m)`, `P11_X = exp(-dt/tau_syn_X)`, "
        "`P20 = tau_m/C_m (1 - P22)` and `P21_X = (1/C_m) e^{-dt/tau_m} (e^{a dt} - 1)/a`, "
        "`a = 1/tau_m - 1/tau_syn_X`, which equals `dt/C_m e^{-dt/tau_m}` in the singular case "
        "`tau_m == tau_syn_X` (no division by zero, no loss of precision near it). The PSP of a "
        "weight w is `w tau_m tau_s / (C_m (tau_s - tau_m)) (e^{-t/tau_s} - e^{-t/tau_m})`.\n\n"
        "Reference: NEST `iaf_psc_exp`; Tsodyks et al. (1998); Rotter & Diesmann (1999).",
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
