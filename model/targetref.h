/*
 * targetref.h - reading targetRefs and backendRefs (internal to libsplit_model).
 *
 * Every targetRef of a route policy, and every backendRef of its rules, goes through
 * model__targetref_read, which checks it as Kuma's ValidateTargetRef does for the kinds
 * allowed where it stands, with Kuma's messages at the user's field paths.
 */
#ifndef MODEL_TARGETREF_H
#define MODEL_TARGETREF_H

#include "model/scenario.h"
#include "schema.h"

/* Where a targetRef stands, which decides the kinds it may have. */
typedef enum model_ref_position {
    MODEL_REF_TOP,            /* spec.targetRef of a route */
    MODEL_REF_TOP_GATEWAY_OK, /* same, MeshGateway allowed (system role) */
    MODEL_REF_TO,             /* to[].targetRef under a non-gateway top */
    MODEL_REF_TO_GATEWAY,     /* to[].targetRef under a MeshGateway top */
    MODEL_REF_BACKEND,        /* backendRefs[] of a MeshTCPRoute */
    MODEL_REF_HTTP_BACKEND,   /* backendRefs[] of a MeshHTTPRoute */
    MODEL_REF_MIRROR,         /* a RequestMirror filter's backendRef */
} model_ref_position;

/* Reads and checks the targetRef mapping `ref` (the path is pushed by the caller) into
 * *out.  Returns 0, or -1 after recording every problem found. */
int model__targetref_read(schema_ctx *c, const model_node *ref, model_ref_position pos,
                          model_target_ref *out);

/* Checks a `backendRefs` list: each ref (as `pos`), weights 0..2^32-1 that add up to what
 * Envoy accepts, ports.  Returns 0 or -1. */
int model__backend_refs_check(schema_ctx *c, const model_node *list, model_ref_position pos);

/* A backendRef as the resolver uses it. */
typedef struct model_backend_ref {
    model_target_kind kind;
    const char *name;
    model_tags tags;
    bool has_weight;
    uint64_t weight;
    model_mark mark;
} model_backend_ref;

/* Reads a backendRef node that has been checked already (e.g. one taken from a merged
 * conf).  Never fails on such a node; tags are allocated in `a`. */
void model__backend_ref_read(model_arena *a, const model_node *n, model_backend_ref *out);

#endif
