/*
 * mesh.h - what the mesh knows about a service: its endpoints and its protocol.
 *
 * Endpoints are the healthy inbounds of the scenario's dataplanes (one endpoint per
 * inbound; Kuma's fillDataplaneOutbounds over GetHealthyInbounds), as in Kuma's legacy
 * `kuma.io/service` model.  Pure functions over a loaded scenario.
 */
#ifndef MODEL_MESH_H
#define MODEL_MESH_H

#include "model/scenario.h"

/* Protocols as Kuma's ParseProtocol knows them, plus <unknown>.  (enum, name) */
#define MODEL_PROTOCOLS(X)                                                                         \
    X(UNKNOWN, "<unknown>")                                                                        \
    X(TCP, "tcp")                                                                                  \
    X(TLS, "tls")                                                                                  \
    X(HTTP, "http")                                                                                \
    X(HTTP2, "http2")                                                                              \
    X(GRPC, "grpc")                                                                                \
    X(KAFKA, "kafka")                                                                              \
    X(MYSQL, "mysql")

typedef enum model_protocol {
#define X(e, s) MODEL_PROTO_##e,
    MODEL_PROTOCOLS(X)
#undef X
} model_protocol;

const char *model_protocol_name(model_protocol p);

/* Kuma's ParseProtocol: case-insensitive; anything else (or NULL) is <unknown>. */
model_protocol model_protocol_parse(const char *s);

/* Kuma's GetCommonProtocol (pkg/core/metadata/protocol.go). */
model_protocol model_protocol_common(model_protocol a, model_protocol b);

/* http, http2 or grpc (Kuma's IsHTTPBased). */
bool model_protocol_is_http(model_protocol p);

/* Builds s->mesh_index from s->dataplanes (arena-owned): every service with an inbound,
 * sorted, its healthy inbounds (the endpoints) in dataplane order, and its protocol.  The
 * loader calls it once the dataplanes are final; the functions below need it. */
void model_mesh_index_build(model_scenario *s);

/* The services of the mesh (every kuma.io/service of an inbound, healthy or not), sorted
 * and unique; borrowed from the index.  *n receives the count. */
const char *const *model_mesh_services(const model_scenario *s, size_t *n);

/* True if some inbound of the mesh has kuma.io/service `service`. */
bool model_mesh_has_service(const model_scenario *s, const char *service);

/* The protocol of `service` as Kuma's inferServiceProtocol computes it: the common
 * protocol over the kuma.io/protocol tag of every endpoint; <unknown> without endpoints
 * or when any endpoint lacks the tag (docs/routing.md §5.1). */
model_protocol model_mesh_service_protocol(const model_scenario *s, const char *service);

/* Number of endpoints of `service` whose tags contain every tag of `subset` other than
 * kuma.io/service with an equal value (Kuma's cluster endpoint filter, §3.2). */
size_t model_mesh_endpoints(const model_scenario *s, const char *service, const model_tags *subset);

#endif
