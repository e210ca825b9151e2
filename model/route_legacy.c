/*
 * route_legacy.c - TrafficRoute, Kuma's legacy route policy: reading it as Kuma's validator
 * does (pkg/core/resources/apis/mesh/traffic_route_validator.go), choosing the one that
 * routes a source to a destination (BuildRouteMap, pkg/xds/topology/router.go, with the
 * ranks of pkg/core/policy/connection_matcher.go), and building its listener as the
 * OutboundProxyGenerator does (pkg/xds/generator/outbound_proxy_generator.go).  Section
 * numbers (§) are those of docs/routing.md.
 */
#include "model/mesh.h"
#include "model/version.h"
#include "resolver.h"
#include "route.h"

#include <string.h>

#define WITH(c, map, key, var, ...)                                                                \
    do {                                                                                           \
        const model_node *var = model_node_get((map), (key));                                      \
        if (var && !model_node_is_null(var)) {                                                     \
            size_t with_old_##var = schema_push_key((c), (key));                                      \
            __VA_ARGS__;                                                                           \
            schema_pop((c), with_old_##var);                                                          \
        }                                                                                          \
    } while (0)

/* Field names as protojson reads them: the JSON name, or the proto name. */
static const char *const spec_keys[] = {"sources", "destinations", "conf", NULL};
static const char *const selector_keys[] = {"match", NULL};
static const char *const conf_keys[] = {"split", "destination", "http", "loadBalancer",
                                        "load_balancer", NULL};
static const char *const split_keys[] = {"weight", "destination", NULL};
static const char *const http_keys[] = {"match", "modify", "split", "destination", NULL};
static const char *const match_keys[] = {"method", "path", "headers", NULL};
static const char *const matcher_keys[] = {"prefix", "exact", "regex", NULL};
static const char *const modify_keys[] = {"path",           "host",           "requestHeaders",
                                          "request_headers", "responseHeaders", "response_headers",
                                          NULL};
static const char *const modify_path_keys[] = {"rewritePrefix", "rewrite_prefix", "regex", NULL};
static const char *const modify_host_keys[] = {"value", "fromPath", "from_path", NULL};
static const char *const regex_replace_keys[] = {"pattern", "substitution", NULL};
static const char *const headers_keys[] = {"add", "remove", NULL};
static const char *const header_add_keys[] = {"name", "value", "append", NULL};
static const char *const header_remove_keys[] = {"name", NULL};
static const char *const lb_keys[] = {"roundRobin", "round_robin", "leastRequest", "least_request",
                                      "ringHash",   "ring_hash",   "random",       "maglev",
                                      NULL};
static const char *const least_request_keys[] = {"choiceCount", "choice_count", NULL};
static const char *const ring_hash_keys[] = {"hashFunction", "hash_function", "minRingSize",
                                             "min_ring_size", "maxRingSize", "max_ring_size",
                                             NULL};

/* The value of `json` or `proto` (protojson accepts both spellings), NULL if neither. */
static const model_node *either(const model_node *map, const char *json, const char *proto)
{
    const model_node *v = model_node_get(map, json);
    return v ? v : model_node_get(map, proto);
}

/* ---- reading ------------------------------------------------------------------------ */

/* The keys of mapping `m` in byte order (Kuma walks a tag map sorted); arena-owned. */
static size_t *sorted_keys(model_arena *a, const model_node *m)
{
    size_t *ix = model_arena_alloc(a, (m->n ? m->n : 1) * sizeof *ix);
    for (size_t i = 0; i < m->n; i++) {
        size_t j = i;
        while (j > 0 && strcmp(m->keys[ix[j - 1]]->text, m->keys[i]->text) > 0) {
            ix[j] = ix[j - 1];
            j--;
        }
        ix[j] = i;
    }
    return ix;
}

/* A selector's tags, with Kuma's checks in Kuma's order (ValidateSelector and
 * validateTagKeyValues in pkg/core/resources/apis/mesh/validators.go): at least one tag
 * (or, for a destination, exactly the service tag: OnlyServiceTagAllowed); then per key,
 * sorted, its name, whether it is allowed, its value; then the service tag.  An absent
 * or null map is an empty one, and a null value an empty value, as Kuma decodes them.
 * `m` may be NULL (absent); `at` marks where it belongs. */
static int read_match(schema_ctx *c, model_arena *a, const model_node *m, model_mark at,
                      bool only_service, model_tags *out)
{
    *out = (model_tags){0};
    if (m && !model_node_is_null(m) && !schema_is_map(c, m))
        return -1;
    size_t n = m && !model_node_is_null(m) ? m->n : 0;
    int rc = 0;
    bool service = n && model_node_get(m, MODEL_TAG_SERVICE) != NULL;
    if (only_service && (n != 1 || !service))
        rc = schema_fail_at(c, m ? m->mark : at, "must consist of exactly one tag \"kuma.io/service\"");
    else if (!only_service && n == 0)
        rc = schema_fail_at(c, m ? m->mark : at, "must have at least one tag");
    size_t *ix = n ? sorted_keys(a, m) : NULL;
    for (size_t k = 0; k < n; k++) {
        const model_node *key = m->keys[ix[k]], *v = m->items[ix[k]];
        size_t old = schema_push_tag(c, key->text);
        if (!key->len) {
            schema_pop(c, old);
            rc = schema_fail(c, m, "tag name must be non-empty");
            old = schema_push_tag(c, key->text);
        } else if (!model_tags_valid_key(key->text)) {
            rc = schema_fail(c, key, "tag name must consist of alphanumeric characters, dots, "
                                     "dashes, slashes and underscores");
        }
        if (only_service && strcmp(key->text, MODEL_TAG_SERVICE))
            rc = schema_fail(c, key, "tag \"%s\" is not allowed", key->text);
        const char *value = "";
        if (!model_node_is_null(v) && schema_string(c, v, &value) < 0) {
            rc = -1;
        } else if (!*value) {
            rc = schema_fail(c, v, "tag value must be non-empty");
        } else if (strcmp(value, "*") && !model_tags_valid_key(value)) {
            rc = schema_fail(c, v, "tag value must consist of alphanumeric characters, dots, "
                                   "dashes, slashes and underscores or be \"*\"");
        } else if (key->len) {
            model_tags_set(a, out, key->text, value);
        }
        schema_pop(c, old);
    }
    if (!service)
        rc = schema_fail_at(c, m ? m->mark : at, "mandatory tag \"kuma.io/service\" is missing");
    return rc;
}

/* sources[] or destinations[]: at least one selector, each {match: tags}. */
static int read_selectors(schema_ctx *c, model_arena *a, const model_node *spec, const char *key,
                          bool only_service, model_tags **out, size_t *n)
{
    const model_node *list = model_node_get(spec, key);
    size_t old = schema_push_key(c, key);
    int rc = 0;
    *n = 0;
    if (!list || model_node_is_null(list) || (list->kind == MODEL_NODE_SEQ && list->n == 0)) {
        rc = schema_fail_at(c, list ? list->mark : spec->mark, "must have at least one element");
    } else if (!schema_is_seq(c, list)) {
        rc = -1;
    } else {
        *out = model_arena_alloc(a, list->n * sizeof **out);
        for (size_t i = 0; i < list->n; i++) {
            size_t o2 = schema_push_index(c, i);
            const model_node *item = list->items[i];
            if (schema_is_map(c, item)) {
                schema_check_keys(c, item, selector_keys);
                const model_node *m = model_node_get(item, "match");
                size_t o3 = schema_push_key(c, "match");
                model_tags t;
                if (read_match(c, a, m, item->mark, only_service, &t) < 0)
                    rc = -1;
                else
                    (*out)[(*n)++] = t;
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

/* `split` (a list of {weight, destination}) or `destination` (weight 1) of `holder`, at
 * the holder's path (validateSplitAndDestination). */
static int read_split(schema_ctx *c, model_arena *a, const model_node *holder,
                      model_tr_split **out, size_t *n)
{
    const model_node *split = model_node_get(holder, "split");
    const model_node *dest = model_node_get(holder, "destination");
    if (split && model_node_is_null(split))
        split = NULL;
    if (dest && model_node_is_null(dest))
        dest = NULL;
    *n = 0;
    if (!split && !dest)
        return schema_fail(c, holder, "requires either \"destination\" or \"split\"");
    int rc = 0;
    if (split && dest)
        rc = schema_fail(c, holder, "\"split\" cannot be defined at the same time as \"destination\"");
    if (dest) {
        size_t old = schema_push_key(c, "destination");
        model_tags t;
        if (read_match(c, a, dest, dest->mark, false, &t) < 0) {
            rc = -1;
        } else {
            *out = model_arena_alloc(a, sizeof **out);
            (*out)[(*n)++] = (model_tr_split){t, 1, dest->mark};
        }
        schema_pop(c, old);
    }
    if (!split)
        return rc;
    size_t old = schema_push_key(c, "split");
    if (!schema_is_seq(c, split)) {
        schema_pop(c, old);
        return -1;
    }
    if (split->n == 0) {
        rc = schema_fail(c, split, "must have at least one element");
        schema_pop(c, old);
        return rc;
    }
    *out = model_arena_alloc(a, split->n * sizeof **out);
    *n = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < split->n; i++) {
        const model_node *e = split->items[i];
        size_t o2 = schema_push_index(c, i);
        if (!schema_is_map(c, e)) {
            rc = -1;
            schema_pop(c, o2);
            continue;
        }
        schema_check_keys(c, e, split_keys);
        model_tr_split s = {.mark = e->mark};
        const model_node *w = model_node_get(e, "weight");
        uint64_t weight = 0;
        size_t o3 = schema_push_key(c, "weight");
        if (!w || model_node_is_null(w))
            rc = schema_fail_at(c, e->mark, "needs to be defined");
        else if (schema_uint(c, w, UINT32_MAX, &weight) < 0)
            rc = -1;
        schema_pop(c, o3);
        const model_node *d = model_node_get(e, "destination");
        o3 = schema_push_key(c, "destination");
        if (read_match(c, a, d, e->mark, false, &s.destination) < 0)
            rc = -1;
        schema_pop(c, o3);
        s.weight = (uint32_t)weight;
        total += weight;
        (*out)[(*n)++] = s;
        schema_pop(c, o2);
    }
    if (total == 0)
        rc = schema_fail(c, split, "there must be at least one split entry with weight above 0");
    else if (total > UINT32_MAX) /* Kuma adds them in 32 bits; Envoy refuses the sum */
        rc = schema_fail(c, split, "the weights add up to %llu, more than the 4294967295 Envoy "
                                   "accepts",
                         (unsigned long long)total);
    schema_pop(c, old);
    return rc;
}

/* A match written as a TrafficRoute conf.http match: a path, method or header that is a
 * StringMatcher ({prefix|exact|regex}), or headers as a mapping. */
bool model__traffic_route_match_form(const model_node *m)
{
    if (!m || m->kind != MODEL_NODE_MAP)
        return false;
    const model_node *path = model_node_get(m, "path"), *method = model_node_get(m, "method");
    const model_node *headers = model_node_get(m, "headers");
    return (path && path->kind == MODEL_NODE_MAP && !model_node_get(path, "type")) ||
           (method && method->kind == MODEL_NODE_MAP) ||
           (headers && headers->kind == MODEL_NODE_MAP);
}

/* A StringMatcher: exactly one of prefix, exact, regex (validateStringMatcher). */
static int read_matcher(schema_ctx *c, const model_node *m)
{
    if (!schema_is_map(c, m))
        return -1;
    schema_check_keys(c, m, matcher_keys);
    int rc = 0, set = 0;
    for (const char *const *k = matcher_keys; *k; k++) {
        const model_node *v = model_node_get(m, *k);
        if (!v || model_node_is_null(v))
            continue;
        set++;
        size_t old = schema_push_key(c, *k);
        const char *s;
        if (schema_string(c, v, &s) < 0)
            rc = -1;
        else if (!*s && strcmp(*k, "exact"))
            rc = schema_fail(c, v, "cannot be empty");
        else if (!strcmp(*k, "regex"))
            rc |= model__regex_check(c, v);
        schema_pop(c, old);
    }
    if (set == 0)
        rc = schema_fail(c, m, "cannot be empty: give one of \"exact\", \"prefix\" or \"regex\"");
    else if (set > 1)
        rc = schema_fail(c, m, "give only one of \"exact\", \"prefix\" or \"regex\"");
    return rc;
}

int model__traffic_route_match_read(schema_ctx *c, const model_node *m)
{
    if (!m || model_node_is_null(m) || (m->kind == MODEL_NODE_MAP && m->n == 0))
        return schema_fail(c, m,
                           "must be present and contain at least one of the elements: "
                           "\"method\", \"path\" or \"headers\"");
    if (!schema_is_map(c, m))
        return -1;
    schema_check_keys(c, m, match_keys);
    int rc = 0;
    WITH(c, m, "method", v, rc |= read_matcher(c, v));
    WITH(c, m, "path", v, rc |= read_matcher(c, v));
    WITH(c, m, "headers", h, {
        if (!schema_is_map(c, h)) {
            rc = -1;
        } else if (h->n == 0) {
            rc = schema_fail(c, h, "must contain at least one element");
        } else {
            for (size_t i = 0; i < h->n; i++) {
                size_t o2 = schema_push_tag(c, h->keys[i]->text);
                if (!h->keys[i]->len)
                    rc = schema_fail(c, h->keys[i], "cannot be empty");
                rc |= read_matcher(c, h->items[i]);
                schema_pop(c, o2);
            }
        }
    });
    return rc;
}

/* A non-empty string at `key` of `m`, or "cannot be empty" (set when the key is absent
 * and `required`). */
static int non_empty(schema_ctx *c, const model_node *m, const char *json, const char *proto,
                     bool required)
{
    const model_node *v = either(m, json, proto);
    const char *key = v == model_node_get(m, json) ? json : proto;
    if (!v || model_node_is_null(v)) {
        if (!required)
            return 0;
        size_t old = schema_push_key(c, json);
        int rc = schema_fail_at(c, m->mark, "cannot be empty");
        schema_pop(c, old);
        return rc;
    }
    size_t old = schema_push_key(c, key);
    const char *s;
    int rc = schema_string(c, v, &s);
    if (rc == 0 && !*s)
        rc = schema_fail(c, v, "cannot be empty");
    schema_pop(c, old);
    return rc;
}

/* validateHeaderName: not empty, not `host`, not a pseudo-header. */
static int header_name(schema_ctx *c, const model_node *item)
{
    const model_node *v = model_node_get(item, "name");
    size_t old = schema_push_key(c, "name");
    const char *s = "";
    int rc = 0;
    if (v && !model_node_is_null(v) && schema_string(c, v, &s) < 0)
        rc = -1;
    else if (!*s)
        rc = schema_fail(c, v ? v : item, "cannot be empty");
    else if (s[0] == ':' || !strcmp(s, "host") || !strcmp(s, "Host"))
        rc = schema_fail(c, v, "host header and HTTP/2 pseudo-headers are not allowed to be modified");
    schema_pop(c, old);
    return rc;
}

static int read_modify_headers(schema_ctx *c, const model_node *h)
{
    if (!schema_is_map(c, h))
        return -1;
    schema_check_keys(c, h, headers_keys);
    int rc = 0;
    WITH(c, h, "add", list, {
        if (!schema_is_seq(c, list)) {
            rc = -1;
        } else {
            for (size_t i = 0; i < list->n; i++) {
                size_t o2 = schema_push_index(c, i);
                const model_node *item = list->items[i];
                if (schema_is_map(c, item)) {
                    schema_check_keys(c, item, header_add_keys);
                    rc |= header_name(c, item);
                    rc |= non_empty(c, item, "value", "value", true);
                    bool append;
                    WITH(c, item, "append", b, rc |= schema_bool(c, b, &append));
                } else {
                    rc = -1;
                }
                schema_pop(c, o2);
            }
        }
    });
    WITH(c, h, "remove", list, {
        if (!schema_is_seq(c, list)) {
            rc = -1;
        } else {
            for (size_t i = 0; i < list->n; i++) {
                size_t o2 = schema_push_index(c, i);
                const model_node *item = list->items[i];
                if (schema_is_map(c, item)) {
                    schema_check_keys(c, item, header_remove_keys);
                    rc |= header_name(c, item);
                } else {
                    rc = -1;
                }
                schema_pop(c, o2);
            }
        }
    });
    return rc;
}

/* A {pattern, substitution} of Modify: both non-empty. */
static int read_regex_replace(schema_ctx *c, const model_node *r)
{
    if (!schema_is_map(c, r))
        return -1;
    schema_check_keys(c, r, regex_replace_keys);
    return non_empty(c, r, "pattern", "pattern", true) |
           non_empty(c, r, "substitution", "substitution", true);
}

/* validateHTTPModify: changes a request once its route is chosen, so no routing effect. */
static int read_modify(schema_ctx *c, const model_node *m, const model_node *match)
{
    if (!schema_is_map(c, m))
        return -1;
    schema_check_keys(c, m, modify_keys);
    int rc = 0;
    WITH(c, m, "path", p, {
        if (!schema_is_map(c, p)) {
            rc = -1;
        } else {
            schema_check_keys(c, p, modify_path_keys);
            const model_node *rewrite = either(p, "rewritePrefix", "rewrite_prefix");
            const model_node *regex = model_node_get(p, "regex");
            if (rewrite && !model_node_is_null(rewrite)) {
                rc |= non_empty(c, p, "rewritePrefix", "rewrite_prefix", true);
                const model_node *prefix = model_node_get(model_node_get(match, "path"), "prefix");
                if (!prefix || model_node_is_null(prefix) || !prefix->len) {
                    size_t o2 = schema_push_key(c, "rewritePrefix");
                    rc = schema_fail(c, rewrite, "can only be set when .http.match.path.prefix "
                                                 "is not empty");
                    schema_pop(c, o2);
                }
            } else if (regex && !model_node_is_null(regex)) {
                size_t o2 = schema_push_key(c, "regex");
                rc |= read_regex_replace(c, regex);
                schema_pop(c, o2);
            } else {
                rc = schema_fail(c, p, "either \"rewritePrefix\" or \"regex\" has to be set");
            }
        }
    });
    WITH(c, m, "host", h, {
        if (!schema_is_map(c, h)) {
            rc = -1;
        } else {
            schema_check_keys(c, h, modify_host_keys);
            const model_node *value = model_node_get(h, "value");
            const model_node *from = either(h, "fromPath", "from_path");
            if (value && !model_node_is_null(value)) {
                rc |= non_empty(c, h, "value", "value", true);
            } else if (from && !model_node_is_null(from)) {
                size_t o2 = schema_push_key(c, "fromPath");
                rc |= read_regex_replace(c, from);
                schema_pop(c, o2);
            } else {
                rc = schema_fail(c, h, "either \"value\" or \"fromPath\" has to be set");
            }
        }
    });
    for (int i = 0; i < 2; i++) {
        const char *json = i ? "responseHeaders" : "requestHeaders";
        const model_node *h = either(m, json, i ? "response_headers" : "request_headers");
        if (h && !model_node_is_null(h)) {
            size_t o2 = schema_push_key(c, json);
            rc |= read_modify_headers(c, h);
            schema_pop(c, o2);
        }
    }
    return rc;
}

/* conf.loadBalancer: the balancing among a cluster's endpoints, which does not change
 * which cluster a connection goes to; checked as validateLb does. */
static int read_load_balancer(schema_ctx *c, const model_node *lb)
{
    if (!schema_is_map(c, lb))
        return -1;
    schema_check_keys(c, lb, lb_keys);
    int rc = 0;
    const model_node *lr = either(lb, "leastRequest", "least_request");
    if (lr && !model_node_is_null(lr)) {
        size_t old = schema_push_key(c, "leastRequest");
        if (schema_is_map(c, lr)) {
            schema_check_keys(c, lr, least_request_keys);
            const model_node *n = either(lr, "choiceCount", "choice_count");
            uint64_t v;
            if (n && !model_node_is_null(n)) {
                size_t o2 = schema_push_key(c, "choiceCount");
                if (schema_uint(c, n, UINT32_MAX, &v) < 0)
                    rc = -1;
                else if (v == 1)
                    rc = schema_fail(c, n, "value must be greater than or equal to 2");
                schema_pop(c, o2);
            }
        } else {
            rc = -1;
        }
        schema_pop(c, old);
    }
    const model_node *rh = either(lb, "ringHash", "ring_hash");
    if (rh && !model_node_is_null(rh)) {
        size_t old = schema_push_key(c, "ringHash");
        if (schema_is_map(c, rh)) {
            schema_check_keys(c, rh, ring_hash_keys);
            const model_node *f = either(rh, "hashFunction", "hash_function");
            size_t o2 = schema_push_key(c, "hashFunction");
            const char *s = "";
            if (f && !model_node_is_null(f) && schema_string(c, f, &s) < 0)
                rc = -1;
            else if (strcmp(s, "XX_HASH") && strcmp(s, "MURMUR_HASH_2"))
                rc = schema_fail(c, f ? f : rh, "must have a valid hash function");
            schema_pop(c, o2);
            for (int i = 0; i < 2; i++) {
                const model_node *n = i ? either(rh, "maxRingSize", "max_ring_size")
                                        : either(rh, "minRingSize", "min_ring_size");
                uint64_t v;
                if (n && !model_node_is_null(n)) {
                    o2 = schema_push_key(c, i ? "maxRingSize" : "minRingSize");
                    rc |= schema_uint(c, n, UINT64_MAX, &v);
                    schema_pop(c, o2);
                }
            }
        } else {
            rc = -1;
        }
        schema_pop(c, old);
    }
    return rc;
}

int model__traffic_route_read(schema_ctx *c, model_arena *a, const model_node *spec,
                              bool universal, model_policy *p)
{
    model_traffic_route *tr = model_arena_alloc(a, sizeof *tr);
    int rc = 0;
    if (!universal)
        schema_check_keys(c, spec, spec_keys);
    rc |= read_selectors(c, a, spec, "sources", false, &tr->sources, &tr->n_sources);
    rc |= read_selectors(c, a, spec, "destinations", true, &tr->destinations, &tr->n_destinations);
    const model_node *conf = model_node_get(spec, "conf");
    size_t old = schema_push_key(c, "conf");
    if (!conf || model_node_is_null(conf)) {
        rc = schema_fail_at(c, conf ? conf->mark : spec->mark, "cannot be empty");
    } else if (!schema_is_map(c, conf)) {
        rc = -1;
    } else {
        schema_check_keys(c, conf, conf_keys);
        rc |= read_split(c, a, conf, &tr->split, &tr->n_split);
        WITH(c, conf, "http", list, {
            if (!schema_is_seq(c, list)) {
                rc = -1;
            } else {
                tr->http = model_arena_alloc(a, (list->n ? list->n : 1) * sizeof *tr->http);
                for (size_t i = 0; i < list->n; i++) {
                    const model_node *h = list->items[i];
                    size_t o2 = schema_push_index(c, i);
                    if (schema_is_map(c, h)) {
                        schema_check_keys(c, h, http_keys);
                        model_tr_http *e = &tr->http[tr->n_http++];
                        e->mark = h->mark;
                        e->match = model_node_get(h, "match");
                        size_t o3 = schema_push_key(c, "match");
                        if (e->match && !model_node_is_null(e->match))
                            rc |= model__traffic_route_match_read(c, e->match);
                        else
                            rc = schema_fail_at(c, h->mark,
                                                "must be present and contain at least one of the "
                                                "elements: \"method\", \"path\" or \"headers\"");
                        schema_pop(c, o3);
                        WITH(c, h, "modify", m, rc |= read_modify(c, m, e->match));
                        rc |= read_split(c, a, h, &e->split, &e->n_split);
                    } else {
                        rc = -1;
                    }
                    schema_pop(c, o2);
                }
            }
        });
        const model_node *lb = either(conf, "loadBalancer", "load_balancer");
        if (lb && !model_node_is_null(lb)) {
            size_t o2 = schema_push_key(c, "loadBalancer");
            rc |= read_load_balancer(c, lb);
            schema_pop(c, o2);
        }
    }
    schema_pop(c, old);
    p->spec = spec;
    p->traffic_route = tr;
    return rc;
}

/* ---- choosing the TrafficRoute (§5.4) ------------------------------------------------- */

/* TagSelector.Rank: how many tags a selector has, and how many of them are exact. */
typedef struct tr_rank {
    unsigned tags, exact;
} tr_rank;

static int rank_cmp(tr_rank x, tr_rank y)
{
    if (x.tags != y.tags)
        return x.tags < y.tags ? -1 : 1;
    return x.exact < y.exact ? -1 : x.exact > y.exact;
}

/* Whether selector `sel` matches `tags` (a `*` value asks only for the key), and its rank. */
static bool selector_matches(const model_tags *sel, const model_tags *tags, tr_rank *rank)
{
    *rank = (tr_rank){0, 0};
    for (size_t i = 0; i < sel->n; i++) {
        const char *have = model_tags_get(tags, sel->v[i].key);
        bool any = !strcmp(sel->v[i].value, "*");
        if (!have || (!any && strcmp(have, sel->v[i].value)))
            return false;
        rank->tags++;
        rank->exact += !any;
    }
    return true;
}

/* The best rank of `tr`'s sources that match dataplane `dp` (one inbound's tags, or a
 * gateway's tags), or false when none does. */
static bool source_rank(const model_traffic_route *tr, const model_dataplane *dp, tr_rank *best)
{
    bool found = false;
    for (size_t s = 0; s < tr->n_sources; s++) {
        tr_rank r;
        bool m = false;
        if (dp->gateway) {
            m = selector_matches(&tr->sources[s], &dp->gateway_tags, &r);
        } else {
            for (size_t i = 0; i < dp->n_inbounds && !m; i++)
                m = selector_matches(&tr->sources[s], &dp->inbounds[i].tags, &r);
        }
        if (m && (!found || rank_cmp(r, *best) > 0)) {
            *best = r;
            found = true;
        }
    }
    return found;
}

/* Creation order: a written time first, by time; then the rest in load order (docs/manual.md
 * §8).  Kuma <= 2.5's route-all, made with the mesh, comes before every other. */
static bool created_later(const model_policy *x, const model_policy *y, const model_policy *builtin)
{
    if (x == builtin || y == builtin)
        return y == builtin && x != builtin;
    if (x->has_created != y->has_created)
        return !x->has_created;
    if (x->has_created && x->created_ns != y->created_ns)
        return x->created_ns > y->created_ns;
    return x > y; /* the world's policies are in load order */
}

/* Kuma <= 2.5's route-all-<mesh>: sources and destinations `*`, conf.destination `*`. */
static const model_policy *route_all(resolver *R)
{
    model_traffic_route *tr = model_arena_alloc(R->a, sizeof *tr);
    model_tags any = {0};
    model_tags_set(R->a, &any, MODEL_TAG_SERVICE, "*");
    tr->sources = tr->destinations = model_arena_alloc(R->a, sizeof *tr->sources);
    tr->sources[0] = any;
    tr->n_sources = tr->n_destinations = 1;
    tr->split = model_arena_alloc(R->a, sizeof *tr->split);
    tr->split[0] = (model_tr_split){any, 1, {0}};
    tr->n_split = 1;
    model_policy *p = model_arena_alloc(R->a, sizeof *p);
    p->type = MODEL_RES_TRAFFIC_ROUTE;
    p->name = p->display_name = model_arena_printf(R->a, "route-all-%s", R->s->mesh);
    p->mesh = R->s->mesh;
    p->traffic_route = tr;
    return p;
}

/* BuildRouteMap for one outbound: the routes in name order; the best aggregate rank
 * (destination + best source) wins, a tie goes to the one created later, a full tie to
 * the first by name.  NULL when no TrafficRoute selects the pair. */
static const model_policy *choose(resolver *R, const model_policy *builtin)
{
    const model_world *w = R->w;
    size_t n = 0;
    const model_policy **v = model_arena_alloc(R->a, (w->n_policies + 1) * sizeof *v);
    if (builtin)
        v[n++] = builtin;
    for (size_t i = 0; i < w->n_policies; i++)
        if (w->policies[i].type == MODEL_RES_TRAFFIC_ROUTE && w->policies[i].traffic_route)
            v[n++] = &w->policies[i];
    for (size_t i = 1; i < n; i++) { /* stable by name ascending */
        const model_policy *x = v[i];
        size_t j = i;
        while (j > 0 && strcmp(v[j - 1]->name, x->name) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    model_tags dest = {0};
    model_tags_set(R->a, &dest, MODEL_TAG_SERVICE, R->q->to);
    const model_policy *best = NULL;
    tr_rank best_rank = {0, 0};
    for (size_t i = 0; i < n; i++) {
        const model_traffic_route *tr = v[i]->traffic_route;
        tr_rank src = {0, 0};
        bool selects = source_rank(tr, R->r->from, &src);
        model_step st = {.kind = MODEL_STEP_TR_CANDIDATE, .policy = v[i], .service = R->q->to};
        if (!selects) {
            st.dropped = true; /* no source selector matches */
            model__step(R, st);
            continue;
        }
        bool any_dest = false;
        for (size_t d = 0; d < tr->n_destinations; d++) {
            tr_rank dr;
            if (!selector_matches(&tr->destinations[d], &dest, &dr))
                continue;
            any_dest = true;
            tr_rank agg = {dr.tags + src.tags, dr.exact + src.exact};
            int cmp = best ? rank_cmp(agg, best_rank) : 1;
            if (cmp > 0 || (cmp == 0 && created_later(v[i], best, builtin))) {
                st.other = best;
                st.order = cmp > 0 ? 0 : 1; /* 0: a better rank, 1: created later */
                best = v[i];
                best_rank = agg;
            }
        }
        st.rank_tags = src.tags;
        st.rank_exact = src.exact;
        st.redirect = !any_dest; /* selects the source, but no destination matches */
        model__step(R, st);
    }
    if (best)
        model__step(R, (model_step){.kind = MODEL_STEP_TR_CHOSEN,
                                    .policy = best,
                                    .service = R->q->to,
                                    .rank_tags = best_rank.tags,
                                    .rank_exact = best_rank.exact,
                                    .is_default = best == builtin});
    return best;
}

/* ---- the listener ------------------------------------------------------------------- */

/* resolveTrafficRouteWildcards: tags with `*` removed, then every tag of the outbound that
 * the destination does not name added. */
static model_tags resolve_wildcards(resolver *R, const model_tags *dest)
{
    model_tags t = {0};
    for (size_t i = 0; i < dest->n; i++)
        if (strcmp(dest->v[i].value, "*"))
            model_tags_set(R->a, &t, dest->v[i].key, dest->v[i].value);
    for (size_t i = 0; i < R->outbound.n; i++)
        if (!model_tags_get(&t, R->outbound.v[i].key))
            model_tags_set(R->a, &t, R->outbound.v[i].key, R->outbound.v[i].value);
    return t;
}

/* The clusters of a split (weight 0 skipped), appended to `out`. */
static void split_clusters(resolver *R, const model_tr_split *split, size_t n, model_cluster *out,
                           size_t *n_out)
{
    for (size_t i = 0; i < n; i++) {
        const model_tr_split *s = &split[i];
        model_tags t = resolve_wildcards(R, &s->destination);
        const char *service = model_tags_get(&t, MODEL_TAG_SERVICE);
        model_step st = {.type = MODEL_RES_TRAFFIC_ROUTE, .index = i, .mark = s->mark,
                         .service = service};
        if (s->weight == 0) {
            st.kind = MODEL_STEP_BACKEND_DROPPED;
            st.drop = MODEL_DROP_WEIGHT_ZERO;
            model__step(R, st);
            continue;
        }
        model_tags rest = model_tags_without(R->a, &t, MODEL_TAG_SERVICE);
        model_cluster *cl = &out[(*n_out)++];
        model__cluster_fill(R, cl, service, &rest, s->weight);
        st.kind = MODEL_STEP_BACKEND;
        st.cluster = cl->name;
        st.weight = cl->weight;
        st.endpoints = cl->endpoints;
        model__step(R, st);
    }
}

/* A conf.http match as Envoy's route matches it: path prefix (raw bytes, not whole
 * segments), exact or regex; method and headers as header matchers (names lower case). */
static void legacy_match(resolver *R, model_http_route *h, const model_node *m)
{
    h->match = m;
    h->raw = true;
    h->path_type = MODEL_PATH_RAW_PREFIX;
    h->path = "/";
    const model_node *path = model_node_get(m, "path");
    const model_node *v;
    if ((v = model_node_get(path, "exact")) && !model_node_is_null(v)) {
        h->path_type = MODEL_PATH_EXACT;
        h->path = v->text;
    } else if ((v = model_node_get(path, "regex")) && !model_node_is_null(v)) {
        h->path_type = MODEL_PATH_REGEX;
        h->path = v->text;
        h->path_re = model__route_regex(R, v);
    } else if ((v = model_node_get(path, "prefix")) && !model_node_is_null(v)) {
        h->path = v->text;
    }
    const model_node *headers = model_node_get(m, "headers");
    const model_node *method = model_node_get(m, "method");
    size_t cap = (headers && headers->kind == MODEL_NODE_MAP ? headers->n : 0) + 1;
    h->headers = model_arena_alloc(R->a, cap * sizeof *h->headers);
    for (size_t i = 0; i < cap; i++) {
        const model_node *matcher = i + 1 < cap ? headers->items[i] : method;
        if (!matcher || model_node_is_null(matcher))
            continue;
        model_http_condition *c = &h->headers[h->n_headers++];
        if (i + 1 < cap) {
            char *name = model_arena_strdup(R->a, headers->keys[i]->text);
            for (char *p = name; *p; p++)
                *p = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
            c->name = name;
        } else {
            c->name = ":method";
        }
        if ((v = model_node_get(matcher, "exact")) && !model_node_is_null(v)) {
            c->type = MODEL_VALUE_EXACT;
        } else if ((v = model_node_get(matcher, "prefix")) && !model_node_is_null(v)) {
            c->type = MODEL_VALUE_PREFIX;
        } else {
            v = model_node_get(matcher, "regex");
            c->type = MODEL_VALUE_REGEX;
            c->re = model__route_regex(R, v);
        }
        c->value = v->text;
    }
}

/* OutboundProxyGenerator: the routes of `p` for the destination (conf.http in order, then
 * conf.split as a last catch-all); an HTTP route table when every cluster's service speaks
 * HTTP (inferProtocol), else one tcp_proxy over the clusters of all routes in that order. */
static void legacy_listener(resolver *R, const model_policy *p, bool builtin)
{
    model_resolution *r = R->r;
    const model_traffic_route *tr = p->traffic_route;
    r->route = MODEL_ROUTE_TRAFFIC_ROUTE;
    r->is_default = builtin;
    if (!builtin)
        r->policies[r->n_policies++] = p;
    size_t cap = tr->n_split;
    for (size_t i = 0; i < tr->n_http; i++)
        cap += tr->http[i].n_split;
    model_cluster *all = model_arena_alloc(R->a, (cap ? cap : 1) * sizeof *all);
    size_t n_all = 0;
    r->routes = model_arena_alloc(R->a, (tr->n_http + 1) * sizeof *r->routes);
    for (size_t i = 0; i <= tr->n_http; i++) {
        model_http_route *h = &r->routes[i];
        memset(h, 0, sizeof *h);
        size_t first = n_all;
        model__step(R, (model_step){.kind = MODEL_STEP_TR_ROUTE,
                                    .policy = p,
                                    .index = i,
                                    .count = tr->n_http,
                                    .match = i < tr->n_http ? tr->http[i].match : NULL});
        if (i < tr->n_http) {
            legacy_match(R, h, tr->http[i].match);
            split_clusters(R, tr->http[i].split, tr->http[i].n_split, all, &n_all);
        } else {
            h->raw = true;
            h->path_type = MODEL_PATH_RAW_PREFIX;
            h->path = "/";
            split_clusters(R, tr->split, tr->n_split, all, &n_all);
        }
        h->clusters = all + first;
        h->n_clusters = n_all - first;
        h->policy = p;
    }
    model_protocol proto = MODEL_PROTO_UNKNOWN;
    for (size_t k = 0; k < n_all; k++) {
        model_protocol sp = model_mesh_service_protocol(R->s, all[k].service);
        proto = k == 0 ? sp : model_protocol_common(proto, sp);
    }
    bool http = n_all > 0 && model_protocol_is_http(proto);
    model__step(R, (model_step){.kind = MODEL_STEP_TR_PROTOCOL,
                                .policy = p,
                                .protocol = (int)proto,
                                .count = n_all,
                                .is_default = http});
    if (http) {
        r->n_routes = tr->n_http + 1;
    } else {
        r->clusters = all;
        r->n_clusters = n_all;
    }
}

void model__legacy_resolve(resolver *R)
{
    const model_policy *builtin =
        model_kuma_has_default_traffic_route(R->s->kuma_minor) ? route_all(R) : NULL;
    const model_policy *p = choose(R, builtin);
    if (!p) {
        /* A listener with no filter chain: the connection is closed (§5.3). */
        R->r->route = MODEL_ROUTE_NONE;
        R->r->has_none_reason = true;
        R->r->none = MODEL_NONE_NO_TRAFFIC_ROUTE;
        return;
    }
    legacy_listener(R, p, p == builtin);
}
