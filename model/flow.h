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

/* What the loader refused: a flow naming a refused service, or an expectation about a
 * refused flow, is not a second mistake, so it is not reported again.  `services` (names
 * of services written in `services:` or in Dataplane inbounds whose definition was
 * refused) is filled by the loader; `v` (the refused flows, as far as they were read:
 * name, from, to) by model__traffic_read.  Arena-owned. */
typedef struct flow_refused {
    const char **services;
    size_t n_services;
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
