/*
 * tags.h - Kuma tag maps, tag selectors and the names Kuma derives from them.
 *
 * A tag map is kept sorted by key with unique keys, which is the order Kuma hashes them
 * in (cluster names) and the order reports print them in (`svc{k=v,k2=v2}`).
 */
#ifndef MODEL_TAGS_H
#define MODEL_TAGS_H

#include "model/arena.h"

#include <stdbool.h>
#include <stddef.h>

#define MODEL_TAG_SERVICE "kuma.io/service"
#define MODEL_TAG_PROTOCOL "kuma.io/protocol"
#define MODEL_TAG_MESH "kuma.io/mesh"

typedef struct model_tag {
    const char *key;
    const char *value;
} model_tag;

/* A sorted set of tags; `v` is arena-owned (or NULL when n == 0). */
typedef struct model_tags {
    model_tag *v;
    size_t n;
} model_tags;

/* Sets `key` to `value` (both borrowed; arena-lived), keeping the map sorted; replaces
 * an existing value. */
void model_tags_set(model_arena *a, model_tags *t, const char *key, const char *value);

/* The value of `key`, or NULL. */
const char *model_tags_get(const model_tags *t, const char *key);

/* A copy of `t` without `key` (arena-owned). */
model_tags model_tags_without(model_arena *a, const model_tags *t, const char *key);

/* Kuma's TagSelector.Matches (api/mesh/v1alpha1/dataplane_helpers.go): every selector key
 * must be in `tags`, with an equal value or the selector value "*".  An empty selector
 * matches everything. */
bool model_tags_selector_matches(const model_tags *selector, const model_tags *tags);

/* Kuma's endpoint filter for subset clusters (pkg/core/xds/types.go ContainsTags): every
 * tag of `subset` except kuma.io/service is in `tags` with an equal value (no wildcard). */
bool model_tags_contain(const model_tags *tags, const model_tags *subset);

bool model_tags_equal(const model_tags *x, const model_tags *y);

/* Kuma's DestinationClusterName (pkg/xds/envoy/tags/match.go) for a tag map that holds
 * kuma.io/service: the service alone when it is the only tag, else
 * `<service>-<16 hex digits>`: the first 8 bytes of sha256 over key+value of every tag,
 * keys ascending, no separators.  A kuma.io/mesh tag (cross-mesh gateway outbounds) is
 * hashed like the others and also appends `_<mesh>` (meshroute handleLegacyBackendRef).
 * Arena-owned. */
char *model_tags_cluster_name(model_arena *a, const model_tags *t);

/* A builtin gateway's cluster name for destination tags `t` (kuma.io/service included)
 * seen from a listener with tags `ident` (pkg/plugins/runtime/gateway/cluster_generator.go:
 * DestinationClusterName with identifying tags): `<service>-<16 hex digits>` always. */
char *model_tags_gateway_cluster_name(model_arena *a, const model_tags *t, const model_tags *ident);

/* `service` or `service{k=v,k2=v2}` (tags sorted, kuma.io/service left out), the backend
 * name reports use (docs/manual.md §2).  Arena-owned. */
char *model_tags_backend_name(model_arena *a, const char *service, const model_tags *t);

/* The inverse of model_tags_backend_name: `service` or `service{k=v,...}` into the service
 * and its tags (sorted, whatever order they were written in), all allocated in `a`.
 * Returns 0, or -1 when `name` is not of that form (an empty part, a key twice). */
int model_tags_parse_backend_name(model_arena *a, const char *name, const char **service,
                                  model_tags *tags);

/* Kuma's tag syntax (ValidateTags in pkg/core/resources/apis/mesh/validators.go):
 * keys and values match ^[a-zA-Z0-9.\-_:/]*$ and ^[a-zA-Z0-9.\-_:]*$ respectively. */
bool model_tags_valid_key(const char *key);
bool model_tags_valid_value(const char *value);

#endif
