/*
 * traffic.h - when a flow's connections arrive and how long they stay.
 *
 * One generator per flow, drawing from the flow's own PCG32 stream (sim_rng_seed_flow), so
 * a flow's arrivals, picks and holds never depend on other flows.  Per connection the
 * draws come in this fixed order: the cluster pick (one 64-bit draw), then the hold (an
 * exponential: one 64-bit draw; constant: none), then the gap to the next arrival (Poisson:
 * one 64-bit draw; uniform: none).  Times are integer nanoseconds.
 */
#ifndef SIM_TRAFFIC_H
#define SIM_TRAFFIC_H

#include "model/scenario.h"
#include "sim/rng.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_traffic {
    sim_rng rng;
    model_arrival arrival;
    double mean_gap_ns;    /* Poisson: unit / count */
    double gap_frac;       /* Poisson: the fraction of a ns carried to the next gap */
    uint64_t gap_q, gap_r; /* uniform: unit = q * count + r, spread exactly */
    uint64_t gap_den, gap_acc;
    model_hold_kind hold;
    double hold_mean_ns;
    uint64_t hold_ns;
    uint64_t next_ns; /* time of the next arrival */
    uint64_t emitted; /* arrivals so far */
    uint64_t limit;   /* UINT64_MAX when only `stop` bounds the flow */
    uint64_t stop_ns; /* UINT64_MAX when no stop */
} sim_traffic;

/* Prepares the generator of flow `f` for scenario seed `seed`; the first arrival is at
 * the flow's start. */
void sim_traffic_init(sim_traffic *t, const model_flow *f, uint64_t seed);

/* True if the flow has an arrival at t->next_ns still to emit. */
static inline bool sim_traffic_pending(const sim_traffic *t)
{
    return t->emitted < t->limit && t->next_ns < t->stop_ns;
}

/* The hold of the connection arriving now (0 = closes at once). */
static inline uint64_t sim_traffic_hold(sim_traffic *t)
{
    switch (t->hold) {
    case MODEL_HOLD_EXPONENTIAL:
        return sim_rng_exponential_ns(&t->rng, t->hold_mean_ns);
    case MODEL_HOLD_CONSTANT:
        return t->hold_ns;
    default:
        return 0;
    }
}

/* Moves to the next arrival (call after the current one is handled). */
static inline void sim_traffic_advance(sim_traffic *t)
{
    uint64_t gap;
    t->emitted++;
    if (t->arrival == MODEL_ARRIVAL_POISSON) {
        /* Gaps are whole nanoseconds, but the fraction each one drops is carried into the
         * next, so the clock keeps the drawn times to within a nanosecond and a fast rate
         * (a mean gap of a few ns) is not biased upwards by truncation. */
        double x = sim_rng_exponential(&t->rng, t->mean_gap_ns) + t->gap_frac;
        if (x < 0x1p64) {
            gap = (uint64_t)x;
            t->gap_frac = x - (double)gap;
        } else {
            gap = UINT64_MAX;
            t->gap_frac = 0;
        }
    } else {
        /* Exact even spacing: q ns per arrival, plus one more ns whenever the remainders
         * add up to a whole count, so n arrivals span exactly n * unit / count. */
        gap = t->gap_q;
        t->gap_acc += t->gap_r;
        if (t->gap_acc >= t->gap_den) {
            t->gap_acc -= t->gap_den;
            gap++;
        }
    }
    t->next_ns = gap > UINT64_MAX - t->next_ns ? UINT64_MAX : t->next_ns + gap;
}

#endif
