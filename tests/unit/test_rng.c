/* test_rng.c — Philox4x32-10 known-answer vectors (Random123's kat_vectors), stream
 * addressing, and the unbiased bounded integer sampler. */
#include <math.h>
#include <string.h>

#include "base/rng.h"
#include "stats.h"

static void philox_known_answers(void **state)
{
    (void)state;
    struct {
        uint32_t ctr[4], key[2], out[4];
    } kat[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
         {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
         {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint32_t out[4];
        lrng_philox(kat[i].ctr, kat[i].key, out);
        assert_memory_equal(out, kat[i].out, sizeof out);
    }
}

static void streams_are_addressed(void **state)
{
    (void)state;
    lrng a, b;
    lrng_open(&a, 42, LRNG_TEST, 7, 3, 9);
    lrng_open(&b, 42, LRNG_TEST, 7, 3, 9);
    for (int i = 0; i < 100; i++)
        assert_int_equal(lrng_u32(&a), lrng_u32(&b));
    /* changing any part of the address changes the stream */
    uint32_t first[6];
    lrng r;
    lrng_open(&r, 42, LRNG_TEST, 7, 3, 9);
    first[0] = lrng_u32(&r);
    lrng_open(&r, 43, LRNG_TEST, 7, 3, 9);
    first[1] = lrng_u32(&r);
    lrng_open(&r, 42, LRNG_INIT, 7, 3, 9);
    first[2] = lrng_u32(&r);
    lrng_open(&r, 42, LRNG_TEST, 8, 3, 9);
    first[3] = lrng_u32(&r);
    lrng_open(&r, 42, LRNG_TEST, 7, 4, 9);
    first[4] = lrng_u32(&r);
    lrng_open(&r, 42, LRNG_TEST, 7, 3, 10);
    first[5] = lrng_u32(&r);
    for (int i = 0; i < 6; i++)
        for (int j = i + 1; j < 6; j++)
            assert_int_not_equal(first[i], first[j]);
}

static void uniform_is_in_range(void **state)
{
    (void)state;
    lrng r;
    lrng_open(&r, 1, LRNG_TEST, 0, 0, 0);
    for (int i = 0; i < 1000000; i++) {
        double u = lrng_uniform(&r), v = lrng_uniform_open(&r);
        assert_true(u >= 0.0 && u < 1.0);
        assert_true(v > 0.0 && v < 1.0);
    }
}

/* lrng_below(n) is uniform on {0..n-1}, also for n that do not divide 2^32 (two-level test). */
static void bounded_integers_are_uniform(void **state)
{
    (void)state;
    const uint32_t sizes[] = {7, 1000, 3000000000u};
    for (size_t s = 0; s < 3; s++) {
        double p[60];
        for (int seed = 0; seed < 60; seed++) {
            enum { BINS = 50 };
            double observed[BINS] = {0}, prob[BINS];
            uint32_t n = sizes[s];
            uint32_t bins = n < BINS ? n : BINS;
            lrng r;
            lrng_open(&r, (uint64_t)seed, LRNG_TEST, (uint32_t)s, 0, 0);
            for (int i = 0; i < 20000; i++) {
                uint32_t x = lrng_below(&r, n);
                assert_true(x < n);
                observed[(uint64_t)x * bins / n]++;
            }
            for (uint32_t b = 0; b < bins; b++) {
                /* exact probability of bin b: the count of integers x with floor(x*bins/n) = b */
                uint64_t lo = ((uint64_t)b * n + bins - 1) / bins;
                uint64_t hi = ((uint64_t)(b + 1) * n + bins - 1) / bins;
                prob[b] = (double)(hi - lo) / n;
            }
            p[seed] = stats_chi2_test(observed, prob, (int)bins);
        }
        stats_assert_uniform_pvalues("lrng_below", p, 60);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(philox_known_answers),
        cmocka_unit_test(streams_are_addressed),
        cmocka_unit_test(uniform_is_in_range),
        cmocka_unit_test(bounded_integers_are_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
