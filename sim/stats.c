/*
 * stats.c - incomplete gamma, chi-square, Wilson intervals and the normal quantile.
 *
 * References for the formulas:
 *   - Q(a, x): Press et al., Numerical Recipes (3rd ed.), sec. 6.2: the series for
 *     P(a, x) when x < a + 1, else the continued fraction for Q(a, x) evaluated by the
 *     modified Lentz method (sec. 5.2).  The prefactor x^a e^-x / Gamma(a) is taken as
 *     exp(a log x - x - lgamma(a)), which loses about a*log(a)*eps relative accuracy:
 *     ~1e-14 for the degrees of freedom a split report has (tens of categories).
 *   - Chi-square upper tail: P(X >= c) = Q(df/2, c/2) (Abramowitz & Stegun 26.4.19).
 *   - Normal quantile: P. J. Acklam's rational approximation (relative error < 1.15e-9),
 *     refined by one step of Halley's method using erfc, which brings it to ~1e-15.  The
 *     lower half is computed directly and the upper half by symmetry from 1 - p, which is
 *     exact for p >= 0.5 (Sterbenz), so accuracy in the upper tail is kept.
 *   - Wilson score interval: E. B. Wilson (1927),
 *       (p + z^2/2n  -+  z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n),  p = k/n,
 *     with z the two-sided normal quantile.  Unlike the Wald interval it behaves at
 *     k = 0 and k = n, where splits with weight 0 or 100 % put their counts.
 *
 * Reproducibility: report bytes are compared across gcc and clang, so no expression here
 * may be contracted into an FMA differently by the two.  clang contracts within an
 * expression by default on targets with FMA; the pragma below stops it.  gcc does not
 * contract in ISO mode (-std=c11, which CMake's C_EXTENSIONS OFF gives).  Checked on
 * x86-64 with -march=native (FMA): gcc and clang at -O0/-O2/-O3 agree bit for bit;
 * gcc -std=gnu11 and clang -ffp-contract=fast (which overrides the pragma) do not.
 * libm is used only for log, exp, lgamma, erfc and sqrt, at run time, so both compilers
 * call the same implementations.  lgamma writes the global signgam: these functions are
 * not meant to be called from several threads at once.
 */
#include "sim/stats.h"

#include <assert.h>
#include <float.h>
#include <math.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Written out because M_PI and friends are not ISO C. */
#define STATS_SQRT2 1.41421356237309504880
#define STATS_SQRT_2PI 2.50662827463100050242

/* Smallest magnitude allowed in Lentz's denominators (NR's FPMIN): keeps 1/d finite. */
#define STATS_TINY (DBL_MIN / DBL_EPSILON)

/* Iteration cap for the series and the continued fraction.  Both need O(sqrt(a)) terms
 * near x = a; the cap only guards against a runaway loop, it is never reached for the
 * arguments a report produces. */
static long gamma_max_iter(double a)
{
    return 1000 + (long)(50.0 * sqrt(a));
}

/* x^a e^-x / Gamma(a), the factor common to the series and the continued fraction. */
static double gamma_prefactor(double a, double x)
{
    return exp(a * log(x) - x - lgamma(a));
}

/* P(a, x) by its series sum_{n>=0} x^n / (a (a+1) ... (a+n)); for x < a + 1. */
static double gamma_p_series(double a, double x)
{
    double ap = a;
    double term = 1.0 / a;
    double sum = term;
    long max_iter = gamma_max_iter(a);
    for (long i = 0; i < max_iter; i++) {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if (fabs(term) < fabs(sum) * DBL_EPSILON)
            break;
    }
    return sum * gamma_prefactor(a, x);
}

/* Q(a, x) by the continued fraction
 *   1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...)))
 * times the prefactor, with the modified Lentz method; for x >= a + 1. */
static double gamma_q_fraction(double a, double x)
{
    double b = x + 1.0 - a;
    double c = 1.0 / STATS_TINY;
    double d = 1.0 / b;
    double h = d;
    long max_iter = gamma_max_iter(a);
    for (long i = 1; i <= max_iter; i++) {
        double an = -(double)i * ((double)i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < STATS_TINY)
            d = STATS_TINY;
        c = b + an / c;
        if (fabs(c) < STATS_TINY)
            c = STATS_TINY;
        d = 1.0 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) < DBL_EPSILON)
            break;
    }
    return gamma_prefactor(a, x) * h;
}

double sim_stats_gamma_q(double a, double x)
{
    if (isnan(a) || isnan(x) || a <= 0.0 || x < 0.0)
        return NAN;
    if (x == 0.0)
        return 1.0;
    if (isinf(x))
        return 0.0;
    if (x < a + 1.0) {
        /* Here P is not small (x is below the bulk), so 1 - P loses nothing that matters
         * and the series converges faster than the fraction would. */
        return 1.0 - gamma_p_series(a, x);
    }
    return gamma_q_fraction(a, x);
}

double sim_stats_chi2_pvalue(double chi2, unsigned df)
{
    if (isnan(chi2))
        return NAN;
    if (chi2 <= 0.0)
        return 1.0;
    if (df == 0)
        return 0.0; /* all mass at 0, and chi2 > 0 */
    return sim_stats_gamma_q(0.5 * (double)df, 0.5 * chi2);
}

/* Acklam's approximation of the normal quantile for 0 < p <= 0.5 (result <= 0). */
static double acklam_lower(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    const double p_low = 0.02425; /* Acklam's break between tail and central regions */

    if (p < p_low) {
        double q = sqrt(-2.0 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

double sim_stats_normal_quantile(double p)
{
    if (isnan(p) || p < 0.0 || p > 1.0)
        return NAN;
    if (p == 0.0)
        return -INFINITY;
    if (p == 1.0)
        return INFINITY;
    if (p > 0.5)
        return -sim_stats_normal_quantile(1.0 - p); /* 1 - p is exact here */

    double x = acklam_lower(p);
    /* One Halley step on f(x) = Phi(x) - p, with Phi(x) = erfc(-x / sqrt 2) / 2, which is
     * accurate for x <= 0 (no cancellation in the lower tail). */
    double e = 0.5 * erfc(-x / STATS_SQRT2) - p;
    double u = e * STATS_SQRT_2PI * exp(0.5 * x * x);
    if (!isfinite(u))
        return x; /* p within a few ulp of DBL_TRUE_MIN: exp overflows, keep Acklam's x */
    return x - u / (1.0 + 0.5 * x * u);
}

void sim_stats_wilson(uint64_t k, uint64_t n, double confidence, double *lo, double *hi)
{
    assert(lo != NULL && hi != NULL);
    assert(k <= n);
    assert(confidence > 0.0 && confidence < 1.0);
    if (n == 0) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    /* The two-sided z from the lower tail: (1 - c) / 2 is exact for c >= 0.5. */
    double z = -sim_stats_normal_quantile(0.5 * (1.0 - confidence));
    double nn = (double)n;
    double p = (double)k / nn;
    double z2 = z * z;
    double denom = 1.0 + z2 / nn;
    double center = (p + z2 / (2.0 * nn)) / denom;
    double half = z / denom * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));

    /* At k = 0 (k = n) the lower (upper) end is 0 (1) in exact arithmetic; say so exactly
     * rather than print a rounding residue such as 1e-17. */
    *lo = (k == 0) ? 0.0 : fmax(0.0, center - half);
    *hi = (k == n) ? 1.0 : fmin(1.0, center + half);
}

int sim_stats_chi2_gof(const uint64_t *observed, const double *expected_share, size_t n,
                       sim_stats_chi2 *out)
{
    assert(out != NULL);
    assert(n == 0 || (observed != NULL && expected_share != NULL));
    out->statistic = 0.0;
    out->df = 0;
    out->p_value = NAN;
    out->low_expected = 0;
    out->total = 0;

    uint64_t total = 0;
    double share_sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        assert(isfinite(expected_share[i]) && expected_share[i] >= 0.0);
        assert(total + observed[i] >= total); /* counts of one simulation cannot wrap */
        total += observed[i];
        share_sum += expected_share[i];
    }
    out->total = total;
    if (total == 0 || !(share_sum > 0.0))
        return -1;

    double nn = (double)total;
    double statistic = 0.0;
    unsigned categories = 0;
    int impossible = 0; /* observed where nothing was expected */
    for (size_t i = 0; i < n; i++) {
        if (expected_share[i] == 0.0) {
            if (observed[i] > 0)
                impossible = 1;
            continue;
        }
        categories++;
        double expected = nn * expected_share[i] / share_sum;
        double diff = (double)observed[i] - expected;
        statistic += diff * diff / expected;
        if (expected < 5.0)
            out->low_expected++;
    }
    out->df = categories - 1;

    if (impossible) {
        out->statistic = INFINITY;
        out->p_value = 0.0;
    } else if (out->df == 0) {
        /* One category holds every observation and all the expectation: exact fit. */
        out->statistic = 0.0;
        out->p_value = 1.0;
    } else {
        out->statistic = statistic;
        out->p_value = sim_stats_chi2_pvalue(statistic, out->df);
    }
    return 0;
}
