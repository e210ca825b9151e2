/*
 * route_http.c - MeshHTTPRoute: its `rules` read and checked, and its HTTP routes
 * resolved; see route.h.
 */
#include "route.h"
#include "targetref.h"

#include <string.h>

static const char *const http_to_keys[] = {"targetRef", "rules", "hostnames", NULL};

int model__http_to_read(schema_ctx *c, model_arena *a, const model_policy *p,
                        const model_node *item, model_policy_to *t, int kuma_minor)
{
    schema_check_keys(c, item, http_to_keys);
    const model_node *rules = model_node_get(item, "rules");
    if (rules) {
        size_t old = schema_push_key(c, "rules");
        bool ok = schema_is_seq(c, rules);
        schema_pop(c, old);
        if (!ok)
            return -1;
    }
    t->rules_empty = !rules || rules->n == 0;
    t->conf = (model_node *)item;
    return 0;
}
