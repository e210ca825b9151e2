/*
 * plan.c - every flow resolved and checked before a run; see plan.h.
 *
 * Sources are grouped through an open-addressing table keyed by
 * model_dataplane_routes_hash; equal hashes are confirmed with
 * model_dataplane_routes_alike, so a collision can only cost a comparison, never merge two
 * sources that Kuma would route differently.
 */
#include "sim/plan.h"
#include "model/arena.h"
#include "model/mesh.h"

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

/* The clusters a source's connections pick from: a TCP split, or the one route of Kuma's
 * default HTTP route (with no user HTTP rule every request takes the catch-all). */
static const model_cluster *clusters_of(const model_resolution *r, size_t *n)
{
    if (r->route == MODEL_ROUTE_MESH_HTTP_ROUTE && r->n_routes == 1) {
        *n = r->routes[0].n_clusters;
        return r->routes[0].clusters;
    }
    *n = r->n_clusters;
    return r->clusters;
}

static bool same_routing(const model_resolution *x, const model_resolution *y)
{
    size_t nx, ny;
    const model_cluster *cx = clusters_of(x, &nx), *cy = clusters_of(y, &ny);
    if (x->route != y->route || nx != ny)
        return false;
    for (size_t i = 0; i < nx; i++)
        if (strcmp(cx[i].name, cy[i].name) || cx[i].weight != cy[i].weight ||
            cx[i].endpoints != cy[i].endpoints)
            return false;
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
            model_query q = {dp, f->to};
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

/* The outcomes of every routing, and each outcome's weight and expected share. */
static int build_outcomes(model_arena *a, sim_flow_plan *fp, model_errors *errs)
{
    const model_flow *f = fp->flow;
    size_t cap = 1;
    for (size_t d = 0; d < fp->n_routings; d++) {
        size_t n;
        clusters_of(fp->routings[d].resolution, &n);
        cap += n + 1;
    }
    fp->outcomes = model_arena_alloc(a, cap * sizeof *fp->outcomes);
    fp->dead = model_arena_alloc(a, cap * sizeof *fp->dead);
    for (size_t d = 0; d < fp->n_routings; d++) {
        sim_routing *rt = &fp->routings[d];
        size_t n;
        const model_cluster *c = clusters_of(rt->resolution, &n);
        rt->clusters = c;
        rt->n_clusters = n;
        rt->outcome_of = model_arena_alloc(a, (n ? n : 1) * sizeof *rt->outcome_of);
        rt->weights = model_arena_alloc(a, (n ? n : 1) * sizeof *rt->weights);
        uint64_t total = 0;
        for (size_t k = 0; k < n; k++) {
            bool empty = c[k].endpoints == 0;
            rt->outcome_of[k] =
                outcome_index(fp, cap, empty ? SIM_OUTCOME_NO_ENDPOINTS : c[k].backend, empty);
            rt->weights[k] = c[k].weight;
            total += c[k].weight;
            bool known = false;
            for (size_t j = 0; empty && j < fp->n_dead && !known; j++)
                known = !strcmp(fp->dead[j].cluster, c[k].name);
            if (empty && !known)
                fp->dead[fp->n_dead++] = (sim_dead_backend){c[k].backend, c[k].name};
        }
        if (total > UINT32_MAX) {
            fail_at(errs, f->mark,
                    "flow '%s': the weights from %s add up to %llu, more than the 4294967295 "
                    "Envoy accepts",
                    f->name, rt->resolution->from->name, (unsigned long long)total);
            return -1;
        }
        if (n == 0 || total == 0) {
            /* An empty split: the listener closes every connection (docs/routing.md §3.3). */
            rt->closed = outcome_index(fp, cap, SIM_OUTCOME_CLOSED, true);
            rt->empty = true;
        }
    }

    /* Each outcome's weight per routing, its expected share (the mean over the sources,
     * which take turns) and the weight shown when every source agrees on it. */
    size_t nr = fp->n_routings;
    uint64_t *w = model_xcalloc(fp->n_outcomes * nr, sizeof *w);
    uint64_t *totals = model_xcalloc(nr, sizeof *totals);
    for (size_t d = 0; d < nr; d++) {
        const sim_routing *rt = &fp->routings[d];
        if (rt->empty) {
            w[rt->closed * nr + d] = 1;
            totals[d] = 1;
            continue;
        }
        for (size_t k = 0; k < rt->n_clusters; k++) {
            w[rt->outcome_of[k] * nr + d] += rt->weights[k];
            totals[d] += rt->weights[k];
        }
    }
    for (size_t o = 0; o < fp->n_outcomes; o++) {
        sim_outcome *out = &fp->outcomes[o];
        double share = 0;
        bool same = true;
        uint64_t first = w[o * nr];
        for (size_t d = 0; d < nr; d++) {
            share += (double)fp->routings[d].n_sources * (double)w[o * nr + d] / (double)totals[d];
            same &= w[o * nr + d] == first;
        }
        out->expected = share / (double)f->n_sources;
        out->has_weight = same && strcmp(out->name, SIM_OUTCOME_CLOSED) && first <= UINT32_MAX;
        out->weight = (uint32_t)first;
    }
    free(w);
    free(totals);
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

/* Every backend a split expectation names must be one the mesh has.  A name the flow does
 * not reach is a measurement (the expectation sees 0% of it, and likely fails), so it is
 * only warned about; a name that is no backend of the mesh at all, or one written with its
 * tags in another order than reports print them, is a mistake in the scenario, refused
 * with what the flow can reach. */
static void check_expect(model_arena *a, const sim_plan *p, size_t index, model_errors *errs)
{
    const model_scenario *s = p->scenario;
    const model_expect *e = &s->expects[index];
    const sim_flow_plan *fp = &p->flows[e->flow_index];
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
        if (r->route == MODEL_ROUTE_MESH_HTTP_ROUTE)
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
