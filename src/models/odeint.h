/* odeint.h — adaptive Dormand-Prince 5(4) integration of a neuron's small ODE system over one
 * time step, with the step size carried from step to step (as NEST's GSL integrators do). */
#ifndef LEINAO_MODELS_ODEINT_H
#define LEINAO_MODELS_ODEINT_H

#define LODE_MAX 4

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
 * fell below 1e-12 ms (the state is diverging). */
int lode_advance(const lode_system *s, double *y, double span, double *h);

#endif
