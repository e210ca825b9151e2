/*
 * tests/test_route_gateway.c - builtin gateways (model/route_gateway.c, model/gateway.c):
 * the gateway cases of Kuma's MeshHTTPRoute and MeshTCPRoute plugin tests (virtual hosts
 * from listener and route hostnames, the route order, PathPrefix expanded, clusters named
 * with the listener's tags and sorted), then rules of our own: which policies attach to a
 * listener, the Host and SNI choice, weights, redirects, 404s, SelectGateway.  Section
 * numbers (§) are those of docs/routing.md.
 */
#include "model_fixture.h"

#include "model/resolve.h"

typedef struct resolved {
    model_scenario *s;
    model_arena *a;
    const model_resolution *r;
} resolved;

/* The resolution of gateway `gw`'s listener on `port` for `host` (NULL: none) from
 * Dataplane `dp`. */
static resolved gateway(const char *yaml, const char *dp, const char *gw, uint32_t port,
                        const char *host)
{
    resolved x = {fixture_load(yaml), model_arena_new(), NULL};
    const model_policy *g = NULL;
    for (size_t i = 0; i < x.s->n_gateways; i++)
        if (!strcmp(x.s->gateways[i]->name, gw))
            g = x.s->gateways[i];
    cr_assert_not_null(g, "no MeshGateway %s", gw);
    model_world w = model_scenario_world(x.s);
    model_query q = {.from = fixture_dp(x.s, dp), .to = "gw", .gateway = g, .port = port,
                     .host = host};
    x.r = model_resolve(x.a, x.s, &w, &q, MODEL_RESOLVE_EXPLAIN);
    return x;
}

static void done(resolved *x)
{
    model_arena_free(x->a);
    model_scenario_free(x->s);
}

/* Route i is Envoy's `path` (exact), `prefix` or `regex` match on `path`, to `cluster`. */
static void expect_route(const model_resolution *r, size_t i, model_path_match type,
                         const char *path, const char *cluster)
{
    cr_assert_lt(i, r->n_routes, "only %zu routes", r->n_routes);
    cr_expect_eq(r->routes[i].path_type, type, "route %zu (%s)", i, r->routes[i].path);
    cr_expect_str_eq(r->routes[i].path, path, "route %zu", i);
    if (cluster) {
        cr_assert_geq(r->routes[i].n_clusters, 1, "route %zu has no cluster", i);
        cr_expect_str_eq(r->routes[i].clusters[0].name, cluster, "route %zu", i);
    }
}

#define EXACT MODEL_PATH_EXACT
#define PREFIX MODEL_PATH_RAW_PREFIX

/* The plugin tests' gateway: Dataplane sample-gateway (its only tag the service), the
 * MeshGateway of the same name with `listeners`, backend at one endpoint, and the
 * `services` lines given. */
#define GATEWAY_WITH(services, listeners)                                                          \
    "scenario: gw\n"                                                                               \
    "services:\n"                                                                                  \
    "  - {name: backend, protocol: http, instances: [{tags: {region: us}}]}\n"                     \
    "  - {name: other-backend, protocol: tcp, instances: [{}]}\n" services                         \
    "resources:\n"                                                                                 \
    "  - {type: Dataplane, name: sample-gateway, mesh: default, networking: {address: "           \
    "192.168.0.1, gateway: {type: BUILTIN, tags: {kuma.io/service: sample-gateway}}}}\n"           \
    "  - type: MeshGateway\n"                                                                      \
    "    name: sample-gateway\n"                                                                   \
    "    mesh: default\n"                                                                          \
    "    selectors: [{match: {kuma.io/service: sample-gateway}}]\n"                                \
    "    conf: {listeners: [" listeners "]}\n"
#define GATEWAY(listeners) GATEWAY_WITH("", listeners)

/* A MeshHTTPRoute on the gateway (listener tags `tags`) with `to` items. */
#define HTTP_ROUTE(name, tags, to)                                                                 \
    "  - type: MeshHTTPRoute\n"                                                                    \
    "    name: " name "\n"                                                                         \
    "    mesh: default\n"                                                                          \
    "    spec:\n"                                                                                  \
    "      targetRef: {kind: MeshGateway, name: sample-gateway" tags "}\n"                        \
    "      to:\n" to
#define TO(hostnames, rules)                                                                       \
    "        - targetRef: {kind: Mesh}\n" hostnames "          rules: [" rules "]\n"
#define HOSTS(...) "          hostnames: [" __VA_ARGS__ "]\n"
#define RULE(prefix, svc) "{matches: [{path: {type: PathPrefix, value: " prefix "}}], "            \
    "default: {backendRefs: [{kind: MeshService, name: " svc ", weight: 100}]}}"

/* plugin_test.go "gateway": four rules on listeners *, go.dev and *.dev. */
/* clang-format off */
static const char gateway_case[] =
    GATEWAY("{port: 8080, protocol: HTTP}, {port: 8081, protocol: HTTP, hostname: go.dev}, "
            "{port: 8082, protocol: HTTP, hostname: '*.dev'}, {port: 9080, protocol: TCP}")
    HTTP_ROUTE("r", "",
        TO("", RULE("/wild", "backend"))
        TO(HOSTS("go.dev"), RULE("/go-dev", "backend"))
        TO(HOSTS("'*.dev'"), RULE("/wild-dev", "backend"))
        TO(HOSTS("other.dev"), RULE("/other-dev", "backend")));
/* clang-format on */
#define B "backend-26cb64fa4e85e7b7" /* backend seen from {kuma.io/service: sample-gateway} */

Test(route_gateway, plugin_gateway_virtual_hosts_and_route_order)
{
    /* VH go.dev: path=/wild-dev, path=/go-dev, path=/wild, then the three prefixes. */
    resolved x = gateway(gateway_case, "sample-gateway", "sample-gateway", 8080, "go.dev");
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE);
    cr_expect_str_eq(x.r->listener_protocol, "HTTP");
    cr_assert_eq(x.r->n_routes, 6);
    expect_route(x.r, 0, EXACT, "/wild-dev", B);
    expect_route(x.r, 1, EXACT, "/go-dev", B);
    expect_route(x.r, 2, EXACT, "/wild", B);
    expect_route(x.r, 3, PREFIX, "/wild-dev/", B);
    expect_route(x.r, 4, PREFIX, "/go-dev/", B);
    expect_route(x.r, 5, PREFIX, "/wild/", B);
    cr_expect_eq(x.r->routes[0].clusters[0].weight, 100);
    done(&x);
    /* VH other.dev: path=/other-dev, path=/wild-dev, path=/wild, ... */
    resolved y = gateway(gateway_case, "sample-gateway", "sample-gateway", 8080, "other.dev");
    cr_assert_eq(y.r->n_routes, 6);
    expect_route(y.r, 0, EXACT, "/other-dev", B);
    expect_route(y.r, 1, EXACT, "/wild-dev", B);
    done(&y);
    /* Another .dev host: VH *.dev (/wild-dev, /wild); any other host: VH * (/wild). */
    resolved z = gateway(gateway_case, "sample-gateway", "sample-gateway", 8080, "x.dev");
    cr_assert_eq(z.r->n_routes, 4);
    expect_route(z.r, 0, EXACT, "/wild-dev", B);
    expect_route(z.r, 1, EXACT, "/wild", B);
    done(&z);
    resolved w = gateway(gateway_case, "sample-gateway", "sample-gateway", 8080, "example.com");
    cr_assert_eq(w.r->n_routes, 2);
    expect_route(w.r, 0, EXACT, "/wild", B);
    expect_route(w.r, 1, PREFIX, "/wild/", B);
    done(&w);
}

Test(route_gateway, plugin_gateway_listener_hostnames_bound_the_virtual_hosts)
{
    /* 8081 (go.dev): the single VH go.dev; 8082 (*.dev): go.dev, other.dev, *.dev, and no
     * `*` VH, so a host outside .dev is answered 404. */
    resolved x = gateway(gateway_case, "sample-gateway", "sample-gateway", 8081, "go.dev");
    cr_expect_eq(x.r->n_routes, 6);
    done(&x);
    resolved y = gateway(gateway_case, "sample-gateway", "sample-gateway", 8082, "other.dev");
    cr_expect_eq(y.r->n_routes, 6);
    done(&y);
    resolved z = gateway(gateway_case, "sample-gateway", "sample-gateway", 8082, "example.com");
    cr_expect_eq(z.r->route, MODEL_ROUTE_NONE);
    cr_expect(z.r->http_404);
    cr_expect_eq(z.r->none, MODEL_NONE_GATEWAY_NO_ROUTE);
    done(&z);
    /* The TCP listener on 9080 has no MeshTCPRoute: its connections are closed. */
    resolved t = gateway(gateway_case, "sample-gateway", "sample-gateway", 9080, NULL);
    cr_expect_eq(t.r->route, MODEL_ROUTE_NONE);
    cr_expect_not(t.r->http_404);
    done(&t);
}

Test(route_gateway, plugin_gateway_root_prefix_has_no_exact_twin)
{
    /* clang-format off */
    resolved x = gateway(GATEWAY("{port: 8080, protocol: HTTP}")
                         HTTP_ROUTE("r", "", TO("", RULE("/", "backend"))),
                         "sample-gateway", "sample-gateway", 8080, NULL);
    /* clang-format on */
    cr_assert_eq(x.r->n_routes, 1);
    expect_route(x.r, 0, PREFIX, "/", B);
    done(&x);
}

Test(route_gateway, the_exact_root_twin_by_version)
{
    /* Rule a: PathPrefix / with a header, to other-backend; rule b: Exact /, to backend.
     * 2.7-2.13 give a an exact `/` twin, which carries the header and so sorts before b:
     * a request for `/` with the header goes to other-backend.  2.6 and 2.14 do not (2.14
     * only when the rule rewrites the prefix), and b's Exact / comes first. */
#define ROOT_RULES(filters)                                                                        \
    "{matches: [{path: {type: PathPrefix, value: /}, headers: [{type: Exact, name: x, "         \
    "value: '1'}]}], default: {" filters "backendRefs: [{kind: MeshService, name: "            \
    "other-backend}]}}, {matches: [{path: {type: Exact, value: /}}], default: {backendRefs: "   \
    "[{kind: MeshService, name: backend}]}}"
#define REWRITE "filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, " \
    "replacePrefixMatch: /v2}}}], "
    static const struct {
        const char *kuma;
        bool rewrite;
        size_t n_routes;
        const char *first_cluster;
    } cases[] = {{"2.6", false, 2, B},          {"2.7", false, 3, "other-backend"},
                 {"2.13", false, 3, "other-backend"}, {"2.14", false, 2, B},
                 {"2.14", true, 3, "other-backend"},  {"2.6", true, 2, B}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[8192];
        /* clang-format off */
        snprintf(yaml, sizeof yaml, "kuma: \"%s\"\n%s", cases[i].kuma,
                 cases[i].rewrite
                     ? GATEWAY("{port: 8080, protocol: HTTP}")
                       HTTP_ROUTE("r", "", TO("", ROOT_RULES(REWRITE)))
                     : GATEWAY("{port: 8080, protocol: HTTP}")
                       HTTP_ROUTE("r", "", TO("", ROOT_RULES(""))));
        /* clang-format on */
        resolved x = gateway(yaml, "sample-gateway", "sample-gateway", 8080, NULL);
        cr_assert_eq(x.r->n_routes, cases[i].n_routes, "Kuma %s%s", cases[i].kuma,
                     cases[i].rewrite ? " with a rewrite" : "");
        cr_expect_eq(x.r->routes[0].path_type, EXACT, "Kuma %s", cases[i].kuma);
        cr_expect_str_eq(x.r->routes[0].path, "/", "Kuma %s", cases[i].kuma);
        cr_assert_geq(x.r->routes[0].n_clusters, 1);
        cr_expect(!strncmp(x.r->routes[0].clusters[0].name, cases[i].first_cluster,
                           strlen(cases[i].first_cluster)),
                  "Kuma %s%s: first route goes to %s", cases[i].kuma,
                  cases[i].rewrite ? " with a rewrite" : "", x.r->routes[0].clusters[0].name);
        done(&x);
    }
#undef ROOT_RULES
#undef REWRITE
}

/* `yaml` under Kuma `kuma` (a version line put first). */
static resolved gateway_at(const char *kuma, const char *yaml, uint32_t port, const char *host)
{
    char buf[8192];
    snprintf(buf, sizeof buf, "kuma: \"%s\"\n%s", kuma, yaml);
    return gateway(buf, "sample-gateway", "sample-gateway", port, host);
}

Test(route_gateway, before_2_9_listener_hostnames_are_not_isolated)
{
    /* Listeners *.api.example.com (tags a) and *.example.com (tags b) on one HTTP port.  A
     * route for b names x.api.example.com; from 2.9 that name is left to the more exact
     * listener hostname, whose `*` route takes the host; before, b makes a virtual host
     * of that name, which the host reaches exactly. */
    /* clang-format off */
    const char *yaml =
        GATEWAY("{port: 8080, protocol: HTTP, hostname: '*.api.example.com', tags: {l: a}}, "
                "{port: 8080, protocol: HTTP, hostname: '*.example.com', tags: {l: b}}")
        HTTP_ROUTE("for-a", ", tags: {l: a}", TO("", RULE("/a", "backend")))
        HTTP_ROUTE("for-b", ", tags: {l: b}", TO(HOSTS("x.api.example.com"), RULE("/b", "backend")));
    /* clang-format on */
    resolved x = gateway_at("2.9", yaml, 8080, "x.api.example.com");
    cr_assert_gt(x.r->n_routes, 0);
    cr_expect_str_eq(x.r->routes[0].path, "/a");
    done(&x);
    resolved y = gateway_at("2.8", yaml, 8080, "x.api.example.com");
    cr_assert_gt(y.r->n_routes, 0);
    cr_expect_str_eq(y.r->routes[0].path, "/b");
    done(&y);
}

Test(route_gateway, before_2_9_two_listener_hostnames_can_make_one_virtual_host)
{
    /* api.example.com and *.example.com both get a route naming api.example.com: before
     * 2.9 both make that virtual host, and Envoy refuses the table (404s). */
    /* clang-format off */
    const char *yaml =
        GATEWAY("{port: 8080, protocol: HTTP, hostname: api.example.com}, "
                "{port: 8080, protocol: HTTP, hostname: '*.example.com'}")
        HTTP_ROUTE("r", "", TO(HOSTS("api.example.com"), RULE("/", "backend")));
    /* clang-format on */
    resolved x = gateway_at("2.8", yaml, 8080, "api.example.com");
    cr_expect_eq(x.r->route, MODEL_ROUTE_NONE);
    cr_expect_eq(x.r->none, MODEL_NONE_GATEWAY_DUPLICATE_VHOST);
    cr_expect_str_eq(x.r->none_detail, "api.example.com");
    cr_expect(x.r->http_404);
    done(&x);
    resolved y = gateway_at("2.9", yaml, 8080, "api.example.com");
    cr_expect_eq(y.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE);
    done(&y);
}

Test(route_gateway, before_2_9_an_http_port_without_routes_fails_the_gateway)
{
    /* Port 8080 has a route, 8081 none: before 2.9 Kuma cannot build the gateway's
     * configuration at all, so 8080 is closed too; from 2.9 8080 routes and 8081 404s. */
    /* clang-format off */
    const char *yaml =
        GATEWAY("{port: 8080, protocol: HTTP, tags: {l: a}}, {port: 8081, protocol: HTTP, tags: {l: b}}")
        HTTP_ROUTE("r", ", tags: {l: a}", TO("", RULE("/", "backend")));
    /* clang-format on */
    resolved x = gateway_at("2.8", yaml, 8080, NULL);
    cr_expect_eq(x.r->route, MODEL_ROUTE_NONE);
    cr_expect_eq(x.r->none, MODEL_NONE_GATEWAY_CONFIG_FAILS);
    cr_expect_str_eq(x.r->none_detail, "8081");
    cr_expect_not(x.r->http_404, "no listener at all: connections are closed");
    done(&x);
    resolved y = gateway_at("2.9", yaml, 8080, NULL);
    cr_expect_eq(y.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE);
    done(&y);
    resolved z = gateway_at("2.9", yaml, 8081, NULL);
    cr_expect(z.r->http_404);
    done(&z);
    /* Without any MeshHTTPRoute the legacy generator's 404 tables stand, in every version. */
    resolved w = gateway_at("2.8", GATEWAY("{port: 8080, protocol: HTTP}"), 8080, NULL);
    cr_expect_eq(w.r->none, MODEL_NONE_GATEWAY_NO_ROUTE);
    cr_expect(w.r->http_404);
    done(&w);
}

Test(route_gateway, https_without_any_route_answers_404_on_every_hostname)
{
    /* listener_generator_test.go golden 05: no route policy on the gateway, so the legacy
     * generator gives every HTTPS hostname a chain whose table only answers 404; an SNI
     * that no hostname takes is closed.  With a MeshHTTPRoute on one hostname, the other
     * has no chain (only hostnames with routes get one). */
    /* clang-format off */
#define HTTPS(h) "{port: 443, protocol: HTTPS, hostname: " h ", tls: {mode: TERMINATE, certificates: [{secret: s}]}, tags: {h: " h "}}"
    const char *bare = GATEWAY(HTTPS("a.example.com") ", " HTTPS("b.example.com"));
    const char *routed = GATEWAY(HTTPS("a.example.com") ", " HTTPS("b.example.com"))
        HTTP_ROUTE("r", ", tags: {h: a.example.com}", TO("", RULE("/", "backend")));
#undef HTTPS
    /* clang-format on */
    resolved x = gateway(bare, "sample-gateway", "sample-gateway", 443, "b.example.com");
    cr_expect_eq(x.r->none, MODEL_NONE_GATEWAY_NO_ROUTE);
    cr_expect(x.r->http_404, "a chain, whose table answers 404");
    done(&x);
    resolved y = gateway(bare, "sample-gateway", "sample-gateway", 443, "c.example.com");
    cr_expect_eq(y.r->none, MODEL_NONE_GATEWAY_NO_CHAIN);
    cr_expect_not(y.r->http_404);
    done(&y);
    resolved z = gateway(routed, "sample-gateway", "sample-gateway", 443, "b.example.com");
    cr_expect_eq(z.r->none, MODEL_NONE_GATEWAY_NO_CHAIN);
    cr_expect_not(z.r->http_404);
    done(&z);
}

Test(route_gateway, a_tcp_to_without_rules_routes_to_service_star)
{
    /* To.GetDefault copies the `to` targetRef (kind Mesh) as the backendRef, and
     * FromLegacyTargetRef makes it service `*`: a cluster no endpoint has, which, merged
     * last, replaces the earlier policy's backends. */
    /* clang-format off */
    const char *yaml =
        GATEWAY("{port: 9080, protocol: TCP}")
        "  - type: MeshTCPRoute\n"
        "    name: first\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: MeshGateway, name: sample-gateway}\n"
        "      to: [{targetRef: {kind: Mesh}, rules: [{default: {backendRefs: [{kind: MeshService, name: backend}]}}]}]\n"
        "  - type: MeshTCPRoute\n"
        "    name: second\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: MeshGateway, name: sample-gateway}\n"
        "      to: [{targetRef: {kind: Mesh}, rules: []}]\n";
    /* clang-format on */
    resolved x = gateway(yaml, "sample-gateway", "sample-gateway", 9080, NULL);
    cr_assert_eq(x.r->n_clusters, 1);
    cr_expect_str_eq(x.r->clusters[0].service, "*");
    cr_expect_str_eq(x.r->clusters[0].name, "*-83f5c6c6a829e7dd");
    cr_expect_eq(x.r->clusters[0].endpoints, 0);
    done(&x);
}

Test(route_gateway, plugin_gateway_listener_specific_clusters_hash_listener_tags)
{
    /* "gateway-listener-different-hostnames-specific": the same backend is a cluster per
     * set of listener tags; 8082's *.dev VH keeps the *.dev rule before the `*` one. */
    /* clang-format off */
    const char *yaml =
        GATEWAY_WITH("  - {name: backend-wild, protocol: http, instances: [{}]}\n"
                     "  - {name: backend-wild-dev, protocol: http, instances: [{}]}\n",
                     "{port: 8080, protocol: HTTP, hostname: other.dev, tags: {hostname: other}}, "
                     "{port: 8080, protocol: HTTP, hostname: go.dev, tags: {hostname: go}}, "
                     "{port: 8082, protocol: HTTP, hostname: '*', tags: {hostname: wild}}")
        HTTP_ROUTE("to-go", ", tags: {hostname: go}", TO(HOSTS("'*.dev'"), RULE("/to-go-dev", "backend")))
        HTTP_ROUTE("to-other", ", tags: {hostname: other}",
                   TO(HOSTS("'*.dev'"), RULE("/to-other-dev", "backend")))
        HTTP_ROUTE("wild", ", tags: {hostname: wild}",
                   TO("", RULE("/same-path", "backend-wild"))
                   TO(HOSTS("'*.dev'"), RULE("/same-path", "backend-wild-dev")));
    /* clang-format on */
    resolved x = gateway(yaml, "sample-gateway", "sample-gateway", 8080, "go.dev");
    cr_assert_eq(x.r->n_routes, 2);
    expect_route(x.r, 0, EXACT, "/to-go-dev", "backend-ed49e74a1f66b25c");
    expect_route(x.r, 1, PREFIX, "/to-go-dev/", "backend-ed49e74a1f66b25c");
    done(&x);
    resolved y = gateway(yaml, "sample-gateway", "sample-gateway", 8080, "other.dev");
    expect_route(y.r, 0, EXACT, "/to-other-dev", "backend-a285094d9b0d7032");
    done(&y);
    resolved z = gateway(yaml, "sample-gateway", "sample-gateway", 8082, "a.dev");
    cr_assert_eq(z.r->n_routes, 4);
    expect_route(z.r, 0, EXACT, "/same-path", "backend-wild-dev-52ee11d917faac3e");
    expect_route(z.r, 1, EXACT, "/same-path", "backend-wild-aac0221a73d6116a");
    expect_route(z.r, 2, PREFIX, "/same-path/", "backend-wild-dev-52ee11d917faac3e");
    expect_route(z.r, 3, PREFIX, "/same-path/", "backend-wild-aac0221a73d6116a");
    done(&z);
}

Test(route_gateway, plugin_gateway_tcp_and_tls)
{
    /* meshtcproute plugin_test.go "gateway": TCP 9080 sends to both rules' backends,
     * sorted by cluster name; TLS 9081 has a chain per hostname, chosen by SNI. */
    /* clang-format off */
    const char *yaml =
        GATEWAY_WITH("  - {name: go-backend-1, protocol: tcp, instances: [{}]}\n"
                     "  - {name: go-backend-2, protocol: tcp, instances: [{}]}\n",
                     "{port: 9080, protocol: TCP}, "
                     "{port: 9081, protocol: TLS, hostname: go.dev, tls: {mode: TERMINATE, certificates: [{secret: s}]}}, "
                     "{port: 9081, protocol: TLS, hostname: other.dev, tls: {mode: TERMINATE, certificates: [{secret: s}]}}")
        "  - type: MeshTCPRoute\n"
        "    name: tcp\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: MeshGateway, name: sample-gateway}\n"
        "      to:\n"
        "        - targetRef: {kind: Mesh}\n"
        "          rules: [{default: {backendRefs: [{kind: MeshService, name: other-backend, weight: 100}, "
        "{kind: MeshService, name: backend, weight: 100}]}}]\n"
        "  - type: MeshTCPRoute\n"
        "    name: tls-go\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: MeshGateway, name: sample-gateway}\n"
        "      to:\n"
        "        - targetRef: {kind: Mesh}\n"
        "          rules: [{default: {backendRefs: [{kind: MeshService, name: go-backend-2, weight: 50}, "
        "{kind: MeshService, name: go-backend-1, weight: 50}]}}]\n";
    /* clang-format on */
    resolved x = gateway(yaml, "sample-gateway", "sample-gateway", 9080, NULL);
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    cr_assert_eq(x.r->n_clusters, 2, "the last policy's backendRefs win, as a merge patch");
    cr_expect_str_eq(x.r->clusters[0].name, "go-backend-1-a3e0f78d6b8a9607");
    cr_expect_str_eq(x.r->clusters[1].name, "go-backend-2-3568c8790af04ca0");
    done(&x);
    resolved y = gateway(yaml, "sample-gateway", "sample-gateway", 9081, "go.dev");
    cr_expect_str_eq(y.r->listener_protocol, "TLS");
    cr_assert_eq(y.r->n_clusters, 2);
    cr_expect_str_eq(y.r->clusters[0].name, "go-backend-1-a3e0f78d6b8a9607");
    cr_expect_eq(y.r->clusters[0].weight, 50);
    done(&y);
    resolved z = gateway(yaml, "sample-gateway", "sample-gateway", 9081, "elsewhere.dev");
    cr_expect_eq(z.r->route, MODEL_ROUTE_NONE, "no chain takes that SNI");
    done(&z);
}

Test(route_gateway, docs_tcp_example_cluster_names)
{
    /* builtin-routes.md's MeshTCPRoute: 90/10, names as worked out from Kuma's hash. */
    /* clang-format off */
    const char *yaml =
        "scenario: t\n"
        "services:\n"
        "  - {name: example-v1_app_svc_8080, protocol: tcp, instances: [{}]}\n"
        "  - {name: example-v2_app_svc_8080, protocol: tcp, instances: [{}]}\n"
        "resources:\n"
        "  - {type: Dataplane, name: edge-1, mesh: default, networking: {address: 10.0.0.1, gateway: "
        "{type: BUILTIN, tags: {kuma.io/service: edge-gateway}}}}\n"
        "  - {type: MeshGateway, name: edge-gateway, mesh: default, selectors: [{match: "
        "{kuma.io/service: edge-gateway}}], conf: {listeners: [{port: 9080, protocol: TCP}]}}\n"
        "  - type: MeshTCPRoute\n"
        "    name: tcp-route\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: MeshGateway, name: edge-gateway}\n"
        "      to:\n"
        "        - targetRef: {kind: Mesh}\n"
        "          rules: [{default: {backendRefs: [{kind: MeshServiceSubset, name: example-v1_app_svc_8080, weight: 90}, "
        "{kind: MeshServiceSubset, name: example-v2_app_svc_8080, weight: 10}]}}]\n";
    /* clang-format on */
    resolved x = gateway(yaml, "edge-1", "edge-gateway", 9080, NULL);
    cr_assert_eq(x.r->n_clusters, 2);
    cr_expect_str_eq(x.r->clusters[0].name, "example-v1_app_svc_8080-c377ca368664d091");
    cr_expect_eq(x.r->clusters[0].weight, 90);
    cr_expect_str_eq(x.r->clusters[1].name, "example-v2_app_svc_8080-2e4cccb82c7a1055");
    done(&x);
}

/* ---- rules of our own ------------------------------------------------------------------ */

Test(route_gateway, which_policies_attach_to_a_listener)
{
    /* A Mesh route for sidecars only (proxyTypes [Sidecar]) does not attach; a MeshGateway
     * route with listener tags attaches to the listeners that carry them. */
    /* clang-format off */
    const char *yaml =
        GATEWAY("{port: 8080, protocol: HTTP, tags: {port: a}}, {port: 8081, protocol: HTTP}")
        "  - type: MeshHTTPRoute\n"
        "    name: sidecars-only\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: Mesh, proxyTypes: [Sidecar]}\n"
        "      to: [{targetRef: {kind: MeshService, name: backend}, rules: [" RULE("/side", "backend") "]}]\n"
        "  - type: MeshHTTPRoute\n"
        "    name: everyone\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: Mesh}\n"
        "      to: [{targetRef: {kind: MeshService, name: backend}, rules: [" RULE("/all", "backend") "]}]\n"
        HTTP_ROUTE("port-a", ", tags: {port: a}", TO("", RULE("/a", "backend")));
    /* clang-format on */
    resolved x = gateway(yaml, "sample-gateway", "sample-gateway", 8080, NULL);
    cr_assert_eq(x.r->n_policies, 2, "everyone (a Mesh route: its to's subset is ignored), port-a");
    cr_expect_str_eq(x.r->policies[0]->name, "everyone");
    cr_expect_str_eq(x.r->policies[1]->name, "port-a");
    done(&x);
    resolved y = gateway(yaml, "sample-gateway", "sample-gateway", 8081, NULL);
    cr_assert_eq(y.r->n_policies, 1);
    cr_expect_str_eq(y.r->policies[0]->name, "everyone");
    /* --explain says why the other two miss this listener. */
    size_t misses = 0;
    for (size_t i = 0; i < y.r->n_steps; i++) {
        const model_step *st = &y.r->steps[i];
        if (st->kind != MODEL_STEP_GATEWAY_NOT_ATTACHED)
            continue;
        misses++;
        if (!strcmp(st->policy->name, "sidecars-only"))
            cr_expect_eq(st->miss, MODEL_GATEWAY_MISS_PROXY_TYPES);
        else
            cr_expect(!strcmp(st->policy->name, "port-a") && st->miss == MODEL_GATEWAY_MISS_TAGS,
                      "%s", st->policy->name);
    }
    cr_expect_eq(misses, 2);
    done(&y);
}

Test(route_gateway, a_host_takes_the_exact_name_then_the_longest_wildcard)
{
    /* The virtual host a Host lands on holds its own rules and those of every broader route
     * hostname (§6): a.b.example.com all three, *.b.example.com /long and /short, and
     * *.example.com /short.  Each rule is an exact route and a prefix one; the gateway
     * sorter puts the longer path first within each kind. */
    /* clang-format off */
    const char *yaml =
        GATEWAY("{port: 8080, protocol: HTTP}")
        HTTP_ROUTE("r", "",
            TO(HOSTS("a.b.example.com"), RULE("/exact", "backend"))
            TO(HOSTS("'*.b.example.com'"), RULE("/long", "backend"))
            TO(HOSTS("'*.example.com'"), RULE("/short", "backend")));
    /* clang-format on */
    static const struct {
        const char *host;
        size_t n_routes;
        const char *first, *second;
    } cases[] = {{"a.b.example.com", 6, "/exact", "/short"},
                 {"A.B.Example.Com", 6, "/exact", "/short"},
                 {"c.b.example.com", 4, "/short", "/long"},
                 {"c.example.com", 2, "/short", "/short/"},
                 /* Kuma sets ignore_port_in_host_matching: Envoy cuts at the last ':'
                  * (numeric or not, as HeaderUtility::getPortStart does). */
                 {"a.b.example.com:8080", 6, "/exact", "/short"},
                 {"c.b.example.com:", 4, "/short", "/long"},
                 {"c.example.com:http", 2, "/short", "/short/"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        resolved x = gateway(yaml, "sample-gateway", "sample-gateway", 8080, cases[i].host);
        cr_assert_eq(x.r->n_routes, cases[i].n_routes, "host %s", cases[i].host);
        cr_expect_str_eq(x.r->routes[0].path, cases[i].first, "host %s", cases[i].host);
        cr_expect_str_eq(x.r->routes[1].path, cases[i].second, "host %s", cases[i].host);
        done(&x);
    }
    resolved n = gateway(yaml, "sample-gateway", "sample-gateway", 8080, "example.org");
    cr_expect(n.r->http_404, "no `*` virtual host");
    done(&n);
}

Test(route_gateway, the_port_of_a_host_is_ignored_but_not_inside_an_ipv6_literal)
{
    /* Kuma sets ignore_port_in_host_matching on gateway route tables: Envoy cuts the Host
     * at its last ':' unless a ']' follows (HeaderUtility::getPortStart).  The virtual host
     * a.example.com has 4 routes (its own rule and the `*` one), `*` has 2. */
    /* clang-format off */
    const char *yaml =
        GATEWAY("{port: 8080, protocol: HTTP}")
        HTTP_ROUTE("r", "",
            TO(HOSTS("a.example.com"), RULE("/a", "backend"))
            TO("", RULE("/any", "backend")));
    /* clang-format on */
    static const struct {
        const char *host;
        size_t n_routes;
        const char *matched; /* NULL: the host as given */
    } cases[] = {{"a.example.com:80", 4, "a.example.com"},
                 {"a.example.com", 4, NULL},
                 {"[::1]:8080", 2, "[::1]"},
                 {"[::1]", 2, NULL},
                 {"[::1:8080]", 2, NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        resolved x = gateway(yaml, "sample-gateway", "sample-gateway", 8080, cases[i].host);
        cr_expect_eq(x.r->n_routes, cases[i].n_routes, "host %s", cases[i].host);
        /* The GATEWAY_HOST step carries the host matched, for --explain. */
        const char *matched = NULL;
        for (size_t j = 0; j < x.r->n_steps; j++)
            if (x.r->steps[j].kind == MODEL_STEP_GATEWAY_HOST)
                matched = x.r->steps[j].host;
        if (cases[i].matched)
            cr_expect(matched && !strcmp(matched, cases[i].matched), "host %s", cases[i].host);
        else
            cr_expect_null(matched, "host %s: nothing cut", cases[i].host);
        done(&x);
    }
}

Test(route_gateway, only_listener_hostnames_with_routes_get_a_filter_chain)
{
    /* TLS and HTTPS chains exist for the listener hostnames that have routes (Kuma's
     * sortRulesToHosts skips the others), so SNI a.example.com, whose listener has none,
     * falls to the `*` chain; with no `*` chain it is closed. */
    /* clang-format off */
    const char *yaml =
        GATEWAY("{port: 9443, protocol: TLS, hostname: a.example.com, tags: {l: a}, tls: {mode: TERMINATE, certificates: [{secret: s}]}}, "
                "{port: 9443, protocol: TLS, tags: {l: any}, tls: {mode: TERMINATE, certificates: [{secret: s}]}}, "
                "{port: 9444, protocol: TLS, hostname: a.example.com, tags: {l: a}, tls: {mode: TERMINATE, certificates: [{secret: s}]}}, "
                "{port: 9444, protocol: TLS, hostname: b.example.com, tags: {l: b}, tls: {mode: TERMINATE, certificates: [{secret: s}]}}, "
                "{port: 8443, protocol: HTTPS, hostname: a.example.com, tags: {l: a}, tls: {mode: TERMINATE, certificates: [{secret: s}]}}, "
                "{port: 8443, protocol: HTTPS, tags: {l: any}, tls: {mode: TERMINATE, certificates: [{secret: s}]}}")
        "  - type: MeshTCPRoute\n"
        "    name: tls-any\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: MeshGateway, name: sample-gateway, tags: {l: any}}\n"
        "      to: [{targetRef: {kind: Mesh}, rules: [{default: {backendRefs: [{kind: MeshService, name: other-backend}]}}]}]\n"
        "  - type: MeshTCPRoute\n"
        "    name: tls-b\n"
        "    mesh: default\n"
        "    spec:\n"
        "      targetRef: {kind: MeshGateway, name: sample-gateway, tags: {l: b}}\n"
        "      to: [{targetRef: {kind: Mesh}, rules: [{default: {backendRefs: [{kind: MeshService, name: other-backend}]}}]}]\n"
        HTTP_ROUTE("https-any", ", tags: {l: any}", TO("", RULE("/", "backend")));
    /* clang-format on */
    resolved x = gateway(yaml, "sample-gateway", "sample-gateway", 9443, "a.example.com");
    cr_expect_eq(x.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    cr_assert_eq(x.r->n_policies, 1);
    cr_expect_str_eq(x.r->policies[0]->name, "tls-any");
    done(&x);
    resolved y = gateway(yaml, "sample-gateway", "sample-gateway", 9444, "a.example.com");
    cr_expect_eq(y.r->route, MODEL_ROUTE_NONE);
    cr_expect_eq(y.r->none, MODEL_NONE_GATEWAY_NO_CHAIN);
    cr_expect_not(y.r->http_404, "no chain: the connection is closed");
    done(&y);
    resolved z = gateway(yaml, "sample-gateway", "sample-gateway", 9444, "B.Example.com");
    cr_expect_eq(z.r->route, MODEL_ROUTE_MESH_TCP_ROUTE);
    done(&z);
    resolved h = gateway(yaml, "sample-gateway", "sample-gateway", 8443, "a.example.com");
    cr_expect_eq(h.r->route, MODEL_ROUTE_MESH_HTTP_ROUTE);
    cr_expect_eq(h.r->n_routes, 1);
    done(&h);
}

Test(route_gateway, gateway_weights_and_redirects)
{
    /* Duplicates by cluster name: the last weight; a lone weight 0 counts 1, one beside
     * others stays listed at 0; a redirect with backendRefs forwards (the forward action
     * replaces it). */
    /* clang-format off */
    const char *yaml =
        GATEWAY("{port: 8080, protocol: HTTP}")
        HTTP_ROUTE("r", "",
            TO("", "{matches: [{path: {type: Exact, value: /dup}}], default: {backendRefs: ["
                   "{kind: MeshService, name: backend, weight: 5}, {kind: MeshService, name: other-backend, weight: 1}, "
                   "{kind: MeshService, name: backend, weight: 2}]}}, "
                   "{matches: [{path: {type: Exact, value: /zero}}], default: {backendRefs: ["
                   "{kind: MeshService, name: backend, weight: 0}]}}, "
                   "{matches: [{path: {type: Exact, value: /zero-beside}}], default: {backendRefs: ["
                   "{kind: MeshService, name: other-backend, weight: 3}, {kind: MeshService, name: backend, weight: 0}]}}, "
                   "{matches: [{path: {type: Exact, value: /moved}}], default: {filters: [{type: RequestRedirect, "
                   "requestRedirect: {statusCode: 301}}], backendRefs: [{kind: MeshService, name: backend}]}}, "
                   "{matches: [{path: {type: Exact, value: /gone}}], default: {filters: [{type: RequestRedirect, "
                   "requestRedirect: {statusCode: 301}}]}}"));
    /* clang-format on */
    resolved x = gateway(yaml, "sample-gateway", "sample-gateway", 8080, NULL);
    cr_assert_eq(x.r->n_routes, 5);
    for (size_t i = 0; i < 5; i++) {
        const model_http_route *h = &x.r->routes[i];
        if (!strcmp(h->path, "/dup")) {
            cr_assert_eq(h->n_clusters, 2);
            cr_expect_str_eq(h->clusters[0].service, "backend", "sorted by name");
            cr_expect_eq(h->clusters[0].weight, 2, "the last written weight");
        } else if (!strcmp(h->path, "/zero")) {
            cr_assert_eq(h->n_clusters, 1);
            cr_expect_eq(h->clusters[0].weight, 1);
        } else if (!strcmp(h->path, "/zero-beside")) {
            cr_assert_eq(h->n_clusters, 2);
            cr_expect_str_eq(h->clusters[0].service, "backend");
            cr_expect_eq(h->clusters[0].weight, 0, "listed, never chosen");
            cr_expect_eq(h->clusters[1].weight, 3);
        } else if (!strcmp(h->path, "/moved")) {
            cr_expect_not(h->redirect, "forwards");
        } else {
            cr_expect(h->redirect);
            cr_expect_eq(h->n_clusters, 0);
        }
    }
    done(&x);
}

Test(route_gateway, the_gateway_a_dataplane_gets)
{
    /* SelectGateway: more selector tags win, whatever the names. */
    /* clang-format off */
    const char *yaml =
        "scenario: t\n"
        "services: [{name: backend, instances: [{}]}]\n"
        "resources:\n"
        "  - {type: Dataplane, name: gw-1, mesh: default, networking: {address: 10.0.0.1, gateway: "
        "{type: BUILTIN, tags: {kuma.io/service: edge, zone: a}}}}\n"
        "  - {type: MeshGateway, name: a-broad, mesh: default, selectors: [{match: {kuma.io/service: edge}}], "
        "conf: {listeners: [{port: 80, protocol: TCP}]}}\n"
        "  - {type: MeshGateway, name: b-narrow, mesh: default, selectors: [{match: {kuma.io/service: edge, zone: a}}], "
        "conf: {listeners: [{port: 80, protocol: TCP}]}}\n";
    /* clang-format on */
    model_scenario *s = fixture_load(yaml);
    const model_policy *g = model_gateway_select(s->gateways, s->n_gateways, fixture_dp(s, "gw-1"));
    cr_assert_not_null(g);
    cr_expect_str_eq(g->name, "b-narrow");
    model_scenario_free(s);
}
