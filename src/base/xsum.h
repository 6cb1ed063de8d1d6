/* xsum.h — exact sums of floats: every float is an integer multiple of 2^-149, so a sum of any
 * number of them is held exactly as an integer in 32-bit digits. The value it reads back depends
 * only on the exact sum, not on the order of the additions: sums over any split of a set (the
 * synapses on each MPI rank) combine to the same bits as one sum over all of it. */
#ifndef LEINAO_BASE_XSUM_H
#define LEINAO_BASE_XSUM_H

#include <stdint.h>

/* Digit i counts 2^(32 i - 149); 12 digits reach 2^235, beyond FLT_MAX (2^128) times 2^64. */
#define LXSUM_DIGITS 12

typedef struct lxsum {
    int64_t d[LXSUM_DIGITS];
    uint32_t pending; /* additions since the digits were last carried */
} lxsum;

static inline void lxsum_init(lxsum *s)
{
    for (int i = 0; i < LXSUM_DIGITS; i++)
        s->d[i] = 0;
    s->pending = 0;
}

/* Carries every digit into [0, 2^32) but the top one, which keeps the sign: the one form of
 * each exact sum. */
void lxsum_normalize(lxsum *s);
/* Adds a finite float. */
void lxsum_add(lxsum *s, float x);
/* Adds the digits of another sum (both normalised first; no overflow for up to 2^30 sums). */
void lxsum_merge(lxsum *s, const lxsum *other);
/* The sum as a double, a function of the exact sum alone (digits added from the top down). */
double lxsum_value(lxsum *s);

#endif
