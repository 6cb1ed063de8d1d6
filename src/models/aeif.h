/* aeif.h — what the adaptive exponential integrate-and-fire models (aeif_cond_exp,
 * aeif_cond_alpha, aeif_psc_exp, aeif_psc_alpha) share: the first parameters, the inputs of
 * their right-hand sides, the spike current and adaptation terms, the reset hook and the update
 * driver over the adaptive integrator. Each model keeps its own synaptic dynamics (rhs) and its
 * own state layout for them. */
#ifndef LEINAO_MODELS_AEIF_H
#define LEINAO_MODELS_AEIF_H

#include "model.h"
#include "odeint.h"

/* Parameters 0 .. 10 of every aeif model, in this order (each model's own enum starts so,
 * checked by static assertions there). */
enum { LAEIF_C_m, LAEIF_g_L, LAEIF_E_L, LAEIF_V_th, LAEIF_Delta_T, LAEIF_tau_w, LAEIF_a, LAEIF_b,
       LAEIF_V_peak, LAEIF_V_reset, LAEIF_t_ref };

/* What the right-hand side and the reset hook read; V_peak is where a spike is detected. */
typedef struct laeif_inputs {
    const double *p;
    double I, V_peak;
    int refractory, spiked;
} laeif_inputs;

/* NEST: V_m clamped to V_reset while refractory; the exponential sees at most V_peak. */
static inline double laeif_voltage(const laeif_inputs *in, double V)
{
    return in->refractory ? in->p[LAEIF_V_reset] : fmin(V, in->V_peak);
}

static inline double laeif_spike_current(const double *p, double V)
{
    return p[LAEIF_Delta_T] > 0.0
               ? p[LAEIF_g_L] * p[LAEIF_Delta_T] * exp((V - p[LAEIF_V_th]) / p[LAEIF_Delta_T])
               : 0.0;
}

/* dw/dt */
static inline double laeif_adaptation(const double *p, double V, double w)
{
    return (p[LAEIF_a] * (V - p[LAEIF_E_L]) - w) / p[LAEIF_tau_w];
}

/* After each substep: the refractory clamp, or a spike's reset (y[0] = V_m, y[1] = w). */
static inline int laeif_after(double *y, void *user)
{
    laeif_inputs *in = user;
    const double *p = in->p;
    if (in->refractory) {
        y[0] = p[LAEIF_V_reset];
        return 1;
    }
    if (y[0] >= in->V_peak) {
        y[0] = p[LAEIF_V_reset];
        y[1] += p[LAEIF_b];
        in->spiked = 1;
        in->refractory = p[LAEIF_t_ref] > 0.0;
        return 1;
    }
    return 0;
}

/* How a model lays out its integrated state and takes its spike input: the first `dim` state
 * variables are integrated (V_m and w first), followed by I_stim, the substep h and the
 * refractory steps left; a step's spike input is y[ex] += scale_ex in_ex and
 * y[in] -= scale_in in_in (the inhibitory ring holds negative weights). */
typedef struct laeif_layout {
    int dim;
    void (*rhs)(const double *y, double *f, void *user);
    int ex, in;
    int I_e; /* index of the parameter I_e */
} laeif_layout;

/* Advances neurons [begin, end) over nsteps steps with NEST's adaptive integrator (tolerances
 * 1e-6), NEST's order per step: integrate, count down the refractory period, emit a spike,
 * then take the step's spike input and the current for the next step. Inlined into each model
 * with constant layouts, so that each compiles to its own loop. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void laeif_update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0,
                                int nsteps, const laeif_layout *L, double V_peak,
                                double scale_ex, double scale_in)
{
    const double *p = b->params;
    const int32_t refractory_steps = (int32_t)b->consts[0]; /* every aeif model's consts[0] */
    const uint32_t n = b->n, slots = b->slots;
    double **s = b->state;
    const size_t per_buffer = (size_t)slots * n;
    double *in_ex = b->ring, *in_in = b->ring + per_buffer, *in_cur = b->ring + 2 * per_buffer;
    lspike_list *out = b->spikes;
    uint32_t first_slot = (uint32_t)(step0 % slots);
    laeif_inputs in = {p, 0.0, V_peak, 0, 0};
    lode_system sys = {L->dim, L->rhs, laeif_after, &in, 1e-6, 1e-6};
    const int dim = L->dim;

    for (uint32_t i = begin; i < end; i++) {
        double y[LODE_MAX];
        for (int j = 0; j < dim; j++)
            y[j] = s[j][i];
        double I0 = s[dim][i], h = s[dim + 1][i];
        int32_t r = (int32_t)s[dim + 2][i];
        uint32_t slot = first_slot;
        for (int k = 0; k < nsteps; k++) {
            size_t at = (size_t)slot * n + i;
            in.I = p[L->I_e] + I0;
            in.refractory = r > 0;
            in.spiked = 0;
            if (lode_advance(&sys, y, b->dt, &h) != 0 || y[0] < -1e3 || fabs(y[1]) > 1e6)
                y[0] = NAN; /* diverged (NEST's bounds): the engine stops the run */
            if (r > 0)
                r--;
            if (in.spiked) {
                /* one spike per step is sent (a second one would need > 1/dt Hz) */
                r = refractory_steps;
                lspike_emit(out, i, k);
            }
            y[L->ex] += scale_ex * in_ex[at];
            y[L->in] -= scale_in * in_in[at];
            in_ex[at] = in_in[at] = 0.0;
            I0 = in_cur[at];
            in_cur[at] = 0.0;
            if (++slot == slots)
                slot = 0;
        }
        for (int j = 0; j < dim; j++)
            s[j][i] = y[j];
        s[dim][i] = I0;
        s[dim + 1][i] = h;
        s[dim + 2][i] = r;
    }
}

#endif
