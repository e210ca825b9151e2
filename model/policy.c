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
#include "dataplane.h"
#include "gateway.h"
#include "model/mesh.h"
#include "route.h"
#include "targetref.h"
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


static int type_index(const char *s)
{
    for (int i = 0; modelled_types[i]; i++)
        if (!strcmp(s, modelled_types[i]))
            return i;
    return -1;
}

static const char *const route_spec_keys[] = {"targetRef", "to", NULL};

/* MeshTCPRoute and MeshHTTPRoute share their targetRef rules and the shape of `to`; each
 * reads its own `rules` (route_tcp.c, route_http.c). */
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
        model_ref_position pos =
            !model_kuma_routes_builtin_gateways(kuma_minor) ? MODEL_REF_TOP
            : p->role == MODEL_ROLE_SYSTEM || !model_kuma_gateway_needs_system_role(kuma_minor)
                ? MODEL_REF_TOP_GATEWAY_OK
                : MODEL_REF_TOP;
        if (model__targetref_read(c, top, pos, &p->target) < 0)
            rc = -1;
        p->has_target = true;
        schema_pop(c, old);
    }

    const model_node *to = model_node_get(spec, "to");
    size_t old = schema_push_key(c, "to");
    if (to && !model_node_is_null(to) && schema_is_seq(c, to)) {
        /* MeshTCPRoute's schema has minItems 1 on `to`; MeshHTTPRoute's has none. */
        if (to->n == 0 && tcp)
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
            t->mark = item->mark;
            const model_node *tr = model_node_get(item, "targetRef");
            size_t o3 = schema_push_key(c, "targetRef");
            int item_rc = 0;
            if (!tr) {
                item_rc = schema_fail_at(c, item->mark, "must be defined");
            } else {
                model_ref_position pos =
                    p->target.kind == MODEL_KIND_MESH_GATEWAY &&
                            model_kuma_routes_builtin_gateways(kuma_minor)
                        ? MODEL_REF_TO_GATEWAY
                        : MODEL_REF_TO;
                item_rc = model__targetref_read(c, tr, pos, &t->target);
            }
            schema_pop(c, o3);
            if (!model_node_get(item, "rules") && model_kuma_requires_to_rules(kuma_minor)) {
                /* Both Kuma schemas list `required: [rules, targetRef]` since 2.10. */
                o3 = schema_push_key(c, "rules");
                item_rc = schema_fail_at(c, item->mark,
                                         "must be defined (Kuma 2.10+ requires `rules`, use "
                                         "`rules: []` for the destination itself)");
                schema_pop(c, o3);
            }
            if (tcp ? model__tcp_to_read(c, a, item, t) < 0
                    : model__http_to_read(c, a, p, item, t, kuma_minor) < 0)
                item_rc = -1;
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

/* ---- TrafficRoute and MeshGateway: kept for the routing that comes with them --------- */

/* `spec` is the Kubernetes `spec`, or (`universal`) the whole Universal document, whose
 * keys model__policy_read has checked against the type's Universal list already. */
static int read_legacy_spec(schema_ctx *c, const model_node *spec, bool universal, model_policy *p)
{
    if (p->type == MODEL_RES_TRAFFIC_ROUTE)
        return model__traffic_route_read(c, c->arena, spec, universal, p);
    return model__mesh_gateway_read(c, c->arena, spec, universal, p);
}

/* ---- documents ----------------------------------------------------------------------- */

typedef struct resource_meta {
    const char *name;
    const char *mesh;
    const char *namespace_;
    const model_node *labels;
    bool kubernetes;
} resource_meta;

/* creationTimestamp / creationTime: an RFC 3339 time (the TrafficRoute tie-break). */
static int read_created(schema_ctx *c, const model_node *holder, const char *key, model_policy *p)
{
    const model_node *n = model_node_get(holder, key);
    if (!n || model_node_is_null(n))
        return 0;
    size_t old = schema_push_key(c, key);
    int rc = 0;
    if (n->kind != MODEL_NODE_SCALAR || schema_parse_timestamp(n->text, &p->created_ns) < 0)
        rc = n->kind == MODEL_NODE_SCALAR
                 ? schema_fail(c, n, "expected an RFC 3339 time such as 2024-05-01T10:00:00Z (years 1678 to 2261), got \"%s\"", n->text)
                 : schema_fail(c, n, "expected an RFC 3339 time such as 2024-05-01T10:00:00Z, got %s",
                               model_node_describe(n));
    else
        p->has_created = true;
    schema_pop(c, old);
    return rc;
}

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


policy_read_kind model__policy_read(model_arena *a, model_errors *errs, const model_node *doc,
                                    int kuma_minor, model_regex_set *regexes,
                                    policy_read_result *out)
{
    schema_ctx c;
    memset(out, 0, sizeof *out);
    out->kind = POLICY_READ_INVALID;
    schema_init(&c, a, errs, NULL);
    c.regexes = regexes;
    c.kuma_strings = true;
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
            else if (!schema_dns1123_subdomain(p.name))
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
            rc |= read_created(&c, md, "creationTimestamp", &p);
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
            /* A legacy mesh-scoped resource names its mesh in a top-level `mesh:`, which
             * Kuma's admission webhook requires for TrafficRoute and MeshGateway
             * (ValidateMesh, pkg/plugins/runtime/k8s/webhooks/validation.go). */
            const model_node *mesh = model_node_get(doc, "mesh");
            old = schema_push_key(&c, "mesh");
            if (mesh && !model_node_is_null(mesh)) {
                if (schema_string(&c, mesh, &p.mesh) < 0)
                    rc = -1;
                else if (!*p.mesh)
                    rc = schema_fail(&c, mesh, "cannot be empty");
                else if (strlen(p.mesh) > 253)
                    rc = schema_fail(&c, mesh, "value length must less or equal 253");
                else if (strspn(p.mesh, "0123456789abcdefghijklmnopqrstuvwxyz-_.") != strlen(p.mesh))
                    rc = schema_fail(&c, mesh,
                                     "invalid characters. Valid characters are numbers, "
                                     "lowercase latin letters and '-', '_', '.' symbols.");
            } else if (rtype != MODEL_RES_DATAPLANE) {
                rc = schema_fail_at(&c, doc->mark, "cannot be empty");
            }
            schema_pop(&c, old);
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
        rc |= read_created(&c, doc, "creationTime", &p);
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
        const model_node *probes = spec ? model_node_get(spec, "probes") : NULL;
        if (k8s && !spec) {
            schema_fail(&c, doc, "spec: must be set");
            return out->kind;
        }
        if (k8s) {
            size_t old = schema_push_key(&c, "spec");
            rc = model__networking_read(&c, a, net, probes, dp, kuma_minor);
            schema_pop(&c, old);
        } else {
            rc = model__networking_read(&c, a, net, probes, dp, kuma_minor);
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
