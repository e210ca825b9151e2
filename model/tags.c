/*
 * tags.c - tag maps, selectors and cluster names; see tags.h.
 */
#include "model/tags.h"

#include <nettle/sha2.h>
#include <string.h>

static long tags_index(const model_tags *t, const char *key, bool *found)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->v[mid].key, key);
        if (c == 0) {
            *found = true;
            return (long)mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return (long)lo;
}

void model_tags_set(model_arena *a, model_tags *t, const char *key, const char *value)
{
    bool found;
    long i = tags_index(t, key, &found);
    if (found) {
        t->v[i].value = value;
        return;
    }
    /* Tag maps are small (a handful of tags): copying on insert keeps them simple. */
    model_tag *v = model_arena_alloc(a, (t->n + 1) * sizeof *v);
    if (t->n) { /* an empty map has no array: memcpy from NULL is undefined, even of 0 bytes */
        memcpy(v, t->v, (size_t)i * sizeof *v);
        memcpy(v + i + 1, t->v + i, (t->n - (size_t)i) * sizeof *v);
    }
    v[i] = (model_tag){key, value};
    t->v = v;
    t->n++;
}

const char *model_tags_get(const model_tags *t, const char *key)
{
    bool found;
    long i = tags_index(t, key, &found);
    return found ? t->v[i].value : NULL;
}

model_tags model_tags_without(model_arena *a, const model_tags *t, const char *key)
{
    model_tags out = {model_arena_alloc(a, (t->n ? t->n : 1) * sizeof(model_tag)), 0};
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].key, key))
            out.v[out.n++] = t->v[i];
    return out;
}

bool model_tags_selector_matches(const model_tags *selector, const model_tags *tags)
{
    for (size_t i = 0; i < selector->n; i++) {
        const char *v = model_tags_get(tags, selector->v[i].key);
        if (!v)
            return false;
        if (strcmp(selector->v[i].value, "*") && strcmp(selector->v[i].value, v))
            return false;
    }
    return true;
}

bool model_tags_contain(const model_tags *tags, const model_tags *subset)
{
    for (size_t i = 0; i < subset->n; i++) {
        if (!strcmp(subset->v[i].key, MODEL_TAG_SERVICE))
            continue;
        const char *v = model_tags_get(tags, subset->v[i].key);
        if (!v || strcmp(v, subset->v[i].value))
            return false;
    }
    return true;
}

bool model_tags_equal(const model_tags *x, const model_tags *y)
{
    if (x->n != y->n)
        return false;
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->v[i].key, y->v[i].key) || strcmp(x->v[i].value, y->v[i].value))
            return false;
    return true;
}

char *model_tags_cluster_name(model_arena *a, const model_tags *t)
{
    const char *service = model_tags_get(t, MODEL_TAG_SERVICE);
    const char *mesh = model_tags_get(t, MODEL_TAG_MESH);
    char *name;
    if (!service)
        service = "";
    if (t->n <= 1) {
        name = model_arena_strdup(a, service);
    } else {
        /* Every tag is hashed, kuma.io/mesh included (handleLegacyBackendRef hashes the
         * ref's tags as written, then appends the mesh). */
        struct sha256_ctx ctx;
        uint8_t d[SHA256_DIGEST_SIZE];
        sha256_init(&ctx);
        for (size_t i = 0; i < t->n; i++) {
            sha256_update(&ctx, strlen(t->v[i].key), (const uint8_t *)t->v[i].key);
            sha256_update(&ctx, strlen(t->v[i].value), (const uint8_t *)t->v[i].value);
        }
        sha256_digest(&ctx, sizeof d, d);
        name = model_arena_printf(a, "%s-%02x%02x%02x%02x%02x%02x%02x%02x", service, d[0], d[1],
                                  d[2], d[3], d[4], d[5], d[6], d[7]);
    }
    if (mesh)
        name = model_arena_printf(a, "%s_%s", name, mesh);
    return name;
}

char *model_tags_gateway_cluster_name(model_arena *a, const model_tags *t, const model_tags *ident)
{
    /* DestinationClusterName(dest, identifyingTags): the destination's tags, then the
     * listener's, each sorted, hashed one after the other (a key in both, twice). */
    const char *service = model_tags_get(t, MODEL_TAG_SERVICE);
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    for (int m = 0; m < 2; m++) {
        const model_tags *x = m ? ident : t;
        for (size_t i = 0; i < x->n; i++) {
            sha256_update(&ctx, strlen(x->v[i].key), (const uint8_t *)x->v[i].key);
            sha256_update(&ctx, strlen(x->v[i].value), (const uint8_t *)x->v[i].value);
        }
    }
    sha256_digest(&ctx, sizeof d, d);
    return model_arena_printf(a, "%s-%02x%02x%02x%02x%02x%02x%02x%02x", service ? service : "",
                              d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
}

char *model_tags_backend_name(model_arena *a, const char *service, const model_tags *t)
{
    size_t len = strlen(service) + 3;
    for (size_t i = 0; i < t->n; i++)
        len += strlen(t->v[i].key) + strlen(t->v[i].value) + 2;
    char *out = model_arena_alloc(a, len);
    char *p = out;
    p += strlen(strcpy(p, service));
    bool first = true;
    for (size_t i = 0; i < t->n; i++) {
        if (!strcmp(t->v[i].key, MODEL_TAG_SERVICE))
            continue;
        *p++ = first ? '{' : ',';
        first = false;
        p += strlen(strcpy(p, t->v[i].key));
        *p++ = '=';
        p += strlen(strcpy(p, t->v[i].value));
    }
    if (!first)
        *p++ = '}';
    *p = '\0';
    return out;
}

static bool all_in(const char *s, bool slash)
{
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '_' || c == ':' || (slash && c == '/');
        if (!ok)
            return false;
    }
    return true;
}

bool model_tags_valid_key(const char *key)
{
    return all_in(key, true);
}

bool model_tags_valid_value(const char *value)
{
    return all_in(value, false);
}

int model_tags_parse_backend_name(model_arena *a, const char *name, const char **service,
                                  model_tags *tags)
{
    *tags = (model_tags){0};
    const char *brace = strchr(name, '{');
    if (!brace) {
        *service = model_arena_strdup(a, name);
        return *name ? 0 : -1;
    }
    size_t n = strlen(name);
    if (brace == name || name[n - 1] != '}')
        return -1;
    *service = model_arena_strndup(a, name, (size_t)(brace - name));
    const char *p = brace + 1, *end = name + n - 1;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (!eq || eq == p || eq + 1 == stop)
            return -1;
        const char *key = model_arena_strndup(a, p, (size_t)(eq - p));
        if (model_tags_get(tags, key))
            return -1; /* a key twice */
        model_tags_set(a, tags, key, model_arena_strndup(a, eq + 1, (size_t)(stop - eq - 1)));
        p = comma ? comma + 1 : end;
        if (comma && p == end)
            return -1; /* a trailing comma */
    }
    return tags->n ? 0 : -1;
}
