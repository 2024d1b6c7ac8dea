/*
 * check.h - a minimal test harness for the C-level tests.
 *
 * Each test program calls CHECK/CHECK_EQ_I64 and ends with check_report(),
 * which prints "N passed, M failed" and returns the process exit status.
 */
#ifndef V2G_TEST_CHECK_H
#define V2G_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>

static long check_passed = 0;
static long check_failed = 0;

#define CHECK(cond) do { \
    if (cond) { check_passed++; } else { check_failed++; \
        if (check_failed <= 20) fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_EQ_I64(a, b) do { \
    int64_t check_a_ = (int64_t)(a), check_b_ = (int64_t)(b); \
    if (check_a_ == check_b_) { check_passed++; } else { check_failed++; \
        if (check_failed <= 20) fprintf(stderr, "%s:%d: %s == %" PRId64 ", expected %s == %" PRId64 "\n", \
            __FILE__, __LINE__, #a, check_a_, #b, check_b_); } \
} while (0)

/* Deterministic splitmix64 generator so every random test is reproducible from its seed. */
typedef struct { uint64_t state; } check_rng;

static inline uint64_t check_next(check_rng *r) {
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform integer in [lo, hi]. */
static inline int64_t check_range(check_rng *r, int64_t lo, int64_t hi) {
    return lo + (int64_t)(check_next(r) % (uint64_t)(hi - lo + 1));
}

static inline int check_report(const char *name) {
    printf("%s: %ld passed, %ld failed\n", name, check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif /* V2G_TEST_CHECK_H */
