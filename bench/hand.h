/*
 * bench/hand.h - the hand-written baseline loops the simulator is timed against.
 *
 * Each loop does the work of one benchmark workload (bench/README.md) with nothing but
 * plain C: no scenario, no resolver, no engine, no statistics. The whole simulator
 * running the same workload is measured against these; its target is >= 1.0x the hand
 * loop's connections per second on W2, aiming for 2x.
 *
 * The random pieces (PCG32, the 64-bit draw, the exponential draw, Envoy's pick) are
 * static inline here so that the variants in bench/ draw exactly the same numbers and
 * the compiler sees through them as it would in a hand loop. They are written from the
 * published algorithms and deliberately share no code with sim/ (the point is an
 * independent baseline).
 */
#ifndef BENCH_HAND_H
#define BENCH_HAND_H

#include <math.h>
#include <stdint.h>

/* Backends every workload picks between; their weights are in hand_pick(). */
#define HAND_BACKENDS 2

/* Mean connection hold for W2: 2 s. */
#define HAND_W2_HOLD_NS 2000000000u
/* Arrival rate for W2: 1000 connections/s (about 2000 connections live). */
#define HAND_W2_RATE_PER_S 1000u

/* PCG32, XSH-RR 64/32 (O'Neill, pcg-random.org, pcg32_srandom_r / pcg32_random_r). */
struct hand_pcg32 {
    uint64_t state;
    uint64_t inc;
};

static inline uint32_t hand_pcg32_next(struct hand_pcg32 *g)
{
    uint64_t old = g->state;
    g->state = old * 6364136223846793005ull + g->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

static inline void hand_pcg32_seed(struct hand_pcg32 *g, uint64_t initstate, uint64_t initseq)
{
    g->state = 0;
    g->inc = (initseq << 1u) | 1u;
    hand_pcg32_next(g);
    g->state += initstate;
    hand_pcg32_next(g);
}

/* A 64-bit draw: two 32-bit outputs, the first one high. */
static inline uint64_t hand_draw64(struct hand_pcg32 *g)
{
    uint64_t hi = hand_pcg32_next(g);
    return (hi << 32) | hand_pcg32_next(g);
}

/* Envoy's weighted pick over weights 90/10: r % total, walked over the weights in order. */
static inline unsigned hand_pick(uint64_t r)
{
    static const uint64_t weight[HAND_BACKENDS] = {90, 10};
    uint64_t total = 0;
    for (unsigned i = 0; i < HAND_BACKENDS; i++) {
        total += weight[i];
    }
    uint64_t x = r % total;
    unsigned i = 0;
    while (x >= weight[i]) {
        x -= weight[i];
        i++;
    }
    return i;
}

/* An exponential interval of mean `mean_ns`, in integer ns: -log(u) * mean with u in
 * (0, 1] from the top 53 bits of one 64-bit draw (u never 0, so the log is finite). */
static inline uint64_t hand_exp_ns(struct hand_pcg32 *g, uint64_t mean_ns)
{
    double u = (double)((hand_draw64(g) >> 11) + 1) * 0x1p-53;
    return (uint64_t)(-log(u) * (double)mean_ns);
}

/* Folds one processed event into the order fingerprint the W2 loops return. */
static inline uint64_t hand_fold(uint64_t h, uint64_t time, uint64_t seq)
{
    h = (h ^ time) * 0x100000001b3ull;
    return (h ^ seq) * 0x100000001b3ull;
}

/*
 * W1: `n` connections from one source, no holds. Per connection one 64-bit draw and the
 * pick; counts[b] (caller storage, overwritten) gets the connections per backend.
 */
void hand_w1(uint64_t n, uint64_t counts[HAND_BACKENDS]);

/*
 * W2: `n` connections with Poisson arrivals at `rate_per_s` (HAND_W2_RATE_PER_S in the
 * standard workload) and exponential holds of mean HAND_W2_HOLD_NS; departures in a
 * binary heap keyed by (time, seq), the next arrival held aside with a reserved seq.
 * Fills counts[b] (connections per backend) and peak_active[b] (most connections open at
 * once per backend), both caller storage, and returns a fingerprint of the (time, seq)
 * sequence of all 2n events, equal for every queue that processes them in the same order.
 */
uint64_t hand_w2(uint64_t n, uint64_t rate_per_s, uint64_t counts[HAND_BACKENDS],
                 uint64_t peak_active[HAND_BACKENDS]);

#endif
