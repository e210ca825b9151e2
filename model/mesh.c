/*
 * mesh.c - service protocols and endpoints; see mesh.h.
 */
#include "model/mesh.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *model_protocol_name(model_protocol p)
{
    static const char *const names[] = {
#define X(e, s) s,
        MODEL_PROTOCOLS(X)
#undef X
    };
    return names[p];
}

model_protocol model_protocol_parse(const char *s)
{
    if (!s)
        return MODEL_PROTO_UNKNOWN;
    for (int p = MODEL_PROTO_TCP; p <= MODEL_PROTO_MYSQL; p++)
        if (!strcasecmp(s, model_protocol_name((model_protocol)p)))
            return (model_protocol)p;
    return MODEL_PROTO_UNKNOWN;
}

/* A protocol's stack, most specific first (protocolStacks in protocol.go); mysql has
 * none, so it is common only with itself. */
static const model_protocol *stack_of(model_protocol p, size_t *n)
{
    static const model_protocol grpc[] = {MODEL_PROTO_GRPC, MODEL_PROTO_HTTP2, MODEL_PROTO_TCP};
    static const model_protocol http2[] = {MODEL_PROTO_HTTP2, MODEL_PROTO_TCP};
    static const model_protocol http[] = {MODEL_PROTO_HTTP, MODEL_PROTO_TCP};
    static const model_protocol kafka[] = {MODEL_PROTO_KAFKA, MODEL_PROTO_TCP};
    static const model_protocol tcp[] = {MODEL_PROTO_TCP};
    switch (p) {
    case MODEL_PROTO_GRPC:
        *n = 3;
        return grpc;
    case MODEL_PROTO_HTTP2:
        *n = 2;
        return http2;
    case MODEL_PROTO_HTTP:
        *n = 2;
        return http;
    case MODEL_PROTO_KAFKA:
        *n = 2;
        return kafka;
    case MODEL_PROTO_TLS:
    case MODEL_PROTO_TCP:
        *n = 1;
        return tcp;
    default:
        *n = 0;
        return NULL;
    }
}

model_protocol model_protocol_common(model_protocol a, model_protocol b)
{
    if (a == b)
        return a;
    if (a == MODEL_PROTO_UNKNOWN || b == MODEL_PROTO_UNKNOWN)
        return MODEL_PROTO_UNKNOWN;
    size_t na, nb;
    const model_protocol *sa = stack_of(a, &na), *sb = stack_of(b, &nb);
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (sa[i] == sb[j])
                return sa[i];
    return MODEL_PROTO_UNKNOWN;
}

bool model_protocol_is_http(model_protocol p)
{
    return p == MODEL_PROTO_HTTP || p == MODEL_PROTO_HTTP2 || p == MODEL_PROTO_GRPC;
}

struct model_mesh_index {
    const char **names;              /* services, sorted, unique */
    model_protocol *protocol;        /* per service */
    size_t *first, *count;           /* per service: its range in `endpoints` */
    const model_inbound **endpoints; /* healthy inbounds, grouped by service */
    size_t n;
};

typedef struct index_entry {
    const char *service;
    const model_inbound *inbound;
    size_t order; /* dataplane order, kept within a service */
} index_entry;

static int cmp_entry(const void *x, const void *y)
{
    const index_entry *a = x, *b = y;
    int c = strcmp(a->service, b->service);
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

/* Kuma's inferServiceProtocol over one service's endpoints, in order. */
static model_protocol fold_protocol(const model_inbound *const *ep, size_t n)
{
    model_protocol common = MODEL_PROTO_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        /* A missing tag is "" in Kuma, which is common with nothing: <unknown>. */
        const char *tag = model_tags_get(&ep[i]->tags, MODEL_TAG_PROTOCOL);
        if (!tag)
            return MODEL_PROTO_UNKNOWN;
        model_protocol p = model_protocol_parse(tag);
        common = i == 0 ? p : model_protocol_common(common, p);
    }
    return common;
}

void model_mesh_index_build(model_scenario *s)
{
    model_arena *a = s->arena;
    struct model_mesh_index *ix = model_arena_alloc(a, sizeof *ix);
    size_t cap = 0;
    for (size_t i = 0; i < s->n_dataplanes; i++)
        cap += s->dataplanes[i].n_inbounds;
    index_entry *e = model_xmalloc((cap ? cap : 1) * sizeof *e);
    size_t n = 0;
    for (size_t i = 0; i < s->n_dataplanes; i++)
        for (size_t j = 0; j < s->dataplanes[i].n_inbounds; j++) {
            const model_inbound *in = &s->dataplanes[i].inbounds[j];
            /* An inbound without tags (valid since Kuma 2.14) belongs to no service. */
            const char *svc = model_tags_get(&in->tags, MODEL_TAG_SERVICE);
            if (svc)
                e[n] = (index_entry){svc, in, n}, n++;
        }
    qsort(e, n, sizeof *e, cmp_entry);
    size_t alloc = n ? n : 1;
    ix->names = model_arena_alloc(a, alloc * sizeof *ix->names);
    ix->protocol = model_arena_alloc(a, alloc * sizeof *ix->protocol);
    ix->first = model_arena_alloc(a, alloc * sizeof *ix->first);
    ix->count = model_arena_alloc(a, alloc * sizeof *ix->count);
    ix->endpoints = model_arena_alloc(a, alloc * sizeof *ix->endpoints);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (ix->n == 0 || strcmp(ix->names[ix->n - 1], e[i].service)) {
            ix->names[ix->n] = e[i].service;
            ix->first[ix->n] = k;
            ix->n++;
        }
        if (e[i].inbound->healthy) {
            ix->endpoints[k++] = e[i].inbound;
            ix->count[ix->n - 1]++;
        }
    }
    for (size_t i = 0; i < ix->n; i++)
        ix->protocol[i] = fold_protocol(ix->endpoints + ix->first[i], ix->count[i]);
    free(e);
    s->mesh_index = ix;
}

/* Index of `service` in the index, or -1. */
static long find_service(const model_scenario *s, const char *service)
{
    const struct model_mesh_index *ix = s->mesh_index;
    size_t lo = 0, hi = ix ? ix->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->names[mid], service);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const char *const *model_mesh_services(const model_scenario *s, size_t *n)
{
    *n = s->mesh_index ? s->mesh_index->n : 0;
    return s->mesh_index ? s->mesh_index->names : NULL;
}

bool model_mesh_has_service(const model_scenario *s, const char *service)
{
    return find_service(s, service) >= 0;
}

model_protocol model_mesh_service_protocol(const model_scenario *s, const char *service)
{
    long i = find_service(s, service);
    return i < 0 ? MODEL_PROTO_UNKNOWN : s->mesh_index->protocol[i];
}

size_t model_mesh_endpoints(const model_scenario *s, const char *service, const model_tags *subset)
{
    long i = find_service(s, service);
    if (i < 0)
        return 0;
    const struct model_mesh_index *ix = s->mesh_index;
    size_t n = 0;
    for (size_t k = ix->first[i]; k < ix->first[i] + ix->count[i]; k++)
        n += model_tags_contain(&ix->endpoints[k]->tags, subset);
    return n;
}
