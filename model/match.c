/*
 * match.c - policy selection and priority order; see match.h.
 */
#include "model/match.h"
#include "model/version.h"

#include <string.h>

/* True if inbound tags `tags` match the selector top-level targetRef `t` applies to each
 * inbound (docs/routing.md §1 table), without building the selector: MeshSubset its tags;
 * MeshService {kuma.io/service: name}; MeshServiceSubset {kuma.io/service: name} with its
 * tags applied after, so a kuma.io/service among the tags overrides the name. */
static bool inbound_selected(const model_target_ref *t, const model_tags *tags)
{
    const char *svc;
    switch (t->kind) {
    case MODEL_KIND_MESH:
        return true;
    case MODEL_KIND_MESH_SUBSET:
        return model_tags_selector_matches(&t->tags, tags);
    case MODEL_KIND_MESH_SERVICE:
        svc = model_tags_get(tags, MODEL_TAG_SERVICE);
        return svc && !strcmp(svc, t->name);
    case MODEL_KIND_MESH_SERVICE_SUBSET:
        if (!model_tags_get(&t->tags, MODEL_TAG_SERVICE)) {
            svc = model_tags_get(tags, MODEL_TAG_SERVICE);
            if (!svc || strcmp(svc, t->name))
                return false;
        }
        return model_tags_selector_matches(&t->tags, tags);
    default:
        return false;
    }
}

/* Records the reason (when asked) and returns whether it selects. */
static bool say(model_selection *why, model_select_reason reason, size_t inbound, bool selects)
{
    if (why)
        *why = (model_selection){reason, inbound};
    return selects;
}

bool model_match_selects(const model_policy *p, const model_dataplane *dp, model_selection *why)
{
    const model_target_ref *t = &p->target;
    if (dp->gateway)
        return say(why, MODEL_SELECT_GATEWAY_PROXY, 0, false);
    if (p->role == MODEL_ROLE_CONSUMER || p->role == MODEL_ROLE_WORKLOAD_OWNER) {
        /* dppSelectedByNamespace: such policies reach their own namespace only. */
        if (!dp->namespace_ || !p->namespace_ || strcmp(dp->namespace_, p->namespace_))
            return say(why, MODEL_SELECT_NAMESPACE, 0, false);
    }
    if (p->role != MODEL_ROLE_PRODUCER && dp->origin == MODEL_ORIGIN_ZONE &&
        p->origin == MODEL_ORIGIN_ZONE && p->zone && dp->zone && strcmp(p->zone, dp->zone)) {
        /* dppSelectedByZone: a zone-originated policy stays in its zone (a dataplane with
         * no zone label counts as local, as Kuma 2.7 resources had none). */
        return say(why, MODEL_SELECT_ZONE, 0, false);
    }
    if (t->kind == MODEL_KIND_MESH_GATEWAY)
        return say(why, MODEL_SELECT_GATEWAY_TARGET, 0, false);
    if ((t->kind == MODEL_KIND_MESH || t->kind == MODEL_KIND_MESH_SUBSET) && t->proxy_types &&
        !(t->proxy_types & MODEL_PROXY_SIDECAR))
        return say(why, MODEL_SELECT_PROXY_TYPES, 0, false);
    for (size_t i = 0; i < dp->n_inbounds; i++)
        if (inbound_selected(t, &dp->inbounds[i].tags))
            return say(why, t->kind == MODEL_KIND_MESH ? MODEL_SELECT_MESH : MODEL_SELECT_INBOUND,
                       i, true);
    if (dp->n_inbounds == 0)
        return say(why, MODEL_SELECT_NO_INBOUND, 0, false);
    if (t->kind == MODEL_KIND_MESH_SERVICE)
        return say(why, MODEL_SELECT_NOT_SERVICE, 0, false);
    return say(why, MODEL_SELECT_NO_SINGLE_INBOUND, 0, false);
}

static int cmp_int(int x, int y)
{
    return (x > y) - (x < y);
}

/* Byte `i` of a policy's name as Kuma's core model spells it: `<name>.<namespace>` on
 * Kubernetes (K8sNamespacedNameToCoreName), the name on Universal; -1 past the end. */
static int core_name_at(const model_policy *p, size_t i)
{
    size_t n = strlen(p->name);
    if (i < n)
        return (unsigned char)p->name[i];
    if (!p->namespace_)
        return -1;
    if (i == n)
        return '.';
    i -= n + 1;
    return i < strlen(p->namespace_) ? (unsigned char)p->namespace_[i] : -1;
}

/* Bytewise comparison of the core names of `x` and `y`. */
static int cmp_core_name(const model_policy *x, const model_policy *y)
{
    for (size_t i = 0;; i++) {
        int a = core_name_at(x, i), b = core_name_at(y, i);
        if (a != b || a < 0)
            return cmp_int(a, b);
    }
}

/* SortByTargetRef: the sign of x against y and the key that decided it. */
static int compare_by(const model_policy *x, const model_policy *y, int kuma_minor,
                      model_order_key *key)
{
    int c = cmp_int(model_target_kind_rank(x->target.kind), model_target_kind_rank(y->target.kind));
    *key = MODEL_ORDER_KIND;
    if (c)
        return c;
    *key = MODEL_ORDER_ORIGIN;
    if (model_kuma_has_origin_tiebreak(kuma_minor) && (c = cmp_int(x->origin, y->origin)))
        return c;
    /* MeshGateway: fewer tags first, so the listener-specific policy wins. */
    *key = MODEL_ORDER_GATEWAY_TAGS;
    if (x->target.kind == MODEL_KIND_MESH_GATEWAY &&
        (c = cmp_int((int)x->target.tags.n, (int)y->target.tags.n)))
        return c;
    *key = MODEL_ORDER_ROLE;
    if (model_kuma_has_role_tiebreak(kuma_minor) && (c = cmp_int(x->role, y->role)))
        return c;
    /* Before 2.6, ByTargetRef.Less compared GetMeta().GetName() ascending; display names
     * (and the descending order) came with 2.6.  Go compares strings bytewise; strcmp on
     * unsigned bytes does the same. */
    *key = MODEL_ORDER_NAME;
    if (!model_kuma_orders_names_descending(kuma_minor))
        c = cmp_core_name(x, y);
    else
        c = -cmp_int(strcmp(x->display_name, y->display_name), 0);
    if (!c)
        *key = MODEL_ORDER_NONE;
    return c;
}

int model_match_compare(const model_policy *x, const model_policy *y, int kuma_minor)
{
    model_order_key key;
    return compare_by(x, y, kuma_minor, &key);
}

model_order_key model_match_order_key(const model_policy *x, const model_policy *y,
                                      int kuma_minor)
{
    model_order_key key;
    compare_by(x, y, kuma_minor, &key);
    return key;
}

size_t model_match_policies(const model_world *w, int kuma_minor, model_resource_type type,
                            const model_dataplane *dp, const model_policy **out)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n_policies; i++) {
        const model_policy *p = &w->policies[i];
        if (p->type == type && model_match_selects(p, dp, NULL))
            out[n++] = p;
    }
    /* Insertion sort: stable, and policy lists are short. */
    for (size_t i = 1; i < n; i++) {
        const model_policy *p = out[i];
        size_t j = i;
        while (j > 0 && model_match_compare(out[j - 1], p, kuma_minor) > 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = p;
    }
    return n;
}
