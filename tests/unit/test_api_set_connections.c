#define _DEFAULT_SOURCE /* mkdtemp */
/* test_api_set_connections.c — leinao_set_connections and leinao_set_synapse_params between
 * runs (NEST's SetStatus on connections, PyNN's Projection.set), through <leinao.h> alone:
 *  - weights and delays set after the build, before the first step, give the spikes (bit for
 *    bit) of the network built with those values: for a compact projection (one weight, one
 *    delay, 16-bit targets) turned into one with a weight and delay per synapse, and against an
 *    explicit projection of the same synapses with per-synapse weights of both signs;
 *  - a change between runs acts from then on: the spikes before it are those of the unchanged
 *    network, those after differ (the changed handles run on 2 threads, the others on 1);
 *  - refusals (before the build, wrong n, NaN, delays off the grid or outside the built range,
 *    stdp weights above Wmax, Wmax below the weights) change nothing; a changed projection
 *    cannot be checkpointed;
 *  - leinao_reserve_max_delay leaves the spikes as they were and admits longer delays later. */
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

#include <leinao.h>

#define OK(call) assert_int_equal((call), LEINAO_OK)

static leinao_dist constant(double v)
{
    leinao_dist d = {LEINAO_DIST_CONSTANT, v, 0.0, 0.0, 0.0};
    return d;
}

/* A small sparse network of iaf_psc_alpha cells driven by Poisson noise: E -> E (projection 0,
 * weight w_ee and delay d_ee, constant: compact storage), E -> I (1: delay 1 ms, fixing the
 * network's shortest delay), I -> E (2: delay 3 ms, its longest), noise -> E, I (3, 4). */
static leinao_sim *network_on(double w_ee, double d_ee, int *E, int *I, int threads)
{
    leinao_sim *sim;
    OK(leinao_open(&sim));
    OK(leinao_configure(sim, 0.1, 400.0, 7, threads));
    int noise;
    OK(leinao_add_population(sim, "E", "iaf_psc_alpha", 400, E));
    OK(leinao_add_population(sim, "I", "iaf_psc_alpha", 100, I));
    OK(leinao_add_population(sim, "noise", "poisson_generator", 1, &noise));
    OK(leinao_set_param(sim, noise, "rate", 8000.0));
    leinao_dist v0 = {LEINAO_DIST_UNIFORM, -70.0, -55.0, 0.0, 0.0};
    OK(leinao_set_init(sim, *E, "V_m", &v0));
    OK(leinao_set_init(sim, *I, "V_m", &v0));
    leinao_rule in = leinao_rule_default(LEINAO_FIXED_INDEGREE);
    in.n = 40;
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    const struct {
        int src, tgt;
        leinao_rule *rule;
        double w, d;
    } proj[] = {{*E, *E, &in, w_ee, d_ee}, {*E, *I, &in, 30.0, 1.0}, {*I, *E, &in, -45.0, 3.0},
                {noise, *E, &all, 100.0, 1.0}, {noise, *I, &all, 100.0, 1.0}};
    for (size_t k = 0; k < sizeof proj / sizeof proj[0]; k++) {
        leinao_dist w = constant(proj[k].w), d = constant(proj[k].d);
        int id;
        OK(leinao_connect(sim, proj[k].src, proj[k].tgt, proj[k].rule, &w, &d, &id));
        assert_int_equal(id, (int)k);
    }
    OK(leinao_record_spikes(sim, *E, NULL, "memory"));
    OK(leinao_record_spikes(sim, *I, NULL, "memory"));
    return sim;
}

static leinao_sim *network(double w_ee, double d_ee, int *E, int *I)
{
    return network_on(w_ee, d_ee, E, I, 1);
}

typedef struct spikes {
    size_t n;
    const double *t;
    const uint32_t *id;
} spikes;

static spikes get_spikes(const leinao_sim *sim, int pop)
{
    spikes s;
    OK(leinao_get_spikes(sim, pop, &s.t, &s.id, &s.n));
    return s;
}

static int same(spikes a, spikes b)
{
    return a.n == b.n && !memcmp(a.t, b.t, a.n * sizeof *a.t) &&
           !memcmp(a.id, b.id, a.n * sizeof *a.id);
}

typedef struct synapses {
    size_t n;
    uint32_t *s, *t;
    double *w, *d;
} synapses;

static synapses read_back(const leinao_sim *sim, int proj)
{
    synapses c = {0};
    OK(leinao_get_connections(sim, proj, &c.n, NULL, NULL, NULL, NULL));
    c.s = malloc(c.n * sizeof *c.s);
    c.t = malloc(c.n * sizeof *c.t);
    c.w = malloc(c.n * sizeof *c.w);
    c.d = malloc(c.n * sizeof *c.d);
    assert_true(c.s && c.t && c.w && c.d);
    size_t room = c.n;
    OK(leinao_get_connections(sim, proj, &room, c.s, c.t, c.w, c.d));
    return c;
}

static void free_synapses(synapses *c)
{
    free(c->s);
    free(c->t);
    free(c->w);
    free(c->d);
}

/* One weight and delay for all synapses, set after the build = built with them. */
static void uniform_values_as_built(void **state)
{
    (void)state;
    int E, I;
    leinao_sim *ref = network(40.0, 2.5, &E, &I);
    OK(leinao_build(ref));
    OK(leinao_run(ref, NULL, NULL));
    leinao_sim *set = network_on(10.0, 1.5, &E, &I, 2); /* results do not depend on threads */
    OK(leinao_build(set));
    synapses c = read_back(set, 0);
    assert_int_equal(c.n, 400u * 40u);
    for (size_t j = 0; j < c.n; j++) {
        c.w[j] = 40.0;
        c.d[j] = 2.5;
    }
    OK(leinao_set_connections(set, 0, c.n, c.w, NULL));
    OK(leinao_set_connections(set, 0, c.n, NULL, c.d));
    OK(leinao_run(set, NULL, NULL));
    synapses a = read_back(ref, 0), b = read_back(set, 0);
    assert_memory_equal(a.t, b.t, a.n * sizeof *a.t);
    assert_memory_equal(a.w, b.w, a.n * sizeof *a.w);
    assert_memory_equal(a.d, b.d, a.n * sizeof *a.d);
    spikes re = get_spikes(ref, E), se = get_spikes(set, E);
    printf("# E: %zu spikes built with w 40 / d 2.5, %zu set after the build\n", re.n, se.n);
    assert_true(re.n > 1000);
    assert_true(same(re, se));
    assert_true(same(get_spikes(ref, I), get_spikes(set, I)));
    /* and the network as first built spikes otherwise */
    leinao_sim *orig = network(10.0, 1.5, &E, &I);
    OK(leinao_build(orig));
    OK(leinao_run(orig, NULL, NULL));
    assert_false(same(get_spikes(orig, E), re));
    free_synapses(&a);
    free_synapses(&b);
    free_synapses(&c);
    leinao_close(orig);
    leinao_close(ref);
    leinao_close(set);
}

/* A weight and delay per synapse (both signs, delays over the built range) = an explicit
 * projection of the same synapses. */
static void per_synapse_values_as_explicit(void **state)
{
    (void)state;
    int E, I;
    leinao_sim *set = network(20.0, 1.0, &E, &I);
    OK(leinao_build(set));
    synapses c = read_back(set, 0);
    for (size_t j = 0; j < c.n; j++) {
        c.w[j] = j % 5 == 0 ? -60.0 : 15.0 + (double)(j % 7) * 5.0;
        c.d[j] = 1.0 + 0.1 * (double)(j % 21); /* 1 .. 3 ms */
    }
    OK(leinao_set_connections(set, 0, c.n, c.w, c.d));
    OK(leinao_run(set, NULL, NULL));

    leinao_sim *ref = network(20.0, 1.0, &E, &I);
    /* projection 0 of ref is replaced: a copy of the network with an explicit E -> E */
    leinao_close(ref);
    OK(leinao_open(&ref));
    OK(leinao_configure(ref, 0.1, 400.0, 7, 1));
    int e, i, noise;
    OK(leinao_add_population(ref, "E", "iaf_psc_alpha", 400, &e));
    OK(leinao_add_population(ref, "I", "iaf_psc_alpha", 100, &i));
    OK(leinao_add_population(ref, "noise", "poisson_generator", 1, &noise));
    OK(leinao_set_param(ref, noise, "rate", 8000.0));
    leinao_dist v0 = {LEINAO_DIST_UNIFORM, -70.0, -55.0, 0.0, 0.0};
    OK(leinao_set_init(ref, e, "V_m", &v0));
    OK(leinao_set_init(ref, i, "V_m", &v0));
    int id;
    OK(leinao_connect_explicit(ref, e, e, c.n, c.s, c.t, c.w, c.d, &id));
    leinao_rule in = leinao_rule_default(LEINAO_FIXED_INDEGREE);
    in.n = 40;
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w1 = constant(30.0), w2 = constant(-45.0), w3 = constant(100.0);
    leinao_dist d1 = constant(1.0), d3 = constant(3.0);
    OK(leinao_connect(ref, e, i, &in, &w1, &d1, &id));
    OK(leinao_connect(ref, i, e, &in, &w2, &d3, &id));
    OK(leinao_connect(ref, noise, e, &all, &w3, &d1, &id));
    OK(leinao_connect(ref, noise, i, &all, &w3, &d1, &id));
    OK(leinao_record_spikes(ref, e, NULL, "memory"));
    OK(leinao_record_spikes(ref, i, NULL, "memory"));
    OK(leinao_build(ref));
    OK(leinao_run(ref, NULL, NULL));
    spikes re = get_spikes(ref, e), se = get_spikes(set, E);
    printf("# E: %zu spikes (explicit), %zu (set)\n", re.n, se.n);
    assert_true(re.n > 1000);
    assert_true(same(re, se));
    assert_true(same(get_spikes(ref, i), get_spikes(set, I)));
    free_synapses(&c);
    leinao_close(ref);
    leinao_close(set);
}

/* Set between two runs: the first run's spikes are the unchanged network's, later ones differ. */
static void change_between_runs(void **state)
{
    (void)state;
    int E, I;
    leinao_sim *plain = network(20.0, 1.0, &E, &I), *changed = network_on(20.0, 1.0, &E, &I, 2);
    OK(leinao_build(plain));
    OK(leinao_build(changed));
    OK(leinao_simulate(plain, 400.0, NULL, NULL));
    OK(leinao_simulate(changed, 200.0, NULL, NULL));
    size_t n_first = get_spikes(changed, E).n;
    synapses c = read_back(changed, 2); /* I -> E */
    for (size_t j = 0; j < c.n; j++)
        c.w[j] = 0.0;
    OK(leinao_set_connections(changed, 2, c.n, c.w, NULL));
    OK(leinao_simulate(changed, 200.0, NULL, NULL));
    spikes p = get_spikes(plain, E), q = get_spikes(changed, E);
    size_t before = 0;
    while (before < p.n && p.t[before] <= 200.0)
        before++;
    printf("# E: %zu spikes by 200 ms; then %zu with inhibition, %zu without\n", before,
           p.n - before, q.n - before);
    assert_true(before > 100 && n_first >= before);
    assert_memory_equal(p.t, q.t, before * sizeof *p.t);
    assert_memory_equal(p.id, q.id, before * sizeof *p.id);
    assert_true(2 * (q.n - before) > 3 * (p.n - before)); /* no inhibition: many more spikes */
    leinao_projection_stats st;
    OK(leinao_get_projection_stats(changed, 2, &st));
    assert_true(st.weight_min == 0.0 && st.weight_max == 0.0);
    free_synapses(&c);
    leinao_close(plain);
    leinao_close(changed);
}

static void expect(leinao_sim *sim, leinao_status got, leinao_status want, const char *argument,
                   int64_t index)
{
    leinao_error_info e;
    leinao_error_detail(sim, &e);
    printf("# %s\n", leinao_errmsg(sim));
    assert_int_equal(got, want);
    assert_string_equal(e.argument, argument);
    assert_int_equal(e.index, index);
}

static void refusals_change_nothing(void **state)
{
    (void)state;
    int E, I;
    leinao_sim *sim = network(20.0, 1.0, &E, &I);
    double w[4] = {1, 2, 3, 4};
    expect(sim, leinao_set_connections(sim, 0, 4, w, NULL), LEINAO_STATE, "proj", 0);
    OK(leinao_build(sim));
    expect(sim, leinao_set_connections(sim, 9, 4, w, NULL), LEINAO_NOT_FOUND, "proj", 9);
    expect(sim, leinao_set_connections(sim, 0, 4, w, NULL), LEINAO_INVALID, "n", -1);
    synapses c = read_back(sim, 0), orig = read_back(sim, 0);
    for (size_t j = 0; j < c.n; j++)
        c.w[j] = 5.0;
    c.w[17] = NAN;
    expect(sim, leinao_set_connections(sim, 0, c.n, c.w, c.d), LEINAO_INVALID, "weights", 17);
    c.w[17] = 5.0;
    c.d[3] = 1.05; /* off the 0.1 ms grid */
    expect(sim, leinao_set_connections(sim, 0, c.n, c.w, c.d), LEINAO_INVALID, "delays", 3);
    c.d[3] = 3.1; /* beyond the built network's longest delay, 3 ms */
    expect(sim, leinao_set_connections(sim, 0, c.n, c.w, c.d), LEINAO_INVALID, "delays", 3);
    c.d[3] = 0.9; /* below its shortest, 1 ms */
    expect(sim, leinao_set_connections(sim, 0, c.n, NULL, c.d), LEINAO_INVALID, "delays", 3);
    synapses now = read_back(sim, 0);
    assert_memory_equal(now.w, orig.w, c.n * sizeof *c.w);
    assert_memory_equal(now.d, orig.d, c.n * sizeof *c.d);
    free_synapses(&now);
    /* nothing to set is fine, and changes nothing */
    OK(leinao_set_connections(sim, 0, c.n, NULL, NULL));
    char dir[] = "/tmp/leinao_setconn_XXXXXX", path[96];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/a.h5", dir);
    OK(leinao_checkpoint_write(sim, path));
    unlink(path);
    c.d[3] = 3.0;
    OK(leinao_set_connections(sim, 0, c.n, c.w, c.d));
    expect(sim, leinao_checkpoint_write(sim, path), LEINAO_UNSUPPORTED, "proj", 0);
    assert_int_equal(access(path, F_OK), -1);
    rmdir(dir);
    free_synapses(&c);
    free_synapses(&orig);
    OK(leinao_finish(sim));
    expect(sim, leinao_set_connections(sim, 0, 0, NULL, NULL), LEINAO_STATE, "proj", 0);
    leinao_close(sim);
}

/* stdp_synapse: set weights must lie in [0, Wmax]; Wmax set between runs must stay above them;
 * a refused value changes nothing, an accepted one is read back. */
static void plastic_rules(void **state)
{
    (void)state;
    int E, I;
    leinao_sim *sim = network(20.0, 1.0, &E, &I);
    OK(leinao_set_synapse(sim, 0, "stdp_synapse"));
    OK(leinao_set_synapse_param(sim, 0, "Wmax", 50.0));
    OK(leinao_build(sim));
    OK(leinao_simulate(sim, 50.0, NULL, NULL));
    synapses c = read_back(sim, 0);
    for (size_t j = 0; j < c.n; j++)
        c.w[j] = 30.0 + (double)(j % 3);
    c.w[5] = 60.0;
    expect(sim, leinao_set_connections(sim, 0, c.n, c.w, NULL), LEINAO_INVALID, "weights", -1);
    c.w[5] = 30.0;
    OK(leinao_set_connections(sim, 0, c.n, c.w, NULL));
    synapses now = read_back(sim, 0);
    assert_memory_equal(now.w, c.w, c.n * sizeof *c.w); /* exact in float */
    free_synapses(&now);
    expect(sim, leinao_set_synapse_param(sim, 0, "Wmax", 31.0), LEINAO_INVALID, "values", -1);
    OK(leinao_set_synapse_param(sim, 0, "Wmax", 45.0));
    expect(sim, leinao_set_synapse_param(sim, 0, "lambda", -1.0), LEINAO_INVALID, "values", 0);
    OK(leinao_simulate(sim, 100.0, NULL, NULL));
    leinao_projection_stats st;
    OK(leinao_get_projection_stats(sim, 0, &st));
    printf("# stdp weights after the change: %g .. %g\n", st.weight_min, st.weight_max);
    assert_true(st.weight_max <= 45.0 && st.weight_min >= 0.0);
    assert_true(st.weight_mean != 31.0);
    /* leinao_set_synapse (the model) stays a declaration */
    assert_int_equal(leinao_set_synapse(sim, 0, "static_synapse"), LEINAO_STATE);
    free_synapses(&c);
    leinao_close(sim);
}

/* leinao_reserve_max_delay: the same spikes, and room for longer delays set later. */
static void reserved_delay(void **state)
{
    (void)state;
    int E, I;
    leinao_sim *plain = network(20.0, 1.0, &E, &I), *room = network(20.0, 1.0, &E, &I);
    expect(room, leinao_reserve_max_delay(room, -1.0), LEINAO_INVALID, "ms", -1);
    OK(leinao_reserve_max_delay(room, 7.95)); /* rounded up: 8 ms */
    leinao_estimate e;
    OK(leinao_estimate_size(room, &e));
    assert_true(fabs(e.max_delay - 8.0) < 1e-9);
    OK(leinao_build(plain));
    OK(leinao_build(room));
    assert_int_equal(leinao_reserve_max_delay(room, 9.0), LEINAO_STATE);
    OK(leinao_simulate(plain, 200.0, NULL, NULL));
    OK(leinao_simulate(room, 200.0, NULL, NULL));
    assert_true(same(get_spikes(plain, E), get_spikes(room, E)));
    synapses c = read_back(room, 0);
    for (size_t j = 0; j < c.n; j++)
        c.d[j] = 8.0;
    expect(plain, leinao_set_connections(plain, 0, c.n, NULL, c.d), LEINAO_INVALID, "delays", 0);
    OK(leinao_set_connections(room, 0, c.n, NULL, c.d));
    OK(leinao_simulate(room, 100.0, NULL, NULL));
    free_synapses(&c);
    c = read_back(room, 0);
    assert_true(c.d[0] == 8.0 && c.d[c.n - 1] == 8.0);
    free_synapses(&c);
    leinao_close(plain);
    leinao_close(room);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uniform_values_as_built),
        cmocka_unit_test(per_synapse_values_as_explicit),
        cmocka_unit_test(change_between_runs),
        cmocka_unit_test(refusals_change_nothing),
        cmocka_unit_test(plastic_rules),
        cmocka_unit_test(reserved_delay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
