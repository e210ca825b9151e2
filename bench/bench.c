/*
 * bench.c - `make bench`: the whole simulator against minimal hand-written loops.
 *
 * W1: 50 M connections from one source, 90/10 MeshTCPRoute, no holds (even arrivals).
 * W2: 5 M connections, Poisson arrivals at 1000/s, exponential holds of mean 2 s, 90/10,
 *     active connections tracked.
 * Each simulator run is the full path a user takes: the scenario parsed from YAML, the
 * routing resolved, the run, the expectations and the JSON report (written to /dev/null).
 * Beside it the hand loop of bench/hand.c does the same work and the ratio is printed.
 * Peak memory is measured per run in a child process (wait4's rusage), with W2 at 5 M
 * and at 50 M connections to show that memory does not grow with the connection count.
 *
 * Usage: splitsim-bench [--quick]   (--quick: 10x fewer connections, for a smoke test)
 */
#define _DEFAULT_SOURCE /* wait4 */
#include "hand.h"
#include "model/load.h"
#include "sim/expect.h"
#include "sim/report.h"
#include "sim/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char scenario_fmt[] =
    "scenario: bench-%s\n"
    "seed: 42\n"
    "services:\n"
    "  - {name: client, protocol: tcp, instances: [{tags: {app: client}}]}\n"
    "  - name: backend\n"
    "    protocol: tcp\n"
    "    instances: [{tags: {version: v0}}, {tags: {version: v1}}]\n"
    "resources:\n"
    "  - type: MeshTCPRoute\n"
    "    name: split\n"
    "    mesh: default\n"
    "    spec:\n"
    "      targetRef: {kind: Mesh}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: backend}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshServiceSubset, name: backend, tags: {version: v0}, weight: 90}\n"
    "                  - {kind: MeshServiceSubset, name: backend, tags: {version: v1}, weight: 10}\n"
    "traffic:\n"
    "  - name: load\n"
    "    from: client\n"
    "    to: backend\n"
    "    connections: %llu\n"
    "%s"
    "expect:\n"
    "  - flow: load\n"
    "    split: {\"backend{version=v0}\": 90, \"backend{version=v1}\": 10}\n"
    "    tolerance: 1\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole simulator on workload `w` ("w1" or "w2") with `n` connections.  Returns the
 * count on v0, so the work cannot be optimised away. */
static uint64_t simulate(const char *w, uint64_t n)
{
    char yaml[4096];
    const char *traffic = !strcmp(w, "w1")
                              ? "    rate: 1000000/s\n    arrival: uniform\n"
                              : "    rate: 1000/s\n    hold: 2s\n";
    snprintf(yaml, sizeof yaml, scenario_fmt, w, (unsigned long long)n, traffic);
    model_errors *errs = model_errors_new();
    model_scenario *s = model_scenario_load_string("bench.yaml", yaml, strlen(yaml), NULL, errs);
    if (!s) {
        model_errors_print(errs, stderr);
        exit(3);
    }
    sim_result *r = sim_run(s, stderr, NULL, NULL);
    if (!r)
        exit(3);
    sim_expect_result *x = calloc(s->n_expects, sizeof *x);
    sim_expect_evaluate(r, x);
    FILE *null = fopen("/dev/null", "w");
    sim_report_run(null, SIM_FORMAT_JSON, r, x);
    fclose(null);
    uint64_t v0 = r->flows[0].windows[0].count[0];
    free(x);
    sim_result_free(r);
    model_scenario_free(s);
    model_errors_free(errs);
    return v0;
}

static uint64_t hand(const char *w, uint64_t n)
{
    uint64_t counts[HAND_BACKENDS] = {0}, peak[HAND_BACKENDS] = {0};
    if (!strcmp(w, "w1"))
        hand_w1(n, counts);
    else
        hand_w2(n, HAND_W2_RATE_PER_S, counts, peak);
    return counts[0];
}

typedef struct measure {
    double seconds;
    long rss_kib;
    uint64_t check;
} measure;

/* Runs one workload in a child process: its wall time and peak RSS alone. */
static measure in_child(uint64_t (*fn)(const char *, uint64_t), const char *w, uint64_t n)
{
    int fd[2];
    measure m = {0};
    if (pipe(fd) < 0)
        exit(3);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        double t0 = now_s();
        uint64_t c = fn(w, n);
        double dt = now_s() - t0;
        measure out = {dt, 0, c};
        if (write(fd[1], &out, sizeof out) != (ssize_t)sizeof out)
            _exit(3);
        _exit(0);
    }
    close(fd[1]);
    if (read(fd[0], &m, sizeof m) != (ssize_t)sizeof m)
        exit(3);
    close(fd[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    m.rss_kib = ru.ru_maxrss;
    return m;
}

static measure best_of(int runs, uint64_t (*fn)(const char *, uint64_t), const char *w, uint64_t n)
{
    measure best = {0};
    for (int i = 0; i < runs; i++) {
        measure m = in_child(fn, w, n);
        if (i == 0 || m.seconds < best.seconds)
            best = m;
    }
    return best;
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && !strcmp(argv[1], "--quick");
    uint64_t scale = quick ? 10 : 1;
    int runs = quick ? 1 : 3;
    uint64_t n1 = 50000000 / scale, n2 = 5000000 / scale;

    printf("splitsim benchmark (best of %d; each run in its own process)\n\n", runs);
    printf("%-44s %12s %14s %10s\n", "workload", "seconds", "connections/s", "peak RSS");
    measure s1 = best_of(runs, simulate, "w1", n1), h1 = best_of(runs, hand, "w1", n1);
    measure s2 = best_of(runs, simulate, "w2", n2), h2 = best_of(runs, hand, "w2", n2);
    measure s2x = best_of(1, simulate, "w2", n2 * 10);
    struct {
        const char *name;
        measure m;
        uint64_t n;
    } rows[] = {
        {"W1 splitsim (50M, 90/10, no holds)", s1, n1},
        {"W1 hand loop", h1, n1},
        {"W2 splitsim (5M, Poisson 1000/s, holds 2s)", s2, n2},
        {"W2 hand loop (binary heap)", h2, n2},
        {"W2 splitsim at 10x the connections", s2x, n2 * 10},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        printf("%-44s %12.3f %12.1f M %7.1f MiB\n", rows[i].name, rows[i].m.seconds,
               (double)rows[i].n / rows[i].m.seconds / 1e6, (double)rows[i].m.rss_kib / 1024);
    double r1 = h1.seconds / s1.seconds, r2 = h2.seconds / s2.seconds;
    printf("\nW1: splitsim runs at %.2fx the hand loop, %.1f M connections/s (target >= 100 M)\n",
           r1, (double)n1 / s1.seconds / 1e6);
    printf("W2: splitsim runs at %.2fx the hand loop (target >= 1.0x, aim 2x)\n", r2);
    printf("W2 memory: %.1f MiB at %lluM connections, %.1f MiB at %lluM\n",
           (double)s2.rss_kib / 1024, (unsigned long long)(n2 / 1000000),
           (double)s2x.rss_kib / 1024, (unsigned long long)(n2 * 10 / 1000000));
    /* The same split must come out of both, within sampling noise. */
    if (!s1.check || !s2.check || !h1.check || !h2.check)
        return 3;
    return 0;
}
