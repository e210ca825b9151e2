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
 * The queue is a radix heap; sim/engine.c explains the choice.
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
    uint64_t last;      /* time of the last popped event (0 before the first) */
    uint64_t next_seq;  /* the next sequence number to hand out */
    size_t size;        /* live events */
    uint32_t summary;   /* bit w set iff occupied[w] != 0 */
    uint32_t free_node; /* head of the free node list, 0 = none */
    uint32_t node_used; /* nodes ever handed out (high-water mark), node[0] unused */
    uint32_t node_cap;  /* nodes allocated */
    /* Bit d%64 of word (level*256 + d)/64 set iff bucket d of that level is not empty. */
    uint64_t occupied[SIM__ENGINE_LEVELS * SIM__ENGINE_DIGITS / 64];
    struct sim__bucket *bucket; /* owned: LEVELS x DIGITS bucket heads */
    struct sim__node *node;     /* owned: node pool holding the queued events */
} sim_engine;

/*
 * Prepares `e` (caller storage) as an empty queue at time 0 whose first seq is 0.
 * Allocates the bucket table (48 KiB); event storage grows as events are scheduled.
 * Out of memory aborts with a message. Pair with sim_engine_deinit().
 */
void sim_engine_init(sim_engine *e);

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
 * O(1) (amortised over the growth of the event storage).
 */
uint64_t sim_engine_schedule(sim_engine *e, uint64_t time, uint32_t kind, uint32_t a, uint64_t b);

/*
 * Removes the smallest event by (time, seq) and copies it to `*out` (caller storage).
 * Returns false, leaving `*out` untouched, if the queue is empty. After a pop the current
 * time is out->time. No allocation. Amortised O(1): each event moves between buckets at
 * most 7 times in its life (1.5 times on average in bench/ workload W2).
 */
bool sim_engine_pop(sim_engine *e, sim_event *out);

/*
 * Like sim_engine_pop(), but only if the queue's smallest event comes before (time, seq)
 * in (time, seq) order; otherwise returns false and changes nothing. This is the merge
 * step for a held-aside event (see the top of this file) in one call: "pop a queued event
 * if it is due before my held one". `seq` is normally a reserved seq, never equal to a
 * queued one; were it equal, the queued event would not count as before.
 */
bool sim_engine_pop_before(sim_engine *e, uint64_t time, uint64_t seq, sim_event *out);

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
