/*
 * policy.c - Kuma resources from YAML, checked as Kuma checks them; see policy.h.
 *
 * Forms accepted (docs/manual.md §2):
 *   Kubernetes: apiVersion: kuma.io/v1alpha1, kind, metadata {name, namespace, labels},
 *               spec (new policies), or `mesh:` + spec (Dataplane, TrafficRoute,
 *               MeshGateway);  `kind: List` with `items`.
 *   Universal:  type, name, mesh, labels, spec (new policies), or type, name, mesh and
 *               the type's own top-level fields (networking; sources/destinations/conf;
 *               selectors/conf);  kumactl's `items:` lists.
 *
 * Validation follows Kuma v2.14.0: ValidateTargetRef and the tag validators in
 * pkg/core/resources/apis/mesh/validators.go, MeshTCPRoute's validator.go and rest.yaml
 * schema, the Dataplane validator.  Messages keep Kuma's words; the field path is the
 * path in the user's document (spec.to[0].rules[0].default.backendRefs[1].weight).
 * Fields that do not affect routing are accepted; unknown fields inside a spec are errors
 * (with a hint), as `kubectl apply` with strict field validation and Kuma's own schema
 * refuse them; what servers add outside `spec` (status, managedFields, uid, ...) is
 * accepted and ignored.
 */
#include "policy.h"
#include "model/mesh.h"
#include "model/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The system namespace of a default Kuma install on Kubernetes. */
#define KUMA_SYSTEM_NAMESPACE "kuma-system"

/* Kuma resource types splitsim meets in dumps but does not model: skipped with a note. */
static const char *const unmodelled_types[] = {"Mesh",
                                               "MeshService",
                                               "MeshExternalService",
                                               "MeshMultiZoneService",
                                               "MeshTimeout",
                                               "MeshRetry",
                                               "MeshCircuitBreaker",
                                               "MeshHealthCheck",
                                               "MeshFaultInjection",
                                               "MeshRateLimit",
                                               "MeshTrafficPermission",
                                               "MeshAccessLog",
                                               "MeshTrace",
                                               "MeshMetric",
                                               "MeshProxyPatch",
                                               "MeshLoadBalancingStrategy",
                                               "MeshTLS",
                                               "MeshPassthrough",
                                               "MeshIdentity",
                                               "MeshTrust",
                                               "HostnameGenerator",
                                               "MeshGatewayInstance",
                                               "MeshGatewayRoute",
                                               "MeshGatewayConfig",
                                               "TrafficPermission",
                                               "TrafficLog",
                                               "TrafficTrace",
                                               "HealthCheck",
                                               "CircuitBreaker",
                                               "FaultInjection",
                                               "Retry",
                                               "Timeout",
                                               "RateLimit",
                                               "ProxyTemplate",
                                               "ExternalService",
                                               "ZoneIngress",
                                               "ZoneEgress",
                                               "VirtualOutbound",
                                               "Zone",
                                               "DataplaneInsight",
                                               "MeshInsight",
                                               "ServiceInsight",
                                               "ZoneInsight",
                                               "ZoneIngressInsight",
                                               "ZoneEgressInsight",
                                               "ContainerPatch",
                                               "MeshOPA",
                                               "Secret",
                                               "GlobalSecret",
                                               "MeshServiceInsight",
                                               "Workload",
                                               NULL};

static const char *const modelled_types[] = {
#define X(e, s) s,
    MODEL_RESOURCE_TYPES(X)
#undef X
        NULL};

static const char *const target_kind_names[] = {
#define X(e, s, r) s,
    MODEL_TARGET_KINDS(X)
#undef X
        NULL};

static int type_index(const char *s)
{
    for (int i = 0; modelled_types[i]; i++)
        if (!strcmp(s, modelled_types[i]))
            return i;
    return -1;
}

/* ---- targetRefs ---------------------------------------------------------------------- */

typedef enum ref_position {
    REF_TOP,            /* spec.targetRef of a route */
    REF_TOP_GATEWAY_OK, /* same, MeshGateway allowed (system role) */
    REF_TO,             /* to[].targetRef under a non-gateway top */
    REF_TO_GATEWAY,     /* to[].targetRef under a MeshGateway top */
    REF_BACKEND,        /* backendRefs[] */
} ref_position;

static const char *const ref_keys[] = {"kind",        "name",   "namespace", "tags", "proxyTypes",
                                       "sectionName", "labels", "mesh",      NULL};
static const char *const backend_ref_keys[] = {"kind",       "name",        "namespace", "tags",
                                               "proxyTypes", "sectionName", "labels",    "mesh",
                                               "weight",     "port",        NULL};

/* Kuma's disallowedField: "must not be set with kind X", at the field. */
static int disallowed(schema_ctx *c, const model_node *ref, const char *field, const char *kind)
{
    long i = model_node_find(ref, field);
    if (i < 0)
        return 0;
    const model_node *v = ref->items[i];
    /* Kuma tests "set" as non-empty: an empty string or mapping is as good as absent. */
    if (model_node_is_null(v) || (v->kind == MODEL_NODE_SCALAR && v->len == 0) ||
        (v->kind != MODEL_NODE_SCALAR && v->n == 0 && strcmp(field, "proxyTypes")))
        return 0;
    size_t old = schema_push_key(c, field);
    schema_fail(c, ref->keys[i], "must not be set with kind %s", kind);
    schema_pop(c, old);
    return -1;
}

static bool valid_name(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
              *s == '_'))
            return false;
    return true;
}

static int ref_name(schema_ctx *c, const model_node *ref, model_target_ref *out, bool required)
{
    const model_node *n = model_node_get(ref, "name");
    const char *kind = model_target_kind_name(out->kind);
    size_t old = schema_push_key(c, "name");
    int rc = 0;
    if (!n || model_node_is_null(n) || (n->kind == MODEL_NODE_SCALAR && n->len == 0)) {
        if (required)
            rc = schema_fail_at(c, ref->mark, "must be set when kind is %s", kind);
    } else if (schema_string(c, n, &out->name) < 0) {
        rc = -1;
    } else if (!valid_name(out->name)) {
        rc = schema_fail(c, n,
                         "invalid characters: must consist of lower case alphanumeric "
                         "characters, '-', '.' and '_'.");
        out->name = NULL;
    }
    schema_pop(c, old);
    return rc;
}

/* Reads and validates a targetRef (or backendRef) mapping as Kuma's ValidateTargetRef
 * does for the kinds allowed at `pos`. */
static int read_ref(schema_ctx *c, const model_node *ref, ref_position pos, model_target_ref *out)
{
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (!schema_is_map(c, ref))
        return -1;
    out->mark = ref->mark;
    if (schema_check_keys(c, ref, pos == REF_BACKEND ? backend_ref_keys : ref_keys))
        rc = -1;

    const model_node *kn = model_node_get(ref, "kind");
    const char *kind;
    size_t old = schema_push_key(c, "kind");
    if (!kn || model_node_is_null(kn)) {
        schema_fail_at(c, ref->mark, "must be defined");
        schema_pop(c, old);
        return -1;
    }
    if (schema_string(c, kn, &kind) < 0) {
        schema_pop(c, old);
        return -1;
    }
    int k = model_target_kind_parse(kind);
    if (k < 0) {
        const char *hint = schema_suggest(kind, target_kind_names);
        schema_fail(c, kn, "value '%s' is not supported%s", kind, schema_hint(c, hint));
        schema_pop(c, old);
        return -1;
    }
    out->kind = (model_target_kind)k;
    static const model_target_kind allowed[][6] = {
        [REF_TOP] = {MODEL_KIND_MESH, MODEL_KIND_MESH_SUBSET, MODEL_KIND_MESH_SERVICE,
                     MODEL_KIND_MESH_SERVICE_SUBSET, MODEL_KIND_DATAPLANE, MODEL_KIND_COUNT},
        [REF_TOP_GATEWAY_OK] = {MODEL_KIND_MESH, MODEL_KIND_MESH_SUBSET, MODEL_KIND_MESH_GATEWAY,
                                MODEL_KIND_MESH_SERVICE, MODEL_KIND_MESH_SERVICE_SUBSET,
                                MODEL_KIND_DATAPLANE},
        [REF_TO] = {MODEL_KIND_MESH_SERVICE, MODEL_KIND_MESH_EXTERNAL_SERVICE,
                    MODEL_KIND_MESH_MULTI_ZONE_SERVICE, MODEL_KIND_COUNT},
        [REF_TO_GATEWAY] = {MODEL_KIND_MESH, MODEL_KIND_COUNT},
        [REF_BACKEND] = {MODEL_KIND_MESH_SERVICE, MODEL_KIND_MESH_SERVICE_SUBSET,
                         MODEL_KIND_MESH_EXTERNAL_SERVICE, MODEL_KIND_MESH_MULTI_ZONE_SERVICE,
                         MODEL_KIND_COUNT},
    };
    bool ok = false;
    for (int i = 0; i < 6 && allowed[pos][i] != MODEL_KIND_COUNT; i++)
        ok |= allowed[pos][i] == out->kind;
    if (!ok) {
        schema_fail(c, kn, "value '%s' is not supported", kind);
        schema_pop(c, old);
        return -1;
    }
    schema_pop(c, old);

    /* Kinds Kuma accepts that belong to its real-resource model (2.9+), which splitsim
     * does not reproduce: say so rather than route them wrongly. */
    if (out->kind == MODEL_KIND_DATAPLANE || out->kind == MODEL_KIND_MESH_EXTERNAL_SERVICE ||
        out->kind == MODEL_KIND_MESH_MULTI_ZONE_SERVICE) {
        old = schema_push_key(c, "kind");
        schema_fail(c, kn,
                    "kind %s belongs to Kuma's real-resource model, which splitsim does not "
                    "simulate (use MeshService/MeshServiceSubset with kuma.io/service names)",
                    kind);
        schema_pop(c, old);
        return -1;
    }

    const model_node *tags = model_node_get(ref, "tags");
    const model_node *labels = model_node_get(ref, "labels");
    const model_node *ns = model_node_get(ref, "namespace");
    if (ns && !model_node_is_null(ns)) {
        old = schema_push_key(c, "namespace");
        if (schema_string(c, ns, &out->namespace_) < 0)
            rc = -1;
        schema_pop(c, old);
    }
    switch (out->kind) {
    case MODEL_KIND_MESH: {
        const model_node *nm = model_node_get(ref, "name");
        if (nm && nm->kind == MODEL_NODE_SCALAR && nm->len && !model_node_is_null(nm)) {
            old = schema_push_key(c, "name");
            rc = schema_fail(c, nm, "using name with kind Mesh is not yet supported");
            schema_pop(c, old);
        }
        rc |= disallowed(c, ref, "mesh", kind) | disallowed(c, ref, "tags", kind) |
              disallowed(c, ref, "labels", kind) | disallowed(c, ref, "namespace", kind) |
              disallowed(c, ref, "sectionName", kind);
        break;
    }
    case MODEL_KIND_MESH_SUBSET:
        rc |= disallowed(c, ref, "name", kind) | disallowed(c, ref, "mesh", kind) |
              disallowed(c, ref, "labels", kind) | disallowed(c, ref, "namespace", kind) |
              disallowed(c, ref, "sectionName", kind);
        if (tags) {
            old = schema_push_key(c, "tags");
            rc |= schema_tags(c, tags, SCHEMA_TAGS_KUMA, &out->tags);
            schema_pop(c, old);
        }
        break;
    case MODEL_KIND_MESH_SERVICE: {
        int name_rc = ref_name(c, ref, out, false);
        rc |= name_rc;
        rc |= disallowed(c, ref, "mesh", kind) | disallowed(c, ref, "tags", kind) |
              disallowed(c, ref, "proxyTypes", kind);
        if (labels && labels->kind == MODEL_NODE_MAP && labels->n) {
            if (out->name || out->namespace_) {
                old = schema_push_key(c, "labels");
                rc =
                    schema_fail(c, labels, "either labels or name and namespace must be specified");
                schema_pop(c, old);
            } else {
                rc = schema_fail(c, labels,
                                 "selecting MeshServices by labels belongs to Kuma's "
                                 "real-resource model, which splitsim does not simulate");
            }
        } else if (!out->name && name_rc == 0) { /* a bad name has its own message */
            rc =
                schema_fail_at(c, ref->mark, "name or labels must be set when kind is MeshService");
        }
        if (pos == REF_BACKEND) {
            /* BackendRef.ReferencesRealObject (api/common/v1alpha1/targetref.go): a
             * MeshService backendRef with a port or sectionName names a real MeshService
             * resource, never a kuma.io/service; without such resources Kuma drops it. */
            static const char *const real_keys[] = {"port", "sectionName"};
            for (size_t i = 0; i < 2; i++) {
                const model_node *v = model_node_get(ref, real_keys[i]);
                if (!v || model_node_is_null(v) || (v->kind == MODEL_NODE_SCALAR && !v->len))
                    continue;
                old = schema_push_key(c, real_keys[i]);
                rc = schema_fail(c, v,
                                 "a MeshService backendRef with %s refers to a MeshService "
                                 "resource (Kuma's real-resource model), which splitsim does not "
                                 "simulate; leave it out to route to kuma.io/service %s",
                                 real_keys[i], out->name ? out->name : "NAME");
                schema_pop(c, old);
            }
        }
        break;
    }
    case MODEL_KIND_MESH_SERVICE_SUBSET:
    case MODEL_KIND_MESH_GATEWAY:
        rc |= ref_name(c, ref, out, true);
        rc |= disallowed(c, ref, "mesh", kind) | disallowed(c, ref, "proxyTypes", kind);
        if (tags) {
            old = schema_push_key(c, "tags");
            rc |= schema_tags(c, tags, SCHEMA_TAGS_SELECTOR, &out->tags);
            schema_pop(c, old);
        }
        if (out->kind == MODEL_KIND_MESH_GATEWAY && pos != REF_TOP_GATEWAY_OK)
            rc |= disallowed(c, ref, "tags", kind);
        rc |= disallowed(c, ref, "labels", kind) | disallowed(c, ref, "namespace", kind) |
              disallowed(c, ref, "sectionName", kind);
        break;
    default:
        break;
    }

    const model_node *pt = model_node_get(ref, "proxyTypes");
    if (pt && (out->kind == MODEL_KIND_MESH || out->kind == MODEL_KIND_MESH_SUBSET)) {
        old = schema_push_key(c, "proxyTypes");
        if (schema_is_seq(c, pt)) {
            if (pt->n == 0)
                rc = schema_fail(c, pt, "must be undefined or have at least one element");
            for (size_t i = 0; i < pt->n; i++) {
                size_t o2 = schema_push_index(c, i);
                const char *v;
                if (schema_string(c, pt->items[i], &v) < 0)
                    rc = -1;
                else if (!strcmp(v, "Sidecar"))
                    out->proxy_types |= MODEL_PROXY_SIDECAR;
                else if (!strcmp(v, "Gateway"))
                    out->proxy_types |= MODEL_PROXY_GATEWAY;
                else
                    rc =
                        schema_fail(c, pt->items[i],
                                    "unsupported value \"%s\": must be one of Sidecar, Gateway", v);
                schema_pop(c, o2);
            }
        } else {
            rc = -1;
        }
        schema_pop(c, old);
    }
    return rc ? -1 : 0;
}

/* ---- MeshTCPRoute -------------------------------------------------------------------- */

static int read_backend_refs(schema_ctx *c, const model_node *list)
{
    int rc = 0;
    uint64_t sum = 0;
    if (!schema_is_seq(c, list))
        return -1;
    for (size_t i = 0; i < list->n; i++) {
        const model_node *b = list->items[i];
        size_t old = schema_push_index(c, i);
        model_target_ref ref;
        if (read_ref(c, b, REF_BACKEND, &ref) < 0)
            rc = -1;
        const model_node *w = model_node_get(b, "weight");
        if (w) {
            uint64_t weight;
            size_t o2 = schema_push_key(c, "weight");
            if (w->kind == MODEL_NODE_SCALAR && w->plain && w->text[0] == '-')
                rc = schema_fail(c, w, "must be greater or equal to 0, got %s", w->text);
            /* Kuma keeps a uint, Envoy a uint32: larger weights cannot reach Envoy. */
            else if (schema_uint(c, w, UINT32_MAX, &weight) < 0)
                rc = -1;
            else
                sum += weight;
            schema_pop(c, o2);
        } else {
            sum += 1;
        }
        const model_node *port = model_node_get(b, "port");
        if (port) {
            uint64_t p;
            size_t o2 = schema_push_key(c, "port");
            if (schema_uint(c, port, 65535, &p) < 0)
                rc = -1;
            schema_pop(c, o2);
        }
        schema_pop(c, old);
    }
    /* Envoy rejects weighted clusters whose total does not fit in 32 bits. */
    if (rc == 0 && sum > UINT32_MAX)
        rc = schema_fail(c, list,
                         "the weights add up to %llu, more than the 4294967295 Envoy accepts",
                         (unsigned long long)sum);
    return rc;
}

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
                else if (read_backend_refs(c, b) < 0)
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

static const char *const route_spec_keys[] = {"targetRef", "to", NULL};
static const char *const tcp_to_keys[] = {"targetRef", "rules", NULL};
static const char *const http_to_keys[] = {"targetRef", "rules", "hostnames", NULL};

/* MeshTCPRoute and MeshHTTPRoute share their targetRef rules; their `rules` differ. */
static int read_route_spec(schema_ctx *c, model_arena *a, const model_node *spec, int kuma_minor,
                           model_policy *p)
{
    int rc = 0;
    bool tcp = p->type == MODEL_RES_MESH_TCP_ROUTE;
    size_t base = schema_push_key(c, "spec");
    if (!schema_is_map(c, spec)) {
        schema_pop(c, base);
        return -1;
    }
    schema_check_keys(c, spec, route_spec_keys);

    const model_node *top = model_node_get(spec, "targetRef");
    p->target = (model_target_ref){.kind = MODEL_KIND_MESH, .mark = spec->mark};
    if (top && !model_node_is_null(top)) {
        size_t old = schema_push_key(c, "targetRef");
        ref_position pos = p->role == MODEL_ROLE_SYSTEM ? REF_TOP_GATEWAY_OK : REF_TOP;
        if (read_ref(c, top, pos, &p->target) < 0)
            rc = -1;
        p->has_target = true;
        schema_pop(c, old);
    }

    const model_node *to = model_node_get(spec, "to");
    size_t old = schema_push_key(c, "to");
    if (to && !model_node_is_null(to) && schema_is_seq(c, to)) {
        if (to->n == 0)
            rc = schema_fail(c, to, "must have at least 1 item");
        p->to = model_arena_alloc(a, (to->n ? to->n : 1) * sizeof *p->to);
        for (size_t i = 0; i < to->n; i++) {
            const model_node *item = to->items[i];
            size_t o2 = schema_push_index(c, i);
            model_policy_to *t = &p->to[p->n_to];
            if (!schema_is_map(c, item)) {
                rc = -1;
                schema_pop(c, o2);
                continue;
            }
            schema_check_keys(c, item, tcp ? tcp_to_keys : http_to_keys);
            t->mark = item->mark;
            const model_node *tr = model_node_get(item, "targetRef");
            size_t o3 = schema_push_key(c, "targetRef");
            int item_rc = 0;
            if (!tr) {
                item_rc = schema_fail_at(c, item->mark, "must be defined");
            } else {
                ref_position pos =
                    p->target.kind == MODEL_KIND_MESH_GATEWAY ? REF_TO_GATEWAY : REF_TO;
                item_rc = read_ref(c, tr, pos, &t->target);
            }
            schema_pop(c, o3);

            const model_node *rules = model_node_get(item, "rules");
            o3 = schema_push_key(c, "rules");
            if (!rules && model_kuma_requires_to_rules(kuma_minor)) {
                /* Both Kuma schemas list `required: [rules, targetRef]` since 2.10. */
                item_rc = schema_fail_at(c, item->mark,
                                         "must be defined (Kuma 2.10+ requires `rules`, use "
                                         "`rules: []` for the destination itself)");
            } else if (rules && tcp) {
                if (read_tcp_rules(c, rules) < 0)
                    item_rc = -1;
            } else if (rules && !schema_is_seq(c, rules)) {
                item_rc = -1;
            }
            schema_pop(c, o3);
            const model_node *section = tr ? model_node_get(tr, "sectionName") : NULL;
            if (item_rc == 0 && tcp && (!rules || rules->n == 0) && section &&
                !model_node_is_null(section) && section->kind == MODEL_NODE_SCALAR && section->len) {
                /* Without rules the item routes to its targetRef copied as a backendRef
                 * (To.GetDefault), and with a sectionName that ref names a real MeshService
                 * resource (BackendRef.ReferencesRealObject). */
                o3 = schema_push_key(c, "targetRef.sectionName");
                item_rc = schema_fail(c, section,
                                      "without rules this item routes to its targetRef, and with "
                                      "sectionName that is a MeshService resource (Kuma's "
                                      "real-resource model), which splitsim does not simulate");
                schema_pop(c, o3);
            }
            if (item_rc == 0 && tcp) {
                t->rules_empty = !rules || rules->n == 0;
                t->conf = t->rules_empty ? default_rule(a, tr) : rules->items[0];
            } else if (item_rc == 0) {
                t->rules_empty = !rules || rules->n == 0;
                t->conf = (model_node *)item;
            }
            if (item_rc == 0)
                p->n_to++;
            else
                rc = -1;
            schema_pop(c, o2);
        }
    } else if (to && !model_node_is_null(to)) {
        rc = -1;
    }
    schema_pop(c, old);
    schema_pop(c, base);
    return rc;
}

void model__backend_ref_read(model_arena *a, const model_node *n, model_backend_ref *out)
{
    memset(out, 0, sizeof *out);
    out->mark = n->mark;
    const model_node *k = model_node_get(n, "kind");
    out->kind = (model_target_kind)model_target_kind_parse(k->text);
    const model_node *name = model_node_get(n, "name");
    out->name = name && !model_node_is_null(name) ? name->text : "";
    const model_node *tags = model_node_get(n, "tags");
    if (tags && tags->kind == MODEL_NODE_MAP && out->kind == MODEL_KIND_MESH_SERVICE_SUBSET)
        for (size_t i = 0; i < tags->n; i++)
            model_tags_set(a, &out->tags, tags->keys[i]->text, tags->items[i]->text);
    const model_node *w = model_node_get(n, "weight");
    if (w && !model_node_is_null(w)) {
        out->has_weight = true;
        out->weight = strtoull(w->text, NULL, 10);
    }
}

/* ---- Dataplanes ---------------------------------------------------------------------- */

static const char *const networking_keys[] = {
    "address", "advertisedAddress",   "advertisedPort", "inbound",   "outbound",
    "gateway", "transparentProxying", "admin",          "listeners", NULL};
static const char *const inbound_keys[] = {
    "port",         "servicePort", "serviceAddress", "address",  "tags", "health",
    "serviceProbe", "state",       "name",           "protocol", NULL};
/* No `service`: Dataplane.Networking.Outbound has no such field (v2.6.0 .. v2.14.0). */
static const char *const outbound_keys[] = {"port", "address", "tags", "backendRef", NULL};
static const char *const gateway_keys[] = {"type", "tags", NULL};

static int read_port(schema_ctx *c, const model_node *parent, const char *key, bool required)
{
    const model_node *n = model_node_get(parent, key);
    size_t old = schema_push_key(c, key);
    uint64_t v = 0;
    int rc = 0;
    if (!n && required)
        rc = schema_fail_at(c, parent->mark, "port must be in the range [1, 65535]");
    else if (n && (schema_uint(c, n, UINT32_MAX, &v) < 0 || v == 0 || v > 65535))
        rc = schema_fail(c, n, "port must be in the range [1, 65535]");
    schema_pop(c, old);
    return rc;
}

int model__check_protocol_tag(schema_ctx *c, const model_node *n, const model_tags *t)
{
    const char *proto = model_tags_get(t, MODEL_TAG_PROTOCOL);
    /* Kuma's ParseProtocol (model_protocol_parse) must know it, in any case. */
    if (!proto || model_protocol_parse(proto) != MODEL_PROTO_UNKNOWN)
        return 0;
    size_t old = schema_push_tag(c, MODEL_TAG_PROTOCOL);
    schema_fail(c, model_node_get(n, MODEL_TAG_PROTOCOL),
                "tag \"kuma.io/protocol\" has an invalid value \"%s\". Allowed values: grpc, "
                "http, http2, kafka, tcp",
                proto);
    schema_pop(c, old);
    return -1;
}

static int read_inbound(schema_ctx *c, const model_node *in, model_inbound *out)
{
    int rc = 0;
    if (!schema_is_map(c, in))
        return -1;
    schema_check_keys(c, in, inbound_keys);
    out->mark = in->mark;
    out->healthy = true;
    rc |= read_port(c, in, "port", true);
    const model_node *state = model_node_get(in, "state");
    if (state) {
        /* Dataplane.Networking.Inbound.State: Ready (0), NotReady (1), Ignored (2). */
        const char *v = NULL;
        size_t old = schema_push_key(c, "state");
        if (schema_string(c, state, &v) < 0 ||
            (strcmp(v, "Ready") && strcmp(v, "NotReady") && strcmp(v, "Ignored")))
            rc = schema_fail(c, state, "expected one of Ready, NotReady, Ignored%s%s%s",
                             v ? ", got \"" : "", v ? v : "", v ? "\"" : "");
        else
            out->healthy = !strcmp(v, "Ready");
        schema_pop(c, old);
    }
    const model_node *health = model_node_get(in, "health");
    if (health && !model_node_is_null(health)) {
        size_t old = schema_push_key(c, "health");
        if (schema_is_map(c, health)) {
            static const char *const health_keys[] = {"ready", NULL};
            schema_check_keys(c, health, health_keys);
            const model_node *ready = model_node_get(health, "ready");
            bool is_ready = false; /* proto3: a health without `ready` is not ready */
            if (ready) {
                size_t o2 = schema_push_key(c, "ready");
                if (schema_bool(c, ready, &is_ready) < 0)
                    rc = -1;
                schema_pop(c, o2);
            }
            out->healthy &= is_ready;
        } else {
            rc = -1;
        }
        schema_pop(c, old);
    }
    if (model_node_get(in, "servicePort"))
        rc |= read_port(c, in, "servicePort", false);
    const model_node *tags = model_node_get(in, "tags");
    size_t old = schema_push_key(c, "tags");
    if (!tags || (tags->kind == MODEL_NODE_MAP && tags->n == 0)) {
        /* Kuma accepts an inbound without tags; it belongs to no service, so it is no
         * endpoint of anything and only matters to a Mesh-wide targetRef. */
    } else if (schema_tags(c, tags, SCHEMA_TAGS_KUMA, &out->tags) < 0) {
        rc = -1;
    } else {
        if (!model_tags_get(&out->tags, MODEL_TAG_SERVICE)) {
            size_t o2 = schema_push_tag(c, MODEL_TAG_SERVICE);
            rc = schema_fail(c, tags, "tag has to exist");
            schema_pop(c, o2);
        }
        rc |= model__check_protocol_tag(c, tags, &out->tags);
    }
    schema_pop(c, old);
    return rc;
}

static int read_outbound(schema_ctx *c, const model_node *ob, model_tags *out)
{
    int rc = 0;
    if (!schema_is_map(c, ob))
        return -1;
    schema_check_keys(c, ob, outbound_keys);
    rc |= read_port(c, ob, "port", true);
    const model_node *tags = model_node_get(ob, "tags");
    if (model_node_get(ob, "backendRef")) {
        size_t old = schema_push_key(c, "backendRef");
        rc = schema_fail(c, model_node_get(ob, "backendRef"),
                         "outbounds by backendRef belong to Kuma's real-resource model, which "
                         "splitsim does not simulate (use tags with kuma.io/service)");
        schema_pop(c, old);
        return -1;
    }
    size_t old = schema_push_key(c, "tags");
    *out = (model_tags){0};
    if (tags && tags->kind == MODEL_NODE_MAP && tags->n) {
        if (schema_tags(c, tags, SCHEMA_TAGS_KUMA, out) < 0)
            rc = -1;
        else if (!model_tags_get(out, MODEL_TAG_SERVICE))
            rc = schema_fail(c, tags, "mandatory tag \"kuma.io/service\" is missing");
    } else {
        rc = schema_fail_at(c, ob->mark, "mandatory tag \"kuma.io/service\" is missing");
    }
    schema_pop(c, old);
    return rc;
}

/* Item readers for read_items: read one list item into `out`, 0 or -1. */
typedef int (*item_reader)(schema_ctx *c, const model_node *item, void *out);

static int read_inbound_item(schema_ctx *c, const model_node *item, void *out)
{
    return read_inbound(c, item, out);
}

static int read_outbound_item(schema_ctx *c, const model_node *item, void *out)
{
    return read_outbound(c, item, out);
}

/* Reads the list `list` (field `key` of the current path) into a new arena array of
 * `size`-byte items, keeping those `fn` accepts; sets *count, and *rc to -1 on any
 * problem.  Returns the array. */
static void *read_items(schema_ctx *c, model_arena *a, const model_node *list, const char *key,
                        size_t size, item_reader fn, size_t *count, int *rc)
{
    size_t old = schema_push_key(c, key);
    char *items = NULL;
    *count = 0;
    if (schema_is_seq(c, list)) {
        items = model_arena_alloc(a, (list->n ? list->n : 1) * size);
        for (size_t i = 0; i < list->n; i++) {
            size_t o2 = schema_push_index(c, i);
            if (fn(c, list->items[i], items + *count * size) == 0)
                (*count)++;
            else
                *rc = -1;
            schema_pop(c, o2);
        }
    } else {
        *rc = -1;
    }
    schema_pop(c, old);
    return items;
}

static int read_networking(schema_ctx *c, model_arena *a, const model_node *net,
                           model_dataplane *dp, int kuma_minor)
{
    int rc = 0;
    size_t base = schema_push_key(c, "networking");
    if (!net) {
        rc = schema_fail_at(c, dp->mark, "must be defined");
        schema_pop(c, base);
        return rc;
    }
    if (!schema_is_map(c, net)) {
        schema_pop(c, base);
        return -1;
    }
    schema_check_keys(c, net, networking_keys);
    const model_node *addr = model_node_get(net, "address");
    size_t old = schema_push_key(c, "address");
    const char *address;
    if (!addr || model_node_is_null(addr) || (addr->kind == MODEL_NODE_SCALAR && !addr->len))
        rc = schema_fail_at(c, addr ? addr->mark : net->mark, "address can't be empty");
    else if (schema_string(c, addr, &address) < 0)
        rc = -1;
    else if (!strcmp(address, "0.0.0.0") || !strcmp(address, "::"))
        rc = schema_fail(c, addr, "must not be 0.0.0.0 or ::");
    schema_pop(c, old);

    const model_node *gw = model_node_get(net, "gateway");
    const model_node *in = model_node_get(net, "inbound");
    const model_node *out = model_node_get(net, "outbound");
    if (gw && !model_node_is_null(gw)) {
        old = schema_push_key(c, "gateway");
        dp->gateway = true;
        if (schema_is_map(c, gw)) {
            schema_check_keys(c, gw, gateway_keys);
            const model_node *t = model_node_get(gw, "type");
            const char *type = "DELEGATED";
            if (t) {
                size_t o2 = schema_push_key(c, "type");
                if (schema_string(c, t, &type) < 0 ||
                    (strcmp(type, "BUILTIN") && strcmp(type, "DELEGATED")))
                    rc = schema_fail(c, t, "must be one of BUILTIN, DELEGATED");
                schema_pop(c, o2);
            }
            dp->builtin_gateway = !strcmp(type, "BUILTIN");
            const model_node *gt = model_node_get(gw, "tags");
            size_t o2 = schema_push_key(c, "tags");
            if (!gt || schema_tags(c, gt, SCHEMA_TAGS_KUMA, &dp->gateway_tags) < 0 ||
                !model_tags_get(&dp->gateway_tags, MODEL_TAG_SERVICE))
                rc = schema_fail_at(c, gt ? gt->mark : gw->mark,
                                    "mandatory tag \"kuma.io/service\" is missing");
            schema_pop(c, o2);
        } else {
            rc = -1;
        }
        schema_pop(c, old);
        if (in && in->kind == MODEL_NODE_SEQ && in->n) {
            old = schema_push_key(c, "inbound");
            rc = schema_fail(c, in, "inbound cannot be defined for %s gateways",
                             dp->builtin_gateway ? "builtin" : "delegated");
            schema_pop(c, old);
        }
        if (dp->builtin_gateway && out && out->kind == MODEL_NODE_SEQ && out->n) {
            old = schema_push_key(c, "outbound");
            rc = schema_fail(c, out, "outbound cannot be defined for builtin gateways");
            schema_pop(c, old);
        }
    }
    if (in && !model_node_is_null(in) && !dp->gateway)
        dp->inbounds = read_items(c, a, in, "inbound", sizeof *dp->inbounds, read_inbound_item,
                                  &dp->n_inbounds, &rc);
    if (out && !model_node_is_null(out) && !dp->builtin_gateway)
        dp->outbounds = read_items(c, a, out, "outbound", sizeof *dp->outbounds, read_outbound_item,
                                   &dp->n_outbounds, &rc);
    if (!dp->gateway && dp->n_inbounds == 0 && rc == 0 &&
        !model_kuma_allows_zero_inbounds(kuma_minor)) {
        /* Up to 2.13 Kuma refused a Dataplane with neither; 2.14 accepts it (commit
         * 422e069080, "allow zero-inbound dataplanes"), and such a sidecar is selected by
         * no policy (docs/routing.md §1). */
        rc = schema_fail_at(c, net->mark,
                            "has to contain at least one inbound interface or gateway");
    }
    schema_pop(c, base);
    return rc;
}

/* ---- TrafficRoute and MeshGateway: kept for the routing that comes with them --------- */

static const char *const traffic_route_keys[] = {"sources", "destinations", "conf", NULL};
static const char *const mesh_gateway_keys[] = {"selectors", "conf", "tags", NULL};

static int read_selectors(schema_ctx *c, const model_node *spec, const char *key, bool required)
{
    const model_node *sel = model_node_get(spec, key);
    size_t old = schema_push_key(c, key);
    int rc = 0;
    if (!sel || model_node_is_null(sel)) {
        if (required)
            rc = schema_fail_at(c, spec->mark, "must have at least one element");
    } else if (!schema_is_seq(c, sel)) {
        rc = -1;
    } else {
        if (sel->n == 0 && required)
            rc = schema_fail(c, sel, "must have at least one element");
        for (size_t i = 0; i < sel->n; i++) {
            size_t o2 = schema_push_index(c, i);
            if (schema_is_map(c, sel->items[i])) {
                model_tags t;
                const model_node *m = model_node_get(sel->items[i], "match");
                size_t o3 = schema_push_key(c, "match");
                if (!m || schema_tags(c, m, SCHEMA_TAGS_SELECTOR, &t) < 0 ||
                    !model_tags_get(&t, MODEL_TAG_SERVICE))
                    rc = schema_fail_at(c, m ? m->mark : sel->items[i]->mark,
                                        "mandatory tag \"kuma.io/service\" is missing");
                schema_pop(c, o3);
            } else {
                rc = -1;
            }
            schema_pop(c, o2);
        }
    }
    schema_pop(c, old);
    return rc;
}

/* `spec` is the Kubernetes `spec`, or (`universal`) the whole Universal document, whose
 * keys model__policy_read has checked against the type's Universal list already. */
static int read_legacy_spec(schema_ctx *c, const model_node *spec, bool universal, model_policy *p)
{
    int rc = 0;
    bool route = p->type == MODEL_RES_TRAFFIC_ROUTE;
    if (!universal)
        schema_check_keys(c, spec, route ? traffic_route_keys : mesh_gateway_keys);
    if (route) {
        rc |= read_selectors(c, spec, "sources", true);
        rc |= read_selectors(c, spec, "destinations", true);
    } else {
        rc |= read_selectors(c, spec, "selectors", true);
    }
    size_t old = schema_push_key(c, "conf");
    const model_node *conf = model_node_get(spec, "conf");
    if (!conf) /* Kuma's words (traffic_route_validator.go, gateway_validator.go) */
        rc = schema_fail_at(c, spec->mark, "cannot be empty");
    else if (!schema_is_map(c, conf))
        rc = -1;
    schema_pop(c, old);
    p->spec = spec;
    return rc;
}

/* ---- documents ----------------------------------------------------------------------- */

typedef struct resource_meta {
    const char *name;
    const char *mesh;
    const char *namespace_;
    const model_node *labels;
    bool kubernetes;
} resource_meta;

static int read_labels(schema_ctx *c, const model_node *labels, model_policy *p)
{
    int rc = 0;
    model_tags t;
    size_t old = schema_push_key(c, "labels");
    if (schema_tags(c, labels, SCHEMA_TAGS_ANY, &t) < 0) {
        schema_pop(c, old);
        return -1;
    }
    const char *origin = model_tags_get(&t, "kuma.io/origin");
    if (origin) {
        if (!strcmp(origin, "global"))
            p->origin = MODEL_ORIGIN_GLOBAL;
        else if (!strcmp(origin, "zone"))
            p->origin = MODEL_ORIGIN_ZONE;
        else
            rc = schema_fail(c, model_node_get(labels, "kuma.io/origin"),
                             "kuma.io/origin must be one of: global, zone");
    }
    const char *role = model_tags_get(&t, "kuma.io/policy-role");
    if (role) {
        bool found = false;
        for (int r = MODEL_ROLE_SYSTEM; r <= MODEL_ROLE_WORKLOAD_OWNER; r++)
            if (!strcmp(role, model_role_name((model_role)r))) {
                p->role = (model_role)r;
                found = true;
            }
        if (!found)
            rc = schema_fail(c, model_node_get(labels, "kuma.io/policy-role"),
                             "kuma.io/policy-role must be one of: system, producer, consumer, "
                             "workload-owner");
    }
    const char *zone = model_tags_get(&t, "kuma.io/zone");
    if (zone && *zone)
        p->zone = zone;
    const char *display = model_tags_get(&t, "kuma.io/display-name");
    if (display && *display)
        p->display_name = display;
    const char *mesh = model_tags_get(&t, MODEL_TAG_MESH);
    if (mesh && *mesh)
        p->mesh = mesh;
    schema_pop(c, old);
    return rc;
}

/* Kuma's ComputePolicyRole (pkg/core/resources/labels/compute.go) for a policy applied on
 * Kubernetes in namespace `ns`: system in the system namespace; otherwise producer when
 * every `to` item names a MeshService in its own namespace, consumer when none does; a mix
 * is refused. */
static int compute_role(schema_ctx *c, model_policy *p, const model_node *spec)
{
    if (!p->namespace_ || !strcmp(p->namespace_, KUMA_SYSTEM_NAMESPACE)) {
        p->role = MODEL_ROLE_SYSTEM;
        return 0;
    }
    if (p->n_to == 0) {
        p->role = MODEL_ROLE_WORKLOAD_OWNER;
        return 0;
    }
    size_t producers = 0;
    for (size_t i = 0; i < p->n_to; i++) {
        const model_target_ref *t = &p->to[i].target;
        if (t->kind == MODEL_KIND_MESH_SERVICE && t->name &&
            (!t->namespace_ || !strcmp(t->namespace_, p->namespace_)))
            producers++;
    }
    if (producers == p->n_to) {
        p->role = MODEL_ROLE_PRODUCER;
    } else if (producers == 0) {
        p->role = MODEL_ROLE_CONSUMER;
    } else {
        size_t old = schema_push_key(c, "spec.to");
        schema_fail(c, model_node_get(spec, "to"),
                    "it's not allowed to mix producer and consumer items in the same policy");
        schema_pop(c, old);
        return -1;
    }
    return 0;
}

static const char *const k8s_policy_keys[] = {"apiVersion", "kind",   "metadata",
                                              "spec",       "status", NULL};
static const char *const k8s_legacy_keys[] = {"apiVersion", "kind",   "metadata", "spec",
                                              "mesh",       "status", NULL};
static const char *const metadata_keys[] = {"name",
                                            "namespace",
                                            "labels",
                                            "annotations",
                                            "uid",
                                            "resourceVersion",
                                            "generation",
                                            "creationTimestamp",
                                            "managedFields",
                                            "ownerReferences",
                                            "finalizers",
                                            "generateName",
                                            "selfLink",
                                            "deletionTimestamp",
                                            "deletionGracePeriodSeconds",
                                            NULL};
static const char *const universal_policy_keys[] = {
    "type", "name", "mesh", "labels", "spec", "creationTime", "modificationTime", "kri", NULL};
static const char *const universal_dataplane_keys[] = {
    "type",    "name",   "mesh", "labels", "networking", "creationTime", "modificationTime",
    "metrics", "probes", "kri",  NULL};
static const char *const universal_traffic_route_keys[] = {
    "type",         "name", "mesh",         "labels",           "sources",
    "destinations", "conf", "creationTime", "modificationTime", NULL};
static const char *const universal_gateway_keys[] = {
    "type", "name", "mesh",         "labels",           "selectors",
    "conf", "tags", "creationTime", "modificationTime", NULL};

static bool is_dns1123_subdomain(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && ch != '-' && ch != '.')
            return false;
        if ((i == 0 || i == n - 1) && !alnum)
            return false;
    }
    return true;
}

policy_read_kind model__policy_read(model_arena *a, model_errors *errs, const model_node *doc,
                                    int kuma_minor, policy_read_result *out)
{
    schema_ctx c;
    memset(out, 0, sizeof *out);
    out->kind = POLICY_READ_INVALID;
    schema_init(&c, a, errs, NULL);
    if (doc->kind != MODEL_NODE_MAP) {
        schema_fail(&c, doc, "expected a Kuma resource (a mapping with `kind` or `type`), got %s",
                    model_node_describe(doc));
        return out->kind;
    }
    const model_node *kind_n = model_node_get(doc, "kind");
    const model_node *type_n = model_node_get(doc, "type");
    const model_node *items = model_node_get(doc, "items");
    bool k8s = kind_n != NULL;
    const char *type;

    if (!kind_n && !type_n) {
        if (items && items->kind == MODEL_NODE_SEQ) { /* kumactl get ... -o yaml */
            out->items = items;
            return out->kind = POLICY_READ_LIST;
        }
        schema_fail(&c, doc,
                    "not a Kuma resource: expected `kind` (Kubernetes form) or `type` "
                    "(Universal form)");
        return out->kind;
    }
    if (schema_string(&c, k8s ? kind_n : type_n, &type) < 0)
        return out->kind;
    if (k8s && (!strcmp(type, "List") ||
                (strlen(type) > 4 && !strcmp(type + strlen(type) - 4, "List") && items))) {
        size_t old = schema_push_key(&c, "items");
        if (items && schema_is_seq(&c, items)) {
            out->items = items;
            out->kind = POLICY_READ_LIST;
        } else if (!items) {
            schema_fail(&c, doc, "a %s needs `items`", type);
        }
        schema_pop(&c, old);
        return out->kind;
    }
    const char *api = NULL;
    if (k8s) {
        const model_node *api_n = model_node_get(doc, "apiVersion");
        if (!api_n || schema_string(&c, api_n, &api) < 0) {
            schema_fail(&c, api_n ? api_n : doc,
                        "apiVersion: must be set on a Kubernetes resource");
            return out->kind;
        }
        if (strncmp(api, "kuma.io/", 8)) {
            /* Deployments, Services, ...: not Kuma's, nothing to route. */
            out->skipped_type = type;
            return out->kind = POLICY_READ_SKIPPED;
        }
    }
    int t = type_index(type);
    if (t < 0) {
        if (schema_in_list(type, unmodelled_types)) {
            out->skipped_type = type;
            return out->kind = POLICY_READ_SKIPPED;
        }
        const char *hint = schema_suggest(type, modelled_types);
        if (!hint)
            hint = schema_suggest(type, unmodelled_types);
        size_t old = schema_push_key(&c, k8s ? "kind" : "type");
        schema_fail(&c, k8s ? kind_n : type_n, "unknown Kuma resource type '%s'%s", type,
                    schema_hint(&c, hint));
        schema_pop(&c, old);
        return out->kind;
    }
    model_resource_type rtype = (model_resource_type)t;
    bool legacy = rtype == MODEL_RES_DATAPLANE || rtype == MODEL_RES_TRAFFIC_ROUTE ||
                  rtype == MODEL_RES_MESH_GATEWAY;
    if (k8s && strcmp(api, "kuma.io/v1alpha1")) {
        size_t old = schema_push_key(&c, "apiVersion");
        schema_fail(&c, model_node_get(doc, "apiVersion"),
                    "%s is served as kuma.io/v1alpha1, not %s", type, api);
        schema_pop(&c, old);
        return out->kind;
    }

    /* Name, mesh, namespace, labels. */
    model_policy p = {.type = rtype,
                      .origin = MODEL_ORIGIN_UNSET,
                      .role = MODEL_ROLE_SYSTEM,
                      .mesh = "default",
                      .mark = doc->mark};
    int rc = 0;
    const model_node *labels = NULL;
    if (k8s) {
        schema_check_keys(&c, doc, legacy ? k8s_legacy_keys : k8s_policy_keys);
        const model_node *md = model_node_get(doc, "metadata");
        size_t old = schema_push_key(&c, "metadata");
        if (!md) {
            rc = schema_fail(&c, doc, "must be set: a Kubernetes resource needs metadata.name");
        } else if (schema_is_map(&c, md)) {
            schema_check_keys(&c, md, metadata_keys);
            const model_node *nm = model_node_get(md, "name");
            size_t o2 = schema_push_key(&c, "name");
            if (!nm)
                rc = schema_fail(&c, md, "must be set");
            else if (schema_string(&c, nm, &p.name) < 0)
                rc = -1;
            else if (!is_dns1123_subdomain(p.name))
                rc = schema_fail(&c, nm,
                                 "\"%s\" is not a valid Kubernetes name: use lower case "
                                 "letters, digits, '-' and '.', starting and ending with "
                                 "a letter or digit",
                                 p.name);
            schema_pop(&c, o2);
            const model_node *ns = model_node_get(md, "namespace");
            if (ns) {
                o2 = schema_push_key(&c, "namespace");
                if (schema_string(&c, ns, &p.namespace_) < 0)
                    rc = -1;
                schema_pop(&c, o2);
            }
            labels = model_node_get(md, "labels");
            if (labels && !model_node_is_null(labels) && read_labels(&c, labels, &p) < 0)
                rc = -1;
            /* On Kubernetes the display name is the kuma.io/display-name annotation (Kuma's
             * defaulter moves a label of that name there), else metadata.name. */
            const model_node *ann =
                model_node_get(model_node_get(md, "annotations"), "kuma.io/display-name");
            if (ann && ann->kind == MODEL_NODE_SCALAR && ann->len && !model_node_is_null(ann))
                p.display_name = ann->text;
        } else {
            rc = -1;
        }
        schema_pop(&c, old);
        if (legacy) {
            const model_node *mesh = model_node_get(doc, "mesh");
            if (mesh) {
                old = schema_push_key(&c, "mesh");
                if (schema_string(&c, mesh, &p.mesh) < 0)
                    rc = -1;
                schema_pop(&c, old);
            }
        }
    } else {
        const char *const *keys = rtype == MODEL_RES_DATAPLANE       ? universal_dataplane_keys
                                  : rtype == MODEL_RES_TRAFFIC_ROUTE ? universal_traffic_route_keys
                                  : rtype == MODEL_RES_MESH_GATEWAY  ? universal_gateway_keys
                                                                     : universal_policy_keys;
        schema_check_keys(&c, doc, keys);
        const model_node *nm = model_node_get(doc, "name");
        size_t old = schema_push_key(&c, "name");
        if (!nm || model_node_is_null(nm) || (nm->kind == MODEL_NODE_SCALAR && !nm->len))
            rc = schema_fail(&c, nm ? nm : doc, "must be set");
        else if (schema_string(&c, nm, &p.name) < 0)
            rc = -1;
        schema_pop(&c, old);
        labels = model_node_get(doc, "labels");
        if (labels && !model_node_is_null(labels) && read_labels(&c, labels, &p) < 0)
            rc = -1;
        const model_node *mesh = model_node_get(doc, "mesh");
        if (mesh) {
            old = schema_push_key(&c, "mesh");
            if (schema_string(&c, mesh, &p.mesh) < 0)
                rc = -1;
            schema_pop(&c, old);
        }
    }
    if (rc < 0 || !p.name)
        return out->kind;
    if (!p.display_name)
        p.display_name = p.name;

    /* From here on, messages name the resource. */
    c.subject = model_arena_printf(a, "%s '%s'", type, p.name);
    const model_node *spec = k8s || !legacy ? model_node_get(doc, "spec") : doc;

    if (rtype == MODEL_RES_DATAPLANE) {
        model_dataplane *dp = &out->dataplane;
        dp->name = p.namespace_ ? model_arena_printf(a, "%s.%s", p.name, p.namespace_) : p.name;
        dp->mesh = p.mesh;
        dp->namespace_ = p.namespace_;
        dp->origin = p.origin;
        dp->zone = p.zone;
        dp->mark = doc->mark;
        const model_node *net = spec ? model_node_get(spec, "networking") : NULL;
        if (k8s && !spec) {
            schema_fail(&c, doc, "spec: must be set");
            return out->kind;
        }
        if (k8s) {
            size_t old = schema_push_key(&c, "spec");
            rc = read_networking(&c, a, net, dp, kuma_minor);
            schema_pop(&c, old);
        } else {
            rc = read_networking(&c, a, net, dp, kuma_minor);
        }
        return out->kind = rc < 0 ? POLICY_READ_INVALID : POLICY_READ_DATAPLANE;
    }
    if (!spec || (k8s && model_node_is_null(spec))) {
        schema_fail(&c, doc, "spec: must be set");
        return out->kind;
    }
    if (legacy) {
        size_t old = k8s ? schema_push_key(&c, "spec") : c.len;
        if (schema_is_map(&c, spec))
            rc = read_legacy_spec(&c, spec, !k8s, &p);
        else
            rc = -1;
        schema_pop(&c, old);
    } else {
        rc = read_route_spec(&c, a, spec, kuma_minor, &p);
        p.spec = spec;
        if (rc == 0 && k8s) {
            /* On Kubernetes Kuma computes the role from the namespace and overwrites the
             * label; on Universal the label stands as written. */
            rc = compute_role(&c, &p, spec);
        }
    }
    if (rc < 0)
        return out->kind;
    out->policy = p;
    return out->kind = POLICY_READ_POLICY;
}
