/*
 * tests/test_engine.c - the event queue pops in exact (time, seq) order.
 *
 * The reference is a plain binary heap keyed on (time, seq), written here so that the test
 * does not share code with what it checks. Random workloads use a local splitmix64 with
 * fixed seeds, so every run checks the same sequences.
 *
 * Every order test runs on each engine set-up of `configs`: the radix heap alone
 * (sim_engine_init) and timing wheels in front of it (sim_engine_init_sized), sized well
 * for some workloads and deliberately badly for others: slots far too narrow or far too
 * wide, a horizon much shorter than the delays. Sizes may only change the speed, so each
 * must pop exactly what the reference pops.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
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

/* One way to set up the engine under test; slot_ns 0 is the radix heap alone. */
struct engine_config {
    const char *name;
    uint64_t slot_ns;
    size_t slots;
};

static const struct engine_config configs[] = {
    {"radix heap", 0, 0},
    {"wheel, 1 ns slots, 64 of them (far too narrow, horizon 64 ns)", 1, 64},
    {"wheel, 2^16 ns slots, 64 of them (horizon 4 ms, shorter than most delays)", 1u << 16, 64},
    {"wheel, 2^20 ns slots, 4096 of them (horizon 4.3 s, fits 1 s delays)", 1u << 20, 4096},
    {"wheel, 2^40 ns slots (far too wide: nearly everything in one slot)", (uint64_t)1 << 40, 64},
    {"wheel, 2^63 ns slots (two slots cover all of time)", (uint64_t)1 << 63, 64},
    {"wheel, 1000 ns asked (rounded to 512), 100 slots asked (128)", 1000, 100},
    {"wheel, the most slots", 4096, SIM_ENGINE_SLOTS_MAX},
    {"sized with 0 slots: no wheel", 4096, 0},
};
#define N_CONFIGS (sizeof configs / sizeof configs[0])

/* The set-up under test, named in failure messages. */
static const char *config_name = "radix heap";

static void config_init(sim_engine *e, const struct engine_config *c)
{
    config_name = c->name;
    if (c->slot_ns == 0 && c->slots == 0) {
        sim_engine_init(e);
    } else {
        sim_engine_init_sized(e, c->slot_ns, c->slots);
    }
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
    cr_assert_eq(got->time, want->time, "%s, step %llu: time %llu, want %llu", config_name,
                 (unsigned long long)step, (unsigned long long)got->time,
                 (unsigned long long)want->time);
    cr_assert_eq(got->seq, want->seq, "%s, step %llu: seq %llu, want %llu", config_name,
                 (unsigned long long)step, (unsigned long long)got->seq,
                 (unsigned long long)want->seq);
    cr_assert_eq(got->kind, want->kind, "%s, step %llu", config_name, (unsigned long long)step);
    cr_assert_eq(got->a, want->a, "%s, step %llu", config_name, (unsigned long long)step);
    cr_assert_eq(got->b, want->b, "%s, step %llu", config_name, (unsigned long long)step);
}

/* Pops one event from both queues and checks they agree, peek included. */
static void pop_both(sim_engine *e, struct ref_heap *h, uint64_t step)
{
    uint64_t t, s;
    cr_assert(sim_engine_peek_key(e, &t, &s), "%s, step %llu", config_name,
              (unsigned long long)step);
    cr_assert_eq(t, h->ev[0].time, "%s, step %llu", config_name, (unsigned long long)step);
    cr_assert_eq(s, h->ev[0].seq, "%s, step %llu", config_name, (unsigned long long)step);
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
 * against the engine set up as `c` and the reference, then drains both. Every pop must
 * agree.
 */
static void run_random_on(const struct engine_config *c, uint64_t seed, enum delay_shape shape,
                          uint64_t unit, unsigned push_per_256, uint64_t steps)
{
    uint64_t rng = seed;
    sim_engine e;
    struct ref_heap h = {0};
    config_init(&e, c);
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

/* run_random_on() with every engine set-up. */
static void run_random(uint64_t seed, enum delay_shape shape, uint64_t unit, unsigned push_per_256,
                       uint64_t steps)
{
    for (size_t c = 0; c < N_CONFIGS; c++) {
        run_random_on(&configs[c], seed, shape, unit, push_per_256, steps);
    }
}

/* --- tests ----------------------------------------------------------------------------- */

Test(engine, empty_pop_returns_false)
{
    for (size_t c = 0; c < N_CONFIGS; c++) {
        sim_engine e;
        config_init(&e, &configs[c]);
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
}

Test(engine, seqs_count_up_from_zero_across_schedule_and_reserve)
{
    for (size_t c = 0; c < N_CONFIGS; c++) {
        sim_engine e;
        config_init(&e, &configs[c]);
        cr_assert_eq(sim_engine_schedule(&e, 10, 0, 0, 0), 0);
        cr_assert_eq(sim_engine_next_seq(&e), 1);
        cr_assert_eq(sim_engine_schedule(&e, 3, 0, 0, 0), 2);
        cr_assert_eq(sim_engine_next_seq(&e), 3);
        sim_engine_deinit(&e);
    }
}

Test(engine, ties_pop_in_schedule_order)
{
    /* The same set of events, the equal-time group scheduled before and after the others:
     * within time 50, order is always the order of scheduling (a = 1, 2, 3). */
    for (size_t c = 0; c < N_CONFIGS; c++) {
        for (int later_first = 0; later_first < 2; later_first++) {
            sim_engine e;
            config_init(&e, &configs[c]);
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
                cr_assert_eq(ev.a, want[i], "%s, later_first=%d, pop %zu: a=%u", config_name,
                             later_first, i, ev.a);
            }
            sim_engine_deinit(&e);
        }
    }
}

Test(engine, ties_pop_in_schedule_order_when_scheduled_from_different_clock_positions)
{
    /* Two events at time 100, one scheduled at clock 0 and one at clock 64: they reach the
     * queue relative to different `last` values, yet must leave in schedule order. And the
     * reverse: in descending kinds, same time, so a mistaken sort by payload would show. */
    for (size_t c = 0; c < N_CONFIGS; c++) {
        sim_engine e;
        config_init(&e, &configs[c]);
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
}

Test(engine, handler_scheduling_at_current_time_runs_after_queued_equal_time_events)
{
    for (size_t c = 0; c < N_CONFIGS; c++) {
        sim_engine e;
        config_init(&e, &configs[c]);
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
}

Test(engine, same_instant_chain_does_not_grow_memory)
{
    /* Each pop schedules one event at the same time while another is queued, so the
     * current instant never drains. Storage must follow the live count (2), not the number
     * of events processed. */
    for (size_t c = 0; c < N_CONFIGS; c++) {
        sim_engine e;
        config_init(&e, &configs[c]);
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
}

Test(engine, extreme_times_pop_in_order)
{
    for (size_t c = 0; c < N_CONFIGS; c++) {
        const uint64_t times[] = {
            UINT64_MAX, 0,   (uint64_t)1 << 63, UINT64_MAX, ((uint64_t)1 << 63) - 1,
            255,        256, UINT64_MAX - 1,    0};
        /* Indices into times, by (time, seq). */
        const uint32_t order[] = {1, 8, 5, 6, 4, 2, 7, 0, 3};
        sim_engine e;
        config_init(&e, &configs[c]);
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

Test(engine, schedule_before_current_time_aborts_with_a_wheel, .signal = SIGABRT)
{
    sim_engine e;
    sim_engine_init_sized(&e, 1024, 64);
    sim_engine_schedule(&e, 5000, 0, 0, 0);
    sim_event ev;
    sim_engine_pop(&e, &ev);
    sim_engine_schedule(&e, 4999, 0, 0, 0);
}

Test(engine, events_before_the_next_slot_come_first_after_the_wheel_moves_on)
{
    /* Slots of 1024 ns. Popping the event at 10 moves the wheel on to the slot of 5000
     * (the next one holding anything) while the clock stays at 10: what is scheduled
     * afterwards between 10 and 5000, in slots the wheel has passed, comes out first. */
    sim_engine e;
    sim_engine_init_sized(&e, 1024, 64);
    sim_engine_schedule(&e, 10, 0, 0, 0);
    sim_engine_schedule(&e, 5000, 0, 9, 0);
    sim_event ev;
    cr_assert(sim_engine_pop(&e, &ev));
    cr_assert_eq(ev.a, 0);
    sim_engine_schedule(&e, 4999, 0, 3, 0);
    sim_engine_schedule(&e, 10, 0, 1, 0);
    sim_engine_schedule(&e, 5000, 0, 10, 0);
    sim_engine_schedule(&e, 2000, 0, 2, 0);
    sim_engine_schedule(&e, 4999, 0, 4, 0);
    const uint32_t want[] = {1, 2, 3, 4, 9, 10};
    for (size_t i = 0; i < 6; i++) {
        uint64_t t, s;
        cr_assert(sim_engine_peek_key(&e, &t, &s));
        cr_assert(sim_engine_pop_before(&e, t, s + 1, &ev));
        cr_assert_eq(ev.a, want[i], "pop %zu: a=%u", i, ev.a);
        cr_assert_eq(ev.time, t);
        cr_assert_eq(ev.seq, s);
    }
    cr_assert_not(sim_engine_pop(&e, &ev));
    sim_engine_deinit(&e);
}

Test(engine, a_crowded_slot_is_sorted_on_entry_ties_included)
{
    /* 5000 events in one slot of 1024 ns, with times drawn from 64 values (many ties) and
     * scheduled in random order: entering the slot sorts them (merge sort past 32). */
    sim_engine e;
    struct ref_heap h = {0};
    sim_engine_init_sized(&e, 1024, 64);
    uint64_t rng = 5;
    sim_engine_schedule(&e, 0, 0, 0, 0);
    ref_push(&h, (sim_event){.time = 0, .seq = 0});
    for (uint32_t i = 1; i <= 5000; i++) {
        uint64_t time = 3 * 1024 + (splitmix64(&rng) % 64) * 16;
        uint64_t seq = sim_engine_schedule(&e, time, 0, i, 0);
        ref_push(&h, (sim_event){.time = time, .seq = seq, .a = i});
    }
    for (uint64_t step = 0; h.len > 0; step++) {
        pop_both(&e, &h, step);
    }
    sim_engine_deinit(&e);
    free(h.ev);
}

Test(engine, sizing_rule)
{
    uint64_t slot_ns;
    size_t slots;
    /* W2: a departure every 1 ms staying 2 s: 1 ms slots (2^20 ns), a horizon >= 8 s. */
    sim_engine_sizing(1e6, 2e9, &slot_ns, &slots);
    cr_assert_eq(slot_ns, (uint64_t)1 << 20);
    cr_assert_geq((double)slot_ns * (double)slots, 4 * 2e9);
    cr_assert_leq((double)slot_ns * (double)slots, 2 * 4 * 2e9);
    /* A horizon beyond SLOTS_MAX slots of the ideal width: wider slots, horizon kept. */
    sim_engine_sizing(1, 1e15, &slot_ns, &slots);
    cr_assert_gt(slot_ns, 1);
    cr_assert_leq(slots, SIM_ENGINE_SLOTS_MAX);
    cr_assert_geq((double)slot_ns * (double)slots, 4e15);
    /* Extremes stay in range: at least 1 ns, at most 2^62 ns, at most SLOTS_MAX. */
    sim_engine_sizing(1e-6, 10, &slot_ns, &slots);
    cr_assert_eq(slot_ns, 1);
    cr_assert_geq(slots, 40);
    sim_engine_sizing(1e30, 1e30, &slot_ns, &slots);
    cr_assert_eq(slot_ns, (uint64_t)1 << 62);
    cr_assert_leq(slots, SIM_ENGINE_SLOTS_MAX);
    /* Nothing to size for: no wheel. */
    const double none[][2] = {{0, 2e9}, {1e6, 0}, {-1, 5}, {NAN, 5}, {5, NAN}};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        sim_engine_sizing(none[i][0], none[i][1], &slot_ns, &slots);
        cr_assert_eq(slot_ns, 0);
        cr_assert_eq(slots, 0);
    }
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

/* How the held-aside runs draw the gaps between arrivals and the holds. */
struct traffic_shape {
    uint64_t gap;     /* the unit of the gaps, or with `exponential` their mean (ns) */
    uint64_t hold;    /* the unit of the holds, or with `exponential` their mean (ns) */
    bool exponential; /* else gaps of 0-2 units and holds of 0-5 units: many exact ties */
    uint32_t arrivals;
};

/* An exponential delay of mean `mean` ns, truncated to whole ns (as the simulator does). */
static uint64_t exp_delay(uint64_t *rng, uint64_t mean)
{
    double u = (double)((splitmix64(rng) >> 11) + 1) * 0x1p-53; /* (0, 1] */
    return (uint64_t)(-log(u) * (double)mean);
}

/*
 * The simulator's pattern: the next arrival lives outside the engine with a reserved seq
 * and is merged with the engine's events by (time, seq), either by peeking or with
 * sim_engine_pop_before(). The merged sequence must equal a single reference heap holding
 * arrivals and departures alike. Step-shaped traffic makes arrivals tie with departures
 * often.
 */
static void run_held_aside(const struct engine_config *c, uint64_t seed,
                           const struct traffic_shape *shape, bool use_pop_before)
{
    uint64_t rng = seed;
    sim_engine e;
    struct ref_heap h = {0};
    config_init(&e, c);

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
            uint64_t dep = now + (shape->exponential ? exp_delay(&rng, shape->hold)
                                                     : (splitmix64(&rng) % 6) * shape->hold);
            uint64_t s = sim_engine_schedule(&e, dep, 2, (uint32_t)arrivals, 0);
            ref_push(&h, (sim_event){.time = dep, .seq = s, .kind = 2, .a = (uint32_t)arrivals});
            if (arrivals < shape->arrivals) {
                arr_time = now + (shape->exponential ? exp_delay(&rng, shape->gap)
                                                     : (splitmix64(&rng) % 3) * shape->gap);
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
    for (size_t c = 0; c < N_CONFIGS; c++) {
        for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
            struct traffic_shape shape = {units[u], units[u], false, 20000};
            run_held_aside(&configs[c], 99 + u, &shape, false);
            run_held_aside(&configs[c], 99 + u, &shape, true);
        }
    }
}

/*
 * W2's traffic (Poisson arrivals, exponential holds: bench/README.md) at 1000/s with 2 s
 * holds and at 100000/s with 20 ms holds, through a wheel sized by sim_engine_sizing() from
 * the true figures, and from figures 100 times off each way: slots far too narrow or far
 * too wide, a horizon far shorter or far longer than the holds. Then every fixed set-up.
 */
Test(engine, held_aside_poisson_traffic_with_right_and_wrong_sizing_hints)
{
    const struct traffic_shape shapes[] = {
        {1000000, 2000000000, true, 20000},
        {10000, 20000000, true, 20000},
    };
    const double off[][2] = {{1, 1}, {100, 1}, {0.01, 1}, {1, 100}, {1, 0.01}, {100, 0.01}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        const struct traffic_shape *shape = &shapes[k];
        for (size_t o = 0; o < sizeof off / sizeof off[0]; o++) {
            char name[160];
            struct engine_config c = {name, 0, 0};
            sim_engine_sizing((double)shape->gap * off[o][0], (double)shape->hold * off[o][1],
                              &c.slot_ns, &c.slots);
            snprintf(name, sizeof name, "sized for gap x%g, hold x%g: %llu ns x %zu slots",
                     off[o][0], off[o][1], (unsigned long long)c.slot_ns, c.slots);
            cr_assert_neq(c.slot_ns, 0);
            run_held_aside(&c, 500 + k, shape, true);
        }
        for (size_t c = 0; c < N_CONFIGS; c++) {
            run_held_aside(&configs[c], 600 + k, shape, c % 2 == 0);
        }
    }
}

Test(engine, pop_before_leaves_later_events_queued)
{
    for (size_t c = 0; c < N_CONFIGS; c++) {
        sim_engine e;
        config_init(&e, &configs[c]);
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
}

Test(engine, reusable_after_deinit)
{
    for (size_t c = 0; c < N_CONFIGS; c++) {
        sim_engine e;
        config_init(&e, &configs[c]);
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
            config_init(&e, &configs[c]);
        }
        sim_engine_deinit(&e);
    }
}
