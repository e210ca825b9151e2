/*
 * test_outfile.c - reports written whole or not at all: a commit renames the temporary
 * file into place, an abort or a failed commit leaves the destination as it was, and
 * neither leaves a temporary file behind.  Symbolic links are followed and stay links; a
 * FIFO or a device is written directly and never replaced; a directory is refused; a
 * fatal signal removes the temporary file.
 *
 * Each test works in a fresh directory under /tmp (mkdtemp) and removes it at the end.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
    cr_expect(!strncmp(ls, ".report.json.splitsim-tmp-", strlen(".report.json.splitsim-tmp-")) &&
                  !strchr(ls, ' '),
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

Test(outfile, a_directory_is_refused)
{
    tmpdir t;
    tmpdir_make(&t);
    cr_assert_eq(mkdir(in(&t, "out"), 0700), 0);
    write_file(in(&t, "out/keep"), "kept\n");
    sim_outfile o;
    errno = 0;
    cr_expect_eq(sim_outfile_open(&o, in(&t, "out")), -1);
    cr_expect_eq(errno, EISDIR);
    sim_outfile_abort(&o); /* safe after a failed open */
    char ls[256];
    cr_expect_str_eq(listing(&t, ls, sizeof ls), "out", "temporary files left behind");
    cr_expect_str_eq(read_file(in(&t, "out/keep")), "kept\n");
    unlink(in(&t, "out/keep"));
    tmpdir_remove(&t);
}

Test(outfile, failed_commit_removes_the_temporary_file)
{
    /* The destination becomes a non-empty directory after the open: rename cannot
     * replace it. */
    tmpdir t;
    tmpdir_make(&t);
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, in(&t, "out")), 0);
    cr_assert_eq(mkdir(in(&t, "out"), 0700), 0);
    write_file(in(&t, "out/keep"), "kept\n");
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

Test(outfile, a_symlink_is_followed_and_stays_a_link)
{
    tmpdir t;
    tmpdir_make(&t);
    cr_assert_eq(mkdir(in(&t, "real"), 0700), 0);
    write_file(in(&t, "real/report.txt"), "old\n");
    cr_assert_eq(symlink("real/report.txt", in(&t, "link")), 0); /* relative */
    char first[384];
    snprintf(first, sizeof first, "%s", in(&t, "link"));
    cr_assert_eq(symlink(first, in(&t, "link2")), 0); /* a chain */
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, in(&t, "link2")), 0);
    fputs("new\n", o.fp);
    cr_assert_eq(sim_outfile_commit(&o), 0);
    struct stat st;
    cr_assert_eq(lstat(in(&t, "link2"), &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link was replaced");
    cr_assert_eq(lstat(in(&t, "link"), &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link in the chain was replaced");
    cr_expect_str_eq(read_file(in(&t, "real/report.txt")), "new\n");
    char ls[256];
    cr_expect_str_eq(listing(&t, ls, sizeof ls), "link link2 real");
    unlink(in(&t, "real/report.txt"));
    rmdir(in(&t, "real"));
    tmpdir_remove(&t);
}

Test(outfile, a_dangling_symlink_creates_its_target)
{
    tmpdir t;
    tmpdir_make(&t);
    cr_assert_eq(symlink("target.json", in(&t, "link")), 0);
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, in(&t, "link")), 0);
    fputs("{}\n", o.fp);
    cr_assert_eq(sim_outfile_commit(&o), 0);
    struct stat st;
    cr_assert_eq(lstat(in(&t, "link"), &st), 0);
    cr_expect(S_ISLNK(st.st_mode));
    cr_expect_str_eq(read_file(in(&t, "target.json")), "{}\n");
    tmpdir_remove(&t);
}

Test(outfile, a_symlink_loop_is_refused)
{
    tmpdir t;
    tmpdir_make(&t);
    cr_assert_eq(symlink("b", in(&t, "a")), 0);
    cr_assert_eq(symlink("a", in(&t, "b")), 0);
    sim_outfile o;
    errno = 0;
    cr_expect_eq(sim_outfile_open(&o, in(&t, "a")), -1);
    cr_expect_eq(errno, ELOOP);
    char ls[256];
    cr_expect_str_eq(listing(&t, ls, sizeof ls), "a b");
    tmpdir_remove(&t);
}

Test(outfile, a_device_is_written_directly_and_stays_a_device)
{
    /* As root a rename over /dev/null would replace the system's /dev/null. */
    struct stat before, after;
    cr_assert_eq(stat("/dev/null", &before), 0);
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, "/dev/null"), 0);
    cr_expect_null(o.tmp, "a temporary file for a device");
    fputs("report\n", o.fp);
    cr_assert_eq(sim_outfile_commit(&o), 0);
    cr_assert_eq(stat("/dev/null", &after), 0);
    cr_expect(S_ISCHR(after.st_mode));
    cr_expect_eq(before.st_rdev, after.st_rdev);
    cr_expect_eq(before.st_ino, after.st_ino);
}

Test(outfile, a_fifo_is_written_directly)
{
    tmpdir t;
    tmpdir_make(&t);
    cr_assert_eq(mkfifo(in(&t, "pipe"), 0600), 0);
    char fifo[384];
    snprintf(fifo, sizeof fifo, "%s", in(&t, "pipe"));
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) { /* the reader: what it reads is its exit status */
        FILE *f = fopen(fifo, "r");
        char buf[64] = "";
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        buf[n] = '\0';
        _exit(strcmp(buf, "through the pipe\n") == 0 ? 0 : 1);
    }
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, fifo), 0);
    cr_expect_null(o.tmp);
    fputs("through the pipe\n", o.fp);
    cr_assert_eq(sim_outfile_commit(&o), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the reader got something else");
    struct stat st;
    cr_assert_eq(lstat(fifo, &st), 0);
    cr_expect(S_ISFIFO(st.st_mode), "the FIFO was replaced");
    tmpdir_remove(&t);
}

Test(outfile, a_fatal_signal_removes_the_temporary_file)
{
    tmpdir t;
    tmpdir_make(&t);
    char path[384];
    snprintf(path, sizeof path, "%s", in(&t, "report.txt"));
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        sim_outfile o;
        if (sim_outfile_open(&o, path) < 0)
            _exit(2);
        fputs("half", o.fp);
        fflush(o.fp);
        raise(SIGTERM);
        _exit(3); /* not reached: the handler re-raises with the default action */
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "the child did not die of it");
    char ls[256];
    cr_expect_str_eq(listing(&t, ls, sizeof ls), "", "temporary files left behind");
    tmpdir_remove(&t);
}

Test(outfile, a_replaced_file_keeps_its_permissions)
{
    tmpdir t;
    tmpdir_make(&t);
    write_file(in(&t, "r.txt"), "old\n");
    cr_assert_eq(chmod(in(&t, "r.txt"), 0604), 0);
    sim_outfile o;
    cr_assert_eq(sim_outfile_open(&o, in(&t, "r.txt")), 0);
    cr_assert_eq(sim_outfile_commit(&o), 0);
    struct stat st;
    cr_assert_eq(stat(in(&t, "r.txt"), &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0604, "mode %o", st.st_mode & 0777);
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
