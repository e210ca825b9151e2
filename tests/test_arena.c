/*
 * tests/test_arena.c - the scenario arena: aligned zeroed blocks, big blocks beside small
 * ones, geometric growth that keeps the old elements, and the string copies.
 */
#include <criterion/criterion.h>

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/arena.h"

Test(arena, blocks_are_aligned_for_any_type)
{
    model_arena *a = model_arena_new();
    /* Odd sizes in a row: every block must still start on a max_align_t boundary. */
    static const size_t sizes[] = {1, 3, 7, 17, 0, 33, 1, 100};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = model_arena_alloc(a, sizes[i]);
        cr_assert_not_null(p);
        cr_expect_eq((uintptr_t)p % alignof(max_align_t), 0, "block %zu (size %zu)", i, sizes[i]);
    }
    model_arena_free(a);
}

Test(arena, blocks_are_zeroed_and_distinct)
{
    model_arena *a = model_arena_new();
    unsigned char *x = model_arena_alloc(a, 64);
    memset(x, 0xab, 64);
    unsigned char *y = model_arena_alloc(a, 64);
    for (size_t i = 0; i < 64; i++)
        cr_assert_eq(y[i], 0, "byte %zu", i);
    cr_expect(y >= x + 64 || y + 64 <= x, "blocks overlap");
    /* Size 0 still gets a block of its own. */
    void *z0 = model_arena_alloc(a, 0), *z1 = model_arena_alloc(a, 0);
    cr_expect_neq(z0, z1);
    model_arena_free(a);
}

Test(arena, large_blocks_do_not_disturb_small_ones)
{
    model_arena *a = model_arena_new();
    char *small = model_arena_alloc(a, 16);
    strcpy(small, "before");
    /* Larger than a quarter chunk: gets its own chunk; the current chunk keeps filling. */
    size_t big = 200 * 1024;
    unsigned char *b = model_arena_alloc(a, big);
    cr_assert_not_null(b);
    cr_expect_eq(b[0], 0);
    cr_expect_eq(b[big - 1], 0);
    memset(b, 0xff, big);
    char *after = model_arena_alloc(a, 16);
    cr_expect_eq((uintptr_t)after % alignof(max_align_t), 0);
    /* The next small block comes from the same chunk as the first one, right after it
     * (blocks are rounded up to whole max_align_t units). */
    cr_expect_eq(after, small + sizeof(max_align_t) *
                                    ((16 + sizeof(max_align_t) - 1) / sizeof(max_align_t)));
    cr_expect_str_eq(small, "before");
    cr_expect_eq(after[0], 0);
    model_arena_free(a);
}

Test(arena, many_small_blocks_span_chunks)
{
    model_arena *a = model_arena_new();
    /* 10000 x 40 bytes: several 64 KiB chunks; each keeps what was written to it. */
    int *v[10000];
    for (int i = 0; i < 10000; i++) {
        v[i] = model_arena_alloc(a, 40);
        v[i][0] = i;
        v[i][9] = -i;
    }
    for (int i = 0; i < 10000; i++) {
        cr_assert_eq(v[i][0], i);
        cr_assert_eq(v[i][9], -i);
    }
    model_arena_free(a);
}

Test(arena, grow_copies_the_old_elements)
{
    model_arena *a = model_arena_new();
    uint64_t *v = NULL;
    size_t n = 0, cap = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            uint64_t *nv = model_arena_grow(a, v, n, ncap, sizeof *v);
            cr_assert_neq(nv, v);
            v = nv;
            cap = ncap;
        }
        v[n++] = i * 3 + 1;
    }
    cr_expect_eq(cap, 1024);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i], i * 3 + 1, "element %zu", i);
    /* The new room past the copied elements is zeroed. */
    uint64_t *w = model_arena_grow(a, v, 2, 8, sizeof *v);
    cr_expect_eq(w[0], 1);
    cr_expect_eq(w[1], 4);
    for (size_t i = 2; i < 8; i++)
        cr_expect_eq(w[i], 0, "element %zu", i);
    model_arena_free(a);
}

Test(arena, strdup_strndup_printf)
{
    model_arena *a = model_arena_new();
    char src[] = "kuma.io/service";
    char *d = model_arena_strdup(a, src);
    cr_expect_str_eq(d, "kuma.io/service");
    cr_expect_neq(d, src);
    src[0] = 'X'; /* a copy, not a view */
    cr_expect_str_eq(d, "kuma.io/service");

    char *n = model_arena_strndup(a, "backend-v1 trailing", 10);
    cr_expect_str_eq(n, "backend-v1");
    cr_expect_eq(n[10], '\0');
    cr_expect_str_eq(model_arena_strndup(a, "abc", 0), "");

    cr_expect_str_eq(model_arena_printf(a, "%s-%llu", "web", 42ULL), "web-42");
    char *empty = model_arena_printf(a, "%s", "");
    cr_expect_str_eq(empty, "");
    /* Longer than any fixed buffer: sized by a first vsnprintf. */
    char *long_s = model_arena_printf(a, "%0*d", 5000, 7);
    cr_expect_eq(strlen(long_s), 5000);
    cr_expect_eq(long_s[4999], '7');
    cr_expect_eq(long_s[0], '0');
    model_arena_free(a);
}

Test(arena, free_accepts_null)
{
    model_arena_free(NULL);
    char *s = model_xstrdup("x");
    cr_expect_str_eq(s, "x");
    free(s);
}
