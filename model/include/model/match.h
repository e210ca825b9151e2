/*
 * match.h - which policies select a dataplane, and in which order they merge.
 *
 * docs/routing.md §1 (DppSelectedByPolicy in pkg/plugins/policies/core/matchers/dataplane.go)
 * and §2.1 (SortByTargetRef).  Pure functions of the scenario.
 */
#ifndef MODEL_MATCH_H
#define MODEL_MATCH_H

#include "model/explain.h"
#include "model/scenario.h"

/* True if policy `p`'s top-level targetRef selects sidecar dataplane `dp`: for MeshSubset,
 * MeshService and MeshServiceSubset one inbound's tags must match the whole selector
 * (never the union of several inbounds); Mesh selects every dataplane with an inbound;
 * proxyTypes must admit sidecars; consumer and workload-owner policies reach only
 * dataplanes of their own Kubernetes namespace; a zone-originated policy stays in its
 * zone.  If `why` is not NULL it receives the reason, selected or not. */
bool model_match_selects(const model_policy *p, const model_dataplane *dp, model_selection *why);

/* Kuma's SortByTargetRef comparator for `kuma_minor`: negative if `x` has lower priority
 * (merges earlier) than `y`.  Rank of the top-level kind, then origin (2.6+), then fewer
 * tags for MeshGateway, then role (2.9+), then the display name descending from 2.6 (the
 * smallest name merges last and wins); before 2.6 the resource name ascending (on
 * Kubernetes Kuma's `<name>.<namespace>`; display names did not exist yet). */
int model_match_compare(const model_policy *x, const model_policy *y, int kuma_minor);

/* The key of Kuma's sort that orders two policies: the first in which they differ. */
typedef enum model_order_key {
    MODEL_ORDER_KIND,         /* the rank of the top-level targetRef kind */
    MODEL_ORDER_ORIGIN,       /* kuma.io/origin (2.6+) */
    MODEL_ORDER_GATEWAY_TAGS, /* MeshGateway targetRefs: fewer listener tags first */
    MODEL_ORDER_ROLE,         /* kuma.io/policy-role (2.9+) */
    MODEL_ORDER_NAME,         /* the name: descending from 2.6, ascending before */
    MODEL_ORDER_NONE,         /* equal in every key: load order stands */
} model_order_key;

/* Which key of model_match_compare decides between `x` and `y` (for --explain). */
model_order_key model_match_order_key(const model_policy *x, const model_policy *y,
                                      int kuma_minor);

/* Fills `out` (room for w->n_policies) with the policies of type `type` in world `w` that
 * select `dp`, sorted by model_match_compare for Kuma 2.`kuma_minor` (stable: equal
 * policies keep load order).  Returns how many.  The pointers are borrowed from `w`. */
size_t model_match_policies(const model_world *w, int kuma_minor, model_resource_type type,
                            const model_dataplane *dp, const model_policy **out);

#endif
