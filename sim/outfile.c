/*
 * outfile.c - report files: temp file + rename for regular files, direct writes for the
 * rest; see outfile.h.
 *
 * The kind of file is decided by following the path's symbolic links with lstat and
 * readlink, one hop at a time (at most OUTFILE_MAX_LINKS, as the kernel's ELOOP limit),
 * so that a dangling link still names the file to create and a link to /dev/null is
 * known to lead to a device before anything is renamed.
 */
#include "sim/outfile.h"
#include "model/arena.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTFILE_MAX_LINKS 40
#define OUTFILE_MAX_LIVE 4 /* temporary files open at once (run: one; check: two) */

/* ---- temporary files removed on a fatal signal ---------------------------------------- */

/* Paths of the temporary files that exist now.  Written only outside the handler, read by
 * it; a pointer store is atomic on every platform splitsim builds on. */
static char *volatile live[OUTFILE_MAX_LIVE];
static bool handlers_installed;

static void on_fatal_signal(int sig)
{
    for (int i = 0; i < OUTFILE_MAX_LIVE; i++) {
        char *p = live[i];
        if (p)
            unlink(p); /* async-signal-safe */
    }
    signal(sig, SIG_DFL);
    raise(sig); /* die of the signal, so the parent sees how we ended */
}

static void install_handlers(void)
{
    if (handlers_installed)
        return;
    handlers_installed = true;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old, sa = {0};
        /* A signal the user chose to ignore (nohup) stays ignored. */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

static int register_live(char *path)
{
    install_handlers();
    for (int i = 0; i < OUTFILE_MAX_LIVE; i++)
        if (!live[i]) {
            live[i] = path;
            return i;
        }
    return -1; /* more than splitsim ever opens: the file is then only unprotected */
}

static void unregister_live(sim_outfile *o)
{
    if (o->slot >= 0)
        live[o->slot] = NULL;
    o->slot = -1;
}

/* ---- where a path leads --------------------------------------------------------------- */

/* `rel` read from the link `link`: relative to the link's directory unless absolute. */
static char *link_target(const char *link, const char *rel)
{
    const char *slash = strrchr(link, '/');
    if (rel[0] == '/' || !slash)
        return model_xstrdup(rel);
    size_t dir = (size_t)(slash - link) + 1, n = strlen(rel);
    char *p = model_xmalloc(dir + n + 1);
    memcpy(p, link, dir);
    memcpy(p + dir, rel, n + 1);
    return p;
}

/* Follows `path`'s symbolic links.  Returns the final path (malloc'd), with *st its lstat
 * (st_mode 0 when it does not exist yet), or NULL with errno set. */
static char *follow(const char *path, struct stat *st)
{
    char *p = model_xstrdup(path);
    for (int hops = 0;; hops++) {
        if (lstat(p, st) < 0) {
            if (errno != ENOENT) {
                free(p);
                return NULL;
            }
            st->st_mode = 0;
            return p;
        }
        if (!S_ISLNK(st->st_mode))
            return p;
        if (hops == OUTFILE_MAX_LINKS) {
            free(p);
            errno = ELOOP;
            return NULL;
        }
        char buf[4096];
        ssize_t n = readlink(p, buf, sizeof buf - 1);
        if (n < 0) {
            free(p);
            return NULL;
        }
        buf[n] = '\0';
        char *next = link_target(p, buf);
        free(p);
        p = next;
    }
}

/* `.BASE.splitsim-tmp-XXXXXX` in the directory of `target`. */
static char *temp_template(const char *target)
{
    const char *slash = strrchr(target, '/');
    size_t dir = slash ? (size_t)(slash - target) + 1 : 0;
    const char *base = target + dir;
    static const char suffix[] = ".splitsim-tmp-XXXXXX";
    size_t n = dir + 1 + strlen(base) + sizeof suffix;
    char *t = model_xmalloc(n);
    snprintf(t, n, "%.*s.%s%s", (int)dir, target, base, suffix);
    return t;
}

static void clear(sim_outfile *o)
{
    free(o->path);
    free(o->target);
    free(o->tmp);
    o->path = o->target = o->tmp = NULL;
    o->fp = NULL;
}

/* Opens a temporary file beside the regular file (or future file) `o->target`. */
static int open_temp(sim_outfile *o, const struct stat *st)
{
    o->tmp = temp_template(o->target);
    o->slot = register_live(o->tmp); /* before it exists: no window without cleanup */
    int fd = mkstemp(o->tmp);
    if (fd < 0)
        return -1;
    /* mkstemp creates the file 0600.  A replaced file keeps its permissions; a new one
     * gets what `> FILE` would give it: 0666 less the umask (read by setting it back). */
    mode_t mode;
    if (st->st_mode) {
        mode = st->st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (fchmod(fd, mode) < 0 || !(o->fp = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        errno = e;
        return -1;
    }
    return 0;
}

int sim_outfile_open(sim_outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->slot = -1;
    if (!path || !strcmp(path, "-")) {
        o->fp = stdout;
        return 0;
    }
    o->path = model_xstrdup(path);
    struct stat st;
    o->target = follow(path, &st);
    int rc = 0;
    if (!o->target) {
        rc = -1;
    } else if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        rc = -1;
    } else if (st.st_mode == 0 || S_ISREG(st.st_mode)) {
        rc = open_temp(o, &st);
    } else {
        /* Not a regular file: written as shell redirection would write it. */
        free(o->target);
        o->target = NULL;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            errno = e;
            rc = -1;
        }
    }
    if (rc < 0) {
        int e = errno;
        unregister_live(o);
        clear(o);
        errno = e;
    }
    return rc;
}

const char *sim_outfile_name(const sim_outfile *o)
{
    return o->path ? o->path : "stdout";
}

int sim_outfile_commit(sim_outfile *o)
{
    if (!o->fp)
        return 0;
    if (o->fp == stdout) {
        o->fp = NULL;
        return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
    }
    int rc = 0, e = 0;
    if (fflush(o->fp) != 0 || ferror(o->fp) || (o->tmp && fsync(fileno(o->fp)) != 0)) {
        rc = -1;
        e = errno ? errno : EIO;
    }
    if (fclose(o->fp) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    o->fp = NULL;
    if (o->tmp) {
        if (rc == 0 && rename(o->tmp, o->target) != 0) {
            rc = -1;
            e = errno;
        }
        if (rc != 0)
            unlink(o->tmp);
    }
    unregister_live(o);
    clear(o);
    errno = e;
    return rc;
}

void sim_outfile_abort(sim_outfile *o)
{
    if (o->fp && o->fp != stdout) {
        fclose(o->fp);
        if (o->tmp)
            unlink(o->tmp);
    }
    unregister_live(o);
    clear(o);
}
