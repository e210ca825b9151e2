/*
 * mesh.c - service protocols and endpoints; see mesh.h.
 */
#include "model/mesh.h"

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

model_protocol model_mesh_service_protocol(const model_scenario *s, const char *service)
{
    bool first = true;
    model_protocol common = MODEL_PROTO_UNKNOWN;
    for (size_t i = 0; i < s->n_dataplanes; i++) {
        const model_dataplane *dp = &s->dataplanes[i];
        for (size_t j = 0; j < dp->n_inbounds; j++) {
            const model_tags *t = &dp->inbounds[j].tags;
            const char *svc = model_tags_get(t, MODEL_TAG_SERVICE);
            if (!svc || strcmp(svc, service) || !dp->inbounds[j].healthy)
                continue;
            /* A missing tag is "" in Kuma, which is common with nothing: <unknown>. */
            const char *tag = model_tags_get(t, MODEL_TAG_PROTOCOL);
            model_protocol p = tag ? model_protocol_parse(tag) : MODEL_PROTO_UNKNOWN;
            if (!tag)
                return MODEL_PROTO_UNKNOWN;
            common = first ? p : model_protocol_common(common, p);
            first = false;
        }
    }
    return common;
}

size_t model_mesh_endpoints(const model_scenario *s, const char *service, const model_tags *subset)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_dataplanes; i++) {
        const model_dataplane *dp = &s->dataplanes[i];
        for (size_t j = 0; j < dp->n_inbounds; j++) {
            const model_tags *t = &dp->inbounds[j].tags;
            const char *svc = model_tags_get(t, MODEL_TAG_SERVICE);
            if (svc && !strcmp(svc, service) && dp->inbounds[j].healthy &&
                model_tags_contain(t, subset))
                n++;
        }
    }
    return n;
}
