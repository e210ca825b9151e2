/*
 * test_run.c - scenarios simulated end to end with sim_run, against counts worked out here.
 *
 * The reference for the pick is a transcription of Envoy's walk (`r % total` over the
 * clusters in configuration order) driven by draws taken by hand from the flow's stream in
 * the order traffic.h documents; per-connection windows (one expectation window around
 * each arrival) show which backend each connection got.  The rest pins round-robin over
 * sources, the failure outcomes, peak_active, windows, stream independence, determinism
 * and that memory follows open connections, not simulated ones.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "model/node.h"
#include "sim/report.h"
#include "sim/rng.h"
#include "sim/stats.h"
#include "sim_fixture.h"

#define SEC UINT64_C(1000000000)

/* web-1 (zone a) splits api 50/30/20 over v1/v2/v3; web-2 (zone b) 10/90 over v1/v2. */
#define MESH_SPLIT                                                                                 \
    "services:\n"                                                                                  \
    "  - name: web\n"                                                                              \
    "    protocol: tcp\n"                                                                          \
    "    instances: [{tags: {zone: a}}, {tags: {zone: b}}]\n"                                      \
    "  - name: api\n"                                                                              \
    "    protocol: tcp\n"                                                                          \
    "    instances: [{tags: {version: v1}}, {tags: {version: v2}}, {tags: {version: v3}}]\n"       \
    "resources:\n"                                                                                 \
    "  - apiVersion: kuma.io/v1alpha1\n"                                                           \
    "    kind: MeshTCPRoute\n"                                                                     \
    "    metadata: {name: zone-a, namespace: kuma-system, labels: {kuma.io/mesh: default}}\n"      \
    "    spec:\n"                                                                                  \
    "      targetRef: {kind: MeshSubset, tags: {zone: a}}\n"                                       \
    "      to:\n"                                                                                  \
    "        - targetRef: {kind: MeshService, name: api}\n"                                        \
    "          rules:\n"                                                                           \
    "            - default:\n"                                                                     \
    "                backendRefs:\n"                                                               \
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1}, weight: 50}\n"  \
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 30}\n"  \
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v3}, weight: 20}\n"  \
    "  - apiVersion: kuma.io/v1alpha1\n"                                                           \
    "    kind: MeshTCPRoute\n"                                                                     \
    "    metadata: {name: zone-b, namespace: kuma-system, labels: {kuma.io/mesh: default}}\n"      \
    "    spec:\n"                                                                                  \
    "      targetRef: {kind: MeshSubset, tags: {zone: b}}\n"                                       \
    "      to:\n"                                                                                  \
    "        - targetRef: {kind: MeshService, name: api}\n"                                        \
    "          rules:\n"                                                                           \
    "            - default:\n"                                                                     \
    "                backendRefs:\n"                                                               \
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1}, weight: 10}\n"  \
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 90}\n"

static const char *const backend_names[] = {"api{version=v1}", "api{version=v2}",
                                            "api{version=v3}"};

/* The two sources' splits as the resolver should hand them to Envoy (web-1, web-2). */
static const uint32_t split_weights[2][3] = {{50, 30, 20}, {10, 90, 0}};
static const size_t split_n[2] = {3, 2};

/* Envoy's walk, transcribed (pick.h): the first cluster whose interval holds r % total. */
static int envoy_pick(const uint32_t *w, size_t n, uint64_t r)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    uint64_t selected = r % total, begin = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t end = begin + w[i];
        if (selected >= begin && selected < end)
            return (int)i;
        begin = end;
    }
    return -1;
}

enum draw { DRAW_PICK, DRAW_HOLD, DRAW_GAP };

typedef struct hand_conn {
    uint64_t at;
    int backend;
} hand_conn;

/* The MESH_SPLIT flow worked out by hand: sources web-1, web-2 in turn; per connection the
 * three draws in `order`; Poisson arrivals at 1/s from 0, exponential holds of 500 ms. */
static void hand_run(uint64_t seed, const char *flow, const enum draw order[3], size_t n,
                     hand_conn *out)
{
    sim_rng rng;
    sim_rng_seed_flow(&rng, seed, flow);
    uint64_t now = 0;
    double frac = 0;
    for (size_t i = 0; i < n; i++) {
        size_t src = i % 2;
        out[i].at = now;
        uint64_t gap = 0;
        for (int d = 0; d < 3; d++) {
            switch (order[d]) {
            case DRAW_PICK:
                out[i].backend = envoy_pick(split_weights[src], split_n[src], sim_rng_next64(&rng));
                break;
            case DRAW_HOLD:
                (void)sim_rng_exponential_ns(&rng, 500e6);
                break;
            case DRAW_GAP: { /* with the fraction carried, as traffic.h does */
                double x = sim_rng_exponential(&rng, 1e9) + frac;
                gap = (uint64_t)x;
                frac = x - (double)gap;
                break;
            }
            }
        }
        now += gap;
    }
}

static char *split_scenario(uint64_t seed, const char *traffic, const char *expect)
{
    return simfx_printf("scenario: t\nseed: %llu\n" MESH_SPLIT "traffic:\n%sexpect:\n%s",
                        (unsigned long long)seed, traffic, expect);
}

static const char split_flow[] = "  - {name: w, from: web, to: api, connections: %d, rate: 1/s,\n"
                                 "     hold: {exponential: 500ms}}\n";

/* The documented order: pick, hold, gap (traffic.h). */
static const enum draw documented[3] = {DRAW_PICK, DRAW_HOLD, DRAW_GAP};

Test(run, each_connection_gets_envoys_pick_in_the_documented_draw_order)
{
    const uint64_t seed = 11;
    hand_conn want[3];
    hand_run(seed, "w", documented, 3, want);

    /* One window of 1 ns around each arrival: its count says which backend it got. */
    char expect[1024] = "";
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(expect);
        snprintf(expect + len, sizeof expect - len,
                 "  - {flow: w, window: [%lluns, %lluns], failed: 0}\n",
                 (unsigned long long)want[i].at, (unsigned long long)want[i].at + 1);
    }
    char traffic[256];
    snprintf(traffic, sizeof traffic, split_flow, 3);
    char *yaml = split_scenario(seed, traffic, expect);
    model_scenario *s = simfx_load(yaml);
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = &r->flows[0];
    cr_assert_eq(f->windows[0].total, 3);
    for (int i = 0; i < 3; i++) {
        const sim_window *w = sim_flow_window(f, want[i].at, want[i].at + 1);
        cr_assert_not_null(w);
        cr_expect_eq(w->total, 1, "connection %d arrives at %llu ns", i,
                     (unsigned long long)want[i].at);
        cr_expect_eq(simfx_count(f, w, backend_names[want[i].backend]), 1,
                     "connection %d (from web-%d) goes to %s", i, i % 2 + 1,
                     backend_names[want[i].backend]);
    }

    /* The check can tell the orders apart: every other order of the three draws predicts
     * another arrival time or backend for one of these connections. */
    static const enum draw others[5][3] = {{DRAW_PICK, DRAW_GAP, DRAW_HOLD},
                                           {DRAW_HOLD, DRAW_PICK, DRAW_GAP},
                                           {DRAW_HOLD, DRAW_GAP, DRAW_PICK},
                                           {DRAW_GAP, DRAW_PICK, DRAW_HOLD},
                                           {DRAW_GAP, DRAW_HOLD, DRAW_PICK}};
    for (int k = 0; k < 5; k++) {
        hand_conn alt[3];
        hand_run(seed, "w", others[k], 3, alt);
        bool differs = false;
        for (int i = 0; i < 3; i++)
            differs |= alt[i].at != want[i].at || alt[i].backend != want[i].backend;
        cr_expect(differs, "order %d is indistinguishable", k);
    }
    /* ...and the backends are not all the same, so a wrong pick would show. */
    cr_expect(want[0].backend != want[1].backend || want[1].backend != want[2].backend ||
              want[0].backend != want[2].backend);

    simfx_free(r);
    model_scenario_free(s);
    free(yaml);
}

Test(run, counts_equal_the_hand_computation)
{
    enum { N = 2000 };
    const uint64_t seed = 3;
    static hand_conn want[N];
    hand_run(seed, "w", documented, N, want);
    uint64_t count[3] = {0};
    for (int i = 0; i < N; i++)
        count[want[i].backend]++;

    char traffic[256];
    snprintf(traffic, sizeof traffic, split_flow, N);
    char *yaml = split_scenario(seed, traffic, "  - {flow: w, failed: 0}\n");
    model_scenario *s = simfx_load(yaml);
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = &r->flows[0];
    cr_assert_eq(f->windows[0].total, N);
    for (int b = 0; b < 3; b++)
        cr_expect_eq(simfx_count(f, &f->windows[0], backend_names[b]), count[b], "%s: %llu",
                     backend_names[b], (unsigned long long)count[b]);
    cr_expect_eq(r->connections, N);
    cr_expect_eq(r->end_ns, want[N - 1].at, "the run ends at its last arrival");
    simfx_free(r);
    model_scenario_free(s);
    free(yaml);
}

/* Expected shares are the mean over the sources: v1 (50% + 10%) / 2 = 30%, v2 (30% + 90%)
 * / 2 = 60%, v3 (20% + 0%) / 2 = 10%; no shared weight, since the sources differ. */
Test(run, expected_shares_average_sources_that_resolve_differently)
{
    char traffic[256];
    snprintf(traffic, sizeof traffic, split_flow, 10);
    char *yaml = split_scenario(1, traffic, "  - {flow: w, failed: 0}\n");
    model_scenario *s = simfx_load(yaml);
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = &r->flows[0];
    cr_expect(f->plan->sources_differ);
    cr_assert_eq(f->plan->n_outcomes, 3);
    static const double want[3] = {0.30, 0.60, 0.10};
    for (int b = 0; b < 3; b++) {
        int o = simfx_outcome(f, backend_names[b]);
        cr_assert_geq(o, 0, "%s", backend_names[b]);
        cr_expect_float_eq(f->plan->outcomes[o].expected, want[b], 1e-12, "%s: %.17g", backend_names[b],
                           f->plan->outcomes[o].expected);
        cr_expect_not(f->plan->outcomes[o].has_weight, "%s", backend_names[b]);
        cr_expect_not(f->plan->outcomes[o].failed);
    }
    simfx_free(r);
    model_scenario_free(s);
    free(yaml);
}

/* web-1 routes everything to v1 (MeshSubset zone a), web-2 takes Kuma's default route to
 * api: which source a connection comes from decides its backend, whatever the draws. */
static const char rr_mesh[] =
    "scenario: rr\n"
    "services:\n"
    "  - {name: web, protocol: tcp, instances: [{tags: {zone: a}}, {tags: {zone: b}}]}\n"
    "  - {name: api, protocol: tcp, instances: [{tags: {version: v1}}, {tags: {version: v2}}]}\n"
    "resources:\n"
    "  - apiVersion: kuma.io/v1alpha1\n"
    "    kind: MeshTCPRoute\n"
    "    metadata: {name: a-to-v1, namespace: kuma-system, labels: {kuma.io/mesh: default}}\n"
    "    spec:\n"
    "      targetRef: {kind: MeshSubset, tags: {zone: a}}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: api}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1}}\n"
    "traffic:\n"
    "  - {name: w, from: web, to: api, connections: %d, rate: 1/s}\n";

Test(run, sources_take_turns)
{
    static const struct {
        int n;
        uint64_t v1, api;
    } cases[] = {{1, 1, 0}, {2, 1, 1}, {5, 3, 2}, {6, 3, 3}, {1001, 501, 500}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *yaml = simfx_printf(rr_mesh, cases[k].n);
        model_scenario *s = simfx_load(yaml);
        cr_assert_eq(s->flows[0].n_sources, 2);
        sim_result *r = simfx_run(s);
        const sim_flow_result *f = &r->flows[0];
        cr_expect_eq(simfx_count(f, &f->windows[0], "api{version=v1}"), cases[k].v1, "n = %d",
                     cases[k].n);
        cr_expect_eq(simfx_count(f, &f->windows[0], "api"), cases[k].api, "n = %d", cases[k].n);
        cr_expect(f->plan->sources_differ);
        simfx_free(r);
        model_scenario_free(s);
        free(yaml);
    }
}

/* ghost's route drops every backendRef (weight 0): the listener closes each connection.
 * api's splits half to a service nobody runs: those connections find no endpoint. */
static const char fail_mesh[] =
    "scenario: failures\n"
    "services:\n"
    "  - {name: web, protocol: tcp, instances: [{tags: {app: web}}]}\n"
    "  - {name: api, protocol: tcp, instances: [{tags: {version: v1}}]}\n"
    "  - {name: ghost, protocol: tcp, instances: [{tags: {version: v1}}]}\n"
    "resources:\n"
    "  - apiVersion: kuma.io/v1alpha1\n"
    "    kind: MeshTCPRoute\n"
    "    metadata: {name: routes, namespace: kuma-system, labels: {kuma.io/mesh: default}}\n"
    "    spec:\n"
    "      targetRef: {kind: Mesh}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: ghost}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshServiceSubset, name: ghost, tags: {version: v1}, weight: 0}\n"
    "                  - {kind: MeshService, name: api, weight: 0}\n"
    "        - targetRef: {kind: MeshService, name: api}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshService, name: api, weight: 1}\n"
    "                  - {kind: MeshService, name: nobody-runs-this, weight: 1}\n"
    "traffic:\n"
    "  - {name: to-ghost, from: web, to: ghost, connections: 40, rate: 1/s, arrival: uniform,\n"
    "     hold: {constant: 2500ms}}\n"
    "  - {name: to-api, from: web, to: api, connections: 4000, rate: 1/s, arrival: uniform,\n"
    "     hold: {constant: 2500ms}}\n";

Test(run, empty_split_closes_every_connection)
{
    model_scenario *s = simfx_load(fail_mesh);
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = &r->flows[0];
    cr_assert_str_eq(f->flow->name, "to-ghost");
    cr_assert_eq(f->plan->n_outcomes, 1);
    cr_expect_str_eq(f->plan->outcomes[0].name, SIM_OUTCOME_CLOSED);
    cr_expect(f->plan->outcomes[0].failed);
    cr_expect_float_eq(f->plan->outcomes[0].expected, 1.0, 1e-15);
    cr_expect_eq(f->windows[0].count[0], 40);
    cr_expect_eq(f->windows[0].held_ns[0], 0, "a closed connection is open for no time");
    cr_expect_eq(f->peak_active[0], 0, "a closed connection holds no active slot");
    simfx_free(r);
    model_scenario_free(s);
}

Test(run, backend_without_dataplanes_has_no_endpoints)
{
    model_scenario *s = simfx_load(fail_mesh);
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = &r->flows[1];
    cr_assert_str_eq(f->flow->name, "to-api");
    cr_assert_eq(f->plan->n_outcomes, 2);
    int ok = simfx_outcome(f, "api"), none = simfx_outcome(f, SIM_OUTCOME_NO_ENDPOINTS);
    cr_assert_geq(ok, 0);
    cr_assert_geq(none, 0);
    const sim_window *w = &f->windows[0];
    cr_expect(f->plan->outcomes[none].failed);
    cr_expect_not(f->plan->outcomes[ok].failed);
    cr_expect(f->plan->outcomes[none].has_weight);
    cr_expect_eq(f->plan->outcomes[none].weight, 1);
    cr_expect_float_eq(f->plan->outcomes[none].expected, 0.5, 1e-15);
    cr_expect_eq(w->count[ok] + w->count[none], 4000);
    cr_expect(w->count[none] > 1800 && w->count[none] < 2200, "%llu failed",
              (unsigned long long)w->count[none]);
    /* Failed connections are closed at once: no time open, no active slot. */
    cr_expect_eq(w->held_ns[none], 0);
    cr_expect_eq(f->peak_active[none], 0);
    cr_expect_eq(w->held_ns[ok], w->count[ok] * 2500000000);
    cr_expect_leq(f->peak_active[ok], 3);
    cr_expect_geq(f->peak_active[ok], 1);
    simfx_free(r);
    model_scenario_free(s);
}

Test(run, failed_connections_schedule_no_departure)
{
    /* Events are arrivals plus the departures processed before the last arrival.  Only
     * connections that stay open depart: of to-api's successful ones, all but those of
     * the last 2.5 s (at most three) have departed by then; the closed and no-endpoint
     * ones never had a departure to process. */
    model_scenario *s = simfx_load(fail_mesh);
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = &r->flows[1];
    int ok = simfx_outcome(f, "api");
    cr_assert_geq(ok, 0);
    uint64_t departed = r->events - r->connections, stayed = f->windows[0].count[ok];
    cr_expect_eq(r->connections, 4040);
    cr_expect(departed <= stayed && departed + 3 >= stayed, "%llu departures, %llu stayed open",
              (unsigned long long)departed, (unsigned long long)stayed);
    simfx_free(r);
    model_scenario_free(s);
}

static const char hold_mesh[] =
    "scenario: hold\n"
    "services:\n"
    "  - {name: web, protocol: tcp, instances: [{tags: {app: web}}]}\n"
    "  - {name: api, protocol: tcp, instances: [{tags: {app: api}}]}\n"
    "traffic:\n"
    "  - {name: w, from: web, to: api, connections: %llu, rate: %s, arrival: uniform,\n"
    "     hold: {constant: %s}}\n";

static uint64_t peak_of(unsigned long long n, const char *rate, const char *hold)
{
    char *yaml = simfx_printf(hold_mesh, n, rate, hold);
    model_scenario *s = simfx_load(yaml);
    sim_result *r = simfx_run(s);
    cr_assert_eq(r->flows[0].plan->n_outcomes, 1);
    uint64_t peak = r->flows[0].peak_active[0];
    simfx_free(r);
    model_scenario_free(s);
    free(yaml);
    return peak;
}

Test(run, peak_active_with_constant_holds)
{
    cr_expect_eq(peak_of(10, "1/s", "2500ms"), 3);
    /* A departure at the same time as an arrival was scheduled first, so it goes first
     * (time, then sequence): 2 s holds at 1/s never overlap three at once. */
    cr_expect_eq(peak_of(10, "1/s", "2s"), 2);
    cr_expect_eq(peak_of(10, "1/s", "2000000001ns"), 3);
    cr_expect_eq(peak_of(10, "1/s", "999ms"), 1);
    cr_expect_eq(peak_of(2, "1/s", "1h"), 2);
    cr_expect_eq(peak_of(1000, "3/s", "1s"), 3);
}

static const char window_mesh[] =
    "scenario: windows\n"
    "services:\n"
    "  - {name: web, protocol: tcp, instances: [{tags: {app: web}}]}\n"
    "  - {name: api, protocol: tcp, instances: [{tags: {app: api}}]}\n"
    "traffic:\n"
    "  - {name: w, from: web, to: api, connections: 10, rate: 1/s, arrival: uniform,\n"
    "     hold: {constant: 1500ms}}\n"
    "  - {name: other, from: web, to: api, connections: 10, rate: 1/s, arrival: uniform,\n"
    "     start: 2s}\n"
    "expect:\n"
    "  - {flow: w, window: [2s, 5s], failed: 0}\n"
    "  - {flow: w, window: [2s, 5001ms], failed: 0}\n"
    "  - {flow: w, window: [2s, 5s], route: MeshTCPRoute}\n"
    "  - {flow: w, window: [9s, 1h], failed: 0}\n"
    "  - {flow: w, window: [10s, 1h], failed: 0}\n"
    "  - {flow: other, window: [0s, 3s], failed: 0}\n";

Test(run, connection_time_of_million_hour_holds_does_not_wrap)
{
    /* Holds of 10^6 h (3.6e18 ns): five of them pass 2^64.  With constant holds every
     * connection is open as long as any other, so the active share is the count share. */
    model_scenario *s = simfx_load("scenario: t\n" MESH_SPLIT
                                   "traffic:\n"
                                   "  - {name: w, from: web, to: api, connections: 1000, rate: 10/s,\n"
                                   "     hold: {constant: 1000000h}}\n");
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = &r->flows[0];
    const sim_window *w = &f->windows[0];
    for (size_t o = 0; o < f->plan->n_outcomes; o++) {
        cr_expect_eq(w->held_ns[o], (sim_u128)w->count[o] * 3600000000000000000ULL);
        double count_share = (double)w->count[o] / (double)w->total;
        cr_expect_float_eq(sim_window_active_share(w, f->plan->n_outcomes, o), count_share, 1e-12,
                           "%s", f->plan->outcomes[o].name);
    }
    simfx_free(r);
    model_scenario_free(s);
}

Test(run, windows_count_arrivals_in_start_to_end)
{
    model_scenario *s = simfx_load(window_mesh);
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = &r->flows[0];
    /* The whole run, then one window per distinct expectation window of this flow. */
    cr_expect_eq(f->n_windows, 5);
    cr_expect_eq(f->windows[0].total, 10);
    cr_expect_eq(f->windows[0].start_ns, 0);
    cr_expect_eq(f->windows[0].end_ns, 9 * SEC + 1, "without stop, after the last arrival");

    const sim_window *w = sim_flow_window(f, 2 * SEC, 5 * SEC);
    cr_assert_not_null(w);
    cr_expect_eq(w->total, 3, "arrivals at 2, 3, 4 s: the start counts, the end does not");
    cr_expect_eq(w->count[0], 3);
    cr_expect_eq(w->held_ns[0], 3 * 1500000000ULL);
    w = sim_flow_window(f, 2 * SEC, 5001 * SEC / 1000);
    cr_assert_not_null(w);
    cr_expect_eq(w->total, 4);
    w = sim_flow_window(f, 9 * SEC, 3600 * SEC);
    cr_assert_not_null(w);
    cr_expect_eq(w->total, 1);
    w = sim_flow_window(f, 10 * SEC, 3600 * SEC);
    cr_assert_not_null(w);
    cr_expect_eq(w->total, 0);
    cr_expect_null(sim_flow_window(f, 0, 3 * SEC), "that window is the other flow's");

    const sim_flow_result *o = &r->flows[1];
    cr_expect_eq(o->n_windows, 2);
    cr_expect_eq(o->windows[0].start_ns, 2 * SEC, "the whole run starts at the flow's start");
    w = sim_flow_window(o, 0, 3 * SEC);
    cr_assert_not_null(w);
    cr_expect_eq(w->total, 1, "the other flow starts at 2 s");
    simfx_free(r);
    model_scenario_free(s);
}

Test(run, stop_ends_the_whole_run_window)
{
    static const char yaml[] =
        "scenario: stop\n"
        "services:\n"
        "  - {name: web, protocol: tcp, instances: [{tags: {app: web}}]}\n"
        "  - {name: api, protocol: tcp, instances: [{tags: {app: api}}]}\n"
        "traffic:\n"
        "  - {name: w, from: web, to: api, rate: 10/s, arrival: uniform, start: 1s, stop: 3s}\n";
    model_scenario *s = simfx_load(yaml);
    sim_result *r = simfx_run(s);
    const sim_window *w = &r->flows[0].windows[0];
    cr_expect_eq(w->total, 20);
    cr_expect_eq(w->start_ns, SEC);
    cr_expect_eq(w->end_ns, 3 * SEC);
    cr_expect_eq(r->end_ns, 2900 * SEC / 1000);
    simfx_free(r);
    model_scenario_free(s);
}

/* The split flow `w`, optionally called something else, optionally after another flow. */
static char *independence_scenario(const char *name, bool with_other)
{
    char traffic[512];
    snprintf(traffic, sizeof traffic,
             "%s  - {name: %s, from: web, to: api, connections: 3000, rate: 100/s,\n"
             "     hold: {exponential: 2s}}\n",
             with_other ? "  - {name: first, from: web, to: api, connections: 5000,\n"
                          "     rate: 300/s, hold: 1s}\n"
                        : "",
             name);
    char expect[64];
    snprintf(expect, sizeof expect, "  - {flow: %s, failed: 0}\n", name);
    return split_scenario(42, traffic, expect);
}

static void counts_of(const char *yaml, const char *flow, uint64_t out[3])
{
    model_scenario *s = simfx_load(yaml);
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = NULL;
    for (size_t i = 0; i < r->n_flows; i++)
        if (!strcmp(r->flows[i].flow->name, flow))
            f = &r->flows[i];
    cr_assert_not_null(f);
    for (int b = 0; b < 3; b++)
        out[b] = simfx_count(f, &f->windows[0], backend_names[b]);
    simfx_free(r);
    model_scenario_free(s);
}

Test(run, a_flows_draws_do_not_depend_on_other_flows)
{
    char *alone = independence_scenario("w", false);
    char *with = independence_scenario("w", true);
    uint64_t a[3], b[3];
    counts_of(alone, "w", a);
    counts_of(with, "w", b);
    for (int k = 0; k < 3; k++)
        cr_expect_eq(a[k], b[k], "%s: %llu alone, %llu after another flow", backend_names[k],
                     (unsigned long long)a[k], (unsigned long long)b[k]);
    free(alone);
    free(with);
}

Test(run, renaming_a_flow_changes_its_stream)
{
    char *w = independence_scenario("w", false);
    char *renamed = independence_scenario("w2", false);
    uint64_t a[3], b[3];
    counts_of(w, "w", a);
    counts_of(renamed, "w2", b);
    cr_expect_eq(a[0] + a[1] + a[2], b[0] + b[1] + b[2]);
    cr_expect(a[0] != b[0] || a[1] != b[1] || a[2] != b[2], "same counts under another name");
    free(w);
    free(renamed);
}

/* The JSON report of `yaml` run with `opts`; malloc'd. */
static char *json_report(const char *yaml, const model_load_options *opts)
{
    model_scenario *s = simfx_load_opts(yaml, opts);
    sim_result *r = simfx_run(s);
    sim_expect_result *x = calloc(s->n_expects + 1, sizeof *x);
    cr_assert_not_null(x);
    sim_expect_evaluate(r, x);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_not_null(out);
    cr_assert_eq(sim_report_run(out, SIM_FORMAT_JSON, r, x), 0);
    fclose(out);
    free(x);
    simfx_free(r);
    model_scenario_free(s);
    return buf;
}

Test(run, same_seed_same_bytes)
{
    char *yaml = independence_scenario("w", true);
    char *a = json_report(yaml, NULL);
    char *b = json_report(yaml, NULL);
    cr_expect_str_eq(a, b);
    cr_expect(strstr(a, "\"count\": ") != NULL);

    /* --seed overrides the scenario's and changes the draws. */
    model_load_options opts = {.has_seed = true, .seed = 43};
    char *c = json_report(yaml, &opts);
    cr_expect_str_neq(a, c);
    cr_expect(strstr(c, "\"seed\": 43,") != NULL);
    free(a);
    free(b);
    free(c);
    free(yaml);
}

static long max_rss_kib(void)
{
    struct rusage ru;
    cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

static sim_result *run_hold_mesh(model_scenario **s, unsigned long long n)
{
    char *yaml = simfx_printf(hold_mesh, n, "1000/s", "2500ms");
    *s = simfx_load(yaml);
    free(yaml);
    return simfx_run(*s);
}

Test(run, memory_follows_open_connections_not_simulated_ones)
{
    /* 1000/s with 2.5 s constant holds: 2500 connections open at any time, whether the run
     * simulates 10^5 or 10^6 of them.  Every departure due up to the last arrival is
     * processed: N - 2500 of them. */
    model_scenario *s;
    sim_result *r = run_hold_mesh(&s, 100000);
    cr_expect_eq(r->flows[0].peak_active[0], 2500);
    cr_expect_eq(r->events, 2 * 100000 - 2500);
    simfx_free(r);
    model_scenario_free(s);
    long before = max_rss_kib();

    r = run_hold_mesh(&s, 1000000);
    cr_expect_eq(r->flows[0].peak_active[0], 2500);
    cr_expect_eq(r->events, 2 * 1000000 - 2500);
    cr_expect_eq(r->connections, 1000000);
    simfx_free(r);
    model_scenario_free(s);
    /* Ten times the connections, the same peak: the process may not grow by anything
     * near 900000 events' worth (tens of MB); allow 4 MB of noise. */
    long grew = max_rss_kib() - before;
    cr_expect_lt(grew, 4096, "max RSS grew by %ld KiB", grew);
}

/* Pathological size under a time box: 4,000 source replicas and 8,000 backend endpoints.
 * Alike sources share one resolution and one pick table; resolving each source and
 * keeping a weight table per source once took tens of seconds and hundreds of MB. */
Test(run, thousands_of_alike_sources_share_one_resolution, .timeout = 10)
{
    static const char yaml[] =
        "scenario: many-sources\n"
        "services:\n"
        "  - {name: web, protocol: tcp, instances: [{tags: {app: web}, count: 4000}]}\n"
        "  - name: api\n"
        "    protocol: tcp\n"
        "    instances: [{tags: {version: v1}, count: 6000}, {tags: {version: v2}, count: 2000}]\n"
        "resources:\n"
        "  - type: MeshTCPRoute\n"
        "    name: split\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: Mesh}\n"
        "      to:\n"
        "        - targetRef: {kind: MeshService, name: api}\n"
        "          rules:\n"
        "            - default:\n"
        "                backendRefs:\n"
        "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1}, weight: 3}\n"
        "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 1}\n"
        "traffic:\n"
        "  - {name: w, from: web, to: api, connections: 8000, rate: 100/s}\n";
    model_scenario *s = simfx_load(yaml);
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = &r->flows[0];
    cr_assert_eq(f->flow->n_sources, 4000);
    cr_expect_not(f->plan->sources_differ);
    cr_assert_eq(f->plan->n_outcomes, 2);
    cr_expect_eq(f->plan->resolutions[0]->clusters[0].endpoints, 6000);
    cr_expect_eq(f->plan->resolutions[0]->clusters[1].endpoints, 2000);
    cr_expect(f->plan->resolutions[0] == f->plan->resolutions[3999], "alike sources share the resolution");
    cr_expect_eq(f->plan->outcomes[0].expected, 0.75);
    cr_expect_eq(f->windows[0].total, 8000);
    simfx_free(r);
    model_scenario_free(s);
}

/* ---- HTTP: requests pick per request --------------------------------------------------- */

/* web -> api (http): /api goes 70/30 to v1/v2 and is mirrored half to v2; /old redirects;
 * everything else takes Kuma's catch-all to api. */
#define MESH_HTTP                                                                                  \
    "services:\n"                                                                                  \
    "  - {name: web, protocol: http, instances: [{tags: {app: web}}]}\n"                           \
    "  - name: api\n"                                                                              \
    "    protocol: http\n"                                                                         \
    "    instances: [{tags: {version: v1}}, {tags: {version: v2}}]\n"                              \
    "resources:\n"                                                                                 \
    "  - type: MeshHTTPRoute\n"                                                                    \
    "    name: r\n"                                                                                \
    "    mesh: default\n"                                                                          \
    "    spec:\n"                                                                                  \
    "      targetRef: {kind: Mesh}\n"                                                              \
    "      to:\n"                                                                                  \
    "        - targetRef: {kind: MeshService, name: api}\n"                                        \
    "          rules:\n"                                                                           \
    "            - matches: [{path: {type: PathPrefix, value: /api}}]\n"                           \
    "              default:\n"                                                                     \
    "                backendRefs:\n"                                                               \
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1}, weight: 70}\n"  \
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 30}\n"  \
    "                filters: [{type: RequestMirror, requestMirror: {backendRef: {kind: "          \
    "MeshServiceSubset, name: api, tags: {version: v2}}, percentage: \"50\"}}]\n"                  \
    "            - matches: [{path: {type: Exact, value: /old}}]\n"                                \
    "              default: {filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]}\n"

static const char http_requests[] =
    "    requests: [{path: /api/a, weight: 5}, {path: /old, weight: 2}, {path: /x, weight: 3}]\n";

/* The flow of MESH_HTTP by hand: per connection, `rpc` requests, each a request draw
 * (weights 5/2/3) then a cluster draw (even for a redirect); then the gap (Poisson 1/s;
 * no hold, so no hold draw). */
static void hand_http(uint64_t seed, size_t conns, uint32_t rpc, uint64_t out[4])
{
    static const uint32_t req_w[] = {5, 2, 3}, api_w[] = {70, 30};
    sim_rng rng;
    sim_rng_seed_flow(&rng, seed, "w");
    double frac = 0;
    for (size_t i = 0; i < conns; i++) {
        for (uint32_t k = 0; k < rpc; k++) {
            int t = envoy_pick(req_w, 3, sim_rng_next64(&rng));
            uint64_t draw = sim_rng_next64(&rng);
            if (t == 0)
                out[envoy_pick(api_w, 2, draw)]++; /* v1, v2 */
            else if (t == 1)
                out[2]++; /* <redirect> */
            else
                out[3]++; /* api, by the catch-all */
        }
        double x = sim_rng_exponential(&rng, 1e9) + frac;
        frac = x - (double)(uint64_t)x;
    }
}

static sim_result *http_run(uint64_t seed, const char *extra, model_scenario **s, char **yaml)
{
    *yaml = simfx_printf("scenario: t\nseed: %llu\n" MESH_HTTP
                         "traffic:\n  - name: w\n    from: web\n    to: api\n    rate: 1/s\n%s%s",
                         (unsigned long long)seed, http_requests, extra);
    *s = simfx_load(*yaml);
    return simfx_run(*s);
}

Test(run, http_requests_pick_per_request_in_the_documented_draw_order)
{
    enum { N = 3000, RPC = 3 };
    uint64_t want[4] = {0};
    hand_http(11, N, RPC, want);
    model_scenario *s;
    char *yaml;
    sim_result *r = http_run(11, "    connections: 3000\n    requests_per_connection: 3\n", &s, &yaml);
    const sim_flow_result *f = &r->flows[0];
    const sim_window *w = &f->windows[0];
    cr_expect(f->plan->per_request);
    cr_expect_eq(w->connections, N);
    cr_expect_eq(w->total, (uint64_t)N * RPC, "the unit is the request");
    cr_expect_eq(simfx_count(f, w, "api{version=v1}"), want[0]);
    cr_expect_eq(simfx_count(f, w, "api{version=v2}"), want[1]);
    cr_expect_eq(simfx_count(f, w, SIM_OUTCOME_REDIRECT), want[2]);
    cr_expect_eq(simfx_count(f, w, "api"), want[3]);
    simfx_free(r);
    model_scenario_free(s);
    free(yaml);
}

Test(run, http_route_counts_add_up_and_mirrors_stay_apart)
{
    model_scenario *s;
    char *yaml;
    sim_result *r = http_run(5, "    connections: 20000\n", &s, &yaml);
    const sim_flow_result *f = &r->flows[0];
    const sim_flow_plan *fp = f->plan;
    const sim_window *w = &f->windows[0];
    cr_assert_eq(fp->n_slots, 3, "PathPrefix /api, Exact /old (sorted first), the catch-all");
    uint64_t sum = 0;
    for (size_t k = 0; k < fp->n_slots; k++) {
        uint64_t in_slot = 0;
        for (size_t o = 0; o < fp->n_outcomes; o++)
            in_slot += w->slot_count[k * fp->n_outcomes + o];
        cr_expect_eq(in_slot, w->slot_total[k], "slot %zu", k);
        sum += w->slot_total[k];
    }
    cr_expect_eq(sum, w->total, "every request took a route");
    /* The mirror: half of /api's requests, counted apart; the split is untouched. */
    cr_assert_eq(fp->n_mirrors, 1);
    cr_expect_str_eq(fp->mirrors[0], "api{version=v2}");
    uint64_t n = 0;
    for (size_t k = 0; k < fp->n_slots; k++)
        if (fp->slots[k].match && !strcmp(model_node_get(model_node_get(fp->slots[k].match, "path"),
                                                         "value")->text, "/api"))
            n = w->slot_total[k];
    cr_assert_gt(n, 9000);
    double sd = sqrt((double)n * 0.25);
    cr_expect_lt(fabs((double)w->mirrored[0] - 0.5 * (double)n), 5 * sd, "mirrored %llu of %llu",
                 (unsigned long long)w->mirrored[0], (unsigned long long)n);
    cr_expect_float_eq(fp->mirror_expected[0], 0.5 * 0.5, 1e-12, "copies per request");
    /* Expected shares: 50% of requests to /api (70/30), 20% redirected, 30% the catch-all. */
    cr_expect_float_eq(fp->outcomes[simfx_outcome(f, "api{version=v1}")].expected, 0.35, 1e-12);
    cr_expect_float_eq(fp->outcomes[simfx_outcome(f, SIM_OUTCOME_REDIRECT)].expected, 0.2, 1e-12);
    cr_expect_float_eq(fp->outcomes[simfx_outcome(f, "api")].expected, 0.3, 1e-12);
    simfx_free(r);
    model_scenario_free(s);
    free(yaml);
}

Test(run, http_request_split_passes_the_chi_square_test)
{
    /* 200,000 requests over 50,000 connections: the observed per-request split of /api
     * fits 70/30 (each request is an independent pick, unlike requests riding a TCP
     * connection).  The seed is fixed, so this is no flaky test: it pins that the draws
     * are spread as they should be. */
    model_scenario *s;
    char *yaml;
    sim_result *r = http_run(7, "    connections: 50000\n    requests_per_connection: 4\n", &s,
                             &yaml);
    const sim_flow_result *f = &r->flows[0];
    const sim_window *w = &f->windows[0];
    uint64_t obs[2] = {simfx_count(f, w, "api{version=v1}"), simfx_count(f, w, "api{version=v2}")};
    double exp[2] = {0.7, 0.3};
    sim_stats_chi2 chi;
    cr_assert_eq(sim_stats_chi2_gof(obs, exp, 2, &chi), 0);
    cr_expect_gt(chi.p_value, 0.001, "chi2 %g, p %g", chi.statistic, chi.p_value);
    simfx_free(r);
    model_scenario_free(s);
    free(yaml);
}

Test(run, requests_over_a_tcp_route_count_their_connections)
{
    /* MeshTCPRoute on an HTTP destination: one pick per connection, whatever its
     * requests; the window counts connections. */
    char *yaml = simfx_printf("scenario: t\n" MESH_SPLIT "traffic:\n"
                              "  - {name: w, from: {service: web, tags: {zone: a}}, to: api, "
                              "connections: 500, requests_per_connection: 8}\n");
    model_scenario *s = simfx_load(yaml);
    sim_result *r = simfx_run(s);
    const sim_flow_result *f = &r->flows[0];
    cr_expect_not(f->plan->per_request);
    cr_expect_eq(f->windows[0].total, 500);
    cr_expect_eq(f->windows[0].connections, 500);
    simfx_free(r);
    model_scenario_free(s);
    free(yaml);
}
