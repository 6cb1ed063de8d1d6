/* propagators.c — see propagators.h; derivations in docs/models/iaf_psc_exp.md and
 * iaf_psc_alpha.md (convolution of the current with the membrane's exponential kernel). */
#include "propagators.h"

#include <math.h>

double lprop_exp_current(double tau_m, double tau_s, double C, double h)
{
    double a = 1.0 / tau_m - 1.0 / tau_s;
    double integral = a == 0.0 ? h : expm1(a * h) / a; /* int_0^h e^{a s} ds */
    return exp(-h / tau_m) * integral / C;
}

double lprop_alpha_current(double tau_m, double tau_s, double C, double h)
{
    double a = 1.0 / tau_m - 1.0 / tau_s, z = a * h, integral;
    if (fabs(z) < 0.1) {
        /* int_0^h s e^{a s} ds = h^2 sum_{n>=2} z^{n-2} (n-1)/n!: no cancellation near a = 0 */
        double term = 1.0, sum = 0.0, fact = 2.0;
        for (int n = 2; n < 24; n++) {
            sum += term * (n - 1) / fact;
            term *= z;
            fact *= n + 1;
        }
        integral = h * h * sum;
    } else {
        integral = (z * exp(z) - expm1(z)) / (a * a);
    }
    return exp(-h / tau_m) * integral / C;
}
