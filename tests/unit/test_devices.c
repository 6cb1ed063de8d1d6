/* test_devices.c — dc_generator and spike_generator timing against closed forms, and the
 * spike_generator's rules for spike times. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* dc_generator, start 5 ms, stop 10 ms, delay 1 ms: a current generator in NEST 3's sense, its
 * current acts on V_m over (start + delay, stop + delay] = (6, 11] ms (V_m first moves at the
 * end of the step ending at 6.1 ms, last at 11.0). For each model with a current buffer: resistance R (Gohm), tau_m (ms) and
 * the tolerance (mV; iaf_cond_exp is integrated numerically). */
static void dc_window(const char *model, double R, double tau, double tol)
{
    leinao_sim *sim;
    int pop, dc;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_configure(sim, 0.1, 15.0, 1, 1), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "n", model, 3, &pop), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "dc", "dc_generator", 1, &dc), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "V_th", 1e9), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, dc, "amplitude", 100.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, dc, "start", 5.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, dc, "stop", 10.0), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = {LEINAO_DIST_CONSTANT, 2.0, 0, 0, 0}, d = {LEINAO_DIST_CONSTANT, 1.0, 0, 0, 0};
    assert_int_equal(leinao_connect(sim, dc, pop, &all, &w, &d, NULL), LEINAO_OK);
    harness_every_step(sim, pop);
    harness_trace *tr = harness_run_trace(sim, pop, "V_m");
    const double E_L = -70.0, RI = R * 200.0;
    double worst = 0.0;
    for (int i = 0; i < tr->n; i++) {
        double t = tr->t[i], expected;
        if (t <= 6.0 + 1e-9)
            expected = E_L;
        else if (t <= 11.0 + 1e-9)
            expected = E_L + RI * (1 - exp(-(t - 6.0) / tau));
        else
            expected = E_L + RI * (1 - exp(-5.0 / tau)) * exp(-(t - 11.0) / tau);
        worst = fmax(worst, fabs(tr->v[i] - expected));
    }
    printf("# dc_generator into %s: largest |V_m - closed form| %.3g mV\n", model, worst);
    assert_true(worst < tol);
    free(tr);
    leinao_close(sim);
}

static void dc_generator_window_and_lag(void **state)
{
    (void)state;
    dc_window("iaf_psc_delta", 10.0 / 250.0, 10.0, 1e-12 * 70.0);
    dc_window("iaf_psc_exp", 10.0 / 250.0, 10.0, 1e-12 * 70.0);
    dc_window("iaf_cond_exp", 1.0 / 16.6667, 250.0 / 16.6667, 1e-8);
}

/* spike_generator: a spike at t reaches its target at t + delay, repeated times count twice,
 * and times outside (start, stop] are not sent. */
static void spike_generator_times(void **state)
{
    (void)state;
    leinao_sim *sim;
    int pop, gen;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_configure(sim, 0.1, 10.0, 1, 1), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "n", "iaf_psc_delta", 1, &pop), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "g", "spike_generator", 1, &gen), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "V_th", 1e9), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "tau_m", 1e9), LEINAO_OK); /* almost no leak */
    const double times[] = {0.5, 2.0, 2.0, 3.0, 7.0};
    assert_int_equal(leinao_set_param_array(sim, gen, "spike_times", times, 5), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "stop", 6.0), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = {LEINAO_DIST_CONSTANT, 1.0, 0, 0, 0}, d = {LEINAO_DIST_CONSTANT, 0.1, 0, 0, 0};
    assert_int_equal(leinao_connect(sim, gen, pop, &all, &w, &d, NULL), LEINAO_OK);
    harness_trace *tr = harness_run_trace(sim, pop, "V_m");
    for (int i = 0; i < tr->n; i++) {
        double t = tr->t[i];
        int arrived = (t >= 0.6 - 1e-9) + 2 * (t >= 2.1 - 1e-9) + (t >= 3.1 - 1e-9);
        assert_true(fabs(tr->v[i] - (-70.0 + arrived)) < 1e-6);
    }
    free(tr);
    leinao_close(sim);
}

/* NEST's test_dcgen_versus_I_e, for every neuron model with V_m, I_e and a current port: a
 * dc_generator of 123.456 pA started at 99 ms drives n1 through NEST's default delay of 1 ms;
 * after 100 ms, n2 gets I_e = 123.456 pA; then 300 ms more. NEST compares V_m at the end
 * (pytest.approx); here the traces must agree at every step, bit for bit: the dc current
 * reaches the membrane over (start + delay, stop + delay] = (100, inf), exactly when I_e set at
 * 100 ms acts. */
typedef struct two_traces {
    leinao_sim *sim;
    int n1, n2, var, n;
    double t[4000], v1[4000], v2[4000];
} two_traces;

static int record_two(void *user, const leinao_progress *p)
{
    two_traces *tr = user;
    if (tr->n < 4000) {
        tr->t[tr->n] = p->t;
        tr->v1[tr->n] = tr->sim->net.pops[tr->n1]->state[tr->var][0];
        tr->v2[tr->n++] = tr->sim->net.pops[tr->n2]->state[tr->var][0];
    }
    return 0;
}

static void dcgen_versus_I_e(void **state)
{
    (void)state;
    const double amp = 123.456;
    int checked = 0;
    for (int i = 0; i < lmodel_count(); i++) {
        const lmodel *m = lmodel_at(i);
        if (m->kind != LM_NEURON || m->port_buffer[LPORT_CURRENT] < 0 ||
            lparam_find(m->params, m->n_params, "I_e") < 0 ||
            lparam_find(m->states, m->n_states, "V_m") < 0)
            continue;
        leinao_sim *sim;
        int n1, n2, dc;
        assert_int_equal(leinao_open(&sim), LEINAO_OK);
        assert_int_equal(leinao_configure(sim, 0.1, 400.0, 1, 1), LEINAO_OK);
        assert_int_equal(leinao_add_population(sim, "n1", m->name, 1, &n1), LEINAO_OK);
        assert_int_equal(leinao_add_population(sim, "n2", m->name, 1, &n2), LEINAO_OK);
        assert_int_equal(leinao_add_population(sim, "dc", "dc_generator", 1, &dc), LEINAO_OK);
        assert_int_equal(leinao_set_param(sim, dc, "start", 99.0), LEINAO_OK);
        assert_int_equal(leinao_set_param(sim, dc, "amplitude", amp), LEINAO_OK);
        leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
        leinao_dist w = harness_const(1.0), d = harness_const(1.0);
        assert_int_equal(leinao_connect(sim, dc, n1, &all, &w, &d, NULL), LEINAO_OK);
        harness_every_step(sim, n2);
        two_traces *tr = calloc(1, sizeof *tr);
        assert_non_null(tr);
        tr->sim = sim;
        tr->n1 = n1;
        tr->n2 = n2;
        tr->var = lparam_find(m->states, m->n_states, "V_m");
        assert_int_equal(leinao_build(sim), LEINAO_OK);
        assert_int_equal(leinao_simulate(sim, 100.0, record_two, tr), LEINAO_OK);
        assert_int_equal(leinao_set_param(sim, n2, "I_e", amp), LEINAO_OK);
        assert_int_equal(leinao_simulate(sim, 300.0, record_two, tr), LEINAO_OK);
        assert_int_equal(tr->n, 4000);
        int differ = 0;
        double worst = 0.0, moved = 0.0;
        for (int k = 0; k < tr->n; k++) {
            differ += tr->v1[k] != tr->v2[k];
            worst = fmax(worst, fabs(tr->v1[k] - tr->v2[k]));
            moved = fmax(moved, fabs(tr->v1[k] - tr->v1[0]));
        }
        printf("# dc_generator versus I_e, %s: %d of %d steps differ, largest |dV_m| %.3g mV "
               "(V_m moved by up to %.3g mV)\n",
               m->name, differ, tr->n, worst, moved);
        assert_int_equal(differ, 0);
        assert_true(moved > 0.1);
        free(tr);
        leinao_close(sim);
        checked++;
    }
    assert_true(checked >= 8);
}

static void spike_times_rules(void **state)
{
    (void)state;
    leinao_sim *sim;
    int gen;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "g", "spike_generator", 1, &gen), LEINAO_OK);
    const double unsorted[] = {2.0, 1.0}, negative[] = {-1.0}, offgrid[] = {1.05};
    assert_int_equal(leinao_set_param_array(sim, gen, "spike_times", unsorted, 2), LEINAO_INVALID);
    assert_non_null(strstr(leinao_errmsg(sim), "sorted"));
    assert_int_equal(leinao_set_param_array(sim, gen, "spike_times", negative, 1), LEINAO_INVALID);
    assert_int_equal(leinao_set_param_array(sim, gen, "spike_times", offgrid, 1), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_INVALID);
    assert_non_null(strstr(leinao_errmsg(sim), "not a multiple of dt"));
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dc_generator_window_and_lag),
        cmocka_unit_test(spike_generator_times),
        cmocka_unit_test(spike_times_rules),
        cmocka_unit_test(dcgen_versus_I_e),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
