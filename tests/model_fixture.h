/*
 * tests/model_fixture.h - scenarios from YAML text for the model's unit tests.
 *
 * Shared by the test files that need a loaded scenario (test_mesh.c, test_match.c,
 * test_resolve.c, test_load.c); static functions, so each test executable has its own copy.
 * Every scenario and list returned here is the caller's to free.
 */
#ifndef TESTS_MODEL_FIXTURE_H
#define TESTS_MODEL_FIXTURE_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/load.h"

/* Every diagnostic of `errs`, one `line:col: message` (warnings marked) per line;
 * malloc'd. */
static inline char *fixture_diags(const model_errors *errs)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    for (size_t i = 0; i < model_errors_size(errs); i++) {
        const model_diag *d = model_errors_at(errs, i);
        fprintf(f, "%d:%d: %s%s\n", d->line, d->col,
                d->severity == MODEL_WARNING ? "warning: " : "", d->message);
    }
    fclose(f);
    return buf;
}

/* Loads `yaml` (called "t.yaml") with `opts`, which must succeed; warnings go to *warnings
 * when it is not NULL (else there must be none). */
static inline model_scenario *fixture_load_opts(const char *yaml, const model_load_options *opts,
                                                model_errors **warnings)
{
    model_errors *errs = model_errors_new();
    model_scenario *s = model_scenario_load_string("t.yaml", yaml, strlen(yaml), opts, errs);
    if (!s || (!warnings && model_errors_size(errs))) {
        char *text = fixture_diags(errs);
        cr_log_error("unexpected diagnostics:\n%s", text);
        free(text);
    }
    cr_assert_not_null(s, "the scenario did not load");
    if (warnings)
        *warnings = errs;
    else {
        cr_assert_eq(model_errors_size(errs), 0, "unexpected warnings");
        model_errors_free(errs);
    }
    return s;
}

static inline model_scenario *fixture_load(const char *yaml)
{
    return fixture_load_opts(yaml, NULL, NULL);
}

/* Loads `yaml`, which must fail; returns the diagnostics (free with model_errors_free). */
static inline model_errors *fixture_load_fails(const char *yaml)
{
    model_errors *errs = model_errors_new();
    model_scenario *s = model_scenario_load_string("t.yaml", yaml, strlen(yaml), NULL, errs);
    cr_assert_null(s, "the scenario loaded but should not have");
    cr_assert_gt(model_errors_count(errs), 0);
    return errs;
}

/* True if some diagnostic's message contains `part`. */
static inline bool fixture_has_diag(const model_errors *errs, const char *part)
{
    for (size_t i = 0; i < model_errors_size(errs); i++)
        if (strstr(model_errors_at(errs, i)->message, part))
            return true;
    return false;
}

/* The dataplane `name`, which must exist. */
static inline const model_dataplane *fixture_dp(const model_scenario *s, const char *name)
{
    const model_dataplane *dp = model_scenario_dataplane(s, name);
    cr_assert_not_null(dp, "no dataplane %s", name);
    return dp;
}

/* The policy `name`, which must exist. */
static inline const model_policy *fixture_policy(const model_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->n_policies; i++)
        if (!strcmp(s->policies[i].name, name))
            return &s->policies[i];
    cr_assert_fail("no policy %s", name);
    return NULL;
}

#endif
