/*
 * test_pick.c - sim_pick_choose against a transcription of Envoy's walk, for every
 * residue r % total of small weight vectors (and every interval edge of large ones), with
 * r both small and near 2^64.
 */
#include <criterion/criterion.h>

#include <stdint.h>

#include "sim/pick.h"
#include "sim/rng.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Envoy's WeightedClusterUtil::pickCluster, line for line (source/common/common/
 * utility.h): the reference the fast lookup must agree with. */
static size_t envoy_walk(const uint32_t *weights, size_t n, uint64_t random_value)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += weights[i];
    const uint64_t selected_value = random_value % total;
    uint64_t begin = 0;
    uint64_t end = 0;
    for (size_t i = 0; i < n; i++) {
        end = begin + weights[i];
        if (selected_value >= begin && selected_value < end)
            return i;
        begin = end;
    }
    cr_assert_fail("walk fell off the end");
    return n;
}

/* Largest r with r % total == s: the far end of the 64-bit range. */
static uint64_t top_r(uint64_t s, uint64_t total)
{
    return s + total * ((UINT64_MAX - s) / total);
}

/* Checks one residue s, reached through r = s, r = s + total and r near 2^64. */
static void check_residue(const sim_pick *p, const uint32_t *w, size_t n, uint64_t s)
{
    size_t want = envoy_walk(w, n, s);
    cr_assert_eq(sim_pick_choose(p, s), want, "s=%llu", (unsigned long long)s);
    cr_assert_eq(sim_pick_choose(p, s + p->total), want, "s=%llu + total",
                 (unsigned long long)s);
    uint64_t far = top_r(s, p->total);
    cr_assert_eq(envoy_walk(w, n, far), want);
    cr_assert_eq(sim_pick_choose(p, far), want, "r=%llu", (unsigned long long)far);
}

/* Every residue 0 .. total-1 (small totals only). */
static void check_exhaustive(const uint32_t *w, size_t n)
{
    sim_pick p;
    cr_assert_eq(sim_pick_init(&p, w, n), 0);
    cr_assert_eq(p.n, n);
    for (uint64_t s = 0; s < p.total; s++)
        check_residue(&p, w, n, s);
    sim_pick_deinit(&p);
}

/* Where the walk's answer can change: 0, total-1 and every interval end -1, 0, +1.
 * Between two such points every residue has the same answer (the intervals are
 * contiguous), so this covers every case of a large total.  Plus sampled residues. */
static void check_edges(const uint32_t *w, size_t n)
{
    sim_pick p;
    cr_assert_eq(sim_pick_init(&p, w, n), 0);
    check_residue(&p, w, n, 0);
    check_residue(&p, w, n, p.total - 1);
    uint64_t end = 0;
    for (size_t i = 0; i < n; i++) {
        end += w[i];
        for (uint64_t s = end == 0 ? 0 : end - 1; s <= end + 1; s++)
            if (s < p.total)
                check_residue(&p, w, n, s);
    }
    sim_rng r;
    sim_rng_seed_flow(&r, 1, "pick-edges");
    for (int i = 0; i < 20000; i++) {
        uint64_t x = sim_rng_next64(&r);
        cr_assert_eq(sim_pick_choose(&p, x), envoy_walk(w, n, x));
    }
    sim_pick_deinit(&p);
}

Test(pick, ninety_ten)
{
    static const uint32_t w[] = {90, 10};
    check_exhaustive(w, LEN(w));
    sim_pick p;
    cr_assert_eq(sim_pick_init(&p, w, LEN(w)), 0);
    cr_expect_eq(p.total, 100);
    cr_expect_eq(sim_pick_choose(&p, 89), 0);
    cr_expect_eq(sim_pick_choose(&p, 90), 1);
    cr_expect_eq(sim_pick_choose(&p, 99), 1);
    cr_expect_eq(sim_pick_choose(&p, 100), 0);
    /* 2^64 - 1 = 18446744073709551615, which is 15 mod 100. */
    cr_expect_eq(sim_pick_choose(&p, UINT64_MAX), 0);
    /* 2^64 - 6 is 10 mod 100; 2^64 - 17 is 99 mod 100. */
    cr_expect_eq(sim_pick_choose(&p, UINT64_MAX - 5), 0);
    cr_expect_eq(sim_pick_choose(&p, UINT64_MAX - 16), 1);
    sim_pick_deinit(&p);
}

Test(pick, equal_and_duplicate_weights)
{
    static const uint32_t three[] = {1, 1, 1};
    static const uint32_t four[] = {5, 5, 5, 5};
    static const uint32_t dup[] = {3, 7, 3, 7, 3};
    check_exhaustive(three, LEN(three));
    check_exhaustive(four, LEN(four));
    check_exhaustive(dup, LEN(dup));
}

Test(pick, single_cluster_takes_everything)
{
    static const uint32_t one[] = {7};
    static const uint32_t unit[] = {1};
    check_exhaustive(one, LEN(one));
    check_exhaustive(unit, LEN(unit));
    sim_pick p;
    cr_assert_eq(sim_pick_init(&p, unit, 1), 0);
    cr_expect_eq(sim_pick_choose(&p, UINT64_MAX), 0);
    sim_pick_deinit(&p);
}

Test(pick, zero_weights_are_never_picked)
{
    static const uint32_t cases[][5] = {
        {0, 5, 0, 3, 0}, {0, 0, 0, 0, 1}, {1, 0, 0, 0, 0}, {100, 0, 100, 0, 0}, {0, 0, 2, 2, 0},
    };
    for (size_t c = 0; c < LEN(cases); c++) {
        check_exhaustive(cases[c], 5);
        sim_pick p;
        cr_assert_eq(sim_pick_init(&p, cases[c], 5), 0);
        for (uint64_t s = 0; s < p.total; s++)
            cr_assert_neq(cases[c][sim_pick_choose(&p, s)], 0, "case %zu s %llu", c,
                          (unsigned long long)s);
        sim_pick_deinit(&p);
    }
}

Test(pick, largest_totals)
{
    static const uint32_t max1[] = {UINT32_MAX};
    static const uint32_t max_split[] = {UINT32_MAX - 1, 1};
    static const uint32_t max_split_rev[] = {1, UINT32_MAX - 1};
    static const uint32_t halves[] = {UINT32_C(2147483648), UINT32_C(2147483647)};
    static const uint32_t padded[] = {0, UINT32_MAX, 0};
    static const uint32_t thirds[] = {UINT32_C(1431655765), UINT32_C(1431655765),
                                      UINT32_C(1431655765)};
    check_edges(max1, LEN(max1));
    check_edges(max_split, LEN(max_split));
    check_edges(max_split_rev, LEN(max_split_rev));
    check_edges(halves, LEN(halves));
    check_edges(padded, LEN(padded));
    check_edges(thirds, LEN(thirds));

    sim_pick p;
    cr_assert_eq(sim_pick_init(&p, max_split, LEN(max_split)), 0);
    cr_expect_eq(p.total, SIM_PICK_MAX_TOTAL);
    /* 2^64 - 1 = (2^32 + 1)(2^32 - 1): residue 0, so the first cluster. */
    cr_expect_eq(sim_pick_choose(&p, UINT64_MAX), 0);
    /* 2^64 - 2 has residue 2^32 - 2, the last value: the weight-1 cluster. */
    cr_expect_eq(sim_pick_choose(&p, UINT64_MAX - 1), 1);
    cr_expect_eq(sim_pick_choose(&p, UINT32_MAX - 1), 1);
    cr_expect_eq(sim_pick_choose(&p, UINT32_MAX - 2), 0);
    sim_pick_deinit(&p);
}

Test(pick, long_lists_use_the_search_and_agree)
{
    /* Random weight vectors of every length 1..64, so both the linear count (up to
     * SIM_PICK_LINEAR_MAX) and the binary search are exercised, with weights 0..9 (about
     * a tenth are zero, runs of zeros included). */
    sim_rng r;
    sim_rng_seed_flow(&r, 1, "pick-long-lists");
    uint32_t w[64];
    for (size_t n = 1; n <= LEN(w); n++) {
        for (int round = 0; round < 20; round++) {
            uint64_t total = 0;
            for (size_t i = 0; i < n; i++) {
                w[i] = (uint32_t)sim_rng_below(&r, 10);
                total += w[i];
            }
            if (total == 0)
                w[n - 1] = 1;
            check_exhaustive(w, n);
        }
    }
}

Test(pick, long_list_with_large_weights)
{
    /* 40 clusters summing to exactly 2^32 - 1, with zeros among them. */
    uint32_t w[40];
    uint64_t total = 0;
    for (size_t i = 0; i < LEN(w); i++) {
        w[i] = (i % 7 == 3) ? 0 : UINT32_C(100000000) + (uint32_t)i;
        total += w[i];
    }
    w[LEN(w) - 1] += (uint32_t)(SIM_PICK_MAX_TOTAL - total);
    check_edges(w, LEN(w));
}

Test(pick, init_rejects_what_envoy_rejects)
{
    static const uint32_t zeros[] = {0, 0, 0};
    static const uint32_t too_big[] = {UINT32_MAX, 1};
    static const uint32_t too_big2[] = {UINT32_C(2147483648), UINT32_C(2147483648)};
    static const uint32_t many_max[] = {UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX};
    sim_pick p;

    cr_expect_eq(sim_pick_init(&p, NULL, 0), -1);
    cr_expect_eq(p.n, 0);
    cr_expect_null(p.ends);
    cr_expect_eq(sim_pick_init(&p, zeros, LEN(zeros)), -1);
    cr_expect_eq(sim_pick_init(&p, too_big, LEN(too_big)), -1);
    cr_expect_eq(sim_pick_init(&p, too_big2, LEN(too_big2)), -1);
    cr_expect_eq(sim_pick_init(&p, many_max, LEN(many_max)), -1);
    cr_expect_eq(p.n, 0);
    cr_expect_null(p.ends);
    sim_pick_deinit(&p); /* harmless on a failed init */
    sim_pick_deinit(&p); /* and twice */
}

Test(pick, split_is_exact_over_a_full_period)
{
    /* r = 0 .. 999 takes every residue of the total 100 exactly ten times, so the counts
     * are exactly ten times the weights: the pick itself adds no bias. */
    static const uint32_t w[] = {50, 0, 25, 15, 10};
    uint64_t count[LEN(w)] = {0};
    sim_pick p;
    cr_assert_eq(sim_pick_init(&p, w, LEN(w)), 0);
    for (uint64_t x = 0; x < 1000; x++)
        count[sim_pick_choose(&p, x)]++;
    for (size_t i = 0; i < LEN(w); i++)
        cr_expect_eq(count[i], 10 * (uint64_t)w[i], "cluster %zu", i);
    sim_pick_deinit(&p);
}
