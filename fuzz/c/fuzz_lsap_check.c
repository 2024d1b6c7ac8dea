/*
 * fuzz_lsap_check.c - the certificate checkers of v2g_lsap.h on arbitrary and on nearly-right certificates:
 * v2g_lsap_check_i64, v2g_lsap_check_f64, v2g_lsap_check_sparse_i64, v2g_lsap_check_sparse_f64.
 *
 * Input: rows, cols (0..6), a mode byte, the costs, then either a certificate (assignment and duals)
 * read from the input, or the solver's own certificate with one perturbation read from the input.
 * Checks:
 *   soundness: when a checker says V2G_OK on int64 costs (or on small integral doubles at tolerance 0),
 *     the assignment is complete, distinct and allowed, sum(u) + sum(v) equals its total, and that total
 *     is the optimum found by brute force;
 *   completeness: the solver's unperturbed certificate is accepted;
 *   the dense and the sparse checker agree on the same problem (the CSR lists every allowed pair, and
 *     with one mode bit the forbidden ones too);
 *   statuses stay within the documented ones (V2G_E_NAN only for NaN / -inf costs, V2G_E_INVALID only
 *     for a bad tolerance).
 */
#include "fuzz_input.h"

#define MAXN 6

typedef __int128 i128;

enum {
    M_MAXIMIZE = 1,
    M_F64 = 2,
    M_DERIVE = 4,       /* start from the solver's certificate */
    M_SMALL = 8,        /* small integer costs */
    M_FORBID = 16,      /* forbid pairs with (5 i + 3 j + seed) % 4 == 0 */
    M_LIST_FORBIDDEN = 32,
    M_TOL = 64,         /* read the tolerance (double checkers), else 0 */
};

/* Optimum over complete assignments by brute force (permutations of the larger side), 0 if none. */
static int brute_i64(size_t rows, size_t cols, const int64_t *c, int mx, i128 *best) {
    int tr = rows > cols;
    size_t ns = tr ? cols : rows, nb = tr ? rows : cols;
    static i128 dp[1 << MAXN];
    static unsigned char has[1 << MAXN];
    memset(has, 0, sizeof has);
    has[0] = 1;
    dp[0] = 0;
    int found = 0;
    for (size_t mask = 0; mask < ((size_t)1 << nb); mask++) {
        if (!has[mask]) continue;
        size_t k = (size_t)__builtin_popcountll(mask);
        if (k == ns) {
            if (!found || (mx ? dp[mask] > *best : dp[mask] < *best)) *best = dp[mask];
            found = 1;
            continue;
        }
        for (size_t b = 0; b < nb; b++) {
            if (mask & ((size_t)1 << b)) continue;
            int64_t x = tr ? c[b * cols + k] : c[k * cols + b];
            if (x == INT64_MAX) continue;
            size_t nm = mask | ((size_t)1 << b);
            i128 val = dp[mask] + x;
            if (!has[nm] || (mx ? val > dp[nm] : val < dp[nm])) dp[nm] = val;
            has[nm] = 1;
        }
    }
    return found;
}

/* Checks what a V2G_OK means: a complete, allowed assignment whose total is sum(u) + sum(v) and optimal. */
static void sound_i64(size_t rows, size_t cols, const int64_t *c, int mx, const int64_t *rtc, const int64_t *u,
                      const int64_t *v, const char *who) {
    size_t count = 0;
    unsigned char used[MAXN] = {0};
    i128 total = 0, duals = 0;
    for (size_t i = 0; i < rows; i++) {
        FZ_CHECK_MSG(rtc[i] >= -1 && rtc[i] < (int64_t)cols, "%s accepted row %zu -> %lld", who, i, (long long)rtc[i]);
        if (rtc[i] < 0) continue;
        FZ_CHECK_MSG(!used[rtc[i]], "%s accepted column %lld twice", who, (long long)rtc[i]);
        used[rtc[i]] = 1;
        FZ_CHECK_MSG(c[i * cols + (size_t)rtc[i]] != INT64_MAX, "%s accepted a forbidden pair", who);
        total += c[i * cols + (size_t)rtc[i]];
        count++;
    }
    FZ_CHECK_MSG(count == (rows < cols ? rows : cols), "%s accepted %zu pairs", who, count);
    for (size_t i = 0; i < rows; i++) duals += u[i];
    for (size_t j = 0; j < cols; j++) duals += v[j];
    FZ_CHECK_MSG(duals == total, "%s accepted duals summing to %lld for a total of %lld", who, (long long)duals,
                 (long long)total);
    i128 best = 0;
    if (rows && cols) {
        FZ_CHECK(brute_i64(rows, cols, c, mx, &best));
        FZ_CHECK_MSG(best == total, "%s accepted a total of %lld, optimum %lld", who, (long long)total, (long long)best);
    }
}

/* A CSR of the dense matrix: every allowed pair, and the forbidden ones too if list_forbidden. */
typedef struct csr {
    int64_t rs[MAXN + 1], ci[MAXN * MAXN];
    size_t nnz;
} csr;

static void to_csr(size_t rows, size_t cols, const unsigned char *forbidden, int list_forbidden, csr *s) {
    s->nnz = 0;
    s->rs[0] = 0;
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++)
            if (list_forbidden || !forbidden[i * cols + j]) s->ci[s->nnz++] = (int64_t)j;
        s->rs[i + 1] = (int64_t)s->nnz;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz r = fz_init(data, size);
    size_t rows = fz_count(&r, MAXN), cols = fz_count(&r, MAXN);
    uint8_t mode = fz_u8(&r);
    unsigned seed = fz_u8(&r);
    const int mx = (mode & M_MAXIMIZE) != 0;
    unsigned char forbidden[MAXN * MAXN] = {0};
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            forbidden[i * cols + j] = (mode & M_FORBID) && (5 * i + 3 * j + seed) % 4 == 0;
    csr s;
    to_csr(rows, cols, forbidden, (mode & M_LIST_FORBIDDEN) != 0, &s);
    unsigned char ckws[MAXN + 1];
    int64_t rtc[MAXN];
    uint8_t kind_byte;

    if (!(mode & M_F64)) {
        int64_t c[MAXN * MAXN], u[MAXN], v[MAXN];
        for (size_t k = 0; k < rows * cols; k++) {
            int64_t x = fz_i64(&r);
            if (mode & M_SMALL) x = (int64_t)(int8_t)(uint8_t)x / 4;
            c[k] = forbidden[k] ? INT64_MAX : x;
        }
        int derived = 0;
        if (mode & M_DERIVE) {
            static unsigned char ws[1 << 16];
            int64_t total;
            if (v2g_lsap_solve_i64(rows, cols, c, mx, rtc, &total, u, v, ws, sizeof ws) == V2G_OK) derived = 1;
        }
        if (!derived) {
            for (size_t i = 0; i < rows; i++) rtc[i] = (int64_t)(fz_u8(&r) % (cols + 3)) - 2;
            for (size_t i = 0; i < rows; i++) u[i] = fz_i64(&r);
            for (size_t j = 0; j < cols; j++) v[j] = fz_i64(&r);
        } else {
            if (rows + cols) FZ_CHECK_MSG(v2g_lsap_check_i64(rows, cols, c, mx, rtc, u, v) == V2G_OK,
                                          "the solver's certificate is rejected");
            /* One perturbation. */
            kind_byte = fz_u8(&r);
            size_t a = fz_u8(&r), b = fz_u8(&r);
            int64_t d = fz_i64(&r);
            switch (kind_byte % 5) {
            case 0: if (rows) u[a % rows] = (int64_t)((uint64_t)u[a % rows] + (uint64_t)d); break;
            case 1: if (cols) v[a % cols] = (int64_t)((uint64_t)v[a % cols] + (uint64_t)d); break;
            case 2: if (rows) { int64_t t = rtc[a % rows]; rtc[a % rows] = rtc[b % rows]; rtc[b % rows] = t; } break;
            case 3: if (rows) rtc[a % rows] = (int64_t)(b % (cols + 3)) - 2; break;
            default:
                if (rows && cols) { u[a % rows] += 1; v[b % cols] -= 1; }
                break;
            }
        }
        v2g_status st = v2g_lsap_check_i64(rows, cols, c, mx, rtc, u, v);
        FZ_NOTE("v2g_lsap_check_i64", st);
        FZ_CHECK_MSG(st == V2G_OK || st == V2G_E_CERTIFICATE, "dense check: %d (%s)", st, v2g_strerror(st));
        if (st == V2G_OK) sound_i64(rows, cols, c, mx, rtc, u, v, "v2g_lsap_check_i64");
        /* The sparse checker on the same problem. */
        int64_t sc[MAXN * MAXN];
        for (size_t i = 0; i < rows; i++)
            for (int64_t e = s.rs[i]; e < s.rs[i + 1]; e++) sc[e] = c[i * cols + (size_t)s.ci[e]];
        size_t need = v2g_lsap_check_sparse_workspace_size(rows, cols);
        FZ_CHECK(need <= sizeof ckws);
        v2g_status ss = v2g_lsap_check_sparse_i64(rows, cols, s.rs, s.ci, sc, mx, rtc, u, v, ckws, need);
        FZ_CHECK_MSG(ss == st, "sparse check %d (%s), dense check %d (%s)", ss, v2g_strerror(ss), st, v2g_strerror(st));
        if (ss == V2G_OK) sound_i64(rows, cols, c, mx, rtc, u, v, "v2g_lsap_check_sparse_i64");
        if (need > 1) {
            ss = v2g_lsap_check_sparse_i64(rows, cols, s.rs, s.ci, sc, mx, rtc, u, v, ckws, need - 1);
            FZ_CHECK(ss == V2G_E_WORKSPACE);
        }
    } else {
        double c[MAXN * MAXN], u[MAXN], v[MAXN];
        int nan = 0, integral = 1;
        for (size_t k = 0; k < rows * cols; k++) {
            double x = fz_f64(&r);
            if ((mode & M_SMALL) && isfinite(x)) x = (double)(int64_t)fmod(x, 64.0);
            c[k] = forbidden[k] ? INFINITY : x;
            if (isnan(c[k]) || c[k] == -INFINITY) nan = 1;
        }
        double tol = (mode & M_TOL) ? fz_f64(&r) : 0.0;
        int derived = 0;
        if ((mode & M_DERIVE) && !nan) {
            static unsigned char ws[1 << 16];
            double total;
            if (v2g_lsap_solve_f64(rows, cols, c, mx, rtc, &total, u, v, ws, sizeof ws) == V2G_OK) derived = 1;
        }
        if (!derived) {
            for (size_t i = 0; i < rows; i++) rtc[i] = (int64_t)(fz_u8(&r) % (cols + 3)) - 2;
            for (size_t i = 0; i < rows; i++) u[i] = fz_f64(&r);
            for (size_t j = 0; j < cols; j++) v[j] = fz_f64(&r);
        } else {
            kind_byte = fz_u8(&r);
            size_t a = fz_u8(&r), b = fz_u8(&r);
            double d = fz_f64(&r);
            switch (kind_byte % 4) {
            case 0: if (rows) u[a % rows] += d; break;
            case 1: if (cols) v[a % cols] += d; break;
            case 2: if (rows) { int64_t t = rtc[a % rows]; rtc[a % rows] = rtc[b % rows]; rtc[b % rows] = t; } break;
            default: if (rows) rtc[a % rows] = (int64_t)(b % (cols + 3)) - 2; break;
            }
        }
        v2g_status st = v2g_lsap_check_f64(rows, cols, c, mx, rtc, u, v, tol);
        FZ_NOTE("v2g_lsap_check_f64", st);
        fz_status_set allowed = FZ_BIT(V2G_OK) | FZ_BIT(V2G_E_CERTIFICATE);
        if (nan) allowed |= FZ_BIT(V2G_E_NAN);
        if (!(tol >= 0)) allowed = FZ_BIT(V2G_E_INVALID);
        FZ_CHECK_MSG(allowed & FZ_BIT(st), "dense check: %d (%s)", st, v2g_strerror(st));
        if (!(tol >= 0)) FZ_CHECK(st == V2G_E_INVALID);
        else if (nan && rows && cols) FZ_CHECK(st == V2G_E_NAN);
        /* Exact soundness on small integral values at tolerance 0. */
        for (size_t k = 0; k < rows * cols; k++)
            if (c[k] != INFINITY && !(fabs(c[k]) < 0x1p40 && c[k] == floor(c[k]))) integral = 0;
        for (size_t i = 0; i < rows; i++) if (!(fabs(u[i]) < 0x1p40 && u[i] == floor(u[i]))) integral = 0;
        for (size_t j = 0; j < cols; j++) if (!(fabs(v[j]) < 0x1p40 && v[j] == floor(v[j]))) integral = 0;
        if (st == V2G_OK && integral && tol == 0) {
            int64_t ci[MAXN * MAXN], ui[MAXN], vi[MAXN];
            for (size_t k = 0; k < rows * cols; k++) ci[k] = c[k] == INFINITY ? INT64_MAX : (int64_t)c[k];
            for (size_t i = 0; i < rows; i++) ui[i] = (int64_t)u[i];
            for (size_t j = 0; j < cols; j++) vi[j] = (int64_t)v[j];
            sound_i64(rows, cols, ci, mx, rtc, ui, vi, "v2g_lsap_check_f64");
        }
        double sc[MAXN * MAXN];
        for (size_t i = 0; i < rows; i++)
            for (int64_t e = s.rs[i]; e < s.rs[i + 1]; e++) sc[e] = c[i * cols + (size_t)s.ci[e]];
        size_t need = v2g_lsap_check_sparse_workspace_size(rows, cols);
        FZ_CHECK(need <= sizeof ckws);
        v2g_status ss = v2g_lsap_check_sparse_f64(rows, cols, s.rs, s.ci, sc, mx, rtc, u, v, tol, ckws, need);
        /* NaN costs are never forbidden, so the CSR lists them and both checkers see them. */
        FZ_CHECK_MSG(ss == st, "sparse check %d (%s), dense check %d (%s)", ss, v2g_strerror(ss), st, v2g_strerror(st));
    }
    return 0;
}
