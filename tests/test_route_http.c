/*
 * tests/test_route_http.c - MeshHTTPRoute listeners (model/route_http.c): one route per
 * match, Kuma's specificity sort (compare_test.go's entries), the merge of rules across
 * policies (merge_test.go's entries) and its older forms, Kuma's catch-all, dropped
 * routes, redirects and mirrors, Kuma <= 2.5's listener rules; then the request side:
 * how Envoy normalises a request and which route it takes.  Section numbers (§) are those
 * of docs/routing.md.
 */
#include "model_fixture.h"

#include "model/resolve.h"

typedef struct resolved {
    model_scenario *s;
    model_arena *a;
    const model_resolution *r;
} resolved;

static resolved resolve(const char *yaml, const char *to)
{
    resolved x = {fixture_load(yaml), model_arena_new(), NULL};
    model_world w = model_scenario_world(x.s);
    model_query q = {.from = fixture_dp(x.s, "web-1"), .to = to};
    x.r = model_resolve(x.a, x.s, &w, &q, 0);
    cr_assert_null(x.r->unsupported, "unsupported: %s", x.r->unsupported);
    return x;
}

static void done(resolved *x)
{
    model_arena_free(x->a);
    model_scenario_free(x->s);
}

/* The mesh: web (the source), backend (http) with v1 twice and v2 once, a tcp service. */
#define MESH_AT(kuma, protocol)                                                                    \
    "scenario: http\n"                                                                             \
    "kuma: \"" kuma "\"\n"                                                                         \
    "services:\n"                                                                                  \
    "  - {name: web, protocol: http, instances: [{tags: {app: web}}]}\n"                           \
    "  - name: backend\n"                                                                          \
    "    protocol: " protocol "\n"                                                                 \
    "    instances: [{count: 2, tags: {version: v1}}, {tags: {version: v2}}]\n"                    \
    "  - {name: db, protocol: tcp, instances: [{}]}\n"                                             \
    "  - {name: other, protocol: http, instances: [{}]}\n"                                         \
    "resources:\n"
#define MESH MESH_AT("2.14", "http")

/* A MeshHTTPRoute `name` with top-level targetRef {kind: Mesh} and `rules` for backend. */
#define ROUTE(name, rules)                                                                         \
    "  - type: MeshHTTPRoute\n"                                                                    \
    "    name: " name "\n"                                                                         \
    "    mesh: default\n"                                                                          \
    "    spec:\n"                                                                                  \
    "      targetRef: {kind: Mesh}\n"                                                              \
    "      to:\n"                                                                                  \
    "        - targetRef: {kind: MeshService, name: backend}\n"                                    \
    "          rules:\n" rules

/* A rule with one match and one backendRef to backend version `v`. */
#define RULE(match, v)                                                                             \
    "            - matches: [" match "]\n"                                                         \
    "              default: {backendRefs: [{kind: MeshServiceSubset, name: backend, tags: "        \
    "{version: " v "}}]}\n"

#define EXACT(p) "{path: {type: Exact, value: " p "}}"
#define PREFIX(p) "{path: {type: PathPrefix, value: " p "}}"
#define REGEX(p) "{path: {type: RegularExpression, value: '" p "'}}"

/* Route i must have the path `type` and `value` (NULL type: no path written; NULL value
 * with a NULL type: Kuma's catch-all). */
static void expect_path(const model_resolution *r, size_t i, const char *type, const char *value)
{
    cr_assert_lt(i, r->n_routes, "only %zu routes", r->n_routes);
    const model_node *m = r->routes[i].match;
    if (!type && !value) {
        cr_expect_null(m, "route %zu: Kuma's catch-all expected", i);
        return;
    }
    cr_assert_not_null(m, "route %zu is Kuma's catch-all", i);
    const model_node *p = model_node_get(m, "path");
    if (!type) {
        cr_expect_null(p, "route %zu has a path", i);
        return;
    }
    cr_assert_not_null(p, "route %zu has no path", i);
    cr_expect_str_eq(model_node_get(p, "type")->text, type, "route %zu", i);
    cr_expect_str_eq(model_node_get(p, "value")->text, value, "route %zu", i);
}

/* Route i's only cluster must be backend version `v`'s (NULL: the whole backend). */
static void expect_backend(const model_resolution *r, size_t i, const char *backend)
{
    cr_assert_lt(i, r->n_routes);
    cr_assert_eq(r->routes[i].n_clusters, 1, "route %zu has %zu clusters", i,
                 r->routes[i].n_clusters);
    cr_expect_str_eq(r->routes[i].clusters[0].backend, backend, "route %zu", i);
}

/* ---- the specificity sort: compare_test.go ------------------------------------------- */

Test(route_http, path_matches_sort_exact_then_longer_prefix_then_regex)
{
    /* "handles path matches": [prefix, longerPrefix, regex, exact] ->
     * [exact, longerPrefix, prefix, regex], then Kuma's catch-all. */
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        RULE(PREFIX("/prefix"), "v1")
        RULE(PREFIX("/prefix/plusmore"), "v1")
        RULE(REGEX("/exact.*"), "v1")
        RULE(EXACT("/exact"), "v2")), "backend");
    /* clang-format on */
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE);
    cr_assert_eq(x.r->n_routes, 5);
    expect_path(x.r, 0, "Exact", "/exact");
    expect_path(x.r, 1, "PathPrefix", "/prefix/plusmore");
    expect_path(x.r, 2, "PathPrefix", "/prefix");
    expect_path(x.r, 3, "RegularExpression", "/exact.*");
    expect_path(x.r, 4, NULL, NULL);
    expect_backend(x.r, 0, "backend{version=v2}");
    expect_backend(x.r, 4, "backend");
    done(&x);
}

Test(route_http, a_path_comes_before_a_method_or_headers)
{
    /* "handles different kinds matches": [method, exact] -> [exact, method];
     * [singleHeader, prefix] -> [prefix, singleHeader]. */
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        RULE("{method: GET}", "v1")
        RULE(EXACT("/exact"), "v2")
        RULE("{headers: [{type: Exact, name: header, value: value}]}", "v1")
        RULE(PREFIX("/prefix"), "v2")), "backend");
    /* clang-format on */
    cr_assert_eq(x.r->n_routes, 5);
    expect_path(x.r, 0, "Exact", "/exact");
    expect_path(x.r, 1, "PathPrefix", "/prefix");
    expect_path(x.r, 2, NULL, "method");
    cr_expect_str_eq(x.r->routes[2].method, "GET", "a method beats headers");
    expect_path(x.r, 3, NULL, "headers");
    cr_expect_eq(x.r->routes[3].n_headers, 1);
    expect_path(x.r, 4, NULL, NULL);
    done(&x);
}

Test(route_http, equal_paths_are_ordered_by_method_then_header_count)
{
    /* "handles AND matches": [exact, exactAndMethod] -> [exactAndMethod, exact];
     * [exactSingleHeader, exactDoubleHeader] -> [exactDoubleHeader, exactSingleHeader]:
     * Exact paths compare equal whatever their values. */
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        RULE(EXACT("/exact"), "v1")
        RULE("{path: {type: Exact, value: /exact}, method: GET}", "v2")
        RULE("{path: {type: Exact, value: /exact}, headers: [{name: header, value: value}]}", "v1")
        RULE("{path: {type: Exact, value: /other-exact}, headers: [{name: header, value: value},"
             " {name: other-header, value: other-value}]}", "v2")), "backend");
    /* clang-format on */
    cr_assert_eq(x.r->n_routes, 5);
    cr_expect_str_eq(x.r->routes[0].method, "GET");
    expect_path(x.r, 1, "Exact", "/other-exact");
    cr_expect_eq(x.r->routes[1].n_headers, 2);
    expect_path(x.r, 2, "Exact", "/exact");
    cr_expect_eq(x.r->routes[2].n_headers, 1);
    expect_path(x.r, 3, "Exact", "/exact");
    cr_expect_eq(x.r->routes[3].n_headers, 0);
    cr_expect_null(x.r->routes[3].method);
    done(&x);
}

Test(route_http, the_sort_is_stable)
{
    /* "is stable": [otherExact, exact] stays as written. */
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        RULE(EXACT("/other-exact"), "v1")
        RULE(EXACT("/exact"), "v2")), "backend");
    /* clang-format on */
    expect_path(x.r, 0, "Exact", "/other-exact");
    expect_path(x.r, 1, "Exact", "/exact");
    done(&x);
}

Test(route_http, kuma_2_6_keeps_the_merged_order)
{
    /* The sort came in 2.7 (§9): before it, a broad prefix written first shadows the
     * exact path after it. */
    /* clang-format off */
    resolved x = resolve(MESH_AT("2.6", "http") ROUTE("r",
        RULE(PREFIX("/api"), "v1")
        RULE(EXACT("/api/health"), "v2")), "backend");
    /* clang-format on */
    expect_path(x.r, 0, "PathPrefix", "/api");
    expect_path(x.r, 1, "Exact", "/api/health");
    done(&x);
}

/* ---- merging across policies: merge_test.go ------------------------------------------ */

/* merge_test.go "ordering": two Mesh-wide policies, every backendRef a MeshService. */
#define REF(match, svc)                                                                            \
    "            - matches: [" PREFIX(match) "]\n"                                                 \
    "              default: {backendRefs: [{kind: MeshService, name: " svc "}]}\n"
/* clang-format off */
#define ORDERING(kuma)                                                                             \
    MESH_AT(kuma, "http")                                                                          \
    ROUTE("a-route",                                                                               \
        REF("/a-first-prefix", "backend")                                                          \
        REF("/a-second-prefix", "first-time")                                                      \
        REF("/should-be-first-shared-prefix", "a-backend")                                         \
        REF("/should-be-second-shared-prefix", "a-backend")                                        \
        REF("/a-second-prefix", "second-time"))                                                    \
    ROUTE("b-route",                                                                               \
        REF("/b-first-prefix", "backend")                                                          \
        REF("/should-be-second-shared-prefix", "b-backend")                                        \
        REF("/should-be-first-shared-prefix", "b-backend")                                         \
        REF("/b-second-prefix", "backend"))                                                        \
    "  - {type: Dataplane, name: stubs, mesh: default, networking: {address: 10.9.9.9, inbound: "  \
    "[{port: 1, tags: {kuma.io/service: first-time, kuma.io/protocol: http}}, {port: 2, tags: "   \
    "{kuma.io/service: second-time, kuma.io/protocol: http}}, {port: 3, tags: {kuma.io/service: " \
    "a-backend, kuma.io/protocol: http}}, {port: 4, tags: {kuma.io/service: b-backend, "          \
    "kuma.io/protocol: http}}]}}\n"
/* clang-format on */

static void expect_route(const model_resolution *r, size_t i, const char *prefix, const char *svc)
{
    expect_path(r, i, "PathPrefix", prefix);
    expect_backend(r, i, svc);
}

Test(route_http, merge_ordering_as_kuma_2_6_merges)
{
    /* Kuma 2.6 merges as 2.14 and does not sort yet, so the merge order shows: a-route
     * (the smaller name wins) first in its written order, its earlier duplicate winning;
     * then b-route's new matches. */
    resolved x = resolve(ORDERING("2.6"), "backend");
    cr_assert_eq(x.r->n_routes, 7);
    expect_route(x.r, 0, "/a-first-prefix", "backend");
    expect_route(x.r, 1, "/a-second-prefix", "first-time");
    expect_route(x.r, 2, "/should-be-first-shared-prefix", "a-backend");
    expect_route(x.r, 3, "/should-be-second-shared-prefix", "a-backend");
    expect_route(x.r, 4, "/b-first-prefix", "backend");
    expect_route(x.r, 5, "/b-second-prefix", "backend");
    expect_path(x.r, 6, NULL, NULL);
    cr_assert_eq(x.r->n_policies, 2);
    cr_expect_str_eq(x.r->policies[0]->name, "b-route", "merge order: b-route, then a-route");
    cr_expect_str_eq(x.r->policies[1]->name, "a-route");
    done(&x);
}

Test(route_http, merge_ordering_as_kuma_2_5_merges)
{
    /* Kuma 2.5: names ascending (b-route wins), and a match keeps the place of its first
     * occurrence in merge order, patched by every later one. */
    resolved x = resolve(ORDERING("2.5"), "backend");
    cr_assert_eq(x.r->n_routes, 7);
    expect_route(x.r, 0, "/a-first-prefix", "backend");
    expect_route(x.r, 1, "/a-second-prefix", "second-time");
    expect_route(x.r, 2, "/should-be-first-shared-prefix", "b-backend");
    expect_route(x.r, 3, "/should-be-second-shared-prefix", "b-backend");
    expect_route(x.r, 4, "/b-first-prefix", "backend");
    expect_route(x.r, 5, "/b-second-prefix", "backend");
    done(&x);
}

Test(route_http, merge_ordering_is_then_sorted_from_kuma_2_7)
{
    /* The same merge, then CompareMatch: longer prefixes first, ties in merge order. */
    resolved x = resolve(ORDERING("2.14"), "backend");
    cr_assert_eq(x.r->n_routes, 7);
    expect_route(x.r, 0, "/should-be-second-shared-prefix", "a-backend");
    expect_route(x.r, 1, "/should-be-first-shared-prefix", "a-backend");
    expect_route(x.r, 2, "/a-second-prefix", "first-time");
    expect_route(x.r, 3, "/b-second-prefix", "backend");
    expect_route(x.r, 4, "/a-first-prefix", "backend");
    expect_route(x.r, 5, "/b-first-prefix", "backend");
    done(&x);
}

Test(route_http, merge_tie_breaking_smaller_name_wins)
{
    /* merge_test.go "tie-breaking": same kind, same match: a-route's backend. */
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("b-route", RULE(PREFIX("/v1"), "v2"))
                              ROUTE("a-route", RULE(PREFIX("/v1"), "v1")), "backend");
    /* clang-format on */
    cr_assert_eq(x.r->n_routes, 2);
    expect_route(x.r, 0, "/v1", "backend{version=v1}");
    cr_expect_str_eq(x.r->routes[0].policy->name, "a-route");
    done(&x);
}

Test(route_http, merge_keeps_fields_the_winner_does_not_set)
{
    /* merge_test.go "basic-kind-specificity": the Mesh policy's filters stay, the
     * MeshService policy's backendRefs win (a JSON merge patch, lists replaced). */
    /* clang-format off */
    const char *yaml = MESH
        "  - type: MeshHTTPRoute\n"
        "    name: route-1\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: Mesh}\n"
        "      to:\n"
        "        - targetRef: {kind: MeshService, name: backend}\n"
        "          rules:\n"
        "            - matches: [" PREFIX("/v1") "]\n"
        "              default:\n"
        "                filters: [{type: RequestMirror, requestMirror: {backendRef: "
        "{kind: MeshService, name: other}}}]\n"
        "                backendRefs: [{kind: MeshService, name: other}]\n"
        "  - type: MeshHTTPRoute\n"
        "    name: route-2\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: MeshService, name: web}\n"
        "      to:\n"
        "        - targetRef: {kind: MeshService, name: backend}\n"
        "          rules:\n"
        RULE(PREFIX("/v1"), "v1")
        RULE(PREFIX("/v2"), "v2");
    /* clang-format on */
    resolved x = resolve(yaml, "backend");
    cr_assert_eq(x.r->n_routes, 3);
    expect_route(x.r, 0, "/v1", "backend{version=v1}");
    cr_assert_eq(x.r->routes[0].n_mirrors, 1, "route-1's filter kept");
    cr_expect_str_eq(x.r->routes[0].mirrors[0].cluster.backend, "other");
    expect_route(x.r, 1, "/v2", "backend{version=v2}");
    done(&x);
}

Test(route_http, a_merge_key_ignores_quoting)
{
    /* Kuma compares parsed matches: "/v1" and /v1 are one key. */
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("b-route", RULE("{path: {type: PathPrefix, value: \"/v1\"}}", "v2"))
                              ROUTE("a-route", RULE(PREFIX("/v1"), "v1")), "backend");
    /* clang-format on */
    cr_expect_eq(x.r->n_routes, 2, "one merged route and the catch-all");
    expect_backend(x.r, 0, "backend{version=v1}");
    done(&x);
}

/* ---- routes: one per match, the catch-all, drops, redirects, mirrors ------------------ */

Test(route_http, each_match_of_a_rule_is_a_route)
{
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        "            - matches: [" EXACT("/a") ", " EXACT("/b") "]\n"
        "              default: {backendRefs: [{kind: MeshServiceSubset, name: backend, tags: {version: v1}, weight: 3},"
        " {kind: MeshServiceSubset, name: backend, tags: {version: v2}}]}\n"), "backend");
    /* clang-format on */
    cr_assert_eq(x.r->n_routes, 3);
    expect_path(x.r, 0, "Exact", "/a");
    expect_path(x.r, 1, "Exact", "/b");
    for (size_t i = 0; i < 2; i++) {
        cr_assert_eq(x.r->routes[i].n_clusters, 2);
        cr_expect_eq(x.r->routes[i].clusters[0].weight, 3);
        cr_expect_eq(x.r->routes[i].clusters[1].weight, 1, "a missing weight is 1");
        cr_expect_eq(x.r->routes[i].clusters[0].endpoints, 2);
    }
    done(&x);
}

Test(route_http, a_written_catch_all_replaces_kumas)
{
    resolved x = resolve(MESH ROUTE("r", RULE(PREFIX("/"), "v2")), "backend");
    cr_assert_eq(x.r->n_routes, 1, "Kuma appends none");
    expect_route(x.r, 0, "/", "backend{version=v2}");
    done(&x);
    /* A prefix / with more conditions is no catch-all: Kuma still appends its own. */
    resolved y = resolve(MESH ROUTE("r", RULE("{path: {type: PathPrefix, value: /}, method: GET}", "v2")),
                         "backend");
    cr_assert_eq(y.r->n_routes, 2);
    expect_path(y.r, 1, NULL, NULL);
    done(&y);
}

Test(route_http, a_route_without_backends_left_is_dropped)
{
    /* Weight 0 everywhere: the route goes, its requests fall to the next. */
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        "            - matches: [" EXACT("/a") "]\n"
        "              default: {backendRefs: [{kind: MeshService, name: backend, weight: 0}]}\n"
        RULE(PREFIX("/"), "v1")), "backend");
    /* clang-format on */
    cr_assert_eq(x.r->n_routes, 1);
    expect_route(x.r, 0, "/", "backend{version=v1}");
    done(&x);
}

Test(route_http, a_tcp_backend_drops_alone_from_2_9_and_the_split_before)
{
    /* clang-format off */
#define MIXED(kuma) MESH_AT(kuma, "http") ROUTE("r",                                              \
        "            - matches: [" EXACT("/a") "]\n"                                              \
        "              default: {backendRefs: [{kind: MeshService, name: db}, "                   \
        "{kind: MeshService, name: other}]}\n")
    /* clang-format on */
    resolved x = resolve(MIXED("2.14"), "backend");
    cr_assert_eq(x.r->n_routes, 2);
    expect_path(x.r, 0, "Exact", "/a");
    expect_backend(x.r, 0, "other");
    done(&x);
    resolved y = resolve(MIXED("2.8"), "backend");
    cr_assert_eq(y.r->n_routes, 1, "2.8: the route is gone, only the catch-all is left");
    expect_path(y.r, 0, NULL, NULL);
    done(&y);
#undef MIXED
}

Test(route_http, a_redirect_has_no_clusters_and_needs_no_backends)
{
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        "            - matches: [" EXACT("/old") "]\n"
        "              default: {filters: [{type: RequestRedirect, requestRedirect: "
        "{path: {type: ReplaceFullPath, replaceFullPath: /new}, statusCode: 301}}]}\n"), "backend");
    /* clang-format on */
    cr_assert_eq(x.r->n_routes, 2);
    cr_expect(x.r->routes[0].redirect);
    cr_expect_eq(x.r->routes[0].n_clusters, 0, "Envoy's redirect action has no clusters");
    done(&x);
}

Test(route_http, mirror_percentages_are_read_as_kuma_reads_them)
{
    /* clang-format off */
#define MIRROR(path, pct) "            - matches: [" EXACT(path) "]\n"                           \
        "              default: {filters: [{type: RequestMirror, requestMirror: {backendRef: "    \
        "{kind: MeshServiceSubset, name: backend, tags: {version: v2}}" pct "}}]}\n"
    resolved x = resolve(MESH ROUTE("r",
        MIRROR("/m1", "")
        MIRROR("/m2", ", percentage: \"5\"")
        MIRROR("/m3", ", percentage: \"0.25\"")
        MIRROR("/m4", ", percentage: 100")), "backend");
    /* clang-format on */
    cr_assert_eq(x.r->n_routes, 5);
    static const uint32_t want[] = {1000000, 50000, 2500, 1000000};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(x.r->routes[i].n_mirrors, 1);
        cr_expect_eq(x.r->routes[i].mirrors[0].per_million, want[i], "route %zu", i);
        cr_expect_str_eq(x.r->routes[i].mirrors[0].cluster.backend, "backend{version=v2}");
        expect_backend(x.r, i, "backend");
    }
    done(&x);
#undef MIRROR
}

/* ---- which plugin builds the listener (§5.2, §9) ------------------------------------- */

#define OTHER_ONLY                                                                                 \
    "  - type: MeshHTTPRoute\n"                                                                    \
    "    name: for-other\n"                                                                        \
    "    mesh: default\n"                                                                          \
    "    spec:\n"                                                                                  \
    "      targetRef: {kind: Mesh}\n"                                                              \
    "      to:\n"                                                                                  \
    "        - targetRef: {kind: MeshService, name: other}\n"                                      \
    "          rules: [{matches: [" EXACT("/x") "], default: {backendRefs: "                       \
    "[{kind: MeshService, name: other}]}}]\n"

Test(route_http, kuma_2_5_builds_the_catch_all_only_for_a_proxy_with_http_rules)
{
    /* No MeshHTTPRoute at all: the default TrafficRoute route-all. */
    resolved x = resolve(MESH_AT("2.5", "http") "  []\n", "backend");
    cr_expect_eq(x.r->route, MODEL_ROUTE_TRAFFIC_ROUTE);
    done(&x);
    /* A MeshHTTPRoute for another service: every HTTP outbound gets Kuma's catch-all. */
    resolved y = resolve(MESH_AT("2.5", "http") OTHER_ONLY, "backend");
    cr_expect_eq(y.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE);
    cr_expect(y.r->is_default);
    cr_assert_eq(y.r->n_routes, 1);
    expect_backend(y.r, 0, "backend");
    done(&y);
    /* 2.14: the catch-all in both cases. */
    resolved z = resolve(MESH "  []\n", "backend");
    cr_expect_eq(z.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE);
    done(&z);
}

Test(route_http, kuma_2_5_grpc_backends_cannot_join_an_http_split)
{
    /* Before 2.6, MakeHTTPSplit took http and http2 only: the catch-all of a grpc service
     * is dropped, so the route-all TrafficRoute stays. */
    resolved x = resolve(MESH_AT("2.5", "grpc") OTHER_ONLY, "backend");
    cr_expect_eq(x.r->route, MODEL_ROUTE_TRAFFIC_ROUTE);
    cr_expect(x.r->is_default, "route-all");
    cr_expect_eq(x.r->n_routes, 1, "a grpc cluster: route-all's listener is HTTP");
    done(&x);
    resolved y = resolve(MESH_AT("2.6", "grpc") OTHER_ONLY, "backend");
    cr_expect_eq(y.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE);
    done(&y);
}

Test(route_http, kuma_2_5_routes_a_tcp_service_its_http_rules_name)
{
    /* clang-format off */
#define ON_TCP(kuma) MESH_AT(kuma, "tcp") ROUTE("r",                                            \
        "            - matches: [" PREFIX("/v") "]\n"                                            \
        "              default: {backendRefs: [{kind: MeshService, name: other}]}\n")
    /* clang-format on */
    resolved x = resolve(ON_TCP("2.5"), "backend");
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE, "2.5 builds the HTTP listener");
    cr_assert_eq(x.r->n_routes, 1, "the catch-all to the tcp service itself is dropped");
    expect_backend(x.r, 0, "other");
    done(&x);
    resolved y = resolve(ON_TCP("2.14"), "backend");
    cr_expect_eq(y.r->route, MODEL_ROUTE_MESH_TCP_ROUTE, "2.14: the TCP plugin overwrites it");
    cr_expect(y.r->is_default);
    done(&y);
#undef ON_TCP
}

/* ---- requests ------------------------------------------------------------------------ */

static model_http_request request(model_arena *a, const char *method, const char *path,
                                  const char *const *headers)
{
    model_request q = {method, path, {0}, 1, {0}};
    for (size_t i = 0; headers && headers[i]; i += 2)
        model_tags_set(a, &q.headers, headers[i], headers[i + 1]);
    return model_http_request_make(a, &q);
}

Test(route_http, requests_are_normalised_as_envoy_does)
{
    model_arena *a = model_arena_new();
    model_http_request q = request(a, NULL, "/a/./b/../c?x=1&y=%20z", NULL);
    cr_expect_str_eq(q.method, "GET");
    cr_expect_str_eq(q.path, "/a/c", "dot segments removed, query split off");
    cr_expect_str_eq(model_tags_get(&q.query, "x"), "1");
    cr_expect_str_eq(model_tags_get(&q.query, "y"), " z", "query values decoded");
    cr_expect_str_eq(request(a, NULL, "/%41%7e%2F", NULL).path, "/A~%2F",
                     "unreserved escapes decoded, others kept");
    cr_expect_str_eq(request(a, NULL, "/../..", NULL).path, "/", "never above the root");
    cr_expect_str_eq(request(a, NULL, NULL, NULL).path, "/");
    static const char *const h[] = {"X-Canary", "true", NULL};
    model_http_request post = request(a, "POST", "/", h);
    cr_expect_str_eq(post.method, "POST");
    cr_expect_str_eq(model_tags_get(&post.headers, "x-canary"), "true", "header names lower case");
    model_arena_free(a);
}

/* Route index request (method, path, headers) takes in `x`, or n_routes. */
static size_t route_of(const resolved *x, const char *method, const char *path,
                       const char *const *headers)
{
    model_http_request q = request(x->a, method, path, headers);
    return model_http_route_choose(x->r, &q);
}

Test(route_http, a_prefix_matches_whole_segments)
{
    resolved x = resolve(MESH ROUTE("r", RULE(PREFIX("/api"), "v2")), "backend");
    cr_expect_eq(route_of(&x, NULL, "/api", NULL), 0);
    cr_expect_eq(route_of(&x, NULL, "/api/", NULL), 0);
    cr_expect_eq(route_of(&x, NULL, "/api/users?id=1", NULL), 0);
    cr_expect_eq(route_of(&x, NULL, "/apix", NULL), 1, "not a segment: the catch-all");
    cr_expect_eq(route_of(&x, NULL, "/x/../api/v1", NULL), 0, "after normalisation");
    done(&x);
}

Test(route_http, exact_regex_and_method_matches)
{
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        RULE(EXACT("/exact"), "v1")
        RULE(REGEX("/v[0-9]+"), "v1")
        RULE("{method: POST}", "v2")), "backend");
    /* clang-format on */
    cr_expect_eq(route_of(&x, NULL, "/exact", NULL), 0);
    cr_expect_eq(route_of(&x, NULL, "/exact/", NULL), 3, "Exact is exact");
    cr_expect_eq(route_of(&x, NULL, "/v12", NULL), 1);
    cr_expect_eq(route_of(&x, NULL, "/v12/x", NULL), 3, "a regex matches the whole path");
    cr_expect_eq(route_of(&x, "POST", "/anything", NULL), 2);
    cr_expect_eq(route_of(&x, "GET", "/anything", NULL), 3);
    done(&x);
}

Test(route_http, header_matches)
{
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        RULE("{headers: [{type: Exact, name: x-a, value: \"1\"}]}", "v1")
        RULE("{headers: [{type: Present, name: x-b}]}", "v1")
        RULE("{headers: [{type: Prefix, name: x-c, value: can}]}", "v1")
        RULE("{headers: [{type: RegularExpression, name: x-d, value: 'v[12]'}]}", "v1")
        RULE("{headers: [{type: Absent, name: x-e}]}", "v2")), "backend");
    /* clang-format on */
    static const char *const a[] = {"X-A", "1", "x-e", "-", NULL};
    static const char *const a2[] = {"x-a", "10", "x-e", "-", NULL};
    static const char *const b[] = {"x-b", "", "x-e", "-", NULL};
    static const char *const c[] = {"x-c", "canary", "x-e", "-", NULL};
    static const char *const d[] = {"x-d", "v2", "x-e", "-", NULL};
    static const char *const d3[] = {"x-d", "v22", "x-e", "-", NULL};
    static const char *const e[] = {"x-other", "1", NULL};
    static const char *const none[] = {"x-e", "-", NULL};
    cr_expect_eq(route_of(&x, NULL, "/", a), 0, "header names are case-insensitive");
    cr_expect_eq(route_of(&x, NULL, "/", a2), 5, "Exact is exact");
    cr_expect_eq(route_of(&x, NULL, "/", b), 1, "Present: any value, even empty");
    cr_expect_eq(route_of(&x, NULL, "/", c), 2);
    cr_expect_eq(route_of(&x, NULL, "/", d), 3);
    cr_expect_eq(route_of(&x, NULL, "/", d3), 5, "a regex matches the whole value");
    cr_expect_eq(route_of(&x, NULL, "/", e), 4, "Absent");
    cr_expect_eq(route_of(&x, NULL, "/", none), 5);
    done(&x);
}

Test(route_http, query_matches_see_decoded_values)
{
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        RULE("{queryParams: [{type: Exact, name: q, value: a b}]}", "v1")
        RULE("{queryParams: [{type: RegularExpression, name: id, value: '[0-9]+'}]}", "v2")), "backend");
    /* clang-format on */
    cr_expect_eq(route_of(&x, NULL, "/?q=a%20b", NULL), 0);
    cr_expect_eq(route_of(&x, NULL, "/?q=ab", NULL), 2);
    cr_expect_eq(route_of(&x, NULL, "/x?id=42&q=z", NULL), 1);
    cr_expect_eq(route_of(&x, NULL, "/x?id=42a", NULL), 2);
    done(&x);
}

Test(route_http, all_conditions_of_a_match_must_hold)
{
    /* clang-format off */
    resolved x = resolve(MESH ROUTE("r",
        RULE("{path: {type: PathPrefix, value: /api}, method: GET, headers: [{name: x-canary, value: \"true\"}]}", "v2")), "backend");
    /* clang-format on */
    static const char *const yes[] = {"x-canary", "true", NULL};
    cr_expect_eq(route_of(&x, "GET", "/api/a", yes), 0);
    cr_expect_eq(route_of(&x, "POST", "/api/a", yes), 1);
    cr_expect_eq(route_of(&x, "GET", "/web", yes), 1);
    cr_expect_eq(route_of(&x, "GET", "/api/a", NULL), 1);
    done(&x);
}

Test(route_http, the_catch_all_keeps_declared_outbound_tags_from_2_6)
{
    /* clang-format off */
#define DECLARED(kuma) "scenario: t\nkuma: \"" kuma "\"\n"                                         \
        "services:\n"                                                                             \
        "  - {name: backend, protocol: http, instances: [{tags: {version: v1}}, {tags: {version: v2}}]}\n" \
        "  - {name: other, protocol: http, instances: [{}]}\n"                                    \
        "resources:\n"                                                                            \
        "  - {type: Dataplane, name: web-1, mesh: default, networking: {address: 10.0.0.1,"       \
        " inbound: [{port: 80, tags: {kuma.io/service: web, kuma.io/protocol: http}}],"           \
        " outbound: [{port: 8080, tags: {kuma.io/service: backend, version: v1}}]}}\n"            \
        OTHER_ONLY
    /* clang-format on */
    resolved x = resolve(DECLARED("2.14"), "backend");
    cr_assert_eq(x.r->n_routes, 1);
    expect_backend(x.r, 0, "backend{version=v1}");
    done(&x);
    resolved y = resolve(DECLARED("2.5"), "backend");
    cr_assert_eq(y.r->n_routes, 1);
    expect_backend(y.r, 0, "backend");
    done(&y);
#undef DECLARED
}
