/* stats.c — numerical statistics for the tests (Numerical Recipes-style formulas: series and
 * continued fraction of the incomplete gamma function; the Kolmogorov distribution). */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double gamma_p_series(double a, double x)
{
    double sum = 1.0 / a, term = sum;
    for (int n = 1; n < 100000; n++) {
        term *= x / (a + n);
        sum += term;
        if (fabs(term) < fabs(sum) * 1e-15)
            break;
    }
    return sum * exp(-x + a * log(x) - lgamma(a));
}

static double gamma_q_fraction(double a, double x)
{
    double b = x + 1.0 - a, c = 1.0 / 1e-300, d = 1.0 / b, h = d;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < 1e-300)
            d = 1e-300;
        c = b + an / c;
        if (fabs(c) < 1e-300)
            c = 1e-300;
        d = 1.0 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) < 1e-15)
            break;
    }
    return exp(-x + a * log(x) - lgamma(a)) * h;
}

double stats_chi2_sf(double x, double dof)
{
    double a = dof / 2.0, y = x / 2.0;
    if (y <= 0.0)
        return 1.0;
    return y < a + 1.0 ? 1.0 - gamma_p_series(a, y) : gamma_q_fraction(a, y);
}

double stats_chi2_test(const double *observed, const double *prob, int n)
{
    double total = 0.0;
    for (int i = 0; i < n; i++)
        total += observed[i];
    double chi2 = 0.0, o = 0.0, e = 0.0;
    int bins = 0;
    for (int i = 0; i < n; i++) {
        o += observed[i];
        e += prob[i] * total;
        if (e >= 5.0 && i < n - 1) {
            /* pool the rest of the tail into the last bin if it expects < 5 */
            double rest = 0.0;
            for (int j = i + 1; j < n; j++)
                rest += prob[j] * total;
            if (rest < 5.0)
                continue;
            chi2 += (o - e) * (o - e) / e;
            bins++;
            o = e = 0.0;
        }
    }
    if (e > 0.0) {
        chi2 += (o - e) * (o - e) / e;
        bins++;
    }
    return bins > 1 ? stats_chi2_sf(chi2, bins - 1) : 1.0;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double stats_ks_uniform(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare);
    double d = 0.0;
    for (int i = 0; i < n; i++) {
        double lo = v[i] - (double)i / n, hi = (double)(i + 1) / n - v[i];
        if (lo > d)
            d = lo;
        if (hi > d)
            d = hi;
    }
    double sn = sqrt((double)n), lambda = (sn + 0.12 + 0.11 / sn) * d, sum = 0.0;
    for (int j = 1; j < 200; j++) {
        double term = 2.0 * (j % 2 ? 1.0 : -1.0) * exp(-2.0 * j * j * lambda * lambda);
        sum += term;
        if (fabs(term) < 1e-12)
            break;
    }
    return sum < 0.0 ? 0.0 : sum > 1.0 ? 1.0 : sum;
}

double stats_binomial_pmf(uint64_t k, uint64_t n, double p)
{
    if (k > n)
        return 0.0;
    if (p <= 0.0)
        return k == 0;
    if (p >= 1.0)
        return k == n;
    return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(p) +
               (n - k) * log1p(-p));
}

double stats_poisson_pmf(uint64_t k, double mu)
{
    return exp(k * log(mu) - mu - lgamma(k + 1.0));
}

void stats_assert_uniform_pvalues(const char *what, double *p, int n)
{
    double ks = stats_ks_uniform(p, n);
    printf("# %s: KS p-value of %d per-seed chi-square p-values: %.4f\n", what, n, ks);
    assert_true(ks > 1e-3);
}
