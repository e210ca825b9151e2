/*
 * explain.h - the words for a resolution's decisions (model/explain.h holds them as data).
 *
 * Every function writes one line, without a newline, into `buf` (`size` bytes, cut to
 * fit) and borrows everything it is given.
 */
#ifndef SIM_EXPLAIN_H
#define SIM_EXPLAIN_H

#include "model/explain.h"
#include "model/resolve.h"

#include <stddef.h>

/* One step of resolution `r` (of scenario `s`), as `resolve --explain` prints it. */
void sim_explain_step(char *buf, size_t size, const model_scenario *s, const model_resolution *r,
                      const model_step *st);

/* Why policy `p` selects dataplane `dp`, or does not. */
void sim_explain_selection(char *buf, size_t size, const model_policy *p, const model_dataplane *dp,
                           model_selection why);

/* A Kuma HTTP match object as written, in a few words ("PathPrefix /api, method GET,
 * header x-canary = \"true\""); NULL is Kuma's catch-all. */
void sim_explain_match(char *buf, size_t size, const model_node *match);

/* An HTTP route in a few words: its match, and the policy whose rule made it
 * ("PathPrefix /api (MeshHTTPRoute 'canary')", "PathPrefix / (Kuma's catch-all)"). */
void sim_explain_route(char *buf, size_t size, const model_http_route *h);

/* Why route `none` resolution `r` has nothing to route to. */
void sim_explain_none(char *buf, size_t size, const model_resolution *r);

#endif
