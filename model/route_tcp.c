/*
 * route_tcp.c - MeshTCPRoute: its `rules` read and checked, and its TCP split resolved;
 * see route.h.
 *
 * Reading follows Kuma v2.14.0's MeshTCPRoute validator.go and rest.yaml schema; the
 * resolution is docs/routing.md §3 (MakeTCPSplit in
 * pkg/plugins/policies/core/xds/meshroute/listeners.go).
 */
#include "model/merge.h"
#include "model/version.h"
#include "resolver.h"
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
                else if (model__backend_refs_check(c, b, MODEL_REF_BACKEND) < 0)
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
    if (rc == 0 && tr && tr->kind == MODEL_NODE_MAP) { /* a bad targetRef is reported apart */
        t->rules_empty = empty;
        t->conf = empty ? default_rule(a, tr) : rules->items[0];
    }
    return rc;
}

/* ---- the TCP split ------------------------------------------------------------------ */

/* Backend protocols a TCP split accepts (MakeTCPSplit in meshroute/listeners.go). */
static bool tcp_backend_protocol_ok(model_protocol p, int minor)
{
    if ((p == MODEL_PROTO_KAFKA || p == MODEL_PROTO_GRPC) && !model_kuma_splits_kafka_and_grpc(minor))
        return false;
    return p == MODEL_PROTO_UNKNOWN || p == MODEL_PROTO_KAFKA || p == MODEL_PROTO_TCP ||
           p == MODEL_PROTO_HTTP || p == MODEL_PROTO_HTTP2 || p == MODEL_PROTO_GRPC;
}

/* DefaultBackendRef: the outbound's service with all its tags, weight 100.  It goes
 * through MakeTCPSplit like any ref, so the protocol filter applies to it too. */
static void default_split(resolver *R)
{
    model_resolution *r = R->r;
    r->clusters = model_arena_alloc(R->a, sizeof *r->clusters);
    if (!tcp_backend_protocol_ok(r->protocol, R->s->kuma_minor)) {
        r->has_none_reason = true;
        r->none = MODEL_NONE_DEFAULT_DROPPED;
        model__step(R, (model_step){.kind = MODEL_STEP_DEFAULT_TCP,
                                    .service = r->to,
                                    .protocol = (int)r->protocol,
                                    .dropped = true});
        return;
    }
    model_tags t = model_tags_without(R->a, &R->outbound, MODEL_TAG_SERVICE);
    model__cluster_fill(R, &r->clusters[r->n_clusters++], r->to, &t, 100);
    model__step(R, (model_step){.kind = MODEL_STEP_DEFAULT_TCP, .service = r->to});
}

void model__tcp_resolve(resolver *R, const model_conf *c)
{
    model_resolution *r = R->r;
    if (!c->n_parts) {
        r->is_default = true;
        default_split(R);
        return;
    }
    /* §2.3: the parts' confs folded as JSON merge patches, in merge order. */
    model__conf_adopt(R, c);
    const model_node *conf = NULL;
    for (size_t i = 0; i < c->n_parts; i++)
        conf = model_merge_patch(R->a, conf, c->parts[i].policy->to[c->parts[i].to].conf);
    const model_node *refs = model_node_get(model_node_get(conf, "default"), "backendRefs");
    size_t n = refs ? refs->n : 0;
    r->clusters = model_arena_alloc(R->a, (n ? n : 1) * sizeof *r->clusters);
    bool whole_split_dropped = false;
    size_t zero = 0, bad_protocol = 0;
    for (size_t i = 0; i < n; i++) {
        model_backend_ref b;
        model__backend_ref_read(R->a, refs->items[i], &b);
        model_step drop = {.kind = MODEL_STEP_BACKEND_DROPPED, .index = i, .service = b.name,
                           .mark = b.mark};
        if (b.has_weight && b.weight == 0) {
            drop.drop = MODEL_DROP_WEIGHT_ZERO;
            model__step(R, drop);
            zero++;
            continue;
        }
        model_protocol bp = model_mesh_service_protocol(R->s, b.name);
        if (!tcp_backend_protocol_ok(bp, R->s->kuma_minor)) {
            drop.drop = MODEL_DROP_PROTOCOL;
            drop.protocol = (int)bp;
            model__step(R, drop);
            if (!model_kuma_drops_bad_backends_alone(R->s->kuma_minor))
                whole_split_dropped = true;
            bad_protocol++;
            continue;
        }
        model_cluster *cl = &r->clusters[r->n_clusters++];
        model__cluster_fill(R, cl, b.name, &b.tags, b.has_weight ? (uint32_t)b.weight : 1);
        model__step(R, (model_step){.kind = MODEL_STEP_BACKEND,
                                    .index = i,
                                    .mark = b.mark,
                                    .cluster = cl->name,
                                    .weight = cl->weight,
                                    .weight_default = !b.has_weight,
                                    .endpoints = cl->endpoints});
    }
    if (whole_split_dropped) {
        r->n_clusters = 0;
        r->has_none_reason = true;
        r->none = MODEL_NONE_WHOLE_SPLIT;
    } else if (r->n_clusters == 0) {
        r->has_none_reason = true;
        r->none = zero == n           ? MODEL_NONE_ALL_ZERO
                  : bad_protocol == n ? MODEL_NONE_NO_PROTOCOL
                                      : MODEL_NONE_ALL_DROPPED;
    }
}
