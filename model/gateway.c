/*
 * gateway.c - MeshGateway resources (builtin gateways), read and checked as Kuma's
 * validator does (pkg/core/resources/apis/mesh/gateway_validator.go), and the gateway a
 * builtin gateway Dataplane gets (SelectGateway, pkg/xds/topology/gateway.go).  Section
 * numbers (§) are those of docs/routing.md.
 */
#include "gateway.h"
#include "model/tags.h"

#include <stdlib.h>
#include <string.h>

static const char *const spec_keys[] = {"selectors", "conf", "tags", NULL};
static const char *const selector_keys[] = {"match", NULL};
static const char *const conf_keys[] = {"listeners", NULL};
static const char *const listener_keys[] = {"hostname", "port",      "protocol", "tls",
                                            "tags",     "crossMesh", "resources", NULL};
static const char *const tls_keys[] = {"mode", "certificates", "options", NULL};
static const char *const resources_keys[] = {"connectionLimit", NULL};
static const char *const protocols[] = {"TCP", "TLS", "HTTP", "HTTPS", NULL};
static const char *const tls_modes[] = {"TERMINATE", "PASSTHROUGH", NULL};
/* Tags a MeshGateway and its listeners may not set (SelectorKeyNotInSet). */
static const char *const reserved_tags[] = {"kuma.io/external-service-name", "kuma.io/protocol",
                                            "kuma.io/service", "kuma.io/zone", NULL};

const char *model_listener_protocol_name(model_listener_protocol p)
{
    return protocols[p];
}

/* A selector map (selector characters); `reserved`: the keys MeshGateway tags may not use. */
static int read_selector_tags(schema_ctx *c, const model_node *m, bool reserved, model_tags *out)
{
    if (schema_tags(c, m, SCHEMA_TAGS_SELECTOR, out) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; reserved && i < m->n; i++)
        if (schema_in_list(m->keys[i]->text, reserved_tags)) {
            size_t old = schema_push_tag(c, m->keys[i]->text);
            rc = schema_fail(c, m->keys[i], "tag name must not be \"%s\"", m->keys[i]->text);
            schema_pop(c, old);
        }
    return rc;
}

/* ValidateHostname: `*`, a `*.`-wildcard domain or a DNS name, lower case, at most 253. */
static int read_hostname(schema_ctx *c, const model_node *n, const char **out)
{
    if (schema_string(c, n, out) < 0)
        return -1;
    const char *h = *out;
    if (!*h || !strcmp(h, "*"))
        return 0;
    int rc = 0;
    if (strlen(h) > 253)
        rc = schema_fail(c, n, "must be at most 253 characters");
    bool wild = !strncmp(h, "*.", 2);
    if (!schema_dns1123_syntax(wild ? h + 2 : h))
        rc = schema_fail(c, n, wild ? "invalid wildcard domain" : "invalid hostname");
    return rc;
}

static int read_listener(schema_ctx *c, const model_node *l, model_gateway_listener *out)
{
    if (!schema_is_map(c, l))
        return -1;
    schema_check_keys(c, l, listener_keys);
    int rc = 0;
    *out = (model_gateway_listener){.hostname = "*", .mark = l->mark};
    const model_node *v;
    if ((v = model_node_get(l, "hostname")) && !model_node_is_null(v)) {
        size_t old = schema_push_key(c, "hostname");
        rc |= read_hostname(c, v, &out->hostname);
        if (!*out->hostname)
            out->hostname = "*";
        schema_pop(c, old);
    }
    uint64_t port = 0;
    v = model_node_get(l, "port");
    size_t old = schema_push_key(c, "port");
    if (v && !model_node_is_null(v) && schema_uint(c, v, UINT32_MAX, &port) < 0)
        rc = -1;
    else if (port == 0 || port > 65535)
        rc = schema_fail_at(c, v ? v->mark : l->mark, "port must be in the range [1, 65535]");
    schema_pop(c, old);
    out->port = (uint32_t)port;
    if ((v = model_node_get(l, "crossMesh")) && !model_node_is_null(v)) {
        old = schema_push_key(c, "crossMesh");
        rc |= schema_bool(c, v, &out->cross_mesh);
        schema_pop(c, old);
    }
    v = model_node_get(l, "protocol");
    old = schema_push_key(c, "protocol");
    const char *proto = NULL;
    if (!v || model_node_is_null(v))
        rc = schema_fail_at(c, l->mark, "cannot be empty");
    else if (schema_enum(c, v, protocols, &proto) < 0)
        rc = -1;
    schema_pop(c, old);
    for (int i = 0; proto && protocols[i]; i++)
        if (!strcmp(proto, protocols[i]))
            out->protocol = (model_listener_protocol)i;
    const model_node *tls = model_node_get(l, "tls");
    if (tls && model_node_is_null(tls))
        tls = NULL;
    if (proto && out->protocol == MODEL_LISTENER_HTTPS) {
        if (out->cross_mesh) {
            old = schema_push_key(c, "protocol");
            rc = schema_fail(c, v, "protocol is not supported with crossMesh");
            schema_pop(c, old);
        } else if (!tls) {
            old = schema_push_key(c, "tls");
            rc = schema_fail_at(c, l->mark, "cannot be empty");
            schema_pop(c, old);
        }
    }
    if (tls) {
        old = schema_push_key(c, "tls");
        if (schema_is_map(c, tls)) {
            schema_check_keys(c, tls, tls_keys);
            const model_node *mode = model_node_get(tls, "mode");
            const model_node *certs = model_node_get(tls, "certificates");
            size_t n_certs = certs && certs->kind == MODEL_NODE_SEQ ? certs->n : 0;
            const char *m = NULL;
            size_t o2 = schema_push_key(c, "mode");
            if (mode && !model_node_is_null(mode) && schema_enum(c, mode, tls_modes, &m) < 0)
                rc = -1;
            schema_pop(c, o2);
            out->tls_mode = !m ? MODEL_TLS_NONE
                            : !strcmp(m, "TERMINATE") ? MODEL_TLS_TERMINATE
                                                      : MODEL_TLS_PASSTHROUGH;
            if (out->cross_mesh) {
                if (m || n_certs)
                    rc = schema_fail(c, tls, "must be empty with crossMesh");
            } else if (!m && !(mode && !model_node_is_null(mode))) {
                o2 = schema_push_key(c, "mode");
                rc = schema_fail_at(c, tls->mark, "cannot be empty");
                schema_pop(c, o2);
            } else if (out->tls_mode == MODEL_TLS_PASSTHROUGH &&
                       out->protocol == MODEL_LISTENER_HTTPS) {
                o2 = schema_push_key(c, "mode");
                rc = schema_fail(c, mode, "mode is not supported on HTTPS listeners");
                schema_pop(c, o2);
            } else if (out->tls_mode == MODEL_TLS_TERMINATE && (n_certs == 0 || n_certs > 2)) {
                o2 = schema_push_key(c, "certificates");
                rc = schema_fail_at(c, certs ? certs->mark : tls->mark,
                                    n_certs ? "cannot have more than 2 certificates"
                                            : "cannot be empty in TLS termination mode");
                schema_pop(c, o2);
            }
        } else {
            rc = -1;
        }
        schema_pop(c, old);
    }
    if ((v = model_node_get(l, "tags")) && !model_node_is_null(v)) {
        old = schema_push_key(c, "tags");
        rc |= read_selector_tags(c, v, true, &out->tags);
        schema_pop(c, old);
    }
    if ((v = model_node_get(l, "resources")) && !model_node_is_null(v)) {
        old = schema_push_key(c, "resources");
        if (schema_is_map(c, v)) {
            schema_check_keys(c, v, resources_keys);
            const model_node *lim = model_node_get(v, "connectionLimit");
            uint64_t limit = 0;
            if (lim && !model_node_is_null(lim)) {
                size_t o2 = schema_push_key(c, "connectionLimit");
                rc |= schema_uint(c, lim, UINT32_MAX, &limit);
                schema_pop(c, o2);
            }
            out->connection_limit = (uint32_t)limit;
        } else {
            rc = -1;
        }
        schema_pop(c, old);
    }
    return rc;
}

/* A listener's place in check_ports' sort: by port, then hostname (NULL, unreadable,
 * first), then listener order. */
typedef struct port_slot {
    const model_gateway_listener *l;
    size_t i;
} port_slot;

static int port_slot_cmp(const void *x, const void *y)
{
    const port_slot *a = x, *b = y;
    if (a->l->port != b->l->port)
        return a->l->port < b->l->port ? -1 : 1;
    const char *ha = a->l->hostname, *hb = b->l->hostname;
    int c = !ha || !hb ? (ha != NULL) - (hb != NULL) : strcmp(ha, hb);
    if (c)
        return c;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* validateListenerCollapsibility: listeners of one port share a protocol, each hostname
 * once, and one connection limit.  All protocol conflicts, then hostnames, then limits,
 * each in listener order (Kuma's own order follows Go's map iteration).  Listeners are
 * sorted by port and hostname, so the check takes n log n for n listeners. */
static int check_ports(schema_ctx *c, const model_node *list, const model_mesh_gateway *g)
{
    size_t n = g->n_listeners;
    if (n < 2)
        return 0;
    port_slot *v = model_xmalloc(n * sizeof *v);
    unsigned char *conflict = model_xcalloc(n, 1); /* bit p: pass p finds a conflict */
    for (size_t i = 0; i < n; i++)
        v[i] = (port_slot){&g->listeners[i], i};
    qsort(v, n, sizeof *v, port_slot_cmp);
    for (size_t a = 0, b; a < n; a = b) {
        /* One port: its protocols and its non-zero limits, lowest and highest. */
        int pmin = (int)v[a].l->protocol, pmax = pmin;
        uint32_t lmin = 0, lmax = 0;
        for (b = a; b < n && v[b].l->port == v[a].l->port; b++) {
            const model_gateway_listener *l = v[b].l;
            pmin = (int)l->protocol < pmin ? (int)l->protocol : pmin;
            pmax = (int)l->protocol > pmax ? (int)l->protocol : pmax;
            if (l->connection_limit) {
                lmin = !lmin || l->connection_limit < lmin ? l->connection_limit : lmin;
                lmax = l->connection_limit > lmax ? l->connection_limit : lmax;
            }
        }
        for (size_t k = a; k < b; k++) {
            const model_gateway_listener *l = v[k].l;
            if (pmin != pmax)
                conflict[v[k].i] |= 1; /* some listener of the port has another protocol */
            bool twin = (k > a && v[k - 1].l->hostname && l->hostname &&
                         !strcmp(v[k - 1].l->hostname, l->hostname)) ||
                        (k + 1 < b && v[k + 1].l->hostname && l->hostname &&
                         !strcmp(v[k + 1].l->hostname, l->hostname));
            if (twin)
                conflict[v[k].i] |= 2;
            if (l->connection_limit && (lmin != l->connection_limit || lmax != l->connection_limit))
                conflict[v[k].i] |= 4;
        }
    }
    free(v);
    int rc = 0;
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < n; i++) {
            if (!(conflict[i] & (1 << pass)))
                continue;
            size_t old = schema_push_index(c, i);
            if (pass == 2) {
                size_t o2 = schema_push_key(c, "resources.connectionLimit");
                rc = schema_fail(c, list->items[i], "conflicting values for this port");
                schema_pop(c, o2);
            } else {
                rc = schema_fail(c, list->items[i],
                                 pass ? "multiple listeners for hostname on this port"
                                      : "protocol conflicts with other listeners on this port");
            }
            schema_pop(c, old);
        }
    free(conflict);
    return rc;
}

int model__mesh_gateway_read(schema_ctx *c, model_arena *a, const model_node *spec,
                             bool universal, model_policy *p)
{
    model_mesh_gateway *g = model_arena_alloc(a, sizeof *g);
    int rc = 0;
    if (!universal)
        schema_check_keys(c, spec, spec_keys);
    bool cross_mesh = false;
    const model_node *conf = model_node_get(spec, "conf");
    const model_node *listeners = conf && conf->kind == MODEL_NODE_MAP
                                      ? model_node_get(conf, "listeners")
                                      : NULL;
    for (size_t i = 0; listeners && listeners->kind == MODEL_NODE_SEQ && i < listeners->n; i++) {
        const model_node *cm = model_node_get(listeners->items[i], "crossMesh");
        cross_mesh |= cm && cm->kind == MODEL_NODE_SCALAR && !strcmp(cm->text, "true");
    }

    /* selectors: at least one, each with tags and the service tag; one with crossMesh. */
    const model_node *sel = model_node_get(spec, "selectors");
    size_t old = schema_push_key(c, "selectors");
    if (!sel || model_node_is_null(sel) || (sel->kind == MODEL_NODE_SEQ && sel->n == 0)) {
        rc = schema_fail_at(c, sel ? sel->mark : spec->mark, "must have at least one element");
    } else if (!schema_is_seq(c, sel)) {
        rc = -1;
    } else {
        g->selectors = model_arena_alloc(a, sel->n * sizeof *g->selectors);
        for (size_t i = 0; i < sel->n; i++) {
            size_t o2 = schema_push_index(c, i);
            const model_node *item = sel->items[i];
            if (schema_is_map(c, item)) {
                schema_check_keys(c, item, selector_keys);
                const model_node *m = model_node_get(item, "match");
                size_t o3 = schema_push_key(c, "match");
                model_tags t = {0};
                if (!m || model_node_is_null(m) || (m->kind == MODEL_NODE_MAP && m->n == 0)) {
                    rc = schema_fail_at(c, m ? m->mark : item->mark, "must have at least one tag");
                    rc = schema_fail_at(c, m ? m->mark : item->mark,
                                        "mandatory tag \"kuma.io/service\" is missing");
                } else if (read_selector_tags(c, m, false, &t) < 0) {
                    rc = -1;
                } else if (!model_tags_get(&t, MODEL_TAG_SERVICE)) {
                    rc = schema_fail(c, m, "mandatory tag \"kuma.io/service\" is missing");
                }
                g->selectors[g->n_selectors++] = t;
                schema_pop(c, o3);
                if (i > 0 && cross_mesh)
                    rc = schema_fail(c, item, "there can be at most one selector");
            } else {
                rc = -1;
            }
            schema_pop(c, o2);
        }
    }
    schema_pop(c, old);

    const model_node *tags = model_node_get(spec, "tags");
    if (tags && !model_node_is_null(tags)) {
        old = schema_push_key(c, "tags");
        rc |= read_selector_tags(c, tags, true, &g->tags);
        schema_pop(c, old);
    }

    old = schema_push_key(c, "conf");
    if (!conf || model_node_is_null(conf)) {
        rc = schema_fail_at(c, conf ? conf->mark : spec->mark, "cannot be empty");
    } else if (!schema_is_map(c, conf)) {
        rc = -1;
    } else {
        schema_check_keys(c, conf, conf_keys);
        size_t o2 = schema_push_key(c, "listeners");
        if (!listeners || model_node_is_null(listeners) ||
            (listeners->kind == MODEL_NODE_SEQ && listeners->n == 0)) {
            rc = schema_fail_at(c, listeners ? listeners->mark : conf->mark, "cannot be empty");
        } else if (!schema_is_seq(c, listeners)) {
            rc = -1;
        } else {
            g->listeners = model_arena_alloc(a, listeners->n * sizeof *g->listeners);
            for (size_t i = 0; i < listeners->n; i++) {
                size_t o3 = schema_push_index(c, i);
                rc |= read_listener(c, listeners->items[i], &g->listeners[g->n_listeners++]);
                schema_pop(c, o3);
            }
            rc |= check_ports(c, listeners, g);
        }
        schema_pop(c, o2);
    }
    schema_pop(c, old);
    p->spec = spec;
    p->gateway = g;
    return rc;
}

/* ---- which MeshGateway a gateway Dataplane gets ----------------------------------------- */

/* TagSelector.Rank of `sel` when it matches `tags` (a `*` value asks for the key only). */
static bool rank_of(const model_tags *sel, const model_tags *tags, unsigned *n, unsigned *exact)
{
    *n = *exact = 0;
    for (size_t i = 0; i < sel->n; i++) {
        const char *have = model_tags_get(tags, sel->v[i].key);
        bool any = !strcmp(sel->v[i].value, "*");
        if (!have || (!any && strcmp(have, sel->v[i].value)))
            return false;
        (*n)++;
        *exact += !any;
    }
    return true;
}

/* Later: a written creation time, by time; the rest after, in load order. */
static bool created_later(const model_policy *x, const model_policy *y)
{
    if (x->has_created != y->has_created)
        return !x->has_created;
    if (x->has_created && x->created_ns != y->created_ns)
        return x->created_ns > y->created_ns;
    return x > y;
}

static int by_name(const void *x, const void *y)
{
    return strcmp((*(const model_policy *const *)x)->name, (*(const model_policy *const *)y)->name);
}

const model_policy **model__gateways_sorted(model_arena *a, const model_policy *policies, size_t n,
                                            size_t *count)
{
    const model_policy **v = model_arena_alloc(a, (n ? n : 1) * sizeof *v);
    *count = 0;
    for (size_t i = 0; i < n; i++)
        if (policies[i].type == MODEL_RES_MESH_GATEWAY && policies[i].gateway)
            v[(*count)++] = &policies[i];
    qsort(v, *count, sizeof *v, by_name);
    return v;
}

const model_policy *model_gateway_select(const model_policy *const *gateways, size_t n,
                                         const model_dataplane *dp)
{
    if (!dp->builtin_gateway)
        return NULL;
    /* SelectGateway: the gateways in name order; the best rank (more tags, then more
     * exact ones) wins, a tie goes to the one created later (docs/manual.md §8 for
     * resources without a time), a full tie stays with the first by name. */
    const model_policy *best = NULL;
    unsigned best_n = 0, best_exact = 0;
    for (size_t i = 0; i < n; i++) {
        const model_policy *g = gateways[i];
        for (size_t s = 0; s < g->gateway->n_selectors; s++) {
            unsigned r, e;
            if (!rank_of(&g->gateway->selectors[s], &dp->gateway_tags, &r, &e))
                continue;
            bool better = !best || r > best_n || (r == best_n && e > best_exact) ||
                          (r == best_n && e == best_exact && created_later(g, best));
            if (better) {
                best = g;
                best_n = r;
                best_exact = e;
            }
        }
    }
    return best;
}
