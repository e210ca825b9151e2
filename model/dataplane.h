/*
 * dataplane.h - reading Dataplane resources (internal to libsplit_model).
 */
#ifndef MODEL_DATAPLANE_H
#define MODEL_DATAPLANE_H

#include "model/scenario.h"
#include "schema.h"

/* Reads a Dataplane's `networking` (node `net`, may be NULL: refused) into `dp`, checked
 * as Kuma's Dataplane validator does for Kuma 2.`kuma_minor`; `probes` (the spec's
 * `probes`, may be NULL) only matters there, as a builtin gateway may not have them.
 * Returns 0 or -1. */
int model__networking_read(schema_ctx *c, model_arena *a, const model_node *net,
                           const model_node *probes, model_dataplane *dp, int kuma_minor);

/* Checks the kuma.io/protocol tag of an inbound's `tags` (node `n`, read into `t`) as
 * Kuma's Dataplane validator does: ParseProtocol must know the value.  Records Kuma's
 * message at tags["kuma.io/protocol"] and returns -1, or returns 0. */
int model__check_protocol_tag(schema_ctx *c, const model_node *n, const model_tags *t);

#endif
