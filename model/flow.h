/*
 * flow.h - the `traffic` and `expect` sections of a scenario (internal to the loader).
 *
 * Both are read after the mesh is settled, so flows can be checked against the services
 * and dataplanes that exist, and expectations against the flows.
 */
#ifndef MODEL_FLOW_H
#define MODEL_FLOW_H

#include "model/scenario.h"
#include "schema.h"

/* The flows that `traffic:` refused, as far as they were read (name, from, to): an
 * expectation about one of them is not a second mistake, so it is not reported again.
 * Arena-owned. */
typedef struct flow_refused {
    model_flow *v;
    size_t n;
} flow_refused;

/* Reads `traffic:` into s->flows, and the flows it refuses into *refused; problems go
 * to c->errs. */
void model__traffic_read(model_scenario *s, const model_node *list, schema_ctx *c,
                         flow_refused *refused);

/* Reads `expect:` into s->expects (after model__traffic_read).  `refused` may be NULL. */
void model__expect_read(model_scenario *s, const model_node *list, schema_ctx *c,
                        const flow_refused *refused);

#endif
