/* test_api_checkpoint.c — the checkpoint API alone (only <leinao.h>, no command line, no
 * files but the checkpoint): a network with every kind of state (iaf_cond_exp and aeif_cond_exp
 * neurons, STDP and Tsodyks synapses, an explicit projection, Poisson and spike generators,
 * drawn delays from 0.5 to 3 ms so that spikes are in flight, a state recording, a rate guard)
 * is run 25.3 ms (inside a slice) on 2 threads, written, closed; a new handle with the same
 * declarations on 1 thread reads the checkpoint and runs on to 60 ms. Spikes, recorded state,
 * plastic weights, statistics and event counts are bit-identical to one straight run of 60 ms.
 * Also: a checkpoint of another seed is refused, naming the seed, and leaves the handle usable;
 * writing before the build is refused. A run stopped by its rate guard can be written (its
 * state is at a slice boundary: the same spikes and events as an unguarded run to that time);
 * read, the handle cannot run on; a loosened guard is another model and refused. */
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
#define T_TOTAL 60.0
#define T_STOP 25.3
#define N_POPS 6 /* poisson, clock, E, I, S, A */

typedef struct net {
    leinao_sim *sim;
    int pop[N_POPS];
    int stdp, tsodyks, explicit_proj;
} net;

static leinao_dist constant(double v)
{
    return (leinao_dist){LEINAO_DIST_CONSTANT, v, 0, 0, 0};
}

static leinao_dist uniform(double lo, double hi)
{
    return (leinao_dist){LEINAO_DIST_UNIFORM, lo, hi, 0, 0};
}

/* The same declarations every time; only the thread count and the seed may differ. */
static net declare_guarded(int threads, uint64_t seed, double guard_max)
{
    net n;
    OK(leinao_open(&n.sim));
    leinao_sim *sim = n.sim;
    OK(leinao_configure(sim, 0.1, T_TOTAL, seed, threads));
    OK(leinao_add_population(sim, "noise", "poisson_generator", 1, &n.pop[0]));
    OK(leinao_add_population(sim, "clock", "spike_generator", 1, &n.pop[1]));
    OK(leinao_add_population(sim, "E", "iaf_cond_exp", 40, &n.pop[2]));
    OK(leinao_add_population(sim, "I", "aeif_cond_exp", 10, &n.pop[3]));
    OK(leinao_add_population(sim, "S", "iaf_cond_exp", 8, &n.pop[4]));
    OK(leinao_add_population(sim, "A", "aeif_cond_exp", 4, &n.pop[5]));
    OK(leinao_set_param(sim, n.pop[0], "rate", 12000.0));
    const double times[] = {3.0, 12.5, 24.9, 25.3, 25.4, 40.0};
    OK(leinao_set_param_array(sim, n.pop[1], "spike_times", times, sizeof times / sizeof *times));
    leinao_dist vm = uniform(-70.0, -55.0);
    OK(leinao_set_init(sim, n.pop[2], "V_m", &vm));
    OK(leinao_set_init(sim, n.pop[3], "V_m", &vm));
    OK(leinao_set_param(sim, n.pop[3], "I_e", 700.0));
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = constant(2.0), d = constant(0.5);
    OK(leinao_connect(sim, n.pop[0], n.pop[2], &all, &w, &d, NULL));
    OK(leinao_connect(sim, n.pop[0], n.pop[3], &all, &w, &d, NULL));
    leinao_dist wc = constant(500.0), dc = constant(1.0);
    OK(leinao_connect(sim, n.pop[1], n.pop[4], &all, &wc, &dc, NULL));
    /* plastic E -> E with drawn delays: weights and archives change, spikes are in flight */
    leinao_rule p = leinao_rule_default(LEINAO_PAIRWISE_BERNOULLI);
    p.p = 0.3;
    leinao_dist ws = uniform(1.0, 4.0), ds = uniform(0.5, 3.0);
    OK(leinao_connect(sim, n.pop[2], n.pop[2], &p, &ws, &ds, &n.stdp));
    OK(leinao_set_synapse(sim, n.stdp, "stdp_synapse"));
    OK(leinao_set_synapse_param(sim, n.stdp, "lambda", 0.05));
    /* depressing E -> I: per-source synapse state */
    leinao_rule k = leinao_rule_default(LEINAO_FIXED_INDEGREE);
    k.n = 10;
    leinao_dist wt = constant(6.0), dt = uniform(0.5, 2.0);
    OK(leinao_connect(sim, n.pop[2], n.pop[3], &k, &wt, &dt, &n.tsodyks));
    OK(leinao_set_synapse(sim, n.tsodyks, "tsodyks_synapse"));
    OK(leinao_set_synapse_param(sim, n.tsodyks, "U", 0.4));
    leinao_dist wi = constant(-2.0), di = constant(0.7);
    OK(leinao_connect(sim, n.pop[3], n.pop[2], &p, &wi, &di, NULL));
    /* an explicit list, inhibitory, into A */
    const uint32_t src[] = {0, 1, 2, 3, 4, 5, 6, 7}, tgt[] = {0, 1, 2, 3, 0, 1, 2, 3};
    const double we[] = {5, 6, 7, 8, -3, -4, 5, 6}, de[] = {0.5, 0.6, 1.1, 2.9, 0.5, 0.8, 1.5, 3.0};
    OK(leinao_connect_explicit(sim, n.pop[4], n.pop[5], 8, src, tgt, we, de, &n.explicit_proj));
    for (int i = 2; i < N_POPS; i++)
        OK(leinao_record_spikes(sim, n.pop[i], NULL, "memory"));
    const char *vars[] = {"V_m", "g_ex", "w"};
    const uint32_t which[] = {0, 5, 9};
    OK(leinao_record_state(sim, n.pop[3], vars, 3, which, 3, 0.5, NULL, "memory"));
    OK(leinao_set_rate_guard(sim, -1, 0.0, guard_max, 10.0));
    return n;
}

static net declare(int threads, uint64_t seed)
{
    return declare_guarded(threads, seed, 5000.0);
}

typedef struct spikes {
    double *t;
    uint32_t *id;
    size_t n;
} spikes;

typedef struct result {
    spikes pop[N_POPS];
    double *frame_t, *values;
    size_t frames, columns;
    double *weights[3];
    size_t n_syn[3];
    uint64_t pop_spikes[N_POPS], events;
    double rate[N_POPS], cv[N_POPS];
    double t_simulated;
} result;

/* Appends what the handle recorded in memory since its build (memory recordings restart empty
 * after a checkpoint is read) and, when `last`, the end state. */
static void collect(const net *n, result *r, int last)
{
    for (int i = 2; i < N_POPS; i++) {
        const double *t;
        const uint32_t *id;
        size_t k;
        OK(leinao_get_spikes(n->sim, n->pop[i], &t, &id, &k));
        spikes *s = &r->pop[i];
        s->t = realloc(s->t, (s->n + k + 1) * sizeof *s->t);
        s->id = realloc(s->id, (s->n + k + 1) * sizeof *s->id);
        assert_non_null(s->t);
        assert_non_null(s->id);
        if (k) {
            memcpy(s->t + s->n, t, k * sizeof *t);
            memcpy(s->id + s->n, id, k * sizeof *id);
        }
        s->n += k;
    }
    const double *ft, *fv;
    size_t frames, columns;
    OK(leinao_get_state(n->sim, 0, &ft, &fv, &frames, &columns));
    assert_true(r->columns == 0 || r->columns == columns);
    r->columns = columns;
    r->frame_t = realloc(r->frame_t, (r->frames + frames + 1) * sizeof *ft);
    r->values = realloc(r->values, ((r->frames + frames) * columns + 1) * sizeof *fv);
    assert_non_null(r->frame_t);
    assert_non_null(r->values);
    if (frames) {
        memcpy(r->frame_t + r->frames, ft, frames * sizeof *ft);
        memcpy(r->values + r->frames * columns, fv, frames * columns * sizeof *fv);
    }
    r->frames += frames;
    if (!last)
        return;
    const int projs[3] = {n->stdp, n->tsodyks, n->explicit_proj};
    for (int k = 0; k < 3; k++) {
        size_t m = 0;
        OK(leinao_get_connections(n->sim, projs[k], &m, NULL, NULL, NULL, NULL));
        r->n_syn[k] = m;
        r->weights[k] = calloc(m + 1, sizeof(double));
        assert_non_null(r->weights[k]);
        OK(leinao_get_connections(n->sim, projs[k], &m, NULL, NULL, r->weights[k], NULL));
    }
    for (int i = 2; i < N_POPS; i++) {
        leinao_population_stats ps;
        OK(leinao_get_population_stats(n->sim, n->pop[i], &ps));
        r->pop_spikes[i] = ps.spikes;
        r->rate[i] = ps.rate;
        r->cv[i] = ps.cv_isi;
    }
    leinao_run_stats rs;
    OK(leinao_get_run_stats(n->sim, &rs));
    r->events = rs.events;
    r->t_simulated = rs.t_simulated;
}

static void free_result(result *r)
{
    for (int i = 0; i < N_POPS; i++) {
        free(r->pop[i].t);
        free(r->pop[i].id);
    }
    free(r->frame_t);
    free(r->values);
    for (int k = 0; k < 3; k++)
        free(r->weights[k]);
}

/* Bitwise equality of doubles (NaN statistics included). */
static void same_bits(const double *a, const double *b, size_t n)
{
    if (n)
        assert_memory_equal(a, b, n * sizeof *a);
}

static char *checkpoint_path(void)
{
    static char dir[] = "/tmp/leinao-test-ckpt-XXXXXX";
    static char path[64];
    if (!path[0]) {
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/state.h5", dir);
    }
    return path;
}

static void resumed_run_is_bit_identical(void **state)
{
    (void)state;
    result straight = {0}, resumed = {0};
    net a = declare(2, 42);
    OK(leinao_build(a.sim));
    OK(leinao_run(a.sim, NULL, NULL));
    collect(&a, &straight, 1);
    OK(leinao_finish(a.sim));
    leinao_close(a.sim);

    const char *path = checkpoint_path();
    net b = declare(2, 42);
    assert_int_equal(leinao_checkpoint_write(b.sim, path), LEINAO_STATE); /* not built */
    OK(leinao_build(b.sim));
    OK(leinao_simulate(b.sim, T_STOP, NULL, NULL));
    collect(&b, &resumed, 0);
    size_t before[N_POPS];
    for (int i = 0; i < N_POPS; i++)
        before[i] = resumed.pop[i].n;
    OK(leinao_checkpoint_write(b.sim, path));
    leinao_close(b.sim);
    assert_int_equal(access(path, F_OK), 0);
    char tmp[80];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_not_equal(access(tmp, F_OK), 0); /* renamed, nothing left behind */

    net c = declare(1, 42); /* another thread count */
    leinao_checkpoint_info info;
    OK(leinao_checkpoint_inspect(c.sim, path, &info));
    assert_int_equal(info.steps, 253);
    assert_int_equal(info.threads, 2);
    assert_int_equal(info.populations, N_POPS);
    OK(leinao_checkpoint_read(c.sim, path));
    leinao_run_stats rs;
    OK(leinao_get_run_stats(c.sim, &rs));
    assert_true(rs.t_simulated > T_STOP - 1e-9 && rs.t_simulated < T_STOP + 1e-9);
    OK(leinao_run(c.sim, NULL, NULL));
    collect(&c, &resumed, 1);
    OK(leinao_finish(c.sim));
    leinao_close(c.sim);

    for (int i = 2; i < N_POPS; i++) {
        printf("# population %d: %zu spikes, %zu of them after the checkpoint\n", i,
               straight.pop[i].n, resumed.pop[i].n - before[i]);
        assert_true(i == 5 || resumed.pop[i].n > before[i]);
        assert_int_equal(straight.pop[i].n, resumed.pop[i].n);
        same_bits(straight.pop[i].t, resumed.pop[i].t, straight.pop[i].n);
        if (straight.pop[i].n)
            assert_memory_equal(straight.pop[i].id, resumed.pop[i].id,
                                straight.pop[i].n * sizeof(uint32_t));
        assert_int_equal(straight.pop_spikes[i], resumed.pop_spikes[i]);
        same_bits(&straight.rate[i], &resumed.rate[i], 1);
        same_bits(&straight.cv[i], &resumed.cv[i], 1);
    }
    /* E and I fire before and after the checkpoint; S follows the clock's spikes around it */
    assert_true(straight.pop[2].n > 40 && straight.pop[3].n > 10 && straight.pop[4].n > 0);
    assert_int_equal(straight.frames, (size_t)(T_TOTAL / 0.5 + 0.5));
    assert_int_equal(straight.frames, resumed.frames);
    same_bits(straight.frame_t, resumed.frame_t, straight.frames);
    same_bits(straight.values, resumed.values, straight.frames * straight.columns);
    for (int k = 0; k < 3; k++) {
        assert_true(straight.n_syn[k] > 0);
        assert_int_equal(straight.n_syn[k], resumed.n_syn[k]);
        same_bits(straight.weights[k], resumed.weights[k], straight.n_syn[k]);
    }
    /* the STDP weights did change (so the comparison above covers plastic state) */
    int moved = 0;
    net fresh = declare(1, 42);
    OK(leinao_build(fresh.sim));
    size_t m = straight.n_syn[0];
    double *w0 = calloc(m, sizeof *w0);
    assert_non_null(w0);
    OK(leinao_get_connections(fresh.sim, fresh.stdp, &m, NULL, NULL, w0, NULL));
    for (size_t j = 0; j < m; j++)
        moved += w0[j] != straight.weights[0][j];
    free(w0);
    leinao_close(fresh.sim);
    printf("# %d of %zu STDP weights changed; %llu events\n", moved, m,
           (unsigned long long)straight.events);
    assert_true(moved > 0);
    assert_int_equal(straight.events, resumed.events);
    free_result(&straight);
    free_result(&resumed);
}

static void checkpoint_of_another_seed_is_refused(void **state)
{
    (void)state;
    const char *path = checkpoint_path();
    net b = declare(2, 42);
    OK(leinao_build(b.sim));
    OK(leinao_simulate(b.sim, 10.0, NULL, NULL));
    OK(leinao_checkpoint_write(b.sim, path));
    leinao_close(b.sim);

    net c = declare(2, 43);
    assert_int_equal(leinao_checkpoint_read(c.sim, path), LEINAO_INVALID);
    printf("# %s\n", leinao_errmsg(c.sim));
    assert_non_null(strstr(leinao_errmsg(c.sim), "seed 42"));
    assert_non_null(strstr(leinao_errmsg(c.sim), "seed 43"));
    /* nothing changed: the handle builds and runs from step 0 */
    OK(leinao_build(c.sim));
    OK(leinao_simulate(c.sim, 1.0, NULL, NULL));
    leinao_close(c.sim);

    /* a handle that has run refuses to read one */
    net d = declare(2, 42);
    OK(leinao_build(d.sim));
    OK(leinao_simulate(d.sim, 1.0, NULL, NULL));
    assert_int_equal(leinao_checkpoint_read(d.sim, path), LEINAO_STATE);
    leinao_close(d.sim);
    remove(path);
}

static void guard_stop_is_checkpointed_and_final(void **state)
{
    (void)state;
    const char *path = checkpoint_path();
    net g = declare_guarded(2, 42, 20.0); /* I fires at ~60 Hz */
    OK(leinao_build(g.sim));
    assert_int_equal(leinao_run(g.sim, NULL, NULL), LEINAO_GUARD);
    printf("# %s\n", leinao_errmsg(g.sim));
    leinao_run_stats stopped;
    OK(leinao_get_run_stats(g.sim, &stopped));
    assert_true(stopped.t_simulated < T_TOTAL);
    OK(leinao_checkpoint_write(g.sim, path));
    result at_stop = {0};
    collect(&g, &at_stop, 1);
    leinao_close(g.sim);

    /* the state at the stop is that of an unguarded run to the same time */
    net u = declare(1, 42);
    OK(leinao_build(u.sim));
    OK(leinao_simulate(u.sim, stopped.t_simulated, NULL, NULL));
    result free_run = {0};
    collect(&u, &free_run, 1);
    leinao_close(u.sim);
    assert_int_equal(at_stop.events, free_run.events);
    for (int i = 2; i < N_POPS; i++) {
        assert_int_equal(at_stop.pop[i].n, free_run.pop[i].n);
        same_bits(at_stop.pop[i].t, free_run.pop[i].t, at_stop.pop[i].n);
    }
    free_result(&at_stop);
    free_result(&free_run);

    net r = declare_guarded(1, 42, 20.0);
    leinao_checkpoint_info info;
    OK(leinao_checkpoint_inspect(r.sim, path, &info));
    assert_non_null(strstr(info.stopped_by_guard, "outside the guard"));
    assert_true(info.t_reached == stopped.t_simulated);
    OK(leinao_checkpoint_read(r.sim, path)); /* the handle as the stopped run left it ... */
    leinao_run_stats rs;
    OK(leinao_get_run_stats(r.sim, &rs));
    assert_true(rs.t_simulated == stopped.t_simulated);
    assert_int_equal(rs.events, stopped.events);
    assert_int_equal(leinao_simulate(r.sim, 1.0, NULL, NULL), LEINAO_STATE); /* ... stopped */
    leinao_close(r.sim);

    net loose = declare_guarded(1, 42, 1000.0);
    assert_int_equal(leinao_checkpoint_read(loose.sim, path), LEINAO_INVALID);
    printf("# %s\n", leinao_errmsg(loose.sim));
    assert_non_null(strstr(leinao_errmsg(loose.sim), "rate guards"));
    leinao_close(loose.sim);

    /* any other failure leaves no state to continue: a failed call after the stop (its last
     * error then another) makes the write refuse, never write a wrong state */
    net f = declare_guarded(1, 42, 20.0);
    OK(leinao_build(f.sim));
    assert_int_equal(leinao_run(f.sim, NULL, NULL), LEINAO_GUARD);
    assert_int_equal(leinao_simulate(f.sim, 1.0, NULL, NULL), LEINAO_STATE);
    assert_int_equal(leinao_checkpoint_write(f.sim, path), LEINAO_STATE);
    leinao_close(f.sim);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resumed_run_is_bit_identical),
        cmocka_unit_test(checkpoint_of_another_seed_is_refused),
        cmocka_unit_test(guard_stop_is_checkpointed_and_final),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char *path = checkpoint_path();
    remove(path);
    *strrchr(path, '/') = 0;
    rmdir(path);
    return rc;
}
