/*
 * route_tcp.c - MeshTCPRoute: its `rules` read and checked, and its TCP split resolved;
 * see route.h.
 *
 * Reading follows Kuma v2.14.0's MeshTCPRoute validator.go and rest.yaml schema; the
 * resolution is docs/routing.md §3 (MakeTCPSplit in
 * pkg/plugins/policies/core/xds/meshroute/listeners.go).
 */
#include "route.h"
#include "targetref.h"

#include <string.h>

static const char *const tcp_rule_keys[] = {"default", NULL};
static const char *const tcp_default_keys[] = {"backendRefs", NULL};

static int read_tcp_rules(schema_ctx *c, const model_node *rules)
{
    int rc = 0;
    if (!schema_is_seq(c, rules))
        return -1;
    if (rules->n > 1)
        rc = schema_fail(c, rules,
                         "must have at most 1 item (MeshTCPRoute takes one rule per "
                         "destination), got %zu",
                         rules->n);
    for (size_t i = 0; i < rules->n; i++) {
        const model_node *r = rules->items[i];
        size_t old = schema_push_index(c, i);
        if (schema_is_map(c, r)) {
            schema_check_keys(c, r, tcp_rule_keys);
            const model_node *d = model_node_get(r, "default");
            size_t o2 = schema_push_key(c, "default");
            if (!d) {
                rc = schema_fail_at(c, r->mark, "must be defined");
            } else if (!schema_is_map(c, d)) {
                rc = -1;
            } else {
                schema_check_keys(c, d, tcp_default_keys);
                const model_node *b = model_node_get(d, "backendRefs");
                size_t o3 = schema_push_key(c, "backendRefs");
                if (!b || model_node_is_null(b) || (b->kind == MODEL_NODE_SEQ && b->n == 0))
                    rc = schema_fail_at(c, b ? b->mark : d->mark, "must be defined");
                else if (model__backend_refs_check(c, b) < 0)
                    rc = -1;
                schema_pop(c, o3);
            }
            schema_pop(c, o2);
        } else {
            rc = -1;
        }
        schema_pop(c, old);
    }
    return rc;
}

/* The conf of a `to` item without rules (Kuma's To.GetDefault): one backendRef copied
 * from the item's targetRef, weight 1 — "send to the destination itself". */
static model_node *default_rule(model_arena *a, const model_node *target)
{
    model_mark m = target->mark;
    model_node *ref = model_node_new_container(a, MODEL_NODE_MAP, m, target->n + 1);
    for (size_t i = 0; i < target->n; i++)
        model_node_append(ref, target->keys[i], target->items[i]);
    model_node_append(ref, model_node_new_scalar(a, m, "weight", true),
                      model_node_new_scalar(a, m, "1", true));
    model_node *refs = model_node_new_container(a, MODEL_NODE_SEQ, m, 1);
    model_node_append(refs, NULL, ref);
    model_node *def = model_node_new_container(a, MODEL_NODE_MAP, m, 1);
    model_node_append(def, model_node_new_scalar(a, m, "backendRefs", true), refs);
    model_node *rule = model_node_new_container(a, MODEL_NODE_MAP, m, 1);
    model_node_append(rule, model_node_new_scalar(a, m, "default", true), def);
    return rule;
}

static const char *const tcp_to_keys[] = {"targetRef", "rules", NULL};

int model__tcp_to_read(schema_ctx *c, model_arena *a, const model_node *item, model_policy_to *t)
{
    int rc = 0;
    schema_check_keys(c, item, tcp_to_keys);
    const model_node *tr = model_node_get(item, "targetRef");
    const model_node *rules = model_node_get(item, "rules");
    if (rules) {
        size_t old = schema_push_key(c, "rules");
        rc = read_tcp_rules(c, rules);
        schema_pop(c, old);
    }
    bool empty = !rules || (rules->kind == MODEL_NODE_SEQ && rules->n == 0);
    const model_node *section = tr ? model_node_get(tr, "sectionName") : NULL;
    if (rc == 0 && empty && section && !model_node_is_null(section) &&
        section->kind == MODEL_NODE_SCALAR && section->len) {
        /* Without rules the item routes to its targetRef copied as a backendRef
         * (To.GetDefault), and with a sectionName that ref names a real MeshService
         * resource (BackendRef.ReferencesRealObject). */
        size_t old = schema_push_key(c, "targetRef.sectionName");
        rc = schema_fail(c, section,
                         "without rules this item routes to its targetRef, and with sectionName "
                         "that is a MeshService resource (Kuma's real-resource model), which "
                         "splitsim does not simulate");
        schema_pop(c, old);
    }
    if (rc == 0 && tr) {
        t->rules_empty = empty;
        t->conf = empty ? default_rule(a, tr) : rules->items[0];
    }
    return rc;
}
