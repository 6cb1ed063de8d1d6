/* test_poisson_generator.c — poisson_generator output as its targets receive it: counts per
 * step are Poisson(rate dt) (two-level test, both sampler branches), intervals between input
 * steps are geometric (the ISI law on the time grid), targets are independent, and the
 * activity window is respected. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sim.h"
#include "stats.h"

#define TARGETS 50
#define STEPS 4000

/* counts[t * STEPS + s]: inputs target t receives from the emission step s. */
static void counts(uint64_t seed, double rate, double start, double stop, uint32_t *out)
{
    leinao_sim *sim;
    int gen, pop;
    assert_int_equal(leinao_open(&sim), LEINAO_OK);
    assert_int_equal(leinao_configure(sim, 0.1, STEPS * 0.1, seed, 1), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "g", "poisson_generator", 1, &gen), LEINAO_OK);
    assert_int_equal(leinao_add_population(sim, "n", "iaf_psc_delta", TARGETS, &pop), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "rate", rate), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "start", start), LEINAO_OK);
    assert_int_equal(leinao_set_param(sim, gen, "stop", stop), LEINAO_OK);
    leinao_rule all = leinao_rule_default(LEINAO_ALL_TO_ALL);
    leinao_dist w = {LEINAO_DIST_CONSTANT, 1.0, 0, 0, 0}, d = {LEINAO_DIST_CONSTANT, 0.1, 0, 0, 0};
    assert_int_equal(leinao_connect(sim, gen, pop, &all, &w, &d, NULL), LEINAO_OK);
    assert_int_equal(leinao_build(sim), LEINAO_OK);
    lpopulation *p = sim->net.pops[pop];
    for (int64_t s = 0; s < STEPS; s++) {
        lsim_deliver_devices(sim, s, 1, 0);
        double *slot = p->ring + (size_t)((s + 1) % p->slots) * TARGETS;
        for (int t = 0; t < TARGETS; t++) {
            out[(size_t)t * STEPS + (size_t)s] = (uint32_t)slot[t];
            assert_true(slot[t] == floor(slot[t]));
            slot[t] = 0.0;
        }
    }
    leinao_close(sim);
}

static void counts_are_poisson(void **state)
{
    (void)state;
    const double rates[] = {100.0, 20000.0, 200000.0}; /* mean 0.01, 2 and 20 per step */
    uint32_t *c = malloc(sizeof(uint32_t) * TARGETS * STEPS);
    for (int r = 0; r < 3; r++) {
        double mu = rates[r] * 1e-4, pv[30];
        int top = (int)(mu + 10 * sqrt(mu) + 10);
        double *observed = calloc((size_t)top + 1, sizeof(double));
        double *prob = calloc((size_t)top + 1, sizeof(double));
        double total = 0.0, tail = 1.0;
        for (int k = 0; k < top; k++)
            tail -= prob[k] = stats_poisson_pmf((uint64_t)k, mu);
        prob[top] = tail;
        for (int seed = 0; seed < 30; seed++) {
            counts((uint64_t)seed, rates[r], 0.0, INFINITY, c);
            memset(observed, 0, ((size_t)top + 1) * sizeof(double));
            for (size_t i = 0; i < (size_t)TARGETS * STEPS; i++) {
                observed[c[i] > (uint32_t)top ? (uint32_t)top : c[i]]++;
                total += c[i];
            }
            pv[seed] = stats_chi2_test(observed, prob, top + 1);
        }
        /* the rate: mean count per second over all seeds within 5 standard errors */
        double n = 30.0 * TARGETS * STEPS, rate = total / n / 1e-4;
        printf("# rate %.1f Hz for %.1f Hz requested\n", rate, rates[r]);
        assert_true(fabs(total / n - mu) < 5 * sqrt(mu / n));
        stats_assert_uniform_pvalues("poisson_generator counts", pv, 30);
        free(observed);
        free(prob);
    }
    free(c);
}

/* Steps between consecutive input steps: Geometric(1 - exp(-mu)). */
static void intervals_are_geometric(void **state)
{
    (void)state;
    uint32_t *c = malloc(sizeof(uint32_t) * TARGETS * STEPS);
    double mu = 500.0 * 1e-4, q = exp(-mu), pv[30];
    enum { BINS = 120 };
    for (int seed = 0; seed < 30; seed++) {
        counts(100 + (uint64_t)seed, 500.0, 0.0, INFINITY, c);
        double observed[BINS] = {0}, prob[BINS];
        for (int t = 0; t < TARGETS; t++) {
            int last = -1;
            for (int s = 0; s < STEPS; s++) {
                if (!c[(size_t)t * STEPS + (size_t)s])
                    continue;
                if (last >= 0) {
                    int gap = s - last;
                    observed[gap >= BINS ? BINS - 1 : gap]++;
                }
                last = s;
            }
        }
        double tail = 1.0;
        prob[0] = 0.0;
        for (int g = 1; g < BINS - 1; g++)
            tail -= prob[g] = pow(q, g - 1) * (1 - q);
        prob[BINS - 1] = tail;
        pv[seed] = stats_chi2_test(observed, prob, BINS);
    }
    stats_assert_uniform_pvalues("poisson_generator intervals", pv, 30);
    free(c);
}

/* Each target has its own train: the counts of two targets are uncorrelated. */
static void targets_are_independent(void **state)
{
    (void)state;
    uint32_t *c = malloc(sizeof(uint32_t) * TARGETS * STEPS);
    counts(7, 20000.0, 0.0, INFINITY, c);
    for (int pair = 0; pair + 1 < TARGETS; pair += 2) {
        const uint32_t *a = c + (size_t)pair * STEPS, *b = a + STEPS;
        double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
        for (int s = 0; s < STEPS; s++) {
            ma += a[s];
            mb += b[s];
        }
        ma /= STEPS;
        mb /= STEPS;
        for (int s = 0; s < STEPS; s++) {
            sab += (a[s] - ma) * (b[s] - mb);
            saa += (a[s] - ma) * (a[s] - ma);
            sbb += (b[s] - mb) * (b[s] - mb);
        }
        assert_true(fabs(sab / sqrt(saa * sbb)) < 5.0 / sqrt(STEPS));
        assert_true(memcmp(a, b, STEPS * sizeof *a) != 0);
    }
    free(c);
}

/* start = 10 ms, stop = 20 ms: spikes only in the steps ending at t with 10 < t <= 20. */
static void activity_window(void **state)
{
    (void)state;
    uint32_t *c = malloc(sizeof(uint32_t) * TARGETS * STEPS);
    counts(3, 50000.0, 10.0, 20.0, c);
    for (int t = 0; t < TARGETS; t++) {
        uint64_t inside = 0;
        for (int s = 0; s < STEPS; s++) {
            uint32_t k = c[(size_t)t * STEPS + (size_t)s];
            if (s < 100 || s >= 200)
                assert_int_equal(k, 0);
            else
                inside += k;
        }
        assert_true(inside > 0);
    }
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_are_poisson),
        cmocka_unit_test(intervals_are_geometric),
        cmocka_unit_test(targets_are_independent),
        cmocka_unit_test(activity_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
