/* Incremental runs (leinao_simulate, as NEST's Simulate): many short runs give bitwise the same
 * spike files and state reports as one run of the total length — also when a run ends inside a
 * slice of min_delay steps — and a parameter set between runs takes effect at the next step.
 * Uses only the public API. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "leinao.h"

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *n = (size_t)size;
    return data;
}

/* Runs `model` (relative to the source tree) with `overrides` into a new folder, as `n_spans`
 * calls of leinao_simulate(spans[i]) (n_spans 0: one leinao_run); returns the folder. */
static char *run_model(const char *model, const char *const *overrides, size_t n_overrides,
                       const double *spans, int n_spans)
{
    char path[512], *dir = strdup("/tmp/leinao_incrementalXXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/%s", LEINAO_SOURCE_DIR, model);
    leinao_sim *sim;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    leinao_status st = leinao_load_model(sim, path, overrides, n_overrides);
    if (st)
        fail_msg("%s", leinao_errmsg(sim));
    assert_int_equal(leinao_set_output_dir(sim, dir, 1), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    if (n_spans == 0)
        assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);
    for (int i = 0; i < n_spans; i++)
        if ((st = leinao_simulate(sim, spans[i], NULL, NULL)))
            fail_msg("simulate %d: %s", i, leinao_errmsg(sim));
    assert_int_equal(leinao_finish(sim), LEINAO_OK);
    leinao_close(sim);
    return dir;
}

static void assert_same_files(const char *a, const char *b, const char *const *files, int n)
{
    for (int i = 0; i < n; i++) {
        char pa[600], pb[600];
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        size_t na, nb;
        char *da = slurp(pa, &na), *db = slurp(pb, &nb);
        if (na != nb || memcmp(da, db, na))
            fail_msg("%s differs between %s and %s", files[i], a, b);
        free(da);
        free(db);
    }
}

static void compare(const char *model, const char *const *overrides, size_t n_overrides,
                    const double *spans, int n_spans, const char *const *files, int n_files)
{
    char *one = run_model(model, overrides, n_overrides, NULL, 0);
    char *many = run_model(model, overrides, n_overrides, spans, n_spans);
    assert_same_files(one, many, files, n_files);
    free(one);
    free(many);
}

/* 10 x 100 ms against 1 x 1000 ms, 2 threads. */
static void ten_runs(const char *model)
{
    static const char *const o[] = {"simulation.duration=1000", "simulation.threads=2"};
    double spans[10];
    for (int i = 0; i < 10; i++)
        spans[i] = 100.0;
    static const char *const files[] = {"spikes.h5"};
    compare(model, o, 2, spans, 10, files, 1);
}

/* Brunel: min_delay is 15 steps, so runs of 100 ms (1000 steps) end inside slices. */
static void brunel_ten_runs(void **state)
{
    (void)state;
    ten_runs("examples/brunel.yaml");
}

static void stdp_ten_runs(void **state)
{
    (void)state;
    ten_runs("examples/stdp.yaml");
}

/* State reports and every model and device, with uneven spans (0.3 ms: inside 0.5 ms slices;
 * 0: nothing happens). */
static void state_reports_uneven_runs(void **state)
{
    (void)state;
    static const char *const o[] = {"simulation.threads=3"};
    double spans[] = {0.3, 0.0, 7.2, 12.5, 30.0, 0.1, 49.9};
    static const char *const files[] = {"spikes.h5", "vm.h5", "vm.csv", "probe.h5"};
    compare("tests/data/state.yaml", o, 1, spans, 7, files, 4);
    double spans2[] = {33.3, 66.6, 0.1, 100.0, 99.9, 0.1};
    static const char *const files2[] = {"spikes.h5", "adex.h5", "izh.h5", "cond.csv", "exp.h5"};
    compare("tests/data/models.yaml", o, 1, spans2, 6, files2, 5);
}

/* iaf_psc_delta at rest: I_e set between runs moves V_m in the very next step by P30 I_e. */
static void parameter_between_runs(void **state)
{
    (void)state;
    leinao_sim *sim;
    int pop, dc;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_configure(sim, 0.1, 1000.0, 1, 1), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "n", "iaf_psc_delta", 3, &pop), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "dc", "dc_generator", 1, &dc), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = {LEINAO_DIST_CONSTANT, 0.0, 0, -INFINITY, INFINITY};
    leinao_dist d = {LEINAO_DIST_CONSTANT, 0.1, 0, -INFINITY, INFINITY};
    assert_int_equal(leinao_connect(sim, dc, pop, &all, &w, &d, NULL), LEINAO_OK);
    char dir[] = "/tmp/leinao_paramXXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *vars[] = {"V_m"};
    assert_int_equal(leinao_record_state(sim, pop, vars, 1, NULL, 0, 0.1, "vm.csv", "csv"),
                     LEINAO_OK);
    assert_int_equal(leinao_set_output_dir(sim, dir, 1), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    assert_int_equal(leinao_simulate(sim, 5.0, NULL, NULL), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, pop, "I_e", 400.0), LEINAO_OK);
    /* a value breaking a rule between parameters is refused and changes nothing */
    assert_int_equal(leinao_set_param(sim, pop, "V_reset", -50.0), LEINAO_INVALID);
    assert_non_null(strstr(leinao_errmsg(sim), "V_reset must be < V_th"));
    assert_int_equal(leinao_simulate(sim, 0.2, NULL, NULL), LEINAO_OK);
    assert_int_equal(leinao_finish(sim), LEINAO_OK);
    leinao_close(sim);
    char path[600];
    snprintf(path, sizeof path, "%s/vm.csv", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    double t, v, at_5 = NAN, at_51 = NAN, at_52 = NAN;
    int id;
    while (fgets(line, sizeof line, f)) { /* time,node_id,V_m */
        if (sscanf(line, "%lf,%d,%lf", &t, &id, &v) != 3 || id != 0)
            continue;
        if (fabs(t - 5.0) < 1e-9)
            at_5 = v;
        if (fabs(t - 5.1) < 1e-9)
            at_51 = v;
        if (fabs(t - 5.2) < 1e-9)
            at_52 = v;
    }
    fclose(f);
    const double tau = 10.0, C = 250.0, P33 = exp(-0.1 / tau), P30 = -tau / C * expm1(-0.1 / tau);
    assert_true(at_5 == -70.0);
    assert_true(fabs(at_51 - (-70.0 + P30 * 400.0)) < 1e-12);
    assert_true(fabs(at_52 - (-70.0 + P33 * (at_51 + 70.0) + P30 * 400.0)) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(brunel_ten_runs),
        cmocka_unit_test(stdp_ten_runs),
        cmocka_unit_test(state_reports_uneven_runs),
        cmocka_unit_test(parameter_between_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
