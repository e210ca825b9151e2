/*
 * expect.h - a scenario's `expect` entries checked against a run (docs/manual.md §2).
 *
 * Every check compares integer counts where it can: a tolerance check is
 * |count * 100000 - expected_milli * total| <= tolerance_milli * total, so the edges of a
 * tolerance never depend on floating-point rounding.  A statistical check is a chi-square
 * goodness of fit at the expectation's confidence; categories whose expected count is
 * below 5 make the test unreliable, and the expectation then fails saying so instead of
 * passing or failing on noise.  A split or failed check over a window that saw no
 * connection fails too: a share of nothing holds no matter what it claims.
 */
#ifndef SIM_EXPECT_H
#define SIM_EXPECT_H

#include "sim/run.h"

typedef struct sim_expect_result {
    const model_expect *expect;
    const sim_window *window;
    bool passed;
    char detail[1024]; /* the numbers that decided, one clause per check */
} sim_expect_result;

/* Evaluates the expectations of the scenario `r` ran; fills out[0..n_expects).  Returns
 * how many failed. */
size_t sim_expect_evaluate(const sim_result *r, sim_expect_result *out);

#endif
