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

/* Reads `traffic:` into s->flows; problems go to c->errs. */
void model__traffic_read(model_scenario *s, const model_node *list, schema_ctx *c);

/* Reads `expect:` into s->expects (after model__traffic_read). */
void model__expect_read(model_scenario *s, const model_node *list, schema_ctx *c);

#endif
