/* test_registry.c — models registered at run time (lmodel_register): a copy of iaf_psc_delta's
 * descriptor under a new name runs through the public API with exactly iaf_psc_delta's spikes
 * (per-neuron counts, population statistics, the bytes of the CSV spike file), is listed after
 * the built-in models, and a taken or invalid name is refused with a message naming it. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define COPY_NAME "iaf_psc_delta_copy"
#define N_NEURONS 60

/* Outlives every use, as lmodel_register asks: static. */
static lmodel copy;

static void register_copy(void)
{
    if (lmodel_find(COPY_NAME))
        return;
    const lmodel *delta = lmodel_find("iaf_psc_delta");
    assert_non_null(delta);
    copy = *delta;
    copy.name = COPY_NAME;
    copy.doc = "A copy of iaf_psc_delta registered by test_registry.c.";
    lctx ctx;
    lctx_init(&ctx, NULL, NULL);
    assert_int_equal(lmodel_register(&ctx, &copy), LEINAO_OK);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

typedef struct result {
    uint32_t count[N_NEURONS]; /* spikes per neuron */
    leinao_population_stats stats;
    char *csv;
    size_t csv_len;
} result;

/* A recurrent network of `model` neurons with random initial V_m, Poisson drive and inhibitory
 * recurrent synapses, all with a delay of 15 steps (slices of 15 steps: the kernels' spikes are
 * sorted); its spikes recorded as CSV in `dir`, on two threads. */
static void run_network(const char *model, const char *dir, result *r)
{
    leinao_sim *sim;
    int e, noise;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_configure(sim, 0.1, 300.0, 42, 2), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "E", model, N_NEURONS, &e), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, e, "t_ref", 2.0), LEINAO_OK);
    leinao_dist v0 = {LEINAO_DIST_UNIFORM, -70.0, -56.0, 0.0, 0.0};
    assert_int_equal(leinao_set_init(sim, e, "V_m", &v0), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "noise", "poisson_generator", 1, &noise),
                     LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, noise, "rate", 9000.0), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_rule indegree = leinao_rule_default(LEINAO_FIXED_INDEGREE);
    indegree.n = 10;
    leinao_dist w_noise = harness_const(0.4), w_rec = harness_const(-0.8);
    leinao_dist d_noise = harness_const(1.5), d_rec = harness_const(1.5);
    assert_int_equal(leinao_connect(sim, noise, e, &all, &w_noise, &d_noise, NULL), LEINAO_OK);
    assert_int_equal(leinao_connect(sim, e, e, &indegree, &w_rec, &d_rec, NULL), LEINAO_OK);
    assert_int_equal(leinao_record_spikes(sim, e, "spikes.csv", "csv"), LEINAO_OK);
    assert_int_equal(leinao_set_output_dir(sim, dir, 1), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    assert_int_equal(leinao_run(sim, NULL, NULL), LEINAO_OK);
    assert_int_equal(leinao_finish(sim), LEINAO_OK);
    assert_int_equal(leinao_get_population_stats(sim, e, &r->stats), LEINAO_OK);
    memcpy(r->count, sim->net.pops[e]->count, sizeof r->count);
    char path[512];
    snprintf(path, sizeof path, "%s/spikes.csv", dir);
    r->csv = read_file(path, &r->csv_len);
    leinao_close(sim);
}

static void registered_copy_spikes_like_the_original(void **state)
{
    (void)state;
    register_copy();
    char dir_a[] = "/tmp/leinao_registry_XXXXXX", dir_b[] = "/tmp/leinao_registry_XXXXXX";
    assert_non_null(mkdtemp(dir_a));
    assert_non_null(mkdtemp(dir_b));
    static result a, b;
    run_network("iaf_psc_delta", dir_a, &a);
    run_network(COPY_NAME, dir_b, &b);

    assert_true(a.stats.spikes > 100); /* the network is active */
    assert_string_equal(b.stats.model, COPY_NAME);
    assert_int_equal(a.stats.spikes, b.stats.spikes);
    assert_memory_equal(&a.stats.rate, &b.stats.rate, sizeof a.stats.rate);
    assert_memory_equal(&a.stats.cv_isi, &b.stats.cv_isi, sizeof a.stats.cv_isi);
    assert_memory_equal(a.count, b.count, sizeof a.count);
    assert_int_equal(a.csv_len, b.csv_len);
    assert_memory_equal(a.csv, b.csv, a.csv_len);
    printf("# %llu spikes, identical per neuron and in the CSV file (%zu bytes)\n",
           (unsigned long long)a.stats.spikes, a.csv_len);

    free(a.csv);
    free(b.csv);
    char path[512];
    snprintf(path, sizeof path, "%s/spikes.csv", dir_a);
    remove(path);
    snprintf(path, sizeof path, "%s/spikes.csv", dir_b);
    remove(path);
    snprintf(path, sizeof path, "%s/summary.json", dir_a);
    remove(path);
    snprintf(path, sizeof path, "%s/summary.json", dir_b);
    remove(path);
    rmdir(dir_a);
    rmdir(dir_b);
}

static void registered_model_is_listed_after_the_builtin_ones(void **state)
{
    (void)state;
    register_copy();
    const int n = lmodel_count();
    assert_ptr_equal(lmodel_at(n - 1), &copy);
    assert_ptr_equal(lmodel_find(COPY_NAME), &copy);
    assert_null(lmodel_at(n));
    int found = 0;
    for (int i = 0; i < leinao_model_count(); i++)
        found += strcmp(leinao_model_name(i), COPY_NAME) == 0;
    assert_int_equal(found, 1);
}

static void taken_or_invalid_name_is_refused(void **state)
{
    (void)state;
    register_copy();
    const int n = lmodel_count();
    lctx ctx;
    lctx_init(&ctx, NULL, NULL);

    static lmodel again;
    again = copy; /* the registered name again */
    assert_int_equal(lmodel_register(&ctx, &again), LEINAO_INVALID);
    assert_non_null(strstr(ctx.errmsg, "'" COPY_NAME "'"));

    static lmodel builtin;
    builtin = copy;
    builtin.name = "iaf_psc_exp"; /* a built-in model's name */
    assert_int_equal(lmodel_register(&ctx, &builtin), LEINAO_INVALID);
    assert_non_null(strstr(ctx.errmsg, "'iaf_psc_exp'"));

    static lmodel bad;
    bad = copy;
    bad.name = "2 bad";
    assert_int_equal(lmodel_register(&ctx, &bad), LEINAO_INVALID);
    assert_non_null(strstr(ctx.errmsg, "'2 bad'"));
    assert_int_equal(lmodel_count(), n); /* nothing was added */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registered_copy_spikes_like_the_original),
        cmocka_unit_test(registered_model_is_listed_after_the_builtin_ones),
        cmocka_unit_test(taken_or_invalid_name_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
