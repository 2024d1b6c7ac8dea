/*
 * lsap_sparse.c - sparse (CSR) LSAP entry points: validation, orientation, duals.
 *
 * rows > cols runs on a transposed CSR copy in the workspace (counting sort,
 * O(nnz)), so the kernel always has at most as many rows as columns.
 */
#include <string.h>

#include "v2g/v2g_lsap.h"
#include "lsap_internal.h"
#include "lsap_sparse_resume.h"
#include "workspace.h"

/* Each cost type is compiled four times: costs negated or not (maximise), forbidden entries possible or not
   (without, the row scans skip the test: uniform n = 2e4 67 -> 55 ms). */
#define LSAP_T double
#define LSAP_TS f64
#define LSAP_INF INFINITY
#define LSAP_UNREACH INFINITY
#define LSAP_FORBID INFINITY
#define LSAP_INTEGRAL 0
#define LSAP_SP_DEFINE_STRUCT
#define LSAP_SUF f64
#define LSAP_NEG 0
#define LSAP_FORB 1
#include "lsap_sparse_kernel.h"
#undef LSAP_SP_DEFINE_STRUCT
#undef LSAP_SUF
#undef LSAP_NEG
#undef LSAP_FORB
#define LSAP_SUF f64_neg
#define LSAP_NEG 1
#define LSAP_FORB 1
#include "lsap_sparse_kernel.h"
#undef LSAP_SUF
#undef LSAP_NEG
#undef LSAP_FORB
#define LSAP_SUF f64_all
#define LSAP_NEG 0
#define LSAP_FORB 0
#include "lsap_sparse_kernel.h"
#undef LSAP_SUF
#undef LSAP_NEG
#undef LSAP_FORB
#define LSAP_SUF f64_neg_all
#define LSAP_NEG 1
#define LSAP_FORB 0
#include "lsap_sparse_kernel.h"
#undef LSAP_SUF
#undef LSAP_NEG
#undef LSAP_FORB
#undef LSAP_T
#undef LSAP_TS
#undef LSAP_INF
#undef LSAP_UNREACH
#undef LSAP_FORBID
#undef LSAP_INTEGRAL

#define LSAP_T int64_t
#define LSAP_TS i64
#define LSAP_INF LSAP_I64_INF
#define LSAP_UNREACH LSAP_I64_UNREACH
#define LSAP_FORBID INT64_MAX
#define LSAP_INTEGRAL 1
#define LSAP_SP_DEFINE_STRUCT
#define LSAP_SUF i64
#define LSAP_NEG 0
#define LSAP_FORB 1
#include "lsap_sparse_kernel.h"
#undef LSAP_SP_DEFINE_STRUCT
#undef LSAP_SUF
#undef LSAP_NEG
#undef LSAP_FORB
#define LSAP_SUF i64_neg
#define LSAP_NEG 1
#define LSAP_FORB 1
#include "lsap_sparse_kernel.h"
#undef LSAP_SUF
#undef LSAP_NEG
#undef LSAP_FORB
#define LSAP_SUF i64_all
#define LSAP_NEG 0
#define LSAP_FORB 0
#include "lsap_sparse_kernel.h"
#undef LSAP_SUF
#undef LSAP_NEG
#undef LSAP_FORB
#define LSAP_SUF i64_neg_all
#define LSAP_NEG 1
#define LSAP_FORB 0
#include "lsap_sparse_kernel.h"
#undef LSAP_SUF
#undef LSAP_NEG
#undef LSAP_FORB
#undef LSAP_T
#undef LSAP_TS
#undef LSAP_INF
#undef LSAP_UNREACH
#undef LSAP_FORBID
#undef LSAP_INTEGRAL

typedef struct lsap_sp_arrays {
    int64_t *rs2, *ci2; void *cv2;                 /* transposed CSR when rows > cols */
    void *v, *d, *pc, *hk;                         /* n */
    int64_t *y, *pred, *heap, *pos, *touched, *level; /* n */
    int64_t *x, *free_rows; void *xc;              /* m */
} lsap_sp_arrays;

static size_t lsap_sp_layout(size_t rows, size_t cols, size_t nnz, v2g_ws *ws, lsap_sp_arrays *a) {
    const size_t m = rows < cols ? rows : cols, n = rows < cols ? cols : rows;
    const size_t e = sizeof(int64_t);
    const int tr = rows > cols;
    if (n == SIZE_MAX) return 0;
    size_t total = 0;
    if (tr) {
        v2g_ws_reserve(&total, cols + 1, e);
        v2g_ws_reserve(&total, nnz, e);
        v2g_ws_reserve(&total, nnz, e);
    }
    for (int k = 0; k < 10; k++) v2g_ws_reserve(&total, n, e);
    for (int k = 0; k < 3; k++) v2g_ws_reserve(&total, m, e);
    if (ws != NULL) {
        a->rs2 = tr ? v2g_ws_take(ws, cols + 1, e) : NULL;
        a->ci2 = tr ? v2g_ws_take(ws, nnz, e) : NULL;
        a->cv2 = tr ? v2g_ws_take(ws, nnz, e) : NULL;
        a->v = v2g_ws_take(ws, n, e);
        a->d = v2g_ws_take(ws, n, e);
        a->pc = v2g_ws_take(ws, n, e);
        a->hk = v2g_ws_take(ws, n, e);
        a->y = v2g_ws_take(ws, n, e);
        a->pred = v2g_ws_take(ws, n, e);
        a->heap = v2g_ws_take(ws, n, e);
        a->pos = v2g_ws_take(ws, n, e);
        a->touched = v2g_ws_take(ws, n, e);
        a->level = v2g_ws_take(ws, n, e);
        a->x = v2g_ws_take(ws, m, e);
        a->free_rows = v2g_ws_take(ws, m, e);
        a->xc = v2g_ws_take(ws, m, e);
    }
    return v2g_ws_finish(total);
}

size_t v2g_lsap_sparse_workspace_size(size_t rows, size_t cols, size_t nnz) {
    if (rows == 0 || cols == 0) return V2G_WS_ALIGN;
    return lsap_sp_layout(rows, cols, nnz, NULL, NULL);
}

/* Structure of the CSR arrays; *nnz = row_start[rows]. mark needs cols entries. */
static v2g_status lsap_csr_validate(size_t rows, size_t cols, const int64_t *rs, const int64_t *ci,
                                    int64_t *mark, size_t *nnz) {
    if (rs[0] != 0) return V2G_E_INVALID;
    for (size_t i = 0; i < rows; i++)
        if (rs[i + 1] < rs[i]) return V2G_E_INVALID;
    if ((uint64_t)rs[rows] > (uint64_t)SIZE_MAX) return V2G_E_OVERFLOW;
    *nnz = (size_t)rs[rows];
    if (mark == NULL) return V2G_OK;
    for (size_t j = 0; j < cols; j++) mark[j] = -1;
    for (size_t i = 0; i < rows; i++)
        for (int64_t e = rs[i]; e < rs[i + 1]; e++) {
            const int64_t j = ci[e];
            if (j < 0 || (uint64_t)j >= (uint64_t)cols) return V2G_E_INVALID;
            if (mark[j] == (int64_t)i) return V2G_E_INVALID;
            mark[j] = (int64_t)i;
        }
    return V2G_OK;
}

/* Transposes rows x cols CSR into cols x rows CSR with costs (negated when neg, forbidden kept). */
#define LSAP_CSR_TRANSPOSE(NAME, T, FORBID)                                                         \
    static void NAME(size_t rows, size_t cols, const int64_t *rs, const int64_t *ci, const T *cv,  \
                     int neg, int64_t *rs2, int64_t *ci2, T *cv2) {                                 \
        for (size_t j = 0; j <= cols; j++) rs2[j] = 0;                                              \
        for (int64_t e = 0; e < rs[rows]; e++) rs2[ci[e] + 1]++;                                    \
        for (size_t j = 0; j < cols; j++) rs2[j + 1] += rs2[j];                                     \
        for (size_t i = 0; i < rows; i++)                                                           \
            for (int64_t e = rs[i]; e < rs[i + 1]; e++) {                                           \
                const int64_t at = rs2[ci[e]]++;                                                    \
                ci2[at] = (int64_t)i;                                                               \
                cv2[at] = (neg && cv[e] != FORBID) ? -cv[e] : cv[e];                                \
            }                                                                                       \
        for (size_t j = cols; j > 0; j--) rs2[j] = rs2[j - 1];                                      \
        rs2[0] = 0;                                                                                 \
    }
LSAP_CSR_TRANSPOSE(lsap_csr_transpose_f64, double, INFINITY)
LSAP_CSR_TRANSPOSE(lsap_csr_transpose_i64, int64_t, INT64_MAX)

/* One body for both types: validate, orient, solve, write outputs. */
#define LSAP_SPARSE_SOLVE(T, SUF, VALIDATE, BOUND, TRANSPOSE)                                       \
    if (total == NULL || (row_to_col == NULL && rows != 0) || (row_start == NULL && rows != 0))     \
        return V2G_E_NULL;                                                                          \
    *total = 0;                                                                                     \
    for (size_t i = 0; i < rows; i++) row_to_col[i] = -1;                                          \
    if (rows == 0 || cols == 0) {                                                                   \
        if (u != NULL) for (size_t i = 0; i < rows; i++) u[i] = 0;                                  \
        if (v != NULL) for (size_t j = 0; j < cols; j++) v[j] = 0;                                  \
        return V2G_OK;                                                                              \
    }                                                                                               \
    size_t nnz = 0;                                                                                 \
    v2g_status st = lsap_csr_validate(rows, cols, row_start, NULL, NULL, &nnz);                     \
    if (st != V2G_OK) return st;                                                                    \
    if (nnz > 0 && (col_index == NULL || cost == NULL)) return V2G_E_NULL;                          \
    const size_t need = lsap_sp_layout(rows, cols, nnz, NULL, NULL);                                \
    if (need == 0) return V2G_E_OVERFLOW;                                                           \
    if (workspace == NULL || workspace_size < need) return V2G_E_WORKSPACE;                         \
    v2g_ws ws = v2g_ws_open(workspace, workspace_size);                                             \
    lsap_sp_arrays a;                                                                               \
    lsap_sp_layout(rows, cols, nnz, &ws, &a);                                                       \
    if (ws.next == NULL) return V2G_E_WORKSPACE;                                                    \
    st = lsap_csr_validate(rows, cols, row_start, col_index, a.pos, &nnz);                          \
    if (st != V2G_OK) return st;                                                                    \
    T kmax = 0;                                                                                     \
    int forbidden = 0;                                                                              \
    st = VALIDATE(cost, nnz, BOUND(rows, cols), &kmax, &forbidden);                                           \
    if (st != V2G_OK) return st;                                                                    \
    const int tr = rows > cols;                                                                     \
    lsap_sp_##SUF p;                                                                                \
    p.m = tr ? cols : rows; p.n = tr ? rows : cols;                                                 \
    if (tr) {                                                                                       \
        TRANSPOSE(rows, cols, row_start, col_index, cost, maximize != 0, a.rs2, a.ci2, a.cv2);      \
        p.rs = a.rs2; p.ci = a.ci2; p.cv = a.cv2;                                                   \
    } else {                                                                                        \
        p.rs = row_start; p.ci = col_index; p.cv = cost;                                            \
    }                                                                                               \
    const int neg = !tr && maximize != 0;                                                           \
    p.x = a.x; p.y = a.y; p.pred = a.pred; p.heap = a.heap; p.pos = a.pos;                          \
    p.touched = a.touched; p.free_rows = a.free_rows; p.level = a.level; p.hk = a.hk;               \
    p.v = a.v; p.d = a.d; p.pc = a.pc; p.xc = a.xc;                                                 \
    p.floor_v = -(4 * kmax + 1);                                                                    \
    st = neg ? (forbidden ? lsap_sp_kernel_##SUF##_neg(&p) : lsap_sp_kernel_##SUF##_neg_all(&p))     \
             : (forbidden ? lsap_sp_kernel_##SUF(&p) : lsap_sp_kernel_##SUF##_all(&p));             \
    if (st != V2G_OK) return st;                                                                    \
    const T sign = maximize ? -1 : 1;                                                               \
    const T *kv = a.v, *kxc = a.xc;                                                                 \
    if (!tr) {                                                                                      \
        for (size_t i = 0; i < rows; i++) row_to_col[i] = a.x[i];                                   \
        if (v != NULL) for (size_t j = 0; j < cols; j++) v[j] = sign * kv[j];                       \
        if (u != NULL)                                                                              \
            for (size_t i = 0; i < rows; i++) u[i] = sign * (kxc[i] - kv[a.x[i]]);                  \
    } else {                                                                                        \
        for (size_t jc = 0; jc < cols; jc++) row_to_col[a.x[jc]] = (int64_t)jc;                     \
        if (u != NULL) for (size_t i = 0; i < rows; i++) u[i] = sign * kv[i];                       \
        if (v != NULL)                                                                              \
            for (size_t jc = 0; jc < cols; jc++) v[jc] = sign * (kxc[jc] - kv[a.x[jc]]);            \
    }                                                                                               \
    T t = 0;                                                                                        \
    for (size_t i = 0; i < (tr ? cols : rows); i++) t += kxc[i];                                    \
    *total = sign * t;                                                                              \
    return V2G_OK;

v2g_status v2g_lsap_solve_sparse_i64(size_t rows, size_t cols, const int64_t *row_start,
                                     const int64_t *col_index, const int64_t *cost, int maximize,
                                     int64_t *row_to_col, int64_t *total, int64_t *u, int64_t *v,
                                     void *workspace, size_t workspace_size) {
    LSAP_SPARSE_SOLVE(int64_t, i64, lsap_validate_i64, lsap_i64_bound, lsap_csr_transpose_i64)
}

v2g_status v2g_lsap_solve_sparse_f64(size_t rows, size_t cols, const int64_t *row_start,
                                     const int64_t *col_index, const double *cost, int maximize,
                                     int64_t *row_to_col, double *total, double *u, double *v,
                                     void *workspace, size_t workspace_size) {
    LSAP_SPARSE_SOLVE(double, f64, lsap_validate_f64, lsap_f64_bound, lsap_csr_transpose_f64)
}

/* Resuming a square or wide (m <= n) solve in place: x and v are the caller's, the rest comes from ws. */
#define LSAP_SPARSE_RESUME(T, SUF)                                                                  \
    if (m > n || rs[0] != 0) return V2G_E_INVALID;                                                 \
    const size_t nnz = (size_t)rs[m];                                                               \
    const size_t need = lsap_sp_layout(m, n, nnz, NULL, NULL);                                      \
    if (need == 0 || ws == NULL || ws_size < need) return V2G_E_WORKSPACE;                          \
    v2g_ws region = v2g_ws_open(ws, ws_size);                                                       \
    lsap_sp_arrays a;                                                                               \
    lsap_sp_layout(m, n, nnz, &region, &a);                                                         \
    if (region.next == NULL) return V2G_E_WORKSPACE;                                                \
    lsap_sp_##SUF p;                                                                                \
    p.m = m; p.n = n; p.rs = rs; p.ci = ci; p.cv = cv;                                   \
    p.x = x; p.y = a.y; p.pred = a.pred; p.heap = a.heap; p.pos = a.pos;                            \
    p.touched = a.touched; p.free_rows = a.free_rows; p.level = a.level; p.hk = a.hk;               \
    p.v = v; p.d = a.d; p.pc = a.pc; p.xc = a.xc;                                                   \
    p.floor_v = 0;                                                                                  \
    return lsap_sp_resume_##SUF(&p);

v2g_status lsap_sparse_resume_i64(size_t m, size_t n, const int64_t *rs, const int64_t *ci, const int64_t *cv,
                                  int64_t *x, int64_t *v, void *ws, size_t ws_size) {
    LSAP_SPARSE_RESUME(int64_t, i64)
}

v2g_status lsap_sparse_resume_f64(size_t m, size_t n, const int64_t *rs, const int64_t *ci, const double *cv,
                                  int64_t *x, double *v, void *ws, size_t ws_size) {
    LSAP_SPARSE_RESUME(double, f64)
}
