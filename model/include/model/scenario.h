/*
 * scenario.h - a loaded scenario: the mesh, the Kuma resources, the traffic and the
 * expectations, as plain read-only data.
 *
 * Everything here is owned by the scenario's arena and lives until model_scenario_free.
 * The structs are public so the resolver, the simulator and the reports can read them
 * directly; only the loader (load.c) writes them.  Enumerations that users see are
 * X-macro lists, so the enum, the YAML keyword and the printed name never drift apart.
 */
#ifndef MODEL_SCENARIO_H
#define MODEL_SCENARIO_H

#include "model/arena.h"
#include "model/error.h"
#include "model/node.h"
#include "model/tags.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What this version of splitsim does not simulate yet: every refusal of such input comes
 * from this list (and the README's "Not simulated yet" lists the same), so a user reads
 * one consistent sentence wherever it is met.  (enum suffix, what) */
#define MODEL_UNSIMULATED(X)                                                                       \
    X(DELEGATED_GATEWAY, "traffic from delegated gateways")                                       \
    X(GATEWAY_ROUTE, "routing of builtin gateways before Kuma 2.6 (MeshGatewayRoute)")             \
    X(TIMELINE, "changes over simulated time (timeline, rollout, step)")                          \
    X(PLOT, "plots (splitsim plot)")                                                               \
    X(REPLICATIONS, "replications (--replications, --shard)")                                     \
    X(MERGE, "merging sharded runs (splitsim merge)")

typedef enum model_unsimulated {
#define X(e, s) MODEL_UNSIM_##e,
    MODEL_UNSIMULATED(X)
#undef X
        MODEL_UNSIM_COUNT
} model_unsimulated;

/* The words every such refusal ends with. */
#define MODEL_UNSIMULATED_SENTENCE "not simulated by this version of splitsim"

/* What `u` names, e.g. "MeshHTTPRoute rules". */
const char *model_unsimulated_what(model_unsimulated u);

/* The sentence every refusal ends with: "not simulated by this version of splitsim: " and
 * what (static storage, one buffer per value). */
const char *model_unsimulated_message(model_unsimulated u);

/* Kuma resource types splitsim models.  (enum suffix, type name) */
#define MODEL_RESOURCE_TYPES(X)                                                                    \
    X(DATAPLANE, "Dataplane")                                                                      \
    X(MESH_TCP_ROUTE, "MeshTCPRoute")                                                              \
    X(MESH_HTTP_ROUTE, "MeshHTTPRoute")                                                            \
    X(TRAFFIC_ROUTE, "TrafficRoute")                                                               \
    X(MESH_GATEWAY, "MeshGateway")

typedef enum model_resource_type {
#define X(e, s) MODEL_RES_##e,
    MODEL_RESOURCE_TYPES(X)
#undef X
        MODEL_RES_COUNT
} model_resource_type;

const char *model_resource_type_name(model_resource_type t);

/* targetRef kinds with Kuma's priority rank (api/common/v1alpha1/targetref.go `order`,
 * v2.14: Mesh 1 < Dataplane 2 < MeshSubset 3 < MeshGateway 4 < MeshService 5 <
 * MeshExternalService 6 < MeshMultiZoneService 7 < MeshServiceSubset 8 < MeshHTTPRoute 9).
 * (enum suffix, kind name, rank) */
#define MODEL_TARGET_KINDS(X)                                                                      \
    X(MESH, "Mesh", 1)                                                                             \
    X(DATAPLANE, "Dataplane", 2)                                                                   \
    X(MESH_SUBSET, "MeshSubset", 3)                                                                \
    X(MESH_GATEWAY, "MeshGateway", 4)                                                              \
    X(MESH_SERVICE, "MeshService", 5)                                                              \
    X(MESH_EXTERNAL_SERVICE, "MeshExternalService", 6)                                             \
    X(MESH_MULTI_ZONE_SERVICE, "MeshMultiZoneService", 7)                                          \
    X(MESH_SERVICE_SUBSET, "MeshServiceSubset", 8)                                                 \
    X(MESH_HTTP_ROUTE, "MeshHTTPRoute", 9)

typedef enum model_target_kind {
#define X(e, s, r) MODEL_KIND_##e,
    MODEL_TARGET_KINDS(X)
#undef X
        MODEL_KIND_COUNT
} model_target_kind;

const char *model_target_kind_name(model_target_kind k);
int model_target_kind_rank(model_target_kind k);
/* Returns the kind named `s` (exact, case-sensitive as Kuma), or -1. */
int model_target_kind_parse(const char *s);

/* kuma.io/origin: global (1) < unset (2) < zone (3) (ResourceOrigin.Compare). */
typedef enum model_origin {
    MODEL_ORIGIN_GLOBAL = 1,
    MODEL_ORIGIN_UNSET = 2,
    MODEL_ORIGIN_ZONE = 3,
} model_origin;

/* kuma.io/policy-role, in Kuma's priority order (system is the default). */
#define MODEL_POLICY_ROLES(X)                                                                      \
    X(SYSTEM, "system")                                                                            \
    X(PRODUCER, "producer")                                                                        \
    X(CONSUMER, "consumer")                                                                        \
    X(WORKLOAD_OWNER, "workload-owner")

typedef enum model_role {
#define X(e, s) MODEL_ROLE_##e,
    MODEL_POLICY_ROLES(X)
#undef X
} model_role;

const char *model_role_name(model_role r);

/* proxyTypes of a Mesh/MeshSubset targetRef; none set means both. */
enum { MODEL_PROXY_SIDECAR = 1, MODEL_PROXY_GATEWAY = 2 };

typedef struct model_target_ref {
    model_target_kind kind;
    const char *name;       /* NULL when not given */
    const char *namespace_; /* NULL when not given (ignored by the legacy model) */
    model_tags tags;        /* the `tags` selector as written */
    unsigned proxy_types;   /* MODEL_PROXY_* bits; 0 = not given */
    model_mark mark;
} model_target_ref;

/* One `to[]` item of a route policy. */
typedef struct model_policy_to {
    model_target_ref target;
    /* The item's conf (what Kuma's To.GetDefault() returns), as a tree ready for JSON
     * merge patch: MeshTCPRoute rules[0].default, or, for `rules: []`, a synthesized
     * {backendRefs: [{kind, name, tags, weight: 1}]} pointing at the destination itself. */
    model_node *conf;
    bool rules_empty; /* `rules: []` (or missing before 2.10): the destination itself */
    model_mark mark;
} model_policy_to;

/* A TrafficRoute split entry: a destination selector (wildcards as written) and its
 * weight; `conf.destination` is one entry of weight 1. */
typedef struct model_tr_split {
    model_tags destination;
    uint32_t weight;
    model_mark mark;
} model_tr_split;

/* A TrafficRoute `conf.http[]` entry: its match as written and its split. */
typedef struct model_tr_http {
    const model_node *match;
    model_tr_split *split;
    size_t n_split;
    model_mark mark;
} model_tr_http;

/* What a TrafficRoute says (route_legacy.c reads it, docs/routing.md §5.4). */
typedef struct model_traffic_route {
    model_tags *sources; /* each a selector of one inbound's tags */
    size_t n_sources;
    model_tags *destinations; /* each {kuma.io/service: S or *} */
    size_t n_destinations;
    model_tr_split *split; /* conf.split, or conf.destination */
    size_t n_split;
    model_tr_http *http;
    size_t n_http;
} model_traffic_route;

/* A MeshGateway listener's protocol. */
typedef enum model_listener_protocol {
    MODEL_LISTENER_TCP,
    MODEL_LISTENER_TLS,
    MODEL_LISTENER_HTTP,
    MODEL_LISTENER_HTTPS,
} model_listener_protocol;

/* "TCP", "TLS", "HTTP" or "HTTPS". */
const char *model_listener_protocol_name(model_listener_protocol p);

typedef enum model_tls_mode { MODEL_TLS_NONE, MODEL_TLS_TERMINATE, MODEL_TLS_PASSTHROUGH } model_tls_mode;

/* One `conf.listeners[]` entry of a MeshGateway. */
typedef struct model_gateway_listener {
    const char *hostname; /* "*" when empty */
    uint32_t port;
    model_listener_protocol protocol;
    model_tags tags;
    model_tls_mode tls_mode;
    bool cross_mesh;
    uint32_t connection_limit;
    model_mark mark;
} model_gateway_listener;

/* What a MeshGateway says (gateway.c). */
typedef struct model_mesh_gateway {
    model_tags *selectors; /* matched against a gateway Dataplane's tags */
    size_t n_selectors;
    model_tags tags; /* added to every listener's */
    model_gateway_listener *listeners;
    size_t n_listeners;
} model_mesh_gateway;

typedef struct model_policy {
    model_resource_type type;
    const char *name;         /* as the user wrote it (metadata.name or name) */
    const char *display_name; /* kuma.io/display-name, else name: the sort tie-break */
    const char *mesh;
    const char *namespace_; /* Kubernetes namespace, NULL on Universal */
    model_origin origin;
    const char *zone; /* kuma.io/zone label, or NULL */
    model_role role;
    model_target_ref target; /* spec.targetRef, {kind: Mesh} when omitted */
    bool has_target;
    model_policy_to *to;
    size_t n_to;
    const model_node *spec;
    const model_traffic_route *traffic_route; /* a TrafficRoute's conf, else NULL */
    const model_mesh_gateway *gateway;        /* a MeshGateway's, else NULL */
    /* metadata.creationTimestamp (Kubernetes) or creationTime (Universal), when written:
     * nanoseconds since 1970, UTC. */
    bool has_created;
    int64_t created_ns;
    model_mark mark; /* where the resource starts */
} model_policy;

typedef struct model_inbound {
    model_tags tags; /* includes kuma.io/service (and kuma.io/protocol when given) */
    /* An endpoint of its service: `state: Ready` (the default) and not `health.ready:
     * false` (Kuma's GetHealthyInbounds).  Other inbounds still count for policy
     * selection, but receive no traffic and do not vote on the service's protocol. */
    bool healthy;
    model_mark mark;
} model_inbound;

typedef struct model_dataplane {
    const char *name;
    const char *mesh;
    const char *namespace_; /* Kubernetes namespace (kuma.io/namespace), or NULL */
    const char *service;    /* set for dataplanes made from `services` */
    model_origin origin;    /* kuma.io/origin label (zone filter, docs/routing.md §1) */
    const char *zone;       /* kuma.io/zone label, or NULL */
    model_inbound *inbounds;
    size_t n_inbounds;
    model_tags *outbounds; /* declared outbounds (each has kuma.io/service) */
    size_t n_outbounds;
    bool gateway;         /* networking.gateway present */
    bool builtin_gateway; /* type BUILTIN */
    model_tags gateway_tags;
    model_mark mark;
} model_dataplane;

/* Where a flow's connections come from (docs/manual.md §2 `traffic[].from`). */
typedef enum model_from_kind {
    MODEL_FROM_SERVICE,   /* all dataplanes of a service (tags optional), round-robin */
    MODEL_FROM_DATAPLANE, /* one named dataplane */
    MODEL_FROM_GATEWAY,   /* a builtin gateway listener */
} model_from_kind;

typedef enum model_arrival {
    MODEL_ARRIVAL_POISSON,
    MODEL_ARRIVAL_UNIFORM,
} model_arrival;

typedef enum model_hold_kind {
    MODEL_HOLD_NONE, /* connections close at once */
    MODEL_HOLD_EXPONENTIAL,
    MODEL_HOLD_CONSTANT,
} model_hold_kind;

/* The arrival rate of a flow that writes none: Poisson at 1000/s. */
#define MODEL_DEFAULT_RATE_PER_S 1000

typedef struct model_request {
    const char *method; /* NULL = any (GET) */
    const char *path;   /* NULL = "/" */
    model_tags headers;
    uint32_t weight;
    model_mark mark;
} model_request;

typedef struct model_flow {
    const char *name;
    size_t index; /* its place in `traffic` as written */
    model_from_kind from_kind;
    const char *from;       /* service, dataplane or gateway name */
    model_tags from_tags;   /* MODEL_FROM_SERVICE: extra selector on the inbound tags */
    uint32_t listener_port; /* MODEL_FROM_GATEWAY */
    const model_policy *gateway; /* MODEL_FROM_GATEWAY: the MeshGateway `from` names */
    const char *host; /* MODEL_FROM_GATEWAY: the SNI and Host its traffic names, or NULL */
    const char *to;         /* destination service (NULL for gateway flows) */
    /* Source dataplanes (borrowed from the scenario), in name order. */
    const model_dataplane **sources;
    size_t n_sources;
    uint64_t connections; /* 0 = until stop */
    /* Simulation settings: `resolve` needs none of them.  A flow without `connections`
     * or `stop` loads (resolve can show it) but cannot run (sim/plan.h says so). */
    uint64_t rate_count; /* mean rate = rate_count per rate_unit_ns */
    uint64_t rate_unit_ns;
    bool rate_default; /* no `rate` written: MODEL_DEFAULT_RATE_PER_S */
    model_arrival arrival;
    uint64_t start_ns;
    uint64_t stop_ns; /* 0 = no stop */
    bool has_stop;
    model_hold_kind hold;
    uint64_t hold_ns;
    model_request *requests;
    size_t n_requests;
    uint32_t requests_per_connection;
    model_mark mark;
} model_flow;

/* One `expect` entry (docs/manual.md §2). */
typedef struct model_expect_share {
    const char *backend;    /* as reports print it */
    uint32_t percent_milli; /* expected share in thousandths of a percent */
    model_mark mark;
} model_expect_share;

typedef struct model_expect {
    const char *flow; /* flow name (resolved from flow: or from:/to:) */
    size_t flow_index;
    bool has_window;
    uint64_t window_start_ns, window_end_ns;
    uint32_t step;      /* 0 = not given */
    const char *route;  /* route type that must decide, or NULL */
    const char *policy; /* policy that must contribute, or NULL */
    /* An HTTP route's match (route_match as written): the expectation counts only the
     * requests that took that route (model_http_match_named); NULL: the whole flow. */
    const model_node *route_match;
    model_expect_share *split;
    size_t n_split;
    bool has_tolerance;
    uint32_t tolerance_milli; /* percentage points, thousandths */
    bool has_confidence;
    double confidence;
    bool has_failed;
    uint32_t failed_milli; /* percent, thousandths */
    model_mark mark;
} model_expect;

typedef struct model_scenario {
    model_arena *arena;
    const char *file; /* the scenario file as given */
    const char *name;
    const char *description; /* NULL when absent */
    uint64_t seed;
    int kuma_minor; /* semantics version 2.<kuma_minor> */
    const char *mesh;
    model_dataplane *dataplanes; /* sorted by name */
    size_t n_dataplanes;
    model_policy *policies; /* every modelled policy of the scenario's mesh, load order */
    size_t n_policies;
    size_t n_traffic_routes; /* TrafficRoutes of the mesh (they change §5.3 decisions) */
    model_flow *flows;
    size_t n_flows;
    size_t *flow_order; /* flow indices sorted by name (model_scenario_flow) */
    size_t *flow_pairs; /* flow indices sorted by (from, to), for the loader */
    model_expect *expects;
    size_t n_expects;
    /* Services -> endpoints and protocols, built once by the loader (model_mesh_index_build
     * in mesh.h) so that resolving thousands of sources stays fast.  Read through mesh.h. */
    struct model_mesh_index *mesh_index;
    const model_policy **gateways; /* the MeshGateways of `policies`, sorted by name */
    size_t n_gateways;
    /* Every RegularExpression of the policies, compiled once (model/regex.h). */
    struct model_regex_set *regexes;
} model_scenario;

/* The resources in force: the policies a resolution reads.  A scenario has one world
 * (model_scenario_world); a timeline of changes gives it one per epoch.  Borrowed. */
typedef struct model_world {
    const model_policy *policies; /* route policies and gateways, in load order */
    size_t n_policies;
    size_t n_traffic_routes; /* TrafficRoutes among them (they change decisions) */
} model_world;

/* The world of the scenario as loaded. */
model_world model_scenario_world(const model_scenario *s);

/* Kuma semantics versions splitsim reproduces: 2.MIN .. 2.MAX; default the newest. */
#define MODEL_KUMA_MINOR_MIN 3
#define MODEL_KUMA_MINOR_MAX 14

/* Frees a scenario and everything it owns.  NULL is accepted. */
void model_scenario_free(model_scenario *s);

/* The MeshGateway that configures builtin gateway Dataplane `dp` (SelectGateway), or
 * NULL; `gateways` are the mesh's MeshGateways sorted by name (s->gateways). */
const model_policy *model_gateway_select(const model_policy *const *gateways, size_t n,
                                         const model_dataplane *dp);

/* The dataplane called `name`, or NULL (binary search; names are unique). */
const model_dataplane *model_scenario_dataplane(const model_scenario *s, const char *name);

/* The index of the flow called `name`, or -1 (binary search). */
int model_scenario_flow(const model_scenario *s, const char *name);

/* True if the resolver cannot tell `x` and `y` apart as sources: the same inbound tags
 * (in order), outbounds, namespace, origin, zone and gateway kind.  Names may differ.  The
 * simulator resolves one of a group of such sources and shares the result. */
bool model_dataplane_routes_alike(const model_dataplane *x, const model_dataplane *y);

/* A hash of what model_dataplane_routes_alike compares: alike dataplanes hash alike, so a
 * table of them finds a source's kind in constant time. */
uint64_t model_dataplane_routes_hash(const model_dataplane *dp);

/* True if some dataplane of the mesh has an inbound with kuma.io/service = `service`. */
bool model_scenario_has_service(const model_scenario *s, const char *service);

/* The service names of the mesh, sorted, unique (arena-owned array of borrowed names). */
const char **model_scenario_services(const model_scenario *s, size_t *n);

#endif
