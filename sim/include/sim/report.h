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
#define SIM_FORMATS(X)                                                                         \
    X(TEXT, "text")                                                                            \
    X(JSON, "json")                                                                            \
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
