/*
 * test_report.c - what the run reports say: durations, the JSON report's keys and integer
 * counts (parsed back with jansson), CSV header, rows and quoting, JUnit XML escaping, and
 * the text report's PASS/FAIL lines.
 *
 * The scenario's names carry every character the formats must escape: a comma and
 * quotes for CSV, <, >, &, quotes and apostrophes for XML.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report.h"
#include "sim_fixture.h"

#define SEC UINT64_C(1000000000)

/* --- durations ------------------------------------------------------------------------ */

Test(report, format_duration)
{
    static const struct {
        uint64_t ns;
        const char *want;
    } cases[] = {
        {0, "0s"},
        {1, "1ns"},
        {999, "999ns"},
        {1000, "1us"},
        {1500, "1.5us"},
        {1250, "1.25us"},
        {1001, "1.001us"},
        {1000000, "1ms"},
        {250000000, "250ms"},
        {1250000, "1.25ms"},
        {999999999, "999.999ms"},
        {SEC, "1s"},
        {SEC + SEC / 2, "1.5s"},
        {SEC + 1000000, "1.001s"},
        {SEC + 999999, "1s"}, /* seconds to the millisecond, truncated */
        {60 * SEC, "1m"},
        {90 * SEC, "1m30s"},
        {3600 * SEC, "1h"},
        {3660 * SEC, "1h1m"},
        {3723 * SEC + SEC / 2, "1h2m3.5s"},
        {3600 * SEC + 5 * SEC, "1h5s"},
        {48 * 3600 * SEC, "48h"},
        {UINT64_MAX, "5124095h34m33.709s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        memset(buf, 'x', sizeof buf);
        const char *got = sim_format_duration(buf, sizeof buf, cases[i].ns);
        cr_expect_eq(got, buf);
        cr_expect_str_eq(got, cases[i].want, "%llu ns", (unsigned long long)cases[i].ns);
    }
}

Test(report, format_duration_never_overruns_a_small_buffer)
{
    char buf[8];
    memset(buf, 'x', sizeof buf);
    sim_format_duration(buf, 5, UINT64_MAX);
    cr_expect_eq(buf[4], '\0');
    cr_expect_eq(buf[5], 'x', "wrote past the size it was given");
    cr_expect_str_eq(buf, "5124");
    sim_format_duration(buf, 6, 3723 * SEC + SEC / 2);
    cr_expect_str_eq(buf, "1h2m3");
    cr_expect_eq(buf[6], 'x');
}

Test(report, format_names)
{
    cr_expect_eq(sim_format_parse("text"), SIM_FORMAT_TEXT);
    cr_expect_eq(sim_format_parse("json"), SIM_FORMAT_JSON);
    cr_expect_eq(sim_format_parse("csv"), SIM_FORMAT_CSV);
    cr_expect_eq(sim_format_parse("JSON"), -1);
    cr_expect_eq(sim_format_parse("xml"), -1);
    cr_expect_eq(sim_format_parse(""), -1);
}

/* --- a run to report on ---------------------------------------------------------------- */

#define V1 "api{version=v1,zone=a}"
#define V2 "api{version=v2,zone=b}"
#define FLOW "w \"1\", <a&b>"

/* r1 splits 3:1, r2 (more specific) 1:1 and wins; the flow's name needs quoting in every
 * format.  The first expectation holds, the second does not. */
static const char scenario[] =
    "scenario: 'q,\"x\" <y> & z''s'\n"
    "seed: %s\n"
    "services:\n"
    "  - {name: web, protocol: tcp, instances: [{tags: {app: web}}]}\n"
    "  - name: api\n"
    "    protocol: tcp\n"
    "    instances: [{tags: {version: v1, zone: a}}, {tags: {version: v2, zone: b}}]\n"
    "resources:\n"
    "  - apiVersion: kuma.io/v1alpha1\n"
    "    kind: MeshTCPRoute\n"
    "    metadata: {name: r1, namespace: kuma-system, labels: {kuma.io/mesh: default}}\n"
    "    spec:\n"
    "      targetRef: {kind: Mesh}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: api}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1, zone: a}, "
    "weight: 3}\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2, zone: b}, "
    "weight: 1}\n"
    "  - apiVersion: kuma.io/v1alpha1\n"
    "    kind: MeshTCPRoute\n"
    "    metadata: {name: r2, namespace: kuma-system, labels: {kuma.io/mesh: default}}\n"
    "    spec:\n"
    "      targetRef: {kind: MeshSubset, tags: {app: web}}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: api}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1, zone: a}, "
    "weight: 1}\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2, zone: b}, "
    "weight: 1}\n"
    "traffic:\n"
    "  - {name: '" FLOW "', from: web, to: api, connections: 1000, rate: 100/s,\n"
    "     arrival: uniform, hold: {constant: 50ms}}\n"
    "expect:\n"
    "  - {flow: '" FLOW "', split: {\"" V1 "\": 50, \"" V2 "\": 50}, tolerance: 10}\n"
    "  - {flow: '" FLOW "', window: [0s, 5s], route: MeshTCPRoute, split: {\"" V1 "\": 75, \"" V2
    "\": 25}, tolerance: 1}\n";

typedef struct run {
    char *yaml;
    model_scenario *s;
    sim_result *r;
    sim_expect_result x[2];
    size_t failed;
} run;

static void run_it(run *u, const char *seed)
{
    u->yaml = simfx_printf(scenario, seed);
    u->s = simfx_load(u->yaml);
    cr_assert_eq(u->s->n_expects, 2);
    u->r = simfx_run(u->s);
    u->failed = sim_expect_evaluate(u->r, u->x);
    cr_assert_eq(u->failed, 1);
    cr_assert(u->x[0].passed);
    cr_assert_not(u->x[1].passed);
}

static void run_free(run *u)
{
    simfx_free(u->r);
    model_scenario_free(u->s);
    free(u->yaml);
}

/* The report of `u` in `format`; malloc'd. */
static char *report(const run *u, sim_format format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_not_null(out);
    cr_assert_eq(sim_report_run(out, format, u->r, u->x), 0);
    cr_assert_eq(fclose(out), 0);
    return buf;
}

/* --- JSON ------------------------------------------------------------------------------ */

static json_t *get(const json_t *o, const char *key)
{
    cr_assert(json_is_object(o), "not an object where %s should be", key);
    json_t *v = json_object_get(o, key);
    cr_assert_not_null(v, "no key \"%s\"", key);
    return v;
}

static json_int_t get_int(const json_t *o, const char *key)
{
    json_t *v = get(o, key);
    cr_assert(json_is_integer(v), "\"%s\" is not an integer", key);
    return json_integer_value(v);
}

/* The object's keys, in the order written, must be `want` (NULL-terminated). */
static void expect_keys(const json_t *o, const char *const *want, const char *what)
{
    size_t i = 0;
    for (void *it = json_object_iter((json_t *)o); it;
         it = json_object_iter_next((json_t *)o, it), i++) {
        cr_assert_not_null(want[i], "%s: extra key \"%s\"", what, json_object_iter_key(it));
        cr_expect_str_eq(json_object_iter_key(it), want[i], "%s: key %zu", what, i);
    }
    cr_expect_null(want[i], "%s: missing key \"%s\"", what, want[i] ? want[i] : "");
}

Test(report, json_keys_and_integer_counts)
{
    run u;
    run_it(&u, "42");
    char *text = report(&u, SIM_FORMAT_JSON);
    json_error_t err;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    cr_assert_not_null(root, "not JSON: %s at %d:%d", err.text, err.line, err.column);

    static const char *const root_keys[] = {"scenario", "seed",         "kuma", "passed",
                                            "flows",    "expectations", NULL};
    expect_keys(root, root_keys, "root");
    cr_expect_str_eq(json_string_value(get(root, "scenario")), "q,\"x\" <y> & z's");
    cr_expect_eq(get_int(root, "seed"), 42);
    cr_expect_str_eq(json_string_value(get(root, "kuma")), "2.14");
    cr_expect(json_is_false(get(root, "passed")), "one expectation failed");

    json_t *flows = get(root, "flows");
    cr_assert_eq(json_array_size(flows), 1);
    json_t *f = json_array_get(flows, 0);
    static const char *const flow_keys[] = {"name",  "from",    "to", "protocol",
                                            "total", "windows", NULL};
    expect_keys(f, flow_keys, "flow");
    cr_expect_str_eq(json_string_value(get(f, "name")), FLOW);
    cr_expect_str_eq(json_string_value(get(f, "from")), "web");
    cr_expect_str_eq(json_string_value(get(f, "to")), "api");
    cr_expect_str_eq(json_string_value(get(f, "protocol")), "tcp");
    cr_expect_eq(get_int(f, "total"), 1000);

    const sim_flow_result *fr = &u.r->flows[0];
    json_t *ws = get(f, "windows");
    cr_assert_eq(json_array_size(ws), 2, "the whole run and the expectation's [0s, 5s)");
    for (size_t k = 0; k < 2; k++) {
        const sim_window *w = &fr->windows[k];
        json_t *jw = json_array_get(ws, k);
        static const char *const window_keys[] = {
            "start_ns", "end_ns",  "route",        "unit",   "total",    "connections",
            "requests", "backends", "chi2",        "df",     "p_value",  "low_expected",
            "routes",   "mirrored", "pooled",      NULL};
        expect_keys(jw, window_keys, "window");
        cr_expect_eq((uint64_t)get_int(jw, "start_ns"), w->start_ns);
        cr_expect_eq((uint64_t)get_int(jw, "end_ns"), w->end_ns);
        cr_expect_eq((uint64_t)get_int(jw, "total"), w->total);
        cr_expect_str_eq(json_string_value(get(jw, "unit")), "connections");
        cr_expect_eq((uint64_t)get_int(jw, "connections"), w->connections);
        cr_expect(json_is_null(get(jw, "requests")), "a TCP flow has no requests");
        cr_expect_eq(json_array_size(get(jw, "routes")), 0);
        cr_expect_eq(json_array_size(get(jw, "mirrored")), 0);
        cr_expect(json_is_null(get(jw, "pooled")));
        json_t *route = get(jw, "route");
        cr_expect_str_eq(json_string_value(get(route, "type")), "MeshTCPRoute");
        json_t *pol = get(route, "policies");
        cr_assert_eq(json_array_size(pol), 2);
        cr_expect_str_eq(json_string_value(json_array_get(pol, 0)), "r1");
        cr_expect_str_eq(json_string_value(json_array_get(pol, 1)), "r2");
        cr_expect_eq(get_int(jw, "df"), 1);
        cr_expect(json_is_real(get(jw, "chi2")));
        cr_expect(json_is_real(get(jw, "p_value")));

        json_t *bs = get(jw, "backends");
        cr_assert_eq(json_array_size(bs), fr->plan->n_outcomes);
        json_int_t sum = 0;
        for (size_t o = 0; o < fr->plan->n_outcomes; o++) {
            json_t *b = json_array_get(bs, o);
            static const char *const backend_keys[] = {"name",         "weight",      "expected",
                                                       "count",        "share",       "ci",
                                                       "active_share", "peak_active", NULL};
            expect_keys(b, backend_keys, "backend");
            cr_expect_str_eq(json_string_value(get(b, "name")), fr->plan->outcomes[o].name);
            cr_expect_eq(get_int(b, "weight"), 1);
            cr_expect_eq((uint64_t)get_int(b, "count"), w->count[o]);
            cr_expect_eq((uint64_t)get_int(b, "peak_active"), fr->peak_active[o]);
            cr_expect(json_is_real(get(b, "expected")));
            cr_expect_float_eq(json_real_value(get(b, "expected")), 0.5, 1e-12);
            cr_expect_float_eq(json_real_value(get(b, "share")),
                               (double)w->count[o] / (double)w->total, 1e-9);
            json_t *ci = get(b, "ci");
            cr_assert_eq(json_array_size(ci), 2);
            double lo = json_real_value(json_array_get(ci, 0));
            double hi = json_real_value(json_array_get(ci, 1));
            cr_expect(lo < json_real_value(get(b, "share")) &&
                      json_real_value(get(b, "share")) < hi);
            sum += get_int(b, "count");
        }
        cr_expect_eq((uint64_t)sum, w->total, "the counts add up to the window's total");
    }
    cr_expect_eq(get_int(json_array_get(ws, 1), "start_ns"), 0);
    cr_expect_eq(get_int(json_array_get(ws, 1), "end_ns"), 5000000000);
    cr_expect_eq(get_int(json_array_get(ws, 1), "total"), 500, "100/s evenly from 0: 0 .. 4.99 s");

    json_t *ex = get(root, "expectations");
    cr_assert_eq(json_array_size(ex), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *e = json_array_get(ex, i);
        static const char *const expect_keys_[] = {"flow", "passed", "detail", NULL};
        expect_keys(e, expect_keys_, "expectation");
        cr_expect_str_eq(json_string_value(get(e, "flow")), FLOW);
        cr_expect_eq(json_is_true(get(e, "passed")), u.x[i].passed);
        cr_expect_str_eq(json_string_value(get(e, "detail")), u.x[i].detail);
    }
    cr_expect_eq(text[strlen(text) - 1], '\n', "the report ends its last line");
    json_decref(root);
    free(text);
    run_free(&u);
}

Test(report, json_seed_is_unsigned_64_bit)
{
    static const char *const seeds[] = {"0", "9223372036854775807", "9223372036854775808",
                                        "18446744073709551615"};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        run u;
        run_it(&u, seeds[i]);
        char *text = report(&u, SIM_FORMAT_JSON);
        char want[64];
        snprintf(want, sizeof want, "\n  \"seed\": %s,\n", seeds[i]);
        cr_expect(strstr(text, want) != NULL, "no%s in:\n%.200s", want, text);
        /* jansson reads integers as signed 64-bit: above that, as reals, to check the
         * rest is well formed. */
        json_t *root = json_loads(text, JSON_DECODE_INT_AS_REAL, NULL);
        cr_expect_not_null(root, "seed %s: the report is not JSON", seeds[i]);
        json_decref(root);
        free(text);
        run_free(&u);
    }
}

/* --- CSV ------------------------------------------------------------------------------- */

static const char csv_header[] =
    "scenario,seed,flow,from,to,protocol,window_start_ns,window_end_ns,route,policies,"
    "window_total,backend,weight,expected,count,share,ci_low,ci_high,active_share,"
    "peak_active,chi2,df,p_value,kind,http_route,route_total\n";

/* Splits one RFC 4180 record at `*p` into at most `max` malloc'd fields; advances *p past
 * the record's newline.  Returns the number of fields. */
static size_t csv_record(const char **p, char **fields, size_t max)
{
    size_t n = 0;
    const char *s = *p;
    for (;;) {
        char *f = malloc(strlen(s) + 1), *o = f;
        cr_assert_not_null(f);
        if (*s == '"') {
            for (s++;; s++) {
                cr_assert_neq(*s, '\0', "unterminated quoted field");
                if (*s == '"' && s[1] == '"')
                    *o++ = *s++;
                else if (*s == '"')
                    break;
                else
                    *o++ = *s;
            }
            s++;
            cr_assert(*s == ',' || *s == '\n', "text after a closing quote");
        } else {
            while (*s && *s != ',' && *s != '\n') {
                cr_assert_neq(*s, '"', "a quote in an unquoted field");
                *o++ = *s++;
            }
        }
        *o = '\0';
        cr_assert_lt(n, max);
        fields[n++] = f;
        if (*s == ',') {
            s++;
            continue;
        }
        cr_assert_eq(*s, '\n', "a record ends with a newline");
        *p = s + 1;
        return n;
    }
}

static void free_fields(char **fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(fields[i]);
}

Test(report, csv_header_rows_and_quoting)
{
    run u;
    run_it(&u, "42");
    char *text = report(&u, SIM_FORMAT_CSV);
    cr_assert(!strncmp(text, csv_header, strlen(csv_header)), "header:\n%.300s", text);
    cr_expect(strstr(text, "\"q,\"\"x\"\" <y> & z's\",42,\"w \"\"1\"\", <a&b>\",web,api,tcp,") !=
                  NULL,
              "quoted scenario and flow names:\n%s", text);

    const sim_flow_result *fr = &u.r->flows[0];
    const char *p = text + strlen(csv_header);
    size_t rows = 0;
    char *fields[32];
    for (size_t k = 0; k < fr->n_windows; k++) {
        for (size_t o = 0; o < fr->plan->n_outcomes; o++, rows++) {
            cr_assert_neq(*p, '\0', "too few rows");
            size_t n = csv_record(&p, fields, 32);
            cr_assert_eq(n, 26, "row %zu has %zu fields", rows, n);
            cr_expect_str_eq(fields[0], "q,\"x\" <y> & z's");
            cr_expect_str_eq(fields[1], "42");
            cr_expect_str_eq(fields[2], FLOW);
            cr_expect_str_eq(fields[8], "MeshTCPRoute");
            cr_expect_str_eq(fields[9], "r1 r2");
            char want[32];
            snprintf(want, sizeof want, "%llu", (unsigned long long)fr->windows[k].start_ns);
            cr_expect_str_eq(fields[6], want);
            snprintf(want, sizeof want, "%llu", (unsigned long long)fr->windows[k].end_ns);
            cr_expect_str_eq(fields[7], want);
            snprintf(want, sizeof want, "%llu", (unsigned long long)fr->windows[k].total);
            cr_expect_str_eq(fields[10], want);
            cr_expect_str_eq(fields[11], fr->plan->outcomes[o].name, "backends with commas come whole");
            cr_expect_str_eq(fields[12], "1");
            snprintf(want, sizeof want, "%llu", (unsigned long long)fr->windows[k].count[o]);
            cr_expect_str_eq(fields[14], want);
            cr_expect_str_eq(fields[21], "1");
            cr_expect_str_eq(fields[23], "flow");
            cr_expect_str_eq(fields[24], "");
            cr_expect_str_eq(fields[25], "");
            free_fields(fields, n);
        }
    }
    cr_expect_eq(*p, '\0', "rows after the last (window, backend)");
    cr_expect_eq(rows, 4);
    free(text);
    run_free(&u);
}

/* --- text ------------------------------------------------------------------------------ */

Test(report, text_has_pass_and_fail_lines)
{
    run u;
    run_it(&u, "42");
    char *text = report(&u, SIM_FORMAT_TEXT);
    cr_expect(!strncmp(text,
                       "scenario q,\"x\" <y> & z's (seed 42, Kuma 2.14 semantics, mesh "
                       "default)\n",
                       60),
              "%.80s", text);
    cr_expect(strstr(text, "\nflow " FLOW ": web -> api (tcp, 1 source)\n") != NULL);
    cr_expect(strstr(text, "  route: MeshTCPRoute\n  policies (merge order, the last wins): r1, "
                           "r2\n") != NULL,
              "%s", text);
    char line[1200];
    snprintf(line, sizeof line, "\n  PASS " FLOW ": %s\n", u.x[0].detail);
    cr_expect(strstr(text, line) != NULL, "no line%s", line);
    snprintf(line, sizeof line, "\n  FAIL " FLOW ": %s\n", u.x[1].detail);
    cr_expect(strstr(text, line) != NULL, "no line%s", line);
    cr_expect(strstr(u.x[1].detail, "route MeshTCPRoute (expected MeshTCPRoute); " V1) != NULL,
              "%s", u.x[1].detail);
    cr_expect(strstr(text, "\n1 of 2 expectations failed\n") != NULL);
    cr_expect(strstr(text, "window 0s .. 5s: 500 connections\n") != NULL, "%s", text);
    cr_expect(strstr(text, "BACKEND") != NULL && strstr(text, "95% CI") != NULL);
    free(text);
    run_free(&u);
}

Test(report, text_says_all_passed)
{
    run u;
    run_it(&u, "42");
    u.x[1].passed = true; /* as if the second had held */
    char *text = report(&u, SIM_FORMAT_TEXT);
    cr_expect(strstr(text, "\nall 2 expectations passed\n") != NULL);
    cr_expect(strstr(text, "  FAIL ") == NULL);
    free(text);
    run_free(&u);
}

/* --- JUnit ----------------------------------------------------------------------------- */

Test(report, junit_escapes_and_counts)
{
    run u;
    run_it(&u, "42");
    /* A control character is not allowed in XML 1.0 even escaped: it becomes '?'. */
    strcpy(u.x[1].detail, "got 'x' \"y\" <z> & \x01 done");
    sim_check_entry entries[3] = {
        {.file = "dir/b&d.yaml", .status = SIM_CHECK_FAIL, .scenario = u.s, .result = u.r,
         .expects = u.x, .failed = u.failed, .seconds = 0.25},
        {.file = "dir/<broken>.yaml", .status = SIM_CHECK_ERROR,
         .error = "b.yaml:3:1: invalid & \"bad\"\nb.yaml:4:2: second\n", .seconds = 0.5},
        {.file = "mesh/resources.yaml", .status = SIM_CHECK_SKIPPED},
    };
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_not_null(out);
    cr_assert_eq(sim_report_junit(out, entries, 3), 0);
    fclose(out);
    static const char want[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"splitsim\" tests=\"3\" failures=\"1\" errors=\"1\">\n"
        "  <testsuite name=\"q,&quot;x&quot; &lt;y&gt; &amp; z&apos;s\" file=\"dir/b&amp;d.yaml\" "
        "tests=\"2\" failures=\"1\" errors=\"0\" time=\"0.250\">\n"
        "    <testcase name=\"expect[0] w &quot;1&quot;, &lt;a&amp;b&gt; split\" "
        "classname=\"q,&quot;x&quot; &lt;y&gt; &amp; z&apos;s\"/>\n"
        "    <testcase name=\"expect[1] w &quot;1&quot;, &lt;a&amp;b&gt; route+split\" "
        "classname=\"q,&quot;x&quot; &lt;y&gt; &amp; z&apos;s\">\n"
        "      <failure message=\"got &apos;x&apos; &quot;y&quot; &lt;z&gt; &amp; ? done\">"
        "got &apos;x&apos; &quot;y&quot; &lt;z&gt; &amp; ? done</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "  <testsuite name=\"dir/&lt;broken&gt;.yaml\" file=\"dir/&lt;broken&gt;.yaml\" "
        "tests=\"1\" failures=\"0\" errors=\"1\" time=\"0.500\">\n"
        "    <testcase name=\"load and run\" classname=\"dir/&lt;broken&gt;.yaml\">\n"
        "      <error message=\"b.yaml:3:1: invalid &amp; &quot;bad&quot;\">b.yaml:3:1: invalid "
        "&amp; &quot;bad&quot;\nb.yaml:4:2: second\n</error>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n";
    cr_expect_str_eq(buf, want);
    free(buf);
    run_free(&u);
}

Test(report, junit_with_nothing_failed)
{
    run u;
    run_it(&u, "42");
    u.x[1].passed = true;
    sim_check_entry entry = {.file = "a.yaml", .status = SIM_CHECK_PASS, .scenario = u.s,
                             .result = u.r, .expects = u.x};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_not_null(out);
    cr_assert_eq(sim_report_junit(out, &entry, 1), 0);
    fclose(out);
    cr_expect(strstr(buf, "<testsuites name=\"splitsim\" tests=\"2\" failures=\"0\" "
                          "errors=\"0\">") != NULL,
              "%s", buf);
    cr_expect(strstr(buf, "<failure") == NULL);
    cr_expect(strstr(buf, "<error") == NULL);
    free(buf);
    run_free(&u);
}

/* --- check ----------------------------------------------------------------------------- */

/* A check over four files: one failing scenario (the fixture's), one that could not run,
 * one passing (the fixture's with its failure forgiven), one resource file. */
static char *check_report(run *u, sim_format format)
{
    static sim_expect_result passing[2];
    memcpy(passing, u->x, sizeof passing);
    passing[1].passed = true;
    sim_check_entry entries[4] = {
        {.file = "a.yaml", .status = SIM_CHECK_FAIL, .scenario = u->s, .result = u->r,
         .expects = u->x, .failed = 1},
        {.file = "b.yaml", .status = SIM_CHECK_ERROR,
         .error = "b.yaml:3:1: first problem\nb.yaml:4:2: second, \"quoted\"\n"},
        {.file = "c.yaml", .status = SIM_CHECK_PASS, .scenario = u->s, .result = u->r,
         .expects = passing},
        {.file = "mesh/r.yaml", .status = SIM_CHECK_SKIPPED},
    };
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_not_null(out);
    cr_assert_eq(sim_report_check(out, format, entries, 4), 0);
    fclose(out);
    return buf;
}

Test(report, check_text_lines_and_totals)
{
    run u;
    run_it(&u, "42");
    char *text = check_report(&u, SIM_FORMAT_TEXT);
    char want[4096];
    snprintf(want, sizeof want,
             "FAIL  a.yaml (q,\"x\" <y> & z's): 1 of 2 expectations failed\n"
             "      " FLOW ": %s\n"
             "ERROR b.yaml\n"
             "      b.yaml:3:1: first problem\n"
             "      b.yaml:4:2: second, \"quoted\"\n"
             "PASS  c.yaml (q,\"x\" <y> & z's): 2 expectations\n"
             "SKIP  mesh/r.yaml: no top-level `scenario:` key (a resource file)\n"
             "1 passed, 1 failed, 1 errors, 1 skipped\n",
             u.x[1].detail);
    cr_expect_str_eq(text, want);
    free(text);
    run_free(&u);
}

Test(report, check_json_has_totals_and_a_status_per_file)
{
    run u;
    run_it(&u, "42");
    char *text = check_report(&u, SIM_FORMAT_JSON);
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    cr_assert_not_null(root, "%s: %s", err.text, text);
    static const char *const keys[] = {"passed", "failed", "errors", "skipped", "files", NULL};
    expect_keys(root, keys, "check root");
    cr_expect_eq(get_int(root, "passed"), 1);
    cr_expect_eq(get_int(root, "skipped"), 1);
    json_t *files = get(root, "files");
    cr_assert_eq(json_array_size(files), 4);
    cr_expect_str_eq(json_string_value(get(json_array_get(files, 1), "status")), "error");
    json_t *errors = get(json_array_get(files, 1), "errors");
    cr_assert_eq(json_array_size(errors), 2);
    cr_expect_str_eq(json_string_value(json_array_get(errors, 1)),
                     "b.yaml:4:2: second, \"quoted\"");
    cr_expect(json_is_null(get(json_array_get(files, 1), "scenario")));
    cr_expect_eq(json_array_size(get(json_array_get(files, 0), "expectations")), 2);
    cr_expect_str_eq(json_string_value(get(json_array_get(files, 3), "status")), "skipped");
    json_decref(root);
    free(text);
    run_free(&u);
}

Test(report, check_csv_has_a_row_per_expectation_and_per_file_that_did_not_run)
{
    run u;
    run_it(&u, "42");
    char *text = check_report(&u, SIM_FORMAT_CSV);
    const char *p = text;
    char *fields[16];
    size_t n = csv_record(&p, fields, 16);
    cr_assert_eq(n, 7);
    cr_expect_str_eq(fields[0], "file");
    cr_expect_str_eq(fields[6], "detail");
    free_fields(fields, n);
    size_t rows = 0;
    while (*p) {
        n = csv_record(&p, fields, 16);
        cr_assert_eq(n, 7, "row %zu", rows);
        if (!strcmp(fields[0], "b.yaml")) {
            cr_expect_str_eq(fields[2], "error");
            cr_expect_str_eq(fields[6], "b.yaml:3:1: first problem\nb.yaml:4:2: second, \"quoted\"");
        }
        free_fields(fields, n);
        rows++;
    }
    cr_expect_eq(rows, 2 + 1 + 2 + 1);
    free(text);
    run_free(&u);
}

/* --- HTTP flows and requests riding TCP ------------------------------------------------- */

static const char http_scenario[] =
    "scenario: h\n"
    "services:\n"
    "  - {name: web, protocol: http, instances: [{tags: {app: web}}]}\n"
    "  - {name: api, protocol: http, instances: [{tags: {version: v1}}, {tags: {version: v2}}]}\n"
    "  - {name: db, protocol: tcp, instances: [{tags: {role: a}}, {tags: {role: b}}]}\n"
    "resources:\n"
    "  - type: MeshHTTPRoute\n"
    "    name: h\n"
    "    mesh: default\n"
    "    spec:\n"
    "      targetRef: {kind: Mesh}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: api}\n"
    "          rules:\n"
    "            - matches: [{path: {type: PathPrefix, value: /api}}]\n"
    "              default:\n"
    "                backendRefs: [{kind: MeshServiceSubset, name: api, tags: {version: v2}}]\n"
    "                filters: [{type: RequestMirror, requestMirror: {backendRef: {kind: "
    "MeshServiceSubset, name: api, tags: {version: v1}}}}]\n"
    "  - type: MeshTCPRoute\n"
    "    name: t\n"
    "    mesh: default\n"
    "    spec:\n"
    "      targetRef: {kind: Mesh}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: db}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshServiceSubset, name: db, tags: {role: a}}\n"
    "                  - {kind: MeshServiceSubset, name: db, tags: {role: b}}\n"
    "traffic:\n"
    "  - {name: w, from: web, to: api, connections: 100, requests_per_connection: 2,\n"
    "     requests: [{path: /api/x}, {path: /}]}\n"
    "  - {name: d, from: web, to: db, connections: 100, requests_per_connection: 5}\n";

static char *http_report(sim_result **r, model_scenario **s, sim_format format)
{
    *s = simfx_load(http_scenario);
    *r = simfx_run(*s);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_not_null(out);
    cr_assert_eq(sim_report_run(out, format, *r, NULL), 0);
    cr_assert_eq(fclose(out), 0);
    return buf;
}

Test(report, json_http_windows_have_routes_and_mirrored_copies)
{
    sim_result *r;
    model_scenario *s;
    char *text = http_report(&r, &s, SIM_FORMAT_JSON);
    json_error_t err;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    cr_assert_not_null(root, "not JSON: %s", err.text);
    json_t *w = json_array_get(get(json_array_get(get(root, "flows"), 0), "windows"), 0);
    const sim_window *sw = &r->flows[0].windows[0];
    cr_expect_str_eq(json_string_value(get(w, "unit")), "requests");
    cr_expect_eq(get_int(w, "total"), 200);
    cr_expect_eq(get_int(w, "connections"), 100);
    cr_expect_eq(get_int(w, "requests"), 200);
    json_t *b0 = json_array_get(get(w, "backends"), 0);
    cr_expect(json_is_null(get(b0, "active_share")), "no connection is open on one backend");
    cr_expect(json_is_null(get(b0, "peak_active")));
    json_t *routes = get(w, "routes");
    cr_assert_eq(json_array_size(routes), 2);
    json_t *api = json_array_get(routes, 0);
    static const char *const route_keys[] = {"match", "policy", "action",   "expected", "total",
                                             "share", "ci",     "backends", "chi2",     "df",
                                             "p_value", "low_expected", NULL};
    expect_keys(api, route_keys, "route");
    cr_expect_str_eq(json_string_value(get(get(get(api, "match"), "path"), "value")), "/api");
    cr_expect_str_eq(json_string_value(get(api, "policy")), "h");
    cr_expect_str_eq(json_string_value(get(api, "action")), "forward");
    cr_expect_eq((uint64_t)get_int(api, "total"), sw->slot_total[0]);
    json_t *catch_all = json_array_get(routes, 1);
    cr_expect(json_is_null(get(catch_all, "policy")), "Kuma's catch-all has no policy");
    cr_expect_str_eq(json_string_value(get(get(get(catch_all, "match"), "path"), "value")), "/");
    cr_expect_eq(get_int(api, "total") + get_int(catch_all, "total"), 200);
    json_t *mirrored = get(w, "mirrored");
    cr_assert_eq(json_array_size(mirrored), 1);
    json_t *m = json_array_get(mirrored, 0);
    cr_expect_str_eq(json_string_value(get(m, "name")), "api{version=v1}");
    cr_expect_eq(get_int(m, "count"), get_int(api, "total"), "every /api request mirrored");
    cr_expect(json_is_null(get(w, "pooled")));
    /* The TCP flow: requests ride their connection, the report says what that does. */
    json_t *d = json_array_get(get(json_array_get(get(root, "flows"), 1), "windows"), 0);
    cr_expect_str_eq(json_string_value(get(d, "unit")), "connections");
    cr_expect_eq(get_int(d, "requests"), 500);
    json_t *pooled = get(d, "pooled");
    cr_expect_eq(get_int(pooled, "requests_per_connection"), 5);
    cr_expect_eq(get_int(pooled, "independent_picks"), 100);
    cr_expect_eq(get_int(pooled, "design_effect"), 5);
    cr_expect_float_eq(json_real_value(get(pooled, "chi2_as_independent")),
                       5 * json_real_value(get(d, "chi2")), 1e-9,
                       "counted per request, the statistic is k times as large");
    json_decref(root);
    free(text);
    simfx_free(r);
    model_scenario_free(s);
}

Test(report, text_http_flow_shows_routes_and_pooled_requests)
{
    sim_result *r;
    model_scenario *s;
    char *text = http_report(&r, &s, SIM_FORMAT_TEXT);
    cr_expect(strstr(text, "window 0s .. ") && strstr(text, ": 100 connections, 200 requests\n"),
              "%s", text);
    cr_expect(strstr(text, "  routes (a request takes the first that matches, in Envoy's order):\n"
                           "  route 1: PathPrefix /api (MeshHTTPRoute 'h')\n") != NULL,
              "%s", text);
    cr_expect(strstr(text, "  route 2: PathPrefix / (Kuma's catch-all)\n") != NULL, "%s", text);
    cr_expect(strstr(text, "mirrored copies (RequestMirror; not part of the split):\n") != NULL);
    cr_expect(strstr(text, "requests: 5 per connection, 500 in all, each going where its "
                           "connection went: 100 independent picks (design effect 5)\n") != NULL,
              "%s", text);
    cr_expect(strstr(text, "every share's standard error is 2.24x what 500 independent "
                           "requests would have\n") != NULL,
              "%s", text);
    free(text);
    simfx_free(r);
    model_scenario_free(s);
}

Test(report, csv_http_rows_by_kind)
{
    sim_result *r;
    model_scenario *s;
    char *text = http_report(&r, &s, SIM_FORMAT_CSV);
    cr_expect(strstr(text, ",api{version=v2},1,1,") && strstr(text, ",route,PathPrefix /api,"),
              "%s", text);
    cr_expect(strstr(text, ",route,PathPrefix / (Kuma's catch-all),") != NULL, "%s", text);
    cr_expect(strstr(text, ",mirror,,\n") != NULL, "%s", text);
    free(text);
    simfx_free(r);
    model_scenario_free(s);
}
