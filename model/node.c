/*
 * node.c - YAML to trees with marks, via libyaml's event parser; see node.h.
 *
 * The parser is driven event by event with an explicit stack (never recursion), so the
 * nesting depth of a hostile file cannot exhaust the C stack; MODEL_NODE_MAX_DEPTH bounds
 * it anyway, since no scenario or Kuma resource nests that deep.
 */
#include "model/node.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
    bool aliases;      /* the current document has used an alias */
    model_yaml_budget *budget;
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
    n->len = (uint32_t)strlen(text);
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
    uint64_t e = (uint64_t)c->expanded + value->expanded + (key ? 1 : 0);
    c->expanded = e > UINT32_MAX ? UINT32_MAX : (uint32_t)e;
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

/* ---- where the bytes come from ---------------------------------------------------------- */

/* A YAML stream: bytes in memory, or a regular file read as libyaml asks for it (so a
 * large file is never held whole; its nodes are what costs memory, and the budget bounds
 * them).  The file's bytes are read again only to place an error. */
typedef struct source {
    const char *data; /* memory, or NULL */
    size_t len;
    int fd; /* a regular file when data is NULL */
    uint64_t max_bytes;
    uint64_t read; /* bytes handed to libyaml so far */
    bool too_large;
    int read_errno;
} source;

static int read_handler(void *ctx, unsigned char *buf, size_t size, size_t *got)
{
    source *src = ctx;
    ssize_t n;
    do
        n = read(src->fd, buf, size);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        src->read_errno = errno;
        return 0;
    }
    src->read += (uint64_t)n;
    if (src->read > src->max_bytes) {
        src->too_large = true;
        return 0;
    }
    *got = (size_t)n;
    return 1;
}

/* Copies up to `n` bytes of the stream at byte `off` into buf; returns how many. */
static size_t source_bytes(const source *src, uint64_t off, char *buf, size_t n)
{
    if (src->data) {
        if (off >= src->len)
            return 0;
        size_t m = src->len - (size_t)off < n ? src->len - (size_t)off : n;
        memcpy(buf, src->data + off, m);
        return m;
    }
    ssize_t m = pread(src->fd, buf, n, (off_t)off);
    return m > 0 ? (size_t)m : 0;
}

/* Visits the stream's bytes from the start until `stop` returns true; returns the line
 * (1-based) and column (1-based, in characters: UTF-8 continuation bytes do not count, as
 * in libyaml's marks) of the byte it stopped at. */
typedef bool (*stop_fn)(uint64_t off, int line, int col, void *ctx);

static void source_walk(const source *src, stop_fn stop, void *ctx, int *line, int *col)
{
    char buf[65536];
    uint64_t off = 0;
    *line = 1;
    *col = 1;
    for (;;) {
        size_t n = source_bytes(src, off, buf, sizeof buf);
        if (n == 0)
            return;
        for (size_t i = 0; i < n; i++, off++) {
            unsigned char ch = (unsigned char)buf[i];
            if ((ch & 0xC0) == 0x80 && off > 0)
                continue; /* inside a character */
            if (stop(off, *line, *col, ctx))
                return;
            if (ch == '\n') {
                (*line)++;
                *col = 1;
            } else {
                (*col)++;
            }
        }
    }
}

static bool stop_at_offset(uint64_t off, int line, int col, void *ctx)
{
    return off >= *(uint64_t *)ctx;
}

typedef struct char_probe {
    int line, col;
    uint64_t off;
    bool found;
} char_probe;

static bool stop_at_mark(uint64_t off, int line, int col, void *ctx)
{
    char_probe *p = ctx;
    if (line > p->line || (line == p->line && col >= p->col)) {
        p->off = off;
        p->found = line == p->line && col == p->col;
        return true;
    }
    return false;
}

/* The offset and value of the first byte of `src` that does not start or continue a valid
 * UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).  libyaml
 * reports a bad sequence at the byte where it noticed (often the byte after the bad one),
 * so the place and value the user needs are found again here.  Returns false if none. */
static bool first_bad_utf8(const source *src, uint64_t *at, unsigned *value)
{
    unsigned char buf[65536];
    uint64_t off = 0, start = 0;
    unsigned need = 0, lo = 0x80, hi = 0xBF; /* bytes still due, and the next one's range */
    bool bad = false;
    for (size_t n; !bad && (n = source_bytes(src, off, (char *)buf, sizeof buf)) > 0;) {
        for (size_t i = 0; i < n && !bad; i++, off++) {
            unsigned b = buf[i];
            if (need) {
                bad = b < lo || b > hi; /* the sequence from `start` is broken */
                lo = 0x80, hi = 0xBF;
                need--;
                continue;
            }
            start = off;
            if (b < 0x80)
                continue;
            if (b >= 0xC2 && b <= 0xDF)
                need = 1;
            else if (b >= 0xE0 && b <= 0xEF)
                need = 2, lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
            else if (b >= 0xF0 && b <= 0xF4)
                need = 3, lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
            else
                bad = true;
        }
    }
    if (!bad && !need) /* a file ending inside a sequence is broken too */
        return false;
    char lead;
    source_bytes(src, start, &lead, 1);
    *at = start;
    *value = (unsigned char)lead;
    return true;
}

/* The mark of byte `off` (libyaml gives reader errors as byte offsets, not marks). */
static model_mark mark_of_offset(const builder *b, const source *src, uint64_t off)
{
    model_mark m = {b->file, 1, 1};
    source_walk(src, stop_at_offset, &off, &m.line, &m.col);
    return m;
}

/* The byte at a libyaml mark, or -1. */
static int byte_at_mark(const source *src, model_mark m)
{
    char_probe p = {m.line, m.col, 0, false};
    int line, col;
    source_walk(src, stop_at_mark, &p, &line, &col);
    char ch;
    return p.found && source_bytes(src, p.off, &ch, 1) == 1 ? (unsigned char)ch : -1;
}

/* Records libyaml's reader error (bad bytes: libyaml checks encoding before syntax) in the
 * user's terms, at the place of the offending byte. */
static int reader_error(builder *b, const yaml_parser_t *parser, const source *src)
{
    model_mark m = mark_of_offset(b, src, parser->problem_offset);
    const char *p = parser->problem ? parser->problem : "";
    int v = parser->problem_value;
    if (!strcmp(p, "control characters are not allowed")) {
        if (v == 0)
            return model_fail(b->errs, m,
                              "a NUL byte: a scenario is a YAML text file (is this a "
                              "binary file?)");
        return model_fail(b->errs, m,
                          "control character U+%04X: YAML allows only tab, newline and "
                          "printable characters",
                          (unsigned)v);
    }
    uint64_t bad_at;
    unsigned bad;
    if ((strstr(p, "UTF-8") || strstr(p, "Unicode")) && first_bad_utf8(src, &bad_at, &bad))
        return model_fail(b->errs, mark_of_offset(b, src, bad_at),
                          "invalid UTF-8 (byte 0x%02X): save the file as UTF-8 text", bad);
    return model_fail(b->errs, m, "invalid YAML input: %s", p);
}

/* Records a syntax error (libyaml's problem, context and their marks). */
static int syntax_error(builder *b, const yaml_parser_t *parser, const source *src)
{
    model_mark m = mark_of(b, parser->problem_mark);
    model_mark cm = mark_of(b, parser->context_mark);
    if (byte_at_mark(src, m) == '\t')
        /* libyaml says "found character that cannot start any token". */
        return model_fail(b->errs, m,
                          "invalid YAML: a tab character here; YAML indents with spaces only");
    if (parser->context && (cm.line != m.line || cm.col != m.col))
        /* Say where the unfinished construct began: that is where the fix goes. */
        return model_fail(b->errs, m, "invalid YAML: %s %s started at line %d, column %d",
                          parser->problem, parser->context, cm.line, cm.col);
    if (parser->context)
        return model_fail(b->errs, m, "invalid YAML: %s %s", parser->problem, parser->context);
    return model_fail(b->errs, m, "invalid YAML: %s",
                      parser->problem ? parser->problem : "syntax error");
}

/* Counts `n` more values against the document's and the whole load's budgets; records
 * the problem at `m` and returns -1 when one is exceeded. */
static int spend(builder *b, uint64_t n, model_mark m)
{
    b->expanded += n;
    if (b->expanded > MODEL_NODE_MAX_EXPANDED)
        return model_fail(b->errs, m, "document too large: more than %d values%s",
                          MODEL_NODE_MAX_EXPANDED,
                          b->aliases ? " once aliases are expanded (an alias bomb?)" : "");
    if (b->budget) {
        b->budget->used += n;
        if (b->budget->used > b->budget->total)
            return model_fail(b->errs, m,
                              "too much YAML: the scenario and its includes hold more "
                              "than %llu values in all",
                              (unsigned long long)b->budget->total);
    }
    return 0;
}

static int parse(builder *b, yaml_parser_t *parser, const source *src, model_node ***docs,
                 size_t *ndocs)
{
    yaml_event_t ev;
    model_arena *a = b->arena;
    model_errors *errs = b->errs;
    size_t cap_docs = 0;
    int rc = 0;

    *docs = NULL;
    *ndocs = 0;
    for (bool done = false; !done;) {
        if (!yaml_parser_parse(parser, &ev)) {
            if (parser->error == YAML_MEMORY_ERROR) {
                fputs("splitsim: out of memory\n", stderr);
                abort();
            }
            if (src->too_large)
                rc = model_fail(errs, (model_mark){b->file, 0, 0}, "larger than %llu MiB",
                                (unsigned long long)(src->max_bytes >> 20));
            else if (src->read_errno)
                rc = model_fail(errs, (model_mark){b->file, 0, 0}, "cannot read: %s",
                                strerror(src->read_errno));
            else if (parser->error == YAML_READER_ERROR)
                rc = reader_error(b, parser, src);
            else
                rc = syntax_error(b, parser, src);
            break;
        }
        model_mark m = mark_of(b, ev.start_mark);
        model_node *n = NULL;
        uint64_t cost = 0; /* values this event adds to the document */
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            b->n_anchors = 0; /* anchors do not cross documents */
            b->expanded = 0;
            b->aliases = false;
            break;
        case YAML_SCALAR_EVENT: {
            n = model_arena_alloc(a, sizeof *n);
            n->kind = MODEL_NODE_SCALAR;
            n->mark = m;
            n->len = (uint32_t)ev.data.scalar.length; /* files are at most 64 MiB */
            n->text = model_arena_strndup(a, (char *)ev.data.scalar.value, n->len);
            n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                       !ev.data.scalar.tag; /* `!!str 10` is a string */
            n->expanded = 1;
            cost = 1;
            if (strlen(n->text) != n->len)
                rc = model_fail(errs, m, "strings must not contain NUL characters");
            remember_anchor(b, ev.data.scalar.anchor, n);
            break;
        }
        case YAML_ALIAS_EVENT:
            b->aliases = true;
            n = find_anchor(b, (char *)ev.data.alias.anchor);
            if (!n) {
                rc = model_fail(errs, m, "unknown alias '*%s'", (char *)ev.data.alias.anchor);
                done = true;
            } else if (is_open(b, n)) {
                /* `&a {b: *a}` would make the tree a cycle: no JSON value is one, and every
                 * walk over it (merge, equality, reports) would never end. */
                rc = model_fail(errs, m, "alias '*%s' refers to a node that contains it",
                                (char *)ev.data.alias.anchor);
                n = NULL;
                done = true;
            } else {
                /* An alias costs what its target costs, computed once: checking is O(1). */
                cost = n->expanded;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool map = ev.type == YAML_MAPPING_START_EVENT;
            if (is_key_position(b)) {
                rc = model_fail(errs, m, "mapping keys must be plain strings, not %s",
                                map ? "a mapping" : "a list");
                done = true;
                break;
            }
            if (b->depth >= MODEL_NODE_MAX_DEPTH) {
                rc = model_fail(errs, m, "nesting deeper than %d levels", MODEL_NODE_MAX_DEPTH);
                done = true;
                break;
            }
            /* A container costs one value when it opens, so a flood of `[]` or `{}` is
             * refused as it is read, not after gigabytes of empty nodes. */
            if (spend(b, 1, m) < 0) {
                rc = -1;
                done = true;
                break;
            }
            model_node *c = model_arena_alloc(a, sizeof *c);
            c->kind = map ? MODEL_NODE_MAP : MODEL_NODE_SEQ;
            c->mark = m;
            c->expanded = 1;
            remember_anchor(b, map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor,
                            c);
            b->stack[++b->depth] = (frame){c, NULL, 0};
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            n = b->stack[b->depth--].node;
            if (n->kind == MODEL_NODE_MAP && check_duplicates(b, n) < 0)
                b->failed = true;
            break;
        default:
            break;
        }
        if (n) {
            /* A finished container was paid for as it was read (its start and every
             * child), so only scalars and aliases cost anything here. */
            if (cost && spend(b, cost, m) < 0) {
                rc = -1;
                done = true;
            } else if (finish_node(b, n, docs, ndocs, &cap_docs) < 0) {
                rc = -1;
                done = true;
            }
        }
        yaml_event_delete(&ev);
    }
    if (b->failed)
        rc = -1;
    return rc;
}

static int parse_source(model_arena *a, const char *file, source *src, model_yaml_budget *budget,
                        model_errors *errs, model_node ***docs, size_t *ndocs)
{
    yaml_parser_t parser;
    builder b = {.arena = a, .file = file, .errs = errs, .budget = budget};
    if (!yaml_parser_initialize(&parser)) {
        fputs("splitsim: out of memory\n", stderr);
        abort();
    }
    if (src->data)
        yaml_parser_set_input_string(&parser, (const unsigned char *)src->data, src->len);
    else
        yaml_parser_set_input(&parser, read_handler, src);
    int rc = parse(&b, &parser, src, docs, ndocs);
    yaml_parser_delete(&parser);
    free(b.anchors);
    return rc;
}

int model_yaml_parse(model_arena *a, const char *file, const char *data, size_t len,
                     model_yaml_budget *budget, model_errors *errs, model_node ***docs,
                     size_t *ndocs)
{
    source src = {.data = data, .len = len, .fd = -1, .max_bytes = UINT64_MAX};
    return parse_source(a, file, &src, budget, errs, docs, ndocs);
}

int model_yaml_parse_fd(model_arena *a, const char *file, int fd, uint64_t max_bytes,
                        model_yaml_budget *budget, model_errors *errs, model_node ***docs,
                        size_t *ndocs)
{
    source src = {.fd = fd, .max_bytes = max_bytes};
    return parse_source(a, file, &src, budget, errs, docs, ndocs);
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
