/* rkf45.h — the adaptive Runge-Kutta-Fehlberg 4(5) scheme NEST's Hodgkin-Huxley models integrate
 * with (GSL's rkf45 stepper, its "y" step-size control and its evolve loop), advancing a
 * neuron's ODE system over one time step, the trial substep carried from step to step. */
#ifndef LEINAO_MODELS_RKF45_H
#define LEINAO_MODELS_RKF45_H

#include <math.h>

#define LRKF45_MAX 8

typedef struct lrkf45_system {
    int n;
    /* dy/dt at y; inputs are constant within a step, so the system is autonomous */
    void (*rhs)(const double *y, double *dydt, void *user);
    void *user;
    double eps_abs, eps_rel; /* NEST's HH models: 1e-3 and 0 */
} lrkf45_system;

/* Fehlberg's 4(5) pair (Fehlberg 1969, NASA TR R-315; Hairer, Norsett & Wanner, Solving ODEs I,
 * table II.5.1), advanced with the fifth-order solution as GSL does: nodes 1/4, 3/8, 12/13, 1,
 * 1/2; weights 16/135, 0, 6656/12825, 28561/56430, -9/50, 2/55; error estimate = fifth minus
 * fourth order (weights 25/216, 0, 1408/2565, 2197/4104, -1/5, 0). */
static const double F21 = 1.0 / 4, F31 = 3.0 / 32, F32 = 9.0 / 32, F41 = 1932.0 / 2197,
                    F42 = -7200.0 / 2197, F43 = 7296.0 / 2197, F51 = 439.0 / 216, F52 = -8.0,
                    F53 = 3680.0 / 513, F54 = -845.0 / 4104, F61 = -8.0 / 27, F62 = 2.0,
                    F63 = -3544.0 / 2565, F64 = 1859.0 / 4104, F65 = -11.0 / 40,
                    FB1 = 16.0 / 135, FB3 = 6656.0 / 12825, FB4 = 28561.0 / 56430,
                    FB5 = -9.0 / 50, FB6 = 2.0 / 55, FE1 = 16.0 / 135 - 25.0 / 216,
                    FE3 = 6656.0 / 12825 - 1408.0 / 2565, FE4 = 28561.0 / 56430 - 2197.0 / 4104,
                    FE5 = -9.0 / 50 + 1.0 / 5, FE6 = 2.0 / 55;

/* One Fehlberg step of size h from y0 (k1 = f(y0) given) to y, with the error estimate err. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void lrkf45_step(const lrkf45_system *s, const double *y0, const double *k1,
                               double h, double *y, double *err)
{
    const int n = s->n;
    double k2[LRKF45_MAX], k3[LRKF45_MAX], k4[LRKF45_MAX], k5[LRKF45_MAX], k6[LRKF45_MAX],
        tmp[LRKF45_MAX];
    for (int i = 0; i < n; i++)
        tmp[i] = y0[i] + h * F21 * k1[i];
    s->rhs(tmp, k2, s->user);
    for (int i = 0; i < n; i++)
        tmp[i] = y0[i] + h * (F31 * k1[i] + F32 * k2[i]);
    s->rhs(tmp, k3, s->user);
    for (int i = 0; i < n; i++)
        tmp[i] = y0[i] + h * (F41 * k1[i] + F42 * k2[i] + F43 * k3[i]);
    s->rhs(tmp, k4, s->user);
    for (int i = 0; i < n; i++)
        tmp[i] = y0[i] + h * (F51 * k1[i] + F52 * k2[i] + F53 * k3[i] + F54 * k4[i]);
    s->rhs(tmp, k5, s->user);
    for (int i = 0; i < n; i++)
        tmp[i] = y0[i] + h * (F61 * k1[i] + F62 * k2[i] + F63 * k3[i] + F64 * k4[i] + F65 * k5[i]);
    s->rhs(tmp, k6, s->user);
    for (int i = 0; i < n; i++) {
        y[i] = y0[i] + h * (FB1 * k1[i] + FB3 * k3[i] + FB4 * k4[i] + FB5 * k5[i] + FB6 * k6[i]);
        err[i] = h * (FE1 * k1[i] + FE3 * k3[i] + FE4 * k4[i] + FE5 * k5[i] + FE6 * k6[i]);
    }
}

/* Advances y over `span`; *h is the trial substep (in, out; 0 or less: span). Returns 0, or -1
 * when the state became NaN or the substep fell below 1e-12 ms (diverging).
 *
 * The step-size rule is GSL's standard control as its manual documents it (section "Adaptive
 * Step-size Control"), with a_y = 1, a_dydt = 0: D_i = eps_abs + eps_rel |y_i|, E = max_i
 * |err_i| / D_i; E > 1.1: the step is rejected and retried with h S E^(-1/5) (at least h/5);
 * E < 0.5: the next step is h S E^(-1/6), at most 5 h and at least h; S = 0.9. The evolve loop
 * as GSL's gsl_odeiv_evolve_apply does it: a step that would pass the end is shortened to reach
 * it, and the size suggested after it (from the shortened step) is the next step's trial. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int lrkf45_advance(const lrkf45_system *s, double *y, double span, double *h)
{
    const int n = s->n;
    double y0[LRKF45_MAX], k1[LRKF45_MAX], err[LRKF45_MAX];
    double t = 0.0, h0 = *h > 0.0 ? *h : span;
    while (t < span) {
        for (int i = 0; i < n; i++)
            y0[i] = y[i];
        s->rhs(y0, k1, s->user);
        for (;;) {
            int last = 0;
            if (h0 > span - t) {
                h0 = span - t;
                last = 1;
            }
            lrkf45_step(s, y0, k1, h0, y, err);
            const double t_new = last ? span : t + h0;
            double E = 0.0;
            for (int i = 0; i < n; i++) {
                const double r = fabs(err[i]) / (s->eps_abs + s->eps_rel * fabs(y[i]));
                if (isnan(r) || isnan(y[i]))
                    return -1;
                E = r > E ? r : E;
            }
            if (E > 1.1) {
                double f = 0.9 / pow(E, 1.0 / 5);
                const double shorter = h0 * (f < 0.2 ? 0.2 : f);
                if (t_new + shorter != t_new) { /* GSL: retry unless it could not advance */
                    h0 = shorter;
                    if (h0 < 1e-12)
                        return -1;
                    for (int i = 0; i < n; i++)
                        y[i] = y0[i];
                    continue;
                }
            } else if (E < 0.5) {
                double f = E > 0.0 ? 0.9 / pow(E, 1.0 / 6) : 5.0;
                h0 *= f > 5.0 ? 5.0 : f < 1.0 ? 1.0 : f;
            }
            t = t_new;
            break;
        }
    }
    *h = h0;
    return 0;
}

#endif
