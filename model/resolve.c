/*
 * resolve.c - a flow into route type, policies and weighted clusters; see resolve.h.
 *
 * The steps, for source dataplane D and destination service S (docs/routing.md §10):
 *   1. protocol of S from all its endpoints (§5.1);
 *   2. the MeshTCPRoutes and MeshHTTPRoutes that select D, in priority order (§1, §2.1);
 *   3. conf(S) = JSON merge of every `to` item naming S, in that order (§2.2, §2.3);
 *   4. which plugin's listener survives for S (§5.2, §5.3, and §9 for older Kuma);
 *   5. the TCP split: backendRefs (or S itself), drops, cluster names, endpoints (§3).
 * Section numbers (§) in this file are those of docs/routing.md.
 */
#include "model/resolve.h"
#include "model/match.h"
#include "model/merge.h"
#include "model/version.h"
#include "policy.h"
#include "targetref.h"

#include <stdarg.h>
#include <string.h>

const char *model_route_type_name(model_route_type t)
{
    static const char *const names[] = {
#define X(e, s) s,
        MODEL_ROUTE_TYPES(X)
#undef X
    };
    return names[t];
}

typedef struct resolver {
    model_arena *a;
    const model_scenario *s;
    model_resolution *r;
    size_t cap_explain;
} resolver;

static void explain(resolver *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void explain(resolver *R, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    model_resolution *r = R->r;
    *MODEL_ARENA_PUSH(R->a, r->explain, r->n_explain, R->cap_explain) =
        model_arena_strdup(R->a, buf);
}

static const char *where(resolver *R, model_mark m)
{
    return model_arena_printf(R->a, "%s:%d:%d", m.file ? m.file : "?", m.line, m.col);
}

/* The tags of D's outbound for S: a declared outbound's tags, else {kuma.io/service: S}. */
static model_tags outbound_tags(resolver *R, const model_dataplane *dp, const char *svc)
{
    for (size_t i = 0; i < dp->n_outbounds; i++) {
        const char *v = model_tags_get(&dp->outbounds[i], MODEL_TAG_SERVICE);
        if (v && !strcmp(v, svc))
            return dp->outbounds[i];
    }
    model_tags t = {0};
    model_tags_set(R->a, &t, MODEL_TAG_SERVICE, svc);
    return t;
}

/* A merged conf and the `to` items it came from, in merge order. */
typedef struct conf_part {
    const model_policy *policy;
    size_t to; /* index in policy->to */
} conf_part;

typedef struct merged_conf {
    const model_node *node; /* NULL: no `to` item names the service */
    conf_part *parts;
    size_t n_parts;
} merged_conf;

/* Merges the `to` items of `matched` (in priority order) that name `svc` (§2.2, §2.3). */
static merged_conf compute_conf(resolver *R, const model_policy **matched, size_t n,
                                const char *svc)
{
    merged_conf c = {0};
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        const model_policy *p = matched[i];
        for (size_t j = 0; j < p->n_to; j++) {
            const model_policy_to *t = &p->to[j];
            /* Sidecar `to` items are MeshService refs; the legacy subset is
             * {kuma.io/service: name}, whatever namespace or sectionName say. */
            if (t->target.kind != MODEL_KIND_MESH_SERVICE || strcmp(t->target.name, svc))
                continue;
            c.node = model_merge_patch(R->a, c.node, t->conf);
            *MODEL_ARENA_PUSH(R->a, c.parts, c.n_parts, cap) = (conf_part){p, j};
        }
    }
    return c;
}

/* Makes `c` the deciding conf: explains its parts and lists its policies, each once, in
 * merge order. */
static void adopt_conf(resolver *R, const merged_conf *c)
{
    model_resolution *r = R->r;
    explain(R, "MeshTCPRoute conf for %s, merged in this order:", r->to);
    for (size_t i = 0; i < c->n_parts; i++) {
        const model_policy *p = c->parts[i].policy;
        const model_policy_to *t = &p->to[c->parts[i].to];
        explain(R, "  %s '%s' to[%zu] (%s) %s", model_resource_type_name(p->type), p->name,
                c->parts[i].to, where(R, t->mark),
                p->type == MODEL_RES_MESH_TCP_ROUTE && t->rules_empty
                    ? "has no rules: routes to the destination itself"
                    : "patches the conf");
        if (r->n_policies == 0 || r->policies[r->n_policies - 1] != p)
            r->policies[r->n_policies++] = p;
    }
}

static bool has_to_items(const model_policy **matched, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (matched[i]->n_to)
            return true;
    return false;
}

static const char *origin_name(model_origin o)
{
    return o == MODEL_ORIGIN_GLOBAL ? "global" : o == MODEL_ORIGIN_ZONE ? "zone" : "unset";
}

/* Why `later` merges after `earlier` (so wins over it), in the words of Kuma's rule. */
static const char *order_reason(resolver *R, const model_policy *earlier, const model_policy *later)
{
    int minor = R->s->kuma_minor;
    switch (model_match_order_key(earlier, later, minor)) {
    case MODEL_ORDER_KIND:
        return model_arena_printf(R->a,
                                  "a %s targetRef is more specific than a %s one, and the more "
                                  "specific policy is applied later",
                                  model_target_kind_name(later->target.kind),
                                  model_target_kind_name(earlier->target.kind));
    case MODEL_ORDER_ORIGIN:
        return model_arena_printf(R->a,
                                  "same targetRef kind; origin %s is applied after origin %s "
                                  "(a zone's own policy beats one synced from global)",
                                  origin_name(later->origin), origin_name(earlier->origin));
    case MODEL_ORDER_GATEWAY_TAGS:
        return model_arena_printf(R->a,
                                  "same MeshGateway; the one with more listener tags (%zu) is "
                                  "more specific",
                                  later->target.tags.n);
    case MODEL_ORDER_ROLE:
        return model_arena_printf(R->a,
                                  "same targetRef kind and origin; role %s is applied after "
                                  "role %s (system < producer < consumer < workload-owner)",
                                  model_role_name(later->role), model_role_name(earlier->role));
    case MODEL_ORDER_NAME:
        if (!model_kuma_orders_names_descending(minor))
            return model_arena_printf(R->a,
                                      "same targetRef kind; Kuma 2.%d orders equal policies by "
                                      "name ascending, so the larger name ('%s') merges last "
                                      "and wins",
                                      minor, later->name);
        return model_arena_printf(R->a,
                                  "same targetRef kind, origin and role; equal policies are "
                                  "ordered by name descending, so the smaller name ('%s') "
                                  "merges last and wins",
                                  later->display_name);
    case MODEL_ORDER_NONE:
        break;
    }
    return "equal in every rank Kuma sorts by: the order they were loaded in stands";
}

/* Explains which policies of `type` select the source (in merge order) and which do not,
 * with the reason for each: "why is my policy not applied?" is the common question. */
static void list_matched(resolver *R, model_resource_type type, const model_policy **m, size_t n)
{
    const char *tname = model_resource_type_name(type);
    const model_dataplane *dp = R->r->from;
    if (n == 0)
        explain(R, "no %s selects %s", tname, dp->name);
    else
        explain(R, "%s policies selecting %s, in merge order (the last wins):", tname, dp->name);
    for (size_t i = 0; i < n; i++) {
        const char *why = NULL;
        model_match_selects(R->a, m[i], dp, &why);
        explain(R, "  %zu. '%s' (targetRef %s, origin %s, role %s) - %s", i + 1, m[i]->name,
                model_target_kind_name(m[i]->target.kind), origin_name(m[i]->origin),
                model_role_name(m[i]->role), why);
        if (i > 0)
            explain(R, "     merged after '%s': %s", m[i - 1]->name,
                    order_reason(R, m[i - 1], m[i]));
    }
    for (size_t i = 0; i < R->s->n_policies; i++) {
        const model_policy *p = &R->s->policies[i];
        const char *why = NULL;
        if (p->type == type && !model_match_selects(R->a, p, dp, &why))
            explain(R, "  not selecting %s: '%s' - %s", dp->name, p->name, why);
    }
}

/* Backend protocols a TCP split accepts (MakeTCPSplit in meshroute/listeners.go). */
static bool tcp_backend_protocol_ok(model_protocol p)
{
    return p == MODEL_PROTO_UNKNOWN || p == MODEL_PROTO_KAFKA || p == MODEL_PROTO_TCP ||
           p == MODEL_PROTO_HTTP || p == MODEL_PROTO_HTTP2 || p == MODEL_PROTO_GRPC;
}

static void add_cluster(resolver *R, const char *service, const model_tags *ref_tags,
                        uint32_t weight)
{
    model_resolution *r = R->r;
    model_tags all = {0};
    for (size_t i = 0; i < ref_tags->n; i++)
        model_tags_set(R->a, &all, ref_tags->v[i].key, ref_tags->v[i].value);
    model_tags_set(R->a, &all, MODEL_TAG_SERVICE, service); /* the name wins over tags */
    model_cluster *c = &r->clusters[r->n_clusters++];
    c->service = service;
    c->tags = model_tags_without(R->a, &all, MODEL_TAG_SERVICE);
    c->name = model_tags_cluster_name(R->a, &all);
    c->backend = model_tags_backend_name(R->a, service, &c->tags);
    c->weight = weight;
    /* Endpoints are filtered on every tag but the service (and the cross-mesh tag). */
    model_tags filter = model_tags_without(R->a, &c->tags, MODEL_TAG_MESH);
    c->endpoints = model_mesh_endpoints(R->s, service, &filter);
}

/* §3: the TCP split from the merged conf, or the destination itself. */
static void tcp_split(resolver *R, const model_node *conf, const model_tags *outbound)
{
    model_resolution *r = R->r;
    const model_node *refs =
        conf ? model_node_get(model_node_get(conf, "default"), "backendRefs") : NULL;
    size_t n = refs ? refs->n : 1;
    r->clusters = model_arena_alloc(R->a, (n ? n : 1) * sizeof *r->clusters);
    if (!conf) {
        /* DefaultBackendRef: the outbound's service with all its tags, weight 100.  It goes
         * through MakeTCPSplit like any ref, so the protocol filter applies to it too. */
        if (!tcp_backend_protocol_ok(r->protocol)) {
            r->none_why = model_arena_printf(R->a,
                                             "Kuma's default route to %s is dropped: its "
                                             "protocol %s cannot be proxied as TCP",
                                             r->to, model_protocol_name(r->protocol));
            explain(R, "no MeshTCPRoute conf for %s: %s", r->to, r->none_why);
            return;
        }
        model_tags t = model_tags_without(R->a, outbound, MODEL_TAG_SERVICE);
        add_cluster(R, r->to, &t, 100);
        explain(R, "no MeshTCPRoute conf for %s: Kuma's default route to it (weight 100)", r->to);
        return;
    }
    bool whole_split_dropped = false;
    size_t zero = 0, bad_protocol = 0;
    for (size_t i = 0; i < refs->n; i++) {
        model_backend_ref b;
        model__backend_ref_read(R->a, refs->items[i], &b);
        const char *at = where(R, b.mark);
        if (b.has_weight && b.weight == 0) {
            explain(R, "backendRefs[%zu] %s (%s) dropped: weight 0", i, b.name, at);
            zero++;
            continue;
        }
        model_protocol bp = model_mesh_service_protocol(R->s, b.name);
        if (!tcp_backend_protocol_ok(bp)) {
            explain(R,
                    "backendRefs[%zu] %s (%s) dropped: its protocol %s cannot be proxied as "
                    "TCP%s",
                    i, b.name, at, model_protocol_name(bp),
                    !model_kuma_drops_bad_backends_alone(R->s->kuma_minor)
                        ? " (before Kuma 2.9 this empties the whole split)"
                        : "");
            if (!model_kuma_drops_bad_backends_alone(R->s->kuma_minor))
                whole_split_dropped = true;
            bad_protocol++;
            continue;
        }
        add_cluster(R, b.name, &b.tags, b.has_weight ? (uint32_t)b.weight : 1);
        model_cluster *c = &r->clusters[r->n_clusters - 1];
        explain(R, "backendRefs[%zu] (%s) -> cluster %s, weight %u%s, %zu endpoint%s%s", i, at,
                c->name, c->weight, b.has_weight ? "" : " (default)", c->endpoints,
                c->endpoints == 1 ? "" : "s", c->endpoints ? "" : ": its connections fail");
    }
    if (whole_split_dropped) {
        r->n_clusters = 0;
        r->none_why = model_arena_printf(R->a,
                                         "a backendRef's protocol cannot be proxied as TCP, and "
                                         "before Kuma 2.9 that empties the whole split");
    } else if (r->n_clusters == 0) {
        r->none_why = zero == refs->n ? "every backendRef has weight 0"
                      : bad_protocol == refs->n
                          ? "no backendRef's protocol can be proxied as TCP"
                          : "every backendRef was dropped (weight 0, or a protocol TCP "
                            "cannot carry)";
    }
}

static void set_unsupported(resolver *R, model_unsimulated what)
{
    R->r->unsupported = model_unsimulated_what(what);
    explain(R, "%s", model_unsimulated_message(what));
}

/* Kuma's route for an HTTP destination with no MeshHTTPRoute conf: the catch-all
 * PathPrefix / to the destination itself (§4.1). */
static void http_default(resolver *R, const model_tags *outbound)
{
    model_resolution *r = R->r;
    r->route = MODEL_ROUTE_MESH_HTTP_ROUTE;
    r->is_default = true;
    r->routes = model_arena_alloc(R->a, sizeof *r->routes);
    r->n_routes = 1;
    model_cluster *saved = r->clusters;
    size_t saved_n = r->n_clusters;
    r->clusters = model_arena_alloc(R->a, sizeof *r->clusters);
    r->n_clusters = 0;
    model_tags t = model_tags_without(R->a, outbound, MODEL_TAG_SERVICE);
    add_cluster(R, r->to, &t, 100);
    r->routes[0] = (model_http_route){NULL, false, r->clusters, 1};
    r->clusters = saved;
    r->n_clusters = saved_n;
    explain(R, "no MeshHTTPRoute conf for %s: Kuma's catch-all route (PathPrefix /) to it", r->to);
}

model_resolution *model_resolve(model_arena *a, const model_scenario *s,
                                const model_dataplane *from, const char *to)
{
    model_resolution *r = model_arena_alloc(a, sizeof *r);
    resolver R = {a, s, r, 0};
    r->from = from;
    r->to = to;
    r->policies = model_arena_alloc(a, (s->n_policies ? s->n_policies : 1) * sizeof *r->policies);

    /* 1. Protocol (§5.1). */
    r->protocol = model_mesh_service_protocol(s, to);
    size_t n_endpoints = model_mesh_endpoints(s, to, &(model_tags){0});
    explain(&R, "protocol of %s: %s (common protocol of its %zu endpoint%s)", to,
            model_protocol_name(r->protocol), n_endpoints, n_endpoints == 1 ? "" : "s");
    bool http = model_protocol_is_http(r->protocol);
    model_tags outbound = outbound_tags(&R, from, to);

    /* 2. Matched policies (§1, §2.1). */
    const model_policy **tcp = model_arena_alloc(a, (s->n_policies + 1) * sizeof *tcp);
    const model_policy **hr = model_arena_alloc(a, (s->n_policies + 1) * sizeof *hr);
    size_t n_tcp = model_match_policies(s, MODEL_RES_MESH_TCP_ROUTE, from, tcp);
    size_t n_http = model_match_policies(s, MODEL_RES_MESH_HTTP_ROUTE, from, hr);
    list_matched(&R, MODEL_RES_MESH_TCP_ROUTE, tcp, n_tcp);
    if (n_http)
        list_matched(&R, MODEL_RES_MESH_HTTP_ROUTE, hr, n_http);

    /* 3. Confs (§2.2, §2.3); HTTP only for presence here. */
    const model_node *conf_http = compute_conf(&R, hr, n_http, to).node;
    if (conf_http)
        explain(&R, "a MeshHTTPRoute names %s", to);

    /* 4. Which listener survives. */
    bool traffic_routes = s->n_traffic_routes > 0;
    if (model_kuma_has_default_traffic_route(s->kuma_minor)) {
        /* §9: before 2.6 the MeshTCPRoute plugin acts only on outbounds with a TCP conf
         * and leaves an HTTP-like one to MeshHTTPRoute when an HTTP rule exists; every
         * other outbound is the default TrafficRoute route-all-<mesh>'s. */
        merged_conf conf = compute_conf(&R, tcp, n_tcp, to);
        if (conf.node && !(http && conf_http)) {
            r->route = MODEL_ROUTE_MESH_TCP_ROUTE;
            adopt_conf(&R, &conf);
            tcp_split(&R, conf.node, &outbound);
        } else if (http && conf_http) {
            set_unsupported(&R, MODEL_UNSIM_HTTP_RULES);
        } else if (traffic_routes) {
            set_unsupported(&R, MODEL_UNSIM_TRAFFIC_ROUTE);
        } else {
            /* route-all-<mesh>: destination {kuma.io/service: '*'} resolved to the
             * outbound's own tags, one split of weight 1 (§5.4). */
            r->route = MODEL_ROUTE_TRAFFIC_ROUTE;
            r->is_default = true;
            r->clusters = model_arena_alloc(a, sizeof *r->clusters);
            model_tags t = model_tags_without(a, &outbound, MODEL_TAG_SERVICE);
            add_cluster(&R, to, &t, 1);
            explain(&R,
                    "Kuma 2.%d: no MeshTCPRoute conf for %s, so the default TrafficRoute "
                    "route-all-%s routes it to itself",
                    s->kuma_minor, to, s->mesh);
        }
        goto done;
    }

    bool use_tcp = !traffic_routes || has_to_items(tcp, n_tcp);
    bool use_http = !traffic_routes || has_to_items(hr, n_http);
    if (traffic_routes)
        explain(&R,
                "the mesh has %zu TrafficRoute%s, so the new route plugins act only for proxies "
                "that have their rules: the MeshTCPRoute plugin %s, the MeshHTTPRoute plugin %s",
                s->n_traffic_routes, s->n_traffic_routes == 1 ? "" : "s",
                use_tcp ? "acts (this proxy has MeshTCPRoute rules)" : "stays out",
                use_http ? "acts" : "stays out");
    merged_conf tcp_conf = compute_conf(&R, tcp, n_tcp, to);
    const model_node *conf_tcp = tcp_conf.node;
    if (use_tcp && (!http || (conf_tcp && !conf_http))) {
        if (http)
            explain(&R,
                    "%s speaks %s but only a MeshTCPRoute names it: Kuma proxies it as TCP "
                    "(a MeshHTTPRoute naming it would take over)",
                    to, model_protocol_name(r->protocol));
        r->route = MODEL_ROUTE_MESH_TCP_ROUTE;
        if (conf_tcp) {
            adopt_conf(&R, &tcp_conf);
        } else {
            r->is_default = true;
        }
        tcp_split(&R, conf_tcp, &outbound);
    } else if (use_http && http) {
        if (conf_tcp)
            explain(&R,
                    "a MeshHTTPRoute also names %s, and it speaks %s: for an HTTP destination "
                    "MeshHTTPRoute takes over and the MeshTCPRoute is ignored",
                    to, model_protocol_name(r->protocol));
        if (conf_http)
            set_unsupported(&R, MODEL_UNSIM_HTTP_RULES);
        else
            http_default(&R, &outbound);
    } else if (traffic_routes) {
        set_unsupported(&R, MODEL_UNSIM_TRAFFIC_ROUTE);
    }

done:
    if (!r->unsupported && r->route == MODEL_ROUTE_MESH_TCP_ROUTE && r->n_clusters == 0) {
        r->route = MODEL_ROUTE_NONE;
        explain(&R, "nothing left to route to (%s): the listener closes every connection",
                r->none_why ? r->none_why : "no cluster");
    }
    explain(&R, "decision: %s%s", model_route_type_name(r->route),
            r->is_default ? " (default route)" : "");
    return r;
}
