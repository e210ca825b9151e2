/*
 * tests/test_error.c - the diagnostics list: kept in the order found, the same message at
 * the same place said once, warnings apart from errors, printed as file:line:col.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/error.h"

/* Everything model_errors_print writes, as a malloc'd string. */
static char *printed(const model_errors *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    model_errors_print(e, f);
    fclose(f);
    return buf;
}

Test(error, fail_returns_minus_one_and_records)
{
    model_errors *e = model_errors_new();
    cr_expect_eq(model_errors_count(e), 0);
    cr_expect_eq(model_errors_size(e), 0);
    cr_expect_eq(model_fail(e, (model_mark){"s.yaml", 3, 7}, "bad %s #%d", "weight", 2), -1);
    cr_assert_eq(model_errors_size(e), 1);
    const model_diag *d = model_errors_at(e, 0);
    cr_expect_eq(d->severity, MODEL_ERROR);
    cr_expect_str_eq(d->file, "s.yaml");
    cr_expect_eq(d->line, 3);
    cr_expect_eq(d->col, 7);
    cr_expect_str_eq(d->message, "bad weight #2");
    cr_expect_null(model_errors_at(e, 1));
    model_errors_free(e);
}

Test(error, null_list_drops_but_still_fails)
{
    cr_expect_eq(model_fail(NULL, (model_mark){"x", 1, 1}, "probe"), -1);
    model_warn(NULL, (model_mark){"x", 1, 1}, "probe");
    cr_expect_eq(model_errors_count(NULL), 0);
    cr_expect_eq(model_errors_size(NULL), 0);
    model_errors_free(NULL);
}

Test(error, order_is_the_order_found)
{
    model_errors *e = model_errors_new();
    model_fail(e, (model_mark){"b.yaml", 9, 1}, "third line first");
    model_warn(e, (model_mark){"a.yaml", 1, 1}, "then a warning");
    model_fail(e, (model_mark){"a.yaml", 2, 5}, "then an error");
    cr_assert_eq(model_errors_size(e), 3);
    cr_expect_str_eq(model_errors_at(e, 0)->message, "third line first");
    cr_expect_str_eq(model_errors_at(e, 1)->message, "then a warning");
    cr_expect_str_eq(model_errors_at(e, 2)->message, "then an error");
    model_errors_free(e);
}

Test(error, same_message_same_place_said_once)
{
    model_errors *e = model_errors_new();
    model_mark m = {"s.yaml", 4, 2};
    model_fail(e, m, "duplicate key 'x'");
    model_fail(e, m, "duplicate key '%s'", "x");
    cr_expect_eq(model_errors_size(e), 1);
    cr_expect_eq(model_errors_count(e), 1);
    /* Another column, another file or another text is another diagnostic. */
    model_fail(e, (model_mark){"s.yaml", 4, 3}, "duplicate key 'x'");
    model_fail(e, (model_mark){"t.yaml", 4, 2}, "duplicate key 'x'");
    model_fail(e, m, "duplicate key 'y'");
    cr_expect_eq(model_errors_size(e), 4);
    cr_expect_eq(model_errors_count(e), 4);
    model_errors_free(e);
}

Test(error, warnings_are_not_errors)
{
    model_errors *e = model_errors_new();
    model_warn(e, (model_mark){"s.yaml", 1, 1}, "skipping MeshRetry resources");
    model_warn(e, (model_mark){"s.yaml", 1, 1}, "skipping MeshRetry resources");
    cr_expect_eq(model_errors_count(e), 0);
    cr_expect_eq(model_errors_size(e), 1);
    cr_expect_eq(model_errors_at(e, 0)->severity, MODEL_WARNING);
    model_fail(e, (model_mark){"s.yaml", 2, 1}, "real problem");
    cr_expect_eq(model_errors_count(e), 1);
    cr_expect_eq(model_errors_size(e), 2);
    model_errors_free(e);
}

Test(error, print_format)
{
    model_errors *e = model_errors_new();
    model_fail(e, (model_mark){"c.yaml", 14, 11}, "backendRefs[1].weight: bad");
    model_warn(e, (model_mark){"c.yaml", 2, 3}, "skipping Mesh resources");
    model_fail(e, (model_mark){"missing.yaml", 0, 0}, "cannot read missing.yaml");
    model_fail(e, (model_mark){NULL, 5, 1}, "no file");
    char *out = printed(e);
    cr_expect_str_eq(out, "c.yaml:14:11: backendRefs[1].weight: bad\n"
                          "c.yaml:2:3: warning: skipping Mesh resources\n"
                          "missing.yaml: cannot read missing.yaml\n"
                          ":5:1: no file\n");
    free(out);
    model_errors_free(e);
}

Test(error, list_is_capped_and_says_how_many_were_dropped)
{
    model_errors *e = model_errors_new();
    for (int i = 1; i <= 205; i++)
        model_fail(e, (model_mark){"s.yaml", i, 1}, "problem %d", i);
    /* All counted as errors, only the first 200 kept. */
    cr_expect_eq(model_errors_count(e), 205);
    cr_expect_eq(model_errors_size(e), 200);
    cr_expect_str_eq(model_errors_at(e, 199)->message, "problem 200");
    char *out = printed(e);
    const char *tail = "splitsim: 5 more problems not shown\n";
    size_t n = strlen(out), t = strlen(tail);
    cr_assert_geq(n, t);
    cr_expect_str_eq(out + n - t, tail);
    free(out);
    model_errors_free(e);
}

Test(error, suggest_counts_swaps_and_measures_by_the_longer_name)
{
    static const char *const keys[] = {"scenario", "seed", "count", "tags", "traffic", "to"};
    size_t n = sizeof keys / sizeof keys[0];
    cr_expect_str_eq(model_suggest("sede", keys, n), "seed", "a swap of neighbours is one edit");
    cr_expect_str_eq(model_suggest("cnt", keys, n), "count", "two letters dropped from five");
    cr_expect_str_eq(model_suggest("trafic", keys, n), "traffic");
    cr_expect_str_eq(model_suggest("Tags", keys, n), "tags", "case costs nothing");
    cr_expect_str_eq(model_suggest("scenaroi", keys, n), "scenario");
    cr_expect_null(model_suggest("xyz", keys, n), "nothing close");
    cr_expect_str_eq(model_suggest("t", keys, n), "to", "one letter kept of two");
    static const char *const one[] = {"b"};
    cr_expect_null(model_suggest("c", one, 1), "b is one edit from c, and no hint at all");
    static const char *const tie[] = {"web-1", "web-2"};
    cr_expect_str_eq(model_suggest("web-3", tie, 2), "web-1", "the first of equals wins");
}

Test(error, full_once_the_list_keeps_no_more)
{
    model_errors *e = model_errors_new();
    cr_expect_not(model_errors_full(e));
    for (int i = 0; i < 200; i++)
        model_fail(e, (model_mark){"f", i + 1, 1}, "problem %d", i);
    cr_expect(model_errors_full(e));
    cr_expect_not(model_errors_full(NULL));
    model_errors_free(e);
}
