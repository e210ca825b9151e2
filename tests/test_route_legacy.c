/*
 * tests/test_route_legacy.c - TrafficRoute (model/route_legacy.c): which TrafficRoute routes
 * a source to a destination (the cases of Kuma's pkg/xds/topology/router_test.go, then
 * rules of our own), wildcard resolution, the listener (weight 0 skipped, an HTTP route
 * table when every cluster speaks HTTP, else one TCP split over every route), an
 * outbound no TrafficRoute covers, the gate that lets the new route plugins act per proxy,
 * and Kuma <= 2.5's route-all-<mesh>.  Section numbers (§) are those of docs/routing.md.
 */
#include "model_fixture.h"

#include "model/resolve.h"

typedef struct resolved {
    model_scenario *s;
    model_arena *a;
    const model_resolution *r;
} resolved;

static resolved resolve(const char *yaml, const char *from, const char *to)
{
    resolved x = {fixture_load(yaml), model_arena_new(), NULL};
    model_world w = model_scenario_world(x.s);
    model_query q = {.from = fixture_dp(x.s, from), .to = to};
    x.r = model_resolve(x.a, x.s, &w, &q, MODEL_RESOLVE_EXPLAIN);
    cr_assert_null(x.r->unsupported, "unsupported: %s", x.r->unsupported);
    return x;
}

static void done(resolved *x)
{
    model_arena_free(x->a);
    model_scenario_free(x->s);
}

/* The TrafficRoute that decides, by name (NULL: none, or route-all). */
static const char *chosen(const resolved *x)
{
    return x->r->n_policies ? x->r->policies[x->r->n_policies - 1]->name : NULL;
}

/* router_test.go's dataplane: backend with inbounds {backend, eu} and {frontend, eu}, and
 * the services it routes to, every endpoint tcp. */
#define MESH_AT(kuma)                                                                              \
    "scenario: tr\n"                                                                               \
    "kuma: \"" kuma "\"\n"                                                                         \
    "services:\n"                                                                                  \
    "  - {name: redis, protocol: tcp, instances: [{tags: {version: v1}}, {tags: {version: v2}}]}\n" \
    "  - {name: elastic, protocol: tcp, instances: [{tags: {region: us}}, {tags: {region: eu}}]}\n" \
    "  - {name: blackhole, protocol: tcp, instances: [{}]}\n"                                     \
    "  - {name: hollygrail, protocol: tcp, instances: [{}]}\n"                                    \
    "resources:\n"                                                                                 \
    "  - type: Dataplane\n"                                                                        \
    "    name: backend\n"                                                                          \
    "    mesh: default\n"                                                                          \
    "    networking:\n"                                                                            \
    "      address: 192.168.0.1\n"                                                                 \
    "      inbound:\n"                                                                             \
    "        - {port: 8080, tags: {kuma.io/service: backend, region: eu, kuma.io/protocol: tcp}}\n" \
    "        - {port: 8081, tags: {kuma.io/service: frontend, region: eu, kuma.io/protocol: tcp}}\n"
#define MESH MESH_AT("2.14")

/* A TrafficRoute `name` from `src` to `dst` (selector tag maps) splitting per `split`. */
#define TR(name, created, src, dst, split)                                                         \
    "  - type: TrafficRoute\n"                                                                     \
    "    name: " name "\n"                                                                         \
    "    mesh: default\n" created                                                                  \
    "    sources: [" src "]\n"                                                                     \
    "    destinations: [" dst "]\n"                                                                \
    "    conf: {split: [" split "]}\n"
#define AT(t) "    creationTime: \"" t "\"\n"
#define SEL(...) "{match: {" __VA_ARGS__ "}}"
#define ANY SEL("kuma.io/service: '*'")
#define TO(w, ...) "{weight: " #w ", destination: {" __VA_ARGS__ "}}"

/* ---- router_test.go ---------------------------------------------------------------- */

Test(route_legacy, the_best_matching_route_for_each_outbound)
{
    /* GetRoutes "should pick the best matching Route for each outbound interface". */
    /* clang-format off */
    const char *yaml = MESH
        TR("route-to-redis", "", SEL("kuma.io/service: frontend") ", " SEL("kuma.io/service: backend"),
           SEL("kuma.io/service: redis"),
           TO(10, "kuma.io/service: redis, version: v1") ", " TO(90, "kuma.io/service: redis, version: v2"))
        TR("route-to-elastic", "", ANY, SEL("kuma.io/service: elastic"),
           TO(30, "kuma.io/service: elastic, region: us") ", " TO(70, "kuma.io/service: elastic, region: eu"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_expect_eq(x.r->route, MODEL_ROUTE_TRAFFIC_ROUTE);
    cr_expect_str_eq(chosen(&x), "route-to-redis");
    cr_assert_eq(x.r->n_clusters, 2);
    cr_expect_str_eq(x.r->clusters[0].backend, "redis{version=v1}");
    cr_expect_eq(x.r->clusters[0].weight, 10);
    cr_expect_eq(x.r->clusters[1].weight, 90);
    done(&x);
    resolved y = resolve(yaml, "backend", "elastic");
    cr_expect_str_eq(chosen(&y), "route-to-elastic");
    cr_assert_eq(y.r->n_clusters, 2);
    cr_expect_str_eq(y.r->clusters[0].backend, "elastic{region=us}");
    cr_expect_eq(y.r->clusters[0].endpoints, 1);
    done(&y);
}

Test(route_legacy, equal_ranks_go_to_the_later_creation_time)
{
    /* "...picked by latest creation time given two equally specific routes":
     * everything-to-blackhole sorts first by name, but was created earlier. */
    /* clang-format off */
    const char *yaml = MESH
        TR("everything-to-hollygrail", AT("1970-01-01T00:00:01.000000001Z"), ANY, ANY,
           TO(100, "kuma.io/service: hollygrail"))
        TR("everything-to-blackhole", AT("1970-01-01T00:00:00Z"), ANY, ANY,
           TO(100, "kuma.io/service: blackhole"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_expect_str_eq(chosen(&x), "everything-to-hollygrail");
    cr_expect_str_eq(x.r->clusters[0].service, "hollygrail");
    done(&x);
}

Test(route_legacy, a_source_with_more_tags_wins)
{
    /* "source by 2 tags wins over source by 1 tag": (1+1) < (2+1). */
    /* clang-format off */
    const char *yaml = MESH
        TR("less-specific", "", SEL("kuma.io/service: backend"), ANY,
           TO(100, "kuma.io/service: redis, version: v1"))
        TR("more-specific", "", SEL("kuma.io/service: backend, region: eu"), ANY,
           TO(100, "kuma.io/service: redis, version: v2"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_expect_str_eq(chosen(&x), "more-specific");
    done(&x);
}

Test(route_legacy, exact_beats_wildcard_in_source_and_destination)
{
    /* "source exact beats source wildcard", "destination exact beats destination
     * wildcard": both (1 exact) above * -> * (0 exact), whatever the names. */
    /* clang-format off */
    const char *by_source = MESH
        TR("a-less-specific", "", ANY, ANY, TO(100, "kuma.io/service: blackhole"))
        TR("more-specific", "", SEL("kuma.io/service: backend"), ANY, TO(100, "kuma.io/service: redis"));
    const char *by_destination = MESH
        TR("a-less-specific", "", ANY, ANY, TO(100, "kuma.io/service: blackhole"))
        TR("more-specific", "", ANY, SEL("kuma.io/service: redis"), TO(100, "kuma.io/service: redis"));
    /* clang-format on */
    resolved x = resolve(by_source, "backend", "redis");
    cr_expect_str_eq(chosen(&x), "more-specific");
    done(&x);
    resolved y = resolve(by_destination, "backend", "redis");
    cr_expect_str_eq(chosen(&y), "more-specific");
    done(&y);
}

Test(route_legacy, source_and_destination_ranks_add_up)
{
    /* "equal aggregate ranks -> last creation time": an exact source and an exact
     * destination weigh the same. */
    /* clang-format off */
    const char *yaml = MESH
        TR("equally-specific-2", AT("1970-01-01T00:00:01Z"), ANY, SEL("kuma.io/service: redis"),
           TO(100, "kuma.io/service: redis, version: v2"))
        TR("equally-specific-1", AT("1970-01-01T00:00:00Z"), SEL("kuma.io/service: backend"), ANY,
           TO(100, "kuma.io/service: redis, version: v1"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_expect_str_eq(chosen(&x), "equally-specific-2");
    done(&x);
}

Test(route_legacy, a_full_tie_goes_to_the_first_by_name)
{
    /* clang-format off */
    const char *yaml = MESH
        TR("b-route", AT("2024-01-01T00:00:00Z"), ANY, ANY, TO(1, "kuma.io/service: blackhole"))
        TR("a-route", AT("2024-01-01T00:00:00Z"), ANY, ANY, TO(1, "kuma.io/service: hollygrail"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_expect_str_eq(chosen(&x), "a-route");
    done(&x);
}

Test(route_legacy, without_a_written_time_the_later_loaded_wins)
{
    /* docs/manual.md §8: resources without a creation time count as created after every
     * one that has one, in load order. */
    /* clang-format off */
    const char *yaml = MESH
        TR("a-old", AT("2024-01-01T00:00:00Z"), ANY, ANY, TO(1, "kuma.io/service: blackhole"))
        TR("b-unwritten", "", ANY, ANY, TO(1, "kuma.io/service: hollygrail"))
        TR("c-unwritten", "", ANY, ANY, TO(1, "kuma.io/service: redis"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_expect_str_eq(chosen(&x), "c-unwritten");
    done(&x);
}

Test(route_legacy, the_default_route_resolves_its_wildcard_per_outbound)
{
    /* "should pick the default route": route-all-default sends each outbound to itself;
     * a route for elastic takes elastic only. */
    /* clang-format off */
    const char *yaml = MESH
        TR("route-all-default", "", ANY, ANY, TO(100, "kuma.io/service: '*'"))
        TR("everything-to-elastic-v1", "", ANY, SEL("kuma.io/service: elastic"),
           TO(100, "kuma.io/service: elastic, region: eu"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_expect_str_eq(chosen(&x), "route-all-default");
    cr_assert_eq(x.r->n_clusters, 1);
    cr_expect_str_eq(x.r->clusters[0].name, "redis");
    cr_expect_eq(x.r->clusters[0].weight, 100);
    cr_expect_eq(x.r->clusters[0].endpoints, 2);
    done(&x);
    resolved y = resolve(yaml, "backend", "elastic");
    cr_expect_str_eq(chosen(&y), "everything-to-elastic-v1");
    done(&y);
}

/* ---- wildcards, splits, listeners -------------------------------------------------- */

Test(route_legacy, declared_outbound_tags_join_every_split_destination)
{
    /* resolveTrafficRouteWildcards: `*` values go, then every outbound tag the
     * destination lacks is added, even to a split towards another service. */
    /* clang-format off */
    const char *yaml = "scenario: t\n"
        "services:\n"
        "  - {name: redis, protocol: tcp, instances: [{tags: {zone: a}}, {tags: {zone: b}}]}\n"
        "  - {name: cache, protocol: tcp, instances: [{tags: {zone: a}}]}\n"
        "resources:\n"
        "  - {type: Dataplane, name: web, mesh: default, networking: {address: 10.0.0.1,"
        " inbound: [{port: 80, tags: {kuma.io/service: web}}],"
        " outbound: [{port: 6379, tags: {kuma.io/service: redis, zone: a}}]}}\n"
        TR("split", "", ANY, ANY, TO(1, "kuma.io/service: redis, zone: '*'") ", " TO(1, "kuma.io/service: cache"));
    /* clang-format on */
    resolved x = resolve(yaml, "web", "redis");
    cr_assert_eq(x.r->n_clusters, 2);
    cr_expect_str_eq(x.r->clusters[0].backend, "redis{zone=a}", "the `*` replaced by the outbound's");
    cr_expect_eq(x.r->clusters[0].endpoints, 1);
    cr_expect_str_eq(x.r->clusters[1].backend, "cache{zone=a}", "the outbound's tag joins another service");
    done(&x);
}

Test(route_legacy, weight_zero_is_skipped_and_destination_weighs_one)
{
    /* clang-format off */
    const char *yaml = MESH
        TR("split", "", ANY, ANY, TO(0, "kuma.io/service: blackhole") ", " TO(5, "kuma.io/service: redis"))
        "  - type: TrafficRoute\n"
        "    name: to-elastic\n"
        "    mesh: default\n"
        "    sources: [" ANY "]\n"
        "    destinations: [" SEL("kuma.io/service: elastic") "]\n"
        "    conf: {destination: {kuma.io/service: elastic, region: us}}\n";
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_assert_eq(x.r->n_clusters, 1);
    cr_expect_str_eq(x.r->clusters[0].name, "redis");
    cr_expect_eq(x.r->clusters[0].weight, 5);
    done(&x);
    resolved y = resolve(yaml, "backend", "elastic");
    cr_assert_eq(y.r->n_clusters, 1);
    cr_expect_eq(y.r->clusters[0].weight, 1);
    done(&y);
}

Test(route_legacy, an_outbound_no_route_covers_is_closed)
{
    /* A listener with an empty filter chain (outbound-proxy golden 07). */
    /* clang-format off */
    const char *yaml = MESH
        TR("only-elastic", "", ANY, SEL("kuma.io/service: elastic"), TO(1, "kuma.io/service: elastic"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_expect_eq(x.r->route, MODEL_ROUTE_NONE);
    cr_expect(x.r->has_none_reason);
    cr_expect_eq(x.r->none, MODEL_NONE_NO_TRAFFIC_ROUTE);
    cr_expect_eq(x.r->n_clusters, 0);
    done(&x);
}

Test(route_legacy, a_source_must_match_one_inbound)
{
    /* {backend, frontend}? No inbound has both: the route does not select the proxy. */
    /* clang-format off */
    const char *yaml = MESH
        TR("spread", "", SEL("kuma.io/service: backend, app: x"), ANY, TO(1, "kuma.io/service: redis"))
        TR("fallback", "", ANY, ANY, TO(1, "kuma.io/service: blackhole"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_expect_str_eq(chosen(&x), "fallback");
    done(&x);
}

/* HTTP services for the listener cases. */
#define HTTP_MESH                                                                                  \
    "scenario: t\n"                                                                                \
    "services:\n"                                                                                  \
    "  - {name: web, protocol: http, instances: [{}]}\n"                                           \
    "  - {name: api, protocol: http, instances: [{tags: {v: a}}, {tags: {v: b}}]}\n"               \
    "  - {name: db, protocol: tcp, instances: [{}]}\n"                                             \
    "resources:\n"                                                                                 \
    "  - type: TrafficRoute\n"                                                                     \
    "    name: http\n"                                                                             \
    "    mesh: default\n"                                                                          \
    "    sources: [" ANY "]\n"                                                                     \
    "    destinations: [" ANY "]\n"                                                                \
    "    conf:\n"                                                                                  \
    "      http:\n"                                                                                \
    "        - match: {path: {prefix: /v}, headers: {X-Canary: {exact: \"1\"}}}\n"                 \
    "          destination: {kuma.io/service: api, v: b}\n"                                        \
    "        - match: {method: {exact: POST}}\n"                                                   \
    "          split: [" TO(3, "kuma.io/service: api, v: a") ", " TO(1, "kuma.io/service: " SECOND) "]\n" \
    "      split: [" TO(1, "kuma.io/service: api") "]\n"

static size_t route_of(const resolved *x, const char *method, const char *path,
                       const char *const *headers)
{
    model_request q = {method, path, {0}, 1, {0}};
    for (size_t i = 0; headers && headers[i]; i += 2)
        model_tags_set(x->a, &q.headers, headers[i], headers[i + 1]);
    model_http_request hr = model_http_request_make(x->a, &q);
    return model_http_route_choose(x->r, &hr);
}

Test(route_legacy, http_clusters_make_an_http_route_table)
{
#define SECOND "api"
    resolved x = resolve(HTTP_MESH, "web-1", "api");
#undef SECOND
    cr_expect_eq(x.r->route, MODEL_ROUTE_TRAFFIC_ROUTE);
    cr_expect_eq(x.r->n_clusters, 0);
    cr_assert_eq(x.r->n_routes, 3, "conf.http in order, then conf.split");
    cr_expect_null(x.r->routes[2].match);
    cr_expect_eq(x.r->routes[1].n_clusters, 2);
    static const char *const canary[] = {"x-canary", "1", NULL};
    cr_expect_eq(route_of(&x, "GET", "/v1", canary), 0, "header names are case-insensitive");
    cr_expect_eq(route_of(&x, "GET", "/version", canary), 0, "a plain prefix, not a segment");
    cr_expect_eq(route_of(&x, "GET", "/v?x", canary), 0);
    cr_expect_eq(route_of(&x, "GET", "/a/../v1", canary), 2, "no path normalisation");
    cr_expect_eq(route_of(&x, "POST", "/v1", NULL), 1, "the method as a :method header");
    cr_expect_eq(route_of(&x, "GET", "/v1", NULL), 2);
    done(&x);
}

Test(route_legacy, any_non_http_cluster_makes_one_tcp_split_of_every_route)
{
    /* inferProtocol over every cluster: db is tcp, so http + tcp = tcp, and the listener
     * is one tcp_proxy over conf.http's clusters then the default's, duplicates kept. */
#define SECOND "db"
    resolved x = resolve(HTTP_MESH, "web-1", "api");
#undef SECOND
    cr_expect_eq(x.r->n_routes, 0);
    cr_assert_eq(x.r->n_clusters, 4);
    cr_expect_str_eq(x.r->clusters[0].backend, "api{v=b}");
    cr_expect_eq(x.r->clusters[0].weight, 1);
    cr_expect_str_eq(x.r->clusters[1].backend, "api{v=a}");
    cr_expect_eq(x.r->clusters[1].weight, 3);
    cr_expect_str_eq(x.r->clusters[2].backend, "db");
    cr_expect_str_eq(x.r->clusters[3].backend, "api");
    done(&x);
}

/* ---- the gate (§5.3) and Kuma <= 2.5 ----------------------------------------------- */

#define GATE_MESH(kuma)                                                                            \
    "scenario: t\nkuma: \"" kuma "\"\n"                                                            \
    "services:\n"                                                                                  \
    "  - {name: web, protocol: http, instances: [{tags: {app: web}}]}\n"                           \
    "  - {name: worker, protocol: http, instances: [{tags: {app: worker}}]}\n"                     \
    "  - {name: api, protocol: http, instances: [{tags: {v: a}}, {tags: {v: b}}]}\n"               \
    "  - {name: other, protocol: http, instances: [{}]}\n"                                         \
    "resources:\n"                                                                                 \
    TR("legacy", "", ANY, SEL("kuma.io/service: api"), TO(1, "kuma.io/service: api, v: b"))        \
    "  - type: MeshHTTPRoute\n"                                                                    \
    "    name: web-only\n"                                                                         \
    "    mesh: default\n"                                                                          \
    "    spec:\n"                                                                                  \
    "      targetRef: {kind: MeshSubset, tags: {app: web}}\n"                                      \
    "      to:\n"                                                                                  \
    "        - targetRef: {kind: MeshService, name: other}\n"                                      \
    "          rules: [{matches: [{path: {type: Exact, value: /x}}], default: {backendRefs: "       \
    "[{kind: MeshService, name: other}]}}]\n"

Test(route_legacy, a_proxy_with_new_rules_leaves_the_traffic_route)
{
    /* web has MeshHTTPRoute rules (for another service): the HTTP plugin acts for it and
     * gives api Kuma's catch-all; worker has none, so its TrafficRoute decides. */
    resolved x = resolve(GATE_MESH("2.14"), "web-1", "api");
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE);
    cr_expect(x.r->is_default);
    done(&x);
    resolved y = resolve(GATE_MESH("2.14"), "worker-1", "api");
    cr_expect_eq(y.r->route, MODEL_ROUTE_TRAFFIC_ROUTE);
    cr_expect_str_eq(chosen(&y), "legacy");
    cr_assert_eq(y.r->n_routes, 1, "api speaks http: an HTTP route table");
    cr_expect_str_eq(y.r->routes[0].clusters[0].backend, "api{v=b}");
    done(&y);
}

Test(route_legacy, kuma_2_5_user_routes_compete_with_route_all)
{
    /* worker: the user's TrafficRoute (exact destination) beats route-all; for other
     * (not covered), route-all stays and routes it to itself. */
    resolved y = resolve(GATE_MESH("2.5"), "worker-1", "api");
    cr_expect_str_eq(chosen(&y), "legacy");
    cr_expect_not(y.r->is_default);
    done(&y);
    resolved z = resolve(GATE_MESH("2.5"), "worker-1", "other");
    cr_expect_eq(z.r->route, MODEL_ROUTE_TRAFFIC_ROUTE);
    cr_expect(z.r->is_default, "route-all-default");
    cr_expect_null(chosen(&z));
    done(&z);
}

Test(route_legacy, kuma_2_5_a_user_catch_all_created_later_beats_route_all)
{
    /* clang-format off */
    const char *yaml = MESH_AT("2.5")
        TR("zzz-all", "", ANY, ANY, TO(1, "kuma.io/service: blackhole"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    cr_expect_str_eq(chosen(&x), "zzz-all", "same rank as route-all, created after it");
    done(&x);
}

Test(route_legacy, explain_names_the_candidates_and_the_winner)
{
    /* clang-format off */
    const char *yaml = MESH
        TR("less-specific", "", SEL("kuma.io/service: backend"), ANY, TO(1, "kuma.io/service: redis"))
        TR("more-specific", "", SEL("kuma.io/service: backend, region: eu"), ANY, TO(1, "kuma.io/service: redis"))
        TR("for-others", "", SEL("kuma.io/service: nobody"), ANY, TO(1, "kuma.io/service: redis"));
    /* clang-format on */
    resolved x = resolve(yaml, "backend", "redis");
    size_t candidates = 0, chosen_steps = 0, unselected = 0;
    for (size_t i = 0; i < x.r->n_steps; i++) {
        const model_step *st = &x.r->steps[i];
        candidates += st->kind == MODEL_STEP_TR_CANDIDATE;
        unselected += st->kind == MODEL_STEP_TR_CANDIDATE && st->dropped;
        if (st->kind == MODEL_STEP_TR_CHOSEN) {
            chosen_steps++;
            cr_expect_str_eq(st->policy->name, "more-specific");
            cr_expect_eq(st->rank_tags, 3);
            cr_expect_eq(st->rank_exact, 2);
        }
    }
    cr_expect_eq(candidates, 3);
    cr_expect_eq(unselected, 1, "for-others selects no inbound of backend");
    cr_expect_eq(chosen_steps, 1);
    done(&x);
}
