/*
 * tests/test_resolve.c - flows resolved as Kuma and Envoy would configure them: which
 * route type decides (docs/routing.md §5.2, §9), how the confs of several policies merge
 * (§2), and the TCP split Envoy walks (§3): drops, default weights, duplicates, cluster
 * names and endpoints.  Section numbers (§) are those of docs/routing.md.
 */
#include "model_fixture.h"
#include "sim/explain.h"

#include "model/resolve.h"

/* A loaded scenario and one resolution of it, freed together by done(). */
typedef struct resolved {
    model_scenario *s;
    model_arena *a;
    const model_resolution *r;
} resolved;

static resolved resolve_opts(const char *yaml, const model_load_options *o, const char *from,
                             const char *to)
{
    resolved x = {fixture_load_opts(yaml, o, NULL), model_arena_new(), NULL};
    model_world w = model_scenario_world(x.s);
    model_query q = {.from = fixture_dp(x.s, from), .to = to};
    x.r = model_resolve(x.a, x.s, &w, &q, MODEL_RESOLVE_EXPLAIN);
    cr_assert_not_null(x.r);
    return x;
}

/* Step i of the resolution, in the words --explain prints (a static buffer). */
static const char *step_text(const resolved *x, size_t i)
{
    static char buf[1024];
    sim_explain_step(buf, sizeof buf, x->s, x->r, &x->r->steps[i]);
    return buf;
}

static resolved resolve(const char *yaml, const char *from, const char *to)
{
    return resolve_opts(yaml, NULL, from, to);
}

static void done(resolved *x)
{
    model_arena_free(x->a);
    model_scenario_free(x->s);
}

/* Cluster i of the TCP split must be `name` with `weight` and `endpoints`. */
static void expect_cluster(const model_resolution *r, size_t i, const char *name, uint32_t weight,
                           size_t endpoints)
{
    cr_assert_lt(i, r->n_clusters, "only %zu clusters", r->n_clusters);
    cr_expect_str_eq(r->clusters[i].name, name, "cluster %zu", i);
    cr_expect_eq(r->clusters[i].weight, weight, "weight of cluster %zu (%s)", i, name);
    cr_expect_eq(r->clusters[i].endpoints, endpoints, "endpoints of cluster %zu (%s)", i, name);
}

/* The contributing policies, in merge order, must be exactly `names`. */
static void expect_policies(const model_resolution *r, const char *const *names)
{
    size_t n = 0;
    while (names[n])
        n++;
    cr_assert_eq(r->n_policies, n, "%zu contributing policies, expected %zu", r->n_policies, n);
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(r->policies[i]->name, names[i], "policy %zu", i);
}

#define POLICIES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_POLICIES ((const char *const[]){NULL})

/* The mesh of most cases: web (the source) and backend with two versions. */
#define MESH(backend_protocol)                                                                     \
    "scenario: resolve\n"                                                                          \
    "services:\n"                                                                                  \
    "  - name: web\n"                                                                              \
    "    protocol: tcp\n"                                                                          \
    "    instances: [{tags: {app: web}}]\n"                                                        \
    "  - name: backend\n"                                                                          \
    "    protocol: " backend_protocol "\n"                                                         \
    "    instances:\n"                                                                             \
    "      - {tags: {version: v0}, count: 3}\n"                                                    \
    "      - {tags: {version: v1}}\n"

/* A Universal MeshTCPRoute `name` with top-level targetRef `target`, for backend, whose
 * rule's backendRefs are `refs` (a flow list). */
#define TCP_ROUTE(name, target, refs)                                                              \
    "  - type: MeshTCPRoute\n"                                                                     \
    "    name: " name "\n"                                                                         \
    "    mesh: default\n"                                                                          \
    "    spec:\n"                                                                                  \
    "      targetRef: " target "\n"                                                                \
    "      to:\n"                                                                                  \
    "        - targetRef: {kind: MeshService, name: backend}\n"                                    \
    "          rules: [{default: {backendRefs: " refs "}}]\n"

#define V0 "{kind: MeshServiceSubset, name: backend, tags: {version: v0}"
#define V1 "{kind: MeshServiceSubset, name: backend, tags: {version: v1}"
/* Cluster names of backend{version=v0} and backend{version=v1} (sha256, §3.2). */
#define V0_CLUSTER "backend-b49a4e4b30420345"
#define V1_CLUSTER "backend-154693772bc47249"

Test(resolve, default_route_is_the_destination_itself)
{
    resolved x = resolve(MESH("tcp"), "web-1", "backend");
    const model_resolution *r = x.r;
    cr_expect_eq(r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    cr_expect(r->is_default);
    cr_expect_eq(r->protocol, MODEL_PROTO_TCP);
    cr_expect_null(r->unsupported);
    expect_policies(r, NO_POLICIES);
    cr_assert_eq(r->n_clusters, 1);
    expect_cluster(r, 0, "backend", 100, 4);
    cr_expect_str_eq(r->clusters[0].backend, "backend");
    cr_expect_str_eq(r->clusters[0].service, "backend");
    cr_expect_eq(r->clusters[0].tags.n, 0);
    cr_expect_eq(r->n_routes, 0);
    cr_assert_gt(r->n_steps, 0);
    cr_expect_str_eq(step_text(&x, r->n_steps - 1), "decision: MeshTCPRoute (default route)");
    done(&x);
}

Test(resolve, default_route_keeps_the_outbound_tags)
{
    /* DefaultBackendRef carries ALL tags of the outbound: a subset cluster. */
    const char *yaml = "scenario: outbound-tags\n"
                       "services:\n"
                       "  - name: backend\n"
                       "    instances:\n"
                       "      - {tags: {region: eu}, count: 2}\n"
                       "      - {tags: {region: us}}\n"
                       "resources:\n"
                       "  - type: Dataplane\n"
                       "    name: client\n"
                       "    mesh: default\n"
                       "    networking:\n"
                       "      address: 10.0.0.1\n"
                       "      inbound: [{port: 80, tags: {kuma.io/service: client}}]\n"
                       "      outbound:\n"
                       "        - {port: 9000, tags: {kuma.io/service: backend, region: eu}}\n";
    resolved x = resolve(yaml, "client", "backend");
    cr_expect(x.r->is_default);
    cr_assert_eq(x.r->n_clusters, 1);
    expect_cluster(x.r, 0, "backend-bb38a94289f18fb9", 100, 2);
    cr_expect_str_eq(x.r->clusters[0].backend, "backend{region=eu}");
    cr_expect_eq(x.r->protocol, MODEL_PROTO_UNKNOWN, "no kuma.io/protocol tag");
    done(&x);
}

Test(resolve, split_in_backendrefs_order)
{
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("split", "{kind: Mesh}", "[" V1 ", weight: 10}, " V0 ", weight: 90}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    cr_expect_not(x.r->is_default);
    expect_policies(x.r, POLICIES("split"));
    cr_assert_eq(x.r->n_clusters, 2);
    expect_cluster(x.r, 0, V1_CLUSTER, 10, 1);
    expect_cluster(x.r, 1, V0_CLUSTER, 90, 3);
    cr_expect_str_eq(x.r->clusters[1].backend, "backend{version=v0}");
    done(&x);
}

Test(resolve, weight_zero_dropped_missing_weight_is_one)
{
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("w", "{kind: Mesh}",
                  "[" V0 ", weight: 0}, " V1 "}, {kind: MeshService, name: backend, weight: 3}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_assert_eq(x.r->n_clusters, 2);
    expect_cluster(x.r, 0, V1_CLUSTER, 1, 1);
    expect_cluster(x.r, 1, "backend", 3, 4);
    done(&x);
}

Test(resolve, duplicate_refs_each_keep_their_split)
{
    /* Same cluster twice: [A:1, A:3] stays two entries (Envoy walks them as A:4). */
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("dup", "{kind: Mesh}",
                  "[" V0 ", weight: 1}, " V1 ", weight: 2}, " V0 ", weight: 3}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_assert_eq(x.r->n_clusters, 3);
    expect_cluster(x.r, 0, V0_CLUSTER, 1, 3);
    expect_cluster(x.r, 1, V1_CLUSTER, 2, 1);
    expect_cluster(x.r, 2, V0_CLUSTER, 3, 3);
    done(&x);
}

Test(resolve, unknown_backend_kept_with_no_endpoints)
{
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("ghost", "{kind: Mesh}",
                  "[{kind: MeshService, name: ghost, weight: 1}, "
                  "{kind: MeshServiceSubset, name: backend, tags: {version: v9}}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    cr_assert_eq(x.r->n_clusters, 2);
    /* ghost has protocol <unknown>, which a TCP split accepts. */
    expect_cluster(x.r, 0, "ghost", 1, 0);
    /* A subset no endpoint has: kept, empty. */
    cr_expect_eq(x.r->clusters[1].endpoints, 0);
    cr_expect_str_eq(x.r->clusters[1].backend, "backend{version=v9}");
    done(&x);
}

Test(resolve, subset_without_tags_is_the_service_and_name_beats_service_tag)
{
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("names", "{kind: Mesh}",
                  "[{kind: MeshServiceSubset, name: backend, weight: 1}, "
                  "{kind: MeshServiceSubset, name: backend, "
                  "tags: {kuma.io/service: web, version: v1}, weight: 2}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_assert_eq(x.r->n_clusters, 2);
    expect_cluster(x.r, 0, "backend", 1, 4);
    /* The ref's name wins over a kuma.io/service in its tags. */
    expect_cluster(x.r, 1, V1_CLUSTER, 2, 1);
    cr_expect_str_eq(x.r->clusters[1].service, "backend");
    done(&x);
}

Test(resolve, higher_priority_conf_replaces_backendrefs)
{
    /* Mesh < MeshService: the MeshService policy merges last, its list replaces. */
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("by-service", "{kind: MeshService, name: web}", "[" V1 "}]")
        TCP_ROUTE("by-mesh", "{kind: Mesh}", "[" V0 ", weight: 9}, " V1 ", weight: 1}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    expect_policies(x.r, POLICIES("by-mesh", "by-service"));
    cr_assert_eq(x.r->n_clusters, 1);
    expect_cluster(x.r, 0, V1_CLUSTER, 1, 1);
    done(&x);
}

Test(resolve, equal_priority_smallest_name_wins)
{
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("route-a", "{kind: Mesh}", "[" V0 "}]")
        TCP_ROUTE("route-b", "{kind: Mesh}", "[" V1 "}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    expect_policies(x.r, POLICIES("route-b", "route-a"));
    cr_assert_eq(x.r->n_clusters, 1);
    expect_cluster(x.r, 0, V0_CLUSTER, 1, 3);
    done(&x);

    /* Kuma 2.5 sorted names ascending: route-b wins there. */
    model_load_options o = {.kuma_minor = 5};
    resolved y = resolve_opts(yaml, &o, "web-1", "backend");
    expect_policies(y.r, POLICIES("route-a", "route-b"));
    expect_cluster(y.r, 0, V1_CLUSTER, 1, 1);
    done(&y);
}

Test(resolve, later_to_item_of_one_policy_wins)
{
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        "  - type: MeshTCPRoute\n"
        "    name: twice\n"
        "    mesh: default\n"
        "    spec:\n"
        "      to:\n"
        "        - targetRef: {kind: MeshService, name: backend}\n"
        "          rules: [{default: {backendRefs: [" V0 "}]}}]\n"
        "        - targetRef: {kind: MeshService, name: backend}\n"
        "          rules: [{default: {backendRefs: [" V1 "}]}}]\n";
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    expect_policies(x.r, POLICIES("twice"));
    cr_assert_eq(x.r->n_clusters, 1);
    expect_cluster(x.r, 0, V1_CLUSTER, 1, 1);
    done(&x);
}

Test(resolve, to_without_rules_resets_to_the_destination)
{
    /* A higher-priority `to` with `rules: []` sets backendRefs to the destination itself,
     * weight 1 (To.GetDefault), undoing the lower policy's split. */
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("mesh-split", "{kind: Mesh}", "[" V0 ", weight: 90}, " V1 ", weight: 10}]")
        "  - type: MeshTCPRoute\n"
        "    name: web-reset\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: MeshService, name: web}\n"
        "      to:\n"
        "        - targetRef: {kind: MeshService, name: backend}\n"
        "          rules: []\n";
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_expect_not(x.r->is_default, "a policy decided, even if it names the destination");
    expect_policies(x.r, POLICIES("mesh-split", "web-reset"));
    cr_assert_eq(x.r->n_clusters, 1);
    expect_cluster(x.r, 0, "backend", 1, 4);
    done(&x);
}

Test(resolve, policy_for_another_service_leaves_the_default)
{
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "  - name: other\n"
        "    instances: [{}]\n"
        "resources:\n"
        "  - type: MeshTCPRoute\n"
        "    name: other-only\n"
        "    mesh: default\n"
        "    spec:\n"
        "      to:\n"
        "        - targetRef: {kind: MeshService, name: other}\n"
        "          rules: [{default: {backendRefs: [" V1 "}]}}]\n";
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_expect(x.r->is_default);
    expect_policies(x.r, NO_POLICIES);
    expect_cluster(x.r, 0, "backend", 100, 4);
    done(&x);
    /* ... and it redirects `other` to backend v1. */
    resolved y = resolve(yaml, "web-1", "other");
    expect_policies(y.r, POLICIES("other-only"));
    expect_cluster(y.r, 0, V1_CLUSTER, 1, 1);
    done(&y);
}

Test(resolve, policy_not_selecting_the_source_does_not_count)
{
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("for-others", "{kind: MeshSubset, tags: {app: not-web}}", "[" V1 "}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_expect(x.r->is_default);
    expect_cluster(x.r, 0, "backend", 100, 4);
    done(&x);
}

Test(resolve, http_destination_with_only_meshtcproute_is_tcp)
{
    /* clang-format off */
    const char *yaml = MESH("http")
        "resources:\n"
        TCP_ROUTE("tcp-on-http", "{kind: Mesh}", "[" V0 ", weight: 90}, " V1 ", weight: 10}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_expect_eq(x.r->protocol, MODEL_PROTO_HTTP);
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    cr_expect_null(x.r->unsupported);
    cr_expect_eq(x.r->n_routes, 0);
    cr_assert_eq(x.r->n_clusters, 2);
    expect_cluster(x.r, 0, V0_CLUSTER, 90, 3);
    done(&x);
}

/* A Universal MeshHTTPRoute on backend with no rules (a conf, even if empty). */
#define HTTP_ROUTE(name)                                                                           \
    "  - type: MeshHTTPRoute\n"                                                                    \
    "    name: " name "\n"                                                                         \
    "    mesh: default\n"                                                                          \
    "    spec:\n"                                                                                  \
    "      targetRef: {kind: Mesh}\n"                                                              \
    "      to:\n"                                                                                  \
    "        - targetRef: {kind: MeshService, name: backend}\n"                                    \
    "          rules: []\n"

Test(resolve, http_destination_without_policies_gets_the_http_catch_all)
{
    resolved x = resolve(MESH("http"), "web-1", "backend");
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE);
    cr_expect(x.r->is_default);
    cr_expect_eq(x.r->n_clusters, 0, "HTTP: clusters live in the routes");
    cr_assert_eq(x.r->n_routes, 1);
    cr_expect_null(x.r->routes[0].match, "Kuma's catch-all");
    cr_expect_not(x.r->routes[0].redirect);
    cr_assert_eq(x.r->routes[0].n_clusters, 1);
    cr_expect_str_eq(x.r->routes[0].clusters[0].name, "backend");
    cr_expect_eq(x.r->routes[0].clusters[0].weight, 100);
    cr_expect_eq(x.r->routes[0].clusters[0].endpoints, 4);
    done(&x);
}

Test(resolve, meshhttproute_beats_meshtcproute_on_http_destination)
{
    /* clang-format off */
    const char *yaml = MESH("grpc")
        "resources:\n"
        TCP_ROUTE("tcp", "{kind: Mesh}", "[" V1 "}]")
        HTTP_ROUTE("http");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE, "grpc is HTTP: the TCP plugin stays out");
    cr_expect_null(x.r->unsupported);
    cr_expect_not(x.r->is_default, "an empty conf is still a MeshHTTPRoute conf");
    expect_policies(x.r, POLICIES("http"));
    cr_expect_eq(x.r->n_clusters, 0);
    cr_assert_eq(x.r->n_routes, 1, "no rules: only Kuma's catch-all");
    cr_expect_null(x.r->routes[0].match);
    cr_assert_eq(x.r->routes[0].n_clusters, 1);
    cr_expect_str_eq(x.r->routes[0].clusters[0].name, "backend");
    done(&x);
}

Test(resolve, meshtcproute_wins_on_tcp_destination_even_with_meshhttproute)
{
    /* clang-format off */
    const char *yaml = MESH("kafka")
        "resources:\n"
        TCP_ROUTE("tcp", "{kind: Mesh}", "[" V1 "}]")
        HTTP_ROUTE("http");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_expect_eq(x.r->protocol, MODEL_PROTO_KAFKA);
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    expect_policies(x.r, POLICIES("tcp"));
    expect_cluster(x.r, 0, V1_CLUSTER, 1, 1);
    done(&x);
    /* With no MeshTCPRoute conf, the TCP plugin's default route still overwrites. */
    /* clang-format off */
    const char *yaml_y = MESH("tcp")
        "resources:\n"
        HTTP_ROUTE("http");
    /* clang-format on */
    resolved y = resolve(yaml_y, "web-1", "backend");
    cr_expect_eq(y.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    cr_expect(y.r->is_default);
    done(&y);
}

/* backend split over services of every protocol. */
/* clang-format off */
static const char *const protocols_yaml = MESH("tcp")
    "  - name: tls-svc\n"
    "    protocol: tls\n"
    "    instances: [{}]\n"
    "  - name: mysql-svc\n"
    "    protocol: mysql\n"
    "    instances: [{}]\n"
    "  - name: kafka-svc\n"
    "    protocol: kafka\n"
    "    instances: [{}]\n"
    "  - name: grpc-svc\n"
    "    protocol: grpc\n"
    "    instances: [{}]\n"
    "resources:\n"
    TCP_ROUTE("mixed", "{kind: Mesh}",
              "[{kind: MeshService, name: tls-svc, weight: 1}, "
              "{kind: MeshService, name: kafka-svc, weight: 2}, "
              "{kind: MeshService, name: mysql-svc, weight: 3}, "
              "{kind: MeshService, name: grpc-svc, weight: 4}, "
              "{kind: MeshService, name: nowhere, weight: 5}]");
/* clang-format on */

Test(resolve, backend_protocol_filter_drops_each_ref_in_2_14)
{
    resolved x = resolve(protocols_yaml, "web-1", "backend");
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    cr_assert_eq(x.r->n_clusters, 3);
    expect_cluster(x.r, 0, "kafka-svc", 2, 1);
    expect_cluster(x.r, 1, "grpc-svc", 4, 1);
    expect_cluster(x.r, 2, "nowhere", 5, 0);
    done(&x);
}

Test(resolve, backend_protocol_filter_empties_the_split_in_2_8)
{
    model_load_options o = {.kuma_minor = 8};
    resolved x = resolve_opts(protocols_yaml, &o, "web-1", "backend");
    /* Any refused backend empties the whole split: connections are closed. */
    cr_expect_eq(x.r->route, MODEL_ROUTE_NONE);
    cr_expect_eq(x.r->n_clusters, 0);
    expect_policies(x.r, POLICIES("mixed"));
    cr_expect_str_eq(step_text(&x, x.r->n_steps - 1), "decision: none");
    cr_expect(x.r->has_none_reason);
    cr_expect_eq(x.r->none, MODEL_NONE_WHOLE_SPLIT);
    done(&x);
    /* 2.9 already drops per backend. */
    o.kuma_minor = 9;
    resolved y = resolve_opts(protocols_yaml, &o, "web-1", "backend");
    cr_expect_eq(y.r->n_clusters, 3);
    done(&y);
}

Test(resolve, destination_kuma_cannot_proxy_as_tcp_is_closed)
{
    /* The default route goes through the same protocol filter (§3.1, §10). */
    resolved x = resolve(protocols_yaml, "web-1", "tls-svc");
    cr_expect_eq(x.r->protocol, MODEL_PROTO_TLS);
    cr_expect_eq(x.r->route, MODEL_ROUTE_NONE);
    cr_expect(x.r->is_default);
    cr_expect_eq(x.r->n_clusters, 0);
    done(&x);
    resolved y = resolve(protocols_yaml, "web-1", "kafka-svc");
    cr_expect_eq(y.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    expect_cluster(y.r, 0, "kafka-svc", 100, 1);
    done(&y);
}

Test(resolve, route_none_when_every_ref_is_dropped)
{
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("zeros", "{kind: Mesh}", "[" V0 ", weight: 0}, " V1 ", weight: 0}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    cr_expect_eq(x.r->route, MODEL_ROUTE_NONE);
    cr_expect_not(x.r->is_default);
    cr_expect_eq(x.r->n_clusters, 0);
    expect_policies(x.r, POLICIES("zeros"));
    cr_expect_str_eq(model_route_type_name(x.r->route), "none");
    done(&x);
}

Test(resolve, kuma_2_5_route_all_traffic_route_by_default)
{
    model_load_options o = {.kuma_minor = 5};
    resolved x = resolve_opts(MESH("http"), &o, "web-1", "backend");
    /* Before 2.6 every mesh had route-all-<mesh>: one split of weight 1 to the outbound;
     * backend speaks http, so its listener is an HTTP route table (§5.4). */
    cr_expect_eq(x.r->route, MODEL_ROUTE_TRAFFIC_ROUTE);
    cr_expect(x.r->is_default);
    cr_expect_null(x.r->unsupported);
    cr_expect_eq(x.r->n_clusters, 0);
    cr_assert_eq(x.r->n_routes, 1);
    cr_assert_eq(x.r->routes[0].n_clusters, 1);
    cr_expect_str_eq(x.r->routes[0].clusters[0].name, "backend");
    cr_expect_eq(x.r->routes[0].clusters[0].weight, 1);
    done(&x);
    /* On a tcp destination: one TCP split. */
    resolved t = resolve_opts(MESH("tcp"), &o, "web-1", "backend");
    cr_expect_eq(t.r->route, MODEL_ROUTE_TRAFFIC_ROUTE);
    cr_assert_eq(t.r->n_clusters, 1);
    expect_cluster(t.r, 0, "backend", 1, 4);
    done(&t);
    /* A MeshTCPRoute conf for the outbound takes it over. */
    /* clang-format off */
    const char *yaml_y = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("tcp", "{kind: Mesh}", "[" V1 "}]");
    /* clang-format on */
    resolved y = resolve_opts(yaml_y, &o, "web-1", "backend");
    cr_expect_eq(y.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    cr_expect_not(y.r->is_default);
    expect_cluster(y.r, 0, V1_CLUSTER, 1, 1);
    done(&y);
}

/* A TrafficRoute in the mesh (Universal). */
#define TRAFFIC_ROUTE                                                                              \
    "  - type: TrafficRoute\n"                                                                     \
    "    name: tr\n"                                                                               \
    "    mesh: default\n"                                                                          \
    "    sources: [{match: {kuma.io/service: '*'}}]\n"                                             \
    "    destinations: [{match: {kuma.io/service: '*'}}]\n"                                        \
    "    conf: {destination: {kuma.io/service: '*'}}\n"

Test(resolve, traffic_route_in_mesh_gates_the_plugins)
{
    /* With a TrafficRoute, the MeshTCPRoute plugin acts only for proxies that have
     * MeshTCPRoute rules (§5.3); otherwise TrafficRoute decides. */
    /* clang-format off */
    const char *only_tr = MESH("tcp")
        "resources:\n"
        TRAFFIC_ROUTE;
    /* clang-format on */
    resolved x = resolve(only_tr, "web-1", "backend");
    cr_expect_null(x.r->unsupported);
    cr_expect_eq(x.r->route, MODEL_ROUTE_TRAFFIC_ROUTE);
    expect_policies(x.r, POLICIES("tr"));
    expect_cluster(x.r, 0, "backend", 1, 4);
    done(&x);
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "  - name: other\n"
        "    instances: [{}]\n"
        "resources:\n"
        TRAFFIC_ROUTE
        "  - type: MeshTCPRoute\n"
        "    name: other-only\n"
        "    mesh: default\n"
        "    spec:\n"
        "      to:\n"
        "        - targetRef: {kind: MeshService, name: other}\n"
        "          rules: []\n";
    /* clang-format on */
    /* Rules for another service are enough: every outbound gets the plugin's route. */
    resolved y = resolve(yaml, "web-1", "backend");
    cr_expect_null(y.r->unsupported);
    cr_expect_eq(y.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    cr_expect(y.r->is_default);
    expect_cluster(y.r, 0, "backend", 100, 4);
    done(&y);
}

Test(resolve, explain_names_each_step)
{
    /* clang-format off */
    const char *yaml = MESH("tcp")
        "resources:\n"
        TCP_ROUTE("w", "{kind: Mesh}", "[" V0 ", weight: 0}, " V1 "}]");
    /* clang-format on */
    resolved x = resolve(yaml, "web-1", "backend");
    const model_resolution *r = x.r;
    cr_assert_geq(r->n_steps, 5);
    cr_expect_eq(r->steps[0].kind, MODEL_STEP_PROTOCOL);
    cr_expect_str_eq(step_text(&x, 0), "protocol of backend: tcp (common protocol of its 4 "
                                       "endpoints)");
    bool dropped = false, defaulted = false;
    for (size_t i = 0; i < r->n_steps; i++) {
        const model_step *st = &r->steps[i];
        dropped |= st->kind == MODEL_STEP_BACKEND_DROPPED && st->index == 0 &&
                   st->drop == MODEL_DROP_WEIGHT_ZERO && !strcmp(st->service, "backend");
        defaulted |= st->kind == MODEL_STEP_BACKEND && st->weight_default && st->weight == 1;
    }
    cr_expect(dropped, "the weight-0 drop is a step");
    cr_expect(defaulted, "the default weight is a step");
    cr_expect_str_eq(step_text(&x, r->n_steps - 1), "decision: MeshTCPRoute");
    done(&x);
}
