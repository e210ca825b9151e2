/*
 * test_plan.c - the routing plan: sources grouped by kind in linear time, outcomes and
 * expected shares, backends without endpoints named, and what a run needs checked before
 * it starts (connections or stop, split names that are backends of the mesh, written as
 * reports print them; warnings for a backend the flow does not reach and for requests
 * routed as TCP).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/node.h"
#include "sim_fixture.h"

/* web (two kinds of source: zone a and zone b) -> api, 90/10 for zone a, 50/50 for zone b;
 * to `pay`, half of it to a service nobody runs. */
static const char mesh[] =
    "scenario: plan\n"
    "services:\n"
    "  - {name: web, protocol: tcp, instances: [{tags: {zone: a}, count: 3}, {tags: {zone: b}}]}\n"
    "  - {name: api, protocol: tcp, instances: [{tags: {version: v1}}, {tags: {version: v2}}]}\n"
    "  - {name: pay, protocol: tcp, instances: [{tags: {app: pay}}]}\n"
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
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1}, weight: 90}\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 10}\n"
    "        - targetRef: {kind: MeshService, name: pay}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshService, name: pay, weight: 1}\n"
    "                  - {kind: MeshService, name: nobody-runs-this, weight: 1}\n"
    "  - type: MeshTCPRoute\n"
    "    name: zone-b\n"
    "    mesh: default\n"
    "    spec:\n"
    "      targetRef: {kind: MeshSubset, tags: {zone: b}}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: api}\n"
    "          rules:\n"
    "            - default:\n"
    "                backendRefs:\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v1}, weight: 1}\n"
    "                  - {kind: MeshServiceSubset, name: api, tags: {version: v2}, weight: 1}\n";

/* The scenario `mesh` with `traffic` and `expect` sections; malloc'd. */
static char *with(const char *traffic, const char *expect)
{
    return simfx_printf("%straffic:\n%s%s%s", mesh, traffic, expect ? "expect:\n" : "",
                        expect ? expect : "");
}

/* Builds the plan of `yaml`, which must load; the diagnostics (errors and warnings) go to
 * *text (malloc'd, one per line).  Returns the plan or NULL. */
static sim_plan *plan_of(const char *yaml, model_scenario **s, char **text)
{
    model_errors *errs = model_errors_new();
    *s = model_scenario_load_string("t.yaml", yaml, strlen(yaml), NULL, errs);
    cr_assert_not_null(*s, "did not load");
    sim_plan *p = sim_plan_new(*s, errs);
    size_t len = 0;
    FILE *out = open_memstream(text, &len);
    model_errors_print(errs, out);
    fclose(out);
    model_errors_free(errs);
    return p;
}

Test(plan, alike_sources_share_a_routing_and_shares_are_their_mean)
{
    char *yaml = with("  - {name: w, from: web, to: api, connections: 10}\n", NULL);
    model_scenario *s;
    char *diags;
    sim_plan *p = plan_of(yaml, &s, &diags);
    cr_assert_not_null(p, "%s", diags);
    cr_expect_str_eq(diags, "");
    const sim_flow_plan *f = &p->flows[0];
    cr_assert_eq(f->flow->n_sources, 4);
    cr_expect_eq(f->n_routings, 2, "zone a (3 replicas) and zone b");
    cr_expect_eq(f->routings[0].n_sources + f->routings[1].n_sources, 4);
    size_t b = 0;
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(f->flow->sources[i]->name, "web-4"))
            b = i;
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(f->routing_of[i] == f->routing_of[b], i == b, "source %zu", i);
    cr_expect(f->sources_differ);
    cr_expect_not(f->routes_differ, "MeshTCPRoute decides for both");
    /* v1: (3 * 90% + 1 * 50%) / 4 = 80%. */
    int v1 = sim_flow_plan_outcome(f, "api{version=v1}");
    cr_assert_geq(v1, 0);
    cr_expect_float_eq(f->outcomes[v1].expected, 0.8, 1e-12);
    cr_expect_not(f->outcomes[v1].has_weight, "the sources give it different weights");
    sim_plan_free(p);
    model_scenario_free(s);
    free(diags);
    free(yaml);
}

Test(plan, a_backend_without_endpoints_is_named)
{
    char *yaml = with("  - {name: w, from: web, to: pay, connections: 10}\n", NULL);
    model_scenario *s;
    char *diags;
    sim_plan *p = plan_of(yaml, &s, &diags);
    cr_assert_not_null(p, "%s", diags);
    const sim_flow_plan *f = &p->flows[0];
    cr_assert_eq(f->n_dead, 1);
    cr_expect_str_eq(f->dead[0].backend, "nobody-runs-this");
    cr_expect_str_eq(f->dead[0].cluster, "nobody-runs-this");
    int none = sim_flow_plan_outcome(f, SIM_OUTCOME_NO_ENDPOINTS);
    cr_assert_geq(none, 0);
    cr_expect(f->outcomes[none].failed);
    cr_expect_float_eq(f->outcomes[none].expected, 0.5, 1e-12);
    sim_plan_free(p);
    model_scenario_free(s);
    free(diags);
    free(yaml);
}

Test(plan, a_flow_without_connections_or_stop_cannot_run)
{
    char *yaml = with("  - {name: w, from: web, to: api}\n", NULL);
    model_scenario *s;
    char *diags;
    sim_plan *p = plan_of(yaml, &s, &diags);
    cr_expect_null(p);
    cr_expect_str_eq(diags, "t.yaml:38:5: traffic[0]: give connections, or stop (generate until "
                            "then), or both\n");
    model_scenario_free(s);
    free(diags);
    free(yaml);
}

Test(plan, a_split_naming_no_backend_of_the_mesh_is_refused_with_a_hint)
{
    char *yaml = with("  - {name: w, from: web, to: api, connections: 10}\n",
                      "  - flow: w\n"
                      "    split: {\"api{version=v1}\": 90, \"api{verison=v2}\": 10}\n");
    model_scenario *s;
    char *diags;
    sim_plan *p = plan_of(yaml, &s, &diags);
    cr_expect_null(p);
    cr_expect_str_eq(diags,
                     "t.yaml:41:36: expect[0].split[\"api{verison=v2}\"]: no backend "
                     "api{verison=v2} in mesh 'default' (did you mean 'api{version=v2}'?); flow "
                     "'w' reaches: api{version=v1}, api{version=v2}\n");
    model_scenario_free(s);
    free(diags);
    free(yaml);
}

Test(plan, a_split_naming_a_backend_without_endpoints_is_refused)
{
    char *yaml = with("  - {name: w, from: web, to: pay, connections: 10}\n",
                      "  - {flow: w, split: {pay: 50, nobody-runs-this: 50}}\n");
    model_scenario *s;
    char *diags;
    sim_plan *p = plan_of(yaml, &s, &diags);
    cr_expect_null(p);
    cr_expect_str_eq(diags, "t.yaml:40:32: expect[0].split[\"nobody-runs-this\"]: its cluster "
                            "nobody-runs-this has no endpoints, so its connections are counted "
                            "as <no-endpoints>\n");
    model_scenario_free(s);
    free(diags);
    free(yaml);
}

Test(plan, tags_out_of_order_get_the_spelling_reports_use)
{
    char *yaml = simfx_printf("scenario: t\n"
                              "services:\n"
                              "  - {name: web, instances: [{tags: {app: web}}]}\n"
                              "  - {name: api, instances: [{tags: {zone: a, version: v1}}]}\n"
                              "resources:\n"
                              "  - type: MeshTCPRoute\n"
                              "    name: r\n"
                              "    mesh: default\n"
                              "    spec:\n"
                              "      to:\n"
                              "        - targetRef: {kind: MeshService, name: api}\n"
                              "          rules:\n"
                              "            - default:\n"
                              "                backendRefs: [{kind: MeshServiceSubset, name: api,\n"
                              "                               tags: {zone: a, version: v1}}]\n"
                              "traffic:\n"
                              "  - {name: w, from: web, to: api, connections: 10}\n"
                              "expect:\n"
                              "  - {flow: w, split: {\"api{zone=a,version=v1}\": 100}}\n");
    model_scenario *s;
    char *diags;
    sim_plan *p = plan_of(yaml, &s, &diags);
    cr_expect_null(p);
    cr_expect_str_eq(diags, "t.yaml:19:23: expect[0].split[\"api{zone=a,version=v1}\"]: write it "
                            "'api{version=v1,zone=a}': reports name backends with their tags "
                            "sorted by key\n");
    model_scenario_free(s);
    free(diags);
    free(yaml);
}

Test(plan, a_real_backend_the_flow_does_not_reach_is_a_warning)
{
    /* api{version=v1} is a backend of the mesh, but the flow to pay never reaches it. */
    char *yaml = with("  - {name: w, from: web, to: pay, connections: 10}\n",
                      "  - {flow: w, split: {pay: 50, \"api{version=v1}\": 50}}\n");
    model_scenario *s;
    char *diags;
    sim_plan *p = plan_of(yaml, &s, &diags);
    cr_assert_not_null(p, "%s", diags);
    cr_expect_str_eq(diags, "t.yaml:40:32: warning: expect[0].split[\"api{version=v1}\"]: flow 'w' "
                            "does not reach api{version=v1} (its outcomes are: pay, "
                            "<no-endpoints>); the expectation will see 0% of it\n");
    sim_plan_free(p);
    model_scenario_free(s);
    free(diags);
    free(yaml);
}

Test(plan, requests_on_a_destination_routed_as_tcp_are_a_warning)
{
    char *yaml = with("  - name: w\n"
                      "    from: web\n"
                      "    to: api\n"
                      "    connections: 10\n"
                      "    requests: [{path: /a}]\n",
                      NULL);
    model_scenario *s;
    char *diags;
    sim_plan *p = plan_of(yaml, &s, &diags);
    cr_assert_not_null(p, "%s", diags);
    cr_expect_str_eq(diags, "t.yaml:42:16: warning: traffic[0].requests: web-1 reaches api through "
                            "MeshTCPRoute as TCP, so every request goes where its connection "
                            "went\n");
    sim_plan_free(p);
    model_scenario_free(s);
    free(diags);
    free(yaml);
}

Test(plan, grouping_is_linear_in_the_sources, .timeout = 20)
{
    /* 50,000 sources of 25,000 kinds (two replicas each): a pairwise grouping would
     * compare ~6e8 pairs; the hash table a handful per source.  The bound is generous
     * (the benchmark holds the real figures). */
    size_t kinds = 25000;
    size_t cap = kinds * 48 + 4096, len = 0;
    char *yaml = malloc(cap);
    cr_assert_not_null(yaml);
    len += (size_t)snprintf(yaml + len, cap - len,
                            "scenario: many\nservices:\n  - name: api\n    instances: [{}]\n"
                            "  - name: web\n    instances:\n");
    for (size_t i = 0; i < kinds; i++)
        len += (size_t)snprintf(yaml + len, cap - len, "      - {tags: {k: v%zu}, count: 2}\n", i);
    len += (size_t)snprintf(yaml + len, cap - len,
                            "traffic:\n  - {name: w, from: web, to: api, connections: 1}\n");
    model_scenario *s = simfx_load(yaml);
    sim_plan *p = simfx_plan(s);
    cr_expect_eq(p->flows[0].n_routings, kinds, "one resolution per kind of source");
    cr_expect_eq(p->flows[0].flow->n_sources, 2 * kinds);
    sim_plan_free(p);
    model_scenario_free(s);
    free(yaml);
}

/* web -> shop (http) by MeshHTTPRoute: /api (two rules: an Exact and a PathPrefix), the
 * catch-all. */
static const char http_mesh[] =
    "scenario: t\n"
    "services:\n"
    "  - {name: web, instances: [{tags: {app: web}}]}\n"
    "  - {name: api, protocol: tcp, instances: [{}]}\n"
    "  - {name: shop, protocol: http, instances: [{tags: {v: a}}, {tags: {v: b}}]}\n"
    "resources:\n"
    "  - type: MeshHTTPRoute\n"
    "    name: h\n"
    "    mesh: default\n"
    "    spec:\n"
    "      targetRef: {kind: Mesh}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: shop}\n"
    "          rules:\n"
    "            - matches: [{path: {type: Exact, value: /api}}, {path: {type: PathPrefix, value: "
    "/api}}]\n"
    "              default: {backendRefs: [{kind: MeshServiceSubset, name: shop, tags: {v: b}}]}\n"
    "traffic:\n"
    "  - {name: w, from: web, to: shop, connections: 10}\n"
    "  - {name: t, from: web, to: api, connections: 10}\n"
    "expect:\n"
    "  - %s\n";

/* The plan of http_mesh with expectation `expect`, and its diagnostics. */
static sim_plan *http_plan(const char *expect, model_scenario **s, char **diags)
{
    char *yaml = simfx_printf(http_mesh, expect);
    sim_plan *p = plan_of(yaml, s, diags);
    free(yaml);
    return p;
}

Test(plan, route_match_names_one_route_slot)
{
    model_scenario *s;
    char *diags;
    sim_plan *p = http_plan("{flow: w, route_match: {path: {type: PathPrefix, value: /api}}, "
                            "split: {\"shop{v=b}\": 100}}",
                            &s, &diags);
    cr_assert_not_null(p, "%s", diags);
    const sim_flow_plan *fp = &p->flows[0];
    cr_assert_eq(fp->n_slots, 3);
    uint32_t k = p->expect_slot[0];
    cr_assert_neq(k, SIM_NO_SLOT);
    const model_node *path = model_node_get(fp->slots[k].match, "path");
    cr_expect_str_eq(model_node_get(path, "type")->text, "PathPrefix");
    /* Each of GET / (the flow writes no requests) goes to the catch-all. */
    cr_expect_float_eq(fp->slots[k].share, 0.0, 1e-12);
    sim_plan_free(p);
    model_scenario_free(s);
    free(diags);
}

Test(plan, route_match_catch_all_is_kumas_prefix_slash)
{
    model_scenario *s;
    char *diags;
    sim_plan *p = http_plan("{flow: w, route_match: {path: {type: PathPrefix, value: /}}, "
                            "split: {shop: 100}}",
                            &s, &diags);
    cr_assert_not_null(p, "%s", diags);
    cr_expect_null(p->flows[0].slots[p->expect_slot[0]].match, "Kuma's catch-all");
    cr_expect_float_eq(p->flows[0].slots[p->expect_slot[0]].share, 1.0, 1e-12);
    sim_plan_free(p);
    model_scenario_free(s);
    free(diags);
}

Test(plan, route_match_path_alone_must_name_one_route)
{
    model_scenario *s;
    char *diags;
    sim_plan *p = http_plan("{flow: w, route_match: {path: /api}, split: {\"shop{v=b}\": 100}}",
                            &s, &diags);
    cr_expect_null(p);
    cr_expect_str_eq(diags,
                     "t.yaml:21:28: expect[0].route_match: names 2 routes of flow 'w'; give the "
                     "path's type to tell them apart (its routes: Exact /api; PathPrefix /api; "
                     "PathPrefix / (Kuma's catch-all))\n");
    model_scenario_free(s);
    free(diags);
}

Test(plan, route_match_that_names_no_route_lists_them)
{
    model_scenario *s;
    char *diags;
    sim_plan *p = http_plan("{flow: w, route_match: {path: {type: Exact, value: /apx}}, "
                            "split: {shop: 100}}",
                            &s, &diags);
    cr_expect_null(p);
    cr_expect_str_eq(diags, "t.yaml:21:28: expect[0].route_match: no route of flow 'w' has this "
                            "match (its routes: Exact /api; PathPrefix /api; PathPrefix / "
                            "(Kuma's catch-all))\n");
    model_scenario_free(s);
    free(diags);
}

Test(plan, route_match_on_a_tcp_flow_is_refused)
{
    model_scenario *s;
    char *diags;
    sim_plan *p = http_plan("{flow: t, route_match: {path: /}, split: {api: 100}}", &s, &diags);
    cr_expect_null(p);
    cr_expect_str_eq(diags, "t.yaml:21:28: expect[0].route_match: flow 't' has no HTTP routes "
                            "(web-1 reaches api through MeshTCPRoute, as TCP)\n");
    model_scenario_free(s);
    free(diags);
}
