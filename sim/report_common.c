/*
 * report_common.c - pieces the report writers share; see report_common.h.
 */
#include "report_common.h"
#include "model/mesh.h"
#include "model/node.h"

#include <string.h>

void sim__csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void sim__text_policies(FILE *out, const model_resolution *r)
{
    if (!r->n_policies)
        return;
    fprintf(out, "  policies (merge order, the last wins): ");
    for (size_t i = 0; i < r->n_policies; i++)
        fprintf(out, "%s%s", i ? ", " : "", r->policies[i]->name);
    fputc('\n', out);
}

static json_t *json_of_node(const model_node *n)
{
    switch (n->kind) {
    case MODEL_NODE_SCALAR:
        if (n->plain && (!strcmp(n->text, "true") || !strcmp(n->text, "false")))
            return json_boolean(!strcmp(n->text, "true"));
        return json_string(n->text);
    case MODEL_NODE_SEQ: {
        json_t *a = json_array();
        for (size_t i = 0; i < n->n; i++)
            json_array_append_new(a, json_of_node(n->items[i]));
        return a;
    }
    case MODEL_NODE_MAP: {
        json_t *o = json_object();
        for (size_t i = 0; i < n->n; i++)
            if (!model_node_is_null(n->items[i]))
                json_object_set_new(o, n->keys[i]->text, json_of_node(n->items[i]));
        return o;
    }
    }
    return json_null();
}

json_t *sim__json_match(const model_node *match)
{
    if (match)
        return json_of_node(match);
    json_t *o = json_object(), *path = json_object();
    json_object_set_new(path, "type", json_string("PathPrefix"));
    json_object_set_new(path, "value", json_string("/"));
    json_object_set_new(o, "path", path);
    return o;
}

const char *sim__protocol(const model_resolution *r)
{
    static const char *const lower[] = {"tcp", "tls", "http", "https"};
    static const char *const upper[] = {"TCP", "TLS", "HTTP", "HTTPS"};
    for (size_t i = 0; r->listener_protocol && i < 4; i++)
        if (!strcmp(r->listener_protocol, upper[i]))
            return lower[i];
    return model_protocol_name(r->protocol);
}
