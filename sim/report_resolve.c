/*
 * report_resolve.c - `splitsim resolve`: the routing of each flow, as a table or as JSON
 * (docs/manual.md §4, `resolve --format json`).
 */
#include "report_common.h"
#include "sim/explain.h"
#include "sim/report.h"
#include "model/arena.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int sim_format_parse(const char *s)
{
    static const char *const names[] = {
#define X(e, n) n,
        SIM_FORMATS(X)
#undef X
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i]))
            return (int)i;
    return -1;
}

typedef struct pair {
    const model_dataplane *from;
    const char *to;
    model_mark at;          /* the flow that asks for it, or (--all) the source dataplane */
    const model_flow *flow; /* that flow (a gateway's: its listener and host), or NULL */
} pair;

/* True if some inbound of `dp` has kuma.io/service `service` (--from SERVICE selects the
 * dataplanes of the service, whether `services` or Dataplane resources made them). */
static bool runs_service(const model_dataplane *dp, const char *service)
{
    for (size_t i = 0; i < dp->n_inbounds; i++) {
        const char *v = model_tags_get(&dp->inbounds[i].tags, MODEL_TAG_SERVICE);
        if (v && !strcmp(v, service))
            return true;
    }
    return false;
}

static bool pair_selected(const pair *p, const sim_resolve_options *opt)
{
    if (opt->to && strcmp(p->to, opt->to))
        return false;
    if (opt->from && strcmp(p->from->name, opt->from) && !runs_service(p->from, opt->from))
        return false;
    return true;
}

/* The pairs to print: those the traffic uses (flow order, then source order), or with
 * --all every sidecar against every service.  Duplicates are printed once. */
static pair *collect_pairs(model_arena *a, const model_scenario *s, const sim_resolve_options *opt,
                           size_t *n)
{
    size_t cap = 0, nsvc = 0;
    const char **svcs = model_scenario_services(s, &nsvc);
    if (opt->all)
        cap = s->n_dataplanes * (nsvc ? nsvc : 1);
    else
        for (size_t i = 0; i < s->n_flows; i++)
            cap += s->flows[i].n_sources;
    pair *v = model_arena_alloc(a, (cap ? cap : 1) * sizeof *v);
    *n = 0;
    if (opt->all) {
        for (size_t i = 0; i < s->n_dataplanes; i++)
            for (size_t j = 0; j < nsvc && !s->dataplanes[i].gateway; j++)
                v[(*n)++] = (pair){&s->dataplanes[i], svcs[j], s->dataplanes[i].mark, NULL};
    } else {
        for (size_t i = 0; i < s->n_flows; i++) {
            const model_flow *f = &s->flows[i];
            for (size_t j = 0; j < f->n_sources; j++) {
                pair p = {f->sources[j], f->to, f->mark, f};
                bool dup = false;
                for (size_t k = 0; k < *n && !dup; k++)
                    dup = v[k].from == p.from && !strcmp(v[k].to, p.to) &&
                          (!f->host) == (!v[k].flow->host) &&
                          (!f->host || !strcmp(f->host, v[k].flow->host));
                if (!dup)
                    v[(*n)++] = p;
            }
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++)
        if (pair_selected(&v[i], opt))
            v[kept++] = v[i];
    *n = kept;
    return v;
}

/* {"service", "tags", "name"} of cluster `c`, the keys every cluster in a report has. */
static json_t *json_cluster_id(const model_cluster *c)
{
    json_t *tags = json_object();
    for (size_t t = 0; t < c->tags.n; t++)
        json_object_set_new(tags, c->tags.v[t].key, json_string(c->tags.v[t].value));
    json_t *o = json_object();
    json_object_set_new(o, "service", json_string(c->service));
    json_object_set_new(o, "tags", tags);
    json_object_set_new(o, "name", json_string(c->name));
    return o;
}

static json_t *json_clusters(const model_cluster *c, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_cluster_id(&c[i]);
        json_object_set_new(o, "weight", json_integer(c[i].weight));
        json_object_set_new(o, "endpoints", json_integer((json_int_t)c[i].endpoints));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* A Kuma match object as the user wrote it (scalars as strings, numbers kept as text
 * unless plain digits). */
static json_t *json_resolution(const model_scenario *s, const model_resolution *r, bool explain)
{
    json_t *o = json_object();
    json_object_set_new(o, "from", json_string(r->from->name));
    json_object_set_new(o, "to", json_string(r->to));
    json_object_set_new(o, "protocol", json_string(sim__protocol(r)));
    if (r->listener_protocol) /* a gateway listener: the host its traffic names */
        json_object_set_new(o, "host", r->host ? json_string(r->host) : json_null());
    json_object_set_new(o, "route", json_string(model_route_type_name(r->route)));
    json_object_set_new(o, "default", json_boolean(r->is_default));
    json_t *pol = json_array();
    for (size_t i = 0; i < r->n_policies; i++)
        json_array_append_new(pol, json_string(r->policies[i]->name));
    json_object_set_new(o, "policies", pol);
    json_object_set_new(o, "clusters", json_clusters(r->clusters, r->n_clusters));
    json_t *routes = json_array();
    for (size_t i = 0; i < r->n_routes; i++) {
        const model_http_route *h = &r->routes[i];
        if (h->twin)
            continue; /* a match is shown once, where its first Envoy route is */
        json_t *ro = json_object();
        json_object_set_new(ro, "match", sim__json_match(h->match));
        json_object_set_new(ro, "action", json_string(h->redirect ? "redirect" : "forward"));
        json_object_set_new(ro, "clusters", json_clusters(h->clusters, h->n_clusters));
        json_t *mirrors = json_array();
        for (size_t m = 0; m < h->n_mirrors; m++) {
            const model_http_mirror *mi = &h->mirrors[m];
            json_t *x = json_cluster_id(&mi->cluster);
            json_object_set_new(x, "percentage", json_real(mi->per_million / 10000.0));
            json_array_append_new(mirrors, x);
        }
        json_object_set_new(ro, "mirrors", mirrors);
        json_array_append_new(routes, ro);
    }
    json_object_set_new(o, "routes", routes);
    if (explain) {
        json_t *ex = json_array();
        char line[2048];
        for (size_t i = 0; i < r->n_steps; i++) {
            sim_explain_step(line, sizeof line, s, r, &r->steps[i]);
            json_array_append_new(ex, json_string(line));
        }
        json_object_set_new(o, "explain", ex);
    }
    return o;
}

static void text_clusters(FILE *out, const model_cluster *c, size_t n, const char *indent)
{
    uint64_t total = 0;
    size_t wname = strlen("BACKEND"), wcl = strlen("CLUSTER");
    for (size_t i = 0; i < n; i++) {
        total += c[i].weight;
        if (strlen(c[i].backend) > wname)
            wname = strlen(c[i].backend);
        if (strlen(c[i].name) > wcl)
            wcl = strlen(c[i].name);
    }
    fprintf(out, "%s%-*s  %-*s  %10s  %7s  %9s\n", indent, (int)wname, "BACKEND", (int)wcl,
            "CLUSTER", "WEIGHT", "SHARE", "ENDPOINTS");
    for (size_t i = 0; i < n; i++) {
        /* Shares in text only; thousandths of a percent computed in integers. */
        uint64_t milli = total ? (c[i].weight * 100000ULL + total / 2) / total : 0;
        fprintf(out, "%s%-*s  %-*s  %10u  %3llu.%02llu%%  %9zu%s\n", indent, (int)wname,
                c[i].backend, (int)wcl, c[i].name, c[i].weight, (unsigned long long)(milli / 1000),
                (unsigned long long)(milli % 1000 / 10), c[i].endpoints,
                c[i].endpoints ? "" : "  (connections fail)");
    }
}

static void text_resolution(FILE *out, const model_scenario *s, const model_resolution *r,
                            bool explain)
{
    fprintf(out, "%s -> %s (%s%s%s)\n", r->from->name, r->to, sim__protocol(r),
            r->host ? ", host " : "", r->host ? r->host : "");
    fprintf(out, "  route: %s%s\n", model_route_type_name(r->route),
            r->is_default ? " (default: no policy applies)" : "");
    sim__text_policies(out, r);
    char why[512];
    if (r->route == MODEL_ROUTE_NONE) {
        sim_explain_none(why, sizeof why, r);
        fprintf(out, "  no %s (%s): %s\n", r->http_404 ? "route" : "cluster", why,
                r->http_404 ? "every request is answered 404" : "connections are closed");
    }
    if (r->n_clusters)
        text_clusters(out, r->clusters, r->n_clusters, "  ");
    for (size_t i = 0, shown = 0; i < r->n_routes; i++) {
        const model_http_route *h = &r->routes[i];
        if (h->twin)
            continue; /* a match is shown once, where its first Envoy route is */
        shown++;
        sim_explain_route(why, sizeof why, h);
        fprintf(out, "  route %zu: %s", shown, why);
        fprintf(out, "%s\n", h->redirect ? " -> RequestRedirect: no backend is contacted" : "");
        if (h->n_clusters)
            text_clusters(out, h->clusters, h->n_clusters, "    ");
        for (size_t m = 0; m < h->n_mirrors; m++)
            fprintf(out, "    mirror: %s (%s), %g%% of requests\n", h->mirrors[m].cluster.backend,
                    h->mirrors[m].cluster.name, h->mirrors[m].per_million / 10000.0);
    }
    if (explain) {
        fprintf(out, "  why:\n");
        for (size_t i = 0; i < r->n_steps; i++) {
            sim_explain_step(why, sizeof why, s, r, &r->steps[i]);
            fprintf(out, "    %s\n", why);
        }
    }
}

int sim_resolve_pairs(model_arena *a, const model_scenario *s, const sim_resolve_options *opt,
                      model_errors *errs, const model_resolution ***res, size_t *n)
{
    pair *pairs = collect_pairs(a, s, opt, n);
    if (*n == 0 && (opt->from || opt->to)) {
        model_fail(errs, (model_mark){s->file, 0, 0}, "no flow matches%s%s%s%s",
                   opt->from ? " --from " : "", opt->from ? opt->from : "",
                   opt->to ? " --to " : "", opt->to ? opt->to : "");
        return -1;
    }
    const model_resolution **v = model_arena_alloc(a, (*n ? *n : 1) * sizeof *v);
    model_world world = model_scenario_world(s);
    int rc = 0;
    for (size_t i = 0; i < *n; i++) {
        model_query q = pairs[i].flow ? model_flow_query(pairs[i].flow, pairs[i].from)
                                      : (model_query){.from = pairs[i].from, .to = pairs[i].to};
        v[i] = model_resolve(a, s, &world, &q, opt->explain ? MODEL_RESOLVE_EXPLAIN : 0);
        if (v[i]->unsupported) {
            model_fail(errs, pairs[i].at, "%s -> %s needs %s: %s", pairs[i].from->name,
                       pairs[i].to, v[i]->unsupported, MODEL_UNSIMULATED_SENTENCE);
            rc = -1;
        }
    }
    *res = v;
    return rc;
}

int sim_report_resolve(FILE *out, const model_scenario *s, const sim_resolve_options *opt,
                       const model_resolution **res, size_t n)
{
    if (opt->format == SIM_FORMAT_JSON) {
        json_t *root = json_object();
        json_object_set_new(root, "scenario", json_string(s->name));
        json_t *flows = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(flows, json_resolution(s, res[i], opt->explain));
        json_object_set_new(root, "flows", flows);
        int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        fputc('\n', out);
        json_decref(root);
        return rc < 0 || ferror(out) ? -1 : 0;
    }
    fprintf(out, "scenario %s (Kuma 2.%d semantics, mesh %s)\n", s->name, s->kuma_minor, s->mesh);
    if (n == 0)
        fprintf(out, "\nno flow: the scenario has no traffic (--all shows every sidecar "
                     "against every service)\n");
    for (size_t i = 0; i < n; i++) {
        fputc('\n', out);
        text_resolution(out, s, res[i], opt->explain);
    }
    return ferror(out) ? -1 : 0;
}
