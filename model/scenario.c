/*
 * scenario.c - names of the user-visible enumerations and look-ups over a loaded
 * scenario; see scenario.h.
 */
#include "model/scenario.h"
#include "model/mesh.h"

#include <stdlib.h>
#include <string.h>

const char *model_resource_type_name(model_resource_type t)
{
    static const char *const names[] = {
#define X(e, s) s,
        MODEL_RESOURCE_TYPES(X)
#undef X
    };
    return t < MODEL_RES_COUNT ? names[t] : "?";
}

const char *model_unsimulated_what(model_unsimulated u)
{
    static const char *const names[] = {
#define X(e, s) s,
        MODEL_UNSIMULATED(X)
#undef X
    };
    return u < MODEL_UNSIM_COUNT ? names[u] : "?";
}

const char *model_unsimulated_message(model_unsimulated u)
{
    static const char *const messages[] = {
#define X(e, s) MODEL_UNSIMULATED_SENTENCE ": " s,
        MODEL_UNSIMULATED(X)
#undef X
    };
    return u < MODEL_UNSIM_COUNT ? messages[u] : "?";
}

const char *model_target_kind_name(model_target_kind k)
{
    static const char *const names[] = {
#define X(e, s, r) s,
        MODEL_TARGET_KINDS(X)
#undef X
    };
    return k < MODEL_KIND_COUNT ? names[k] : "?";
}

int model_target_kind_rank(model_target_kind k)
{
    static const int ranks[] = {
#define X(e, s, r) r,
        MODEL_TARGET_KINDS(X)
#undef X
    };
    return k < MODEL_KIND_COUNT ? ranks[k] : 0;
}

int model_target_kind_parse(const char *s)
{
    for (int k = 0; k < MODEL_KIND_COUNT; k++)
        if (!strcmp(s, model_target_kind_name((model_target_kind)k)))
            return k;
    return -1;
}

const char *model_role_name(model_role r)
{
    static const char *const names[] = {
#define X(e, s) s,
        MODEL_POLICY_ROLES(X)
#undef X
    };
    return (size_t)r < sizeof names / sizeof names[0] ? names[r] : "?";
}

model_world model_scenario_world(const model_scenario *s)
{
    return (model_world){s->policies, s->n_policies, s->n_traffic_routes};
}

void model_scenario_free(model_scenario *s)
{
    if (s)
        model_arena_free(s->arena); /* the scenario itself lives in its arena */
}

const model_dataplane *model_scenario_dataplane(const model_scenario *s, const char *name)
{
    size_t lo = 0, hi = s->n_dataplanes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->dataplanes[mid].name, name);
        if (c == 0)
            return &s->dataplanes[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int model_scenario_flow(const model_scenario *s, const char *name)
{
    size_t lo = 0, hi = s->n_flows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->flows[s->flow_order[mid]].name, name);
        if (c == 0)
            return (int)s->flow_order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

bool model_scenario_has_service(const model_scenario *s, const char *service)
{
    return model_mesh_has_service(s, service);
}

const char **model_scenario_services(const model_scenario *s, size_t *n)
{
    /* The index's array is read-only; callers get it as the pointer type they expect. */
    return (const char **)model_mesh_services(s, n);
}

static bool same_str(const char *x, const char *y)
{
    return x == y || (x && y && !strcmp(x, y));
}

bool model_dataplane_routes_alike(const model_dataplane *x, const model_dataplane *y)
{
    if (x->n_inbounds != y->n_inbounds || x->n_outbounds != y->n_outbounds ||
        x->gateway != y->gateway || x->builtin_gateway != y->builtin_gateway ||
        x->origin != y->origin || !same_str(x->namespace_, y->namespace_) ||
        !same_str(x->zone, y->zone) || !model_tags_equal(&x->gateway_tags, &y->gateway_tags))
        return false;
    for (size_t i = 0; i < x->n_inbounds; i++)
        if (!model_tags_equal(&x->inbounds[i].tags, &y->inbounds[i].tags))
            return false;
    for (size_t i = 0; i < x->n_outbounds; i++)
        if (!model_tags_equal(&x->outbounds[i], &y->outbounds[i]))
            return false;
    return true;
}

/* FNV-1a, 64 bits: a few bytes at a time into `h`. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

/* A string and its terminating NUL, so "ab"+"c" and "a"+"bc" differ; NULL as one byte. */
static uint64_t fnv_str(uint64_t h, const char *s)
{
    static const unsigned char none = 0xFF;
    return s ? fnv(h, s, strlen(s) + 1) : fnv(h, &none, 1);
}

static uint64_t fnv_tags(uint64_t h, const model_tags *t)
{
    h = fnv(h, &t->n, sizeof t->n);
    for (size_t i = 0; i < t->n; i++)
        h = fnv_str(fnv_str(h, t->v[i].key), t->v[i].value);
    return h;
}

uint64_t model_dataplane_routes_hash(const model_dataplane *dp)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    unsigned flags = (unsigned)dp->gateway | (unsigned)dp->builtin_gateway << 1;
    int origin = dp->origin;
    h = fnv(h, &flags, sizeof flags);
    h = fnv(h, &origin, sizeof origin);
    h = fnv_str(fnv_str(h, dp->namespace_), dp->zone);
    h = fnv_tags(h, &dp->gateway_tags);
    h = fnv(h, &dp->n_inbounds, sizeof dp->n_inbounds);
    for (size_t i = 0; i < dp->n_inbounds; i++)
        h = fnv_tags(h, &dp->inbounds[i].tags);
    h = fnv(h, &dp->n_outbounds, sizeof dp->n_outbounds);
    for (size_t i = 0; i < dp->n_outbounds; i++)
        h = fnv_tags(h, &dp->outbounds[i]);
    return h;
}
