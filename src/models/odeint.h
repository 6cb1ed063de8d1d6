/* odeint.h — adaptive Dormand-Prince 5(4) integration of a neuron's small ODE system over one
 * time step, with the step size carried from step to step (as NEST's GSL integrators do). */
#ifndef LEINAO_MODELS_ODEINT_H
#define LEINAO_MODELS_ODEINT_H

#define LODE_MAX 6

typedef struct lode_system {
    int n;
    /* dy/dt at y; inputs are constant within a step, so the system is autonomous */
    void (*rhs)(const double *y, double *dydt, void *user);
    /* after each accepted substep: may change y (a spike's reset); returns 1 if it did */
    int (*after)(double *y, void *user);
    void *user;
    double atol, rtol;
} lode_system;

/* Advances y over `span`; *h is the trial substep (in, out). Returns 0, or -1 when the substep
 * fell below 1e-12 ms (the state is diverging). Defined here, static inline, so that a model's
 * right-hand side is inlined into it. Dormand & Prince (1980) 5(4) embedded pair, coefficients
 * from the paper, step control h <- h min(5, max(0.2, 0.9 err^-1/5)). */

#include <math.h>

static const double A21 = 1.0 / 5, A31 = 3.0 / 40, A32 = 9.0 / 40, A41 = 44.0 / 45,
                    A42 = -56.0 / 15, A43 = 32.0 / 9, A51 = 19372.0 / 6561,
                    A52 = -25360.0 / 2187, A53 = 64448.0 / 6561, A54 = -212.0 / 729,
                    A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247,
                    A64 = 49.0 / 176, A65 = -5103.0 / 18656, B1 = 35.0 / 384,
                    B3 = 500.0 / 1113, B4 = 125.0 / 192, B5 = -2187.0 / 6784, B6 = 11.0 / 84,
                    E1 = 71.0 / 57600, E3 = -71.0 / 16695, E4 = 71.0 / 1920,
                    E5 = -17253.0 / 339200, E6 = 22.0 / 525, E7 = -1.0 / 40;

#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int lode_advance(const lode_system *s, double *y, double span, double *h)
{
    const int n = s->n;
    double k1[LODE_MAX], k2[LODE_MAX], k3[LODE_MAX], k4[LODE_MAX], k5[LODE_MAX], k6[LODE_MAX],
        k7[LODE_MAX], tmp[LODE_MAX], y5[LODE_MAX];
    double t = 0.0, step = *h;
    if (!(step > 0.0) || step > span)
        step = span;
    s->rhs(y, k1, s->user);
    while (t < span) {
        int last = 0;
        if (t + step >= span * (1 - 1e-12)) {
            step = span - t;
            last = 1;
        }
        for (int i = 0; i < n; i++)
            tmp[i] = y[i] + step * A21 * k1[i];
        s->rhs(tmp, k2, s->user);
        for (int i = 0; i < n; i++)
            tmp[i] = y[i] + step * (A31 * k1[i] + A32 * k2[i]);
        s->rhs(tmp, k3, s->user);
        for (int i = 0; i < n; i++)
            tmp[i] = y[i] + step * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
        s->rhs(tmp, k4, s->user);
        for (int i = 0; i < n; i++)
            tmp[i] = y[i] + step * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
        s->rhs(tmp, k5, s->user);
        for (int i = 0; i < n; i++)
            tmp[i] = y[i] + step * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] +
                                    A65 * k5[i]);
        s->rhs(tmp, k6, s->user);
        for (int i = 0; i < n; i++)
            y5[i] = y[i] + step * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
        s->rhs(y5, k7, s->user);
        double err = 0.0;
        for (int i = 0; i < n; i++) {
            double e = step * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] +
                               E7 * k7[i]);
            double scale = s->atol + s->rtol * fmax(fabs(y[i]), fabs(y5[i]));
            double r = fabs(e) / scale;
            err = r > err || isnan(r) ? r : err;
        }
        if (err <= 1.0) {
            t = last ? span : t + step;
            for (int i = 0; i < n; i++) {
                y[i] = y5[i];
                k1[i] = k7[i]; /* first-same-as-last */
            }
            if (s->after && s->after(y, s->user))
                s->rhs(y, k1, s->user);
            double grow = err > 1.889568e-4 ? 0.9 * pow(err, -0.2) : 5.0;
            if (!last)
                step *= grow > 5.0 ? 5.0 : grow;
            else if (err > 0.0)
                *h = step * (grow > 5.0 ? 5.0 : grow);
            if (last && err == 0.0)
                *h = span;
        } else {
            double shrink = isnan(err) ? 0.2 : 0.9 * pow(err, -0.2);
            step *= shrink < 0.2 ? 0.2 : shrink;
            if (step < 1e-12)
                return -1;
        }
    }
    if (*h > span || !(*h > 0.0))
        *h = span;
    return 0;
}

#endif
