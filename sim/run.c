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
#include "model/arena.h"
#include "sim/engine.h"
#include "sim/pick.h"
#include "sim/traffic.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { EV_DEPARTURE = 1 };

/* A routing ready to pick from: Envoy's walk over its clusters (n == 0: every connection
 * closes) and the outcome of each. */
typedef struct source_route {
    sim_pick pick;
    const uint32_t *outcome_of; /* cluster index -> outcome index (the plan's) */
    uint32_t closed;            /* outcome index of <closed> for an empty routing */
    const sim_routing *http;    /* an HTTP routing: requests pick per route */
    sim_pick *route_picks;      /* per HTTP route */
} source_route;

typedef struct flow_state {
    sim_flow_result *res;
    sim_traffic traffic;
    uint64_t seq;            /* reserved sequence number of the pending arrival */
    source_route **route_of; /* per source: its routing, shared by alike sources */
    source_route *routes;    /* the plan's distinct routings */
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
    uint64_t last_ns;     /* time of the last arrival */
    uint64_t connections; /* arrivals so far (window 0's; requests may be more) */
    /* Requests: which of the flow's requests a connection sends (one 64-bit draw each
     * when there are several), and the stream of RequestMirror's random shares (its own,
     * so mirrors never move the flow's other draws). */
    sim_pick request_pick;
    sim_rng mirror_rng;
    uint32_t requests_per_connection;
} flow_state;

/* Pick tables and windows for flow plan `fp`. */
static void setup_flow(model_arena *a, const model_scenario *s, const sim_flow_plan *fp,
                       flow_state *st)
{
    sim_flow_result *res = st->res;
    const model_flow *f = fp->flow;
    res->flow = f;
    res->plan = fp;
    st->n_sources = f->n_sources;
    st->n_routes = fp->n_routings;
    st->routes = model_arena_alloc(a, (fp->n_routings ? fp->n_routings : 1) * sizeof *st->routes);
    for (size_t d = 0; d < fp->n_routings; d++) {
        const sim_routing *rt = &fp->routings[d];
        source_route *sr = &st->routes[d];
        sr->outcome_of = rt->outcome_of;
        sr->closed = rt->closed;
        if (rt->http) {
            sr->http = rt;
            sr->route_picks = model_arena_alloc(a, (rt->n_routes ? rt->n_routes : 1) * sizeof(sim_pick));
            for (size_t k = 0; k < rt->n_routes; k++)
                if (sim_pick_init(&sr->route_picks[k], rt->routes[k].weights, rt->routes[k].n_clusters) < 0)
                    sr->route_picks[k].n = 0;
            continue;
        }
        /* The plan refused totals above 32 bits, the only way an init can fail. */
        if (rt->empty || sim_pick_init(&sr->pick, rt->weights, rt->n_clusters) < 0)
            sr->pick.n = 0;
    }
    if (fp->n_requests > 1)
        sim_pick_init(&st->request_pick, fp->request_weights, fp->n_requests);
    st->requests_per_connection = f->requests_per_connection ? f->requests_per_connection : 1;
    st->route_of = model_arena_alloc(a, (st->n_sources ? st->n_sources : 1) * sizeof *st->route_of);
    for (size_t i = 0; i < st->n_sources; i++)
        st->route_of[i] = &st->routes[fp->routing_of[i]];
    size_t no = fp->n_outcomes;
    st->active = model_arena_alloc(a, no * sizeof *st->active);
    res->peak_active = model_arena_alloc(a, no * sizeof *res->peak_active);

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
                (sim_window){.start_ns = x->window_start_ns, .end_ns = x->window_end_ns};
    }
    for (size_t k = 0; k < res->n_windows; k++) {
        sim_window *w = &res->windows[k];
        w->count = model_arena_alloc(a, no * sizeof(uint64_t));
        w->held_ns = model_arena_alloc(a, no * sizeof(sim_u128));
        w->slot_total = model_arena_alloc(a, (fp->n_slots ? fp->n_slots : 1) * sizeof(uint64_t));
        w->slot_count =
            model_arena_alloc(a, (fp->n_slots ? fp->n_slots : 1) * no * sizeof(uint64_t));
        w->mirrored = model_arena_alloc(a, (fp->n_mirrors ? fp->n_mirrors : 1) * sizeof(uint64_t));
    }
    st->count0 = res->windows[0].count;
    st->held0 = res->windows[0].held_ns;
    st->more_windows = res->n_windows > 1;
    st->failed = model_arena_alloc(a, no * sizeof *st->failed);
    for (size_t o = 0; o < no; o++)
        st->failed[o] = fp->outcomes[o].failed;
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

static void release_picks(flow_state *f)
{
    for (size_t k = 0; k < f->n_routes; k++) {
        source_route *sr = &f->routes[k];
        sim_pick_deinit(&sr->pick);
        for (size_t j = 0; sr->http && j < sr->http->n_routes; j++)
            sim_pick_deinit(&sr->route_picks[j]);
    }
    sim_pick_deinit(&f->request_pick);
}

static inline void count_in(sim_window *w, uint32_t o, uint64_t units, uint64_t hold)
{
    w->total += units;
    w->connections++;
    w->count[o] += units;
    w->held_ns[o] += hold;
}

/* A connection of an HTTP routing, in every window but the first that holds `now`. */
static void count_connection(sim_flow_result *res, uint64_t now)
{
    for (size_t k = 1; k < res->n_windows; k++)
        if (now >= res->windows[k].start_ns && now < res->windows[k].end_ns)
            res->windows[k].connections++;
}

/* One request's outcome in every window holding `now`: `slot` is its route's slot, or
 * UINT32_MAX when no route matched. */
static void count_request(sim_flow_result *res, uint64_t now, uint32_t o, uint32_t slot,
                          size_t n_outcomes)
{
    for (size_t k = 0; k < res->n_windows; k++) {
        sim_window *w = &res->windows[k];
        if (now < w->start_ns || now >= w->end_ns)
            continue;
        w->total++;
        w->count[o]++;
        if (slot != UINT32_MAX) {
            w->slot_total[slot]++;
            w->slot_count[(size_t)slot * n_outcomes + o]++;
        }
    }
}

static void count_mirror(sim_flow_result *res, uint64_t now, uint32_t m)
{
    for (size_t k = 0; k < res->n_windows; k++)
        if (now >= res->windows[k].start_ns && now < res->windows[k].end_ns)
            res->windows[k].mirrored[m]++;
}

/* The requests of one connection through an HTTP routing: for each, which request of the
 * flow it is (a draw when there are several), the first route it matches, and the cluster
 * that route picks (one 64-bit draw, taken even for a 404 or a redirect, so the flow's
 * later draws do not depend on its routing); mirrors draw from their own stream. */
static void http_connection(flow_state *f, const source_route *sr, uint64_t now)
{
    const sim_routing *rt = sr->http;
    const sim_flow_plan *fp = f->res->plan;
    for (uint32_t i = 0; i < f->requests_per_connection; i++) {
        size_t t = 0;
        if (fp->n_requests > 1)
            t = sim_pick_choose(&f->request_pick, sim_rng_next64(&f->traffic.rng));
        uint64_t draw = sim_rng_next64(&f->traffic.rng);
        uint32_t ri = rt->route_of_request[t];
        if (ri == rt->n_routes) {
            count_request(f->res, now, rt->not_found, UINT32_MAX, fp->n_outcomes);
            continue;
        }
        const sim_http_route *hr = &rt->routes[ri];
        const sim_pick *pick = &sr->route_picks[ri];
        uint32_t o = hr->route->redirect ? rt->redirected
                     : pick->n            ? hr->outcome_of[sim_pick_choose(pick, draw)]
                                          : rt->not_found;
        count_request(f->res, now, o, hr->slot, fp->n_outcomes);
        for (size_t m = 0; m < hr->route->n_mirrors; m++) {
            uint32_t share = hr->route->mirrors[m].per_million;
            if (share >= 1000000 || sim_rng_below(&f->mirror_rng, 1000000) < share)
                count_mirror(f->res, now, hr->mirror_of[m]);
        }
    }
}

sim_result *sim_run(const sim_plan *plan, sim_progress_fn progress, void *ctx)
{
    const model_scenario *s = plan->scenario;
    model_arena *a = model_arena_new();
    sim_result *r = model_arena_alloc(a, sizeof *r);
    r->arena = a;
    r->scenario = s;
    r->plan = plan;
    r->n_flows = s->n_flows;
    r->flows = model_arena_alloc(a, (s->n_flows ? s->n_flows : 1) * sizeof *r->flows);
    flow_state *fs = model_arena_alloc(a, (s->n_flows ? s->n_flows : 1) * sizeof *fs);
    sim_engine eng;
    init_engine(&eng, s);
    uint64_t planned = 0;
    for (size_t i = 0; i < s->n_flows; i++) {
        fs[i].res = &r->flows[i];
        setup_flow(a, s, &plan->flows[i], &fs[i]);
        sim_traffic_init(&fs[i].traffic, &s->flows[i], s->seed);
        sim_rng_seed_purpose(&fs[i].mirror_rng, s->seed, s->flows[i].name, "mirror");
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
        if (sr->http) {
            /* Requests pick per request; the connection itself ends on no backend, and is
             * not tracked (its hold is drawn, to keep the draw order). */
            http_connection(f, sr, now);
            count_connection(f->res, now);
            (void)sim_traffic_hold(&f->traffic);
            f->connections++;
            r->events++;
            f->last_ns = now;
            sim_traffic_advance(&f->traffic);
            f->seq = sim_engine_next_seq(&eng);
            if (++r->connections == next_report) {
                next_report += 1u << 20;
                if (progress)
                    progress(ctx, r->connections, planned);
            }
            continue;
        }
        /* The pick draws even when there is nothing to pick from, so a flow's later
         * draws do not depend on its routing. */
        uint64_t draw = sim_rng_next64(&f->traffic.rng);
        uint32_t o = sr->pick.n ? sr->outcome_of[sim_pick_choose(&sr->pick, draw)] : sr->closed;
        uint64_t hold = sim_traffic_hold(&f->traffic);
        if (f->failed[o])
            hold = 0; /* a failed connection is closed at once */

        /* A flow whose other sources pick per request counts this connection's requests
         * too, all to its backend; otherwise connections are the unit. */
        uint64_t units = f->res->plan->per_request ? f->requests_per_connection : 1;
        f->total0 += units;
        f->connections++;
        f->count0[o] += units;
        f->held0[o] += hold;
        if (f->more_windows) {
            sim_flow_result *res = f->res;
            for (size_t k = 1; k < res->n_windows; k++)
                if (now >= res->windows[k].start_ns && now < res->windows[k].end_ns)
                    count_in(&res->windows[k], o, units, hold);
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
        w0->total += fs[i].total0; /* HTTP requests counted themselves */
        w0->connections = fs[i].connections;
        if (!s->flows[i].has_stop)
            w0->end_ns = fs[i].last_ns + 1; /* the whole run ends after its last arrival */
        if (fs[i].total0 && fs[i].last_ns > r->end_ns)
            r->end_ns = fs[i].last_ns;
    }
    for (size_t i = 0; i < s->n_flows; i++)
        release_picks(&fs[i]);
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
