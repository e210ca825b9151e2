/*
 * sim/engine.c - the event queue: a radix heap over integer nanosecond times, with byte
 * digits, FIFO among equal times; with sim_engine_init_sized(), behind a timing wheel
 * sized for the caller's traffic.
 *
 * Why a radix heap. A simulation clock never runs backwards, and a radix heap is built on
 * exactly that. Every queued time is >= `last`, the radix heap's clock (radix_last: the
 * time of the last event it released; without a wheel, that of the last pop). An event
 * lives at level L, the index of the highest byte in which its time differs from `last`
 * (0 if it does not differ at all), in bucket d, the value of that byte of its time. Its
 * bytes above L equal last's and its byte L is larger (at L = 0: not smaller), so
 * everything at a lower level, or at the same level in a lower bucket, is earlier: the
 * minimum is in the lowest occupied bucket of the lowest occupied level, found with two
 * count-trailing-zeros on the occupancy bitmaps. A level-0 bucket holds one exact time,
 * so it is popped from directly. A bucket at level L >= 1 is first emptied: `last`
 * becomes its minimum (kept per bucket) and its events move to levels below L, relative
 * to the new `last` (nothing else changes level: the new `last` differs from the old one
 * only in bytes <= L). A bucket at level L >= 1 holding a single event is popped from
 * directly, without the move. An event therefore moves at most 7 times in its life; in
 * W2 (2 s holds, 0.5 ms between events) 1.5 times on average.
 *
 * A radix heap has nothing to size or tune. Byte digits instead of the textbook one
 * bucket per bit: with bit buckets an event moves once for every bucket it passes on its
 * way down (a 2 s hold is ~31 bits away), and that version ran W2 at 1.2x the
 * hand-written binary heap; with byte digits, 1.5-1.7x (bench/README.md), with the same
 * event order.
 *
 * Why ties stay FIFO in the radix heap. Only the time is the radix key; the seq is never
 * compared. It does not need to be, because every bucket keeps its events in increasing
 * seq order:
 *   - a schedule appends an event whose seq is larger than any handed out before;
 *   - emptying a bucket at level L walks it in order and appends to buckets at levels
 *     below L, which are all empty at that moment (L is the lowest occupied level), so
 *     each receives an ordered subsequence of an ordered list.
 * Events with equal times are always in the same bucket (level and digit depend on the
 * time only), so they leave in seq order. For the same reason each bucket's smallest
 * (time, seq) is the first event that arrived with the bucket's smallest time: a strict
 * "time < min_time" update keeps it. (Behind a wheel, the radix heap receives events from
 * schedules only, so the same holds.)
 *
 * Why a timing wheel in front, when the caller can size it. A simulator knows its
 * traffic before it runs, and then a wheel is cheaper still: with slots about one mean
 * gap between schedules wide, an event is pushed onto its slot's unsorted list, sorted
 * once with the few others of its slot when the wheel reaches it, and popped: no moves
 * between levels, no search beyond a bitmap word. With the W2 loop of bench/ (the queue
 * and nothing else of the simulator) it took 12% less time than the radix heap at ~2k
 * live events and 30% less at ~200k, with the same order fingerprint (bench/README.md). Its
 * cost is that it must be sized; the notes (notes/event-queues.md) measured slots
 * of ~16 events, but here, where only departures are queued and the minimum is cached
 * for the held-aside merge, one event per slot was fastest (16 per slot: 12% slower).
 *
 * The wheel. Time is cut into slots of 2^shift ns; an event's slot is time >> shift.
 *   - `cur` is the current slot. Every queued event at or before run_max, the last ns of
 *     slot cur, is in the run or in the late heap. The run holds node indices sorted by
 *     (time, seq), consumed from run_head. An event scheduled into that range afterwards
 *     is appended to the run when it sorts last (its seq is the largest, so a time not
 *     before the run's last time suffices), else pushed onto `late`, a binary min-heap
 *     on (time, seq). The minimum is the smaller of the run's head and the heap's top.
 *   - Slots cur+1 .. cur+S-1 (S slots, a power of two) hold unsorted lists, at position
 *     slot & (S-1); a bitmap, one bit per slot plus a summary bit per 64 slots, finds the
 *     next non-empty one.
 *   - Events in slot cur+S or later, past the horizon, wait in the radix heap.
 * When the run and the late heap are both empty and events remain, the wheel moves on
 * (sim__refill): cur becomes the next non-empty slot or, if no slot holds anything, the
 * slot of the radix heap's minimum; the radix heap's events that the new horizon reaches
 * move into their slots; the new current slot's list is sorted into the run (insertion
 * sort up to 32 events, merge sort beyond). So the run and the late heap are empty only
 * when the whole queue is: the minimum is always at hand, and its key is kept in
 * min_time/min_seq for sim_engine_peek_key() and the inline sim_engine_pop_before().
 * When the queue empties, the wheel starts over at the slot of the next event scheduled.
 *
 * Why the wheel's order is exact. Everything in the run and the late heap is at or before
 * run_max; everything in a slot list is in a later slot; everything in the radix heap is
 * past the horizon, so later than every slot list. Moving on keeps this: the next
 * non-empty slot is before the old horizon, so before every radix event, and the radix
 * events that the new horizon reaches land in slots after the new current one (or in it,
 * when the wheel was empty and cur jumped to the radix minimum's slot). The clock stays
 * at the last pop, so an event may be scheduled after the wheel has moved on yet before
 * the new current slot begins: it is at or before run_max, so it goes to the run or the
 * late heap like any other. The run and the heap compare the whole (time, seq) key, and
 * keys are unique, so the order in which a slot list was built does not matter and equal
 * times leave in seq order. The radix heap's clock is the time of the last event it
 * released, which was inside an earlier horizon, so whatever it receives later (past the
 * current horizon) is not before its clock.
 *
 * What a wrong size costs: speed, never order. The tests run the reference comparison on
 * wheels from 1 ns to 2^63 ns wide and 64 to 2^20 slots, and on hints 100x off. W2's
 * loop with hints off (2k live; the radix heap alone: 1.14x the wheel's time):
 *   - slots too narrow (gap hint 100x too small): 1.13x. Most slots are empty, skipped
 *     64 at a time by the bitmap, and most events pass through the radix heap first;
 *   - slots too wide (gap hint 4x, 16x, 100x too large): 1.05x, 1.12x, 1.45x. Slots hold
 *     many events to sort on entry (O(n log n)), and events scheduled into the current
 *     slot go to the late heap (O(log n)): towards a binary heap's cost;
 *   - horizon too short (life hint 4x, 100x too small): 1.33x, 1.40x: the events past it
 *     pass through the radix heap and then move into the wheel;
 *   - horizon too long (life hint 100x too large): 1.01x, but 100x the slot table.
 *
 * Storage. Events sit in one pool of nodes, linked by 32-bit indices (node 0 is the null
 * index) into singly linked lists: FIFO per radix bucket, LIFO per wheel slot. Moving an
 * event between buckets or into a slot relinks it without copying; freed nodes go on a
 * free list and are reused first, while still in cache. The pool doubles when the live
 * count reaches a new high, so memory follows the peak of live events, never the number
 * processed; nothing is allocated per event, and pops never allocate: the wheel's run and
 * late heap are arrays of node indices grown with the pool (8 bytes per node). The bucket
 * table (2048 heads, 48 KiB) is allocated at init, and with a wheel the slot table (4
 * bytes per slot) and its bitmaps (1/8 byte per slot).
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
    uint32_t next; /* next node in the same list (bucket, slot or free list); 0 ends it */
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
#define SIM__PREFETCH(p) __builtin_prefetch(p)
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
#define SIM__PREFETCH(p) ((void)(p))
#endif

static void *sim__realloc(void *p, size_t n, size_t size)
{
    if (n > SIZE_MAX / size) {
        sim__engine_oom(SIZE_MAX);
    }
    void *q = realloc(p, n * size);
    if (q == NULL) {
        sim__engine_oom(n * size);
    }
    return q;
}

static void *sim__calloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL) {
        sim__engine_oom(n * size);
    }
    return p;
}

/* (time, seq) order. */
static inline bool sim__before(const sim_event *x, const sim_event *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

/* --- the node pool ----------------------------------------------------------------- */

/* Doubles the node pool, and with a wheel its run and late arrays, which hold node
 * indices and so never need more entries than there are nodes. Out of line: it runs only
 * when the live count reaches a new high. */
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
    e->node = sim__realloc(e->node, (size_t)cap, sizeof *e->node);
    if (e->slot_head != NULL) {
        e->run = sim__realloc(e->run, (size_t)cap, sizeof *e->run);
        e->late = sim__realloc(e->late, (size_t)cap, sizeof *e->late);
    }
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

/* Copies node `n`'s event to `*out`, frees the node and makes its time the current time. */
static inline void sim__deliver(sim_engine *e, uint32_t n, sim_event *out)
{
    *out = e->node[n].ev;
    e->node[n].next = e->free_node;
    e->free_node = n;
    e->last = out->time;
    e->size--;
}

/* --- the radix heap ---------------------------------------------------------------- */

/* The bucket (as level * 256 + digit) for an event at `time` when the radix heap's clock
 * is at `last`: level = highest byte in which they differ (0 if none). */
static inline unsigned sim__bucket_of(uint64_t time, uint64_t last)
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
static inline unsigned sim__lowest_bucket(const sim_engine *e)
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

/* Queues node `n` in the radix heap; its time is >= e->radix_last. */
static inline void sim__radix_insert(sim_engine *e, uint32_t n)
{
    sim__append(e, sim__bucket_of(e->node[n].ev.time, e->radix_last), n);
}

/* Empties bucket `slot` (at level >= 1, the lowest occupied) into the levels below it,
 * relative to its minimum, which becomes the radix clock. Afterwards the minimum is at
 * the head of the level-0 bucket for that clock's low byte. */
static void sim__redistribute(sim_engine *e, unsigned slot)
{
    struct sim__bucket *b = &e->bucket[slot];
    uint64_t last = b->min_time;
    uint32_t n = b->head;

    e->radix_last = last;
    b->head = 0;
    sim__unmark(e, slot);
    /* In list (= seq) order, so that every target bucket stays seq-ordered. */
    while (n != 0) {
        uint32_t next = e->node[n].next;
        sim__append(e, sim__bucket_of(e->node[n].ev.time, last), n);
        n = next;
    }
}

/* Unlinks and returns the radix heap's minimum, which is in bucket `slot`, the lowest
 * occupied one; its time becomes the radix clock. The node is not freed. */
static inline uint32_t sim__radix_take(sim_engine *e, unsigned slot)
{
    struct sim__bucket *b = &e->bucket[slot];
    if (slot >= SIM__ENGINE_DIGITS && b->head != b->tail) {
        sim__redistribute(e, slot);
        slot = (unsigned)(e->radix_last & 0xff); /* level 0, digit = the clock's low byte */
        b = &e->bucket[slot];
    }
    /* Here the bucket is at level 0 (one time, FIFO), or holds a single event: either way
     * its head is the minimum. Taking a lone event directly, without moving it to level 0
     * first, saves most of the moves when events are sparse. */
    uint32_t n = b->head;
    b->head = e->node[n].next;
    if (b->head == 0) {
        sim__unmark(e, slot);
    } else {
        /* A level-0 bucket holds one time: its next event is its new minimum. */
        b->min_seq = e->node[b->head].ev.seq;
    }
    /* Every other event keeps its level and bucket: the new clock shares all bytes above
     * the popped bucket's level with the old one, and no lower level is occupied. */
    e->radix_last = e->node[n].ev.time;
    return n;
}

/* --- the timing wheel -------------------------------------------------------------- */

/* Words of the slot bitmap; the summary (one bit per word) follows them in slot_bits. */
static inline uint64_t sim__slot_words(const sim_engine *e)
{
    return (e->slot_mask >> 6) + 1;
}

/* Pushes node `n` onto the unsorted list of slot position `pos` (= slot & slot_mask). */
static inline void sim__slot_push(sim_engine *e, uint64_t pos, uint32_t n)
{
    uint64_t w = pos >> 6;
    e->node[n].next = e->slot_head[pos];
    e->slot_head[pos] = n;
    e->slot_bits[w] |= (uint64_t)1 << (pos & 63);
    e->slot_bits[sim__slot_words(e) + (w >> 6)] |= (uint64_t)1 << (w & 63);
    e->in_slots++;
}

/* The first non-empty bitmap word at index >= w0, or UINT64_MAX if there is none. */
static uint64_t sim__slot_word_from(const sim_engine *e, uint64_t w0)
{
    uint64_t words = sim__slot_words(e);
    const uint64_t *summary = e->slot_bits + words;
    uint64_t n_summary = (words + 63) >> 6;
    uint64_t sw = w0 >> 6;
    if (w0 >= words) {
        return UINT64_MAX;
    }
    uint64_t bits = summary[sw] & (~(uint64_t)0 << (w0 & 63));
    while (bits == 0) {
        if (++sw == n_summary) {
            return UINT64_MAX;
        }
        bits = summary[sw];
    }
    return (sw << 6) + SIM__CTZ64(bits);
}

/* The first non-empty slot position at or after `pos`, going round: some slot must be
 * non-empty. Two count-trailing-zeros when the wheel is dense, a walk over the summary
 * (one bit per 64 slots) when it is sparse. */
static uint64_t sim__slot_next(const sim_engine *e, uint64_t pos)
{
    uint64_t w = pos >> 6;
    uint64_t bits = e->slot_bits[w] & (~(uint64_t)0 << (pos & 63));
    if (bits == 0) {
        w = sim__slot_word_from(e, w + 1);
        if (w == UINT64_MAX) {
            w = sim__slot_word_from(e, 0); /* round the wheel: found at the latest in w */
        }
        bits = e->slot_bits[w];
    }
    return (w << 6) + SIM__CTZ64(bits);
}

/* Sorts node indices v[0..n) by their events' (time, seq), by insertion. */
static void sim__sort_small(const struct sim__node *node, uint32_t *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        const sim_event *ex = &node[x].ev;
        uint32_t j = i;
        while (j > 0 && sim__before(ex, &node[v[j - 1]].ev)) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Sorts node indices v[0..n) by (time, seq), using tmp[0..n) as scratch: insertion sort
 * on runs of 16, then bottom-up merges. Keys are unique, so the result does not depend on
 * the order of the input (a slot list's order does not matter). */
static void sim__sort(const struct sim__node *node, uint32_t *v, uint32_t *tmp, uint32_t n)
{
    enum { RUN = 16 };
    for (size_t i = 0; i < n; i += RUN) {
        sim__sort_small(node, v + i, n - i < RUN ? (uint32_t)(n - i) : RUN);
    }
    uint32_t *src = v, *dst = tmp;
    for (size_t width = RUN; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = n - lo < width ? n : lo + width;
            size_t hi = n - lo < 2 * width ? n : lo + 2 * width;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                dst[k++] = sim__before(&node[src[j]].ev, &node[src[i]].ev) ? src[j++] : src[i++];
            }
            while (i < mid) {
                dst[k++] = src[i++];
            }
            while (j < hi) {
                dst[k++] = src[j++];
            }
        }
        uint32_t *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != v) {
        memcpy(v, src, (size_t)n * sizeof *v);
    }
}

/* The late heap: a binary min-heap of node indices by (time, seq). */
static void sim__late_push(sim_engine *e, uint32_t n)
{
    const sim_event *ev = &e->node[n].ev;
    uint32_t i = e->late_len++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!sim__before(ev, &e->node[e->late[parent]].ev)) {
            break;
        }
        e->late[i] = e->late[parent];
        i = parent;
    }
    e->late[i] = n;
}

static void sim__late_pop(sim_engine *e)
{
    uint32_t last = e->late[--e->late_len];
    uint32_t len = e->late_len, i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= len) {
            break;
        }
        if (c + 1 < len && sim__before(&e->node[e->late[c + 1]].ev, &e->node[e->late[c]].ev)) {
            c++;
        }
        if (!sim__before(&e->node[e->late[c]].ev, &e->node[last].ev)) {
            break;
        }
        e->late[i] = e->late[c];
        i = c;
    }
    e->late[i] = last;
}

/* Makes slot `cur` current (run_max follows it). */
static inline void sim__set_cur(sim_engine *e, uint64_t cur)
{
    e->cur = cur;
    /* Wraps to UINT64_MAX for the last slot of time, as it should. */
    e->run_max = ((cur + 1) << e->shift) - 1;
}

/*
 * Moves to the next slot holding events once the run and the late heap are empty and
 * something is still queued: the next non-empty slot of the wheel, or, if the wheel is
 * empty, the slot of the radix heap's minimum. Then the radix heap's events that the new
 * horizon reaches move into their slots, and the new current slot's list is sorted into
 * the run.
 */
static void sim__refill(sim_engine *e)
{
    if (e->in_slots != 0) {
        uint64_t pos = sim__slot_next(e, (e->cur + 1) & e->slot_mask);
        sim__set_cur(e, e->cur + ((pos - e->cur) & e->slot_mask));
    } else {
        sim__set_cur(e, e->bucket[sim__lowest_bucket(e)].min_time >> e->shift);
    }
    /* Every radix event is at or past the old horizon, so none of them precedes the new
     * current slot; those now inside the horizon move into slots (the current one
     * included, when the wheel was empty). */
    while (e->summary != 0) {
        unsigned b = sim__lowest_bucket(e);
        uint64_t slot = e->bucket[b].min_time >> e->shift;
        if (slot - e->cur > e->slot_mask) {
            break;
        }
        sim__slot_push(e, slot & e->slot_mask, sim__radix_take(e, b));
    }
    uint64_t pos = e->cur & e->slot_mask, w = pos >> 6;
    uint32_t n = e->slot_head[pos], len = 0;
    e->slot_head[pos] = 0;
    e->slot_bits[w] &= ~((uint64_t)1 << (pos & 63));
    if (e->slot_bits[w] == 0) {
        e->slot_bits[sim__slot_words(e) + (w >> 6)] &= ~((uint64_t)1 << (w & 63));
    }
    while (n != 0) {
        e->run[len++] = n;
        n = e->node[n].next;
    }
    e->in_slots -= len;
    if (len > 32) {
        sim__sort(e->node, e->run, e->late, len); /* the late heap is empty: scratch */
    } else if (len > 1) {
        sim__sort_small(e->node, e->run, len);
    }
    e->run_head = 0;
    e->run_len = len;
    /* The next slot's first event will be wanted soon: start loading it now. */
    if (e->in_slots != 0) {
        uint64_t next = sim__slot_next(e, (e->cur + 1) & e->slot_mask);
        SIM__PREFETCH(&e->node[e->slot_head[next]]);
    }
}

/* Queues node `n` (its event filled in, e->size not yet counted) in the wheel. */
static inline void sim__wheel_insert(sim_engine *e, uint32_t n)
{
    uint64_t time = e->node[n].ev.time;
    if (e->size == 0) {
        /* Nothing queued anywhere: the wheel may start over at this event's slot. */
        sim__set_cur(e, time >> e->shift);
    }
    if (time <= e->run_max) {
        /* At or before the end of the current slot: after the run's last event (its seq
         * is larger than all) the run stays sorted; else into the late heap. */
        if (e->run_len < e->node_cap &&
            (e->run_len == 0 || time >= e->node[e->run[e->run_len - 1]].ev.time)) {
            e->run[e->run_len++] = n;
        } else {
            sim__late_push(e, n);
        }
        return;
    }
    uint64_t slot = time >> e->shift; /* > cur, as time > run_max */
    if (slot - e->cur <= e->slot_mask) {
        sim__slot_push(e, slot & e->slot_mask, n);
    } else {
        /* Past the horizon: time >= (cur + slots) << shift > every time the radix heap
         * has released, so its clock is not passed. */
        sim__radix_insert(e, n);
    }
}

/* The node holding the wheel's minimum: the run's head or the late heap's top.
 * e->size must be non-zero. */
static inline uint32_t sim__wheel_min(const sim_engine *e)
{
    if (e->late_len == 0) {
        return e->run[e->run_head];
    }
    if (e->run_head == e->run_len) {
        return e->late[0];
    }
    uint32_t r = e->run[e->run_head], l = e->late[0];
    return sim__before(&e->node[l].ev, &e->node[r].ev) ? l : r;
}

/* Removes node `n`, which sim__wheel_min() returned, and delivers it. */
static inline void sim__wheel_take(sim_engine *e, uint32_t n, sim_event *out)
{
    if (e->late_len != 0 && n == e->late[0]) {
        sim__late_pop(e);
    } else {
        e->run_head++;
    }
    sim__deliver(e, n, out);
    if (e->run_head == e->run_len) {
        e->run_head = e->run_len = 0;
        if (e->late_len == 0 && e->size != 0) {
            sim__refill(e);
        }
    }
}

/* --- the public functions ---------------------------------------------------------- */

/* No event queued: the cached key compares after every (time, seq) a caller can hold. */
static inline void sim__set_min_empty(sim_engine *e)
{
    e->min_time = UINT64_MAX;
    e->min_seq = UINT64_MAX;
}

void sim_engine_init(sim_engine *e)
{
    memset(e, 0, sizeof *e);
    e->bucket = sim__calloc((size_t)SIM__ENGINE_LEVELS * SIM__ENGINE_DIGITS, sizeof *e->bucket);
    e->node_used = 1; /* node 0 is the null index */
    sim__set_min_empty(e);
}

void sim_engine_init_sized(sim_engine *e, uint64_t slot_ns, size_t slots)
{
    sim_engine_init(e);
    if (slot_ns == 0 || slots == 0) {
        return;
    }
    size_t n = SIM_ENGINE_SLOTS_MIN;
    while (n < slots && n < SIM_ENGINE_SLOTS_MAX) {
        n *= 2;
    }
    size_t words = n / 64;
    e->shift = 63u - SIM__CLZ64(slot_ns); /* rounded down to a power of two */
    e->slot_mask = n - 1;
    e->slot_head = sim__calloc(n, sizeof *e->slot_head);
    e->slot_bits = sim__calloc(words + (words + 63) / 64, sizeof *e->slot_bits);
    sim__set_cur(e, 0);
}

void sim_engine_sizing(double gap_ns, double life_ns, uint64_t *slot_ns, size_t *slots)
{
    *slot_ns = 0;
    *slots = 0;
    if (!(gap_ns > 0) || !(life_ns > 0)) { /* also NaN */
        return;
    }
    double width = gap_ns * SIM_ENGINE_EVENTS_PER_SLOT;
    double horizon = life_ns * SIM_ENGINE_HORIZON_LIVES;
    /* The power of two nearest the width (up to 1.5 times it), at least 1 ns... */
    unsigned shift = 0;
    while (shift < 62 && (double)((uint64_t)1 << (shift + 1)) <= width * 1.5) {
        shift++;
    }
    /* ...or wider, so that SLOTS_MAX slots still reach the horizon. */
    while (shift < 62 && horizon / (double)((uint64_t)1 << shift) > (double)SIM_ENGINE_SLOTS_MAX) {
        shift++;
    }
    double n = horizon / (double)((uint64_t)1 << shift);
    *slot_ns = (uint64_t)1 << shift;
    *slots = n >= (double)SIM_ENGINE_SLOTS_MAX ? SIM_ENGINE_SLOTS_MAX : (size_t)n + 1;
}

void sim_engine_deinit(sim_engine *e)
{
    free(e->bucket);
    free(e->node);
    free(e->slot_head);
    free(e->slot_bits);
    free(e->run);
    free(e->late);
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
    if (e->slot_head != NULL) {
        sim__wheel_insert(e, n);
    } else {
        sim__radix_insert(e, n);
    }
    e->size++;
    /* Its seq is the largest, so it is the new minimum only if its time is earlier (or
     * the queue was empty: the empty key is (UINT64_MAX, UINT64_MAX)). */
    if (time < e->min_time || (time == e->min_time && seq < e->min_seq)) {
        e->min_time = time;
        e->min_seq = seq;
    }
    return seq;
}

void sim__engine_pop_min(sim_engine *e, sim_event *out)
{
    if (e->slot_head != NULL) {
        sim__wheel_take(e, sim__wheel_min(e), out);
        if (e->size == 0) {
            sim__set_min_empty(e);
        } else {
            const sim_event *ev = &e->node[sim__wheel_min(e)].ev;
            e->min_time = ev->time;
            e->min_seq = ev->seq;
        }
        return;
    }
    sim__deliver(e, sim__radix_take(e, sim__lowest_bucket(e)), out);
    if (e->summary == 0) {
        sim__set_min_empty(e);
    } else {
        const struct sim__bucket *b = &e->bucket[sim__lowest_bucket(e)];
        e->min_time = b->min_time;
        e->min_seq = b->min_seq;
    }
}

bool sim_engine_pop(sim_engine *e, sim_event *out)
{
    if (e->size == 0) {
        return false;
    }
    sim__engine_pop_min(e, out);
    return true;
}

bool sim_engine_peek_key(const sim_engine *e, uint64_t *time, uint64_t *seq)
{
    if (e->size == 0) {
        return false;
    }
    *time = e->min_time;
    *seq = e->min_seq;
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
