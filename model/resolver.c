/*
 * resolver.c - the pieces every route type's listener is built with; see resolver.h.
 */
#include "resolver.h"
#include "model/mesh.h"

#include <string.h>

void model__step(resolver *R, model_step step)
{
    if (!R->explain)
        return;
    model_resolution *r = R->r;
    *MODEL_ARENA_PUSH(R->a, r->steps, r->n_steps, R->cap_steps) = step;
}

void model__unsimulated(resolver *R, model_unsimulated what)
{
    R->r->unsupported = model_unsimulated_what(what);
    model__step(R, (model_step){.kind = MODEL_STEP_UNSIMULATED, .what = what});
}

model_conf model__conf_collect(resolver *R, model_resource_type type, const model_policy **matched,
                               size_t n)
{
    model_conf c = {.type = type};
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        const model_policy *p = matched[i];
        for (size_t j = 0; j < p->n_to; j++) {
            const model_policy_to *t = &p->to[j];
            if (t->target.kind != MODEL_KIND_MESH_SERVICE || strcmp(t->target.name, R->q->to))
                continue;
            *MODEL_ARENA_PUSH(R->a, c.parts, c.n_parts, cap) = (model_conf_part){p, j};
        }
    }
    return c;
}

void model__conf_adopt(resolver *R, const model_conf *c)
{
    model_resolution *r = R->r;
    model__step(R, (model_step){.kind = MODEL_STEP_CONF, .type = c->type, .service = r->to,
                                .count = c->n_parts});
    for (size_t i = 0; i < c->n_parts; i++) {
        const model_policy *p = c->parts[i].policy;
        const model_policy_to *t = &p->to[c->parts[i].to];
        model__step(R, (model_step){.kind = MODEL_STEP_CONF_PART,
                                    .type = c->type,
                                    .policy = p,
                                    .index = c->parts[i].to,
                                    .mark = t->mark,
                                    .rules_empty = t->rules_empty});
        /* Listed once, where it first contributes (a gateway's listener hostnames can
         * share policies); the search runs from the end, where a repeat usually is. */
        size_t j = r->n_policies;
        while (j > 0 && r->policies[j - 1] != p)
            j--;
        if (j == 0)
            r->policies[r->n_policies++] = p;
    }
}

void model__cluster_fill(resolver *R, model_cluster *c, const char *service, const model_tags *ref_tags,
                         uint32_t weight)
{
    model_tags all = {0};
    for (size_t i = 0; i < ref_tags->n; i++)
        model_tags_set(R->a, &all, ref_tags->v[i].key, ref_tags->v[i].value);
    model_tags_set(R->a, &all, MODEL_TAG_SERVICE, service); /* the name wins over tags */
    c->service = service;
    c->tags = model_tags_without(R->a, &all, MODEL_TAG_SERVICE);
    c->name = model_tags_cluster_name(R->a, &all);
    c->backend = model_tags_backend_name(R->a, service, &c->tags);
    c->weight = weight;
    /* Endpoints are filtered on every tag but the service (and the cross-mesh tag). */
    model_tags filter = model_tags_without(R->a, &c->tags, MODEL_TAG_MESH);
    c->endpoints = model_mesh_endpoints(R->s, service, &filter);
}
