/*
 * test_traffic.c - when a flow's connections arrive and how long they stay.
 *
 * Pins: uniform arrivals land exactly on floor(i * unit / count) (the remainders carried,
 * so n arrivals span exactly n * unit / count); Poisson gaps average unit / count; `stop`
 * and `connections` bound the flow; and the per-connection draw order that traffic.h
 * documents (pick, hold, gap), by replaying draws taken by hand from sim_rng_seed_flow.
 * Flows are written as model_flow structs here, plus one loaded from YAML to tie the rate
 * syntax to the generator.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "model/load.h"
#include "sim/traffic.h"

#define SEC UINT64_C(1000000000)

/* A flow of `count` arrivals per `unit_ns`, closing at once, unbounded until set. */
static model_flow flow(const char *name, uint64_t count, uint64_t unit_ns, model_arrival arrival)
{
    model_flow f;
    memset(&f, 0, sizeof f);
    f.name = name;
    f.rate_count = count;
    f.rate_unit_ns = unit_ns;
    f.arrival = arrival;
    f.hold = MODEL_HOLD_NONE;
    return f;
}

/* Emits up to `max` arrivals the way the run loop does (pick draw, hold, advance), storing
 * their times and holds; returns how many the generator had. */
static size_t emit(sim_traffic *t, uint64_t *times, uint64_t *holds, size_t max)
{
    size_t n = 0;
    while (n < max && sim_traffic_pending(t)) {
        times[n] = t->next_ns;
        (void)sim_rng_next64(&t->rng); /* the pick, drawn by the run loop */
        uint64_t h = sim_traffic_hold(t);
        if (holds)
            holds[n] = h;
        n++;
        sim_traffic_advance(t);
    }
    return n;
}

static bool same_rng(const sim_rng *a, const sim_rng *b)
{
    return a->state == b->state && a->inc == b->inc;
}

Test(traffic, uniform_three_per_second_lands_on_exact_nanoseconds)
{
    /* 1 s / 3 = 333333333.33 ns: the gaps are 333333333, 333333333, 333333334, so the
     * third arrival after the first is at exactly one second, not 999999999 ns. */
    model_flow f = flow("f", 3, SEC, MODEL_ARRIVAL_UNIFORM);
    f.connections = 3001;
    sim_traffic t;
    sim_traffic_init(&t, &f, 1);
    static uint64_t times[3001];
    cr_assert_eq(emit(&t, times, NULL, 3001), 3001);
    cr_expect_eq(times[0], 0);
    cr_expect_eq(times[1], 333333333);
    cr_expect_eq(times[2], 666666666);
    cr_expect_eq(times[3], SEC);
    cr_expect_eq(times[4], SEC + 333333333);
    cr_expect_eq(times[3000], 1000 * SEC, "3000 arrivals at 3/s span exactly 1000 s");
}

Test(traffic, uniform_arrival_i_is_at_floor_of_i_units_over_count)
{
    static const struct {
        uint64_t count, unit;
    } rates[] = {{3, SEC},         {7, 60 * SEC}, {1000, SEC},       {999, SEC},
                 {11, 3600 * SEC}, {3, 1},        {1000000007, SEC}, {SEC + 1, SEC}};
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
        model_flow f = flow("f", rates[k].count, rates[k].unit, MODEL_ARRIVAL_UNIFORM);
        f.start_ns = 5 * SEC;
        f.connections = 5000;
        sim_traffic t;
        sim_traffic_init(&t, &f, 1);
        for (uint64_t i = 0; i < 5000; i++) {
            cr_assert(sim_traffic_pending(&t));
            uint64_t want =
                5 * SEC + (uint64_t)((unsigned __int128)i * rates[k].unit / rates[k].count);
            cr_assert_eq(t.next_ns, want, "rate %llu per %llu ns, arrival %llu: %llu != %llu",
                         (unsigned long long)rates[k].count, (unsigned long long)rates[k].unit,
                         (unsigned long long)i, (unsigned long long)t.next_ns,
                         (unsigned long long)want);
            sim_traffic_advance(&t);
        }
        cr_expect_not(sim_traffic_pending(&t));
    }
}

Test(traffic, uniform_and_constant_draw_nothing)
{
    model_flow f = flow("f", 3, SEC, MODEL_ARRIVAL_UNIFORM);
    f.connections = 10;
    f.hold = MODEL_HOLD_CONSTANT;
    f.hold_ns = 2500000000;
    sim_traffic t;
    sim_traffic_init(&t, &f, 9);
    sim_rng before = t.rng;
    for (int i = 0; i < 10; i++) {
        cr_expect_eq(sim_traffic_hold(&t), 2500000000);
        sim_traffic_advance(&t);
    }
    cr_expect(same_rng(&before, &t.rng), "uniform gaps and constant holds take no draw");

    f.hold = MODEL_HOLD_NONE;
    sim_traffic_init(&t, &f, 9);
    before = t.rng;
    cr_expect_eq(sim_traffic_hold(&t), 0);
    cr_expect(same_rng(&before, &t.rng), "no hold takes no draw");
}

Test(traffic, stream_is_the_flows_own)
{
    model_flow f = flow("web-to-api", 1, SEC, MODEL_ARRIVAL_POISSON);
    sim_traffic t;
    sim_traffic_init(&t, &f, 42);
    sim_rng want;
    sim_rng_seed_flow(&want, 42, "web-to-api");
    cr_expect(same_rng(&t.rng, &want));
    sim_rng_seed_flow(&want, 43, "web-to-api");
    cr_expect_not(same_rng(&t.rng, &want), "the seed matters");
    sim_rng_seed_flow(&want, 42, "web-to-api2");
    cr_expect_not(same_rng(&t.rng, &want), "the name matters");
}

/* A Poisson gap as traffic.h documents it: the exponential draw plus the fraction carried
 * from the gap before, in whole nanoseconds. */
static uint64_t gap_with_carry(sim_rng *r, double mean, double *frac)
{
    double x = sim_rng_exponential(r, mean) + *frac;
    uint64_t gap = (uint64_t)x;
    *frac = x - (double)gap;
    return gap;
}

/* The documented order, replayed by hand: per connection one 64-bit pick draw, then the
 * exponential hold (one 64-bit draw), then the Poisson gap (one 64-bit draw). */
Test(traffic, draw_order_is_pick_then_hold_then_gap)
{
    model_flow f = flow("canary", 500, SEC, MODEL_ARRIVAL_POISSON);
    f.connections = 200;
    f.start_ns = 7 * SEC;
    f.hold = MODEL_HOLD_EXPONENTIAL;
    f.hold_ns = 300000000;
    sim_traffic t;
    sim_traffic_init(&t, &f, 1234);

    sim_rng hand;
    sim_rng_seed_flow(&hand, 1234, "canary");
    uint64_t now = 7 * SEC;
    double frac = 0;
    for (int i = 0; i < 200; i++) {
        cr_assert(sim_traffic_pending(&t));
        cr_assert_eq(t.next_ns, now, "arrival %d", i);
        uint64_t pick_hand = sim_rng_next64(&hand);
        uint64_t hold_hand = sim_rng_exponential_ns(&hand, 300000000.0);
        uint64_t gap_hand = gap_with_carry(&hand, (double)SEC / 500.0, &frac);

        cr_assert_eq(sim_rng_next64(&t.rng), pick_hand, "pick of connection %d", i);
        cr_assert_eq(sim_traffic_hold(&t), hold_hand, "hold of connection %d", i);
        sim_traffic_advance(&t);
        now += gap_hand;
    }
    cr_expect_not(sim_traffic_pending(&t));
    cr_expect(same_rng(&t.rng, &hand), "no other draw was taken");
}

Test(traffic, draw_order_pins_distinct_values)
{
    /* The replay above could not tell the three draws apart if they were equal: check
     * that the first connection's pick, hold and gap draws differ in every order. */
    sim_rng a;
    sim_rng_seed_flow(&a, 1234, "canary");
    uint64_t d0 = sim_rng_next64(&a), d1 = sim_rng_next64(&a), d2 = sim_rng_next64(&a);
    cr_expect_neq(d0, d1);
    cr_expect_neq(d1, d2);
    cr_expect_neq(d0, d2);
}

Test(traffic, poisson_mean_gap_is_unit_over_count)
{
    /* 200000 gaps at 500/s: mean 2 ms, standard error 2 ms / sqrt(200000) = 4.5 us.
     * Five standard errors either way; the stream is fixed, so this never flakes. */
    const uint64_t n = 200000;
    model_flow f = flow("poisson", 500, SEC, MODEL_ARRIVAL_POISSON);
    f.connections = n + 1;
    sim_traffic t;
    sim_traffic_init(&t, &f, 5);
    uint64_t first = t.next_ns;
    double sumsq = 0, last = (double)first;
    for (uint64_t i = 0; i < n; i++) {
        (void)sim_rng_next64(&t.rng);
        sim_traffic_advance(&t);
        double gap = (double)t.next_ns - last;
        sumsq += gap * gap;
        last = (double)t.next_ns;
    }
    double mean = (double)(t.next_ns - first) / (double)n;
    double se = 2e6 / sqrt((double)n);
    cr_expect(fabs(mean - 2e6) < 5 * se, "mean gap %.1f ns, want 2000000 +- %.0f", mean, 5 * se);
    /* Exponential: the standard deviation equals the mean (within a few percent here). */
    double sd = sqrt(sumsq / (double)n - mean * mean);
    cr_expect(fabs(sd / mean - 1.0) < 0.02, "sd/mean = %.4f", sd / mean);
}

Test(traffic, poisson_gaps_keep_fractional_means)
{
    /* 3/s: mean 333333333.33 ns, not rounded to whole nanoseconds before the draw. */
    model_flow f = flow("thirds", 3, SEC, MODEL_ARRIVAL_POISSON);
    f.connections = 5;
    sim_traffic t;
    sim_traffic_init(&t, &f, 77);
    sim_rng hand;
    sim_rng_seed_flow(&hand, 77, "thirds");
    uint64_t now = 0;
    double frac = 0;
    for (int i = 0; i < 4; i++) {
        (void)sim_rng_next64(&t.rng);
        (void)sim_rng_next64(&hand);
        sim_traffic_advance(&t);
        now += gap_with_carry(&hand, 1e9 / 3.0, &frac);
        cr_assert_eq(t.next_ns, now);
    }
}

Test(traffic, fast_poisson_rates_are_not_biased_by_whole_nanoseconds)
{
    /* 666666666/s: a mean gap of 1.5 ns.  Truncating each gap would make the mean about
     * 1.0 ns (a third too fast); the carried fraction keeps it at 1.5 ns.  10^6 gaps: the
     * standard error of the mean is 1.5 ns / 1000. */
    const uint64_t n = 1000000;
    model_flow f = flow("fast", 666666666, SEC, MODEL_ARRIVAL_POISSON);
    f.connections = n + 1;
    sim_traffic t;
    sim_traffic_init(&t, &f, 9);
    for (uint64_t i = 0; i < n; i++) {
        (void)sim_rng_next64(&t.rng);
        sim_traffic_advance(&t);
    }
    double mean = (double)t.next_ns / (double)n, want = 1e9 / 666666666.0;
    cr_expect(fabs(mean - want) < 5 * want / 1000, "mean gap %.4f ns, want %.4f", mean, want);
}

Test(traffic, one_per_nanosecond_still_advances_the_clock)
{
    /* The fastest rate the loader accepts: the clock moves by about n ns over n arrivals. */
    const uint64_t n = 100000;
    model_flow f = flow("fastest", 1000000000ULL, SEC, MODEL_ARRIVAL_POISSON);
    f.connections = n + 1;
    sim_traffic t;
    sim_traffic_init(&t, &f, 3);
    for (uint64_t i = 0; i < n; i++) {
        (void)sim_rng_next64(&t.rng);
        sim_traffic_advance(&t);
    }
    cr_expect(t.next_ns > n * 95 / 100 && t.next_ns < n * 105 / 100, "%llu ns",
              (unsigned long long)t.next_ns);
}

Test(traffic, stop_bounds_arrivals_before_it)
{
    /* 1/s from 2 s, stop at 10 s, no count: arrivals at 2..9 s; the one at exactly 10 s
     * is not generated ([start, stop)). */
    model_flow f = flow("f", 1, SEC, MODEL_ARRIVAL_UNIFORM);
    f.start_ns = 2 * SEC;
    f.stop_ns = 10 * SEC;
    f.has_stop = true;
    sim_traffic t;
    sim_traffic_init(&t, &f, 1);
    uint64_t times[32];
    size_t n = emit(&t, times, NULL, 32);
    cr_expect_eq(n, 8);
    cr_expect_eq(times[0], 2 * SEC);
    cr_expect_eq(times[n - 1], 9 * SEC);

    f.stop_ns = 10 * SEC + 1; /* one nanosecond more takes the arrival at 10 s */
    sim_traffic_init(&t, &f, 1);
    cr_expect_eq(emit(&t, times, NULL, 32), 9);
}

Test(traffic, connections_bound_the_flow)
{
    model_flow f = flow("f", 1000, SEC, MODEL_ARRIVAL_POISSON);
    f.connections = 5;
    sim_traffic t;
    sim_traffic_init(&t, &f, 1);
    uint64_t times[32];
    cr_expect_eq(emit(&t, times, NULL, 32), 5);
    cr_expect_eq(t.emitted, 5);

    /* With both, whichever comes first: 100 connections at 1/s, stop at 10 s. */
    f = flow("f", 1, SEC, MODEL_ARRIVAL_UNIFORM);
    f.connections = 100;
    f.stop_ns = 10 * SEC;
    f.has_stop = true;
    sim_traffic_init(&t, &f, 1);
    cr_expect_eq(emit(&t, times, NULL, 32), 10);
    f.connections = 4;
    sim_traffic_init(&t, &f, 1);
    cr_expect_eq(emit(&t, times, NULL, 32), 4);
}

Test(traffic, time_saturates_instead_of_wrapping)
{
    model_flow f = flow("f", 1, SEC, MODEL_ARRIVAL_UNIFORM);
    f.start_ns = UINT64_MAX - 10;
    f.connections = 3;
    sim_traffic t;
    sim_traffic_init(&t, &f, 1);
    sim_traffic_advance(&t);
    cr_expect_eq(t.next_ns, UINT64_MAX);
    sim_traffic_advance(&t);
    cr_expect_eq(t.next_ns, UINT64_MAX);
}

Test(traffic, loaded_flow_feeds_the_generator)
{
    static const char yaml[] =
        "scenario: t\n"
        "services:\n"
        "  - {name: web, instances: [{tags: {app: web}}]}\n"
        "  - {name: api, instances: [{tags: {app: api}}]}\n"
        "traffic:\n"
        "  - {name: w, from: web, to: api, rate: 3/s, arrival: uniform, start: 1s, stop: 2s,\n"
        "     hold: {constant: 2500ms}}\n";
    model_errors *errs = model_errors_new();
    model_scenario *s = model_scenario_load_string("t.yaml", yaml, strlen(yaml), NULL, errs);
    if (!s)
        model_errors_print(errs, stderr);
    cr_assert_not_null(s);
    sim_traffic t;
    sim_traffic_init(&t, &s->flows[0], s->seed);
    uint64_t times[8], holds[8];
    size_t n = emit(&t, times, holds, 8);
    cr_expect_eq(n, 3);
    cr_expect_eq(times[0], SEC);
    cr_expect_eq(times[1], SEC + 333333333);
    cr_expect_eq(times[2], SEC + 666666666);
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(holds[i], 2500000000);
    model_scenario_free(s);
    model_errors_free(errs);
}
