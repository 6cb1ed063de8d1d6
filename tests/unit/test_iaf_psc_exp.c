/* test_iaf_psc_exp.c — iaf_psc_exp against closed forms: the PSP (<= 1e-12 relative, also in
 * the singular case tau_m == tau_syn and next to it), the DC response, and the receptor of a
 * negative weight. */
#include <math.h>
#include <stdlib.h>

#include "harness.h"

/* w/C e^{-T/tau_m} int_0^T e^{a s} ds, a = 1/tau_m - 1/tau_s; near a = 0 by its power series
 * T sum (aT)^k/(k+1)! (the textbook form w tau_m tau_s/(C (tau_s - tau_m)) (e^{-T/tau_s} -
 * e^{-T/tau_m}) loses all digits there). */
static double psp(double T, double w, double C, double tau_m, double tau_s)
{
    if (T <= 0)
        return 0.0;
    double a = 1.0 / tau_m - 1.0 / tau_s, z = a * T, integral;
    if (fabs(z) < 1.0) {
        double term = 1.0, sum = 0.0;
        for (int k = 0; k < 40; k++) {
            sum += term;
            term *= z / (k + 2);
        }
        integral = T * sum;
    } else {
        integral = tau_m * tau_s / (tau_s - tau_m) * (exp(-T / tau_s) - exp(-T / tau_m)) *
                   exp(T / tau_m);
    }
    return w / C * exp(-T / tau_m) * integral;
}

/* The spike arrives at 2.0 ms (sent at 1.0, delay 1.0). */
static void check_psp(double tau_m, double tau_s, double dt, double w)
{
    int pop;
    leinao_sim *sim = harness_neurons("iaf_psc_exp", 1, dt, 60.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "tau_m", tau_m), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, w > 0 ? "tau_syn_ex" : "tau_syn_in", tau_s), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "V_th", 1e9), LEINAO_OK);
    double t = 1.0;
    harness_spikes(sim, pop, &t, 1, w, 1.0);
    harness_every_step(sim, pop);
    harness_trace *tr = harness_run_trace(sim, pop, "V_m");
    double peak = 0.0, worst = 0.0;
    for (int i = 0; i < tr->n; i++)
        peak = fmax(peak, fabs(psp(tr->t[i] - 2.0, w, 250.0, tau_m, tau_s)));
    for (int i = 0; i < tr->n; i++) {
        double expected = -70.0 + psp(tr->t[i] - 2.0, w, 250.0, tau_m, tau_s);
        worst = fmax(worst, fabs(tr->v[i] - expected) / peak);
    }
    printf("# tau_m %g, tau_syn %.12g, dt %g: largest error %.3g of the PSP peak %.5g mV\n",
           tau_m, tau_s, dt, worst, peak);
    assert_true(worst <= 1e-12);
    free(tr);
    leinao_close(sim);
}

static void psp_matches_closed_form(void **state)
{
    (void)state;
    check_psp(10.0, 2.0, 0.1, 100.0);
    check_psp(10.0, 2.0, 0.01, 100.0);
    check_psp(20.0, 5.0, 1.0, 100.0);
    check_psp(10.0, 0.5, 0.1, -400.0); /* inhibitory receptor */
}

static void singular_case(void **state)
{
    (void)state;
    check_psp(10.0, 10.0, 0.1, 100.0);
    check_psp(10.0, 10.0 * (1 + 1e-9), 0.1, 100.0);
    check_psp(10.0, 10.0 * (1 - 1e-12), 0.1, 100.0);
}

static void dc_response(void **state)
{
    (void)state;
    const double dts[] = {1.0, 0.1, 0.01};
    for (int a = 0; a < 3; a++) {
        int pop;
        leinao_sim *sim = harness_neurons("iaf_psc_exp", 1, dts[a], 30.0, &pop);
        assert_int_equal(leinao_set_param(sim, pop, "V_th", 1e9), LEINAO_OK);
        assert_int_equal(leinao_set_param(sim, pop, "I_e", 200.0), LEINAO_OK);
        assert_int_equal(leinao_build(sim), LEINAO_OK);
        assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);
        double exact = -70.0 + 200.0 * 10.0 / 250.0 * (1 - exp(-3.0));
        assert_true(fabs(sim->net.pops[pop]->state[0][0] - exact) <= 1e-12 * fabs(exact));
        leinao_close(sim);
    }
}

static void rules(void **state)
{
    (void)state;
    int pop;
    leinao_sim *sim = harness_neurons("iaf_psc_exp", 1, 0.1, 1.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "tau_syn_ex", 0.0), LEINAO_INVALID);
    assert_string_equal(leinao_errmsg(sim), "tau_syn_ex must be > 0, got 0");
    assert_int_equal(leinao_set_param(sim, pop, "V_reset", -40.0), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_INVALID);
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(psp_matches_closed_form),
        cmocka_unit_test(singular_case),
        cmocka_unit_test(dc_response),
        cmocka_unit_test(rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
