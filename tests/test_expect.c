/*
 * test_expect.c - expectations decided from counts: tolerance edges exactly, chi-square at
 * a confidence, too few connections to test, failure shares, route and policy checks.
 *
 * Each test simulates a small scenario for its routing (outcomes, policies), then writes
 * the counts it needs into the result's window: the verdict is a function of those counts,
 * and integer-exact counts put the edges of a tolerance exactly where the test wants them.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim_fixture.h"

#define V1 "api{version=v1}"
#define V2 "api{version=v2}"

/* Flow `w` (index 0): web -> api, 90/10 by MeshTCPRoute `canary`.  Flow `p` (index 1):
 * web -> pay, half of it to a service nobody runs.  `web2` (index 2): two sources, routed
 * to api by different MeshTCPRoutes.  `web2-pay` (index 3): the same two sources, one
 * routed to pay by `canary`, the other left with no backend (route none). */
static const char mesh[] =
    "scenario: expectations\n"
    "services:\n"
    "  - {name: web, protocol: tcp, instances: [{tags: {app: web}}]}\n"
    "  - {name: web2, protocol: tcp, instances: [{tags: {zone: a}}, {tags: {zone: b}}]}\n"
    "  - {name: api, protocol: tcp, instances: [{tags: {version: v1}}, {tags: {version: v2}}]}\n"
    "  - {name: pay, protocol: tcp, instances: [{tags: {app: pay}}]}\n"
    "resources:\n"
    "  - apiVersion: kuma.io/v1alpha1\n"
    "    kind: MeshTCPRoute\n"
    "    metadata: {name: canary, namespace: kuma-system, labels: {kuma.io/mesh: default}}\n"
    "    spec:\n"
    "      targetRef: {kind: Mesh}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: api}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1}, weight: 90}\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 10}\n"
    "        - targetRef: {kind: MeshService, name: pay}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshService, name: pay, weight: 1}\n"
    "                  - {kind: MeshService, name: nobody-runs-this, weight: 1}\n"
    "  - apiVersion: kuma.io/v1alpha1\n"
    "    kind: MeshTCPRoute\n"
    "    metadata: {name: zone-b, namespace: kuma-system, labels: {kuma.io/mesh: default}}\n"
    "    spec:\n"
    "      targetRef: {kind: MeshSubset, tags: {zone: b}}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: api}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1}, weight: 50}\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 50}\n"
    "        - targetRef: {kind: MeshService, name: pay}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshService, name: pay, weight: 0}\n"
    "traffic:\n"
    "  - {name: w, from: web, to: api, connections: 10, rate: 1/s}\n"
    "  - {name: p, from: web, to: pay, connections: 10, rate: 1/s}\n"
    "  - {name: web2, from: web2, to: api, connections: 10, rate: 1/s}\n"
    "  - {name: web2-pay, from: web2, to: pay, connections: 10, rate: 1/s}\n"
    "expect:\n"
    "  - %s\n";

/* One expectation, simulated: the scenario and its run. */
typedef struct fixture {
    char *yaml;
    model_scenario *s;
    sim_result *r;
    sim_expect_result x;
} fixture;

static void setup(fixture *fx, const char *expect)
{
    fx->yaml = simfx_printf(mesh, expect);
    fx->s = simfx_load(fx->yaml);
    cr_assert_eq(fx->s->n_expects, 1);
    fx->r = simfx_run(fx->s);
}

static void teardown(fixture *fx)
{
    simfx_free(fx->r);
    model_scenario_free(fx->s);
    free(fx->yaml);
}

/* Replaces the counts of the window the expectation reads: outcome `names[i]` gets
 * `counts[i]`, every other outcome 0. */
static void set_counts(fixture *fx, const char *const *names, const uint64_t *counts, size_t n)
{
    const model_expect *e = &fx->s->expects[0];
    sim_flow_result *f = &fx->r->flows[e->flow_index];
    sim_window *w =
        (sim_window *)(e->has_window ? sim_flow_window(f, e->window_start_ns, e->window_end_ns)
                                     : &f->windows[0]);
    cr_assert_not_null(w);
    w->total = 0;
    for (size_t o = 0; o < f->plan->n_outcomes; o++)
        w->count[o] = 0;
    for (size_t i = 0; i < n; i++) {
        int o = simfx_outcome(f, names[i]);
        cr_assert_geq(o, 0, "no outcome %s", names[i]);
        w->count[o] = counts[i];
        w->total += counts[i];
    }
}

/* Evaluates the one expectation with outcome counts `a` and `b` for the two names. */
static bool verdict2(fixture *fx, const char *na, uint64_t a, const char *nb, uint64_t b)
{
    const char *names[2] = {na, nb};
    uint64_t counts[2] = {a, b};
    set_counts(fx, names, counts, 2);
    size_t failed = sim_expect_evaluate(fx->r, &fx->x);
    cr_assert_eq(failed, fx->x.passed ? 0 : 1, "the return counts the failures");
    cr_assert_eq(fx->x.expect, &fx->s->expects[0]);
    return fx->x.passed;
}

static bool split(fixture *fx, uint64_t v1, uint64_t v2)
{
    return verdict2(fx, V1, v1, V2, v2);
}

static bool failures(fixture *fx, uint64_t ok, uint64_t failed)
{
    return verdict2(fx, "pay", ok, SIM_OUTCOME_NO_ENDPOINTS, failed);
}

#define EXPECT_DETAIL(fx, part)                                                                    \
    cr_expect(strstr((fx)->x.detail, (part)) != NULL, "detail \"%s\" lacks \"%s\"",                \
              (fx)->x.detail, (part))

Test(expect, tolerance_edges_are_exact)
{
    fixture fx;
    setup(&fx, "{flow: w, split: {\"" V1 "\": 90, \"" V2 "\": 10}, tolerance: 1}");
    /* 10000 connections, 90 +- 1: 8900 .. 9100 on v1 pass, one more either way fails. */
    cr_expect(split(&fx, 9100, 900), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, V1 " 91.000% (expected 90.000% +- 1.000) ok");
    cr_expect(split(&fx, 8900, 1100), "%s", fx.x.detail);
    cr_expect(split(&fx, 9000, 1000), "%s", fx.x.detail);
    cr_expect_not(split(&fx, 9101, 899), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, V1 " 91.010% (expected 90.000% +- 1.000) OUT");
    EXPECT_DETAIL(&fx, V2 " 8.990% (expected 10.000% +- 1.000) OUT");
    cr_expect_not(split(&fx, 8899, 1101), "%s", fx.x.detail);
    /* The same edge at another scale: 100 of 1000 is 10% exactly, 101 is out by 0.1. */
    cr_expect(split(&fx, 910, 90));
    cr_expect_not(split(&fx, 911, 89));
    teardown(&fx);
}

Test(expect, fractional_and_zero_tolerances_are_exact)
{
    fixture fx;
    setup(&fx, "{flow: w, split: {\"" V1 "\": 90, \"" V2 "\": 10}, tolerance: 0.5}");
    cr_expect(split(&fx, 9050, 950), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "+- 0.500) ok");
    cr_expect(split(&fx, 8950, 1050));
    cr_expect_not(split(&fx, 9051, 949));
    cr_expect_not(split(&fx, 8949, 1051));
    teardown(&fx);

    setup(&fx, "{flow: w, split: {\"" V1 "\": 90, \"" V2 "\": 10}, tolerance: 0}");
    cr_expect(split(&fx, 9000, 1000), "%s", fx.x.detail);
    cr_expect(split(&fx, 900000000, 100000000));
    cr_expect_not(split(&fx, 900000001, 99999999), "1 in 10^9 off is off");
    teardown(&fx);

    /* Shares with decimals: 2 of 3 is 66.666..%; 66.667 +- 0.001 holds it, 66.668 not. */
    setup(&fx, "{flow: w, split: {\"" V1 "\": 66.667, \"" V2 "\": 33.333}, tolerance: 0.001}");
    cr_expect(split(&fx, 2, 1), "%s", fx.x.detail);
    teardown(&fx);
    setup(&fx, "{flow: w, split: {\"" V1 "\": 66.668, \"" V2 "\": 33.332}, tolerance: 0.001}");
    cr_expect_not(split(&fx, 2, 1), "%s", fx.x.detail);
    teardown(&fx);
}

Test(expect, confidence_check_passes_and_fails)
{
    fixture fx;
    setup(&fx, "{flow: w, split: {\"" V1 "\": 90, \"" V2 "\": 10}, confidence: 0.95}");
    cr_expect(split(&fx, 9000, 1000), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "chi2 = 0.0000, df = 1, p = 1.000 >= 0.05 (confidence 0.95)");
    EXPECT_DETAIL(&fx, V1 " 90.000% (expected 90.000%)");
    /* 9000 + d on v1: chi2 = d^2 / 9000 + d^2 / 1000; the 95% critical value for df 1 is
     * 3.841: d = 58 gives 3.738 (holds), d = 59 gives 3.868 (rejected). */
    cr_expect(split(&fx, 9058, 942), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "chi2 = 3.7378");
    cr_expect_not(split(&fx, 9059, 941), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "chi2 = 3.8678, df = 1, p = ");
    EXPECT_DETAIL(&fx, " < 0.05 (confidence 0.95)");
    cr_expect_not(split(&fx, 9300, 700), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "chi2 = 100.0000");
    teardown(&fx);
}

Test(expect, split_without_tolerance_is_chi_square_at_99_9)
{
    fixture fx;
    setup(&fx, "{flow: w, split: {\"" V1 "\": 90, \"" V2 "\": 10}}");
    /* The 99.9% critical value for df 1 is 10.83: d = 98 gives 10.67, d = 99 gives 10.89. */
    cr_expect(split(&fx, 9098, 902), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "(confidence 0.999)");
    cr_expect_not(split(&fx, 9099, 901), "%s", fx.x.detail);
    teardown(&fx);
}

Test(expect, low_expected_count_is_not_tested)
{
    fixture fx;
    setup(&fx, "{flow: w, split: {\"" V1 "\": 90, \"" V2 "\": 10}, confidence: 0.999}");
    /* 40 connections: v2 expects 4 (< 5), so the chi-square is not trusted, and the
     * expectation fails saying so, even though the counts are exactly as configured. */
    cr_expect_not(split(&fx, 36, 4), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "chi-square not tested: 1 backend expected fewer than 5 connections "
                       "out of 40; simulate more connections or give a tolerance");
    /* 50: v2 expects exactly 5, enough. */
    cr_expect(split(&fx, 45, 5), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "chi2 = 0.0000");
    cr_expect(strstr(fx.x.detail, "not tested") == NULL);
    teardown(&fx);

    setup(&fx, "{flow: w, split: {\"" V1 "\": 99.9, \"" V2 "\": 0.1}}");
    cr_expect_not(split(&fx, 999, 1), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "1 backend expected fewer than 5 connections out of 1000");
    teardown(&fx);
}

Test(expect, failed_zero_means_none)
{
    fixture fx;
    setup(&fx, "{flow: p, failed: 0}");
    cr_expect(failures(&fx, 10000, 0), "%s", fx.x.detail);
    cr_expect_str_eq(fx.x.detail, "failed 0 of 10000 (expected none)");
    cr_expect_not(failures(&fx, 9999, 1), "%s", fx.x.detail);
    cr_expect_str_eq(fx.x.detail, "failed 1 of 10000 (expected none)");
    teardown(&fx);

    setup(&fx, "{flow: p, failed: 100}");
    cr_expect(failures(&fx, 0, 10000), "%s", fx.x.detail);
    cr_expect_str_eq(fx.x.detail, "failed 10000 of 10000 (expected all)");
    cr_expect_not(failures(&fx, 1, 9999), "%s", fx.x.detail);
    teardown(&fx);
}

Test(expect, failed_with_tolerance_edges_are_exact)
{
    fixture fx;
    setup(&fx, "{flow: p, failed: 50, tolerance: 1}");
    cr_expect(failures(&fx, 4900, 5100), "%s", fx.x.detail);
    cr_expect_str_eq(fx.x.detail, "failed 51.000% (expected 50.000% +- 1.000)");
    cr_expect(failures(&fx, 5100, 4900), "%s", fx.x.detail);
    cr_expect_not(failures(&fx, 4899, 5101), "%s", fx.x.detail);
    cr_expect_not(failures(&fx, 5101, 4899), "%s", fx.x.detail);
    teardown(&fx);

    setup(&fx, "{flow: p, failed: 0, tolerance: 0.01}");
    cr_expect(failures(&fx, 9999, 1), "%s", fx.x.detail);
    cr_expect_not(failures(&fx, 9998, 2), "%s", fx.x.detail);
    teardown(&fx);
}

Test(expect, failed_share_without_tolerance_is_statistical)
{
    fixture fx;
    setup(&fx, "{flow: p, failed: 50}");
    cr_expect(failures(&fx, 5000, 5000), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "failed 50.000% (expected 50.000%), p = 1");
    cr_expect_not(failures(&fx, 6000, 4000), "%s", fx.x.detail);
    /* Too few connections to test is a failure, and says so. */
    cr_expect_not(failures(&fx, 4, 4), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "too few connections to test");
    teardown(&fx);
}

Test(expect, route_check)
{
    fixture fx;
    setup(&fx, "{flow: w, route: MeshTCPRoute}");
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 0);
    cr_expect(fx.x.passed);
    cr_expect_str_eq(fx.x.detail, "route MeshTCPRoute (expected MeshTCPRoute)");
    teardown(&fx);

    setup(&fx, "{flow: w, route: TrafficRoute}");
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 1);
    cr_expect_not(fx.x.passed);
    cr_expect_str_eq(fx.x.detail, "route MeshTCPRoute (expected TrafficRoute)");
    teardown(&fx);
}

Test(expect, route_check_holds_when_every_source_uses_that_route_type)
{
    /* web2's sources split differently (canary 90/10, zone-b 50/50), but a MeshTCPRoute
     * decides for both: the route expectation holds. */
    fixture fx;
    setup(&fx, "{flow: web2, route: MeshTCPRoute}");
    cr_assert(fx.r->flows[2].plan->sources_differ);
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 0, "%s", fx.x.detail);
    cr_expect(fx.x.passed);
    teardown(&fx);
    setup(&fx, "{flow: web2, route: TrafficRoute}");
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 1, "%s", fx.x.detail);
    teardown(&fx);

    /* One source by MeshTCPRoute, the other by nothing: the first source's type is not
     * the flow's. */
    setup(&fx, "{flow: web2-pay, route: MeshTCPRoute}");
    cr_assert(fx.r->flows[3].plan->routes_differ);
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 1, "%s", fx.x.detail);
    cr_expect_str_eq(fx.x.detail, "route MeshTCPRoute (expected MeshTCPRoute) for the first "
                                  "source; sources differ");
    teardown(&fx);
}

Test(expect, policy_check)
{
    fixture fx;
    setup(&fx, "{flow: w, policy: canary}");
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 0);
    cr_expect_str_eq(fx.x.detail, "policy canary contributes");
    teardown(&fx);

    setup(&fx, "{flow: w, policy: zone-b}");
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 1);
    cr_expect_not(fx.x.passed);
    cr_expect_str_eq(fx.x.detail, "policy zone-b does not contribute");
    teardown(&fx);
}

Test(expect, policy_check_needs_every_source)
{
    /* The Mesh-wide canary contributes to both of web2's sources; zone-b selects only the
     * source in zone b, so it does not hold for the flow. */
    fixture fx;
    setup(&fx, "{flow: web2, policy: canary}");
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 0, "%s", fx.x.detail);
    teardown(&fx);
    setup(&fx, "{flow: web2, policy: zone-b}");
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 1, "%s", fx.x.detail);
    cr_expect_str_eq(fx.x.detail, "policy zone-b contributes for 1 of 2 sources");
    teardown(&fx);
}

Test(expect, every_clause_must_hold)
{
    fixture fx;
    setup(&fx, "{flow: w, route: MeshTCPRoute, policy: canary, split: {\"" V1 "\": 90, \"" V2
               "\": 10}, tolerance: 1}");
    cr_expect(split(&fx, 9000, 1000), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "route MeshTCPRoute (expected MeshTCPRoute); policy canary contributes; " V1
                       " 90.000%");
    cr_expect_not(split(&fx, 8000, 2000));
    teardown(&fx);

    setup(&fx, "{flow: w, route: TrafficRoute, split: {\"" V1 "\": 90, \"" V2 "\": 10}, "
               "tolerance: 1}");
    cr_expect_not(split(&fx, 9000, 1000), "the split holds, the route does not");
    teardown(&fx);
}

Test(expect, a_backend_the_flow_does_not_reach_counts_zero)
{
    /* pay is a backend of the mesh, but flow w goes to api: the plan warns, and the
     * expectation sees 0% of it. */
    fixture fx;
    setup(&fx, "{flow: w, split: {\"" V1 "\": 90, pay: 10}, tolerance: 1}");
    cr_expect_not(split(&fx, 9000, 1000), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "pay is not reached by this flow");
    EXPECT_DETAIL(&fx, "pay 0.000% (expected 10.000% +- 1.000) OUT");
    /* v2, which the split leaves out, is held to 0%. */
    EXPECT_DETAIL(&fx, V2 " 10.000% (expected 0.000% +- 1.000) OUT");
    teardown(&fx);
}

Test(expect, outcomes_left_out_of_the_split_count_as_zero)
{
    fixture fx;
    setup(&fx, "{flow: w, split: {\"" V1 "\": 100}, tolerance: 1}");
    cr_expect(split(&fx, 9900, 100), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, V2 " 1.000% (expected 0.000% +- 1.000) ok");
    cr_expect_not(split(&fx, 9899, 101), "%s", fx.x.detail);
    cr_expect(split(&fx, 10000, 0), "%s", fx.x.detail);
    cr_expect(strstr(fx.x.detail, V2) == NULL, "an outcome never seen is not listed");
    teardown(&fx);

    /* Statistically, a connection where none is expected makes the split impossible. */
    setup(&fx, "{flow: w, split: {\"" V1 "\": 100}}");
    cr_expect(split(&fx, 10000, 0), "%s", fx.x.detail);
    cr_expect_not(split(&fx, 9999, 1), "%s", fx.x.detail);
    EXPECT_DETAIL(&fx, "chi2 = inf, df = 0, p = 0.000 <");
    teardown(&fx);
}

Test(expect, window_without_connections_decides_nothing)
{
    /* The flow's 10 connections arrive in the first minute or so; this window is empty. */
    fixture fx;
    setup(&fx, "{flow: w, window: [1h, 2h], split: {\"" V1 "\": 90, \"" V2 "\": 10}, "
               "tolerance: 1}");
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 1);
    cr_expect_not(fx.x.passed);
    EXPECT_DETAIL(&fx, "no connection in the window: nothing to compare");
    cr_expect_eq(fx.x.window->total, 0);
    cr_expect_eq(fx.x.window->start_ns, 3600000000000ULL);
    teardown(&fx);

    static const char *const failed[] = {"{flow: p, window: [1h, 2h], failed: 0}",
                                         "{flow: p, window: [1h, 2h], failed: 100, tolerance: 1}",
                                         "{flow: p, window: [1h, 2h], failed: 50}"};
    for (size_t i = 0; i < sizeof failed / sizeof failed[0]; i++) {
        setup(&fx, failed[i]);
        cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 1, "%s: %s", failed[i], fx.x.detail);
        EXPECT_DETAIL(&fx, "no connection in the window: nothing to compare");
        teardown(&fx);
    }
}

Test(expect, whole_run_window_by_default)
{
    fixture fx;
    setup(&fx, "{flow: w, failed: 0}");
    cr_expect_eq(sim_expect_evaluate(fx.r, &fx.x), 0, "%s", fx.x.detail);
    cr_expect_eq(fx.x.window, &fx.r->flows[0].windows[0]);
    cr_expect_str_eq(fx.x.detail, "failed 0 of 10 (expected none)");
    teardown(&fx);
}

/* An HTTP flow: /api splits 90/10, the rest takes the catch-all to the whole service. */
static const char http_mesh[] =
    "scenario: t\n"
    "services:\n"
    "  - {name: web, protocol: http, instances: [{tags: {app: web}}]}\n"
    "  - {name: api, protocol: http, instances: [{tags: {version: v1}}, {tags: {version: v2}}]}\n"
    "resources:\n"
    "  - type: MeshHTTPRoute\n"
    "    name: h\n"
    "    mesh: default\n"
    "    spec:\n"
    "      targetRef: {kind: Mesh}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: api}\n"
    "          rules:\n"
    "            - matches: [{path: {type: PathPrefix, value: /api}}]\n"
    "              default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1}, weight: 90}\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 10}\n"
    "traffic:\n"
    "  - {name: w, from: web, to: api, connections: 100, requests: [{path: /api/x}, {path: /}]}\n"
    "expect:\n"
    "  - {flow: w, route_match: {path: /api}, split: {\"" V1 "\": 90, \"" V2 "\": 10}, "
    "tolerance: 1}\n";

Test(expect, route_match_reads_only_the_requests_of_its_route)
{
    model_scenario *s = simfx_load(http_mesh);
    sim_result *r = simfx_run(s);
    sim_flow_result *f = &r->flows[0];
    sim_window *w = &f->windows[0];
    uint32_t k = r->plan->expect_slot[0];
    cr_assert_neq(k, SIM_NO_SLOT);
    size_t no = f->plan->n_outcomes;
    int v1 = simfx_outcome(f, V1), v2 = simfx_outcome(f, V2), all = simfx_outcome(f, "api");
    cr_assert(v1 >= 0 && v2 >= 0 && all >= 0);
    /* The flow's own counts are far from 90/10 (half the requests are the catch-all's);
     * only the route's counts decide. */
    memset(w->slot_count + (size_t)k * no, 0, no * sizeof *w->slot_count);
    w->slot_count[(size_t)k * no + (size_t)v1] = 901;
    w->slot_count[(size_t)k * no + (size_t)v2] = 99;
    w->slot_total[k] = 1000;
    sim_expect_result x;
    cr_expect_eq(sim_expect_evaluate(r, &x), 0, "%s", x.detail);
    cr_expect(strstr(x.detail, "route PathPrefix /api: 1000 requests") != NULL, "%s", x.detail);
    w->slot_count[(size_t)k * no + (size_t)v1] = 880;
    w->slot_count[(size_t)k * no + (size_t)v2] = 120;
    cr_expect_eq(sim_expect_evaluate(r, &x), 1, "2 points off with a tolerance of 1: %s",
                 x.detail);
    w->slot_total[k] = 0;
    memset(w->slot_count + (size_t)k * no, 0, no * sizeof *w->slot_count);
    cr_expect_eq(sim_expect_evaluate(r, &x), 1);
    cr_expect(strstr(x.detail, "no request took this route in the window") != NULL, "%s",
              x.detail);
    simfx_free(r);
    model_scenario_free(s);
}
