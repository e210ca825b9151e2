/*
 * tests/test_load.c - scenario files into a model_scenario (docs/manual.md §2): both Kuma forms,
 * lists, includes relative to their file, what is skipped or ignored, the dataplanes that
 * `services` makes, and what Kubernetes derives (namespaces, policy roles).
 */
#include "model_fixture.h"

#include <sys/stat.h>
#include <unistd.h>

/* ---- Kuma resource forms ------------------------------------------------------------- */

static const char *const both_forms_yaml =
    "scenario: forms\n"
    "services:\n"
    "  - name: web\n"
    "    instances: [{tags: {version: v1}}]\n"
    "  - name: backend\n"
    "    instances: [{}]\n"
    "resources:\n"
    "  - apiVersion: kuma.io/v1alpha1\n"
    "    kind: MeshTCPRoute\n"
    "    metadata:\n"
    "      name: k8s-route\n"
    "      namespace: kuma-system\n"
    "      labels: {kuma.io/mesh: default, kuma.io/origin: zone}\n"
    "    spec:\n"
    "      targetRef: {kind: MeshSubset, tags: {version: v1}}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: backend}\n"
    "          rules: [{default: {backendRefs: [{kind: MeshService, name: backend}]}}]\n"
    "  - type: MeshTCPRoute\n"
    "    name: uni-route\n"
    "    mesh: default\n"
    "    labels: {kuma.io/origin: zone}\n"
    "    spec:\n"
    "      targetRef: {kind: MeshSubset, tags: {version: v1}}\n"
    "      to:\n"
    "        - targetRef: {kind: MeshService, name: backend}\n"
    "          rules: [{default: {backendRefs: [{kind: MeshService, name: backend}]}}]\n"
    "  - apiVersion: kuma.io/v1alpha1\n"
    "    kind: Dataplane\n"
    "    mesh: default\n"
    "    metadata: {name: pod-1, namespace: shop}\n"
    "    spec:\n"
    "      networking:\n"
    "        address: 10.0.0.1\n"
    "        inbound: [{port: 80, tags: {kuma.io/service: shop, kuma.io/protocol: http}}]\n"
    "  - type: Dataplane\n"
    "    name: vm-1\n"
    "    mesh: default\n"
    "    networking:\n"
    "      address: 10.0.0.2\n"
    "      inbound: [{port: 80, tags: {kuma.io/service: shop, kuma.io/protocol: http}}]\n"
    "      outbound: [{port: 9000, tags: {kuma.io/service: backend, version: v1}}]\n";

Test(load, kubernetes_and_universal_forms_read_alike)
{
    model_scenario *s = fixture_load(both_forms_yaml);
    cr_assert_eq(s->n_policies, 2);
    const model_policy *k = fixture_policy(s, "k8s-route"), *u = fixture_policy(s, "uni-route");
    cr_expect_eq(k->type, MODEL_RES_MESH_TCP_ROUTE);
    cr_expect_eq(u->type, MODEL_RES_MESH_TCP_ROUTE);
    cr_expect_str_eq(k->mesh, "default");
    cr_expect_str_eq(u->mesh, "default");
    cr_expect_str_eq(k->namespace_, "kuma-system");
    cr_expect_null(u->namespace_);
    cr_expect_eq(k->origin, MODEL_ORIGIN_ZONE);
    cr_expect_eq(u->origin, MODEL_ORIGIN_ZONE);
    cr_expect_eq(k->role, MODEL_ROLE_SYSTEM);
    cr_expect_eq(u->role, MODEL_ROLE_SYSTEM);
    cr_expect_eq(k->target.kind, MODEL_KIND_MESH_SUBSET);
    cr_expect(model_tags_equal(&k->target.tags, &u->target.tags));
    cr_expect(k->has_target);
    cr_assert_eq(k->n_to, 1);
    cr_assert_eq(u->n_to, 1);
    cr_expect_str_eq(k->to[0].target.name, "backend");
    cr_expect(model_node_equal(k->to[0].conf, u->to[0].conf));
    cr_expect_not(k->to[0].rules_empty);
    /* Load order is kept. */
    cr_expect_eq(k, &s->policies[0]);
    model_scenario_free(s);
}

Test(load, dataplanes_in_both_forms)
{
    model_scenario *s = fixture_load(both_forms_yaml);
    /* Sorted by name; a Kubernetes Dataplane is <name>.<namespace>. */
    cr_assert_eq(s->n_dataplanes, 4);
    static const char *const names[] = {"backend-1", "pod-1.shop", "vm-1", "web-1"};
    for (size_t i = 0; i < 4; i++)
        cr_expect_str_eq(s->dataplanes[i].name, names[i], "dataplane %zu", i);
    const model_dataplane *pod = fixture_dp(s, "pod-1.shop");
    cr_expect_str_eq(pod->namespace_, "shop");
    cr_assert_eq(pod->n_inbounds, 1);
    cr_expect_str_eq(model_tags_get(&pod->inbounds[0].tags, "kuma.io/protocol"), "http");
    const model_dataplane *vm = fixture_dp(s, "vm-1");
    cr_expect_null(vm->namespace_);
    cr_assert_eq(vm->n_outbounds, 1);
    cr_expect_str_eq(model_tags_get(&vm->outbounds[0], "version"), "v1");
    cr_expect_null(model_scenario_dataplane(s, "pod-1"));
    size_t n;
    const char **svcs = model_scenario_services(s, &n);
    cr_assert_eq(n, 3);
    cr_expect_str_eq(svcs[0], "backend");
    cr_expect_str_eq(svcs[1], "shop");
    cr_expect_str_eq(svcs[2], "web");
    cr_expect(model_scenario_has_service(s, "shop"));
    cr_expect_not(model_scenario_has_service(s, "pod-1"));
    model_scenario_free(s);
}

static const char *const lists_yaml =
    "scenario: lists\n"
    "services:\n"
    "  - name: backend\n"
    "    instances: [{}]\n"
    "resources:\n"
    "  - apiVersion: v1\n"
    "    kind: List\n"
    "    items:\n"
    "      - apiVersion: kuma.io/v1alpha1\n"
    "        kind: MeshTCPRoute\n"
    "        metadata: {name: from-list, namespace: kuma-system}\n"
    "        spec:\n"
    "          to: [{targetRef: {kind: MeshService, name: backend}, rules: []}]\n"
    "      - apiVersion: apps/v1\n"
    "        kind: Deployment\n"
    "        metadata: {name: not-kuma}\n"
    "  - items:\n"
    "      - type: MeshTCPRoute\n"
    "        name: from-kumactl\n"
    "        mesh: default\n"
    "        spec:\n"
    "          to: [{targetRef: {kind: MeshService, name: backend}, rules: []}]\n"
    "      - items:\n"
    "          - type: MeshHTTPRoute\n"
    "            name: nested\n"
    "            mesh: default\n"
    "            spec:\n"
    "              to: [{targetRef: {kind: MeshService, name: backend}, rules: []}]\n";

Test(load, kind_list_and_kumactl_items)
{
    model_errors *w = NULL;
    model_scenario *s = fixture_load_opts(lists_yaml, NULL, &w);
    cr_assert_eq(s->n_policies, 3);
    cr_expect_str_eq(s->policies[0].name, "from-list");
    cr_expect_str_eq(s->policies[1].name, "from-kumactl");
    cr_expect_str_eq(s->policies[2].name, "nested");
    cr_expect_eq(s->policies[2].type, MODEL_RES_MESH_HTTP_ROUTE);
    /* The Deployment is not Kuma's: skipped, with a warning. */
    cr_expect_eq(model_errors_count(w), 0);
    cr_expect_eq(model_errors_size(w), 1);
    cr_expect(fixture_has_diag(w, "skipping Deployment resources"));
    model_errors_free(w);
    model_scenario_free(s);
}

Test(load, missing_spec_target_is_mesh_and_to_without_rules)
{
    model_errors *w = NULL;
    model_scenario *s = fixture_load_opts(lists_yaml, NULL, &w);
    model_errors_free(w);
    const model_policy *p = fixture_policy(s, "from-list");
    cr_expect_eq(p->target.kind, MODEL_KIND_MESH);
    cr_expect_not(p->has_target);
    cr_assert_eq(p->n_to, 1);
    cr_expect(p->to[0].rules_empty);
    /* To.GetDefault(): {default: {backendRefs: [<the targetRef>, weight: 1]}}. */
    const model_node *refs =
        model_node_get(model_node_get(p->to[0].conf, "default"), "backendRefs");
    cr_assert_not_null(refs);
    cr_assert_eq(refs->n, 1);
    cr_expect_str_eq(model_node_get(refs->items[0], "kind")->text, "MeshService");
    cr_expect_str_eq(model_node_get(refs->items[0], "name")->text, "backend");
    cr_expect_str_eq(model_node_get(refs->items[0], "weight")->text, "1");
    model_scenario_free(s);
}

/* ---- skipped, ignored, refused ------------------------------------------------------- */

Test(load, skipped_types_warned_once_each)
{
    const char *yaml = "scenario: skipped\n"
                       "resources:\n"
                       "  - {type: MeshRetry, name: r1, mesh: default, spec: {}}\n"
                       "  - {type: Mesh, name: default}\n"
                       "  - {type: MeshRetry, name: r2, mesh: default, spec: {}}\n"
                       "  - apiVersion: kuma.io/v1alpha1\n"
                       "    kind: MeshRetry\n"
                       "    metadata: {name: r3}\n"
                       "    spec: {}\n";
    model_errors *w = NULL;
    model_scenario *s = fixture_load_opts(yaml, NULL, &w);
    cr_assert_eq(model_errors_size(w), 2);
    cr_expect_eq(model_errors_count(w), 0);
    const model_diag *d0 = model_errors_at(w, 0), *d1 = model_errors_at(w, 1);
    cr_expect_eq(d0->severity, MODEL_WARNING);
    cr_expect_str_eq(d0->message, "skipping MeshRetry resources: splitsim does not model them");
    cr_expect_eq(d0->line, 3, "at the first one");
    cr_expect_str_eq(d1->message, "skipping Mesh resources: splitsim does not model them");
    cr_expect_eq(s->n_policies, 0);
    model_errors_free(w);
    model_scenario_free(s);
}

Test(load, resources_of_other_meshes_ignored)
{
    const char *yaml = "scenario: meshes\n"
                       "services:\n"
                       "  - name: backend\n"
                       "    instances: [{}]\n"
                       "resources:\n"
                       "  - type: Dataplane\n"
                       "    name: stranger\n"
                       "    mesh: other\n"
                       "    networking:\n"
                       "      address: 10.0.0.1\n"
                       "      inbound: [{port: 80, tags: {kuma.io/service: backend}}]\n"
                       "  - type: MeshTCPRoute\n"
                       "    name: elsewhere\n"
                       "    mesh: other\n"
                       "    spec: {to: [{targetRef: {kind: MeshService, name: backend}, "
                       "rules: []}]}\n"
                       "  - apiVersion: kuma.io/v1alpha1\n"
                       "    kind: MeshTCPRoute\n"
                       "    metadata:\n"
                       "      name: k8s-elsewhere\n"
                       "      labels: {kuma.io/mesh: other}\n"
                       "    spec: {to: [{targetRef: {kind: MeshService, name: backend}, "
                       "rules: []}]}\n"
                       "  - type: TrafficRoute\n"
                       "    name: tr-elsewhere\n"
                       "    mesh: other\n"
                       "    sources: [{match: {kuma.io/service: '*'}}]\n"
                       "    destinations: [{match: {kuma.io/service: '*'}}]\n"
                       "    conf: {destination: {kuma.io/service: '*'}}\n"
                       "  - type: MeshTCPRoute\n"
                       "    name: here\n"
                       "    mesh: default\n"
                       "    spec: {to: [{targetRef: {kind: MeshService, name: backend}, "
                       "rules: []}]}\n";
    model_scenario *s = fixture_load(yaml);
    cr_expect_str_eq(s->mesh, "default");
    cr_expect_eq(s->n_dataplanes, 1);
    cr_expect_str_eq(s->dataplanes[0].name, "backend-1");
    cr_assert_eq(s->n_policies, 1);
    cr_expect_str_eq(s->policies[0].name, "here");
    cr_expect_eq(s->n_traffic_routes, 0);
    model_scenario_free(s);
}

Test(load, the_scenario_mesh_decides)
{
    const char *yaml = "scenario: meshes\n"
                       "mesh: other\n"
                       "services:\n"
                       "  - name: backend\n"
                       "    instances: [{}]\n"
                       "resources:\n"
                       "  - type: MeshTCPRoute\n"
                       "    name: in-default\n"
                       "    mesh: default\n"
                       "    spec: {to: [{targetRef: {kind: MeshService, name: backend}, "
                       "rules: []}]}\n"
                       "  - type: MeshTCPRoute\n"
                       "    name: in-other\n"
                       "    mesh: other\n"
                       "    spec: {to: [{targetRef: {kind: MeshService, name: backend}, "
                       "rules: []}]}\n";
    model_scenario *s = fixture_load(yaml);
    cr_expect_str_eq(s->mesh, "other");
    cr_expect_eq(s->n_dataplanes, 1, "services belong to the scenario's mesh");
    cr_assert_eq(s->n_policies, 1);
    cr_expect_str_eq(s->policies[0].name, "in-other");
    model_scenario_free(s);
}

Test(load, every_problem_is_reported)
{
    model_errors *e = fixture_load_fails("scenario: bad\n"
                                         "sed: 1\n"
                                         "kuma: \"2.99\"\n"
                                         "services:\n"
                                         "  - name: web\n"
                                         "    instances: [{count: 0}]\n");
    cr_expect_eq(model_errors_count(e), 3);
    cr_expect(fixture_has_diag(e, "unknown field 'sed' (did you mean 'seed'?)"));
    cr_expect(fixture_has_diag(e, "unsupported Kuma version \"2.99\""));
    cr_expect(fixture_has_diag(e, "count: expected an integer 1..100000, got \"0\""));
    model_errors_free(e);
}

Test(load, duplicate_names_refused)
{
    model_errors *e = fixture_load_fails("scenario: dup\n"
                                         "services:\n"
                                         "  - name: web\n"
                                         "    instances: [{}]\n"
                                         "resources:\n"
                                         "  - type: Dataplane\n"
                                         "    name: web-1\n"
                                         "    mesh: default\n"
                                         "    networking:\n"
                                         "      address: 10.0.0.1\n"
                                         "      inbound: [{port: 80, tags: "
                                         "{kuma.io/service: web}}]\n");
    cr_expect(fixture_has_diag(e, "dataplane 'web-1' is defined twice"));
    model_errors_free(e);
}

/* A MeshTCPRoute whose `to` item has no `rules` key, under Kuma `version`. */
#define RULES_YAML(version)                                                                        \
    "scenario: rules\n"                                                                            \
    "kuma: \"" version "\"\n"                                                                      \
    "services:\n"                                                                                  \
    "  - name: backend\n"                                                                          \
    "    instances: [{}]\n"                                                                        \
    "resources:\n"                                                                                 \
    "  - type: MeshTCPRoute\n"                                                                     \
    "    name: no-rules\n"                                                                         \
    "    mesh: default\n"                                                                          \
    "    spec: {to: [{targetRef: {kind: MeshService, name: backend}}]}\n"

Test(load, rules_required_from_2_10)
{
    model_errors *e = fixture_load_fails(RULES_YAML("2.10"));
    cr_expect(fixture_has_diag(e, "spec.to[0].rules: must be defined"));
    model_errors_free(e);
    model_scenario *s = fixture_load(RULES_YAML("2.9"));
    cr_expect_eq(s->kuma_minor, 9);
    cr_expect(fixture_policy(s, "no-rules")->to[0].rules_empty);
    model_scenario_free(s);
}

/* ---- scenario-level fields ----------------------------------------------------------- */

Test(load, defaults_and_overrides)
{
    const char *yaml = "scenario: defaults\n";
    model_scenario *s = fixture_load(yaml);
    cr_expect_str_eq(s->name, "defaults");
    cr_expect_str_eq(s->file, "t.yaml");
    cr_expect_null(s->description);
    cr_expect_eq(s->seed, 1);
    cr_expect_eq(s->kuma_minor, MODEL_KUMA_MINOR_MAX);
    cr_expect_str_eq(s->mesh, "default");
    model_scenario_free(s);

    model_load_options o = {.kuma_minor = 7, .has_seed = true, .seed = 99};
    s = fixture_load_opts("scenario: x\nseed: 5\nkuma: \"2.12\"\n", &o, NULL);
    cr_expect_eq(s->seed, 99);
    cr_expect_eq(s->kuma_minor, 7);
    model_scenario_free(s);
    s = fixture_load("scenario: x\nseed: 18446744073709551615\nkuma: \"2.3\"\n");
    cr_expect_eq(s->seed, UINT64_MAX);
    cr_expect_eq(s->kuma_minor, 3);
    model_scenario_free(s);
}

Test(load, kuma_versions)
{
    cr_expect_eq(model_kuma_version_parse("2.14"), 14);
    cr_expect_eq(model_kuma_version_parse("2.3"), 3);
    cr_expect_eq(model_kuma_version_parse("2.2"), -1);
    cr_expect_eq(model_kuma_version_parse("2.15"), -1);
    cr_expect_eq(model_kuma_version_parse("3.0"), -1);
    cr_expect_eq(model_kuma_version_parse("2."), -1);
    cr_expect_eq(model_kuma_version_parse("2.x"), -1);
    cr_expect_eq(model_kuma_version_parse("2.14.0"), -1);
    cr_expect_eq(model_kuma_version_parse("2.-5"), -1);
    cr_expect_eq(model_kuma_version_parse(""), -1);
}

Test(load, one_document_per_scenario)
{
    model_errors *e = fixture_load_fails("scenario: a\n---\nscenario: b\n");
    cr_expect(fixture_has_diag(e, "a scenario file holds one YAML document"));
    model_errors_free(e);
    e = fixture_load_fails("");
    cr_expect(fixture_has_diag(e, "empty scenario"));
    model_errors_free(e);
    /* A trailing `---` is no second document. */
    model_scenario *s = fixture_load("scenario: a\n---\n");
    cr_expect_str_eq(s->name, "a");
    model_scenario_free(s);
}

/* ---- services shorthand -------------------------------------------------------------- */

Test(load, services_make_numbered_dataplanes)
{
    const char *yaml = "scenario: services\n"
                       "services:\n"
                       "  - name: backend\n"
                       "    protocol: http\n"
                       "    instances:\n"
                       "      - {tags: {version: v0}, count: 3}\n"
                       "      - {tags: {version: v1, kuma.io/protocol: grpc}}\n"
                       "  - name: db\n"
                       "    instances: [{}]\n";
    model_scenario *s = fixture_load(yaml);
    cr_assert_eq(s->n_dataplanes, 5);
    /* -1..-3 for the first entry, -4 for the next: counting across instances. */
    static const char *const names[] = {"backend-1", "backend-2", "backend-3", "backend-4", "db-1"};
    for (size_t i = 0; i < 5; i++)
        cr_expect_str_eq(s->dataplanes[i].name, names[i], "dataplane %zu", i);
    const model_dataplane *b3 = fixture_dp(s, "backend-3"), *b4 = fixture_dp(s, "backend-4");
    cr_expect_str_eq(b3->service, "backend");
    cr_assert_eq(b3->n_inbounds, 1);
    const model_tags *t3 = &b3->inbounds[0].tags;
    cr_expect_eq(t3->n, 3);
    cr_expect_str_eq(model_tags_get(t3, "kuma.io/service"), "backend");
    cr_expect_str_eq(model_tags_get(t3, "kuma.io/protocol"), "http");
    cr_expect_str_eq(model_tags_get(t3, "version"), "v0");
    /* An instance's own kuma.io/protocol stands. */
    cr_expect_str_eq(model_tags_get(&b4->inbounds[0].tags, "kuma.io/protocol"), "grpc");
    /* No protocol given: no tag (protocol <unknown>). */
    const model_dataplane *db = fixture_dp(s, "db-1");
    cr_expect_null(model_tags_get(&db->inbounds[0].tags, "kuma.io/protocol"));
    cr_expect_eq(db->inbounds[0].tags.n, 1);
    cr_expect_str_eq(db->mesh, "default");
    cr_expect_eq(db->origin, MODEL_ORIGIN_UNSET);
    cr_expect_eq(b3->inbounds[0].mark.line, 6, "the instance's line");
    model_scenario_free(s);
}

Test(load, namespace_from_kubernetes_service_names)
{
    const char *yaml = "scenario: ns\n"
                       "services:\n"
                       "  - {name: backend_kuma-demo_svc_3001, instances: [{}]}\n"
                       "  - {name: web_shop_svc_80, instances: [{}]}\n"
                       "  - {name: plain, instances: [{}]}\n"
                       "  - {name: no_port_svc_, instances: [{}]}\n"
                       "  - {name: bad_port_svc_80x, instances: [{}]}\n"
                       "  - {name: not_svc_at_all, instances: [{}]}\n"
                       "  - {name: a_b_c_svc_80, instances: [{}]}\n";
    model_scenario *s = fixture_load(yaml);
    cr_expect_str_eq(fixture_dp(s, "backend_kuma-demo_svc_3001-1")->namespace_, "kuma-demo");
    cr_expect_str_eq(fixture_dp(s, "web_shop_svc_80-1")->namespace_, "shop");
    cr_expect_null(fixture_dp(s, "plain-1")->namespace_);
    cr_expect_null(fixture_dp(s, "no_port_svc_-1")->namespace_);
    cr_expect_null(fixture_dp(s, "bad_port_svc_80x-1")->namespace_);
    cr_expect_null(fixture_dp(s, "not_svc_at_all-1")->namespace_);
    cr_expect_null(fixture_dp(s, "a_b_c_svc_80-1")->namespace_);
    model_scenario_free(s);
}

/* A Kubernetes MeshTCPRoute `name` in namespace `ns` with the given `to` items (YAML flow
 * list) and labels. */
#define K8S_TCP_ROUTE(name, ns, labels, to)                                                        \
    "  - apiVersion: kuma.io/v1alpha1\n"                                                           \
    "    kind: MeshTCPRoute\n"                                                                     \
    "    metadata:\n"                                                                              \
    "      name: " name "\n"                                                                       \
    "      namespace: " ns "\n"                                                                    \
    "      labels: " labels "\n"                                                                   \
    "    spec:\n"                                                                                  \
    "      to: " to "\n"

#define TO(svc, ns) "{targetRef: {kind: MeshService, name: " svc ", namespace: " ns "}, rules: []}"
#define TO_BARE(svc) "{targetRef: {kind: MeshService, name: " svc "}, rules: []}"

Test(load, role_computed_from_namespace_on_kubernetes)
{
    /* clang-format off */
    const char *yaml =
        "scenario: roles\n"
        "services:\n"
        "  - {name: backend, instances: [{}]}\n"
        "resources:\n"
        K8S_TCP_ROUTE("sys", "kuma-system", "{}", "[" TO("backend", "shop") "]")
        K8S_TCP_ROUTE("prod", "shop", "{}", "[" TO_BARE("backend") ", " TO("backend", "shop") "]")
        K8S_TCP_ROUTE("cons", "shop", "{}", "[" TO("backend", "other") "]")
        /* Kuma overwrites a role label on Kubernetes with the computed role. */
        K8S_TCP_ROUTE("labelled", "shop", "{kuma.io/policy-role: consumer}",
                      "[" TO_BARE("backend") "]")
        /* On Universal the label stands as written. */
        "  - type: MeshTCPRoute\n"
        "    name: uni\n"
        "    mesh: default\n"
        "    labels: {kuma.io/policy-role: workload-owner}\n"
        "    spec: {to: [" TO_BARE("backend") "]}\n";
    /* clang-format on */
    model_scenario *s = fixture_load(yaml);
    cr_expect_eq(fixture_policy(s, "sys")->role, MODEL_ROLE_SYSTEM);
    cr_expect_eq(fixture_policy(s, "prod")->role, MODEL_ROLE_PRODUCER);
    cr_expect_eq(fixture_policy(s, "cons")->role, MODEL_ROLE_CONSUMER);
    cr_expect_eq(fixture_policy(s, "labelled")->role, MODEL_ROLE_PRODUCER);
    cr_expect_eq(fixture_policy(s, "uni")->role, MODEL_ROLE_WORKLOAD_OWNER);
    model_scenario_free(s);
}

Test(load, mixed_producer_and_consumer_items_refused)
{
    /* clang-format off */
    model_errors *e = fixture_load_fails(
        "scenario: mixed\n"
        "services:\n"
        "  - {name: backend, instances: [{}]}\n"
        "resources:\n"
        K8S_TCP_ROUTE("mixed", "shop", "{}",
                      "[" TO("backend", "shop") ", " TO("backend", "other") "]"));
    /* clang-format on */
    cr_expect(fixture_has_diag(e, "it's not allowed to mix producer and consumer items in the "
                                  "same policy"));
    model_errors_free(e);
}

/* ---- includes ------------------------------------------------------------------------ */

/* A temporary directory of files, removed with everything in it by tmp_free. */
typedef struct tmpdir {
    char path[256];
    char files[8][512];
    size_t n;
} tmpdir;

static void tmp_init(tmpdir *t)
{
    snprintf(t->path, sizeof t->path, "%s/splitsim-load-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    cr_assert_not_null(mkdtemp(t->path));
    t->n = 0;
}

/* Writes `text` to `rel` under the directory (its parent directory must exist or be
 * `sub`); returns the full path. */
static const char *tmp_write(tmpdir *t, const char *rel, const char *text)
{
    cr_assert_lt(t->n, 8);
    cr_assert_lt(strlen(rel), 200);
    char *p = t->files[t->n++];
    strcpy(p, t->path);
    strcat(p, "/");
    strcat(p, rel);
    if (strchr(rel, '/')) {
        char dir[512];
        strcpy(dir, p);
        *strrchr(dir, '/') = '\0';
        mkdir(dir, 0700); /* may exist already */
    }
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "cannot write %s", p);
    fputs(text, f);
    fclose(f);
    return p;
}

static void tmp_free(tmpdir *t)
{
    char dir[512];
    for (size_t i = t->n; i-- > 0;) {
        unlink(t->files[i]);
        /* Sub-directories: try each file's parent (rmdir refuses non-empty ones). */
        snprintf(dir, sizeof dir, "%s", t->files[i]);
        char *slash = strrchr(dir, '/');
        if (slash && (size_t)(slash - dir) > strlen(t->path)) {
            *slash = '\0';
            rmdir(dir);
        }
    }
    rmdir(t->path);
}

Test(load, includes_are_relative_to_their_file)
{
    tmpdir t;
    tmp_init(&t);
    tmp_write(&t, "policies/routes.yaml",
              "type: MeshTCPRoute\n"
              "name: from-include\n"
              "mesh: default\n"
              "spec: {to: [{targetRef: {kind: MeshService, name: backend}, rules: []}]}\n"
              "---\n"
              "resources:\n"
              "  - type: MeshTCPRoute\n"
              "    name: from-bundle\n"
              "    mesh: default\n"
              "    spec: {to: [{targetRef: {kind: MeshService, name: backend}, rules: []}]}\n"
              "include: [more.yaml]\n");
    /* Relative to policies/, the file that includes it. */
    tmp_write(&t, "policies/more.yaml",
              "apiVersion: kuma.io/v1alpha1\n"
              "kind: List\n"
              "items:\n"
              "  - type: Dataplane\n"
              "    name: included-dp\n"
              "    mesh: default\n"
              "    networking:\n"
              "      address: 10.0.0.1\n"
              "      inbound: [{port: 80, tags: {kuma.io/service: backend}}]\n");
    const char *top = tmp_write(&t, "scenario.yaml",
                                "scenario: includes\n"
                                "include: [policies/routes.yaml]\n");
    model_errors *e = model_errors_new();
    model_scenario *s = model_scenario_load(top, NULL, e);
    if (!s) {
        char *d = fixture_diags(e);
        cr_log_error("%s", d);
        free(d);
    }
    cr_assert_not_null(s);
    cr_expect_eq(model_errors_size(e), 0);
    cr_assert_eq(s->n_policies, 2);
    cr_expect_str_eq(s->policies[0].name, "from-include");
    cr_expect_str_eq(s->policies[1].name, "from-bundle");
    cr_assert_eq(s->n_dataplanes, 1);
    cr_expect_str_eq(s->dataplanes[0].name, "included-dp");
    /* Marks name the file each resource came from. */
    cr_expect(strstr(s->policies[0].mark.file, "policies/routes.yaml") != NULL);
    cr_expect(strstr(s->dataplanes[0].mark.file, "policies/more.yaml") != NULL);
    cr_expect_eq(s->policies[1].mark.line, 7);
    model_scenario_free(s);
    model_errors_free(e);
    tmp_free(&t);
}

Test(load, include_problems_name_the_file)
{
    tmpdir t;
    tmp_init(&t);
    tmp_write(&t, "a.yaml", "include: [b.yaml]\n");
    tmp_write(&t, "b.yaml", "include: [a.yaml]\n");
    tmp_write(&t, "bad.yaml", "type: MeshTCPRoute\nname: x\nmesh: default\nspec: {to: 3}\n");
    const char *top = tmp_write(&t, "scenario.yaml",
                                "scenario: includes\n"
                                "include: [a.yaml, missing.yaml, bad.yaml]\n");
    model_errors *e = model_errors_new();
    model_scenario *s = model_scenario_load(top, NULL, e);
    cr_expect_null(s);
    cr_expect(fixture_has_diag(e, "include cycle"));
    cr_expect(fixture_has_diag(e, "missing.yaml"));
    bool in_bad = false;
    for (size_t i = 0; i < model_errors_size(e); i++) {
        const model_diag *d = model_errors_at(e, i);
        if (strstr(d->file, "bad.yaml") && d->line == 4)
            in_bad = true;
    }
    cr_expect(in_bad, "the error in bad.yaml is reported at bad.yaml:4");
    model_errors_free(e);
    tmp_free(&t);
}

/* ---- simulation settings, limits, probing ------------------------------------------------ */

Test(load, simulation_settings_are_optional)
{
    /* resolve needs only from and to: a flow without connections, rate or hold loads, and
     * gets the documented default rate. */
    model_scenario *s = fixture_load("scenario: x\n"
                                     "services:\n"
                                     "  - {name: web, instances: [{}]}\n"
                                     "  - {name: api, instances: [{}]}\n"
                                     "traffic:\n"
                                     "  - {from: web, to: api}\n"
                                     "  - {from: web, to: api, name: fast, rate: 30/m}\n");
    cr_assert_eq(s->n_flows, 2);
    const model_flow *f = &s->flows[0];
    cr_expect_str_eq(f->name, "web -> api");
    cr_expect_eq(f->connections, 0);
    cr_expect_not(f->has_stop);
    cr_expect(f->rate_default);
    cr_expect_eq(f->rate_count, MODEL_DEFAULT_RATE_PER_S);
    cr_expect_eq(f->rate_unit_ns, 1000000000ULL);
    cr_expect_eq(f->arrival, MODEL_ARRIVAL_POISSON);
    cr_expect_not(s->flows[1].rate_default);
    cr_expect_eq(s->flows[1].rate_count, 30);
    cr_expect_eq(s->flows[1].index, 1);
    model_scenario_free(s);
}

Test(load, flows_over_the_limit_are_refused_before_they_are_read, .timeout = 20)
{
    size_t n = MODEL_MAX_FLOWS + 1;
    char *yaml = malloc(n * 3 + 64);
    size_t len = (size_t)sprintf(yaml, "scenario: x\ntraffic: [");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(yaml + len, "%s{}", i ? "," : "");
    sprintf(yaml + len, "]\n");
    model_errors *e = model_errors_new();
    model_scenario *s = model_scenario_load_string("t.yaml", yaml, strlen(yaml), NULL, e);
    cr_expect_null(s);
    cr_assert_eq(model_errors_size(e), 1);
    cr_expect_str_eq(model_errors_at(e, 0)->message,
                     "traffic: 100001 flows: a scenario may have at most 100000");
    model_errors_free(e);
    free(yaml);
}

Test(load, dataplane_resources_count_toward_the_limit_too)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "scenario: x\n"
             "services: [{name: web, instances: [{count: %d}]}]\n"
             "resources:\n"
             "  - {type: Dataplane, name: extra, mesh: default,\n"
             "     networking: {address: 10.0.0.1, inbound: [{port: 1, tags: {kuma.io/service: a}}]}}\n",
             MODEL_MAX_DATAPLANES);
    model_errors *e = model_errors_new();
    model_scenario *s = model_scenario_load_string("t.yaml", yaml, strlen(yaml), NULL, e);
    cr_expect_null(s);
    cr_expect(fixture_has_diag(e, "more than 100000 dataplanes: a scenario may have at most 100000"));
    model_errors_free(e);
}

Test(load, a_route_to_a_service_the_mesh_lacks_is_warned_about)
{
    model_errors *w;
    model_scenario *s =
        fixture_load_opts("scenario: x\n"
                          "services: [{name: backend, instances: [{}]}]\n"
                          "resources:\n"
                          "  - type: MeshTCPRoute\n"
                          "    name: r\n"
                          "    mesh: default\n"
                          "    spec:\n"
                          "      to:\n"
                          "        - targetRef: {kind: MeshService, name: backnd}\n"
                          "          rules: []\n",
                          NULL, &w);
    cr_assert_eq(model_errors_size(w), 1);
    const model_diag *d = model_errors_at(w, 0);
    cr_expect_eq(d->severity, MODEL_WARNING);
    cr_expect_eq(d->line, 9);
    cr_expect_str_eq(d->message, "MeshTCPRoute 'r' spec.to[0].targetRef.name: no service 'backnd' "
                                 "in mesh 'default' (did you mean 'backend'?); Kuma accepts it, "
                                 "and it routes nothing");
    model_errors_free(w);
    model_scenario_free(s);
}

Test(load, probe_tells_scenarios_from_resource_files)
{
    tmpdir t;
    tmp_init(&t);
    const char *scenario = tmp_write(&t, "s.yaml", "# comment\nscenario: s\n");
    const char *resource = tmp_write(&t, "r.yaml", "type: Mesh\nname: default\n---\nitems: []\n");
    const char *broken = tmp_write(&t, "b.yaml", "scenario: [\n");
    cr_expect(model_scenario_probe(scenario));
    cr_expect_not(model_scenario_probe(resource));
    cr_expect(model_scenario_probe(broken), "its load says what is wrong");
    cr_expect(model_scenario_probe("/nonexistent/x.yaml"), "likewise");
    tmp_free(&t);
}
