/*
 * main.c - the splitsim command line (SPEC §1).
 *
 * A plain client of libsplit_model and libsplit_sim, and the only code that writes to
 * stdout or decides the exit status:
 *   0  everything ran and every expectation held
 *   1  at least one expectation failed
 *   2  bad usage or bad input (nothing ran)
 *   3  internal or I/O error
 */
#include "model/load.h"
#include "sim/outfile.h"
#include "sim/report.h"

#include "sim/expect.h"
#include "sim/run.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    int (*run)(options *o);
    unsigned flags; /* which options the command takes */
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
};

static void print_diags(const model_errors *errs)
{
    model_errors_print(errs, stderr);
}

/* Loads one scenario; prints every diagnostic.  NULL on error. */
static model_scenario *load(const char *file, const options *o)
{
    model_errors *errs = model_errors_new();
    model_scenario *s = model_scenario_load(file, &o->load, errs);
    if (!o->quiet || !s)
        print_diags(errs);
    model_errors_free(errs);
    return s;
}

static int cmd_validate(options *o)
{
    int rc = EXIT_OK;
    for (size_t i = 0; i < o->n_files; i++) {
        model_scenario *s = load(o->files[i], o);
        if (!s) {
            rc = EXIT_USAGE;
            continue;
        }
        size_t n_routes = 0;
        for (size_t p = 0; p < s->n_policies; p++)
            n_routes += s->policies[p].type != MODEL_RES_MESH_GATEWAY;
        if (!o->quiet)
            printf("%s: ok: scenario %s, %zu dataplane%s, %zu route polic%s, %zu flow%s, %zu "
                   "expectation%s\n",
                   o->files[i], s->name, s->n_dataplanes, s->n_dataplanes == 1 ? "" : "s", n_routes,
                   n_routes == 1 ? "y" : "ies", s->n_flows, s->n_flows == 1 ? "" : "s",
                   s->n_expects, s->n_expects == 1 ? "" : "s");
        model_scenario_free(s);
    }
    return rc;
}

static int cmd_resolve(options *o)
{
    model_scenario *s = load(o->files[0], o);
    if (!s)
        return EXIT_USAGE;
    if (o->format == SIM_FORMAT_CSV) {
        fprintf(stderr, "splitsim resolve: --format csv is for run reports; use text or json\n");
        model_scenario_free(s);
        return EXIT_USAGE;
    }
    sim_outfile out;
    if (sim_outfile_open(&out, o->out) < 0) {
        fprintf(stderr, "splitsim: cannot write %s: %s\n", o->out, strerror(errno));
        model_scenario_free(s);
        return EXIT_INTERNAL;
    }
    o->resolve.format = o->format;
    int rc = sim_report_resolve(out.fp, stderr, s, &o->resolve);
    if (rc != 0) {
        sim_outfile_abort(&out);
    } else if (sim_outfile_commit(&out) < 0) {
        fprintf(stderr, "splitsim: cannot write %s: %s\n", o->out ? o->out : "stdout",
                strerror(errno));
        rc = EXIT_INTERNAL;
    }
    model_scenario_free(s);
    return rc;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

/* Loads, runs and evaluates one scenario.  Returns 0 (ran; *failed set), 2 (bad input or
 * not simulated) or 3. */
static int simulate(const char *file, const options *o, model_scenario **s, sim_result **r,
                    sim_expect_result **x, size_t *failed)
{
    *s = load(file, o);
    *r = NULL;
    *x = NULL;
    if (!*s)
        return EXIT_USAGE;
    progress p = {seconds_now(), false};
    bool tty = !o->quiet && isatty(fileno(stderr));
    *r = sim_run(*s, stderr, tty ? show_progress : NULL, &p);
    if (p.shown)
        fprintf(stderr, "\r\033[K");
    if (!*r)
        return EXIT_USAGE;
    *x = calloc((*s)->n_expects ? (*s)->n_expects : 1, sizeof **x);
    if (!*x)
        abort();
    *failed = sim_expect_evaluate(*r, *x);
    return 0;
}

static int cmd_run(options *o)
{
    model_scenario *s;
    sim_result *r;
    sim_expect_result *x;
    size_t failed = 0;
    int rc = simulate(o->files[0], o, &s, &r, &x, &failed);
    if (rc == 0) {
        sim_outfile out;
        if (sim_outfile_open(&out, o->out) < 0) {
            fprintf(stderr, "splitsim: cannot write %s: %s\n", o->out, strerror(errno));
            rc = EXIT_INTERNAL;
        } else if (sim_report_run(out.fp, o->format, r, x) < 0) {
            sim_outfile_abort(&out);
            fprintf(stderr, "splitsim: cannot write the report\n");
            rc = EXIT_INTERNAL;
        } else if (sim_outfile_commit(&out) < 0) {
            fprintf(stderr, "splitsim: cannot write %s: %s\n", o->out ? o->out : "stdout",
                    strerror(errno));
            rc = EXIT_INTERNAL;
        } else {
            rc = failed ? EXIT_FAILED : EXIT_OK;
        }
    }
    free(x);
    sim_result_free(r);
    model_scenario_free(s);
    return rc;
}

typedef struct file_list {
    char **v;
    size_t n, cap;
} file_list;

static void add_file(file_list *l, const char *path)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    l->v[l->n++] = model_xstrdup(path);
}

static bool is_yaml(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

/* Every *.yaml / *.yml under `path` (hidden entries skipped), or `path` itself. */
static int collect(file_list *l, const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        fprintf(stderr, "splitsim check: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        add_file(l, path);
        return 0;
    }
    if (depth > 32)
        return 0;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "splitsim check: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *child = model_xmalloc(len);
        snprintf(child, len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
        struct stat cs;
        if (stat(child, &cs) == 0 && S_ISDIR(cs.st_mode))
            rc |= collect(l, child, depth + 1);
        else if (is_yaml(e->d_name))
            add_file(l, child);
        free(child);
    }
    closedir(d);
    return rc;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_check(options *o)
{
    file_list files = {0};
    int worst = EXIT_OK;
    for (size_t i = 0; i < o->n_files; i++)
        if (collect(&files, o->files[i], 0) < 0)
            worst = EXIT_USAGE;
    qsort(files.v, files.n, sizeof *files.v, cmp_path);
    if (files.n == 0) {
        fprintf(stderr, "splitsim check: no scenario files (*.yaml, *.yml) found\n");
        free(files.v);
        return EXIT_USAGE;
    }
    sim_check_entry *entries = calloc(files.n, sizeof *entries);
    model_scenario **ss = calloc(files.n, sizeof *ss);
    sim_result **rs = calloc(files.n, sizeof *rs);
    sim_expect_result **xs = calloc(files.n, sizeof *xs);
    if (!entries || !ss || !rs || !xs)
        abort();
    size_t passed = 0, failed_n = 0;
    for (size_t i = 0; i < files.n; i++) {
        double t0 = seconds_now();
        size_t failed = 0;
        fflush(stdout); /* keep each scenario's messages after the line before it */
        int rc = simulate(files.v[i], o, &ss[i], &rs[i], &xs[i], &failed);
        entries[i] =
            (sim_check_entry){files.v[i], ss[i], rs[i], xs[i], failed, NULL, seconds_now() - t0};
        if (rc != 0) {
            entries[i].error = "invalid scenario, or routing splitsim does not simulate";
            printf("ERROR %s\n", files.v[i]);
            failed_n++;
            if (rc > worst)
                worst = rc;
            continue;
        }
        size_t n = ss[i]->n_expects;
        if (failed) {
            printf("FAIL  %s (%s): %zu of %zu expectations failed\n", files.v[i], ss[i]->name,
                   failed, n);
            for (size_t k = 0; k < n; k++)
                if (!xs[i][k].passed)
                    printf("      %s: %s\n", xs[i][k].expect->flow, xs[i][k].detail);
            failed_n++;
            if (worst == EXIT_OK)
                worst = EXIT_FAILED;
        } else {
            printf("PASS  %s (%s): %zu expectation%s\n", files.v[i], ss[i]->name, n,
                   n == 1 ? "" : "s");
            passed++;
        }
    }
    printf("%zu passed, %zu failed\n", passed, failed_n);
    if (o->junit) {
        sim_outfile out;
        if (sim_outfile_open(&out, o->junit) < 0 ||
            sim_report_junit(out.fp, entries, files.n) < 0 || sim_outfile_commit(&out) < 0) {
            fprintf(stderr, "splitsim check: cannot write %s: %s\n", o->junit, strerror(errno));
            if (out.fp)
                sim_outfile_abort(&out);
            worst = EXIT_INTERNAL;
        }
    }
    for (size_t i = 0; i < files.n; i++) {
        free(xs[i]);
        sim_result_free(rs[i]);
        model_scenario_free(ss[i]);
        free(files.v[i]);
    }
    free(entries);
    free(ss);
    free(rs);
    free(xs);
    free(files.v);
    return worst;
}

static const command commands[] = {
    {"run",
     "splitsim run FILE [--seed N] [--format text|json|csv] [--out FILE] [--quiet]\n"
     "                  [--kuma-version X.Y]",
     "Simulate one scenario: push its traffic through the resolved routing on a simulated\n"
     "clock, print the observed split against the configured weights (counts, shares, 95%\n"
     "Wilson intervals, chi-square), and check its `expect` entries. Exit 1 if one fails.\n",
     cmd_run, OPT_OUT | OPT_FORMAT | OPT_SEED | OPT_KUMA | OPT_QUIET},
    {"check", "splitsim check PATH... [--junit FILE] [--seed N] [--kuma-version X.Y] [--quiet]",
     "Run every scenario file given or found under the paths (recursively, *.yaml and\n"
     "*.yml): one line per scenario, then `N passed, N failed`. The CI regression mode.\n"
     "  --junit FILE   also write JUnit XML: a testsuite per scenario, a testcase per\n"
     "                 expectation\n",
     cmd_check, OPT_SEED | OPT_KUMA | OPT_QUIET | OPT_MANY | OPT_JUNIT},
    {"validate", "splitsim validate FILE... [--kuma-version X.Y] [--quiet]",
     "Parse and check scenario files and every Kuma resource they hold or include, the way\n"
     "Kuma would check them at apply time. Every problem is reported, not only the first.\n",
     cmd_validate, OPT_KUMA | OPT_QUIET | OPT_MANY | OPT_SEED},
    {"resolve",
     "splitsim resolve FILE [--from DP|SERVICE] [--to SERVICE] [--explain] [--all]\n"
     "                      [--format text|json] [--out FILE] [--kuma-version X.Y]",
     "Print the routing Kuma and Envoy would set up for each (source dataplane, destination)\n"
     "pair the scenario's traffic uses: route type, contributing policies in merge order,\n"
     "and the weighted clusters in Envoy's order. No simulation.\n"
     "  --from X       only source dataplane X (or every dataplane of service X)\n"
     "  --to S         only destination service S\n"
     "  --explain      add why: matched policies in merge order, the protocol decision,\n"
     "                 dropped backendRefs and the reason\n"
     "  --all          every sidecar against every service, not only the traffic's pairs\n",
     cmd_resolve,
     OPT_OUT | OPT_FORMAT | OPT_KUMA | OPT_QUIET | OPT_FROM | OPT_TO | OPT_EXPLAIN | OPT_ALL |
         OPT_SEED},
};

static const size_t n_commands = sizeof commands / sizeof commands[0];

static void usage(FILE *out)
{
    fprintf(out, "usage: splitsim COMMAND [options]\n\n"
                 "Deterministic simulator and test harness for weighted traffic splits in a\n"
                 "Kuma service mesh.\n\ncommands:\n");
    for (size_t i = 0; i < n_commands; i++)
        fprintf(out, "  %s\n", commands[i].usage);
    fprintf(out, "\ncommon options:\n"
                 "  --seed N            override the scenario's seed\n"
                 "  --format FMT        text (default), json or csv\n"
                 "  --out FILE          write the report to FILE (atomically)\n"
                 "  --quiet             no warnings or summary lines\n"
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

static int parse_args(const command *c, int argc, char **argv, options *o)
{
    o->files = calloc((size_t)argc + 1, sizeof *o->files);
    if (!o->files)
        abort();
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || !strcmp(arg, "-")) {
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
                return bad_usage(c, "%s needs text, json or csv", "--format");
            int f = sim_format_parse(v);
            if (f < 0)
                return bad_usage(c, "unknown format '%s' (use text, json or csv)", v);
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
        } else {
            return bad_usage(c, "unknown option '%s'", arg);
        }
#undef IS
    }
    if (o->n_files == 0)
        return bad_usage(c, "%s", "no scenario file given");
    if (o->n_files > 1 && !(c->flags & OPT_MANY))
        return bad_usage(c, "takes one scenario file, got %zu", o->n_files);
    return 0;
}

int main(int argc, char **argv)
{
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
        if (strcmp(argv[1], commands[i].name))
            continue;
        options o = {0};
        int rc = parse_args(&commands[i], argc, argv, &o);
        if (rc == 0)
            rc = commands[i].run(&o);
        else if (rc < 0)
            rc = EXIT_OK; /* --help */
        free(o.files);
        return rc;
    }
    fprintf(stderr, "splitsim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
