/*
 * fuzz_lsap_sparse.c - v2g_lsap_solve_sparse_i64 / _f64 and v2g_lsap_check_sparse_i64 / _f64 (v2g_lsap.h).
 *
 * Input: rows, cols (0..64), a mode byte, a workspace byte, then per row an entry count and its
 * columns (a band of distinct columns, random columns that may repeat, wild values that may fall
 * outside [0, cols), or full rows) and costs, and optionally one perturbed row_start entry.
 * The harness predicts the status (empty: OK; bad CSR: V2G_E_INVALID; bad costs: V2G_E_NAN or
 * V2G_E_OVERFLOW; no complete assignment over the listed, allowed pairs: V2G_E_INFEASIBLE) and on
 * success checks:
 *   the assignment: min(rows, cols) distinct pairs, each a listed, allowed entry;
 *   total = the sum of the assigned costs; the duals sum to it and pass v2g_lsap_check_sparse_*;
 *   int64: potentials below 2^57;
 *   the same problem solved dense (unlisted = forbidden) gives the same total, and the dense checker
 *   accepts the sparse duals;
 *   the optimum by subset DP when the larger side is <= 12.
 */
#include "fuzz_input.h"

#define MAXN 64
#define DP_MAX 12

typedef __int128 i128;

enum {
    M_MAXIMIZE = 1,
    M_F64 = 2,
    M_MAG = 4 | 8,       /* 0 raw, 1 reduced into the bound, 2 near the bound, 3 small integers */
    M_COLS = 16 | 32,    /* 0 band, 1 random mod cols, 2 wild, 3 full rows in reverse */
    M_PERTURB = 64,      /* perturb one row_start entry */
    M_SMALL_WS = 128,
};

#include "fuzz_lsap_brute.h"

/* The CSR structure, read from the input. */
typedef struct csr {
    size_t rows, cols, nnz;
    int64_t *rs, *ci;
    int structure_ok;  /* row_start starts at 0 and never decreases */
    int columns_ok;    /* every column in range and distinct within its row */
} csr;

static void read_csr(fz *r, size_t rows, size_t cols, uint8_t mode, csr *s) {
    const int cm = (mode & M_COLS) >> 4;
    s->rows = rows;
    s->cols = cols;
    s->rs = fz_calloc(rows + 1, sizeof *s->rs);
    int64_t tmp[MAXN * MAXN];
    size_t nnz = 0;
    for (size_t i = 0; i < rows; i++) {
        size_t cnt = cm == 3 ? cols : fz_count(r, cols);
        unsigned start = fz_u8(r);
        for (size_t k = 0; k < cnt; k++) {
            int64_t j;
            if (cm == 0) j = (int64_t)((start + k) % cols);
            else if (cm == 1) j = (int64_t)(fz_u8(r) % cols);
            else if (cm == 2) j = (int64_t)((uint64_t)fz_i64(r) - 3u);
            else j = (int64_t)(cols - 1 - k);
            tmp[nnz++] = j;
        }
        s->rs[i + 1] = (int64_t)nnz;
    }
    s->nnz = nnz;
    s->ci = fz_calloc(nnz, sizeof *s->ci);
    if (nnz) memcpy(s->ci, tmp, nnz * sizeof *s->ci);
    if (mode & M_PERTURB) {
        /* Never the last entry: the arrays hold exactly nnz entries. */
        size_t at = rows ? fz_count(r, rows - 1) : 0;
        int64_t delta = fz_i64(r), x;
        if (__builtin_add_overflow(s->rs[at], delta, &x)) x = delta > 0 ? INT64_MAX : INT64_MIN;
        if (rows) s->rs[at] = x;
    }
    s->structure_ok = s->rs[0] == 0;
    for (size_t i = 0; i < rows; i++)
        if (s->rs[i + 1] < s->rs[i]) s->structure_ok = 0;
    s->columns_ok = 1;
    if (s->structure_ok) {
        unsigned char mark[MAXN];
        for (size_t i = 0; i < rows; i++) {
            memset(mark, 0, sizeof mark);
            for (int64_t e = s->rs[i]; e < s->rs[i + 1]; e++) {
                int64_t j = s->ci[e];
                if (j < 0 || (uint64_t)j >= cols || mark[j]) { s->columns_ok = 0; break; }
                mark[j] = 1;
            }
        }
    }
}

static void free_csr(csr *s) {
    free(s->rs);
    free(s->ci);
}

/* The listed entry of (i, j), or -1. */
static int64_t entry_of(const csr *s, size_t i, int64_t j) {
    for (int64_t e = s->rs[i]; e < s->rs[i + 1]; e++)
        if (s->ci[e] == j) return e;
    return -1;
}

/* ---------------------------------------------------------------- int64 */

static void run_i64(fz *r, const csr *s, uint8_t mode, unsigned ws_byte) {
    const size_t rows = s->rows, cols = s->cols, nnz = s->nnz;
    const int mx = (mode & M_MAXIMIZE) != 0, mag = (mode & M_MAG) >> 2;
    const int64_t bound = v2g_lsap_i64_cost_bound(rows, cols);
    int64_t *c = fz_calloc(nnz, sizeof *c);
    for (size_t e = 0; e < nnz; e++) {
        int64_t x = fz_i64(r);
        if (x != INT64_MAX) {
            if (mag == 1) x = x % (bound + 1);
            else if (mag == 2) x = (x & 1) ? bound - (x >> 1 & 7) : -bound + (x >> 1 & 7);
            else if (mag == 3) x = (int64_t)(int8_t)(uint8_t)x / 8;
        }
        c[e] = x;
    }
    const int empty = rows == 0 || cols == 0;
    const int valid_csr = s->structure_ok && s->columns_ok;
    /* The dense twin: unlisted and forbidden pairs are INT64_MAX. */
    int64_t *dense = fz_calloc(rows * cols, sizeof *dense);
    unsigned char *ok = fz_calloc(rows * cols, 1);
    int over = 0;
    for (size_t k = 0; k < rows * cols; k++) dense[k] = INT64_MAX;
    if (valid_csr)
        for (size_t i = 0; i < rows; i++)
            for (int64_t e = s->rs[i]; e < s->rs[i + 1]; e++) {
                dense[i * cols + (size_t)s->ci[e]] = c[e];
                ok[i * cols + (size_t)s->ci[e]] = c[e] != INT64_MAX;
                if (c[e] != INT64_MAX && (c[e] > bound || c[e] < -bound)) over = 1;
            }
    fz_status_set expect = 0;
    if (!empty) {
        if (!valid_csr) expect |= FZ_BIT(V2G_E_INVALID);
        else if (over) expect |= FZ_BIT(V2G_E_OVERFLOW);
        else if (!feasible(rows, cols, ok)) expect |= FZ_BIT(V2G_E_INFEASIBLE);
    }
    size_t need = v2g_lsap_sparse_workspace_size(rows, cols, nnz);
    FZ_CHECK(need > 0 && need < FZ_MAX_WORKSPACE);
    size_t give = need;
    if ((mode & M_SMALL_WS) && !empty) { give = need - 1; expect |= FZ_BIT(V2G_E_WORKSPACE); }
    fz_buf ws = fz_alloc(give, ws_byte, (ws_byte & 64) ? 0xB7 : 0x00);
    int64_t *rtc = fz_calloc(rows, sizeof *rtc), *u = fz_calloc(rows, sizeof *u), *v = fz_calloc(cols, sizeof *v);
    int64_t total = 999;
    v2g_status st = v2g_lsap_solve_sparse_i64(rows, cols, s->rs, s->ci, c, mx, rtc, &total, u, v, ws.ptr, give);
    FZ_NOTE("v2g_lsap_solve_sparse_i64", st);
    if (expect == 0) FZ_CHECK_MSG(st == V2G_OK, "status %d (%s) on a valid, feasible problem", st, v2g_strerror(st));
    else FZ_CHECK_MSG(expect & FZ_BIT(st), "status %d (%s), expected mask 0x%x", st, v2g_strerror(st), (unsigned)expect);

    if (st == V2G_OK && !empty) {
        size_t want = rows < cols ? rows : cols, count = 0;
        unsigned char used[MAXN] = {0};
        i128 sum = 0, duals = 0;
        for (size_t i = 0; i < rows; i++) {
            FZ_CHECK(rtc[i] >= -1 && rtc[i] < (int64_t)cols);
            if (rtc[i] < 0) continue;
            FZ_CHECK(!used[rtc[i]]);
            used[rtc[i]] = 1;
            int64_t e = entry_of(s, i, rtc[i]);
            FZ_CHECK_MSG(e >= 0 && c[e] != INT64_MAX, "row %zu assigned to unlisted or forbidden column %lld", i,
                         (long long)rtc[i]);
            sum += c[e];
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
        size_t cneed = v2g_lsap_check_sparse_workspace_size(rows, cols);
        fz_buf cws = fz_alloc(cneed, ws_byte >> 1, 0xFF);
        v2g_status ck = v2g_lsap_check_sparse_i64(rows, cols, s->rs, s->ci, c, mx, rtc, u, v, cws.ptr, cneed);
        FZ_CHECK_MSG(ck == V2G_OK, "own sparse certificate rejected: %d (%s)", ck, v2g_strerror(ck));
        fz_free(&cws);
        ck = v2g_lsap_check_i64(rows, cols, dense, mx, rtc, u, v);
        FZ_CHECK_MSG(ck == V2G_OK, "sparse certificate rejected by the dense checker: %d (%s)", ck, v2g_strerror(ck));
        /* The dense solver on the same problem. */
        size_t dneed = v2g_lsap_workspace_size(rows, cols);
        fz_buf dws = fz_alloc(dneed, 0, 0);
        int64_t *rtc2 = fz_calloc(rows, sizeof *rtc2);
        int64_t total2 = 0;
        v2g_status st2 = v2g_lsap_solve_i64(rows, cols, dense, mx, rtc2, &total2, NULL, NULL, dws.ptr, dneed);
        FZ_CHECK_MSG(st2 == V2G_OK && total2 == total, "dense solver: status %d, total %lld; sparse total %lld", st2,
                     (long long)total2, (long long)total);
        free(rtc2);
        fz_free(&dws);
        if ((rows > cols ? rows : cols) <= DP_MAX) {
            i128 best = 0;
            FZ_CHECK(dp_best_i64(rows, cols, dense, ok, mx, &best));
            FZ_CHECK_MSG(best == (i128)total, "total %lld, optimum %lld", (long long)total, (long long)best);
        }
    } else if (st == V2G_E_INFEASIBLE) {
        FZ_CHECK(!empty && valid_csr && !feasible(rows, cols, ok));
    }
    fz_free(&ws);
    free(c);
    free(dense);
    free(ok);
    free(rtc);
    free(u);
    free(v);
}

/* ---------------------------------------------------------------- double */

static void run_f64(fz *r, const csr *s, uint8_t mode, unsigned ws_byte) {
    const size_t rows = s->rows, cols = s->cols, nnz = s->nnz;
    const int mx = (mode & M_MAXIMIZE) != 0, mag = (mode & M_MAG) >> 2;
    const double bound = 0x1p1000 / ((double)rows + (double)cols + 1.0);
    double *c = fz_calloc(nnz, sizeof *c);
    for (size_t e = 0; e < nnz; e++) {
        double x = fz_f64(r);
        if (mag == 1 && isfinite(x)) x = fmod(x, bound);
        else if (mag == 2 && isfinite(x)) x = x < 0 ? -bound * (1 - 1e-15) : bound * (1 - 1e-15);
        else if (mag == 3) x = isfinite(x) ? (double)((int64_t)fmod(x, 64.0)) : x;
        c[e] = x;
    }
    const int empty = rows == 0 || cols == 0;
    const int valid_csr = s->structure_ok && s->columns_ok;
    double *dense = fz_calloc(rows * cols, sizeof *dense);
    unsigned char *ok = fz_calloc(rows * cols, 1);
    int over = 0, nan = 0, exact = 1;
    double kmax = 0;
    for (size_t k = 0; k < rows * cols; k++) dense[k] = INFINITY;
    if (valid_csr)
        for (size_t i = 0; i < rows; i++)
            for (int64_t e = s->rs[i]; e < s->rs[i + 1]; e++) {
                double x = c[e];
                dense[i * cols + (size_t)s->ci[e]] = x;
                ok[i * cols + (size_t)s->ci[e]] = x != INFINITY && !isnan(x);
                if (isnan(x) || x == -INFINITY) nan = 1;
                else if (x != INFINITY) {
                    if (fabs(x) > bound) over = 1;
                    else if (fabs(x) > kmax) kmax = fabs(x);
                    if (!(fabs(x) <= 1e6 && x == (double)(int64_t)x)) exact = 0;
                }
            }
    const double tol = exact ? 0.0 : 1e-7 * kmax * ((double)rows + (double)cols + 1.0);
    fz_status_set expect = 0;
    if (!empty) {
        if (!valid_csr) expect |= FZ_BIT(V2G_E_INVALID);
        else {
            if (nan) expect |= FZ_BIT(V2G_E_NAN);
            if (over) expect |= FZ_BIT(V2G_E_OVERFLOW);
            if (!nan && !over && !feasible(rows, cols, ok)) expect |= FZ_BIT(V2G_E_INFEASIBLE);
        }
    }
    size_t need = v2g_lsap_sparse_workspace_size(rows, cols, nnz);
    FZ_CHECK(need > 0 && need < FZ_MAX_WORKSPACE);
    size_t give = need;
    if ((mode & M_SMALL_WS) && !empty) { give = need - 1; expect |= FZ_BIT(V2G_E_WORKSPACE); }
    fz_buf ws = fz_alloc(give, ws_byte, (ws_byte & 64) ? 0xB7 : 0x00);
    int64_t *rtc = fz_calloc(rows, sizeof *rtc);
    double *u = fz_calloc(rows, sizeof *u), *v = fz_calloc(cols, sizeof *v);
    double total = 999;
    v2g_status st = v2g_lsap_solve_sparse_f64(rows, cols, s->rs, s->ci, c, mx, rtc, &total, u, v, ws.ptr, give);
    FZ_NOTE("v2g_lsap_solve_sparse_f64", st);
    if (expect == 0) FZ_CHECK_MSG(st == V2G_OK, "status %d (%s) on a valid, feasible problem", st, v2g_strerror(st));
    else FZ_CHECK_MSG(expect & FZ_BIT(st), "status %d (%s), expected mask 0x%x", st, v2g_strerror(st), (unsigned)expect);

    if (st == V2G_OK && !empty) {
        size_t want = rows < cols ? rows : cols, count = 0;
        unsigned char used[MAXN] = {0};
        double sum = 0, duals = 0, dmax = 0;
        for (size_t i = 0; i < rows; i++) {
            FZ_CHECK(rtc[i] >= -1 && rtc[i] < (int64_t)cols);
            if (rtc[i] < 0) continue;
            FZ_CHECK(!used[rtc[i]]);
            used[rtc[i]] = 1;
            int64_t e = entry_of(s, i, rtc[i]);
            FZ_CHECK_MSG(e >= 0 && c[e] != INFINITY, "row %zu assigned to unlisted or forbidden column %lld", i,
                         (long long)rtc[i]);
            sum += c[e];
            count++;
        }
        FZ_CHECK_MSG(count == want, "%zu pairs assigned, expected %zu", count, want);
        FZ_CHECK_MSG(fabs(sum - total) <= tol, "total %.17g, sum of assigned costs %.17g", total, sum);
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
        FZ_CHECK_MSG(fabs(duals - total) <= tol_dual * ((double)rows + (double)cols + 1.0),
                     "sum of duals %.17g, total %.17g", duals, total);
        size_t cneed = v2g_lsap_check_sparse_workspace_size(rows, cols);
        fz_buf cws = fz_alloc(cneed, ws_byte >> 1, 0xFF);
        v2g_status ck = v2g_lsap_check_sparse_f64(rows, cols, s->rs, s->ci, c, mx, rtc, u, v, tol_dual, cws.ptr, cneed);
        FZ_CHECK_MSG(ck == V2G_OK, "own sparse certificate rejected at tolerance %g: %d (%s)", tol_dual, ck,
                     v2g_strerror(ck));
        fz_free(&cws);
        ck = v2g_lsap_check_f64(rows, cols, dense, mx, rtc, u, v, tol_dual);
        FZ_CHECK_MSG(ck == V2G_OK, "sparse certificate rejected by the dense checker: %d (%s)", ck, v2g_strerror(ck));
        size_t dneed = v2g_lsap_workspace_size(rows, cols);
        fz_buf dws = fz_alloc(dneed, 0, 0);
        int64_t *rtc2 = fz_calloc(rows, sizeof *rtc2);
        double total2 = 0;
        v2g_status st2 = v2g_lsap_solve_f64(rows, cols, dense, mx, rtc2, &total2, NULL, NULL, dws.ptr, dneed);
        FZ_CHECK_MSG(st2 == V2G_OK && fabs(total2 - total) <= tol, "dense solver: status %d, total %.17g; sparse %.17g",
                     st2, total2, total);
        free(rtc2);
        fz_free(&dws);
        if ((rows > cols ? rows : cols) <= DP_MAX) {
            double best = 0;
            FZ_CHECK(dp_best_f64(rows, cols, dense, ok, mx, &best));
            FZ_CHECK_MSG(fabs(best - total) <= tol, "total %.17g, optimum %.17g (tolerance %g)", total, best, tol);
        }
    } else if (st == V2G_E_INFEASIBLE) {
        FZ_CHECK(!empty && valid_csr && !feasible(rows, cols, ok));
    }
    fz_free(&ws);
    free(c);
    free(dense);
    free(ok);
    free(rtc);
    free(u);
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz r = fz_init(data, size);
    size_t rows = fz_count(&r, MAXN), cols = fz_count(&r, MAXN);
    uint8_t mode = fz_u8(&r);
    unsigned ws_byte = fz_u8(&r);
    if (cols == 0 && ((mode & M_COLS) >> 4) != 2) mode &= (uint8_t)~M_COLS; /* no columns to pick from */
    csr s;
    read_csr(&r, rows, cols, mode, &s);
    if (mode & M_F64) run_f64(&r, &s, mode, ws_byte);
    else run_i64(&r, &s, mode, ws_byte);
    free_csr(&s);
    return 0;
}
