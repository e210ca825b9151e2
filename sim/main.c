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

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SPLITSIM_VERSION
#define SPLITSIM_VERSION "dev"
#endif

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

typedef struct options {
    const char *out;
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
    OPT_OUT = 1, OPT_FORMAT = 2, OPT_SEED = 4, OPT_KUMA = 8, OPT_QUIET = 16,
    OPT_FROM = 32, OPT_TO = 64, OPT_EXPLAIN = 128, OPT_ALL = 256, OPT_MANY = 512,
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
                   o->files[i], s->name, s->n_dataplanes, s->n_dataplanes == 1 ? "" : "s",
                   n_routes, n_routes == 1 ? "y" : "ies", s->n_flows, s->n_flows == 1 ? "" : "s",
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

static const command commands[] = {
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
     cmd_resolve, OPT_OUT | OPT_FORMAT | OPT_KUMA | OPT_QUIET | OPT_FROM | OPT_TO |
                      OPT_EXPLAIN | OPT_ALL | OPT_SEED},
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
                 "  --format FMT        text (default) or json\n"
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
