/*
 * fuzz_penalty.c - v2g_penalty_factor, v2g_penalty_scale and v2g_penalty_update (v2g_penalty.h) on a
 * penalty list driven through a sequence of operations.
 *
 * Input: a list capacity (0..16), an initial length (may exceed the capacity) and values, then up to
 * 64 operations, each a selector byte and its arguments. Every result is compared with the header's
 * rules computed in 128-bit integers: the factor f <- floor(f v / 10^6) from 10^6; the scale
 * floor(x f / 10^6); the update's exact comparison pct < 1 - gamma, its appended value
 * floor(pct 10^6) + gamma (which must be a valid ratio, so the list keeps a factor), its removal of the
 * last value, its action, V2G_E_OVERFLOW leaving the list untouched at capacity, and the error statuses
 * (V2G_E_NEGATIVE, V2G_E_RANGE, V2G_E_INVALID for a length above the capacity).
 */
#include "fuzz_input.h"

#define MAX_CAP 16

typedef __int128 i128;

static v2g_status factor_ref(const int32_t *v, size_t n, int32_t *out) {
    int64_t f = V2G_PPM_ONE;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < 0 || v[i] > V2G_PPM_ONE) return V2G_E_RANGE;
        f = f * v[i] / V2G_PPM_ONE;
    }
    *out = (int32_t)f;
    return V2G_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz r = fz_init(data, size);
    size_t cap = fz_count(&r, MAX_CAP);
    size_t count = fz_count(&r, MAX_CAP + 2);
    int32_t *values = fz_calloc(MAX_CAP + 2, sizeof *values);
    for (size_t i = 0; i < count; i++) values[i] = fz_ppm(&r);
    for (int op = 0; op < 64 && r.n > 0; op++) {
        uint8_t sel = fz_u8(&r);
        switch (sel % 3) {
        case 0: {
            int32_t f = -5, want = -7;
            v2g_status st = v2g_penalty_factor(values, count, &f);
            FZ_NOTE("v2g_penalty_factor", st);
            v2g_status ws = factor_ref(values, count, &want);
            FZ_CHECK_MSG(st == ws, "factor: status %d, expected %d", st, ws);
            if (st == V2G_OK) FZ_CHECK_MSG(f == want && f >= 0 && f <= V2G_PPM_ONE, "factor %d, expected %d", f, want);
            break;
        }
        case 1: {
            int64_t x = fz_i64(&r), out = -5;
            int32_t f = fz_ppm(&r);
            v2g_status st = v2g_penalty_scale(x, f, &out);
            FZ_NOTE("v2g_penalty_scale", st);
            v2g_status ws = V2G_OK;
            if (x < 0) ws = V2G_E_NEGATIVE;
            else if (f < 0 || f > V2G_PPM_ONE) ws = V2G_E_RANGE;
            FZ_CHECK_MSG(st == ws, "scale(%lld, %d): status %d, expected %d", (long long)x, f, st, ws);
            if (st == V2G_OK) {
                i128 want = (i128)x * f / V2G_PPM_ONE;
                FZ_CHECK_MSG((i128)out == want && out <= x, "scale(%lld, %d) = %lld", (long long)x, f, (long long)out);
            }
            break;
        }
        default: {
            int64_t t = fz_i64(&r), p = fz_i64(&r);
            int32_t gamma = fz_ppm(&r);
            int with_action = (sel & 0x80) == 0;
            int32_t before[MAX_CAP + 2];
            size_t count_before = count;
            memcpy(before, values, sizeof before);
            v2g_penalty_action action = (v2g_penalty_action)99;
            v2g_status st = v2g_penalty_update(t, p, gamma, values, &count, cap, with_action ? &action : NULL);
            FZ_NOTE("v2g_penalty_update", st);
            fz_status_set expect = 0;
            if (t < 0 || p < 0) expect |= FZ_BIT(V2G_E_NEGATIVE);
            if (gamma < 0 || gamma > V2G_PPM_ONE) expect |= FZ_BIT(V2G_E_RANGE);
            if (count_before > cap) expect |= FZ_BIT(V2G_E_INVALID);
            v2g_penalty_action want = V2G_PENALTY_UNCHANGED;
            int32_t appended = -1;
            if (expect == 0 && t > 0) {
                /* pct < 1 - gamma  <=>  p 10^6 < (10^6 - gamma) t */
                if ((i128)p * V2G_PPM_ONE < (i128)(V2G_PPM_ONE - gamma) * t) {
                    if (count_before >= cap) expect |= FZ_BIT(V2G_E_OVERFLOW);
                    else {
                        want = V2G_PENALTY_APPENDED;
                        appended = (int32_t)((i128)p * V2G_PPM_ONE / t) + gamma;
                    }
                } else if (count_before > 0) {
                    want = V2G_PENALTY_FORGIVEN;
                }
            }
            if (expect == 0) FZ_CHECK_MSG(st == V2G_OK, "update(%lld, %lld, %d): status %d", (long long)t, (long long)p, gamma, st);
            else FZ_CHECK_MSG(st != V2G_OK && (expect & FZ_BIT(st)), "update: status %d, mask 0x%x", st, expect);
            if (st != V2G_OK) {
                FZ_CHECK_MSG(count == count_before && memcmp(before, values, sizeof before) == 0,
                             "update changed the list on error %d", st);
                break;
            }
            if (with_action) FZ_CHECK_MSG(action == want, "action %d, expected %d", (int)action, (int)want);
            if (want == V2G_PENALTY_APPENDED) {
                FZ_CHECK(count == count_before + 1 && count <= cap);
                FZ_CHECK_MSG(values[count - 1] == appended, "appended %d, expected %d", values[count - 1], appended);
                FZ_CHECK_MSG(appended >= 0 && appended <= V2G_PPM_ONE, "appended %d is no ratio", appended);
                FZ_CHECK(memcmp(before, values, count_before * sizeof *values) == 0);
            } else if (want == V2G_PENALTY_FORGIVEN) {
                FZ_CHECK(count == count_before - 1);
                FZ_CHECK(memcmp(before, values, count * sizeof *values) == 0);
            } else {
                FZ_CHECK(count == count_before && memcmp(before, values, sizeof before) == 0);
            }
            break;
        }
        }
    }
    free(values);
    return 0;
}
