/* test_api_errors.c — every public function that takes a handle, called with a bad argument,
 * fails with its documented status, a message, and the failure as data (argument, parameter,
 * element) in leinao_error_detail. Includes only <leinao.h>. */
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

/* The call failed with `status`, left a message, and blamed `argument`, `parameter`, `index`. */
static void failed(const leinao_sim *sim, leinao_status st, leinao_status status,
                   const char *argument, const char *parameter, int64_t index)
{
    leinao_error_info e;
    leinao_error_detail(sim, &e);
    printf("# %s: %s [argument '%s', parameter '%s', index %lld]\n", leinao_status_name(st),
           leinao_errmsg(sim), e.argument, e.parameter, (long long)e.index);
    assert_int_equal(st, status);
    assert_int_equal(e.status, status);
    assert_true(strlen(leinao_errmsg(sim)) > 0);
    assert_string_equal(e.argument, argument);
    assert_string_equal(e.parameter, parameter ? parameter : "");
    assert_int_equal(e.index, index);
}

static leinao_dist constant(double v)
{
    leinao_dist d = {LEINAO_DIST_CONSTANT, v, 0.0, -INFINITY, INFINITY};
    return d;
}

static void settings(void **state)
{
    (void)state;
    leinao_sim *sim;
    OK(leinao_open(&sim));
    leinao_error_info e;
    leinao_error_detail(sim, &e);
    assert_int_equal(e.status, LEINAO_OK);
    assert_int_equal(e.index, -1);
    failed(sim, leinao_configure(sim, -1.0, 100.0, 1, 1), LEINAO_INVALID, "dt", NULL, -1);
    failed(sim, leinao_configure(sim, 0.1, 0.15, 1, 1), LEINAO_INVALID, "duration", NULL, -1);
    failed(sim, leinao_configure(sim, 0.1, 100.0, 1, LEINAO_MAX_THREADS + 1), LEINAO_INVALID,
           "threads", NULL, -1);
    failed(sim, leinao_configure(sim, 0.1, 100.0, 1, -1), LEINAO_INVALID, "threads", NULL, -1);
    OK(leinao_configure(sim, 0.1, 100.0, 1, 0)); /* 0: one thread per core */
    failed(sim, leinao_set_transient(sim, -1.0), LEINAO_INVALID, "transient", NULL, -1);
    failed(sim, leinao_set_name(sim, NULL), LEINAO_INVALID, "name", NULL, -1);
    failed(sim, leinao_set_rate_guard(sim, 7, 0, 10, 100), LEINAO_NOT_FOUND, "pop", NULL, 7);
    failed(sim, leinao_set_rate_guard(sim, -1, 0, 10, 0.05), LEINAO_INVALID, "window", NULL, -1);
    failed(sim, leinao_set_rate_guard(sim, -1, 5, 1, 100), LEINAO_INVALID, "max_rate", NULL, -1);
    failed(sim, leinao_set_output_dir(sim, "", 0), LEINAO_INVALID, "dir", NULL, -1);
    failed(sim, leinao_report_error(sim, LEINAO_IO, "a loader's own failure"), LEINAO_IO, "",
           NULL, -1);
    assert_string_equal(leinao_errmsg(sim), "a loader's own failure");
    leinao_close(sim);
}

static void populations(void **state)
{
    (void)state;
    leinao_sim *sim;
    OK(leinao_open(&sim));
    int n, g;
    failed(sim, leinao_add_population(sim, "1x", "iaf_psc_delta", 5, NULL), LEINAO_INVALID,
           "name", NULL, -1);
    failed(sim, leinao_add_population(sim, "n", "iaf_psc_dleta", 5, NULL), LEINAO_NOT_FOUND,
           "model", NULL, -1);
    assert_non_null(strstr(leinao_errmsg(sim), "did you mean 'iaf_psc_delta'?"));
    failed(sim, leinao_add_population(sim, "n", "iaf_psc_delta", 0, NULL), LEINAO_INVALID, "size",
           NULL, -1);
    OK(leinao_add_population(sim, "n", "iaf_psc_delta", 5, &n));
    failed(sim, leinao_add_population(sim, "n", "iaf_psc_delta", 5, NULL), LEINAO_INVALID, "name",
           NULL, -1);
    OK(leinao_add_population(sim, "g", "spike_generator", 1, &g));
    assert_int_equal(leinao_population_count(sim), 2);
    failed(sim, leinao_set_param(sim, 9, "C_m", 1.0), LEINAO_NOT_FOUND, "pop", NULL, 9);
    failed(sim, leinao_set_param(sim, n, "C_M", 1.0), LEINAO_NOT_FOUND, "param", "C_M", -1);
    failed(sim, leinao_set_param(sim, n, "C_m", -1.0), LEINAO_INVALID, "value", "C_m", -1);
    assert_string_equal(leinao_errmsg(sim), "C_m must be > 0, got -1");
    const double times[] = {1.0, 2.0, 1.5};
    failed(sim, leinao_set_param_array(sim, g, "spike_times", times, 3), LEINAO_INVALID, "values",
           "spike_times", 2);
    leinao_dist bad = {LEINAO_DIST_UNIFORM, 5.0, 1.0, 0, 0}, v = constant(0.0);
    failed(sim, leinao_set_init(sim, n, "g_ex", &v), LEINAO_NOT_FOUND, "var", "g_ex", -1);
    failed(sim, leinao_set_init(sim, n, "V_m", &bad), LEINAO_INVALID, "value", "V_m", -1);
    OK(leinao_set_param(sim, n, "V_reset", 30.0));
    failed(sim, leinao_check_population(sim, n), LEINAO_INVALID, "", NULL, -1);
    assert_non_null(strstr(leinao_errmsg(sim), "V_reset must be < V_th"));
    failed(sim, leinao_build(sim), LEINAO_INVALID, "", NULL, -1);
    assert_non_null(strstr(leinao_errmsg(sim), "population n"));
    leinao_population_stats ps;
    failed(sim, leinao_get_population_stats(sim, 5, &ps), LEINAO_NOT_FOUND, "pop", NULL, 5);
    OK(leinao_get_population_stats(sim, n, &ps)); /* before build: name, model, size */
    assert_string_equal(ps.name, "n");
    assert_int_equal(ps.size, 5);
    leinao_close(sim);
}

static void projections(void **state)
{
    (void)state;
    leinao_sim *sim;
    OK(leinao_open(&sim));
    int n, g, p;
    OK(leinao_add_population(sim, "n", "iaf_psc_delta", 10, &n));
    OK(leinao_add_population(sim, "g", "poisson_generator", 1, &g));
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_rule indegree = leinao_rule_default(LEINAO_FIXED_INDEGREE);
    indegree.n = 20;
    indegree.allow_multapses = 0;
    leinao_dist w = constant(1.0), d = constant(1.0), off_grid = constant(0.15);
    failed(sim, leinao_connect(sim, n, 4, &all, &w, &d, NULL), LEINAO_NOT_FOUND, "target", NULL,
           4);
    failed(sim, leinao_connect(sim, -2, n, &all, &w, &d, NULL), LEINAO_NOT_FOUND, "source", NULL,
           -2);
    failed(sim, leinao_connect(sim, n, g, &all, &w, &d, NULL), LEINAO_INVALID, "target", NULL, -1);
    failed(sim, leinao_connect(sim, n, n, &all, &w, &off_grid, NULL), LEINAO_INVALID, "delay",
           NULL, -1);
    leinao_dist inf = constant(INFINITY);
    failed(sim, leinao_connect(sim, n, n, &all, &inf, &d, NULL), LEINAO_INVALID, "weight", NULL,
           -1);
    failed(sim, leinao_connect(sim, n, n, &indegree, &w, &d, NULL), LEINAO_INVALID, "rule", NULL,
           -1);
    const uint32_t src[] = {0, 1, 12}, tgt[] = {0, 1, 2};
    const double delays[] = {1.0, 0.05, 1.0};
    failed(sim, leinao_connect_explicit(sim, n, n, 3, src, tgt, NULL, NULL, NULL), LEINAO_INVALID,
           "sources", NULL, 2);
    failed(sim, leinao_connect_explicit(sim, n, n, 2, src, tgt, NULL, delays, NULL),
           LEINAO_INVALID, "delays", NULL, 1);
    assert_int_equal(leinao_projection_count(sim), 0); /* failed calls add nothing */
    OK(leinao_connect(sim, n, n, &all, &w, &d, &p));
    failed(sim, leinao_set_synapse(sim, 3, "stdp_synapse"), LEINAO_NOT_FOUND, "proj", NULL, 3);
    failed(sim, leinao_set_synapse(sim, p, "tsodyks"), LEINAO_NOT_FOUND, "model", NULL, -1);
    OK(leinao_set_synapse(sim, p, "tsodyks_synapse"));
    failed(sim, leinao_set_synapse_param(sim, p, "tau_pcs", 1.0), LEINAO_NOT_FOUND, "name",
           "tau_pcs", -1);
    const char *names[] = {"x", "U", "y"};
    const double values[] = {0.5, -1.0, 0.7};
    failed(sim, leinao_set_synapse_params(sim, p, 3, names, values), LEINAO_INVALID, "values", "U",
           1);
    const double broken[] = {0.5, 0.5, 0.7}; /* each valid, but x + y > 1 */
    failed(sim, leinao_set_synapse_params(sim, p, 3, names, broken), LEINAO_INVALID, "values",
           NULL, -1);
    assert_non_null(strstr(leinao_errmsg(sim), "x + y must be <= 1"));
    leinao_projection_stats st;
    failed(sim, leinao_get_projection_stats(sim, 8, &st), LEINAO_NOT_FOUND, "proj", NULL, 8);
    size_t count = 0;
    failed(sim, leinao_get_connections(sim, p, &count, NULL, NULL, NULL, NULL), LEINAO_STATE,
           "proj", NULL, p);
    failed(sim, leinao_get_connections(sim, 8, &count, NULL, NULL, NULL, NULL), LEINAO_NOT_FOUND,
           "proj", NULL, 8);
    leinao_close(sim);
}

static void recordings_and_phases(void **state)
{
    (void)state;
    leinao_sim *sim;
    OK(leinao_open(&sim));
    OK(leinao_configure(sim, 0.1, 10.0, 1, 1));
    int n, g;
    OK(leinao_add_population(sim, "n", "iaf_psc_delta", 4, &n));
    OK(leinao_add_population(sim, "g", "poisson_generator", 1, &g));
    failed(sim, leinao_record_spikes(sim, g, "s.h5", "sonata"), LEINAO_INVALID, "pop", NULL, g);
    failed(sim, leinao_record_spikes(sim, n, "s.h5", "hdf"), LEINAO_INVALID, "format", NULL, -1);
    failed(sim, leinao_record_spikes(sim, 6, "s.h5", "sonata"), LEINAO_NOT_FOUND, "pop", NULL, 6);
    const char *vars[] = {"V_m", "g_ex"};
    const uint32_t neurons[] = {0, 4};
    failed(sim, leinao_record_state(sim, n, vars, 2, NULL, 0, 1.0, NULL, "memory"),
           LEINAO_NOT_FOUND, "variables", "g_ex", 1);
    failed(sim, leinao_record_state(sim, n, vars, 1, neurons, 2, 1.0, NULL, "memory"),
           LEINAO_INVALID, "neurons", NULL, 1);
    failed(sim, leinao_record_state(sim, n, vars, 1, NULL, 0, 0.25, NULL, "memory"),
           LEINAO_INVALID, "interval", NULL, -1);
    OK(leinao_record_spikes(sim, n, NULL, "memory"));
    OK(leinao_record_state(sim, n, vars, 1, neurons, 1, 1.0, NULL, "memory"));
    failed(sim, leinao_record_spikes(sim, n, NULL, "memory"), LEINAO_INVALID, "pop", NULL, n);
    const double *times, *values;
    const uint32_t *ids;
    size_t count, frames, columns;
    failed(sim, leinao_get_spikes(sim, g, &times, &ids, &count), LEINAO_NOT_FOUND, "pop", NULL, g);
    failed(sim, leinao_get_state(sim, 3, &times, &values, &frames, &columns), LEINAO_NOT_FOUND,
           "recording", NULL, 3);
    failed(sim, leinao_run(sim, NULL, NULL), LEINAO_STATE, "", NULL, -1);
    failed(sim, leinao_finish(sim), LEINAO_STATE, "", NULL, -1);
    OK(leinao_set_param(sim, n, "I_e", 1000.0));
    OK(leinao_build(sim));
    failed(sim, leinao_build(sim), LEINAO_STATE, "", NULL, -1);
    OK(leinao_set_param(sim, n, "C_m", 250.0)); /* between runs: allowed */
    failed(sim, leinao_set_param(sim, n, "C_m", -1.0), LEINAO_INVALID, "value", "C_m", -1);
    failed(sim, leinao_set_param_array(sim, n, "spike_times", NULL, 0), LEINAO_STATE, "", NULL, -1);
    failed(sim, leinao_configure(sim, 0.1, 10.0, 1, 1), LEINAO_STATE, "", NULL, -1);
    OK(leinao_run(sim, NULL, NULL));
    OK(leinao_get_spikes(sim, n, &times, &ids, &count));
    assert_true(count > 0);
    for (size_t k = 1; k < count; k++)
        assert_true(times[k - 1] <= times[k]);
    OK(leinao_get_state(sim, 0, &times, &values, &frames, &columns));
    assert_int_equal(frames, 10);
    assert_int_equal(columns, 1);
    assert_true(times[0] == 1.0 && times[9] == 10.0);
    OK(leinao_finish(sim));
    failed(sim, leinao_run(sim, NULL, NULL), LEINAO_STATE, "", NULL, -1);
    failed(sim, leinao_set_param(sim, n, "C_m", 250.0), LEINAO_STATE, "", NULL, -1);
    failed(sim, leinao_plot_spikes(sim, "/nonexistent/s.h5", "/tmp/x.png", NULL), LEINAO_NOT_FOUND, "",
           NULL, -1);
    leinao_close(sim);
    OK(leinao_open(&sim));
    failed(sim, leinao_load_model(sim, "/nonexistent/model.yaml", NULL, 0), LEINAO_NOT_FOUND, "",
           NULL, -1);
    leinao_close(sim);
}

static void model_tables(void **state)
{
    (void)state;
    assert_int_equal(leinao_model_param_count("nope"), -1);
    leinao_param_info info;
    assert_int_equal(leinao_model_param("nope", 0, &info), LEINAO_NOT_FOUND);
    assert_null(leinao_model_kind("nope"));
    assert_string_equal(leinao_model_kind("iaf_psc_delta"), "neuron");
    assert_string_equal(leinao_model_kind("poisson_generator"), "device");
    assert_string_equal(leinao_model_kind("stdp_synapse"), "synapse");
    int count = leinao_model_param_count("iaf_psc_delta"), states = 0;
    assert_true(count > 0);
    assert_int_equal(leinao_model_param("iaf_psc_delta", count, &info), LEINAO_NOT_FOUND);
    for (int i = 0; i < count; i++) {
        OK(leinao_model_param("iaf_psc_delta", i, &info));
        states += info.is_state;
        if (!strcmp(info.name, "C_m")) {
            assert_string_equal(info.unit, "pF");
            assert_string_equal(info.rule, "> 0");
            assert_false(info.is_state);
        }
    }
    assert_true(states >= 1);
    count = leinao_model_param_count("tsodyks_synapse");
    assert_true(count >= 4);
    OK(leinao_model_param("tsodyks_synapse", 0, &info));
    assert_false(info.is_state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings),
        cmocka_unit_test(populations),
        cmocka_unit_test(projections),
        cmocka_unit_test(recordings_and_phases),
        cmocka_unit_test(model_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
