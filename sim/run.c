/*
 * run.c - the simulation loop; see run.h.
 *
 * Event order is (time, sequence) throughout.  Each flow keeps its next arrival aside,
 * with a sequence number reserved from the engine when the arrival is drawn; departures
 * live in the engine (sim/engine.h), its wheel sized from the flows' rates and holds
 * (init_engine).  At each step the earliest pending arrival is found (flows are few: a
 * linear scan), every departure due before it is popped, and then the arrival is
 * handled.  Departures left when the last arrival has been handled change no
 * count and are dropped with the engine.
 *
 * Per arrival: the next source in turn, one 64-bit draw for the pick (sim_pick, Envoy's
 * walk), the hold, the counts of each window holding the arrival time, and, for a
 * connection that stays open, a departure event.  The "active share" of a backend is its
 * share of connection-time (the sum of holds of the connections it received), which by
 * Little's law is its long-run share of the open connections.
 */
#include "sim/run.h"
#include "sim/engine.h"
#include "sim/pick.h"
#include "sim/traffic.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { EV_DEPARTURE = 1 };

typedef struct source_route {
    sim_pick pick;        /* over the source's clusters; n == 0: every connection closes */
    uint32_t *outcome_of; /* cluster index -> outcome index */
    uint32_t closed;      /* outcome index of <closed> for a source with no cluster */
} source_route;

typedef struct flow_state {
    sim_flow_result *res;
    sim_traffic traffic;
    uint64_t seq;            /* reserved sequence number of the pending arrival */
    source_route **route_of; /* per source: its routing, shared by alike sources */
    source_route *routes;    /* the distinct routings */
    size_t n_routes;
    size_t n_sources;
    size_t next_source;
    uint64_t *active; /* per outcome: connections open now */
    /* The hot path's view of the result: window 0 (every arrival) and per-outcome flags,
     * cached here so an arrival touches few cache lines. */
    uint64_t *count0;
    sim_u128 *held0;
    uint64_t total0;
    bool *failed;
    bool more_windows;
    uint64_t last_ns; /* time of the last arrival */
} flow_state;

/* The index of outcome `name` in f->outcomes (room for `cap`), added if new. */
static uint32_t outcome_index(sim_flow_result *f, size_t cap, const char *name, bool failed)
{
    for (size_t i = 0; i < f->n_outcomes; i++)
        if (!strcmp(f->outcomes[i].name, name))
            return (uint32_t)i;
    assert(f->n_outcomes < cap); /* cap counts every cluster of every source, plus one */
    f->outcomes[f->n_outcomes] = (sim_outcome){name, failed, false, 0, 0.0};
    return (uint32_t)f->n_outcomes++;
}

/* The clusters a source's connections pick from: a TCP split, or the one route of Kuma's
 * default HTTP route (requests pick per request; with no user HTTP rule every request
 * takes the catch-all). */
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

/* Resolves every source of flow `f` and builds its outcomes.  -1 if unsupported.
 * Sources the resolver cannot tell apart (model_dataplane_routes_alike: a service's
 * replicas, typically) share one resolution and one pick table, so a flow from thousands
 * of dataplanes costs one resolution per distinct kind of source. */
static int setup_flow(model_arena *a, const model_scenario *s, const model_flow *f, flow_state *st,
                      FILE *err)
{
    sim_flow_result *res = st->res;
    res->flow = f;
    size_t ns = f->n_sources;
    st->n_sources = ns;
    st->route_of = model_arena_alloc(a, ns * sizeof *st->route_of);
    st->routes = model_arena_alloc(a, ns * sizeof *st->routes);
    const model_resolution **rs = model_arena_alloc(a, ns * sizeof *rs);
    const model_resolution **distinct = model_arena_alloc(a, ns * sizeof *distinct);
    size_t *uses = model_arena_alloc(a, ns * sizeof *uses); /* sources per distinct routing */
    size_t *rep = model_arena_alloc(a, ns * sizeof *rep);   /* its first source */
    size_t cap = 1;
    for (size_t i = 0; i < ns; i++) {
        size_t d = 0;
        while (d < st->n_routes && !model_dataplane_routes_alike(f->sources[rep[d]], f->sources[i]))
            d++;
        if (d == st->n_routes) {
            const model_resolution *r = model_resolve(a, s, f->sources[i], f->to);
            if (r->unsupported) {
                fprintf(err,
                        "%s:%d:%d: flow '%s' (%s -> %s) needs %s, which this version of "
                        "splitsim does not simulate\n",
                        f->mark.file, f->mark.line, f->mark.col, f->name, f->sources[i]->name,
                        f->to, r->unsupported);
                return -1;
            }
            size_t n;
            clusters_of(r, &n);
            cap += n + 1;
            distinct[d] = r;
            rep[d] = i;
            st->n_routes++;
        }
        uses[d]++;
        rs[i] = distinct[d];
        st->route_of[i] = &st->routes[d];
        if (!same_routing(rs[0], rs[i]))
            res->sources_differ = true;
        if (rs[i]->route != rs[0]->route)
            res->routes_differ = true;
    }
    res->resolution = rs[0];
    res->resolutions = rs;
    res->outcomes = model_arena_alloc(a, cap * sizeof *res->outcomes);

    /* Outcomes and pick tables, once per distinct routing. */
    for (size_t d = 0; d < st->n_routes; d++) {
        source_route *sr = &st->routes[d];
        size_t n;
        const model_cluster *c = clusters_of(distinct[d], &n);
        uint64_t total = 0;
        sr->outcome_of = model_arena_alloc(a, (n ? n : 1) * sizeof *sr->outcome_of);
        uint32_t *weights = model_arena_alloc(a, (n ? n : 1) * sizeof *weights);
        for (size_t k = 0; k < n; k++) {
            bool empty = c[k].endpoints == 0;
            sr->outcome_of[k] =
                outcome_index(res, cap, empty ? SIM_OUTCOME_NO_ENDPOINTS : c[k].backend, empty);
            weights[k] = c[k].weight;
            total += c[k].weight;
        }
        if (n == 0 || total == 0) {
            /* An empty split: the listener closes every connection (KUMA-ROUTING §3.3). */
            sr->closed = outcome_index(res, cap, SIM_OUTCOME_CLOSED, true);
            sr->pick.n = 0;
        } else if (sim_pick_init(&sr->pick, weights, n) < 0) {
            fprintf(err,
                    "%s:%d:%d: flow '%s': the weights from %s add up to more than Envoy "
                    "accepts\n",
                    f->mark.file, f->mark.line, f->mark.col, f->name, f->sources[rep[d]]->name);
            return -1;
        }
    }

    /* Each outcome's weight per routing, its expected share (the mean over the sources,
     * which take turns) and the weight shown when every source agrees on it. */
    uint64_t *w = model_arena_alloc(a, res->n_outcomes * st->n_routes * sizeof *w);
    for (size_t d = 0; d < st->n_routes; d++) {
        const source_route *sr = &st->routes[d];
        size_t n;
        const model_cluster *c = clusters_of(distinct[d], &n);
        if (!sr->pick.n)
            w[sr->closed * st->n_routes + d] = 1;
        for (size_t k = 0; k < n && sr->pick.n; k++)
            w[sr->outcome_of[k] * st->n_routes + d] += c[k].weight;
    }
    for (size_t o = 0; o < res->n_outcomes; o++) {
        sim_outcome *out = &res->outcomes[o];
        double share = 0;
        bool same = true;
        uint64_t first = w[o * st->n_routes];
        for (size_t d = 0; d < st->n_routes; d++) {
            const source_route *sr = &st->routes[d];
            uint64_t total = sr->pick.n ? sr->pick.total : 1;
            share += (double)uses[d] * (double)w[o * st->n_routes + d] / (double)total;
            same &= w[o * st->n_routes + d] == first;
        }
        out->expected = share / (double)ns;
        out->has_weight = same && strcmp(out->name, SIM_OUTCOME_CLOSED) && first <= UINT32_MAX;
        out->weight = (uint32_t)first;
    }
    st->active = model_arena_alloc(a, res->n_outcomes * sizeof *st->active);
    res->peak_active = model_arena_alloc(a, res->n_outcomes * sizeof *res->peak_active);

    /* Windows: the whole run, then each distinct window an expectation asks about. */
    res->windows = model_arena_alloc(a, (s->n_expects + 1) * sizeof *res->windows);
    res->n_windows = 1;
    res->windows[0].start_ns = f->start_ns;
    res->windows[0].end_ns = f->has_stop ? f->stop_ns : UINT64_MAX;
    for (size_t e = 0; e < s->n_expects; e++) {
        const model_expect *x = &s->expects[e];
        if (!x->has_window || &s->flows[x->flow_index] != f)
            continue;
        bool dup = false;
        for (size_t k = 1; k < res->n_windows && !dup; k++)
            dup = res->windows[k].start_ns == x->window_start_ns &&
                  res->windows[k].end_ns == x->window_end_ns;
        if (!dup)
            res->windows[res->n_windows++] =
                (sim_window){x->window_start_ns, x->window_end_ns, 0, NULL, NULL};
    }
    for (size_t k = 0; k < res->n_windows; k++) {
        res->windows[k].count = model_arena_alloc(a, res->n_outcomes * sizeof(uint64_t));
        res->windows[k].held_ns = model_arena_alloc(a, res->n_outcomes * sizeof(sim_u128));
    }
    st->count0 = res->windows[0].count;
    st->held0 = res->windows[0].held_ns;
    st->more_windows = res->n_windows > 1;
    st->failed = model_arena_alloc(a, res->n_outcomes * sizeof *st->failed);
    for (size_t o = 0; o < res->n_outcomes; o++)
        st->failed[o] = res->outcomes[o].failed;
    return 0;
}

/*
 * Prepares the engine for the departures of scenario `s`, sized for them (engine.h's
 * sizing rule): they are scheduled at the sum of the rates of the flows whose
 * connections stay open, and stay for the mean of those flows' holds weighted by their
 * rates (by Little's law, the mean number open over that rate). The figures assume every
 * flow runs all the time and no connection fails. When flows start and stop, or a share
 * fails at once, the slots are narrower than the traffic of the moment needs, and while
 * a flow with long holds runs alone the horizon is shorter than its holds. That costs
 * speed only (engine.h: up to ~1.4x the time of a well-sized wheel), never the order:
 * the engine's order does not depend on its sizes. No flow with holds: no wheel.
 */
static void init_engine(sim_engine *eng, const model_scenario *s)
{
    double rate = 0, held = 0; /* departures per ns; the sum of rate x mean hold */
    for (size_t i = 0; i < s->n_flows; i++) {
        const model_flow *f = &s->flows[i];
        if (f->hold == MODEL_HOLD_NONE || f->hold_ns == 0)
            continue;
        double r = (double)f->rate_count / (double)f->rate_unit_ns;
        rate += r;
        held += r * (double)f->hold_ns;
    }
    uint64_t slot_ns = 0;
    size_t slots = 0;
    if (rate > 0)
        sim_engine_sizing(1 / rate, held / rate, &slot_ns, &slots);
    sim_engine_init_sized(eng, slot_ns, slots);
}

static inline void count_in(sim_window *w, uint32_t o, uint64_t hold)
{
    w->total++;
    w->count[o]++;
    w->held_ns[o] += hold;
}

sim_result *sim_run(const model_scenario *s, FILE *err, sim_progress_fn progress, void *ctx)
{
    model_arena *a = model_arena_new();
    sim_result *r = model_arena_alloc(a, sizeof *r);
    r->arena = a;
    r->scenario = s;
    r->n_flows = s->n_flows;
    r->flows = model_arena_alloc(a, (s->n_flows ? s->n_flows : 1) * sizeof *r->flows);
    flow_state *fs = model_arena_alloc(a, (s->n_flows ? s->n_flows : 1) * sizeof *fs);
    sim_engine eng;
    init_engine(&eng, s);
    uint64_t planned = 0;
    for (size_t i = 0; i < s->n_flows; i++) {
        fs[i].res = &r->flows[i];
        if (setup_flow(a, s, &s->flows[i], &fs[i], err) < 0) {
            for (size_t j = 0; j <= i; j++)
                for (size_t k = 0; k < fs[j].n_routes; k++)
                    sim_pick_deinit(&fs[j].routes[k].pick);
            sim_engine_deinit(&eng);
            model_arena_free(a);
            return NULL;
        }
        sim_traffic_init(&fs[i].traffic, &s->flows[i], s->seed);
        fs[i].seq = sim_engine_next_seq(&eng);
        planned += s->flows[i].connections;
    }

    size_t live = 0; /* departures in the engine */
    uint64_t next_report = 1u << 20;
    for (;;) {
        flow_state *f = NULL;
        for (size_t i = 0; i < s->n_flows; i++) {
            flow_state *c = &fs[i];
            if (!sim_traffic_pending(&c->traffic))
                continue;
            if (!f || c->traffic.next_ns < f->traffic.next_ns ||
                (c->traffic.next_ns == f->traffic.next_ns && c->seq < f->seq))
                f = c;
        }
        if (!f)
            break;
        const uint64_t now = f->traffic.next_ns;
        if (live) {
            sim_event ev;
            while (sim_engine_pop_before(&eng, now, f->seq, &ev)) {
                fs[ev.a].active[ev.b]--;
                live--;
                r->events++;
            }
        }

        source_route *sr = f->route_of[f->next_source];
        if (++f->next_source == f->n_sources)
            f->next_source = 0;
        /* The pick draws even when there is nothing to pick from, so a flow's later
         * draws do not depend on its routing. */
        uint64_t draw = sim_rng_next64(&f->traffic.rng);
        uint32_t o = sr->pick.n ? sr->outcome_of[sim_pick_choose(&sr->pick, draw)] : sr->closed;
        uint64_t hold = sim_traffic_hold(&f->traffic);
        if (f->failed[o])
            hold = 0; /* a failed connection is closed at once */

        f->total0++;
        f->count0[o]++;
        f->held0[o] += hold;
        if (f->more_windows) {
            sim_flow_result *res = f->res;
            for (size_t k = 1; k < res->n_windows; k++)
                if (now >= res->windows[k].start_ns && now < res->windows[k].end_ns)
                    count_in(&res->windows[k], o, hold);
        }
        if (hold) {
            if (++f->active[o] > f->res->peak_active[o])
                f->res->peak_active[o] = f->active[o];
            uint64_t when = hold > UINT64_MAX - now ? UINT64_MAX : now + hold;
            sim_engine_schedule(&eng, when, EV_DEPARTURE, (uint32_t)(f - fs), o);
            live++;
        }
        r->events++;
        f->last_ns = now;
        sim_traffic_advance(&f->traffic);
        f->seq = sim_engine_next_seq(&eng);
        if (++r->connections == next_report) {
            next_report += 1u << 20;
            if (progress)
                progress(ctx, r->connections, planned);
        }
    }
    for (size_t i = 0; i < s->n_flows; i++) {
        sim_window *w0 = &r->flows[i].windows[0];
        w0->total = fs[i].total0;
        if (!s->flows[i].has_stop)
            w0->end_ns = fs[i].last_ns + 1; /* the whole run ends after its last arrival */
        if (fs[i].total0 && fs[i].last_ns > r->end_ns)
            r->end_ns = fs[i].last_ns;
    }
    for (size_t i = 0; i < s->n_flows; i++)
        for (size_t k = 0; k < fs[i].n_routes; k++)
            sim_pick_deinit(&fs[i].routes[k].pick);
    sim_engine_deinit(&eng);
    return r;
}

void sim_result_free(sim_result *r)
{
    if (r)
        model_arena_free(r->arena);
}

double sim_window_active_share(const sim_window *w, size_t n_outcomes, size_t o)
{
    sim_u128 total = 0;
    for (size_t k = 0; k < n_outcomes; k++)
        total += w->held_ns[k];
    return total ? (double)w->held_ns[o] / (double)total : NAN;
}

const sim_window *sim_flow_window(const sim_flow_result *f, uint64_t start_ns, uint64_t end_ns)
{
    for (size_t k = 1; k < f->n_windows; k++)
        if (f->windows[k].start_ns == start_ns && f->windows[k].end_ns == end_ns)
            return &f->windows[k];
    return NULL;
}
