/*
 * route_http.c - MeshHTTPRoute: its `rules` read and checked, and its HTTP routes
 * resolved; see route.h.
 */
#include "resolver.h"
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

/* Kuma's route for an HTTP destination with no MeshHTTPRoute conf: the catch-all
 * PathPrefix / to the destination itself (docs/routing.md §4.1). */
static void http_default(resolver *R)
{
    model_resolution *r = R->r;
    r->route = MODEL_ROUTE_MESH_HTTP_ROUTE;
    r->is_default = true;
    r->routes = model_arena_alloc(R->a, sizeof *r->routes);
    r->n_routes = 1;
    model_cluster *c = model_arena_alloc(R->a, sizeof *c);
    model_tags t = model_tags_without(R->a, &R->outbound, MODEL_TAG_SERVICE);
    model__cluster_fill(R, c, r->to, &t, 100);
    r->routes[0] = (model_http_route){NULL, false, c, 1};
    model__step(R, (model_step){.kind = MODEL_STEP_DEFAULT_HTTP, .service = r->to});
}

void model__http_resolve(resolver *R, const model_conf *c)
{
    if (c->n_parts)
        model__unsimulated(R, MODEL_UNSIM_HTTP_RULES);
    else
        http_default(R);
}
