/*
 * report_run.c - the report of a simulation: text, JSON and CSV (docs/manual.md §4).
 *
 * All three are built from the same numbers: exact counts from the run, shares and
 * statistics derived from them here.  The confidence intervals are 95% Wilson intervals;
 * the chi-square in each window tests the counts against the configured weights.
 */
#include "report_common.h"
#include "sim/explain.h"
#include "sim/report.h"
#include "sim/stats.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_CI 0.95
/* Ten significant digits: enough for any count we report, and short. */
#define REPORT_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

/* Appends v / scale with up to three decimals, trailing zeros dropped, then `unit`. */
static size_t put_scaled(char *buf, size_t size, uint64_t v, uint64_t scale, const char *unit)
{
    uint64_t whole = v / scale, frac = (v % scale) * 1000 / scale;
    int n;
    if (frac == 0)
        n = snprintf(buf, size, "%llu%s", (unsigned long long)whole, unit);
    else if (frac % 100 == 0)
        n = snprintf(buf, size, "%llu.%01llu%s", (unsigned long long)whole,
                     (unsigned long long)(frac / 100), unit);
    else if (frac % 10 == 0)
        n = snprintf(buf, size, "%llu.%02llu%s", (unsigned long long)whole,
                     (unsigned long long)(frac / 10), unit);
    else
        n = snprintf(buf, size, "%llu.%03llu%s", (unsigned long long)whole,
                     (unsigned long long)frac, unit);
    return n > 0 ? (size_t)n : 0;
}

const char *sim_format_duration(char *buf, size_t size, uint64_t ns)
{
    const uint64_t s = 1000000000ULL, m = 60 * s, h = 60 * m;
    size_t len = 0;
    if (ns == 0)
        snprintf(buf, size, "0s");
    else if (ns < 1000)
        snprintf(buf, size, "%lluns", (unsigned long long)ns);
    else if (ns < 1000000)
        put_scaled(buf, size, ns, 1000, "us");
    else if (ns < s)
        put_scaled(buf, size, ns, 1000000, "ms");
    else {
        /* Whole hours and minutes, then seconds to the millisecond: 1h2m3.5s. */
        if (ns >= h)
            len += (size_t)snprintf(buf + len, size - len, "%lluh", (unsigned long long)(ns / h));
        if (ns % h >= m && len < size)
            len +=
                (size_t)snprintf(buf + len, size - len, "%llum", (unsigned long long)(ns % h / m));
        if ((ns % m || len == 0) && len < size)
            put_scaled(buf + len, size - len, ns % m, s, "s");
    }
    return buf;
}

/* Per window numbers shared by the three formats. */
typedef struct window_stats {
    sim_stats_chi2 chi;
    bool chi_ok; /* a statistic could be computed */
} window_stats;

static window_stats stats_of(const sim_flow_result *f, const sim_window *w)
{
    window_stats st = {0};
    double exp[f->plan->n_outcomes ? f->plan->n_outcomes : 1];
    for (size_t o = 0; o < f->plan->n_outcomes; o++)
        exp[o] = f->plan->outcomes[o].expected;
    st.chi_ok = w->total > 0 && sim_stats_chi2_gof(w->count, exp, f->plan->n_outcomes, &st.chi) == 0;
    return st;
}

static double share_of(uint64_t count, uint64_t total)
{
    return total ? (double)count / (double)total : 0.0;
}

static json_t *json_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *json_window(const sim_flow_result *f, const sim_window *w)
{
    json_t *o = json_object();
    json_object_set_new(o, "start_ns", json_integer((json_int_t)w->start_ns));
    json_object_set_new(o, "end_ns", json_integer((json_int_t)w->end_ns));
    json_t *route = json_object();
    json_object_set_new(route, "type", json_string(model_route_type_name(f->plan->resolutions[0]->route)));
    json_t *pol = json_array();
    for (size_t i = 0; i < f->plan->resolutions[0]->n_policies; i++)
        json_array_append_new(pol, json_string(f->plan->resolutions[0]->policies[i]->name));
    json_object_set_new(route, "policies", pol);
    json_object_set_new(o, "route", route);
    json_object_set_new(o, "total", json_integer((json_int_t)w->total));
    json_t *backends = json_array();
    for (size_t k = 0; k < f->plan->n_outcomes; k++) {
        const sim_outcome *out = &f->plan->outcomes[k];
        json_t *b = json_object();
        double lo, hi;
        sim_stats_wilson(w->count[k], w->total, REPORT_CI, &lo, &hi);
        json_object_set_new(b, "name", json_string(out->name));
        json_object_set_new(b, "weight", out->has_weight ? json_integer(out->weight) : json_null());
        json_object_set_new(b, "expected", json_number(out->expected));
        json_object_set_new(b, "count", json_integer((json_int_t)w->count[k]));
        json_object_set_new(b, "share", json_number(share_of(w->count[k], w->total)));
        json_t *ci = json_array();
        json_array_append_new(ci, json_number(lo));
        json_array_append_new(ci, json_number(hi));
        json_object_set_new(b, "ci", ci);
        double active = sim_window_active_share(w, f->plan->n_outcomes, k);
        json_object_set_new(b, "active_share", json_number(isnan(active) ? 0.0 : active));
        json_object_set_new(b, "peak_active", json_integer((json_int_t)f->peak_active[k]));
        json_array_append_new(backends, b);
    }
    json_object_set_new(o, "backends", backends);
    window_stats st = stats_of(f, w);
    json_object_set_new(o, "chi2", st.chi_ok ? json_number(st.chi.statistic) : json_null());
    json_object_set_new(o, "df", st.chi_ok ? json_integer(st.chi.df) : json_null());
    json_object_set_new(o, "p_value", st.chi_ok ? json_number(st.chi.p_value) : json_null());
    json_object_set_new(o, "low_expected",
                        json_integer(st.chi_ok ? (json_int_t)st.chi.low_expected : 0));
    return o;
}

/* Writes the report `root` and a newline.  The seed is unsigned 64-bit, jansson's integers
 * are signed: a seed above INT64_MAX was stored as 0, and its digits replace that 0 in the
 * text.  "\n  \"seed\": " can only be the root's key (strings cannot hold a raw newline,
 * and nested keys are indented deeper).  Returns 0, or -1 if writing failed. */
static int dump_json(FILE *out, json_t *root, uint64_t seed)
{
    if (seed <= INT64_MAX) {
        int rc = json_dumpf(root, out, REPORT_JSON_FLAGS);
        fputc('\n', out);
        return rc;
    }
    static const char key[] = "\n  \"seed\": 0";
    char *text = json_dumps(root, REPORT_JSON_FLAGS);
    if (!text)
        return -1;
    char *at = strstr(text, key);
    if (at) {
        size_t before = (size_t)(at - text) + sizeof key - 2; /* up to the 0 */
        fprintf(out, "%.*s%llu%s\n", (int)before, text, (unsigned long long)seed,
                at + sizeof key - 1);
    }
    free(text);
    return at && !ferror(out) ? 0 : -1;
}

static int report_json(FILE *out, const sim_result *r, const sim_expect_result *x)
{
    const model_scenario *s = r->scenario;
    json_t *root = json_object();
    bool passed = true;
    for (size_t i = 0; i < s->n_expects; i++)
        passed &= x[i].passed;
    json_object_set_new(root, "scenario", json_string(s->name));
    /* A seed above INT64_MAX does not fit jansson's signed integers: 0 stands in for it
     * and dump_json writes its digits. */
    json_object_set_new(root, "seed", json_integer(s->seed > INT64_MAX ? 0 : (json_int_t)s->seed));
    char kuma[16];
    snprintf(kuma, sizeof kuma, "2.%d", s->kuma_minor);
    json_object_set_new(root, "kuma", json_string(kuma));
    json_object_set_new(root, "passed", json_boolean(passed));
    json_t *flows = json_array();
    for (size_t i = 0; i < r->n_flows; i++) {
        const sim_flow_result *f = &r->flows[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(f->flow->name));
        json_object_set_new(o, "from", json_string(f->flow->from));
        json_object_set_new(o, "to", json_string(f->flow->to));
        json_object_set_new(o, "protocol",
                            json_string(model_protocol_name(f->plan->resolutions[0]->protocol)));
        json_object_set_new(o, "total", json_integer((json_int_t)f->windows[0].total));
        json_t *ws = json_array();
        for (size_t k = 0; k < f->n_windows; k++)
            json_array_append_new(ws, json_window(f, &f->windows[k]));
        json_object_set_new(o, "windows", ws);
        json_array_append_new(flows, o);
    }
    json_object_set_new(root, "flows", flows);
    json_t *ex = json_array();
    for (size_t i = 0; i < s->n_expects; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "flow", json_string(x[i].expect->flow));
        json_object_set_new(o, "passed", json_boolean(x[i].passed));
        json_object_set_new(o, "detail", json_string(x[i].detail));
        json_array_append_new(ex, o);
    }
    json_object_set_new(root, "expectations", ex);
    int rc = dump_json(out, root, s->seed);
    json_decref(root);
    return rc;
}

static void text_window(FILE *out, const sim_flow_result *f, const sim_window *w)
{
    char a[32], b[32];
    fprintf(out, "  window %s .. %s: %llu connections\n",
            sim_format_duration(a, sizeof a, w->start_ns),
            sim_format_duration(b, sizeof b, w->end_ns), (unsigned long long)w->total);
    size_t wn = strlen("BACKEND");
    for (size_t k = 0; k < f->plan->n_outcomes; k++)
        if (strlen(f->plan->outcomes[k].name) > wn)
            wn = strlen(f->plan->outcomes[k].name);
    fprintf(out, "  %-*s  %10s  %8s  %10s  %8s  %19s  %9s  %8s  %6s\n", (int)wn, "BACKEND",
            "WEIGHT", "EXPECTED", "COUNT", "OBSERVED", "95% CI", "DEVIATION", "ACTIVE", "PEAK");
    for (size_t k = 0; k < f->plan->n_outcomes; k++) {
        const sim_outcome *o = &f->plan->outcomes[k];
        double lo, hi, share = share_of(w->count[k], w->total);
        sim_stats_wilson(w->count[k], w->total, REPORT_CI, &lo, &hi);
        char weight[16];
        if (o->has_weight)
            snprintf(weight, sizeof weight, "%u", o->weight);
        else
            snprintf(weight, sizeof weight, "-");
        char active[16] = "-"; /* no connection stayed open: nothing was active */
        double act = sim_window_active_share(w, f->plan->n_outcomes, k);
        if (!isnan(act))
            snprintf(active, sizeof active, "%.3f%%", 100.0 * act);
        fprintf(
            out,
            "  %-*s  %10s  %7.3f%%  %10llu  %7.3f%%  [%7.3f%%, %7.3f%%]  %+8.3f%%  %8s  %6llu\n",
            (int)wn, o->name, weight, 100 * o->expected, (unsigned long long)w->count[k],
            100 * share, 100 * lo, 100 * hi, 100 * (share - o->expected), active,
            (unsigned long long)f->peak_active[k]);
    }
    window_stats st = stats_of(f, w);
    if (!st.chi_ok)
        fprintf(out, "  chi-square: not computed (no connections)\n");
    else if (st.chi.df == 0)
        fprintf(out, "  chi-square: one backend, nothing to test\n");
    else
        fprintf(out, "  chi-square = %.4f, df = %u, p-value = %#.4g%s\n", st.chi.statistic,
                st.chi.df, st.chi.p_value,
                st.chi.low_expected ? "  (some expected counts are below 5: not reliable)" : "");
}

/* `500/s`, `30/m`: a flow's rate as it was written (or defaulted). */
static const char *rate_text(char *buf, size_t size, const model_flow *f)
{
    const char *unit = f->rate_unit_ns == 60000000000ULL     ? "m"
                       : f->rate_unit_ns == 3600000000000ULL ? "h"
                                                             : "s";
    snprintf(buf, size, "%llu/%s", (unsigned long long)f->rate_count, unit);
    return buf;
}

/* The flow's traffic as the run generated it: how many, how fast, how long they stay. */
static void text_traffic(FILE *out, const model_flow *f)
{
    char rate[48], a[32], b[32];
    fprintf(out, "  traffic: ");
    if (f->connections)
        fprintf(out, "%llu connections, ", (unsigned long long)f->connections);
    if (f->has_stop)
        fprintf(out, "from %s until %s, ", sim_format_duration(a, sizeof a, f->start_ns),
                sim_format_duration(b, sizeof b, f->stop_ns));
    else if (f->start_ns)
        fprintf(out, "from %s, ", sim_format_duration(a, sizeof a, f->start_ns));
    fprintf(out, "rate %s%s, %s arrivals, ", rate_text(rate, sizeof rate, f),
            f->rate_default ? " (default)" : "",
            f->arrival == MODEL_ARRIVAL_POISSON ? "Poisson" : "uniform");
    switch (f->hold) {
    case MODEL_HOLD_NONE:
        fprintf(out, "closed at once\n");
        break;
    case MODEL_HOLD_EXPONENTIAL:
        fprintf(out, "held %s on average (exponential)\n",
                sim_format_duration(a, sizeof a, f->hold_ns));
        break;
    case MODEL_HOLD_CONSTANT:
        fprintf(out, "held %s each\n", sim_format_duration(a, sizeof a, f->hold_ns));
        break;
    }
}

/* Backends whose cluster selects no endpoint, by name: the table shows them only as
 * <no-endpoints>, and the user needs to know which backend is not deployed. */
static void text_dead(FILE *out, const sim_flow_plan *fp)
{
    size_t w = 0;
    for (size_t i = 0; i < fp->n_dead; i++)
        if (strlen(fp->dead[i].backend) > w)
            w = strlen(fp->dead[i].backend);
    for (size_t i = 0; i < fp->n_dead; i++)
        fprintf(out, "  %-*s  0 endpoints  -> " SIM_OUTCOME_NO_ENDPOINTS "\n", (int)w,
                fp->dead[i].backend);
}

static int report_text(FILE *out, const sim_result *r, const sim_expect_result *x)
{
    const model_scenario *s = r->scenario;
    fprintf(out, "scenario %s (seed %llu, Kuma 2.%d semantics, mesh %s)\n", s->name,
            (unsigned long long)s->seed, s->kuma_minor, s->mesh);
    if (s->description)
        fprintf(out, "%s\n", s->description);
    for (size_t i = 0; i < r->n_flows; i++) {
        const sim_flow_result *f = &r->flows[i];
        const model_resolution *res = f->plan->resolutions[0];
        fprintf(out, "\nflow %s: %s -> %s (%s, %zu source%s)\n", f->flow->name, f->flow->from,
                f->flow->to, model_protocol_name(res->protocol), f->flow->n_sources,
                f->flow->n_sources == 1 ? "" : "s");
        text_traffic(out, f->flow);
        fprintf(out, "  route: %s", model_route_type_name(res->route));
        if (res->is_default)
            fprintf(out, " (default: no policy applies)");
        if (res->route == MODEL_ROUTE_NONE && res->has_none_reason) {
            char why[512];
            sim_explain_none(why, sizeof why, res);
            fprintf(out, " (%s: the listener closes every connection)", why);
        }
        fputc('\n', out);
        sim__text_policies(out, res);
        if (f->plan->sources_differ)
            fprintf(out, "  note: the sources are routed differently; expected shares are the "
                         "mean over them\n");
        for (size_t k = 0; k < f->n_windows; k++)
            text_window(out, f, &f->windows[k]);
        text_dead(out, f->plan);
    }
    if (s->n_expects) {
        size_t failed = 0;
        fprintf(out, "\nexpectations:\n");
        for (size_t i = 0; i < s->n_expects; i++) {
            fprintf(out, "  %s %s: %s\n", x[i].passed ? "PASS" : "FAIL", x[i].expect->flow,
                    x[i].detail);
            failed += !x[i].passed;
        }
        if (failed)
            fprintf(out, "%zu of %zu expectation%s failed\n", failed, s->n_expects,
                    s->n_expects == 1 ? "" : "s");
        else if (s->n_expects == 1)
            fprintf(out, "the expectation passed\n");
        else
            fprintf(out, "all %zu expectations passed\n", s->n_expects);
    }
    return ferror(out) ? -1 : 0;
}

static void csv_double(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.10g", v);
}

static int report_csv(FILE *out, const sim_result *r)
{
    const model_scenario *s = r->scenario;
    fputs("scenario,seed,flow,from,to,protocol,window_start_ns,window_end_ns,route,policies,"
          "window_total,backend,weight,expected,count,share,ci_low,ci_high,active_share,"
          "peak_active,chi2,df,p_value\n",
          out);
    for (size_t i = 0; i < r->n_flows; i++) {
        const sim_flow_result *f = &r->flows[i];
        const model_resolution *res = f->plan->resolutions[0];
        char policies[1024] = "";
        for (size_t p = 0; p < res->n_policies; p++) {
            size_t len = strlen(policies);
            snprintf(policies + len, sizeof policies - len, "%s%s", p ? " " : "",
                     res->policies[p]->name);
        }
        for (size_t k = 0; k < f->n_windows; k++) {
            const sim_window *w = &f->windows[k];
            window_stats st = stats_of(f, w);
            for (size_t o = 0; o < f->plan->n_outcomes; o++) {
                const sim_outcome *oc = &f->plan->outcomes[o];
                double lo, hi;
                sim_stats_wilson(w->count[o], w->total, REPORT_CI, &lo, &hi);
                sim__csv_field(out, s->name);
                fprintf(out, ",%llu,", (unsigned long long)s->seed);
                sim__csv_field(out, f->flow->name);
                fputc(',', out);
                sim__csv_field(out, f->flow->from);
                fputc(',', out);
                sim__csv_field(out, f->flow->to);
                fprintf(out, ",%s,%llu,%llu,%s,", model_protocol_name(res->protocol),
                        (unsigned long long)w->start_ns, (unsigned long long)w->end_ns,
                        model_route_type_name(res->route));
                sim__csv_field(out, policies);
                fprintf(out, ",%llu,", (unsigned long long)w->total);
                sim__csv_field(out, oc->name);
                fputc(',', out);
                if (oc->has_weight)
                    fprintf(out, "%u", oc->weight);
                fputc(',', out);
                csv_double(out, oc->expected);
                fprintf(out, ",%llu,", (unsigned long long)w->count[o]);
                csv_double(out, share_of(w->count[o], w->total));
                fputc(',', out);
                csv_double(out, lo);
                fputc(',', out);
                csv_double(out, hi);
                fputc(',', out);
                double active = sim_window_active_share(w, f->plan->n_outcomes, o);
                csv_double(out, isnan(active) ? 0.0 : active);
                fprintf(out, ",%llu,", (unsigned long long)f->peak_active[o]);
                if (st.chi_ok) {
                    csv_double(out, st.chi.statistic);
                    fprintf(out, ",%u,", st.chi.df);
                    csv_double(out, st.chi.p_value);
                } else {
                    fputs(",,", out);
                }
                fputc('\n', out);
            }
        }
    }
    return ferror(out) ? -1 : 0;
}

int sim_report_run(FILE *out, sim_format format, const sim_result *r, const sim_expect_result *x)
{
    switch (format) {
    case SIM_FORMAT_JSON:
        return report_json(out, r, x);
    case SIM_FORMAT_CSV:
        return report_csv(out, r);
    case SIM_FORMAT_TEXT:
        break;
    }
    return report_text(out, r, x);
}
