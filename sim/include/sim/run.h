/*
 * run.h - one scenario simulated: connections through its routing plan, counted.
 *
 * The plan (plan.h) holds every flow's distinct routings; each becomes a pick table, and
 * connections arrive on the simulated clock.  Each connection picks its cluster once, at
 * connect time, as Envoy's tcp_proxy does (sim_pick: `r % total` over the clusters in
 * configuration order), keeps it until it closes, and ends on one outcome of the plan.
 * Sources take turns (round-robin).  Counts are exact integers; memory depends on the
 * number of connections open at once, never on how many were simulated.
 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include "model/resolve.h"
#include "model/scenario.h"
#include "sim/plan.h"

#include <stdbool.h>
#include <stdint.h>

/* Sums of connection time: 128 bits, so that even holds of a million hours over billions
 * of connections add up exactly (a 64-bit sum wraps after five such holds). */
typedef unsigned __int128 sim_u128;

/* Counts of one time window of a flow: connections arriving in [start_ns, end_ns). */
typedef struct sim_window {
    uint64_t start_ns, end_ns;
    uint64_t total;       /* what `count` counts: connections, or requests for a flow
                           * whose routing picks per request (plan.h per_request) */
    uint64_t connections; /* connections that arrived in the window */
    uint64_t *count;      /* per outcome */
    sim_u128 *held_ns;    /* per outcome: the whole holds of the connections that arrived
                           * in the window, even past its end (the active share, run.c) */
    uint64_t *slot_total; /* per route slot: requests that took it */
    uint64_t *slot_count; /* per (slot, outcome): slot * n_outcomes + outcome */
    uint64_t *mirrored;   /* per mirror target: copies sent */
} sim_window;

/* Outcome `o`'s share of the connection time of window `w` (of a flow with `n_outcomes`
 * outcomes), or NAN when no connection stayed open at all. */
double sim_window_active_share(const sim_window *w, size_t n_outcomes, size_t o);

typedef struct sim_flow_result {
    const model_flow *flow;
    const sim_flow_plan *plan; /* its routings and outcomes (borrowed from the plan) */
    sim_window *windows;       /* [0] is the whole run; then expect windows */
    size_t n_windows;
    uint64_t *peak_active; /* per outcome: most connections open at once */
} sim_flow_result;

typedef struct sim_result {
    const model_scenario *scenario;
    const sim_plan *plan;
    sim_flow_result *flows;
    size_t n_flows;
    uint64_t connections; /* simulated, all flows */
    uint64_t events;      /* arrivals + departures processed */
    uint64_t end_ns;      /* time of the last event */
    model_arena *arena;   /* owns everything above but the plan and the scenario */
} sim_result;

/* Called now and then during a run (about every 2^20 connections) with the progress so
 * far; returns nothing and must not touch the run. */
typedef void (*sim_progress_fn)(void *ctx, uint64_t done, uint64_t planned);

/* Simulates the scenario of `plan` (both must outlive the result).  Returns the result,
 * to be freed with sim_result_free; never fails (the plan has refused what cannot run).
 * `progress` may be NULL. */
sim_result *sim_run(const sim_plan *plan, sim_progress_fn progress, void *ctx);

void sim_result_free(sim_result *r);

/* The window of flow result `f` that covers [start_ns, end_ns), or NULL. */
const sim_window *sim_flow_window(const sim_flow_result *f, uint64_t start_ns, uint64_t end_ns);

#endif
