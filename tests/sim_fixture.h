/*
 * tests/sim_fixture.h - scenarios from YAML text, simulated, for the simulator's unit tests
 * (test_run.c, test_expect.c, test_report.c).
 *
 * Static functions, so each test executable has its own copy.  Everything returned is the
 * caller's to free: strings with free(), scenarios with model_scenario_free(), results
 * with sim_result_free().
 */
#ifndef TESTS_SIM_FIXTURE_H
#define TESTS_SIM_FIXTURE_H

#include <criterion/criterion.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/load.h"
#include "sim/expect.h"
#include "sim/run.h"

/* A printf-formatted string; malloc'd. */
static inline char *simfx_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline char *simfx_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    cr_assert_geq(n, 0);
    char *s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Loads `yaml` (called "t.yaml") with `opts` (may be NULL); it must load without any
 * diagnostic, which is printed otherwise. */
static inline model_scenario *simfx_load_opts(const char *yaml, const model_load_options *opts)
{
    model_errors *errs = model_errors_new();
    model_scenario *s = model_scenario_load_string("t.yaml", yaml, strlen(yaml), opts, errs);
    if (!s || model_errors_size(errs)) {
        model_errors_print(errs, stderr);
        fprintf(stderr, "in:\n%s\n", yaml);
    }
    cr_assert_not_null(s, "the scenario did not load");
    cr_assert_eq(model_errors_size(errs), 0, "unexpected diagnostics");
    model_errors_free(errs);
    return s;
}

static inline model_scenario *simfx_load(const char *yaml)
{
    return simfx_load_opts(yaml, NULL);
}

/* The routing plan of `s`, which must be built without complaint (warnings included). */
static inline sim_plan *simfx_plan(const model_scenario *s)
{
    model_errors *errs = model_errors_new();
    sim_plan *p = sim_plan_new(s, errs);
    if (!p || model_errors_size(errs))
        model_errors_print(errs, stderr);
    cr_assert_not_null(p, "the plan was refused");
    model_errors_free(errs);
    return p;
}

/* Simulates `s`, which must be planned without complaint; free with simfx_free. */
static inline sim_result *simfx_run(const model_scenario *s)
{
    return sim_run(simfx_plan(s), NULL, NULL);
}

/* Frees a result of simfx_run and its plan. */
static inline void simfx_free(sim_result *r)
{
    if (!r)
        return;
    sim_plan *p = (sim_plan *)r->plan; /* simfx_run made it for this result alone */
    sim_result_free(r);
    sim_plan_free(p);
}

/* The index of the outcome called `name` in flow result `f`, or -1. */
static inline int simfx_outcome(const sim_flow_result *f, const char *name)
{
    for (size_t i = 0; i < f->plan->n_outcomes; i++)
        if (!strcmp(f->plan->outcomes[i].name, name))
            return (int)i;
    return -1;
}

/* The count of outcome `name` in window `w` of flow result `f` (0 if no such outcome). */
static inline uint64_t simfx_count(const sim_flow_result *f, const sim_window *w, const char *name)
{
    int o = simfx_outcome(f, name);
    return o < 0 ? 0 : w->count[o];
}

#endif
