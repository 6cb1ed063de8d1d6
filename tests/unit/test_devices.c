/* test_devices.c — dc_generator and spike_generator timing against closed forms, and the
 * spike_generator's rules for spike times. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* dc_generator, start 5 ms, stop 10 ms, delay 1 ms: active in the steps ending in (5, 10],
 * arriving 1 ms later, applied from the following step (NEST): the current acts on V_m over
 * (6.1, 11.1] ms. For each model with a current buffer: resistance R (Gohm), tau_m (ms) and
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
        if (t <= 6.1 + 1e-9)
            expected = E_L;
        else if (t <= 11.1 + 1e-9)
            expected = E_L + RI * (1 - exp(-(t - 6.1) / tau));
        else
            expected = E_L + RI * (1 - exp(-5.0 / tau)) * exp(-(t - 11.1) / tau);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
