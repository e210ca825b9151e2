/*
 * regex.h - regular expressions as Envoy matches them: RE2.
 *
 * Envoy's safe_regex is Google's RE2 (envoy: source/common/common/regex.cc,
 * CompiledGoogleReMatcher), and route, header and query matchers use a full match: the
 * whole path or value must match, not a part of it.  splitsim uses the same library,
 * behind this C interface (regex.cc is the only C++ in the project), so a pattern means
 * for a simulated request exactly what it means to Envoy, and a pattern RE2 refuses
 * (Envoy then rejects the configuration Kuma sends it) is refused with RE2's words.
 * Envoy also refuses patterns whose compiled program is larger than its runtime key
 * re2.max_program_size.error_level; Kuma's bootstrap sets that key to 4294967295
 * (pkg/xds/bootstrap/template_v3.go), so size alone refuses nothing here either.
 */
#ifndef MODEL_REGEX_H
#define MODEL_REGEX_H

#include "model/arena.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct model_regex model_regex;

/* Compiles `pattern` (`len` bytes) as Envoy's google_re2 engine does (RE2's default
 * options: UTF-8, longest match off, no case folding).  Returns the compiled expression,
 * freed with the arena `a`; or NULL with RE2's reason written to `err` (`size` bytes). */
model_regex *model_regex_compile(model_arena *a, const char *pattern, size_t len, char *err,
                                 size_t size);

/* True if the whole of `s` (`len` bytes) matches `re` (RE2::FullMatch). */
bool model_regex_full_match(const model_regex *re, const char *s, size_t len);

/* The size of `re`'s compiled program (RE2::ProgramSize), what its memory follows. */
size_t model_regex_program_size(const model_regex *re);

/* The regular expressions of a scenario, each distinct pattern compiled once (regex_set.c)
 * however many routes and sources use it.  A scenario holds at most MODEL_MAX_REGEXES
 * distinct patterns whose programs add up to at most MODEL_MAX_REGEX_PROGRAM: a
 * compiled program costs memory that the pattern's length does not show. */
#define MODEL_MAX_REGEXES 10000
#define MODEL_MAX_REGEX_PROGRAM 4000000

typedef struct model_regex_set model_regex_set;

/* An empty set, freed with arena `a` (and its expressions with it). */
model_regex_set *model_regex_set_new(model_arena *a);

/* What model_regex_set_add did. */
typedef enum model_regex_added {
    MODEL_REGEX_ADDED,   /* compiled now, or held already */
    MODEL_REGEX_REFUSED, /* RE2 refuses the pattern: its reason is in `err` */
    MODEL_REGEX_LIMIT,   /* the set is full: the reason is in `err` the first time only
                          * (an empty string after), so it is said once */
} model_regex_added;

/* Adds `pattern` (`len` bytes), compiled unless the set holds it already. */
model_regex_added model_regex_set_add(model_regex_set *set, const char *pattern, size_t len,
                                      char *err, size_t size);

/* The compiled form of a pattern added before, or NULL. */
const model_regex *model_regex_set_get(const model_regex_set *set, const char *pattern,
                                       size_t len);

#endif
