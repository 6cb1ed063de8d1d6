/* test_iaf_psc_alpha.c — iaf_psc_alpha against the closed-form alpha PSP: every step's value
 * (<= 1e-12 of the peak), the peak time and amplitude, the singular case tau_m == tau_syn, and
 * the current's own peak (w at tau_syn). */
#include <math.h>
#include <stdlib.h>

#include "harness.h"

/* V(T) for the current (e w / tau_s) T e^{-T/tau_s}: x0/C e^{-T/tau_m} int_0^T s e^{a s} ds,
 * near a = 0 by the power series T^2 sum (aT)^k / (k! (k + 2)). */
static double psp(double T, double w, double C, double tau_m, double tau_s)
{
    if (T <= 0)
        return 0.0;
    double x0 = exp(1.0) * w / tau_s, a = 1.0 / tau_m - 1.0 / tau_s, z = a * T, integral;
    if (fabs(z) < 1.0) {
        double term = 1.0, sum = 0.0;
        for (int k = 0; k < 40; k++) {
            sum += term / (k + 2);
            term *= z / (k + 1);
        }
        integral = T * T * sum;
    } else {
        integral = T * exp(z) / a - expm1(z) / (a * a);
    }
    return x0 / C * exp(-T / tau_m) * integral;
}

/* Peak of the closed form, by golden-section search on [0, 10 tau_m]. */
static double peak_time(double w, double tau_m, double tau_s)
{
    double lo = 0.0, hi = 10 * tau_m, g = (sqrt(5.0) - 1) / 2;
    for (int i = 0; i < 200; i++) {
        double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
        if (psp(a, w, 250, tau_m, tau_s) > psp(b, w, 250, tau_m, tau_s))
            hi = b;
        else
            lo = a;
    }
    return (lo + hi) / 2;
}

static void check_psp(double tau_m, double tau_s, double dt)
{
    const double w = 50.0, arrival = 2.0;
    int pop;
    leinao_sim *sim = harness_neurons("iaf_psc_alpha", 1, dt, 60.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "tau_m", tau_m), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "tau_syn_ex", tau_s), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "V_th", 1e9), LEINAO_OK);
    double t = 1.0;
    harness_spikes(sim, pop, &t, 1, w, 1.0);
    harness_every_step(sim, pop);
    harness_trace *tr = harness_run_trace(sim, pop, "V_m");
    double t_peak = peak_time(w, tau_m, tau_s), v_peak = psp(t_peak, w, 250, tau_m, tau_s);
    double worst = 0.0, best_v = -1e9, best_t = 0;
    for (int i = 0; i < tr->n; i++) {
        double expected = -70.0 + psp(tr->t[i] - arrival, w, 250.0, tau_m, tau_s);
        worst = fmax(worst, fabs(tr->v[i] - expected) / v_peak);
        if (tr->v[i] > best_v) {
            best_v = tr->v[i];
            best_t = tr->t[i] - arrival;
        }
    }
    printf("# tau_m %g, tau_syn %.12g, dt %g: error %.3g of the peak; peak %.6f mV at %.4f ms "
           "(sampled: %.6f mV at %.4f ms)\n",
           tau_m, tau_s, dt, worst, v_peak, t_peak, best_v + 70.0, best_t);
    assert_true(worst <= 1e-12);
    assert_true(fabs(best_t - t_peak) <= dt / 2 + 1e-9);
    assert_true(best_v + 70.0 <= v_peak * (1 + 1e-12));
    assert_true(best_v + 70.0 >= v_peak * (1 - 1e-3 * dt)); /* flat near the peak */
    free(tr);
    leinao_close(sim);
}

static void psp_matches_closed_form(void **state)
{
    (void)state;
    check_psp(10.0, 2.0, 0.1);
    check_psp(10.0, 2.0, 0.01);
    check_psp(20.0, 0.5, 0.1);
    check_psp(10.0, 10.0, 0.1);                /* singular */
    check_psp(10.0, 10.0 * (1 + 1e-7), 0.1);   /* next to it: the series branch */
    check_psp(10.0, 10.0 * 1.02, 0.1);         /* where the two branches meet */
}

/* The synaptic current itself peaks at the weight, tau_syn after the spike arrives. */
static void current_peaks_at_weight(void **state)
{
    (void)state;
    int pop;
    leinao_sim *sim = harness_neurons("iaf_psc_alpha", 1, 0.1, 20.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "tau_syn_in", 3.0), LEINAO_OK);
    double t = 1.0;
    harness_spikes(sim, pop, &t, 1, -80.0, 1.0);
    harness_every_step(sim, pop);
    harness_trace *tr = harness_run_trace(sim, pop, "I_syn_in");
    double lowest = 0.0, at = 0.0;
    for (int i = 0; i < tr->n; i++)
        if (tr->v[i] < lowest) {
            lowest = tr->v[i];
            at = tr->t[i];
        }
    assert_true(fabs(lowest + 80.0) < 1e-10);
    assert_true(fabs(at - 5.0) < 1e-9);
    free(tr);
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(psp_matches_closed_form),
        cmocka_unit_test(current_peaks_at_weight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
