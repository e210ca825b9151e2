/*
 * resolve.h - a flow resolved as Kuma and Envoy would configure it.
 *
 * For one (source dataplane, destination service) pair: which route type decides, which
 * policies contribute (in merge order), and the weighted clusters Envoy walks, in Envoy's
 * order.  Pure: no time, no randomness; the simulator picks among the clusters.
 * docs/routing.md §10 is the algorithm; each step below names its section.
 */
#ifndef MODEL_RESOLVE_H
#define MODEL_RESOLVE_H

#include "model/explain.h"
#include "model/mesh.h"
#include "model/scenario.h"

/* Route types as reports print them.  (enum, name) */
#define MODEL_ROUTE_TYPES(X)                                                                       \
    X(NONE, "none")                                                                                \
    X(MESH_TCP_ROUTE, "MeshTCPRoute")                                                              \
    X(MESH_HTTP_ROUTE, "MeshHTTPRoute")                                                            \
    X(TRAFFIC_ROUTE, "TrafficRoute")

typedef enum model_route_type {
#define X(e, s) MODEL_ROUTE_##e,
    MODEL_ROUTE_TYPES(X)
#undef X
} model_route_type;

const char *model_route_type_name(model_route_type t);

typedef struct model_cluster {
    const char *service;
    model_tags tags;     /* without kuma.io/service */
    const char *name;    /* Kuma's cluster name */
    const char *backend; /* the report name: service{k=v,...} */
    uint32_t weight;     /* effective weight */
    size_t endpoints;    /* endpoints the cluster selects; 0: connections fail */
} model_cluster;

/* How a route matches a request's path (after Kuma fills in a missing path as
 * PathPrefix /).  A PathPrefix is Kuma's pair of Envoy routes in one: the path itself, or
 * anything below it (`/v1` matches /v1 and /v1/x, not /v10). */
typedef enum model_path_match {
    MODEL_PATH_EXACT,
    MODEL_PATH_PREFIX, /* segment-aware; "/" matches every path */
    MODEL_PATH_REGEX,  /* RE2, the whole path */
    MODEL_PATH_RAW_PREFIX, /* Envoy's plain `prefix`: any path starting with these bytes
                            * (TrafficRoute's path prefix) */
} model_path_match;

/* How a header or query parameter condition matches (docs/routing.md §4.4). */
typedef enum model_value_match {
    MODEL_VALUE_EXACT,
    MODEL_VALUE_PRESENT,
    MODEL_VALUE_ABSENT,
    MODEL_VALUE_PREFIX, /* an empty prefix: present */
    MODEL_VALUE_REGEX,  /* RE2, the whole value */
} model_value_match;

typedef struct model_http_condition {
    const char *name; /* header names lower case */
    model_value_match type;
    const char *value;
    const struct model_regex *re; /* MODEL_VALUE_REGEX */
} model_http_condition;

/* A RequestMirror: a copy of a share of the route's requests sent to `cluster`; the
 * responses are dropped and the primary pick is untouched. */
typedef struct model_http_mirror {
    model_cluster cluster;
    uint32_t per_million; /* the share mirrored, 1000000 = every request */
} model_http_mirror;

/* One HTTP route, in Envoy evaluation order (first match wins). */
typedef struct model_http_route {
    const model_node *match; /* the Kuma match object as written, NULL for Kuma's catch-all */
    model_path_match path_type;
    const char *path;
    const struct model_regex *path_re;
    const char *method; /* NULL: any method */
    bool raw;           /* a TrafficRoute's: Kuma's legacy listener does not normalise paths,
                         * and Envoy's plain prefix sees the query too */
    bool merge_slashes; /* a gateway's: its listener also merges repeated slashes */
    bool twin;          /* a gateway's second Envoy route of the same PathPrefix match
                         * (reports show the match once) */
    model_http_condition *headers; /* the first condition per name, AND-ed */
    size_t n_headers;
    model_http_condition *query;
    size_t n_query;
    bool redirect; /* a RequestRedirect: no backend is contacted */
    model_cluster *clusters;
    size_t n_clusters;
    model_http_mirror *mirrors;
    size_t n_mirrors;
    const model_policy *policy; /* the policy whose rule decides this route, NULL: Kuma's */
} model_http_route;

/* A request as the routes see it: method, path without its query (normalised as Envoy's
 * normalize_path does), headers with lower-case names, query parameters (decoded). */
typedef struct model_http_request {
    const char *method;
    const char *path;
    const char *raw;      /* the :path as sent, query included, not normalised */
    const char *merged;   /* `path` with runs of slashes merged (a gateway's listener) */
    const char *raw_path; /* the same without its query */
    model_tags headers;
    model_tags query;
} model_http_request;

/* Request `q` of a flow as Envoy's HTTP connection manager sees it (arena `a`): the path
 * split at `?`, its dot segments removed and %-escapes of unreserved characters decoded;
 * header names lower-cased; a missing method GET and a missing path "/". */
model_http_request model_http_request_make(model_arena *a, const model_request *q);

typedef struct model_resolution {
    const model_dataplane *from;
    const char *to;
    model_protocol protocol;
    model_route_type route;
    bool is_default;               /* no policy contributed: the route to `to` itself */
    const model_policy **policies; /* contributing, in merge order (the last wins) */
    size_t n_policies;
    model_cluster *clusters; /* TCP: Envoy's walk order; empty for HTTP */
    size_t n_clusters;
    bool has_none_reason; /* route none: `none` says why nothing is left */
    model_none_reason none;
    const char *none_detail; /* GATEWAY_DUPLICATE_VHOST: the name; GATEWAY_CONFIG_FAILS: the
                              * port, written as a number */
    /* A gateway listener's protocol as Kuma writes it ("TCP", "TLS", "HTTP", "HTTPS"),
     * else NULL. */
    const char *listener_protocol;
    const char *host; /* a gateway listener's: the host its traffic names, or NULL */
    bool http_404; /* route none on an HTTP listener: its requests are answered 404 */
    model_http_route *routes; /* HTTP routes, first match wins */
    size_t n_routes;
    model_step *steps; /* MODEL_RESOLVE_EXPLAIN: the decisions, in the order taken */
    size_t n_steps;
    /* Non-NULL: what this flow needs that splitsim does not simulate yet
     * (model_unsimulated_what of the MODEL_UNSIMULATED list). */
    const char *unsupported;
} model_resolution;

/* What to resolve: the routing a source proxy gets for one destination.  The source stands
 * for every dataplane model_dataplane_routes_alike it (they resolve alike), so a query is
 * the key of a resolution together with the world it is asked in. */
typedef struct model_query {
    const model_dataplane *from; /* the source sidecar, or builtin gateway Dataplane */
    const char *to;              /* the destination service (an outbound of the source);
                                  * for a gateway, the listener written `G:P` */
    /* A builtin gateway's listener: its MeshGateway, port, and the host a connection or
     * request names (SNI, Host; NULL: a host that only a `*` listener or route takes). */
    const model_policy *gateway;
    uint32_t port;
    const char *host;
} model_query;

/* The query for source `src` of flow `f`: its destination, or its gateway listener. */
model_query model_flow_query(const model_flow *f, const model_dataplane *src);

/* Flags for model_resolve. */
enum {
    MODEL_RESOLVE_EXPLAIN = 1, /* record every decision as a step (explain.h) */
};

/* The index of the first HTTP route of `r` that request `q` matches, or r->n_routes when
 * none does (Envoy answers 404). */
size_t model_http_route_choose(const model_resolution *r, const model_http_request *q);

/* True when route matches `x` and `y` (as written; NULL: Kuma's catch-all) are the same:
 * equal mappings and lists of equal strings, however quoted, the catch-all being
 * {path: {type: PathPrefix, value: /}}. */
bool model_http_match_same(const model_node *x, const model_node *y);

/* A hash of match `m` that model_http_match_same keeps (NULL: Kuma's catch-all). */
uint64_t model_http_match_hash(const model_node *m);

/* True when `want`, an expectation's route_match, names a route with match `m` (NULL:
 * Kuma's catch-all): the same match, or one whose path has the value `want` writes as its
 * path alone (`{path: /api}`: any path type). */
bool model_http_match_named(const model_node *want, const model_node *m);

/* Resolves query `q` in world `w` of scenario `s`.  Everything returned is allocated in
 * `a` (the caller's arena, freed when the caller is done); the scenario and the world are
 * only read.  Never fails: cases outside what splitsim models come back with
 * `unsupported` set. */
model_resolution *model_resolve(model_arena *a, const model_scenario *s, const model_world *w,
                                const model_query *q, unsigned flags);

#endif
