/* rng.h — counter-based random streams (Philox4x32-10, Salmon et al. SC'11) and our own
 * samplers. A stream is keyed by the master seed and addressed by (purpose, object, element,
 * step): the same address gives the same numbers whatever thread or process asks for them. */
#ifndef LEINAO_BASE_RNG_H
#define LEINAO_BASE_RNG_H

#include <stdint.h>

#include "leinao.h"

/* What a stream is for; part of its address, so streams of different purposes never overlap. */
enum lrng_purpose {
    LRNG_CONNECT = 1,      /* object: projection, element: target (or source) index */
    LRNG_CONNECT_TOTAL = 2,/* object: projection; fixed_total_number's split over targets */
    LRNG_INIT = 3,         /* object: population << 8 | variable, element: neuron index */
    LRNG_POISSON = 4,      /* object: projection, element: synapse index, step: step / 4;
                              word step % 4 of the block is that step's uniform */
    LRNG_POISSON_LARGE = 5,/* object: projection, element: synapse, step: step (mean >= 10) */
    LRNG_NOISE = 6,        /* noise_generator; object: projection, element: synapse, step: the
                              index of the interval of length dt (the noise's) */
    LRNG_SINUSOIDAL_POISSON = 7, /* object: projection, element: synapse, step: step */
    LRNG_TEST = 255        /* reserved for tests */
};

typedef struct lrng {
    uint32_t key[2];
    uint32_t ctr[4]; /* ctr[0] counts blocks within the stream */
    uint32_t out[4];
    int avail;
    int has_spare;
    double spare;
} lrng;

/* One Philox4x32-10 block: out = philox(ctr, key). */
void lrng_philox(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Opens the stream at address (seed; purpose: 8 bits, object: 24 bits, element, step). */
void lrng_open(lrng *r, uint64_t seed, uint32_t purpose, uint32_t object, uint32_t element,
               uint32_t step);

uint32_t lrng_u32(lrng *r);
double lrng_uniform(lrng *r);      /* [0, 1), 53 bits */
double lrng_uniform_open(lrng *r); /* (0, 1), 53 bits */
uint32_t lrng_below(lrng *r, uint32_t n); /* uniform on {0, ..., n-1}, n >= 1, unbiased */
double lrng_normal(lrng *r);       /* N(0, 1), Marsaglia's polar method */
double lrng_exponential(lrng *r);  /* Exp(1) */

/* Poisson sampler with its constants computed once per mean. */
#define LPOISSON_TABLE 64
#define LPOISSON_GUIDE_BITS 12
#define LPOISSON_AMBIGUOUS 255
typedef struct lpoisson {
    double mu, emu;                       /* inversion (mu < 10) */
    double cdf[LPOISSON_TABLE];           /* P(X <= k), inversion table for mu < 10 */
    int table_n;
    /* the draw for every word whose top 12 bits are i, where that is one value (the words of
     * 2^-12 of the unit interval with no table entry among them); else LPOISSON_AMBIGUOUS */
    uint8_t guide[1 << LPOISSON_GUIDE_BITS];
    double smu, b, a, inv_alpha, vr, lmu; /* PTRS, Hoermann 1993 (mu >= 10) */
} lpoisson;
void lpoisson_init(lpoisson *p, double mu);
uint64_t lpoisson_draw(const lpoisson *p, lrng *r);
/* Poisson draw for mu < 10 by inversion of one 32-bit uniform word (resolution 2^-32): the
 * smallest k with u <= P(X <= k). The table is increasing, so that k is the number of entries
 * below u: counted without a branch per entry (a search loop's exit is a mispredicted branch
 * on nearly every draw), over the table but its last entry (1). */
static inline uint32_t lpoisson_count_u32(const lpoisson *p, uint32_t word)
{
    const double u = ((double)word + 0.5) * (1.0 / 4294967296.0);
    uint32_t k = 0;
    for (int i = 0; i < p->table_n - 1; i++)
        k += u > p->cdf[i];
    return k;
}

/* The same draw, looked up in the guide table first (all but ~table_n / 4096 of the words). */
static inline uint32_t lpoisson_small_u32(const lpoisson *p, uint32_t word)
{
    uint32_t g = p->guide[word >> (32 - LPOISSON_GUIDE_BITS)];
    return g != LPOISSON_AMBIGUOUS ? g : lpoisson_count_u32(p, word);
}

/* ln(k!) without libm's lgamma (whose last bits vary between C libraries). */
double lrng_log_factorial(uint64_t k);

/* Draws from a distribution; returns NaN when NORMAL_CLIPPED found no value in range after
 * many tries (the caller reports it). */
double lrng_draw(lrng *r, const leinao_dist *d);

#endif
