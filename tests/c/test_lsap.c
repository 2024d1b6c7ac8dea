/*
 * test_lsap.c - the LSAP solvers against brute force, the certificate checkers, and the edge cases.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "v2g/v2g_lsap.h"
#include "check.h"

#define MAXD 8
#define FORBID INT64_MAX

static unsigned char ws_buf[1 << 22];
static unsigned char ck_buf[1 << 12];

/* ------------------------------------------------------------------ brute force */

typedef struct {
    size_t rows, cols;
    const int64_t *c;
    int maximize, found;
    int64_t best;
    int used[MAXD];
} brute;

/* Tries every injection of the smaller side into the larger one. */
static void brute_rec(brute *b, size_t k, int64_t acc) {
    const int tr = b->rows > b->cols;
    const size_t small = tr ? b->cols : b->rows, big = tr ? b->rows : b->cols;
    if (k == small) {
        if (!b->found || (b->maximize ? acc > b->best : acc < b->best)) b->best = acc;
        b->found = 1;
        return;
    }
    for (size_t t = 0; t < big; t++) {
        if (b->used[t]) continue;
        const int64_t c = tr ? b->c[t * b->cols + k] : b->c[k * b->cols + t];
        if (c == FORBID) continue;
        b->used[t] = 1;
        brute_rec(b, k + 1, acc + c);
        b->used[t] = 0;
    }
}

/* 1 and *best if a complete assignment exists, else 0. */
static int brute_force(size_t rows, size_t cols, const int64_t *c, int maximize, int64_t *best) {
    brute b;
    memset(&b, 0, sizeof b);
    b.rows = rows; b.cols = cols; b.c = c; b.maximize = maximize;
    brute_rec(&b, 0, 0);
    *best = b.best;
    return b.found;
}

/* ------------------------------------------------------------------ helpers */

typedef struct {
    int64_t rs[MAXD + 1], ci[MAXD * MAXD], cv[MAXD * MAXD];
    double cf[MAXD * MAXD];
} csr;

/* CSR of the allowed pairs; with keep_forbidden some forbidden pairs stay listed as INT64_MAX. */
static void to_csr(size_t rows, size_t cols, const int64_t *c, check_rng *rng, int keep_forbidden, csr *s) {
    int64_t nnz = 0;
    s->rs[0] = 0;
    for (size_t i = 0; i < rows; i++) {
        /* columns in a shuffled order: the CSR need not be sorted */
        size_t order[MAXD];
        for (size_t j = 0; j < cols; j++) order[j] = j;
        for (size_t j = cols; j > 1; j--) {
            const size_t r = (size_t)check_range(rng, 0, (int64_t)j - 1);
            const size_t t = order[j - 1]; order[j - 1] = order[r]; order[r] = t;
        }
        for (size_t k = 0; k < cols; k++) {
            const size_t j = order[k];
            const int64_t x = c[i * cols + j];
            if (x == FORBID && !(keep_forbidden && check_range(rng, 0, 1))) continue;
            s->ci[nnz] = (int64_t)j;
            s->cv[nnz] = x;
            s->cf[nnz] = x == FORBID ? INFINITY : (double)x;
            nnz++;
        }
        s->rs[i + 1] = nnz;
    }
}

static void to_f64(size_t n, const int64_t *c, double *f) {
    for (size_t k = 0; k < n; k++) f[k] = c[k] == FORBID ? INFINITY : (double)c[k];
}

static int64_t assigned_total(size_t rows, size_t cols, const int64_t *c, const int64_t *rtc) {
    int64_t t = 0;
    for (size_t i = 0; i < rows; i++) if (rtc[i] >= 0) t += c[i * cols + (size_t)rtc[i]];
    return t;
}

/* ------------------------------------------------------------------ brute-force comparison */

static void perturbations(size_t rows, size_t cols, const int64_t *c, int mx, const int64_t *rtc,
                          const int64_t *u, const int64_t *v, int64_t best, check_rng *rng) {
    int64_t r2[MAXD], u2[MAXD], v2[MAXD];
    memcpy(r2, rtc, rows * sizeof *r2); memcpy(u2, u, rows * sizeof *u2); memcpy(v2, v, cols * sizeof *v2);
    /* a u_i on an assigned row moved against the sense breaks feasibility of its own pair */
    for (size_t i = 0; i < rows; i++) {
        if (rtc[i] < 0) continue;
        u2[i] += mx ? -1 : 1;
        CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, c, mx, r2, u2, v2), V2G_E_CERTIFICATE);
        u2[i] = u[i];
        break;
    }
    /* v_j != 0 on an unassigned column (rows < cols), moved so feasibility still holds */
    if (rows < cols) {
        int used[MAXD] = {0};
        for (size_t i = 0; i < rows; i++) used[rtc[i]] = 1;
        for (size_t j = 0; j < cols; j++) {
            if (used[j]) continue;
            v2[j] += mx ? 1 : -1;
            CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, c, mx, r2, u2, v2), V2G_E_CERTIFICATE);
            v2[j] = v[j];
            break;
        }
    }
    if (rows > cols) {
        for (size_t i = 0; i < rows; i++) {
            if (rtc[i] >= 0) continue;
            u2[i] += mx ? 1 : -1;
            CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, c, mx, r2, u2, v2), V2G_E_CERTIFICATE);
            u2[i] = u[i];
            break;
        }
    }
    /* a column used twice */
    size_t a = rows, b = rows;
    for (size_t i = 0; i < rows; i++) if (rtc[i] >= 0) { if (a == rows) a = i; else if (b == rows) b = i; }
    if (b < rows) {
        r2[b] = r2[a];
        CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, c, mx, r2, u2, v2), V2G_E_CERTIFICATE);
        r2[b] = rtc[b];
        /* swapping two assignments: a worse (or forbidden) result must be rejected */
        r2[a] = rtc[b]; r2[b] = rtc[a];
        const int64_t ca = c[a * cols + (size_t)r2[a]], cb = c[b * cols + (size_t)r2[b]];
        if (ca == FORBID || cb == FORBID || assigned_total(rows, cols, c, r2) != best)
            CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, c, mx, r2, u2, v2), V2G_E_CERTIFICATE);
        r2[a] = rtc[a]; r2[b] = rtc[b];
    }
    /* assigning a forbidden pair */
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++) {
            if (c[i * cols + j] != FORBID) continue;
            r2[i] = (int64_t)j;
            CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, c, mx, r2, u2, v2), V2G_E_CERTIFICATE);
            r2[i] = rtc[i];
            i = rows;
            break;
        }
    }
    (void)rng;
}

static void one_instance(size_t rows, size_t cols, const int64_t *c, int mx, check_rng *rng) {
    int64_t best = 0;
    const int feasible = brute_force(rows, cols, c, mx, &best);
    const size_t ws = v2g_lsap_workspace_size(rows, cols);
    CHECK(ws > 0 && ws <= sizeof ws_buf);
    int64_t rtc[MAXD], u[MAXD], v[MAXD], total = -1;

    /* dense int64 */
    v2g_status st = v2g_lsap_solve_i64(rows, cols, c, mx, rtc, &total, u, v, ws_buf, ws);
    if (!feasible) {
        CHECK_EQ_I64(st, V2G_E_INFEASIBLE);
    } else {
        CHECK_EQ_I64(st, V2G_OK);
        CHECK_EQ_I64(total, best);
        CHECK_EQ_I64(assigned_total(rows, cols, c, rtc), best);
        CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, c, mx, rtc, u, v), V2G_OK);
        perturbations(rows, cols, c, mx, rtc, u, v, best, rng);
    }

    /* dense double on the same values */
    double cf[MAXD * MAXD], uf[MAXD], vf[MAXD], tf = -1;
    to_f64(rows * cols, c, cf);
    st = v2g_lsap_solve_f64(rows, cols, cf, mx, rtc, &tf, uf, vf, ws_buf, ws);
    CHECK_EQ_I64(st, feasible ? V2G_OK : V2G_E_INFEASIBLE);
    if (feasible && st == V2G_OK) {
        CHECK(tf == (double)best);
        CHECK_EQ_I64(v2g_lsap_check_f64(rows, cols, cf, mx, rtc, uf, vf, 1e-9), V2G_OK);
    }

    /* sparse int64 and double */
    csr s;
    to_csr(rows, cols, c, rng, (int)check_range(rng, 0, 1), &s);
    const size_t nnz = (size_t)s.rs[rows];
    const size_t sws = v2g_lsap_sparse_workspace_size(rows, cols, nnz);
    CHECK(sws > 0 && sws <= sizeof ws_buf);
    st = v2g_lsap_solve_sparse_i64(rows, cols, s.rs, s.ci, s.cv, mx, rtc, &total, u, v, ws_buf, sws);
    CHECK_EQ_I64(st, feasible ? V2G_OK : V2G_E_INFEASIBLE);
    if (feasible && st == V2G_OK) {
        CHECK_EQ_I64(total, best);
        CHECK_EQ_I64(assigned_total(rows, cols, c, rtc), best);
        CHECK_EQ_I64(v2g_lsap_check_sparse_i64(rows, cols, s.rs, s.ci, s.cv, mx, rtc, u, v,
                                                ck_buf, sizeof ck_buf), V2G_OK);
        CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, c, mx, rtc, u, v), V2G_OK);
    }
    st = v2g_lsap_solve_sparse_f64(rows, cols, s.rs, s.ci, s.cf, mx, rtc, &tf, uf, vf, ws_buf, sws);
    CHECK_EQ_I64(st, feasible ? V2G_OK : V2G_E_INFEASIBLE);
    if (feasible && st == V2G_OK) {
        CHECK(tf == (double)best);
        CHECK_EQ_I64(v2g_lsap_check_sparse_f64(rows, cols, s.rs, s.ci, s.cf, mx, rtc, uf, vf, 1e-9,
                                                ck_buf, sizeof ck_buf), V2G_OK);
    }
}

static void test_brute_force(void) {
    check_rng rng = {20240601};
    for (size_t rows = 1; rows <= 7; rows++) {
        for (size_t cols = 1; cols <= 7; cols++) {
            const int reps = rows * cols >= 36 ? 24 : 60;
            for (int rep = 0; rep < reps; rep++) {
                int64_t c[MAXD * MAXD];
                const int kind = rep % 4;
                const int64_t lo = kind == 0 ? 0 : (kind == 1 ? -3 : -1000);
                const int64_t hi = kind == 0 ? 2 : (kind == 1 ? 3 : 1000);
                const int64_t pf = (rep / 4) % 4 == 0 ? 0 : check_range(&rng, 5, 70); /* % forbidden */
                for (size_t k = 0; k < rows * cols; k++)
                    c[k] = check_range(&rng, 0, 99) < pf ? FORBID : check_range(&rng, lo, hi);
                one_instance(rows, cols, c, rep & 1, &rng);
            }
        }
    }
}

/* Random real-valued instances against brute force over the double solver. */
static double brute_f64(size_t rows, size_t cols, const double *cf, int mx, size_t k, int *used, double acc) {
    const int tr = rows > cols;
    const size_t small = tr ? cols : rows, big = tr ? rows : cols;
    if (k == small) return acc;
    double best = mx ? -INFINITY : INFINITY;
    for (size_t t = 0; t < big; t++) {
        if (used[t]) continue;
        used[t] = 1;
        const double x = tr ? cf[t * cols + k] : cf[k * cols + t];
        const double r = brute_f64(rows, cols, cf, mx, k + 1, used, acc + x);
        if (mx ? r > best : r < best) best = r;
        used[t] = 0;
    }
    return best;
}

static void test_real_costs(void) {
    check_rng rng = {77};
    for (size_t rows = 1; rows <= 6; rows++)
        for (size_t cols = 1; cols <= 6; cols++)
            for (int rep = 0; rep < 12; rep++) {
                double cf[MAXD * MAXD], u[MAXD], v[MAXD], t = 0;
                int64_t rtc[MAXD];
                int used[MAXD] = {0};
                for (size_t k = 0; k < rows * cols; k++)
                    cf[k] = (double)check_range(&rng, -1000000, 1000000) / 1048576.0;
                const int mx = rep & 1;
                const double best = brute_f64(rows, cols, cf, mx, 0, used, 0.0);
                const size_t ws = v2g_lsap_workspace_size(rows, cols);
                CHECK_EQ_I64(v2g_lsap_solve_f64(rows, cols, cf, mx, rtc, &t, u, v, ws_buf, ws), V2G_OK);
                CHECK(fabs(t - best) <= 1e-9);
                CHECK_EQ_I64(v2g_lsap_check_f64(rows, cols, cf, mx, rtc, u, v, 1e-9), V2G_OK);
            }
}

/* ------------------------------------------------------------------ edge cases */

static void test_edges(void) {
    int64_t rtc[8], u[8], v[8], t = 7;
    double uf[8], vf[8], tf = 7;
    const size_t ws = v2g_lsap_workspace_size(3, 3);

    /* empty problems */
    int64_t dummy = 0;
    CHECK_EQ_I64(v2g_lsap_solve_i64(0, 5, NULL, 0, rtc, &t, u, v, NULL, 0), V2G_OK);
    CHECK_EQ_I64(t, 0);
    CHECK_EQ_I64(v2g_lsap_solve_i64(4, 0, NULL, 1, rtc, &t, u, v, NULL, 0), V2G_OK);
    CHECK_EQ_I64(rtc[3], -1);
    CHECK_EQ_I64(v2g_lsap_solve_f64(0, 3, NULL, 0, rtc, &tf, uf, vf, NULL, 0), V2G_OK);
    CHECK(tf == 0);
    CHECK_EQ_I64(v2g_lsap_check_i64(0, 5, &dummy, 0, rtc, u, v), V2G_OK);
    CHECK_EQ_I64(v2g_lsap_check_i64(4, 0, &dummy, 0, rtc, u, v), V2G_OK);

    /* NaN and -infinity */
    double cf[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    cf[4] = NAN;
    CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, cf, 0, rtc, &tf, uf, vf, ws_buf, ws), V2G_E_NAN);
    cf[4] = -INFINITY;
    CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, cf, 1, rtc, &tf, uf, vf, ws_buf, ws), V2G_E_NAN);
    cf[4] = 1e308;
    CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, cf, 0, rtc, &tf, uf, vf, ws_buf, ws), V2G_E_OVERFLOW);
    cf[4] = INFINITY;
    CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, cf, 1, rtc, &tf, uf, vf, ws_buf, ws), V2G_OK);
    CHECK(tf == 15); /* every permutation avoiding the forbidden centre sums to 15 */
    {
        const int64_t rs[4] = {0, 1, 2, 3}, ci[3] = {0, 1, 2};
        const double cs[3] = {1, NAN, 2};
        CHECK_EQ_I64(v2g_lsap_solve_sparse_f64(3, 3, rs, ci, cs, 0, rtc, &tf, uf, vf, ws_buf,
                                               v2g_lsap_sparse_workspace_size(3, 3, 3)), V2G_E_NAN);
    }

    /* int64 bound: exactly at the bound solves, one past it overflows, never UB */
    const int64_t B = v2g_lsap_i64_cost_bound(3, 3);
    CHECK_EQ_I64(B, ((int64_t)1 << 55) / 7);
    int64_t c[9] = {B, -B, 0, -B, B, 1, 3, -B, B};
    int64_t best = 0;
    for (int mx = 0; mx < 2; mx++) {
        CHECK(brute_force(3, 3, c, mx, &best));
        CHECK_EQ_I64(v2g_lsap_solve_i64(3, 3, c, mx, rtc, &t, u, v, ws_buf, ws), V2G_OK);
        CHECK_EQ_I64(t, best);
        CHECK_EQ_I64(v2g_lsap_check_i64(3, 3, c, mx, rtc, u, v), V2G_OK);
    }
    {
        /* rectangular at the bound, both orientations */
        const int64_t B2 = v2g_lsap_i64_cost_bound(2, 4);
        int64_t r[8] = {B2, -B2, B2, -B2, -B2, B2, -B2, FORBID};
        for (int mx = 0; mx < 2; mx++) {
            CHECK(brute_force(2, 4, r, mx, &best));
            CHECK_EQ_I64(v2g_lsap_solve_i64(2, 4, r, mx, rtc, &t, u, v, ws_buf, sizeof ws_buf), V2G_OK);
            CHECK_EQ_I64(t, best);
            CHECK_EQ_I64(v2g_lsap_check_i64(2, 4, r, mx, rtc, u, v), V2G_OK);
            CHECK(brute_force(4, 2, r, mx, &best));
            CHECK_EQ_I64(v2g_lsap_solve_i64(4, 2, r, mx, rtc, &t, u, v, ws_buf, sizeof ws_buf), V2G_OK);
            CHECK_EQ_I64(t, best);
            CHECK_EQ_I64(v2g_lsap_check_i64(4, 2, r, mx, rtc, u, v), V2G_OK);
        }
    }
    const int64_t huge[4] = {B + 1, INT64_MIN, INT64_MAX - 1, -B - 1};
    for (int k = 0; k < 4; k++) {
        int64_t h[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        h[k * 2] = huge[k];
        CHECK_EQ_I64(v2g_lsap_solve_i64(3, 3, h, k & 1, rtc, &t, u, v, ws_buf, ws), V2G_E_OVERFLOW);
        const int64_t rs[4] = {0, 3, 6, 9}, ci[9] = {0, 1, 2, 0, 1, 2, 0, 1, 2};
        CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(3, 3, rs, ci, h, 0, rtc, &t, u, v, ws_buf,
                                               v2g_lsap_sparse_workspace_size(3, 3, 9)), V2G_E_OVERFLOW);
    }

    /* workspace */
    const int64_t ok[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK_EQ_I64(v2g_lsap_solve_i64(3, 3, ok, 0, rtc, &t, u, v, ws_buf, ws - 1), V2G_E_WORKSPACE);
    CHECK_EQ_I64(v2g_lsap_solve_i64(3, 3, ok, 0, rtc, &t, u, v, NULL, ws), V2G_E_WORKSPACE);
    CHECK_EQ_I64(v2g_lsap_solve_i64(3, 3, ok, 0, rtc, &t, u, v, ws_buf + 1, ws), V2G_OK); /* any alignment */
    CHECK_EQ_I64(t, 15);
    CHECK_EQ_I64(v2g_lsap_solve_i64(3, 3, ok, 0, rtc, &t, NULL, NULL, ws_buf + 3, ws), V2G_OK); /* duals optional */
    CHECK_EQ_I64(v2g_lsap_workspace_size(SIZE_MAX / 2, 4), 0);
    CHECK_EQ_I64(v2g_lsap_workspace_size(SIZE_MAX, SIZE_MAX), 0);
    CHECK_EQ_I64(v2g_lsap_workspace_size(4, SIZE_MAX / 4), 0);
    CHECK_EQ_I64(v2g_lsap_sparse_workspace_size(5, 2, SIZE_MAX / 4), 0);
    CHECK(v2g_lsap_workspace_size(4000, 1000) > (size_t)4000 * 1000 * 8);

    /* NULL pointers */
    CHECK_EQ_I64(v2g_lsap_solve_i64(3, 3, NULL, 0, rtc, &t, u, v, ws_buf, ws), V2G_E_NULL);
    CHECK_EQ_I64(v2g_lsap_solve_i64(3, 3, ok, 0, NULL, &t, u, v, ws_buf, ws), V2G_E_NULL);
    CHECK_EQ_I64(v2g_lsap_solve_i64(3, 3, ok, 0, rtc, NULL, u, v, ws_buf, ws), V2G_E_NULL);
    CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, NULL, 0, rtc, &tf, uf, vf, ws_buf, ws), V2G_E_NULL);
    CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(3, 3, NULL, NULL, NULL, 0, rtc, &t, u, v, ws_buf, ws), V2G_E_NULL);
    CHECK_EQ_I64(v2g_lsap_check_i64(3, 3, ok, 0, rtc, NULL, v), V2G_E_NULL);
    CHECK_EQ_I64(v2g_lsap_check_i64(3, 3, NULL, 0, rtc, u, v), V2G_E_NULL);

    /* invalid CSR */
    {
        const int64_t cs[4] = {1, 2, 3, 4};
        const size_t sws = v2g_lsap_sparse_workspace_size(2, 2, 4);
        const int64_t rs_bad0[3] = {1, 2, 4}, rs_dec[3] = {0, 3, 2}, rs_ok[3] = {0, 2, 4};
        const int64_t ci_ok[4] = {0, 1, 1, 0}, ci_range[4] = {0, 2, 0, 1}, ci_neg[4] = {0, 1, -1, 0};
        const int64_t ci_dup[4] = {0, 1, 1, 1};
        CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(2, 2, rs_bad0, ci_ok, cs, 0, rtc, &t, u, v, ws_buf, sws), V2G_E_INVALID);
        CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(2, 2, rs_dec, ci_ok, cs, 0, rtc, &t, u, v, ws_buf, sws), V2G_E_INVALID);
        CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(2, 2, rs_ok, ci_range, cs, 0, rtc, &t, u, v, ws_buf, sws), V2G_E_INVALID);
        CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(2, 2, rs_ok, ci_neg, cs, 0, rtc, &t, u, v, ws_buf, sws), V2G_E_INVALID);
        CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(2, 2, rs_ok, ci_dup, cs, 0, rtc, &t, u, v, ws_buf, sws), V2G_E_INVALID);
        CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(2, 2, rs_ok, ci_ok, cs, 0, rtc, &t, u, v, ws_buf, sws - 1), V2G_E_WORKSPACE);
        CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(2, 2, rs_ok, ci_ok, cs, 0, rtc, &t, u, v, ws_buf, sws), V2G_OK);
        CHECK_EQ_I64(t, 1 + 3);
        CHECK_EQ_I64(v2g_lsap_check_sparse_i64(2, 2, rs_ok, ci_dup, cs, 0, rtc, u, v, ck_buf, 2), V2G_E_INVALID);
        CHECK_EQ_I64(v2g_lsap_check_sparse_i64(2, 2, rs_ok, ci_ok, cs, 0, rtc, u, v, ck_buf, 1), V2G_E_WORKSPACE);
        CHECK_EQ_I64(v2g_lsap_check_sparse_i64(2, 2, rs_ok, ci_ok, cs, 0, rtc, u, v, ck_buf, 2), V2G_OK);
        /* an assigned pair that is not listed */
        const int64_t rs_one[3] = {0, 1, 2}, ci_one[2] = {0, 1};
        int64_t swapped[2] = {1, 0};
        CHECK_EQ_I64(v2g_lsap_check_sparse_i64(2, 2, rs_one, ci_one, cs, 0, swapped, u, v, ck_buf, 2), V2G_E_CERTIFICATE);
        /* a row with no allowed pair */
        const int64_t rs_empty[3] = {0, 2, 2};
        CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(2, 2, rs_empty, ci_ok, cs, 0, rtc, &t, u, v, ws_buf, sws), V2G_E_INFEASIBLE);
    }

    /* checker rejects out-of-range duals and assignment indices */
    CHECK_EQ_I64(v2g_lsap_solve_i64(3, 3, ok, 0, rtc, &t, u, v, ws_buf, ws), V2G_OK);
    int64_t ub[3] = {u[0], u[1], u[2]};
    ub[0] = INT64_MIN;
    CHECK_EQ_I64(v2g_lsap_check_i64(3, 3, ok, 0, rtc, ub, v), V2G_E_CERTIFICATE);
    int64_t rb[3] = {rtc[0], rtc[1], 3};
    CHECK_EQ_I64(v2g_lsap_check_i64(3, 3, ok, 0, rb, u, v), V2G_E_CERTIFICATE);
    rb[2] = -1;
    CHECK_EQ_I64(v2g_lsap_check_i64(3, 3, ok, 0, rb, u, v), V2G_E_CERTIFICATE);
    double okf[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, okf, 0, rtc, &tf, uf, vf, ws_buf, ws), V2G_OK);
    uf[1] += 1e-3;
    CHECK_EQ_I64(v2g_lsap_check_f64(3, 3, okf, 0, rtc, uf, vf, 1e-9), V2G_E_CERTIFICATE);
    CHECK_EQ_I64(v2g_lsap_check_f64(3, 3, okf, 0, rtc, uf, vf, 1e-2), V2G_OK);
    uf[1] = NAN;
    CHECK_EQ_I64(v2g_lsap_check_f64(3, 3, okf, 0, rtc, uf, vf, 1e-2), V2G_E_CERTIFICATE);
}

/* ------------------------------------------------------------------ larger instances */

static void test_large(void) {
    static int64_t c[300 * 300];
    static double cf[300 * 300];
    static int64_t rs[301], ci[300 * 300], rtc[300], rtc2[300], u[300], v[300];
    static double uf[300], vf[300];
    static unsigned char big_ws[8 << 20];
    const size_t shapes[5][2] = {{200, 200}, {100, 300}, {300, 100}, {250, 250}, {1, 300}};
    check_rng rng = {99};
    for (int s = 0; s < 5; s++) {
        const size_t rows = shapes[s][0], cols = shapes[s][1];
        for (int kind = 0; kind < 4; kind++) {
            /* 0: ints in [0, 1000), 1: all equal, 2: ints in [0, 10) with 30 % forbidden, 3: uniform reals */
            for (size_t k = 0; k < rows * cols; k++) {
                c[k] = kind == 0 ? check_range(&rng, 0, 999)
                     : kind == 1 ? 5
                     : (check_range(&rng, 0, 9) < 3 ? FORBID : check_range(&rng, 0, 9));
                cf[k] = kind == 3 ? (double)(check_next(&rng) >> 11) * 0x1p-53 : (c[k] == FORBID ? INFINITY : (double)c[k]);
            }
            for (int mx = 0; mx < 2; mx++) {
                const size_t ws = v2g_lsap_workspace_size(rows, cols);
                CHECK(ws <= sizeof big_ws);
                int64_t t = 0, t2 = 0;
                double tf = 0;
                if (kind != 3) {
                    CHECK_EQ_I64(v2g_lsap_solve_i64(rows, cols, c, mx, rtc, &t, u, v, big_ws, ws), V2G_OK);
                    CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, c, mx, rtc, u, v), V2G_OK);
                    CHECK_EQ_I64(assigned_total(rows, cols, c, rtc), t);
                    /* sparse agrees on the optimum */
                    int64_t nnz = 0;
                    rs[0] = 0;
                    for (size_t i = 0; i < rows; i++) {
                        for (size_t j = 0; j < cols; j++)
                            if (c[i * cols + j] != FORBID) { ci[nnz] = (int64_t)j; nnz++; }
                        rs[i + 1] = nnz;
                    }
                    static int64_t cv[300 * 300];
                    for (size_t i = 0, e = 0; i < rows; i++)
                        for (size_t j = 0; j < cols; j++)
                            if (c[i * cols + j] != FORBID) cv[e++] = c[i * cols + j];
                    const size_t sws = v2g_lsap_sparse_workspace_size(rows, cols, (size_t)nnz);
                    CHECK(sws <= sizeof big_ws);
                    CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(rows, cols, rs, ci, cv, mx, rtc2, &t2, u, v, big_ws, sws), V2G_OK);
                    CHECK_EQ_I64(t2, t);
                    CHECK_EQ_I64(v2g_lsap_check_sparse_i64(rows, cols, rs, ci, cv, mx, rtc2, u, v, big_ws, sws), V2G_OK);
                }
                CHECK_EQ_I64(v2g_lsap_solve_f64(rows, cols, cf, mx, rtc, &tf, uf, vf, big_ws, ws), V2G_OK);
                CHECK_EQ_I64(v2g_lsap_check_f64(rows, cols, cf, mx, rtc, uf, vf, 1e-9), V2G_OK);
                if (kind != 3) CHECK(tf == (double)t);
            }
        }
    }
}

/*
 * The dense kernel's row scan, tie collection and row argmin run 4 columns at a
 * time with a scalar tail: shapes of every n mod 4, tie-heavy and forbidden costs,
 * both senses, each checked by its certificate and against the sparse solver
 * (a different shortest-path implementation) and the double solver.
 */
static void test_vector_tails(void) {
    static int64_t c[67 * 67], rs[68], ci[67 * 67], cv[67 * 67], rtc[67], rtc2[67], u[67], v[67];
    static double cf[67 * 67], uf[67], vf[67];
    static unsigned char big_ws[1 << 20];
    const size_t shapes[8][2] = {{61, 61}, {62, 62}, {63, 63}, {64, 64}, {37, 41}, {41, 37}, {5, 67}, {67, 6}};
    check_rng rng = {4242};
    for (int s = 0; s < 8; s++) {
        const size_t rows = shapes[s][0], cols = shapes[s][1];
        for (int kind = 0; kind < 3; kind++) {
            /* 0: ints in [0, 3] (ties everywhere), 1: ints in [-50, 50] with 20 % forbidden, 2: ints in [0, 1000) */
            for (size_t k = 0; k < rows * cols; k++) {
                c[k] = kind == 0 ? check_range(&rng, 0, 3)
                     : kind == 1 ? (check_range(&rng, 0, 4) == 0 ? FORBID : check_range(&rng, -50, 50))
                     : check_range(&rng, 0, 999);
            }
            to_f64(rows * cols, c, cf);
            int64_t nnz = 0;
            rs[0] = 0;
            for (size_t i = 0; i < rows; i++) {
                for (size_t j = 0; j < cols; j++)
                    if (c[i * cols + j] != FORBID) { ci[nnz] = (int64_t)j; cv[nnz] = c[i * cols + j]; nnz++; }
                rs[i + 1] = nnz;
            }
            for (int mx = 0; mx < 2; mx++) {
                int64_t t = 0, t2 = 0;
                double tf = 0;
                const size_t ws = v2g_lsap_workspace_size(rows, cols);
                CHECK(ws <= sizeof big_ws);
                const v2g_status st = v2g_lsap_solve_i64(rows, cols, c, mx, rtc, &t, u, v, big_ws, ws);
                const size_t sws = v2g_lsap_sparse_workspace_size(rows, cols, (size_t)nnz);
                CHECK(sws <= sizeof big_ws);
                CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(rows, cols, rs, ci, cv, mx, rtc2, &t2, u, v, big_ws, sws), st);
                if (st != V2G_OK) { CHECK_EQ_I64(st, V2G_E_INFEASIBLE); continue; }
                CHECK_EQ_I64(t, t2);
                CHECK_EQ_I64(v2g_lsap_solve_i64(rows, cols, c, mx, rtc, &t, u, v, big_ws, ws), V2G_OK);
                CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, c, mx, rtc, u, v), V2G_OK);
                CHECK_EQ_I64(assigned_total(rows, cols, c, rtc), t);
                CHECK_EQ_I64(v2g_lsap_solve_f64(rows, cols, cf, mx, rtc, &tf, uf, vf, big_ws, ws), V2G_OK);
                CHECK(tf == (double)t);
                CHECK_EQ_I64(v2g_lsap_check_f64(rows, cols, cf, mx, rtc, uf, vf, 1e-9), V2G_OK);
            }
        }
    }
}

/* The double validation works on bit patterns: every special value must still land in its class. */
static void test_f64_validation(void) {
    int64_t rtc[3];
    double u[3], v[3], t = 0;
    const size_t ws = v2g_lsap_workspace_size(3, 3);
    const uint64_t nan_bits[4] = {0x7FF8000000000000u, 0xFFF8000000000000u, 0x7FF0000000000001u, 0xFFFFFFFFFFFFFFFFu};
    for (int k = 0; k < 4; k++) {
        for (int pos = 0; pos < 9; pos += 4) {
            double c[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
            memcpy(&c[pos], &nan_bits[k], sizeof c[pos]);
            CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, c, k & 1, rtc, &t, u, v, ws_buf, ws), V2G_E_NAN);
        }
    }
    const double bound = 0x1p1000 / 7.0;
    {
        /* signed zeros, a subnormal, +inf (forbidden) and both bounds are accepted */
        const double c[9] = {-0.0, 0.0, 5e-324, INFINITY, bound, -bound, 1, 2, 3};
        for (int mx = 0; mx < 2; mx++) {
            CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, c, mx, rtc, &t, u, v, ws_buf, ws), V2G_OK);
            CHECK_EQ_I64(v2g_lsap_check_f64(3, 3, c, mx, rtc, u, v, 1e-9 * bound), V2G_OK);
        }
    }
    {
        /* one ulp past the bound, either sign, overflows; a NaN elsewhere still wins */
        double c[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        c[8] = nextafter(bound, INFINITY);
        CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, c, 0, rtc, &t, u, v, ws_buf, ws), V2G_E_OVERFLOW);
        c[8] = -c[8];
        CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, c, 1, rtc, &t, u, v, ws_buf, ws), V2G_E_OVERFLOW);
        c[0] = NAN;
        CHECK_EQ_I64(v2g_lsap_solve_f64(3, 3, c, 1, rtc, &t, u, v, ws_buf, ws), V2G_E_NAN);
    }
}

int main(void) {
    test_brute_force();
    test_vector_tails();
    test_f64_validation();
    test_real_costs();
    test_edges();
    test_large();
    return check_report("test_lsap");
}
