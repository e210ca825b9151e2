/*
 * resolve.c - a flow into route type, policies and weighted clusters; see resolve.h.
 *
 * The steps, for source dataplane D and destination service S (docs/routing.md §10):
 *   1. protocol of S from all its endpoints (§5.1);
 *   2. the MeshTCPRoutes and MeshHTTPRoutes that select D, in priority order (§1, §2.1);
 *   3. the `to` items of each type that name S, in that order (§2.2);
 *   4. which plugin's listener survives for S (§5.2, §5.3, and §9 for older Kuma): this
 *      arbitration is all this file decides;
 *   5. the listener itself, built by its route type (route_tcp.c, route_http.c).
 * Section numbers (§) in this file are those of docs/routing.md.
 */
#include "model/match.h"
#include "model/resolve.h"
#include "model/version.h"
#include "resolver.h"

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

static bool has_to_items(const model_policy **matched, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (matched[i]->n_to)
            return true;
    return false;
}

/* Records which policies of `type` select the source (in merge order, with why each is
 * after the one before) and which do not: "why is my policy not applied?" is the common
 * question. */
static void list_matched(resolver *R, model_resource_type type, const model_policy **m, size_t n)
{
    if (!R->explain)
        return;
    const model_dataplane *dp = R->r->from;
    model__step(R, (model_step){.kind = MODEL_STEP_SELECTING, .type = type, .count = n});
    for (size_t i = 0; i < n; i++) {
        model_step st = {.kind = MODEL_STEP_SELECTED, .type = type, .policy = m[i], .index = i};
        model_match_selects(m[i], dp, &st.select);
        model__step(R, st);
        if (i > 0)
            model__step(R, (model_step){.kind = MODEL_STEP_ORDERED,
                                        .policy = m[i],
                                        .other = m[i - 1],
                                        .order = (int)model_match_order_key(m[i - 1], m[i],
                                                                            R->s->kuma_minor)});
    }
    for (size_t i = 0; i < R->w->n_policies; i++) {
        const model_policy *p = &R->w->policies[i];
        model_step st = {.kind = MODEL_STEP_NOT_SELECTED, .type = type, .policy = p};
        if (p->type == type && !model_match_selects(p, dp, &st.select))
            model__step(R, st);
    }
}

/* The policy that wins a conf (its last part), or NULL when there is none. */
static const model_policy *conf_winner(const model_conf *c)
{
    return c->n_parts ? c->parts[c->n_parts - 1].policy : NULL;
}

/* True when some part of `c` has rules (a `to` item with `rules: []` has none). */
static bool conf_has_rules(const model_conf *c)
{
    for (size_t i = 0; i < c->n_parts; i++)
        if (!c->parts[i].policy->to[c->parts[i].to].rules_empty)
            return true;
    return false;
}

/* Back to the listener Kuma's legacy generator made before the plugins ran: its
 * TrafficRoute's (Kuma <= 2.5's route-all among them), or, in a mesh without
 * TrafficRoutes, none (§5.3). */
static void legacy_listener(resolver *R, bool legacy_generator)
{
    model_resolution *r = R->r;
    r->route = MODEL_ROUTE_NONE;
    r->n_routes = 0;
    r->n_clusters = 0;
    r->n_policies = 0;
    r->has_none_reason = false;
    r->is_default = false;
    if (legacy_generator)
        model__legacy_resolve(R);
}

/* The HTTP plugin's listener when it builds one (a route survives), else the legacy
 * generator's. */
static void http_or_legacy(resolver *R, const model_conf *http, bool legacy_generator)
{
    model__http_resolve(R, http);
    if (R->r->route == MODEL_ROUTE_NONE && R->r->none == MODEL_NONE_NO_HTTP_ROUTE &&
        legacy_generator) {
        model__step(R, (model_step){.kind = MODEL_STEP_LEGACY_KEPT, .service = R->r->to});
        legacy_listener(R, true);
    }
}

/* Kuma <= 2.5 (§9).  The legacy generator first gives every outbound its TrafficRoute's
 * listener (the default route-all-<mesh> exists in every mesh); then each plugin replaces
 * the listeners it builds.  The MeshHTTPRoute plugin acts on a proxy with any
 * MeshHTTPRoute `to` rules: on every HTTP-like outbound (Kuma's catch-all where no rule
 * names it), and on another outbound its rules name; a listener whose routes all dropped
 * is not built.  The MeshTCPRoute plugin then builds a listener for each outbound with a
 * TCP conf, except an HTTP-like one that a MeshHTTPRoute conf names. */
static void arbitrate_before_2_6(resolver *R, const model_conf *tcp, const model_conf *http,
                                 bool http_acts)
{
    bool is_http = model_protocol_is_http(R->r->protocol);
    if (tcp->n_parts && !(is_http && http->n_parts)) {
        if (http->n_parts)
            model__step(R, (model_step){.kind = MODEL_STEP_TCP_OVER_HTTP,
                                        .service = R->r->to,
                                        .protocol = (int)R->r->protocol,
                                        .policy = conf_winner(http),
                                        .other = conf_winner(tcp)});
        R->r->route = MODEL_ROUTE_MESH_TCP_ROUTE;
        model__tcp_resolve(R, tcp);
    } else if (http_acts && (is_http || conf_has_rules(http))) {
        if (!is_http)
            model__step(R, (model_step){.kind = MODEL_STEP_HTTP_ON_NON_HTTP,
                                        .service = R->r->to,
                                        .protocol = (int)R->r->protocol,
                                        .policy = conf_winner(http)});
        http_or_legacy(R, http, true);
    } else {
        model__legacy_resolve(R);
    }
}

/* Kuma 2.6 .. 2.14 (§5.2 table, §5.3 gate).  In a mesh with TrafficRoutes the legacy
 * generator gives every outbound its TrafficRoute's listener (or one that closes), and
 * each plugin acts only for a proxy with its own `to` rules; the MeshHTTPRoute plugin
 * runs before the MeshTCPRoute one, and the later listener replaces the earlier. */
static void arbitrate(resolver *R, const model_conf *tcp, const model_conf *http, bool use_tcp,
                      bool use_http, bool legacy_generator)
{
    model_resolution *r = R->r;
    bool is_http = model_protocol_is_http(r->protocol);
    if (use_tcp && (!is_http || (tcp->n_parts && !http->n_parts))) {
        if (is_http)
            model__step(R, (model_step){.kind = MODEL_STEP_TCP_FOR_HTTP,
                                        .service = r->to,
                                        .protocol = (int)r->protocol});
        else if (http->n_parts)
            model__step(R, (model_step){.kind = MODEL_STEP_TCP_OVER_HTTP,
                                        .service = r->to,
                                        .protocol = (int)r->protocol,
                                        .policy = conf_winner(http),
                                        .other = conf_winner(tcp)});
        if (legacy_generator)
            model__step(R, (model_step){.kind = MODEL_STEP_LEGACY_REPLACED,
                                        .route = MODEL_ROUTE_MESH_TCP_ROUTE,
                                        .service = r->to});
        r->route = MODEL_ROUTE_MESH_TCP_ROUTE;
        model__tcp_resolve(R, tcp);
    } else if (use_http && (is_http || conf_has_rules(http))) {
        if (legacy_generator)
            model__step(R, (model_step){.kind = MODEL_STEP_LEGACY_REPLACED,
                                        .route = MODEL_ROUTE_MESH_HTTP_ROUTE,
                                        .service = r->to});
        if (tcp->n_parts)
            model__step(R, (model_step){.kind = MODEL_STEP_HTTP_OVER_TCP,
                                        .service = r->to,
                                        .protocol = (int)r->protocol,
                                        .policy = conf_winner(http),
                                        .other = conf_winner(tcp)});
        else if (!is_http)
            model__step(R, (model_step){.kind = MODEL_STEP_HTTP_ON_NON_HTTP,
                                        .service = r->to,
                                        .protocol = (int)r->protocol,
                                        .policy = conf_winner(http)});
        http_or_legacy(R, http, legacy_generator);
    } else {
        legacy_listener(R, legacy_generator);
    }
}

model_query model_flow_query(const model_flow *f, const model_dataplane *src)
{
    if (f->from_kind == MODEL_FROM_GATEWAY)
        return (model_query){.from = src, .to = f->to, .gateway = f->gateway,
                             .port = f->listener_port, .host = f->host};
    return (model_query){.from = src, .to = f->to};
}

model_resolution *model_resolve(model_arena *a, const model_scenario *s, const model_world *w,
                                const model_query *q, unsigned flags)
{
    model_resolution *r = model_arena_alloc(a, sizeof *r);
    resolver R = {a, s, w, q, r, (flags & MODEL_RESOLVE_EXPLAIN) != 0, 0, {0}};
    r->from = q->from;
    r->to = q->to;
    r->policies = model_arena_alloc(a, (w->n_policies ? w->n_policies : 1) * sizeof *r->policies);
    if (q->gateway) {
        model__gateway_resolve(&R);
        model__step(&R, (model_step){.kind = MODEL_STEP_DECISION,
                                     .route = (int)r->route,
                                     .is_default = r->is_default});
        return r;
    }
    R.outbound = outbound_tags(&R, q->from, q->to);

    /* 1. Protocol (§5.1). */
    r->protocol = model_mesh_service_protocol(s, q->to);
    if (R.explain)
        model__step(&R, (model_step){.kind = MODEL_STEP_PROTOCOL,
                                     .service = q->to,
                                     .protocol = (int)r->protocol,
                                     .count = model_mesh_endpoints(s, q->to, &(model_tags){0})});

    /* 2. Matched policies (§1, §2.1). */
    const model_policy **tcp = model_arena_alloc(a, (w->n_policies + 1) * sizeof *tcp);
    const model_policy **hr = model_arena_alloc(a, (w->n_policies + 1) * sizeof *hr);
    size_t n_tcp = model_match_policies(w, s->kuma_minor, MODEL_RES_MESH_TCP_ROUTE, q->from, tcp);
    size_t n_http = model_match_policies(w, s->kuma_minor, MODEL_RES_MESH_HTTP_ROUTE, q->from, hr);
    list_matched(&R, MODEL_RES_MESH_TCP_ROUTE, tcp, n_tcp);
    if (n_http)
        list_matched(&R, MODEL_RES_MESH_HTTP_ROUTE, hr, n_http);

    /* 3. The `to` items naming the destination (§2.2). */
    model_conf tcp_conf = model__conf_collect(&R, MODEL_RES_MESH_TCP_ROUTE, tcp, n_tcp);
    model_conf http_conf = model__conf_collect(&R, MODEL_RES_MESH_HTTP_ROUTE, hr, n_http);
    if (http_conf.n_parts)
        model__step(&R, (model_step){.kind = MODEL_STEP_HTTP_NAMED, .service = q->to});

    /* 4. Which listener survives, and 5. the listener. */
    if (model_kuma_has_default_traffic_route(s->kuma_minor)) {
        arbitrate_before_2_6(&R, &tcp_conf, &http_conf, has_to_items(hr, n_http));
    } else {
        bool gated = w->n_traffic_routes > 0;
        bool use_tcp = !gated || has_to_items(tcp, n_tcp);
        bool use_http = !gated || has_to_items(hr, n_http);
        if (gated)
            model__step(&R, (model_step){.kind = MODEL_STEP_GATE,
                                         .count = w->n_traffic_routes,
                                         .tcp_acts = use_tcp,
                                         .http_acts = use_http});
        arbitrate(&R, &tcp_conf, &http_conf, use_tcp, use_http, gated);
    }

    if (!r->unsupported && r->route == MODEL_ROUTE_MESH_TCP_ROUTE && r->n_clusters == 0) {
        r->route = MODEL_ROUTE_NONE;
        model__step(&R, (model_step){.kind = MODEL_STEP_NOTHING_LEFT,
                                     .none = r->none,
                                     .service = r->to,
                                     .protocol = (int)r->protocol});
    }
    model__step(&R, (model_step){.kind = MODEL_STEP_DECISION,
                                 .route = (int)r->route,
                                 .is_default = r->is_default});
    return r;
}
