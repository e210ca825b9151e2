// regex.cc - RE2 behind the C interface of regex.h: the project's only C++, kept to the
// few lines that call the library.
extern "C" {
#include "model/regex.h"
}

#include <re2/re2.h>

#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

struct model_regex {
    re2::RE2 re;
    explicit model_regex(const re2::StringPiece &p) : re(p, re2::RE2::Quiet) {}
};

static void destroy(void *p)
{
    delete static_cast<model_regex *>(p);
}

extern "C" model_regex *model_regex_compile(model_arena *a, const char *pattern, size_t len,
                                            char *err, size_t size)
{
    model_regex *r = new (std::nothrow) model_regex(re2::StringPiece(pattern, len));
    if (!r) {
        std::fputs("splitsim: out of memory\n", stderr);
        std::abort();
    }
    if (!r->re.ok()) {
        if (size)
            std::snprintf(err, size, "%s", r->re.error().c_str());
        delete r;
        return nullptr;
    }
    model_arena_on_free(a, destroy, r);
    return r;
}

extern "C" size_t model_regex_program_size(const model_regex *re)
{
    int n = re->re.ProgramSize();
    return n > 0 ? static_cast<size_t>(n) : 0;
}

extern "C" bool model_regex_full_match(const model_regex *re, const char *s, size_t len)
{
    return re2::RE2::FullMatch(re2::StringPiece(s, len), re->re);
}
