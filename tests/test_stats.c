/*
 * test_stats.c - the statistics against published and independently computed values
 * (mpmath at 40 digits unless a table is named), their edge cases, and the calibration
 * of the chi-square p-value under the null hypothesis on simulated 90/10 splits.
 */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/pick.h"
#include "sim/rng.h"
#include "sim/stats.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* |got - want| <= rel * |want| (or <= rel when want is 0). */
static void expect_rel(double got, double want, double rel, const char *what)
{
    double tol = want == 0.0 ? rel : rel * fabs(want);
    cr_expect_leq(fabs(got - want), tol, "%s: got %.17g, want %.17g", what, got, want);
}

Test(stats, gamma_q_known_values)
{
    /* Q(a, x) = Gamma(a, x) / Gamma(a), mpmath gammainc(a, x, inf, regularized=True). */
    static const struct {
        double a, x, q, rel;
    } cases[] = {
        {0.5, 1.92072941, 0.050000000020698462, 1e-12}, /* the 5 % point of chi2(1) / 2 */
        {1.5, 3.5, 0.071897772496465127, 1e-12},
        {5.0, 10.0, 0.029252688076961073, 1e-12},
        {3.0, 1.0, 0.91969860292860580, 1e-13}, /* = 2.5 / e, series branch */
        {10.0, 5.0, 0.96817194269379519, 1e-13},
        {2.5, 0.3, 0.98800324279409373, 1e-13},
        {0.5, 0.001, 0.96432940827032011, 1e-13},
        {100.0, 100.0, 0.48670120172085134, 1e-12}, /* x = a: slowest convergence */
        {50.0, 60.0, 0.084406681093691830, 1e-12},
        {500.0, 480.0, 0.81371802680967540, 1e-11},
        {1.0, 700.0, 9.8596765437597709e-305, 1e-12}, /* = e^-700, near underflow */
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        char what[64];
        snprintf(what, sizeof what, "Q(%g, %g)", cases[i].a, cases[i].x);
        expect_rel(sim_stats_gamma_q(cases[i].a, cases[i].x), cases[i].q, cases[i].rel, what);
    }
    /* Q(1, x) = e^-x on both branches. */
    for (double x = 0.125; x < 50.0; x *= 1.5)
        expect_rel(sim_stats_gamma_q(1.0, x), exp(-x), 1e-13, "Q(1, x) = e^-x");
}

Test(stats, gamma_q_edges)
{
    cr_expect_eq(sim_stats_gamma_q(0.5, 0.0), 1.0);
    cr_expect_eq(sim_stats_gamma_q(1e6, 0.0), 1.0);
    cr_expect_eq(sim_stats_gamma_q(0.5, INFINITY), 0.0);
    cr_expect_eq(sim_stats_gamma_q(2.0, 1e6), 0.0); /* underflows cleanly, no NaN */
    cr_expect_eq(sim_stats_gamma_q(0.5, DBL_MAX), 0.0);
    double tiny = sim_stats_gamma_q(3.0, 1e-300); /* P ~ 1e-900: Q rounds to 1 */
    cr_expect_eq(tiny, 1.0);
    cr_expect(isnan(sim_stats_gamma_q(0.0, 1.0)));
    cr_expect(isnan(sim_stats_gamma_q(-1.0, 1.0)));
    cr_expect(isnan(sim_stats_gamma_q(1.0, -1e-300)));
    cr_expect(isnan(sim_stats_gamma_q(NAN, 1.0)));
    cr_expect(isnan(sim_stats_gamma_q(1.0, NAN)));
    /* Monotone in x, and inside [0, 1], across the branch switch at x = a + 1. */
    double prev = 1.0;
    for (double x = 0.0; x < 30.0; x += 0.01) {
        double q = sim_stats_gamma_q(7.5, x);
        cr_assert(q >= 0.0 && q <= prev, "x=%g q=%.17g prev=%.17g", x, q, prev);
        prev = q;
    }
}

Test(stats, chi2_pvalue_from_tables)
{
    /* Critical values of chi-square at upper-tail 0.05 and 0.01 (NIST/SEMATECH table,
     * to full double precision from mpmath). */
    expect_rel(sim_stats_chi2_pvalue(3.841458820694124, 1), 0.05, 1e-12, "df 1, 5 %");
    expect_rel(sim_stats_chi2_pvalue(18.307038053275146, 10), 0.05, 1e-12, "df 10, 5 %");
    expect_rel(sim_stats_chi2_pvalue(6.634896601021214, 1), 0.01, 1e-12, "df 1, 1 %");
    expect_rel(sim_stats_chi2_pvalue(5.991464547107979, 2), 0.05, 1e-12, "df 2, 5 %");
    expect_rel(sim_stats_chi2_pvalue(10.827566170662733, 1), 0.001, 1e-11, "df 1, 0.1 %");
    /* df = 2 is exactly e^(-chi2/2). */
    for (double c = 0.1; c < 100.0; c *= 1.7)
        expect_rel(sim_stats_chi2_pvalue(c, 2), exp(-c / 2.0), 1e-13, "df 2 closed form");
    /* df = 1 is exactly erfc(sqrt(chi2/2)). */
    for (double c = 0.01; c < 200.0; c *= 1.9)
        expect_rel(sim_stats_chi2_pvalue(c, 1), erfc(sqrt(c / 2.0)), 1e-12, "df 1 closed form");
}

Test(stats, chi2_pvalue_edges)
{
    cr_expect_eq(sim_stats_chi2_pvalue(0.0, 1), 1.0);
    cr_expect_eq(sim_stats_chi2_pvalue(0.0, 0), 1.0);
    cr_expect_eq(sim_stats_chi2_pvalue(1e-300, 0), 0.0);
    cr_expect_eq(sim_stats_chi2_pvalue(INFINITY, 3), 0.0);
    cr_expect_eq(sim_stats_chi2_pvalue(1e9, 3), 0.0);
    cr_expect(isnan(sim_stats_chi2_pvalue(NAN, 3)));
}

Test(stats, normal_quantile_known_values)
{
    static const struct {
        double p, x;
    } cases[] = {
        {0.975, 1.9599639845400538}, /* of the double nearest 0.975 */
        {0.025, -1.9599639845400542},
        {0.999, 3.0902323061678133},
        {0.995, 2.5758293035489005},
        {0.9995, 3.2905267314919258},
        {0.9, 1.2815515655446006},
        {0.05, -1.6448536269514727},
        {0.3, -0.52440051270804082},
        {0.02425, -1.9729610513118848}, /* Acklam's region boundary */
        {1e-10, -6.3613409024040562},
        {1e-20, -9.2623400897984076},
        {1e-300, -37.047096299361199},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        char what[64];
        snprintf(what, sizeof what, "quantile(%g)", cases[i].p);
        expect_rel(sim_stats_normal_quantile(cases[i].p), cases[i].x, 2e-15, what);
    }
    cr_expect_eq(sim_stats_normal_quantile(0.5), 0.0);
}

Test(stats, normal_quantile_round_trips_and_edges)
{
    /* Phi(quantile(p)) == p over the lower half, tails included (Phi via erfc is
     * accurate there).  Phi's relative condition number at x is about 1 + x^2 (x^2 is
     * 1372 at p = 1e-300), so an x correct to an ulp or two moves Phi by up to
     * (1 + x^2) times eps: the tolerance scales with it. */
    for (double p = 1e-300; p < 0.5; p *= 1.37) {
        double x = sim_stats_normal_quantile(p);
        expect_rel(0.5 * erfc(-x / sqrt(2.0)), p, 1e-15 * (4.0 + x * x), "round trip");
    }
    /* Odd symmetry where 1 - p is exact. */
    for (double p = 0.5; p < 1.0; p += 0.0123)
        cr_expect_eq(sim_stats_normal_quantile(p), -sim_stats_normal_quantile(1.0 - p));
    cr_expect(isinf(sim_stats_normal_quantile(0.0)) && sim_stats_normal_quantile(0.0) < 0);
    cr_expect(isinf(sim_stats_normal_quantile(1.0)) && sim_stats_normal_quantile(1.0) > 0);
    cr_expect(isfinite(sim_stats_normal_quantile(DBL_TRUE_MIN)));
    cr_expect(isnan(sim_stats_normal_quantile(-0.1)));
    cr_expect(isnan(sim_stats_normal_quantile(1.5)));
    cr_expect(isnan(sim_stats_normal_quantile(NAN)));
}

Test(stats, wilson_known_values)
{
    /* Expected values from the formula evaluated in mpmath at 40 digits:
     *   z = Phi^-1(1 - (1 - c)/2), p = k/n,
     *   (p + z^2/(2n) -+ z sqrt(p(1-p)/n + z^2/(4n^2))) / (1 + z^2/n). */
    static const struct {
        uint64_t k, n;
        double c, lo, hi;
    } cases[] = {
        {81, 263, 0.95, 0.25528851987827424, 0.36620957698280006},
        {5, 10, 0.99, 0.18422551824723546, 0.81577448175276454},
        {900123, 1000000, 0.999, 0.89913204537572789, 0.90110529000157107},
        {0, 10, 0.95, 0.0, 0.27753279986288917},
        {10, 10, 0.95, 0.72246720013711083, 1.0},
    };
    for (size_t i = 0; i < LEN(cases); i++) {
        double lo, hi;
        sim_stats_wilson(cases[i].k, cases[i].n, cases[i].c, &lo, &hi);
        expect_rel(lo, cases[i].lo, 1e-13, "wilson lo");
        expect_rel(hi, cases[i].hi, 1e-13, "wilson hi");
    }
}

Test(stats, wilson_edges)
{
    double lo, hi;
    sim_stats_wilson(0, 0, 0.95, &lo, &hi);
    cr_expect(lo == 0.0 && hi == 1.0);
    sim_stats_wilson(0, 1000000, 0.95, &lo, &hi);
    cr_expect_eq(lo, 0.0); /* exactly, not a rounding residue */
    cr_expect_gt(hi, 0.0);
    sim_stats_wilson(1000000, 1000000, 0.95, &lo, &hi);
    cr_expect_eq(hi, 1.0);
    cr_expect_lt(lo, 1.0);
    /* Contains p, inside [0, 1], and narrower at lower confidence. */
    for (uint64_t k = 0; k <= 50; k++) {
        double lo99, hi99;
        sim_stats_wilson(k, 50, 0.95, &lo, &hi);
        sim_stats_wilson(k, 50, 0.99, &lo99, &hi99);
        double p = (double)k / 50.0;
        cr_expect(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0, "k=%llu",
                  (unsigned long long)k);
        cr_expect(lo99 <= lo && hi <= hi99, "k=%llu", (unsigned long long)k);
    }
}

Test(stats, chi2_gof_hand_computed)
{
    /* 90012 / 9988 against 90:10: E = 90000, 10000; X^2 = 144/90000 + 144/10000 = 0.016;
     * p = Q(1/2, 0.008) = 0.89934318856136625. */
    static const uint64_t obs[] = {90012, 9988};
    static const double share[] = {90, 10};
    sim_stats_chi2 out;
    cr_assert_eq(sim_stats_chi2_gof(obs, share, 2, &out), 0);
    expect_rel(out.statistic, 0.016, 1e-13, "statistic");
    cr_expect_eq(out.df, 1);
    expect_rel(out.p_value, 0.89934318856136625, 1e-12, "p");
    cr_expect_eq(out.low_expected, 0);
    cr_expect_eq(out.total, 100000);

    /* Shares need not sum to 1: fractions give the same answer as weights. */
    static const double fractions[] = {0.9, 0.1};
    sim_stats_chi2 out2;
    cr_assert_eq(sim_stats_chi2_gof(obs, fractions, 2, &out2), 0);
    expect_rel(out2.statistic, out.statistic, 1e-12, "statistic from fractions");
}

Test(stats, chi2_gof_reports_low_expected_counts)
{
    /* 2, 1, 0 against thirds: E = 1 each; X^2 = 1 + 0 + 1 = 2, df 2, p = e^-1.  All
     * three expected counts are below 5, which the result must say. */
    static const uint64_t obs[] = {2, 1, 0};
    static const double share[] = {1, 1, 1};
    sim_stats_chi2 out;
    cr_assert_eq(sim_stats_chi2_gof(obs, share, 3, &out), 0);
    expect_rel(out.statistic, 2.0, 1e-15, "statistic");
    cr_expect_eq(out.df, 2);
    expect_rel(out.p_value, exp(-1.0), 1e-14, "p");
    cr_expect_eq(out.low_expected, 3);

    /* 99:1 over 400 observations: E = 396 and 4: one low category. */
    static const uint64_t obs2[] = {396, 4};
    static const double share2[] = {99, 1};
    cr_assert_eq(sim_stats_chi2_gof(obs2, share2, 2, &out), 0);
    cr_expect_eq(out.low_expected, 1);
    cr_expect_eq(out.p_value, 1.0);
}

Test(stats, chi2_gof_zero_shares)
{
    sim_stats_chi2 out;
    /* A weight-0 backend that received nothing is left out: df counts only the others. */
    static const uint64_t obs[] = {500, 0, 500};
    static const double share[] = {1, 0, 1};
    cr_assert_eq(sim_stats_chi2_gof(obs, share, 3, &out), 0);
    cr_expect_eq(out.df, 1);
    cr_expect_eq(out.statistic, 0.0);
    cr_expect_eq(out.p_value, 1.0);

    /* A weight-0 backend that received traffic: the split is wrong, whatever the rest. */
    static const uint64_t leak[] = {500, 1, 500};
    cr_assert_eq(sim_stats_chi2_gof(leak, share, 3, &out), 0);
    cr_expect(isinf(out.statistic) && out.statistic > 0);
    cr_expect_eq(out.p_value, 0.0);
    cr_expect_eq(out.df, 1);

    /* Only one category expected: df 0, an exact fit... */
    static const uint64_t one[] = {0, 1234};
    static const double only_second[] = {0, 100};
    cr_assert_eq(sim_stats_chi2_gof(one, only_second, 2, &out), 0);
    cr_expect_eq(out.df, 0);
    cr_expect_eq(out.statistic, 0.0);
    cr_expect_eq(out.p_value, 1.0);
    /* ...unless the other one saw traffic. */
    static const uint64_t one_leak[] = {1, 1234};
    cr_assert_eq(sim_stats_chi2_gof(one_leak, only_second, 2, &out), 0);
    cr_expect_eq(out.p_value, 0.0);
}

Test(stats, chi2_gof_nothing_to_test)
{
    sim_stats_chi2 out;
    static const uint64_t none[] = {0, 0};
    static const uint64_t some[] = {3, 4};
    static const double share[] = {1, 1};
    static const double zero[] = {0, 0};
    cr_expect_eq(sim_stats_chi2_gof(none, share, 2, &out), -1);
    cr_expect(isnan(out.p_value));
    cr_expect_eq(sim_stats_chi2_gof(some, zero, 2, &out), -1);
    cr_expect(isnan(out.p_value));
    cr_expect_eq(sim_stats_chi2_gof(NULL, NULL, 0, &out), -1);
}

/* ---- calibration under the null ---------------------------------------------------- */

#define NULL_RUNS 2000 /* simulated experiments, one fixed seed each */
#define NULL_N 1000    /* connections per experiment */

/* P(X >= c) for one degree of freedom, in closed form: independent of gamma_q. */
static double chi2_df1_pvalue(double c)
{
    return erfc(sqrt(c / 2.0));
}

/* Binomial(NULL_N, 0.1) probability of k, via lgamma. */
static double binom_pmf(int k)
{
    double n = NULL_N;
    return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(0.1) +
               (n - k) * log(0.9));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

Test(stats, pvalues_are_calibrated_under_the_null)
{
    /* 2000 experiments of 1000 connections each through the real pipeline (a flow stream
     * per seed, a 64-bit draw, Envoy's pick over 90/10) and the chi-square test of each.
     * The split is right, so the p-values should be uniform, up to the discreteness of
     * the count k of the 10 % backend: X^2 = (k - 100)^2 / 90 takes few values.
     * Every seed is fixed, so each bound below is checked against the same numbers on
     * every run: deterministic, never flaky.  Bounds are about 4 standard errors wide
     * (binomial over 2000 runs), so a broken pick, stream or p-value would show. */
    static const uint32_t weights[] = {90, 10};
    static const double share[] = {90, 10};
    static double pvals[NULL_RUNS];
    sim_pick pick;
    cr_assert_eq(sim_pick_init(&pick, weights, 2), 0);

    for (int run = 0; run < NULL_RUNS; run++) {
        sim_rng r;
        sim_rng_seed_flow(&r, (uint64_t)run + 1, "null-calibration");
        uint64_t counts[2] = {0, 0};
        for (int i = 0; i < NULL_N; i++)
            counts[sim_pick_choose(&pick, sim_rng_next64(&r))]++;
        sim_stats_chi2 out;
        cr_assert_eq(sim_stats_chi2_gof(counts, share, 2, &out), 0);
        cr_assert_eq(out.df, 1);
        /* The general p-value agrees with the closed form for df 1. */
        expect_rel(out.p_value, chi2_df1_pvalue(out.statistic), 1e-11, "df-1 p-value");
        pvals[run] = out.p_value;
    }
    sim_pick_deinit(&pick);

    /* Nominal levels: P(p <= 0.05) = 0.0509 and P(p <= 0.5) = 0.4933 exactly for this
     * discrete law; standard errors over 2000 runs are 0.0049 and 0.0112. */
    int below_05 = 0, below_50 = 0;
    for (int i = 0; i < NULL_RUNS; i++) {
        below_05 += pvals[i] <= 0.05;
        below_50 += pvals[i] <= 0.5;
    }
    double f05 = (double)below_05 / NULL_RUNS, f50 = (double)below_50 / NULL_RUNS;
    cr_expect(fabs(f05 - 0.05) < 0.02, "fraction of p <= 0.05: %g", f05);
    cr_expect(fabs(f50 - 0.5) < 0.05, "fraction of p <= 0.5: %g", f50);

    /* Binned against uniform: the empirical CDF at each decile t. The exact law of this
     * discrete p-value departs from t by up to 0.036 (at t = 0.6); the sampling error of
     * an empirical CDF over 2000 runs is below 0.0436 at the 0.999 level (Kolmogorov):
     * 0.08 bounds both. */
    qsort(pvals, NULL_RUNS, sizeof pvals[0], cmp_double);
    for (int d = 1; d < 10; d++) {
        double t = d / 10.0;
        int le = 0;
        while (le < NULL_RUNS && pvals[le] <= t)
            le++;
        double f = (double)le / NULL_RUNS;
        cr_expect(fabs(f - t) < 0.08, "empirical CDF at %g: %g", t, f);
    }

    /* Kolmogorov-Smirnov against the exact law of the p-value (Binomial(1000, 0.1) for k,
     * mapped through the closed-form p-value): both CDFs are step functions on the same
     * atoms, so compare them at each atom.  Critical value 1.95 / sqrt(2000) = 0.0436 at
     * the 0.001 level (conservative for a discrete law). */
    static double law_p[NULL_N + 1], law_w[NULL_N + 1];
    for (int k = 0; k <= NULL_N; k++) {
        double dev = k - 100.0;
        law_p[k] = chi2_df1_pvalue(dev * dev / 90.0);
        law_w[k] = binom_pmf(k);
    }
    double worst = 0.0;
    for (int k = 0; k <= NULL_N; k++) {
        double t = law_p[k];
        double law_cdf = 0.0;
        for (int j = 0; j <= NULL_N; j++)
            if (law_p[j] <= t)
                law_cdf += law_w[j];
        int le = 0;
        for (int i = 0; i < NULL_RUNS; i++)
            le += pvals[i] <= t * (1.0 + 1e-9); /* the same atom, computed two ways */
        double gap = fabs((double)le / NULL_RUNS - law_cdf);
        worst = gap > worst ? gap : worst;
    }
    cr_expect_lt(worst, 0.0436, "KS distance to the exact law: %g", worst);
}
