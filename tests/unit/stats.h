/* stats.h — statistics for tests: chi-square and Kolmogorov-Smirnov p-values, binomial and
 * Poisson probabilities, and the two-level test (chi-square per seed, KS of the p-values). */
#ifndef LEINAO_TEST_STATS_H
#define LEINAO_TEST_STATS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* P(X^2 >= x) for `dof` degrees of freedom. */
double stats_chi2_sf(double x, double dof);
/* Chi-square test of counts observed[i] against probabilities prob[i] (summing to ~1) over n
 * bins; neighbouring bins are pooled until each expects >= 5. Returns the p-value. */
double stats_chi2_test(const double *observed, const double *prob, int n);
/* One-sample KS test of values against U(0, 1): the p-value. */
double stats_ks_uniform(double *values, int n);
double stats_binomial_pmf(uint64_t k, uint64_t n, double p);
double stats_poisson_pmf(uint64_t k, double mu);
/* Two-level test: asserts that the per-seed p-values look uniform (KS p > 1e-3). */
void stats_assert_uniform_pvalues(const char *what, double *pvalues, int n);

#endif
