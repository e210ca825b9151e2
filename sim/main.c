/*
 * main.c - the splitsim command line (docs/manual.md §1).
 *
 * A plain client of libsplit_model and libsplit_sim, and the only code that writes to
 * stdout or decides the exit status:
 *   0  everything ran and every expectation held
 *   1  at least one expectation failed
 *   2  bad usage or bad input (nothing ran)
 *   3  internal or I/O error (a report could not be written)
 * Messages go to stderr, reports to stdout or to --out.
 */
#include "model/load.h"
#include "sim/check.h"
#include "sim/expect.h"
#include "sim/outfile.h"
#include "sim/plan.h"
#include "sim/report.h"
#include "sim/run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef SPLITSIM_VERSION
#define SPLITSIM_VERSION "dev"
#endif

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

typedef struct options {
    const char *out;
    const char *junit;
    sim_format format;
    bool quiet;
    model_load_options load;
    sim_resolve_options resolve;
    const char **files;
    size_t n_files;
} options;

typedef struct command {
    const char *name;
    const char *usage;
    const char *help;
    int (*run)(const struct command *c, options *o);
    unsigned flags;          /* which options the command takes */
    int unsimulated;         /* >= 0: the command is refused as MODEL_UNSIM_<this> */
    unsigned format_choices; /* bit per sim_format the command writes */
} command;

enum {
    OPT_OUT = 1,
    OPT_FORMAT = 2,
    OPT_SEED = 4,
    OPT_KUMA = 8,
    OPT_QUIET = 16,
    OPT_FROM = 32,
    OPT_TO = 64,
    OPT_EXPLAIN = 128,
    OPT_ALL = 256,
    OPT_MANY = 512,
    OPT_JUNIT = 1024,
    OPT_REPLICATIONS = 2048,
};

#define FORMATS_ALL (1u << SIM_FORMAT_TEXT | 1u << SIM_FORMAT_JSON | 1u << SIM_FORMAT_CSV)
#define FORMATS_TEXT_JSON (1u << SIM_FORMAT_TEXT | 1u << SIM_FORMAT_JSON)

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- loading and planning, with every diagnostic printed ------------------------------- */

/* Prints the diagnostics of `errs` (warnings only when not quiet). */
static void print_diags(const model_errors *errs, bool quiet)
{
    if (!quiet || model_errors_count(errs))
        model_errors_print(errs, stderr);
}

/* Prints the warnings of `errs` alone: `check` reports errors in its own report. */
static void print_warnings(const model_errors *errs)
{
    for (size_t i = 0; i < model_errors_size(errs); i++) {
        const model_diag *d = model_errors_at(errs, i);
        if (d->severity != MODEL_WARNING)
            continue;
        if (d->line > 0)
            fprintf(stderr, "%s:%d:%d: warning: %s\n", d->file, d->line, d->col, d->message);
        else
            fprintf(stderr, "%s: warning: %s\n", d->file, d->message);
    }
}

/* Loads one scenario; prints every diagnostic.  NULL on error. */
static model_scenario *load(const char *file, const options *o)
{
    model_errors *errs = model_errors_new();
    model_scenario *s = model_scenario_load(file, &o->load, errs);
    print_diags(errs, o->quiet && s);
    model_errors_free(errs);
    return s;
}

/* Loads a scenario and builds its routing plan, printing every diagnostic. */
static int load_and_plan(const char *file, const options *o, model_scenario **s, sim_plan **p)
{
    model_errors *errs = model_errors_new();
    *p = NULL;
    *s = model_scenario_load(file, &o->load, errs);
    if (*s)
        *p = sim_plan_new(*s, errs);
    print_diags(errs, o->quiet && *p);
    model_errors_free(errs);
    if (*s && !*p) {
        model_scenario_free(*s);
        *s = NULL;
    }
    return *p ? 0 : EXIT_USAGE;
}

/* ---- writing reports ------------------------------------------------------------------ */

/* Writes a report with `write` (which returns 0, or -1 on a write error) to `path` (stdout
 * when NULL) and commits it.  Returns 0, or EXIT_INTERNAL after saying what failed. */
static int emit(const char *cmd, const char *what, const char *path,
                int (*write)(FILE *out, void *ctx), void *ctx)
{
    sim_outfile out;
    if (sim_outfile_open(&out, path) < 0) {
        fprintf(stderr, "splitsim %s: cannot write %s to %s: %s\n", cmd, what, path,
                strerror(errno));
        return EXIT_INTERNAL;
    }
    errno = 0;
    if (write(out.fp, ctx) < 0 || ferror(out.fp)) {
        int e = errno ? errno : EIO;
        fprintf(stderr, "splitsim %s: cannot write %s to %s: %s\n", cmd, what,
                sim_outfile_name(&out), strerror(e));
        sim_outfile_abort(&out);
        return EXIT_INTERNAL;
    }
    char name[4096];
    snprintf(name, sizeof name, "%s", sim_outfile_name(&out));
    if (sim_outfile_commit(&out) < 0) {
        fprintf(stderr, "splitsim %s: cannot write %s to %s: %s\n", cmd, what, name,
                strerror(errno));
        return EXIT_INTERNAL;
    }
    return 0;
}

/* ---- validate -------------------------------------------------------------------------- */

static int cmd_validate(const command *c, options *o)
{
    int rc = EXIT_OK;
    for (size_t i = 0; i < o->n_files; i++) {
        model_scenario *s;
        sim_plan *p;
        if (load_and_plan(o->files[i], o, &s, &p) != 0) {
            rc = EXIT_USAGE;
            continue;
        }
        size_t n_routes = 0;
        for (size_t k = 0; k < s->n_policies; k++)
            n_routes += s->policies[k].type != MODEL_RES_MESH_GATEWAY;
        if (!o->quiet)
            printf("%s: ok: scenario %s, %zu dataplane%s, %zu route polic%s, %zu flow%s, %zu "
                   "expectation%s\n",
                   s->file, s->name, s->n_dataplanes, s->n_dataplanes == 1 ? "" : "s", n_routes,
                   n_routes == 1 ? "y" : "ies", s->n_flows, s->n_flows == 1 ? "" : "s",
                   s->n_expects, s->n_expects == 1 ? "" : "s");
        sim_plan_free(p);
        model_scenario_free(s);
    }
    /* A full disk or a closed stdout is an I/O error, whatever the scenarios said. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "splitsim %s: cannot write the report to stdout: %s\n", c->name,
                strerror(errno ? errno : EIO));
        return EXIT_INTERNAL;
    }
    return rc;
}

/* ---- resolve --------------------------------------------------------------------------- */

typedef struct resolve_job {
    const model_scenario *s;
    const sim_resolve_options *opt;
    const model_resolution **res;
    size_t n;
} resolve_job;

static int write_resolve(FILE *out, void *ctx)
{
    const resolve_job *j = ctx;
    return sim_report_resolve(out, j->s, j->opt, j->res, j->n);
}

static int cmd_resolve(const command *c, options *o)
{
    model_scenario *s = load(o->files[0], o);
    if (!s)
        return EXIT_USAGE;
    o->resolve.format = o->format;
    model_errors *errs = model_errors_new();
    model_arena *a = model_arena_new();
    resolve_job job = {s, &o->resolve, NULL, 0};
    int rc = sim_resolve_pairs(a, s, &o->resolve, errs, &job.res, &job.n);
    print_diags(errs, false);
    if (rc == 0)
        rc = emit(c->name, "the report", o->out, write_resolve, &job);
    else
        rc = EXIT_USAGE;
    model_arena_free(a);
    model_errors_free(errs);
    model_scenario_free(s);
    return rc;
}

/* ---- run -------------------------------------------------------------------------------- */

/* A progress line on stderr for runs longer than a second, when stderr is a terminal. */
typedef struct progress {
    double start;
    bool shown;
} progress;

static void show_progress(void *ctx, uint64_t done, uint64_t planned)
{
    progress *p = ctx;
    double t = seconds_now() - p->start;
    if (t < 1.0)
        return;
    if (planned)
        fprintf(stderr, "\r%llu / %llu connections (%.0f%%), %.1f M/s   ", (unsigned long long)done,
                (unsigned long long)planned, 100.0 * (double)done / (double)planned,
                (double)done / t / 1e6);
    else
        fprintf(stderr, "\r%llu connections, %.1f M/s   ", (unsigned long long)done,
                (double)done / t / 1e6);
    p->shown = true;
}

typedef struct run_job {
    sim_format format;
    const sim_result *r;
    const sim_expect_result *x;
} run_job;

static int write_run(FILE *out, void *ctx)
{
    const run_job *j = ctx;
    return sim_report_run(out, j->format, j->r, j->x);
}

static int cmd_run(const command *c, options *o)
{
    model_scenario *s;
    sim_plan *p;
    if (load_and_plan(o->files[0], o, &s, &p) != 0)
        return EXIT_USAGE;
    progress pr = {seconds_now(), false};
    bool tty = !o->quiet && isatty(fileno(stderr));
    sim_result *r = sim_run(p, tty ? show_progress : NULL, &pr);
    if (pr.shown)
        fprintf(stderr, "\r\033[K");
    sim_expect_result *x = model_xcalloc(s->n_expects ? s->n_expects : 1, sizeof *x);
    size_t failed = sim_expect_evaluate(r, x);
    run_job job = {o->format, r, x};
    int rc = emit(c->name, "the report", o->out, write_run, &job);
    if (rc == 0)
        rc = failed ? EXIT_FAILED : EXIT_OK;
    free(x);
    sim_result_free(r);
    sim_plan_free(p);
    model_scenario_free(s);
    return rc;
}

/* ---- check ------------------------------------------------------------------------------ */

/* Everything about one scenario that check reports, and the files it needs kept alive. */
typedef struct check_run {
    model_scenario *s;
    sim_plan *p;
    sim_result *r;
    sim_expect_result *x;
} check_run;

/* Loads, plans, runs and evaluates one scenario for `check`; fills `e`. */
static void check_one(const char *file, const options *o, check_run *cr, sim_check_entry *e)
{
    double t0 = seconds_now();
    model_errors *errs = model_errors_new();
    memset(cr, 0, sizeof *cr);
    cr->s = model_scenario_load(file, &o->load, errs);
    if (cr->s)
        cr->p = sim_plan_new(cr->s, errs);
    if (!o->quiet)
        print_warnings(errs);
    e->scenario = cr->s;
    if (!cr->p) {
        e->error = sim_check_diags_text(errs);
        e->status = SIM_CHECK_ERROR;
    } else {
        cr->r = sim_run(cr->p, NULL, NULL);
        cr->x = model_xcalloc(cr->s->n_expects ? cr->s->n_expects : 1, sizeof *cr->x);
        e->failed = sim_expect_evaluate(cr->r, cr->x);
        e->result = cr->r;
        e->expects = cr->x;
        e->status = e->failed ? SIM_CHECK_FAIL : SIM_CHECK_PASS;
    }
    model_errors_free(errs);
    e->seconds = seconds_now() - t0;
}

static void check_free(check_run *cr)
{
    free(cr->x);
    sim_result_free(cr->r);
    sim_plan_free(cr->p);
    model_scenario_free(cr->s);
}

typedef struct check_job {
    sim_format format;
    const sim_check_entry *entries;
    size_t n;
} check_job;

static int write_check(FILE *out, void *ctx)
{
    const check_job *j = ctx;
    return sim_report_check(out, j->format, j->entries, j->n);
}

static int write_junit(FILE *out, void *ctx)
{
    const check_job *j = ctx;
    return sim_report_junit(out, j->entries, j->n);
}

static int cmd_check(const command *c, options *o)
{
    sim_check_list files = {0};
    for (size_t i = 0; i < o->n_files; i++)
        sim_check_collect(&files, o->files[i], o->quiet ? NULL : stderr);
    if (files.n == 0) {
        fprintf(stderr, "splitsim check: no scenario files (*.yaml, *.yml) found\n");
        sim_check_list_free(&files);
        return EXIT_USAGE;
    }
    check_run *runs = model_xcalloc(files.n, sizeof *runs);
    bool tty = !o->quiet && isatty(fileno(stderr));
    for (size_t i = 0; i < files.n; i++) {
        sim_check_entry *e = &files.v[i];
        if (e->status != SIM_CHECK_PENDING)
            continue; /* skipped, or unreadable: decided while collecting */
        if (tty)
            fprintf(stderr, "\r\033[K[%zu/%zu] %s", i + 1, files.n, e->file);
        check_one(e->file, o, &runs[i], e);
        if (tty)
            fprintf(stderr, "\r\033[K");
    }
    sim_check_totals t = sim_check_count(files.v, files.n);
    check_job job = {o->format, files.v, files.n};
    int rc = emit(c->name, "the report", o->out, write_check, &job);
    if (rc == 0 && o->junit)
        rc = emit(c->name, "the JUnit report", o->junit, write_junit, &job);
    if (rc == 0 && t.passed + t.failed + t.errors == 0) {
        /* Only resource files: a CI job pointed at the wrong folder must not pass. */
        fprintf(stderr, "splitsim check: no scenario to run (%zu YAML file%s skipped)\n",
                t.skipped, t.skipped == 1 ? "" : "s");
        rc = EXIT_USAGE;
    } else if (rc == 0) {
        rc = t.errors ? EXIT_USAGE : t.failed ? EXIT_FAILED : EXIT_OK;
    }
    for (size_t i = 0; i < files.n; i++)
        check_free(&runs[i]);
    free(runs);
    sim_check_list_free(&files);
    return rc;
}

/* ---- commands that are not simulated yet ------------------------------------------------ */

static int cmd_unsimulated(const command *c, options *o)
{
    fprintf(stderr, "splitsim %s: %s\n", c->name,
            model_unsimulated_message((model_unsimulated)c->unsimulated));
    return EXIT_USAGE;
}

static const command commands[] = {
    {"run",
     "splitsim run FILE [--seed N] [--format text|json|csv] [--out FILE] [--quiet]\n"
     "                  [--kuma-version X.Y]",
     "Simulate one scenario: push its traffic through the resolved routing on a simulated\n"
     "clock, print the observed split against the configured weights (counts, shares, 95%\n"
     "Wilson intervals, chi-square), and check its `expect` entries. Exit 1 if one fails.\n"
     "FILE may be - (standard input; includes are then relative to the working directory).\n",
     cmd_run, OPT_OUT | OPT_FORMAT | OPT_SEED | OPT_KUMA | OPT_QUIET | OPT_REPLICATIONS, -1,
     FORMATS_ALL},
    {"check",
     "splitsim check PATH... [--format text|json|csv] [--out FILE] [--junit FILE]\n"
     "                       [--seed N] [--kuma-version X.Y] [--quiet]",
     "Run every scenario given or found under the paths (recursively, *.yaml and *.yml):\n"
     "one line per scenario, then `N passed, N failed, N errors, N skipped`. The CI\n"
     "regression mode. Found YAML files without a top-level `scenario:` key (resource\n"
     "files that scenarios include) are skipped and counted; a scenario that cannot run\n"
     "(bad input) is an error. Exit 2 if there are errors, else 1 if an expectation failed.\n"
     "  --junit FILE   also write JUnit XML: a testsuite per scenario, a testcase per\n"
     "                 expectation, an error testcase per scenario that could not run\n",
     cmd_check,
     OPT_OUT | OPT_FORMAT | OPT_SEED | OPT_KUMA | OPT_QUIET | OPT_MANY | OPT_JUNIT, -1,
     FORMATS_ALL},
    {"validate", "splitsim validate FILE... [--seed N] [--kuma-version X.Y] [--quiet]",
     "Parse and check scenario files and every Kuma resource they hold or include, the way\n"
     "Kuma would check them at apply time, and everything `run` would refuse. Every\n"
     "problem is reported, not only the first.\n",
     cmd_validate, OPT_KUMA | OPT_QUIET | OPT_MANY | OPT_SEED, -1, 0},
    {"resolve",
     "splitsim resolve FILE [--from DP|SERVICE] [--to SERVICE] [--explain] [--all]\n"
     "                      [--format text|json] [--out FILE] [--seed N] [--kuma-version X.Y]\n"
     "                      [--quiet]",
     "Print the routing Kuma and Envoy would set up for each (source dataplane, destination)\n"
     "pair the scenario's traffic uses: route type, contributing policies in merge order,\n"
     "and the weighted clusters in Envoy's order. No simulation: a flow needs only `from`\n"
     "and `to` here.\n"
     "  --from X       only source dataplane X (or every dataplane of service X)\n"
     "  --to S         only destination service S\n"
     "  --explain      add why: matched policies in merge order, the protocol decision,\n"
     "                 dropped backendRefs and the reason\n"
     "  --all          every sidecar against every service, not only the traffic's pairs\n",
     cmd_resolve,
     OPT_OUT | OPT_FORMAT | OPT_KUMA | OPT_QUIET | OPT_FROM | OPT_TO | OPT_EXPLAIN | OPT_ALL |
         OPT_SEED,
     -1, FORMATS_TEXT_JSON},
    {"plot", "splitsim plot FILE [--out DIR] [--svg]",
     "Run a scenario, then write gnuplot data and scripts and render them.\n", cmd_unsimulated,
     OPT_OUT, MODEL_UNSIM_PLOT, 0},
    {"merge", "splitsim merge PART...",
     "Combine the partial results of a sharded run into the report one process would\n"
     "have written.\n",
     cmd_unsimulated, OPT_MANY, MODEL_UNSIM_MERGE, 0},
};

static const size_t n_commands = sizeof commands / sizeof commands[0];

static void usage(FILE *out)
{
    fprintf(out, "usage: splitsim COMMAND [options]\n\n"
                 "Deterministic simulator and test harness for weighted traffic splits in a\n"
                 "Kuma service mesh.\n\ncommands:\n");
    for (size_t i = 0; i < n_commands; i++)
        if (commands[i].unsimulated < 0)
            fprintf(out, "  %s\n", commands[i].usage);
    fprintf(out, "\nnot simulated by this version:");
    for (size_t i = 0; i < n_commands; i++)
        if (commands[i].unsimulated >= 0)
            fprintf(out, " %s", commands[i].name);
    fprintf(out, "\n\ncommon options:\n"
                 "  --seed N            override the scenario's seed\n"
                 "  --format FMT        text (default), json or csv\n"
                 "  --out FILE          write the report to FILE (a regular file is replaced\n"
                 "                      whole, atomically; a FIFO or device is written to)\n"
                 "  --quiet             no warnings, summary or progress lines\n"
                 "  --kuma-version X.Y  Kuma semantics to reproduce (2.3 .. 2.14, default 2.14)\n"
                 "\n`splitsim COMMAND --help` for more. Exit status: 0 ok, 1 an expectation\n"
                 "failed, 2 bad usage or input, 3 internal or I/O error.\n");
}

static int bad_usage(const command *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad_usage(const command *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "splitsim %s: ", c->name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nusage: %s\n", c->usage);
    va_end(ap);
    return EXIT_USAGE;
}

/* Takes the value of option argv[*i] ("--opt VALUE" or "--opt=VALUE"). */
static const char *value_of(int argc, char **argv, int *i, const char *eq)
{
    if (eq)
        return eq + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

/* "text, json or csv" for the formats in `choices`. */
static const char *format_list(unsigned choices)
{
    return choices == FORMATS_ALL ? "text, json or csv" : "text or json";
}

static int parse_args(const command *c, int argc, char **argv, options *o)
{
    o->files = model_xcalloc((size_t)argc + 1, sizeof *o->files);
    bool options_done = false;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && !strcmp(arg, "--")) { /* the rest are files, whatever they start with */
            options_done = true;
            continue;
        }
        if (options_done || arg[0] != '-' || !strcmp(arg, "-")) {
            o->files[o->n_files++] = arg;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
#define IS(name) (len == strlen(name) && !strncmp(arg, name, len))
        const char *v = NULL;
        if (IS("--help") || IS("-h")) {
            printf("usage: %s\n\n%s", c->usage, c->help);
            return -1;
        } else if (c->unsimulated >= 0) {
            continue; /* the command is refused whatever its options */
        } else if (IS("--quiet") && (c->flags & OPT_QUIET)) {
            o->quiet = true;
        } else if (IS("--explain") && (c->flags & OPT_EXPLAIN)) {
            o->resolve.explain = true;
        } else if (IS("--all") && (c->flags & OPT_ALL)) {
            o->resolve.all = true;
        } else if (IS("--out") && (c->flags & OPT_OUT)) {
            if (!(o->out = value_of(argc, argv, &i, eq)))
                return bad_usage(c, "%s needs a file name", "--out");
        } else if (IS("--junit") && (c->flags & OPT_JUNIT)) {
            if (!(o->junit = value_of(argc, argv, &i, eq)))
                return bad_usage(c, "%s needs a file name", "--junit");
        } else if (IS("--from") && (c->flags & OPT_FROM)) {
            if (!(o->resolve.from = value_of(argc, argv, &i, eq)))
                return bad_usage(c, "%s needs a dataplane or service name", "--from");
        } else if (IS("--to") && (c->flags & OPT_TO)) {
            if (!(o->resolve.to = value_of(argc, argv, &i, eq)))
                return bad_usage(c, "%s needs a service name", "--to");
        } else if (IS("--format") && (c->flags & OPT_FORMAT)) {
            if (!(v = value_of(argc, argv, &i, eq)))
                return bad_usage(c, "%s needs %s", "--format", format_list(c->format_choices));
            int f = sim_format_parse(v);
            if (f < 0 || !(c->format_choices & (1u << f)))
                return bad_usage(c, "unknown format '%s' (use %s)", v,
                                 format_list(c->format_choices));
            o->format = (sim_format)f;
        } else if (IS("--seed") && (c->flags & OPT_SEED)) {
            if (!(v = value_of(argc, argv, &i, eq)))
                return bad_usage(c, "%s needs a number", "--seed");
            char *end;
            errno = 0;
            unsigned long long seed = strtoull(v, &end, 10);
            if (errno || *end || !*v || v[0] == '-')
                return bad_usage(c, "--seed takes an integer 0..18446744073709551615, got '%s'", v);
            o->load.has_seed = true;
            o->load.seed = seed;
        } else if (IS("--kuma-version") && (c->flags & OPT_KUMA)) {
            if (!(v = value_of(argc, argv, &i, eq)))
                return bad_usage(c, "%s needs a version such as 2.14", "--kuma-version");
            int m = model_kuma_version_parse(v);
            if (m < 0)
                return bad_usage(c, "unsupported Kuma version '%s' (2.3 .. 2.14)", v);
            o->load.kuma_minor = m;
        } else if ((IS("--replications") || IS("--shard")) && (c->flags & OPT_REPLICATIONS)) {
            fprintf(stderr, "splitsim %s: %.*s: %s\n", c->name, (int)len, arg,
                    model_unsimulated_message(MODEL_UNSIM_REPLICATIONS));
            return EXIT_USAGE;
        } else {
            return bad_usage(c, "unknown option '%s'", arg);
        }
#undef IS
    }
    if (c->unsimulated >= 0)
        return 0;
    if (o->n_files == 0)
        return bad_usage(c, "%s", "no scenario file given");
    if (o->n_files > 1 && !(c->flags & OPT_MANY))
        return bad_usage(c, "takes one scenario file, got %zu", o->n_files);
    return 0;
}

/* Makes sure descriptors 0, 1 and 2 are open.  A closed stdout would otherwise be taken by
 * the next file opened (a report's temporary file, say), and the report would end up in
 * it; /dev/null opened read-only takes its place instead, so writing to it fails (EBADF)
 * and is reported as the I/O error it is. */
static void guard_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDONLY) < 0)
            exit(EXIT_INTERNAL);
}

int main(int argc, char **argv)
{
    guard_std_fds();
    /* A closed pipe on stdout is a write error (exit 3), not a silent death by SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("splitsim %s (reproduces Kuma 2.%d .. 2.%d routing)\n", SPLITSIM_VERSION,
               MODEL_KUMA_MINOR_MIN, MODEL_KUMA_MINOR_MAX);
        return EXIT_OK;
    }
    for (size_t i = 0; i < n_commands; i++) {
        const command *c = &commands[i];
        if (strcmp(argv[1], c->name))
            continue;
        options o = {0};
        int rc = parse_args(c, argc, argv, &o);
        if (rc == 0)
            rc = c->run(c, &o);
        else if (rc < 0)
            rc = EXIT_OK; /* --help */
        free(o.files);
        return rc;
    }
    fprintf(stderr, "splitsim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
