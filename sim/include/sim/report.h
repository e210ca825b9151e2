/*
 * report.h - writing what splitsim found: resolved routing, simulation reports, `check`
 * summaries and JUnit XML (docs/manual.md §4).
 *
 * Reports go to a FILE the caller owns (stdout or a sim_outfile); they never print
 * partial output on failure because the caller commits the file only on success.  Every
 * writer returns -1 when writing failed, so the caller can say so (exit 3).
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include "model/arena.h"
#include "model/error.h"
#include "model/resolve.h"
#include "model/scenario.h"
#include "sim/check.h"
#include "sim/expect.h"
#include "sim/run.h"

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

/* Resolves every selected (source dataplane, destination) pair of `s`: those the traffic
 * uses (all with --all), filtered by --from/--to.  Sets *res to an array of *n resolutions
 * allocated in `a`.  Returns 0; or -1 after recording in `errs` that a pair needs routing
 * splitsim does not simulate yet (at the flow's place), or that --from/--to select
 * nothing. */
int sim_resolve_pairs(model_arena *a, const model_scenario *s, const sim_resolve_options *opt,
                      model_errors *errs, const model_resolution ***res, size_t *n);

/* Writes resolutions `res` (from sim_resolve_pairs) of `s` to `out` in opt->format (text
 * or JSON).  Returns 0, or -1 if writing failed. */
int sim_report_resolve(FILE *out, const model_scenario *s, const sim_resolve_options *opt,
                       const model_resolution **res, size_t n);

/* Writes the report of run `r` with expectation results `x` (r->scenario->n_expects of
 * them) in `format` to `out`.  Returns 0, or -1 if writing failed. */
int sim_report_run(FILE *out, sim_format format, const sim_result *r, const sim_expect_result *x);

/* Writes what `check` found, in `format`: text (a line per scenario, the numbers of each
 * failed expectation, the messages of each error, then `N passed, N failed, N errors, N
 * skipped`), JSON (the totals and an object per file) or CSV (a row per expectation, and
 * one per file that did not run).  Returns 0, or -1 on a write error. */
int sim_report_check(FILE *out, sim_format format, const sim_check_entry *entries, size_t n);

/* Writes JUnit XML for `check --junit`: one testsuite per scenario file, one testcase per
 * expectation (failures carry the deciding numbers), one error testcase for a scenario
 * that could not run (carrying its messages).  Skipped files are left out.  Returns 0, or
 * -1 on a write error. */
int sim_report_junit(FILE *out, const sim_check_entry *entries, size_t n);

/* Formats `ns` as a short duration ("1m30s", "250ms", "0s") into buf; returns buf. */
const char *sim_format_duration(char *buf, size_t size, uint64_t ns);

#endif
