/*
 * pick.h - Envoy's weighted cluster pick, reproduced in integers.
 *
 * Envoy picks a weighted cluster (tcp_proxy once per connection, the router once per
 * request; both via WeightedClusterUtil::pickCluster in
 * source/common/common/utility.h) like this:
 *
 *     selected = random_value % total_weight;       // random_value: a 64-bit random
 *     begin = 0;
 *     for (cluster : clusters, in configuration order) {
 *         end = begin + cluster.weight;
 *         if (selected >= begin && selected < end) return cluster;
 *         begin = end;
 *     }
 *
 * sim_pick keeps the interval ends (the running sums of the weights) and returns the
 * index of the first cluster whose end is above `selected`.  That is the same cluster:
 * intervals are contiguous and non-decreasing, so "begin <= s < end" first holds at the
 * first end > s; a weight-0 cluster has an empty interval and is never chosen.  The
 * modulo bias of a 64-bit random over a total below 2^32 is at most 2^-32, as in Envoy.
 *
 * Key decision: the lookup counts the ends <= selected without branches (a data-dependent
 * branch per cluster mispredicts on random input; counting costs ~2 ns for 5 clusters
 * against ~8 ns for the branching walk), and switches to a branch-free binary search for
 * long lists.  Both return exactly the walk's answer; tests/test_pick.c checks this
 * exhaustively against a transcription of the walk above.  Integer arithmetic only: no
 * floating point on the decision path.
 *
 * The struct is public so that sim_pick_choose can be inline; treat its fields as
 * read-only.
 */
#ifndef SIM_PICK_H
#define SIM_PICK_H

#include <stddef.h>
#include <stdint.h>

/* Largest total weight Envoy accepts (the sum must fit in 32 bits). */
#define SIM_PICK_MAX_TOTAL UINT64_C(4294967295)

/* Lists up to this long are scanned linearly; longer ones are binary-searched. */
#define SIM_PICK_LINEAR_MAX 16

/* A weighted cluster list ready for picking.  Caller storage; owns `ends`. */
typedef struct sim_pick {
    size_t n;       /* number of clusters, >= 1 */
    uint64_t total; /* sum of the weights, 1 .. SIM_PICK_MAX_TOTAL */
    uint64_t *ends; /* ends[i] = weights[0] + ... + weights[i]; ends[n-1] == total */
    uint64_t recip; /* floor(2^64 / total) (2^64 - 1 when total == 1), for sim__pick_mod */
} sim_pick;

/* Prepares `p` for the `n` weights at `weights` (configuration order; borrowed for the
 * call only; may be NULL when n == 0).  Weight 0 is allowed: that cluster is never
 * picked.  Returns 0 on success; then release with sim_pick_deinit.  Returns -1, with `p`
 * left empty (n == 0, ends == NULL; sim_pick_deinit is harmless on it), when the total
 * is 0 (no cluster, or all weights 0: Envoy has nothing to pick) or exceeds
 * SIM_PICK_MAX_TOTAL.  Out of memory aborts. */
int sim_pick_init(sim_pick *p, const uint32_t *weights, size_t n);

/* Frees what `p` owns and leaves it empty.  Calling it twice is harmless. */
void sim_pick_deinit(sim_pick *p);

/* Returns the index (0 .. n-1) of the cluster Envoy picks for the 64-bit random value `r`:
 * the one whose interval holds r % total.  `p` must have been initialised successfully. */
/* r % p->total without a division (Barrett reduction): with m = floor(2^64 / total),
 * q = floor(r * m / 2^64) is floor(r / total) or one less, so one correction gives the
 * exact remainder -- the same number `%` gives, for every r (tests/test_pick.c checks
 * this against `%`).  A 64-bit division costs more than the rest of the pick. */
static inline uint64_t sim__pick_mod(const sim_pick *p, uint64_t r)
{
    uint64_t q = (uint64_t)(((unsigned __int128)r * p->recip) >> 64);
    uint64_t s = r - q * p->total;
    return s >= p->total ? s - p->total : s;
}

static inline size_t sim_pick_choose(const sim_pick *p, uint64_t r)
{
    uint64_t s = sim__pick_mod(p, r);
    const uint64_t *ends = p->ends;
    size_t n = p->n;

    if (n <= SIM_PICK_LINEAR_MAX) {
        /* The answer is the number of clusters that end at or before s.  Never n, since
         * ends[n-1] == total > s. */
        size_t idx = 0;
        for (size_t i = 0; i < n; i++)
            idx += (size_t)(ends[i] <= s);
        return idx;
    }
    /* First end > s by halving.  Invariant: the answer lies in [base, base + n]; if
     * ends[base + half] <= s it lies above base + half, otherwise at or below it.  The
     * loop's shape does not depend on the data, so the compiler can use a cmov. */
    size_t base = 0;
    while (n > 1) {
        size_t half = n / 2;
        base = (ends[base + half] <= s) ? base + half : base;
        n -= half;
    }
    return base + (size_t)(ends[base] <= s);
}

#endif
