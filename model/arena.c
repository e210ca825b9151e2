/*
 * arena.c - bump allocator in chunks; see arena.h for why scenarios use one.
 */
#include "model/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64 * 1024)

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
} arena_chunk;

/* Something the arena frees with itself that it did not allocate (a C++ object). */
typedef struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *p;
} arena_cleanup;

struct model_arena {
    arena_chunk *head;
    arena_cleanup *cleanups; /* run newest first, before the chunks are freed */
};

static void oom(void)
{
    fputs("splitsim: out of memory\n", stderr);
    abort();
}

void *model_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *model_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *model_xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p)
        oom();
    return p;
}

char *model_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(model_xmalloc(n), s, n);
}

model_arena *model_arena_new(void)
{
    return model_xcalloc(1, sizeof(model_arena));
}

void model_arena_on_free(model_arena *a, void (*fn)(void *), void *p)
{
    arena_cleanup *c = model_arena_alloc(a, sizeof *c);
    *c = (arena_cleanup){a->cleanups, fn, p};
    a->cleanups = c;
}

void model_arena_free(model_arena *a)
{
    if (!a)
        return;
    for (arena_cleanup *c = a->cleanups; c; c = c->next)
        c->fn(c->p);
    for (arena_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void *model_arena_alloc(model_arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    arena_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        /* Large requests get a chunk of their own, so a chunk never wastes much. */
        size_t cap = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
        c = model_xmalloc(sizeof(arena_chunk) + cap);
        c->used = 0;
        c->cap = cap;
        if (size > ARENA_CHUNK / 4 && a->head) {
            /* Keep filling the current chunk: put the big one behind it. */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *model_arena_strndup(model_arena *a, const char *s, size_t len)
{
    char *p = model_arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *model_arena_strdup(model_arena *a, const char *s)
{
    return model_arena_strndup(a, s, strlen(s));
}

char *model_arena_printf(model_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = model_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void *model_arena_grow(model_arena *a, void *old, size_t old_n, size_t new_n, size_t elem)
{
    void *p = model_arena_alloc(a, new_n * elem);
    if (old_n)
        memcpy(p, old, old_n * elem);
    return p;
}
