/*
 * fuzz_lsap_dense.c - v2g_lsap_solve_i64 and v2g_lsap_solve_f64 (v2g_lsap.h): minimise and maximise,
 * square and rectangular (both orientations), forbidden pairs, costs up to and beyond the bounds.
 *
 * Input: rows, cols (0..64), a mode byte, a workspace offset, a forbidden-pattern seed, then the
 * costs. The harness predicts the status (empty problem: OK; NaN or -inf: V2G_E_NAN; |cost| over
 * the bound: V2G_E_OVERFLOW; otherwise OK unless no complete assignment of allowed pairs exists,
 * which a plain augmenting-path matching decides: V2G_E_INFEASIBLE). On success:
 *   the assignment has min(rows, cols) distinct pairs, all allowed, in range;
 *   total equals the sum of the assigned costs;
 *   the duals pass v2g_lsap_check_* on the same costs and sum to the total;
 *   int64: every potential stays below 2^57 in magnitude (the header's claim);
 *   the total is the optimum (subset dynamic programming when the larger side is <= 12);
 *   a second call without duals, on a workspace of other bytes, gives the same assignment and total.
 * double: costs of "integer mode" are small integers, so every check is exact (tolerance 0);
 * otherwise the tolerance scales with the largest |cost|.
 */
#include "fuzz_input.h"

#define MAXN 64
#define DP_MAX 12

typedef __int128 i128;

enum {
    M_MAXIMIZE = 1,
    M_F64 = 2,          /* double costs, else int64 */
    M_MAG = 4 | 8,      /* cost mode: 0 raw, 1 reduced into the bound, 2 near the bound, 3 small integers */
    M_FORBID = 16,      /* forbid pairs with (7 i + 3 j + seed) % period == 0 */
    M_SMALL_WS = 32,
    M_FILL = 64,
};

/* ---------------------------------------------------------------- feasibility and brute force */
#include "fuzz_lsap_brute.h"

static int forbidden_at(uint8_t mode, unsigned seed, unsigned period, size_t i, size_t j) {
    return (mode & M_FORBID) && period > 0 && (7 * i + 3 * j + seed) % period == 0;
}

/* ---------------------------------------------------------------- int64 */

static void run_i64(fz *r, size_t rows, size_t cols, uint8_t mode, unsigned ws_offset, unsigned seed, unsigned period) {
    const int mx = (mode & M_MAXIMIZE) != 0;
    const int mag = (mode & M_MAG) >> 2;
    const size_t nn = rows * cols;
    const int64_t bound = v2g_lsap_i64_cost_bound(rows, cols);
    FZ_CHECK(rows + cols == 0 || bound == (int64_t)(((uint64_t)1 << 55) / (rows + cols + 1)));
    int64_t *c = fz_calloc(nn, sizeof *c);
    unsigned char *ok = fz_calloc(nn, 1);
    int over = 0;
    int64_t kmax = 0;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            int64_t x = fz_i64(r);
            if (x != INT64_MAX) {
                if (mag == 1) x = x % (bound + 1);
                else if (mag == 2) x = (x & 1) ? bound - (x >> 1 & 7) : -bound + (x >> 1 & 7);
                else if (mag == 3) x = (int64_t)(int8_t)(uint8_t)x / 8;
            }
            if (forbidden_at(mode, seed, period, i, j)) x = INT64_MAX;
            c[i * cols + j] = x;
            ok[i * cols + j] = x != INT64_MAX;
            if (x != INT64_MAX) {
                if (x > bound || x < -bound) over = 1;
                else if ((x < 0 ? -x : x) > kmax) kmax = x < 0 ? -x : x;
            }
        }
    fz_status_set expect = 0;
    const int empty = rows == 0 || cols == 0;
    if (!empty) {
        if (over) expect |= FZ_BIT(V2G_E_OVERFLOW);
        else if (!feasible(rows, cols, ok)) expect |= FZ_BIT(V2G_E_INFEASIBLE);
    }
    size_t need = v2g_lsap_workspace_size(rows, cols);
    FZ_CHECK(need > 0 && need < FZ_MAX_WORKSPACE);
    size_t give = need;
    if ((mode & M_SMALL_WS) && !empty) { give = need - 1; expect |= FZ_BIT(V2G_E_WORKSPACE); }
    fz_buf ws = fz_alloc(give, ws_offset, (mode & M_FILL) ? 0xEE : 0x00);
    int64_t *rtc = fz_calloc(rows, sizeof *rtc), *u = fz_calloc(rows, sizeof *u), *v = fz_calloc(cols, sizeof *v);
    int64_t total = 12345;
    v2g_status st = v2g_lsap_solve_i64(rows, cols, c, mx, rtc, &total, u, v, ws.ptr, give);
    FZ_NOTE("v2g_lsap_solve_i64", st);
    if (expect == 0) FZ_CHECK_MSG(st == V2G_OK, "status %d (%s) on a valid, feasible problem", st, v2g_strerror(st));
    else FZ_CHECK_MSG(expect & FZ_BIT(st), "status %d (%s), expected mask 0x%x", st, v2g_strerror(st), (unsigned)expect);

    if (st == V2G_OK) {
        size_t want = rows < cols ? rows : cols, count = 0;
        unsigned char used[MAXN] = {0};
        i128 sum = 0, duals = 0;
        for (size_t i = 0; i < rows; i++) {
            FZ_CHECK(rtc[i] >= -1 && rtc[i] < (int64_t)cols);
            if (rtc[i] < 0) continue;
            FZ_CHECK(!used[rtc[i]]);
            used[rtc[i]] = 1;
            FZ_CHECK_MSG(ok[i * cols + (size_t)rtc[i]], "row %zu assigned to forbidden column %lld", i, (long long)rtc[i]);
            sum += c[i * cols + (size_t)rtc[i]];
            count++;
        }
        FZ_CHECK_MSG(count == want, "%zu pairs assigned, expected %zu", count, want);
        FZ_CHECK_MSG(sum == (i128)total, "total %lld, sum of assigned costs %lld", (long long)total, (long long)sum);
        const int64_t lim = (int64_t)1 << 57;
        for (size_t i = 0; i < rows; i++) {
            FZ_CHECK_MSG(u[i] > -lim && u[i] < lim, "u[%zu] = %lld beyond 2^57", i, (long long)u[i]);
            duals += u[i];
        }
        for (size_t j = 0; j < cols; j++) {
            FZ_CHECK_MSG(v[j] > -lim && v[j] < lim, "v[%zu] = %lld beyond 2^57", j, (long long)v[j]);
            duals += v[j];
        }
        FZ_CHECK_MSG(duals == (i128)total, "sum of duals %lld, total %lld", (long long)duals, (long long)total);
        v2g_status ck = v2g_lsap_check_i64(rows, cols, c, mx, rtc, u, v);
        FZ_CHECK_MSG(ck == V2G_OK, "own certificate rejected: %d (%s)", ck, v2g_strerror(ck));
        if ((rows > cols ? rows : cols) <= DP_MAX && !empty) {
            i128 best = 0;
            FZ_CHECK(dp_best_i64(rows, cols, c, ok, mx, &best));
            FZ_CHECK_MSG(best == (i128)total, "total %lld, optimum %lld", (long long)total, (long long)best);
        }
        /* Again without duals, on other workspace bytes. */
        memset(ws.base, 0x77, give + (ws_offset & 63u) + 1);
        int64_t *rtc2 = fz_calloc(rows, sizeof *rtc2);
        int64_t total2 = 0;
        v2g_status st2 = v2g_lsap_solve_i64(rows, cols, c, mx, rtc2, &total2, NULL, NULL, ws.ptr, give);
        FZ_CHECK(st2 == V2G_OK && total2 == total);
        FZ_CHECK(rows == 0 || memcmp(rtc, rtc2, rows * sizeof *rtc) == 0);
        free(rtc2);
    } else if (st == V2G_E_INFEASIBLE) {
        FZ_CHECK(!empty && !feasible(rows, cols, ok));
    }
    fz_free(&ws);
    free(c);
    free(ok);
    free(rtc);
    free(u);
    free(v);
}

/* ---------------------------------------------------------------- double */

static void run_f64(fz *r, size_t rows, size_t cols, uint8_t mode, unsigned ws_offset, unsigned seed, unsigned period) {
    const int mx = (mode & M_MAXIMIZE) != 0;
    const int mag = (mode & M_MAG) >> 2;
    const size_t nn = rows * cols;
    const double bound = 0x1p1000 / ((double)rows + (double)cols + 1.0);
    double *c = fz_calloc(nn, sizeof *c);
    unsigned char *ok = fz_calloc(nn, 1);
    int over = 0, nan = 0;
    double kmax = 0;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            double x = fz_f64(r);
            if (mag == 1 && isfinite(x)) x = fmod(x, bound);
            else if (mag == 2 && isfinite(x)) x = x < 0 ? -bound * (1 - 1e-15) : bound * (1 - 1e-15);
            else if (mag == 3) x = isfinite(x) ? (double)((int64_t)fmod(x, 64.0)) : x;
            if (forbidden_at(mode, seed, period, i, j)) x = INFINITY;
            c[i * cols + j] = x;
            ok[i * cols + j] = x != INFINITY && !isnan(x);
            if (isnan(x) || x == -INFINITY) nan = 1;
            else if (x != INFINITY) {
                if (fabs(x) > bound) over = 1;
                else if (fabs(x) > kmax) kmax = fabs(x);
            }
        }
    int exact = 1; /* small integers only: every check is exact */
    for (size_t k = 0; k < nn; k++)
        if (c[k] != INFINITY && !(fabs(c[k]) <= 1e6 && c[k] == (double)(int64_t)c[k])) exact = 0;
    const double tol = exact ? 0.0 : 1e-7 * kmax * ((double)rows + (double)cols + 1.0);

    fz_status_set expect = 0;
    const int empty = rows == 0 || cols == 0;
    if (!empty) {
        if (nan) expect |= FZ_BIT(V2G_E_NAN);
        if (over) expect |= FZ_BIT(V2G_E_OVERFLOW);
        if (!nan && !over && !feasible(rows, cols, ok)) expect |= FZ_BIT(V2G_E_INFEASIBLE);
    }
    size_t need = v2g_lsap_workspace_size(rows, cols);
    FZ_CHECK(need > 0 && need < FZ_MAX_WORKSPACE);
    size_t give = need;
    if ((mode & M_SMALL_WS) && !empty) { give = need - 1; expect |= FZ_BIT(V2G_E_WORKSPACE); }
    fz_buf ws = fz_alloc(give, ws_offset, (mode & M_FILL) ? 0xEE : 0x00);
    int64_t *rtc = fz_calloc(rows, sizeof *rtc);
    double *u = fz_calloc(rows, sizeof *u), *v = fz_calloc(cols, sizeof *v);
    double total = 12345;
    v2g_status st = v2g_lsap_solve_f64(rows, cols, c, mx, rtc, &total, u, v, ws.ptr, give);
    FZ_NOTE("v2g_lsap_solve_f64", st);
    if (expect == 0) FZ_CHECK_MSG(st == V2G_OK, "status %d (%s) on a valid, feasible problem", st, v2g_strerror(st));
    else FZ_CHECK_MSG(expect & FZ_BIT(st), "status %d (%s), expected mask 0x%x", st, v2g_strerror(st), (unsigned)expect);

    if (st == V2G_OK) {
        size_t want = rows < cols ? rows : cols, count = 0;
        unsigned char used[MAXN] = {0};
        double sum = 0, duals = 0;
        for (size_t i = 0; i < rows; i++) {
            FZ_CHECK(rtc[i] >= -1 && rtc[i] < (int64_t)cols);
            if (rtc[i] < 0) continue;
            FZ_CHECK(!used[rtc[i]]);
            used[rtc[i]] = 1;
            FZ_CHECK_MSG(ok[i * cols + (size_t)rtc[i]], "row %zu assigned to forbidden column %lld", i, (long long)rtc[i]);
            sum += c[i * cols + (size_t)rtc[i]];
            count++;
        }
        FZ_CHECK_MSG(count == want, "%zu pairs assigned, expected %zu", count, want);
        FZ_CHECK_MSG(sum == total || (isnan(sum) && isnan(total)), "total %.17g, sum of assigned costs (row order) %.17g",
                     total, sum);
        /* The duals may be larger than the costs (the solver's potentials start from -(4K + 1)), so the
         * certificate is checked at rounding relative to them; optimality below is relative to the costs. */
        double dmax = 0;
        for (size_t i = 0; i < rows; i++) {
            FZ_CHECK_MSG(isfinite(u[i]), "u[%zu] = %g", i, u[i]);
            duals += u[i];
            if (fabs(u[i]) > dmax) dmax = fabs(u[i]);
        }
        for (size_t j = 0; j < cols; j++) {
            FZ_CHECK_MSG(isfinite(v[j]), "v[%zu] = %g", j, v[j]);
            duals += v[j];
            if (fabs(v[j]) > dmax) dmax = fabs(v[j]);
        }
        const double tol_dual = exact ? 0.0 : 1e-7 * (kmax + dmax) * ((double)rows + (double)cols + 1.0);
        v2g_status ck = v2g_lsap_check_f64(rows, cols, c, mx, rtc, u, v, tol_dual);
        FZ_CHECK_MSG(ck == V2G_OK, "own certificate rejected at tolerance %g: %d (%s)", tol_dual, ck, v2g_strerror(ck));
        FZ_CHECK_MSG(fabs(duals - total) <= tol_dual * ((double)rows + (double)cols + 1.0),
                     "sum of duals %.17g, total %.17g", duals, total);
        if ((rows > cols ? rows : cols) <= DP_MAX && !empty) {
            double best = 0;
            FZ_CHECK(dp_best_f64(rows, cols, c, ok, mx, &best));
            FZ_CHECK_MSG(fabs(best - total) <= tol, "total %.17g, optimum %.17g (tolerance %g)", total, best, tol);
        }
        memset(ws.base, 0x77, give + (ws_offset & 63u) + 1);
        int64_t *rtc2 = fz_calloc(rows, sizeof *rtc2);
        double total2 = 0;
        v2g_status st2 = v2g_lsap_solve_f64(rows, cols, c, mx, rtc2, &total2, NULL, NULL, ws.ptr, give);
        FZ_CHECK(st2 == V2G_OK && memcmp(&total2, &total, sizeof total) == 0);
        FZ_CHECK(rows == 0 || memcmp(rtc, rtc2, rows * sizeof *rtc) == 0);
        free(rtc2);
    } else if (st == V2G_E_INFEASIBLE) {
        FZ_CHECK(!empty && !feasible(rows, cols, ok));
    }
    fz_free(&ws);
    free(c);
    free(ok);
    free(rtc);
    free(u);
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz r = fz_init(data, size);
    size_t rows = fz_count(&r, MAXN), cols = fz_count(&r, MAXN);
    uint8_t mode = fz_u8(&r);
    unsigned ws_offset = fz_u8(&r);
    unsigned seed = fz_u8(&r), period = fz_u8(&r) % 9;
    if (mode & M_F64) run_f64(&r, rows, cols, mode, ws_offset, seed, period);
    else run_i64(&r, rows, cols, mode, ws_offset, seed, period);
    return 0;
}
