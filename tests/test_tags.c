/*
 * tests/test_tags.c - tag maps stay sorted, selectors match as Kuma's TagSelector.Matches,
 * subsets contain as Kuma's endpoint filter, and cluster names hash to the vectors that
 * docs/routing.md §3.2 verified against Kuma's DestinationClusterName.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "model/tags.h"

/* Builds a tag map from NULL-terminated key, value pairs (borrowed strings). */
static model_tags tags_of(model_arena *a, const char *const *kv)
{
    model_tags t = {0};
    for (; kv[0]; kv += 2)
        model_tags_set(a, &t, kv[0], kv[1]);
    return t;
}

#define TAGS(a, ...) tags_of((a), (const char *const[]){__VA_ARGS__, NULL})

Test(tags, set_keeps_keys_sorted_and_unique)
{
    model_arena *a = model_arena_new();
    model_tags t = {0};
    model_tags_set(a, &t, "version", "v1");
    model_tags_set(a, &t, "app", "web");
    model_tags_set(a, &t, "kuma.io/service", "web");
    model_tags_set(a, &t, "zone", "eu");
    model_tags_set(a, &t, "app", "web2"); /* replaces */
    cr_assert_eq(t.n, 4);
    static const char *const keys[] = {"app", "kuma.io/service", "version", "zone"};
    for (size_t i = 0; i < 4; i++)
        cr_expect_str_eq(t.v[i].key, keys[i], "key %zu", i);
    cr_expect_str_eq(model_tags_get(&t, "app"), "web2");
    cr_expect_str_eq(model_tags_get(&t, "zone"), "eu");
    cr_expect_null(model_tags_get(&t, "region"));
    cr_expect_null(model_tags_get(&t, ""));
    model_tags empty = {0};
    cr_expect_null(model_tags_get(&empty, "app"));
    model_arena_free(a);
}

Test(tags, set_does_not_change_earlier_copies)
{
    model_arena *a = model_arena_new();
    model_tags t = TAGS(a, "b", "2");
    model_tags before = t;
    model_tags_set(a, &t, "a", "1");
    cr_expect_eq(before.n, 1);
    cr_expect_str_eq(before.v[0].key, "b");
    cr_expect_eq(t.n, 2);
    model_arena_free(a);
}

Test(tags, without_drops_one_key)
{
    model_arena *a = model_arena_new();
    model_tags t = TAGS(a, "kuma.io/service", "backend", "version", "v1", "zone", "eu");
    model_tags w = model_tags_without(a, &t, "kuma.io/service");
    cr_assert_eq(w.n, 2);
    cr_expect_str_eq(w.v[0].key, "version");
    cr_expect_str_eq(w.v[1].key, "zone");
    cr_expect_eq(t.n, 3, "the original is left alone");
    model_tags none = model_tags_without(a, &t, "absent");
    cr_expect(model_tags_equal(&none, &t));
    model_tags empty = {0};
    cr_expect_eq(model_tags_without(a, &empty, "x").n, 0);
    model_arena_free(a);
}

Test(tags, selector_matches_every_key_exactly_or_wildcard)
{
    model_arena *a = model_arena_new();
    model_tags inbound = TAGS(a, "kuma.io/service", "backend", "version", "v1", "zone", "eu");
    model_tags empty = {0};
    model_tags exact = TAGS(a, "version", "v1");
    model_tags both = TAGS(a, "version", "v1", "zone", "eu");
    model_tags wrong = TAGS(a, "version", "v1", "zone", "us");
    model_tags missing = TAGS(a, "version", "v1", "team", "core");
    model_tags wild = TAGS(a, "zone", "*");
    model_tags wild_missing = TAGS(a, "team", "*");
    cr_expect(model_tags_selector_matches(&empty, &inbound), "empty selector matches all");
    cr_expect(model_tags_selector_matches(&empty, &empty));
    cr_expect(model_tags_selector_matches(&exact, &inbound));
    cr_expect(model_tags_selector_matches(&both, &inbound));
    cr_expect_not(model_tags_selector_matches(&wrong, &inbound));
    cr_expect_not(model_tags_selector_matches(&missing, &inbound), "one missing key fails");
    cr_expect(model_tags_selector_matches(&wild, &inbound), "\"*\" = key present");
    cr_expect_not(model_tags_selector_matches(&wild_missing, &inbound),
                  "\"*\" still needs the key");
    cr_expect_not(model_tags_selector_matches(&exact, &empty));
    /* A "*" in the tags is just a value: it does not match a selector value. */
    model_tags star_tags = TAGS(a, "version", "*");
    cr_expect_not(model_tags_selector_matches(&exact, &star_tags));
    model_arena_free(a);
}

Test(tags, contain_ignores_service_and_has_no_wildcard)
{
    model_arena *a = model_arena_new();
    model_tags endpoint = TAGS(a, "kuma.io/service", "backend", "version", "v1", "zone", "eu");
    model_tags other_service = TAGS(a, "kuma.io/service", "frontend", "version", "v1");
    model_tags wild = TAGS(a, "kuma.io/service", "backend", "zone", "*");
    model_tags more = TAGS(a, "version", "v1", "team", "core");
    model_tags empty = {0};
    cr_expect(model_tags_contain(&endpoint, &other_service),
              "kuma.io/service is not part of the endpoint filter");
    cr_expect_not(model_tags_contain(&endpoint, &wild), "no wildcard in cluster tags");
    cr_expect_not(model_tags_contain(&endpoint, &more));
    cr_expect(model_tags_contain(&endpoint, &empty));
    cr_expect(model_tags_contain(&empty, &empty));
    cr_expect_not(model_tags_contain(&empty, &more));
    model_arena_free(a);
}

Test(tags, equal_compares_keys_and_values)
{
    model_arena *a = model_arena_new();
    model_tags x = TAGS(a, "a", "1", "b", "2");
    model_tags y = TAGS(a, "b", "2", "a", "1");
    model_tags z = TAGS(a, "a", "1", "b", "3");
    model_tags w = TAGS(a, "a", "1");
    cr_expect(model_tags_equal(&x, &y));
    cr_expect_not(model_tags_equal(&x, &z));
    cr_expect_not(model_tags_equal(&x, &w));
    cr_expect_not(model_tags_equal(&w, &x));
    model_arena_free(a);
}

Test(tags, cluster_names_match_kuma_vectors)
{
    /* docs/routing.md §3.2, verified against DestinationClusterName. */
    model_arena *a = model_arena_new();
    static const struct {
        const char *service, *key, *value, *want;
    } v[] = {
        {"backend", "region", "eu", "backend-bb38a94289f18fb9"},
        {"backend", "region", "us", "backend-c72efb5be46fae6b"},
        {"db", "role", "master", "db-f7d9086d4169338b"},
        {"db", "role", "replica", "db-c182dd9f4bf584d7"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        model_tags t = TAGS(a, "kuma.io/service", v[i].service, v[i].key, v[i].value);
        cr_expect_str_eq(model_tags_cluster_name(a, &t), v[i].want, "vector %zu", i);
    }
    model_arena_free(a);
}

Test(tags, cluster_name_of_service_alone_is_the_name)
{
    model_arena *a = model_arena_new();
    model_tags t = TAGS(a, "kuma.io/service", "backend_kuma-demo_svc_3001");
    cr_expect_str_eq(model_tags_cluster_name(a, &t), "backend_kuma-demo_svc_3001");
    model_arena_free(a);
}

Test(tags, cluster_name_hashes_keys_in_sorted_order)
{
    /* The same tags set in another order hash the same: sha256 of the sorted key+value
     * concatenation (computed independently with Python's hashlib). */
    model_arena *a = model_arena_new();
    model_tags t = TAGS(a, "version", "v0", "kuma.io/service", "backend_kuma-demo_svc_3001");
    cr_expect_str_eq(model_tags_cluster_name(a, &t), "backend_kuma-demo_svc_3001-dc9a84cea6402967");
    model_arena_free(a);
}

Test(tags, cluster_name_with_mesh_tag_gets_mesh_suffix)
{
    /* kuma.io/mesh is hashed like any tag, then `_<mesh>` is appended
     * (handleLegacyBackendRef).  Hashes from Python's hashlib. */
    model_arena *a = model_arena_new();
    model_tags t = TAGS(a, "kuma.io/service", "backend", "kuma.io/mesh", "other");
    cr_expect_str_eq(model_tags_cluster_name(a, &t), "backend-d92989c9d06d9e43_other");
    model_tags u = TAGS(a, "kuma.io/service", "backend", "kuma.io/mesh", "other", "version", "v1");
    cr_expect_str_eq(model_tags_cluster_name(a, &u), "backend-557e447e1ecd1bcc_other");
    model_arena_free(a);
}

Test(tags, backend_names_for_reports)
{
    model_arena *a = model_arena_new();
    model_tags none = {0};
    cr_expect_str_eq(model_tags_backend_name(a, "svc", &none), "svc");
    model_tags t = TAGS(a, "b", "2", "a", "1");
    cr_expect_str_eq(model_tags_backend_name(a, "svc", &t), "svc{a=1,b=2}");
    /* kuma.io/service is the name already: left out of the braces. */
    model_tags s = TAGS(a, "kuma.io/service", "svc", "version", "v1");
    cr_expect_str_eq(model_tags_backend_name(a, "svc", &s), "svc{version=v1}");
    model_tags only = TAGS(a, "kuma.io/service", "svc");
    cr_expect_str_eq(model_tags_backend_name(a, "svc", &only), "svc");
    model_arena_free(a);
}

Test(tags, kuma_tag_syntax)
{
    cr_expect(model_tags_valid_key("kuma.io/service"));
    cr_expect(model_tags_valid_key("app_2-x:y.z"));
    cr_expect(model_tags_valid_key(""));
    cr_expect_not(model_tags_valid_key("has space"));
    cr_expect_not(model_tags_valid_key("a*"));
    cr_expect(model_tags_valid_value("backend_kuma-demo_svc_3001"));
    cr_expect(model_tags_valid_value("10.0.0.1:80"));
    cr_expect_not(model_tags_valid_value("a/b"), "no slash in values");
    cr_expect_not(model_tags_valid_value("*"), "ValidateTags rejects the wildcard");
    cr_expect_not(model_tags_valid_value("caf\xc3\xa9"));
}
