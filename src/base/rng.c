/* rng.c — Philox4x32-10 and the samplers built on it. Constants from Salmon et al., "Parallel
 * random numbers: as easy as 1, 2, 3" (SC'11); PTRS from Hoermann, "The transformed rejection
 * method for generating Poisson random variables" (1993). */
#include "rng.h"

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

void lrng_philox(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

void lrng_open(lrng *r, uint64_t seed, uint32_t purpose, uint32_t object, uint32_t element,
               uint32_t step)
{
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
    r->ctr[0] = 0;
    r->ctr[1] = element;
    r->ctr[2] = step;
    r->ctr[3] = (purpose << 24) | (object & 0xFFFFFFu);
    r->avail = 0;
    r->has_spare = 0;
    r->spare = 0.0;
}

uint32_t lrng_u32(lrng *r)
{
    if (r->avail == 0) {
        lrng_philox(r->ctr, r->key, r->out);
        r->ctr[0]++;
        r->avail = 4;
    }
    return r->out[4 - r->avail--];
}

double lrng_uniform(lrng *r)
{
    uint32_t a = lrng_u32(r) >> 5, b = lrng_u32(r) >> 6;
    return ((double)a * 67108864.0 + (double)b) * (1.0 / 9007199254740992.0);
}

double lrng_uniform_open(lrng *r)
{
    uint32_t a = lrng_u32(r) >> 5, b = lrng_u32(r) >> 6;
    return ((double)a * 67108864.0 + (double)b + 0.5) * (1.0 / 9007199254740992.0);
}

uint32_t lrng_below(lrng *r, uint32_t n)
{
    /* Lemire's multiply-and-reject: exact, one multiplication in the common case. */
    uint64_t m = (uint64_t)lrng_u32(r) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)lrng_u32(r) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double lrng_normal(lrng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double x, y, s;
    do {
        x = 2.0 * lrng_uniform(r) - 1.0;
        y = 2.0 * lrng_uniform(r) - 1.0;
        s = x * x + y * y;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = y * f;
    r->has_spare = 1;
    return x * f;
}

double lrng_exponential(lrng *r)
{
    return -log(lrng_uniform_open(r));
}

double lrng_log_factorial(uint64_t k)
{
    static const double small[10] = {0.0,
                                     0.0,
                                     0.69314718055994530942,
                                     1.79175946922805500081,
                                     3.17805383034794561964,
                                     4.78749174278204599425,
                                     6.57925121201010099506,
                                     8.52516136106541430017,
                                     10.60460290274525022842,
                                     12.80182748008146961121};
    if (k < 10)
        return small[k];
    /* Stirling's series for ln Gamma(x), x = k + 1 >= 11: error below 1e-13. */
    double x = (double)k + 1.0, x2 = x * x;
    return (x - 0.5) * log(x) - x + 0.91893853320467274178 +
           (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * x2)) / x2) / x;
}

void lpoisson_init(lpoisson *p, double mu)
{
    p->mu = mu;
    p->emu = exp(-mu);
    p->smu = sqrt(mu);
    p->b = 0.931 + 2.53 * p->smu;
    p->a = -0.059 + 0.02483 * p->b;
    p->inv_alpha = 1.1239 + 1.1328 / (p->b - 3.4);
    p->vr = 0.9277 - 3.6224 / (p->b - 2.0);
    p->lmu = mu > 0.0 ? log(mu) : 0.0;
    /* CDF table until the remaining tail is below the 2^-32 resolution of a uniform word */
    double term = p->emu, cdf = term;
    int k = 0;
    p->cdf[0] = cdf;
    while (k < LPOISSON_TABLE - 1 && 1.0 - cdf > 1e-12 && mu < 10.0) {
        k++;
        term *= mu / (double)k;
        cdf += term;
        p->cdf[k] = cdf;
    }
    p->cdf[k] = 1.0;
    p->table_n = k + 1;
    /* the draw is nondecreasing in the word: equal at both ends of a guide bucket means
     * constant over it */
    const int shift = 32 - LPOISSON_GUIDE_BITS;
    for (uint32_t i = 0; i < (1u << LPOISSON_GUIDE_BITS); i++) {
        uint32_t lo = lpoisson_count_u32(p, i << shift);
        uint32_t hi = lpoisson_count_u32(p, (i << shift) | ((1u << shift) - 1));
        p->guide[i] = lo == hi && lo < LPOISSON_AMBIGUOUS ? (uint8_t)lo : LPOISSON_AMBIGUOUS;
    }
}

uint64_t lpoisson_draw(const lpoisson *p, lrng *r)
{
    if (p->mu <= 0.0)
        return 0;
    if (p->mu < 10.0) {
        /* Inversion by sequential search of the CDF: one uniform per draw. */
        double u = lrng_uniform(r);
        double term = p->emu, cdf = term;
        uint64_t k = 0;
        while (u > cdf) {
            k++;
            term *= p->mu / (double)k;
            cdf += term;
            if (term < 1e-300 && cdf <= u) /* u beyond the rounded CDF: stop at the tail */
                break;
        }
        return k;
    }
    for (;;) {
        double u = lrng_uniform(r) - 0.5;
        double v = lrng_uniform_open(r);
        double us = 0.5 - fabs(u);
        if (us <= 0.0)
            continue;
        double kf = floor((2.0 * p->a / us + p->b) * u + p->mu + 0.43);
        if (us >= 0.07 && v <= p->vr)
            return (uint64_t)kf;
        if (kf < 0.0 || (us < 0.013 && v > us))
            continue;
        uint64_t k = (uint64_t)kf;
        if (log(v) + log(p->inv_alpha) - log(p->a / (us * us) + p->b) <=
            -p->mu + kf * p->lmu - lrng_log_factorial(k))
            return k;
    }
}

double lrng_draw(lrng *r, const leinao_dist *d)
{
    switch (d->kind) {
    case LEINAO_DIST_CONSTANT:
        return d->a;
    case LEINAO_DIST_UNIFORM:
        return d->a + (d->b - d->a) * lrng_uniform(r);
    case LEINAO_DIST_NORMAL:
        return d->a + d->b * lrng_normal(r);
    case LEINAO_DIST_NORMAL_CLIPPED:
        for (int tries = 0; tries < 1000000; tries++) {
            double x = d->a + d->b * lrng_normal(r);
            if (x >= d->low && x <= d->high)
                return x;
        }
        return NAN;
    case LEINAO_DIST_LOGNORMAL:
        return exp(d->a + d->b * lrng_normal(r));
    }
    return NAN;
}
