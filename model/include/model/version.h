/*
 * version.h - the Kuma versions at which a decision splitsim reproduces changed.
 *
 * A scenario runs under Kuma 2.<minor> semantics (`kuma:` or --kuma-version).  Every place
 * that decides differently by version asks one of these, so a version gate has a name
 * that says what changed, and the list of changes is here in one place
 * (docs/routing.md §9).
 */
#ifndef MODEL_VERSION_H
#define MODEL_VERSION_H

#include <stdbool.h>

/* 2.6 (commit eb4b3d2417): equal-priority policies are ordered by display name
 * descending, so the smallest name merges last and wins; before, by resource name
 * ascending, so the largest won. */
static inline bool model_kuma_orders_names_descending(int minor)
{
    return minor >= 6;
}

/* 2.6: the kuma.io/origin label breaks ties (zone beats unset beats global). */
static inline bool model_kuma_has_origin_tiebreak(int minor)
{
    return minor >= 6;
}

/* 2.9: the kuma.io/policy-role label breaks ties (system < producer < consumer <
 * workload-owner). */
static inline bool model_kuma_has_role_tiebreak(int minor)
{
    return minor >= 9;
}

/* Up to 2.5 every mesh gets the TrafficRoute route-all-<mesh>, and the MeshTCPRoute
 * plugin acts only on outbounds that a MeshTCPRoute names. */
static inline bool model_kuma_has_default_traffic_route(int minor)
{
    return minor <= 5;
}

/* 2.9: a backendRef whose protocol a split cannot carry is dropped alone; before, it
 * emptied the whole split. */
static inline bool model_kuma_drops_bad_backends_alone(int minor)
{
    return minor >= 9;
}

/* 2.7 (commit 3310847412): MeshHTTPRoute routes are stable-sorted by specificity
 * (CompareMatch); in 2.6 they stay in merged order. */
static inline bool model_kuma_sorts_http_rules(int minor)
{
    return minor >= 7;
}

/* 2.6: MeshHTTPRoute rules merge with the highest-priority occurrence of a match setting
 * its place (To.GetDefault reverses each policy's rules, Transform the result:
 * pkg/plugins/policies/meshhttproute/api/v1alpha1/helpers.go); before, a match kept the
 * place of its first occurrence in merge order (lowest priority first). */
static inline bool model_kuma_merges_http_rules_reversed(int minor)
{
    return minor >= 6;
}

/* 2.6: kafka and grpc backends may join a TCP split, grpc an HTTP one
 * (pkg/plugins/policies/core/xds/meshroute/listeners.go, MakeTCPSplit/MakeHTTPSplit);
 * before, TCP carried only <unknown>, tcp, http, http2 and HTTP only http, http2. */
static inline bool model_kuma_splits_kafka_and_grpc(int minor)
{
    return minor >= 6;
}

/* Kuma <= 2.5: the MeshHTTPRoute plugin builds an HTTP listener for every HTTP-like
 * outbound of a proxy that has any MeshHTTPRoute `to` rules (Kuma's catch-all where no
 * rule names the outbound), and for a non-HTTP outbound that its rules name; from 2.6
 * the listener of an HTTP-like outbound is the MeshHTTPRoute plugin's in every case
 * (pkg/plugins/policies/meshhttproute/plugin/v1alpha1/plugin.go, Apply). */
static inline bool model_kuma_http_plugin_needs_rules(int minor)
{
    return minor <= 5;
}

/* 2.10 (commit 5bcced29db): every `to` item of a route must carry `rules`. */
static inline bool model_kuma_requires_to_rules(int minor)
{
    return minor >= 10;
}

/* 2.14 (commit 422e069080): a sidecar Dataplane may have no inbound. */
static inline bool model_kuma_allows_zero_inbounds(int minor)
{
    return minor >= 14;
}

#endif
