/*
 * tests/test_mesh.c - service protocols as Kuma infers them (docs/routing.md §5.1:
 * ParseProtocol, GetCommonProtocol folded over every endpoint) and the endpoints a
 * subset cluster selects (§3.2).
 */
#include "model_fixture.h"

#include "model/mesh.h"

#define P(x) MODEL_PROTO_##x

Test(mesh, parse_is_case_insensitive)
{
    cr_expect_eq(model_protocol_parse("http"), P(HTTP));
    cr_expect_eq(model_protocol_parse("HTTP"), P(HTTP));
    cr_expect_eq(model_protocol_parse("Http2"), P(HTTP2));
    cr_expect_eq(model_protocol_parse("gRPC"), P(GRPC));
    cr_expect_eq(model_protocol_parse("tcp"), P(TCP));
    cr_expect_eq(model_protocol_parse("TLS"), P(TLS));
    cr_expect_eq(model_protocol_parse("kafka"), P(KAFKA));
    cr_expect_eq(model_protocol_parse("MySQL"), P(MYSQL));
    cr_expect_eq(model_protocol_parse("udp"), P(UNKNOWN));
    cr_expect_eq(model_protocol_parse("http1"), P(UNKNOWN));
    cr_expect_eq(model_protocol_parse(""), P(UNKNOWN));
    cr_expect_eq(model_protocol_parse("<unknown>"), P(UNKNOWN));
    cr_expect_eq(model_protocol_parse(NULL), P(UNKNOWN));
}

Test(mesh, names)
{
    cr_expect_str_eq(model_protocol_name(P(UNKNOWN)), "<unknown>");
    cr_expect_str_eq(model_protocol_name(P(HTTP2)), "http2");
    cr_expect_str_eq(model_protocol_name(P(MYSQL)), "mysql");
}

Test(mesh, common_protocol_table)
{
    /* GetCommonProtocol (pkg/core/metadata/protocol.go): equal -> itself; else the first
     * of A's stack in B's stack; mysql has no stack; unknown absorbs everything. */
    static const struct {
        model_protocol a, b, want;
    } t[] = {
        {P(HTTP), P(HTTP), P(HTTP)},      {P(HTTP), P(HTTP2), P(TCP)},
        {P(GRPC), P(HTTP2), P(HTTP2)},    {P(GRPC), P(HTTP), P(TCP)},
        {P(HTTP), P(TCP), P(TCP)},        {P(TLS), P(TCP), P(TCP)},
        {P(TLS), P(HTTP), P(TCP)},        {P(TLS), P(TLS), P(TLS)},
        {P(KAFKA), P(TCP), P(TCP)},       {P(KAFKA), P(HTTP), P(TCP)},
        {P(MYSQL), P(TCP), P(UNKNOWN)},   {P(MYSQL), P(MYSQL), P(MYSQL)},
        {P(MYSQL), P(HTTP), P(UNKNOWN)},  {P(HTTP), P(UNKNOWN), P(UNKNOWN)},
        {P(TCP), P(UNKNOWN), P(UNKNOWN)}, {P(UNKNOWN), P(UNKNOWN), P(UNKNOWN)},
        {P(GRPC), P(GRPC), P(GRPC)},      {P(GRPC), P(TCP), P(TCP)},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        cr_expect_eq(model_protocol_common(t[i].a, t[i].b), t[i].want, "%s + %s",
                     model_protocol_name(t[i].a), model_protocol_name(t[i].b));
        cr_expect_eq(model_protocol_common(t[i].b, t[i].a), t[i].want, "%s + %s",
                     model_protocol_name(t[i].b), model_protocol_name(t[i].a));
    }
}

Test(mesh, http_based)
{
    cr_expect(model_protocol_is_http(P(HTTP)));
    cr_expect(model_protocol_is_http(P(HTTP2)));
    cr_expect(model_protocol_is_http(P(GRPC)));
    cr_expect_not(model_protocol_is_http(P(TCP)));
    cr_expect_not(model_protocol_is_http(P(TLS)));
    cr_expect_not(model_protocol_is_http(P(KAFKA)));
    cr_expect_not(model_protocol_is_http(P(UNKNOWN)));
}

static const char *const services_yaml =
    "scenario: mesh\n"
    "services:\n"
    "  - name: web\n"
    "    protocol: http\n"
    "    instances:\n"
    "      - {tags: {version: v1, zone: eu}, count: 2}\n"
    "      - {tags: {version: v2, zone: us}}\n"
    "  - name: mixed\n"
    "    instances:\n"
    "      - tags: {kuma.io/protocol: http}\n"
    "      - tags: {kuma.io/protocol: http2}\n"
    "  - name: rpc\n"
    "    instances:\n"
    "      - tags: {kuma.io/protocol: grpc}\n"
    "      - tags: {kuma.io/protocol: http2}\n"
    "  - name: half-tagged\n"
    "    instances:\n"
    "      - tags: {kuma.io/protocol: http}\n"
    "      - tags: {version: v1}\n"
    "  - name: untagged\n"
    "    instances: [{}]\n"
    "  - name: db\n"
    "    instances:\n"
    "      - tags: {kuma.io/protocol: mysql}\n"
    "      - tags: {kuma.io/protocol: tcp}\n"
    "  - name: stream\n"
    "    instances:\n"
    "      - tags: {kuma.io/protocol: kafka}\n"
    "      - tags: {kuma.io/protocol: tcp}\n"
    "  - name: loud\n"
    "    instances:\n"
    "      - tags: {kuma.io/protocol: HTTP}\n"
    "      - tags: {kuma.io/protocol: http}\n"
    "resources:\n"
    "  - type: Dataplane\n"
    "    name: multi\n"
    "    mesh: default\n"
    "    networking:\n"
    "      address: 10.0.0.1\n"
    "      inbound:\n"
    "        - {port: 80, tags: {kuma.io/service: web, kuma.io/protocol: http, version: v1}}\n"
    "        - {port: 81, tags: {kuma.io/service: web, kuma.io/protocol: tcp, version: v3}}\n"
    "  - type: Dataplane\n"
    "    name: elsewhere\n"
    "    mesh: other\n"
    "    networking:\n"
    "      address: 10.0.0.2\n"
    "      inbound:\n"
    "        - {port: 80, tags: {kuma.io/service: stream, kuma.io/protocol: http}}\n";

Test(mesh, service_protocol_folds_every_endpoint)
{
    model_scenario *s = fixture_load(services_yaml);
    static const struct {
        const char *service;
        model_protocol want;
    } t[] = {
        {"web", P(TCP)},             /* http x3 and the tcp inbound of `multi` */
        {"mixed", P(TCP)},           /* http + http2 */
        {"rpc", P(HTTP2)},           /* grpc + http2 */
        {"half-tagged", P(UNKNOWN)}, /* one endpoint without the tag */
        {"untagged", P(UNKNOWN)},
        {"db", P(UNKNOWN)},     /* mysql + tcp */
        {"stream", P(TCP)},     /* kafka + tcp; the http one is in another mesh */
        {"loud", P(HTTP)},      /* HTTP + http: same after parsing */
        {"absent", P(UNKNOWN)}, /* no endpoints */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        cr_expect_eq(model_mesh_service_protocol(s, t[i].service), t[i].want, "%s: got %s",
                     t[i].service,
                     model_protocol_name(model_mesh_service_protocol(s, t[i].service)));
    model_scenario_free(s);
}

Test(mesh, endpoints_of_subsets)
{
    model_scenario *s = fixture_load(services_yaml);
    model_arena *a = model_arena_new();
    model_tags none = {0}, v1 = {0}, v2 = {0}, v4 = {0}, v1eu = {0}, v1us = {0}, svc = {0},
               wild = {0};
    model_tags_set(a, &v1, "version", "v1");
    model_tags_set(a, &v2, "version", "v2");
    model_tags_set(a, &v4, "version", "v4");
    model_tags_set(a, &v1eu, "version", "v1");
    model_tags_set(a, &v1eu, "zone", "eu");
    model_tags_set(a, &v1us, "version", "v1");
    model_tags_set(a, &v1us, "zone", "us");
    model_tags_set(a, &svc, "kuma.io/service", "not-web");
    model_tags_set(a, &svc, "version", "v2");
    model_tags_set(a, &wild, "zone", "*");
    /* web: web-1, web-2 (v1, eu), web-3 (v2, us), and multi's two inbounds (v1, v3):
     * one endpoint per inbound. */
    cr_expect_eq(model_mesh_endpoints(s, "web", &none), 5);
    cr_expect_eq(model_mesh_endpoints(s, "web", &v1), 3);
    cr_expect_eq(model_mesh_endpoints(s, "web", &v2), 1);
    cr_expect_eq(model_mesh_endpoints(s, "web", &v4), 0);
    cr_expect_eq(model_mesh_endpoints(s, "web", &v1eu), 2, "every subset tag must match");
    cr_expect_eq(model_mesh_endpoints(s, "web", &v1us), 0);
    cr_expect_eq(model_mesh_endpoints(s, "web", &svc), 1, "kuma.io/service is no filter");
    cr_expect_eq(model_mesh_endpoints(s, "web", &wild), 0, "no wildcard in cluster tags");
    cr_expect_eq(model_mesh_endpoints(s, "stream", &none), 2, "other meshes do not count");
    cr_expect_eq(model_mesh_endpoints(s, "absent", &none), 0);
    model_arena_free(a);
    model_scenario_free(s);
}
