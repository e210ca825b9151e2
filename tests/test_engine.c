/*
 * tests/test_engine.c - the event queue pops in exact (time, seq) order.
 *
 * The reference is a plain binary heap keyed on (time, seq), written here so that the test
 * does not share code with what it checks. Random workloads use a local splitmix64 with
 * fixed seeds, so every run checks the same sequences.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "sim/engine.h"

/* --- helpers --------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Reference queue: binary min-heap on (time, seq). */
struct ref_heap {
    sim_event *ev;
    size_t len, cap;
};

static bool ref_less(const sim_event *x, const sim_event *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static void ref_push(struct ref_heap *h, sim_event ev)
{
    if (h->len == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 16;
        h->ev = realloc(h->ev, h->cap * sizeof *h->ev);
        cr_assert_not_null(h->ev);
    }
    size_t i = h->len++;
    while (i > 0 && ref_less(&ev, &h->ev[(i - 1) / 2])) {
        h->ev[i] = h->ev[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->ev[i] = ev;
}

static sim_event ref_pop(struct ref_heap *h)
{
    sim_event top = h->ev[0];
    sim_event last = h->ev[--h->len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->len) {
            break;
        }
        if (c + 1 < h->len && ref_less(&h->ev[c + 1], &h->ev[c])) {
            c++;
        }
        if (!ref_less(&h->ev[c], &last)) {
            break;
        }
        h->ev[i] = h->ev[c];
        i = c;
    }
    if (h->len > 0) {
        h->ev[i] = last;
    }
    return top;
}

static void expect_same_event(const sim_event *got, const sim_event *want, uint64_t step)
{
    cr_assert_eq(got->time, want->time, "step %llu: time %llu, want %llu", (unsigned long long)step,
                 (unsigned long long)got->time, (unsigned long long)want->time);
    cr_assert_eq(got->seq, want->seq, "step %llu: seq %llu, want %llu", (unsigned long long)step,
                 (unsigned long long)got->seq, (unsigned long long)want->seq);
    cr_assert_eq(got->kind, want->kind);
    cr_assert_eq(got->a, want->a);
    cr_assert_eq(got->b, want->b);
}

/* Pops one event from both queues and checks they agree, peek included. */
static void pop_both(sim_engine *e, struct ref_heap *h, uint64_t step)
{
    uint64_t t, s;
    cr_assert(sim_engine_peek_key(e, &t, &s));
    cr_assert_eq(t, h->ev[0].time);
    cr_assert_eq(s, h->ev[0].seq);
    sim_event got;
    cr_assert(sim_engine_pop(e, &got));
    sim_event want = ref_pop(h);
    expect_same_event(&got, &want, step);
    cr_assert_eq(sim_engine_now(e), got.time);
    cr_assert_eq(sim_engine_size(e), h->len);
}

/* How a random workload draws the delay of a new event after the current time. */
enum delay_shape {
    DELAY_FINE,   /* any ns up to ~1 s */
    DELAY_COARSE, /* multiples of a unit, small counts: many exact ties */
    DELAY_HUGE,   /* mixes tiny delays with jumps to near 2^63 and beyond */
};

static uint64_t draw_delay(uint64_t *rng, enum delay_shape shape, uint64_t unit, uint64_t now)
{
    uint64_t r = splitmix64(rng);
    switch (shape) {
    case DELAY_FINE:
        return r % 1000000000u;
    case DELAY_COARSE:
        return (r % 8) * unit;
    case DELAY_HUGE: {
        uint64_t room = UINT64_MAX - now;
        uint64_t d;
        switch (r % 4) {
        case 0:
            d = 0;
            break;
        case 1:
            d = (r >> 8) % 1000;
            break;
        case 2:
            d = (uint64_t)1 << (62 + (r >> 8) % 2); /* 2^62 or 2^63 */
            break;
        default:
            d = (r >> 8) << ((r >> 4) % 8); /* arbitrary wide values */
            break;
        }
        return d <= room ? d : room / 2;
    }
    }
    return 0;
}

/*
 * Runs `steps` random operations (schedule with probability push_per_256/256, else pop)
 * against the engine and the reference, then drains both. Every pop must agree.
 */
static void run_random(uint64_t seed, enum delay_shape shape, uint64_t unit, unsigned push_per_256,
                       uint64_t steps)
{
    uint64_t rng = seed;
    sim_engine e;
    struct ref_heap h = {0};
    sim_engine_init(&e);
    uint64_t step = 0;
    for (; step < steps; step++) {
        uint64_t r = splitmix64(&rng);
        if (h.len == 0 || (r & 255) < push_per_256) {
            uint64_t now = sim_engine_now(&e);
            uint64_t time = now + draw_delay(&rng, shape, unit, now);
            uint32_t kind = (uint32_t)(r >> 8) & 7;
            uint32_t a = (uint32_t)(r >> 16);
            uint64_t b = splitmix64(&rng);
            uint64_t seq = sim_engine_schedule(&e, time, kind, a, b);
            ref_push(&h, (sim_event){.time = time, .seq = seq, .kind = kind, .a = a, .b = b});
        } else {
            pop_both(&e, &h, step);
        }
    }
    while (h.len > 0) {
        pop_both(&e, &h, step++);
    }
    sim_event dummy;
    cr_assert_not(sim_engine_pop(&e, &dummy));
    sim_engine_deinit(&e);
    free(h.ev);
}

/* --- tests ----------------------------------------------------------------------------- */

Test(engine, empty_pop_returns_false)
{
    sim_engine e;
    sim_engine_init(&e);
    sim_event ev = {.time = 77, .seq = 78};
    uint64_t t = 1, s = 2;
    cr_assert_not(sim_engine_pop(&e, &ev));
    cr_assert_eq(ev.time, 77, "a failed pop must leave *out untouched");
    cr_assert_not(sim_engine_peek_key(&e, &t, &s));
    cr_assert_eq(t, 1);
    cr_assert_eq(s, 2);
    cr_assert_eq(sim_engine_size(&e), 0);

    /* Empty again after use, and the clock stays where the last pop left it. */
    sim_engine_schedule(&e, 5, 0, 0, 0);
    cr_assert(sim_engine_pop(&e, &ev));
    cr_assert_not(sim_engine_pop(&e, &ev));
    cr_assert_eq(ev.time, 5);
    cr_assert_eq(sim_engine_now(&e), 5);
    sim_engine_deinit(&e);
}

Test(engine, seqs_count_up_from_zero_across_schedule_and_reserve)
{
    sim_engine e;
    sim_engine_init(&e);
    cr_assert_eq(sim_engine_schedule(&e, 10, 0, 0, 0), 0);
    cr_assert_eq(sim_engine_next_seq(&e), 1);
    cr_assert_eq(sim_engine_schedule(&e, 3, 0, 0, 0), 2);
    cr_assert_eq(sim_engine_next_seq(&e), 3);
    sim_engine_deinit(&e);
}

Test(engine, ties_pop_in_schedule_order)
{
    /* The same set of events, the equal-time group scheduled before and after the others:
     * within time 50, order is always the order of scheduling (a = 1, 2, 3). */
    for (int later_first = 0; later_first < 2; later_first++) {
        sim_engine e;
        sim_engine_init(&e);
        if (later_first) {
            sim_engine_schedule(&e, 90, 0, 9, 0);
        }
        sim_engine_schedule(&e, 50, 0, 1, 0);
        sim_engine_schedule(&e, 20, 0, 0, 0);
        sim_engine_schedule(&e, 50, 0, 2, 0);
        sim_engine_schedule(&e, 50, 0, 3, 0);
        if (!later_first) {
            sim_engine_schedule(&e, 90, 0, 9, 0);
        }
        uint32_t want[] = {0, 1, 2, 3, 9};
        for (size_t i = 0; i < 5; i++) {
            sim_event ev;
            cr_assert(sim_engine_pop(&e, &ev));
            cr_assert_eq(ev.a, want[i], "later_first=%d, pop %zu: a=%u", later_first, i, ev.a);
        }
        sim_engine_deinit(&e);
    }
}

Test(engine, ties_pop_in_schedule_order_when_scheduled_from_different_clock_positions)
{
    /* Two events at time 100, one scheduled at clock 0 and one at clock 64: they reach the
     * queue relative to different `last` values, yet must leave in schedule order. And the
     * reverse: in descending kinds, same time, so a mistaken sort by payload would show. */
    sim_engine e;
    sim_engine_init(&e);
    sim_engine_schedule(&e, 100, 7, 1, 0);
    sim_engine_schedule(&e, 64, 0, 0, 0);
    sim_engine_schedule(&e, 100, 5, 2, 0);
    sim_event ev;
    cr_assert(sim_engine_pop(&e, &ev));
    cr_assert_eq(ev.time, 64);
    sim_engine_schedule(&e, 100, 3, 3, 0);
    sim_engine_schedule(&e, 100, 1, 4, 0);
    for (uint32_t want = 1; want <= 4; want++) {
        cr_assert(sim_engine_pop(&e, &ev));
        cr_assert_eq(ev.time, 100);
        cr_assert_eq(ev.a, want);
    }
    cr_assert_not(sim_engine_pop(&e, &ev));
    sim_engine_deinit(&e);
}

Test(engine, handler_scheduling_at_current_time_runs_after_queued_equal_time_events)
{
    sim_engine e;
    sim_engine_init(&e);
    sim_engine_schedule(&e, 1000, 0, 1, 0);
    sim_engine_schedule(&e, 1000, 0, 2, 0);
    sim_engine_schedule(&e, 1001, 0, 9, 0);
    sim_engine_schedule(&e, 1000, 0, 3, 0);

    sim_event ev;
    cr_assert(sim_engine_pop(&e, &ev));
    cr_assert_eq(ev.a, 1);
    /* The handler of event 1 schedules two more events at the current time. */
    sim_engine_schedule(&e, ev.time, 0, 4, 0);
    sim_engine_schedule(&e, ev.time, 0, 5, 0);
    /* Event 3's handler schedules one more at the same instant: it goes after 4 and 5. */
    uint32_t want[] = {2, 3, 4, 5, 6};
    for (size_t i = 0; i < 5; i++) {
        cr_assert(sim_engine_pop(&e, &ev));
        cr_assert_eq(ev.a, want[i], "pop %zu: a=%u", i, ev.a);
        cr_assert_eq(ev.time, 1000);
        if (ev.a == 3) {
            sim_engine_schedule(&e, ev.time, 0, 6, 0);
        }
    }
    cr_assert(sim_engine_pop(&e, &ev));
    cr_assert_eq(ev.a, 9);
    cr_assert_not(sim_engine_pop(&e, &ev));
    sim_engine_deinit(&e);
}

Test(engine, same_instant_chain_does_not_grow_memory)
{
    /* Each pop schedules one event at the same time while another is queued, so the
     * current instant never drains. Storage must follow the live count (2), not the number
     * of events processed. */
    sim_engine e;
    sim_engine_init(&e);
    sim_engine_schedule(&e, 42, 0, 0, 0);
    sim_engine_schedule(&e, 42, 0, 1, 0);
    sim_event ev;
    uint32_t expect = 0;
    for (int i = 0; i < 100000; i++) {
        cr_assert(sim_engine_pop(&e, &ev));
        cr_assert_eq(ev.a, expect++);
        sim_engine_schedule(&e, 42, 0, (uint32_t)i + 2, 0);
    }
    cr_assert_eq(sim_engine_size(&e), 2);
    cr_assert_leq(sim_engine_capacity(&e), 64);
    sim_engine_deinit(&e);
}

Test(engine, extreme_times_pop_in_order)
{
    const uint64_t times[] = {
        UINT64_MAX, 0,   (uint64_t)1 << 63, UINT64_MAX, ((uint64_t)1 << 63) - 1,
        255,        256, UINT64_MAX - 1,    0};
    const uint32_t order[] = {1, 8, 5, 6, 4, 2, 7, 0, 3}; /* indices into times, by (time, seq) */
    sim_engine e;
    sim_engine_init(&e);
    for (uint32_t i = 0; i < 9; i++) {
        sim_engine_schedule(&e, times[i], 0, i, 0);
    }
    for (size_t i = 0; i < 9; i++) {
        sim_event ev;
        cr_assert(sim_engine_pop(&e, &ev));
        cr_assert_eq(ev.a, order[i], "pop %zu: a=%u", i, ev.a);
    }
    /* At the end of time, scheduling at UINT64_MAX still works. */
    sim_engine_schedule(&e, UINT64_MAX, 0, 42, 0);
    sim_event ev;
    cr_assert(sim_engine_pop(&e, &ev));
    cr_assert_eq(ev.a, 42);
    sim_engine_deinit(&e);
}

Test(engine, schedule_before_current_time_aborts, .signal = SIGABRT)
{
    sim_engine e;
    sim_engine_init(&e);
    sim_engine_schedule(&e, 10, 0, 0, 0);
    sim_event ev;
    sim_engine_pop(&e, &ev);
    sim_engine_schedule(&e, 9, 0, 0, 0);
}

Test(engine, random_fine_times_match_binary_heap)
{
    for (uint64_t seed = 1; seed <= 4; seed++) {
        run_random(seed, DELAY_FINE, 1, 160, 200000);       /* grows, then drains */
        run_random(seed + 100, DELAY_FINE, 1, 128, 200000); /* steady */
    }
}

Test(engine, random_coarse_times_with_many_ties_match_binary_heap)
{
    /* Units as in the notes: 4 us, 0.5 ms, 1 ms, 1 s; and 1 ns with tiny delays. */
    const uint64_t units[] = {1, 4000, 500000, 1000000, 1000000000};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        run_random(7 + u, DELAY_COARSE, units[u], 128, 200000);
        run_random(70 + u, DELAY_COARSE, units[u], 200, 50000);
        run_random(700 + u, DELAY_COARSE, units[u], 60, 50000);
    }
}

Test(engine, random_huge_time_jumps_match_binary_heap)
{
    for (uint64_t seed = 11; seed <= 16; seed++) {
        run_random(seed, DELAY_HUGE, 1, 140, 100000);
    }
}

/*
 * The simulator's pattern: the next arrival lives outside the engine with a reserved seq
 * and is merged with the engine's events by (time, seq), either by peeking or with
 * sim_engine_pop_before(). The merged sequence must equal a single reference heap holding
 * arrivals and departures alike. `unit` makes arrivals tie with departures often.
 */
static void run_held_aside(uint64_t seed, uint64_t unit, bool use_pop_before)
{
    uint64_t rng = seed;
    sim_engine e;
    struct ref_heap h = {0};
    sim_engine_init(&e);

    uint64_t arr_time = 0;
    uint64_t arr_seq = sim_engine_next_seq(&e);
    ref_push(&h, (sim_event){.time = arr_time, .seq = arr_seq, .kind = 1});
    uint64_t arrivals = 1, step = 0;
    bool have_arrival = true;

    for (;;) {
        sim_event got;
        bool from_queue;
        if (!have_arrival) {
            from_queue = sim_engine_pop(&e, &got);
            if (!from_queue) {
                break;
            }
        } else if (use_pop_before) {
            from_queue = sim_engine_pop_before(&e, arr_time, arr_seq, &got);
        } else {
            uint64_t qt, qs;
            from_queue = sim_engine_peek_key(&e, &qt, &qs) &&
                         (qt < arr_time || (qt == arr_time && qs < arr_seq));
            if (from_queue) {
                cr_assert(sim_engine_pop(&e, &got));
                cr_assert_eq(got.time, qt);
                cr_assert_eq(got.seq, qs);
            }
        }
        if (!from_queue) {
            got = (sim_event){.time = arr_time, .seq = arr_seq, .kind = 1};
            have_arrival = false;
        }
        sim_event want = ref_pop(&h);
        expect_same_event(&got, &want, step++);

        uint64_t now = got.time;
        if (got.kind == 1) {
            /* An arrival: schedule its departure, then create the next arrival. */
            uint64_t dep = now + (splitmix64(&rng) % 6) * unit;
            uint64_t s = sim_engine_schedule(&e, dep, 2, (uint32_t)arrivals, 0);
            ref_push(&h, (sim_event){.time = dep, .seq = s, .kind = 2, .a = (uint32_t)arrivals});
            if (arrivals < 50000) {
                arr_time = now + (splitmix64(&rng) % 3) * unit;
                arr_seq = sim_engine_next_seq(&e);
                ref_push(&h, (sim_event){.time = arr_time, .seq = arr_seq, .kind = 1});
                arrivals++;
                have_arrival = true;
            }
        }
    }
    cr_assert_eq(h.len, 0);
    cr_assert_eq(step, 2 * arrivals);
    sim_engine_deinit(&e);
    free(h.ev);
}

Test(engine, held_aside_arrivals_merge_like_a_single_queue)
{
    const uint64_t units[] = {1, 1000, 1000000, (uint64_t)1 << 40};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        run_held_aside(99 + u, units[u], false);
        run_held_aside(99 + u, units[u], true);
    }
}

Test(engine, pop_before_leaves_later_events_queued)
{
    sim_engine e;
    sim_engine_init(&e);
    uint64_t s = sim_engine_schedule(&e, 100, 0, 1, 0);
    sim_event ev = {.a = 77};
    cr_assert_not(sim_engine_pop_before(&e, 100, s, &ev), "equal key is not before");
    cr_assert_not(sim_engine_pop_before(&e, 99, s + 1, &ev));
    cr_assert_eq(ev.a, 77);
    cr_assert_eq(sim_engine_size(&e), 1);
    cr_assert(sim_engine_pop_before(&e, 100, s + 1, &ev));
    cr_assert_eq(ev.a, 1);
    cr_assert_not(sim_engine_pop_before(&e, UINT64_MAX, UINT64_MAX, &ev), "empty queue");
    sim_engine_deinit(&e);
}

Test(engine, reusable_after_deinit)
{
    sim_engine e;
    sim_engine_init(&e);
    for (int round = 0; round < 2; round++) {
        for (uint64_t t = 0; t < 1000; t++) {
            sim_engine_schedule(&e, 1000 - t, 0, (uint32_t)t, 0);
        }
        sim_event ev;
        uint64_t prev = 0;
        while (sim_engine_pop(&e, &ev)) {
            cr_assert_geq(ev.time, prev);
            prev = ev.time;
        }
        sim_engine_deinit(&e);
        sim_engine_init(&e);
    }
    sim_engine_deinit(&e);
}
