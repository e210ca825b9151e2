/*
 * outfile.h - report files written whole or not at all, and never over something that is
 * not a file.
 *
 * `--out FILE` and `--junit FILE` (docs/manual.md §1) go through here.  What happens
 * depends on what FILE is:
 *   - a regular file, or nothing yet: the report is written to a temporary file beside it,
 *     `.FILE.splitsim-tmp-XXXXXX`, and renamed over FILE only when it is complete, so a
 *     crash, a full disk or an error never leaves half a report where a CI job reads it;
 *   - a symbolic link: it is followed (to the end of a chain of links) and the file it
 *     points to is replaced that way; the link stays a link;
 *   - a FIFO, a character or block device (`/dev/stdout`, `/dev/null`) or anything else
 *     that is not a regular file or a directory: it is opened and written directly, as
 *     shell redirection would.  splitsim never renames over such a file (as root, a
 *     rename over /dev/null would replace the system's /dev/null with a regular file);
 *   - a directory: refused (EISDIR).
 * Without a path the report goes to stdout.
 *
 * A temporary file still open when SIGINT, SIGTERM or SIGHUP arrives is removed before
 * the process dies of the signal.
 */
#ifndef SIM_OUTFILE_H
#define SIM_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct sim_outfile {
    FILE *fp;     /* where to write the report */
    char *path;   /* as given (for messages); NULL for stdout */
    char *target; /* the regular file a commit replaces; NULL when written directly */
    char *tmp;    /* the temporary file beside `target`; NULL when written directly */
    int slot;     /* index in the signal handler's list of temporary files, or -1 */
} sim_outfile;

/* Opens `path` for a report (stdout when `path` is NULL or "-"), as the header says.  A
 * temporary file gets the permissions of the file it replaces, or of a new file (0666
 * less the umask).  Returns 0, or -1 with errno set (nothing is created then). */
int sim_outfile_open(sim_outfile *o, const char *path);

/* The name to use in messages: the path as given, or "stdout". */
const char *sim_outfile_name(const sim_outfile *o);

/* Finishes the report: flushes it and, for a temporary file, syncs it and renames it into
 * place.  Returns 0, or -1 with errno set (a temporary file is removed and the destination
 * left as it was).  The outfile is closed either way. */
int sim_outfile_commit(sim_outfile *o);

/* Drops a report that will not be completed: a temporary file is removed, a file written
 * directly is closed as it is.  Safe on a closed outfile. */
void sim_outfile_abort(sim_outfile *o);

#endif
