/* test_api_build_progress.c — leinao_set_build_progress: the callback sees the six phases in
 * order (each started, then ended), every projection from 0 synapses to the number it got, with
 * calls in between for projections of a few million synapses (per-target rules on two threads
 * and fixed_outdegree), always on the thread that called leinao_build; the spikes are the same
 * bit for bit with and without it; a non-zero return stops the build with LEINAO_INTERRUPTED and
 * leaves a handle that builds again to the same spikes. Includes only <leinao.h>. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <leinao.h>

#define OK(call) assert_int_equal((call), LEINAO_OK)
#define MAX_EVENTS 4096

static const char *const phases[] = {"resolve_populations", "start_threads", "build_projections",
                                     "build_populations",   "prepare_engine", "open_outputs"};

typedef struct event {
    leinao_build_progress p;
    int on_caller; /* called on the thread that called leinao_build */
} event;

typedef struct recorder {
    event ev[MAX_EVENTS];
    int n;
    pthread_t caller;
    /* stop when this phase starts (or, when stop_projection >= 0, when that projection has
     * more than 0 synapses) */
    const char *stop_phase;
    int stop_projection;
} recorder;

static int record(void *user, const leinao_build_progress *p)
{
    recorder *r = user;
    if (r->n < MAX_EVENTS) {
        r->ev[r->n].p = *p;
        r->ev[r->n].on_caller = pthread_equal(pthread_self(), r->caller);
        r->n++;
    }
    if (r->stop_projection >= 0 && p->projection == r->stop_projection && p->synapses > 0)
        return 1;
    if (r->stop_phase && !strcmp(p->phase, r->stop_phase) && !p->done)
        return 1;
    return 0;
}

/* 3000 + 1000 neurons, a Poisson drive; E -> E fixed_indegree 1500 (4.5M synapses: several
 * chunks per thread), E -> I fixed_outdegree 500 (1.5M, built on one thread), I -> E
 * pairwise_bernoulli, noise -> all. Spikes of E kept in memory. */
static leinao_sim *network(int threads, int *E)
{
    leinao_sim *sim = NULL;
    int I, noise;
    OK(leinao_open(&sim));
    OK(leinao_configure(sim, 0.1, 100.0, 7, threads));
    OK(leinao_add_population(sim, "E", "iaf_psc_delta", 3000, E));
    OK(leinao_add_population(sim, "I", "iaf_psc_delta", 1000, &I));
    OK(leinao_add_population(sim, "noise", "poisson_generator", 1, &noise));
    OK(leinao_set_param(sim, noise, "rate", 15000.0));
    leinao_dist w = {LEINAO_DIST_CONSTANT, 0.1, 0, 0, 0}, wi = {LEINAO_DIST_CONSTANT, -0.4, 0, 0, 0};
    leinao_dist d = {LEINAO_DIST_UNIFORM, 1.0, 3.0, 0, 0};
    leinao_dist v0 = {LEINAO_DIST_UNIFORM, 0.0, 20.0, 0, 0};
    OK(leinao_set_init(sim, *E, "V_m", &v0));
    OK(leinao_set_init(sim, I, "V_m", &v0));
    leinao_rule in = leinao_rule_default(LEINAO_FIXED_INDEGREE);
    in.n = 1500;
    OK(leinao_connect(sim, *E, *E, &in, &w, &d, NULL));
    leinao_rule out = leinao_rule_default(LEINAO_FIXED_OUTDEGREE);
    out.n = 500;
    OK(leinao_connect(sim, *E, I, &out, &w, &d, NULL));
    leinao_rule pb = leinao_rule_default(LEINAO_PAIRWISE_BERNOULLI);
    pb.p = 0.1;
    OK(leinao_connect(sim, I, *E, &pb, &wi, &d, NULL));
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    OK(leinao_connect(sim, noise, *E, &all, &w, &d, NULL));
    OK(leinao_connect(sim, noise, I, &all, &w, &d, NULL));
    OK(leinao_record_spikes(sim, *E, NULL, "memory"));
    return sim;
}

typedef struct spikes {
    double *t;
    uint32_t *id;
    size_t n;
} spikes;

static spikes run_and_take(leinao_sim *sim, int E)
{
    OK(leinao_run(sim, NULL, NULL));
    const double *t;
    const uint32_t *id;
    spikes s = {0};
    OK(leinao_get_spikes(sim, E, &t, &id, &s.n));
    assert_true(s.n > 100);
    s.t = malloc(s.n * sizeof *s.t);
    s.id = malloc(s.n * sizeof *s.id);
    assert_true(s.t && s.id);
    memcpy(s.t, t, s.n * sizeof *t);
    memcpy(s.id, id, s.n * sizeof *id);
    return s;
}

static void assert_same(const spikes *a, const spikes *b)
{
    assert_int_equal(a->n, b->n);
    assert_memory_equal(a->t, b->t, a->n * sizeof *a->t);
    assert_memory_equal(a->id, b->id, a->n * sizeof *a->id);
}

static spikes reference(void)
{
    int E;
    leinao_sim *sim = network(2, &E);
    OK(leinao_build(sim));
    spikes s = run_and_take(sim, E);
    leinao_close(sim);
    return s;
}

static void check_events(const recorder *r, leinao_sim *sim, int threads)
{
    int at = 0, intermediate[8] = {0};
    double last_elapsed = 0.0;
    for (int k = 0; k < 6; k++) {
        /* phase k: its start, (projections), its end */
        assert_true(at < r->n);
        const leinao_build_progress *p = &r->ev[at].p;
        assert_string_equal(p->phase, phases[k]);
        assert_int_equal(p->phase_index, k);
        assert_int_equal(p->phases, 6);
        assert_int_equal(p->done, 0);
        assert_int_equal(p->projection, -1);
        assert_null(p->source);
        at++;
        int proj = -1;
        uint64_t before = 0, last = 0;
        while (at < r->n && r->ev[at].p.projection >= 0) {
            p = &r->ev[at].p;
            assert_int_equal(k, 2);
            assert_string_equal(p->phase, "build_projections");
            if (p->projection != proj) { /* a projection's first call: nothing generated yet */
                assert_int_equal(p->projection, proj + 1);
                assert_int_equal(p->synapses, 0);
                proj = p->projection;
            } else {
                assert_true(p->synapses >= last);
                leinao_projection_stats ps;
                OK(leinao_get_projection_stats(sim, proj, &ps));
                assert_true(p->synapses <= ps.synapses);
                if (p->synapses > 0 && p->synapses < ps.synapses)
                    intermediate[proj]++;
            }
            assert_non_null(p->source);
            assert_non_null(p->target);
            assert_int_equal(p->synapses_before, before);
            last = p->synapses;
            at++;
            /* the projection's last call: the synapses it got */
            if (at == r->n || r->ev[at].p.projection != proj) {
                leinao_projection_stats ps;
                OK(leinao_get_projection_stats(sim, proj, &ps));
                assert_int_equal(last, ps.synapses);
                before += last;
                last = 0;
            }
        }
        if (k == 2)
            assert_int_equal(proj, 4);
        assert_true(at < r->n);
        p = &r->ev[at].p;
        assert_string_equal(p->phase, phases[k]);
        assert_int_equal(p->done, 1);
        if (k == 2)
            assert_int_equal(p->synapses_before, before);
        at++;
    }
    assert_int_equal(at, r->n);
    for (int i = 0; i < r->n; i++) {
        assert_true(r->ev[i].on_caller);
        assert_true(r->ev[i].p.elapsed >= last_elapsed);
        last_elapsed = r->ev[i].p.elapsed;
        assert_int_equal(r->ev[i].p.projections, 5);
        /* 4.5M + 1.5M + 0.1 * 3M + 3000 + 1000 */
        assert_int_equal(r->ev[i].p.expected_all, 4500000 + 1500000 + 300000 + 4000);
    }
    /* E -> E: 1.5M synapses per thread or more, reported by chunks of about a million; E -> I
     * (fixed_outdegree, one thread) likewise */
    assert_true(intermediate[0] >= 1);
    assert_true(intermediate[1] >= 1);
    (void)threads;
}

static void phases_projections_and_results(void **state)
{
    (void)state;
    spikes ref = reference();
    for (int threads = 1; threads <= 3; threads++) {
        recorder *r = calloc(1, sizeof *r);
        assert_non_null(r);
        r->caller = pthread_self();
        r->stop_projection = -1;
        int E;
        leinao_sim *sim = network(threads, &E);
        OK(leinao_set_build_progress(sim, record, r));
        OK(leinao_build(sim));
        check_events(r, sim, threads);
        assert_int_equal(leinao_set_build_progress(sim, NULL, NULL), LEINAO_STATE);
        spikes s = run_and_take(sim, E);
        assert_same(&s, &ref); /* the callback changes nothing, nor the number of threads */
        free(s.t);
        free(s.id);
        leinao_close(sim);
        free(r);
    }
    free(ref.t);
    free(ref.id);
}

static void stop_and_build_again(void **state)
{
    (void)state;
    spikes ref = reference();
    struct {
        const char *phase;
        int projection;
    } stops[] = {{NULL, 0}, {NULL, 1}, {"build_populations", -1}, {"open_outputs", -1},
                 {"resolve_populations", -1}};
    for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++) {
        recorder *r = calloc(1, sizeof *r);
        assert_non_null(r);
        r->caller = pthread_self();
        r->stop_phase = stops[k].phase;
        r->stop_projection = stops[k].projection;
        int E;
        leinao_sim *sim = network(2, &E);
        OK(leinao_set_build_progress(sim, record, r));
        assert_int_equal(leinao_build(sim), LEINAO_INTERRUPTED);
        assert_true(strstr(leinao_errmsg(sim), "stopped") != NULL);
        /* the handle is as declared: it builds again, now without the callback */
        OK(leinao_set_build_progress(sim, NULL, NULL));
        OK(leinao_build(sim));
        spikes s = run_and_take(sim, E);
        assert_same(&s, &ref);
        free(s.t);
        free(s.id);
        leinao_close(sim);
        free(r);
    }
    free(ref.t);
    free(ref.id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(phases_projections_and_results),
        cmocka_unit_test(stop_and_build_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
