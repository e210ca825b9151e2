/*
 * plan.h - the routing plan of a scenario: what every flow's connections can end on, and
 * with which weights, before anything is simulated.
 *
 * For each flow, every source dataplane's routing is resolved (model_resolve).  Sources
 * that Kuma cannot tell apart (model_dataplane_routes_alike: the replicas of a service,
 * typically) share one resolution, found through a hash of what the resolver reads, so a
 * flow from thousands of dataplanes costs one resolution per kind of source and time
 * linear in the sources.  Each distinct routing lists its weighted clusters in Envoy's
 * order and maps them to the flow's outcomes: a backend (by its report name), `<closed>`
 * (no route, or an empty split) or `<no-endpoints>` (a cluster that selects no endpoint).
 *
 * Building the plan is also where the scenario is checked for what a run needs beyond
 * what loads (docs/manual.md §2): every flow gives `connections` or `stop`; every backend
 * an expectation names is one the flow can reach, every route_match one route of it; routing splitsim does not simulate yet
 * is refused with the flow's place.  `splitsim validate` builds the plan for that reason,
 * so it refuses what `run` would refuse.
 */
#ifndef SIM_PLAN_H
#define SIM_PLAN_H

#include "model/error.h"
#include "model/resolve.h"
#include "model/scenario.h"

#include <stdbool.h>
#include <stdint.h>

#define SIM_OUTCOME_CLOSED "<closed>"
#define SIM_OUTCOME_NO_ENDPOINTS "<no-endpoints>"
#define SIM_OUTCOME_NOT_FOUND "<404>"
#define SIM_OUTCOME_REDIRECT "<redirect>"

/* One outcome of a flow's connections. */
typedef struct sim_outcome {
    const char *name; /* backend name as reports print it, or <closed>/<no-endpoints> */
    bool failed;      /* <closed> or <no-endpoints> */
    bool has_weight;  /* every source routes here with the same weight */
    uint32_t weight;
    double expected; /* configured share, averaged over the sources (0..1) */
} sim_outcome;

/* An HTTP route of a routing, ready to count: its clusters' weights and outcomes, the
 * flow's route slot it counts in, and its mirrors. */
typedef struct sim_http_route {
    const model_http_route *route;
    uint32_t *weights;
    uint32_t *outcome_of; /* cluster index -> outcome index */
    size_t n_clusters;
    uint32_t slot;        /* index in the flow's slots */
    uint32_t *mirror_of;  /* per mirror: index in the flow's mirror targets */
} sim_http_route;

/* One distinct routing of some of a flow's sources. */
typedef struct sim_routing {
    const model_resolution *resolution;
    /* TCP (and route none): connections pick from `clusters` once. */
    const model_cluster *clusters; /* Envoy's order */
    size_t n_clusters;
    uint32_t *weights;    /* clusters[i].weight */
    uint32_t *outcome_of; /* cluster index -> outcome index */
    uint32_t closed;      /* outcome of every connection when there is nothing to pick */
    bool empty;           /* no cluster (or all weights 0): every connection is closed */
    /* HTTP (a MeshHTTPRoute listener): each request takes the first route it matches, then
     * picks among that route's clusters. */
    bool http;
    sim_http_route *routes;
    size_t n_routes;
    uint32_t *route_of_request; /* per flow request: its route, or n_routes (no route) */
    uint32_t not_found;         /* outcome <404>: no route matches */
    uint32_t redirected;        /* outcome <redirect> */
    size_t n_sources;           /* sources that route this way */
} sim_routing;

/* The routes of a flow, across its routings: routes with the same match (as written) are
 * one slot, so a report and a `route_match` expectation see them together. */
typedef struct sim_route_slot {
    const model_node *match;     /* NULL: Kuma's catch-all */
    const model_http_route *any; /* one route of the slot, to describe it */
    double share;                /* expected share of the flow's requests */
    double *expected;            /* per outcome: expected share within the slot */
    int64_t *weight;             /* per outcome: its weight in the route, -1: differs or
                                  * none (a redirect) */
} sim_route_slot;

/* A backend whose cluster selects no endpoint: its connections fail as <no-endpoints>. */
typedef struct sim_dead_backend {
    const char *backend; /* report name */
    const char *cluster; /* Kuma's cluster name */
} sim_dead_backend;

typedef struct sim_flow_plan {
    const model_flow *flow;
    sim_routing *routings; /* distinct, in order of their first source */
    size_t n_routings;
    uint32_t *routing_of;                 /* per source (flow->sources order) */
    const model_resolution **resolutions; /* per source */
    bool sources_differ; /* some source routes differently from the first */
    bool routes_differ;  /* some source is decided by another route type */
    sim_outcome *outcomes;
    size_t n_outcomes;
    sim_dead_backend *dead; /* distinct, in the order met */
    size_t n_dead;
    /* Requests (HTTP routings only, or TCP ones with `requests`): the flow's request mix as
     * the routes see it, each with its weight; one GET / when the flow writes none. */
    model_http_request *requests;
    uint32_t *request_weights;
    size_t n_requests;
    bool per_request;       /* some routing picks per request (HTTP) */
    sim_route_slot *slots;  /* HTTP routes across routings */
    size_t n_slots;
    const char **mirrors;   /* backends RequestMirror copies go to (report names) */
    double *mirror_expected; /* per mirror target: expected copies per request */
    size_t n_mirrors;
} sim_flow_plan;

/* expect_slot of an expectation that names no route. */
#define SIM_NO_SLOT UINT32_MAX

typedef struct sim_plan {
    const model_scenario *scenario;
    sim_flow_plan *flows; /* one per scenario flow, same order */
    size_t n_flows;
    uint32_t *expect_slot; /* per expectation: the route slot its route_match names */
    model_arena *arena; /* owns everything above */
} sim_plan;

/* Builds the plan of scenario `s` (which must outlive it).  Every problem that stops a run
 * is recorded in `errs` as `file:line:col: message`, warnings too; returns NULL when there
 * was an error (free with sim_plan_free otherwise). */
sim_plan *sim_plan_new(const model_scenario *s, model_errors *errs);

void sim_plan_free(sim_plan *p);

/* The index of outcome `name` in `f`, or -1. */
int sim_flow_plan_outcome(const sim_flow_plan *f, const char *name);

#endif
