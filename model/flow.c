/*
 * flow.c - the traffic and expect sections; see flow.h.
 *
 *   traffic[]: name? (default "<from> -> <to>"), from (service name | {service, tags?} |
 *              {dataplane} | {gateway, listener}), to (service; not for gateways),
 *              connections?, rate (N/s|N/m|N/h), arrival? (poisson|uniform), start?, stop?,
 *              hold? (duration = exponential mean | {constant: D} | {exponential: D}),
 *              requests? [{method?, path?, headers?, weight? (default 1)}],
 *              requests_per_connection? (default 1)
 *   expect[]:  flow | from+to, window? [start, end], step?, route?, policy?,
 *              route_match? (a MeshHTTPRoute match), split? {backend: percent}, tolerance? | confidence? (default 0.999), failed?
 */
#include "flow.h"
#include "model/load.h"
#include "route.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FLOW_MAX_CONNECTIONS 1000000000000ULL /* 10^12: a day of 10 M/s */

static const char *const traffic_keys[] = {"name",
                                           "from",
                                           "to",
                                           "connections",
                                           "rate",
                                           "arrival",
                                           "start",
                                           "stop",
                                           "hold",
                                           "requests",
                                           "requests_per_connection",
                                           NULL};
static const char *const from_keys[] = {"service",  "tags", "dataplane", "gateway",
                                        "listener", "host", NULL};
static const char *const hold_keys[] = {"constant", "exponential", NULL};
static const char *const request_keys[] = {"method", "path", "headers", "weight", NULL};
static const char *const expect_keys[] = {"flow",      "from",       "to",     "window",
                                          "step",      "route",      "policy", "split",
                                          "tolerance", "confidence", "failed", "route_match",
                                          NULL};
static const char *const http_methods[] = {"GET",     "HEAD",    "POST",  "PUT",   "DELETE",
                                           "CONNECT", "OPTIONS", "TRACE", "PATCH", NULL};

/* Calls `body` with the path pushed to `key` when `map` has it. */
#define WITH_FIELD(c, map, key, var, ...)                                                          \
    do {                                                                                           \
        const model_node *var = model_node_get((map), (key));                                      \
        if (var) {                                                                                 \
            size_t with_old_ = schema_push_key((c), (key));                                        \
            __VA_ARGS__;                                                                           \
            schema_pop((c), with_old_);                                                            \
        }                                                                                          \
    } while (0)

/* The closest of `n` names to `word` for a hint, or none once the diagnostics are full
 * (thousands of bad names must not cost thousands of searches over thousands of names). */
static const char *hint_among(schema_ctx *c, const char *word, const char *const *names, size_t n)
{
    return model_errors_full(c->errs) ? NULL : model_suggest(word, names, n);
}

/* Dataplanes of the mesh that run `service` with an inbound matching `tags`. */
static void select_sources(model_scenario *s, model_flow *f)
{
    model_tags sel = f->from_tags;
    model_tags_set(s->arena, &sel, MODEL_TAG_SERVICE, f->from);
    f->sources =
        model_arena_alloc(s->arena, (s->n_dataplanes ? s->n_dataplanes : 1) * sizeof *f->sources);
    for (size_t i = 0; i < s->n_dataplanes; i++) {
        const model_dataplane *dp = &s->dataplanes[i];
        for (size_t j = 0; j < dp->n_inbounds; j++) {
            if (model_tags_selector_matches(&sel, &dp->inbounds[j].tags)) {
                f->sources[f->n_sources++] = dp;
                break;
            }
        }
    }
}

static bool service_refused(const flow_refused *r, const char *service)
{
    for (size_t i = 0; i < r->n_services; i++)
        if (!strcmp(r->services[i], service))
            return true;
    return false;
}

static int read_gateway_from(model_scenario *s, schema_ctx *c, const model_node *n, model_flow *f);

/* A `from` that names gateway Dataplane `d`, by its name or (`service`) by its gateway's
 * service: a builtin gateway's traffic is written by listener, a delegated gateway's is not
 * simulated.  Reports at `n` and returns -1. */
static int gateway_source_fail(schema_ctx *c, const model_node *n, const model_dataplane *d,
                               const char *service)
{
    const char *kind = d->builtin_gateway ? "builtin" : "delegated";
    char who[512];
    if (service)
        snprintf(who, sizeof who, "'%s' is the service of %s gateway '%s'", service, kind,
                 d->name);
    else
        snprintf(who, sizeof who, "'%s' is a %s gateway", d->name, kind);
    if (!d->builtin_gateway)
        return schema_fail(c, n, "%s: %s", who,
                           model_unsimulated_message(MODEL_UNSIM_DELEGATED_GATEWAY));
    return schema_fail(c, n, "%s: write {gateway: NAME, listener: PORT}", who);
}

static int read_from(model_scenario *s, schema_ctx *c, const model_node *n, model_flow *f,
                     const flow_refused *refused)
{
    size_t nsvc;
    const char **svcs = model_scenario_services(s, &nsvc);
    if (n->kind == MODEL_NODE_SCALAR) {
        f->from_kind = MODEL_FROM_SERVICE;
        if (schema_string(c, n, &f->from) < 0)
            return -1;
    } else if (schema_is_map(c, n)) {
        if (schema_check_keys(c, n, from_keys))
            return -1;
        const model_node *svc = model_node_get(n, "service");
        const model_node *dp = model_node_get(n, "dataplane");
        const model_node *gw = model_node_get(n, "gateway");
        if (!!svc + !!dp + !!gw != 1)
            return schema_fail(c, n, "give exactly one of service, dataplane or gateway");
        if (svc) {
            f->from_kind = MODEL_FROM_SERVICE;
            int rc = 0;
            WITH_FIELD(c, n, "service", v, rc |= schema_string(c, v, &f->from));
            WITH_FIELD(c, n, "tags", v,
                       rc |= schema_tags(c, v, SCHEMA_TAGS_SELECTOR, &f->from_tags));
            if (rc)
                return -1;
        } else if (dp) {
            f->from_kind = MODEL_FROM_DATAPLANE;
            int rc = 0;
            WITH_FIELD(c, n, "dataplane", v, rc |= schema_string(c, v, &f->from));
            if (rc)
                return -1;
            const model_dataplane *d = model_scenario_dataplane(s, f->from);
            if (!d) {
                const char *hint = NULL;
                if (!model_errors_full(c->errs)) {
                    const char **names = model_xmalloc((s->n_dataplanes + 1) * sizeof *names);
                    for (size_t i = 0; i < s->n_dataplanes; i++)
                        names[i] = s->dataplanes[i].name;
                    hint = hint_among(c, f->from, names, s->n_dataplanes);
                    free(names);
                }
                return schema_fail(c, dp, "no dataplane '%s' in mesh '%s'%s", f->from, s->mesh,
                                   schema_hint(c, hint));
            }
            if (d->gateway)
                return gateway_source_fail(c, dp, d, NULL);
            f->sources = model_arena_alloc(s->arena, sizeof *f->sources);
            f->sources[0] = d;
            f->n_sources = 1;
            return 0;
        } else {
            f->from_kind = MODEL_FROM_GATEWAY;
            int rc = 0;
            uint64_t port = 0;
            WITH_FIELD(c, n, "gateway", v, rc |= schema_string(c, v, &f->from));
            const model_node *ln = model_node_get(n, "listener");
            if (!ln)
                return schema_fail(c, n, "listener: must be set (the listener's port)");
            WITH_FIELD(c, n, "listener", v, {
                if (schema_uint(c, v, 65535, &port) < 0 || port == 0)
                    rc = schema_fail(c, v, "port must be in the range [1, 65535]");
            });
            f->listener_port = (uint32_t)port;
            WITH_FIELD(c, n, "host", v, {
                if (schema_string(c, v, &f->host) < 0)
                    rc = -1;
                else if (!*f->host)
                    rc = schema_fail(c, v, "give a host name, or leave host out");
            });
            if (rc)
                return -1;
            return read_gateway_from(s, c, n, f);
        }
    } else {
        return -1;
    }
    if (!model_scenario_has_service(s, f->from) && service_refused(refused, f->from))
        return -1; /* the service's own problem has been reported */
    if (!model_scenario_has_service(s, f->from)) {
        for (size_t i = 0; i < s->n_dataplanes; i++) {
            const model_dataplane *d = &s->dataplanes[i];
            const char *g = d->gateway ? model_tags_get(&d->gateway_tags, MODEL_TAG_SERVICE) : NULL;
            if (g && !strcmp(g, f->from))
                return gateway_source_fail(c, n, d, f->from);
        }
        const char *hint = hint_among(c, f->from, svcs, nsvc);
        return schema_fail(c, n, "no service '%s' in mesh '%s'%s", f->from, s->mesh,
                           schema_hint(c, hint));
    }
    select_sources(s, f);
    if (f->n_sources == 0)
        return schema_fail(c, n, "no dataplane of '%s' has an inbound with these tags", f->from);
    return 0;
}

/* True if `service` is reachable from every source: a service of the mesh, or an outbound
 * that each source declares. */
static bool reachable(const model_scenario *s, const model_flow *f, const char *service)
{
    if (model_scenario_has_service(s, service))
        return true;
    for (size_t i = 0; i < f->n_sources; i++) {
        bool found = false;
        for (size_t j = 0; j < f->sources[i]->n_outbounds && !found; j++) {
            const char *v = model_tags_get(&f->sources[i]->outbounds[j], MODEL_TAG_SERVICE);
            found = v && !strcmp(v, service);
        }
        if (!found)
            return false;
    }
    return f->n_sources > 0;
}

static int read_hold(schema_ctx *c, const model_node *n, model_flow *f)
{
    if (n->kind == MODEL_NODE_SCALAR) {
        f->hold = MODEL_HOLD_EXPONENTIAL;
        return schema_duration(c, n, &f->hold_ns);
    }
    if (!schema_is_map(c, n) || schema_check_keys(c, n, hold_keys))
        return -1;
    if (n->n != 1)
        return schema_fail(c, n, "give one of constant or exponential");
    int rc = 0;
    f->hold = !strcmp(n->keys[0]->text, "constant") ? MODEL_HOLD_CONSTANT : MODEL_HOLD_EXPONENTIAL;
    WITH_FIELD(c, n, n->keys[0]->text, v, rc = schema_duration(c, v, &f->hold_ns));
    return rc;
}

static int read_requests(model_scenario *s, schema_ctx *c, const model_node *n, model_flow *f)
{
    int rc = 0;
    if (!schema_is_seq(c, n))
        return -1;
    if (n->n == 0)
        return schema_fail(c, n, "must have at least one request");
    f->requests = model_arena_alloc(s->arena, n->n * sizeof *f->requests);
    uint64_t total = 0;
    for (size_t i = 0; i < n->n; i++) {
        const model_node *r = n->items[i];
        model_request *q = &f->requests[i];
        size_t old = schema_push_index(c, i);
        q->weight = 1;
        q->mark = r->mark;
        if (!schema_is_map(c, r)) {
            rc = -1;
            schema_pop(c, old);
            continue;
        }
        if (schema_check_keys(c, r, request_keys))
            rc = -1;
        WITH_FIELD(c, r, "method", v, {
            if (schema_string(c, v, &q->method) < 0)
                rc = -1;
            else if (!schema_in_list(q->method, http_methods))
                rc = schema_fail(c, v, "unknown HTTP method \"%s\"%s", q->method,
                                 schema_hint(c, schema_suggest(q->method, http_methods)));
        });
        WITH_FIELD(c, r, "path", v, {
            if (schema_string(c, v, &q->path) < 0)
                rc = -1;
            else if (q->path[0] != '/')
                rc = schema_fail(c, v, "a request path starts with '/', got \"%s\"", q->path);
        });
        WITH_FIELD(c, r, "headers", v, {
            rc |= schema_tags(c, v, SCHEMA_TAGS_ANY, &q->headers);
            for (size_t h = 0; f->from_kind == MODEL_FROM_GATEWAY && h < v->n; h++)
                if (!strcasecmp(v->keys[h]->text, "host") ||
                    !strcasecmp(v->keys[h]->text, ":authority")) {
                    /* The virtual host is part of the gateway query: one per flow. */
                    size_t o2 = schema_push_tag(c, v->keys[h]->text);
                    rc = schema_fail(c, v->keys[h],
                                     "a gateway flow names its host once, as from.host");
                    schema_pop(c, o2);
                }
        });
        WITH_FIELD(c, r, "weight", v, {
            uint64_t w;
            if (schema_uint(c, v, UINT32_MAX, &w) < 0)
                rc = -1;
            else
                q->weight = (uint32_t)w;
        });
        total += q->weight;
        schema_pop(c, old);
    }
    f->n_requests = n->n;
    if (rc == 0 && (total == 0 || total > UINT32_MAX))
        rc = schema_fail(c, n, "request weights must add up to 1..4294967295, got %llu",
                         (unsigned long long)total);
    return rc;
}

/* `from: {gateway: G, listener: P, host?}`: MeshGateway G's listener on port P, from every
 * builtin gateway Dataplane that G configures (SelectGateway); the flow's `to` is `G:P`. */
static int read_gateway_from(model_scenario *s, schema_ctx *c, const model_node *n, model_flow *f)
{
    const model_policy *g = NULL;
    for (size_t i = 0; i < s->n_gateways && !g; i++)
        if (!strcmp(s->gateways[i]->name, f->from))
            g = s->gateways[i];
    if (!g) {
        const char **names = model_arena_alloc(s->arena, (s->n_gateways + 1) * sizeof *names);
        for (size_t i = 0; i < s->n_gateways; i++)
            names[i] = s->gateways[i]->name;
        const char *hint = hint_among(c, f->from, names, s->n_gateways);
        size_t old = schema_push_key(c, "gateway");
        int rc = schema_fail(c, model_node_get(n, "gateway"), "no MeshGateway '%s' in mesh '%s'%s",
                             f->from, s->mesh, schema_hint(c, hint));
        schema_pop(c, old);
        return rc;
    }
    f->gateway = g;
    bool port_found = false;
    for (size_t i = 0; i < g->gateway->n_listeners && !port_found; i++)
        port_found = g->gateway->listeners[i].port == f->listener_port;
    if (!port_found) {
        /* The listeners, the first 10 of them: a message stays a line. */
        enum { SHOWN = 10 };
        size_t nl = g->gateway->n_listeners;
        char ports[SHOWN * 300];
        size_t len = 0;
        ports[0] = '\0';
        for (size_t i = 0; i < nl && i < SHOWN; i++) {
            const model_gateway_listener *l = &g->gateway->listeners[i];
            bool named = strcmp(l->hostname, "*") != 0;
            int w = snprintf(ports + len, sizeof ports - len, "%s%u (%s%s%.200s)", i ? ", " : "",
                             l->port, model_listener_protocol_name(l->protocol),
                             named ? " " : "", named ? l->hostname : "");
            len += w > 0 && (size_t)w < sizeof ports - len ? (size_t)w : 0;
        }
        if (nl > SHOWN)
            snprintf(ports + len, sizeof ports - len, " and %zu more", nl - SHOWN);
        size_t old = schema_push_key(c, "listener");
        int rc = schema_fail(c, model_node_get(n, "listener"),
                             "MeshGateway '%s' has no listener on port %u (its listeners: %s)",
                             f->from, f->listener_port, ports);
        schema_pop(c, old);
        return rc;
    }
    f->sources = model_arena_alloc(s->arena, (s->n_dataplanes ? s->n_dataplanes : 1) *
                                                 sizeof *f->sources);
    const model_dataplane *prev = NULL;
    const model_policy *prev_gw = NULL;
    for (size_t i = 0; i < s->n_dataplanes; i++) {
        const model_dataplane *dp = &s->dataplanes[i];
        if (!dp->builtin_gateway)
            continue;
        /* Replicas carry the same tags: their gateway is the one the previous got. */
        const model_policy *got = prev && model_tags_equal(&prev->gateway_tags, &dp->gateway_tags)
                                      ? prev_gw
                                      : model_gateway_select(s->gateways, s->n_gateways, dp);
        prev = dp;
        prev_gw = got;
        if (got == g)
            f->sources[f->n_sources++] = dp;
    }
    if (!f->n_sources)
        return schema_fail(c, n,
                           "no builtin gateway Dataplane gets MeshGateway '%s' (a Dataplane with "
                           "networking.gateway {type: BUILTIN, tags} that its selectors match)",
                           f->from);
    f->to = model_arena_printf(s->arena, "%s:%u", g->name, f->listener_port);
    return 0;
}

static void read_flow(model_scenario *s, schema_ctx *c, const model_node *n, model_flow *f,
                      const flow_refused *refused, bool *ok)
{
    int rc = 0;
    f->mark = n->mark;
    f->requests_per_connection = 1;
    if (schema_check_keys(c, n, traffic_keys))
        rc = -1;
    const model_node *from = model_node_get(n, "from");
    if (!from)
        rc = schema_fail(c, n,
                         "from: must be set (a service, {dataplane: NAME} or {gateway: "
                         "NAME, listener: PORT})");
    else
        WITH_FIELD(c, n, "from", v, rc |= read_from(s, c, v, f, refused));

    const model_node *to = model_node_get(n, "to");
    if (!to && f->from_kind != MODEL_FROM_GATEWAY) {
        rc = schema_fail(c, n, "to: must be set (the destination service)");
    } else if (to && f->from_kind == MODEL_FROM_GATEWAY) {
        size_t old = schema_push_key(c, "to");
        rc = schema_fail(c, to, "a gateway flow goes to its listener: leave `to` out (the "
                                "gateway's routes decide where its traffic goes)");
        schema_pop(c, old);
    } else if (to) {
        WITH_FIELD(c, n, "to", v, {
            if (schema_string(c, v, &f->to) < 0) {
                rc = -1;
            } else if (!model_scenario_has_service(s, f->to) && service_refused(refused, f->to)) {
                rc = -1; /* the service's own problem has been reported */
            } else if (f->n_sources && !reachable(s, f, f->to)) {
                size_t nsvc;
                const char **svcs = model_scenario_services(s, &nsvc);
                const char *hint = hint_among(c, f->to, svcs, nsvc);
                rc = schema_fail(c, v, "no service '%s' in mesh '%s'%s", f->to, s->mesh,
                                 schema_hint(c, hint));
            }
        });
    }
    WITH_FIELD(c, n, "name", v, rc |= schema_string(c, v, &f->name));
    if (!f->name && f->from && f->to)
        f->name = model_arena_printf(s->arena, "%s -> %s", f->from, f->to);

    WITH_FIELD(c, n, "connections", v, {
        if (schema_count(c, v, FLOW_MAX_CONNECTIONS, &f->connections) < 0)
            rc = -1;
    });
    /* Without a rate, arrivals come at the documented default (docs/manual.md §2). */
    f->rate_count = MODEL_DEFAULT_RATE_PER_S;
    f->rate_unit_ns = 1000000000ULL;
    f->rate_default = !model_node_get(n, "rate");
    WITH_FIELD(c, n, "rate", v, rc |= schema_rate(c, v, &f->rate_count, &f->rate_unit_ns));
    WITH_FIELD(c, n, "arrival", v, {
        const char *a;
        if (schema_string(c, v, &a) < 0)
            rc = -1;
        else if (!strcmp(a, "poisson"))
            f->arrival = MODEL_ARRIVAL_POISSON;
        else if (!strcmp(a, "uniform"))
            f->arrival = MODEL_ARRIVAL_UNIFORM;
        else
            rc = schema_fail(c, v, "expected poisson or uniform, got \"%s\"", a);
    });
    WITH_FIELD(c, n, "start", v, rc |= schema_duration(c, v, &f->start_ns));
    WITH_FIELD(c, n, "stop", v, {
        if (schema_duration(c, v, &f->stop_ns) < 0)
            rc = -1;
        else if (f->stop_ns <= f->start_ns)
            rc = schema_fail(c, v, "must be after start");
        else
            f->has_stop = true;
    });
    WITH_FIELD(c, n, "hold", v, rc |= read_hold(c, v, f));
    WITH_FIELD(c, n, "requests", v, rc |= read_requests(s, c, v, f));
    WITH_FIELD(c, n, "requests_per_connection", v, {
        uint64_t r;
        if (schema_count(c, v, 1000000, &r) < 0)
            rc = -1;
        else
            f->requests_per_connection = (uint32_t)r;
    });
    if (rc)
        *ok = false;
}

/* qsort context-free comparators over flow indices need the flows: one read at a time. */
static const model_flow *sort_flows;

static int cmp_flow_name(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    int c = strcmp(sort_flows[a].name, sort_flows[b].name);
    return c ? c : (a > b) - (a < b);
}

/* Sorts s->flow_order by name (then by position). */
static void index_flows(model_scenario *s)
{
    s->flow_order = model_arena_alloc(s->arena, (s->n_flows ? s->n_flows : 1) * sizeof(size_t));
    for (size_t i = 0; i < s->n_flows; i++)
        s->flow_order[i] = i;
    sort_flows = s->flows;
    qsort(s->flow_order, s->n_flows, sizeof(size_t), cmp_flow_name);
    sort_flows = NULL;
}

/* A flow named like an earlier one is refused (said at the later one, in file order) and
 * taken out; found by sorting, so many flows cost O(n log n), not every pair. */
static void refuse_repeated_names(model_scenario *s, schema_ctx *c, flow_refused *refused)
{
    index_flows(s);
    size_t *first_of = model_xcalloc(s->n_flows ? s->n_flows : 1, sizeof *first_of);
    bool *repeat = model_xcalloc(s->n_flows ? s->n_flows : 1, sizeof *repeat);
    for (size_t k = 1, first = 0; k < s->n_flows; k++) {
        size_t a = s->flow_order[first], b = s->flow_order[k];
        if (strcmp(s->flows[a].name, s->flows[b].name)) {
            first = k;
        } else {
            repeat[b] = true;
            first_of[b] = a;
        }
    }
    size_t kept = 0;
    bool any = false;
    for (size_t i = 0; i < s->n_flows; i++) {
        model_flow *f = &s->flows[i];
        if (!repeat[i]) {
            s->flows[kept++] = *f;
            continue;
        }
        any = true;
        size_t o = schema_push_index(c, f->index);
        schema_fail_at(c, f->mark, "a flow named '%s' is already defined at line %d", f->name,
                       s->flows[first_of[i]].mark.line);
        schema_pop(c, o);
        refused->v[refused->n++] = *f;
    }
    s->n_flows = kept;
    free(first_of);
    free(repeat);
    if (any)
        index_flows(s);
}

void model__traffic_read(model_scenario *s, const model_node *list, schema_ctx *c,
                         flow_refused *refused)
{
    size_t old = schema_push_key(c, "traffic");
    if (!schema_is_seq(c, list)) {
        schema_pop(c, old);
        return;
    }
    if (list->n > MODEL_MAX_FLOWS) {
        schema_fail(c, list, "%zu flows: a scenario may have at most %d", list->n,
                    MODEL_MAX_FLOWS);
        schema_pop(c, old);
        return;
    }
    s->flows = model_arena_alloc(s->arena, (list->n ? list->n : 1) * sizeof *s->flows);
    refused->v = model_arena_alloc(s->arena, (list->n ? list->n : 1) * sizeof *refused->v);
    for (size_t i = 0; i < list->n; i++) {
        size_t o2 = schema_push_index(c, i);
        model_flow *f = &s->flows[s->n_flows];
        memset(f, 0, sizeof *f); /* the slot may hold a refused flow */
        f->index = i;
        bool ok = true;
        if (schema_is_map(c, list->items[i]))
            read_flow(s, c, list->items[i], f, refused, &ok);
        else
            ok = false;
        if (ok)
            s->n_flows++;
        else
            refused->v[refused->n++] = *f;
        schema_pop(c, o2);
    }
    refuse_repeated_names(s, c, refused);
    schema_pop(c, old);
}

/* ---- expectations -------------------------------------------------------------------- */

static int read_confidence(schema_ctx *c, const model_node *v, double *out)
{
    if (v->kind == MODEL_NODE_SCALAR && v->plain && v->len) {
        char *end;
        errno = 0;
        double d = strtod(v->text, &end);
        if (!*end && !errno && d > 0 && d < 1 && isfinite(d)) {
            *out = d;
            return 0;
        }
    }
    return schema_fail(c, v,
                       "expected a confidence level between 0 and 1 (e.g. 0.999), got "
                       "\"%s\"",
                       v->kind == MODEL_NODE_SCALAR ? v->text : "a collection");
}

static int find_flow(const model_scenario *s, const char *name)
{
    return model_scenario_flow(s, name);
}

/* The flow name closest to `name`, for a hint (hint_among). */
static const char *flow_hint(const model_scenario *s, schema_ctx *c, const char *name)
{
    if (model_errors_full(c->errs))
        return NULL;
    const char **names = model_xmalloc((s->n_flows + 1) * sizeof *names);
    for (size_t i = 0; i < s->n_flows; i++)
        names[i] = s->flows[i].name;
    const char *hint = hint_among(c, name, names, s->n_flows);
    free(names);
    return hint;
}

/* flows_by_pair: flow indices sorted by (from, to), built on first use; s->flows is final
 * by then (expectations are read after traffic). */
static const model_flow *pair_flows;

static int cmp_flow_pair(const void *x, const void *y)
{
    const model_flow *a = &pair_flows[*(const size_t *)x], *b = &pair_flows[*(const size_t *)y];
    int c = strcmp(a->from ? a->from : "", b->from ? b->from : "");
    if (!c)
        c = strcmp(a->to ? a->to : "", b->to ? b->to : "");
    return c ? c : (a > b) - (a < b);
}

/* The first flow (in file order) from `from` to `to`, or -1; *count how many there are.
 * Binary search over s->flow_pairs, sorted once. */
static int flows_between(model_scenario *s, const char *from, const char *to, size_t *count)
{
    if (!s->flow_pairs) {
        s->flow_pairs = model_arena_alloc(s->arena, (s->n_flows ? s->n_flows : 1) * sizeof(size_t));
        for (size_t i = 0; i < s->n_flows; i++)
            s->flow_pairs[i] = i;
        pair_flows = s->flows;
        qsort(s->flow_pairs, s->n_flows, sizeof(size_t), cmp_flow_pair);
        pair_flows = NULL;
    }
    size_t lo = 0, hi = s->n_flows;
    while (lo < hi) { /* the first pair >= (from, to) */
        size_t mid = lo + (hi - lo) / 2;
        const model_flow *m = &s->flows[s->flow_pairs[mid]];
        int c = strcmp(m->from ? m->from : "", from);
        if (!c)
            c = strcmp(m->to ? m->to : "", to);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *count = 0;
    int found = -1;
    for (size_t k = lo; k < s->n_flows; k++) {
        const model_flow *m = &s->flows[s->flow_pairs[k]];
        if (!m->from || !m->to || strcmp(m->from, from) || strcmp(m->to, to))
            break;
        if (found < 0)
            found = (int)s->flow_pairs[k]; /* the first in file order: pairs sort by index */
        (*count)++;
    }
    return found;
}

/* True if a refused flow is called `name` (or, name NULL, goes from `from` to `to`). */
static bool was_refused(const flow_refused *r, const char *name, const char *from, const char *to)
{
    for (size_t i = 0; r && i < r->n; i++) {
        const model_flow *f = &r->v[i];
        if (name ? f->name && !strcmp(f->name, name)
                 : f->from && f->to && !strcmp(f->from, from) && !strcmp(f->to, to))
            return true;
    }
    return false;
}

static void read_expect(model_scenario *s, schema_ctx *c, const model_node *n,
                        const flow_refused *refused, bool *ok)
{
    model_expect *e = &s->expects[s->n_expects];
    int rc = 0;
    e->mark = n->mark;
    if (schema_check_keys(c, n, expect_keys))
        rc = -1;
    const model_node *flow = model_node_get(n, "flow");
    const model_node *from = model_node_get(n, "from");
    const model_node *to = model_node_get(n, "to");
    if (flow && (from || to)) {
        rc = schema_fail(c, n, "give flow, or from and to, not both");
    } else if (flow) {
        WITH_FIELD(c, n, "flow", v, {
            if (schema_string(c, v, &e->flow) < 0) {
                rc = -1;
            } else if (find_flow(s, e->flow) < 0 && was_refused(refused, e->flow, NULL, NULL)) {
                rc = -1; /* the flow's own problem has been reported */
            } else if (find_flow(s, e->flow) < 0) {
                rc = schema_fail(c, v, "no flow named '%s' in traffic%s", e->flow,
                                 schema_hint(c, flow_hint(s, c, e->flow)));
            } else {
                e->flow_index = (size_t)find_flow(s, e->flow);
            }
        });
    } else if (from && to) {
        const char *f = NULL, *t = NULL;
        WITH_FIELD(c, n, "from", v, rc |= schema_string(c, v, &f));
        WITH_FIELD(c, n, "to", v, rc |= schema_string(c, v, &t));
        size_t count = 0;
        int found = rc == 0 ? flows_between(s, f, t, &count) : -1;
        if (rc == 0 && count == 0 && was_refused(refused, NULL, f, t))
            rc = -1; /* the flow's own problem has been reported */
        else if (rc == 0 && count == 0)
            rc = schema_fail(c, n, "no flow in traffic goes from '%s' to '%s'", f, t);
        else if (rc == 0 && count > 1)
            rc = schema_fail(c, n, "%zu flows go from '%s' to '%s': name one with flow:", count, f,
                             t);
        else if (rc == 0) {
            e->flow_index = (size_t)found;
            e->flow = s->flows[found].name;
        }
    } else {
        rc = schema_fail(c, n, "flow: must be set (or from: and to:)");
    }

    WITH_FIELD(c, n, "window", v, {
        if (!schema_is_seq(c, v) || v->n != 2) {
            rc = schema_fail(c, v, "expected [start, end], e.g. [0s, 5m]");
        } else {
            size_t o2 = schema_push_index(c, 0);
            rc |= schema_duration(c, v->items[0], &e->window_start_ns);
            schema_pop(c, o2);
            o2 = schema_push_index(c, 1);
            rc |= schema_duration(c, v->items[1], &e->window_end_ns);
            schema_pop(c, o2);
            if (rc == 0 && e->window_end_ns <= e->window_start_ns)
                rc = schema_fail(c, v, "the window ends before it starts");
            e->has_window = true;
        }
    });
    WITH_FIELD(c, n, "step", v,
               rc = schema_fail(c, v, "needs a rollout: %s",
                                model_unsimulated_message(MODEL_UNSIM_TIMELINE)));
    WITH_FIELD(c, n, "route_match", v, {
        if ((model__traffic_route_match_form(v) ? model__traffic_route_match_read(c, v)
                                                : model__http_match_read(c, v)) < 0)
            rc = -1;
        e->route_match = v;
    });
    WITH_FIELD(c, n, "route", v, {
        static const char *const routes[] = {"MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute",
                                             "none", NULL};
        if (schema_string(c, v, &e->route) < 0) {
            rc = -1;
        } else {
            if (!schema_in_list(e->route, routes))
                rc = schema_fail(c, v,
                                 "expected MeshTCPRoute, MeshHTTPRoute, TrafficRoute or "
                                 "none, got \"%s\"%s",
                                 e->route, schema_hint(c, schema_suggest(e->route, routes)));
        }
    });
    WITH_FIELD(c, n, "policy", v, rc |= schema_string(c, v, &e->policy));
    WITH_FIELD(c, n, "split", v, {
        if (!schema_is_map(c, v)) {
            rc = -1;
        } else if (v->n == 0) {
            rc = schema_fail(c, v, "name at least one backend");
        } else {
            uint64_t sum = 0;
            bool shares_ok = true;
            e->split = model_arena_alloc(s->arena, v->n * sizeof *e->split);
            for (size_t i = 0; i < v->n; i++) {
                model_expect_share *sh = &e->split[e->n_split];
                size_t o2 = schema_push_key(c, v->keys[i]->text);
                sh->backend = v->keys[i]->text;
                sh->mark = v->keys[i]->mark;
                if (schema_percent(c, v->items[i], &sh->percent_milli) == 0) {
                    sum += sh->percent_milli;
                    e->n_split++;
                } else {
                    shares_ok = false;
                    rc = -1;
                }
                schema_pop(c, o2);
            }
            /* Only a malformed share makes the sum meaningless; a problem elsewhere in
             * the expectation (its flow, say) does not. */
            if (shares_ok && sum != 100000)
                rc =
                    schema_fail(c, v, "the shares add up to %llu.%03llu%%, not 100%%",
                                (unsigned long long)(sum / 1000), (unsigned long long)(sum % 1000));
        }
    });
    WITH_FIELD(c, n, "tolerance", v, {
        rc |= schema_percent(c, v, &e->tolerance_milli);
        e->has_tolerance = true;
    });
    WITH_FIELD(c, n, "confidence", v, {
        rc |= read_confidence(c, v, &e->confidence);
        e->has_confidence = true;
    });
    if (e->has_tolerance && e->has_confidence)
        rc = schema_fail(c, model_node_get(n, "confidence"),
                         "give tolerance (absolute) or confidence (statistical), not both");
    if (e->n_split && !e->has_tolerance && !e->has_confidence) {
        e->has_confidence = true; /* documented default: chi-square at 99.9% */
        e->confidence = 0.999;
    }
    WITH_FIELD(c, n, "failed", v, {
        rc |= schema_percent(c, v, &e->failed_milli);
        e->has_failed = true;
    });
    if ((e->has_tolerance || e->has_confidence) && !e->n_split && !e->has_failed)
        rc = schema_fail(c, n, "tolerance and confidence apply to split or failed: add one");

    if (rc == 0 && !e->n_split && !e->route && !e->policy && !e->has_failed)
        rc = schema_fail(c, n, "nothing to check: give split, route, policy or failed");
    if (rc)
        *ok = false;
}

void model__expect_read(model_scenario *s, const model_node *list, schema_ctx *c,
                        const flow_refused *refused)
{
    size_t old = schema_push_key(c, "expect");
    if (!schema_is_seq(c, list)) {
        schema_pop(c, old);
        return;
    }
    if (list->n > MODEL_MAX_EXPECTS) {
        schema_fail(c, list, "%zu expectations: a scenario may have at most %d", list->n,
                    MODEL_MAX_EXPECTS);
        schema_pop(c, old);
        return;
    }
    s->expects = model_arena_alloc(s->arena, (list->n ? list->n : 1) * sizeof *s->expects);
    for (size_t i = 0; i < list->n; i++) {
        size_t o2 = schema_push_index(c, i);
        bool ok = true;
        if (schema_is_map(c, list->items[i]))
            read_expect(s, c, list->items[i], refused, &ok);
        else
            ok = false;
        if (ok)
            s->n_expects++;
        else
            memset(&s->expects[s->n_expects], 0, sizeof s->expects[0]);
        schema_pop(c, o2);
    }
    schema_pop(c, old);
}
