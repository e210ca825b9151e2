/*
 * stats.h - the statistics behind a split report: chi-square goodness of fit, its
 * p-value, Wilson score intervals and the normal quantile they need.
 *
 * Written from the formulas, not from a library, so that the numbers in a report are the
 * same on every machine that has the same libm (see stats.c for the accuracy of each
 * function and how floating-point reproducibility is kept).  Counts come in as exact
 * integers; only the derived statistics are floating point, and none of them feeds back
 * into a routing decision.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Result of sim_stats_chi2_gof. */
typedef struct sim_stats_chi2 {
    double statistic;    /* Pearson's X^2 = sum (O - E)^2 / E; +inf if a category with
                            expected share 0 was observed */
    unsigned df;         /* categories with expected share > 0, minus one */
    double p_value;      /* P(chi-square(df) >= statistic) */
    size_t low_expected; /* categories with share > 0 whose expected count E < 5: the
                            chi-square approximation is doubtful there; report it */
    uint64_t total;      /* N, the sum of the observed counts */
} sim_stats_chi2;

/* Returns Q(a, x) = Gamma(a, x) / Gamma(a), the regularised upper incomplete gamma
 * function, for a > 0 and x >= 0 (relative error ~1e-14 for moderate a; series for
 * x < a + 1, Lentz's continued fraction otherwise).  Q(a, 0) = 1, Q(a, +inf) = 0.
 * Returns NaN when a <= 0, x < 0 or either is NaN. */
double sim_stats_gamma_q(double a, double x);

/* Returns the upper-tail p-value P(X >= chi2) of a chi-square distribution with `df`
 * degrees of freedom: Q(df / 2, chi2 / 2).  df == 0 is the distribution concentrated at
 * 0: returns 1 for chi2 <= 0 and 0 otherwise.  chi2 <= 0 returns 1, +inf returns 0, NaN
 * returns NaN. */
double sim_stats_chi2_pvalue(double chi2, unsigned df);

/* Returns the standard normal quantile: x with Phi(x) = p.  Acklam's rational
 * approximation refined by one Halley step on erfc (relative error ~1e-15).  p == 0
 * gives -inf, p == 1 gives +inf, p outside [0, 1] or NaN gives NaN. */
double sim_stats_normal_quantile(double p);

/* Stores in *lo, *hi the Wilson score interval for k successes in n trials at two-sided
 * `confidence` (e.g. 0.95; must lie strictly between 0 and 1), clamped to [0, 1], with
 * lo exactly 0 when k == 0 and hi exactly 1 when k == n.  n == 0 gives [0, 1].  Requires
 * k <= n; lo and hi must not be NULL. */
void sim_stats_wilson(uint64_t k, uint64_t n, double confidence, double *lo, double *hi);

/* Pearson's chi-square goodness of fit of `n` observed counts against expected shares.
 * `expected_share[i]` is category i's relative weight, >= 0 and finite; the shares are
 * divided by their sum, so integer weights may be passed as they are.  Both arrays are
 * borrowed for the call only.  Fills *out and returns 0.  Categories with share 0 and no
 * observations are left out of the test (they add nothing and no degree of freedom);
 * one with share 0 but observations makes the statistic +inf and the p-value 0 (the
 * split cannot be right).  With a single category of positive share, df is 0 and the
 * p-value 1 (unless the infinite case applies).  Returns -1, with out->p_value NaN, when
 * there is nothing to test: no observations at all (N == 0) or no positive share. */
int sim_stats_chi2_gof(const uint64_t *observed, const double *expected_share, size_t n,
                       sim_stats_chi2 *out);

#endif
