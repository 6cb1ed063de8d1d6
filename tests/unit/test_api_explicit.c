#define _DEFAULT_SOURCE /* mkdtemp */
/* test_api_explicit.c — the public API alone can rebuild a model file's network: Brunel's
 * network loaded from examples/brunel.yaml and the same network declared call by call, one
 * projection (E -> I) given as the explicit list read back from the first handle, spike
 * identically (in-memory recordings compared bit for bit). Includes only <leinao.h>. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <leinao.h>

#define OK(call) assert_int_equal((call), LEINAO_OK)

static leinao_dist constant(double v)
{
    leinao_dist d = {LEINAO_DIST_CONSTANT, v, 0.0, 0.0, 0.0};
    return d;
}

/* brunel.yaml's populations, declared through the API. */
static void brunel_populations(leinao_sim *sim, int *E, int *I, int *noise)
{
    static const char *const names[] = {"C_m", "tau_m", "t_ref", "E_L", "V_reset", "V_th"};
    static const double values[] = {1.0, 20.0, 2.0, 0.0, 10.0, 20.0};
    leinao_dist v0 = {LEINAO_DIST_UNIFORM, 0.0, 20.0, 0.0, 0.0};
    OK(leinao_add_population(sim, "E", "iaf_psc_delta", 10000, E));
    OK(leinao_add_population(sim, "I", "iaf_psc_delta", 2500, I));
    OK(leinao_add_population(sim, "noise", "poisson_generator", 1, noise));
    for (int k = 0; k < 6; k++) {
        OK(leinao_set_param(sim, *E, names[k], values[k]));
        OK(leinao_set_param(sim, *I, names[k], values[k]));
    }
    OK(leinao_set_init(sim, *E, "V_m", &v0));
    OK(leinao_set_init(sim, *I, "V_m", &v0));
    OK(leinao_set_param(sim, *noise, "rate", 20000.0));
}

static void fixed_indegree(leinao_sim *sim, int src, int tgt, uint64_t k, double weight)
{
    leinao_rule r = leinao_rule_default(LEINAO_FIXED_INDEGREE);
    r.n = k;
    leinao_dist w = constant(weight), d = constant(1.5);
    OK(leinao_connect(sim, src, tgt, &r, &w, &d, NULL));
}

static void all_to_all(leinao_sim *sim, int src, int tgt, double weight)
{
    leinao_rule r = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = constant(weight), d = constant(1.5);
    OK(leinao_connect(sim, src, tgt, &r, &w, &d, NULL));
}

typedef struct connections {
    size_t n;
    uint32_t *sources, *targets;
    double *weights, *delays;
} connections;

static connections read_back(const leinao_sim *sim, int proj)
{
    connections c = {0};
    OK(leinao_get_connections(sim, proj, &c.n, NULL, NULL, NULL, NULL));
    c.sources = malloc(c.n * sizeof *c.sources);
    c.targets = malloc(c.n * sizeof *c.targets);
    c.weights = malloc(c.n * sizeof *c.weights);
    c.delays = malloc(c.n * sizeof *c.delays);
    assert_true(c.sources && c.targets && c.weights && c.delays);
    size_t room = c.n;
    OK(leinao_get_connections(sim, proj, &room, c.sources, c.targets, c.weights, c.delays));
    assert_int_equal(room, c.n);
    return c;
}

static void free_connections(connections *c)
{
    free(c->sources);
    free(c->targets);
    free(c->weights);
    free(c->delays);
}

static void same_spikes(const leinao_sim *a, const leinao_sim *b, int pop)
{
    const double *ta, *tb;
    const uint32_t *ia, *ib;
    size_t na, nb;
    OK(leinao_get_spikes(a, pop, &ta, &ia, &na));
    OK(leinao_get_spikes(b, pop, &tb, &ib, &nb));
    printf("# population %d: %zu and %zu spikes\n", pop, na, nb);
    assert_true(na > 100);
    assert_int_equal(na, nb);
    assert_memory_equal(ta, tb, na * sizeof *ta);
    assert_memory_equal(ia, ib, na * sizeof *ia);
}

static void explicit_list_rebuilds_brunel(void **state)
{
    (void)state;
    char dir[] = "/tmp/leinao_explicit_XXXXXX";
    assert_non_null(mkdtemp(dir));
    leinao_sim *file, *api;
    OK(leinao_open(&file));
    const char *sets[] = {"simulation.duration=200"};
    OK(leinao_load_model(file, LEINAO_SOURCE_DIR "/examples/brunel.yaml", sets, 1));
    int E = leinao_population_id(file, "E"), I = leinao_population_id(file, "I");
    OK(leinao_record_spikes(file, E, NULL, "memory"));
    OK(leinao_record_spikes(file, I, NULL, "memory"));
    OK(leinao_set_output_dir(file, dir, 1));
    OK(leinao_build(file));
    OK(leinao_run(file, NULL, NULL));
    connections e_to_i = read_back(file, 1);
    assert_int_equal(e_to_i.n, 2500u * 1000u);

    OK(leinao_open(&api));
    OK(leinao_configure(api, 0.1, 200.0, 12345, 1));
    int e, i, noise;
    brunel_populations(api, &e, &i, &noise);
    assert_int_equal(e, E);
    assert_int_equal(i, I);
    fixed_indegree(api, e, e, 1000, 0.1);
    int id = -1;
    OK(leinao_connect_explicit(api, e, i, e_to_i.n, e_to_i.sources, e_to_i.targets,
                               e_to_i.weights, e_to_i.delays, &id));
    assert_int_equal(id, 1);
    fixed_indegree(api, i, e, 250, -0.5);
    fixed_indegree(api, i, i, 250, -0.5);
    all_to_all(api, noise, e, 0.1);
    all_to_all(api, noise, i, 0.1);
    OK(leinao_record_spikes(api, e, NULL, "memory"));
    OK(leinao_record_spikes(api, i, NULL, "memory"));
    OK(leinao_build(api));
    OK(leinao_run(api, NULL, NULL));

    /* the explicit projection stores what it was given, in the same order */
    connections again = read_back(api, 1);
    assert_int_equal(again.n, e_to_i.n);
    assert_memory_equal(again.sources, e_to_i.sources, e_to_i.n * sizeof *e_to_i.sources);
    assert_memory_equal(again.targets, e_to_i.targets, e_to_i.n * sizeof *e_to_i.targets);
    assert_memory_equal(again.weights, e_to_i.weights, e_to_i.n * sizeof *e_to_i.weights);
    same_spikes(file, api, E);
    same_spikes(file, api, I);

    free_connections(&again);
    free_connections(&e_to_i);
    leinao_close(file);
    leinao_close(api);
    char path[128];
    snprintf(path, sizeof path, "%s/spikes.h5", dir);
    unlink(path);
    rmdir(dir);
}

/* Synapses come out in canonical order (source, then target, then the order given), with the
 * defaults (weight 1, delay 1 ms) where no arrays are given. */
static void explicit_order_and_defaults(void **state)
{
    (void)state;
    leinao_sim *sim;
    OK(leinao_open(&sim));
    OK(leinao_configure(sim, 0.1, 10.0, 1, 1));
    int a, b;
    OK(leinao_add_population(sim, "a", "iaf_psc_delta", 3, &a));
    OK(leinao_add_population(sim, "b", "iaf_psc_delta", 4, &b));
    const uint32_t src[] = {2, 0, 2, 0, 1};
    const uint32_t tgt[] = {1, 3, 0, 3, 2};
    const double w[] = {5, 4, 3, 2, 1};
    int p, q;
    OK(leinao_connect_explicit(sim, a, b, 5, src, tgt, w, NULL, &p));
    OK(leinao_connect_explicit(sim, a, b, 2, src, tgt, NULL, NULL, &q));
    OK(leinao_build(sim));
    size_t n = 5;
    uint32_t s[5], t[5];
    double ws[5], ds[5];
    OK(leinao_get_connections(sim, p, &n, s, t, ws, ds));
    const uint32_t want_s[] = {0, 0, 1, 2, 2}, want_t[] = {3, 3, 2, 0, 1};
    const double want_w[] = {4, 2, 1, 3, 5};
    assert_memory_equal(s, want_s, sizeof s);
    assert_memory_equal(t, want_t, sizeof t);
    for (int k = 0; k < 5; k++) {
        assert_true(ws[k] == want_w[k]);
        assert_true(ds[k] == 1.0);
    }
    n = 5;
    OK(leinao_get_connections(sim, q, &n, NULL, NULL, ws, NULL));
    assert_int_equal(n, 2);
    assert_true(ws[0] == 1.0 && ws[1] == 1.0);
    n = 1;
    assert_int_equal(leinao_get_connections(sim, p, &n, s, NULL, NULL, NULL), LEINAO_INVALID);
    assert_int_equal(n, 5);
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(explicit_order_and_defaults),
        cmocka_unit_test(explicit_list_rebuilds_brunel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
