/*
 * tests/test_schema.c - the value readers (durations, rates, percentages, bounded
 * integers), the did-you-mean hints, and how field paths read in messages.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "schema.h"

/* One scalar (or any YAML value) to feed the readers, plus the context they report to. */
typedef struct fixture {
    model_arena *a;
    model_errors *errs;
    schema_ctx c;
} fixture;

static fixture fixture_new(const char *subject)
{
    fixture f = {model_arena_new(), model_errors_new(), {0}};
    schema_init(&f.c, f.a, f.errs, subject);
    return f;
}

static void fixture_free(fixture *f)
{
    model_errors_free(f->errs);
    model_arena_free(f->a);
}

/* The root of `yaml`, parsed in the fixture's arena. */
static const model_node *node(fixture *f, const char *yaml)
{
    model_node **docs;
    size_t n;
    cr_assert_eq(model_yaml_parse(f->a, "s.yaml", yaml, strlen(yaml), NULL, f->errs, &docs, &n), 0);
    cr_assert_eq(n, 1);
    return docs[0];
}

/* The message of the last diagnostic. */
static const char *last(const fixture *f)
{
    size_t n = model_errors_size(f->errs);
    cr_assert_gt(n, 0, "no diagnostic recorded");
    return model_errors_at(f->errs, n - 1)->message;
}

Test(schema, durations)
{
    static const struct {
        const char *text;
        uint64_t ns;
    } ok[] = {
        {"0", 0},
        {"0s", 0},
        {"250ms", 250000000ULL},
        {"1m30s", 90000000000ULL},
        {"2h", 7200000000000ULL},
        {"1h1m1s1ms1us1ns", 3661001001001ULL},
        {"30s", 30000000000ULL},
        {"1000000h", 3600000000000000000ULL},
        {"2000000h", 7200000000000000000ULL},
        {"2562047h47m16s", 9223372036000000000ULL}, /* the longest (SCHEMA_MAX_DURATION) */
        {"9223372036000000000ns", 9223372036000000000ULL},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t ns = 1;
        cr_expect_eq(schema_parse_duration(ok[i].text, &ns), 0, "%s", ok[i].text);
        cr_expect_eq(ns, ok[i].ns, "%s", ok[i].text);
    }
}

Test(schema, durations_refused)
{
    static const char *const bad[] = {
        "",
        "s",
        "1",
        "1.5s",
        "-1s",
        "1 s",
        "1d",
        "1m30",
        "abc",
        "1sx",
        "ms",
        "00",
        "+1s",
        "1S",
        "18446744073709551616x", /* malformed wins over too long */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t ns = 7;
        cr_expect_eq(schema_parse_duration(bad[i], &ns), -1, "\"%s\" accepted", bad[i]);
        cr_expect_eq(ns, 7, "\"%s\" wrote the output", bad[i]);
    }
    /* Well formed but longer than SCHEMA_MAX_DURATION: -2, so the message can say so. */
    static const char *const too_long[] = {
        "2562047h47m17s",
        "9223372036000000001ns",
        "18446744073709551616ns", /* past 2^64 while reading digits */
        "5124096h",               /* 1.8447e19 ns: the product overflows */
        "9223372036000000000ns1ns",
        "18446744073709551615ns1ns", /* the sum overflows */
    };
    for (size_t i = 0; i < sizeof too_long / sizeof too_long[0]; i++) {
        uint64_t ns = 7;
        cr_expect_eq(schema_parse_duration(too_long[i], &ns), -2, "\"%s\"", too_long[i]);
        cr_expect_eq(ns, 7, "\"%s\" wrote the output", too_long[i]);
    }
}

Test(schema, a_too_long_duration_gives_the_maximum)
{
    fixture f = fixture_new(NULL);
    size_t old = schema_push_key(&f.c, "hold");
    uint64_t ns;
    cr_expect_eq(schema_duration(&f.c, node(&f, "3000000h"), &ns), -1);
    cr_expect_str_eq(last(&f), "hold: at most 2562047h47m16s (about 292 years), got \"3000000h\"");
    schema_pop(&f.c, old);
    fixture_free(&f);
}

Test(schema, duration_message_names_the_value)
{
    fixture f = fixture_new(NULL);
    size_t old = schema_push_key(&f.c, "hold");
    uint64_t ns;
    cr_expect_eq(schema_duration(&f.c, node(&f, "1d"), &ns), -1);
    cr_expect_str_eq(last(&f), "hold: expected a duration such as 30s, 1m30s or 250ms (units ns, "
                               "us, ms, s, m, h), got \"1d\"");
    cr_expect_eq(schema_duration(&f.c, node(&f, "~"), &ns), -1);
    cr_expect(strstr(last(&f), "got null") != NULL, "got: %s", last(&f));
    cr_expect_eq(schema_duration(&f.c, node(&f, "[1s]"), &ns), -1);
    cr_expect(strstr(last(&f), "got a list") != NULL, "got: %s", last(&f));
    schema_pop(&f.c, old);
    cr_expect_eq(schema_duration(&f.c, node(&f, "1m30s"), &ns), 0);
    cr_expect_eq(ns, 90000000000ULL);
    cr_expect_eq(model_errors_count(f.errs), 3);
    fixture_free(&f);
}

Test(schema, rates)
{
    static const struct {
        const char *text;
        uint64_t count, unit;
    } ok[] = {
        {"500/s", 500, 1000000000ULL},
        {"30/m", 30, 60000000000ULL},
        {"100/h", 100, 3600000000000ULL},
        {"1/s", 1, 1000000000ULL},
        {"1000000000/s", 1000000000ULL, 1000000000ULL}, /* one per nanosecond */
        {"60000000000/m", 60000000000ULL, 60000000000ULL},
        {"3600000000000/h", 3600000000000ULL, 3600000000000ULL},
    };
    fixture f = fixture_new(NULL);
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t count = 0, unit = 0;
        cr_expect_eq(schema_rate(&f.c, node(&f, ok[i].text), &count, &unit), 0, "%s", ok[i].text);
        cr_expect_eq(count, ok[i].count, "%s", ok[i].text);
        cr_expect_eq(unit, ok[i].unit, "%s", ok[i].text);
    }
    cr_expect_eq(model_errors_size(f.errs), 0);
    static const char *const bad[] = {"0/s",  "1/d",  "/s",    "1.5/s", "500",          "500/",
                                      "-1/s", "1/sec", "x/s",  "60000000001/m", "1000000000001/s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t count = 0, unit = 0;
        cr_expect_eq(schema_rate(&f.c, node(&f, bad[i]), &count, &unit), -1, "%s", bad[i]);
    }
    cr_expect_eq(model_errors_count(f.errs), sizeof bad / sizeof bad[0]);
    cr_expect_str_eq(last(&f), "at most 1000000000/s (one connection per nanosecond, the clock's "
                               "resolution), got \"1000000000001/s\"");
    fixture_free(&f);
}

Test(schema, percentages_in_thousandths)
{
    static const struct {
        const char *text;
        uint32_t milli;
    } ok[] = {
        {"0", 0},          {"100", 100000},     {"90", 90000}, {"12.5", 12500},  {"0.125", 125},
        {"99.999", 99999}, {"100.000", 100000}, {"0.0", 0},    {"33.33", 33330}, {"007", 7000},
    };
    fixture f = fixture_new(NULL);
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint32_t milli = 1;
        cr_expect_eq(schema_percent(&f.c, node(&f, ok[i].text), &milli), 0, "%s", ok[i].text);
        cr_expect_eq(milli, ok[i].milli, "%s", ok[i].text);
    }
    cr_expect_eq(model_errors_size(f.errs), 0);
    static const char *const bad[] = {"100.001", "101", "0.1234", "-1",   "+5", "1e2",
                                      "5.",      ".5",  "50%",    "1000", "abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t milli = 1;
        cr_expect_eq(schema_percent(&f.c, node(&f, bad[i]), &milli), -1, "%s", bad[i]);
    }
    cr_expect_eq(model_errors_count(f.errs), sizeof bad / sizeof bad[0]);
    fixture_free(&f);
}

Test(schema, quoted_numbers_are_strings)
{
    fixture f = fixture_new(NULL);
    uint32_t milli;
    uint64_t v;
    cr_expect_eq(schema_percent(&f.c, node(&f, "\"50\""), &milli), -1);
    cr_expect(
        !strncmp(last(&f), "expected a percentage 0..100 with at most 3 decimals, got \"50\"", 60),
        "got: %s", last(&f));
    cr_expect(strstr(last(&f), "because of the quotes") != NULL, "got: %s", last(&f));
    cr_expect_eq(schema_uint(&f.c, node(&f, "'80'"), 65535, &v), -1);
    cr_expect(strstr(last(&f), "because of the quotes") != NULL, "got: %s", last(&f));
    /* A quoted value that would be wrong anyway gets no such hint. */
    cr_expect_eq(schema_uint(&f.c, node(&f, "\"ten\""), 65535, &v), -1);
    cr_expect_str_eq(last(&f), "expected an integer 0..65535, got \"ten\"");
    fixture_free(&f);
}

Test(schema, uint_ranges)
{
    fixture f = fixture_new(NULL);
    uint64_t v = 0;
    cr_expect_eq(schema_uint(&f.c, node(&f, "65535"), 65535, &v), 0);
    cr_expect_eq(v, 65535);
    cr_expect_eq(schema_uint(&f.c, node(&f, "0"), 65535, &v), 0);
    cr_expect_eq(v, 0);
    cr_expect_eq(schema_uint(&f.c, node(&f, "18446744073709551615"), UINT64_MAX, &v), 0);
    cr_expect_eq(v, UINT64_MAX);
    cr_expect_eq(schema_uint(&f.c, node(&f, "4294967295"), UINT32_MAX, &v), 0);
    cr_expect_eq(v, 4294967295ULL);
    cr_expect_eq(model_errors_size(f.errs), 0);

    v = 9;
    cr_expect_eq(schema_uint(&f.c, node(&f, "65536"), 65535, &v), -1);
    cr_expect_str_eq(last(&f), "expected an integer 0..65535, got \"65536\"");
    cr_expect_eq(schema_uint(&f.c, node(&f, "4294967296"), UINT32_MAX, &v), -1);
    cr_expect_eq(schema_uint(&f.c, node(&f, "18446744073709551616"), UINT64_MAX, &v), -1);
    cr_expect_eq(schema_uint(&f.c, node(&f, "-1"), 65535, &v), -1);
    cr_expect_eq(schema_uint(&f.c, node(&f, "1.0"), 65535, &v), -1);
    cr_expect_eq(schema_uint(&f.c, node(&f, "0x10"), 65535, &v), -1);
    cr_expect_eq(schema_uint(&f.c, node(&f, "{a: 1}"), 65535, &v), -1);
    cr_expect_str_eq(last(&f), "expected an integer 0..65535, got a mapping");
    cr_expect_eq(schema_uint(&f.c, NULL, 65535, &v), -1);
    cr_expect_str_eq(last(&f), "expected an integer 0..65535, got nothing");
    cr_expect_eq(v, 9, "a refused value leaves the output alone");
    fixture_free(&f);
}

Test(schema, bools_and_strings)
{
    fixture f = fixture_new(NULL);
    bool b = false;
    const char *s = NULL;
    cr_expect_eq(schema_bool(&f.c, node(&f, "true"), &b), 0);
    cr_expect(b);
    cr_expect_eq(schema_bool(&f.c, node(&f, "false"), &b), 0);
    cr_expect_not(b);
    cr_expect_eq(schema_bool(&f.c, node(&f, "yes"), &b), -1);
    cr_expect_eq(schema_bool(&f.c, node(&f, "\"true\""), &b), -1);
    cr_expect_eq(schema_string(&f.c, node(&f, "'42'"), &s), 0);
    cr_expect_str_eq(s, "42");
    cr_expect_eq(schema_string(&f.c, node(&f, "null"), &s), -1);
    cr_expect_str_eq(last(&f), "expected a string, got null");
    fixture_free(&f);
}

Test(schema, did_you_mean)
{
    static const char *const route_keys[] = {"targetRef",   "to",      "rules",
                                             "backendRefs", "default", NULL};
    static const char *const top[] = {"scenario", "description", "seed",   "kuma", "mesh",
                                      "services", "traffic",     "expect", NULL};
    cr_expect_str_eq(schema_suggest("backendrefs", route_keys), "backendRefs");
    cr_expect_str_eq(schema_suggest("BackendRefs", route_keys), "backendRefs");
    cr_expect_str_eq(schema_suggest("targetref", route_keys), "targetRef");
    cr_expect_str_eq(schema_suggest("rulez", route_keys), "rules");
    cr_expect_str_eq(schema_suggest("trafic", top), "traffic");
    cr_expect_str_eq(schema_suggest("sed", top), "seed");
    cr_expect_str_eq(schema_suggest("scenarios", top), "scenario");
    cr_expect_str_eq(schema_suggest("descrption", top), "description");
    /* Too far for the word's length: no hint. */
    cr_expect_null(schema_suggest("xyz", top));
    cr_expect_null(schema_suggest("mxsx", top), "short words allow one edit");
    cr_expect_null(schema_suggest("destinations", top));
    cr_expect_null(schema_suggest("anything", (const char *const[]){NULL}));
    static const char *const names[] = {"web-1", "web-2", "backend-1"};
    cr_expect_str_eq(model_suggest("backend-2", names, 3), "backend-1");
    cr_expect_str_eq(model_suggest("web-3", names, 2), "web-1", "first of equals wins");
}

Test(schema, unknown_keys_with_hints_at_the_key)
{
    fixture f = fixture_new("MeshTCPRoute 'canary'");
    static const char *const to_keys[] = {"targetRef", "rules", NULL};
    const model_node *item = node(&f, "targetRef: {kind: Mesh}\n"
                                      "rulez: []\n"
                                      "weight: 3\n");
    size_t o1 = schema_push_key(&f.c, "spec");
    schema_push_key(&f.c, "to");
    schema_push_index(&f.c, 0);
    cr_expect_eq(schema_check_keys(&f.c, item, to_keys), 2);
    schema_pop(&f.c, o1);
    cr_assert_eq(model_errors_count(f.errs), 2);
    const model_diag *d0 = model_errors_at(f.errs, 0), *d1 = model_errors_at(f.errs, 1);
    cr_expect_str_eq(d0->message, "MeshTCPRoute 'canary' spec.to[0].rulez: unknown field "
                                  "'rulez' (did you mean 'rules'?)");
    cr_expect_eq(d0->line, 2);
    cr_expect_eq(d0->col, 1);
    cr_expect_str_eq(d1->message, "MeshTCPRoute 'canary' spec.to[0].weight: unknown field "
                                  "'weight'");
    cr_expect_eq(d1->line, 3);
    cr_expect_eq(f.c.len, 0, "popped back to the root");
    fixture_free(&f);
}

Test(schema, paths_in_messages)
{
    fixture f = fixture_new("MeshTCPRoute 'canary'");
    model_mark m = {"s.yaml", 5, 9};
    size_t o1 = schema_push_key(&f.c, "spec");
    size_t o2 = schema_push_key(&f.c, "to");
    schema_push_index(&f.c, 0);
    schema_push_key(&f.c, "targetRef");
    schema_push_key(&f.c, "tags");
    size_t o3 = schema_push_tag(&f.c, "kuma.io/service");
    cr_expect_str_eq(f.c.path, "spec.to[0].targetRef.tags[\"kuma.io/service\"]");
    schema_fail_at(&f.c, m, "tag has to exist");
    cr_expect_str_eq(last(&f), "MeshTCPRoute 'canary' spec.to[0].targetRef.tags[\"kuma.io/"
                               "service\"]: tag has to exist");
    cr_expect_eq(model_errors_at(f.errs, 0)->line, 5);
    cr_expect_eq(model_errors_at(f.errs, 0)->col, 9);
    schema_pop(&f.c, o3);
    cr_expect_str_eq(f.c.path, "spec.to[0].targetRef.tags");
    schema_pop(&f.c, o2);
    cr_expect_str_eq(f.c.path, "spec");
    schema_push_index(&f.c, 12);
    cr_expect_str_eq(f.c.path, "spec[12]");
    schema_pop(&f.c, o1);
    cr_expect_str_eq(f.c.path, "");
    /* Subject alone: "subject: message"; neither: the message alone. */
    schema_fail_at(&f.c, m, "spec: must be set");
    cr_expect_str_eq(last(&f), "MeshTCPRoute 'canary': spec: must be set");
    schema_ctx bare;
    schema_init(&bare, f.a, f.errs, NULL);
    schema_fail_at(&bare, m, "empty scenario");
    cr_expect_str_eq(last(&f), "empty scenario");
    size_t o4 = schema_push_key(&bare, "traffic");
    schema_push_index(&bare, 1);
    schema_push_key(&bare, "rate");
    schema_fail_at(&bare, m, "bad");
    cr_expect_str_eq(last(&f), "traffic[1].rate: bad");
    schema_pop(&bare, o4);
    /* A key holding quotes or backslashes is escaped as Go's %q would. */
    schema_push_tag(&bare, "a\"b\\c");
    cr_expect_str_eq(bare.path, "[\"a\\\"b\\\\c\"]");
    fixture_free(&f);
}

Test(schema, path_is_cut_not_overflowed)
{
    fixture f = fixture_new(NULL);
    char key[100];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    for (int i = 0; i < 20; i++)
        schema_push_key(&f.c, key);
    cr_expect_eq(f.c.len, sizeof f.c.path - 1);
    cr_expect_eq(strlen(f.c.path), sizeof f.c.path - 1);
    schema_pop(&f.c, 0);
    cr_expect_str_eq(f.c.path, "");
    fixture_free(&f);
}

Test(schema, tags_modes)
{
    fixture f = fixture_new(NULL);
    model_tags t;
    cr_expect_eq(
        schema_tags(&f.c, node(&f, "{version: v1, kuma.io/service: web}"), SCHEMA_TAGS_KUMA, &t),
        0);
    cr_assert_eq(t.n, 2);
    cr_expect_str_eq(t.v[0].key, "kuma.io/service");
    /* "*" is a selector value, not a Kuma tag value. */
    cr_expect_eq(schema_tags(&f.c, node(&f, "{version: '*'}"), SCHEMA_TAGS_SELECTOR, &t), 0);
    cr_expect_str_eq(model_tags_get(&t, "version"), "*");
    cr_expect_eq(model_errors_count(f.errs), 0);
    cr_expect_eq(schema_tags(&f.c, node(&f, "{version: '*'}"), SCHEMA_TAGS_KUMA, &t), -1);
    cr_expect_str_eq(last(&f), "[\"version\"]: tag value must consist of alphanumeric "
                               "characters, dots, dashes and underscores");
    cr_expect_eq(schema_tags(&f.c, node(&f, "{version: ''}"), SCHEMA_TAGS_KUMA, &t), -1);
    cr_expect_str_eq(last(&f), "[\"version\"]: tag value must be non-empty");
    cr_expect_eq(schema_tags(&f.c, node(&f, "{'a b': x}"), SCHEMA_TAGS_SELECTOR, &t), -1);
    /* Request headers take anything. */
    cr_expect_eq(schema_tags(&f.c, node(&f, "{'x-a b': 'any value *'}"), SCHEMA_TAGS_ANY, &t), 0);
    cr_expect_eq(schema_tags(&f.c, node(&f, "[a]"), SCHEMA_TAGS_ANY, &t), -1);
    cr_expect_str_eq(last(&f), "expected a mapping, got a list");
    fixture_free(&f);
}

Test(schema, timestamps_are_rfc3339_in_nanoseconds_utc)
{
    int64_t ns;
    cr_assert_eq(schema_parse_timestamp("1970-01-01T00:00:00Z", &ns), 0);
    cr_expect_eq(ns, 0);
    cr_assert_eq(schema_parse_timestamp("2024-05-01T10:00:00Z", &ns), 0);
    cr_expect_eq(ns, INT64_C(1714557600) * 1000000000);
    cr_assert_eq(schema_parse_timestamp("2024-05-01T12:00:00.5+02:00", &ns), 0);
    cr_expect_eq(ns, INT64_C(1714557600) * 1000000000 + 500000000, "offsets move to UTC");
    cr_assert_eq(schema_parse_timestamp("1969-12-31T23:59:59.000000001Z", &ns), 0);
    cr_expect_eq(ns, -999999999);
    cr_assert_eq(schema_parse_timestamp("2024-02-29T00:00:00Z", &ns), 0, "a leap day");
    static const char *const bad[] = {"2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
                                      "2024-05-01T24:00:00Z", "2024-05-01T10:00:00",
                                      "2024-05-01", "yesterday", "2024-05-01T10:00:00.Z",
                                      "1012-01-01T00:00:00Z", "2262-06-01T00:00:00Z", NULL};
    for (size_t i = 0; bad[i]; i++)
        cr_expect_eq(schema_parse_timestamp(bad[i], &ns), -1, "%s", bad[i]);
}
