/*
 * report_junit.c - JUnit XML for `splitsim check --junit FILE` (docs/manual.md §4): one testsuite
 * per scenario file, one testcase per expectation, failures carrying the numbers.  A
 * scenario that could not be loaded or run is one testcase with an <error> carrying its
 * file:line:col messages; files `check` skipped are left out.
 */
#include "sim/report.h"

#include <string.h>

/* Writes the first `n` bytes of `s` as XML character data or attribute text. */
static void xml_text_n(FILE *out, const char *s, size_t n)
{
    for (const char *end = s + n; s < end && *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            /* XML 1.0 forbids most control characters even escaped. */
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' && *s != '\r')
                fputc('?', out);
            else
                fputc(*s, out);
        }
    }
}

static void xml_text(FILE *out, const char *s)
{
    xml_text_n(out, s, strlen(s));
}

/* A readable name for an expectation: its flow and what it checks. */
static void case_name(FILE *out, const model_expect *e, size_t index)
{
    char what[256] = "";
    size_t len = 0;
#define ADD(...) len += (size_t)snprintf(what + len, sizeof what - len, __VA_ARGS__)
    if (e->route)
        ADD("%sroute", len ? "+" : "");
    if (e->policy && len < sizeof what)
        ADD("%spolicy", len ? "+" : "");
    if (e->n_split && len < sizeof what)
        ADD("%ssplit", len ? "+" : "");
    if (e->has_failed && len < sizeof what)
        ADD("%sfailed", len ? "+" : "");
#undef ADD
    fprintf(out, "expect[%zu] ", index);
    xml_text(out, e->flow);
    fprintf(out, " %s", what);
}

int sim_report_junit(FILE *out, const sim_check_entry *entries, size_t n)
{
    size_t tests = 0, failures = 0, errors = 0;
    for (size_t i = 0; i < n; i++) {
        const sim_check_entry *c = &entries[i];
        if (c->status == SIM_CHECK_SKIPPED)
            continue;
        if (!c->result) {
            tests++;
            errors++;
        } else {
            tests += c->scenario->n_expects;
            failures += c->failed;
        }
    }
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites name=\"splitsim\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
            tests, failures, errors);
    for (size_t i = 0; i < n; i++) {
        const sim_check_entry *c = &entries[i];
        if (c->status == SIM_CHECK_SKIPPED)
            continue; /* a resource file is no test */
        fprintf(out, "  <testsuite name=\"");
        xml_text(out, c->scenario ? c->scenario->name : c->file);
        fprintf(out, "\" file=\"");
        xml_text(out, c->file);
        if (!c->result) {
            /* The message attribute holds the first problem; the element, all of them. */
            const char *msg = c->error && *c->error ? c->error : "the scenario could not run\n";
            const char *nl = strchr(msg, '\n');
            fprintf(out, "\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"%.3f\">\n", c->seconds);
            fprintf(out, "    <testcase name=\"load and run\" classname=\"");
            xml_text(out, c->scenario ? c->scenario->name : c->file);
            fprintf(out, "\">\n      <error message=\"");
            xml_text_n(out, msg, nl ? (size_t)(nl - msg) : strlen(msg));
            fprintf(out, "\">");
            xml_text(out, msg);
            fprintf(out, "</error>\n    </testcase>\n  </testsuite>\n");
            continue;
        }
        fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n",
                c->scenario->n_expects, c->failed, c->seconds);
        for (size_t k = 0; k < c->scenario->n_expects; k++) {
            const sim_expect_result *x = &c->expects[k];
            fprintf(out, "    <testcase name=\"");
            case_name(out, x->expect, k);
            fprintf(out, "\" classname=\"");
            xml_text(out, c->scenario->name);
            if (x->passed) {
                fprintf(out, "\"/>\n");
                continue;
            }
            fprintf(out, "\">\n      <failure message=\"");
            xml_text(out, x->detail);
            fprintf(out, "\">");
            xml_text(out, x->detail);
            fprintf(out, "</failure>\n    </testcase>\n");
        }
        fprintf(out, "  </testsuite>\n");
    }
    fprintf(out, "</testsuites>\n");
    return ferror(out) ? -1 : 0;
}
