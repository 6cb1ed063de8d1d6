/* harness.c — see harness.h. */
#include "harness.h"

#include <stdlib.h>

leinao_sim *harness_neurons(const char *model, uint32_t size, double dt, double duration, int *pop)
{
    leinao_sim *sim;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_configure(sim, dt, duration, 1, 1), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "n", model, size, pop), LEINAO_OK);
    return sim;
}

leinao_dist harness_const(double v)
{
    leinao_dist d = {LEINAO_DIST_CONSTANT, v, 0.0, 0.0, 0.0};
    return d;
}

int harness_spikes(leinao_sim *sim, int pop, const double *times, size_t n, double w, double d)
{
    int gen;
    char name[32];
    snprintf(name, sizeof name, "g%d", sim->net.n_pops);
    assert_int_equal(leinao_add_population(sim, name, "spike_generator", 1, &gen), LEINAO_OK);
    assert_int_equal(leinao_set_param_array(sim, gen, "spike_times", times, n), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist wd = harness_const(w), dd = harness_const(d);
    assert_int_equal(leinao_connect(sim, gen, pop, &all, &wd, &dd, NULL), LEINAO_OK);
    return gen;
}

void harness_every_step(leinao_sim *sim, int pop)
{
    int dc;
    assert_int_equal(leinao_add_population(sim, "every_step", "dc_generator", 1, &dc), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = harness_const(0.0), d = harness_const(sim->config.dt);
    assert_int_equal(leinao_connect(sim, dc, pop, &all, &w, &d, NULL), LEINAO_OK);
}

static int record(void *user, const leinao_progress *p)
{
    harness_trace *tr = user;
    if (tr->n < TRACE_MAX) {
        tr->t[tr->n] = p->t;
        tr->v[tr->n++] = tr->sim->net.pops[tr->pop]->state[tr->var][tr->neuron];
    }
    return 0;
}

harness_trace *harness_run_trace(leinao_sim *sim, int pop, const char *var)
{
    harness_trace *tr = calloc(1, sizeof *tr);
    assert_non_null(tr);
    tr->sim = sim;
    tr->pop = pop;
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    const lmodel *m = sim->net.pops[pop]->model;
    tr->var = lparam_find(m->states, m->n_states, var);
    assert_true(tr->var >= 0);
    assert_int_equal(leinao_run(sim, record, tr), LEINAO_OK);
    return tr;
}
