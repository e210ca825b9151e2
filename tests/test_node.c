/*
 * tests/test_node.c - YAML into trees: one-based marks, plain versus quoted scalars,
 * multi-document streams, and the refusals (duplicate keys, merge keys, non-scalar keys,
 * alias cycles and bombs, deep nesting); then model_node_equal and the small accessors.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/node.h"

/* A parse, its arena and its diagnostics, freed together by parsed_free. */
typedef struct parsed {
    model_arena *a;
    model_errors *errs;
    model_node **docs;
    size_t ndocs;
    int rc;
} parsed;

static parsed parse(const char *yaml)
{
    parsed p = {model_arena_new(), model_errors_new(), NULL, 0, 0};
    p.rc = model_yaml_parse(p.a, "t.yaml", yaml, strlen(yaml), NULL, p.errs, &p.docs, &p.ndocs);
    return p;
}

static void parsed_free(parsed *p)
{
    model_errors_free(p->errs);
    model_arena_free(p->a);
}

/* Parses one document that must be valid and returns its root. */
static const model_node *root_of(parsed *p)
{
    cr_assert_eq(p->rc, 0, "parse failed: %s",
                 model_errors_size(p->errs) ? model_errors_at(p->errs, 0)->message : "?");
    cr_assert_eq(p->ndocs, 1);
    return p->docs[0];
}

/* The one diagnostic of a failed parse. */
static const model_diag *the_error(parsed *p)
{
    cr_assert_eq(p->rc, -1);
    cr_assert_eq(model_errors_count(p->errs), 1, "expected one error, got %zu",
                 model_errors_count(p->errs));
    return model_errors_at(p->errs, 0);
}

#define EXPECT_MARK(node, l, c)                                                                    \
    do {                                                                                           \
        cr_expect_eq((node)->mark.line, (l), "line of " #node);                                    \
        cr_expect_eq((node)->mark.col, (c), "column of " #node);                                   \
    } while (0)

Test(node, scalars_lists_and_mappings_with_one_based_marks)
{
    parsed p = parse("name: web\n"
                     "ports:\n"
                     "  - 80\n"
                     "  - \"443\"\n"
                     "meta: {zone: eu, n: 2}\n");
    const model_node *r = root_of(&p);
    cr_assert_eq(r->kind, MODEL_NODE_MAP);
    cr_assert_eq(r->n, 3);
    EXPECT_MARK(r, 1, 1);
    cr_expect_str_eq(r->mark.file, "t.yaml");
    /* Keys in written order, each with its own mark. */
    cr_expect_str_eq(r->keys[0]->text, "name");
    cr_expect_str_eq(r->keys[1]->text, "ports");
    cr_expect_str_eq(r->keys[2]->text, "meta");
    EXPECT_MARK(r->keys[1], 2, 1);
    const model_node *name = r->items[0];
    cr_expect_eq(name->kind, MODEL_NODE_SCALAR);
    cr_expect_str_eq(name->text, "web");
    cr_expect_eq(name->len, 3);
    EXPECT_MARK(name, 1, 7);
    const model_node *ports = r->items[1];
    cr_assert_eq(ports->kind, MODEL_NODE_SEQ);
    cr_assert_eq(ports->n, 2);
    cr_expect_null(ports->keys);
    EXPECT_MARK(ports, 3, 3); /* the first dash */
    EXPECT_MARK(ports->items[0], 3, 5);
    EXPECT_MARK(ports->items[1], 4, 5); /* the opening quote */
    const model_node *meta = r->items[2];
    cr_assert_eq(meta->kind, MODEL_NODE_MAP);
    EXPECT_MARK(meta, 5, 7);
    EXPECT_MARK(meta->keys[0], 5, 8);
    EXPECT_MARK(meta->items[1], 5, 21);
    cr_expect_str_eq(model_node_get(meta, "n")->text, "2");
    parsed_free(&p);
}

Test(node, plain_and_quoted_scalars)
{
    parsed p = parse("a: 10\n"
                     "b: \"10\"\n"
                     "c: '10'\n"
                     "d: !!str 10\n"
                     "e: null\n"
                     "f: ~\n"
                     "g:\n"
                     "h: \"null\"\n"
                     "i: NULL\n"
                     "j: |\n"
                     "  two\n"
                     "  lines\n");
    const model_node *r = root_of(&p);
    static const struct {
        const char *key, *text;
        bool plain, null;
    } want[] = {
        {"a", "10", true, false},  {"b", "10", false, false},
        {"c", "10", false, false}, {"d", "10", false, false},
        {"e", "null", true, true}, {"f", "~", true, true},
        {"g", "", true, true},     {"h", "null", false, false},
        {"i", "NULL", true, true}, {"j", "two\nlines\n", false, false},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const model_node *n = model_node_get(r, want[i].key);
        cr_assert_not_null(n, "key %s", want[i].key);
        cr_expect_str_eq(n->text, want[i].text, "key %s", want[i].key);
        cr_expect_eq(n->plain, want[i].plain, "plain of %s", want[i].key);
        cr_expect_eq(model_node_is_null(n), want[i].null, "null of %s", want[i].key);
    }
    cr_expect_str_eq(model_node_describe(model_node_get(r, "a")), "a string");
    cr_expect_str_eq(model_node_describe(model_node_get(r, "e")), "null");
    cr_expect_str_eq(model_node_describe(r), "a mapping");
    cr_expect_str_eq(model_node_describe(NULL), "nothing");
    parsed_free(&p);
}

Test(node, multi_document_stream)
{
    parsed p = parse("kind: A\n"
                     "---\n"
                     "---\n"
                     "- x\n"
                     "--- ~\n"
                     "---\n");
    cr_assert_eq(p.rc, 0);
    /* The empty documents are left out; an explicit null is a document. */
    cr_assert_eq(p.ndocs, 3);
    cr_expect_eq(p.docs[0]->kind, MODEL_NODE_MAP);
    cr_expect_eq(p.docs[1]->kind, MODEL_NODE_SEQ);
    EXPECT_MARK(p.docs[1], 4, 1);
    cr_expect(model_node_is_null(p.docs[2]));
    parsed_free(&p);

    parsed empty = parse("");
    cr_expect_eq(empty.rc, 0);
    cr_expect_eq(empty.ndocs, 0);
    parsed_free(&empty);
}

Test(node, anchors_do_not_cross_documents)
{
    parsed p = parse("a: &x 1\n"
                     "---\n"
                     "b: *x\n");
    const model_diag *d = the_error(&p);
    cr_expect_str_eq(d->message, "unknown alias '*x'");
    cr_expect_eq(d->line, 3);
    cr_expect_eq(d->col, 4);
    parsed_free(&p);
}

Test(node, duplicate_key_refused_at_the_second_key)
{
    parsed p = parse("weight: 1\n"
                     "name: a\n"
                     "weight: 2\n");
    const model_diag *d = the_error(&p);
    cr_expect_str_eq(d->message, "duplicate key 'weight' in this mapping (first at line 1)");
    cr_expect_eq(d->line, 3);
    cr_expect_eq(d->col, 1);
    parsed_free(&p);

    /* The same key in two different mappings is fine. */
    parsed ok = parse("a: {k: 1}\nb: {k: 2}\n");
    cr_expect_eq(ok.rc, 0);
    parsed_free(&ok);
}

Test(node, merge_key_refused_quoted_one_is_a_key)
{
    parsed p = parse("base: &b {x: 1}\n"
                     "d:\n"
                     "  <<: *b\n");
    const model_diag *d = the_error(&p);
    cr_expect_str_eq(d->message, "YAML merge keys ('<<') are not supported: write the keys out");
    cr_expect_eq(d->line, 3);
    cr_expect_eq(d->col, 3);
    parsed_free(&p);

    parsed q = parse("\"<<\": 1\n");
    const model_node *r = root_of(&q);
    cr_expect_str_eq(r->keys[0]->text, "<<");
    parsed_free(&q);
}

Test(node, non_scalar_keys_refused)
{
    parsed p = parse("? [a]\n: 1\n");
    cr_expect_str_eq(the_error(&p)->message, "mapping keys must be plain strings, not a list");
    parsed_free(&p);
    parsed q = parse("? {a: 1}\n: 1\n");
    cr_expect_str_eq(the_error(&q)->message, "mapping keys must be plain strings, not a mapping");
    parsed_free(&q);
    /* An alias to a list in key position is a list key too. */
    parsed r = parse("l: &l [1]\n*l : 2\n");
    cr_expect_str_eq(the_error(&r)->message, "mapping keys must be plain strings, not a list");
    parsed_free(&r);
}

Test(node, nul_in_a_string_refused)
{
    parsed p = parse("a: \"x\\0y\"\n");
    cr_expect_str_eq(the_error(&p)->message, "strings must not contain NUL characters");
    parsed_free(&p);
}

Test(node, syntax_error_has_a_mark)
{
    parsed p = parse("a: [1, 2\n");
    const model_diag *d = the_error(&p);
    cr_expect(!strncmp(d->message, "invalid YAML: ", 14), "got: %s", d->message);
    cr_expect_eq(d->line, 2);
    cr_expect_eq(d->col, 1);
    parsed_free(&p);
}

Test(node, alias_shares_the_anchored_node)
{
    parsed p = parse("ref: &r {kind: MeshService, name: api}\n"
                     "a: *r\n"
                     "b: [*r, *r]\n");
    const model_node *r = root_of(&p);
    const model_node *ref = model_node_get(r, "ref");
    cr_expect_eq(model_node_get(r, "a"), ref, "an alias is the same node, not a copy");
    const model_node *b = model_node_get(r, "b");
    cr_expect_eq(b->items[0], ref);
    cr_expect_eq(b->items[1], ref);
    /* ref stands for 5 nodes (itself, 2 keys, 2 values); b for itself + 2 x 5. */
    cr_expect_eq(ref->expanded, 5);
    cr_expect_eq(b->expanded, 11);
    cr_expect_eq(r->expanded, 1 + 3 + 5 + 5 + 11);
    parsed_free(&p);
}

Test(node, alias_inside_its_own_anchor_refused)
{
    /* A cycle is no JSON value: every walk over it would never end. */
    parsed p = parse("a: &x {b: *x}\n");
    const model_diag *d = the_error(&p);
    cr_expect_str_eq(d->message, "alias '*x' refers to a node that contains it");
    cr_expect_eq(d->line, 1);
    cr_expect_eq(d->col, 11);
    parsed_free(&p);
    parsed q = parse("l: &l [1, [2, *l]]\n");
    cr_expect_str_eq(the_error(&q)->message, "alias '*l' refers to a node that contains it");
    parsed_free(&q);
}

Test(node, billion_laughs_refused_quickly)
{
    /* 9 levels of 9 aliases: 9^9 (387 M) values once expanded, a few hundred bytes. */
    char yaml[2048];
    size_t n = (size_t)snprintf(yaml, sizeof yaml,
                                "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, "
                                "lol, lol]\n");
    for (int i = 1; i <= 9; i++)
        n += (size_t)snprintf(yaml + n, sizeof yaml - n,
                              "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n",
                              i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    clock_t t0 = clock();
    parsed p = parse(yaml);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    const model_diag *d = the_error(&p);
    cr_expect_str_eq(d->message, "document too large: more than 1000000 values once aliases "
                                 "are expanded (an alias bomb?)");
    /* l6 stands for 5.4 M values: its first alias of l5 (0.6 M) passes the budget. */
    cr_expect_eq(d->line, 7);
    cr_expect_lt(secs, 0.5, "took %.3f s", secs);
    parsed_free(&p);
}

Test(node, expanded_budget_counts_aliases)
{
    /* Every scalar (keys too) counts 1, an alias what its target stands for: a list of 999
     * scalars (1000 values) aliased 998 times is 1001 + 998000 values: accepted... */
    char *yaml = malloc(64 * 1024);
    size_t n = (size_t)sprintf(yaml, "a: &a [");
    for (int i = 0; i < 999; i++)
        n += (size_t)sprintf(yaml + n, "%s1", i ? "," : "");
    n += (size_t)sprintf(yaml + n, "]\nb: [");
    for (int i = 0; i < 998; i++)
        n += (size_t)sprintf(yaml + n, "%s*a", i ? "," : "");
    sprintf(yaml + n, "]\n");
    parsed p = parse(yaml);
    cr_expect_eq(p.rc, 0);
    parsed_free(&p);
    /* ... and 1000 aliases of a list of 1000 (1002 + 1001000 values) are refused. */
    n = (size_t)sprintf(yaml, "a: &a [");
    for (int i = 0; i < 1000; i++)
        n += (size_t)sprintf(yaml + n, "%s1", i ? "," : "");
    n += (size_t)sprintf(yaml + n, "]\nb: [");
    for (int i = 0; i < 1000; i++)
        n += (size_t)sprintf(yaml + n, "%s*a", i ? "," : "");
    sprintf(yaml + n, "]\n");
    parsed q = parse(yaml);
    cr_expect_eq(q.rc, -1);
    parsed_free(&q);
    free(yaml);
}

/* `depth` nested flow lists. */
static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 2);
    memset(s, '[', (size_t)depth);
    memset(s + depth, ']', (size_t)depth);
    s[depth * 2] = '\n';
    s[depth * 2 + 1] = '\0';
    return s;
}

Test(node, depth_limit)
{
    char *ok = nested(MODEL_NODE_MAX_DEPTH);
    parsed p = parse(ok);
    cr_expect_eq(p.rc, 0);
    parsed_free(&p);
    free(ok);

    char *deep = nested(MODEL_NODE_MAX_DEPTH + 1);
    parsed q = parse(deep);
    const model_diag *d = the_error(&q);
    cr_expect_str_eq(d->message, "nesting deeper than 200 levels");
    cr_expect_eq(d->line, 1);
    cr_expect_eq(d->col, MODEL_NODE_MAX_DEPTH + 1);
    parsed_free(&q);
    free(deep);
}

/* Parses two single-document YAML texts and compares their roots. */
static bool yaml_equal(const char *x, const char *y)
{
    parsed p = parse(x), q = parse(y);
    cr_assert_eq(p.rc, 0);
    cr_assert_eq(q.rc, 0);
    bool eq = model_node_equal(p.docs[0], q.docs[0]);
    cr_expect_eq(model_node_equal(q.docs[0], p.docs[0]), eq, "not symmetric");
    parsed_free(&p);
    parsed_free(&q);
    return eq;
}

Test(node, equal_ignores_marks_and_key_order)
{
    cr_expect(yaml_equal("{a: 1, b: [x, {c: d}]}", "\n\nb:\n  - x\n  - c: d\na: 1\n"));
    cr_expect(yaml_equal("[]", "[ ]"));
    cr_expect(yaml_equal("x", "x"));
}

Test(node, equal_sees_values_order_of_lists_and_quotes)
{
    cr_expect_not(yaml_equal("{a: 1}", "{a: 2}"));
    cr_expect_not(yaml_equal("{a: 1}", "{b: 1}"));
    cr_expect_not(yaml_equal("{a: 1}", "{a: 1, b: 2}"));
    cr_expect_not(yaml_equal("[x, y]", "[y, x]"));
    cr_expect_not(yaml_equal("[x]", "[x, x]"));
    cr_expect_not(yaml_equal("{a: 1}", "{a: \"1\"}"), "1 and \"1\" differ in JSON");
    cr_expect_not(yaml_equal("[a]", "{a: ~}"));
    cr_expect_not(yaml_equal("ab", "abc"));
    cr_expect(model_node_equal(NULL, NULL));
    parsed p = parse("a");
    cr_expect_not(model_node_equal(p.docs[0], NULL));
    cr_expect_not(model_node_equal(NULL, p.docs[0]));
    parsed_free(&p);
}

Test(node, get_and_find)
{
    parsed p = parse("{x: 1, y: [2]}");
    const model_node *r = root_of(&p);
    cr_expect_eq(model_node_find(r, "x"), 0);
    cr_expect_eq(model_node_find(r, "y"), 1);
    cr_expect_eq(model_node_find(r, "z"), -1);
    cr_expect_null(model_node_get(r, "z"));
    /* Not a mapping, or NULL: nothing. */
    cr_expect_null(model_node_get(model_node_get(r, "y"), "x"));
    cr_expect_eq(model_node_find(model_node_get(r, "x"), "x"), -1);
    cr_expect_null(model_node_get(NULL, "x"));
    parsed_free(&p);
}

Test(node, builders_count_what_they_hold)
{
    model_arena *a = model_arena_new();
    model_mark m = {"built", 7, 3};
    model_node *map = model_node_new_container(a, MODEL_NODE_MAP, m, 2);
    model_node *seq = model_node_new_container(a, MODEL_NODE_SEQ, m, 2);
    model_node_append(seq, NULL, model_node_new_scalar(a, m, "v0", true));
    model_node_append(seq, NULL, model_node_new_scalar(a, m, "v1", false));
    model_node_append(map, model_node_new_scalar(a, m, "backendRefs", true), seq);
    model_node_append(map, model_node_new_scalar(a, m, "weight", true),
                      model_node_new_scalar(a, m, "1", true));
    cr_expect_eq(seq->expanded, 3);
    cr_expect_eq(map->expanded, 1 + 1 + 3 + 1 + 1);
    cr_expect_eq(map->n, 2);
    cr_expect_str_eq(model_node_get(map, "weight")->text, "1");
    cr_expect_eq(model_node_get(map, "weight")->mark.line, 7);
    cr_expect_not(seq->items[1]->plain);
    cr_expect_str_eq(model_node_describe(seq), "a list");

    parsed p = parse("{backendRefs: [v0, 'v1'], weight: 1}");
    cr_expect(model_node_equal(map, p.docs[0]));
    parsed_free(&p);
    model_arena_free(a);
}

/* Pathological input under a time box (ctest's timeout): a mapping with 50,000 keys and
 * one repeat is parsed and the repeat found in well under a second.  The duplicate check
 * once searched linearly per key and took ~10 s here. */
Test(node, many_keys_duplicate_found_quickly, .timeout = 5)
{
    size_t n = 50000, cap = n * 16 + 64, len = 0;
    char *yaml = malloc(cap);
    cr_assert_not_null(yaml);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(yaml + len, cap - len, "k%zu: v\n", i);
    len += (size_t)snprintf(yaml + len, cap - len, "k7: again\n");
    model_arena *a = model_arena_new();
    model_errors *errs = model_errors_new();
    model_node **docs;
    size_t ndocs;
    cr_expect_eq(model_yaml_parse(a, "big.yaml", yaml, len, NULL, errs, &docs, &ndocs), -1);
    cr_assert_eq(model_errors_count(errs), 1);
    cr_expect_str_eq(model_errors_at(errs, 0)->message,
                     "duplicate key 'k7' in this mapping (first at line 8)");
    cr_expect_eq(model_errors_at(errs, 0)->line, 50001);
    model_errors_free(errs);
    model_arena_free(a);
    free(yaml);
}

Test(node, empty_containers_count_as_they_open, .timeout = 10)
{
    /* A flood of [] costs one value each as it is read: refused at the 1000000th, and the
     * message does not call it an alias bomb (no alias was used). */
    size_t n = 1000001;
    char *yaml = malloc(n * 3 + 8);
    size_t len = 0;
    yaml[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        memcpy(yaml + len, "[],", 3);
        len += 3;
    }
    yaml[len++] = ']';
    yaml[len] = '\0';
    parsed p = parse(yaml);
    const model_diag *d = the_error(&p);
    cr_expect_str_eq(d->message, "document too large: more than 1000000 values");
    cr_expect_eq(d->line, 1);
    /* The outer list is value 1; the 999999th [] makes 1000000; the next one is refused.
     * It opens at column 2 + 3 * 999999. */
    cr_expect_eq(d->col, 2 + 3 * 999999);
    parsed_free(&p);
    free(yaml);
}

Test(node, bad_bytes_are_placed_at_their_line_and_column)
{
    static const struct {
        const char *yaml;
        int line, col;
        const char *message;
    } cases[] = {
        {"a: 1\nb: caf\xe9\n", 2, 7, "invalid UTF-8 (byte 0xE9): save the file as UTF-8 text"},
        {"a: \xc3\xa9\xc3\xa9\nb: \xff\n", 2, 4, "invalid UTF-8 (byte 0xFF): save the file as UTF-8 text"},
        {"a: \"x\xed\xa0\x80\"\n", 1, 6, "invalid UTF-8 (byte 0xED): save the file as UTF-8 text"},
        {"a: caf\xc3", 1, 7, "invalid UTF-8 (byte 0xC3): save the file as UTF-8 text"},
        {"a: \"bell\x07\"\n", 1, 9,
         "control character U+0007: YAML allows only tab, newline and printable characters"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        parsed p = parse(cases[i].yaml);
        const model_diag *d = the_error(&p);
        cr_expect_str_eq(d->message, cases[i].message, "case %zu", i);
        cr_expect_eq(d->line, cases[i].line, "case %zu: line %d", i, d->line);
        cr_expect_eq(d->col, cases[i].col, "case %zu: col %d", i, d->col);
        parsed_free(&p);
    }
    /* A NUL byte needs the length: strlen would stop at it. */
    static const char nul[] = "a: 1\nb: x\0y\n";
    parsed p = {model_arena_new(), model_errors_new(), NULL, 0, 0};
    p.rc = model_yaml_parse(p.a, "t.yaml", nul, sizeof nul - 1, NULL, p.errs, &p.docs, &p.ndocs);
    const model_diag *d = the_error(&p);
    cr_expect_str_eq(d->message, "a NUL byte: a scenario is a YAML text file (is this a binary "
                                 "file?)");
    cr_expect_eq(d->line, 2);
    cr_expect_eq(d->col, 5);
    parsed_free(&p);
}

Test(node, a_budget_spans_every_document_parsed_with_it)
{
    model_yaml_budget budget = {10, 0};
    model_arena *a = model_arena_new();
    model_errors *errs = model_errors_new();
    model_node **docs;
    size_t n;
    static const char six[] = "{a: 1, b: [2]}"; /* map, a, 1, b, list, 2 */
    cr_expect_eq(model_yaml_parse(a, "1.yaml", six, strlen(six), &budget, errs, &docs, &n), 0);
    cr_expect_eq(budget.used, 6);
    cr_expect_eq(model_yaml_parse(a, "2.yaml", six, strlen(six), &budget, errs, &docs, &n), -1);
    cr_assert_eq(model_errors_size(errs), 1);
    cr_expect_str_eq(model_errors_at(errs, 0)->message,
                     "too much YAML: the scenario and its includes hold more than 10 values in "
                     "all");
    model_errors_free(errs);
    model_arena_free(a);
}

Test(node, a_file_is_read_as_libyaml_asks_and_errors_are_placed_by_reading_it_again)
{
    char path[] = "/tmp/splitsim-node-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    static const char text[] = "a: 1\nb:\n  - x\n  - \"caf\xe9\"\n";
    cr_assert_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
    model_arena *a = model_arena_new();
    model_errors *errs = model_errors_new();
    model_node **docs;
    size_t n;
    cr_expect_eq(model_yaml_parse_fd(a, "f.yaml", fd, 1 << 20, NULL, errs, &docs, &n), -1);
    cr_assert_eq(model_errors_size(errs), 1);
    const model_diag *d = model_errors_at(errs, 0);
    cr_expect_eq(d->line, 4);
    cr_expect_eq(d->col, 9);
    /* A file larger than allowed is refused while it is read. */
    cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
    model_errors *errs2 = model_errors_new();
    cr_expect_eq(model_yaml_parse_fd(a, "f.yaml", fd, 8, NULL, errs2, &docs, &n), -1);
    cr_assert_eq(model_errors_size(errs2), 1);
    cr_expect_str_eq(model_errors_at(errs2, 0)->message, "larger than 0 MiB");
    model_errors_free(errs2);
    model_errors_free(errs);
    model_arena_free(a);
    close(fd);
    unlink(path);
}
