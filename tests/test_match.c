/*
 * tests/test_match.c - which policies select a sidecar (docs/routing.md §1, Kuma's
 * DppSelectedByPolicy) and the order they merge in (§2.1 SortByTargetRef, with the
 * version differences of §9).
 */
#include "model_fixture.h"
#include "sim/explain.h"

#include "model/match.h"

/* ---- selection ------------------------------------------------------------------------ */

/* A Universal MeshTCPRoute `name` with top-level targetRef `target` (flow YAML) and
 * optional `labels` (flow YAML or NULL), routing backend to itself. */
#define ROUTE(name, labels, target)                                                                \
    "  - type: MeshTCPRoute\n"                                                                     \
    "    name: " name "\n"                                                                         \
    "    mesh: default\n"                                                                          \
    "    labels: " labels "\n"                                                                     \
    "    spec:\n"                                                                                  \
    "      targetRef: " target "\n"                                                                \
    "      to:\n"                                                                                  \
    "        - targetRef: {kind: MeshService, name: backend}\n"                                    \
    "          rules: []\n"

/* clang-format off */
static const char *const selection_yaml =
    "scenario: selection\n"
    "services:\n"
    "  - name: backend\n"
    "    protocol: tcp\n"
    "    instances: [{}]\n"
    "  - name: web\n"
    "    protocol: tcp\n"
    "    instances:\n"
    "      - tags: {version: v1, zone: eu}\n"
    "      - tags: {zone: us}\n"
    "  - name: api\n"
    "    instances: [{}]\n"
    "resources:\n"
    /* version on one inbound, zone on the other */
    "  - type: Dataplane\n"
    "    name: split\n"
    "    mesh: default\n"
    "    networking:\n"
    "      address: 10.0.0.1\n"
    "      inbound:\n"
    "        - {port: 80, tags: {kuma.io/service: web, version: v1}}\n"
    "        - {port: 81, tags: {kuma.io/service: admin, zone: eu}}\n"
    "  - type: Dataplane\n"
    "    name: gw\n"
    "    mesh: default\n"
    "    networking:\n"
    "      address: 10.0.0.2\n"
    "      gateway: {type: BUILTIN, tags: {kuma.io/service: edge}}\n"
    ROUTE("all", "{}", "{kind: Mesh}")
    ROUTE("v1-eu", "{}", "{kind: MeshSubset, tags: {version: v1, zone: eu}}")
    ROUTE("v1", "{}", "{kind: MeshSubset, tags: {version: v1}}")
    ROUTE("v1-team", "{}", "{kind: MeshSubset, tags: {version: v1, team: core}}")
    ROUTE("admin", "{}", "{kind: MeshService, name: admin}")
    ROUTE("any-version", "{}", "{kind: MeshServiceSubset, name: web, tags: {version: '*'}}")
    ROUTE("override", "{}",
          "{kind: MeshServiceSubset, name: web, tags: {kuma.io/service: api}}")
    ROUTE("gateways", "{}", "{kind: Mesh, proxyTypes: [Gateway]}")
    ROUTE("sidecars", "{}", "{kind: Mesh, proxyTypes: [Sidecar]}")
    ROUTE("both", "{}", "{kind: Mesh, proxyTypes: [Sidecar, Gateway]}")
    ROUTE("subset-gw", "{}", "{kind: MeshSubset, proxyTypes: [Gateway], tags: {version: v1}}");
/* clang-format on */

/* Does policy `policy` select dataplane `dp` (and say why, in the words --explain uses)? */
static bool selects(const model_scenario *s, const char *policy, const char *dp, const char **why)
{
    static char words[512];
    model_selection reason;
    const model_policy *p = fixture_policy(s, policy);
    const model_dataplane *d = fixture_dp(s, dp);
    bool yes = model_match_selects(p, d, &reason);
    if (why) {
        sim_explain_selection(words, sizeof words, p, d, reason);
        *why = words;
    }
    return yes;
}

Test(match, subset_tags_must_all_be_on_one_inbound)
{
    model_scenario *s = fixture_load(selection_yaml);
    const char *why = NULL;
    /* web-1 has version v1 and zone eu on its one inbound. */
    cr_expect(selects(s, "v1-eu", "web-1", &why));
    cr_expect_str_eq(why, "targetRef MeshSubset matches inbound 0 of web-1");
    /* split has version v1 on one inbound and zone eu on the other: no union. */
    cr_expect_not(selects(s, "v1-eu", "split", &why));
    cr_expect_str_eq(why, "no single inbound of split has every tag of the MeshSubset selector");
    cr_expect(selects(s, "v1", "split", NULL));
    /* One missing tag is enough to fail. */
    cr_expect_not(selects(s, "v1-team", "web-1", NULL));
    cr_expect_not(selects(s, "v1", "web-2", NULL));
    model_scenario_free(s);
}

Test(match, mesh_service_matches_any_inbound)
{
    model_scenario *s = fixture_load(selection_yaml);
    const char *why = NULL;
    cr_expect(selects(s, "admin", "split", &why));
    cr_expect_str_eq(why, "targetRef MeshService matches inbound 1 of split");
    cr_expect_not(selects(s, "admin", "web-1", NULL));
    model_scenario_free(s);
}

Test(match, wildcard_means_key_present)
{
    model_scenario *s = fixture_load(selection_yaml);
    cr_expect(selects(s, "any-version", "web-1", NULL));
    cr_expect(selects(s, "any-version", "split", NULL));
    cr_expect_not(selects(s, "any-version", "web-2", NULL), "web-2 has no version tag");
    model_scenario_free(s);
}

Test(match, service_tag_in_subset_tags_overrides_the_name)
{
    model_scenario *s = fixture_load(selection_yaml);
    /* {kind: MeshServiceSubset, name: web, tags: {kuma.io/service: api}} selects api. */
    cr_expect(selects(s, "override", "api-1", NULL));
    cr_expect_not(selects(s, "override", "web-1", NULL));
    model_scenario_free(s);
}

Test(match, mesh_selects_sidecars_not_gateways)
{
    model_scenario *s = fixture_load(selection_yaml);
    const char *why = NULL;
    cr_expect(selects(s, "all", "web-2", &why));
    cr_expect_str_eq(why, "targetRef Mesh selects every dataplane");
    cr_expect(selects(s, "all", "split", NULL));
    cr_expect_not(selects(s, "all", "gw", &why));
    cr_expect_str_eq(why, "gw is a gateway; splitsim routes sidecars only");
    model_scenario_free(s);
}

Test(match, sidecar_without_inbounds_is_selected_by_nothing)
{
    /* Kuma 2.14 accepts such a Dataplane; every selector runs over inbounds, even Mesh's. */
    /* clang-format off */
    model_errors *warnings;
    model_scenario *s = fixture_load_opts("scenario: bare\n"
                                          "resources:\n"
                                          "  - type: Dataplane\n"
                                          "    name: bare\n"
                                          "    mesh: default\n"
                                          "    networking: {address: 10.0.0.1}\n"
                                          ROUTE("all", "{}", "{kind: Mesh}"), NULL, &warnings);
    /* clang-format on */
    const char *why = NULL;
    cr_expect_not(selects(s, "all", "bare", &why));
    cr_expect_str_eq(why, "bare has no inbound to select");
    cr_expect_eq(model_errors_count(warnings), 0);
    cr_expect_eq(model_errors_size(warnings), 1, "the route names a service no dataplane runs");
    model_errors_free(warnings);
    model_scenario_free(s);
}

Test(match, proxy_types)
{
    model_scenario *s = fixture_load(selection_yaml);
    const char *why = NULL;
    cr_expect_not(selects(s, "gateways", "web-1", &why));
    cr_expect_str_eq(why, "proxyTypes leaves out sidecars like web-1");
    cr_expect(selects(s, "sidecars", "web-1", NULL));
    cr_expect(selects(s, "both", "web-1", NULL));
    cr_expect_not(selects(s, "subset-gw", "web-1", NULL), "MeshSubset honours proxyTypes too");
    cr_expect_eq(fixture_policy(s, "both")->target.proxy_types,
                 MODEL_PROXY_SIDECAR | MODEL_PROXY_GATEWAY);
    cr_expect_eq(fixture_policy(s, "all")->target.proxy_types, 0);
    model_scenario_free(s);
}

/* Kubernetes MeshTCPRoute `name` in namespace `ns` whose one `to` names backend in
 * namespace `to_ns`: the role is computed from that (producer when the same namespace). */
#define K8S_ROUTE(name, ns, to_ns)                                                                 \
    "  - apiVersion: kuma.io/v1alpha1\n"                                                           \
    "    kind: MeshTCPRoute\n"                                                                     \
    "    metadata:\n"                                                                              \
    "      name: " name "\n"                                                                       \
    "      namespace: " ns "\n"                                                                    \
    "      labels: {kuma.io/mesh: default}\n"                                                      \
    "    spec:\n"                                                                                  \
    "      targetRef: {kind: Mesh}\n"                                                              \
    "      to:\n"                                                                                  \
    "        - targetRef: {kind: MeshService, name: backend_kuma-demo_svc_80, namespace: " to_ns   \
    "}\n"                                                                                          \
    "          rules: []\n"

/* clang-format off */
static const char *const namespaces_yaml =
    "scenario: namespaces\n"
    "services:\n"
    "  - name: backend_kuma-demo_svc_80\n"
    "    instances: [{}]\n"
    "  - name: web_kuma-demo_svc_8080\n"
    "    instances: [{}]\n"
    "  - name: web_shop_svc_8080\n"
    "    instances: [{}]\n"
    "  - name: plain\n"
    "    instances: [{}]\n"
    "resources:\n"
    K8S_ROUTE("consumer", "kuma-demo", "other")
    K8S_ROUTE("producer", "kuma-demo", "kuma-demo")
    K8S_ROUTE("system", "kuma-system", "other")
    "  - type: MeshTCPRoute\n"
    "    name: universal-consumer\n"
    "    mesh: default\n"
    "    labels: {kuma.io/policy-role: consumer}\n"
    "    spec:\n"
    "      targetRef: {kind: Mesh}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: backend_kuma-demo_svc_80}\n"
    "          rules: []\n";
/* clang-format on */

Test(match, consumer_policies_reach_their_namespace_only)
{
    model_scenario *s = fixture_load(namespaces_yaml);
    cr_expect_eq(fixture_policy(s, "consumer")->role, MODEL_ROLE_CONSUMER);
    cr_expect_eq(fixture_policy(s, "producer")->role, MODEL_ROLE_PRODUCER);
    cr_expect_eq(fixture_policy(s, "system")->role, MODEL_ROLE_SYSTEM);
    cr_expect_eq(fixture_policy(s, "universal-consumer")->role, MODEL_ROLE_CONSUMER);
    const char *why = NULL;
    cr_expect(selects(s, "consumer", "web_kuma-demo_svc_8080-1", NULL));
    cr_expect_not(selects(s, "consumer", "web_shop_svc_8080-1", &why));
    cr_expect_str_eq(why, "a consumer policy reaches only dataplanes of its own namespace");
    cr_expect_not(selects(s, "consumer", "plain-1", NULL), "no namespace: not its namespace");
    /* Producer and system policies are not filtered by namespace. */
    cr_expect(selects(s, "producer", "web_shop_svc_8080-1", NULL));
    cr_expect(selects(s, "system", "web_shop_svc_8080-1", NULL));
    cr_expect(selects(s, "system", "plain-1", NULL));
    /* A consumer policy without a namespace (Universal) reaches nobody. */
    cr_expect_not(selects(s, "universal-consumer", "web_kuma-demo_svc_8080-1", NULL));
    cr_expect_not(selects(s, "universal-consumer", "plain-1", NULL));
    model_scenario_free(s);
}

/* A Universal dataplane of service web with `labels`. */
#define ZONE_DP(name, labels)                                                                      \
    "  - type: Dataplane\n"                                                                        \
    "    name: " name "\n"                                                                         \
    "    mesh: default\n"                                                                          \
    "    labels: " labels "\n"                                                                     \
    "    networking:\n"                                                                            \
    "      address: 10.0.0.1\n"                                                                    \
    "      inbound: [{port: 80, tags: {kuma.io/service: web}}]\n"

/* clang-format off */
static const char *const zones_yaml =
    "scenario: zones\n"
    "services:\n"
    "  - name: backend\n"
    "    instances: [{}]\n"
    "resources:\n"
    ZONE_DP("dp-east", "{kuma.io/origin: zone, kuma.io/zone: east}")
    ZONE_DP("dp-west", "{kuma.io/origin: zone, kuma.io/zone: west}")
    ZONE_DP("dp-unlabelled", "{}")
    ZONE_DP("dp-global", "{kuma.io/origin: global, kuma.io/zone: west}")
    ZONE_DP("dp-zone-no-name", "{kuma.io/origin: zone}")
    ROUTE("east-zone", "{kuma.io/origin: zone, kuma.io/zone: east}", "{kind: Mesh}")
    ROUTE("east-producer",
          "{kuma.io/origin: zone, kuma.io/zone: east, kuma.io/policy-role: producer}",
          "{kind: Mesh}")
    ROUTE("from-global", "{kuma.io/origin: global, kuma.io/zone: east}", "{kind: Mesh}")
    ROUTE("zone-no-name", "{kuma.io/origin: zone}", "{kind: Mesh}");
/* clang-format on */

Test(match, zone_policies_stay_in_their_zone)
{
    model_scenario *s = fixture_load(zones_yaml);
    const char *why = NULL;
    cr_expect(selects(s, "east-zone", "dp-east", NULL));
    cr_expect_not(selects(s, "east-zone", "dp-west", &why));
    cr_expect_str_eq(why, "policy of zone east, dataplane of zone west");
    /* Dataplanes without a zone origin, or without a zone name, are local to every zone. */
    cr_expect(selects(s, "east-zone", "dp-unlabelled", NULL));
    cr_expect(selects(s, "east-zone", "dp-global", NULL));
    cr_expect(selects(s, "east-zone", "dp-zone-no-name", NULL));
    /* Producer policies cross zones; global and unnamed-zone policies are everywhere. */
    cr_expect(selects(s, "east-producer", "dp-west", NULL));
    cr_expect(selects(s, "from-global", "dp-west", NULL));
    cr_expect(selects(s, "zone-no-name", "dp-west", NULL));
    model_scenario_free(s);
}

/* ---- order ---------------------------------------------------------------------------- */

static model_policy pol(model_target_kind kind, const char *name)
{
    return (model_policy){.type = MODEL_RES_MESH_TCP_ROUTE,
                          .name = name,
                          .display_name = name,
                          .origin = MODEL_ORIGIN_UNSET,
                          .role = MODEL_ROLE_SYSTEM,
                          .target = {.kind = kind}};
}

/* Sign of the comparison, so the tests read as "x merges before y" (-1). */
static int cmp(const model_policy *x, const model_policy *y, int minor)
{
    int c = model_match_compare(x, y, minor);
    int back = model_match_compare(y, x, minor);
    cr_expect_eq((c > 0) - (c < 0), -((back > 0) - (back < 0)), "not antisymmetric");
    return (c > 0) - (c < 0);
}

Test(match, order_by_kind_rank_first)
{
    model_policy mesh = pol(MODEL_KIND_MESH, "z"), subset = pol(MODEL_KIND_MESH_SUBSET, "y"),
                 svc = pol(MODEL_KIND_MESH_SERVICE, "x"),
                 svc_subset = pol(MODEL_KIND_MESH_SERVICE_SUBSET, "a");
    for (int minor = 3; minor <= 14; minor++) {
        cr_expect_eq(cmp(&mesh, &subset, minor), -1, "2.%d", minor);
        cr_expect_eq(cmp(&subset, &svc, minor), -1, "2.%d", minor);
        cr_expect_eq(cmp(&svc, &svc_subset, minor), -1, "2.%d", minor);
        cr_expect_eq(cmp(&mesh, &svc_subset, minor), -1, "2.%d", minor);
    }
    /* Even a zone-originated consumer Mesh policy loses to a plain MeshService one. */
    mesh.origin = MODEL_ORIGIN_ZONE;
    mesh.role = MODEL_ROLE_WORKLOAD_OWNER;
    cr_expect_eq(cmp(&mesh, &svc, 14), -1);
}

Test(match, order_by_origin_from_2_6)
{
    model_policy g = pol(MODEL_KIND_MESH, "a"), u = pol(MODEL_KIND_MESH, "b"),
                 z = pol(MODEL_KIND_MESH, "c");
    g.origin = MODEL_ORIGIN_GLOBAL;
    z.origin = MODEL_ORIGIN_ZONE;
    /* global < unset < zone: zone-originated merges last and wins, whatever the names. */
    cr_expect_eq(cmp(&g, &u, 14), -1);
    cr_expect_eq(cmp(&u, &z, 14), -1);
    cr_expect_eq(cmp(&g, &z, 6), -1);
    /* 2.5 knows no origin: names decide (ascending then), so c merges last. */
    cr_expect_eq(cmp(&g, &z, 5), -1);
    cr_expect_eq(cmp(&z, &g, 5), 1);
    g.name = g.display_name = "d";
    cr_expect_eq(cmp(&g, &z, 5), 1, "2.5: d after c");
    cr_expect_eq(cmp(&g, &z, 6), -1, "2.6: origin before name");
}

Test(match, order_by_role_from_2_9)
{
    model_policy sys = pol(MODEL_KIND_MESH, "d"), prod = pol(MODEL_KIND_MESH, "c"),
                 cons = pol(MODEL_KIND_MESH, "b"), owner = pol(MODEL_KIND_MESH, "a");
    prod.role = MODEL_ROLE_PRODUCER;
    cons.role = MODEL_ROLE_CONSUMER;
    owner.role = MODEL_ROLE_WORKLOAD_OWNER;
    cr_expect_eq(cmp(&sys, &prod, 9), -1);
    cr_expect_eq(cmp(&prod, &cons, 9), -1);
    cr_expect_eq(cmp(&cons, &owner, 9), -1);
    cr_expect_eq(cmp(&sys, &owner, 14), -1);
    /* Origin comes before role. */
    sys.origin = MODEL_ORIGIN_ZONE;
    cr_expect_eq(cmp(&owner, &sys, 14), -1);
    sys.origin = MODEL_ORIGIN_UNSET;
    /* Before 2.9 the role is not compared: descending names, "a" (owner) merges last. */
    cr_expect_eq(cmp(&sys, &owner, 7), -1);
    cr_expect_eq(cmp(&owner, &sys, 7), 1);
    sys.name = sys.display_name = "0";
    cr_expect_eq(cmp(&sys, &owner, 7), 1, "2.7: \"0\" < \"a\", so \"0\" merges last");
    cr_expect_eq(cmp(&sys, &owner, 9), -1, "2.9: system before workload-owner");
}

Test(match, order_by_name_descending_from_2_6_ascending_before)
{
    model_policy a = pol(MODEL_KIND_MESH_SERVICE, "route-a"),
                 b = pol(MODEL_KIND_MESH_SERVICE, "route-b");
    /* 2.6+: cmp.Compare(name2, name1): the smallest name merges last and wins. */
    cr_expect_eq(cmp(&b, &a, 6), -1);
    cr_expect_eq(cmp(&b, &a, 14), -1);
    /* 2.5 and before: ByTargetRef.Less by name ascending: the largest wins. */
    cr_expect_eq(cmp(&a, &b, 5), -1);
    cr_expect_eq(cmp(&a, &b, 3), -1);
    /* Bytewise: upper case sorts before lower case. */
    model_policy up = pol(MODEL_KIND_MESH_SERVICE, "Route");
    cr_expect_eq(cmp(&a, &up, 14), -1, "\"Route\" < \"route-a\": Route merges last");
    /* The display name decides, not the resource name. */
    a.display_name = "zzz";
    cr_expect_eq(cmp(&a, &b, 14), -1);
    cr_expect_eq(cmp(&a, &a, 14), 0);
}

Test(match, order_before_2_6_by_core_name)
{
    /* Kuma 2.5 compared GetMeta().GetName(): `<name>.<namespace>` on Kubernetes, and no
     * display name.  "a-b.x" < "a.x" ('-' < '.') although "a" < "a-b". */
    model_policy a = pol(MODEL_KIND_MESH, "a"), ab = pol(MODEL_KIND_MESH, "a-b");
    cr_expect_eq(cmp(&a, &ab, 5), -1, "Universal: plain names, ascending");
    a.namespace_ = ab.namespace_ = "x";
    cr_expect_eq(cmp(&ab, &a, 5), -1, "Kubernetes: a-b.x before a.x");
    cr_expect_eq(cmp(&ab, &a, 14), -1, "2.6+: display names descending (a-b before a)");
    model_policy n1 = pol(MODEL_KIND_MESH, "route"), n2 = pol(MODEL_KIND_MESH, "route");
    n1.namespace_ = "team-a";
    n2.namespace_ = "team-b";
    cr_expect_eq(cmp(&n1, &n2, 5), -1, "same name: the namespace decides");
    cr_expect_eq(cmp(&n1, &n2, 14), 0, "2.6+: same display name, a tie");
    /* A display-name label changes nothing before 2.6. */
    model_policy p = pol(MODEL_KIND_MESH, "p"), q = pol(MODEL_KIND_MESH, "q");
    p.display_name = "zzz";
    cr_expect_eq(cmp(&p, &q, 5), -1);
    cr_expect_eq(cmp(&p, &q, 6), -1, "2.6: zzz is the larger display name, merges first");
    cr_expect_eq(cmp(&q, &p, 5), 1);
}

Test(match, order_of_gateways_fewer_tags_first)
{
    model_arena *ar = model_arena_new();
    model_policy wide = pol(MODEL_KIND_MESH_GATEWAY, "a"),
                 narrow = pol(MODEL_KIND_MESH_GATEWAY, "b");
    model_tags_set(ar, &narrow.target.tags, "port", "8080");
    cr_expect_eq(cmp(&wide, &narrow, 14), -1, "the listener-specific one wins");
    /* Tag counts do not matter for other kinds: only names. */
    model_policy s1 = pol(MODEL_KIND_MESH_SUBSET, "a"), s3 = pol(MODEL_KIND_MESH_SUBSET, "b");
    model_tags_set(ar, &s3.target.tags, "x", "1");
    model_tags_set(ar, &s3.target.tags, "y", "1");
    model_tags_set(ar, &s3.target.tags, "z", "1");
    cr_expect_eq(cmp(&s3, &s1, 14), -1);
    model_arena_free(ar);
}

/* clang-format off */
static const char *const order_yaml =
    "scenario: order\n"
    "services:\n"
    "  - name: backend\n"
    "    instances: [{}]\n"
    "  - name: web\n"
    "    instances: [{tags: {version: v1}}]\n"
    "resources:\n"
    ROUTE("b-service", "{}", "{kind: MeshService, name: web}")
    ROUTE("a-mesh", "{}", "{kind: Mesh}")
    ROUTE("z-mesh", "{}", "{kind: Mesh}")
    ROUTE("m-zone-mesh", "{kuma.io/origin: zone}", "{kind: Mesh}")
    ROUTE("c-subset", "{}", "{kind: MeshSubset, tags: {version: v1}}")
    ROUTE("not-selecting", "{}", "{kind: MeshService, name: backend}")
    ROUTE("first-twin", "{kuma.io/display-name: twin}", "{kind: MeshSubset, tags: {version: v1}}")
    ROUTE("second-twin", "{kuma.io/display-name: twin}", "{kind: MeshSubset, tags: {version: v1}}")
    "  - type: MeshHTTPRoute\n"
    "    name: http-one\n"
    "    mesh: default\n"
    "    spec:\n"
    "      targetRef: {kind: Mesh}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: backend}\n"
    "          rules: []\n";
/* clang-format on */

Test(match, matched_policies_sorted_and_stable)
{
    model_scenario *s = fixture_load(order_yaml);
    const model_dataplane *dp = fixture_dp(s, "web-1");
    const model_policy **out = calloc(s->n_policies, sizeof *out);
    size_t n = model_match_policies(&(model_world){s->policies, s->n_policies, s->n_traffic_routes}, s->kuma_minor, MODEL_RES_MESH_TCP_ROUTE, dp, out);
    static const char *const want[] = {
        "z-mesh",     "a-mesh",      "m-zone-mesh", /* names descending, then zone origin */
        "first-twin", "second-twin",                /* display name "twin": load order */
        "c-subset",   "b-service",
    };
    cr_assert_eq(n, sizeof want / sizeof want[0], "got %zu policies", n);
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(out[i]->name, want[i], "position %zu", i);
    /* Only policies of the asked type. */
    n = model_match_policies(&(model_world){s->policies, s->n_policies, s->n_traffic_routes}, s->kuma_minor, MODEL_RES_MESH_HTTP_ROUTE, dp, out);
    cr_expect_eq(n, 1);
    cr_expect_str_eq(out[0]->name, "http-one");
    cr_expect_eq(model_match_policies(&(model_world){s->policies, s->n_policies, s->n_traffic_routes}, s->kuma_minor, MODEL_RES_TRAFFIC_ROUTE, dp, out), 0);
    free(out);
    model_scenario_free(s);
}

Test(match, matched_policies_2_5_names_ascending)
{
    model_load_options o = {.kuma_minor = 5};
    model_scenario *s = fixture_load_opts(order_yaml, &o, NULL);
    const model_policy **out = calloc(s->n_policies, sizeof *out);
    size_t n = model_match_policies(&(model_world){s->policies, s->n_policies, s->n_traffic_routes}, s->kuma_minor, MODEL_RES_MESH_TCP_ROUTE, fixture_dp(s, "web-1"), out);
    /* No origin before 2.6: "m-zone-mesh" sorts by name between a- and z-; the twins by
     * their resource names (no display names yet). */
    static const char *const want[] = {"a-mesh",     "m-zone-mesh", "z-mesh",   "c-subset",
                                       "first-twin", "second-twin", "b-service"};
    cr_assert_eq(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(out[i]->name, want[i], "position %zu", i);
    free(out);
    model_scenario_free(s);
}
