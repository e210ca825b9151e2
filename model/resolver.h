/*
 * resolver.h - the state one resolution shares between resolve.c (which route type's
 * listener survives, docs/routing.md §5.2) and the route files that build a listener
 * (route_tcp.c, route_http.c), and the pieces they build it with (resolver.c); internal
 * to libsplit_model.  resolve.c calls the route files, which call only resolver.c.
 */
#ifndef MODEL_RESOLVER_H
#define MODEL_RESOLVER_H

#include "model/resolve.h"

typedef struct resolver {
    model_arena *a;
    const model_scenario *s;
    const model_world *w;
    const model_query *q;
    model_resolution *r;
    bool explain;
    size_t cap_steps;
    model_tags outbound; /* the source's outbound for q->to: its declared tags, or the
                          * service tag alone */
} resolver;

/* Records `step` when explaining (a no-op otherwise, so callers build steps freely). */
void model__step(resolver *R, model_step step);

/* One `to` item of a matched policy that names the destination. */
typedef struct model_conf_part {
    const model_policy *policy;
    size_t to; /* index in policy->to */
} model_conf_part;

/* The `to` items of one route type naming the destination, in merge order. */
typedef struct model_conf {
    model_resource_type type;
    model_conf_part *parts;
    size_t n_parts; /* 0: no conf (no `to` item names the destination) */
} model_conf;

/* The `to` items of `matched` (n policies of one type, in priority order) that name the
 * destination: a legacy MeshService subset {kuma.io/service: name}, whatever namespace or
 * sectionName say (docs/routing.md §2.2). */
model_conf model__conf_collect(resolver *R, model_resource_type type, const model_policy **matched,
                               size_t n);

/* Makes `c` the deciding conf: records its parts as steps and its policies, each once in
 * merge order, as the resolution's policies. */
void model__conf_adopt(resolver *R, const model_conf *c);

/* Fills cluster `c` for backend `service` with `ref_tags` (kuma.io/service excluded or
 * overridden) and `weight`: Kuma's cluster name, the report name and its endpoints. */
void model__cluster_fill(resolver *R, model_cluster *c, const char *service, const model_tags *ref_tags,
                         uint32_t weight);

/* The MeshTCPRoute listener (route_tcp.c): the TCP split of conf `c` (n_parts 0: Kuma's
 * default route to the destination), into r->clusters; route `none` when nothing is left. */
void model__tcp_resolve(resolver *R, const model_conf *c);

/* The MeshHTTPRoute listener (route_http.c): the HTTP routes of conf `c`, or Kuma's
 * catch-all to the destination when n_parts is 0. */
void model__http_resolve(resolver *R, const model_conf *c);

/* A builtin gateway's listener (route_gateway.c): the MeshTCPRoute or MeshHTTPRoute rules
 * of the listener of q->gateway on q->port that q->host reaches. */
void model__gateway_resolve(resolver *R);

/* The TrafficRoute listener (route_legacy.c): the TrafficRoute that routes the source to
 * the destination (with Kuma <= 2.5's route-all-<mesh> among them), its TCP split or its
 * HTTP routes; route `none` when no TrafficRoute selects the pair. */
void model__legacy_resolve(resolver *R);

/* A MeshHTTPRoute rule after merging (route_http.c): its `matches` (the merge key), its
 * `default` ({filters, backendRefs}, NULL for none), the policy it last came from. */
typedef struct model_merged_rule {
    const model_node *matches;
    const model_node *conf;
    const model_policy *policy;
    bool gone; /* replaced by a later occurrence of its matches (while merging) */
} model_merged_rule;

/* The rules of conf `c` merged as Kuma's mergeValuesByKey does (docs/routing.md §4.3),
 * in merged order; `*n` of them, allocated in R->a. */
model_merged_rule *model__http_merge_rules(resolver *R, const model_conf *c, size_t *n);

/* Route `h`'s match from MeshHTTPRoute match `m` (NULL: the catch-all): path, method,
 * header and query conditions, as a sidecar's route matches them. */
void model__http_fill_match(resolver *R, model_http_route *h, const model_node *m);

/* Route `h`'s RequestRedirect and RequestMirror filters of `filters` (a list, or NULL). */
void model__http_route_filters(resolver *R, model_http_route *h, const model_node *filters);

/* The compiled form of RegularExpression value `v` (route_http.c): the scenario's, else
 * one compiled into the resolution. */
const struct model_regex *model__route_regex(resolver *R, const model_node *v);

/* Refuses what splitsim does not simulate: sets r->unsupported and records the step. */
void model__unsimulated(resolver *R, model_unsimulated what);

#endif
