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

#include "model/regex.h"
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
 * `kuma_minor` selects version-dependent schema rules (e.g. `rules` required from 2.10);
 * the regular expressions the resource holds are compiled into `regexes`. */
policy_read_kind model__policy_read(model_arena *a, model_errors *errs, const model_node *doc,
                                    int kuma_minor, model_regex_set *regexes,
                                    policy_read_result *out);

#endif
