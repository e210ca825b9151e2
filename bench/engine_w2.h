/*
 * bench/engine_w2.h - workload W2 with the simulator's event engine in place of the hand
 * loop's binary heap: same draws, same order, same results (bench/README.md).
 */
#ifndef BENCH_ENGINE_W2_H
#define BENCH_ENGINE_W2_H

#include <stdint.h>

#include "hand.h"

/* Exactly hand_w2()'s contract and results, with departures queued in a sim_engine. */
uint64_t engine_w2(uint64_t n, uint64_t rate_per_s, uint64_t counts[HAND_BACKENDS],
                   uint64_t peak_active[HAND_BACKENDS]);

#endif
