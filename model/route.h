/*
 * route.h - the route policy types, each in its own file as Kuma's plugins are
 * (internal to libsplit_model): route_tcp.c (MeshTCPRoute) and route_http.c
 * (MeshHTTPRoute).  Each reads its `to[].rules` here and resolves its listener in
 * resolver.h's terms.
 */
#ifndef MODEL_ROUTE_H
#define MODEL_ROUTE_H

#include "model/scenario.h"
#include "schema.h"

/* Reads the `rules` of MeshTCPRoute `to` item `item` (path at spec.to[i]) and sets t->conf
 * (the rule's `default`, or for no rules a backendRef to the destination itself) and
 * t->rules_empty.  Returns 0, or -1 after recording every problem. */
int model__tcp_to_read(schema_ctx *c, model_arena *a, const model_node *item, model_policy_to *t);

/* The same for MeshHTTPRoute `to` item `item` of policy `p` (whose top-level targetRef is
 * read already: it decides what a gateway route may hold). */
int model__http_to_read(schema_ctx *c, model_arena *a, const model_policy *p,
                        const model_node *item, model_policy_to *t, int kuma_minor);

/* Checks `m`, an expectation's route_match, as a MeshHTTPRoute match (whose path may also
 * be written as its value alone).  Returns 0, or -1 after recording every problem.  A
 * match in TrafficRoute's form goes to model__traffic_route_match_read instead. */
int model__http_match_read(schema_ctx *c, const model_node *m);

/* Checks a RegularExpression value `n` as Envoy will: RE2 must compile it (into the
 * reader's set, c->regexes).  Returns 0, or -1 after recording the problem. */
int model__regex_check(schema_ctx *c, const model_node *n);

/* Whether match `m` is written in TrafficRoute's conf.http form (a StringMatcher path,
 * method or header, or headers as a mapping) rather than MeshHTTPRoute's. */
bool model__traffic_route_match_form(const model_node *m);

/* Checks `m` as a TrafficRoute conf.http match (validateHTTPMatch).  Returns 0, or -1. */
int model__traffic_route_match_read(schema_ctx *c, const model_node *m);

/* Reads TrafficRoute `spec` (the Kubernetes spec, or with `universal` the whole document)
 * into p->traffic_route, checked as Kuma's validator does.  Returns 0, or -1 after
 * recording every problem. */
int model__traffic_route_read(schema_ctx *c, model_arena *a, const model_node *spec,
                              bool universal, model_policy *p);

#endif
