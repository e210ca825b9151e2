/*
 * outfile.c - temp file + rename; see outfile.h.
 */
#include "sim/outfile.h"
#include "model/arena.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sim_outfile_open(sim_outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        o->fp = stdout;
        return 0;
    }
    size_t n = strlen(path);
    o->path = model_xstrdup(path);
    o->tmp = model_xmalloc(n + sizeof ".XXXXXX");
    memcpy(o->tmp, path, n);
    memcpy(o->tmp + n, ".XXXXXX", sizeof ".XXXXXX");
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        sim_outfile_abort(o);
        errno = e;
        return -1;
    }
    /* mkstemp creates the file 0600; the report is an ordinary file, so it gets what
     * `> FILE` would give it: 0666 less the umask (read by setting it and back). */
    mode_t mask = umask(0);
    umask(mask);
    o->fp = fchmod(fd, 0666 & ~mask) == 0 ? fdopen(fd, "w") : NULL;
    if (!o->fp) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        sim_outfile_abort(o);
        errno = e;
        return -1;
    }
    return 0;
}

int sim_outfile_commit(sim_outfile *o)
{
    if (!o->path) {
        o->fp = NULL;
        return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
    }
    int rc = 0;
    if (fflush(o->fp) != 0 || ferror(o->fp) || fsync(fileno(o->fp)) != 0)
        rc = -1;
    int e = errno;
    if (fclose(o->fp) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    o->fp = NULL;
    if (rc == 0 && rename(o->tmp, o->path) != 0) {
        rc = -1;
        e = errno;
    }
    if (rc != 0)
        unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    errno = e;
    return rc;
}

void sim_outfile_abort(sim_outfile *o)
{
    if (o->path && o->fp) {
        fclose(o->fp);
        unlink(o->tmp);
    }
    o->fp = NULL;
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
}
