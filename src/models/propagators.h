/* propagators.h — exact propagators of the linear subthreshold dynamics
 * dV/dt = -V/tau_m + I/C, I a sum of exponential (or alpha) currents with time constant tau_s.
 * Written so that tau_m == tau_s (the singular case) is continuous and exact. */
#ifndef LEINAO_MODELS_PROPAGATORS_H
#define LEINAO_MODELS_PROPAGATORS_H

/* V(h) from a current I0 e^{-t/tau_s} starting at V = 0:
 * (1/C) e^{-h/tau_m} (e^{a h} - 1)/a, a = 1/tau_m - 1/tau_s; h/C e^{-h/tau_m} when a = 0. */
double lprop_exp_current(double tau_m, double tau_s, double C, double h);
/* V(h) from the alpha current (x0 t) e^{-t/tau_s} starting at V = 0:
 * (x0/C) e^{-h/tau_m} (h e^{a h}/a - (e^{a h} - 1)/a^2); h^2/(2C) e^{-h/tau_m} when a = 0. */
double lprop_alpha_current(double tau_m, double tau_s, double C, double h);

#endif
