/* test_iaf_psc_exp_htum.c — iaf_psc_exp_htum against closed forms and against iaf_psc_exp.
 * NEST's documentation: V_m is clamped for t_ref_abs, no spike is emitted for t_ref_tot (V_m
 * evolving in between), and with t_ref_abs == t_ref_tot the model is iaf_psc_exp. NEST's test
 * suite has no expected values for this model; the closed forms are those of the exact
 * integration (V_m relative to E_L after m free steps from V_reset = E_L under I_e:
 * R I_e (1 - P22^m)). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* With t_ref_abs == t_ref_tot == t_ref both models give the same V_m at every step, bit for bit,
 * under I_e and spikes of both signs. */
typedef struct pair {
    leinao_sim *sim;
    int a, b, steps, differ;
} pair;

static int compare_steps(void *user, const leinao_progress *p)
{
    (void)p;
    pair *q = user;
    q->steps++;
    q->differ += q->sim->net.pops[q->a]->state[0][0] != q->sim->net.pops[q->b]->state[0][0];
    return 0;
}

static void equal_periods_are_iaf_psc_exp(void **state)
{
    (void)state;
    leinao_sim *sim;
    int a, b;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_configure(sim, 0.1, 200.0, 1, 1), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "exp", "iaf_psc_exp", 1, &a), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "htum", "iaf_psc_exp_htum", 1, &b), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, a, "t_ref", 3.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, b, "t_ref_abs", 3.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, b, "t_ref_tot", 3.0), LEINAO_OK);
    for (int p = a; p <= b; p++) {
        assert_int_equal(leinao_set_param(sim, p, "I_e", 450.0), LEINAO_OK);
        assert_int_equal(leinao_set_param(sim, p, "tau_syn_in", 5.0), LEINAO_OK);
        assert_int_equal(leinao_record_spikes(sim, p, NULL, "memory"), LEINAO_OK);
    }
    const double ex[] = {10.0, 10.2, 30.0, 55.5, 90.0, 90.1, 90.2, 150.0};
    const double in[] = {20.0, 70.0, 120.0, 121.0};
    for (int p = a; p <= b; p++) {
        harness_spikes(sim, p, ex, 8, 400.0, 1.0);
        harness_spikes(sim, p, in, 4, -300.0, 1.5);
    }
    harness_every_step(sim, a);
    pair q = {sim, a, b, 0, 0};
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    assert_int_equal(leinao_run(sim, compare_steps, &q), LEINAO_OK);
    assert_int_equal(q.steps, 2000);
    assert_int_equal(q.differ, 0);
    const double *t1, *t2;
    const uint32_t *i1, *i2;
    size_t n1, n2;
    assert_int_equal(leinao_get_spikes(sim, a, &t1, &i1, &n1), LEINAO_OK);
    assert_int_equal(leinao_get_spikes(sim, b, &t2, &i2, &n2), LEINAO_OK);
    printf("# t_ref_abs == t_ref_tot: iaf_psc_exp %zu spikes, iaf_psc_exp_htum %zu; V_m differs in "
           "%d of %d steps\n",
           n1, n2, q.differ, q.steps);
    assert_true(n1 > 5);
    assert_int_equal(n1, n2);
    for (size_t k = 0; k < n1; k++)
        assert_true(t1[k] == t2[k]);
    leinao_close(sim);
}

/* Constant drive, no input: R I_e = 40 mV above E_L, V_th 15 mV above, tau_m 10 ms, dt 0.1 ms.
 * From V_reset = E_L, V_m reaches V_th after m = 48 free steps (40 (1 - e^{-m/100}) >= 15 first
 * at m = 48; 15 mV is reached at 4.70004 ms). From rest the first spike is at 4.8 ms. After a
 * spike: 20 steps clamped (t_ref_abs 2 ms), then free. With t_ref_tot = 3 ms the threshold is
 * reached after the total period: ISI = 2 + 4.8 = 6.8 ms. With t_ref_tot = 10 ms V_m passes
 * V_th at 6.8 ms but may not spike: the spike comes at the first step the threshold is checked
 * again, the one after the total period, ISI = 10.1 ms; the highest V_m seen, at the end of the
 * step before the spike, after 80 free steps, is 40 (1 - e^{-0.8}) = 22.0 mV above E_L. */
static void relative_refractoriness(double t_ref_tot, double isi)
{
    int pop;
    leinao_sim *sim = harness_neurons("iaf_psc_exp_htum", 1, 0.1, 60.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "I_e", 1000.0), LEINAO_OK); /* R = 0.04 GOhm */
    assert_int_equal(leinao_set_param(sim, pop, "t_ref_abs", 2.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "t_ref_tot", t_ref_tot), LEINAO_OK);
    assert_int_equal(leinao_record_spikes(sim, pop, NULL, "memory"), LEINAO_OK);
    harness_every_step(sim, pop);
    harness_trace *tr = harness_run_trace(sim, pop, "V_m");
    const double *t;
    const uint32_t *id;
    size_t n;
    assert_int_equal(leinao_get_spikes(sim, pop, &t, &id, &n), LEINAO_OK);
    assert_true(n >= 5);
    double worst_t = fabs(t[0] - 4.8);
    for (size_t k = 1; k < n; k++)
        worst_t = fmax(worst_t, fabs(t[k] - t[k - 1] - isi));
    /* V_m against the closed form between spikes: clamped at E_L for 2 ms, then free */
    const double P22 = exp(-0.1 / 10.0);
    double worst_v = 0.0, peak = -INFINITY;
    size_t next = 0;
    double last = 0.0; /* time of the last spike (or 0: free from the start) */
    int clamped = 0;
    for (int i = 0; i < tr->n; i++) {
        const double now = tr->t[i];
        double expected;
        if (next < n && fabs(now - t[next]) < 1e-9) {
            expected = -70.0; /* reset */
            last = t[next++];
            clamped = 20;
        } else if (clamped > 0) {
            expected = -70.0;
            clamped--;
        } else {
            const long m = lround((now - last) / 0.1) - (last > 0.0 ? 20 : 0);
            expected = -70.0 + 40.0 * (1.0 - pow(P22, (double)m));
        }
        worst_v = fmax(worst_v, fabs(tr->v[i] - expected));
        peak = fmax(peak, tr->v[i]);
    }
    printf("# iaf_psc_exp_htum, t_ref_abs 2 ms, t_ref_tot %g ms: %zu spikes, largest |ISI - %g| "
           "%.3g ms, largest |V_m - closed form| %.3g mV, highest V_m %.6g mV\n",
           t_ref_tot, n, isi, worst_t, worst_v, peak);
    assert_true(worst_t < 1e-9);
    assert_true(worst_v < 1e-11);
    if (t_ref_tot > 5.0) /* above threshold while totally refractory */
        assert_true(fabs(peak - (-70.0 + 40.0 * (1.0 - pow(P22, 80.0)))) < 1e-11);
    else
        assert_true(peak < -55.0);
    free(tr);
    leinao_close(sim);
}

static void absolute_and_total_periods(void **state)
{
    (void)state;
    relative_refractoriness(3.0, 6.8);
    relative_refractoriness(10.0, 10.1);
}

/* NEST's rules: t_ref_tot >= t_ref_abs, both > 0, V_reset < V_th. */
static void nest_rules(void **state)
{
    (void)state;
    int pop;
    leinao_sim *sim = harness_neurons("iaf_psc_exp_htum", 1, 0.1, 10.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "t_ref_abs", 0.0), LEINAO_INVALID);
    assert_int_equal(leinao_set_param(sim, pop, "t_ref_tot", 0.0), LEINAO_INVALID);
    assert_int_equal(leinao_set_param(sim, pop, "t_ref_abs", 3.0), LEINAO_OK);
    assert_int_equal(leinao_check_population(sim, pop), LEINAO_INVALID);
    assert_non_null(strstr(leinao_errmsg(sim), "t_ref_tot must be >= t_ref_abs"));
    assert_int_equal(leinao_set_param(sim, pop, "t_ref_tot", 3.0), LEINAO_OK);
    assert_int_equal(leinao_check_population(sim, pop), LEINAO_OK);
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_periods_are_iaf_psc_exp),
        cmocka_unit_test(absolute_and_total_periods),
        cmocka_unit_test(nest_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
