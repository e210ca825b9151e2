/*
 * error.h - user mistakes as values with positions.
 *
 * Every problem found in a scenario becomes a diagnostic `file:line:col: message`, in the
 * spirit of libyaml's problem/problem_mark: the loader keeps going after a mistake and
 * collects them all, so a user fixes a file in one round trip.  Only user mistakes are
 * reported this way; out of memory aborts and broken invariants assert.
 */
#ifndef MODEL_ERROR_H
#define MODEL_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A position in a file: one-based line and column.  `file` is borrowed from whoever
 * loaded it (the scenario keeps its file names alive as long as itself). */
typedef struct model_mark {
    const char *file;
    int line;
    int col;
} model_mark;

typedef enum model_severity {
    MODEL_ERROR,
    MODEL_WARNING, /* reported, the scenario still runs (e.g. a skipped resource type) */
} model_severity;

typedef struct model_diag {
    model_severity severity;
    char *file; /* owned by the list */
    int line, col;
    char *message; /* owned by the list */
} model_diag;

typedef struct model_errors model_errors;

/* Returns a new, empty diagnostics list; free with model_errors_free. */
model_errors *model_errors_new(void);
void model_errors_free(model_errors *errs);

/* Records an error at `mark` and returns -1, so callers can `return model_fail(...)`.
 * `errs` may be NULL (the error is then dropped: used for probing). */
int model_fail(model_errors *errs, model_mark mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a warning at `mark`; the scenario is still usable. */
void model_warn(model_errors *errs, model_mark mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True once the list holds as many diagnostics as it keeps (later ones are only counted):
 * a caller may then skip work that only makes a message better, such as a hint. */
bool model_errors_full(const model_errors *errs);

/* Number of errors (warnings not counted). */
size_t model_errors_count(const model_errors *errs);

/* Number of diagnostics of either severity, and the i-th of them (borrowed). */
size_t model_errors_size(const model_errors *errs);
const model_diag *model_errors_at(const model_errors *errs, size_t i);

/* The candidate closest to `word`, the misspelling of a name the user meant, or NULL if
 * none is close enough to be worth a "did you mean" (borrowed from `candidates`).  Close
 * means few edits for the length: one for names of up to 4 characters, two up to 8,
 * three beyond, counting the longer of the two names; an edit is a letter added, dropped,
 * changed, or swapped with its neighbour (`sede` is one edit from `seed`, `cnt` two from
 * `count`), and a letter in the wrong case costs nothing; a name all of whose letters
 * would change is not close.  The first of equally close candidates wins. */
const char *model_suggest(const char *word, const char *const *candidates, size_t n);

/* Prints every diagnostic as `file:line:col: message` (warnings: `...: warning: message`), one per
 * line, in the order they were found.  A mark with line 0 prints `file: ...`. */
void model_errors_print(const model_errors *errs, FILE *out);

#endif
