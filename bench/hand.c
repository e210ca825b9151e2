/*
 * bench/hand.c - W1 and W2 as minimal hand-written loops (see hand.h and README.md).
 *
 * The W2 departure queue is the textbook binary heap that a C programmer would write in
 * place: an array, sift with a hole rather than swaps, ordered by (time, seq) so that
 * ties are FIFO as in the simulator. Keeping it plain is the point: it is the yardstick.
 */
#include "hand.h"

#include <stdio.h>
#include <stdlib.h>

void hand_w1(uint64_t n, uint64_t counts[HAND_BACKENDS])
{
    struct hand_pcg32 g;
    hand_pcg32_seed(&g, 42, 54);
    uint64_t c[HAND_BACKENDS] = {0};
    for (uint64_t i = 0; i < n; i++) {
        c[hand_pick(hand_draw64(&g))]++;
    }
    for (unsigned b = 0; b < HAND_BACKENDS; b++) {
        counts[b] = c[b];
    }
}

/* A departure: when, its tie-breaking seq, and the backend whose count it releases. */
struct hand_dep {
    uint64_t time;
    uint64_t seq;
    uint32_t backend;
};

struct hand_heap {
    struct hand_dep *v;
    size_t len, cap;
};

static inline int hand_dep_less(const struct hand_dep *x, const struct hand_dep *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static void hand_heap_push(struct hand_heap *h, struct hand_dep d)
{
    if (h->len == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->v = realloc(h->v, h->cap * sizeof *h->v);
        if (h->v == NULL) {
            fprintf(stderr, "hand: out of memory\n");
            abort();
        }
    }
    size_t i = h->len++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!hand_dep_less(&d, &h->v[p])) {
            break;
        }
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = d;
}

/* Removes the minimum (the heap is not empty) and returns it. */
static struct hand_dep hand_heap_pop(struct hand_heap *h)
{
    struct hand_dep top = h->v[0];
    struct hand_dep last = h->v[--h->len];
    size_t n = h->len, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) {
            break;
        }
        if (c + 1 < n && hand_dep_less(&h->v[c + 1], &h->v[c])) {
            c++;
        }
        if (!hand_dep_less(&h->v[c], &last)) {
            break;
        }
        h->v[i] = h->v[c];
        i = c;
    }
    if (n > 0) {
        h->v[i] = last;
    }
    return top;
}

uint64_t hand_w2(uint64_t n, uint64_t rate_per_s, uint64_t counts[HAND_BACKENDS],
                 uint64_t peak_active[HAND_BACKENDS])
{
    struct hand_pcg32 g;
    hand_pcg32_seed(&g, 42, 54);
    const uint64_t gap_ns = 1000000000u / rate_per_s;
    struct hand_heap h = {0};
    uint64_t c[HAND_BACKENDS] = {0}, active[HAND_BACKENDS] = {0}, peak[HAND_BACKENDS] = {0};
    uint64_t seq = 0, fp = 0, arrived = 0;

    /* The next arrival, held aside with its seq reserved when it was drawn. */
    uint64_t arr_time = hand_exp_ns(&g, gap_ns);
    uint64_t arr_seq = seq++;

    while (arrived < n || h.len > 0) {
        if (arrived < n && (h.len == 0 || arr_time < h.v[0].time ||
                            (arr_time == h.v[0].time && arr_seq < h.v[0].seq))) {
            uint64_t now = arr_time;
            fp = hand_fold(fp, now, arr_seq);
            unsigned b = hand_pick(hand_draw64(&g));
            c[b]++;
            if (++active[b] > peak[b]) {
                peak[b] = active[b];
            }
            uint64_t hold = hand_exp_ns(&g, HAND_W2_HOLD_NS);
            hand_heap_push(&h, (struct hand_dep){now + hold, seq++, b});
            if (++arrived < n) {
                arr_time = now + hand_exp_ns(&g, gap_ns);
                arr_seq = seq++;
            }
        } else {
            struct hand_dep d = hand_heap_pop(&h);
            fp = hand_fold(fp, d.time, d.seq);
            active[d.backend]--;
        }
    }
    free(h.v);
    for (unsigned b = 0; b < HAND_BACKENDS; b++) {
        counts[b] = c[b];
        peak_active[b] = peak[b];
    }
    return fp;
}
