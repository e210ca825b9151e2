/*
 * dataplane.c - Dataplane resources: networking, inbounds, outbounds and gateways, checked
 * as Kuma's Dataplane validator does (pkg/core/resources/apis/mesh/dataplane_validator.go);
 * see dataplane.h.
 */
#include "dataplane.h"
#include "model/mesh.h"
#include "model/version.h"

#include <string.h>

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

int model__networking_read(schema_ctx *c, model_arena *a, const model_node *net,
                           const model_node *probes, model_dataplane *dp, int kuma_minor)
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
            /* validateGateway: a gateway speaks tcp, if it says (said before the tags). */
            const model_node *proto = gt ? model_node_get(gt, "kuma.io/protocol") : NULL;
            if (proto && proto->kind == MODEL_NODE_SCALAR &&
                model_protocol_parse(proto->text) != MODEL_PROTO_TCP) {
                size_t o3 = schema_push_tag(c, "kuma.io/protocol");
                rc = schema_fail(c, proto, "other values than tcp are not allowed, provided value \"%s\"",
                                 proto->text);
                schema_pop(c, o3);
            }
            if (gt && !model_node_is_null(gt) &&
                schema_tags(c, gt, SCHEMA_TAGS_KUMA, &dp->gateway_tags) < 0)
                rc = -1;
            else if (!model_tags_get(&dp->gateway_tags, MODEL_TAG_SERVICE))
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
        const model_node *zl = model_node_get(net, "listeners");
        if (dp->builtin_gateway && zl && zl->kind == MODEL_NODE_SEQ && zl->n) {
            old = schema_push_key(c, "listeners");
            rc = schema_fail(c, zl, "listeners cannot be defined for builtin gateways");
            schema_pop(c, old);
        }
        /* Kuma names the spec's probes under networking (dataplane_validator.go). */
        if (dp->builtin_gateway && probes && !model_node_is_null(probes)) {
            old = schema_push_key(c, "probes");
            rc = schema_fail(c, probes, "probes cannot be defined for builtin gateways");
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
