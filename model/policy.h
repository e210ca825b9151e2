/*
 * policy.h - reading Kuma resources (internal to libsplit_model).
 *
 * One YAML document in, one of: a route policy or gateway (model_policy), a Dataplane
 * (model_dataplane), a list of further documents (`kind: List`, kumactl's `items:`), or a
 * resource type splitsim does not model.  Every check Kuma makes at apply time for the
 * modelled types is made here with Kuma's wording (docs/kuma-validation.md), so
 * `splitsim validate` refuses what `kubectl apply` / `kumactl apply` would refuse.
 */
#ifndef MODEL_POLICY_H
#define MODEL_POLICY_H

#include "model/scenario.h"
#include "schema.h"

typedef enum policy_read_kind {
    POLICY_READ_POLICY,
    POLICY_READ_DATAPLANE,
    POLICY_READ_LIST,
    POLICY_READ_SKIPPED,
    POLICY_READ_INVALID,
} policy_read_kind;

typedef struct policy_read_result {
    policy_read_kind kind;
    model_policy policy;       /* POLICY_READ_POLICY */
    model_dataplane dataplane; /* POLICY_READ_DATAPLANE */
    const char *skipped_type;  /* POLICY_READ_SKIPPED: the kind/type name */
    const model_node *items;   /* POLICY_READ_LIST: the sequence of documents */
} policy_read_result;

/* Reads one resource document.  Everything allocated lives in `a`; problems are recorded
 * in `errs` and give POLICY_READ_INVALID (the caller keeps going with the next document).
 * `kuma_minor` selects version-dependent schema rules (e.g. `rules` required from 2.10). */
policy_read_kind model__policy_read(model_arena *a, model_errors *errs, const model_node *doc,
                                    int kuma_minor, policy_read_result *out);

/* Checks the kuma.io/protocol tag of an inbound's `tags` (node `n`, read into `t`) as
 * Kuma's Dataplane validator does: ParseProtocol must know the value.  Records Kuma's
 * message at tags["kuma.io/protocol"] and returns -1, or returns 0. */
int model__check_protocol_tag(schema_ctx *c, const model_node *n, const model_tags *t);

/* A backendRef as the resolver uses it. */
typedef struct model_backend_ref {
    model_target_kind kind;
    const char *name;
    model_tags tags;
    bool has_weight;
    uint64_t weight;
    model_mark mark;
} model_backend_ref;

/* Reads a backendRef node that model__policy_read has already validated (e.g. one taken
 * from a merged conf).  Never fails on such a node. */
void model__backend_ref_read(model_arena *a, const model_node *n, model_backend_ref *out);

#endif
