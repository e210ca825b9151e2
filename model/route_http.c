/*
 * route_http.c - MeshHTTPRoute: its `rules` read and checked, and its HTTP routes
 * resolved; see route.h.
 */
#include "model/merge.h"
#include "model/regex.h"
#include "model/version.h"
#include "resolver.h"
#include "route.h"
#include "targetref.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading and checking ---------------------------------------------------------- */

static const char *const http_to_keys[] = {"targetRef", "rules", "hostnames", NULL};
static const char *const rule_keys[] = {"matches", "default", NULL};
static const char *const match_keys[] = {"path", "method", "queryParams", "headers", NULL};
static const char *const path_keys[] = {"type", "value", NULL};
static const char *const query_keys[] = {"type", "name", "value", NULL};
static const char *const header_keys[] = {"type", "name", "value", NULL};
static const char *const default_keys[] = {"filters", "backendRefs", NULL};
static const char *const filter_keys[] = {"type",           "requestHeaderModifier",
                                          "responseHeaderModifier", "requestRedirect",
                                          "urlRewrite",     "requestMirror", NULL};
static const char *const modifier_keys[] = {"set", "add", "remove", NULL};
static const char *const header_value_keys[] = {"name", "value", NULL};
static const char *const redirect_keys[] = {"scheme", "hostname", "path", "port", "statusCode",
                                            NULL};
static const char *const rewrite_keys[] = {"hostname", "path", "hostToBackendHostname", NULL};
static const char *const rewrite_path_keys[] = {"type", "replaceFullPath", "replacePrefixMatch",
                                                NULL};
static const char *const mirror_keys[] = {"backendRef", "percentage", NULL};

/* The enumerations of MeshHTTPRoute's schema (pkg/plugins/policies/meshhttproute/api/
 * v1alpha1/rest.yaml). */
static const char *const path_types[] = {"Exact", "PathPrefix", "RegularExpression", NULL};
static const char *const methods[] = {"CONNECT", "DELETE", "GET",  "HEAD",  "OPTIONS",
                                      "PATCH",   "POST",   "PUT",  "TRACE", NULL};
static const char *const query_types[] = {"Exact", "RegularExpression", NULL};
static const char *const header_types[] = {"Exact", "Present", "RegularExpression", "Absent",
                                           "Prefix", NULL};
static const char *const filter_types[] = {"RequestHeaderModifier", "ResponseHeaderModifier",
                                           "RequestRedirect", "URLRewrite", "RequestMirror", NULL};
static const char *const schemes[] = {"http", "https", NULL};
static const char *const status_codes[] = {"301", "302", "303", "307", "308", NULL};
static const char *const rewrite_path_types[] = {"ReplaceFullPath", "ReplacePrefixMatch", NULL};

/* Calls `body` with the path pushed to `key` when `map` has it (not null). */
#define WITH(c, map, key, var, ...)                                                                \
    do {                                                                                           \
        const model_node *var = model_node_get((map), (key));                                      \
        if (var && !model_node_is_null(var)) {                                                     \
            size_t with_old_ = schema_push_key((c), (key));                                        \
            __VA_ARGS__;                                                                           \
            schema_pop((c), with_old_);                                                            \
        }                                                                                          \
    } while (0)

/* A key the schema requires: "must be set" at the mapping when it is missing. */
static int required(schema_ctx *c, const model_node *map, const char *key)
{
    const model_node *v = model_node_get(map, key);
    if (v && !model_node_is_null(v))
        return 0;
    size_t old = schema_push_key(c, key);
    schema_fail_at(c, v ? v->mark : map->mark, "must be set");
    schema_pop(c, old);
    return -1;
}

/* A string the schema gives a minimum length of 1. */
static int non_empty_string(schema_ctx *c, const model_node *n, const char **out)
{
    if (schema_string(c, n, out) < 0)
        return -1;
    return **out ? 0 : schema_fail(c, n, "must not be empty");
}

/* Checks a RegularExpression value as Envoy will: RE2 must compile it (Kuma does not
 * look; Envoy then rejects the whole configuration). */
int model__regex_check(schema_ctx *c, const model_node *n)
{
    const char *v;
    if (schema_string(c, n, &v) < 0)
        return -1;
    char err[256];
    if (c->regexes) {
        switch (model_regex_set_add(c->regexes, v, n->len, err, sizeof err)) {
        case MODEL_REGEX_ADDED:
            return 0;
        case MODEL_REGEX_LIMIT:
            return *err ? schema_fail(c, n, "%s", err) : -1;
        case MODEL_REGEX_REFUSED:
            break;
        }
    } else {
        model_arena *scratch = model_arena_new(); /* checked only: an expectation's match */
        bool ok = model_regex_compile(scratch, v, n->len, err, sizeof err) != NULL;
        model_arena_free(scratch);
        if (ok)
            return 0;
    }
    return schema_fail(c, n,
                       "invalid regular expression (RE2, as Envoy's safe_regex): %s; Kuma accepts "
                       "it, and Envoy rejects the configuration",
                       err);
}

/* The schema's header name: ^[a-z0-9!#$%&'*+\-.^_`|~]+$, at most 256 characters. */
static int check_header_name(schema_ctx *c, const model_node *n, const char **out)
{
    if (non_empty_string(c, n, out) < 0)
        return -1;
    const char *v = *out;
    bool upper = false, ok = strlen(v) <= 256;
    for (const char *p = v; *p && ok; p++) {
        unsigned char ch = (unsigned char)*p;
        upper |= ch >= 'A' && ch <= 'Z';
        ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || strchr("!#$%&'*+-.^_`|~", ch);
    }
    if (ok)
        return 0;
    if (upper) {
        char lower[300];
        size_t i = 0;
        for (; v[i] && i < sizeof lower - 1; i++)
            lower[i] = (char)tolower((unsigned char)v[i]);
        lower[i] = '\0';
        return schema_fail(c, n,
                           "header names are lower case here, as HTTP/2 writes them: write \"%s\"",
                           lower);
    }
    return schema_fail(c, n,
                       "must be a header name of at most 256 characters: letters, digits and "
                       "!#$%%&'*+-.^_`|~, got \"%s\"",
                       v);
}

/* Kuma's PreciseHostname check (validation.go): not an IP address, and a DNS-1123
 * subdomain (apimachinery IsDNS1123Subdomain's messages). */
static int check_hostname(schema_ctx *c, const model_node *n)
{
    const char *v;
    if (schema_string(c, n, &v) < 0)
        return -1;
    unsigned char buf[16];
    if (inet_pton(AF_INET6, v, buf) == 1 || schema_sloppy_ipv4(v))
        return schema_fail(c, n, "cannot be an IP address");
    int rc = 0;
    if (strlen(v) > 253)
        rc = schema_fail(c, n, "must be no more than 253 characters");
    if (!schema_dns1123_syntax(v))
        rc = schema_fail(c, n,
                         "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                         "characters, '-' or '.', and must start and end with an alphanumeric "
                         "character (e.g. 'example.com', regex used for validation is "
                         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    return rc;
}

/* matches[k].path.  Sets *prefix when it is a PathPrefix (for replacePrefixMatch). */
static int check_path(schema_ctx *c, const model_node *path, bool *prefix)
{
    int rc = 0;
    *prefix = false;
    if (!schema_is_map(c, path))
        return -1;
    schema_check_keys(c, path, path_keys);
    rc |= required(c, path, "type") | required(c, path, "value");
    const char *type = NULL, *value = NULL;
    WITH(c, path, "type", t, rc |= schema_enum(c, t, path_types, &type));
    WITH(c, path, "value", v, rc |= schema_string(c, v, &value));
    if (!type || !value)
        return -1;
    *prefix = !strcmp(type, "PathPrefix");
    size_t old = schema_push_key(c, "value");
    const model_node *vn = model_node_get(path, "value");
    if (!*value)
        rc = schema_fail(c, vn, "must not be empty"); /* the schema's minLength 1 */
    if (!strcmp(type, "RegularExpression")) {
        if (*value)
            rc |= model__regex_check(c, vn);
    } else {
        /* validation.go: a PathPrefix other than "/" must not end in "/"; both must be
         * absolute.  Two checks, both said. */
        size_t len = strlen(value);
        if (*prefix && strcmp(value, "/") && len && value[len - 1] == '/')
            rc = schema_fail(c, vn,
                             "does not need a trailing slash because only a `/`-separated "
                             "prefix or an entire path is matched");
        if (value[0] != '/')
            rc = schema_fail(c, vn, "must be an absolute path");
    }
    schema_pop(c, old);
    return rc;
}

/* matches[k].queryParams: each {type, name, value}; a name may appear once. */
static int check_query_params(schema_ctx *c, const model_node *list)
{
    int rc = 0;
    if (!schema_is_seq(c, list))
        return -1;
    for (size_t i = 0; i < list->n; i++) {
        const model_node *q = list->items[i];
        size_t old = schema_push_index(c, i);
        if (!schema_is_map(c, q)) {
            rc = -1;
            schema_pop(c, old);
            continue;
        }
        schema_check_keys(c, q, query_keys);
        rc |= required(c, q, "type") | required(c, q, "name") | required(c, q, "value");
        const char *type = NULL, *name = NULL, *value = NULL;
        WITH(c, q, "type", t, rc |= schema_enum(c, t, query_types, &type));
        WITH(c, q, "name", n, rc |= non_empty_string(c, n, &name));
        WITH(c, q, "value", v, rc |= schema_string(c, v, &value));
        if (type && value && !strcmp(type, "RegularExpression"))
            WITH(c, q, "value", v, rc |= model__regex_check(c, v));
        for (size_t j = 0; name && j < i; j++) {
            const model_node *other = model_node_get(list->items[j], "name");
            if (other && other->kind == MODEL_NODE_SCALAR && !strcmp(other->text, name)) {
                WITH(c, q, "name", n, rc = schema_fail(c, n, "multiple entries for name %s", name));
                break;
            }
        }
        schema_pop(c, old);
    }
    return rc;
}

/* matches[k].headers: each {type (Exact when absent), name, value}. */
static int check_headers(schema_ctx *c, const model_node *list)
{
    int rc = 0;
    if (!schema_is_seq(c, list))
        return -1;
    for (size_t i = 0; i < list->n; i++) {
        const model_node *h = list->items[i];
        size_t old = schema_push_index(c, i);
        if (!schema_is_map(c, h)) {
            rc = -1;
            schema_pop(c, old);
            continue;
        }
        schema_check_keys(c, h, header_keys);
        rc |= required(c, h, "name");
        const char *type = "Exact", *name = NULL, *value = NULL;
        WITH(c, h, "type", t, rc |= schema_enum(c, t, header_types, &type));
        WITH(c, h, "name", n, rc |= check_header_name(c, n, &name));
        WITH(c, h, "value", v, rc |= schema_string(c, v, &value));
        if ((!strcmp(type, "Present") || !strcmp(type, "Absent")) && value && *value)
            WITH(c, h, "value", v, rc = schema_fail(c, v, "must not be defined"));
        else if (!strcmp(type, "RegularExpression") && value && *value)
            WITH(c, h, "value", v, rc |= model__regex_check(c, v));
        else if (!strcmp(type, "RegularExpression")) /* Exact: the empty value */
            rc = schema_fail(c, model_node_get(h, "value") ? model_node_get(h, "value") : h,
                             "%sa RegularExpression needs a pattern: Kuma accepts none, and "
                             "Envoy rejects an empty one",
                             model_node_get(h, "value") ? "" : "value: ");
        schema_pop(c, old);
    }
    return rc;
}

/* One match (a rule's matches[k], or an expectation's route_match): sets *prefix when its
 * path is a PathPrefix.  `path_shorthand` lets the path be written as its value alone. */
static int check_match(schema_ctx *c, const model_node *m, bool *prefix, bool path_shorthand)
{
    int rc = 0;
    *prefix = false;
    if (!schema_is_map(c, m))
        return -1;
    schema_check_keys(c, m, match_keys);
    const model_node *path = model_node_get(m, "path");
    if (path && path_shorthand && path->kind == MODEL_NODE_SCALAR && !model_node_is_null(path))
        WITH(c, m, "path", p, {
            if (p->text[0] != '/')
                rc = schema_fail(c, p, "must be an absolute path");
        });
    else if (path && !model_node_is_null(path))
        WITH(c, m, "path", p, rc |= check_path(c, p, prefix));
    const char *method;
    WITH(c, m, "method", v, rc |= schema_enum(c, v, methods, &method));
    WITH(c, m, "queryParams", v, rc |= check_query_params(c, v));
    WITH(c, m, "headers", v, rc |= check_headers(c, v));
    return rc;
}

/* A rule's `matches`; *all_prefix is false when one has no path or a path that is not a
 * PathPrefix (replacePrefixMatch then has nothing to replace). */
static int check_matches(schema_ctx *c, const model_node *list, bool *all_prefix)
{
    int rc = 0;
    *all_prefix = true;
    if (!schema_is_seq(c, list))
        return -1;
    if (list->n == 0)
        rc = schema_fail(c, list, "must have at least 1 item");
    for (size_t k = 0; k < list->n; k++) {
        size_t old = schema_push_index(c, k);
        bool prefix;
        rc |= check_match(c, list->items[k], &prefix, false);
        *all_prefix &= prefix;
        schema_pop(c, old);
    }
    return rc;
}

int model__http_match_read(schema_ctx *c, const model_node *m)
{
    bool prefix;
    return check_match(c, m, &prefix, true);
}

/* A Request/ResponseHeaderModifier: at least one of set, add, remove; a header name once
 * over all three (validation.go's HM rule), each list at most 16 long (schema). */
static int check_header_modifier(schema_ctx *c, const model_node *h)
{
    int rc = 0;
    if (!schema_is_map(c, h))
        return -1;
    schema_check_keys(c, h, modifier_keys);
    if (!model_node_get(h, "set") && !model_node_get(h, "add") && !model_node_get(h, "remove"))
        return schema_fail(c, h, "must have at least one defined: set, add, remove");
    const char *seen[48];
    size_t n_seen = 0;
    for (int part = 0; part < 3; part++) {
        const char *key = modifier_keys[part];
        const model_node *list = model_node_get(h, key);
        if (!list || model_node_is_null(list))
            continue;
        size_t old = schema_push_key(c, key);
        if (!schema_is_seq(c, list)) {
            rc = -1;
            schema_pop(c, old);
            continue;
        }
        if (list->n > 16)
            rc = schema_fail(c, list, "must have at most 16 items, got %zu", list->n);
        for (size_t i = 0; i < list->n; i++) {
            const model_node *item = list->items[i];
            size_t o2 = schema_push_index(c, i);
            const char *name = NULL;
            const model_node *name_node = item;
            if (part == 2) { /* remove: names */
                if (schema_string(c, item, &name) < 0)
                    rc = -1;
            } else if (schema_is_map(c, item)) {
                schema_check_keys(c, item, header_value_keys);
                rc |= required(c, item, "name") | required(c, item, "value");
                WITH(c, item, "name", v, rc |= check_header_name(c, v, &name));
                const char *value;
                WITH(c, item, "value", v, rc |= schema_string(c, v, &value));
                name_node = model_node_get(item, "name");
            } else {
                rc = -1;
            }
            bool dup = false;
            for (size_t j = 0; name && j < n_seen && !dup; j++)
                dup = !strcmp(seen[j], name);
            if (dup) {
                size_t o3 = part == 2 ? c->len : schema_push_key(c, "name");
                rc = schema_fail(c, name_node, "duplicate header name");
                schema_pop(c, o3);
            } else if (name && n_seen < sizeof seen / sizeof seen[0]) {
                seen[n_seen++] = name;
            }
            schema_pop(c, o2);
        }
        schema_pop(c, old);
    }
    return rc;
}

/* A redirect's or rewrite's `path`: a type, and the value of that type. */
static int check_rewrite_path(schema_ctx *c, const model_node *path)
{
    int rc = 0;
    if (!schema_is_map(c, path))
        return -1;
    schema_check_keys(c, path, rewrite_path_keys);
    rc |= required(c, path, "type");
    const char *type = NULL, *v;
    WITH(c, path, "type", t, rc |= schema_enum(c, t, rewrite_path_types, &type));
    WITH(c, path, "replaceFullPath", n, rc |= schema_string(c, n, &v));
    WITH(c, path, "replacePrefixMatch", n, rc |= schema_string(c, n, &v));
    return rc;
}

/* replacePrefixMatch, wherever its path's type says, needs every match of the rule to be
 * a PathPrefix (validation.go). */
static int check_prefix_replacement(schema_ctx *c, const model_node *holder, bool all_prefix)
{
    const model_node *path = model_node_get(holder, "path");
    const model_node *rpm = model_node_get(path, "replacePrefixMatch");
    if (!rpm || all_prefix)
        return 0;
    size_t old = schema_push_key(c, "path.replacePrefixMatch");
    schema_fail(c, rpm, "can only appear if all matches match a path prefix");
    schema_pop(c, old);
    return -1;
}

static int check_redirect(schema_ctx *c, const model_node *r, bool all_prefix)
{
    int rc = 0;
    if (!schema_is_map(c, r))
        return -1;
    schema_check_keys(c, r, redirect_keys);
    rc |= check_prefix_replacement(c, r, all_prefix);
    WITH(c, r, "hostname", h, rc |= check_hostname(c, h));
    const char *v;
    WITH(c, r, "scheme", n, rc |= schema_enum(c, n, schemes, &v));
    WITH(c, r, "statusCode", n, { /* an integer enum: written plain */
        if (n->kind != MODEL_NODE_SCALAR || !n->plain || !schema_in_list(n->text, status_codes))
            rc = schema_fail(c, n, "expected one of 301, 302, 303, 307, 308, got %s",
                             n->kind == MODEL_NODE_SCALAR ? n->text : model_node_describe(n));
    });
    WITH(c, r, "port", n, {
        uint64_t port;
        if (schema_uint(c, n, 65535, &port) < 0)
            rc = -1;
        else if (port == 0)
            rc = schema_fail(c, n, "port must be in the range [1, 65535]");
    });
    WITH(c, r, "path", n, rc |= check_rewrite_path(c, n));
    return rc;
}

static int check_rewrite(schema_ctx *c, const model_node *r, bool all_prefix, bool gateway)
{
    int rc = 0;
    if (!schema_is_map(c, r))
        return -1;
    schema_check_keys(c, r, rewrite_keys);
    rc |= check_prefix_replacement(c, r, all_prefix);
    WITH(c, r, "hostname", h, rc |= check_hostname(c, h));
    WITH(c, r, "path", n, rc |= check_rewrite_path(c, n));
    bool host_to_backend = false;
    WITH(c, r, "hostToBackendHostname", n, rc |= schema_bool(c, n, &host_to_backend));
    if (host_to_backend) {
        const model_node *n = model_node_get(r, "hostToBackendHostname");
        size_t old = schema_push_key(c, "hostToBackendHostname");
        if (!gateway)
            rc = schema_fail(c, n, "can only be set with MeshGateway");
        if (model_node_get(r, "hostname"))
            rc = schema_fail(c, n, "cannot be set together with hostname");
        schema_pop(c, old);
    }
    return rc;
}

/* A mirror's percentage: an integer or a decimal string, 0..100. */
/* requestMirror.percentage: an integer or a string (the schema's anyOf); Kuma reads it as
 * a decimal (NewDecimalFromIntOrString) and fails on anything else.  More than 100 is
 * accepted and mirrors every request, as Envoy caps a fraction at 100%; below 0 Kuma's
 * conversion to an unsigned numerator has no meaning, so it is refused. */
static int check_percentage(schema_ctx *c, const model_node *n)
{
    const char *typed = schema_yaml_type(n);
    if (typed && strcmp(typed, "a number"))
        return schema_fail(c, n,
                           "expected an integer or a string, got %s (%s: write it in quotes, "
                           "\"%s\")",
                           n->text, typed, n->text);
    if (n->kind == MODEL_NODE_SCALAR && !model_node_is_null(n)) {
        char *end;
        errno = 0;
        double v = strtod(n->text, &end);
        if (n->len && !*end && !errno && isfinite(v) && v >= 0)
            return 0;
    }
    return schema_fail(c, n,
                       "expected a percentage, 0 or more (an integer, or a decimal string such "
                       "as \"99.9\"), got %s",
                       n->kind == MODEL_NODE_SCALAR ? n->text : model_node_describe(n));
}

static int check_mirror(schema_ctx *c, const model_node *m)
{
    int rc = 0;
    if (!schema_is_map(c, m))
        return -1;
    schema_check_keys(c, m, mirror_keys);
    const model_node *ref = model_node_get(m, "backendRef");
    size_t old = schema_push_key(c, "backendRef");
    if (!ref || model_node_is_null(ref)) {
        /* validation.go validates the missing ref as one of kind "". */
        size_t o2 = schema_push_key(c, "kind");
        rc = schema_fail_at(c, m->mark, "must be defined");
        schema_pop(c, o2);
    } else {
        model_target_ref t;
        rc |= model__targetref_read(c, ref, MODEL_REF_MIRROR, &t);
    }
    schema_pop(c, old);
    WITH(c, m, "percentage", n, rc |= check_percentage(c, n));
    return rc;
}

/* default.filters.  Sets *redirects when one is a RequestRedirect. */
static int check_filters(schema_ctx *c, const model_node *list, bool all_prefix, bool gateway,
                         bool *redirects)
{
    int rc = 0;
    *redirects = false;
    if (!schema_is_seq(c, list))
        return -1;
    for (size_t i = 0; i < list->n; i++) {
        const model_node *f = list->items[i];
        size_t old = schema_push_index(c, i);
        if (!schema_is_map(c, f)) {
            rc = -1;
            schema_pop(c, old);
            continue;
        }
        schema_check_keys(c, f, filter_keys);
        rc |= required(c, f, "type");
        const char *type = NULL;
        WITH(c, f, "type", t, rc |= schema_enum(c, t, filter_types, &type));
        if (!type) {
            schema_pop(c, old);
            continue;
        }
        /* The object of the filter's type: "must be defined" when it is missing. */
        static const char *const objects[] = {"requestHeaderModifier", "responseHeaderModifier",
                                              "requestRedirect", "urlRewrite", "requestMirror"};
        size_t k = 0;
        while (strcmp(filter_types[k], type))
            k++;
        const model_node *obj = model_node_get(f, objects[k]);
        size_t o2 = schema_push_key(c, objects[k]);
        if (!obj || model_node_is_null(obj))
            rc = schema_fail_at(c, f->mark, "must be defined");
        else if (k < 2)
            rc |= check_header_modifier(c, obj);
        else if (k == 2)
            rc |= check_redirect(c, obj, all_prefix);
        else if (k == 3)
            rc |= check_rewrite(c, obj, all_prefix, gateway);
        else
            rc |= check_mirror(c, obj);
        schema_pop(c, o2);
        *redirects |= k == 2;
        schema_pop(c, old);
    }
    return rc;
}

static int check_rule(schema_ctx *c, const model_node *r, bool gateway, int kuma_minor)
{
    int rc = 0;
    if (!schema_is_map(c, r))
        return -1;
    schema_check_keys(c, r, rule_keys);
    rc |= required(c, r, "matches") | required(c, r, "default");
    bool all_prefix = true, redirects = false;
    WITH(c, r, "matches", m, rc |= check_matches(c, m, &all_prefix));
    const model_node *d = model_node_get(r, "default");
    if (!d || model_node_is_null(d))
        return -1;
    size_t old = schema_push_key(c, "default");
    if (!schema_is_map(c, d)) {
        schema_pop(c, old);
        return -1;
    }
    schema_check_keys(c, d, default_keys);
    WITH(c, d, "filters", f, rc |= check_filters(c, f, all_prefix, gateway, &redirects));
    const model_node *b = model_node_get(d, "backendRefs");
    size_t o2 = schema_push_key(c, "backendRefs");
    if ((!b || model_node_is_null(b) || (b->kind == MODEL_NODE_SEQ && b->n == 0)) && gateway &&
        (!redirects || !model_kuma_gateway_redirects_without_backends(kuma_minor)))
        /* validation.go: a gateway route forwards somewhere, unless it redirects (2.7+). */
        rc = schema_fail_at(c, b ? b->mark : d->mark, "must not be empty");
    else if (b && !model_node_is_null(b))
        rc |= model__backend_refs_check(c, b, MODEL_REF_HTTP_BACKEND);
    schema_pop(c, o2);
    schema_pop(c, old);
    return rc;
}

int model__http_to_read(schema_ctx *c, model_arena *a, const model_policy *p,
                        const model_node *item, model_policy_to *t, int kuma_minor)
{
    int rc = 0;
    bool gateway = p->target.kind == MODEL_KIND_MESH_GATEWAY;
    schema_check_keys(c, item, http_to_keys);
    const model_node *rules = model_node_get(item, "rules");
    if (rules && !model_node_is_null(rules)) {
        size_t old = schema_push_key(c, "rules");
        if (!schema_is_seq(c, rules)) {
            rc = -1;
        } else {
            for (size_t j = 0; j < rules->n; j++) {
                size_t o2 = schema_push_index(c, j);
                rc |= check_rule(c, rules->items[j], gateway, kuma_minor);
                schema_pop(c, o2);
            }
        }
        schema_pop(c, old);
    }
    const model_node *hosts = model_node_get(item, "hostnames");
    if (hosts && !model_node_is_null(hosts)) {
        size_t old = schema_push_key(c, "hostnames");
        if (!schema_is_seq(c, hosts)) {
            rc = -1;
        } else if (!gateway && hosts->n) {
            rc = schema_fail(c, hosts, "must not be defined");
        } else {
            for (size_t i = 0; i < hosts->n; i++) {
                const char *h;
                size_t o2 = schema_push_index(c, i);
                rc |= schema_string(c, hosts->items[i], &h);
                schema_pop(c, o2);
            }
        }
        schema_pop(c, old);
    }
    if (rc == 0) {
        t->rules_empty = !rules || model_node_is_null(rules) || rules->n == 0;
        t->conf = (model_node *)item;
    }
    return rc;
}

/* ---- the HTTP routes --------------------------------------------------------------- */

/* `key` of mapping `m`, NULL when absent or null: Kuma decodes a null field as an absent
 * one, and the checks above let a null field through as absent. */
static const model_node *field(const model_node *m, const char *key)
{
    const model_node *v = model_node_get(m, key);
    return v && !model_node_is_null(v) ? v : NULL;
}

/* Equal as a match compares them: scalars by text, however they were quoted. */
static bool same_node(const model_node *x, const model_node *y)
{
    if (!x || !y || x->kind != y->kind || x->n != y->n)
        return x == y;
    switch (x->kind) {
    case MODEL_NODE_SCALAR:
        return x->len == y->len && !memcmp(x->text, y->text, x->len);
    case MODEL_NODE_SEQ:
        for (size_t i = 0; i < x->n; i++)
            if (!same_node(x->items[i], y->items[i]))
                return false;
        return true;
    case MODEL_NODE_MAP:
        for (size_t i = 0; i < x->n; i++)
            if (!same_node(x->items[i], field(y, x->keys[i]->text)))
                return false;
        return true;
    }
    return false;
}

/* A hash that same_node keeps: equal nodes hash alike (mappings whatever their key order,
 * scalars whatever their quoting). */
static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static uint64_t text_hash(const char *p, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static uint64_t node_hash(const model_node *n)
{
    if (!n)
        return 0x6a09e667f3bcc909ULL;
    uint64_t h = (uint64_t)n->kind + 1;
    switch (n->kind) {
    case MODEL_NODE_SCALAR:
        return mix(h ^ text_hash(n->text, n->len));
    case MODEL_NODE_SEQ:
        for (size_t i = 0; i < n->n; i++)
            h = mix(h * 31 + node_hash(n->items[i]));
        return h;
    case MODEL_NODE_MAP:
        for (size_t i = 0; i < n->n; i++) /* a sum: the order of keys does not count */
            h += mix(text_hash(n->keys[i]->text, n->keys[i]->len) ^ node_hash(n->items[i]));
        return mix(h);
    }
    return h;
}

typedef model_merged_rule merged_rule;

/* docs/routing.md §4.3: Kuma's mergeValuesByKey over the parts' rules.  To.GetDefault
 * gives each `to` item's rules reversed; the parts are appended in merge order; a rule
 * whose `matches` deep-equals an earlier one's replaces it, at its own place, with the
 * two defaults JSON-merged (the later patches the earlier); Transform reverses the
 * result.  Observable effect: the highest-priority policy's rules first, in written
 * order, then the next policy's new matches; a duplicate keeps the place of its first
 * appearance in that order and takes its value from the highest-priority occurrence.
 * Kuma <= 2.5 reversed nothing: the lowest-priority policy's rules come first, and a
 * duplicate keeps its first place, patched by every later occurrence. */
model_merged_rule *model__http_merge_rules(resolver *R, const model_conf *c, size_t *n)
{
    size_t cap = 0, len = 0;
    for (size_t i = 0; i < c->n_parts; i++) {
        const model_node *rules = field(c->parts[i].policy->to[c->parts[i].to].conf, "rules");
        cap += rules && rules->kind == MODEL_NODE_SEQ ? rules->n : 0;
    }
    merged_rule *v = model_arena_alloc(R->a, (cap ? cap : 1) * sizeof *v);
    bool reversed = model_kuma_merges_http_rules_reversed(R->s->kuma_minor);
    /* live entries by the hash of their matches: index + 1, 0 empty */
    size_t slots = 16;
    while (slots < 2 * cap)
        slots *= 2;
    size_t *index = model_xcalloc(slots, sizeof *index);
    for (size_t i = 0; i < c->n_parts; i++) {
        const model_policy *p = c->parts[i].policy;
        const model_node *rules = field(p->to[c->parts[i].to].conf, "rules");
        size_t nr = rules && rules->kind == MODEL_NODE_SEQ ? rules->n : 0;
        for (size_t step = 0; step < nr; step++) {
            const model_node *rule = rules->items[reversed ? nr - 1 - step : step];
            merged_rule m = {field(rule, "matches"), field(rule, "default"), p,
                             false};
            size_t at = (size_t)node_hash(m.matches) & (slots - 1);
            while (index[at] && !same_node(v[index[at] - 1].matches, m.matches))
                at = (at + 1) & (slots - 1);
            size_t k = index[at] ? index[at] - 1 : len;
            if (k < len && !reversed) {
                /* Kuma <= 2.5: the first occurrence keeps its place and takes the patch. */
                v[k].conf = model_merge_patch(R->a, v[k].conf, m.conf);
                v[k].policy = p;
                continue;
            }
            if (k < len) {
                m.conf = model_merge_patch(R->a, v[k].conf, m.conf);
                v[k].gone = true;
            }
            index[at] = len + 1;
            v[len++] = m;
        }
    }
    free(index);
    /* Compact, then reverse (Transform). */
    size_t kept = 0;
    for (size_t k = 0; k < len; k++)
        if (!v[k].gone)
            v[kept++] = v[k];
    for (size_t k = 0; reversed && k < kept / 2; k++) {
        merged_rule t = v[k];
        v[k] = v[kept - 1 - k];
        v[kept - 1 - k] = t;
    }
    *n = kept;
    return v;
}

/* A route under construction: its match and the rule it came from. */
typedef struct route_draft {
    const model_node *match; /* NULL: Kuma's catch-all */
    const merged_rule *rule; /* NULL: Kuma's catch-all */
} route_draft;

/* CompareMatch (pkg/plugins/policies/meshhttproute/api/v1alpha1/compare.go): negative when
 * `x` is more specific, so comes first. */
static int compare_match(const model_node *x, const model_node *y)
{
    const model_node *px = field(x, "path"), *py = field(y, "path");
    if (!px != !py)
        return px ? -1 : 1;
    if (px) {
        static const char *const order[] = {"Exact", "PathPrefix", "RegularExpression"};
        const char *tx = field(px, "type")->text, *ty = field(py, "type")->text;
        int rx = 0, ry = 0;
        for (int i = 0; i < 3; i++) {
            rx = strcmp(tx, order[i]) ? rx : i;
            ry = strcmp(ty, order[i]) ? ry : i;
        }
        if (rx != ry)
            return rx < ry ? -1 : 1;
        if (rx != 0) { /* PathPrefix or RegularExpression: the longer value first */
            size_t lx = field(px, "value")->len, ly = field(py, "value")->len;
            if (lx != ly)
                return lx > ly ? -1 : 1;
        }
    }
    bool mx = field(x, "method") != NULL, my = field(y, "method") != NULL;
    if (mx != my)
        return mx ? -1 : 1;
    const model_node *hx = field(x, "headers"), *hy = field(y, "headers");
    size_t nhx = hx ? hx->n : 0, nhy = hy ? hy->n : 0;
    if (nhx != nhy)
        return nhx > nhy ? -1 : 1;
    const model_node *qx = field(x, "queryParams"), *qy = field(y, "queryParams");
    size_t nqx = qx ? qx->n : 0, nqy = qy ? qy->n : 0;
    if (nqx != nqy)
        return nqx > nqy ? -1 : 1;
    return 0;
}

/* True for the exact catch-all match {path: {type: PathPrefix, value: /}} and nothing
 * else set: then Kuma appends no catch-all of its own. */
static bool is_catch_all(const model_node *m)
{
    if (!m || m->kind != MODEL_NODE_MAP || m->n != 1)
        return false;
    const model_node *p = field(m, "path");
    const model_node *t = field(p, "type"), *v = field(p, "value");
    return p && p->kind == MODEL_NODE_MAP && p->n == 2 && t && v && !strcmp(t->text, "PathPrefix") &&
           !strcmp(v->text, "/");
}

uint64_t model_http_match_hash(const model_node *m)
{
    return !m || is_catch_all(m) ? 0xbb67ae8584caa73bULL : node_hash(m);
}

bool model_http_match_same(const model_node *x, const model_node *y)
{
    if (!x || !y)
        return x == y || is_catch_all(x ? x : y);
    return same_node(x, y);
}

bool model_http_match_named(const model_node *want, const model_node *m)
{
    const model_node *path = field(want, "path");
    if (!path || path->kind != MODEL_NODE_SCALAR)
        return model_http_match_same(want, m);
    /* {path: VALUE, ...}: the route's path value is VALUE; every other key as written. */
    const model_node *mp = m ? field(m, "path") : NULL;
    const model_node *value = NULL; /* {type, value}, or a TrafficRoute StringMatcher */
    static const char *const keys_of_value[] = {"value", "prefix", "exact", "regex"};
    for (size_t k = 0; mp && !value && k < 4; k++)
        value = field(mp, keys_of_value[k]);
    const char *have = m ? (value ? value->text : NULL) : "/";
    if (!have || strcmp(have, path->text))
        return false;
    size_t keys = m ? m->n : 1;
    if (keys != want->n)
        return false;
    for (size_t i = 0; i < want->n; i++)
        if (strcmp(want->keys[i]->text, "path") &&
            !same_node(want->items[i], field(m, want->keys[i]->text)))
            return false;
    return true;
}

/* The compiled form of RegularExpression value `v`: the loader compiled every one into
 * the scenario's set; a scenario built otherwise gets its own copy in the resolution. */
const model_regex *model__route_regex(resolver *R, const model_node *v)
{
    const model_regex *re = model_regex_set_get(R->s->regexes, v->text, v->len);
    return re ? re : model_regex_compile(R->a, v->text, v->len, NULL, 0);
}

/* The conditions of a match's headers (or query parameters): the first per name. */
static model_http_condition *conditions(resolver *R, const model_node *list, bool headers,
                                        size_t *n)
{
    *n = 0;
    if (!list || list->kind != MODEL_NODE_SEQ)
        return NULL;
    model_http_condition *v = model_arena_alloc(R->a, (list->n ? list->n : 1) * sizeof *v);
    for (size_t i = 0; i < list->n; i++) {
        const model_node *item = list->items[i];
        const model_node *tn = field(item, "type"), *vn = field(item, "value");
        model_http_condition cond = {field(item, "name")->text, MODEL_VALUE_EXACT,
                                     vn ? vn->text : "", NULL};
        if (headers) {
            char *lower = model_arena_strdup(R->a, cond.name);
            for (char *p = lower; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            cond.name = lower;
        }
        const char *t = tn ? tn->text : "Exact";
        cond.type = !strcmp(t, "Present")             ? MODEL_VALUE_PRESENT
                    : !strcmp(t, "Absent")            ? MODEL_VALUE_ABSENT
                    : !strcmp(t, "Prefix")            ? MODEL_VALUE_PREFIX
                    : !strcmp(t, "RegularExpression") ? MODEL_VALUE_REGEX
                                                      : MODEL_VALUE_EXACT;
        if (cond.type == MODEL_VALUE_PREFIX && !*cond.value)
            cond.type = MODEL_VALUE_PRESENT; /* an empty prefix matches any value */
        if (cond.type == MODEL_VALUE_REGEX)
            cond.re = model__route_regex(R, vn);
        bool seen = false; /* Envoy keeps only the first matcher per name */
        for (size_t k = 0; k < *n && !seen; k++)
            seen = !strcmp(v[k].name, cond.name);
        if (!seen)
            v[(*n)++] = cond;
    }
    return v;
}

/* Fills route `h` from match `m` (NULL: the catch-all): Kuma fills a missing path as
 * PathPrefix /, and trims a PathPrefix's trailing slash. */
void model__http_fill_match(resolver *R, model_http_route *h, const model_node *m)
{
    h->match = m;
    h->path_type = MODEL_PATH_PREFIX;
    h->path = "/";
    const model_node *path = field(m, "path");
    if (path) {
        const char *t = field(path, "type")->text;
        const model_node *v = field(path, "value");
        h->path = v->text;
        if (!strcmp(t, "Exact")) {
            h->path_type = MODEL_PATH_EXACT;
        } else if (!strcmp(t, "RegularExpression")) {
            h->path_type = MODEL_PATH_REGEX;
            h->path_re = model__route_regex(R, v);
        } else if (v->len > 1 && v->text[v->len - 1] == '/') {
            h->path = model_arena_strndup(R->a, v->text, v->len - 1);
        }
    }
    const model_node *method = field(m, "method");
    h->method = method ? method->text : NULL;
    h->headers = conditions(R, field(m, "headers"), true, &h->n_headers);
    h->query = conditions(R, field(m, "queryParams"), false, &h->n_query);
}

/* Backend protocols an HTTP split accepts (MakeHTTPSplit): http, http2, grpc (grpc from
 * 2.6). */
static bool http_backend_protocol_ok(model_protocol p, int minor)
{
    if (p == MODEL_PROTO_GRPC && !model_kuma_splits_kafka_and_grpc(minor))
        return false;
    return model_protocol_is_http(p);
}

/* The share a RequestMirror's percentage asks for, in millionths (integers and decimal
 * strings, as Kuma's ToPercentage reads them; more than 100 is every request). */
static uint32_t mirror_share(const model_node *n)
{
    if (!n)
        return 1000000;
    double v = strtod(n->text, NULL);
    if (!(v > 0))
        return 0;
    if (v >= 100)
        return 1000000;
    return (uint32_t)(v * 10000 + 0.5);
}

/* The weighted clusters of route `h` from backendRefs `refs` (NULL or empty: Kuma's
 * default backend, the destination with the outbound's tags (none before 2.6), weight
 * 100).  Returns false
 * when the split is empty: Kuma then drops the route. */
static bool route_split(resolver *R, model_http_route *h, const model_node *refs)
{
    model_resolution *r = R->r;
    if (!refs || refs->kind != MODEL_NODE_SEQ || refs->n == 0) {
        if (!http_backend_protocol_ok(r->protocol, R->s->kuma_minor))
            return false;
        h->clusters = model_arena_alloc(R->a, sizeof *h->clusters);
        /* Kuma <= 2.5's default is {kind: MeshService, name: <service>}: no outbound tags. */
        model_tags t = model_kuma_http_plugin_needs_rules(R->s->kuma_minor)
                           ? (model_tags){0}
                           : model_tags_without(R->a, &R->outbound, MODEL_TAG_SERVICE);
        model__cluster_fill(R, &h->clusters[h->n_clusters++], r->to, &t, 100);
        return true;
    }
    h->clusters = model_arena_alloc(R->a, refs->n * sizeof *h->clusters);
    bool whole = false;
    for (size_t i = 0; i < refs->n; i++) {
        model_backend_ref b;
        model__backend_ref_read(R->a, refs->items[i], &b);
        model_step drop = {.kind = MODEL_STEP_BACKEND_DROPPED, .type = MODEL_RES_MESH_HTTP_ROUTE,
                           .index = i, .service = b.name, .mark = b.mark};
        if (b.has_weight && b.weight == 0) {
            drop.drop = MODEL_DROP_WEIGHT_ZERO;
            model__step(R, drop);
            continue;
        }
        model_protocol bp = model_mesh_service_protocol(R->s, b.name);
        if (!http_backend_protocol_ok(bp, R->s->kuma_minor)) {
            drop.drop = MODEL_DROP_PROTOCOL;
            drop.protocol = (int)bp;
            model__step(R, drop);
            whole |= !model_kuma_drops_bad_backends_alone(R->s->kuma_minor);
            continue;
        }
        model_cluster *cl = &h->clusters[h->n_clusters++];
        model__cluster_fill(R, cl, b.name, &b.tags, b.has_weight ? (uint32_t)b.weight : 1);
        model__step(R, (model_step){.kind = MODEL_STEP_BACKEND,
                                    .type = MODEL_RES_MESH_HTTP_ROUTE,
                                    .index = i,
                                    .mark = b.mark,
                                    .cluster = cl->name,
                                    .weight = cl->weight,
                                    .weight_default = !b.has_weight,
                                    .endpoints = cl->endpoints});
    }
    if (whole)
        h->n_clusters = 0;
    return h->n_clusters > 0;
}

/* The filters that change where a request goes: RequestRedirect (no backend) and
 * RequestMirror (a copy elsewhere).  Header modifiers and URLRewrite change the request
 * after the route is chosen, so they are accepted without effect here. */
void model__http_route_filters(resolver *R, model_http_route *h, const model_node *filters)
{
    if (!filters || filters->kind != MODEL_NODE_SEQ)
        return;
    h->mirrors = model_arena_alloc(R->a, (filters->n ? filters->n : 1) * sizeof *h->mirrors);
    for (size_t i = 0; i < filters->n; i++) {
        const model_node *f = filters->items[i];
        const char *type = field(f, "type")->text;
        if (!strcmp(type, "RequestRedirect")) {
            h->redirect = true;
        } else if (!strcmp(type, "RequestMirror")) {
            const model_node *m = field(f, "requestMirror");
            model_backend_ref b;
            model__backend_ref_read(R->a, field(m, "backendRef"), &b);
            model_http_mirror *mi = &h->mirrors[h->n_mirrors++];
            model__cluster_fill(R, &mi->cluster, b.name, &b.tags, 1);
            mi->per_million = mirror_share(field(m, "percentage"));
        }
    }
}

static int cmp_draft(const route_draft *x, const route_draft *y)
{
    return compare_match(x->match, y->match);
}

/* A stable merge sort of the drafts by CompareMatch (slices.SortStableFunc's order). */
static void sort_drafts(route_draft *d, size_t n)
{
    route_draft *tmp = model_xmalloc((n ? n : 1) * sizeof *tmp);
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = cmp_draft(&d[j], &d[i]) < 0 ? d[j++] : d[i++];
            while (i < mid)
                tmp[k++] = d[i++];
            while (j < hi)
                tmp[k++] = d[j++];
        }
        memcpy(d, tmp, n * sizeof *d);
    }
    free(tmp);
}

/* docs/routing.md §4.1: the routes of the merged rules. */
static void http_routes(resolver *R, const model_conf *c)
{
    model_resolution *r = R->r;
    size_t n_rules;
    merged_rule *rules = model__http_merge_rules(R, c, &n_rules);
    size_t cap = 1;
    for (size_t i = 0; i < n_rules; i++) {
        const model_node *m = rules[i].matches;
        cap += m && m->kind == MODEL_NODE_SEQ ? m->n : 0;
    }
    route_draft *d = model_arena_alloc(R->a, cap * sizeof *d);
    size_t n = 0;
    for (size_t i = 0; i < n_rules; i++) { /* one route per match, matches OR-ed */
        const model_node *m = rules[i].matches;
        for (size_t k = 0; m && m->kind == MODEL_NODE_SEQ && k < m->n; k++)
            d[n++] = (route_draft){m->items[k], &rules[i]};
    }
    bool sorted = model_kuma_sorts_http_rules(R->s->kuma_minor);
    if (sorted)
        sort_drafts(d, n);
    bool user_catch_all = false;
    for (size_t i = 0; i < n; i++)
        user_catch_all |= is_catch_all(d[i].match);
    if (!user_catch_all)
        d[n++] = (route_draft){NULL, NULL}; /* appended last, after the sort */
    model__step(R, (model_step){.kind = MODEL_STEP_HTTP_RULES, .count = n_rules,
                                .rules_empty = !sorted, .index = n});

    r->routes = model_arena_alloc(R->a, n * sizeof *r->routes);
    for (size_t i = 0; i < n; i++) {
        model_http_route *h = &r->routes[r->n_routes];
        memset(h, 0, sizeof *h);
        model__http_fill_match(R, h, d[i].match);
        h->policy = d[i].rule ? d[i].rule->policy : NULL;
        const model_node *conf = d[i].rule ? d[i].rule->conf : NULL;
        model__http_route_filters(R, h, field(conf, "filters"));
        model__step(R, (model_step){.kind = MODEL_STEP_HTTP_ROUTE,
                                    .policy = h->policy,
                                    .match = d[i].match,
                                    .index = r->n_routes,
                                    .redirect = h->redirect});
        if (!route_split(R, h, field(conf, "backendRefs"))) {
            model__step(R, (model_step){.kind = MODEL_STEP_HTTP_ROUTE_DROPPED,
                                        .policy = h->policy,
                                        .match = d[i].match});
            continue;
        }
        if (h->redirect) /* Envoy's redirect action replaces the route's clusters */
            h->n_clusters = 0;
        r->n_routes++;
    }
}

/* Kuma's route for an HTTP destination with no MeshHTTPRoute conf: the catch-all
 * PathPrefix / to the destination itself (docs/routing.md §4.1). */
static void http_default(resolver *R)
{
    model_resolution *r = R->r;
    r->is_default = true;
    r->routes = model_arena_alloc(R->a, sizeof *r->routes);
    model_http_route *h = &r->routes[0];
    model__http_fill_match(R, h, NULL);
    bool kept = route_split(R, h, NULL); /* the protocol filter applies to it too */
    r->n_routes = kept;
    model__step(R, (model_step){.kind = MODEL_STEP_DEFAULT_HTTP,
                                .service = r->to,
                                .protocol = (int)r->protocol,
                                .dropped = !kept});
}

void model__http_resolve(resolver *R, const model_conf *c)
{
    model_resolution *r = R->r;
    r->route = MODEL_ROUTE_MESH_HTTP_ROUTE;
    if (c->n_parts) {
        model__conf_adopt(R, c);
        http_routes(R, c);
    } else {
        http_default(R);
    }
    if (r->n_routes == 0) {
        /* No route left: no HTTP listener, and for an HTTP destination the TCP plugin
         * makes none either (docs/routing.md §4.1). */
        r->route = MODEL_ROUTE_NONE;
        r->has_none_reason = true;
        r->none = MODEL_NONE_NO_HTTP_ROUTE;
    }
}

/* ---- requests ------------------------------------------------------------------------ */

static int hex_digit(char ch)
{
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* %XX of an unreserved character (RFC 3986 §2.3) decoded, as Envoy's normalize_path does;
 * other escapes kept.  `decode_all` decodes every escape (query values). */
static char *unescape(model_arena *a, const char *s, size_t len, bool decode_all)
{
    char *out = model_arena_alloc(a, len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len) {
            int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                char ch = (char)(hi * 16 + lo);
                if (decode_all || isalnum((unsigned char)ch) || strchr("-._~", ch)) {
                    out[n++] = ch;
                    i += 2;
                    continue;
                }
            }
        }
        out[n++] = s[i];
    }
    out[n] = '\0';
    return out;
}

/* Drops the last segment of out[0..*n) and the "/" before it (RFC 3986 §5.2.4, step C). */
static void drop_segment(const char *out, size_t *n)
{
    while (*n > 0 && out[*n - 1] != '/')
        (*n)--;
    if (*n > 0)
        (*n)--;
}

/* RFC 3986 §5.2.4: remove_dot_segments, step by step. */
static char *remove_dot_segments(model_arena *a, const char *in)
{
    char *out = model_arena_alloc(a, strlen(in) + 2);
    size_t n = 0;
    const char *p = in;
    while (*p) {
        if (!strncmp(p, "../", 3))
            p += 3;
        else if (!strncmp(p, "./", 2))
            p += 2;
        else if (!strncmp(p, "/./", 3))
            p += 2;
        else if (!strcmp(p, "/."))
            p = "/";
        else if (!strncmp(p, "/../", 4))
            p += 3, drop_segment(out, &n);
        else if (!strcmp(p, "/.."))
            p = "/", drop_segment(out, &n);
        else if (!strcmp(p, ".") || !strcmp(p, ".."))
            p += strlen(p);
        else
            do
                out[n++] = *p++;
            while (*p && *p != '/');
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    return out;
}

model_http_request model_http_request_make(model_arena *a, const model_request *q)
{
    model_http_request r = {q->method ? q->method : "GET", "/", NULL, NULL, NULL, {0}, {0}};
    const char *path = q->path ? q->path : "/";
    const char *mark = strchr(path, '?');
    size_t plen = mark ? (size_t)(mark - path) : strlen(path);
    r.raw = path;
    r.raw_path = model_arena_strndup(a, path, plen);
    r.path = remove_dot_segments(a, unescape(a, path, plen, false));
    char *merged = model_arena_strdup(a, r.path);
    size_t w = 0;
    for (size_t k = 0; merged[k]; k++)
        if (merged[k] != '/' || w == 0 || merged[w - 1] != '/')
            merged[w++] = merged[k];
    merged[w] = '\0';
    r.merged = merged;
    for (const char *p = mark ? mark + 1 : NULL; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t kn = eq ? (size_t)(eq - p) : n;
        const char *key = unescape(a, p, kn, true);
        if (*key && !model_tags_get(&r.query, key)) /* the first value of a name counts */
            model_tags_set(a, &r.query, key,
                           eq ? unescape(a, eq + 1, n - kn - 1, true) : "");
        p = amp ? amp + 1 : NULL;
    }
    for (size_t i = 0; i < q->headers.n; i++) {
        char *name = model_arena_strdup(a, q->headers.v[i].key);
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        model_tags_set(a, &r.headers, name, q->headers.v[i].value);
    }
    model_tags_set(a, &r.headers, ":method", r.method); /* as Envoy's header matchers see it */
    return r;
}

static bool condition_holds(const model_http_condition *c, const model_tags *values)
{
    const char *v = model_tags_get(values, c->name);
    switch (c->type) {
    case MODEL_VALUE_PRESENT:
        return v != NULL;
    case MODEL_VALUE_ABSENT:
        return v == NULL;
    case MODEL_VALUE_EXACT:
        return v && !strcmp(v, c->value);
    case MODEL_VALUE_PREFIX:
        return v && !strncmp(v, c->value, strlen(c->value));
    case MODEL_VALUE_REGEX:
        return v && c->re && model_regex_full_match(c->re, v, strlen(v));
    }
    return false;
}

static bool path_matches(const model_http_route *h, const char *path)
{
    size_t n = strlen(h->path);
    switch (h->path_type) {
    case MODEL_PATH_EXACT:
        return !strcmp(path, h->path);
    case MODEL_PATH_PREFIX:
        /* Kuma's two Envoy routes: `path: /x` then `prefix: /x/` (or `prefix: /`). */
        if (!strcmp(h->path, "/"))
            return path[0] == '/';
        return !strncmp(path, h->path, n) && (path[n] == '\0' || path[n] == '/');
    case MODEL_PATH_REGEX:
        return h->path_re && model_regex_full_match(h->path_re, path, strlen(path));
    case MODEL_PATH_RAW_PREFIX:
        return !strncmp(path, h->path, n);
    }
    return false;
}

size_t model_http_route_choose(const model_resolution *r, const model_http_request *q)
{
    for (size_t i = 0; i < r->n_routes; i++) {
        const model_http_route *h = &r->routes[i];
        const char *path = h->merge_slashes                       ? q->merged
                           : !h->raw                              ? q->path
                           : h->path_type == MODEL_PATH_RAW_PREFIX ? q->raw
                                                                  : q->raw_path;
        if (!path_matches(h, path))
            continue;
        if (h->method && strcmp(h->method, q->method))
            continue;
        bool ok = true;
        for (size_t k = 0; k < h->n_headers && ok; k++)
            ok = condition_holds(&h->headers[k], &q->headers);
        for (size_t k = 0; k < h->n_query && ok; k++)
            ok = condition_holds(&h->query[k], &q->query);
        if (ok)
            return i;
    }
    return r->n_routes;
}
