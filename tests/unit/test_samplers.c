/* test_samplers.c — moments of the samplers, and the Poisson sampler's distribution (both its
 * inversion and its PTRS branch) by a two-level chi-square test over many seeds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/rng.h"
#include "stats.h"

#define N 400000

/* mean and variance within 5 standard errors of the truth (kurtosis gives var's error) */
static void check_moments(const char *what, double (*draw)(lrng *, const void *), const void *arg,
                          double mean, double var, double kurtosis)
{
    lrng r;
    lrng_open(&r, 2024, LRNG_TEST, 1, 0, 0);
    double s = 0.0, s2 = 0.0;
    double *x = malloc(N * sizeof *x);
    for (int i = 0; i < N; i++) {
        x[i] = draw(&r, arg);
        s += x[i];
    }
    double m = s / N;
    for (int i = 0; i < N; i++)
        s2 += (x[i] - m) * (x[i] - m);
    double v = s2 / (N - 1);
    free(x);
    double se_mean = sqrt(var / N), se_var = var * sqrt((kurtosis - 1.0) / N);
    printf("# %s: mean %.5f (expected %.5f), variance %.5f (expected %.5f)\n", what, m, mean, v,
           var);
    assert_true(fabs(m - mean) < 5 * se_mean);
    assert_true(fabs(v - var) < 5 * se_var);
}

static double draw_uniform(lrng *r, const void *a)
{
    (void)a;
    return lrng_uniform(r);
}
static double draw_normal(lrng *r, const void *a)
{
    (void)a;
    return lrng_normal(r);
}
static double draw_exponential(lrng *r, const void *a)
{
    (void)a;
    return lrng_exponential(r);
}
static double draw_poisson(lrng *r, const void *a)
{
    return (double)lpoisson_draw(a, r);
}
static double draw_dist(lrng *r, const void *a)
{
    return lrng_draw(r, a);
}

static void moments(void **state)
{
    (void)state;
    check_moments("uniform", draw_uniform, NULL, 0.5, 1.0 / 12.0, 1.8);
    check_moments("normal", draw_normal, NULL, 0.0, 1.0, 3.0);
    check_moments("exponential", draw_exponential, NULL, 1.0, 1.0, 9.0);
    const double mus[] = {0.3, 2.0, 9.5, 10.0, 37.0, 1000.0};
    for (int i = 0; i < 6; i++) {
        lpoisson p;
        lpoisson_init(&p, mus[i]);
        check_moments("poisson", draw_poisson, &p, mus[i], mus[i], 3.0 + 1.0 / mus[i]);
    }
    leinao_dist u = {LEINAO_DIST_UNIFORM, -2.0, 6.0, 0, 0};
    check_moments("uniform(-2, 6)", draw_dist, &u, 2.0, 64.0 / 12.0, 1.8);
    leinao_dist g = {LEINAO_DIST_NORMAL, 3.0, 0.5, 0, 0};
    check_moments("normal(3, 0.5)", draw_dist, &g, 3.0, 0.25, 3.0);
    leinao_dist ln = {LEINAO_DIST_LOGNORMAL, 0.0, 0.25, 0, 0};
    double s2 = 0.0625, lm = exp(s2 / 2), lv = (exp(s2) - 1) * exp(s2);
    double lk = exp(4 * s2) + 2 * exp(3 * s2) + 3 * exp(2 * s2) - 3;
    check_moments("lognormal(0, 0.25)", draw_dist, &ln, lm, lv, lk);
}

/* normal_clipped redraws: every value lies in range, and the mean matches the truncated
 * normal's mean mu + sigma (phi(a) - phi(b)) / (Phi(b) - Phi(a)). */
static void normal_clipped(void **state)
{
    (void)state;
    leinao_dist d = {LEINAO_DIST_NORMAL_CLIPPED, 1.0, 2.0, 0.0, 3.0};
    lrng r;
    lrng_open(&r, 5, LRNG_TEST, 2, 0, 0);
    double s = 0.0;
    for (int i = 0; i < N; i++) {
        double x = lrng_draw(&r, &d);
        assert_true(x >= 0.0 && x <= 3.0);
        s += x;
    }
    double a = (0.0 - 1.0) / 2.0, b = (3.0 - 1.0) / 2.0;
    double phi_a = exp(-a * a / 2) / sqrt(2 * 3.14159265358979323846), phi_b = exp(-b * b / 2) / sqrt(2 * 3.14159265358979323846);
    double z = 0.5 * (erf(b / sqrt(2)) - erf(a / sqrt(2)));
    double mean = 1.0 + 2.0 * (phi_a - phi_b) / z;
    printf("# normal_clipped mean %.5f, expected %.5f\n", s / N, mean);
    assert_true(fabs(s / N - mean) < 5 * 0.9 / sqrt(N));
}

/* The guide table gives the inversion's own draw: at both ends of every bucket, around each
 * table entry (where buckets are ambiguous) and at a million random words. */
static void poisson_guide_is_the_inversion(void **state)
{
    (void)state;
    const double mus[] = {0.002, 0.5, 2.0, 6.0, 9.99};
    long checked = 0, ambiguous = 0;
    for (int m = 0; m < 5; m++) {
        lpoisson p;
        lpoisson_init(&p, mus[m]);
        const int shift = 32 - LPOISSON_GUIDE_BITS;
        for (uint32_t i = 0; i < (1u << LPOISSON_GUIDE_BITS); i++) {
            ambiguous += p.guide[i] == LPOISSON_AMBIGUOUS;
            const uint32_t ends[4] = {i << shift, (i << shift) + 1,
                                      (i << shift) | ((1u << shift) - 1),
                                      (i << shift) | ((1u << shift) - 2)};
            for (int e = 0; e < 4; e++, checked++)
                assert_int_equal(lpoisson_small_u32(&p, ends[e]), lpoisson_count_u32(&p, ends[e]));
        }
        for (int k = 0; k < p.table_n - 1; k++) { /* the words next to each entry */
            double w = p.cdf[k] * 4294967296.0 - 0.5;
            for (int d = -2; d <= 2; d++, checked++) {
                double x = floor(w) + d;
                uint32_t word = x < 0 ? 0 : x > 4294967295.0 ? 4294967295u : (uint32_t)x;
                assert_int_equal(lpoisson_small_u32(&p, word), lpoisson_count_u32(&p, word));
            }
        }
        lrng r;
        lrng_open(&r, 7, LRNG_TEST, 9, (uint32_t)m, 0);
        for (int i = 0; i < 200000; i++, checked++) {
            uint32_t word = lrng_u32(&r);
            assert_int_equal(lpoisson_small_u32(&p, word), lpoisson_count_u32(&p, word));
        }
    }
    printf("# Poisson guide table: %ld words agree with the inversion (%ld ambiguous buckets "
           "of 5 x 4096)\n",
           checked, ambiguous);
    assert_true(ambiguous > 0);
}

static void poisson_distribution(void **state)
{
    (void)state;
    const double mus[] = {0.002, 2.0, 9.9, 10.0, 25.0, 300.0};
    for (int m = 0; m < 6; m++) {
        lpoisson p;
        lpoisson_init(&p, mus[m]);
        int top = (int)(mus[m] + 12 * sqrt(mus[m]) + 12);
        double *observed = calloc((size_t)top + 1, sizeof *observed);
        double *prob = calloc((size_t)top + 1, sizeof *prob);
        double pvalues[50];
        for (int seed = 0; seed < 50; seed++) {
            for (int k = 0; k <= top; k++)
                observed[k] = 0;
            lrng r;
            lrng_open(&r, (uint64_t)seed, LRNG_TEST, 3, (uint32_t)m, 0);
            for (int i = 0; i < 20000; i++) {
                uint64_t k;
                if (mus[m] < 10.0) /* the engine's path: one 32-bit word per draw */
                    k = lpoisson_small_u32(&p, lrng_u32(&r));
                else
                    k = lpoisson_draw(&p, &r);
                observed[k > (uint64_t)top ? (uint64_t)top : k]++;
            }
            double tail = 1.0;
            for (int k = 0; k < top; k++) {
                prob[k] = stats_poisson_pmf((uint64_t)k, mus[m]);
                tail -= prob[k];
            }
            prob[top] = tail > 0 ? tail : 0;
            pvalues[seed] = stats_chi2_test(observed, prob, top + 1);
        }
        free(observed);
        free(prob);
        stats_assert_uniform_pvalues("poisson", pvalues, 50);
    }
}

/* The test above has teeth: a sampler with a 3 % wrong mean is caught. */
static void poisson_test_detects_a_wrong_mean(void **state)
{
    (void)state;
    lpoisson p;
    lpoisson_init(&p, 2.06);
    double pvalues[50], observed[30], prob[30];
    for (int seed = 0; seed < 50; seed++) {
        for (int k = 0; k < 30; k++)
            observed[k] = 0;
        lrng r;
        lrng_open(&r, (uint64_t)seed, LRNG_TEST, 4, 0, 0);
        for (int i = 0; i < 20000; i++) {
            uint32_t k = lpoisson_small_u32(&p, lrng_u32(&r));
            observed[k > 29 ? 29 : k]++;
        }
        double tail = 1.0;
        for (int k = 0; k < 29; k++)
            tail -= prob[k] = stats_poisson_pmf((uint64_t)k, 2.0);
        prob[29] = tail;
        pvalues[seed] = stats_chi2_test(observed, prob, 30);
    }
    assert_true(stats_ks_uniform(pvalues, 50) < 1e-3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(moments),
        cmocka_unit_test(normal_clipped),
        cmocka_unit_test(poisson_guide_is_the_inversion),
        cmocka_unit_test(poisson_distribution),
        cmocka_unit_test(poisson_test_detects_a_wrong_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
