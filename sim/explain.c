/*
 * explain.c - a resolution's decisions (model/explain.h) in words; see explain.h.
 *
 * The model records what it decided and why as data; this file is where those facts
 * become the sentences `resolve --explain` prints, naming Kuma's rules in words (never by
 * a section number the user cannot look up).
 */
#include "sim/explain.h"
#include "model/match.h"
#include "model/version.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct out {
    char *buf;
    size_t size, len;
} out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(out *o, const char *fmt, ...)
{
    if (o->len >= o->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len = o->len + (size_t)n < o->size ? o->len + (size_t)n : o->size - 1;
}

static const char *origin_name(model_origin o)
{
    return o == MODEL_ORIGIN_GLOBAL ? "global" : o == MODEL_ORIGIN_ZONE ? "zone" : "unset";
}

static void put_mark(out *o, model_mark m)
{
    put(o, "%s:%d:%d", m.file ? m.file : "?", m.line, m.col);
}

/* Tags as YAML writes them in flow style: `k: v, k2: v2`. */
static void put_tags(out *o, const model_tags *t)
{
    for (size_t i = 0; i < t->n; i++)
        put(o, "%s%s: %s", i ? ", " : "", t->v[i].key, t->v[i].value);
}

void sim_explain_selection(char *buf, size_t size, const model_policy *p, const model_dataplane *dp,
                           model_selection why)
{
    out o = {buf, size, 0};
    buf[0] = '\0';
    const char *kind = model_target_kind_name(p->target.kind);
    switch (why.reason) {
    case MODEL_SELECT_MESH:
        put(&o, "targetRef Mesh selects every dataplane");
        break;
    case MODEL_SELECT_INBOUND:
        put(&o, "targetRef %s matches inbound %zu of %s", kind, why.inbound, dp->name);
        break;
    case MODEL_SELECT_GATEWAY_PROXY:
        put(&o, "%s is a gateway; splitsim routes sidecars only", dp->name);
        break;
    case MODEL_SELECT_NAMESPACE:
        put(&o, "a %s policy reaches only dataplanes of its own namespace",
            model_role_name(p->role));
        break;
    case MODEL_SELECT_ZONE:
        put(&o, "policy of zone %s, dataplane of zone %s", p->zone, dp->zone);
        break;
    case MODEL_SELECT_GATEWAY_TARGET:
        put(&o, "targetRef MeshGateway selects gateways, not the sidecar %s", dp->name);
        break;
    case MODEL_SELECT_PROXY_TYPES:
        put(&o, "proxyTypes leaves out sidecars like %s", dp->name);
        break;
    case MODEL_SELECT_NO_INBOUND:
        put(&o, "%s has no inbound to select", dp->name);
        break;
    case MODEL_SELECT_NOT_SERVICE:
        put(&o, "%s does not run %s (no inbound has kuma.io/service: %s)", dp->name,
            p->target.name, p->target.name);
        break;
    case MODEL_SELECT_NO_SINGLE_INBOUND:
        put(&o, "no single inbound of %s has every tag of the %s selector", dp->name, kind);
        break;
    }
}

/* Why `later` merges after `earlier` (so wins over it), in the words of Kuma's rule. */
static void order_reason(out *o, const model_policy *earlier, const model_policy *later,
                         model_order_key key, int minor)
{
    switch (key) {
    case MODEL_ORDER_KIND:
        put(o,
            "a %s targetRef is more specific than a %s one, and the more specific policy is "
            "applied later",
            model_target_kind_name(later->target.kind), model_target_kind_name(earlier->target.kind));
        return;
    case MODEL_ORDER_ORIGIN:
        put(o,
            "same targetRef kind; origin %s is applied after origin %s (a zone's own policy "
            "beats one synced from global)",
            origin_name(later->origin), origin_name(earlier->origin));
        return;
    case MODEL_ORDER_GATEWAY_TAGS:
        put(o, "same MeshGateway; the one with more listener tags (%zu) is more specific",
            later->target.tags.n);
        return;
    case MODEL_ORDER_ROLE:
        put(o,
            "same targetRef kind and origin; role %s is applied after role %s (system < "
            "producer < consumer < workload-owner)",
            model_role_name(later->role), model_role_name(earlier->role));
        return;
    case MODEL_ORDER_NAME:
        if (!model_kuma_orders_names_descending(minor))
            put(o,
                "same targetRef kind; Kuma 2.%d orders equal policies by name ascending, so "
                "the larger name ('%s') merges last and wins",
                minor, later->name);
        else
            put(o,
                "same targetRef kind, origin and role; equal policies are ordered by name "
                "descending, so the smaller name ('%s') merges last and wins",
                later->display_name);
        return;
    case MODEL_ORDER_NONE:
        break;
    }
    put(o, "equal in every rank Kuma sorts by: the order they were loaded in stands");
}

/* A header or query condition: `name = value`, `name present`, ... */
static void put_condition(out *o, const char *what, const model_node *c)
{
    const model_node *t = model_node_get(c, "type"), *n = model_node_get(c, "name");
    const model_node *v = model_node_get(c, "value");
    const char *type = t ? t->text : "Exact";
    const char *name = n ? n->text : "?", *value = v ? v->text : "";
    if (!strcmp(type, "Present") || !strcmp(type, "Absent"))
        put(o, ", %s %s %s", what, name, !strcmp(type, "Present") ? "present" : "absent");
    else if (!strcmp(type, "Prefix"))
        put(o, ", %s %s starts with \"%s\"", what, name, value);
    else if (!strcmp(type, "RegularExpression"))
        put(o, ", %s %s matches /%s/", what, name, value);
    else
        put(o, ", %s %s = \"%s\"", what, name, value);
}

/* `key` of `m`, NULL when absent or null (null fields are absent ones). */
static const model_node *present(const model_node *m, const char *key)
{
    const model_node *v = model_node_get(m, key);
    return v && !model_node_is_null(v) ? v : NULL;
}

/* A TrafficRoute StringMatcher: `= "v"`, `starts with "v"`, `matches /v/`. */
static void put_matcher(out *o, const model_node *m)
{
    const model_node *v;
    if ((v = present(m, "exact")))
        put(o, " = \"%s\"", v->text);
    else if ((v = present(m, "prefix")))
        put(o, " starts with \"%s\"", v->text);
    else if ((v = present(m, "regex")))
        put(o, " matches /%s/", v->text);
}

void sim_explain_match(char *buf, size_t size, const model_node *match)
{
    out o = {buf, size, 0};
    buf[0] = '\0';
    if (!match) {
        put(&o, "PathPrefix / (Kuma's catch-all)");
        return;
    }
    const model_node *path = present(match, "path"), *v;
    if (path && present(path, "type")) /* MeshHTTPRoute: {type, value} */
        put(&o, "%s %s", present(path, "type")->text,
            present(path, "value") ? present(path, "value")->text : "");
    else if (path && (v = present(path, "exact"))) /* TrafficRoute: a StringMatcher */
        put(&o, "Exact %s", v->text);
    else if (path && (v = present(path, "prefix")))
        put(&o, "prefix %s (any path starting so)", v->text);
    else if (path && (v = present(path, "regex")))
        put(&o, "RegularExpression %s", v->text);
    else
        put(&o, "any path");
    const model_node *method = present(match, "method");
    if (method && method->kind == MODEL_NODE_SCALAR) {
        put(&o, ", method %s", method->text);
    } else if (method) {
        put(&o, ", method");
        put_matcher(&o, method);
    }
    const model_node *h = present(match, "headers");
    for (size_t i = 0; h && h->kind == MODEL_NODE_SEQ && i < h->n; i++)
        put_condition(&o, "header", h->items[i]);
    for (size_t i = 0; h && h->kind == MODEL_NODE_MAP && i < h->n; i++) {
        put(&o, ", header %s", h->keys[i]->text);
        put_matcher(&o, h->items[i]);
    }
    const model_node *q = present(match, "queryParams");
    for (size_t i = 0; q && q->kind == MODEL_NODE_SEQ && i < q->n; i++)
        put_condition(&o, "query", q->items[i]);
}

void sim_explain_route(char *buf, size_t size, const model_http_route *h)
{
    out o = {buf, size, 0};
    buf[0] = '\0';
    if (!h->match && h->policy) { /* a TrafficRoute's conf.split */
        put(&o, "PathPrefix / (%s '%s': its default split)",
            model_resource_type_name(h->policy->type), h->policy->name);
        return;
    }
    char what[512];
    sim_explain_match(what, sizeof what, h->match);
    put(&o, "%s", what);
    if (h->policy)
        put(&o, " (%s '%s')", model_resource_type_name(h->policy->type), h->policy->name);
}

void sim_explain_none(char *buf, size_t size, const model_resolution *r)
{
    out o = {buf, size, 0};
    buf[0] = '\0';
    if (!r->has_none_reason) {
        put(&o, "no cluster");
        return;
    }
    switch (r->none) {
    case MODEL_NONE_ALL_ZERO:
        put(&o, "every backendRef has weight 0");
        break;
    case MODEL_NONE_NO_PROTOCOL:
        put(&o, "no backendRef's protocol can be proxied as TCP");
        break;
    case MODEL_NONE_ALL_DROPPED:
        put(&o, "every backendRef was dropped (weight 0, or a protocol TCP cannot carry)");
        break;
    case MODEL_NONE_WHOLE_SPLIT:
        put(&o, "a backendRef's protocol cannot be proxied as TCP, and before Kuma 2.9 that "
                "empties the whole split");
        break;
    case MODEL_NONE_NO_HTTP_ROUTE:
        put(&o, "every HTTP route lost its backends, so Kuma makes no listener for %s", r->to);
        break;
    case MODEL_NONE_GATEWAY_NO_LISTENER:
        put(&o, "the MeshGateway has no listener on this port");
        break;
    case MODEL_NONE_GATEWAY_NO_ROUTE:
        if (r->http_404)
            put(&o, "no virtual host or route of the listener takes host %s, and a gateway "
                    "has no catch-all",
                r->host ? r->host : "(none given)");
        else
            put(&o, "no MeshTCPRoute attaches to the listener (for this host): its filter chain "
                    "proxies nothing");
        break;
    case MODEL_NONE_GATEWAY_NO_CHAIN:
        put(&o, "no filter chain of the listener takes SNI %s; only listener hostnames with "
                "routes get one",
            r->host ? r->host : "(none given)");
        break;
    case MODEL_NONE_GATEWAY_DUPLICATE_VHOST:
        put(&o, "two listener hostnames of the port make the virtual host %s, and Envoy rejects "
                "a route table with a domain twice (Kuma before 2.9 does not isolate listener "
                "hostnames)",
            r->none_detail);
        break;
    case MODEL_NONE_GATEWAY_CONFIG_FAILS:
        put(&o, "Kuma before 2.9 cannot build this gateway's configuration (HTTP port %s has no "
                "MeshHTTPRoute while another listener has one: \"expected exactly one "
                "ListenerHostname with HTTP listener\")",
            r->none_detail);
        break;
    case MODEL_NONE_NO_TRAFFIC_ROUTE:
        put(&o, "the mesh has TrafficRoutes, and none routes %s to %s: Kuma's listener for it "
                "has no filter chain",
            r->from->name, r->to);
        break;
    case MODEL_NONE_DEFAULT_DROPPED:
        put(&o, "Kuma's default route to %s is dropped: its protocol %s cannot be proxied as TCP",
            r->to, model_protocol_name(r->protocol));
        break;
    }
}

void sim_explain_step(char *buf, size_t size, const model_scenario *s, const model_resolution *r,
                      const model_step *st)
{
    out o = {buf, size, 0};
    buf[0] = '\0';
    const char *tname = model_resource_type_name(st->type);
    const char *dp = r->from->name;
    char why[512];
    switch (st->kind) {
    case MODEL_STEP_PROTOCOL:
        put(&o, "protocol of %s: %s (common protocol of its %zu endpoint%s)", st->service,
            model_protocol_name((model_protocol)st->protocol), st->count, st->count == 1 ? "" : "s");
        break;
    case MODEL_STEP_SELECTING:
        if (st->count == 0)
            put(&o, "no %s selects %s", tname, dp);
        else
            put(&o, "%s policies selecting %s, in merge order (the last wins):", tname, dp);
        break;
    case MODEL_STEP_SELECTED:
        sim_explain_selection(why, sizeof why, st->policy, r->from, st->select);
        put(&o, "  %zu. '%s' (targetRef %s, origin %s, role %s) - %s", st->index + 1,
            st->policy->name, model_target_kind_name(st->policy->target.kind),
            origin_name(st->policy->origin), model_role_name(st->policy->role), why);
        break;
    case MODEL_STEP_ORDERED:
        put(&o, "     merged after '%s': ", st->other->name);
        order_reason(&o, st->other, st->policy, (model_order_key)st->order, s->kuma_minor);
        break;
    case MODEL_STEP_NOT_SELECTED:
        sim_explain_selection(why, sizeof why, st->policy, r->from, st->select);
        put(&o, "  not selecting %s: '%s' - %s", dp, st->policy->name, why);
        break;
    case MODEL_STEP_HTTP_NAMED:
        put(&o, "a MeshHTTPRoute names %s", st->service);
        break;
    case MODEL_STEP_GATE:
        put(&o,
            "the mesh has %zu TrafficRoute%s, so the new route plugins act only for proxies "
            "that have their rules: the MeshTCPRoute plugin %s, the MeshHTTPRoute plugin %s",
            st->count, st->count == 1 ? "" : "s",
            st->tcp_acts ? "acts (this proxy has MeshTCPRoute rules)" : "stays out",
            st->http_acts ? "acts" : "stays out");
        break;
    case MODEL_STEP_TCP_FOR_HTTP:
        put(&o,
            "%s speaks %s but only a MeshTCPRoute names it: Kuma proxies it as TCP (a "
            "MeshHTTPRoute naming it would take over)",
            st->service, model_protocol_name((model_protocol)st->protocol));
        break;
    case MODEL_STEP_HTTP_OVER_TCP:
        put(&o,
            "%s speaks %s: MeshHTTPRoute '%s' decides, and MeshTCPRoute '%s' is ignored (on an "
            "http, http2 or grpc destination a MeshHTTPRoute takes over)",
            st->service, model_protocol_name((model_protocol)st->protocol), st->policy->name,
            st->other->name);
        break;
    case MODEL_STEP_TCP_OVER_HTTP:
        put(&o, "%s speaks %s: ", st->service, model_protocol_name((model_protocol)st->protocol));
        if (st->other)
            put(&o, "MeshTCPRoute '%s' decides", st->other->name);
        else
            put(&o, "Kuma's default TCP route decides");
        put(&o,
            ", and MeshHTTPRoute '%s' is ignored (only http, http2 and grpc destinations are "
            "MeshHTTPRoute's; the MeshTCPRoute plugin replaces its listener)",
            st->policy->name);
        break;
    case MODEL_STEP_HTTP_ON_NON_HTTP:
        put(&o,
            "%s speaks %s, but MeshHTTPRoute '%s' has rules for it: before Kuma 2.6 they give "
            "it an HTTP listener, which no MeshTCPRoute conf replaces",
            st->service, model_protocol_name((model_protocol)st->protocol), st->policy->name);
        break;
    case MODEL_STEP_CONF:
        put(&o, "%s conf for %s, merged in this order:", tname, st->service);
        break;
    case MODEL_STEP_CONF_PART:
        put(&o, "  %s '%s' to[%zu] (", tname, st->policy->name, st->index);
        put_mark(&o, st->mark);
        put(&o, ") %s",
            st->type == MODEL_RES_MESH_TCP_ROUTE && st->rules_empty
                ? "has no rules: routes to the destination itself"
                : "patches the conf");
        break;
    case MODEL_STEP_DEFAULT_TCP:
        if (st->dropped)
            put(&o,
                "no MeshTCPRoute conf for %s: Kuma's default route to %s is dropped: its "
                "protocol %s cannot be proxied as TCP",
                st->service, st->service, model_protocol_name((model_protocol)st->protocol));
        else
            put(&o, "no MeshTCPRoute conf for %s: Kuma's default route to it (weight 100)",
                st->service);
        break;
    case MODEL_STEP_BACKEND:
        /* An HTTP route's backends are listed under its line. */
        put(&o, "%s%s[%zu] (", st->type == MODEL_RES_MESH_HTTP_ROUTE || st->type == MODEL_RES_TRAFFIC_ROUTE ? "    "
                                                                                          : "",
            st->type == MODEL_RES_TRAFFIC_ROUTE ? "split" : "backendRefs", st->index);
        put_mark(&o, st->mark);
        put(&o, ") -> cluster %s, weight %llu%s, %zu endpoint%s%s", st->cluster,
            (unsigned long long)st->weight, st->weight_default ? " (default)" : "", st->endpoints,
            st->endpoints == 1 ? "" : "s", st->endpoints ? "" : ": its connections fail");
        break;
    case MODEL_STEP_BACKEND_DROPPED:
        put(&o, "%s%s[%zu] %s (",
            st->type == MODEL_RES_MESH_HTTP_ROUTE || st->type == MODEL_RES_TRAFFIC_ROUTE ? "    "
                                                                                          : "",
            st->type == MODEL_RES_TRAFFIC_ROUTE ? "split" : "backendRefs", st->index, st->service);
        put_mark(&o, st->mark);
        if (st->drop == MODEL_DROP_WEIGHT_ZERO)
            put(&o, ") dropped: weight 0");
        else if (st->type == MODEL_RES_MESH_HTTP_ROUTE)
            put(&o, ") dropped: its protocol %s is not HTTP (%s)%s",
                model_protocol_name((model_protocol)st->protocol),
                model_kuma_splits_kafka_and_grpc(s->kuma_minor) ? "http, http2 or grpc"
                                                                : "before Kuma 2.6: http or http2",
                !model_kuma_drops_bad_backends_alone(s->kuma_minor)
                    ? " (before Kuma 2.9 this empties the route's whole split)"
                    : "");
        else
            put(&o, ") dropped: its protocol %s cannot be proxied as TCP%s",
                model_protocol_name((model_protocol)st->protocol),
                !model_kuma_drops_bad_backends_alone(s->kuma_minor)
                    ? " (before Kuma 2.9 this empties the whole split)"
                    : "");
        break;
    case MODEL_STEP_HTTP_RULES:
        put(&o, "MeshHTTPRoute rules after merging: %zu, giving %zu route%s (one per match), ",
            st->count, st->index, st->index == 1 ? "" : "s");
        if (st->rules_empty)
            put(&o, "in merged order (Kuma 2.%d does not sort them)", s->kuma_minor);
        else
            put(&o, "sorted by specificity (exact path, longer prefix, regex, no path; then "
                    "method, more headers, more query parameters)");
        put(&o, "; first match wins:");
        break;
    case MODEL_STEP_HTTP_ROUTE:
        sim_explain_match(why, sizeof why, st->match);
        put(&o, "  route %zu: %s", st->index + 1, why);
        if (st->policy)
            put(&o, " (MeshHTTPRoute '%s')", st->policy->name);
        if (st->redirect)
            put(&o, ": RequestRedirect, no backend is contacted");
        break;
    case MODEL_STEP_HTTP_ROUTE_DROPPED:
        sim_explain_match(why, sizeof why, st->match);
        put(&o, "  that route is dropped: none of its backends is left, so its requests fall "
                "through to the next route");
        break;
    case MODEL_STEP_DEFAULT_HTTP:
        put(&o, "no MeshHTTPRoute conf for %s: Kuma's catch-all route (PathPrefix /) to it",
            st->service);
        if (st->dropped)
            put(&o, ", dropped: Kuma 2.%d's HTTP split does not carry %s", s->kuma_minor,
                model_protocol_name((model_protocol)st->protocol));
        break;
    case MODEL_STEP_GATEWAY_LISTENER:
        put(&o, "MeshGateway '%s' has %zu %s listener%s on port %zu", st->policy->name, st->count,
            st->service, st->count == 1 ? "" : "s", st->index);
        break;
    case MODEL_STEP_GATEWAY_ATTACHED:
        put(&o, "%s '%s' attaches to the listener (targetRef %s; several merge in the order "
                "they were loaded, as Kuma's store lists them)",
            model_resource_type_name(st->type), st->policy->name,
            model_target_kind_name(st->policy->target.kind));
        break;
    case MODEL_STEP_GATEWAY_NOT_ATTACHED:
        put(&o, "%s '%s' does not attach to the listener: ", model_resource_type_name(st->type),
            st->policy->name);
        switch (st->miss) {
        case MODEL_GATEWAY_MISS_PROXY_TYPES:
            put(&o, "its targetRef.proxyTypes leave out Gateway");
            break;
        case MODEL_GATEWAY_MISS_TAGS:
            put(&o, "its targetRef.tags (");
            put_tags(&o, &st->policy->target.tags);
            put(&o, ") are not all among the listener's tags");
            break;
        case MODEL_GATEWAY_MISS_NAMESPACE:
            put(&o, "a %s policy acts only in its own namespace",
                model_role_name(st->policy->role));
            break;
        case MODEL_GATEWAY_MISS_ZONE:
            put(&o, "it comes from zone %s, the gateway is in zone %s", st->policy->zone,
                r->from->zone);
            break;
        }
        break;
    case MODEL_STEP_GATEWAY_HOST:
        if (st->rules_empty && st->dropped)
            put(&o, "no virtual host of the listener's %zu takes host %s", st->count,
                st->service ? st->service : "(none given)");
        else if (st->rules_empty)
            put(&o, "host %s", st->service ? st->service : "(none given)");
        if (st->rules_empty && st->host)
            put(&o, " (matched as %s: the gateway's route table ignores the port)", st->host);
        if (st->rules_empty && st->dropped)
            put(&o, ": Envoy answers 404");
        else if (st->rules_empty)
            put(&o, " reaches virtual host %s (exact name first, then the longest *.suffix, "
                    "then *)",
                st->cluster);
        else if (st->dropped)
            put(&o, "no filter chain takes SNI %s", st->service ? st->service : "(none given)");
        else
            put(&o, "SNI %s reaches the filter chain of listener hostname %s",
                st->service ? st->service : "(none given)", st->cluster);
        break;
    case MODEL_STEP_LEGACY_REPLACED:
        put(&o,
            "whatever TrafficRoute would route %s, the %s plugin replaces its listener for this "
            "proxy (it runs after the legacy generator)",
            st->service, model_route_type_name((model_route_type)st->route));
        break;
    case MODEL_STEP_LEGACY_KEPT:
        put(&o,
            "every MeshHTTPRoute route for %s lost its backends: Kuma builds no HTTP listener, "
            "so the TrafficRoute listener made before the plugins stays",
            st->service);
        break;
    case MODEL_STEP_TR_CANDIDATE:
        if (st->dropped) {
            put(&o, "TrafficRoute '%s' does not select %s: none of its sources matches one of its "
                    "inbounds",
                st->policy->name, r->from->name);
            break;
        }
        put(&o, "TrafficRoute '%s' selects %s (best source: %u tag%s, %u exact)",
            st->policy->name, r->from->name, st->rank_tags, st->rank_tags == 1 ? "" : "s",
            st->rank_exact);
        if (st->redirect)
            put(&o, ", but none of its destinations matches %s", st->service);
        else if (st->other && st->order == 0)
            put(&o, "; it ranks above '%s' (more tags, then more exact tags, sources and "
                    "destination added)",
                st->other->name);
        else if (st->other)
            put(&o, "; it ranks as '%s' and was created later, so it wins the tie",
                st->other->name);
        break;
    case MODEL_STEP_TR_CHOSEN:
        if (st->is_default)
            put(&o,
                "Kuma 2.%d: no other TrafficRoute for %s, so the default route-all-%s (made with "
                "the mesh) routes it to itself",
                s->kuma_minor, st->service, s->mesh);
        else
            put(&o, "TrafficRoute '%s' routes to %s (rank %u tags, %u exact; ties go to the one "
                    "created later, then to the first by name)",
                st->policy->name, st->service, st->rank_tags, st->rank_exact);
        break;
    case MODEL_STEP_TR_ROUTE:
        if (st->match) {
            sim_explain_match(why, sizeof why, st->match);
            put(&o, "  conf.http[%zu]: %s", st->index, why);
        } else {
            put(&o, "  conf.%s (the default, last)",
                st->policy->traffic_route->n_split == 1 &&
                        model_node_get(st->policy->spec ? model_node_get(st->policy->spec, "conf")
                                                        : NULL,
                                       "destination")
                    ? "destination"
                    : "split");
        }
        break;
    case MODEL_STEP_TR_PROTOCOL:
        if (st->is_default)
            put(&o, "its %zu cluster%s speak %s: an HTTP route table, first match wins", st->count,
                st->count == 1 ? "" : "s", model_protocol_name((model_protocol)st->protocol));
        else
            put(&o,
                "its %zu cluster%s' common protocol is %s, not HTTP: one TCP split over the "
                "clusters of every route, conf.http first",
                st->count, st->count == 1 ? "" : "s",
                model_protocol_name((model_protocol)st->protocol));
        break;
    case MODEL_STEP_NOTHING_LEFT:
        sim_explain_none(why, sizeof why, r);
        put(&o, "nothing left to route to (%s): the listener closes every connection", why);
        break;
    case MODEL_STEP_UNSIMULATED:
        put(&o, "%s", model_unsimulated_message(st->what));
        break;
    case MODEL_STEP_DECISION:
        put(&o, "decision: %s%s", model_route_type_name((model_route_type)st->route),
            st->is_default ? " (default route)" : "");
        break;
    }
}
