/*
 * check.c - the files `splitsim check` runs, and their totals; see check.h.
 */
#include "sim/check.h"
#include "model/arena.h"
#include "model/load.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHECK_MAX_DEPTH 64 /* directories within directories */

/* Directories already searched, by device and inode. */
typedef struct visited {
    dev_t *dev;
    ino_t *ino;
    size_t n, cap;
} visited;

static bool visit(visited *v, const struct stat *st)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->dev[i] == st->st_dev && v->ino[i] == st->st_ino)
            return false;
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->dev = model_xrealloc(v->dev, v->cap * sizeof *v->dev);
        v->ino = model_xrealloc(v->ino, v->cap * sizeof *v->ino);
    }
    v->dev[v->n] = st->st_dev;
    v->ino[v->n++] = st->st_ino;
    return true;
}

static sim_check_entry *add(sim_check_list *l, const char *path, sim_check_status status)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = model_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    sim_check_entry *e = &l->v[l->n++];
    *e = (sim_check_entry){.file = model_xstrdup(path), .status = status};
    return e;
}

static bool is_yaml(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

/* The message of a path that cannot be read, as a diagnostic line (malloc'd). */
static char *unreadable(const char *path, int e)
{
    const char *why = strerror(e);
    size_t n = 2 * strlen(path) + strlen(why) + 32;
    char *msg = model_xmalloc(n);
    snprintf(msg, n, "%s: cannot read %s: %s\n", path, path, why);
    return msg;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(sim_check_list *l, const char *dir, int depth, visited *seen, FILE *notes)
{
    DIR *d = opendir(dir);
    if (!d) {
        add(l, dir, SIM_CHECK_ERROR)->error = unreadable(dir, errno);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = model_xrealloc(names, cap * sizeof *names);
        }
        names[n++] = model_xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_name);
    size_t dlen = strlen(dir);
    bool slash = dlen && dir[dlen - 1] == '/';
    for (size_t i = 0; i < n; i++) {
        size_t len = dlen + strlen(names[i]) + 2;
        char *child = model_xmalloc(len);
        snprintf(child, len, "%s%s%s", dir, slash ? "" : "/", names[i]);
        struct stat st;
        if (stat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (depth >= CHECK_MAX_DEPTH) {
                if (notes)
                    fprintf(notes, "splitsim check: skipping %s: more than %d directories deep\n",
                            child, CHECK_MAX_DEPTH);
            } else if (!visit(seen, &st)) {
                if (notes)
                    fprintf(notes,
                            "splitsim check: skipping %s: a directory already searched (a "
                            "symbolic link loop?)\n",
                            child);
            } else {
                walk(l, child, depth + 1, seen, notes);
            }
        } else if (is_yaml(names[i])) {
            add(l, child, model_scenario_probe(child) ? SIM_CHECK_PENDING : SIM_CHECK_SKIPPED);
        }
        free(child);
        free(names[i]);
    }
    free(names);
}

void sim_check_collect(sim_check_list *l, const char *path, FILE *notes)
{
    struct stat st;
    if (!strcmp(path, "-")) { /* standard input: a scenario, as for run */
        add(l, path, SIM_CHECK_PENDING);
        return;
    }
    if (stat(path, &st) < 0) {
        add(l, path, SIM_CHECK_ERROR)->error = unreadable(path, errno);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        add(l, path, SIM_CHECK_PENDING);
        return;
    }
    visited seen = {0};
    visit(&seen, &st);
    walk(l, path, 0, &seen, notes);
    free(seen.dev);
    free(seen.ino);
}

void sim_check_list_free(sim_check_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].file);
        free(l->v[i].error);
    }
    free(l->v);
    *l = (sim_check_list){0};
}

sim_check_totals sim_check_count(const sim_check_entry *v, size_t n)
{
    sim_check_totals t = {0};
    for (size_t i = 0; i < n; i++) {
        switch (v[i].status) {
        case SIM_CHECK_PASS:
            t.passed++;
            break;
        case SIM_CHECK_FAIL:
            t.failed++;
            break;
        case SIM_CHECK_SKIPPED:
            t.skipped++;
            break;
        case SIM_CHECK_ERROR:
        case SIM_CHECK_PENDING: /* never run: nothing vouches for it */
            t.errors++;
            break;
        }
    }
    return t;
}

char *sim_check_diags_text(const model_errors *errs)
{
    size_t cap = 256, len = 0;
    char *s = model_xmalloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < model_errors_size(errs); i++) {
        const model_diag *d = model_errors_at(errs, i);
        if (d->severity != MODEL_ERROR)
            continue;
        char line[2048];
        int n = d->line > 0
                    ? snprintf(line, sizeof line, "%s:%d:%d: %s\n", d->file, d->line, d->col,
                               d->message)
                    : snprintf(line, sizeof line, "%s: %s\n", d->file, d->message);
        size_t add_len = n > 0 ? ((size_t)n < sizeof line ? (size_t)n : sizeof line - 1) : 0;
        while (len + add_len + 1 > cap)
            s = model_xrealloc(s, cap *= 2);
        memcpy(s + len, line, add_len);
        len += add_len;
        s[len] = '\0';
    }
    return s;
}
