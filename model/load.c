/*
 * load.c - scenario files into a model_scenario; see load.h.
 *
 * The scenario schema (docs/manual.md §2), as this file reads it:
 *
 *   scenario: NAME                 required
 *   description: TEXT
 *   seed: N                        0..2^64-1, default 1
 *   kuma: "2.N"                    semantics version, default 2.14
 *   mesh: NAME                     default "default"
 *   services: [{name, protocol?, instances: [{tags?, count?}]}]
 *   resources: [Kuma resource...]  inline, Kubernetes or Universal form, or List
 *   include: [PATH...]             files of Kuma resources, relative to this file; a
 *                                  document of such a file may itself be a bundle
 *                                  {resources: [...], include: [...]}
 *   traffic: [{name?, from, to, connections?, rate?, arrival?, start?, stop?, hold?,
 *              requests?, requests_per_connection?}]
 *   expect: [{flow | from+to, window?, step?, route?, policy?, split?, tolerance?,
 *             confidence?, failed?}]
 *
 * Reading happens in two passes: first every document is read into builders (so that all
 * problems of all files are found), then names are cross-checked (flows against services
 * and dataplanes, expectations against flows).
 */
#include "model/load.h"
#include "model/regex.h"
#include "flow.h"
#include "gateway.h"
#include "model/mesh.h"
#include "policy.h"
#include "dataplane.h"
#include "schema.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Limits on what a scenario may ask for (docs/manual.md, "Limits"): no input costs more
 * than its size suggests, and each limit is named in the message that refuses it. */
#define LOAD_MAX_FILE_BYTES (64u << 20) /* per file */
#define LOAD_MAX_INCLUDE_DEPTH 16

typedef struct include_frame {
    const char *path; /* as written (relative to the includer), for messages */
    bool known;       /* the file exists: dev and ino identify it, whatever its spelling */
    dev_t dev;
    ino_t ino;
    struct include_frame *parent;
} include_frame;

typedef struct loader {
    model_arena *a;
    model_errors *errs;
    model_scenario *s;
    int kuma_minor;
    /* Everything read, before the mesh filter and sorting. */
    model_dataplane *dps;
    size_t n_dps, cap_dps;
    model_policy *pols;
    size_t n_pols, cap_pols;
    const char *skipped[64];
    size_t n_skipped;
    /* Services whose definition was refused, so flows to or from them do not also say
     * "no service" (flow.h). */
    const char **refused_services;
    size_t n_refused_services, cap_refused_services;
    model_yaml_budget budget; /* values in all the files of the scenario */
    size_t n_backend_refs;    /* in the policies read so far */
} loader;

static const char *const top_keys[] = {"scenario", "description", "seed",    "kuma",    "mesh",
                                       "services", "resources",   "include", "traffic", "expect",
                                       "timeline", "rollout",     NULL};

int model_kuma_version_parse(const char *s)
{
    if (strncmp(s, "2.", 2))
        return -1;
    char *end;
    errno = 0;
    long minor = strtol(s + 2, &end, 10);
    if (errno || *end || end == s + 2 || s[2] == '+' || s[2] == '-')
        return -1;
    if (minor < MODEL_KUMA_MINOR_MIN || minor > MODEL_KUMA_MINOR_MAX)
        return -1;
    return (int)minor;
}

/* ---- files --------------------------------------------------------------------------- */

/* What a path that is not a regular file is, for messages; NULL for a regular file. */
static const char *special_kind(mode_t mode)
{
    if (S_ISREG(mode))
        return NULL;
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

/* Parses the file at `path` into *docs.  Only regular files are read: a FIFO, a socket or
 * a device is refused at once (the file is opened without blocking, then checked), since
 * reading one could hang or never end; a directory is refused too.  Problems are placed at
 * `from` (the include that names the file).  Returns 0 or -1. */
static int parse_file(loader *L, const char *path, model_mark from, model_node ***docs,
                      size_t *ndocs)
{
    struct stat st;
    /* stat first: a socket cannot be opened at all, and its error would not say why. */
    if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode) && special_kind(st.st_mode))
        return model_fail(L->errs, from, "cannot read %s: it is %s, not a regular file%s", path,
                          special_kind(st.st_mode),
                          S_ISFIFO(st.st_mode) && from.line == 0
                              ? " (give - as the file to read a scenario from a pipe)"
                              : "");
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return model_fail(L->errs, from, "cannot read %s: %s", path, strerror(errno));
    /* What was opened is what counts (the path may have changed since the stat). */
    const char *problem = NULL;
    if (fstat(fd, &st) < 0)
        problem = strerror(errno);
    else if (S_ISDIR(st.st_mode))
        problem = strerror(EISDIR);
    else if (special_kind(st.st_mode))
        problem = model_arena_printf(L->a, "it is %s, not a regular file",
                                     special_kind(st.st_mode));
    else if ((uint64_t)st.st_size > LOAD_MAX_FILE_BYTES)
        problem = model_arena_printf(L->a, "larger than %u MiB", LOAD_MAX_FILE_BYTES >> 20);
    int rc;
    if (problem)
        rc = model_fail(L->errs, from, "cannot read %s: %s", path, problem);
    else
        rc = model_yaml_parse_fd(L->a, path, fd, LOAD_MAX_FILE_BYTES, &L->budget, L->errs, docs,
                                 ndocs);
    close(fd);
    return rc;
}

/* A frame for `path`, identified by device and inode when the file exists, so that
 * `a/../a.yaml` is known to be `a.yaml`. */
static include_frame frame_of(const char *path, include_frame *parent)
{
    struct stat st;
    include_frame f = {.path = path, .parent = parent};
    if (stat(path, &st) == 0) {
        f.known = true;
        f.dev = st.st_dev;
        f.ino = st.st_ino;
    }
    return f;
}

/* `rel` relative to the directory of `base` (unless absolute). */
static const char *resolve_path(loader *L, const char *base, const char *rel)
{
    if (rel[0] == '/')
        return model_arena_strdup(L->a, rel);
    const char *slash = strrchr(base, '/');
    if (!slash)
        return model_arena_strdup(L->a, rel);
    return model_arena_printf(L->a, "%.*s/%s", (int)(slash - base), base, rel);
}

/* ---- Kuma resources ------------------------------------------------------------------ */

/* Adds a Dataplane resource, unless the scenario has as many dataplanes as it may. */
static void add_dataplane(loader *L, const model_dataplane *dp)
{
    if (L->n_dps >= MODEL_MAX_DATAPLANES) {
        model_fail(L->errs, dp->mark, "more than %d dataplanes: a scenario may have at most %d",
                   MODEL_MAX_DATAPLANES, MODEL_MAX_DATAPLANES);
        return;
    }
    *MODEL_ARENA_PUSH(L->a, L->dps, L->n_dps, L->cap_dps) = *dp;
}

/* backendRefs written in a route policy's spec.to[].rules[].default (for the total). */
static size_t count_backend_refs(const model_policy *p)
{
    size_t n = 0;
    const model_node *to = model_node_get(p->spec, "to");
    for (size_t i = 0; to && to->kind == MODEL_NODE_SEQ && i < to->n; i++) {
        const model_node *rules = model_node_get(to->items[i], "rules");
        for (size_t j = 0; rules && rules->kind == MODEL_NODE_SEQ && j < rules->n; j++) {
            const model_node *refs =
                model_node_get(model_node_get(rules->items[j], "default"), "backendRefs");
            n += refs && refs->kind == MODEL_NODE_SEQ ? refs->n : 0;
        }
    }
    return n;
}

static void add_policy(loader *L, const model_policy *p)
{
    if (L->n_pols >= MODEL_MAX_POLICIES) {
        model_fail(L->errs, p->mark,
                   "more than %d route policies and gateways: a scenario may have at most %d",
                   MODEL_MAX_POLICIES, MODEL_MAX_POLICIES);
        return;
    }
    size_t refs = count_backend_refs(p);
    if (L->n_backend_refs + refs > MODEL_MAX_BACKEND_REFS) {
        model_fail(L->errs, p->mark,
                   "%s '%s' brings the backendRefs of the scenario to %zu: a scenario may "
                   "have at most %d",
                   model_resource_type_name(p->type), p->name, L->n_backend_refs + refs,
                   MODEL_MAX_BACKEND_REFS);
        return;
    }
    L->n_backend_refs += refs;
    *MODEL_ARENA_PUSH(L->a, L->pols, L->n_pols, L->cap_pols) = *p;
}

static void note_refused_service(loader *L, const char *name)
{
    *MODEL_ARENA_PUSH(L->a, L->refused_services, L->n_refused_services, L->cap_refused_services) =
        name;
}

/* The kuma.io/service tags of a refused Dataplane's inbounds, as far as they read. */
static void note_refused_dataplane(loader *L, const model_node *doc)
{
    const model_node *net = model_node_get(doc, "networking");
    if (!net)
        net = model_node_get(model_node_get(doc, "spec"), "networking");
    const model_node *in = model_node_get(net, "inbound");
    for (size_t i = 0; in && in->kind == MODEL_NODE_SEQ && i < in->n; i++) {
        const model_node *svc =
            model_node_get(model_node_get(in->items[i], "tags"), MODEL_TAG_SERVICE);
        if (svc && svc->kind == MODEL_NODE_SCALAR)
            note_refused_service(L, svc->text);
    }
}

static void note_skipped(loader *L, const char *type, model_mark at)
{
    for (size_t i = 0; i < L->n_skipped; i++)
        if (!strcmp(L->skipped[i], type))
            return;
    if (L->n_skipped < sizeof L->skipped / sizeof L->skipped[0])
        L->skipped[L->n_skipped++] = type;
    model_warn(L->errs, at, "skipping %s resources: splitsim does not model them", type);
}

static void read_include_list(loader *L, const model_node *list, const char *base,
                              include_frame *chain, int depth, schema_ctx *c);

static void read_resource(loader *L, const model_node *doc, const char *file, include_frame *chain,
                          int depth)
{
    policy_read_result r;
    switch (model__policy_read(L->a, L->errs, doc, L->kuma_minor, L->s->regexes, &r)) {
    case POLICY_READ_POLICY:
        add_policy(L, &r.policy);
        break;
    case POLICY_READ_DATAPLANE:
        add_dataplane(L, &r.dataplane);
        break;
    case POLICY_READ_SKIPPED:
        note_skipped(L, r.skipped_type, doc->mark);
        break;
    case POLICY_READ_LIST:
        for (size_t i = 0; i < r.items->n; i++)
            read_resource(L, r.items->items[i], file, chain, depth);
        break;
    case POLICY_READ_INVALID:
        note_refused_dataplane(L, doc);
        break;
    }
}

static void read_resource_list(loader *L, const model_node *list, const char *file,
                               include_frame *chain, int depth, schema_ctx *c)
{
    size_t old = schema_push_key(c, "resources");
    if (schema_is_seq(c, list))
        for (size_t i = 0; i < list->n; i++)
            read_resource(L, list->items[i], file, chain, depth);
    schema_pop(c, old);
}

/* One included file: its documents are Kuma resources, lists of them, or bundles. */
static void read_include_file(loader *L, const char *path, model_mark from, include_frame *chain,
                              int depth)
{
    include_frame here = frame_of(path, chain);
    for (include_frame *f = chain; f; f = f->parent) {
        if (here.known && f->known ? here.dev == f->dev && here.ino == f->ino
                                   : !strcmp(f->path, path)) {
            /* Name every file of the loop, from the one included again to here. */
            const char *loop = path;
            for (include_frame *g = chain; g != f->parent; g = g->parent)
                loop = model_arena_printf(L->a, "%s -> %s", g->path, loop);
            model_fail(L->errs, from, "include cycle: %s", loop);
            return;
        }
    }
    if (depth > LOAD_MAX_INCLUDE_DEPTH) {
        model_fail(L->errs, from, "includes nested deeper than %d files", LOAD_MAX_INCLUDE_DEPTH);
        return;
    }
    model_node **docs;
    size_t ndocs;
    if (parse_file(L, path, from, &docs, &ndocs) < 0)
        return;
    for (size_t i = 0; i < ndocs; i++) {
        const model_node *d = docs[i];
        if (model_node_is_null(d))
            continue;
        if (d->kind == MODEL_NODE_MAP && !model_node_get(d, "kind") && !model_node_get(d, "type") &&
            !model_node_get(d, "items")) {
            /* A bundle: resources and further includes. */
            static const char *const bundle_keys[] = {"resources", "include", NULL};
            schema_ctx c;
            schema_init(&c, L->a, L->errs, NULL);
            if (schema_check_keys(&c, d, bundle_keys))
                continue;
            const model_node *res = model_node_get(d, "resources");
            if (res)
                read_resource_list(L, res, path, &here, depth, &c);
            const model_node *inc = model_node_get(d, "include");
            if (inc)
                read_include_list(L, inc, path, &here, depth + 1, &c);
            continue;
        }
        read_resource(L, d, path, &here, depth);
    }
}

static void read_include_list(loader *L, const model_node *list, const char *base,
                              include_frame *chain, int depth, schema_ctx *c)
{
    size_t old = schema_push_key(c, "include");
    if (schema_is_seq(c, list)) {
        for (size_t i = 0; i < list->n; i++) {
            const char *rel;
            size_t o2 = schema_push_index(c, i);
            if (schema_string(c, list->items[i], &rel) == 0)
                read_include_file(L, resolve_path(L, base, rel), list->items[i]->mark, chain,
                                  depth);
            schema_pop(c, o2);
        }
    }
    schema_pop(c, old);
}

/* ---- services shorthand -------------------------------------------------------------- */

static const char *const service_keys[] = {"name", "protocol", "instances", NULL};
static const char *const instance_keys[] = {"tags", "count", NULL};

/* Kubernetes service names in Kuma read `<name>_<namespace>_svc_<port>`: the dataplanes
 * made for such a service live in that namespace (it decides which consumer-role
 * policies reach them, docs/routing.md §1). */
static const char *namespace_of_service(model_arena *a, const char *svc)
{
    const char *first = strchr(svc, '_');
    if (!first)
        return NULL;
    const char *second = strchr(first + 1, '_');
    if (!second || strncmp(second, "_svc_", 5))
        return NULL;
    const char *port = second + 5;
    if (!*port)
        return NULL;
    for (const char *p = port; *p; p++)
        if (*p < '0' || *p > '9')
            return NULL;
    return model_arena_strndup(a, first + 1, (size_t)(second - first - 1));
}

typedef struct service_name {
    const char *name;
    size_t index;
} service_name;

static int cmp_service_name(const void *x, const void *y)
{
    const service_name *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* Marks in repeats[i] the `services` entries whose name an earlier entry has, saying so
 * in the user's words ("service 'a' is defined twice"), not in the words of the
 * dataplanes that would collide.  Sorting keeps this O(n log n). */
static void find_repeated_services(const model_node *list, schema_ctx *c, bool *repeats)
{
    service_name *v = model_xmalloc((list->n ? list->n : 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < list->n; i++) {
        const model_node *nn = model_node_get(list->items[i], "name");
        if (nn && nn->kind == MODEL_NODE_SCALAR && !model_node_is_null(nn))
            v[n++] = (service_name){nn->text, i};
    }
    qsort(v, n, sizeof *v, cmp_service_name);
    size_t *first_of = model_xcalloc(list->n ? list->n : 1, sizeof *first_of);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(v[first].name, v[i].name))
            first = i;
        else {
            repeats[v[i].index] = true;
            first_of[v[i].index] = v[first].index;
        }
    }
    for (size_t i = 0; i < list->n; i++) {
        if (!repeats[i])
            continue;
        const model_node *nn = model_node_get(list->items[i], "name");
        size_t o2 = schema_push_index(c, i);
        size_t o3 = schema_push_key(c, "name");
        schema_fail(c, nn, "service '%s' is defined twice (first at line %d)", nn->text,
                    list->items[first_of[i]]->mark.line);
        schema_pop(c, o3);
        schema_pop(c, o2);
    }
    free(first_of);
    free(v);
}

static void read_services(loader *L, const model_node *list, schema_ctx *c)
{
    size_t old = schema_push_key(c, "services");
    if (!schema_is_seq(c, list)) {
        schema_pop(c, old);
        return;
    }
    bool *repeats = model_xcalloc(list->n ? list->n : 1, sizeof *repeats);
    find_repeated_services(list, c, repeats);
    for (size_t i = 0; i < list->n; i++) {
        const model_node *svc = list->items[i];
        if (repeats[i])
            continue; /* said; its dataplanes would only collide with the first's */
        size_t o2 = schema_push_index(c, i);
        if (!schema_is_map(c, svc)) {
            schema_pop(c, o2);
            continue;
        }
        size_t errors_before = model_errors_count(L->errs);
        schema_check_keys(c, svc, service_keys);
        const char *name = NULL, *protocol = NULL;
        const model_node *nn = model_node_get(svc, "name");
        size_t o3 = schema_push_key(c, "name");
        if (!nn)
            schema_fail(c, svc, "must be set");
        else if (schema_string(c, nn, &name) == 0 && !model_tags_valid_value(name)) {
            schema_fail(c, nn,
                        "tag value must consist of alphanumeric characters, dots, "
                        "dashes and underscores");
            name = NULL;
        }
        schema_pop(c, o3);
        const model_node *pn = model_node_get(svc, "protocol");
        if (pn) {
            o3 = schema_push_key(c, "protocol");
            if (schema_string(c, pn, &protocol) == 0 &&
                model_protocol_parse(protocol) == MODEL_PROTO_UNKNOWN) {
                schema_fail(c, pn,
                            "unknown protocol \"%s\": use one of grpc, http, http2, "
                            "kafka, tcp, tls, mysql",
                            protocol);
                protocol = NULL;
            }
            schema_pop(c, o3);
        }
        const model_node *inst = model_node_get(svc, "instances");
        o3 = schema_push_key(c, "instances");
        if (!inst) {
            schema_fail(c, svc, "must be set: list the instances (dataplanes) of the service");
        } else if (schema_is_seq(c, inst)) {
            if (inst->n == 0)
                schema_fail(c, inst, "must have at least one instance");
            uint64_t seq = 0;
            for (size_t j = 0; j < inst->n; j++) {
                const model_node *in = inst->items[j];
                size_t o4 = schema_push_index(c, j);
                if (!schema_is_map(c, in)) {
                    schema_pop(c, o4);
                    continue;
                }
                schema_check_keys(c, in, instance_keys);
                model_tags tags = {0};
                uint64_t count = 1;
                const model_node *tn = model_node_get(in, "tags");
                size_t o5 = schema_push_key(c, "tags");
                bool ok = !tn || schema_tags(c, tn, SCHEMA_TAGS_KUMA, &tags) == 0;
                const char *tp = model_tags_get(&tags, MODEL_TAG_PROTOCOL);
                if (ok && model__check_protocol_tag(c, tn, &tags) < 0)
                    ok = false;
                const char *ts = model_tags_get(&tags, MODEL_TAG_SERVICE);
                if (ok && name && ts && strcmp(ts, name)) {
                    schema_fail(c, model_node_get(tn, MODEL_TAG_SERVICE),
                                "kuma.io/service is the service's name ('%s'); leave it out", name);
                    ok = false;
                }
                schema_pop(c, o5);
                const model_node *cn = model_node_get(in, "count");
                if (cn) {
                    o5 = schema_push_key(c, "count");
                    if (schema_count(c, cn, MODEL_MAX_DATAPLANES, &count) < 0)
                        ok = false;
                    else if (count > MODEL_MAX_DATAPLANES - L->n_dps)
                        /* Checked before anything is built: ten lines asking for ten
                         * million dataplanes cost nothing to refuse. */
                        ok = schema_fail(c, cn,
                                         "%llu dataplanes, after the %zu before, pass the "
                                         "limit: a scenario may have at most %d",
                                         (unsigned long long)count, L->n_dps,
                                         MODEL_MAX_DATAPLANES) == 0;
                    schema_pop(c, o5);
                }
                if (ok && name) {
                    model_tags_set(L->a, &tags, MODEL_TAG_SERVICE, name);
                    if (protocol && !tp)
                        model_tags_set(L->a, &tags, MODEL_TAG_PROTOCOL, protocol);
                    /* The instances of an entry are identical but for their names: they
                     * share one inbound (the model only reads it). */
                    model_inbound *inbound = model_arena_alloc(L->a, sizeof *inbound);
                    *inbound = (model_inbound){tags, true, in->mark};
                    const char *ns = namespace_of_service(L->a, name);
                    for (uint64_t k = 0; k < count; k++) {
                        model_dataplane dp = {0};
                        dp.name =
                            model_arena_printf(L->a, "%s-%llu", name, (unsigned long long)++seq);
                        dp.mesh = L->s->mesh;
                        dp.service = name;
                        dp.origin = MODEL_ORIGIN_UNSET;
                        dp.namespace_ = ns;
                        dp.inbounds = inbound;
                        dp.n_inbounds = 1;
                        dp.mark = in->mark;
                        add_dataplane(L, &dp);
                    }
                }
                schema_pop(c, o4);
            }
        }
        schema_pop(c, o3);
        if (name && model_errors_count(L->errs) > errors_before)
            note_refused_service(L, name);
        schema_pop(c, o2);
    }
    free(repeats);
    schema_pop(c, old);
}

/* ---- the whole scenario -------------------------------------------------------------- */

static int cmp_dataplane(const void *x, const void *y)
{
    return strcmp(((const model_dataplane *)x)->name, ((const model_dataplane *)y)->name);
}

static int cmp_str_or_null(const char *x, const char *y)
{
    return x && y ? strcmp(x, y) : (x != NULL) - (y != NULL);
}

/* Kuma identifies a resource by type, name and (on Kubernetes) namespace. */
static int cmp_policy_key(const model_policy *p, const model_policy *q)
{
    if (p->type != q->type)
        return p->type < q->type ? -1 : 1;
    int c = strcmp(p->name, q->name);
    return c ? c : cmp_str_or_null(p->namespace_, q->namespace_);
}

/* qsort order for policy pointers into one array: by key, then load order. */
static int cmp_policy_identity(const void *x, const void *y)
{
    const model_policy *p = *(const model_policy *const *)x, *q = *(const model_policy *const *)y;
    int c = cmp_policy_key(p, q);
    return c ? c : (p > q) - (p < q);
}

/* Keeps the resources of the scenario's mesh, refuses duplicates, sorts dataplanes. */
static void settle_mesh(loader *L)
{
    model_scenario *s = L->s;
    s->dataplanes = model_arena_alloc(L->a, (L->n_dps ? L->n_dps : 1) * sizeof *s->dataplanes);
    for (size_t i = 0; i < L->n_dps; i++)
        if (!strcmp(L->dps[i].mesh, s->mesh))
            s->dataplanes[s->n_dataplanes++] = L->dps[i];
    qsort(s->dataplanes, s->n_dataplanes, sizeof *s->dataplanes, cmp_dataplane);
    for (size_t i = 1; i < s->n_dataplanes; i++) {
        const model_dataplane *a = &s->dataplanes[i - 1], *b = &s->dataplanes[i];
        if (!strcmp(a->name, b->name)) {
            const model_dataplane *later =
                (a->mark.line > b->mark.line && a->mark.file == b->mark.file) ? a : b;
            const model_dataplane *earlier = later == a ? b : a;
            model_fail(L->errs, later->mark, "dataplane '%s' is defined twice (first at %s:%d)",
                       a->name, earlier->mark.file, earlier->mark.line);
        }
    }
    /* Duplicates (same type, name and namespace) by sorting, not by pairs: a dump of
     * thousands of policies stays linear-logarithmic.  The first in load order is kept. */
    const model_policy **order = model_xmalloc((L->n_pols ? L->n_pols : 1) * sizeof *order);
    size_t n_mesh = 0;
    for (size_t i = 0; i < L->n_pols; i++)
        if (!strcmp(L->pols[i].mesh, s->mesh))
            order[n_mesh++] = &L->pols[i];
    qsort(order, n_mesh, sizeof *order, cmp_policy_identity);
    /* first_of[i]: the policy that L->pols[i] repeats, reported in load order below. */
    const model_policy **first_of = model_xcalloc(L->n_pols ? L->n_pols : 1, sizeof *first_of);
    for (size_t i = 1, first = 0; i < n_mesh; i++) {
        if (cmp_policy_key(order[first], order[i]))
            first = i;
        else
            first_of[order[i] - L->pols] = order[first];
    }
    free(order);
    s->policies = model_arena_alloc(L->a, (L->n_pols ? L->n_pols : 1) * sizeof *s->policies);
    for (size_t i = 0; i < L->n_pols; i++) {
        const model_policy *p = &L->pols[i];
        if (first_of[i])
            model_fail(L->errs, p->mark, "%s '%s' is defined twice (first at %s:%d)",
                       model_resource_type_name(p->type), p->name, first_of[i]->mark.file,
                       first_of[i]->mark.line);
        if (strcmp(p->mesh, s->mesh) || first_of[i])
            continue;
        s->policies[s->n_policies++] = *p;
        if (p->type == MODEL_RES_TRAFFIC_ROUTE)
            s->n_traffic_routes++;
    }
    free(first_of);
    s->gateways = model__gateways_sorted(s->arena, s->policies, s->n_policies, &s->n_gateways);
}

/* A route's `to` naming a service the mesh does not have: Kuma accepts it, and it routes
 * nothing, so it is most likely a typo.  Warned, with the closest service. */
static void warn_unknown_destinations(loader *L)
{
    model_scenario *s = L->s;
    size_t nsvc;
    const char *const *svcs = model_mesh_services(s, &nsvc);
    for (size_t i = 0; i < s->n_policies; i++) {
        const model_policy *p = &s->policies[i];
        for (size_t j = 0; j < p->n_to; j++) {
            const model_target_ref *t = &p->to[j].target;
            if (t->kind != MODEL_KIND_MESH_SERVICE || !t->name ||
                model_mesh_has_service(s, t->name))
                continue;
            const char *hint = model_suggest(t->name, svcs, nsvc);
            model_warn(L->errs, t->mark,
                       "%s '%s' spec.to[%zu].targetRef.name: no service '%s' in mesh '%s'%s%s%s; "
                       "Kuma accepts it, and it routes nothing",
                       model_resource_type_name(p->type), p->name, j, t->name, s->mesh,
                       hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
        }
    }
}

static void read_scenario_doc(loader *L, const model_node *root, const char *file,
                              const model_load_options *opts)
{
    model_scenario *s = L->s;
    schema_ctx c;
    schema_init(&c, L->a, L->errs, NULL);
    if (!schema_is_map(&c, root))
        return;
    schema_check_keys(&c, root, top_keys);

    const model_node *n = model_node_get(root, "scenario");
    if (!n)
        schema_fail(&c, root, "scenario: must be set (a name for reports and JUnit)");
    else {
        size_t old = schema_push_key(&c, "scenario");
        schema_string(&c, n, &s->name);
        schema_pop(&c, old);
    }
    if ((n = model_node_get(root, "description"))) {
        size_t old = schema_push_key(&c, "description");
        schema_string(&c, n, &s->description);
        schema_pop(&c, old);
    }
    s->seed = 1;
    if ((n = model_node_get(root, "seed"))) {
        size_t old = schema_push_key(&c, "seed");
        schema_uint(&c, n, UINT64_MAX, &s->seed);
        schema_pop(&c, old);
    }
    if (opts && opts->has_seed)
        s->seed = opts->seed;
    s->kuma_minor = MODEL_KUMA_MINOR_MAX;
    if ((n = model_node_get(root, "kuma"))) {
        size_t old = schema_push_key(&c, "kuma");
        const char *v;
        if (schema_string(&c, n, &v) == 0) {
            int m = model_kuma_version_parse(v);
            if (m < 0)
                schema_fail(&c, n,
                            "unsupported Kuma version \"%s\": splitsim reproduces 2.%d "
                            "to 2.%d",
                            v, MODEL_KUMA_MINOR_MIN, MODEL_KUMA_MINOR_MAX);
            else
                s->kuma_minor = m;
        }
        schema_pop(&c, old);
    }
    if (opts && opts->kuma_minor > 0)
        s->kuma_minor = opts->kuma_minor;
    L->kuma_minor = s->kuma_minor;
    s->mesh = "default";
    if ((n = model_node_get(root, "mesh"))) {
        size_t old = schema_push_key(&c, "mesh");
        schema_string(&c, n, &s->mesh);
        schema_pop(&c, old);
    }
    for (const char *k = "timeline"; k; k = strcmp(k, "timeline") ? NULL : "rollout") {
        if ((n = model_node_get(root, k))) {
            size_t old = schema_push_key(&c, k);
            schema_fail(&c, root->keys[model_node_find(root, k)], "%s",
                        model_unsimulated_message(MODEL_UNSIM_TIMELINE));
            schema_pop(&c, old);
        }
    }
    if ((n = model_node_get(root, "services")))
        read_services(L, n, &c);
    if ((n = model_node_get(root, "resources")))
        read_resource_list(L, n, file, NULL, 0, &c);
    include_frame top = frame_of(file, NULL);
    if ((n = model_node_get(root, "include")))
        read_include_list(L, n, file, &top, 1, &c);

    settle_mesh(L);
    model_mesh_index_build(s);
    warn_unknown_destinations(L);
    flow_refused refused = {.services = L->refused_services, .n_services = L->n_refused_services};
    if ((n = model_node_get(root, "traffic")))
        model__traffic_read(s, n, &c, &refused);
    if ((n = model_node_get(root, "expect")))
        model__expect_read(s, n, &c, &refused);
}

/* Reads the one document of a scenario (docs from model_yaml_parse*), or says why not. */
static void read_scenario_docs(loader *L, model_node **docs, size_t ndocs,
                               const model_load_options *opts)
{
    model_scenario *s = L->s;
    size_t real = 0;
    for (size_t i = 0; i < ndocs; i++) /* `---` then `null` is no document either */
        if (!model_node_is_null(docs[i]))
            docs[real++] = docs[i];
    ndocs = real;
    if (ndocs == 0)
        model_fail(L->errs, (model_mark){s->file, 1, 1},
                   "empty scenario: expected a mapping with at least `scenario:`");
    else if (ndocs > 1)
        model_fail(L->errs, docs[1]->mark,
                   "a scenario file holds one YAML document; put Kuma resources in an "
                   "included file");
    else
        read_scenario_doc(L, docs[0], s->file, opts);
}

/* A new scenario and its loader, for a file called `name` in messages. */
static model_scenario *scenario_new(const char *name, model_errors *errs, loader *L)
{
    model_arena *a = model_arena_new();
    model_scenario *s = model_arena_alloc(a, sizeof *s);
    s->arena = a;
    s->file = model_arena_strdup(a, name);
    s->regexes = model_regex_set_new(a);
    *L = (loader){.a = a,
                  .errs = errs,
                  .s = s,
                  .kuma_minor = MODEL_KUMA_MINOR_MAX,
                  .budget = {MODEL_LOAD_MAX_VALUES, 0}};
    return s;
}

/* The scenario, or NULL (freed) when errors were recorded since `before`. */
static model_scenario *scenario_done(model_scenario *s, model_errors *errs, size_t before)
{
    if (model_errors_count(errs) > before) {
        model_arena_free(s->arena);
        return NULL;
    }
    return s;
}

model_scenario *model_scenario_load_string(const char *name, const char *data, size_t len,
                                           const model_load_options *opts, model_errors *errs)
{
    loader L;
    model_scenario *s = scenario_new(name, errs, &L);
    size_t before = model_errors_count(errs);
    model_node **docs;
    size_t ndocs;
    /* Marks point into nothing of `data` (scalars are copied), so it is not kept. */
    if (model_yaml_parse(L.a, s->file, data, len, &L.budget, errs, &docs, &ndocs) == 0)
        read_scenario_docs(&L, docs, ndocs, opts);
    return scenario_done(s, errs, before);
}

/* Standard input, read whole (a pipe cannot be read again to place an error), at most
 * LOAD_MAX_FILE_BYTES.  Returns a malloc'd buffer, or NULL after recording why. */
static char *read_stdin(model_errors *errs, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = model_xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > LOAD_MAX_FILE_BYTES) {
                free(buf);
                model_fail(errs, (model_mark){MODEL_STDIN_NAME, 0, 0}, "larger than %u MiB",
                           LOAD_MAX_FILE_BYTES >> 20);
                return NULL;
            }
            /* Room for the limit and one byte more, to tell "exactly" from "more". */
            cap = cap * 2 > LOAD_MAX_FILE_BYTES ? (size_t)LOAD_MAX_FILE_BYTES + 1 : cap * 2;
            buf = model_xrealloc(buf, cap);
        }
        ssize_t got = read(STDIN_FILENO, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            model_fail(errs, (model_mark){MODEL_STDIN_NAME, 0, 0}, "cannot read: %s",
                       strerror(errno));
            free(buf);
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    *len = n;
    return buf;
}

model_scenario *model_scenario_load(const char *path, const model_load_options *opts,
                                    model_errors *errs)
{
    if (!strcmp(path, "-")) {
        size_t len;
        char *data = read_stdin(errs, &len);
        model_scenario *s =
            data ? model_scenario_load_string(MODEL_STDIN_NAME, data, len, opts, errs) : NULL;
        free(data);
        return s;
    }
    loader L;
    model_scenario *s = scenario_new(path, errs, &L);
    size_t before = model_errors_count(errs);
    model_node **docs;
    size_t ndocs;
    if (parse_file(&L, s->file, (model_mark){s->file, 0, 0}, &docs, &ndocs) == 0)
        read_scenario_docs(&L, docs, ndocs, opts);
    return scenario_done(s, errs, before);
}

bool model_scenario_probe(const char *path)
{
    /* Parsed as the loader would parse it (same file checks and budgets); the trees are
     * thrown away.  Problems are not recorded: loading the file says them. */
    loader L = {.a = model_arena_new(), .budget = {MODEL_LOAD_MAX_VALUES, 0}};
    model_node **docs;
    size_t ndocs;
    bool scenario = true; /* unreadable or broken: let the load say why */
    if (parse_file(&L, path, (model_mark){path, 0, 0}, &docs, &ndocs) == 0) {
        scenario = false;
        for (size_t i = 0; i < ndocs && !scenario; i++)
            scenario = docs[i]->kind == MODEL_NODE_MAP && model_node_get(docs[i], "scenario");
    }
    model_arena_free(L.a);
    return scenario;
}
