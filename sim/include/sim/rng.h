/*
 * rng.h - PCG32 random streams: one per flow, reproducible bit for bit.
 *
 * The generator is PCG32 (XSH-RR 64/32) as published by M.E. O'Neill (pcg-random.org,
 * pcg32_srandom_r / pcg32_random_r): a 64-bit LCG whose state is permuted into a 32-bit
 * output.  It is small (16 bytes), fast (~1 ns a draw), passes the usual batteries, and
 * above all supports 2^63 independent *streams* selected by the increment, which is what a
 * simulator of many flows needs.
 *
 * Key decision: every flow draws from its own stream, derived only from the scenario seed
 * and the flow's name (sim_rng_seed_flow).  Adding, removing or reordering other flows
 * therefore never changes this flow's draws, and a scenario run twice, or built with
 * another compiler or optimisation level, produces the same numbers.
 *
 * The struct is public so that callers can keep it by value (caller storage, no _init /
 * _deinit needed: it owns nothing) and so that the hot-path draws can be inline.  Treat
 * the fields as private: set them only through sim_rng_seed / sim_rng_seed_flow.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

/* A PCG32 generator.  `inc` is always odd (it selects the stream). */
typedef struct sim_rng {
    uint64_t state;
    uint64_t inc;
} sim_rng;

/* Seeds `r` exactly as the reference pcg32_srandom_r(r, initstate, initseq): stream
 * `initseq` (its top bit is not used: inc = initseq << 1 | 1), position from `initstate`.
 * Reference output for (42, 54): a15c02b7 7b47f409 ba1d3330 83d2f293 bfa4784b cbed606e. */
void sim_rng_seed(sim_rng *r, uint64_t initstate, uint64_t initseq);

/* Seeds `r` with the stream of the flow named `flow_name` (a NUL-terminated string,
 * borrowed for the call only) under `scenario_seed`.  Exactly:
 *
 *   digest = SHA-256("splitsim-flow" 0x00 || LE64(scenario_seed) || name bytes)
 *   sim_rng_seed(r, LE64(digest[0..7]), LE64(digest[8..15]))
 *
 * where the name bytes are strlen(flow_name) bytes without the terminating NUL and LE64
 * is the 8-byte little-endian encoding.  The result depends on nothing else, on no
 * platform property (endianness is fixed by the encoding). */
void sim_rng_seed_flow(sim_rng *r, uint64_t scenario_seed, const char *flow_name);

/* Seeds `r` with a stream of flow `flow_name` kept for one `purpose` (e.g. "mirror"):
 * exactly as sim_rng_seed_flow, with "splitsim-<purpose>" for "splitsim-flow".  A second
 * stream lets a draw that only some configurations take (a mirror's share) leave the
 * flow's main stream untouched. */
void sim_rng_seed_purpose(sim_rng *r, uint64_t scenario_seed, const char *flow_name,
                          const char *purpose);

/* Returns the next 32-bit output and advances `r` (pcg32_random_r). */
static inline uint32_t sim_rng_next32(sim_rng *r)
{
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    uint32_t rot = (uint32_t)(old >> 59);
    /* (-rot) & 31 rather than 32 - rot: a shift by 32 would be undefined when rot == 0. */
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

/* Returns a 64-bit value made of two 32-bit draws, the first in the high 32 bits. */
static inline uint64_t sim_rng_next64(sim_rng *r)
{
    uint64_t hi = sim_rng_next32(r);
    uint64_t lo = sim_rng_next32(r);
    return (hi << 32) | lo;
}

/* Returns an exponentially distributed value with mean `mean`: -log(u) * mean, u as below.
 * Consumes exactly two 32-bit draws; mean <= 0 returns 0. */
double sim_rng_exponential(sim_rng *r, double mean);

/* Returns an exponentially distributed duration with mean `mean_ns`, in whole
 * nanoseconds: floor(-log(u) * mean_ns) with u = (k + 1) / 2^53 in (0, 1], k the top 53
 * bits of one sim_rng_next64 draw (so log(0) never happens; the largest result is about
 * 36.74 * mean_ns).  Consumes exactly two 32-bit draws.  The mean is a double so that
 * rates like 3/s (mean 333333333.33 ns) are not rounded; a result that would not fit
 * saturates at UINT64_MAX.  mean_ns <= 0 returns 0.  See rng.c for why the value is identical
 * across gcc, clang and optimisation levels. */
uint64_t sim_rng_exponential_ns(sim_rng *r, double mean_ns);

/* Returns a uniformly distributed integer in [0, bound), without modulo bias (rejection
 * of the low 2^64 mod bound values of sim_rng_next64; almost never more than one draw of
 * 64 bits).  `bound` must be positive. */
uint64_t sim_rng_below(sim_rng *r, uint64_t bound);

#endif
