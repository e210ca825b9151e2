/*
 * arena.h - bump allocation for everything a loaded scenario owns.
 *
 * A scenario is built once and freed once, so every string, node, tag map and policy of
 * it is carved from one arena and released by one call.  This keeps ownership trivial:
 * nothing inside a scenario is freed on its own, and nothing can leak on an error path.
 * Out of memory aborts (there is no useful recovery for a command-line tool).
 */
#ifndef MODEL_ARENA_H
#define MODEL_ARENA_H

#include <stddef.h>

typedef struct model_arena model_arena;

/* Returns a new empty arena; free it with model_arena_free. */
model_arena *model_arena_new(void);

/* Frees the arena and everything allocated from it.  NULL is accepted. */
void model_arena_free(model_arena *a);

/* Has `fn(p)` called when the arena is freed (before its memory goes), for what it owns
 * without having allocated it, such as a compiled regular expression.  Cleanups run in
 * the reverse order of registration. */
void model_arena_on_free(model_arena *a, void (*fn)(void *), void *p);

/* Returns `size` zeroed bytes, aligned for any type, owned by the arena. */
void *model_arena_alloc(model_arena *a, size_t size);

/* Returns a copy of the `len` bytes at `s` plus a terminating NUL, owned by the arena. */
char *model_arena_strndup(model_arena *a, const char *s, size_t len);

/* Returns a NUL-terminated copy of `s`, owned by the arena. */
char *model_arena_strdup(model_arena *a, const char *s);

/* Returns a printf-formatted string owned by the arena. */
char *model_arena_printf(model_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Grows an arena-owned array: returns a new block of `new_n` elements of `elem` bytes
 * with the first `old_n` copied from `old` (which stays allocated until the arena dies).
 * Used by the builders, which grow geometrically so the waste stays bounded. */
void *model_arena_grow(model_arena *a, void *old, size_t old_n, size_t new_n, size_t elem);

/* Appends to an arena-owned growable array: `vec` (a typed pointer) holds `n` elements in
 * room for `cap`; when full it is regrown to twice the room (8 at first).  Evaluates to a
 * pointer to the new, last element (not zeroed when reused room).  Arguments are
 * evaluated more than once: pass plain lvalues. */
#define MODEL_ARENA_PUSH(a, vec, n, cap)                                                           \
    (((n) == (cap) ? ((cap) = (cap) ? (cap)*2 : 8,                                                 \
                      (vec) = model_arena_grow((a), (vec), (n), (cap), sizeof *(vec)))             \
                   : (vec)),                                                                       \
     &(vec)[(n)++])

/* Aborting allocators for code outside arenas (out of memory is not an error value). */
void *model_xmalloc(size_t size);
void *model_xcalloc(size_t n, size_t size);
void *model_xrealloc(void *p, size_t size);
char *model_xstrdup(const char *s);

#endif
