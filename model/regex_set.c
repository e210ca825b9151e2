/*
 * regex_set.c - a scenario's regular expressions, each pattern compiled once; see
 * model/regex.h.  An open-addressing table on the pattern bytes (FNV-1a), grown at half
 * full, in the scenario's arena.
 */
#include "model/regex.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

_Static_assert(MODEL_MAX_REGEXES == 10000 && MODEL_MAX_REGEX_PROGRAM == 4000000,
               "the messages below name the limits");

typedef struct entry {
    const char *pattern; /* NULL: empty slot */
    size_t len;
    const model_regex *re;
} entry;

struct model_regex_set {
    model_arena *a;
    entry *slots;
    size_t cap; /* a power of two */
    size_t n;
    size_t program; /* the programs' sizes added up */
    bool full_said; /* the limit has been reported */
};

static uint64_t hash(const char *p, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

/* The slot of `pattern`, or the empty slot where it belongs. */
static entry *find(entry *slots, size_t cap, const char *pattern, size_t len)
{
    for (size_t i = (size_t)hash(pattern, len) & (cap - 1);; i = (i + 1) & (cap - 1)) {
        entry *e = &slots[i];
        if (!e->pattern || (e->len == len && !memcmp(e->pattern, pattern, len)))
            return e;
    }
}

model_regex_set *model_regex_set_new(model_arena *a)
{
    model_regex_set *set = model_arena_alloc(a, sizeof *set);
    set->a = a;
    set->cap = 16;
    set->slots = model_arena_alloc(a, set->cap * sizeof *set->slots);
    return set;
}

static void grow(model_regex_set *set)
{
    size_t cap = set->cap * 2;
    entry *slots = model_arena_alloc(set->a, cap * sizeof *slots);
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i].pattern)
            *find(slots, cap, set->slots[i].pattern, set->slots[i].len) = set->slots[i];
    set->slots = slots; /* the old table stays in the arena until it is freed */
    set->cap = cap;
}

const model_regex *model_regex_set_get(const model_regex_set *set, const char *pattern, size_t len)
{
    return set ? find(set->slots, set->cap, pattern, len)->re : NULL;
}

/* The limit's reason, the first time only. */
static model_regex_added full(model_regex_set *set, char *err, size_t size, const char *why)
{
    snprintf(err, size, "%s", set->full_said ? "" : why);
    set->full_said = true;
    return MODEL_REGEX_LIMIT;
}

model_regex_added model_regex_set_add(model_regex_set *set, const char *pattern, size_t len,
                                      char *err, size_t size)
{
    entry *e = find(set->slots, set->cap, pattern, len);
    if (e->pattern)
        return MODEL_REGEX_ADDED;
    if (set->n == MODEL_MAX_REGEXES)
        return full(set, err, size,
                    "the scenario has more than 10000 distinct regular expressions, a limit of "
                    "splitsim (RE2 keeps a compiled program for each)");
    model_regex *re = model_regex_compile(set->a, pattern, len, err, size);
    if (!re)
        return MODEL_REGEX_REFUSED;
    size_t program = model_regex_program_size(re);
    if (set->program + program > MODEL_MAX_REGEX_PROGRAM)
        return full(set, err, size,
                    "the scenario's regular expressions compile to more than 4000000 RE2 "
                    "instructions, a limit of splitsim"); /* `re` goes with the arena */
    set->program += program;
    if (2 * (set->n + 1) > set->cap) {
        grow(set);
        e = find(set->slots, set->cap, pattern, len);
    }
    *e = (entry){model_arena_strndup(set->a, pattern, len), len, re};
    set->n++;
    return MODEL_REGEX_ADDED;
}
