/* xsum.c — exact sums of floats (xsum.h). */
#include "xsum.h"

#include <math.h>
#include <string.h>

void lxsum_normalize(lxsum *s)
{
    for (int i = 0; i + 1 < LXSUM_DIGITS; i++) {
        int64_t carry = s->d[i] >> 32; /* floor: arithmetic shift of a signed value */
        s->d[i] -= carry * ((int64_t)1 << 32);
        s->d[i + 1] += carry;
    }
    s->pending = 0;
}

void lxsum_add(lxsum *s, float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint32_t exponent = bits >> 23 & 0xFF, mantissa = bits & 0x7FFFFF;
    if (exponent == 0xFF) /* not finite: callers add finite values only */
        return;
    if (exponent)
        mantissa |= 0x800000;
    /* x = ±mantissa * 2^(shift - 149) */
    int shift = exponent ? (int)exponent - 1 : 0;
    uint64_t m = (uint64_t)mantissa << (shift % 32); /* < 2^55 */
    int k = shift / 32;
    int64_t lo = (int64_t)(m & 0xFFFFFFFFu), hi = (int64_t)(m >> 32);
    if (bits >> 31) {
        lo = -lo;
        hi = -hi;
    }
    s->d[k] += lo;
    s->d[k + 1] += hi;
    /* each digit moves by less than 2^32 per addition: carry well before 2^63 */
    if (++s->pending >= (1u << 30))
        lxsum_normalize(s);
}

void lxsum_merge(lxsum *s, const lxsum *other)
{
    lxsum o = *other;
    lxsum_normalize(&o);
    lxsum_normalize(s);
    for (int i = 0; i < LXSUM_DIGITS; i++)
        s->d[i] += o.d[i];
    lxsum_normalize(s);
}

double lxsum_value(lxsum *s)
{
    lxsum_normalize(s);
    double v = 0.0;
    for (int i = LXSUM_DIGITS - 1; i >= 0; i--)
        v += ldexp((double)s->d[i], 32 * i - 149);
    return v;
}
