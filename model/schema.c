/*
 * schema.c - field checks with paths and hints; see schema.h.
 */
#include "schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void schema_init(schema_ctx *c, model_arena *a, model_errors *errs, const char *subject)
{
    c->arena = a;
    c->errs = errs;
    c->subject = subject;
    c->regexes = NULL;
    c->kuma_strings = false;
    c->path[0] = '\0';
    c->len = 0;
}

/* Appends `seg` to the path (cut at the buffer's end); returns the old length. */
static size_t append(schema_ctx *c, const char *seg)
{
    size_t old = c->len;
    size_t room = sizeof c->path - c->len;
    int n = snprintf(c->path + c->len, room, "%s", seg);
    if (n > 0)
        c->len = (size_t)n < room ? c->len + (size_t)n : sizeof c->path - 1;
    return old;
}

static size_t push(schema_ctx *c, const char *key, size_t index)
{
    char seg[sizeof c->path];
    if (key)
        snprintf(seg, sizeof seg, "%s%s", c->len ? "." : "", key);
    else
        snprintf(seg, sizeof seg, "[%zu]", index);
    return append(c, seg);
}

size_t schema_push_key(schema_ctx *c, const char *key)
{
    return push(c, key, 0);
}

size_t schema_push_index(schema_ctx *c, size_t i)
{
    return push(c, NULL, i);
}

size_t schema_push_tag(schema_ctx *c, const char *key)
{
    /* Go's %q, as in Kuma's field paths (tags["kuma.io/service"]): `"` and `\` escaped. */
    char seg[sizeof c->path];
    size_t n = 0;
    seg[n++] = '[';
    seg[n++] = '"';
    for (const char *k = key; *k && n < sizeof seg - 5; k++) {
        if (*k == '"' || *k == '\\')
            seg[n++] = '\\';
        seg[n++] = *k;
    }
    seg[n++] = '"';
    seg[n++] = ']';
    seg[n] = '\0';
    return append(c, seg);
}

void schema_pop(schema_ctx *c, size_t old_len)
{
    c->len = old_len;
    c->path[old_len] = '\0';
}

static int vfail(schema_ctx *c, model_mark at, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int vfail(schema_ctx *c, model_mark at, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    const char *sp = c->subject && c->len ? " " : "";
    const char *colon = c->subject || c->len ? ": " : "";
    return model_fail(c->errs, at, "%s%s%s%s%s", c->subject ? c->subject : "", sp, c->path, colon,
                      msg);
}

int schema_fail(schema_ctx *c, const model_node *node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(c, node ? node->mark : (model_mark){0}, fmt, ap);
    va_end(ap);
    return rc;
}

int schema_fail_at(schema_ctx *c, model_mark at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(c, at, fmt, ap);
    va_end(ap);
    return rc;
}

/* Quotes a scalar for messages the way a user wrote it, cut to a readable length. */
static const char *shown(const model_node *n, char *buf, size_t size)
{
    if (n->kind != MODEL_NODE_SCALAR)
        return model_node_describe(n);
    if (model_node_is_null(n))
        return "null";
    snprintf(buf, size, "\"%.60s%s\"", n->text, n->len > 60 ? "..." : "");
    return buf;
}

/* Fails with "expected <what>, got ..." unless `n` is of `kind`. */
static bool is_kind(schema_ctx *c, const model_node *n, model_node_kind kind, const char *what)
{
    if (n && n->kind == kind)
        return true;
    char buf[80];
    schema_fail(c, n, "expected %s, got %s", what, n ? shown(n, buf, sizeof buf) : "nothing");
    return false;
}

bool schema_is_map(schema_ctx *c, const model_node *n)
{
    return is_kind(c, n, MODEL_NODE_MAP, "a mapping");
}

bool schema_is_seq(schema_ctx *c, const model_node *n)
{
    return is_kind(c, n, MODEL_NODE_SEQ, "a list");
}

const char *schema_hint(schema_ctx *c, const char *hint)
{
    return hint ? model_arena_printf(c->arena, " (did you mean '%s'?)", hint) : "";
}

bool schema_in_list(const char *word, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(word, *list))
            return true;
    return false;
}

const char *schema_suggest(const char *word, const char *const *candidates)
{
    size_t n = 0;
    while (candidates[n])
        n++;
    return model_suggest(word, candidates, n);
}

int schema_check_keys(schema_ctx *c, const model_node *map, const char *const *known)
{
    int unknown = 0;
    for (size_t i = 0; i < map->n; i++) {
        const char *key = map->keys[i]->text;
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = !strcmp(*k, key);
        if (ok)
            continue;
        unknown++;
        size_t old = schema_push_key(c, key);
        schema_fail(c, map->keys[i], "unknown field '%s'%s", key,
                    schema_hint(c, schema_suggest(key, known)));
        schema_pop(c, old);
    }
    return unknown;
}

/* [-+]? then at least one of `digits` (underscores allowed between them). */
static bool digits_only(const char *s, const char *digits)
{
    if (*s == '-' || *s == '+')
        s++;
    bool any = false;
    for (; *s; s++) {
        if (*s == '_' && any)
            continue;
        if (!strchr(digits, *s))
            return false;
        any = true;
    }
    return any;
}

/* YAML 1.1's float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, .inf, .nan. */
static bool yaml_float(const char *s)
{
    static const char *const special[] = {".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF",
                                          "+.inf", "+.Inf", "+.INF", ".nan", ".NaN", ".NAN",
                                          NULL};
    if (schema_in_list(s, special))
        return true;
    if (*s == '-' || *s == '+')
        s++;
    size_t whole = strspn(s, "0123456789");
    s += whole;
    size_t frac = 0;
    if (*s == '.') {
        s++;
        frac = strspn(s, "0123456789");
        s += frac;
    } else if (!whole) {
        return false;
    }
    if (!whole && !frac)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        size_t exp = strspn(s, "0123456789");
        if (!exp)
            return false;
        s += exp;
    }
    return *s == '\0';
}

const char *schema_yaml_type(const model_node *n)
{
    static const char *const booleans[] = {"y",    "Y",    "yes",   "Yes",   "YES",  "n",
                                           "N",    "no",   "No",    "NO",    "true", "True",
                                           "TRUE", "false", "False", "FALSE", "on",   "On",
                                           "ON",   "off",  "Off",   "OFF",   NULL};
    if (!n || n->kind != MODEL_NODE_SCALAR || !n->plain || model_node_is_null(n))
        return NULL;
    const char *s = n->text;
    if (schema_in_list(s, booleans))
        return "a boolean";
    const char *body = s + (*s == '-' || *s == '+');
    if (digits_only(s, "0123456789") ||
        (body[0] == '0' && (body[1] == 'x' || body[1] == 'X') && digits_only(body + 2, "0123456789abcdefABCDEF")) ||
        (body[0] == '0' && (body[1] == 'b' || body[1] == 'B') && digits_only(body + 2, "01")) ||
        (body[0] == '0' && (body[1] == 'o' || body[1] == 'O') && digits_only(body + 2, "01234567")))
        return "a number";
    return yaml_float(s) ? "a decimal number" : NULL;
}

int schema_string(schema_ctx *c, const model_node *n, const char **out)
{
    char buf[80];
    if (!n || n->kind != MODEL_NODE_SCALAR || model_node_is_null(n))
        return schema_fail(c, n, "expected a string, got %s",
                           n ? shown(n, buf, sizeof buf) : "nothing");
    const char *typed = c->kuma_strings ? schema_yaml_type(n) : NULL;
    if (typed)
        return schema_fail(c, n,
                           "expected a string, got %s (%s: Kuma's schema wants a string here; "
                           "write it in quotes, \"%s\")",
                           n->text, typed, n->text);
    *out = n->text;
    return 0;
}

/* Parses an unsigned decimal with no sign, no spaces; -1 on overflow past `max`. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* What a value written in quotes is called when it would be valid without them: YAML
 * makes `"3"` a string, as Kubernetes does ("must be of type integer: \"string\""). */
static const char *quoted(const model_node *n, bool valid_unquoted)
{
    return n && n->kind == MODEL_NODE_SCALAR && !n->plain && valid_unquoted
               ? " (a string, because of the quotes: write it without them)"
               : "";
}

int schema_uint(schema_ctx *c, const model_node *n, uint64_t max, uint64_t *out)
{
    char buf[80];
    if (n && n->kind == MODEL_NODE_SCALAR && n->plain && parse_u64(n->text, max, out) == 0)
        return 0;
    uint64_t v;
    return schema_fail(c, n, "expected an integer 0..%llu, got %s%s", (unsigned long long)max,
                       n ? shown(n, buf, sizeof buf) : "nothing",
                       quoted(n, n && n->text && parse_u64(n->text, max, &v) == 0));
}

int schema_count(schema_ctx *c, const model_node *n, uint64_t max, uint64_t *out)
{
    char buf[80];
    if (n && n->kind == MODEL_NODE_SCALAR && n->plain && parse_u64(n->text, max, out) == 0 &&
        *out > 0)
        return 0;
    uint64_t v;
    return schema_fail(c, n, "expected an integer 1..%llu, got %s%s", (unsigned long long)max,
                       n ? shown(n, buf, sizeof buf) : "nothing",
                       quoted(n, n && n->text && parse_u64(n->text, max, &v) == 0 && v > 0));
}

int schema_bool(schema_ctx *c, const model_node *n, bool *out)
{
    char buf[80];
    if (n && n->kind == MODEL_NODE_SCALAR && n->plain) {
        if (!strcmp(n->text, "true")) {
            *out = true;
            return 0;
        }
        if (!strcmp(n->text, "false")) {
            *out = false;
            return 0;
        }
    }
    return schema_fail(c, n, "expected true or false, got %s",
                       n ? shown(n, buf, sizeof buf) : "nothing");
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* `n` digits at *s into *v; advances *s. */
static bool fixed_digits(const char **s, int n, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*s)++) {
        if (**s < '0' || **s > '9')
            return false;
        *v = *v * 10 + (unsigned)(**s - '0');
    }
    return true;
}

int schema_parse_timestamp(const char *s, int64_t *ns)
{
    unsigned y, mo, d, h, mi, sec;
    if (!fixed_digits(&s, 4, &y) || *s++ != '-' || !fixed_digits(&s, 2, &mo) || *s++ != '-' ||
        !fixed_digits(&s, 2, &d) || (*s != 'T' && *s != 't' && *s != ' '))
        return -1;
    s++;
    if (!fixed_digits(&s, 2, &h) || *s++ != ':' || !fixed_digits(&s, 2, &mi) || *s++ != ':' ||
        !fixed_digits(&s, 2, &sec))
        return -1;
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        h > 23 || mi > 59 || sec > 60)
        return -1;
    int64_t frac = 0;
    if (*s == '.') {
        s++;
        int n = 0;
        for (; *s >= '0' && *s <= '9'; s++, n++)
            if (n < 9)
                frac = frac * 10 + (*s - '0');
        if (n == 0)
            return -1;
        for (; n < 9; n++)
            frac *= 10;
    }
    int64_t offset = 0;
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int sign = *s++ == '-' ? -1 : 1;
        unsigned oh, om;
        if (!fixed_digits(&s, 2, &oh) || *s++ != ':' || !fixed_digits(&s, 2, &om) || oh > 23 ||
            om > 59)
            return -1;
        offset = sign * (int64_t)(oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (*s)
        return -1;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    if (secs <= INT64_MIN / 1000000000 || secs >= INT64_MAX / 1000000000)
        return -1; /* outside 1678..2262: no nanosecond count holds it */
    *ns = secs * 1000000000 + frac;
    return 0;
}

int schema_parse_duration(const char *s, uint64_t *ns)
{
    static const struct {
        const char *unit;
        uint64_t ns;
    } units[] = {{"ns", 1},
                 {"us", 1000},
                 {"ms", 1000000},
                 {"s", 1000000000ULL},
                 {"m", 60000000000ULL},
                 {"h", 3600000000000ULL}};
    uint64_t total = 0;
    bool over = false; /* well formed so far, but past the maximum */
    if (!strcmp(s, "0")) {
        *ns = 0;
        return 0;
    }
    if (!*s)
        return -1;
    while (*s) {
        uint64_t v = 0;
        const char *start = s;
        while (*s >= '0' && *s <= '9') {
            if (v > (UINT64_MAX - 9) / 10)
                over = true;
            else
                v = v * 10 + (uint64_t)(*s - '0');
            s++;
        }
        if (s == start)
            return -1;
        size_t best = 0, best_len = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t l = strlen(units[i].unit);
            if (!strncmp(s, units[i].unit, l) && l > best_len) {
                best = i;
                best_len = l;
            }
        }
        if (!best_len)
            return -1;
        s += best_len;
        if (v && units[best].ns > UINT64_MAX / v)
            over = true;
        else if (total > UINT64_MAX - v * units[best].ns)
            over = true;
        else
            total += v * units[best].ns;
    }
    /* Durations stay below 2^63 ns, so a sum of two never overflows the clock. */
    if (over || total > SCHEMA_MAX_DURATION_NS)
        return -2;
    *ns = total;
    return 0;
}

int schema_duration(schema_ctx *c, const model_node *n, uint64_t *ns)
{
    char buf[80];
    int rc = n && n->kind == MODEL_NODE_SCALAR && !model_node_is_null(n)
                 ? schema_parse_duration(n->text, ns)
                 : -1;
    if (rc == 0)
        return 0;
    if (rc == -2)
        return schema_fail(c, n, "at most %s (about 292 years), got %s", SCHEMA_MAX_DURATION,
                           shown(n, buf, sizeof buf));
    return schema_fail(c, n,
                       "expected a duration such as 30s, 1m30s or 250ms (units ns, us, ms, "
                       "s, m, h), got %s",
                       n ? shown(n, buf, sizeof buf) : "nothing");
}

int schema_rate(schema_ctx *c, const model_node *n, uint64_t *count, uint64_t *unit_ns)
{
    char buf[80];
    if (n && n->kind == MODEL_NODE_SCALAR) {
        const char *slash = strchr(n->text, '/');
        if (slash && slash > n->text) {
            char num[32];
            size_t l = (size_t)(slash - n->text);
            uint64_t v;
            if (l < sizeof num) {
                memcpy(num, n->text, l);
                num[l] = '\0';
                uint64_t unit = !strcmp(slash + 1, "s")   ? 1000000000ULL
                                : !strcmp(slash + 1, "m") ? 60000000000ULL
                                : !strcmp(slash + 1, "h") ? 3600000000000ULL
                                                          : 0;
                if (unit && parse_u64(num, UINT64_MAX, &v) == 0 && v > 0) {
                    /* At most one arrival per nanosecond: the clock's resolution.  A
                     * faster rate would need arrivals at the same instant. */
                    if (v > unit)
                        return schema_fail(c, n,
                                           "at most 1000000000/s (one connection per "
                                           "nanosecond, the clock's resolution), got %s",
                                           shown(n, buf, sizeof buf));
                    *count = v;
                    *unit_ns = unit;
                    return 0;
                }
            }
        }
    }
    return schema_fail(c, n, "expected a rate such as 500/s, 30/m or 100/h (at least 1), got %s",
                       n ? shown(n, buf, sizeof buf) : "nothing");
}

/* `90`, `12.5`, `0.125`: 0..100 with at most three decimals, in thousandths. */
static int parse_percent(const char *s, uint32_t *milli)
{
    uint64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;
    while (*s >= '0' && *s <= '9' && digits < 4)
        whole = whole * 10 + (uint64_t)(*s++ - '0'), digits++;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9' && fdigits < 3)
            frac = frac * 10 + (uint64_t)(*s++ - '0'), fdigits++;
        if (!fdigits)
            digits = 0;
    }
    for (int i = fdigits; i < 3; i++)
        frac *= 10;
    if (*s || !digits || whole * 1000 + frac > 100000)
        return -1;
    *milli = (uint32_t)(whole * 1000 + frac);
    return 0;
}

int schema_percent(schema_ctx *c, const model_node *n, uint32_t *milli)
{
    char buf[80];
    if (n && n->kind == MODEL_NODE_SCALAR && n->plain && parse_percent(n->text, milli) == 0)
        return 0;
    uint32_t v;
    return schema_fail(c, n, "expected a percentage 0..100 with at most 3 decimals, got %s%s",
                       n ? shown(n, buf, sizeof buf) : "nothing",
                       quoted(n, n && n->text && parse_percent(n->text, &v) == 0));
}

int schema_tags(schema_ctx *c, const model_node *n, schema_tag_mode mode, model_tags *out)
{
    int rc = 0;
    *out = (model_tags){0};
    if (!schema_is_map(c, n))
        return -1;
    /* Kuma's messages (validateTagKeyValues, ValidateTags, ValidateSelector in
     * pkg/core/resources/apis/mesh/validators.go), in its order: keys sorted, and every
     * check of a key said, not only the first. */
    size_t *ix = model_arena_alloc(c->arena, (n->n ? n->n : 1) * sizeof *ix);
    for (size_t i = 0; i < n->n; i++) {
        size_t j = i;
        while (j > 0 && strcmp(n->keys[ix[j - 1]]->text, n->keys[i]->text) > 0) {
            ix[j] = ix[j - 1];
            j--;
        }
        ix[j] = i;
    }
    for (size_t k = 0; k < n->n; k++) {
        const model_node *keyn = n->keys[ix[k]], *v = n->items[ix[k]];
        const char *key = keyn->text;
        const char *value = NULL;
        bool ok = true;
        if (mode != SCHEMA_TAGS_ANY && !*key) {
            rc = schema_fail(c, n, "tag name must be non-empty"); /* at the map, as Kuma */
            ok = false;
        }
        size_t old = schema_push_tag(c, key);
        if (mode != SCHEMA_TAGS_ANY && *key && !model_tags_valid_key(key)) {
            rc = schema_fail(c, keyn,
                             "tag name must consist of alphanumeric characters, "
                             "dots, dashes, slashes and underscores");
            ok = false;
        }
        if (schema_string(c, v, &value) < 0) {
            rc = -1;
            ok = false;
        } else if (mode != SCHEMA_TAGS_ANY && !*value) {
            rc = schema_fail(c, v, "tag value must be non-empty");
            ok = false;
        } else if (mode == SCHEMA_TAGS_KUMA && !model_tags_valid_value(value)) {
            rc = schema_fail(c, v,
                             "tag value must consist of alphanumeric characters, dots, "
                             "dashes and underscores");
            ok = false;
        } else if (mode == SCHEMA_TAGS_SELECTOR && strcmp(value, "*") &&
                   !model_tags_valid_key(value)) {
            rc = schema_fail(c, v,
                             "tag value must consist of alphanumeric characters, dots, "
                             "dashes, slashes and underscores or be \"*\"");
            ok = false;
        }
        if (ok)
            model_tags_set(c->arena, out, key, value);
        schema_pop(c, old);
    }
    return rc;
}

int schema_enum(schema_ctx *c, const model_node *n, const char *const *values, const char **out)
{
    const char *v;
    if (schema_string(c, n, &v) < 0)
        return -1;
    if (schema_in_list(v, values)) {
        *out = v;
        return 0;
    }
    char list[512] = "";
    size_t len = 0;
    for (size_t i = 0; values[i] && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", values[i]);
    return schema_fail(c, n, "expected one of %s, got \"%s\"%s", list, v,
                       schema_hint(c, schema_suggest(v, values)));
}

bool schema_dns1123_syntax(const char *s)
{
    /* ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$: dot-separated
     * labels of lower-case letters, digits and '-', each starting and ending with a
     * letter or digit. */
    const char *p = s;
    for (;;) {
        const char *start = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')
            p++;
        if (p == start || start[0] == '-' || p[-1] == '-')
            return false;
        if (*p == '\0')
            return true;
        if (*p != '.')
            return false;
        p++;
    }
}

bool schema_dns1123_subdomain(const char *s)
{
    return strlen(s) <= 253 && schema_dns1123_syntax(s);
}

bool schema_sloppy_ipv4(const char *s)
{
    /* Go's ParseIPSloppy: four dot-separated decimal fields 0..255, leading zeros allowed. */
    for (int field = 0; field < 4; field++) {
        unsigned v = 0;
        const char *start = s;
        while (*s >= '0' && *s <= '9' && s - start < 4)
            v = v * 10 + (unsigned)(*s++ - '0');
        if (s == start || s - start > 3 || v > 255)
            return false;
        if (field < 3 && *s++ != '.')
            return false;
    }
    return *s == '\0';
}
