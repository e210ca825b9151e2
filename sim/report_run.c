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

/* The chi-square of counts `count` (total `total`) against the shares `expected`, one per
 * outcome of flow `f`. */
static window_stats stats_counts(const sim_flow_result *f, const uint64_t *count, uint64_t total,
                                 const double *expected)
{
    window_stats st = {0};
    st.chi_ok = total > 0 && sim_stats_chi2_gof(count, expected, f->plan->n_outcomes, &st.chi) == 0;
    return st;
}

static window_stats stats_of(const sim_flow_result *f, const sim_window *w)
{
    double exp[f->plan->n_outcomes ? f->plan->n_outcomes : 1];
    for (size_t o = 0; o < f->plan->n_outcomes; o++)
        exp[o] = f->plan->outcomes[o].expected;
    return stats_counts(f, w->count, w->total, exp);
}

/* Requests that ride a TCP connection go where it went: with k of them per connection, a
 * test that counts requests as independent picks sees k times the statistic of the true
 * test (counts and expectations both scale by k), so its p-values are far too small and
 * its intervals sqrt(k) times too narrow.  Kuma's own split tests met this effect. */
typedef struct pooled {
    bool applies;            /* TCP routing, more than one request per connection */
    uint32_t k;              /* requests per connection: the design effect */
    uint64_t requests;       /* what a per-request count would see */
    uint64_t picks;          /* the independent picks: connections */
    bool chi_ok;
    double chi2, p_value;    /* the test as if requests were independent */
    unsigned df;
} pooled;

static pooled pooled_of(const sim_flow_result *f, const sim_window *w)
{
    pooled pl = {0};
    uint32_t k = f->flow->requests_per_connection;
    if (f->plan->per_request || k <= 1)
        return pl;
    pl.applies = true;
    pl.k = k;
    pl.picks = w->connections;
    pl.requests = w->connections * k;
    window_stats st = stats_of(f, w);
    if (st.chi_ok && st.chi.df > 0 && isfinite(st.chi.statistic)) {
        pl.chi_ok = true;
        pl.df = st.chi.df;
        pl.chi2 = st.chi.statistic * k;
        pl.p_value = sim_stats_chi2_pvalue(pl.chi2, pl.df);
    }
    return pl;
}

/* Requests the flow's connections carried in window `w`, or -1 when the flow has no
 * requests to speak of (plain TCP: no `requests` and one per connection). */
static int64_t requests_in(const sim_flow_result *f, const sim_window *w)
{
    if (f->plan->per_request)
        return (int64_t)w->total;
    if (!f->flow->n_requests && f->flow->requests_per_connection <= 1)
        return -1;
    uint32_t k = f->flow->requests_per_connection ? f->flow->requests_per_connection : 1;
    return (int64_t)(w->connections * k);
}

static double share_of(uint64_t count, uint64_t total)
{
    return total ? (double)count / (double)total : 0.0;
}

static json_t *json_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *json_ci(uint64_t count, uint64_t total)
{
    double lo, hi;
    sim_stats_wilson(count, total, REPORT_CI, &lo, &hi);
    json_t *ci = json_array();
    json_array_append_new(ci, json_number(lo));
    json_array_append_new(ci, json_number(hi));
    return ci;
}

static void json_chi(json_t *o, const window_stats *st)
{
    json_object_set_new(o, "chi2", st->chi_ok ? json_number(st->chi.statistic) : json_null());
    json_object_set_new(o, "df", st->chi_ok ? json_integer(st->chi.df) : json_null());
    json_object_set_new(o, "p_value", st->chi_ok ? json_number(st->chi.p_value) : json_null());
    json_object_set_new(o, "low_expected",
                        json_integer(st->chi_ok ? (json_int_t)st->chi.low_expected : 0));
}

/* The backends of one route slot that it can reach or did reach. */
static bool slot_shows(const sim_route_slot *sl, const uint64_t *count, size_t o)
{
    return sl->expected[o] > 0 || count[o] > 0;
}

static json_t *json_route(const sim_flow_result *f, const sim_window *w, size_t k)
{
    const sim_flow_plan *fp = f->plan;
    const sim_route_slot *sl = &fp->slots[k];
    const uint64_t *count = w->slot_count + k * fp->n_outcomes;
    uint64_t total = w->slot_total[k];
    json_t *o = json_object();
    json_object_set_new(o, "match", sim__json_match(sl->match));
    json_object_set_new(o, "policy", sl->any->policy ? json_string(sl->any->policy->name)
                                                     : json_null());
    json_object_set_new(o, "action", json_string(sl->any->redirect ? "redirect" : "forward"));
    json_object_set_new(o, "expected", json_number(sl->share));
    json_object_set_new(o, "total", json_integer((json_int_t)total));
    json_object_set_new(o, "share", json_number(share_of(total, w->total)));
    json_object_set_new(o, "ci", json_ci(total, w->total));
    json_t *backends = json_array();
    for (size_t b = 0; b < fp->n_outcomes; b++) {
        if (!slot_shows(sl, count, b))
            continue;
        json_t *x = json_object();
        json_object_set_new(x, "name", json_string(fp->outcomes[b].name));
        json_object_set_new(x, "weight", sl->weight[b] >= 0 ? json_integer(sl->weight[b])
                                                            : json_null());
        json_object_set_new(x, "expected", json_number(sl->expected[b]));
        json_object_set_new(x, "count", json_integer((json_int_t)count[b]));
        json_object_set_new(x, "share", json_number(share_of(count[b], total)));
        json_object_set_new(x, "ci", json_ci(count[b], total));
        json_array_append_new(backends, x);
    }
    json_object_set_new(o, "backends", backends);
    window_stats st = stats_counts(f, count, total, sl->expected);
    json_chi(o, &st);
    return o;
}

static json_t *json_window(const sim_flow_result *f, const sim_window *w)
{
    const sim_flow_plan *fp = f->plan;
    json_t *o = json_object();
    json_object_set_new(o, "start_ns", json_integer((json_int_t)w->start_ns));
    json_object_set_new(o, "end_ns", json_integer((json_int_t)w->end_ns));
    json_t *route = json_object();
    json_object_set_new(route, "type", json_string(model_route_type_name(fp->resolutions[0]->route)));
    json_t *pol = json_array();
    for (size_t i = 0; i < fp->resolutions[0]->n_policies; i++)
        json_array_append_new(pol, json_string(fp->resolutions[0]->policies[i]->name));
    json_object_set_new(route, "policies", pol);
    json_object_set_new(o, "route", route);
    json_object_set_new(o, "unit", json_string(fp->per_request ? "requests" : "connections"));
    json_object_set_new(o, "total", json_integer((json_int_t)w->total));
    json_object_set_new(o, "connections", json_integer((json_int_t)w->connections));
    int64_t requests = requests_in(f, w);
    json_object_set_new(o, "requests", requests >= 0 ? json_integer(requests) : json_null());
    json_t *backends = json_array();
    for (size_t k = 0; k < fp->n_outcomes; k++) {
        const sim_outcome *out = &fp->outcomes[k];
        json_t *b = json_object();
        json_object_set_new(b, "name", json_string(out->name));
        json_object_set_new(b, "weight", out->has_weight ? json_integer(out->weight) : json_null());
        json_object_set_new(b, "expected", json_number(out->expected));
        json_object_set_new(b, "count", json_integer((json_int_t)w->count[k]));
        json_object_set_new(b, "share", json_number(share_of(w->count[k], w->total)));
        json_object_set_new(b, "ci", json_ci(w->count[k], w->total));
        /* A connection that carries requests to several backends is open on none. */
        double active = sim_window_active_share(w, fp->n_outcomes, k);
        json_object_set_new(b, "active_share",
                            fp->per_request ? json_null() : json_number(isnan(active) ? 0.0 : active));
        json_object_set_new(b, "peak_active", fp->per_request
                                                  ? json_null()
                                                  : json_integer((json_int_t)f->peak_active[k]));
        json_array_append_new(backends, b);
    }
    json_object_set_new(o, "backends", backends);
    window_stats st = stats_of(f, w);
    json_chi(o, &st);
    json_t *routes = json_array();
    for (size_t k = 0; k < fp->n_slots; k++)
        json_array_append_new(routes, json_route(f, w, k));
    json_object_set_new(o, "routes", routes);
    json_t *mirrored = json_array();
    for (size_t m = 0; m < fp->n_mirrors; m++) {
        json_t *x = json_object();
        json_object_set_new(x, "name", json_string(fp->mirrors[m]));
        json_object_set_new(x, "expected", json_number(fp->mirror_expected[m] * (double)w->total));
        json_object_set_new(x, "count", json_integer((json_int_t)w->mirrored[m]));
        json_array_append_new(mirrored, x);
    }
    json_object_set_new(o, "mirrored", mirrored);
    pooled pl = pooled_of(f, w);
    if (pl.applies) {
        json_t *x = json_object();
        json_object_set_new(x, "requests_per_connection", json_integer(pl.k));
        json_object_set_new(x, "requests", json_integer((json_int_t)pl.requests));
        json_object_set_new(x, "independent_picks", json_integer((json_int_t)pl.picks));
        json_object_set_new(x, "design_effect", json_integer(pl.k));
        json_object_set_new(x, "chi2_as_independent", pl.chi_ok ? json_number(pl.chi2) : json_null());
        json_object_set_new(x, "p_value_as_independent",
                            pl.chi_ok ? json_number(pl.p_value) : json_null());
        json_object_set_new(o, "pooled", x);
    } else {
        json_object_set_new(o, "pooled", json_null());
    }
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
                            json_string(sim__protocol(f->plan->resolutions[0])));
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

/* One table of a text report: outcomes with counts out of `total`. */
typedef struct text_table {
    const char *indent;
    const uint64_t *count; /* per outcome */
    uint64_t total;
    const double *expected;     /* per outcome */
    const int64_t *slot_weight; /* per outcome (a route slot's), or NULL: the flow's */
    const sim_route_slot *slot; /* show only the outcomes this slot reaches, or NULL: all */
    const sim_window *active;   /* ACTIVE and PEAK columns from this window, or NULL */
} text_table;

static void text_rows(FILE *out, const sim_flow_result *f, const text_table *t)
{
    const sim_flow_plan *fp = f->plan;
    size_t wn = strlen("BACKEND");
    for (size_t k = 0; k < fp->n_outcomes; k++)
        if ((!t->slot || slot_shows(t->slot, t->count, k)) && strlen(fp->outcomes[k].name) > wn)
            wn = strlen(fp->outcomes[k].name);
    fprintf(out, "%s%-*s  %10s  %8s  %10s  %8s  %19s  %9s", t->indent, (int)wn, "BACKEND",
            "WEIGHT", "EXPECTED", "COUNT", "OBSERVED", "95% CI", "DEVIATION");
    if (t->active)
        fprintf(out, "  %8s  %6s", "ACTIVE", "PEAK");
    fputc('\n', out);
    for (size_t k = 0; k < fp->n_outcomes; k++) {
        if (t->slot && !slot_shows(t->slot, t->count, k))
            continue;
        const sim_outcome *o = &fp->outcomes[k];
        double lo, hi, share = share_of(t->count[k], t->total);
        sim_stats_wilson(t->count[k], t->total, REPORT_CI, &lo, &hi);
        char weight[24] = "-";
        if (t->slot_weight && t->slot_weight[k] >= 0)
            snprintf(weight, sizeof weight, "%lld", (long long)t->slot_weight[k]);
        else if (!t->slot_weight && o->has_weight)
            snprintf(weight, sizeof weight, "%u", o->weight);
        fprintf(out, "%s%-*s  %10s  %7.3f%%  %10llu  %7.3f%%  [%7.3f%%, %7.3f%%]  %+8.3f%%",
                t->indent, (int)wn, o->name, weight, 100 * t->expected[k],
                (unsigned long long)t->count[k], 100 * share, 100 * lo, 100 * hi,
                100 * (share - t->expected[k]));
        if (t->active) {
            char active[16] = "-"; /* no connection stayed open: nothing was active */
            double act = sim_window_active_share(t->active, fp->n_outcomes, k);
            if (!isnan(act))
                snprintf(active, sizeof active, "%.3f%%", 100.0 * act);
            fprintf(out, "  %8s  %6llu", active, (unsigned long long)f->peak_active[k]);
        }
        fputc('\n', out);
    }
}

static void text_chi(FILE *out, const char *indent, const window_stats *st, const char *unit)
{
    if (!st->chi_ok)
        fprintf(out, "%schi-square: not computed (no %s)\n", indent, unit);
    else if (st->chi.df == 0)
        fprintf(out, "%schi-square: one backend, nothing to test\n", indent);
    else
        fprintf(out, "%schi-square = %.4f, df = %u, p-value = %#.4g%s\n", indent,
                st->chi.statistic, st->chi.df, st->chi.p_value,
                st->chi.low_expected ? "  (some expected counts are below 5: not reliable)" : "");
}

/* The routes of an HTTP flow in window `w`: each one's requests, then its split. */
static void text_routes(FILE *out, const sim_flow_result *f, const sim_window *w)
{
    const sim_flow_plan *fp = f->plan;
    if (!fp->n_slots)
        return;
    fprintf(out, "  routes (a request takes the first that matches, in Envoy's order):\n");
    for (size_t k = 0; k < fp->n_slots; k++) {
        const sim_route_slot *sl = &fp->slots[k];
        char what[512];
        sim_explain_route(what, sizeof what, sl->any);
        fprintf(out, "  route %zu: %s", k + 1, what);
        fprintf(out, "%s\n", sl->any->redirect ? " -> RequestRedirect" : "");
        uint64_t total = w->slot_total[k];
        if (sl->share == 0 && total == 0) {
            fprintf(out, "    no request of the flow reaches it (each matches an earlier route, "
                         "or none)\n");
            continue;
        }
        double lo, hi;
        sim_stats_wilson(total, w->total, REPORT_CI, &lo, &hi);
        fprintf(out, "    %llu requests, %.3f%% [%.3f%%, %.3f%%] of the flow's (expected %.3f%%)\n",
                (unsigned long long)total, 100 * share_of(total, w->total), 100 * lo, 100 * hi,
                100 * sl->share);
        if (sl->any->redirect)
            continue; /* every request is <redirect>: nothing to split */
        const uint64_t *count = w->slot_count + k * fp->n_outcomes;
        text_table t = {"    ", count, total, sl->expected, sl->weight, sl, NULL};
        text_rows(out, f, &t);
        window_stats st = stats_counts(f, count, total, sl->expected);
        text_chi(out, "    ", &st, "requests");
    }
}

static void text_mirrors(FILE *out, const sim_flow_result *f, const sim_window *w)
{
    const sim_flow_plan *fp = f->plan;
    if (!fp->n_mirrors)
        return;
    fprintf(out, "  mirrored copies (RequestMirror; not part of the split):\n");
    size_t wn = 0;
    for (size_t m = 0; m < fp->n_mirrors; m++)
        if (strlen(fp->mirrors[m]) > wn)
            wn = strlen(fp->mirrors[m]);
    for (size_t m = 0; m < fp->n_mirrors; m++)
        fprintf(out, "    %-*s  %10llu copies  (expected %.1f)\n", (int)wn, fp->mirrors[m],
                (unsigned long long)w->mirrored[m], fp->mirror_expected[m] * (double)w->total);
}

/* What k requests per TCP connection do to a per-request split (pooled_of). */
static void text_pooled(FILE *out, const sim_flow_result *f, const sim_window *w)
{
    pooled pl = pooled_of(f, w);
    if (!pl.applies)
        return;
    fprintf(out,
            "  requests: %u per connection, %llu in all, each going where its connection went: "
            "%llu independent picks (design effect %u)\n",
            pl.k, (unsigned long long)pl.requests, (unsigned long long)pl.picks, pl.k);
    if (pl.chi_ok)
        fprintf(out,
                "  counted per request as if independent: chi-square = %.4f, df = %u, p-value = "
                "%#.4g; every share's standard error is %.2fx what %llu independent requests "
                "would have\n",
                pl.chi2, pl.df, pl.p_value, sqrt((double)pl.k), (unsigned long long)pl.requests);
}

static void text_window(FILE *out, const sim_flow_result *f, const sim_window *w)
{
    const sim_flow_plan *fp = f->plan;
    char a[32], b[32];
    fprintf(out, "  window %s .. %s: %llu connections", sim_format_duration(a, sizeof a, w->start_ns),
            sim_format_duration(b, sizeof b, w->end_ns), (unsigned long long)w->connections);
    int64_t requests = requests_in(f, w);
    if (requests >= 0)
        fprintf(out, ", %lld requests", (long long)requests);
    fputc('\n', out);
    double exp[fp->n_outcomes ? fp->n_outcomes : 1];
    for (size_t o = 0; o < fp->n_outcomes; o++)
        exp[o] = fp->outcomes[o].expected;
    text_table t = {"  ", w->count, w->total, exp, NULL, NULL, fp->per_request ? NULL : w};
    text_rows(out, f, &t);
    window_stats st = stats_of(f, w);
    text_chi(out, "  ", &st, fp->per_request ? "requests" : "connections");
    text_pooled(out, f, w);
    text_routes(out, f, w);
    text_mirrors(out, f, w);
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
    if (f->requests_per_connection > 1)
        fprintf(out, "%u requests each, ", f->requests_per_connection);
    if (f->n_requests > 1)
        fprintf(out, "a mix of %zu requests, ", f->n_requests);
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
        fprintf(out, "\nflow %s: %s -> %s (%s%s%s, %zu source%s)\n", f->flow->name, f->flow->from,
                f->flow->to, sim__protocol(res), f->flow->host ? ", host " : "",
                f->flow->host ? f->flow->host : "", f->flow->n_sources,
                f->flow->n_sources == 1 ? "" : "s");
        text_traffic(out, f->flow);
        fprintf(out, "  route: %s", model_route_type_name(res->route));
        if (res->is_default)
            fprintf(out, " (default: no policy applies)");
        if (res->route == MODEL_ROUTE_NONE && res->has_none_reason) {
            char why[512];
            sim_explain_none(why, sizeof why, res);
            fprintf(out, " (%s: %s)", why,
                    res->http_404 ? "every request is answered 404"
                                  : "the listener closes every connection");
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

/* The columns every CSV row of a flow's window starts with. */
static void csv_prefix(FILE *out, const sim_result *r, const sim_flow_result *f,
                       const sim_window *w, const char *policies)
{
    const model_resolution *res = f->plan->resolutions[0];
    sim__csv_field(out, r->scenario->name);
    fprintf(out, ",%llu,", (unsigned long long)r->scenario->seed);
    sim__csv_field(out, f->flow->name);
    fputc(',', out);
    sim__csv_field(out, f->flow->from);
    fputc(',', out);
    sim__csv_field(out, f->flow->to);
    fprintf(out, ",%s,%llu,%llu,%s,", sim__protocol(res),
            (unsigned long long)w->start_ns, (unsigned long long)w->end_ns,
            model_route_type_name(res->route));
    sim__csv_field(out, policies);
    fprintf(out, ",%llu,", (unsigned long long)w->total);
}

/* One outcome row: backend, weight (`weight` < 0: none), expected, count out of `total`,
 * share, interval, active share and peak (when `active`), the chi-square of `st`. */
static void csv_outcome(FILE *out, const sim_flow_result *f, size_t o, int64_t weight,
                        double expected, uint64_t count, uint64_t total, const sim_window *active,
                        const window_stats *st)
{
    double lo, hi;
    sim_stats_wilson(count, total, REPORT_CI, &lo, &hi);
    sim__csv_field(out, f->plan->outcomes[o].name);
    fputc(',', out);
    if (weight >= 0)
        fprintf(out, "%lld", (long long)weight);
    fputc(',', out);
    csv_double(out, expected);
    fprintf(out, ",%llu,", (unsigned long long)count);
    csv_double(out, share_of(count, total));
    fputc(',', out);
    csv_double(out, lo);
    fputc(',', out);
    csv_double(out, hi);
    fputc(',', out);
    if (active) {
        double act = sim_window_active_share(active, f->plan->n_outcomes, o);
        csv_double(out, isnan(act) ? 0.0 : act);
        fprintf(out, ",%llu,", (unsigned long long)f->peak_active[o]);
    } else {
        fputs(",,", out);
    }
    if (st->chi_ok) {
        csv_double(out, st->chi.statistic);
        fprintf(out, ",%u,", st->chi.df);
        csv_double(out, st->chi.p_value);
    } else {
        fputs(",,", out);
    }
}

static void csv_window(FILE *out, const sim_result *r, const sim_flow_result *f,
                       const sim_window *w, const char *policies)
{
    const sim_flow_plan *fp = f->plan;
    window_stats st = stats_of(f, w);
    const sim_window *active = fp->per_request ? NULL : w;
    for (size_t o = 0; o < fp->n_outcomes; o++) {
        const sim_outcome *oc = &fp->outcomes[o];
        csv_prefix(out, r, f, w, policies);
        csv_outcome(out, f, o, oc->has_weight ? (int64_t)oc->weight : -1, oc->expected,
                    w->count[o], w->total, active, &st);
        fputs(",flow,,\n", out);
    }
    for (size_t k = 0; k < fp->n_slots; k++) {
        const sim_route_slot *sl = &fp->slots[k];
        const uint64_t *count = w->slot_count + k * fp->n_outcomes;
        window_stats rst = stats_counts(f, count, w->slot_total[k], sl->expected);
        char what[512];
        sim_explain_match(what, sizeof what, sl->match);
        for (size_t o = 0; o < fp->n_outcomes; o++) {
            if (!slot_shows(sl, count, o))
                continue;
            csv_prefix(out, r, f, w, policies);
            csv_outcome(out, f, o, sl->weight[o], sl->expected[o], count[o], w->slot_total[k],
                        NULL, &rst);
            fputs(",route,", out);
            sim__csv_field(out, what);
            fprintf(out, ",%llu\n", (unsigned long long)w->slot_total[k]);
        }
    }
    for (size_t m = 0; m < fp->n_mirrors; m++) {
        csv_prefix(out, r, f, w, policies);
        sim__csv_field(out, fp->mirrors[m]);
        fputs(",,", out);
        csv_double(out, fp->mirror_expected[m]);
        fprintf(out, ",%llu,", (unsigned long long)w->mirrored[m]);
        csv_double(out, share_of(w->mirrored[m], w->total));
        fputs(",,,,,,,,mirror,,\n", out);
    }
}

static int report_csv(FILE *out, const sim_result *r)
{
    fputs("scenario,seed,flow,from,to,protocol,window_start_ns,window_end_ns,route,policies,"
          "window_total,backend,weight,expected,count,share,ci_low,ci_high,active_share,"
          "peak_active,chi2,df,p_value,kind,http_route,route_total\n",
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
        for (size_t k = 0; k < f->n_windows; k++)
            csv_window(out, r, f, &f->windows[k], policies);
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
