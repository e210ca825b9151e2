/*
 * report_common.c - pieces the report writers share; see report_common.h.
 */
#include "report_common.h"

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
