/* test_connectors.c — connection rules: exact structure where the rule fixes it, and degree
 * distributions against their binomial laws by a two-level test (chi-square per seed, KS of
 * the p-values over seeds), so no single seed decides. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sim.h"
#include "stats.h"

#define SEEDS 40

typedef struct net {
    leinao_sim *sim;
    const lprojection *p;
    uint32_t n_src, n_tgt;
} net;

static net make(uint64_t seed, uint32_t n_src, uint32_t n_tgt, int same, leinao_rule rule)
{
    net n = {NULL, NULL, n_src, same ? n_src : n_tgt};
    int a, b;
    assert_int_equal(leinao_open(&n.sim), LEINAO_OK);
    assert_int_equal(leinao_configure(n.sim, 0.1, 0.0, seed, 1), LEINAO_OK);
    assert_int_equal(leinao_add_population(n.sim, "a", "iaf_psc_delta", n_src, &a), LEINAO_OK);
    if (same)
        b = a;
    else
        assert_int_equal(leinao_add_population(n.sim, "b", "iaf_psc_delta", n_tgt, &b), LEINAO_OK);
    leinao_dist w = {LEINAO_DIST_CONSTANT, 1.0, 0, 0, 0}, d = {LEINAO_DIST_CONSTANT, 0.1, 0, 0, 0};
    assert_int_equal(leinao_connect(n.sim, a, b, &rule, &w, &d, NULL), LEINAO_OK);
    assert_int_equal(leinao_build(n.sim), LEINAO_OK);
    n.p = n.sim->net.projs[0];
    return n;
}

static void degrees(const net *n, uint64_t *in, uint64_t *out)
{
    memset(in, 0, n->n_tgt * sizeof *in);
    for (uint32_t s = 0; s < n->n_src; s++) {
        out[s] = n->p->row[s + 1] - n->p->row[s];
        for (uint64_t j = n->p->row[s]; j < n->p->row[s + 1]; j++)
            in[lproj_target(n->p, j)]++;
    }
}

/* p-value of degrees deg[0..count) against Binomial(trials, prob). */
static double binomial_fit(const uint64_t *deg, uint32_t count, uint64_t trials, double prob)
{
    double mean = trials * prob, sd = sqrt(mean * (1 - prob)) + 1;
    uint64_t lo = mean > 10 * sd ? (uint64_t)(mean - 10 * sd) : 0;
    uint64_t hi = (uint64_t)(mean + 10 * sd) + 2;
    int bins = (int)(hi - lo + 1);
    double *observed = calloc((size_t)bins, sizeof *observed);
    double *p = calloc((size_t)bins, sizeof *p);
    for (uint32_t i = 0; i < count; i++) {
        uint64_t k = deg[i] < lo ? lo : deg[i] > hi ? hi : deg[i];
        observed[k - lo]++;
    }
    double below = 0.0, inside = 0.0;
    for (uint64_t k = 0; k < lo; k++)
        below += stats_binomial_pmf(k, trials, prob);
    for (int b = 0; b < bins; b++) {
        p[b] = stats_binomial_pmf(lo + (uint64_t)b, trials, prob);
        inside += p[b];
    }
    p[0] += below;
    p[bins - 1] += 1.0 - below - inside;
    double pv = stats_chi2_test(observed, p, bins);
    free(observed);
    free(p);
    return pv;
}

typedef struct law {
    int in;          /* 1: test in-degrees, 0: out-degrees */
    uint64_t trials;
    double prob;
} law;

static void two_level(const char *what, uint32_t n_src, uint32_t n_tgt, int same,
                      leinao_rule rule, law l)
{
    double pv[SEEDS];
    for (int seed = 0; seed < SEEDS; seed++) {
        net n = make(1000 + (uint64_t)seed, n_src, n_tgt, same, rule);
        uint64_t *in = malloc(n.n_tgt * sizeof *in), *out = malloc(n.n_src * sizeof *out);
        degrees(&n, in, out);
        pv[seed] = l.in ? binomial_fit(in, n.n_tgt, l.trials, l.prob)
                        : binomial_fit(out, n.n_src, l.trials, l.prob);
        free(in);
        free(out);
        leinao_close(n.sim);
    }
    stats_assert_uniform_pvalues(what, pv, SEEDS);
}

static leinao_rule rule(leinao_rule_kind kind, double p, uint64_t k, int autapses, int multapses)
{
    leinao_rule r = leinao_rule_default(kind);
    r.p = p;
    r.n = k;
    r.allow_autapses = autapses;
    r.allow_multapses = multapses;
    return r;
}

/* No self-connection when autapses are excluded; no repeated pair without multapses. */
static void check_structure(const net *n, int autapses, int multapses)
{
    uint32_t *seen = calloc(n->n_tgt, sizeof *seen);
    for (uint32_t s = 0; s < n->n_src; s++) {
        for (uint64_t j = n->p->row[s]; j < n->p->row[s + 1]; j++) {
            uint32_t t = lproj_target(n->p, j);
            if (!autapses)
                assert_int_not_equal(s, t);
            if (!multapses)
                assert_int_not_equal(seen[t], s + 1);
            seen[t] = s + 1;
        }
    }
    free(seen);
}

static void fixed_indegree(void **state)
{
    (void)state;
    uint64_t in[800], out[1000];
    net n = make(7, 1000, 800, 0, rule(LEINAO_FIXED_INDEGREE, 0, 100, 1, 1));
    degrees(&n, in, out);
    for (int t = 0; t < 800; t++)
        assert_int_equal(in[t], 100);
    leinao_close(n.sim);
    n = make(7, 1000, 0, 1, rule(LEINAO_FIXED_INDEGREE, 0, 100, 0, 0));
    check_structure(&n, 0, 0);
    leinao_close(n.sim);
    /* out-degrees: Binomial(N_t K, 1/N_s) with multapses, Binomial(N_t, K/N_s) without */
    two_level("fixed_indegree, out-degree, multapses", 1000, 800, 0,
              rule(LEINAO_FIXED_INDEGREE, 0, 100, 1, 1), (law){0, 800 * 100, 1.0 / 1000});
    two_level("fixed_indegree, out-degree, no multapses", 1000, 800, 0,
              rule(LEINAO_FIXED_INDEGREE, 0, 100, 1, 0), (law){0, 800, 100.0 / 1000});
    two_level("fixed_indegree, K = 900 of 1000, no multapses", 1000, 800, 0,
              rule(LEINAO_FIXED_INDEGREE, 0, 900, 1, 0), (law){0, 800, 900.0 / 1000});
}

static void fixed_outdegree(void **state)
{
    (void)state;
    uint64_t in[800], out[1000];
    net n = make(7, 1000, 800, 0, rule(LEINAO_FIXED_OUTDEGREE, 0, 50, 1, 1));
    degrees(&n, in, out);
    for (int s = 0; s < 1000; s++)
        assert_int_equal(out[s], 50);
    leinao_close(n.sim);
    n = make(8, 500, 0, 1, rule(LEINAO_FIXED_OUTDEGREE, 0, 60, 0, 0));
    check_structure(&n, 0, 0);
    leinao_close(n.sim);
    two_level("fixed_outdegree, in-degree, multapses", 1000, 800, 0,
              rule(LEINAO_FIXED_OUTDEGREE, 0, 50, 1, 1), (law){1, 1000 * 50, 1.0 / 800});
    two_level("fixed_outdegree, in-degree, no multapses", 1000, 800, 0,
              rule(LEINAO_FIXED_OUTDEGREE, 0, 50, 1, 0), (law){1, 1000, 50.0 / 800});
}

static void pairwise_bernoulli(void **state)
{
    (void)state;
    net n = make(9, 600, 0, 1, rule(LEINAO_PAIRWISE_BERNOULLI, 0.3, 0, 0, 0));
    check_structure(&n, 0, 0);
    leinao_close(n.sim);
    two_level("pairwise_bernoulli p = 0.02, in-degree", 1000, 800, 0,
              rule(LEINAO_PAIRWISE_BERNOULLI, 0.02, 0, 1, 1), (law){1, 1000, 0.02});
    two_level("pairwise_bernoulli p = 0.02, out-degree", 1000, 800, 0,
              rule(LEINAO_PAIRWISE_BERNOULLI, 0.02, 0, 1, 1), (law){0, 800, 0.02});
    two_level("pairwise_bernoulli p = 0.5, no autapses, in-degree", 500, 0, 1,
              rule(LEINAO_PAIRWISE_BERNOULLI, 0.5, 0, 0, 1), (law){1, 499, 0.5});
}

static void fixed_total_number(void **state)
{
    (void)state;
    net n = make(3, 700, 900, 0, rule(LEINAO_FIXED_TOTAL_NUMBER, 0, 50000, 1, 1));
    assert_int_equal(n.p->n, 50000);
    leinao_close(n.sim);
    two_level("fixed_total_number, in-degree", 700, 900, 0,
              rule(LEINAO_FIXED_TOTAL_NUMBER, 0, 50000, 1, 1), (law){1, 50000, 1.0 / 900});
    two_level("fixed_total_number, out-degree", 700, 900, 0,
              rule(LEINAO_FIXED_TOTAL_NUMBER, 0, 50000, 1, 1), (law){0, 50000, 1.0 / 700});
}

static void deterministic_rules(void **state)
{
    (void)state;
    net n = make(1, 30, 20, 0, rule(LEINAO_ALL_TO_ALL, 0, 0, 1, 1));
    assert_int_equal(n.p->n, 600);
    check_structure(&n, 1, 0);
    leinao_close(n.sim);
    n = make(1, 30, 0, 1, rule(LEINAO_ALL_TO_ALL, 0, 0, 0, 1));
    assert_int_equal(n.p->n, 30 * 29);
    check_structure(&n, 0, 0);
    leinao_close(n.sim);
    n = make(1, 25, 25, 0, rule(LEINAO_ONE_TO_ONE, 0, 0, 1, 1));
    assert_int_equal(n.p->n, 25);
    for (uint32_t s = 0; s < 25; s++)
        assert_int_equal(lproj_target(n.p, n.p->row[s]), s);
    leinao_close(n.sim);
}

/* The same seed gives the same synapses; another seed does not. */
static void same_seed_same_synapses(void **state)
{
    (void)state;
    net a = make(5, 400, 300, 0, rule(LEINAO_FIXED_INDEGREE, 0, 40, 1, 1));
    net b = make(5, 400, 300, 0, rule(LEINAO_FIXED_INDEGREE, 0, 40, 1, 1));
    net c = make(6, 400, 300, 0, rule(LEINAO_FIXED_INDEGREE, 0, 40, 1, 1));
    assert_memory_equal(a.p->row, b.p->row, 401 * sizeof(uint64_t));
    int differ = 0;
    for (uint64_t j = 0; j < a.p->n; j++) {
        assert_int_equal(lproj_target(a.p, j), lproj_target(b.p, j));
        differ |= lproj_target(a.p, j) != lproj_target(c.p, j);
    }
    assert_true(differ);
    leinao_close(a.sim);
    leinao_close(b.sim);
    leinao_close(c.sim);
}

/* The two-level test has teeth: out-degrees of fixed_indegree are not Binomial(N_t, 1.05 K/N_s). */
static void degree_test_detects_a_wrong_law(void **state)
{
    (void)state;
    double pv[SEEDS];
    for (int seed = 0; seed < SEEDS; seed++) {
        net n = make(2000 + (uint64_t)seed, 1000, 800, 0, rule(LEINAO_FIXED_INDEGREE, 0, 100, 1, 0));
        uint64_t in[800], out[1000];
        degrees(&n, in, out);
        pv[seed] = binomial_fit(out, 1000, 800, 105.0 / 1000);
        leinao_close(n.sim);
    }
    assert_true(stats_ks_uniform(pv, SEEDS) < 1e-3);
}

/* Drawn weights and delays: delays rounded to the grid and never below dt. */
static void drawn_weights_and_delays(void **state)
{
    (void)state;
    leinao_sim *sim;
    int a;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_configure(sim, 0.1, 0.0, 3, 1), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "a", "iaf_psc_delta", 500, &a), LEINAO_OK);
    leinao_rule r = rule(LEINAO_FIXED_INDEGREE, 0, 200, 1, 1);
    leinao_dist w = {LEINAO_DIST_NORMAL_CLIPPED, 1.0, 0.5, 0.0, INFINITY};
    leinao_dist d = {LEINAO_DIST_NORMAL, 0.3, 0.4, -INFINITY, INFINITY};
    assert_int_equal(leinao_connect(sim, a, a, &r, &w, &d, NULL), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    const lprojection *p = sim->net.projs[0];
    int below_one = 0;
    for (uint64_t j = 0; j < p->n; j++) {
        assert_true(p->weight_of[j] >= 0.0f);
        assert_true(lproj_delay(p, j) >= 1);
        below_one += lproj_delay(p, j) == 1;
    }
    /* P(delay < 0.15 ms) = Phi((0.15 - 0.3) / 0.4) ~ 0.354 of draws land on one step */
    double frac = (double)below_one / (double)p->n;
    assert_true(fabs(frac - 0.3538) < 0.01);
    leinao_close(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_indegree),
        cmocka_unit_test(fixed_outdegree),
        cmocka_unit_test(pairwise_bernoulli),
        cmocka_unit_test(fixed_total_number),
        cmocka_unit_test(deterministic_rules),
        cmocka_unit_test(same_seed_same_synapses),
        cmocka_unit_test(degree_test_detects_a_wrong_law),
        cmocka_unit_test(drawn_weights_and_delays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
