/*
 * gateway.h - MeshGateway resources and the gateway a builtin gateway Dataplane gets
 * (internal to libsplit_model; the types are in model/scenario.h).
 */
#ifndef MODEL_GATEWAY_H
#define MODEL_GATEWAY_H

#include "model/scenario.h"
#include "schema.h"

/* Reads MeshGateway `spec` (the Kubernetes spec, or with `universal` the whole document)
 * into p->gateway, checked as Kuma's gateway_validator.go does.  Returns 0, or -1 after
 * recording every problem. */
int model__mesh_gateway_read(schema_ctx *c, model_arena *a, const model_node *spec,
                             bool universal, model_policy *p);

/* The MeshGateways among `n` policies, sorted by name (allocated in `a`). */
const model_policy **model__gateways_sorted(model_arena *a, const model_policy *policies, size_t n,
                                            size_t *count);

#endif
