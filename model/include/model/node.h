/*
 * node.h - a YAML document as a tree with positions.
 *
 * libyaml's event parser feeds a small tree of scalars, sequences and mappings, each with
 * the mark where it starts.  Kuma resources stay in this form after validation: their
 * `default` confs are merged as JSON merge patches over these trees (merge.h), and every
 * merged value still knows the file and line it came from, so `--explain` can point at it.
 *
 * Aliases share the anchored node instead of copying it, and every node records the
 * number of nodes it stands for once aliases are expanded; a document whose expanded size
 * passes MODEL_NODE_MAX_EXPANDED is refused, so an alias bomb costs nothing to reject.
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
struct model_node {
    model_node_kind kind;
    model_mark mark;
    /* Scalars: the text (NUL-terminated; `len` bytes, may contain NUL), and whether it was
     * written plain (unquoted): only plain scalars can be numbers, booleans or null. */
    const char *text;
    size_t len;
    bool plain;
    /* Sequences: items[0..n).  Mappings: keys[i] (scalars) -> items[i], in written order. */
    size_t n;
    model_node **items;
    model_node **keys;
    /* Nodes this one stands for with aliases expanded (itself included). */
    uint64_t expanded;
};

/* Parses every document of `data` (`len` bytes, a file called `file` in messages; the
 * string must outlive the arena's use of marks).  On success returns 0 and sets *docs to
 * an arena-owned array of *ndocs roots (empty documents are left out).  On a YAML syntax
 * error, a duplicate key, a non-scalar key, a merge key, too deep nesting, an alias inside
 * the node it names (a cycle) or an alias bomb, records the problem in `errs` and returns
 * -1. */
int model_yaml_parse(model_arena *a, const char *file, const char *data, size_t len,
                     model_errors *errs, model_node ***docs, size_t *ndocs);

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
