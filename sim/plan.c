/*
 * plan.c - every flow resolved and checked before a run; see plan.h.
 *
 * Sources are grouped through an open-addressing table keyed by
 * model_dataplane_routes_hash; equal hashes are confirmed with
 * model_dataplane_routes_alike, so a collision can only cost a comparison, never merge two
 * sources that Kuma would route differently.
 */
#include "sim/plan.h"
#include "sim/explain.h"
#include "model/arena.h"
#include "model/mesh.h"
#include "model/node.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int sim_flow_plan_outcome(const sim_flow_plan *f, const char *name)
{
    for (size_t i = 0; i < f->n_outcomes; i++)
        if (!strcmp(f->outcomes[i].name, name))
            return (int)i;
    return -1;
}

/* The index of outcome `name` (room for `cap`), added if new. */
static uint32_t outcome_index(sim_flow_plan *f, size_t cap, const char *name, bool failed)
{
    int i = sim_flow_plan_outcome(f, name);
    if (i >= 0)
        return (uint32_t)i;
    if (f->n_outcomes >= cap)
        abort(); /* cap counts every cluster of every routing, plus one */
    f->outcomes[f->n_outcomes] = (sim_outcome){name, failed, false, 0, 0.0};
    return (uint32_t)f->n_outcomes++;
}

static bool same_clusters(const model_cluster *cx, size_t nx, const model_cluster *cy, size_t ny)
{
    if (nx != ny)
        return false;
    for (size_t i = 0; i < nx; i++)
        if (strcmp(cx[i].name, cy[i].name) || cx[i].weight != cy[i].weight ||
            cx[i].endpoints != cy[i].endpoints)
            return false;
    return true;
}

/* True if the two resolutions send traffic the same way (for "the sources differ"). */
static bool same_routing(const model_resolution *x, const model_resolution *y)
{
    if (x->route != y->route || x->n_routes != y->n_routes ||
        !same_clusters(x->clusters, x->n_clusters, y->clusters, y->n_clusters))
        return false;
    for (size_t i = 0; i < x->n_routes; i++) {
        const model_http_route *a = &x->routes[i], *b = &y->routes[i];
        if (!model_node_equal(a->match, b->match) || a->redirect != b->redirect ||
            !same_clusters(a->clusters, a->n_clusters, b->clusters, b->n_clusters))
            return false;
    }
    return true;
}

static void fail_at(model_errors *errs, model_mark m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(model_errors *errs, model_mark m, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    model_fail(errs, m, "%s", buf);
}

/* Groups the sources of `f` by kind and resolves one of each.  Returns -1 after recording
 * the problem when a source needs routing splitsim does not simulate. */
static int group_sources(model_arena *a, const model_scenario *s, sim_flow_plan *fp,
                         model_errors *errs)
{
    const model_flow *f = fp->flow;
    size_t ns = f->n_sources;
    size_t slots = 16;
    while (slots < 2 * ns)
        slots *= 2;
    /* slot -> routing index + 1 (0: empty); rep[d]: the first source of routing d. */
    uint32_t *table = model_xcalloc(slots, sizeof *table);
    model_world world = model_scenario_world(s);
    uint64_t *hash_of = model_xmalloc((ns ? ns : 1) * sizeof *hash_of);
    size_t *rep = model_xmalloc((ns ? ns : 1) * sizeof *rep);
    fp->routings = model_arena_alloc(a, (ns ? ns : 1) * sizeof *fp->routings);
    fp->routing_of = model_arena_alloc(a, (ns ? ns : 1) * sizeof *fp->routing_of);
    fp->resolutions = model_arena_alloc(a, (ns ? ns : 1) * sizeof *fp->resolutions);
    int rc = 0;
    for (size_t i = 0; i < ns && rc == 0; i++) {
        const model_dataplane *dp = f->sources[i];
        uint64_t h = model_dataplane_routes_hash(dp);
        size_t slot = (size_t)h & (slots - 1);
        uint32_t d = UINT32_MAX;
        for (; table[slot]; slot = (slot + 1) & (slots - 1)) {
            uint32_t k = table[slot] - 1;
            if (hash_of[k] == h && model_dataplane_routes_alike(f->sources[rep[k]], dp)) {
                d = k;
                break;
            }
        }
        if (d == UINT32_MAX) {
            model_query q = model_flow_query(f, dp);
            const model_resolution *r = model_resolve(a, s, &world, &q, 0);
            if (r->unsupported) {
                fail_at(errs, f->mark, "flow '%s' (%s -> %s) needs %s: %s", f->name, dp->name,
                        f->to, r->unsupported, MODEL_UNSIMULATED_SENTENCE);
                rc = -1;
                break;
            }
            d = (uint32_t)fp->n_routings++;
            table[slot] = d + 1;
            hash_of[d] = h;
            rep[d] = i;
            fp->routings[d] = (sim_routing){.resolution = r};
        }
        fp->routings[d].n_sources++;
        fp->routing_of[i] = d;
        fp->resolutions[i] = fp->routings[d].resolution;
        const model_resolution *first = fp->resolutions[0], *r = fp->resolutions[i];
        fp->sources_differ |= !same_routing(first, r);
        fp->routes_differ |= r->route != first->route;
    }
    free(table);
    free(hash_of);
    free(rep);
    return rc;
}

/* The outcome of a cluster (its backend, or <no-endpoints>), noting a backend without
 * endpoints by name. */
static uint32_t cluster_outcome(sim_flow_plan *fp, size_t cap, const model_cluster *c)
{
    bool empty = c->endpoints == 0;
    bool known = false;
    for (size_t j = 0; empty && j < fp->n_dead && !known; j++)
        known = !strcmp(fp->dead[j].cluster, c->name);
    if (empty && !known)
        fp->dead[fp->n_dead++] = (sim_dead_backend){c->backend, c->name};
    return outcome_index(fp, cap, empty ? SIM_OUTCOME_NO_ENDPOINTS : c->backend, empty);
}

/* The flow's route slots by the hash of their match, while its routings are planned:
 * slot index + 1, 0 empty. */
typedef struct slot_table {
    uint32_t *v;
    size_t cap; /* a power of two, at least twice the routes */
} slot_table;

/* The flow's slot for route `h`, added if new: routes with the same match (Kuma's
 * catch-all and a written `PathPrefix /` alike) are one slot. */
static uint32_t slot_index(sim_flow_plan *fp, slot_table *t, const model_http_route *h)
{
    size_t at = (size_t)model_http_match_hash(h->match) & (t->cap - 1);
    for (; t->v[at]; at = (at + 1) & (t->cap - 1))
        if (model_http_match_same(fp->slots[t->v[at] - 1].match, h->match))
            return t->v[at] - 1;
    fp->slots[fp->n_slots] = (sim_route_slot){.match = h->match, .any = h};
    t->v[at] = (uint32_t)fp->n_slots + 1;
    return (uint32_t)fp->n_slots++;
}

static uint32_t mirror_index(sim_flow_plan *fp, const char *backend)
{
    for (size_t i = 0; i < fp->n_mirrors; i++)
        if (!strcmp(fp->mirrors[i], backend))
            return (uint32_t)i;
    fp->mirrors[fp->n_mirrors] = backend;
    return (uint32_t)fp->n_mirrors++;
}

/* The flow's requests as routes see them; one GET / when it writes none. */
static void plan_requests(model_arena *a, sim_flow_plan *fp)
{
    const model_flow *f = fp->flow;
    static const model_request get_root = {NULL, NULL, {0}, 1, {0}};
    size_t n = f->n_requests ? f->n_requests : 1;
    fp->requests = model_arena_alloc(a, n * sizeof *fp->requests);
    fp->request_weights = model_arena_alloc(a, n * sizeof *fp->request_weights);
    for (size_t i = 0; i < n; i++) {
        const model_request *q = f->n_requests ? &f->requests[i] : &get_root;
        fp->requests[i] = model_http_request_make(a, q);
        fp->request_weights[i] = q->weight;
    }
    fp->n_requests = n;
}

/* Envoy refuses weighted clusters whose weights add up to more than 32 bits hold. */
static int check_total(const sim_flow_plan *fp, const model_resolution *r, uint64_t total,
                       model_errors *errs)
{
    if (total <= UINT32_MAX)
        return 0;
    fail_at(errs, fp->flow->mark,
            "flow '%s': the weights from %s add up to %llu, more than the 4294967295 Envoy "
            "accepts",
            fp->flow->name, r->from->name, (unsigned long long)total);
    return -1;
}

/* An HTTP routing: its routes' clusters and outcomes, and the route each request takes. */
static int http_routing(model_arena *a, sim_flow_plan *fp, sim_routing *rt, size_t cap,
                        slot_table *slots, model_errors *errs)
{
    const model_resolution *r = rt->resolution;
    rt->http = true;
    fp->per_request = true;
    rt->n_routes = r->n_routes;
    rt->routes = model_arena_alloc(a, (r->n_routes ? r->n_routes : 1) * sizeof *rt->routes);
    bool redirects = false;
    for (size_t i = 0; i < r->n_routes; i++) {
        const model_http_route *h = &r->routes[i];
        sim_http_route *sr = &rt->routes[i];
        sr->route = h;
        sr->n_clusters = h->n_clusters;
        sr->weights = model_arena_alloc(a, (h->n_clusters ? h->n_clusters : 1) * sizeof(uint32_t));
        sr->outcome_of = model_arena_alloc(a, (h->n_clusters ? h->n_clusters : 1) * sizeof(uint32_t));
        uint64_t total = 0;
        for (size_t k = 0; k < h->n_clusters; k++) {
            sr->weights[k] = h->clusters[k].weight;
            sr->outcome_of[k] = cluster_outcome(fp, cap, &h->clusters[k]);
            total += h->clusters[k].weight;
        }
        if (check_total(fp, r, total, errs) < 0)
            return -1;
        sr->slot = slot_index(fp, slots, h);
        sr->mirror_of = model_arena_alloc(a, (h->n_mirrors ? h->n_mirrors : 1) * sizeof(uint32_t));
        for (size_t m = 0; m < h->n_mirrors; m++)
            sr->mirror_of[m] = mirror_index(fp, h->mirrors[m].cluster.backend);
        redirects |= h->redirect;
    }
    rt->route_of_request = model_arena_alloc(a, fp->n_requests * sizeof(uint32_t));
    bool unmatched = false;
    for (size_t t = 0; t < fp->n_requests; t++) {
        rt->route_of_request[t] = (uint32_t)model_http_route_choose(r, &fp->requests[t]);
        unmatched |= rt->route_of_request[t] == r->n_routes;
    }
    if (unmatched)
        rt->not_found = outcome_index(fp, cap, SIM_OUTCOME_NOT_FOUND, true);
    if (redirects)
        rt->redirected = outcome_index(fp, cap, SIM_OUTCOME_REDIRECT, false);
    return 0;
}

/* The TCP split of a routing (or an empty one: every connection closed). */
static int tcp_routing(model_arena *a, sim_flow_plan *fp, sim_routing *rt, size_t cap,
                       model_errors *errs)
{
    const model_resolution *r = rt->resolution;
    size_t n = r->n_clusters;
    rt->clusters = r->clusters;
    rt->n_clusters = n;
    rt->outcome_of = model_arena_alloc(a, (n ? n : 1) * sizeof *rt->outcome_of);
    rt->weights = model_arena_alloc(a, (n ? n : 1) * sizeof *rt->weights);
    uint64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        rt->outcome_of[k] = cluster_outcome(fp, cap, &r->clusters[k]);
        rt->weights[k] = r->clusters[k].weight;
        total += r->clusters[k].weight;
    }
    if (check_total(fp, r, total, errs) < 0)
        return -1;
    if (n == 0 || total == 0) {
        /* An empty split, or no listener: every connection is closed (docs/routing.md §3.3). */
        rt->closed = outcome_index(fp, cap, SIM_OUTCOME_CLOSED, true);
        rt->empty = true;
    }
    return 0;
}

/* Routing `rt`'s share of each outcome (`share`, n_outcomes long, zeroed by the caller)
 * and, for HTTP, of each slot's outcomes (`slot_share` n_slots x n_outcomes, and
 * `slot_req` n_slots: the share of requests that take the slot) and the mirrored copies
 * per request of each mirror target (`mirror`, n_mirrors). */
static void routing_shares(const sim_flow_plan *fp, const sim_routing *rt, double *share,
                           double *slot_share, double *slot_req, double *mirror)
{
    if (!rt->http) {
        if (rt->empty) {
            share[rt->closed] = 1;
            return;
        }
        uint64_t total = 0;
        for (size_t k = 0; k < rt->n_clusters; k++)
            total += rt->weights[k];
        for (size_t k = 0; k < rt->n_clusters; k++)
            share[rt->outcome_of[k]] += (double)rt->weights[k] / (double)total;
        return;
    }
    uint64_t all = 0;
    for (size_t t = 0; t < fp->n_requests; t++)
        all += fp->request_weights[t];
    for (size_t t = 0; t < fp->n_requests; t++) {
        double wt = (double)fp->request_weights[t] / (double)all;
        uint32_t ri = rt->route_of_request[t];
        if (ri == rt->n_routes) {
            share[rt->not_found] += wt;
            continue;
        }
        const sim_http_route *sr = &rt->routes[ri];
        double *ss = slot_share + (size_t)sr->slot * fp->n_outcomes;
        slot_req[sr->slot] += wt;
        for (size_t m = 0; m < sr->route->n_mirrors; m++)
            mirror[sr->mirror_of[m]] += wt * sr->route->mirrors[m].per_million / 1e6;
        if (sr->route->redirect) {
            share[rt->redirected] += wt;
            ss[rt->redirected] += wt;
            continue;
        }
        uint64_t total = 0;
        for (size_t k = 0; k < sr->n_clusters; k++)
            total += sr->weights[k];
        for (size_t k = 0; k < sr->n_clusters; k++) {
            double x = wt * (double)sr->weights[k] / (double)total;
            share[sr->outcome_of[k]] += x;
            ss[sr->outcome_of[k]] += x;
        }
    }
}

/* Expected shares: each routing's, averaged over the sources (they take turns). */
static void expected_shares(model_arena *a, sim_flow_plan *fp)
{
    size_t no = fp->n_outcomes, ns = fp->n_slots, nm = fp->n_mirrors;
    size_t sn = (ns ? ns : 1) * no;
    double *share = model_xcalloc(no, sizeof *share);
    double *sum = model_xcalloc(no, sizeof *sum);
    double *slot_share = model_xcalloc(sn, sizeof *slot_share);
    double *slot_req = model_xcalloc(ns ? ns : 1, sizeof *slot_req);
    double *mirror = model_xcalloc(nm ? nm : 1, sizeof *mirror);
    double *slot_sum = model_xcalloc(sn, sizeof *slot_sum);
    double *slot_req_sum = model_xcalloc(ns ? ns : 1, sizeof *slot_req_sum);
    double *mirror_sum = model_xcalloc(nm ? nm : 1, sizeof *mirror_sum);
    for (size_t d = 0; d < fp->n_routings; d++) {
        memset(share, 0, no * sizeof *share);
        memset(slot_share, 0, sn * sizeof *slot_share);
        memset(slot_req, 0, (ns ? ns : 1) * sizeof *slot_req);
        memset(mirror, 0, (nm ? nm : 1) * sizeof *mirror);
        routing_shares(fp, &fp->routings[d], share, slot_share, slot_req, mirror);
        double n = (double)fp->routings[d].n_sources;
        for (size_t o = 0; o < no; o++)
            sum[o] += n * share[o];
        for (size_t k = 0; k < ns; k++) {
            slot_req_sum[k] += n * slot_req[k];
            for (size_t o = 0; o < no; o++)
                slot_sum[k * no + o] += n * slot_share[k * no + o];
        }
        for (size_t m = 0; m < nm; m++)
            mirror_sum[m] += n * mirror[m];
    }
    double sources = (double)fp->flow->n_sources;
    for (size_t o = 0; o < no; o++)
        fp->outcomes[o].expected = sum[o] / sources;
    for (size_t k = 0; k < ns; k++) {
        sim_route_slot *sl = &fp->slots[k];
        sl->share = slot_req_sum[k] / sources;
        sl->expected = model_arena_alloc(a, (no ? no : 1) * sizeof *sl->expected);
        for (size_t o = 0; o < no; o++)
            sl->expected[o] = slot_req_sum[k] > 0 ? slot_sum[k * no + o] / slot_req_sum[k] : 0;
    }
    fp->mirror_expected = model_arena_alloc(a, (nm ? nm : 1) * sizeof *fp->mirror_expected);
    for (size_t m = 0; m < nm; m++)
        fp->mirror_expected[m] = mirror_sum[m] / sources;
    free(share);
    free(sum);
    free(slot_share);
    free(slot_req);
    free(mirror);
    free(slot_sum);
    free(slot_req_sum);
    free(mirror_sum);
}

/* The weight shown for an outcome: when every source's split gives it the same, the
 * split being the TCP one, or the one route every request of an HTTP routing takes. */
static void outcome_weights(sim_flow_plan *fp)
{
    for (size_t o = 0; o < fp->n_outcomes; o++) {
        sim_outcome *out = &fp->outcomes[o];
        bool same = strcmp(out->name, SIM_OUTCOME_CLOSED) && (!fp->per_request || fp->n_slots == 1);
        uint64_t first = 0;
        for (size_t d = 0; d < fp->n_routings && same; d++) {
            const sim_routing *rt = &fp->routings[d];
            const uint32_t *outcome_of = rt->outcome_of, *weights = rt->weights;
            size_t n = rt->n_clusters;
            if (rt->http) {
                same = rt->n_routes == 1 && rt->route_of_request[0] == 0;
                for (size_t t = 1; t < fp->n_requests && same; t++)
                    same = rt->route_of_request[t] == 0;
                if (!same)
                    break;
                outcome_of = rt->routes[0].outcome_of;
                weights = rt->routes[0].weights;
                n = rt->routes[0].n_clusters;
            }
            uint64_t w = 0;
            for (size_t k = 0; k < n; k++)
                w += outcome_of[k] == o ? weights[k] : 0;
            if (d == 0)
                first = w;
            same = w == first;
        }
        out->has_weight = same && first <= UINT32_MAX;
        out->weight = (uint32_t)first;
    }
}

/* The weight shown for an outcome within a route slot: when every routing that has the
 * slot gives the outcome the same weight there (-1 otherwise, and for a redirect).  One
 * pass over the routes: -2 marks a slot no routing has shown yet. */
static void slot_weights(model_arena *a, sim_flow_plan *fp)
{
    size_t no = fp->n_outcomes;
    for (size_t k = 0; k < fp->n_slots; k++) {
        sim_route_slot *sl = &fp->slots[k];
        sl->weight = model_arena_alloc(a, (no ? no : 1) * sizeof *sl->weight);
        for (size_t o = 0; o < no; o++)
            sl->weight[o] = -2;
    }
    int64_t *w = model_xcalloc(no ? no : 1, sizeof *w);
    for (size_t d = 0; d < fp->n_routings; d++) {
        const sim_routing *rt = &fp->routings[d];
        for (size_t i = 0; i < rt->n_routes; i++) {
            const sim_http_route *sr = &rt->routes[i];
            int64_t *have = fp->slots[sr->slot].weight;
            memset(w, 0, (no ? no : 1) * sizeof *w);
            for (size_t c = 0; c < sr->n_clusters; c++)
                w[sr->outcome_of[c]] += sr->weights[c];
            for (size_t o = 0; o < no; o++) {
                int64_t x = sr->route->redirect ? -1 : w[o];
                have[o] = have[o] == -2 || have[o] == x ? x : -1;
            }
        }
    }
    free(w);
    for (size_t k = 0; k < fp->n_slots; k++)
        for (size_t o = 0; o < no; o++)
            if (fp->slots[k].weight[o] < 0)
                fp->slots[k].weight[o] = -1;
}

/* The outcomes of every routing, and each outcome's weight and expected share. */
static int build_outcomes(model_arena *a, sim_flow_plan *fp, model_errors *errs)
{
    size_t cap = 1, slots = 0, mirrors = 0;
    for (size_t d = 0; d < fp->n_routings; d++) {
        const model_resolution *r = fp->routings[d].resolution;
        cap += r->n_clusters + 3;
        for (size_t i = 0; i < r->n_routes; i++) {
            cap += r->routes[i].n_clusters;
            mirrors += r->routes[i].n_mirrors;
        }
        slots += r->n_routes;
    }
    fp->outcomes = model_arena_alloc(a, cap * sizeof *fp->outcomes);
    fp->dead = model_arena_alloc(a, cap * sizeof *fp->dead);
    fp->slots = model_arena_alloc(a, (slots ? slots : 1) * sizeof *fp->slots);
    fp->mirrors = model_arena_alloc(a, (mirrors ? mirrors : 1) * sizeof *fp->mirrors);
    plan_requests(a, fp);
    slot_table table = {NULL, 16};
    while (table.cap < 2 * slots)
        table.cap *= 2;
    table.v = model_xcalloc(table.cap, sizeof *table.v);
    int rc = 0;
    for (size_t d = 0; d < fp->n_routings && rc == 0; d++) {
        sim_routing *rt = &fp->routings[d];
        rc = rt->resolution->n_routes || rt->resolution->http_404 /* an HTTP listener */
                 ? http_routing(a, fp, rt, cap, &table, errs)
                 : tcp_routing(a, fp, rt, cap, errs);
    }
    free(table.v);
    if (rc < 0)
        return -1;

    expected_shares(a, fp);
    outcome_weights(fp);
    slot_weights(a, fp);
    return 0;
}

/* Names the flow's outcomes for a message: "a, b, <closed>" (arena-owned). */
static const char *outcome_list(model_arena *a, const sim_flow_plan *fp)
{
    const char *list = "";
    for (size_t o = 0; o < fp->n_outcomes; o++)
        list = model_arena_printf(a, "%s%s%s", list, o ? ", " : "", fp->outcomes[o].name);
    return list;
}

/* True for the outcome names that are not backends. */
static bool is_fixed_outcome(const char *name)
{
    static const char *const fixed[] = {SIM_OUTCOME_CLOSED, SIM_OUTCOME_NO_ENDPOINTS, "<404>",
                                        "<redirect>"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!strcmp(name, fixed[i]))
            return true;
    return false;
}

/* The routes of a flow for a message: "Exact /a; PathPrefix / (Kuma's catch-all)". */
static const char *slot_list(model_arena *a, const sim_flow_plan *fp)
{
    const char *list = "";
    for (size_t k = 0; k < fp->n_slots; k++) {
        char what[256];
        sim_explain_match(what, sizeof what, fp->slots[k].match);
        list = model_arena_printf(a, "%s%s%s", list, k ? "; " : "", what);
    }
    return list;
}

/* The route slot expectation `index` names with its route_match: exactly one must. */
static int expect_slot(model_arena *a, sim_plan *p, size_t index, model_errors *errs)
{
    const model_expect *e = &p->scenario->expects[index];
    const sim_flow_plan *fp = &p->flows[e->flow_index];
    model_mark at = e->route_match->mark;
    if (!fp->n_slots) {
        const model_resolution *r = fp->resolutions[0];
        fail_at(errs, at,
                "expect[%zu].route_match: flow '%s' has no HTTP routes (%s reaches %s through "
                "%s, as %s)",
                index, fp->flow->name, r->from->name, fp->flow->to, model_route_type_name(r->route),
                r->route == MODEL_ROUTE_NONE ? "no listener" : "TCP");
        return -1;
    }
    size_t found = 0, first = 0;
    for (size_t k = 0; k < fp->n_slots; k++)
        if (model_http_match_named(e->route_match, fp->slots[k].match) && found++ == 0)
            first = k;
    if (found == 1) {
        p->expect_slot[index] = (uint32_t)first;
        return 0;
    }
    if (found)
        fail_at(errs, at,
                "expect[%zu].route_match: names %zu routes of flow '%s'; give the path's type "
                "to tell them apart (its routes: %s)",
                index, found, fp->flow->name, slot_list(a, fp));
    else
        fail_at(errs, at,
                "expect[%zu].route_match: no route of flow '%s' has this match (its routes: %s)",
                index, fp->flow->name, slot_list(a, fp));
    return -1;
}

/* Every backend a split expectation names must be one the mesh has.  A name the flow does
 * not reach is a measurement (the expectation sees 0% of it, and likely fails), so it is
 * only warned about; a name that is no backend of the mesh at all, or one written with its
 * tags in another order than reports print them, is a mistake in the scenario, refused
 * with what the flow can reach. */
static void check_expect(model_arena *a, sim_plan *p, size_t index, model_errors *errs)
{
    const model_scenario *s = p->scenario;
    const model_expect *e = &s->expects[index];
    const sim_flow_plan *fp = &p->flows[e->flow_index];
    p->expect_slot[index] = SIM_NO_SLOT;
    if (e->route_match && expect_slot(a, p, index, errs) < 0)
        return;
    for (size_t i = 0; i < e->n_split; i++) {
        const char *name = e->split[i].backend;
        model_mark at = e->split[i].mark;
        if (sim_flow_plan_outcome(fp, name) >= 0)
            continue;
        const char *dead = NULL;
        for (size_t d = 0; d < fp->n_dead && !dead; d++)
            if (!strcmp(fp->dead[d].backend, name))
                dead = fp->dead[d].cluster;
        const char *service;
        model_tags tags;
        bool parsed = model_tags_parse_backend_name(a, name, &service, &tags) == 0;
        const char *canonical = parsed ? model_tags_backend_name(a, service, &tags) : name;
        if (dead) {
            fail_at(errs, at,
                    "expect[%zu].split[\"%s\"]: its cluster %s has no endpoints, so its "
                    "connections are counted as " SIM_OUTCOME_NO_ENDPOINTS,
                    index, name, dead);
        } else if (parsed && strcmp(canonical, name) &&
                   sim_flow_plan_outcome(fp, canonical) >= 0) {
            fail_at(errs, at,
                    "expect[%zu].split[\"%s\"]: write it '%s': reports name backends with "
                    "their tags sorted by key",
                    index, name, canonical);
        } else if (is_fixed_outcome(name) ||
                   (parsed && model_mesh_endpoints(s, service, &tags) > 0)) {
            model_warn(errs, at,
                       "expect[%zu].split[\"%s\"]: flow '%s' does not reach %s (its outcomes "
                       "are: %s); the expectation will see 0%% of it",
                       index, name, fp->flow->name, name, outcome_list(a, fp));
        } else {
            const char **names = model_arena_alloc(a, (fp->n_outcomes + 1) * sizeof *names);
            for (size_t o = 0; o < fp->n_outcomes; o++)
                names[o] = fp->outcomes[o].name;
            const char *hint = model_suggest(name, names, fp->n_outcomes);
            fail_at(errs, at,
                    "expect[%zu].split[\"%s\"]: no backend %s in mesh '%s'%s%s%s; flow '%s' "
                    "reaches: %s",
                    index, name, name, s->mesh, hint ? " (did you mean '" : "", hint ? hint : "",
                    hint ? "'?)" : "", fp->flow->name, outcome_list(a, fp));
        }
    }
}

/* What `run` needs of a flow beyond what loads (resolve needs none of it). */
static int check_flow(const model_scenario *s, const model_flow *f, model_errors *errs)
{
    if (f->connections || f->has_stop)
        return 0;
    fail_at(errs, f->mark, "traffic[%zu]: give connections, or stop (generate until then), or both",
            (size_t)(f - s->flows));
    return -1;
}

/* Requests ride their connection when the destination is routed as TCP: say so once. */
static void warn_requests(const model_scenario *s, const sim_flow_plan *fp, model_errors *errs)
{
    const model_flow *f = fp->flow;
    if (!f->n_requests)
        return;
    for (size_t d = 0; d < fp->n_routings; d++) {
        const model_resolution *r = fp->routings[d].resolution;
        if (r->n_routes || r->route == MODEL_ROUTE_NONE) /* HTTP, or closed */
            continue;
        model_warn(errs, f->requests[0].mark,
                   "traffic[%zu].requests: %s reaches %s through %s as TCP, so every request "
                   "goes where its connection went",
                   (size_t)(f - s->flows), r->from->name, f->to, model_route_type_name(r->route));
        return;
    }
}

sim_plan *sim_plan_new(const model_scenario *s, model_errors *errs)
{
    model_arena *a = model_arena_new();
    sim_plan *p = model_arena_alloc(a, sizeof *p);
    p->arena = a;
    p->scenario = s;
    p->n_flows = s->n_flows;
    p->flows = model_arena_alloc(a, (s->n_flows ? s->n_flows : 1) * sizeof *p->flows);
    size_t before = model_errors_count(errs);
    for (size_t i = 0; i < s->n_flows; i++) {
        sim_flow_plan *fp = &p->flows[i];
        fp->flow = &s->flows[i];
        if (check_flow(s, fp->flow, errs) < 0 || group_sources(a, s, fp, errs) < 0 ||
            build_outcomes(a, fp, errs) < 0) {
            fp->n_outcomes = 0; /* its expectations are not checked again */
            continue;
        }
        warn_requests(s, fp, errs);
    }
    p->expect_slot = model_arena_alloc(a, (s->n_expects ? s->n_expects : 1) * sizeof(uint32_t));
    for (size_t i = 0; i < s->n_expects; i++)
        if (p->flows[s->expects[i].flow_index].n_outcomes)
            check_expect(a, p, i, errs);
    if (model_errors_count(errs) > before) {
        sim_plan_free(p);
        return NULL;
    }
    return p;
}

void sim_plan_free(sim_plan *p)
{
    if (p)
        model_arena_free(p->arena);
}
