/*
 * report_common.h - pieces the report writers share (internal to libsplit_sim).
 */
#ifndef SIM_REPORT_COMMON_H
#define SIM_REPORT_COMMON_H

#include "model/resolve.h"

#include <jansson.h>

#include <stdio.h>

/* Writes `  policies (merge order, the last wins): a, b` for a resolution that has
 * contributing policies; nothing otherwise.  `resolve` and `run` both list them so. */
void sim__text_policies(FILE *out, const model_resolution *r);

/* Writes `s` as one CSV field (RFC 4180): quoted, with quotes doubled, when it holds a
 * comma, a quote or a line break. */
void sim__csv_field(FILE *out, const char *s);

/* The protocol reports print for resolution `r`: its destination's, or a gateway
 * listener's in lower case ("https"); static storage. */
const char *sim__protocol(const model_resolution *r);

/* A Kuma HTTP match as JSON, as the user wrote it (null fields left out); NULL is Kuma's
 * catch-all, {"path": {"type": "PathPrefix", "value": "/"}}.  The caller owns the value. */
json_t *sim__json_match(const model_node *match);

#endif
