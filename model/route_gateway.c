/*
 * route_gateway.c - a builtin gateway's listener: which MeshTCPRoute and MeshHTTPRoute
 * policies attach to it (DppSelectedByPolicy and MatchedPolicies in
 * pkg/plugins/policies/core/matchers/dataplane.go), the TCP or TLS split
 * (TCPFilterChainGenerator, pkg/plugins/runtime/gateway/filter_chain_generator.go), and
 * the HTTP route table of the virtual host a request's Host reaches (sortRulesToHosts and
 * generateEnvoyRouteEntries in pkg/plugins/policies/meshhttproute/plugin/v1alpha1/
 * gateway_routes.go, the route sorter of pkg/plugins/runtime/gateway/route/sorter.go, the
 * weighted clusters of route/configurers.go).  Section numbers (§) are those of
 * docs/routing.md.
 */
#include "model/merge.h"
#include "model/mesh.h"
#include "model/tags.h"
#include "model/version.h"
#include "resolver.h"
#include "targetref.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- hostnames (pkg/plugins/runtime/gateway/match/hostnames.go) ----------------------- */

/* The labels after the first, and whether the first is `*` (`*` alone: no labels). */
static const char *rest_of(const char *h)
{
    const char *dot = strchr(h, '.');
    return dot ? dot + 1 : "";
}

static bool wildcard(const char *h)
{
    return h[0] == '*' && (h[1] == '.' || h[1] == '\0');
}

static size_t n_parts(const char *h)
{
    size_t n = 0;
    for (const char *p = rest_of(h); *p; p++)
        n += *p == '.';
    return *rest_of(h) ? n + 1 : 0;
}

/* `a` covers `b` (Contains): b has at least a's labels after the first, ending the same,
 * and a's first label is `*` or b's. */
static bool covers(const char *a, const char *b)
{
    size_t na = n_parts(a), nb = n_parts(b);
    if (na > nb)
        return false;
    const char *ra = rest_of(a), *rb = rest_of(b);
    size_t la = strlen(ra), lb = strlen(rb);
    if (la > lb || strcmp(rb + lb - la, ra) || (la < lb && la && rb[lb - la - 1] != '.'))
        return false;
    if (la == 0 && nb > 0 && !wildcard(a))
        return false;
    if (wildcard(a))
        return true;
    size_t fa = strcspn(a, "."), fb = strcspn(b, ".");
    return fa == fb && !strncmp(a, b, fa);
}

/* The two overlap (Hostnames): equal, or one covers the other. */
static bool overlap(const char *a, const char *b)
{
    return !strcmp(a, b) || covers(a, b) || covers(b, a);
}

/* IsMoreExact: a name before a wildcard; of two wildcards, more labels first; else the
 * byte order of the names. */
static int exactness_cmp(const char *a, const char *b)
{
    bool wa = wildcard(a), wb = wildcard(b);
    if (wa != wb)
        return wa ? 1 : -1;
    if (wa && n_parts(a) != n_parts(b))
        return n_parts(a) > n_parts(b) ? -1 : 1;
    return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
}

/* Envoy's choice among the domains of a route table (or the server names of filter
 * chains) for `host`: the exact name, else the longest `*.suffix`, else `*`; -1 if none.
 * NULL `host` takes only `*`. */
static int host_choose(const char *const *names, size_t n, const char *host)
{
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *d = names[i];
        if (host && !strcasecmp(d, host))
            return (int)i;
        if (!strcmp(d, "*")) {
            if (best < 0)
                best = (int)i;
            continue;
        }
        if (host && wildcard(d)) {
            size_t ls = strlen(d) - 1, lh = strlen(host); /* ".suffix" */
            if (lh > ls && !strcasecmp(host + lh - ls, d + 1) && (best < 0 || ls > best_len ||
                                                                   !strcmp(names[best], "*"))) {
                best = (int)i;
                best_len = ls;
            }
        }
    }
    return best;
}

/* The Host an HTTP route table matches: Kuma sets ignore_port_in_host_matching on gateway
 * route configurations (route_configuration_generator.go), so Envoy cuts the host at its
 * last ':' unless a ']' follows it (an IPv6 literal without a port).  Returns `host` itself
 * when there is nothing to cut, else a copy in the resolver's arena. */
static const char *host_without_port(resolver *R, const char *host)
{
    if (!host)
        return NULL;
    const char *colon = strrchr(host, ':');
    const char *bracket = strrchr(host, ']');
    if (!colon || (bracket && bracket > colon))
        return host;
    size_t n = (size_t)(colon - host);
    char *s = model_arena_alloc(R->a, n + 1);
    memcpy(s, host, n);
    s[n] = '\0';
    return s;
}

/* ---- which policies attach to a listener (§6) --------------------------------------- */

/* Whether a policy is aimed at this gateway at all: a Mesh-wide or MeshSubset targetRef,
 * or one naming the MeshGateway.  Only those get a word when they miss a listener. */
static bool aims_at_gateway(const resolver *R, const model_target_ref *t)
{
    return t->kind == MODEL_KIND_MESH || t->kind == MODEL_KIND_MESH_SUBSET ||
           (t->kind == MODEL_KIND_MESH_GATEWAY && t->name &&
            !strcmp(t->name, R->q->gateway->display_name));
}

/* DppSelectedByPolicy for a builtin gateway's listener with merged tags `lt`: true, or
 * false with *miss set when the policy aims at the gateway (aims_at_gateway) but not at
 * this listener. */
static bool attaches(const resolver *R, const model_policy *p, const model_tags *lt,
                     model_gateway_miss *miss)
{
    const model_target_ref *t = &p->target;
    const model_dataplane *dp = R->q->from;
    if ((p->role == MODEL_ROLE_CONSUMER || p->role == MODEL_ROLE_WORKLOAD_OWNER) &&
        (!dp->namespace_ || !p->namespace_ || strcmp(dp->namespace_, p->namespace_))) {
        *miss = MODEL_GATEWAY_MISS_NAMESPACE;
        return false;
    }
    if (p->role != MODEL_ROLE_PRODUCER && dp->origin == MODEL_ORIGIN_ZONE &&
        p->origin == MODEL_ORIGIN_ZONE && p->zone && dp->zone && strcmp(p->zone, dp->zone)) {
        *miss = MODEL_GATEWAY_MISS_ZONE;
        return false;
    }
    *miss = MODEL_GATEWAY_MISS_PROXY_TYPES;
    bool gateway_type = !t->proxy_types || (t->proxy_types & MODEL_PROXY_GATEWAY);
    const char *service = model_tags_get(lt, MODEL_TAG_SERVICE);
    bool ok;
    switch (t->kind) {
    case MODEL_KIND_MESH:
        return gateway_type;
    case MODEL_KIND_MESH_SUBSET:
        if (!gateway_type)
            return false;
        ok = model_tags_selector_matches(&t->tags, lt);
        break;
    case MODEL_KIND_MESH_SERVICE:
    case MODEL_KIND_MESH_SERVICE_SUBSET:
        return t->name && service && !strcmp(service, t->name) &&
               (t->kind == MODEL_KIND_MESH_SERVICE ||
                model_tags_selector_matches(&t->tags, lt));
    case MODEL_KIND_MESH_GATEWAY:
        ok = aims_at_gateway(R, t) && model_tags_selector_matches(&t->tags, lt);
        break;
    default:
        return false;
    }
    *miss = MODEL_GATEWAY_MISS_TAGS;
    return ok;
}

/* A listener's tags: the Dataplane's gateway tags, then the MeshGateway's, then its own. */
static model_tags listener_tags(resolver *R, const model_gateway_listener *l)
{
    model_tags t = {0};
    const model_tags *layers[3] = {&R->q->from->gateway_tags, &R->q->gateway->gateway->tags,
                                   &l->tags};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < layers[k]->n; i++)
            model_tags_set(R->a, &t, layers[k]->v[i].key, layers[k]->v[i].value);
    return t;
}

/* The `to` items of the policies of `type` that attach to listener `l`, in load order
 * (Kuma merges a gateway listener's policies in the store's order, not by priority).
 * Every `to` item counts, whatever its targetRef: gateway rules have no subset. */
static model_conf listener_conf(resolver *R, model_resource_type type, const model_tags *lt)
{
    model_conf c = {.type = type};
    size_t cap = 0;
    for (size_t i = 0; i < R->w->n_policies; i++) {
        const model_policy *p = &R->w->policies[i];
        model_gateway_miss miss;
        if (p->type != type)
            continue;
        if (!attaches(R, p, lt, &miss)) {
            if (aims_at_gateway(R, &p->target))
                model__step(R, (model_step){.kind = MODEL_STEP_GATEWAY_NOT_ATTACHED,
                                            .type = type, .policy = p, .miss = miss});
            continue;
        }
        model__step(R, (model_step){.kind = MODEL_STEP_GATEWAY_ATTACHED, .type = type,
                                    .policy = p});
        for (size_t j = 0; j < p->n_to; j++)
            *MODEL_ARENA_PUSH(R->a, c.parts, c.n_parts, cap) = (model_conf_part){p, j};
    }
    return c;
}

/* Whether a policy of `type` attaches to listener `l` with a `to` item: only such listener
 * hostnames get a filter chain (sortRulesToHosts skips the others). */
static bool listener_has_rules(resolver *R, model_resource_type type,
                               const model_gateway_listener *l)
{
    model_tags lt = listener_tags(R, l);
    for (size_t i = 0; i < R->w->n_policies; i++) {
        const model_policy *p = &R->w->policies[i];
        model_gateway_miss miss;
        if (p->type == type && p->n_to && attaches(R, p, &lt, &miss))
            return true;
    }
    return false;
}

/* Whether policies of `type` attach to any listener of the query's gateway, whatever its
 * protocol: if not, Kuma's legacy gateway generator makes the listeners of that type's
 * protocols (pkg/plugins/runtime/gateway/generator.go). */
static bool gateway_has_rules(resolver *R, model_resource_type type)
{
    const model_mesh_gateway *g = R->q->gateway->gateway;
    for (size_t i = 0; i < g->n_listeners; i++)
        if (listener_has_rules(R, type, &g->listeners[i]))
            return true;
    return false;
}

/* TLS and HTTPS: the listener of `ls` whose filter chain takes the query's SNI (Envoy's
 * server_names: the exact name, the longest *.suffix, then the chain of `*`, which has
 * none), among those with `type` rules (all, when the gateway has none); NULL when none
 * does, and the resolution says so. */
static const model_gateway_listener *sni_choose(resolver *R, model_resource_type type,
                                                const model_gateway_listener **ls, size_t n_ls)
{
    const char **names = model_arena_alloc(R->a, n_ls * sizeof *names);
    const model_gateway_listener **with = model_arena_alloc(R->a, n_ls * sizeof *with);
    size_t n = 0;
    /* Without any such rule on the gateway, the legacy generator makes the listener: a
     * chain for every hostname (with its 404 table, for HTTPS). */
    bool legacy = !gateway_has_rules(R, type);
    for (size_t i = 0; i < n_ls; i++)
        if (legacy || listener_has_rules(R, type, ls[i])) {
            with[n] = ls[i];
            names[n++] = ls[i]->hostname;
        }
    int k = host_choose(names, n, R->q->host);
    model__step(R, (model_step){.kind = MODEL_STEP_GATEWAY_HOST, .service = R->q->host,
                                .cluster = k >= 0 ? names[k] : NULL, .dropped = k < 0,
                                .count = n});
    if (k >= 0)
        return with[k];
    R->r->route = MODEL_ROUTE_NONE;
    R->r->has_none_reason = true;
    R->r->none = MODEL_NONE_GATEWAY_NO_CHAIN;
    return NULL;
}

/* ---- clusters ----------------------------------------------------------------------- */

/* A backendRef's destination tags (FromLegacyTargetRef) and its gateway cluster. */
static void gateway_cluster(resolver *R, model_cluster *cl, const model_backend_ref *b,
                            const model_tags *lt, uint32_t weight)
{
    /* tags.FromLegacyTargetRef: a ref of kind Mesh (a `to` without rules copied as its
     * backendRef, To.GetDefault) is service `*`, which no endpoint has. */
    const char *service = b->kind == MODEL_KIND_MESH ? "*" : b->name;
    model__cluster_fill(R, cl, service, &b->tags, weight);
    model_tags dest = {0};
    for (size_t i = 0; i < b->tags.n; i++)
        model_tags_set(R->a, &dest, b->tags.v[i].key, b->tags.v[i].value);
    model_tags_set(R->a, &dest, MODEL_TAG_SERVICE, service);
    cl->name = model_tags_gateway_cluster_name(R->a, &dest, lt);
}

static int by_cluster_name(const void *x, const void *y)
{
    return strcmp(((const model_cluster *)x)->name, ((const model_cluster *)y)->name);
}

/* ---- TCP and TLS -------------------------------------------------------------------- */

/* The clusters of one listener hostname: its policies' merged conf (MeshTCPRoute's
 * To.GetDefault is its first rule; the last policy's backendRefs win), appended. */
static void tcp_hostname(resolver *R, const model_gateway_listener *l, model_cluster **v,
                         size_t *n, size_t *cap)
{
    model_tags lt = listener_tags(R, l);
    model_conf c = listener_conf(R, MODEL_RES_MESH_TCP_ROUTE, &lt);
    if (!c.n_parts)
        return;
    model__conf_adopt(R, &c);
    const model_node *conf = NULL;
    for (size_t i = 0; i < c.n_parts; i++)
        conf = model_merge_patch(R->a, conf, c.parts[i].policy->to[c.parts[i].to].conf);
    const model_node *refs = model_node_get(model_node_get(conf, "default"), "backendRefs");
    for (size_t i = 0; refs && refs->kind == MODEL_NODE_SEQ && i < refs->n; i++) {
        model_backend_ref b;
        model__backend_ref_read(R->a, refs->items[i], &b);
        model_cluster *cl = MODEL_ARENA_PUSH(R->a, *v, *n, *cap);
        /* `uint32(*b.Weight)`: the schema's default 1; 0 stays in the list. */
        gateway_cluster(R, cl, &b, &lt, b.has_weight ? (uint32_t)b.weight : 1);
        model__step(R, (model_step){.kind = MODEL_STEP_BACKEND, .type = MODEL_RES_MESH_TCP_ROUTE,
                                    .index = i, .mark = b.mark, .cluster = cl->name,
                                    .weight = cl->weight, .weight_default = !b.has_weight,
                                    .endpoints = cl->endpoints});
    }
}

static void tcp_listener(resolver *R, const model_gateway_listener **ls, size_t n_ls)
{
    model_resolution *r = R->r;
    model_cluster *v = NULL;
    size_t n = 0, cap = 0;
    if (ls[0]->protocol == MODEL_LISTENER_TLS) {
        /* One filter chain per listener hostname with routes, chosen by SNI. */
        const model_gateway_listener *l = sni_choose(R, MODEL_RES_MESH_TCP_ROUTE, ls, n_ls);
        if (!l)
            return;
        tcp_hostname(R, l, &v, &n, &cap);
    } else {
        /* TCP: one chain; the hostnames of the port's listeners are meaningless. */
        for (size_t i = 0; i < n_ls; i++)
            tcp_hostname(R, ls[i], &v, &n, &cap);
    }
    if (n)
        qsort(v, n, sizeof *v, by_cluster_name); /* sort.Slice by name */
    r->route = n ? MODEL_ROUTE_MESH_TCP_ROUTE : MODEL_ROUTE_NONE;
    r->clusters = v;
    r->n_clusters = n;
    if (!n) {
        r->has_none_reason = true;
        r->none = MODEL_NONE_GATEWAY_NO_ROUTE;
    }
}

/* ---- HTTP and HTTPS ----------------------------------------------------------------- */

/* One rule of a virtual host, with the route hostname it came under. */
typedef struct vh_rule {
    const model_merged_rule *rule;
    const char *hostname;
    const model_tags *lt; /* the listener's tags (the clusters' identifying tags) */
} vh_rule;

/* The merged rules of the listener hostname with tags `lt`, one group per route hostname
 * (hostnames are merged per value: a `to` item with two hostnames counts in both groups,
 * one without in `*`), appended to `out` in first-seen group order; `conf` gets the
 * policies' parts, for the virtual hosts this listener hostname makes.  False when no
 * policy attaches. */
static bool hostname_rules(resolver *R, const model_tags *lt, model_conf *conf, vh_rule **out,
                           size_t *n, size_t *cap)
{
    model_conf c = listener_conf(R, MODEL_RES_MESH_HTTP_ROUTE, lt);
    *conf = c;
    if (!c.n_parts)
        return false;
    /* The groups: every distinct hostname of the parts, in first-seen order. */
    size_t n_names = 1;
    for (size_t i = 0; i < c.n_parts; i++) {
        const model_node *hs = model_node_get(c.parts[i].policy->to[c.parts[i].to].conf, "hostnames");
        n_names += hs && hs->kind == MODEL_NODE_SEQ ? hs->n : 1;
    }
    const char **groups = model_arena_alloc(R->a, n_names * sizeof *groups);
    size_t n_groups = 0;
    for (size_t i = 0; i < c.n_parts; i++) {
        const model_node *hs = model_node_get(c.parts[i].policy->to[c.parts[i].to].conf, "hostnames");
        size_t nh = hs && hs->kind == MODEL_NODE_SEQ ? hs->n : 0;
        for (size_t k = 0; k <= nh; k++) {
            if (k == nh && nh)
                break;
            const char *h = nh ? hs->items[k]->text : "";
            bool seen = false;
            for (size_t g = 0; g < n_groups && !seen; g++)
                seen = !strcmp(groups[g], h);
            if (!seen)
                groups[n_groups++] = h;
        }
    }
    for (size_t g = 0; g < n_groups; g++) {
        model_conf part = {.type = c.type};
        size_t pcap = 0;
        for (size_t i = 0; i < c.n_parts; i++) {
            const model_node *hs = model_node_get(c.parts[i].policy->to[c.parts[i].to].conf, "hostnames");
            size_t nh = hs && hs->kind == MODEL_NODE_SEQ ? hs->n : 0;
            bool in = !nh && !*groups[g];
            for (size_t k = 0; k < nh && !in; k++)
                in = !strcmp(hs->items[k]->text, groups[g]);
            if (in)
                *MODEL_ARENA_PUSH(R->a, part.parts, part.n_parts, pcap) = c.parts[i];
        }
        size_t nr;
        model_merged_rule *rules = model__http_merge_rules(R, &part, &nr);
        for (size_t k = 0; k < nr; k++)
            *MODEL_ARENA_PUSH(R->a, *out, *n, *cap) =
                (vh_rule){&rules[k], *groups[g] ? groups[g] : "*", lt};
    }
    return true;
}

/* A route entry being built: its Envoy path, and the rule and match it came from. */
typedef struct entry {
    model_path_match type; /* EXACT, RAW_PREFIX ("/x/"), REGEX */
    const char *path;
    const model_node *match;
    const vh_rule *from;
    bool twin;
} entry;

/* numHeaderMatches: every header condition but Prefix ones. */
static size_t counted_headers(const model_node *m)
{
    const model_node *h = model_node_get(m, "headers");
    size_t n = 0;
    for (size_t i = 0; h && h->kind == MODEL_NODE_SEQ && i < h->n; i++) {
        const model_node *t = model_node_get(h->items[i], "type");
        n += !t || strcmp(t->text, "Prefix");
    }
    return n;
}

static size_t counted_query(const model_node *m)
{
    const model_node *q = model_node_get(m, "queryParams");
    return q && q->kind == MODEL_NODE_SEQ ? q->n : 0;
}

/* route.Sorter's isMoreSpecific: negative when `a` goes first. */
static int entry_cmp(const entry *a, const entry *b)
{
    static const model_path_match order[] = {MODEL_PATH_EXACT, MODEL_PATH_RAW_PREFIX,
                                             MODEL_PATH_REGEX};
    for (int k = 0; k < 3; k++) {
        bool ha = a->type == order[k], hb = b->type == order[k];
        if (ha != hb)
            return ha ? -1 : 1;
        if (!ha)
            continue;
        size_t la = strlen(a->path), lb = strlen(b->path);
        if (la != lb)
            return la > lb ? -1 : 1;
        if (order[k] == MODEL_PATH_REGEX)
            return 0; /* equal regex lengths: the sorter stops here */
        break;
    }
    bool ma = model_node_get(a->match, "method") != NULL,
         mb = model_node_get(b->match, "method") != NULL;
    if (ma != mb)
        return ma ? -1 : 1;
    size_t ha = counted_headers(a->match), hb = counted_headers(b->match);
    if (ha != hb)
        return ha > hb ? -1 : 1;
    size_t qa = counted_query(a->match), qb = counted_query(b->match);
    if (qa != qb)
        return qa > qb ? -1 : 1;
    return strcmp(a->path, b->path);
}

/* A stable merge sort (Go's sort.Sort is stable for the short lists of a virtual host,
 * and its ties come from the same rule's matches). */
static void sort_entries(entry *v, size_t n)
{
    entry *tmp = model_xmalloc((n ? n : 1) * sizeof *tmp);
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = entry_cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
            while (i < mid)
                tmp[k++] = v[i++];
            while (j < hi)
                tmp[k++] = v[j++];
        }
        memcpy(v, tmp, n * sizeof *v);
    }
    free(tmp);
}

static int by_route_hostname(const void *x, const void *y)
{
    const vh_rule *a = x, *b = y;
    int c = exactness_cmp(a->hostname, b->hostname);
    return c ? c : (a < b ? -1 : a > b); /* stable */
}

/* RouteActionForward: one destination per cluster name (the last written wins), listed
 * by name; a lone destination of weight 0 counts 1.  No backend protocol is checked. */
static void forward_clusters(resolver *R, model_http_route *h, const vh_rule *vr)
{
    const model_node *refs = model_node_get(vr->rule->conf, "backendRefs");
    size_t n = refs && refs->kind == MODEL_NODE_SEQ ? refs->n : 0;
    model_cluster *v = model_arena_alloc(R->a, (n ? n : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        model_backend_ref b;
        model__backend_ref_read(R->a, refs->items[i], &b);
        model_cluster cl;
        gateway_cluster(R, &cl, &b, vr->lt, b.has_weight ? (uint32_t)b.weight : 1);
        size_t j = 0;
        while (j < k && strcmp(v[j].name, cl.name))
            j++;
        v[j] = cl;
        k += j == k;
    }
    if (k == 1 && v[0].weight == 0)
        v[0].weight = 1;
    qsort(v, k, sizeof *v, by_cluster_name);
    h->clusters = v;
    h->n_clusters = k;
}

/* Whether a rule conf (`default`) rewrites the matched prefix: a URLRewrite or a
 * RequestRedirect filter whose path is ReplacePrefixMatch. */
static bool rewrites_prefix(const model_node *conf)
{
    const model_node *fs = model_node_get(conf, "filters");
    for (size_t i = 0; fs && fs->kind == MODEL_NODE_SEQ && i < fs->n; i++) {
        const model_node *t = model_node_get(fs->items[i], "type");
        const char *key = !t ? NULL
                          : !strcmp(t->text, "URLRewrite")      ? "urlRewrite"
                          : !strcmp(t->text, "RequestRedirect") ? "requestRedirect"
                                                                : NULL;
        const model_node *f = key ? model_node_get(fs->items[i], key) : NULL;
        const model_node *path = f ? model_node_get(f, "path") : NULL;
        const model_node *pt = path ? model_node_get(path, "type") : NULL;
        if (pt && !strcmp(pt->text, "ReplacePrefixMatch"))
            return true;
    }
    return false;
}

/* Whether a `PathPrefix /` of rule conf `conf` gets an exact `/` route beside it, by
 * version (model_kuma_gateway_root_twin_always). */
static bool root_twin(const resolver *R, const model_node *conf)
{
    int minor = R->s->kuma_minor;
    return model_kuma_gateway_root_twin_always(minor) ||
           (model_kuma_gateway_root_twin_on_rewrite(minor) && rewrites_prefix(conf));
}

/* The entries of one virtual host, sorted (§6): one per match of each rule, in route
 * hostname order; a PathPrefix /x becomes prefix /x/ and, unless the host has an Exact
 * /x of its own, exact /x.  `PathPrefix /` is the prefix `/`, and an exact `/` beside it
 * only where root_twin says (Kuma never finds a written `Exact /` for it). */
static void vh_routes(resolver *R, const vh_rule *rules, size_t n)
{
    model_resolution *r = R->r;
    size_t cap = 0, ne = 0;
    for (size_t i = 0; i < n; i++) {
        const model_node *m = rules[i].rule->matches;
        cap += m && m->kind == MODEL_NODE_SEQ ? 2 * m->n : 0;
    }
    entry *e = model_arena_alloc(R->a, (cap ? cap : 1) * sizeof *e);
    /* Exact paths the host's rules write themselves. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            const model_node *ms = rules[i].rule->matches;
            for (size_t k = 0; ms && ms->kind == MODEL_NODE_SEQ && k < ms->n; k++) {
                const model_node *m = ms->items[k];
                const model_node *path = model_node_get(m, "path");
                const char *type = path ? model_node_get(path, "type")->text : "PathPrefix";
                const char *value = path ? model_node_get(path, "value")->text : "/";
                bool prefix = !strcmp(type, "PathPrefix");
                if (pass == 0) {
                    if (!prefix)
                        e[ne++] = (entry){strcmp(type, "Exact") ? MODEL_PATH_REGEX
                                                                : MODEL_PATH_EXACT,
                                          value, m, &rules[i], false};
                    continue;
                }
                if (!prefix)
                    continue;
                size_t len = strlen(value);
                while (len && value[len - 1] == '/')
                    len--;
                const char *exact = model_arena_strndup(R->a, value, len);
                e[ne++] = (entry){MODEL_PATH_RAW_PREFIX,
                                  model_arena_printf(R->a, "%s/", exact), m, &rules[i], false};
                if (!*exact) {
                    /* Kuma looks for a written Exact "" (never there) beside prefix `/`. */
                    if (root_twin(R, rules[i].rule->conf))
                        e[ne++] = (entry){MODEL_PATH_EXACT, "/", m, &rules[i], true};
                    continue;
                }
                bool has = false;
                for (size_t j = 0; j < ne && !has; j++)
                    has = e[j].type == MODEL_PATH_EXACT && !e[j].twin && !strcmp(e[j].path, exact);
                if (!has)
                    e[ne++] = (entry){MODEL_PATH_EXACT, exact, m, &rules[i], true};
            }
        }
    sort_entries(e, ne);
    /* dedupRouteEntries: the same match of the same rule conf, once. */
    r->routes = model_arena_alloc(R->a, (ne ? ne : 1) * sizeof *r->routes);
    size_t shown = 0;
    for (size_t i = 0; i < ne; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = e[j].type == e[i].type && !strcmp(e[j].path, e[i].path) &&
                  model_node_equal(e[j].match, e[i].match) &&
                  model_node_equal(e[j].from->rule->conf, e[i].from->rule->conf) &&
                  model_tags_equal(e[j].from->lt, e[i].from->lt);
        if (dup)
            continue;
        model_http_route *h = &r->routes[r->n_routes++];
        memset(h, 0, sizeof *h);
        model__http_fill_match(R, h, e[i].match);
        h->path_type = e[i].type;
        h->path = e[i].path;
        h->merge_slashes = true;
        h->policy = e[i].from->rule->policy;
        h->twin = false;
        for (size_t j = 0; j + 1 < r->n_routes; j++) /* the second Envoy route of a match */
            h->twin |= r->routes[j].match == h->match && r->routes[j].policy == h->policy;
        const model_node *conf = e[i].from->rule->conf;
        model__http_route_filters(R, h, model_node_get(conf, "filters"));
        for (size_t m = 0; m < h->n_mirrors; m++) {
            model_tags dest = h->mirrors[m].cluster.tags;
            model_tags_set(R->a, &dest, MODEL_TAG_SERVICE, h->mirrors[m].cluster.service);
            h->mirrors[m].cluster.name =
                model_tags_gateway_cluster_name(R->a, &dest, e[i].from->lt);
        }
        forward_clusters(R, h, e[i].from);
        /* A redirect with backendRefs forwards: Kuma configures the redirect, then the
         * forward action replaces it. */
        if (h->redirect && h->n_clusters)
            h->redirect = false;
        if (!h->twin) /* a match is explained once, as reports show it */
            model__step(R, (model_step){.kind = MODEL_STEP_HTTP_ROUTE,
                                        .policy = h->policy,
                                        .match = h->match,
                                        .index = shown++,
                                        .redirect = h->redirect});
    }
}

static int by_name_nocase(const void *x, const void *y)
{
    return strcasecmp(*(const char *const *)x, *(const char *const *)y);
}

static int by_exactness(const void *x, const void *y)
{
    return exactness_cmp((*(const model_gateway_listener *const *)x)->hostname,
                         (*(const model_gateway_listener *const *)y)->hostname);
}

/* A listener hostname and its place in exactness order. */
typedef struct named {
    const char *name;
    size_t pos;
} named;

static int by_name_cmp(const void *x, const void *y)
{
    return strcmp(((const named *)x)->name, ((const named *)y)->name);
}

/* Whether a listener hostname marked `observed` (by its place in exactness order) covers
 * `h`.  The names that cover h are `*` and, for each label-boundary suffix S of what
 * follows h's first label, `*.S` and h's first label then `.S` (covers; a one-label h
 * only `*` and itself), so each is looked up in `by_name` (n names, sorted by name)
 * rather than h compared with every listener hostname. */
static bool covered_by_observed(resolver *R, const named *by_name, size_t n,
                                const bool *observed, const char *h)
{
    size_t len = strlen(h);
    char *c = model_arena_alloc(R->a, len + 3);
    const char *dot = strchr(h, '.');
    size_t first = dot ? (size_t)(dot - h) : len;
    for (const char *rest = dot ? dot + 1 : NULL, *tail = rest;; ) {
        for (int form = 0; form < 3; form++) {
            if (form == 0) {
                if (tail != rest)
                    continue; /* `*` once */
                strcpy(c, "*");
            } else if (!rest) {
                if (form == 2)
                    continue;
                memcpy(c, h, len + 1); /* a one-label h: itself */
            } else if (form == 1) {
                snprintf(c, len + 3, "*.%s", tail);
            } else {
                snprintf(c, len + 3, "%.*s.%s", (int)first, h, tail);
            }
            named key = {c, 0};
            const named *hit = bsearch(&key, by_name, n, sizeof *by_name, by_name_cmp);
            if (hit && observed[hit->pos])
                return true;
        }
        const char *d = tail ? strchr(tail, '.') : NULL;
        if (!d)
            return false;
        tail = d + 1;
    }
}

/* sortRulesToHosts for the listener hostnames `ls` (HTTP: all of the port; HTTPS: the one
 * SNI chose), then the virtual host `host` reaches. */
static void http_listener(resolver *R, const model_gateway_listener **ls, size_t n_ls)
{
    model_resolution *r = R->r;
    /* Listener hostnames by exactness. */
    const model_gateway_listener **sorted = model_arena_alloc(R->a, n_ls * sizeof *sorted);
    memcpy(sorted, ls, n_ls * sizeof *sorted);
    qsort(sorted, n_ls, sizeof *sorted, by_exactness); /* hostnames of a port are distinct */
    /* The same by name, for the names a more exact listener hostname took (observed). */
    named *by_name = model_arena_alloc(R->a, n_ls * sizeof *by_name);
    bool *observed = model_arena_alloc(R->a, n_ls * sizeof *observed);
    for (size_t i = 0; i < n_ls; i++) {
        by_name[i] = (named){sorted[i]->hostname, i};
        observed[i] = false;
    }
    qsort(by_name, n_ls, sizeof *by_name, by_name_cmp);
    /* The virtual hosts: their names and rules. */
    typedef struct vhost {
        vh_rule *rules;
        size_t n;
        const model_conf *conf; /* the policies of the listener hostname that made it */
    } vhost;
    model_conf *confs = model_arena_alloc(R->a, n_ls * sizeof *confs);
    size_t n_confs = 0;
    const char **vh_names = NULL;
    vhost *vhs = NULL;
    size_t n_vh = 0, cap_vh = 0, n_vhs = 0, cap_vhs = 0;
    bool isolate = model_kuma_isolates_gateway_listeners(R->s->kuma_minor);
    for (size_t li = 0; li < n_ls; li++) {
        const model_gateway_listener *l = sorted[li];
        model_tags *lt = model_arena_alloc(R->a, sizeof *lt);
        *lt = listener_tags(R, l);
        vh_rule *all = NULL;
        size_t n_all = 0, cap_all = 0;
        const model_conf *conf = &confs[n_confs];
        if (!hostname_rules(R, lt, &confs[n_confs], &all, &n_all, &cap_all))
            continue; /* no rules: not observed, its hosts may go to a broader listener */
        n_confs++;
        const char **matches = model_arena_alloc(R->a, (n_all ? n_all : 1) * sizeof *matches);
        size_t n_matches = 0;
        for (size_t k = 0; k < n_all; k++) {
            const char *rh = all[k].hostname;
            if (!overlap(l->hostname, rh))
                continue;
            const char *H = covers(rh, l->hostname) ? l->hostname : rh;
            bool seen = false;
            for (size_t j = 0; j < n_matches && !seen; j++)
                seen = !strcmp(matches[j], H);
            if (!seen)
                matches[n_matches++] = H;
        }
        for (size_t m = 0; m < n_matches; m++) {
            const char *H = matches[m];
            if (isolate && covered_by_observed(R, by_name, n_ls, observed, H))
                continue;
            vh_rule *v = model_arena_alloc(R->a, (n_all ? n_all : 1) * sizeof *v);
            size_t nv = 0;
            for (size_t k = 0; k < n_all; k++) {
                const char *rh = all[k].hostname;
                bool own_vh = false;
                for (size_t j = 0; j < n_matches && !own_vh; j++)
                    own_vh = !strcmp(matches[j], rh);
                if (overlap(H, rh) && !(own_vh && !covers(rh, H)))
                    v[nv++] = all[k];
            }
            qsort(v, nv, sizeof *v, by_route_hostname);
            *MODEL_ARENA_PUSH(R->a, vh_names, n_vh, cap_vh) = H;
            *MODEL_ARENA_PUSH(R->a, vhs, n_vhs, cap_vhs) = (vhost){v, nv, conf};
        }
        observed[li] = true;
    }
    const char **dup_check = isolate ? NULL : model_arena_alloc(R->a, (n_vh + 1) * sizeof *dup_check);
    if (dup_check && n_vh) {
        memcpy(dup_check, vh_names, n_vh * sizeof *dup_check);
        qsort(dup_check, n_vh, sizeof *dup_check, by_name_nocase);
    }
    for (size_t i = 1; dup_check && i < n_vh; i++)
        if (!strcasecmp(dup_check[i], dup_check[i - 1])) {
                /* Envoy refuses the route table; the listener answers 404 once it stops
                 * waiting for one (§6.4, §9). */
                r->route = MODEL_ROUTE_NONE;
                r->has_none_reason = true;
                r->none = MODEL_NONE_GATEWAY_DUPLICATE_VHOST;
                r->none_detail = dup_check[i];
                r->http_404 = true;
                for (size_t c = 0; c < n_confs; c++)
                    model__conf_adopt(R, &confs[c]);
                return;
        }
    const char *host = host_without_port(R, R->q->host);
    int k = host_choose(vh_names, n_vh, host);
    /* The policies: those of the listener hostname whose virtual host the host reaches
     * (Kuma builds each from one ByListenerAndHostname entry); without one, those of every
     * listener hostname of the route table. */
    if (k >= 0)
        model__conf_adopt(R, vhs[k].conf);
    for (size_t i = 0; k < 0 && i < n_confs; i++)
        model__conf_adopt(R, &confs[i]);
    model__step(R, (model_step){.kind = MODEL_STEP_GATEWAY_HOST, .service = R->q->host,
                                .host = host != R->q->host ? host : NULL,
                                .cluster = k >= 0 ? vh_names[k] : NULL, .dropped = k < 0,
                                .count = n_vh, .rules_empty = true});
    r->route = MODEL_ROUTE_MESH_HTTP_ROUTE;
    if (k >= 0)
        vh_routes(R, vhs[k].rules, vhs[k].n);
    if (!r->n_routes) {
        /* No virtual host, or none of its routes: Envoy answers 404 (no catch-all). */
        r->route = MODEL_ROUTE_NONE;
        r->has_none_reason = true;
        r->none = MODEL_NONE_GATEWAY_NO_ROUTE;
        r->http_404 = true;
    }
}

static int by_port(const void *x, const void *y)
{
    uint32_t a = (*(const model_gateway_listener *const *)x)->port;
    uint32_t b = (*(const model_gateway_listener *const *)y)->port;
    return a < b ? -1 : a > b;
}

/* Kuma before 2.9 (model_kuma_isolates_gateway_listeners): the HTTP port of the query's
 * MeshGateway that no MeshHTTPRoute attaches to while one attaches to some listener
 * of the gateway (whatever its protocol), which fails the gateway's whole configuration
 * (HTTPFilterChainGenerator: "expected exactly one ListenerHostname with HTTP listener");
 * the lowest such port; 0 when there is none, or from 2.9. */
static uint32_t config_failing_port(resolver *R)
{
    if (model_kuma_isolates_gateway_listeners(R->s->kuma_minor))
        return 0;
    const model_mesh_gateway *g = R->q->gateway->gateway;
    if (!gateway_has_rules(R, MODEL_RES_MESH_HTTP_ROUTE))
        return 0; /* the legacy generator gives every HTTP listener its 404 table */
    /* The HTTP listeners by port; the first port none of whose listeners has rules, in
     * port order. */
    const model_gateway_listener **v = model_arena_alloc(R->a, (g->n_listeners + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < g->n_listeners; i++)
        if (g->listeners[i].protocol == MODEL_LISTENER_HTTP)
            v[n++] = &g->listeners[i]; /* HTTPS makes a chain per routed hostname, no count */
    qsort(v, n, sizeof *v, by_port);
    for (size_t a = 0, b; a < n; a = b) {
        bool routed = false;
        for (b = a; b < n && v[b]->port == v[a]->port; b++)
            routed = routed || listener_has_rules(R, MODEL_RES_MESH_HTTP_ROUTE, v[b]);
        if (!routed)
            return v[a]->port;
    }
    return 0;
}

void model__gateway_resolve(resolver *R)
{
    model_resolution *r = R->r;
    if (!model_kuma_routes_builtin_gateways(R->s->kuma_minor)) {
        model__unsimulated(R, MODEL_UNSIM_GATEWAY_ROUTE);
        return;
    }
    const model_mesh_gateway *g = R->q->gateway->gateway;
    const model_gateway_listener **ls = model_arena_alloc(R->a, (g->n_listeners + 1) * sizeof *ls);
    size_t n = 0;
    for (size_t i = 0; i < g->n_listeners; i++)
        if (g->listeners[i].port == R->q->port)
            ls[n++] = &g->listeners[i];
    if (!n) {
        r->route = MODEL_ROUTE_NONE;
        r->has_none_reason = true;
        r->none = MODEL_NONE_GATEWAY_NO_LISTENER;
        return;
    }
    model_listener_protocol proto = ls[0]->protocol;
    r->listener_protocol = model_listener_protocol_name(proto);
    r->host = R->q->host;
    r->protocol = proto == MODEL_LISTENER_TCP ? MODEL_PROTO_TCP
                  : proto == MODEL_LISTENER_TLS ? MODEL_PROTO_TLS
                                                : MODEL_PROTO_HTTP;
    model__step(R, (model_step){.kind = MODEL_STEP_GATEWAY_LISTENER,
                                .policy = R->q->gateway,
                                .count = n,
                                .index = R->q->port,
                                .service = r->listener_protocol});
    uint32_t failing = config_failing_port(R);
    if (failing) {
        r->route = MODEL_ROUTE_NONE;
        r->has_none_reason = true;
        r->none = MODEL_NONE_GATEWAY_CONFIG_FAILS;
        r->none_detail = model_arena_printf(R->a, "%u", (unsigned)failing);
        return;
    }
    if (proto == MODEL_LISTENER_TCP || proto == MODEL_LISTENER_TLS) {
        tcp_listener(R, ls, n);
        return;
    }
    if (proto == MODEL_LISTENER_HTTPS) {
        /* One filter chain (and route table) per listener hostname with routes, by SNI. */
        const model_gateway_listener *l = sni_choose(R, MODEL_RES_MESH_HTTP_ROUTE, ls, n);
        if (l)
            http_listener(R, &l, 1);
        return;
    }
    http_listener(R, ls, n);
}
