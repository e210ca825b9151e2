/*
 * error.c - the diagnostics list; see error.h.
 */
#include "model/error.h"
#include "model/arena.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A file that yields this many errors is not worth reading further, and an attacker's
 * file must not make us print gigabytes. */
#define MODEL_ERRORS_MAX 200

struct model_errors {
    model_diag *v;
    size_t n, cap;
    size_t errors;
    size_t dropped;
};

model_errors *model_errors_new(void)
{
    return model_xcalloc(1, sizeof(model_errors));
}

void model_errors_free(model_errors *errs)
{
    if (!errs)
        return;
    for (size_t i = 0; i < errs->n; i++) {
        free(errs->v[i].file);
        free(errs->v[i].message);
    }
    free(errs->v);
    free(errs);
}

static void add(model_errors *errs, model_severity sev, model_mark mark, const char *fmt,
                va_list ap) __attribute__((format(printf, 4, 0)));

static void add(model_errors *errs, model_severity sev, model_mark mark, const char *fmt,
                va_list ap)
{
    if (sev == MODEL_ERROR)
        errs->errors++;
    if (errs->n >= MODEL_ERRORS_MAX) {
        errs->dropped++;
        return;
    }
    /* The same message at the same place twice (e.g. an alias expanded twice) is noise. */
    va_list ap2;
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *msg = model_xmalloc((size_t)(len < 0 ? 0 : len) + 1);
    vsnprintf(msg, (size_t)(len < 0 ? 0 : len) + 1, fmt, ap);
    const char *file = mark.file ? mark.file : "";
    for (size_t i = 0; i < errs->n; i++) {
        model_diag *d = &errs->v[i];
        if (d->severity == sev && d->line == mark.line && d->col == mark.col &&
            !strcmp(d->file, file) && !strcmp(d->message, msg)) {
            free(msg);
            if (sev == MODEL_ERROR)
                errs->errors--;
            return;
        }
    }
    if (errs->n == errs->cap) {
        errs->cap = errs->cap ? errs->cap * 2 : 8;
        errs->v = model_xrealloc(errs->v, errs->cap * sizeof(model_diag));
    }
    errs->v[errs->n++] = (model_diag){sev, model_xstrdup(file), mark.line, mark.col, msg};
}

int model_fail(model_errors *errs, model_mark mark, const char *fmt, ...)
{
    if (!errs)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    add(errs, MODEL_ERROR, mark, fmt, ap);
    va_end(ap);
    return -1;
}

void model_warn(model_errors *errs, model_mark mark, const char *fmt, ...)
{
    if (!errs)
        return;
    va_list ap;
    va_start(ap, fmt);
    add(errs, MODEL_WARNING, mark, fmt, ap);
    va_end(ap);
}

bool model_errors_full(const model_errors *errs)
{
    return errs && errs->n >= MODEL_ERRORS_MAX;
}

size_t model_errors_count(const model_errors *errs)
{
    return errs ? errs->errors : 0;
}

size_t model_errors_size(const model_errors *errs)
{
    return errs ? errs->n : 0;
}

const model_diag *model_errors_at(const model_errors *errs, size_t i)
{
    return i < errs->n ? &errs->v[i] : NULL;
}

void model_errors_print(const model_errors *errs, FILE *out)
{
    for (size_t i = 0; i < errs->n; i++) {
        const model_diag *d = &errs->v[i];
        /* docs/manual.md §1: errors read `file:line:col: problem`; warnings say so. */
        const char *kind = d->severity == MODEL_ERROR ? "" : "warning: ";
        if (d->line > 0)
            fprintf(out, "%s:%d:%d: %s%s\n", d->file, d->line, d->col, kind, d->message);
        else
            fprintf(out, "%s: %s%s\n", d->file, kind, d->message);
    }
    if (errs->dropped)
        fprintf(out, "splitsim: %zu more problems not shown\n", errs->dropped);
}

/* Letters equal but for case cost nothing: `backendrefs` is no mistake worth a hint. */
static bool same_letter(char x, char y)
{
    return x == y || (isalpha((unsigned char)x) && tolower((unsigned char)x) == tolower((unsigned char)y));
}

/* Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one
 * substring), bounded: names here are a few dozen bytes. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 64;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = same_letter(a[i - 1], b[j - 1]) ? 0 : 1;
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && same_letter(a[i - 1], b[j - 2]) &&
                same_letter(a[i - 2], b[j - 1]) && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1; /* two neighbours swapped */
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *model_suggest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(word, candidates[i]);
        size_t longer = strlen(word) > strlen(candidates[i]) ? strlen(word) : strlen(candidates[i]);
        size_t limit = longer <= 4 ? 1 : longer <= 8 ? 2 : 3;
        /* Some letters must stay: `b` is one edit from `c`, and no hint at all. */
        if (d <= limit && d < longer && d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}
