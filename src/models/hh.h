/* hh.h — what NEST's Hodgkin-Huxley models (hh_psc_alpha, hh_cond_exp_traub) share: the update
 * driver over the RKF45 integrator with NEST's tolerances, spike detection by threshold and
 * local maximum with a pseudo-refractory period. Each model keeps its own right-hand side and
 * state layout. */
#ifndef LEINAO_MODELS_HH_H
#define LEINAO_MODELS_HH_H

#include "model.h"
#include "rkf45.h"

/* What a right-hand side reads. */
typedef struct lhh_inputs {
    const double *p;
    double I_stim; /* current-generator input of the step */
} lhh_inputs;

/* How a model lays out its state and takes its spike input: the first `dim` state variables are
 * integrated (V_m first), followed by I_stim, the substep h and the refractory steps left; a
 * step's spike input is y[ex] += scale_ex in_ex and y[in] += scale_in in_in (the inhibitory
 * ring holds negative weights). */
typedef struct lhh_layout {
    int dim;
    void (*rhs)(const double *y, double *f, void *user);
    int ex, in;
} lhh_layout;

/* Advances neurons [begin, end) over nsteps steps in NEST's order per step: integrate over the
 * step (GSL's RKF45 with absolute tolerance 1e-3, relative 0, as NEST's HH models), add the
 * step's spike input, then: if refractory, count down; else a spike is emitted when V_m >=
 * threshold and V_m fell during the step (the previous step was the maximum), and the
 * refractory count starts (V_m is not reset); finally the current of this step applies from the
 * next one. consts[0] is the refractory period in steps. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void lhh_update(lneuron_block *b, uint32_t begin, uint32_t end, int64_t step0,
                              int nsteps, const lhh_layout *L, double threshold, double scale_ex,
                              double scale_in)
{
    const double *p = b->params;
    const int32_t refractory_steps = (int32_t)b->consts[0];
    const uint32_t n = b->n, slots = b->slots;
    double **s = b->state;
    const size_t per_buffer = (size_t)slots * n;
    double *in_ex = b->ring, *in_in = b->ring + per_buffer, *in_cur = b->ring + 2 * per_buffer;
    lspike_list *out = b->spikes;
    const uint32_t first_slot = (uint32_t)(step0 % slots);
    lhh_inputs in = {p, 0.0};
    const lrkf45_system sys = {L->dim, L->rhs, &in, 1e-3, 0.0};
    const int dim = L->dim;

    for (uint32_t i = begin; i < end; i++) {
        double y[LRKF45_MAX];
        for (int j = 0; j < dim; j++)
            y[j] = s[j][i];
        double I0 = s[dim][i], h = s[dim + 1][i];
        int32_t r = (int32_t)s[dim + 2][i];
        uint32_t slot = first_slot;
        for (int k = 0; k < nsteps; k++) {
            const size_t at = (size_t)slot * n + i;
            const double V_old = y[0];
            in.I_stim = I0;
            if (lrkf45_advance(&sys, y, b->dt, &h) != 0)
                y[0] = NAN; /* diverged: the engine stops the run */
            y[L->ex] += scale_ex * in_ex[at];
            y[L->in] += scale_in * in_in[at];
            in_ex[at] = in_in[at] = 0.0;
            if (r > 0) {
                r--;
            } else if (y[0] >= threshold && V_old > y[0]) {
                r = refractory_steps;
                lspike_emit(out, i, k);
            }
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
