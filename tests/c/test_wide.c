/*
 * test_wide.c - the references' 128-bit arithmetic (ref_wide.h) against the compiler's __int128, where the
 * compiler has one; on targets without it (armhf) the fixed cases still run.
 */
#include <stdint.h>

#include "check.h"
#include "ref_wide.h"

static void test_fixed(void) {
    /* (2^64 - 1)^2 = 2^128 - 2^65 + 1 */
    ref_wide p = ref_wide_mul_u64(UINT64_MAX, UINT64_MAX);
    CHECK(p.hi == UINT64_MAX - 1 && p.lo == 1);
    /* -3 * 5 = -15, and the comparisons are signed */
    ref_wide q = ref_wide_mul(ref_wide_from_i64(-3), ref_wide_from_i64(5));
    CHECK(ref_wide_cmp(q, ref_wide_from_i64(-15)) == 0);
    CHECK(ref_wide_cmp(q, ref_wide_from_i64(0)) < 0);
    CHECK(ref_wide_cmp(ref_wide_sub(ref_wide_from_i64(2), ref_wide_from_i64(7)), ref_wide_from_i64(-5)) == 0);
    /* 10^18 * 999,999 / 10^6 = 999,999 * 10^12 */
    CHECK(ref_wide_div_u64(ref_wide_mul_u64(1000000000000000000u, 999999u), 1000000u) == 999999000000000000u);
}

#ifdef __SIZEOF_INT128__
static int same(ref_wide a, __int128 b) {
    const unsigned __int128 u = (unsigned __int128)b;
    return a.hi == (uint64_t)(u >> 64) && a.lo == (uint64_t)u;
}

static void test_against_int128(void) {
    check_rng rng = {128};
    for (int k = 0; k < 200000; k++) {
        /* Operands up to 2^62 in magnitude, products up to 2^124: inside 128 bits, as in the references. */
        const int shift = (int)check_range(&rng, 0, 62);
        const int64_t x = (int64_t)(check_next(&rng) >> (1 + shift)) * (check_range(&rng, 0, 1) ? 1 : -1);
        const int64_t y = (int64_t)(check_next(&rng) >> (1 + (62 - shift))) * (check_range(&rng, 0, 1) ? 1 : -1);
        const ref_wide a = ref_wide_from_i64(x), b = ref_wide_from_i64(y);
        CHECK(same(ref_wide_mul(a, b), (__int128)x * y));
        CHECK(same(ref_wide_add(a, b), (__int128)x + y));
        CHECK(same(ref_wide_sub(a, b), (__int128)x - y));
        const __int128 wx = (__int128)x * 7, wy = (__int128)y * 11;
        const int c = ref_wide_cmp(ref_wide_mul(a, ref_wide_from_i64(7)), ref_wide_mul(b, ref_wide_from_i64(11)));
        CHECK(c == (wx < wy ? -1 : wx > wy));
        const uint64_t ux = check_next(&rng), uy = check_next(&rng);
        CHECK(same(ref_wide_mul_u64(ux, uy), (__int128)((unsigned __int128)ux * uy)));
        const uint64_t d = (check_next(&rng) >> check_range(&rng, 0, 63)) | 1u;
        const unsigned __int128 n = (unsigned __int128)(check_next(&rng) % d) << 64 | check_next(&rng);
        CHECK(ref_wide_div_u64((ref_wide){(uint64_t)(n >> 64), (uint64_t)n}, d) == (uint64_t)(n / d));
    }
}
#endif

int main(void) {
    test_fixed();
#ifdef __SIZEOF_INT128__
    test_against_int128();
#endif
    return check_report("test_wide");
}
