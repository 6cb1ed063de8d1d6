/* test_sinusoidal_poisson_generator.c — the counts of sinusoidal_poisson_generator's trains
 * against the integral of NEST's rate profile (test_sinusoidal_poisson_generator_rate_profile:
 * the rate at t is rate + amplitude sin(2 pi f t + phase), cut at zero), their Poisson
 * dispersion, and one independent train per target (individual_spike_trains true). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const double PI = 3.14159265358979323846;

enum { N = 3000 };

/* N counters (iaf_psc_delta without leak or threshold: V_m counts the spikes received) driven
 * by one generator over (start, stop]; compares the mean count with the rate integrated over
 * the active steps, the variance with the mean (Poisson), and checks that targets differ. */
static void counts(double rate, double amplitude, double freq, double phase, double start,
                   double stop)
{
    const double dt = 0.1;
    int pop, gen;
    leinao_sim *sim = harness_neurons("iaf_psc_delta", N, dt, stop + 2.0, &pop);
    assert_int_equal(leinao_set_param(sim, pop, "E_L", 0.0), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "V_th", 1e9), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "tau_m", 1e15), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "sin", "sinusoidal_poisson_generator", 1, &gen),
                     LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "rate", rate), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "amplitude", amplitude), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "frequency", freq), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "phase", phase), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "start", start), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "stop", stop), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = harness_const(1.0), d = harness_const(1.0);
    assert_int_equal(leinao_connect(sim, gen, pop, &all, &w, &d, NULL), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);
    const lpopulation *p = sim->net.pops[pop];
    const double *V = p->state[lparam_find(p->model->states, p->model->n_states, "V_m")];

    /* the expected count: the steps ending at t in (start, stop], rate at t */
    double expected = 0.0;
    for (long n = lround(start / dt); n < lround(stop / dt); n++) {
        const double t = (n + 1) * dt;
        expected += fmax(0.0, rate + amplitude * sin(2 * PI * freq * t / 1000.0 + phase * PI / 180.0)) *
                    dt * 1e-3;
    }
    double s = 0.0, s2 = 0.0;
    int differ = 0;
    for (int i = 0; i < N; i++) {
        const double k = nearbyint(V[i]);
        assert_true(fabs(V[i] - k) < 1e-6);
        s += k;
        differ += i > 0 && V[i] != V[0];
    }
    const double m = s / N;
    for (int i = 0; i < N; i++)
        s2 += (nearbyint(V[i]) - m) * (nearbyint(V[i]) - m);
    const double var = s2 / (N - 1);
    printf("# sinusoidal_poisson_generator rate %g, amplitude %g, %g Hz, phase %g, (%g, %g] ms: "
           "mean count %.4f (expected %.4f), variance %.4f\n",
           rate, amplitude, freq, phase, start, stop, m, expected, var);
    /* 4 standard errors: of the mean sqrt(mu / N); of the variance of a Poisson sample,
     * sqrt((mu + 2 mu^2) / N) */
    assert_true(fabs(m - expected) < 4 * sqrt(expected / N));
    assert_true(fabs(var - expected) < 4 * sqrt((expected + 2 * expected * expected) / N));
    assert_true(differ > N / 2);
    leinao_close(sim);
}

static void rate_profile_integral(void **state)
{
    (void)state;
    /* NEST's test parameters (rate 100, amplitude 50, 10 Hz) over one and a half periods */
    counts(100.0, 50.0, 10.0, 0.0, 0.0, 150.0);
    /* the half period where the sine is positive, phase 2 rad as in NEST's rate-profile test */
    counts(1000.0, 500.0, 10.0, 2.0 / PI * 180.0, 10.0, 60.0);
    /* amplitude > rate: the rate is cut at zero, the mean count is below rate T */
    counts(50.0, 150.0, 10.0, 0.0, 0.0, 100.0);
}

static void individual_spike_trains_only(void **state)
{
    (void)state;
    int pop, gen;
    leinao_sim *sim = harness_neurons("parrot_neuron", 2, 0.1, 5.0, &pop);
    assert_int_equal(leinao_add_population(sim, "sin", "sinusoidal_poisson_generator", 1, &gen),
                     LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "individual_spike_trains", 0.0), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_INVALID);
    assert_non_null(strstr(leinao_errmsg(sim), "individual_spike_trains"));
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rate_profile_integral),
        cmocka_unit_test(individual_spike_trains_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
