/*
 * rng.c - seeding of PCG32 streams and the derived variates; see rng.h.
 *
 * The generator itself (sim_rng_next32/64) is inline in rng.h.  This file holds the
 * colder parts: the reference seeding routine, the per-flow stream derivation (SHA-256 of
 * a domain-separated byte string, so flow streams are independent of each other and of
 * any flow order), the exponential variate and the unbiased bounded integer.
 *
 * Floating point is confined to sim_rng_exponential_ns, which produces *times*, never a
 * routing decision.  Its result must still be bit-identical across compilers and
 * optimisation levels, because traces are compared byte for byte:
 *   - u is built exactly: an integer below 2^53 + 1 times 2^-53 is representable;
 *   - the only libm call is log(), a real call into the same libm whichever compiler
 *     built us (its argument is never a compile-time constant, so it is never folded);
 *   - the rest is one multiplication and a truncation: there is no a*b+c for a compiler
 *     to contract into an FMA (and clang's contraction is switched off below anyway;
 *     gcc contracts only in GNU mode or with -ffp-contract=fast, and the build uses
 *     -std=c11);
 *   - double arithmetic must be IEEE binary64 without excess precision
 *     (FLT_EVAL_METHOD == 0: x86-64 SSE2, aarch64); i386 x87 builds are not supported.
 * Results can differ only between libm implementations (glibc vs musl vs macOS), whose
 * log() may round differently in the last bit.
 */
#include "sim/rng.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "splitsim needs FLT_EVAL_METHOD == 0 (no excess precision) for reproducible times"
#endif

/* Domain separator for flow streams, including its terminating NUL (14 bytes), so that
 * a future use of SHA-256 for another kind of stream cannot collide with these. */
static const char flow_domain[] = "splitsim-flow";

void sim_rng_seed(sim_rng *r, uint64_t initstate, uint64_t initseq)
{
    assert(r != NULL);
    /* pcg32_srandom_r, step for step: the two draws mix initstate into the state. */
    r->state = 0;
    r->inc = (initseq << 1) | 1u;
    (void)sim_rng_next32(r);
    r->state += initstate;
    (void)sim_rng_next32(r);
}

static void put_le64(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | in[i];
    return v;
}

/* SHA-256(domain with its NUL || LE64(seed) || name) into a stream. */
static void seed_from(sim_rng *r, const char *domain, size_t domain_len, uint64_t scenario_seed,
                      const char *flow_name);

void sim_rng_seed_flow(sim_rng *r, uint64_t scenario_seed, const char *flow_name)
{
    seed_from(r, flow_domain, sizeof flow_domain, scenario_seed, flow_name);
}

void sim_rng_seed_purpose(sim_rng *r, uint64_t scenario_seed, const char *flow_name,
                          const char *purpose)
{
    /* "splitsim-<purpose>" as the domain: never equal to "splitsim-flow"'s for another
     * purpose, so the streams stay apart. */
    char domain[64];
    int n = snprintf(domain, sizeof domain, "splitsim-%s", purpose);
    assert(n > 0 && (size_t)n < sizeof domain && strcmp(purpose, "flow"));
    seed_from(r, domain, (size_t)n + 1, scenario_seed, flow_name);
}

static void seed_from(sim_rng *r, const char *domain, size_t domain_len, uint64_t scenario_seed,
                      const char *flow_name)
{
    assert(r != NULL && flow_name != NULL);
    struct sha256_ctx ctx;
    uint8_t seed_le[8];
    uint8_t digest[SHA256_DIGEST_SIZE];

    put_le64(seed_le, scenario_seed);
    sha256_init(&ctx);
    sha256_update(&ctx, domain_len, (const uint8_t *)domain);
    sha256_update(&ctx, sizeof seed_le, seed_le);
    /* The name comes last, so no length prefix is needed to keep inputs unambiguous. */
    sha256_update(&ctx, strlen(flow_name), (const uint8_t *)flow_name);
    sha256_digest(&ctx, sizeof digest, digest);

    sim_rng_seed(r, get_le64(digest), get_le64(digest + 8));
}

double sim_rng_exponential(sim_rng *r, double mean)
{
    /* Draw first, so that the stream advances by the same two outputs whatever the mean. */
    uint64_t k = sim_rng_next64(r) >> 11;
    if (!(mean > 0))
        return 0;
    /* u in (0, 1]: adding one moves the zero of [0, 1) to the top, so log(u) is finite
     * and -log(u) >= 0 (exactly 0 when every bit was 1). */
    double u = (double)(k + 1) * 0x1p-53;
    return -log(u) * mean;
}

uint64_t sim_rng_exponential_ns(sim_rng *r, double mean_ns)
{
    double x = sim_rng_exponential(r, mean_ns);
    /* 2^64 is the first double that does not fit; converting it or above is undefined. */
    if (!(x < 0x1p64))
        return UINT64_MAX;
    return (uint64_t)x; /* truncation == floor, x is never negative */
}

uint64_t sim_rng_below(sim_rng *r, uint64_t bound)
{
    assert(bound > 0);
    /* 2^64 mod bound, computed in 64 bits: the values below it are the surplus that would
     * make the small residues more likely; rejecting them leaves a multiple of bound. */
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t x = sim_rng_next64(r);
        if (x >= threshold)
            return x % bound;
    }
}
