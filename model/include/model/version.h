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
