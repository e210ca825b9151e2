/*
 * scenario.c - names of the user-visible enumerations and look-ups over a loaded
 * scenario; see scenario.h.
 */
#include "model/scenario.h"

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

bool model_scenario_has_service(const model_scenario *s, const char *service)
{
    for (size_t i = 0; i < s->n_dataplanes; i++) {
        const model_dataplane *dp = &s->dataplanes[i];
        for (size_t j = 0; j < dp->n_inbounds; j++) {
            const char *v = model_tags_get(&dp->inbounds[j].tags, MODEL_TAG_SERVICE);
            if (v && !strcmp(v, service))
                return true;
        }
    }
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **model_scenario_services(const model_scenario *s, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i < s->n_dataplanes; i++)
        cap += s->dataplanes[i].n_inbounds;
    const char **v = model_arena_alloc(s->arena, (cap ? cap : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < s->n_dataplanes; i++) {
        for (size_t j = 0; j < s->dataplanes[i].n_inbounds; j++) {
            /* An inbound without tags (valid since Kuma 2.14) belongs to no service. */
            const char *svc = model_tags_get(&s->dataplanes[i].inbounds[j].tags,
                                             MODEL_TAG_SERVICE);
            if (svc)
                v[k++] = svc;
        }
    }
    qsort(v, k, sizeof *v, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || strcmp(v[u - 1], v[i]))
            v[u++] = v[i];
    *n = u;
    return v;
}
