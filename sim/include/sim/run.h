/*
 * run.h - one scenario simulated: connections through the resolved routing, counted.
 *
 * For each flow, every source dataplane's routing is resolved once (model_resolve), its
 * weighted clusters become a pick table, and connections arrive on the simulated clock.
 * Each connection picks its cluster once, at connect time, as Envoy's tcp_proxy does
 * (sim_pick: `r % total` over the clusters in configuration order), keeps it until it
 * closes, and ends on one outcome: a backend, `<closed>` (no route or an empty split) or
 * `<no-endpoints>` (the picked cluster selects no endpoint).  Sources take turns
 * (round-robin).  Counts are exact integers; memory depends on the number of connections
 * open at once, never on how many were simulated.
 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include "model/resolve.h"
#include "model/scenario.h"

#include <stdbool.h>
#include <stdint.h>

#define SIM_OUTCOME_CLOSED "<closed>"
#define SIM_OUTCOME_NO_ENDPOINTS "<no-endpoints>"

/* One outcome of a flow's connections. */
typedef struct sim_outcome {
    const char *name; /* backend name as reports print it, or <closed>/<no-endpoints> */
    bool failed;      /* <closed> or <no-endpoints> */
    bool has_weight;  /* every source routes here with the same weight */
    uint32_t weight;
    double expected; /* configured share, averaged over the sources (0..1) */
} sim_outcome;

/* Sums of connection time: 128 bits, so that even holds of a million hours over billions
 * of connections add up exactly (a 64-bit sum wraps after five such holds). */
typedef unsigned __int128 sim_u128;

/* Counts of one time window of a flow: connections arriving in [start_ns, end_ns). */
typedef struct sim_window {
    uint64_t start_ns, end_ns;
    uint64_t total;
    uint64_t *count;   /* per outcome */
    sim_u128 *held_ns; /* per outcome: the whole holds of the connections that arrived
                        * in the window, even past its end (the active share, run.c) */
} sim_window;

/* Outcome `o`'s share of the connection time of window `w` (of a flow with `n_outcomes`
 * outcomes), or NAN when no connection stayed open at all. */
double sim_window_active_share(const sim_window *w, size_t n_outcomes, size_t o);

typedef struct sim_flow_result {
    const model_flow *flow;
    const model_resolution *resolution;   /* of the first source */
    const model_resolution **resolutions; /* of every source, in flow->sources order */
    bool sources_differ;                  /* some source resolves differently */
    bool routes_differ;                   /* some source is decided by another route type */
    sim_outcome *outcomes;
    size_t n_outcomes;
    sim_window *windows; /* [0] is the whole run; then expect windows */
    size_t n_windows;
    uint64_t *peak_active; /* per outcome: most connections open at once */
} sim_flow_result;

typedef struct sim_result {
    const model_scenario *scenario;
    sim_flow_result *flows;
    size_t n_flows;
    uint64_t connections; /* simulated, all flows */
    uint64_t events;      /* arrivals + departures processed */
    uint64_t end_ns;      /* time of the last event */
    model_arena *arena;   /* owns everything above */
} sim_result;

/* Called now and then during a run (about every 2^20 connections) with the progress so
 * far; returns nothing and must not touch the run. */
typedef void (*sim_progress_fn)(void *ctx, uint64_t done, uint64_t planned);

/* Simulates scenario `s` (which must outlive the result).  Returns the result (free with
 * sim_result_free), or NULL after writing a message to `err` when a flow needs routing
 * splitsim does not simulate yet.  `progress` may be NULL. */
sim_result *sim_run(const model_scenario *s, FILE *err, sim_progress_fn progress, void *ctx);

void sim_result_free(sim_result *r);

/* The window of flow result `f` that covers [start_ns, end_ns), or NULL. */
const sim_window *sim_flow_window(const sim_flow_result *f, uint64_t start_ns, uint64_t end_ns);

#endif
