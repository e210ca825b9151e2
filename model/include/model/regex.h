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

#endif
