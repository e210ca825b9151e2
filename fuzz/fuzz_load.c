/*
 * fuzz_load.c - libFuzzer target for the scenario loader (cmark's fuzz/ is the model).
 *
 * The bytes are a scenario file called "fuzz.yaml": they go through the YAML parser, the
 * scenario schema, Kuma validation and the mesh settling, exactly as `splitsim validate`
 * would take them.  Whatever comes back - a scenario or a list of problems - is printed
 * nowhere and freed, so a leak shows up under LeakSanitizer as a failure.  Includes are
 * read relative to the working directory (scripts/fuzz.sh runs in a temporary one).
 *
 * The same function is the body of fuzz/replay.c, which runs the kept crashers under
 * ctest without libFuzzer.
 */
#include "model/load.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    model_scenario_free(s);
    model_errors_free(errs);
    return 0;
}
