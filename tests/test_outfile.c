/*
 * test_outfile.c - reports written whole or not at all: a commit renames the temporary
 * file into place, an abort or a failed commit leaves the destination as it was, and
 * neither leaves a temporary file behind.
 *
 * Each test works in a fresh directory under /tmp (mkdtemp) and removes it at the end.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/outfile.h"

typedef struct tmpdir {
    char path[64];
} tmpdir;

static void tmpdir_make(tmpdir *t)
{
    snprintf(t->path, sizeof t->path, "/tmp/splitsim-outfile-XXXXXX");
    cr_assert_not_null(mkdtemp(t->path));
}

/* `name` inside the directory, in a static buffer (one at a time). */
static const char *in(const tmpdir *t, const char *name)
{
    static char buf[384];
    snprintf(buf, sizeof buf, "%s/%s", t->path, name);
    return buf;
}

/* The names in the directory, sorted and joined by spaces, into buf. */
static const char *listing(const tmpdir *t, char *buf, size_t size)
{
    DIR *d = opendir(t->path);
    cr_assert_not_null(d);
    char names[16][256];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        cr_assert_lt(n, 16);
        snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strncat(buf, i ? " " : "", size - strlen(buf) - 1);
        strncat(buf, names[i], size - strlen(buf) - 1);
    }
    return buf;
}

/* Removes the files left in the directory, then the directory. */
static void tmpdir_remove(tmpdir *t)
{
    DIR *d = opendir(t->path);
    cr_assert_not_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        const char *p = in(t, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rmdir(p);
        else
            unlink(p);
    }
    closedir(d);
    cr_assert_eq(rmdir(t->path), 0);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* The file's content (up to 255 bytes) in a static buffer. */
static const char *read_file(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot read %s", path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(outfile, commit_renames_into_place)
{
    tmpdir t;
    tmpdir_make(&t);
    char ls[256];
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, in(&t, "report.json")), 0);
    cr_assert_not_null(o.fp);
    fputs("{\"a\": 1}\n", o.fp);
    /* Until the commit, only a temporary file beside the destination exists. */
    listing(&t, ls, sizeof ls);
    cr_expect(!strncmp(ls, "report.json.", strlen("report.json.")) && !strchr(ls, ' '),
              "before the commit: %s", ls);
    cr_expect_neq(access(in(&t, "report.json"), F_OK), 0, "the report appeared before the commit");
    cr_assert_eq(sim_outfile_commit(&o), 0);
    cr_expect_null(o.fp);
    cr_expect_str_eq(read_file(in(&t, "report.json")), "{\"a\": 1}\n");
    cr_expect_str_eq(listing(&t, ls, sizeof ls), "report.json", "temporary files left behind");
    sim_outfile_abort(&o); /* harmless after a commit */
    tmpdir_remove(&t);
}

Test(outfile, commit_replaces_an_existing_file)
{
    tmpdir t;
    tmpdir_make(&t);
    write_file(in(&t, "r.csv"), "old\n");
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, in(&t, "r.csv")), 0);
    fputs("new\n", o.fp);
    cr_expect_str_eq(read_file(in(&t, "r.csv")), "old\n", "the old report stays until commit");
    cr_assert_eq(sim_outfile_commit(&o), 0);
    cr_expect_str_eq(read_file(in(&t, "r.csv")), "new\n");
    char ls[256];
    cr_expect_str_eq(listing(&t, ls, sizeof ls), "r.csv");
    tmpdir_remove(&t);
}

Test(outfile, abort_leaves_the_destination_untouched)
{
    tmpdir t;
    tmpdir_make(&t);
    write_file(in(&t, "report.txt"), "the previous report\n");
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, in(&t, "report.txt")), 0);
    fputs("half a rep", o.fp);
    fflush(o.fp);
    sim_outfile_abort(&o);
    cr_expect_null(o.fp);
    cr_expect_str_eq(read_file(in(&t, "report.txt")), "the previous report\n");
    char ls[256];
    cr_expect_str_eq(listing(&t, ls, sizeof ls), "report.txt", "temporary files left behind");
    sim_outfile_abort(&o); /* twice is harmless */

    /* Without a previous file, nothing at all remains. */
    cr_assert_eq(sim_outfile_open(&o, in(&t, "new.txt")), 0);
    fputs("partial", o.fp);
    sim_outfile_abort(&o);
    cr_expect_str_eq(listing(&t, ls, sizeof ls), "report.txt");
    tmpdir_remove(&t);
}

Test(outfile, open_fails_in_a_missing_directory)
{
    tmpdir t;
    tmpdir_make(&t);
    sim_outfile o;
    errno = 0;
    cr_expect_eq(sim_outfile_open(&o, in(&t, "no/such/dir/report.json")), -1);
    cr_expect_eq(errno, ENOENT);
    cr_expect_null(o.fp);
    cr_expect_null(o.path);
    cr_expect_null(o.tmp);
    sim_outfile_abort(&o); /* harmless after a failed open */
    char ls[256];
    cr_expect_str_eq(listing(&t, ls, sizeof ls), "");
    tmpdir_remove(&t);
}

Test(outfile, failed_commit_removes_the_temporary_file)
{
    /* The destination is a non-empty directory: rename cannot replace it. */
    tmpdir t;
    tmpdir_make(&t);
    cr_assert_eq(mkdir(in(&t, "out"), 0700), 0);
    write_file(in(&t, "out/keep"), "kept\n");
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, in(&t, "out")), 0);
    fputs("report\n", o.fp);
    errno = 0;
    cr_expect_eq(sim_outfile_commit(&o), -1);
    cr_expect_neq(errno, 0, "errno says why");
    sim_outfile_abort(&o); /* safe after a failed commit */
    char ls[256];
    cr_expect_str_eq(listing(&t, ls, sizeof ls), "out", "temporary files left behind");
    cr_expect_str_eq(read_file(in(&t, "out/keep")), "kept\n");
    unlink(in(&t, "out/keep"));
    tmpdir_remove(&t);
}

Test(outfile, stdout_without_a_path)
{
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, NULL), 0);
    cr_expect_eq(o.fp, stdout);
    cr_expect_null(o.path);
    cr_expect_eq(sim_outfile_commit(&o), 0);
    cr_assert_eq(sim_outfile_open(&o, "-"), 0);
    cr_expect_eq(o.fp, stdout);
    sim_outfile_abort(&o);
    cr_expect_null(o.fp);
}

Test(outfile, report_gets_the_permissions_of_a_new_file)
{
    /* A report is an ordinary file: 0666 less the umask, as `> FILE` would make it, not
     * the 0600 of a private temporary file. */
    tmpdir t;
    tmpdir_make(&t);
    mode_t old = umask(022);
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, in(&t, "a.json")), 0);
    cr_assert_eq(sim_outfile_commit(&o), 0);
    umask(027);
    cr_assert_eq(sim_outfile_open(&o, in(&t, "b.json")), 0);
    cr_assert_eq(sim_outfile_commit(&o), 0);
    umask(old);
    struct stat st;
    cr_assert_eq(stat(in(&t, "a.json"), &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0644, "mode %o", st.st_mode & 0777);
    cr_assert_eq(stat(in(&t, "b.json"), &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0640, "mode %o", st.st_mode & 0777);
    tmpdir_remove(&t);
}
