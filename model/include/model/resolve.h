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

/* One HTTP route (in Envoy evaluation order). */
typedef struct model_http_route {
    const model_node *match; /* the Kuma match object, NULL for Kuma's catch-all */
    bool redirect;
    model_cluster *clusters;
    size_t n_clusters;
} model_http_route;

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
    const model_dataplane *from; /* the source sidecar */
    const char *to;              /* the destination service (an outbound of the source) */
} model_query;

/* Flags for model_resolve. */
enum {
    MODEL_RESOLVE_EXPLAIN = 1, /* record every decision as a step (explain.h) */
};

/* Resolves query `q` in world `w` of scenario `s`.  Everything returned is allocated in
 * `a` (the caller's arena, freed when the caller is done); the scenario and the world are
 * only read.  Never fails: cases outside what splitsim models come back with
 * `unsupported` set. */
model_resolution *model_resolve(model_arena *a, const model_scenario *s, const model_world *w,
                                const model_query *q, unsigned flags);

#endif
