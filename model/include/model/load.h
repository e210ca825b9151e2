/*
 * load.h - reading scenario files (docs/manual.md §2) into a model_scenario.
 *
 * The loader reads the scenario, its includes and every Kuma resource in them, checks
 * everything it reads, and reports every problem it finds (not just the first) as
 * `file:line:col: message`.  A scenario with any error is not returned: nothing runs on
 * input that is half right.
 */
#ifndef MODEL_LOAD_H
#define MODEL_LOAD_H

#include "model/error.h"
#include "model/scenario.h"

/* Limits on what a scenario may build (docs/manual.md, "Limits").  Each is checked as the
 * input is read, so a short file asking for more is refused at once, with a message that
 * names the limit and the place that passed it. */
#define MODEL_LOAD_MAX_VALUES 2000000 /* YAML values in the scenario and all its includes */
#define MODEL_MAX_DATAPLANES 100000   /* from `services` counts and Dataplane resources */
#define MODEL_MAX_POLICIES 100000     /* route policies and gateways of every mesh */
#define MODEL_MAX_BACKEND_REFS 1000000 /* backendRefs over every route policy */
#define MODEL_MAX_FLOWS 100000        /* traffic entries */
#define MODEL_MAX_EXPECTS 100000      /* expect entries */

/* The name standard input gets in messages when the scenario file is `-`. */
#define MODEL_STDIN_NAME "<stdin>"

typedef struct model_load_options {
    int kuma_minor; /* > 0: overrides the scenario's `kuma:` (--kuma-version 2.N) */
    bool has_seed;  /* --seed overrides the scenario's `seed:` */
    uint64_t seed;
} model_load_options;

/* Loads the scenario file at `path` (includes relative to it), or standard input when
 * `path` is "-" (includes relative to the working directory).  Returns the scenario, to
 * be freed with model_scenario_free, or NULL when `errs` holds at least one error.
 * Warnings (skipped resource types, ignored fields) may be recorded either way.
 * `opts` may be NULL. */
model_scenario *model_scenario_load(const char *path, const model_load_options *opts,
                                    model_errors *errs);

/* Same, from memory: `name` is used in messages and as the base for includes. */
model_scenario *model_scenario_load_string(const char *name, const char *data, size_t len,
                                           const model_load_options *opts, model_errors *errs);

/* True if the file at `path` looks like a scenario to `splitsim check`: a document with a
 * top-level `scenario:` key, or a file that cannot be read or parsed (whose load will say
 * why).  False for YAML without that key, such as the resource files scenarios include. */
bool model_scenario_probe(const char *path);

/* Parses "2.N" into N if 2.MODEL_KUMA_MINOR_MIN <= 2.N <= 2.MODEL_KUMA_MINOR_MAX, else -1. */
int model_kuma_version_parse(const char *s);

#endif
