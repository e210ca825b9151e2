/*
 * test_rng.c - PCG32 against its reference output, flow-stream derivation pinned to the
 * documented bytes, and the shape and extremes of the exponential variate.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "sim/rng.h"

#define PCG_MULT 6364136223846793005ULL

Test(rng, reference_vector_seed_42_stream_54)
{
    /* pcg32-demo from pcg-random.org (docs/manual.md §3 quotes it). */
    static const uint32_t want[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                    0x83d2f293, 0xbfa4784b, 0xcbed606e};
    sim_rng r;
    sim_rng_seed(&r, 42, 54);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_eq(sim_rng_next32(&r), want[i], "draw %zu", i);
}

Test(rng, next64_puts_first_draw_high)
{
    sim_rng a, b;
    sim_rng_seed(&a, 42, 54);
    sim_rng_seed(&b, 42, 54);
    uint64_t hi = sim_rng_next32(&a);
    uint64_t lo = sim_rng_next32(&a);
    cr_expect_eq(sim_rng_next64(&b), (hi << 32) | lo);
    cr_expect_eq(sim_rng_next64(&b), UINT64_C(0xba1d333083d2f293));
}

Test(rng, flow_stream_matches_documented_derivation)
{
    /* Expected values computed independently (Python hashlib + a transcription of
     * pcg32) from SHA-256("splitsim-flow\0" || LE64(seed) || name): state = LE64 of
     * digest bytes 0..7, sequence = LE64 of bytes 8..15.  A change here changes every
     * flow of every scenario: the goldens would all move. */
    static const struct {
        uint64_t seed;
        const char *name;
        uint32_t want[4];
    } cases[] = {
        {1, "web-to-backend", {0x7b26138b, 0xd5e275d6, 0x6f4168f1, 0xb6ff5be2}},
        {42,
         "frontend_kuma-demo_svc_8080 -> backend_kuma-demo_svc_3001",
         {0x4475b173, 0x3e756962, 0x25e8ed34, 0xbced5591}},
        {0, "", {0x23d794e2, 0xc30180c1, 0x051cadbe, 0x2618277d}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        sim_rng r;
        sim_rng_seed_flow(&r, cases[c].seed, cases[c].name);
        for (size_t i = 0; i < 4; i++)
            cr_expect_eq(sim_rng_next32(&r), cases[c].want[i], "case %zu draw %zu", c, i);
    }

    /* The same stream through sim_rng_seed with the digest words, written out. */
    sim_rng a, b;
    sim_rng_seed_flow(&a, 1, "web-to-backend");
    sim_rng_seed(&b, UINT64_C(0x341ce3f492285021), UINT64_C(0xccc0f53d2739147f));
    cr_expect_eq(a.state, b.state);
    cr_expect_eq(a.inc, b.inc);
}

Test(rng, flow_same_name_and_seed_same_draws)
{
    sim_rng a, b;
    sim_rng_seed_flow(&a, 7, "canary");
    sim_rng_seed_flow(&b, 7, "canary");
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(sim_rng_next32(&a), sim_rng_next32(&b), "draw %d", i);
}

/* Number of equal outputs among the first 64 draws of two streams. */
static int common_draws(sim_rng a, sim_rng b)
{
    int same = 0;
    for (int i = 0; i < 64; i++)
        same += sim_rng_next32(&a) == sim_rng_next32(&b);
    return same;
}

Test(rng, flow_different_names_or_seeds_differ)
{
    sim_rng base, other;
    sim_rng_seed_flow(&base, 7, "canary");

    /* Names differing by one byte, by case, by a suffix, or by being a prefix. */
    static const char *names[] = {"canarz", "Canary", "canary ", "canar", "canary\t"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        sim_rng_seed_flow(&other, 7, names[i]);
        cr_expect(other.inc != base.inc, "'%s' shares the stream", names[i]);
        cr_expect_lt(common_draws(base, other), 2, "'%s'", names[i]);
    }
    sim_rng_seed_flow(&other, 8, "canary");
    cr_expect(other.inc != base.inc);
    cr_expect_lt(common_draws(base, other), 2);
    /* The seed is the full 64 bits: the high bit matters too. */
    sim_rng_seed_flow(&other, 7 | (UINT64_C(1) << 63), "canary");
    cr_expect_lt(common_draws(base, other), 2);
}

Test(rng, flow_draws_do_not_depend_on_other_flows)
{
    /* A scenario with flows a, b, c seeded in that order and drawn interleaved... */
    const char *names[] = {"a", "b", "c"};
    sim_rng flows[3];
    uint32_t b_draws[100];
    for (int f = 0; f < 3; f++)
        sim_rng_seed_flow(&flows[f], 99, names[f]);
    for (int i = 0; i < 100; i++) {
        (void)sim_rng_next32(&flows[2]);
        b_draws[i] = sim_rng_next32(&flows[1]);
        (void)sim_rng_next64(&flows[0]);
    }
    /* ...gives flow b the draws it has alone, in a scenario without a and c. */
    sim_rng alone;
    sim_rng_seed_flow(&alone, 99, "b");
    for (int i = 0; i < 100; i++)
        cr_assert_eq(sim_rng_next32(&alone), b_draws[i], "draw %d", i);
}

Test(rng, exponential_draws_are_pinned)
{
    /* Flow "web-to-backend", seed 1, mean 2 s: floor(-log((k + 1) / 2^53) * mean) with k
     * the top 53 bits of each 64-bit draw, computed independently in Python (whose
     * math.log is the same libm log).  Pins the construction, the rounding and the
     * number of draws consumed; gcc and clang at -O0/-O2 must all give these. */
    static const uint64_t want[] = {1463569171, 1666696036, 1688316176,
                                    621590026,  3172510820, 604299826};
    sim_rng r;
    sim_rng_seed_flow(&r, 1, "web-to-backend");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_eq(sim_rng_exponential_ns(&r, 2000000000), want[i], "draw %zu", i);
}

Test(rng, exponential_mean_over_a_million_draws)
{
    /* Mean 1 s.  The sample mean of 1e6 exponentials has relative standard error 1e-3,
     * and flooring to whole nanoseconds lowers it by 0.5 ns; the seed is fixed, so the
     * 0.4 % bound (4 standard errors) is a deterministic check, never flaky. */
    const uint64_t mean = 1000000000;
    const int draws = 1000000;
    sim_rng r;
    sim_rng_seed_flow(&r, 1, "exponential");
    double sum = 0.0, sum_sq = 0.0;
    int above_mean = 0;
    uint64_t min = UINT64_MAX, max = 0;
    for (int i = 0; i < draws; i++) {
        uint64_t x = sim_rng_exponential_ns(&r, mean);
        double xd = (double)x;
        sum += xd;
        sum_sq += xd * xd;
        above_mean += x > mean;
        min = x < min ? x : min;
        max = x > max ? x : max;
    }
    double m = sum / draws;
    double var = sum_sq / draws - m * m;
    cr_expect_lt(fabs(m / (double)mean - 1.0), 0.004, "mean %.1f ns", m);
    /* Variance of an exponential is mean^2; its estimate is noisier (~3e-3 rel. s.e.). */
    cr_expect_lt(fabs(var / ((double)mean * (double)mean) - 1.0), 0.015, "var %g", var);
    /* P(X > mean) = 1/e; s.e. of the fraction ~4.8e-4. */
    cr_expect_lt(fabs((double)above_mean / draws - exp(-1.0)), 0.002);
    /* No zero-length holds at this mean (P(X < 1 ns) = 1e-9 a draw), and nothing beyond
     * the largest value the construction can give (u = 2^-53). */
    cr_expect_gt(min, 0);
    cr_expect_leq(max, (uint64_t)(53.0 * log(2.0) * (double)mean) + 1);
}

/* Puts `r` where its next sim_rng_next64 returns 0: states below 2^27 output 0 (the
 * xorshifted bits 27..58 are then all 0 and the rotation is 0), and with inc = 1 the
 * state goes 0 -> 1. */
static void set_next64_zero(sim_rng *r)
{
    r->state = 0;
    r->inc = 1;
}

/* Puts `r` where its next sim_rng_next64 returns all ones: the state with bits 41..58
 * set and the rest clear outputs 0xffffffff (solve s_i ^ s_(i+18) = 1 for i = 27..58
 * with rotation 0), and the increment is chosen so the next state is that state | 1. */
static void set_next64_ones(sim_rng *r)
{
    uint64_t s = UINT64_C(0x3ffff) << 41;
    r->state = s;
    r->inc = (s | 1) - s * PCG_MULT; /* odd: s * PCG_MULT is even */
}

Test(rng, exponential_extremes_are_finite)
{
    sim_rng r, probe;

    set_next64_zero(&probe);
    cr_assert_eq(sim_rng_next64(&probe), 0);
    /* k = 0: u = 2^-53, the smallest; -log(u) = 53 ln 2 = 36.7368005696771... */
    set_next64_zero(&r);
    cr_expect_eq(sim_rng_exponential_ns(&r, 1000000000), UINT64_C(36736800569));
    set_next64_zero(&r);
    cr_expect_eq(sim_rng_exponential_ns(&r, 1), 36);
    /* ...and a mean so large that the result does not fit saturates. */
    set_next64_zero(&r);
    cr_expect_eq(sim_rng_exponential_ns(&r, 0x1p64), UINT64_MAX);

    set_next64_ones(&probe);
    cr_assert_eq(sim_rng_next64(&probe), UINT64_MAX);
    /* k = 2^53 - 1: u = 1 exactly, -log(u) = 0. */
    set_next64_ones(&r);
    cr_expect_eq(sim_rng_exponential_ns(&r, 1000000000), 0);
    set_next64_ones(&r);
    cr_expect_eq(sim_rng_exponential_ns(&r, 0x1p64), 0);
}

Test(rng, exponential_always_consumes_two_draws)
{
    sim_rng a, b;
    sim_rng_seed(&a, 3, 4);
    sim_rng_seed(&b, 3, 4);
    cr_expect_eq(sim_rng_exponential_ns(&a, 0), 0);
    (void)sim_rng_exponential_ns(&a, 12345);
    (void)sim_rng_next64(&b);
    (void)sim_rng_next64(&b);
    cr_expect_eq(a.state, b.state);
}

Test(rng, below_stays_in_range_and_is_even)
{
    sim_rng r;
    sim_rng_seed_flow(&r, 5, "below");
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(sim_rng_below(&r, 1), 0);

    /* Six faces, 600000 throws: each count is 100000 +- 289 (s.d.); 5 s.d. bound. */
    uint64_t count[6] = {0};
    for (int i = 0; i < 600000; i++)
        count[sim_rng_below(&r, 6)]++;
    for (int f = 0; f < 6; f++)
        cr_expect_lt(llabs((long long)count[f] - 100000), 1450, "face %d: %llu", f,
                     (unsigned long long)count[f]);

    /* 2^63 + 1 rejects almost half of all 64-bit values: results must still be below the
     * bound, and both halves of the range must occur. */
    uint64_t bound = (UINT64_C(1) << 63) + 1;
    int high = 0;
    for (int i = 0; i < 10000; i++) {
        uint64_t x = sim_rng_below(&r, bound);
        cr_assert_lt(x, bound);
        high += x >= (UINT64_C(1) << 62);
    }
    cr_expect_gt(high, 4000);
    cr_expect_lt(high, 6000);
}
