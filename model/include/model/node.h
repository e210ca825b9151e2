/*
 * node.h - a YAML document as a tree with positions.
 *
 * libyaml's event parser feeds a small tree of scalars, sequences and mappings, each with
 * the mark where it starts.  Kuma resources stay in this form after validation: their
 * `default` confs are merged as JSON merge patches over these trees (merge.h), and every
 * merged value still knows the file and line it came from, so `--explain` can point at it.
 *
 * Aliases share the anchored node instead of copying it, and every node records the
 * number of nodes it stands for once aliases are expanded.  Every value counts against a
 * budget as it is read (a container when it opens, an alias for all it stands for): a
 * document of more than MODEL_NODE_MAX_EXPANDED values is refused at the value that
 * passes the limit, so neither an alias bomb nor a flood of empty `[]` costs more than
 * the limit to reject.  A load of several files can share a budget over all of them
 * (model_yaml_budget).
 */
#ifndef MODEL_NODE_H
#define MODEL_NODE_H

#include "model/arena.h"
#include "model/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_NODE_MAX_EXPANDED 1000000
#define MODEL_NODE_MAX_DEPTH 200

typedef enum model_node_kind {
    MODEL_NODE_SCALAR,
    MODEL_NODE_SEQ,
    MODEL_NODE_MAP,
} model_node_kind;

typedef struct model_node model_node;
/* Laid out in 64 bytes: a flood of values costs what the budget above allows and no more. */
struct model_node {
    model_node_kind kind;
    /* Values this node stands for with aliases expanded (itself included); saturates. */
    uint32_t expanded;
    model_mark mark;
    /* Scalars: the text (NUL-terminated; `len` bytes, may contain NUL), and whether it was
     * written plain (unquoted): only plain scalars can be numbers, booleans or null. */
    const char *text;
    /* Sequences: items[0..n).  Mappings: keys[i] (scalars) -> items[i], in written order.
     * Scalars have n == 0. */
    model_node **items;
    model_node **keys;
    size_t n;
    uint32_t len;
    bool plain;
};

/* A budget of values shared by every document parsed with it (a scenario and its
 * includes).  `used` grows as values are read; parsing fails once it passes `total`. */
typedef struct model_yaml_budget {
    uint64_t total;
    uint64_t used;
} model_yaml_budget;

/* Parses every document of `data` (`len` bytes, a file called `file` in messages; the
 * string must outlive the arena's use of marks).  On success returns 0 and sets *docs to
 * an arena-owned array of *ndocs roots (empty documents are left out).  On a YAML syntax
 * error, bad bytes, a duplicate key, a non-scalar key, a merge key, too deep nesting, an
 * alias inside the node it names (a cycle), a document over MODEL_NODE_MAX_EXPANDED
 * values or a spent `budget` (which may be NULL), records the problem in `errs` and
 * returns -1. */
int model_yaml_parse(model_arena *a, const char *file, const char *data, size_t len,
                     model_yaml_budget *budget, model_errors *errs, model_node ***docs,
                     size_t *ndocs);

/* Same, reading the file open on `fd` (which must be a regular file: an error is placed by
 * reading it again) from its current position as libyaml asks for bytes, so only the
 * nodes stay in memory.  Refuses a file of more than `max_bytes` bytes.  `budget` may be
 * NULL.  Bad bytes (NUL, control characters, invalid UTF-8) are reported at their line
 * and column.  The caller keeps `fd` and closes it. */
int model_yaml_parse_fd(model_arena *a, const char *file, int fd, uint64_t max_bytes,
                        model_yaml_budget *budget, model_errors *errs, model_node ***docs,
                        size_t *ndocs);

/* The value of `key` in mapping `map`, or NULL if `map` is NULL, not a mapping, or lacks it. */
model_node *model_node_get(const model_node *map, const char *key);

/* Index of `key` in `map`, or -1. */
long model_node_find(const model_node *map, const char *key);

/* True for a plain `null`, `~`, `Null`, `NULL` or empty scalar. */
bool model_node_is_null(const model_node *n);

/* True if the two trees are equal as JSON values (marks ignored; mapping key order
 * ignored; scalars compared by text and plainness). */
bool model_node_equal(const model_node *x, const model_node *y);

/* Builders for trees made by splitsim itself (defaults, merge results).  Arena-owned. */
model_node *model_node_new_scalar(model_arena *a, model_mark mark, const char *text, bool plain);
model_node *model_node_new_container(model_arena *a, model_node_kind kind, model_mark mark,
                                     size_t cap);
/* Appends to a sequence (key NULL) or mapping (key given) built by model_node_new_container
 * with enough capacity; asserts on overflow. */
void model_node_append(model_node *container, model_node *key, model_node *value);

/* A short description of a node's type for messages: "a mapping", "a list", "a string". */
const char *model_node_describe(const model_node *n);

#endif
