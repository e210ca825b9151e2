/*
 * report_check.c - what `splitsim check` found, as text, JSON or CSV (docs/manual.md §1).
 *
 * Built from the same entries as the JUnit report; only the scenarios' own results are
 * shown (no timings), so a check report is reproducible byte for byte.
 */
#include "report_common.h"
#include "sim/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *status_name(sim_check_status s)
{
    switch (s) {
    case SIM_CHECK_PASS:
        return "pass";
    case SIM_CHECK_FAIL:
        return "fail";
    case SIM_CHECK_SKIPPED:
        return "skipped";
    case SIM_CHECK_ERROR:
    case SIM_CHECK_PENDING:
        break;
    }
    return "error";
}

#define CHECK_SKIP_REASON "no top-level `scenario:` key (a resource file)"

/* Writes `text` line by line, each line indented by `indent`. */
static void indented(FILE *out, const char *indent, const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "%s%.*s\n", indent, (int)len, p);
        p += len + (nl ? 1 : 0);
    }
}

static int check_text(FILE *out, const sim_check_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const sim_check_entry *e = &v[i];
        size_t ne = e->scenario ? e->scenario->n_expects : 0;
        switch (e->status) {
        case SIM_CHECK_PASS:
            fprintf(out, "PASS  %s (%s): %zu expectation%s\n", e->file, e->scenario->name, ne,
                    ne == 1 ? "" : "s");
            break;
        case SIM_CHECK_FAIL:
            fprintf(out, "FAIL  %s (%s): %zu of %zu expectation%s failed\n", e->file,
                    e->scenario->name, e->failed, ne, ne == 1 ? "" : "s");
            for (size_t k = 0; k < ne; k++)
                if (!e->expects[k].passed)
                    fprintf(out, "      %s: %s\n", e->expects[k].expect->flow,
                            e->expects[k].detail);
            break;
        case SIM_CHECK_SKIPPED:
            fprintf(out, "SKIP  %s: " CHECK_SKIP_REASON "\n", e->file);
            break;
        case SIM_CHECK_ERROR:
        case SIM_CHECK_PENDING:
            fprintf(out, "ERROR %s\n", e->file);
            indented(out, "      ", e->error ? e->error : "not run\n");
            break;
        }
    }
    sim_check_totals t = sim_check_count(v, n);
    fprintf(out, "%zu passed, %zu failed, %zu errors, %zu skipped\n", t.passed, t.failed, t.errors,
            t.skipped);
    return ferror(out) ? -1 : 0;
}

/* The error messages of an entry as a JSON array of lines. */
static json_t *json_lines(const char *text)
{
    json_t *a = json_array();
    for (const char *p = text ? text : ""; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, len));
        p += len + (nl ? 1 : 0);
    }
    return a;
}

static int check_json(FILE *out, const sim_check_entry *v, size_t n)
{
    sim_check_totals t = sim_check_count(v, n);
    json_t *root = json_object();
    json_object_set_new(root, "passed", json_integer((json_int_t)t.passed));
    json_object_set_new(root, "failed", json_integer((json_int_t)t.failed));
    json_object_set_new(root, "errors", json_integer((json_int_t)t.errors));
    json_object_set_new(root, "skipped", json_integer((json_int_t)t.skipped));
    json_t *files = json_array();
    for (size_t i = 0; i < n; i++) {
        const sim_check_entry *e = &v[i];
        json_t *o = json_object();
        json_object_set_new(o, "file", json_string(e->file));
        json_object_set_new(o, "status", json_string(status_name(e->status)));
        json_object_set_new(o, "scenario", e->scenario ? json_string(e->scenario->name) : json_null());
        if (e->status == SIM_CHECK_PASS || e->status == SIM_CHECK_FAIL) {
            json_t *ex = json_array();
            for (size_t k = 0; k < e->scenario->n_expects; k++) {
                json_t *x = json_object();
                json_object_set_new(x, "flow", json_string(e->expects[k].expect->flow));
                json_object_set_new(x, "passed", json_boolean(e->expects[k].passed));
                json_object_set_new(x, "detail", json_string(e->expects[k].detail));
                json_array_append_new(ex, x);
            }
            json_object_set_new(o, "expectations", ex);
        } else if (e->status == SIM_CHECK_SKIPPED) {
            json_object_set_new(o, "reason", json_string(CHECK_SKIP_REASON));
        } else {
            json_object_set_new(o, "errors", json_lines(e->error));
        }
        json_array_append_new(files, o);
    }
    json_object_set_new(root, "files", files);
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
    return rc < 0 || ferror(out) ? -1 : 0;
}

static void csv_row(FILE *out, const sim_check_entry *e, const char *expectation, const char *flow,
                    const char *passed, const char *detail)
{
    sim__csv_field(out, e->file);
    fputc(',', out);
    sim__csv_field(out, e->scenario ? e->scenario->name : "");
    fprintf(out, ",%s,%s,", status_name(e->status), expectation);
    sim__csv_field(out, flow);
    fprintf(out, ",%s,", passed);
    sim__csv_field(out, detail);
    fputc('\n', out);
}

static int check_csv(FILE *out, const sim_check_entry *v, size_t n)
{
    fputs("file,scenario,status,expectation,flow,passed,detail\n", out);
    for (size_t i = 0; i < n; i++) {
        const sim_check_entry *e = &v[i];
        if (e->status == SIM_CHECK_PASS || e->status == SIM_CHECK_FAIL) {
            for (size_t k = 0; k < e->scenario->n_expects; k++) {
                char index[32];
                snprintf(index, sizeof index, "%zu", k);
                csv_row(out, e, index, e->expects[k].expect->flow,
                        e->expects[k].passed ? "true" : "false", e->expects[k].detail);
            }
        } else {
            /* The messages joined by newlines, quoted: one row per file that did not run. */
            const char *detail = e->status == SIM_CHECK_SKIPPED ? CHECK_SKIP_REASON
                                 : e->error                     ? e->error
                                                                : "";
            char *trimmed = strdup(detail);
            size_t len = trimmed ? strlen(trimmed) : 0;
            while (len && trimmed[len - 1] == '\n')
                trimmed[--len] = '\0';
            csv_row(out, e, "", "", "", trimmed ? trimmed : "");
            free(trimmed);
        }
    }
    return ferror(out) ? -1 : 0;
}

int sim_report_check(FILE *out, sim_format format, const sim_check_entry *entries, size_t n)
{
    switch (format) {
    case SIM_FORMAT_JSON:
        return check_json(out, entries, n);
    case SIM_FORMAT_CSV:
        return check_csv(out, entries, n);
    case SIM_FORMAT_TEXT:
        break;
    }
    return check_text(out, entries, n);
}
