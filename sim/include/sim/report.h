/*
 * report.h - writing what splitsim found: resolved routing now, simulation reports later.
 *
 * Reports go to a FILE the caller owns (stdout or a sim_outfile); they never print
 * partial output on failure because the caller commits the file only on success.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include "model/resolve.h"
#include "model/scenario.h"

#include <stdbool.h>
#include <stdio.h>

/* Output formats users choose with --format.  (enum, name) */
#define SIM_FORMATS(X)                                                                             \
    X(TEXT, "text")                                                                                \
    X(JSON, "json")                                                                                \
    X(CSV, "csv")

typedef enum sim_format {
#define X(e, s) SIM_FORMAT_##e,
    SIM_FORMATS(X)
#undef X
} sim_format;

/* Returns the format named `s`, or -1. */
int sim_format_parse(const char *s);

typedef struct sim_resolve_options {
    const char *from; /* only this source dataplane (or every dataplane of this service) */
    const char *to;   /* only this destination service */
    bool explain;     /* add the reasons */
    bool all;         /* every (sidecar, service) pair, not only those traffic uses */
    sim_format format;
} sim_resolve_options;

/* Resolves every selected (source dataplane, destination) pair of `s` and writes them to
 * `out`.  Returns 0; or 2 after writing a message to `err` when a pair needs routing
 * splitsim does not simulate yet, or when --from/--to select nothing (nothing is written
 * to `out` then). */
int sim_report_resolve(FILE *out, FILE *err, const model_scenario *s,
                       const sim_resolve_options *opt);

#endif

/* ---- simulation reports (SPEC §4) ---------------------------------------------------- */

#include "sim/expect.h"
#include "sim/run.h"

/* Writes the report of run `r` with expectation results `x` (r->scenario->n_expects of
 * them) in `format` to `out`.  Returns 0, or -1 if writing failed. */
int sim_report_run(FILE *out, sim_format format, const sim_result *r, const sim_expect_result *x);

/* One scenario's outcome for `check`: its file, and either a run with expectation
 * results, or NULL when it could not be loaded or run (then `error` says why). */
typedef struct sim_check_entry {
    const char *file;
    const model_scenario *scenario;
    const sim_result *result;
    const sim_expect_result *expects;
    size_t failed;
    const char *error;
    double seconds;
} sim_check_entry;

/* Writes JUnit XML for `check --junit`: one testsuite per scenario file, one testcase per
 * expectation; failures carry the deciding numbers.  Returns 0, or -1 on a write error. */
int sim_report_junit(FILE *out, const sim_check_entry *entries, size_t n);

/* Formats `ns` as a short duration ("1m30s", "250ms", "0s") into buf; returns buf. */
const char *sim_format_duration(char *buf, size_t size, uint64_t ns);
