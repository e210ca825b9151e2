/*
 * schema.h - checking YAML trees against what splitsim and Kuma accept (internal).
 *
 * Every reader of user YAML goes through these helpers, so every mistake reads the same
 * way: `file:line:col: <subject> <path>: <problem>`, where the subject names the resource
 * ("MeshTCPRoute 'canary'") and the path is the field path as the user wrote it
 * ("spec.to[0].rules[0].default.backendRefs[1].weight").  The helpers record the error
 * and return -1 (or NULL/false); callers keep going so that all problems of a file are
 * reported.
 */
#ifndef MODEL_SCHEMA_H
#define MODEL_SCHEMA_H

#include "model/arena.h"
#include "model/error.h"
#include "model/node.h"
#include "model/tags.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct schema_ctx {
    model_arena *arena;
    model_errors *errs;
    struct model_regex_set *regexes; /* where RegularExpression values compile, or NULL:
                                      * checked and dropped (set by the reader) */
    bool kuma_strings; /* a Kuma resource: a plain number or boolean is no string, as
                        * Kuma's schema (`type: string`) has it */
    const char *subject; /* e.g. "MeshTCPRoute 'canary'", or NULL at scenario level */
    char path[512];
    size_t len;
} schema_ctx;

void schema_init(schema_ctx *c, model_arena *a, model_errors *errs, const char *subject);

/* Path segments: push returns the old length, to give back to schema_pop. */
size_t schema_push_key(schema_ctx *c, const char *key);
size_t schema_push_index(schema_ctx *c, size_t i);
/* A key of a string map (tags, labels, headers), written as Kuma writes it: `["key"]`. */
size_t schema_push_tag(schema_ctx *c, const char *key);
void schema_pop(schema_ctx *c, size_t old_len);

/* Records `<subject> <path>: <message>` at the node's mark (or `at` when node is NULL)
 * and returns -1. */
int schema_fail(schema_ctx *c, const model_node *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int schema_fail_at(schema_ctx *c, model_mark at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Shape checks: fail with "expected a mapping, got a list" and the like. */
bool schema_is_map(schema_ctx *c, const model_node *n);
bool schema_is_seq(schema_ctx *c, const model_node *n);

/* Reports every key of `map` not in the NULL-terminated `known` list as
 * "unknown field 'x'" with a "did you mean 'y'?" hint when one is close.  Returns the
 * number of unknown keys. */
int schema_check_keys(schema_ctx *c, const model_node *map, const char *const *known);

/* " (did you mean 'HINT'?)" for a non-NULL `hint`, else "": the tail of a message that
 * names a misspelled value (arena-owned or static). */
const char *schema_hint(schema_ctx *c, const char *hint);

/* True if `word` is one of `list` (NULL-terminated), exactly. */
bool schema_in_list(const char *word, const char *const *list);

/* The closest of `candidates` (NULL-terminated) to `word`, or NULL if none is close
 * (model_suggest). */
const char *schema_suggest(const char *word, const char *const *candidates);

/* Values.  Each fails with the expected form and what was written. */
int schema_string(schema_ctx *c, const model_node *n, const char **out);

/* An RFC 3339 timestamp (2024-05-01T10:00:00Z, fractions and offsets allowed), as
 * Kubernetes' creationTimestamp and Kuma's creationTime are written, into nanoseconds
 * since 1970 UTC.  Returns 0, or -1 when `s` is not one, or is a time before 1678 or after
 * 2261, which 64-bit nanoseconds do not hold. */
int schema_parse_timestamp(const char *s, int64_t *ns);

/* What YAML 1.1 (the YAML of kubectl and kumactl) reads plain scalar `n` as when it is
 * not a string: "a number", "a decimal number" or "a boolean"; NULL for a string, a
 * quoted scalar, null, or no scalar. */
const char *schema_yaml_type(const model_node *n);
int schema_uint(schema_ctx *c, const model_node *n, uint64_t max, uint64_t *out);
/* A count: an integer 1..max ("expected an integer 1..max, got ..."). */
int schema_count(schema_ctx *c, const model_node *n, uint64_t max, uint64_t *out);
int schema_bool(schema_ctx *c, const model_node *n, bool *out);
/* One of `values` (NULL-terminated, exact): "expected one of A, B, got "x"" with a hint. */
int schema_enum(schema_ctx *c, const model_node *n, const char *const *values, const char **out);
/* The longest duration a scenario may write: Go's time.Duration maximum in whole seconds
 * (2^63 ns less a fraction), so that a sum of two durations fits the 64-bit clock. */
#define SCHEMA_MAX_DURATION "2562047h47m16s"
#define SCHEMA_MAX_DURATION_NS 9223372036000000000ULL

/* `1m30s`, `500ms`, `0s`: integer + unit (ns|us|ms|s|m|h), concatenated; plain `0` too;
 * at most SCHEMA_MAX_DURATION (a longer one fails with "at most ..."). */
int schema_duration(schema_ctx *c, const model_node *n, uint64_t *ns);
/* `N/s`, `N/m`, `N/h` (N > 0), at most one per nanosecond. */
int schema_rate(schema_ctx *c, const model_node *n, uint64_t *count, uint64_t *unit_ns);
/* A percentage 0..100 with at most three decimals, in thousandths. */
int schema_percent(schema_ctx *c, const model_node *n, uint32_t *milli);
typedef enum schema_tag_mode {
    SCHEMA_TAGS_ANY,      /* any non-null strings (request headers) */
    SCHEMA_TAGS_KUMA,     /* Kuma's ValidateTags: values ^[a-zA-Z0-9.\-_:]*$, non-empty */
    SCHEMA_TAGS_SELECTOR, /* Kuma's ValidateSelector: values may also hold '/' or be "*" */
} schema_tag_mode;

/* A string -> string mapping as a sorted tag map, checked as `mode` says. */
int schema_tags(schema_ctx *c, const model_node *n, schema_tag_mode mode, model_tags *out);

/* Kubernetes' DNS-1123 subdomain (apimachinery IsDNS1123Subdomain): the syntax alone, and
 * with its 253-character limit. */
bool schema_dns1123_syntax(const char *s);
bool schema_dns1123_subdomain(const char *s);

/* An IPv4 address as Go's ParseIPSloppy reads one (leading zeros allowed). */
bool schema_sloppy_ipv4(const char *s);

/* Parses a duration string (no node); returns -1 if malformed, -2 if longer than
 * SCHEMA_MAX_DURATION (*ns untouched then). */
int schema_parse_duration(const char *s, uint64_t *ns);

#endif
