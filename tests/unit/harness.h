/* harness.h — building blocks of the model tests: a handle with one population, a generator
 * wired to it, and the trace of a state variable at the end of every step. */
#ifndef LEINAO_TEST_HARNESS_H
#define LEINAO_TEST_HARNESS_H

#include "engine/sim.h"
#include "stats.h"

#define TRACE_MAX 20000

/* A handle with dt, duration and seed set and one population "n" of `size` `model` neurons. */
leinao_sim *harness_neurons(const char *model, uint32_t size, double dt, double duration, int *pop);
leinao_dist harness_const(double v);
/* Connects a new spike_generator with `times` to `pop` with weight w and delay d. */
int harness_spikes(leinao_sim *sim, int pop, const double *times, size_t n, double w, double d);
/* Connects a zero-weight dc_generator with a one-step delay, so that every slice is one step
 * long and a trace sees every step. */
void harness_every_step(leinao_sim *sim, int pop);

typedef struct harness_trace {
    leinao_sim *sim;
    int pop, var;
    uint32_t neuron;
    int n;
    double t[TRACE_MAX], v[TRACE_MAX];
} harness_trace;

/* Builds and runs the handle, recording state variable `var` of neuron 0 of `pop` after each
 * slice; returns the trace (caller frees). */
harness_trace *harness_run_trace(leinao_sim *sim, int pop, const char *var);

#endif
