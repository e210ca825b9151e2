/*
 * check.h - `splitsim check`: which files under the paths are scenarios, and the outcome
 * of each (docs/manual.md §1).
 *
 * A path is a file or a directory.  Directories are searched recursively for *.yaml and
 * *.yml (hidden entries skipped), following symbolic links but never into a directory
 * already searched (directories are known by device and inode), so a link loop is said
 * and skipped, not walked forever.  A file found in a directory is a scenario only when its
 * top level has a `scenario:` key; other YAML files (the resource files scenarios include)
 * are skipped and counted.  A file named on the command line is always taken as a
 * scenario, so a mistake in naming it is reported rather than skipped.
 */
#ifndef SIM_CHECK_H
#define SIM_CHECK_H

#include "model/error.h"
#include "model/scenario.h"
#include "sim/expect.h"
#include "sim/run.h"

#include <stdio.h>

typedef enum sim_check_status {
    SIM_CHECK_PENDING, /* a scenario not run yet */
    SIM_CHECK_PASS,    /* ran, every expectation held */
    SIM_CHECK_FAIL,    /* ran, an expectation failed */
    SIM_CHECK_ERROR,   /* could not run: bad input, or an unreadable file */
    SIM_CHECK_SKIPPED, /* not a scenario (no top-level `scenario:` key) */
} sim_check_status;

/* One file's outcome.  `file` and `error` are owned by the list; the scenario, result and
 * expectation results are borrowed from whoever ran it. */
typedef struct sim_check_entry {
    char *file;
    sim_check_status status;
    const model_scenario *scenario; /* NULL when it did not load */
    const sim_result *result;       /* PASS and FAIL */
    const sim_expect_result *expects;
    size_t failed;
    char *error; /* ERROR: every error message, one `file:line:col: ...` per line */
    double seconds;
} sim_check_entry;

typedef struct sim_check_list {
    sim_check_entry *v;
    size_t n, cap;
} sim_check_list;

/* Adds the files of `path` to `l` (a directory's in name order).  A path that cannot be
 * read becomes an ERROR entry; a skipped directory (a link back into one already
 * searched, too deep) is said on `notes` when it is not NULL. */
void sim_check_collect(sim_check_list *l, const char *path, FILE *notes);

void sim_check_list_free(sim_check_list *l);

typedef struct sim_check_totals {
    size_t passed, failed, errors, skipped;
} sim_check_totals;

sim_check_totals sim_check_count(const sim_check_entry *v, size_t n);

/* The errors (not the warnings) of `errs`, one `file:line:col: message` per line, in a
 * malloc'd string (free it); an empty string when there is none. */
char *sim_check_diags_text(const model_errors *errs);

#endif
