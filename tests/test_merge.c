/*
 * tests/test_merge.c - Kuma's merge of confs (docs/routing.md §2.3): RFC 7396 merge patch,
 * where mappings merge key by key, lists and scalars replace, an absent key keeps, and a
 * YAML null keeps too (Kuma's confs are Go structs with omitempty: a nil is never sent).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "model/merge.h"

static model_arena *arena;

static void setup(void)
{
    arena = model_arena_new();
}

static void teardown(void)
{
    model_arena_free(arena);
}

TestSuite(merge, .init = setup, .fini = teardown);

/* The single document of `yaml`, in the suite's arena. */
static const model_node *y(const char *yaml)
{
    model_errors *errs = model_errors_new();
    model_node **docs;
    size_t n;
    int rc = model_yaml_parse(arena, "m.yaml", yaml, strlen(yaml), NULL, errs, &docs, &n);
    model_errors_free(errs);
    cr_assert_eq(rc, 0, "bad test YAML: %s", yaml);
    cr_assert_eq(n, 1);
    return docs[0];
}

/* target ⊕ patch == want, as JSON values. */
static void expect_merge(const char *target, const char *patch, const char *want)
{
    const model_node *got = model_merge_patch(arena, target ? y(target) : NULL, y(patch));
    cr_expect(model_node_equal(got, y(want)), "%s  +  %s  should be  %s", target ? target : "-",
              patch, want);
}

Test(merge, mappings_merge_key_by_key)
{
    expect_merge("{a: 1, b: {c: 2, d: 3}}", "{b: {c: 4, e: 5}, f: 6}",
                 "{a: 1, b: {c: 4, d: 3, e: 5}, f: 6}");
    expect_merge("{a: {b: {c: {d: 1}}}}", "{a: {b: {c: {e: 2}}}}", "{a: {b: {c: {d: 1, e: 2}}}}");
}

Test(merge, lists_are_replaced_wholesale)
{
    expect_merge("{l: [1, 2, 3]}", "{l: [4]}", "{l: [4]}");
    expect_merge("{l: [{a: 1}, {b: 2}]}", "{l: [{c: 3}]}", "{l: [{c: 3}]}");
    /* An empty list is a value: it empties the list. */
    expect_merge("{l: [1]}", "{l: []}", "{l: []}");
}

Test(merge, absent_keys_keep_their_value)
{
    expect_merge("{a: 1, b: [x]}", "{}", "{a: 1, b: [x]}");
    expect_merge("{a: 1}", "{c: 3}", "{a: 1, c: 3}");
}

Test(merge, yaml_null_keeps_the_target)
{
    /* Textbook RFC 7396 would delete `a`; Kuma never sees the null (see merge.h). */
    expect_merge("{a: 1, b: 2}", "{a: null, b: ~}", "{a: 1, b: 2}");
    expect_merge("{a: {x: 1}}", "{a: {x: null}}", "{a: {x: 1}}");
    /* Nulls in a new subtree are left out rather than copied. */
    expect_merge("{}", "{n: null, s: {y: ~, z: 1}}", "{s: {z: 1}}");
    /* A quoted "null" is a string and replaces. */
    expect_merge("{a: 1}", "{a: \"null\"}", "{a: \"null\"}");
    /* A null patch as a whole keeps the target itself. */
    const model_node *t = y("{a: 1}");
    cr_expect_eq(model_merge_patch(arena, t, y("~")), t);
    cr_expect_eq(model_merge_patch(arena, t, NULL), t);
}

Test(merge, scalars_and_kinds_replace)
{
    expect_merge("{a: 1}", "{a: 2}", "{a: 2}");
    expect_merge("{a: {x: 1}}", "{a: 2}", "{a: 2}");
    expect_merge("{a: 2}", "{a: {x: 1, y: null}}", "{a: {x: 1}}");
    expect_merge("{a: [1]}", "{a: {x: 1}}", "{a: {x: 1}}");
    expect_merge("{a: 1}", "[1, 2]", "[1, 2]");
    expect_merge("[1, 2]", "{a: 1}", "{a: 1}");
    /* `1` and `"1"` stay distinct values through a merge. */
    expect_merge("{w: 1}", "{w: \"1\"}", "{w: \"1\"}");
}

Test(merge, no_target_gives_the_patch)
{
    expect_merge(NULL, "{a: 1, b: [2], c: {d: 3}}", "{a: 1, b: [2], c: {d: 3}}");
    expect_merge(NULL, "{a: null}", "{}");
    const model_node *p = y("[1]");
    cr_expect_eq(model_merge_patch(arena, NULL, p), p, "lists are used as they are");
}

Test(merge, inputs_unchanged_and_untouched_subtrees_shared)
{
    const model_node *t = y("{keep: {deep: [1, 2]}, change: 1}");
    const model_node *p = y("{change: 2, add: {x: 1}}");
    const model_node *got = model_merge_patch(arena, t, p);
    cr_expect(model_node_equal(t, y("{keep: {deep: [1, 2]}, change: 1}")), "target modified");
    cr_expect(model_node_equal(p, y("{change: 2, add: {x: 1}}")), "patch modified");
    cr_expect_eq(model_node_get(got, "keep"), model_node_get(t, "keep"));
    cr_expect_eq(model_node_get(got, "change"), model_node_get(p, "change"));
    /* Marks come from where the value was written: --explain points there. */
    cr_expect_eq(model_node_get(got, "change")->mark.col, model_node_get(p, "change")->mark.col);
}

Test(merge, key_order_target_first_then_new_keys)
{
    const model_node *got = model_merge_patch(arena, y("{b: 1, a: 1}"), y("{c: 2, a: 2}"));
    cr_assert_eq(got->kind, MODEL_NODE_MAP);
    cr_assert_eq(got->n, 3);
    cr_expect_str_eq(got->keys[0]->text, "b");
    cr_expect_str_eq(got->keys[1]->text, "a");
    cr_expect_str_eq(got->keys[2]->text, "c");
    cr_expect_str_eq(got->items[1]->text, "2");
}

Test(merge, fold_is_in_order_the_last_wins)
{
    const model_node *c = NULL;
    c = model_merge_patch(arena, c, y("{a: 1, b: 1}"));
    c = model_merge_patch(arena, c, y("{b: 2, c: 2}"));
    c = model_merge_patch(arena, c, y("{c: 3}"));
    cr_expect(model_node_equal(c, y("{a: 1, b: 2, c: 3}")));
}

Test(merge, meshtcproute_confs_like_kuma)
{
    /* Two MeshTCPRoute `to` items for the same service, lower priority first: the
     * backendRefs list of the later one replaces the earlier list entirely (no append). */
    const model_node *low = y("default:\n"
                              "  backendRefs:\n"
                              "    - {kind: MeshServiceSubset, name: backend, tags: {version: v0},"
                              " weight: 90}\n"
                              "    - {kind: MeshServiceSubset, name: backend, tags: {version: v1},"
                              " weight: 10}\n");
    const model_node *high = y("default:\n"
                               "  backendRefs:\n"
                               "    - {kind: MeshService, name: backend-v2}\n");
    const model_node *c = model_merge_patch(arena, model_merge_patch(arena, NULL, low), high);
    const model_node *refs = model_node_get(model_node_get(c, "default"), "backendRefs");
    cr_assert_not_null(refs);
    cr_assert_eq(refs->kind, MODEL_NODE_SEQ);
    cr_assert_eq(refs->n, 1);
    cr_expect_str_eq(model_node_get(refs->items[0], "name")->text, "backend-v2");
    cr_expect_null(model_node_get(refs->items[0], "weight"), "no weight carried over");

    /* The other way round the 90/10 split wins. */
    c = model_merge_patch(arena, model_merge_patch(arena, NULL, high), low);
    refs = model_node_get(model_node_get(c, "default"), "backendRefs");
    cr_assert_eq(refs->n, 2);
    cr_expect_str_eq(model_node_get(refs->items[1], "weight")->text, "10");

    /* A later conf with `default: {}` or `default: null` leaves the backendRefs alone. */
    const model_node *kept = model_merge_patch(arena, low, y("{default: {}}"));
    cr_expect(model_node_equal(kept, low));
    kept = model_merge_patch(arena, low, y("{default: null}"));
    cr_expect(model_node_equal(kept, low));
}
