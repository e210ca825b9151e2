/*
 * targetref.c - targetRefs and backendRefs, read and checked as Kuma's ValidateTargetRef
 * does; see targetref.h.
 *
 * Validation follows Kuma v2.14.0: ValidateTargetRef and the tag validators in
 * pkg/core/resources/apis/mesh/validators.go, and the backendRef rules of the route
 * validators (pkg/plugins/policies/meshtcproute/api/v1alpha1/validator.go,
 * pkg/plugins/policies/meshhttproute/api/v1alpha1/validation.go).  Messages keep Kuma's
 * words (docs/kuma-validation.md).
 */
#include "targetref.h"

#include <stdlib.h>
#include <string.h>

static const char *const target_kind_names[] = {
#define X(e, s, r) s,
    MODEL_TARGET_KINDS(X)
#undef X
        NULL};


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

/* The name Kuma's MeshHTTPRoute validator lets through for default.backendRefs: what its
 * own resolution writes for a ref it could not resolve. */
#define UNRESOLVED_BACKEND "kuma.io/unresolved-backend"

static int ref_name(schema_ctx *c, const model_node *ref, model_target_ref *out, bool required,
                    bool allow_unresolved)
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
    } else if (!valid_name(out->name) && !(allow_unresolved && !strcmp(out->name, UNRESOLVED_BACKEND))) {
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
int model__targetref_read(schema_ctx *c, const model_node *ref, model_ref_position pos,
                          model_target_ref *out)
{
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (!schema_is_map(c, ref))
        return -1;
    out->mark = ref->mark;
    bool backend = pos == MODEL_REF_BACKEND || pos == MODEL_REF_HTTP_BACKEND || pos == MODEL_REF_MIRROR;
    if (schema_check_keys(c, ref, backend ? backend_ref_keys : ref_keys))
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
        [MODEL_REF_TOP] = {MODEL_KIND_MESH, MODEL_KIND_MESH_SUBSET, MODEL_KIND_MESH_SERVICE,
                     MODEL_KIND_MESH_SERVICE_SUBSET, MODEL_KIND_DATAPLANE, MODEL_KIND_COUNT},
        [MODEL_REF_TOP_GATEWAY_OK] = {MODEL_KIND_MESH, MODEL_KIND_MESH_SUBSET, MODEL_KIND_MESH_GATEWAY,
                                MODEL_KIND_MESH_SERVICE, MODEL_KIND_MESH_SERVICE_SUBSET,
                                MODEL_KIND_DATAPLANE},
        [MODEL_REF_TO] = {MODEL_KIND_MESH_SERVICE, MODEL_KIND_MESH_EXTERNAL_SERVICE,
                    MODEL_KIND_MESH_MULTI_ZONE_SERVICE, MODEL_KIND_COUNT},
        [MODEL_REF_TO_GATEWAY] = {MODEL_KIND_MESH, MODEL_KIND_COUNT},
        [MODEL_REF_BACKEND] = {MODEL_KIND_MESH_SERVICE, MODEL_KIND_MESH_SERVICE_SUBSET,
                         MODEL_KIND_MESH_EXTERNAL_SERVICE, MODEL_KIND_MESH_MULTI_ZONE_SERVICE,
                         MODEL_KIND_COUNT},
        [MODEL_REF_HTTP_BACKEND] = {MODEL_KIND_MESH_SERVICE, MODEL_KIND_MESH_SERVICE_SUBSET,
                                    MODEL_KIND_MESH_EXTERNAL_SERVICE,
                                    MODEL_KIND_MESH_MULTI_ZONE_SERVICE, MODEL_KIND_COUNT},
        /* validation.go validates requestMirror.backendRef with these two kinds only. */
        [MODEL_REF_MIRROR] = {MODEL_KIND_MESH_SERVICE, MODEL_KIND_MESH_SERVICE_SUBSET,
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
        int name_rc = ref_name(c, ref, out, false, pos == MODEL_REF_HTTP_BACKEND);
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
        if (backend) {
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
        rc |= ref_name(c, ref, out, true, pos == MODEL_REF_HTTP_BACKEND);
        rc |= disallowed(c, ref, "mesh", kind) | disallowed(c, ref, "proxyTypes", kind);
        if (tags) {
            old = schema_push_key(c, "tags");
            rc |= schema_tags(c, tags, SCHEMA_TAGS_SELECTOR, &out->tags);
            schema_pop(c, old);
        }
        if (out->kind == MODEL_KIND_MESH_GATEWAY && pos != MODEL_REF_TOP_GATEWAY_OK)
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

int model__backend_refs_check(schema_ctx *c, const model_node *list, model_ref_position pos)
{
    int rc = 0;
    uint64_t sum = 0;
    if (!schema_is_seq(c, list))
        return -1;
    for (size_t i = 0; i < list->n; i++) {
        const model_node *b = list->items[i];
        size_t old = schema_push_index(c, i);
        model_target_ref ref;
        if (model__targetref_read(c, b, pos, &ref) < 0)
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
