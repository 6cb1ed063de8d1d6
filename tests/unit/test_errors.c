#define _DEFAULT_SOURCE /* mkstemps */
/* test_errors.c — bad model files give a clear error (file:line:column, the key, the value,
 * the rule) and a non-zero status, never a crash. One case per kind of mistake. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leinao.h"
#include "stats.h"

static char path[64];
static char message[1100];

static leinao_status load_sets(const char *text, const char *const *sets, size_t n_sets)
{
    strcpy(path, "/tmp/leinao_test_XXXXXX.yaml");
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    leinao_sim *sim;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    leinao_status st = leinao_load_model(sim, path, sets, n_sets);
    snprintf(message, sizeof message, "%s", leinao_errmsg(sim));
    leinao_close(sim);
    unlink(path);
    printf("# %s\n", message);
    return st;
}

static leinao_status load(const char *text)
{
    return load_sets(text, NULL, 0);
}

/* The message starts with path:line:column and contains each of the given pieces. */
static void expect(int line, int col, const char *a, const char *b)
{
    char where[128];
    snprintf(where, sizeof where, "%s:%d:%d: ", path, line, col);
    if (!strstr(message, where))
        printf("# expected the location %s\n", where);
    assert_non_null(strstr(message, where));
    if (a)
        assert_non_null(strstr(message, a));
    if (b)
        assert_non_null(strstr(message, b));
}

#define POP_E "populations:\n  E: {model: iaf_psc_delta, size: 10}\n"

static void valid_file_loads(void **state)
{
    (void)state;
    assert_int_equal(load("simulation: {dt: 0.1, duration: 10}\n" POP_E
                          "projections:\n  - {source: E, target: E, rule: {fixed_indegree: 2},"
                          " synapse: {weight: 0.1, delay: 1.5}}\n"),
                     LEINAO_OK);
}

static void json_is_accepted(void **state)
{
    (void)state;
    assert_int_equal(load("{\"simulation\": {\"dt\": 0.1, \"duration\": 10.0},\n"
                          " \"populations\": {\"E\": {\"model\": \"iaf_psc_delta\", \"size\": 5,\n"
                          "   \"init\": {\"V_m\": {\"uniform\": {\"low\": -70, \"high\": -60}}}}},\n"
                          " \"projections\": [{\"source\": \"E\", \"target\": \"E\",\n"
                          "   \"rule\": \"all_to_all\", \"synapse\": {\"weight\": 0.5}}]}\n"),
                     LEINAO_OK);
}

static void missing_file(void **state)
{
    (void)state;
    leinao_sim *sim;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_load_model(sim, "/nonexistent/model.yaml", NULL, 0), LEINAO_NOT_FOUND);
    assert_non_null(strstr(leinao_errmsg(sim), "/nonexistent/model.yaml: cannot open"));
    leinao_close(sim);
}

static void malformed_yaml(void **state)
{
    (void)state;
    assert_int_equal(load("simulation: {dt: 0.1\npopulations: [\n"), LEINAO_MODEL_FILE);
    assert_non_null(strstr(message, path));
    assert_non_null(strstr(message, "malformed YAML"));
    assert_int_equal(load(""), LEINAO_MODEL_FILE);
    assert_int_equal(load("- just\n- a list\n"), LEINAO_MODEL_FILE);
    expect(1, 1, "must be a mapping", NULL);
    assert_int_equal(load("a: 1\na: 2\n"), LEINAO_MODEL_FILE);
    expect(2, 1, "duplicate key 'a'", NULL);
}

static void unknown_key_suggests(void **state)
{
    (void)state;
    assert_int_equal(load("simulation: {durration: 10}\n" POP_E), LEINAO_MODEL_FILE);
    expect(1, 14, "simulation: unknown key 'durration'", "did you mean 'duration'?");
    assert_int_equal(load("populations:\n  E: {model: iaf_psc_delta, sise: 10}\n"),
                     LEINAO_MODEL_FILE);
    expect(2, 29, "populations.E: unknown key 'sise'", "did you mean 'size'?");
    assert_int_equal(load(POP_E "projection: []\n"), LEINAO_MODEL_FILE);
    expect(3, 1, "did you mean 'projections'?", NULL);
}

static void wrong_types(void **state)
{
    (void)state;
    assert_int_equal(load("populations:\n  E: {model: iaf_psc_delta, size: ten}\n"),
                     LEINAO_MODEL_FILE);
    expect(2, 35, "populations.E.size", "must be a number, got 'ten'");
    assert_int_equal(load("populations: [E, I]\n"), LEINAO_MODEL_FILE);
    expect(1, 14, "populations", "must be a mapping, got a list");
    assert_int_equal(load("simulation: {dt: 0.1, duration: \"100\"}\n" POP_E), LEINAO_MODEL_FILE);
    expect(1, 33, "simulation.duration", "must be a number");
    assert_int_equal(load("populations:\n  E: {model: iaf_psc_delta, size: 10.5}\n"),
                     LEINAO_MODEL_FILE);
    expect(2, 35, "must be a whole number", NULL);
}

static void sizes_must_be_positive(void **state)
{
    (void)state;
    assert_int_equal(load("populations:\n  E: {model: iaf_psc_delta, size: -5}\n"),
                     LEINAO_MODEL_FILE);
    expect(2, 35, "populations.E.size", "size must be > 0, got -5");
    assert_int_equal(load("populations:\n  E: {model: iaf_psc_delta, size: 0}\n"),
                     LEINAO_MODEL_FILE);
    expect(2, 35, "size must be > 0, got 0", NULL);
}

static void invalid_parameters(void **state)
{
    (void)state;
    assert_int_equal(load("populations:\n  E:\n    model: iaf_psc_delta\n    params: {C_m: -1}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 19, "populations.E.params.C_m", "C_m must be > 0, got -1");
    assert_int_equal(load("populations:\n  E:\n    model: iaf_psc_delta\n    params: {C_M: 1}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 19, "populations.E.params.C_M", "did you mean 'C_m'?");
    assert_int_equal(load("populations:\n  E:\n    model: iaf_psc_delta\n"
                          "    params: {V_th: 20, V_reset: 30}\n"),
                     LEINAO_MODEL_FILE);
    expect(3, 5, "populations.E", "V_reset must be < V_th");
    assert_int_equal(load("populations:\n  E:\n    model: iaf_psc_delta\n"
                          "    init: {V_m: {uniform: {low: 5, high: 1}}}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 27, "populations.E.init.V_m.uniform", "low <= high");
    assert_int_equal(load("populations:\n  E:\n    model: iaf_psc_delta\n    init: {g_ex: 1}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 18, "populations.E.init.g_ex", "has no state variable 'g_ex'");
    assert_null(strstr(message, "did you mean"));
}

static void delays_on_the_grid(void **state)
{
    (void)state;
    assert_int_equal(load(POP_E "projections:\n  - {source: E, target: E, rule: all_to_all,"
                                " synapse: {weight: 1, delay: 0.15}}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 74, "projections.0.synapse.delay", "must be a multiple of dt = 0.1 ms, got 0.15");
    assert_int_equal(load(POP_E "projections:\n  - {source: E, target: E, rule: all_to_all,"
                                " synapse: {weight: 1, delay: 0.0}}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 74, "delay must be >= dt", NULL);
}

/* The API checks the numbers of a distribution (the loader only its shape); the error is still
 * reported at the distribution's parameters in the file. */
static void distributions_are_checked_at_their_node(void **state)
{
    (void)state;
    assert_int_equal(load(POP_E "projections:\n  - {source: E, target: E, rule: all_to_all,"
                                " synapse: {delay: {normal: {mean: 1, std: -1}}}}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 72, "projections.0.synapse.delay.normal", "std must be >= 0, got -1");
    assert_int_equal(load(POP_E "projections:\n  - {source: E, target: E, rule: all_to_all,"
                                " synapse: {weight: {normal_clipped:\n"
                                "      {mean: 1, std: 1, low: 3, high: 2}}}}\n"),
                     LEINAO_MODEL_FILE);
    expect(5, 7, "projections.0.synapse.weight.normal_clipped",
           "normal_clipped needs low <= high, got low = 3, high = 2");
    assert_int_equal(load("populations:\n  E:\n    model: iaf_psc_delta\n"
                          "    init: {V_m: {lognormal: {mu: 1, sigma: -2}}}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 29, "populations.E.init.V_m.lognormal", "sigma must be >= 0, got -2");
}

static void unknown_model_and_population(void **state)
{
    (void)state;
    assert_int_equal(load("populations:\n  E: {model: iaf_psc_dleta, size: 3}\n"),
                     LEINAO_MODEL_FILE);
    expect(2, 14, "populations.E.model", "unknown model 'iaf_psc_dleta' (did you mean 'iaf_psc_delta'?)");
    assert_int_equal(load(POP_E "projections:\n  - {source: X, target: E, rule: all_to_all}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 14, "projections.0.source", "unknown population 'X'");
    assert_int_equal(load(POP_E "recordings:\n  - {type: spikes, populations: [E, F], file: s.h5}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 37, "recordings.0.populations", "unknown population 'F' (did you mean 'E'?)");
    assert_int_equal(load(POP_E "projections:\n  - {source: E, target: E, rule: fixed_indegre}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 34, "did you mean 'fixed_indegree'?", NULL);
    assert_int_equal(load(POP_E "recordings:\n  - {type: voltage, populations: E, file: v.h5}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 12, "recordings.0.type", "unknown recording type 'voltage' (spikes or state)");
}

static void rules_are_checked(void **state)
{
    (void)state;
    assert_int_equal(load(POP_E "projections:\n  - {source: E, target: E,"
                                " rule: {fixed_indegree: 20, allow_multapses: false}}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 34, "projections.0.rule", "exceeds the 10 available sources");
    assert_int_equal(load(POP_E "projections:\n  - {source: E, target: E,"
                                " rule: {pairwise_bernoulli: 1.5}}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 55, "p must be in [0, 1], got 1.5", NULL);
}

/* Regression (found by fuzzing): an infinite interval slipped through the multiple-of-dt check
 * (inf - inf is NaN) and overflowed an int. */
static void infinite_times_are_refused(void **state)
{
    (void)state;
    assert_int_equal(load(POP_E "recordings:\n  - {type: state, population: E, variables: V_m,"
                                " interval: inf, file: v.h5}\n"),
                     LEINAO_MODEL_FILE);
    expect(4, 60, "recordings.0.interval", "interval must be a positive multiple of dt");
    assert_int_equal(load(POP_E "guards: {rate: {max: 10, window: .inf}}\n"), LEINAO_MODEL_FILE);
    assert_non_null(strstr(message, "window must be a positive multiple of dt"));
    assert_int_equal(load("populations:\n  g: {model: spike_generator, params: {spike_times: [1e300]}}\n"),
                     LEINAO_MODEL_FILE);
    assert_non_null(strstr(message, "beyond the 2^32 steps"));
}

/* step_current_generator's two lists: they load; NEST's rules between them are reported at the
 * list (or the element) concerned. */
static void step_current_lists(void **state)
{
    (void)state;
    const char *head = "simulation: {dt: 0.1, duration: 10}\n" POP_E
                       "  s:\n    model: step_current_generator\n    params:\n";
    char text[512];
    snprintf(text, sizeof text, "%s%s", head,
             "      amplitude_times: [1.0, 2.5]\n      amplitude_values: [-3.0, 4.5]\n");
    assert_int_equal(load(text), LEINAO_OK);
    snprintf(text, sizeof text, "%s%s", head,
             "      amplitude_times: [1.0, 2.5]\n      amplitude_values: [-3.0]\n");
    assert_int_equal(load(text), LEINAO_MODEL_FILE);
    expect(8, 25, "populations.s.params.amplitude_values",
           "amplitude_times and amplitude_values must have the same length, got 2 and 1");
    snprintf(text, sizeof text, "%s%s", head,
             "      amplitude_times: [1.0, 1.0]\n      amplitude_values: [1, 2]\n");
    assert_int_equal(load(text), LEINAO_MODEL_FILE);
    expect(7, 30, "populations.s.params.amplitude_times.1", "must be strictly increasing");
    snprintf(text, sizeof text, "%s%s", head,
             "      amplitude_times: [1.0, 2.55]\n      amplitude_values: [1, 2]\n");
    assert_int_equal(load(text), LEINAO_MODEL_FILE);
    expect(7, 30, "populations.s.params.amplitude_times.1", "must be > 0 and a multiple of dt");
    snprintf(text, sizeof text, "%s%s", head, "      amplitude_values: 2.0\n");
    assert_int_equal(load(text), LEINAO_MODEL_FILE);
    assert_non_null(strstr(message, "amplitude_values must be a list of numbers"));
}

static void overrides(void **state)
{
    (void)state;
    const char *good[] = {"simulation.duration=200", "populations.E.size=1000",
                          "populations.E.params.I_e=5"};
    assert_int_equal(load_sets(POP_E, good, 3), LEINAO_OK);
    const char *bad[] = {"simulation.duration=abc"};
    assert_int_equal(load_sets(POP_E, bad, 1), LEINAO_MODEL_FILE);
    assert_non_null(strstr(message, "--set simulation.duration=abc: simulation.duration: must be "
                                     "a number, got 'abc'"));
    const char *index[] = {"projections.3.synapse.weight=1"};
    assert_int_equal(load_sets(POP_E "projections: []\n", index, 1), LEINAO_INVALID);
    assert_non_null(strstr(message, "not an index"));
    const char *typo[] = {"simulation.durration=5"};
    assert_int_equal(load_sets(POP_E, typo, 1), LEINAO_MODEL_FILE);
    assert_non_null(strstr(message, "did you mean 'duration'?"));
    const char *size[] = {"populations.E.size=0"};
    assert_int_equal(load_sets(POP_E, size, 1), LEINAO_MODEL_FILE);
    assert_non_null(strstr(message, "size must be > 0, got 0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_file_loads),
        cmocka_unit_test(json_is_accepted),
        cmocka_unit_test(missing_file),
        cmocka_unit_test(malformed_yaml),
        cmocka_unit_test(unknown_key_suggests),
        cmocka_unit_test(wrong_types),
        cmocka_unit_test(sizes_must_be_positive),
        cmocka_unit_test(invalid_parameters),
        cmocka_unit_test(delays_on_the_grid),
        cmocka_unit_test(distributions_are_checked_at_their_node),
        cmocka_unit_test(unknown_model_and_population),
        cmocka_unit_test(rules_are_checked),
        cmocka_unit_test(infinite_times_are_refused),
        cmocka_unit_test(step_current_lists),
        cmocka_unit_test(overrides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
