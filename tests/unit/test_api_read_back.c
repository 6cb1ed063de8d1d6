/* test_api_read_back.c — a built network's values read back (leinao_get_config,
 * leinao_get_param_values, leinao_get_param_array): per-neuron parameters as given, uniform ones
 * and NEST's E_L convention as the build applies them, drawn initial values, a spike_generator's
 * times; a projection's synapse parameters, a state recording's declaration and tau_minus
 * (what leinao_export_sonata reads); the statuses of the refusals. Includes only <leinao.h>. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <leinao.h>

#define OK(call) assert_int_equal((call), LEINAO_OK)
#define N 10

static void values_read_back(void **state)
{
    (void)state;
    leinao_sim *sim;
    OK(leinao_open(&sim));
    OK(leinao_configure(sim, 0.1, 50.0, 99, 1));
    double dt, duration;
    uint64_t seed;
    int threads;
    OK(leinao_get_config(sim, &dt, &duration, &seed, &threads));
    assert_true(dt == 0.1 && duration == 50.0 && seed == 99 && threads == 1);
    int a, d, g;
    OK(leinao_add_population(sim, "a", "iaf_psc_alpha", N, &a));
    OK(leinao_add_population(sim, "d", "iaf_psc_delta", N, &d));
    OK(leinao_add_population(sim, "g", "spike_generator", 2, &g));
    double ie[N], v[N];
    for (int i = 0; i < N; i++)
        ie[i] = 100.0 + i;
    OK(leinao_set_param_values(sim, a, "I_e", ie, N));
    OK(leinao_set_param(sim, a, "tau_m", 15.0));
    leinao_dist vm = {LEINAO_DIST_UNIFORM, -70.0, -60.0, -INFINITY, INFINITY};
    OK(leinao_set_init(sim, a, "V_m", &vm));
    OK(leinao_set_param(sim, d, "E_L", 0.0)); /* V_th follows: 15 above E_L, as in NEST */
    double times[] = {1.0, 2.5};
    OK(leinao_set_param_array(sim, g, "spike_times", times, 2));
    /* before the build: nothing built to read */
    assert_int_equal(leinao_get_param_values(sim, a, "I_e", v, N), LEINAO_STATE);
    OK(leinao_build(sim));
    OK(leinao_get_param_values(sim, a, "I_e", v, N));
    for (int i = 0; i < N; i++)
        assert_true(v[i] == ie[i]);
    OK(leinao_get_param_values(sim, a, "tau_m", v, N));
    for (int i = 0; i < N; i++)
        assert_true(v[i] == 15.0);
    OK(leinao_get_param_values(sim, a, "V_m", v, N));
    int distinct = 0;
    for (int i = 0; i < N; i++) {
        assert_true(v[i] >= -70.0 && v[i] < -60.0);
        distinct += i > 0 && v[i] != v[i - 1];
    }
    assert_true(distinct >= N - 2);
    OK(leinao_get_param_values(sim, d, "V_th", v, N));
    for (int i = 0; i < N; i++)
        assert_true(fabs(v[i] - 15.0) < 1e-12);
    const double *t;
    size_t n;
    OK(leinao_get_param_array(sim, g, "spike_times", &t, &n));
    assert_int_equal(n, 2);
    assert_true(t[0] == 1.0 && t[1] == 2.5);
    double s[2];
    OK(leinao_get_param_values(sim, g, "stop", s, 2));
    assert_true(isinf(s[0]) && isinf(s[1]));
    /* refusals */
    assert_int_equal(leinao_get_param_values(sim, a, "I_e", v, N - 1), LEINAO_INVALID);
    assert_int_equal(leinao_get_param_values(sim, a, "no_such", v, N), LEINAO_NOT_FOUND);
    leinao_error_info e;
    leinao_error_detail(sim, &e);
    assert_string_equal(e.argument, "name");
    assert_int_equal(leinao_get_param_values(sim, 7, "I_e", v, N), LEINAO_NOT_FOUND);
    assert_int_equal(leinao_get_param_array(sim, a, "I_e", &t, &n), LEINAO_NOT_FOUND);
    assert_int_equal(leinao_get_param_values(sim, g, "spike_times", s, 2), LEINAO_NOT_FOUND);
    leinao_close(sim);
}

/* A projection's synapse parameters (leinao_get_synapse_param), a state recording's
 * declaration (leinao_get_state_recording) and tau_minus (leinao_get_param_values), as set. */
static void synapses_and_recordings_read_back(void **state)
{
    (void)state;
    leinao_sim *sim;
    OK(leinao_open(&sim));
    OK(leinao_configure(sim, 0.1, 20.0, 5, 1));
    int a, b, p, q;
    OK(leinao_add_population(sim, "a", "iaf_psc_alpha", N, &a));
    OK(leinao_add_population(sim, "b", "iaf_psc_exp", 4, &b));
    OK(leinao_set_param(sim, b, "tau_minus", 12.5));
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = {LEINAO_DIST_CONSTANT, 30.0, 0, -INFINITY, INFINITY};
    leinao_dist dl = {LEINAO_DIST_CONSTANT, 1.0, 0, -INFINITY, INFINITY};
    OK(leinao_connect(sim, a, b, &all, &w, &dl, &p));
    OK(leinao_connect(sim, a, a, &all, &w, &dl, &q));
    OK(leinao_set_synapse(sim, p, "stdp_synapse"));
    OK(leinao_set_synapse_param(sim, p, "Wmax", 77.0));
    double v;
    OK(leinao_get_synapse_param(sim, p, "Wmax", &v));
    assert_true(v == 77.0);
    OK(leinao_get_synapse_param(sim, p, "tau_plus", &v));
    assert_true(v == 20.0); /* the model's default */
    assert_int_equal(leinao_get_synapse_param(sim, q, "Wmax", &v), LEINAO_NOT_FOUND);
    assert_int_equal(leinao_get_synapse_param(sim, 9, "Wmax", &v), LEINAO_NOT_FOUND);
    assert_int_equal(leinao_get_synapse_param(sim, p, NULL, &v), LEINAO_INVALID);
    const char *vars[] = {"V_m", "I_syn_ex"};
    const uint32_t cells[] = {3, 1};
    OK(leinao_record_state(sim, b, vars, 2, cells, 2, 0.5, "b.h5", "sonata"));
    OK(leinao_record_state(sim, a, vars, 1, NULL, 0, 0.1, "a.csv", "csv"));
    leinao_state_recording_info r;
    OK(leinao_get_state_recording(sim, 0, &r));
    assert_int_equal(r.pop, b);
    assert_int_equal(r.n_vars, 2);
    assert_string_equal(r.vars[0], "V_m");
    assert_string_equal(r.vars[1], "I_syn_ex");
    assert_int_equal(r.n_neurons, 2);
    assert_true(r.neurons[0] == 3 && r.neurons[1] == 1);
    assert_true(fabs(r.interval - 0.5) < 1e-12);
    assert_string_equal(r.path, "b.h5");
    assert_string_equal(r.format, "sonata");
    OK(leinao_get_state_recording(sim, 1, &r));
    assert_int_equal(r.pop, a);
    assert_int_equal(r.n_neurons, N); /* all of them */
    assert_true(r.neurons[N - 1] == N - 1);
    assert_string_equal(r.format, "csv");
    assert_int_equal(leinao_get_state_recording(sim, 2, &r), LEINAO_NOT_FOUND);
    assert_int_equal(leinao_get_state_recording(sim, 0, NULL), LEINAO_INVALID);
    leinao_close(sim);
    /* tau_minus after a build */
    OK(leinao_open(&sim));
    OK(leinao_configure(sim, 0.1, 20.0, 5, 1));
    OK(leinao_add_population(sim, "b", "iaf_psc_exp", 4, &b));
    OK(leinao_set_param(sim, b, "tau_minus", 12.5));
    OK(leinao_build(sim));
    double t[4];
    OK(leinao_get_param_values(sim, b, "tau_minus", t, 4));
    assert_true(t[0] == 12.5 && t[3] == 12.5);
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_read_back),
        cmocka_unit_test(synapses_and_recordings_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
