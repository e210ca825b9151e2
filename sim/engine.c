/*
 * sim/engine.c - the event queue: a radix heap over integer nanosecond times, with byte
 * digits, FIFO among equal times.
 *
 * Why a radix heap. A simulation clock never runs backwards, and a radix heap is built on
 * exactly that. Every queued time is >= `last`, the time of the last pop. An event lives
 * at level L, the index of the highest byte in which its time differs from `last` (0 if
 * it does not differ at all), in bucket d, the value of that byte of its time. Its bytes
 * above L equal last's and its byte L is larger (at L = 0: not smaller), so everything
 * at a lower level, or at the same level in a lower bucket, is earlier: the minimum is
 * in the lowest occupied bucket of the lowest occupied level, found with two
 * count-trailing-zeros on the occupancy bitmaps. A level-0 bucket holds one exact time,
 * so it is popped from directly. A bucket at level L >= 1 is first emptied: `last`
 * becomes its minimum (kept per bucket) and its events move to levels below L, relative
 * to the new `last` (nothing else changes level: the new `last` differs from the old one
 * only in bytes <= L). A bucket at level L >= 1 holding a single event is popped from
 * directly, without the move. An event therefore moves at most 7 times in its life; in
 * W2 (2 s holds, 0.5 ms between events) 1.5 times on average.
 *
 * A radix heap has nothing to size or tune, unlike a timing wheel, which is faster when
 * its slot width and horizon fit the traffic and slower when a rate swings 100x during a
 * run (notes/event-queues.md). Byte digits instead of the textbook one bucket per bit:
 * with bit buckets an event moves once for every bucket it passes on its way down (a
 * 2 s hold is ~31 bits away), and that version ran W2 at 1.2x the hand-written binary
 * heap; with byte digits, 1.5-1.7x (bench/README.md), with the same event order.
 *
 * Why ties stay FIFO. Only the time is the radix key; the seq is never compared. It does
 * not need to be, because every bucket keeps its events in increasing seq order:
 *   - a schedule appends an event whose seq is larger than any handed out before;
 *   - emptying a bucket at level L walks it in order and appends to buckets at levels
 *     below L, which are all empty at that moment (L is the lowest occupied level), so
 *     each receives an ordered subsequence of an ordered list.
 * Events with equal times are always in the same bucket (level and digit depend on the
 * time only), so they leave in seq order. tests/test_engine.c checks the popped order
 * against a binary heap keyed on (time, seq). For the same reason each bucket's smallest
 * (time, seq), which sim_engine_peek_key() reports, is the first event that arrived with
 * the bucket's smallest time: a strict "time < min_time" update keeps it.
 *
 * Storage. Events sit in one pool of nodes, linked into singly linked FIFO lists per
 * bucket by 32-bit indices (node 0 is the null index). Moving an event between buckets
 * relinks it without copying; freed nodes go on a free list and are reused first, while
 * still in cache. The pool doubles when the live count reaches a new high, so memory
 * follows the peak of live events, never the number processed; nothing is allocated per
 * event. The bucket table (2048 heads, 48 KiB) is allocated once at init.
 */
#include "sim/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One bucket: a FIFO list of nodes, and its smallest (time, seq) while it is not empty. */
struct sim__bucket {
    uint32_t head; /* 0: empty */
    uint32_t tail;
    uint64_t min_time;
    uint64_t min_seq;
};

struct sim__node {
    sim_event ev;
    uint32_t next; /* next node in the same bucket or on the free list; 0 ends the list */
};

/* Out of memory is not something the simulator can recover from: say so and stop. */
static void sim__engine_oom(size_t bytes)
{
    fprintf(stderr, "splitsim: out of memory (event engine, %zu bytes)\n", bytes);
    abort();
}

#if defined(__GNUC__) || defined(__clang__)
#define SIM__CLZ64(x) ((unsigned)__builtin_clzll(x))
#define SIM__CTZ64(x) ((unsigned)__builtin_ctzll(x))
#define SIM__CTZ32(x) ((unsigned)__builtin_ctz(x))
#else
static unsigned sim__clz64(uint64_t x)
{
    unsigned n = 0;
    for (uint64_t bit = (uint64_t)1 << 63; (x & bit) == 0; bit >>= 1) {
        n++;
    }
    return n;
}
static unsigned sim__ctz64(uint64_t x)
{
    unsigned n = 0;
    for (; (x & 1) == 0; x >>= 1) {
        n++;
    }
    return n;
}
#define SIM__CLZ64(x) sim__clz64(x)
#define SIM__CTZ64(x) sim__ctz64(x)
#define SIM__CTZ32(x) sim__ctz64(x)
#endif

/* The bucket (as level * 256 + digit) for an event at `time` when the last pop was at
 * `last`: level = highest byte in which they differ (0 if none). */
static inline unsigned sim__slot(uint64_t time, uint64_t last)
{
    /* `| 1` makes equal times level 0 without a branch (and keeps clz defined). */
    unsigned level = (63u - SIM__CLZ64((time ^ last) | 1)) >> 3;
    return level * SIM__ENGINE_DIGITS + (unsigned)((time >> (level * 8)) & 0xff);
}

static inline void sim__mark(sim_engine *e, unsigned slot)
{
    unsigned word = slot / 64;
    e->occupied[word] |= (uint64_t)1 << (slot % 64);
    e->summary |= (uint32_t)1 << word;
}

static inline void sim__unmark(sim_engine *e, unsigned slot)
{
    unsigned word = slot / 64;
    e->occupied[word] &= ~((uint64_t)1 << (slot % 64));
    if (e->occupied[word] == 0) {
        e->summary &= ~((uint32_t)1 << word);
    }
}

/* The lowest occupied bucket: the one holding the minimum. `e->summary` must be non-zero. */
static inline unsigned sim__lowest_slot(const sim_engine *e)
{
    unsigned word = SIM__CTZ32(e->summary);
    return word * 64 + SIM__CTZ64(e->occupied[word]);
}

/* Appends node `n` (its event already filled in) to bucket `slot`. The caller guarantees
 * the event's seq is larger than every seq in that bucket (see the file comment). */
static inline void sim__append(sim_engine *e, unsigned slot, uint32_t n)
{
    struct sim__bucket *b = &e->bucket[slot];
    const sim_event *ev = &e->node[n].ev;
    e->node[n].next = 0;
    if (b->head == 0) {
        b->head = n;
        b->min_time = ev->time;
        b->min_seq = ev->seq;
        sim__mark(e, slot);
    } else {
        e->node[b->tail].next = n;
        if (ev->time < b->min_time) {
            b->min_time = ev->time;
            b->min_seq = ev->seq;
        }
    }
    b->tail = n;
}

/* Doubles the node pool. Out of line: it runs only when the live count reaches a new high. */
static void sim__grow_pool(sim_engine *e)
{
    uint64_t cap = e->node_cap ? (uint64_t)e->node_cap * 2 : 64;
    if (cap > UINT32_MAX) {
        if (e->node_cap == UINT32_MAX) {
            fprintf(stderr, "splitsim: too many events queued at once (%zu)\n", e->size);
            abort();
        }
        cap = UINT32_MAX; /* indices stay below 2^32 - 1 */
    }
    if (cap > SIZE_MAX / sizeof(struct sim__node)) {
        sim__engine_oom(SIZE_MAX);
    }
    size_t bytes = (size_t)cap * sizeof(struct sim__node);
    struct sim__node *node = realloc(e->node, bytes);
    if (node == NULL) {
        sim__engine_oom(bytes);
    }
    e->node = node;
    e->node_cap = (uint32_t)cap;
}

static inline uint32_t sim__alloc_node(sim_engine *e)
{
    uint32_t n = e->free_node;
    if (n != 0) {
        e->free_node = e->node[n].next;
        return n;
    }
    if (e->node_used >= e->node_cap) { /* also the first time: used 1, cap 0 */
        sim__grow_pool(e);
    }
    return e->node_used++;
}

void sim_engine_init(sim_engine *e)
{
    memset(e, 0, sizeof *e);
    size_t n = (size_t)SIM__ENGINE_LEVELS * SIM__ENGINE_DIGITS;
    e->bucket = calloc(n, sizeof *e->bucket);
    if (e->bucket == NULL) {
        sim__engine_oom(n * sizeof *e->bucket);
    }
    e->node_used = 1; /* node 0 is the null index */
}

void sim_engine_deinit(sim_engine *e)
{
    free(e->bucket);
    free(e->node);
    memset(e, 0, sizeof *e);
}

uint64_t sim_engine_schedule(sim_engine *e, uint64_t time, uint32_t kind, uint32_t a, uint64_t b)
{
    /* Checked in every build, not only with assert(): an event in the past would land in
     * a wrong bucket and silently break the order this program exists to get right. The
     * branch is never taken and costs nothing measurable. */
    if (time < e->last) {
        fprintf(stderr,
                "splitsim: internal error: event scheduled at %llu ns, before the current "
                "time %llu ns\n",
                (unsigned long long)time, (unsigned long long)e->last);
        abort();
    }
    uint32_t n = sim__alloc_node(e);
    uint64_t seq = e->next_seq++;
    e->node[n].ev = (sim_event){.time = time, .seq = seq, .kind = kind, .a = a, .b = b};
    sim__append(e, sim__slot(time, e->last), n);
    e->size++;
    return seq;
}

/* Empties bucket `slot` (at level >= 1, the lowest occupied) into the levels below it,
 * relative to its minimum, which becomes `last`. Afterwards the minimum is at the head of
 * the level-0 bucket for last's low byte. */
static void sim__redistribute(sim_engine *e, unsigned slot)
{
    struct sim__bucket *b = &e->bucket[slot];
    uint64_t last = b->min_time;
    uint32_t n = b->head;

    e->last = last;
    b->head = 0;
    sim__unmark(e, slot);
    /* In list (= seq) order, so that every target bucket stays seq-ordered. */
    while (n != 0) {
        uint32_t next = e->node[n].next;
        sim__append(e, sim__slot(e->node[n].ev.time, last), n);
        n = next;
    }
}

/* Removes the minimum, which is in bucket `slot`, the lowest occupied one. */
static inline void sim__pop_from(sim_engine *e, unsigned slot, sim_event *out)
{
    struct sim__bucket *b = &e->bucket[slot];
    if (slot >= SIM__ENGINE_DIGITS && b->head != b->tail) {
        sim__redistribute(e, slot);
        slot = (unsigned)(e->last & 0xff); /* level 0, digit = last's low byte */
        b = &e->bucket[slot];
    }
    /* Here the bucket is at level 0 (one time, FIFO), or holds a single event: either way
     * its head is the minimum. Taking a lone event directly, without moving it to level 0
     * first, saves most of the moves when events are sparse. */
    uint32_t n = b->head;
    *out = e->node[n].ev;
    b->head = e->node[n].next;
    if (b->head == 0) {
        sim__unmark(e, slot);
    } else {
        /* A level-0 bucket holds one time: its next event is its new minimum. */
        b->min_seq = e->node[b->head].ev.seq;
    }
    e->node[n].next = e->free_node;
    e->free_node = n;
    /* Every other event keeps its level and bucket: the new `last` shares all bytes above
     * the popped bucket's level with the old one, and no lower level is occupied. */
    e->last = out->time;
    e->size--;
}

bool sim_engine_pop(sim_engine *e, sim_event *out)
{
    if (e->summary == 0) {
        return false;
    }
    sim__pop_from(e, sim__lowest_slot(e), out);
    return true;
}

bool sim_engine_pop_before(sim_engine *e, uint64_t time, uint64_t seq, sim_event *out)
{
    if (e->summary == 0) {
        return false;
    }
    unsigned slot = sim__lowest_slot(e);
    const struct sim__bucket *b = &e->bucket[slot];
    if (b->min_time > time || (b->min_time == time && b->min_seq >= seq)) {
        return false;
    }
    sim__pop_from(e, slot, out);
    return true;
}

bool sim_engine_peek_key(const sim_engine *e, uint64_t *time, uint64_t *seq)
{
    if (e->summary == 0) {
        return false;
    }
    const struct sim__bucket *b = &e->bucket[sim__lowest_slot(e)];
    *time = b->min_time;
    *seq = b->min_seq;
    return true;
}


uint64_t sim_engine_now(const sim_engine *e)
{
    return e->last;
}

size_t sim_engine_capacity(const sim_engine *e)
{
    return e->node_cap ? (size_t)e->node_cap - 1 : 0;
}
