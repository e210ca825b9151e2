/*
 * bench/engine_w2.c - W2 (bench/README.md) with departures queued in sim_engine: the
 * hand loop of hand.c with its binary heap swapped for the engine, as the simulator will
 * use it (the next arrival held aside with a reserved seq, merged by
 * sim_engine_pop_before()).
 * It must return the same counts, peaks and order fingerprint as hand_w2().
 */
#include "engine_w2.h"

#include "sim/engine.h"

enum { ENGINE_W2_DEPARTURE = 1 };

uint64_t engine_w2(uint64_t n, uint64_t rate_per_s, uint64_t counts[HAND_BACKENDS],
                   uint64_t peak_active[HAND_BACKENDS])
{
    struct hand_pcg32 g;
    hand_pcg32_seed(&g, 42, 54);
    const uint64_t gap_ns = 1000000000u / rate_per_s;
    sim_engine e;
    /* Sized as sim/run.c sizes it: one departure per arrival, holds of the W2 mean. */
    uint64_t slot_ns;
    size_t slots;
    sim_engine_sizing(1e9 / (double)rate_per_s, (double)HAND_W2_HOLD_NS, &slot_ns, &slots);
    sim_engine_init_sized(&e, slot_ns, slots);
    uint64_t c[HAND_BACKENDS] = {0}, active[HAND_BACKENDS] = {0}, peak[HAND_BACKENDS] = {0};
    uint64_t fp = 0, arrived = 0;

    uint64_t arr_time = hand_exp_ns(&g, gap_ns);
    uint64_t arr_seq = sim_engine_next_seq(&e);

    for (;;) {
        sim_event d;
        /* Departures due before the held arrival go first; then the arrival. */
        bool dep =
            arrived < n ? sim_engine_pop_before(&e, arr_time, arr_seq, &d) : sim_engine_pop(&e, &d);
        if (dep) {
            fp = hand_fold(fp, d.time, d.seq);
            active[d.b]--;
        } else if (arrived < n) {
            uint64_t now = arr_time;
            fp = hand_fold(fp, now, arr_seq);
            unsigned b = hand_pick(hand_draw64(&g));
            c[b]++;
            if (++active[b] > peak[b]) {
                peak[b] = active[b];
            }
            uint64_t hold = hand_exp_ns(&g, HAND_W2_HOLD_NS);
            sim_engine_schedule(&e, now + hold, ENGINE_W2_DEPARTURE, 0, b);
            if (++arrived < n) {
                arr_time = now + hand_exp_ns(&g, gap_ns);
                arr_seq = sim_engine_next_seq(&e);
            }
        } else {
            break;
        }
    }
    sim_engine_deinit(&e);
    for (unsigned b = 0; b < HAND_BACKENDS; b++) {
        counts[b] = c[b];
        peak_active[b] = peak[b];
    }
    return fp;
}
