/*
 * node.c - YAML to trees with marks, via libyaml's event parser; see node.h.
 *
 * The parser is driven event by event with an explicit stack (never recursion), so the
 * nesting depth of a hostile file cannot exhaust the C stack; MODEL_NODE_MAX_DEPTH bounds
 * it anyway, since no scenario or Kuma resource nests that deep.
 */
#include "model/node.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct anchor {
    const char *name;
    model_node *node;
} anchor;

typedef struct frame {
    model_node *node;
    model_node *pending_key; /* mappings: the key waiting for its value */
    size_t cap;
} frame;

typedef struct builder {
    model_arena *arena;
    const char *file;
    model_errors *errs;
    frame stack[MODEL_NODE_MAX_DEPTH + 1];
    int depth;
    anchor *anchors;
    size_t n_anchors, cap_anchors;
    uint64_t expanded; /* of the current document */
    bool failed;
} builder;

static model_mark mark_of(const builder *b, yaml_mark_t m)
{
    return (model_mark){b->file, (int)m.line + 1, (int)m.column + 1};
}

model_node *model_node_new_scalar(model_arena *a, model_mark mark, const char *text, bool plain)
{
    model_node *n = model_arena_alloc(a, sizeof *n);
    n->kind = MODEL_NODE_SCALAR;
    n->mark = mark;
    n->len = strlen(text);
    n->text = model_arena_strndup(a, text, n->len);
    n->plain = plain;
    n->expanded = 1;
    return n;
}

model_node *model_node_new_container(model_arena *a, model_node_kind kind, model_mark mark,
                                     size_t cap)
{
    assert(kind != MODEL_NODE_SCALAR);
    model_node *n = model_arena_alloc(a, sizeof *n);
    n->kind = kind;
    n->mark = mark;
    n->expanded = 1;
    n->items = model_arena_alloc(a, (cap ? cap : 1) * sizeof(model_node *));
    if (kind == MODEL_NODE_MAP)
        n->keys = model_arena_alloc(a, (cap ? cap : 1) * sizeof(model_node *));
    return n;
}

void model_node_append(model_node *c, model_node *key, model_node *value)
{
    assert((c->kind == MODEL_NODE_MAP) == (key != NULL));
    if (key)
        c->keys[c->n] = key;
    c->items[c->n++] = value;
    c->expanded += value->expanded + (key ? 1 : 0);
}

/* Adds `child` to the open container on top of the stack, growing it in the arena. */
static void attach(builder *b, model_node *child)
{
    frame *f = &b->stack[b->depth];
    model_node *c = f->node;
    if (c->kind == MODEL_NODE_MAP && !f->pending_key) {
        f->pending_key = child; /* checked to be a scalar by the caller */
        return;
    }
    if (c->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 4;
        c->items = model_arena_grow(b->arena, c->items, c->n, cap, sizeof(model_node *));
        if (c->kind == MODEL_NODE_MAP)
            c->keys = model_arena_grow(b->arena, c->keys, c->n, cap, sizeof(model_node *));
        f->cap = cap;
    }
    if (c->kind == MODEL_NODE_MAP) {
        model_node *key = f->pending_key;
        f->pending_key = NULL;
        /* Duplicate keys are found when the mapping closes (check_duplicates), in
         * O(n log n): a linear search per key made a 50,000-key mapping take seconds. */
        model_node_append(c, key, child);
    } else {
        model_node_append(c, NULL, child);
    }
}

static bool is_key_position(const builder *b)
{
    const frame *f = &b->stack[b->depth];
    return b->depth > 0 && f->node->kind == MODEL_NODE_MAP && !f->pending_key;
}

static void remember_anchor(builder *b, yaml_char_t *name, model_node *n)
{
    if (!name)
        return;
    if (b->n_anchors == b->cap_anchors) {
        size_t cap = b->cap_anchors ? b->cap_anchors * 2 : 8;
        b->anchors = model_xrealloc(b->anchors, cap * sizeof(anchor));
        b->cap_anchors = cap;
    }
    /* Later anchors of the same name shadow earlier ones (YAML 1.2 §3.2.2.2). */
    b->anchors[b->n_anchors++] = (anchor){model_arena_strdup(b->arena, (char *)name), n};
}

static model_node *find_anchor(const builder *b, const char *name)
{
    for (size_t i = b->n_anchors; i-- > 0;)
        if (!strcmp(b->anchors[i].name, name))
            return b->anchors[i].node;
    return NULL;
}

/* True if `n` is a container still being read (an ancestor of the current position). */
static bool is_open(const builder *b, const model_node *n)
{
    for (int i = 1; i <= b->depth; i++)
        if (b->stack[i].node == n)
            return true;
    return false;
}

typedef struct key_ref {
    const char *text;
    size_t index;
} key_ref;

static int cmp_key_ref(const void *x, const void *y)
{
    const key_ref *a = x, *b = y;
    int c = strcmp(a->text, b->text);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* Reports every key of mapping `map` that repeats an earlier one, at the repeat. */
static int check_duplicates(builder *b, const model_node *map)
{
    if (map->n < 2)
        return 0;
    key_ref *refs = model_xmalloc(map->n * sizeof *refs);
    for (size_t i = 0; i < map->n; i++)
        refs[i] = (key_ref){map->keys[i]->text, i};
    qsort(refs, map->n, sizeof *refs, cmp_key_ref);
    /* first[i]: index of the earlier key that key i repeats, or i itself.  Reported in
     * the order written, so messages follow the file. */
    size_t *first = model_xmalloc(map->n * sizeof *first);
    for (size_t i = 0; i < map->n; i++)
        first[i] = i;
    for (size_t i = 1; i < map->n; i++)
        if (!strcmp(refs[i - 1].text, refs[i].text))
            first[refs[i].index] = first[refs[i - 1].index];
    int rc = 0;
    for (size_t i = 0; i < map->n; i++)
        if (first[i] != i)
            rc = model_fail(b->errs, map->keys[i]->mark,
                            "duplicate key '%s' in this mapping (first at line %d)",
                            map->keys[i]->text, map->keys[first[i]]->mark.line);
    free(first);
    free(refs);
    return rc;
}

/* Handles a finished node: key checks, the expanded-size budget, attaching to its parent. */
static int finish_node(builder *b, model_node *n, model_node ***docs, size_t *ndocs,
                       size_t *cap_docs)
{
    if (b->depth == 0) {
        /* An empty document (`---` with nothing after it) is a plain empty scalar. */
        if (n->kind == MODEL_NODE_SCALAR && n->plain && n->len == 0)
            return 0;
        if (*ndocs == *cap_docs) {
            size_t cap = *cap_docs ? *cap_docs * 2 : 4;
            *docs = model_arena_grow(b->arena, *docs, *ndocs, cap, sizeof(model_node *));
            *cap_docs = cap;
        }
        (*docs)[(*ndocs)++] = n;
        return 0;
    }
    if (is_key_position(b)) {
        if (n->kind != MODEL_NODE_SCALAR)
            return model_fail(b->errs, n->mark, "mapping keys must be plain strings, not %s",
                              model_node_describe(n));
        if (n->plain && !strcmp(n->text, "<<"))
            return model_fail(b->errs, n->mark,
                              "YAML merge keys ('<<') are not supported: write the keys out");
    }
    attach(b, n);
    return 0;
}

int model_yaml_parse(model_arena *a, const char *file, const char *data, size_t len,
                     model_errors *errs, model_node ***docs, size_t *ndocs)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    builder b = {.arena = a, .file = file, .errs = errs};
    size_t cap_docs = 0;
    int rc = 0;

    *docs = NULL;
    *ndocs = 0;
    if (!yaml_parser_initialize(&parser)) {
        fputs("splitsim: out of memory\n", stderr);
        abort();
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    for (bool done = false; !done;) {
        if (!yaml_parser_parse(&parser, &ev)) {
            model_mark m = mark_of(&b, parser.problem_mark);
            if (parser.error == YAML_MEMORY_ERROR) {
                fputs("splitsim: out of memory\n", stderr);
                abort();
            }
            model_mark cm = mark_of(&b, parser.context_mark);
            size_t at = parser.problem_mark.index;
            if (at < len && data[at] == '\t')
                /* libyaml says "found character that cannot start any token". */
                rc = model_fail(errs, m,
                                "invalid YAML: a tab character here; YAML indents "
                                "with spaces only");
            else if (parser.context && (cm.line != m.line || cm.col != m.col))
                /* Say where the unfinished construct began: that is where the fix goes. */
                rc = model_fail(errs, m, "invalid YAML: %s %s started at line %d, column %d",
                                parser.problem, parser.context, cm.line, cm.col);
            else if (parser.context)
                rc = model_fail(errs, m, "invalid YAML: %s %s", parser.problem, parser.context);
            else
                rc = model_fail(errs, m, "invalid YAML: %s",
                                parser.problem ? parser.problem : "syntax error");
            break;
        }
        model_mark m = mark_of(&b, ev.start_mark);
        model_node *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            b.n_anchors = 0; /* anchors do not cross documents */
            b.expanded = 0;
            break;
        case YAML_SCALAR_EVENT: {
            n = model_arena_alloc(a, sizeof *n);
            n->kind = MODEL_NODE_SCALAR;
            n->mark = m;
            n->len = ev.data.scalar.length;
            n->text = model_arena_strndup(a, (char *)ev.data.scalar.value, n->len);
            n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                       !ev.data.scalar.tag; /* `!!str 10` is a string */
            n->expanded = 1;
            if (strlen(n->text) != n->len)
                rc = model_fail(errs, m, "strings must not contain NUL characters");
            remember_anchor(&b, ev.data.scalar.anchor, n);
            break;
        }
        case YAML_ALIAS_EVENT:
            n = find_anchor(&b, (char *)ev.data.alias.anchor);
            if (!n) {
                rc = model_fail(errs, m, "unknown alias '*%s'", (char *)ev.data.alias.anchor);
                done = true;
            } else if (is_open(&b, n)) {
                /* `&a {b: *a}` would make the tree a cycle: no JSON value is one, and every
                 * walk over it (merge, equality, reports) would never end. */
                rc = model_fail(errs, m, "alias '*%s' refers to a node that contains it",
                                (char *)ev.data.alias.anchor);
                n = NULL;
                done = true;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool map = ev.type == YAML_MAPPING_START_EVENT;
            if (is_key_position(&b)) {
                rc = model_fail(errs, m, "mapping keys must be plain strings, not %s",
                                map ? "a mapping" : "a list");
                done = true;
                break;
            }
            if (b.depth >= MODEL_NODE_MAX_DEPTH) {
                rc = model_fail(errs, m, "nesting deeper than %d levels", MODEL_NODE_MAX_DEPTH);
                done = true;
                break;
            }
            model_node *c = model_arena_alloc(a, sizeof *c);
            c->kind = map ? MODEL_NODE_MAP : MODEL_NODE_SEQ;
            c->mark = m;
            c->expanded = 1;
            remember_anchor(&b, map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor,
                            c);
            b.stack[++b.depth] = (frame){c, NULL, 0};
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            n = b.stack[b.depth--].node;
            if (n->kind == MODEL_NODE_MAP && check_duplicates(&b, n) < 0)
                b.failed = true;
            break;
        default:
            break;
        }
        if (n) {
            /* The budget counts what the document stands for once aliases are expanded:
             * an alias costs what its target costs, computed once, so checking is O(1). */
            b.expanded += ev.type == YAML_ALIAS_EVENT ? n->expanded : 0;
            if (ev.type == YAML_SCALAR_EVENT)
                b.expanded += 1;
            if (b.expanded > MODEL_NODE_MAX_EXPANDED || n->expanded > MODEL_NODE_MAX_EXPANDED) {
                rc = model_fail(errs, m,
                                "document too large: more than %d values once aliases are "
                                "expanded (an alias bomb?)",
                                MODEL_NODE_MAX_EXPANDED);
                done = true;
            } else if (finish_node(&b, n, docs, ndocs, &cap_docs) < 0) {
                rc = -1;
                done = true;
            }
        }
        yaml_event_delete(&ev);
    }
    if (b.failed)
        rc = -1;
    yaml_parser_delete(&parser);
    free(b.anchors);
    return rc;
}

long model_node_find(const model_node *map, const char *key)
{
    if (!map || map->kind != MODEL_NODE_MAP)
        return -1;
    for (size_t i = 0; i < map->n; i++)
        if (!strcmp(map->keys[i]->text, key))
            return (long)i;
    return -1;
}

model_node *model_node_get(const model_node *map, const char *key)
{
    long i = model_node_find(map, key);
    return i < 0 ? NULL : map->items[i];
}

bool model_node_is_null(const model_node *n)
{
    if (!n || n->kind != MODEL_NODE_SCALAR || !n->plain)
        return false;
    return n->len == 0 || !strcmp(n->text, "~") || !strcmp(n->text, "null") ||
           !strcmp(n->text, "Null") || !strcmp(n->text, "NULL");
}

bool model_node_equal(const model_node *x, const model_node *y)
{
    if (x == y)
        return true;
    if (!x || !y || x->kind != y->kind || x->n != y->n)
        return false;
    switch (x->kind) {
    case MODEL_NODE_SCALAR:
        return x->plain == y->plain && x->len == y->len && !memcmp(x->text, y->text, x->len);
    case MODEL_NODE_SEQ:
        for (size_t i = 0; i < x->n; i++)
            if (!model_node_equal(x->items[i], y->items[i]))
                return false;
        return true;
    case MODEL_NODE_MAP:
        for (size_t i = 0; i < x->n; i++)
            if (!model_node_equal(x->items[i], model_node_get(y, x->keys[i]->text)))
                return false;
        return true;
    }
    return false;
}

const char *model_node_describe(const model_node *n)
{
    if (!n)
        return "nothing";
    switch (n->kind) {
    case MODEL_NODE_SEQ:
        return "a list";
    case MODEL_NODE_MAP:
        return "a mapping";
    case MODEL_NODE_SCALAR:
        break;
    }
    return model_node_is_null(n) ? "null" : "a string";
}
