/*
 * fuzz_load.c - libFuzzer target for the scenario loader (cmark's fuzz/ is the model).
 *
 * The bytes are a scenario file called "fuzz.yaml": they go through the YAML parser, the
 * scenario schema, Kuma validation and the mesh settling, exactly as `splitsim validate`
 * would take them; a scenario that loads is then resolved, every flow from each of its
 * sources (at most FUZZ_MAX_RESOLVE of them, so one input stays quick) and every sidecar
 * against every service (as `resolve --all`), with their decisions recorded as steps.  Whatever
 * comes back is printed nowhere and freed, so a leak shows up under LeakSanitizer as a
 * failure.  Includes are read relative to the working directory (scripts/fuzz.sh runs in
 * a temporary one).
 *
 * The same function is the body of fuzz/replay.c, which runs the kept crashers under
 * ctest without libFuzzer.
 */
#include "model/load.h"
#include "model/resolve.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_RESOLVE 64

/* Resolves the pairs the traffic uses, then every sidecar against every service, up to
 * FUZZ_MAX_RESOLVE in all, writing their explanations to `sink`. */
static void resolve_all(const model_scenario *s, FILE *sink)
{
    model_arena *a = model_arena_new();
    model_world w = model_scenario_world(s);
    size_t done = 0;
    for (size_t i = 0; i < s->n_flows && done < FUZZ_MAX_RESOLVE; i++)
        for (size_t j = 0; j < s->flows[i].n_sources && done < FUZZ_MAX_RESOLVE; j++, done++) {
            model_query q = model_flow_query(&s->flows[i], s->flows[i].sources[j]);
            const model_resolution *r = model_resolve(a, s, &w, &q, MODEL_RESOLVE_EXPLAIN);
            if (sink)
                fprintf(sink, "%zu steps\n", r->n_steps);
        }
    size_t nsvc;
    const char **svcs = model_scenario_services(s, &nsvc);
    for (size_t i = 0; i < s->n_dataplanes && done < FUZZ_MAX_RESOLVE; i++)
        for (size_t j = 0; j < nsvc && done < FUZZ_MAX_RESOLVE && !s->dataplanes[i].gateway;
             j++, done++)
            model_resolve(a, s, &w, &(model_query){.from = &s->dataplanes[i], .to = svcs[j]},
                          MODEL_RESOLVE_EXPLAIN);
    model_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Messages are formatted from user text: write them somewhere, to run that code too. */
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");

    model_errors *errs = model_errors_new();
    model_scenario *s =
        model_scenario_load_string("fuzz.yaml", (const char *)data, size, NULL, errs);
    if (sink)
        model_errors_print(errs, sink);
    /* A scenario comes back only when no error was recorded (load.h). */
    if (s && model_errors_count(errs) != 0)
        __builtin_trap();
    if (s)
        resolve_all(s, sink);
    model_scenario_free(s);
    model_errors_free(errs);
    return 0;
}
