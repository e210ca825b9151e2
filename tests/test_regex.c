/*
 * tests/test_regex.c - regular expressions as Envoy's RE2 matches them: a full match
 * (anchored at both ends, whatever the pattern says), RE2's syntax (Perl classes, named
 * groups, non-greedy repeats) and what RE2 refuses (backreferences, lookaround,
 * possessive repeats, repeat counts above 1000), with RE2's reason; and the set that
 * compiles a scenario's patterns once each, within its limits.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "model/regex.h"

static model_regex *compile(model_arena *a, const char *pattern)
{
    char err[256] = "";
    model_regex *re = model_regex_compile(a, pattern, strlen(pattern), err, sizeof err);
    cr_assert_not_null(re, "'%s' refused: %s", pattern, err);
    return re;
}

static bool full(const model_regex *re, const char *s)
{
    return model_regex_full_match(re, s, strlen(s));
}

Test(regex, the_whole_value_must_match)
{
    model_arena *a = model_arena_new();
    model_regex *re = compile(a, "/api/v[0-9]+");
    cr_expect(full(re, "/api/v1"));
    cr_expect(full(re, "/api/v10"));
    cr_expect_not(full(re, "/api/v1/users"), "a prefix match is not a full match");
    cr_expect_not(full(re, "x/api/v1"), "nor a match inside");
    cr_expect_not(full(re, "/api/v"));
    /* An alternation is anchored as a whole: not `^a|b$`. */
    model_regex *alt = compile(a, "a|b");
    cr_expect(full(alt, "a"));
    cr_expect_not(full(alt, "ab"));
    /* Anchors written by the user change nothing. */
    model_regex *anchored = compile(a, "^/x$");
    cr_expect(full(anchored, "/x"));
    cr_expect_not(full(anchored, "/xy"));
    model_arena_free(a);
}

Test(regex, the_empty_pattern_matches_only_the_empty_value)
{
    model_arena *a = model_arena_new();
    model_regex *re = compile(a, "");
    cr_expect(full(re, ""));
    cr_expect_not(full(re, "a"));
    model_arena_free(a);
}

Test(regex, re2_syntax_is_understood)
{
    model_arena *a = model_arena_new();
    cr_expect(full(compile(a, "\\d{3}-\\w+"), "123-abc"));
    cr_expect(full(compile(a, "(?P<version>v\\d+)\\.x"), "v2.x"), "named groups");
    cr_expect(full(compile(a, "(?i)canary"), "CaNaRy"), "inline flags");
    cr_expect(full(compile(a, "a.*?b"), "axxb"), "non-greedy repeats");
    cr_expect(full(compile(a, "[[:alpha:]]+"), "abc"), "POSIX classes");
    cr_expect(full(compile(a, "\\pL+"), "\xc3\xa9t\xc3\xa9"), "UTF-8 and Unicode classes");
    cr_expect_not(full(compile(a, "."), "\xc3\xa9\xc3\xa9"), "a dot is one code point");
    /* Case is significant unless asked otherwise. */
    cr_expect_not(full(compile(a, "canary"), "Canary"));
    model_arena_free(a);
}

Test(regex, a_value_is_matched_to_its_length_not_its_nul)
{
    model_arena *a = model_arena_new();
    model_regex *re = compile(a, "ab");
    cr_expect(model_regex_full_match(re, "abc", 2), "only the first 2 bytes");
    cr_expect_not(model_regex_full_match(re, "a\0b", 3));
    model_arena_free(a);
}

/* Patterns RE2 refuses, as Envoy would (it then rejects Kuma's whole route table). */
static void refused(const char *pattern, const char *reason)
{
    model_arena *a = model_arena_new();
    char err[256] = "";
    model_regex *re = model_regex_compile(a, pattern, strlen(pattern), err, sizeof err);
    cr_expect_null(re, "'%s' accepted", pattern);
    cr_expect(strstr(err, reason) != NULL, "'%s': reason \"%s\" lacks \"%s\"", pattern, err,
              reason);
    model_arena_free(a);
}

Test(regex, what_re2_refuses_is_refused_with_its_reason)
{
    refused("(a)\\1", "invalid escape sequence");
    refused("(?=x)", "invalid perl operator");
    refused("(?<=x)y", "invalid");
    refused("(?!x)", "invalid perl operator");
    refused("a**", "bad repetition operator");
    refused("a++", "bad repetition operator");
    refused("a{1001}", "invalid repetition size");
    refused("(", "missing )");
    refused(")", "unexpected )");
    refused("[a", "missing ]");
    refused("[z-a]", "invalid character class range");
    refused("\\", "trailing \\");
    refused("\xff", "invalid UTF-8");
}

Test(regex, compiled_expressions_live_until_their_arena_is_freed)
{
    /* Many expressions in one arena: each is released with it (the ASan build checks
     * that nothing leaks and nothing is freed twice). */
    model_arena *a = model_arena_new();
    model_regex *first = compile(a, "first");
    for (int i = 0; i < 200; i++)
        compile(a, "x+y*z?");
    cr_expect(full(first, "first"), "earlier expressions still work");
    model_arena_free(a);
}

Test(regex, a_set_compiles_each_pattern_once)
{
    model_arena *a = model_arena_new();
    model_regex_set *set = model_regex_set_new(a);
    char err[256];
    cr_assert_eq(model_regex_set_add(set, "/v[0-9]+", 8, err, sizeof err), MODEL_REGEX_ADDED);
    const model_regex *first = model_regex_set_get(set, "/v[0-9]+", 8);
    cr_assert_not_null(first);
    cr_assert_eq(model_regex_set_add(set, "/v[0-9]+", 8, err, sizeof err), MODEL_REGEX_ADDED);
    cr_expect_eq(model_regex_set_get(set, "/v[0-9]+", 8), first, "the same compiled program");
    cr_expect_null(model_regex_set_get(set, "/v[0-9]*", 8));
    cr_expect_eq(model_regex_set_add(set, "(", 1, err, sizeof err), MODEL_REGEX_REFUSED);
    cr_expect(strstr(err, "missing )") != NULL, "%s", err);
    cr_expect_null(model_regex_set_get(set, "(", 1), "a refused pattern is not kept");
    model_arena_free(a);
}

Test(regex, a_set_holds_at_most_its_limit_and_says_so_once)
{
    model_arena *a = model_arena_new();
    model_regex_set *set = model_regex_set_new(a);
    char err[256], p[32];
    for (int i = 0; i < MODEL_MAX_REGEXES; i++) {
        int n = snprintf(p, sizeof p, "x%d", i);
        cr_assert_eq(model_regex_set_add(set, p, (size_t)n, err, sizeof err), MODEL_REGEX_ADDED,
                     "pattern %d", i);
    }
    cr_expect_eq(model_regex_set_add(set, "x0", 2, err, sizeof err), MODEL_REGEX_ADDED,
                 "a pattern held already still counts");
    cr_expect_eq(model_regex_set_add(set, "one-more", 8, err, sizeof err), MODEL_REGEX_LIMIT);
    cr_expect(strstr(err, "more than 10000 distinct regular expressions") != NULL, "%s", err);
    cr_expect_eq(model_regex_set_add(set, "two-more", 8, err, sizeof err), MODEL_REGEX_LIMIT);
    cr_expect_str_eq(err, "", "the limit is said once");
    model_arena_free(a);
}

Test(regex, a_set_bounds_the_programs_it_holds)
{
    /* Each pattern is short; its program is not: a{1000} compiles to about 1000
     * instructions, so a few thousand of them reach the bound long before the count. */
    model_arena *a = model_arena_new();
    model_regex_set *set = model_regex_set_new(a);
    char err[256], p[32];
    model_regex_added got = MODEL_REGEX_ADDED;
    int i = 0;
    for (; i < MODEL_MAX_REGEXES && got == MODEL_REGEX_ADDED; i++) {
        int n = snprintf(p, sizeof p, "%d[ab]{1000}", i);
        got = model_regex_set_add(set, p, (size_t)n, err, sizeof err);
    }
    cr_expect_eq(got, MODEL_REGEX_LIMIT, "stopped after %d patterns", i);
    cr_expect(strstr(err, "compile to more than 4000000 RE2 instructions") != NULL, "%s", err);
    model_arena_free(a);
}
