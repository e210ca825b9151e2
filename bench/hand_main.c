/*
 * bench/hand_main.c - times the baseline loops: one workload per process, so that the
 * peak RSS it prints belongs to that workload alone.
 *
 *   hand_bench w1 [N]              W1 hand loop (default N = 50,000,000)
 *   hand_bench w2 [N [RATE]]       W2 hand loop, binary heap (default 5,000,000 at 1000/s)
 *   hand_bench w2-engine [N [RATE]]  W2 with sim_engine in place of the heap
 *   hand_bench pcg32               prints PCG32(42, 54)'s first six outputs (docs/manual.md §3)
 *
 * Prints one line: workload, connections, seconds (CLOCK_MONOTONIC around the loop
 * alone), connections/s, peak RSS of the process (getrusage ru_maxrss, KiB), and the
 * results that keep the work alive and let runs be compared (counts per backend, peak
 * active per backend, the W2 order fingerprint).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine_w2.h"
#include "hand.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t parse_count(const char *s, const char *what)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v == 0) {
        fprintf(stderr, "hand_bench: %s: expected a positive integer, got \"%s\"\n", what, s);
        exit(2);
    }
    return (uint64_t)v;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss; /* KiB on Linux */
}

static int usage(void)
{
    fprintf(stderr, "usage: hand_bench w1|w2|w2-engine|pcg32 [N [RATE_PER_S]]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        return usage();
    }
    const char *w = argv[1];
    if (strcmp(w, "pcg32") == 0) {
        struct hand_pcg32 g;
        hand_pcg32_seed(&g, 42, 54);
        for (int i = 0; i < 6; i++) {
            printf("%08" PRIx32 "%s", hand_pcg32_next(&g), i < 5 ? " " : "\n");
        }
        return 0;
    }
    int is_w1 = strcmp(w, "w1") == 0;
    int is_w2 = strcmp(w, "w2") == 0;
    int is_w2e = strcmp(w, "w2-engine") == 0;
    if (!is_w1 && !is_w2 && !is_w2e) {
        return usage();
    }
    uint64_t n = argc > 2 ? parse_count(argv[2], "N") : is_w1 ? 50000000u : 5000000u;
    uint64_t rate = argc > 3 ? parse_count(argv[3], "RATE_PER_S") : HAND_W2_RATE_PER_S;
    if (is_w1 && argc > 3) {
        return usage();
    }

    uint64_t counts[HAND_BACKENDS] = {0}, peak[HAND_BACKENDS] = {0}, fp = 0;
    double t0 = now_seconds();
    if (is_w1) {
        hand_w1(n, counts);
    } else if (is_w2) {
        fp = hand_w2(n, rate, counts, peak);
    } else {
        fp = engine_w2(n, rate, counts, peak);
    }
    double secs = now_seconds() - t0;

    printf("%s n=%" PRIu64 " rate=%" PRIu64 "/s seconds=%.3f conn/s=%.0f rss_kib=%ld "
           "counts=%" PRIu64 ",%" PRIu64 " peak=%" PRIu64 ",%" PRIu64 " fp=%016" PRIx64 "\n",
           w, n, is_w1 ? 0 : rate, secs, (double)n / secs, peak_rss_kib(), counts[0], counts[1],
           peak[0], peak[1], fp);
    return 0;
}
