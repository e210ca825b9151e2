/*
 * outfile.h - reports written whole or not at all.
 *
 * `--out FILE` writes to a temporary file beside FILE and renames it into place only when
 * the report is complete, so a crash, a full disk or an error never leaves half a report
 * where a CI job would read it (SPEC §1).  Without a path the report goes to stdout.
 */
#ifndef SIM_OUTFILE_H
#define SIM_OUTFILE_H

#include <stdio.h>

typedef struct sim_outfile {
    FILE *fp;
    char *path; /* final path, NULL for stdout */
    char *tmp;  /* temporary path */
} sim_outfile;

/* Opens `path` for writing through a temporary file (stdout when `path` is NULL or "-"),
 * which has the permissions a newly created `path` would have (0666 less the umask).
 * Returns 0, or -1 with errno set. */
int sim_outfile_open(sim_outfile *o, const char *path);

/* Flushes and renames into place.  Returns 0, or -1 (errno set; the temporary file is
 * removed and the destination untouched). */
int sim_outfile_commit(sim_outfile *o);

/* Drops a report that will not be completed.  Safe after a failed commit. */
void sim_outfile_abort(sim_outfile *o);

#endif
