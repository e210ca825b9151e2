/*
 * expect.c - expectations against counts; see expect.h.
 */
#include "sim/expect.h"
#include "sim/explain.h"
#include "sim/stats.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void say(sim_expect_result *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(sim_expect_result *x, const char *fmt, ...)
{
    size_t len = strlen(x->detail);
    if (len + 3 >= sizeof x->detail)
        return;
    if (len) {
        memcpy(x->detail + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->detail + len, sizeof x->detail - len, fmt, ap);
    va_end(ap);
}

/* Percent with three decimals from thousandths. */
#define MILLI(v) (unsigned)((v) / 1000), (unsigned)((v) % 1000)

/* |count/total - milli/100000| <= tol/100000, in integers. */
static bool within(uint64_t count, uint64_t total, uint32_t milli, uint32_t tol)
{
    unsigned __int128 obs = (unsigned __int128)count * 100000u;
    unsigned __int128 exp = (unsigned __int128)milli * total;
    unsigned __int128 diff = obs > exp ? obs - exp : exp - obs;
    return diff <= (unsigned __int128)tol * total;
}

static double percent(uint64_t count, uint64_t total)
{
    return total ? 100.0 * (double)count / (double)total : 0.0;
}

/* What an expectation counts: a window's outcomes, or those of one route slot in it. */
typedef struct tally {
    const uint64_t *count; /* per outcome */
    uint64_t total;
    const char *nothing; /* what to say when total is 0 */
    const char *unit;    /* "connections" or "requests" */
} tally;

static tally tally_of(const sim_flow_result *f, const sim_window *w, uint32_t slot)
{
    if (slot == SIM_NO_SLOT && !f->plan->per_request)
        return (tally){w->count, w->total, "no connection in the window: nothing to compare",
                       "connections"};
    if (slot == SIM_NO_SLOT)
        return (tally){w->count, w->total, "no request in the window: nothing to compare",
                       "requests"};
    return (tally){w->slot_count + (size_t)slot * f->plan->n_outcomes, w->slot_total[slot],
                   "no request took this route in the window: nothing to compare", "requests"};
}

static bool check_split(const sim_flow_result *f, const tally *w, const model_expect *e,
                        sim_expect_result *x)
{
    /* Categories: the split's backends, then every other outcome seen (expected 0). */
    size_t n = e->n_split;
    for (size_t o = 0; o < f->plan->n_outcomes; o++) {
        bool listed = false;
        for (size_t i = 0; i < e->n_split && !listed; i++)
            listed = !strcmp(e->split[i].backend, f->plan->outcomes[o].name);
        n += !listed && w->count[o] > 0;
    }
    uint64_t *obs = calloc(n ? n : 1, sizeof *obs);
    double *exp = calloc(n ? n : 1, sizeof *exp);
    uint32_t *milli = calloc(n ? n : 1, sizeof *milli);
    const char **names = calloc(n ? n : 1, sizeof *names);
    if (!obs || !exp || !milli || !names)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < e->n_split; i++, k++) {
        int o = sim_flow_plan_outcome(f->plan, e->split[i].backend);
        names[k] = e->split[i].backend;
        obs[k] = o >= 0 ? w->count[o] : 0;
        milli[k] = e->split[i].percent_milli;
        exp[k] = milli[k] / 100000.0;
        if (o < 0) /* a backend of the mesh the flow does not reach (the plan warned) */
            say(x, "%s is not reached by this flow", names[k]);
    }
    for (size_t o = 0; o < f->plan->n_outcomes; o++) {
        bool listed = false;
        for (size_t i = 0; i < e->n_split && !listed; i++)
            listed = !strcmp(e->split[i].backend, f->plan->outcomes[o].name);
        if (!listed && w->count[o] > 0) {
            names[k] = f->plan->outcomes[o].name;
            obs[k] = w->count[o];
            milli[k] = 0;
            exp[k] = 0;
            k++;
        }
    }
    bool ok = true;
    if (w->total == 0) {
        say(x, "%s", w->nothing);
        ok = false;
    } else if (e->has_tolerance) {
        for (size_t i = 0; i < n; i++) {
            bool in = within(obs[i], w->total, milli[i], e->tolerance_milli);
            say(x, "%s %.3f%% (expected %u.%03u%% +- %u.%03u) %s", names[i],
                percent(obs[i], w->total), MILLI(milli[i]), MILLI(e->tolerance_milli),
                in ? "ok" : "OUT");
            ok &= in;
        }
    } else {
        sim_stats_chi2 chi;
        sim_stats_chi2_gof(obs, exp, n, &chi);
        double alpha = 1.0 - e->confidence;
        if (chi.low_expected) {
            say(x,
                "chi-square not tested: %zu backend%s expected fewer than 5 %s out of %llu; "
                "simulate more %s or give a tolerance",
                chi.low_expected, chi.low_expected == 1 ? "" : "s", w->unit,
                (unsigned long long)w->total, w->unit);
            ok = false;
        } else {
            ok = chi.p_value >= alpha;
            say(x, "chi2 = %.4f, df = %u, p = %#.4g %s %g (confidence %g)", chi.statistic, chi.df,
                chi.p_value, ok ? ">=" : "<", alpha, e->confidence);
        }
        for (size_t i = 0; i < n; i++)
            say(x, "%s %.3f%% (expected %u.%03u%%)", names[i], percent(obs[i], w->total),
                MILLI(milli[i]));
    }
    free(obs);
    free(exp);
    free(milli);
    free(names);
    return ok;
}

static bool check_failed(const sim_flow_result *f, const tally *w, const model_expect *e,
                         sim_expect_result *x)
{
    uint64_t failed = 0;
    for (size_t o = 0; o < f->plan->n_outcomes; o++)
        if (f->plan->outcomes[o].failed)
            failed += w->count[o];
    uint32_t want = e->failed_milli;
    bool ok;
    if (w->total == 0) {
        /* A share of no connections is no share: as for a split, say so and fail rather
         * than let "failed: 0" (or any share within a tolerance of 0) hold vacuously. */
        say(x, "%s", w->nothing);
        ok = false;
    } else if (e->has_tolerance) {
        ok = within(failed, w->total, want, e->tolerance_milli);
        say(x, "failed %.3f%% (expected %u.%03u%% +- %u.%03u)", percent(failed, w->total),
            MILLI(want), MILLI(e->tolerance_milli));
    } else if (want == 0 || want == 100000) {
        ok = want == 0 ? failed == 0 : failed == w->total;
        say(x, "failed %llu of %llu (expected %s)", (unsigned long long)failed,
            (unsigned long long)w->total, want == 0 ? "none" : "all");
    } else {
        uint64_t obs[2] = {failed, w->total - failed};
        double exp[2] = {want / 100000.0, 1.0 - want / 100000.0};
        sim_stats_chi2 chi;
        sim_stats_chi2_gof(obs, exp, 2, &chi);
        double conf = e->has_confidence ? e->confidence : 0.999;
        ok = !chi.low_expected && chi.p_value >= 1.0 - conf;
        say(x, "failed %.3f%% (expected %u.%03u%%), p = %#.4g%s%s%s", percent(failed, w->total),
            MILLI(want), chi.p_value, chi.low_expected ? ", too few " : "",
            chi.low_expected ? w->unit : "", chi.low_expected ? " to test" : "");
    }
    return ok;
}

size_t sim_expect_evaluate(const sim_result *r, sim_expect_result *out)
{
    const model_scenario *s = r->scenario;
    size_t failed = 0;
    for (size_t i = 0; i < s->n_expects; i++) {
        const model_expect *e = &s->expects[i];
        sim_expect_result *x = &out[i];
        memset(x, 0, sizeof *x);
        x->expect = e;
        const sim_flow_result *f = &r->flows[e->flow_index];
        const sim_window *w = e->has_window
                                  ? sim_flow_window(f, e->window_start_ns, e->window_end_ns)
                                  : &f->windows[0];
        x->window = w;
        bool ok = true;
        if (e->route) {
            const char *got = model_route_type_name(f->plan->resolutions[0]->route);
            bool same = !strcmp(got, e->route);
            /* Sources that split differently but under the same route type all agree
             * with the expectation; only another route type somewhere breaks it. */
            say(x, "route %s (expected %s)%s", got, e->route,
                f->plan->routes_differ ? " for the first source; sources differ" : "");
            ok &= same && !f->plan->routes_differ;
        }
        if (e->policy) {
            /* The policy must contribute to the routing of every source of the flow. */
            size_t with = 0, n = f->flow->n_sources;
            for (size_t s_i = 0; s_i < n; s_i++) {
                const model_resolution *res = f->plan->resolutions[s_i];
                bool found = false;
                for (size_t p = 0; p < res->n_policies && !found; p++)
                    found = !strcmp(res->policies[p]->name, e->policy);
                with += found;
            }
            if (with == n)
                say(x, "policy %s contributes", e->policy);
            else if (with == 0)
                say(x, "policy %s does not contribute", e->policy);
            else
                say(x, "policy %s contributes for %zu of %zu sources", e->policy, with, n);
            ok &= with == n;
        }
        uint32_t slot = r->plan->expect_slot[i];
        if (slot != SIM_NO_SLOT) {
            char what[256];
            sim_explain_match(what, sizeof what, f->plan->slots[slot].match);
            say(x, "route %s: %llu requests", what, (unsigned long long)w->slot_total[slot]);
        }
        tally t = tally_of(f, w, slot);
        if (e->n_split)
            ok &= check_split(f, &t, e, x);
        if (e->has_failed)
            ok &= check_failed(f, &t, e, x);
        x->passed = ok;
        failed += !ok;
    }
    return failed;
}
