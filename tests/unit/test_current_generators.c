/* test_current_generators.c — ac_generator against NEST's test_ac_generator (its setup, and the
 * current NEST's rotation recursion gives, through iaf_psc_alpha's exact propagators) and
 * noise_generator against the stationary statistics of a leaky membrane (NEST's
 * test_noise_generator setup) and NEST's rules for its parameters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const double PI = 3.14159265358979323846;

/* NEST's test_ac_generator: amplitude 550 pA, offset 1000 pA, 100 Hz, phase phi, active from 5
 * to 6 ms, into iaf_psc_alpha (defaults) through NEST's default delay of 1 ms, dt = 0.1, 10 ms.
 * NEST checks the ac_generator against a step_current_generator with amplitude_times
 * 5.0, 5.1, ..., 5.9 and values sin(t omega + phi) 550 + 1000; here the current of emission step
 * n (a value stamped t = (n + 1) dt applies to step n in NEST) is NEST's rotation recursion, and
 * V_m follows from iaf_psc_alpha's propagators: step n's current acts on V_m in step n + 11. */
static void ac_case(double freq, double phase_deg, double start, double stop, double T,
                    double *worst_out)
{
    const double dt = 0.1, ac = 550.0, dc = 1000.0;
    int pop, gen;
    leinao_sim *sim = harness_neurons("iaf_psc_alpha", 1, dt, T, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "V_th", 1e9), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "ac", "ac_generator", 1, &gen), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "amplitude", ac), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "offset", dc), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "frequency", freq), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "phase", phase_deg), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "start", start), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "stop", stop), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = harness_const(1.0), d = harness_const(1.0);
    assert_int_equal(leinao_connect(sim, gen, pop, &all, &w, &d, NULL), LEINAO_OK);
    harness_every_step(sim, pop);
    harness_trace *tr = harness_run_trace(sim, pop, "V_m");

    const int steps = (int)(T / dt + 0.5);
    double *I = calloc((size_t)steps, sizeof *I);
    assert_non_null(I);
    /* NEST: (y0, y1) = amplitude (cos phi, sin phi) at t = 0, rotated by omega dt every step;
     * the current of step n is offset + y1 after its rotation, sent while the step is active */
    const double om = 2 * PI * freq / 1000.0, phi = phase_deg * PI / 180.0;
    const double A00 = cos(om * dt), A01 = -sin(om * dt), A10 = sin(om * dt), A11 = cos(om * dt);
    double y0 = ac * cos(phi), y1 = ac * sin(phi);
    const int first = (int)lround(start / dt) - 1, end = (int)lround(stop / dt) - 1;
    for (int n = 0; n < steps; n++) {
        const double t0 = y0;
        y0 = A00 * t0 + A01 * y1;
        y1 = A10 * t0 + A11 * y1;
        I[n] = n >= first && n < end ? dc + y1 : 0.0;
    }
    const double tau = 10.0, C = 250.0, P33 = exp(-dt / tau), P30 = -tau / C * expm1(-dt / tau);
    double V = 0.0, worst = 0.0, vmax = 0.0;
    for (int k = 0; k < steps; k++) {
        V = P33 * V + P30 * (k >= 11 ? I[k - 11] : 0.0);
        assert_true(fabs(tr->t[k] - (k + 1) * dt) < 1e-9);
        worst = fmax(worst, fabs(tr->v[k] - (-70.0 + V)));
        vmax = fmax(vmax, fabs(V));
    }
    assert_true(vmax > 0.5); /* the current did move V_m */
    *worst_out = worst;
    free(I);
    free(tr);
    leinao_close(sim);
}

static void ac_generator_matches_nest_recursion(void **state)
{
    (void)state;
    double worst;
    ac_case(100.0, 0.0, 5.0, 6.0, 10.0, &worst);
    printf("# ac_generator, NEST's test_ac_generator setup: largest |V_m - reference| %.3g mV\n",
           worst);
    assert_true(worst < 1e-12 * 70.0);
    /* a longer run, other phase and frequency: the rotation's rounding stays far below that */
    ac_case(37.0, 123.0, 0.0, 180.0, 200.0, &worst);
    printf("# ac_generator, 37 Hz, phase 123 deg, 200 ms: largest |V_m - reference| %.3g mV\n",
           worst);
    assert_true(worst < 1e-9);
}

/* NEST's test_noise_generator: mean 0, std 1 pA, dt 0.1 ms into iaf_psc_alpha with C_m = 1 pF,
 * tau_m = 1 ms, E_L = 0, no spikes. NEST runs 100 simulations of 1000 ms; here every synapse
 * has its own noise, so 4000 neurons sampled once, after 30 tau_m, are as many independent
 * samples. With e = exp(-dt / tau_m) and P30 = (tau_m / C_m)(1 - e), V_(k+1) = e V_k +
 * P30 I_k gives the stationary variance P30^2 std^2 / (1 - e^2) = std^2 (1 - e) / (1 + e).
 * (NEST's test expects sqrt((1 + e) / (1 - e)) std, the reciprocal: its tolerance of three
 * times that value makes the check pass either way.) */
static void noise_generator_stationary_statistics(void **state)
{
    (void)state;
    enum { N = 4000 };
    const double dt = 0.1, mean = 0.5, std = 1.0;
    int pop, gen;
    leinao_sim *sim = harness_neurons("iaf_psc_alpha", N, dt, 30.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "V_th", 1e10), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "C_m", 1.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "tau_m", 1.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "E_L", 0.0), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "noise", "noise_generator", 1, &gen), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "mean", mean), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "std", std), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "dt", 0.1), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = harness_const(1.0), d = harness_const(1.0);
    assert_int_equal(leinao_connect(sim, gen, pop, &all, &w, &d, NULL), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);
    const lpopulation *p = sim->net.pops[pop];
    const double *V = p->state[lparam_find(p->model->states, p->model->n_states, "V_m")];
    double s = 0.0, s2 = 0.0;
    for (int i = 0; i < N; i++)
        s += V[i];
    const double m = s / N;
    for (int i = 0; i < N; i++)
        s2 += (V[i] - m) * (V[i] - m);
    const double sd = sqrt(s2 / (N - 1)), e = exp(-dt / 1.0);
    const double expected_sd = std * sqrt((1 - e) / (1 + e));
    printf("# noise_generator: V_m mean %.4f (expected %.4f), sd %.4f (expected %.4f)\n", m, mean,
           sd, expected_sd);
    /* within 4 standard errors: of the mean sd / sqrt(N), of the sd sd / sqrt(2 N) */
    assert_true(fabs(m - mean) < 4 * expected_sd / sqrt(N));
    assert_true(fabs(sd - expected_sd) < 4 * expected_sd / sqrt(2.0 * N));
    leinao_close(sim);
}

/* NEST: dt must be a multiple of the resolution (StepMultipleRequired); std_mod <= std. */
static void noise_generator_rules(void **state)
{
    (void)state;
    leinao_sim *sim;
    int pop, gen;
    sim = harness_neurons("iaf_psc_alpha", 1, 0.1, 5.0, &pop);
    assert_int_equal(leinao_add_population(sim, "noise", "noise_generator", 1, &gen), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "dt", 0.25), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = harness_const(1.0), d = harness_const(1.0);
    assert_int_equal(leinao_connect(sim, gen, pop, &all, &w, &d, NULL), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_INVALID);
    assert_non_null(strstr(leinao_errmsg(sim), "multiple of the resolution"));
    leinao_close(sim);

    sim = harness_neurons("iaf_psc_alpha", 1, 0.1, 5.0, &pop);
    assert_int_equal(leinao_add_population(sim, "noise", "noise_generator", 1, &gen), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "std", 1.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "std_mod", 2.0), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_INVALID);
    assert_non_null(strstr(leinao_errmsg(sim), "std_mod must be <= std"));
    leinao_close(sim);
}

/* dt of the noise = 0.5 ms at resolution 0.1: the current holds for 5 steps. A neuron without
 * leak (tau_m huge) integrates it: over an interval, V_m grows by 5 P30 I, a multiple of one
 * draw, so the increments of V_m are constant within each interval. */
static void noise_generator_holds_for_dt(void **state)
{
    (void)state;
    int pop, gen;
    leinao_sim *sim = harness_neurons("iaf_psc_alpha", 1, 0.1, 12.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "V_th", 1e10), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "tau_m", 1e12), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "noise", "noise_generator", 1, &gen), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "std", 100.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "dt", 0.5), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "start", 2.0), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = harness_const(1.0), d = harness_const(1.0);
    assert_int_equal(leinao_connect(sim, gen, pop, &all, &w, &d, NULL), LEINAO_OK);
    harness_every_step(sim, pop);
    harness_trace *tr = harness_run_trace(sim, pop, "V_m");
    /* first active emission step 19 (start / dt - 1), acting on V_m from step 30 (t = 3.1) */
    for (int k = 0; k < 30; k++)
        assert_true(fabs(tr->v[k] + 70.0) < 1e-12);
    int changes = 0;
    for (int k = 30; k + 1 < tr->n; k++) {
        const double inc0 = tr->v[k] - tr->v[k - 1], inc1 = tr->v[k + 1] - tr->v[k];
        const int boundary = (k + 1 - 30) % 5 == 0;
        if (!boundary)
            assert_true(fabs(inc1 - inc0) < 1e-9);
        else
            changes += fabs(inc1 - inc0) > 1e-6;
    }
    assert_true(changes >= 15);
    free(tr);
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ac_generator_matches_nest_recursion),
        cmocka_unit_test(noise_generator_stationary_statistics),
        cmocka_unit_test(noise_generator_rules),
        cmocka_unit_test(noise_generator_holds_for_dt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
