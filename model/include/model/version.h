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

/* 2.6 (commit d16984cc93, MeshHTTPRoute; MeshTCPRoute the same release): a MeshHTTPRoute
 * or MeshTCPRoute may target a MeshGateway (`to` of kind Mesh) and routes builtin gateways
 * (plugin/v1alpha1/gateway.go of both plugins); before, only MeshGatewayRoute did, and a
 * route with a Mesh or MeshService target does nothing on a gateway. */
static inline bool model_kuma_routes_builtin_gateways(int minor)
{
    return minor >= 6;
}

/* 2.7 (commit ea832846ec): a gateway MeshHTTPRoute rule with a RequestRedirect filter may
 * leave backendRefs out; in 2.6 every gateway rule needs backendRefs. */
static inline bool model_kuma_gateway_redirects_without_backends(int minor)
{
    return minor >= 7;
}

/* 2.8: only a policy of role `system` may target a MeshGateway (validateTop by
 * PolicyRole); 2.6 and 2.7 accept any role. */
static inline bool model_kuma_gateway_needs_system_role(int minor)
{
    return minor >= 8;
}

/* The exact `/` route Kuma adds beside a gateway's `PathPrefix /`
 * (HandlePrefixMatchesAndPopulatePolicies, pkg/plugins/runtime/gateway/
 * gateway_route_generator.go): never in 2.6; always from 2.7 (commit 9914166059), even
 * beside a written `Exact /`; from 2.14 (commit 7b6c9fac35) only when the rule rewrites the
 * prefix (URLRewrite or RequestRedirect with ReplacePrefixMatch). */
static inline bool model_kuma_gateway_root_twin_always(int minor)
{
    return minor >= 7 && minor <= 13;
}
static inline bool model_kuma_gateway_root_twin_on_rewrite(int minor)
{
    return minor >= 7;
}

/* 2.9 (commit 597067e34b): the listener hostnames of an HTTP port isolate their virtual
 * hosts (a name a more exact listener hostname covers is left to it), and a port without
 * MeshHTTPRoute gets a 404 table; before, two listener hostnames could make the same
 * virtual host, which Envoy rejects, and an HTTP port without MeshHTTPRoute while another
 * listener of the gateway has one failed the gateway's whole configuration
 * (filter_chain_generator.go: "expected exactly one ListenerHostname with HTTP listener"). */
static inline bool model_kuma_isolates_gateway_listeners(int minor)
{
    return minor >= 9;
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
