/* iaf_psc_exp_htum.c — iaf_psc_exp with separate absolute and total refractory periods (NEST's
 * iaf_psc_exp_htum, after Hill and Tononi): V_m is held at V_reset for t_ref_abs, and no spike
 * is emitted for t_ref_tot >= t_ref_abs, while V_m evolves in between. Integrated exactly, as
 * iaf_psc_exp (same propagators, same update order). */
#include <math.h>

#include "chunk.h"
#include "propagators.h"

enum {
    P_E_L, P_C_m, P_tau_m, P_t_ref_abs, P_t_ref_tot, P_V_th, P_V_reset, P_tau_syn_ex,
    P_tau_syn_in, P_I_e, N_PARAMS
};
enum { S_V_m, S_I_syn_ex, S_I_syn_in, S_I_stim, S_refractory_abs, S_refractory_tot, N_STATES };
enum { C_P22, C_P20, C_P11_ex, C_P11_in, C_P21_ex, C_P21_in, C_REF_ABS, C_REF_TOT, N_CONSTS };

static const lparam_def params[N_PARAMS] = {
    [P_E_L] = {"E_L", "mV", -70.0, LP_ANY, 0, "Resting membrane potential."},
    [P_C_m] = {"C_m", "pF", 250.0, LP_POSITIVE, 0, "Membrane capacitance."},
    [P_tau_m] = {"tau_m", "ms", 10.0, LP_POSITIVE, 0, "Membrane time constant."},
    [P_t_ref_abs] = {"t_ref_abs", "ms", 2.0, LP_POSITIVE, 0,
                     "Absolute refractory period: V_m is held at V_reset (rounded to the nearest "
                     "step; at least one step)."},
    [P_t_ref_tot] = {"t_ref_tot", "ms", 2.0, LP_POSITIVE, 0,
                     "Total refractory period: no spike, V_m evolves after t_ref_abs (rounded to "
                     "the nearest step; at least one step, >= t_ref_abs)."},
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
    [S_refractory_abs] = {"refractory_abs_steps", "steps", 0.0, LP_NONNEGATIVE, LP_HIDDEN,
                          "Steps of the absolute refractory period left (a whole number, kept "
                          "as a double)."},
    [S_refractory_tot] = {"refractory_tot_steps", "steps", 0.0, LP_NONNEGATIVE, LP_HIDDEN,
                          "Steps of the total refractory period left (a whole number, kept as "
                          "a double)."},
};

static leinao_status check(lctx *ctx, const double *p)
{
    if (!(p[P_t_ref_abs] <= p[P_t_ref_tot]))
        return lc_error(ctx, LEINAO_INVALID,
                        "t_ref_tot must be >= t_ref_abs, got t_ref_abs = %g, t_ref_tot = %g",
                        p[P_t_ref_abs], p[P_t_ref_tot]);
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
    /* at least one step each: NEST refuses shorter periods at calibration, where leinao's rules
     * between parameters do not know dt, so a shorter one counts as one step */
    c[C_REF_ABS] = fmax(1.0, lmodel_steps(p[P_t_ref_abs], dt));
    c[C_REF_TOT] = fmax(1.0, lmodel_steps(p[P_t_ref_tot], dt));
}

/* Chunks of W neurons advance step by step together: each step is one loop over the chunk
 * with selects instead of branches (the compiler vectorises it), the same operations in the
 * same order for each neuron as a neuron-by-neuron loop; spikes are then emitted in (neuron,
 * step) order. */
enum { W = 64 };
_Static_assert(W <= LCHUNK_MAX, "chunk wider than the driver's");

typedef struct step_consts {
    double V_th, V_reset, I_e, P22, P20, P11_ex, P11_in, P21_ex, P21_in, abs_steps, tot_steps;
} step_consts;

/* One step of a chunk (V relative to E_L; ra, rt: absolute and total refractory steps left, as
 * doubles). NEST's order: V evolves unless absolutely refractory, the currents decay and
 * collect input, the threshold is checked unless totally refractory. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline uint64_t step_chunk(const step_consts *k, int m, double *restrict V,
                                  double *restrict ra, double *restrict rt, double *restrict ex,
                                  double *restrict inh,
                                  double *restrict I0, double *restrict in_ex,
                                  double *restrict in_in, double *restrict in_cur,
                                  double *restrict spiked, const int current)
{
    uint64_t bad = 0; /* a NaN or infinite state value */
    const double P22 = k->P22, P20 = k->P20, P21_ex = k->P21_ex, P21_in = k->P21_in;
    const double P11_ex = k->P11_ex, P11_in = k->P11_in, I_e = k->I_e;
    for (int j = 0; j < m; j++) {
        const double v = P22 * V[j] + P21_ex * ex[j] + P21_in * inh[j] + P20 * (I_e + I0[j]);
        const int refr = ra[j] > 0.0, total = rt[j] > 0.0;
        const double vv = refr ? V[j] : v, rra = refr ? ra[j] - 1.0 : ra[j];
        const double rrt = total ? rt[j] - 1.0 : rt[j];
        /* currents decay, then this step's spikes add to them: they act from the next step */
        ex[j] = P11_ex * ex[j] + in_ex[j];
        inh[j] = P11_in * inh[j] + in_in[j];
        in_ex[j] = in_in[j] = 0.0;
        const int spike = !total && vv >= k->V_th;
        V[j] = spike ? k->V_reset : vv;
        ra[j] = spike ? k->abs_steps : rra;
        rt[j] = spike ? k->tot_steps : rrt;
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
    double *V_m, *ex, *inh, *I0, *ra, *rt;
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
    double *ex = kn->ex + c0, *inh = kn->inh + c0, *I0 = kn->I0 + c0;
    double *ra = kn->ra + c0, *rt = kn->rt + c0;
    return kn->current
               ? step_chunk(&kn->k, m, kn->V, ra, rt, ex, inh, I0, in, in_in, in_cur, spiked, 1)
               : step_chunk(&kn->k, m, kn->V, ra, rt, ex, inh, I0, in, in_in, in_cur, spiked, 0);
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
                       c[C_P11_ex], c[C_P11_in], c[C_P21_ex], c[C_P21_in], c[C_REF_ABS],
                       c[C_REF_TOT]},
                 .E_L = E_L,
                 .V_m = s[S_V_m],
                 .ex = s[S_I_syn_ex],
                 .inh = s[S_I_syn_in],
                 .I0 = s[S_I_stim],
                 .ra = s[S_refractory_abs],
                 .rt = s[S_refractory_tot],
                 .per_buffer = (size_t)b->slots * b->n,
                 .current = b->current_input,
                 .V = V};
    lchunk_update(b, begin, end, step0, nsteps, W, &kn, load, step, store);
}

const lmodel lmodel_iaf_psc_exp_htum = {
    .name = "iaf_psc_exp_htum",
    .kind = LM_NEURON,
    .summary = "iaf_psc_exp with separate absolute and total refractory periods.",
    .doc =
        "The dynamics of `iaf_psc_exp`: `C_m dV_m/dt = -(C_m/tau_m)(V_m - E_L) + I_syn_ex + "
        "I_syn_in + I_e + I_stim`, `dI_syn_X/dt = -I_syn_X / tau_syn_X`, integrated exactly with "
        "the same propagators and NEST's update order. After a spike `V_m` is set to `V_reset` "
        "and held there for `t_ref_abs` (absolute refractory period); until `t_ref_tot` has "
        "passed (total refractory period, `t_ref_tot >= t_ref_abs`) `V_m` evolves but no spike "
        "is emitted, even above `V_th`: a spike follows at the first step after `t_ref_tot` "
        "where `V_m >= V_th`. With `t_ref_abs == t_ref_tot` the model is `iaf_psc_exp` with "
        "`t_ref` of that length. Both periods are rounded to the step and last at least one "
        "step (NEST refuses a period shorter than a step; here it counts as one step).\n\n"
        "Reference: NEST `iaf_psc_exp_htum`; Hill & Tononi (2005); Tsodyks, Uziel & Markram "
        "(2000); Rotter & Diesmann (1999).",
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
