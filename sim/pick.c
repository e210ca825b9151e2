/*
 * pick.c - building the interval table for Envoy's weighted cluster pick; see pick.h.
 *
 * Only set-up lives here; the pick itself (sim_pick_choose) is inline in pick.h because
 * it runs once per simulated connection or request.
 */
#include "sim/pick.h"

#include <assert.h>
#include <stdlib.h>

#include "model/arena.h" /* model_xmalloc: out of memory aborts */

int sim_pick_init(sim_pick *p, const uint32_t *weights, size_t n)
{
    assert(p != NULL && (weights != NULL || n == 0));
    p->n = 0;
    p->total = 0;
    p->ends = NULL;

    /* Sum first, in 64 bits so that it cannot wrap (n * (2^32 - 1) < 2^64 for any n a
     * size_t can count on a 64-bit machine; stop early on a 32-bit one anyway). */
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += weights[i];
        if (total > SIM_PICK_MAX_TOTAL)
            return -1; /* Envoy rejects a sum that does not fit in 32 bits */
    }
    if (total == 0)
        return -1; /* nothing to pick: Envoy would never build such a split */

    uint64_t *ends = model_xmalloc(n * sizeof *ends);
    uint64_t end = 0;
    for (size_t i = 0; i < n; i++) {
        end += weights[i];
        ends[i] = end;
    }
    p->n = n;
    p->total = total;
    p->ends = ends;
    /* floor(2^64 / total): UINT64_MAX / total is one less exactly when total divides
     * 2^64, i.e. when the remainder of UINT64_MAX is total - 1.  For total == 1, 2^64
     * does not fit; 2^64 - 1 still leaves at most one correction (see pick.h). */
    p->recip =
        total == 1 ? UINT64_MAX : UINT64_MAX / total + (UINT64_MAX % total == total - 1 ? 1 : 0);
    return 0;
}

void sim_pick_deinit(sim_pick *p)
{
    assert(p != NULL);
    free(p->ends);
    p->n = 0;
    p->total = 0;
    p->ends = NULL;
}
