/*
 * explain.h - the decisions of a resolution, as data.
 *
 * When asked (MODEL_RESOLVE_EXPLAIN), the resolver records each decision it takes as a
 * step: what was decided, about which policy, service, backendRef or route, and the
 * reason, as an enumeration with the values the reason needs.  The model writes no
 * sentence; the report writers (sim/explain.c) turn steps into words, so `--explain` and
 * any other use of the reasons (tests, JSON) read the same facts.  Steps come in the order
 * the decisions were taken (docs/routing.md §10).
 */
#ifndef MODEL_EXPLAIN_H
#define MODEL_EXPLAIN_H

#include "model/error.h"
#include "model/scenario.h"

#include <stdbool.h>
#include <stdint.h>

/* Why a policy's top-level targetRef selects a dataplane, or does not (match.h). */
typedef enum model_select_reason {
    MODEL_SELECT_MESH,           /* selected: targetRef Mesh selects every dataplane */
    MODEL_SELECT_INBOUND,        /* selected: one inbound (`inbound`) matches the selector */
    MODEL_SELECT_GATEWAY_PROXY,  /* not: the dataplane is a gateway, not a sidecar */
    MODEL_SELECT_NAMESPACE,      /* not: a consumer/workload-owner policy of another namespace */
    MODEL_SELECT_ZONE,           /* not: a zone-originated policy of another zone */
    MODEL_SELECT_GATEWAY_TARGET, /* not: targetRef MeshGateway selects gateways only */
    MODEL_SELECT_PROXY_TYPES,    /* not: proxyTypes leaves out sidecars */
    MODEL_SELECT_NO_INBOUND,     /* not: the dataplane has no inbound */
    MODEL_SELECT_NOT_SERVICE,    /* not: no inbound runs the MeshService */
    MODEL_SELECT_NO_SINGLE_INBOUND, /* not: no single inbound has every tag of the selector */
} model_select_reason;

typedef struct model_selection {
    model_select_reason reason;
    size_t inbound; /* MODEL_SELECT_INBOUND */
} model_selection;

/* Why a backendRef leaves a split. */
typedef enum model_drop_reason {
    MODEL_DROP_WEIGHT_ZERO, /* an explicit weight 0 */
    MODEL_DROP_PROTOCOL,    /* its service's protocol is not one the split carries */
} model_drop_reason;

/* Why a listener has nothing to route to (route `none`). */
typedef enum model_none_reason {
    MODEL_NONE_ALL_ZERO,          /* every backendRef has weight 0 */
    MODEL_NONE_NO_PROTOCOL,       /* no backendRef's protocol can be proxied as TCP */
    MODEL_NONE_ALL_DROPPED,       /* every backendRef dropped, for either reason */
    MODEL_NONE_WHOLE_SPLIT,       /* before 2.9 one bad protocol empties the split */
    MODEL_NONE_DEFAULT_DROPPED,   /* the default route's own protocol cannot be proxied */
    MODEL_NONE_NO_HTTP_ROUTE,     /* every HTTP route lost its backends: no listener */
    MODEL_NONE_NO_TRAFFIC_ROUTE,  /* the mesh has TrafficRoutes, none for this pair */
    MODEL_NONE_GATEWAY_NO_LISTENER, /* the MeshGateway has no listener on that port */
    MODEL_NONE_GATEWAY_NO_ROUTE,  /* no route attaches to the listener (HTTP: 404) */
    MODEL_NONE_GATEWAY_NO_CHAIN,  /* TLS, HTTPS: no filter chain takes the SNI */
    MODEL_NONE_GATEWAY_DUPLICATE_VHOST, /* before 2.9: two listener hostnames, one vhost */
    MODEL_NONE_GATEWAY_CONFIG_FAILS, /* before 2.9: an HTTP port without MeshHTTPRoute */
} model_none_reason;

/* The kinds of step.  (enum suffix) */
#define MODEL_STEP_KINDS(X)                                                                        \
    X(PROTOCOL)         /* service's protocol, from `count` endpoints */                           \
    X(SELECTING)        /* `count` policies of `type` select the source */                        \
    X(SELECTED)         /* policy selects it, `index`-th in merge order, for `select` */           \
    X(ORDERED)          /* policy merges after `other`, ordered by `order` */                      \
    X(NOT_SELECTED)     /* policy does not select it, for `select` */                              \
    X(HTTP_NAMED)       /* a MeshHTTPRoute names `service` */                                      \
    X(GATE)             /* `count` TrafficRoutes: `tcp_acts`, `http_acts` */                       \
    X(TCP_FOR_HTTP)     /* `service` speaks `protocol`, only a MeshTCPRoute names it */            \
    X(HTTP_OVER_TCP)    /* `service` speaks HTTP: `policy` (MeshHTTPRoute) over `other` */         \
    X(TCP_OVER_HTTP)    /* `service` is not HTTP: MeshTCPRoute `other` (NULL: the default) wins    \
                         * over MeshHTTPRoute `policy` */                                          \
    X(HTTP_ON_NON_HTTP) /* Kuma <= 2.5: `policy`'s rules give non-HTTP `service` an HTTP listener */\
    X(CONF)             /* the conf of route type `type` for `service`, merged from parts */      \
    X(CONF_PART)        /* policy's to[`index`] at `mark`; `rules_empty` */                        \
    X(DEFAULT_TCP)      /* no MeshTCPRoute conf: the default route to `service`, weight 100 */    \
    X(BACKEND)          /* backendRefs[`index`] at `mark` -> `cluster`, `weight`, `endpoints` */  \
    X(BACKEND_DROPPED)  /* backendRefs[`index`] `service` at `mark` dropped for `drop` */          \
    X(DEFAULT_HTTP)     /* no MeshHTTPRoute conf: Kuma's catch-all to `service` (`dropped`) */     \
    X(HTTP_RULES)       /* `count` rules after merging; sorted by specificity (`rules_empty`: no) */\
    X(HTTP_ROUTE)       /* route `index` from `policy` (NULL: Kuma's catch-all), `redirect` */    \
    X(HTTP_ROUTE_DROPPED) /* route of `policy`: every backend dropped, requests fall through */   \
    X(GATEWAY_LISTENER) /* MeshGateway `policy`: `count` listeners on port `index`, `service` protocol */\
    X(GATEWAY_ATTACHED) /* `policy` (of `type`) attaches to the listener */                       \
    X(GATEWAY_NOT_ATTACHED) /* `policy` aims at the gateway but misses the listener for `miss` */ \
    X(GATEWAY_HOST)     /* host `service` reaches `cluster` (a filter chain or virtual host;    \
                         * `rules_empty`: a virtual host), `dropped`: none */                   \
    X(LEGACY_REPLACED)  /* the plugin of route type `route` replaces the TrafficRoute listener */ \
    X(LEGACY_KEPT)      /* no MeshHTTPRoute route survives for `service`: the legacy listener stays */\
    X(TR_CANDIDATE)     /* TrafficRoute `policy`: `dropped` (no source matches), else best        \
                         * source rank `rank_tags`/`rank_exact`, `redirect` (no destination      \
                         * matches `service`), `other` it beat by `order` (0 rank, 1 newer) */  \
    X(TR_CHOSEN)        /* `policy` routes to `service`, aggregate rank; `is_default`: route-all */\
    X(TR_ROUTE)         /* route `index` of `count` conf.http entries (`match`), or conf.split */  \
    X(TR_PROTOCOL)      /* the clusters' common `protocol`: HTTP routes (`is_default`) or TCP */   \
    X(NOTHING_LEFT)     /* nothing to route to, for `none` */                                      \
    X(UNSIMULATED)      /* needs `what` (MODEL_UNSIMULATED) */                                      \
    X(DECISION)         /* the route type `route`, `is_default` */

/* Why a policy aimed at a builtin gateway does not attach to one of its listeners. */
typedef enum model_gateway_miss {
    MODEL_GATEWAY_MISS_PROXY_TYPES, /* targetRef.proxyTypes leaves out Gateway */
    MODEL_GATEWAY_MISS_TAGS,        /* targetRef.tags are not all among the listener's tags */
    MODEL_GATEWAY_MISS_NAMESPACE,   /* a consumer or workload-owner policy of another namespace */
    MODEL_GATEWAY_MISS_ZONE,        /* a zone-originated policy of another zone */
} model_gateway_miss;

typedef enum model_step_kind {
#define X(e) MODEL_STEP_##e,
    MODEL_STEP_KINDS(X)
#undef X
} model_step_kind;

/* One decision.  Only the fields its kind names are set; strings and policies are
 * borrowed from the scenario or the resolution's arena. */
typedef struct model_step {
    model_step_kind kind;
    model_resource_type type;
    const model_policy *policy;
    const model_policy *other;
    const char *service;
    const char *cluster;
    const char *host; /* GATEWAY_HOST on HTTP: `service` without its port, if it had one */
    int protocol; /* a model_protocol (mesh.h) */
    int route;    /* a model_route_type (resolve.h) */
    model_selection select;
    int order;    /* a model_order_key (match.h) */
    model_drop_reason drop;
    model_none_reason none;
    model_unsimulated what;
    model_gateway_miss miss;
    size_t index;
    size_t count;
    size_t endpoints;
    uint64_t weight;
    bool weight_default; /* BACKEND: no weight written (1) */
    bool dropped;        /* DEFAULT_TCP: the default route's protocol cannot be proxied */
    bool rules_empty;    /* CONF_PART */
    bool tcp_acts, http_acts; /* GATE */
    bool is_default;     /* DECISION */
    bool redirect;       /* HTTP_ROUTE */
    unsigned rank_tags, rank_exact; /* TR_CANDIDATE, TR_CHOSEN */
    const model_node *match; /* HTTP_ROUTE, HTTP_ROUTE_DROPPED: the match as written */
    model_mark mark;
} model_step;

#endif
