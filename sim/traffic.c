/*
 * traffic.c - arrival and hold generators; see traffic.h.
 */
#include "sim/traffic.h"

void sim_traffic_init(sim_traffic *t, const model_flow *f, uint64_t seed)
{
    *t = (sim_traffic){0};
    sim_rng_seed_flow(&t->rng, seed, f->name);
    t->arrival = f->arrival;
    t->mean_gap_ns = (double)f->rate_unit_ns / (double)f->rate_count;
    t->gap_q = f->rate_unit_ns / f->rate_count;
    t->gap_r = f->rate_unit_ns % f->rate_count;
    t->gap_den = f->rate_count;
    t->hold = f->hold;
    t->hold_ns = f->hold_ns;
    t->hold_mean_ns = (double)f->hold_ns;
    t->next_ns = f->start_ns;
    t->limit = f->connections ? f->connections : UINT64_MAX;
    t->stop_ns = f->has_stop ? f->stop_ns : UINT64_MAX;
}
