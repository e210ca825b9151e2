/*
 * sim/engine.h - the event queue of the simulator.
 *
 * Events carry an integer time in nanoseconds and a sequence number that the engine
 * assigns from a counter that only goes up. They leave the queue in (time, seq) order, so
 * events at the same time come out in the order they were scheduled (FIFO), on every
 * compiler and every run. The clock only moves forward: an event may not be scheduled
 * before the time of the last event popped.
 *
 * The engine does not interpret events: `kind`, `a` and `b` are the caller's (for example
 * kind = departure, a = flow index, b = backend index).
 *
 * Held-aside events: a caller may keep the next event of a stream out of the queue (the
 * simulator keeps each flow's next arrival aside) and still merge it in the exact
 * (time, seq) order of a single queue. It reserves the event's seq with
 * sim_engine_next_seq() when the event is created, and at each step either pops what
 * sim_engine_pop_before() gives (queued events due before the held one) or handles the
 * held event. sim_engine_peek_key() gives the same comparison for callers that need the
 * key itself.
 *
 * Two structures, one order. sim_engine_init() gives a radix heap, which needs no
 * tuning. sim_engine_init_sized() puts a timing wheel in front of it for a caller that
 * knows its traffic before it runs (the simulator does: each flow's rate and mean hold
 * are in the scenario): slots of one width, each an unsorted list, the current one sorted
 * when the wheel reaches it; events past the wheel's horizon wait in the radix heap and
 * move into the wheel as the clock nears them. The wheel is faster when it fits the
 * traffic: on the benchmark's W2 loop the queue took 12% less time at ~2k live events and
 * 30% less at ~200k.
 *
 * The sizing rule (sim_engine_sizing()): slots about one mean gap between schedules wide
 * (a power of two), a horizon of four mean lives (e^-4: 2% of exponential holds reach
 * past it), at most SIM_ENGINE_SLOTS_MAX slots. A wrong hint changes the speed, never the
 * order: slots too narrow leave most of them empty and send most events through the
 * radix heap first; slots too wide make big slots to sort on entry and send events
 * scheduled into the current slot to a binary heap; a horizon shorter than the lives
 * sends more events through the radix heap. Hints 100x off cost up to 1.45x the time of
 * a well-sized wheel on W2 (1.14x is the radix heap alone); sim/engine.c has the figures
 * and explains both structures, and tests/test_engine.c checks the order on wheels sized
 * well and badly alike.
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One event. `time` and `seq` are the engine's; `kind`, `a`, `b` are opaque to it. */
typedef struct sim_event {
    uint64_t time; /* nanoseconds of simulated time */
    uint64_t seq;  /* assigned by sim_engine_schedule(); breaks ties between equal times */
    uint32_t kind;
    uint32_t a;
    uint64_t b;
} sim_event;

/* Private to sim/engine.c: the radix heap's shape (see there) and its storage types. */
#define SIM__ENGINE_LEVELS 8   /* one per byte of a 64-bit time */
#define SIM__ENGINE_DIGITS 256 /* buckets per level: one per value of that byte */
struct sim__bucket;
struct sim__node;

/*
 * The queue. Declared here so that a caller can embed it (caller storage, _init/_deinit);
 * its fields are private to sim/engine.c: use the functions below.
 */
typedef struct sim_engine {
    uint64_t last;     /* time of the last popped event (0 before the first) */
    uint64_t next_seq; /* the next sequence number to hand out */
    size_t size;       /* live events */
    /* The smallest queued (time, seq), UINT64_MAX twice when none: read inline below. */
    uint64_t min_time, min_seq;
    /* Node pool: every queued event, wherever it is queued. */
    struct sim__node *node; /* owned */
    uint32_t free_node;     /* head of the free node list, 0 = none */
    uint32_t node_used;     /* nodes ever handed out (high-water mark), node[0] unused */
    uint32_t node_cap;      /* nodes allocated */
    /* Radix heap: the whole queue, or with a wheel the events past its horizon. */
    uint32_t summary;    /* bit w set iff occupied[w] != 0 */
    uint64_t radix_last; /* the radix heap's own clock: <= every time it holds */
    /* Bit d%64 of word (level*256 + d)/64 set iff bucket d of that level is not empty. */
    uint64_t occupied[SIM__ENGINE_LEVELS * SIM__ENGINE_DIGITS / 64];
    struct sim__bucket *bucket; /* owned: LEVELS x DIGITS bucket heads */
    /* Timing wheel (sim_engine_init_sized only; slot_head == NULL without one). */
    uint32_t *slot_head; /* owned: one unsorted list per slot */
    uint64_t *slot_bits; /* owned: bit per non-empty slot, then one bit per word */
    uint32_t *run;       /* owned: the current slot's nodes, sorted by (time, seq) */
    uint32_t *late;      /* owned: min-heap of nodes scheduled into the current slot */
    uint64_t cur;        /* the current slot, as time >> shift */
    uint64_t run_max;    /* the last time the run covers: ((cur + 1) << shift) - 1 */
    uint64_t slot_mask;  /* slots - 1 */
    size_t in_slots;     /* events in the slot lists */
    uint32_t run_head;   /* the run is run[run_head .. run_len) */
    uint32_t run_len;
    uint32_t late_len; /* the late heap is late[0 .. late_len) */
    unsigned shift;    /* slot width = 2^shift ns */
} sim_engine;

/*
 * Prepares `e` (caller storage) as an empty queue at time 0 whose first seq is 0.
 * Allocates the bucket table (48 KiB); event storage grows as events are scheduled.
 * Out of memory aborts with a message. Pair with sim_engine_deinit().
 */
void sim_engine_init(sim_engine *e);

/*
 * Prepares `e` like sim_engine_init(), with a timing wheel in front of the radix heap:
 * `slots` slots of `slot_ns` nanoseconds each (the width rounded down to a power of two,
 * the count up to one, within SIM_ENGINE_SLOTS_MIN..SIM_ENGINE_SLOTS_MAX). Events within
 * the wheel's horizon (slots x width from the current slot) go into its slots; later ones
 * wait in the radix heap. Events leave in exactly the order of sim_engine_init() whatever
 * the sizes; the sizes only decide the speed (see the top of this file; sim_engine_sizing()
 * gives them). `slot_ns` or `slots` 0: no wheel, exactly sim_engine_init(). Allocates the
 * slot table (4 bytes a slot, plus 1/8 byte of bitmap) and, as events are queued, 8 bytes
 * per event more than without a wheel. Out of memory aborts with a message.
 */
void sim_engine_init_sized(sim_engine *e, uint64_t slot_ns, size_t slots);

#define SIM_ENGINE_SLOTS_MIN 64
#define SIM_ENGINE_SLOTS_MAX ((size_t)1 << 20)

/*
 * The sizing rule. For a queue that events enter on average every `gap_ns` nanoseconds
 * (one over the total rate of schedules) and stay in for `life_ns` on average (the mean
 * of their delays, weighted by rate), stores the slot width and slot count to pass to
 * sim_engine_init_sized() into `*slot_ns` and `*slots`: SIM_ENGINE_EVENTS_PER_SLOT mean
 * gaps per slot (the power of two nearest), a horizon of SIM_ENGINE_HORIZON_LIVES mean
 * lives; wider slots when more than SIM_ENGINE_SLOTS_MAX would be needed. Stores 0 and 0
 * (no wheel) when either figure is not positive (no traffic, or nothing stays). Figures
 * far from the truth cost speed, never correctness. Pure: no allocation, no state.
 */
void sim_engine_sizing(double gap_ns, double life_ns, uint64_t *slot_ns, size_t *slots);

#define SIM_ENGINE_EVENTS_PER_SLOT 1
#define SIM_ENGINE_HORIZON_LIVES 4

/*
 * Frees everything the queue allocated, dropping any events still queued. `e` itself
 * belongs to the caller; after this it may be init'ed again or discarded.
 */
void sim_engine_deinit(sim_engine *e);

/*
 * Queues an event at `time` carrying `kind`, `a`, `b`, and returns the seq it was given:
 * larger than every seq handed out before (by this function or sim_engine_next_seq()).
 *
 * `time` must not be earlier than the time of the last popped event (the current time of
 * the simulation); breaking that rule is a programming error and aborts with a message,
 * in every build. Scheduling at exactly the current time is allowed.
 *
 * During dispatch: an event popped with sim_engine_pop() is a copy owned by the caller, so
 * its handler may schedule freely. An event scheduled at the current time comes out after
 * every event already queued for that time (its seq is larger), and before any later time.
 * There is no cancel: a handler that needs one marks the event stale in its own state and
 * ignores it when it pops.
 *
 * Out of memory, or more than 2^32 - 2 events queued at once, aborts with a message.
 * O(1) (amortised over the growth of the event storage); with a wheel, O(log n) for an
 * event scheduled into the current slot out of order (the late heap).
 */
uint64_t sim_engine_schedule(sim_engine *e, uint64_t time, uint32_t kind, uint32_t a, uint64_t b);

/*
 * Removes the smallest event by (time, seq) and copies it to `*out` (caller storage).
 * Returns false, leaving `*out` untouched, if the queue is empty. After a pop the current
 * time is out->time. No allocation. Amortised O(1): each event moves between buckets at
 * most 7 times in its life (1.5 times on average in bench/ workload W2); with a wheel,
 * each is sorted once with the others of its slot (O(log n) for crowded slots) and moves
 * at most once from the radix heap into the wheel.
 */
bool sim_engine_pop(sim_engine *e, sim_event *out);

/* Private to sim/engine.c: pops the smallest event of a non-empty queue into `*out`. */
void sim__engine_pop_min(sim_engine *e, sim_event *out);

/*
 * Like sim_engine_pop(), but only if the queue's smallest event comes before (time, seq)
 * in (time, seq) order; otherwise returns false and changes nothing. This is the merge
 * step for a held-aside event (see the top of this file) in one call: "pop a queued event
 * if it is due before my held one". `seq` is normally a reserved seq, never equal to a
 * queued one; were it equal, the queued event would not count as before.
 */
static inline bool sim_engine_pop_before(sim_engine *e, uint64_t time, uint64_t seq, sim_event *out)
{
    /* Inline: the run loop asks at every arrival, and the answer is mostly no. The empty
     * queue's key (UINT64_MAX, UINT64_MAX) is never before anything. */
    if (e->min_time > time || (e->min_time == time && e->min_seq >= seq)) {
        return false;
    }
    sim__engine_pop_min(e, out);
    return true;
}

/*
 * Stores the (time, seq) of the event that sim_engine_pop() would return next into
 * `*time` and `*seq` and returns true, or returns false (storing nothing) if the queue is
 * empty. O(1), changes nothing: in particular the current time stays that of the last
 * pop, so a caller that then handles a held-aside event that comes first may still
 * schedule anything at or after that event's time.
 */
bool sim_engine_peek_key(const sim_engine *e, uint64_t *time, uint64_t *seq);

/* Returns the number of events queued.  (Inline: the run loop asks once per arrival.) */
static inline size_t sim_engine_size(const sim_engine *e)
{
    return e->size;
}

/*
 * Reserves and returns the next seq without queueing anything, for an event the caller
 * keeps aside (see the top of this file). Later schedules get larger seqs, so the held
 * event wins ties against everything scheduled after its creation, exactly as if it had
 * been scheduled into the queue at that moment.
 */
static inline uint64_t sim_engine_next_seq(sim_engine *e)
{
    return e->next_seq++;
}

/* Returns the time of the last popped event: the simulation's current time (0 at first). */
uint64_t sim_engine_now(const sim_engine *e);

/*
 * Returns how many events the engine's storage can hold without growing: it only grows
 * when the number of live events reaches a new high, and never shrinks before deinit.
 * For memory reports and tests.
 */
size_t sim_engine_capacity(const sim_engine *e);

#endif
