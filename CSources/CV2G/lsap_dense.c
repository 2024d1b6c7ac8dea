/*
 * lsap_dense.c - dense LSAP entry points: validation, orientation, duals.
 *
 * Square problems run LAPJV (column reduction, reduction transfer, two passes
 * of augmenting row reduction, then shortest augmenting paths). rows < cols
 * runs the shortest augmenting path on the rectangular matrix after a row
 * reduction that keeps v == 0 (Crouse 2016, never padded); rows > cols runs on
 * a transposed copy in the workspace. See docs/lsap.md.
 */
#include <math.h>
#include <string.h>

#include "v2g/v2g_lsap.h"
#include "lsap_core.h"
#include "lsap_internal.h"
#include "workspace.h"

_Static_assert(sizeof(double) == sizeof(int64_t), "potentials of both types share one workspace layout");

/* 4-lane vectors for the row scan (lsap_kernel.h); LSAP_VSEL(mask, a, b) picks a where mask is all ones */
typedef int64_t lsap_vi __attribute__((vector_size(32)));
typedef double lsap_vd __attribute__((vector_size(32)));
#define LSAP_VSEL_T(VT, mask, a, b) ((VT)(((lsap_vi)(a) & (mask)) | ((lsap_vi)(b) & ~(mask))))

/* x86-64: every kernel also comes as an AVX2 clone (lsap_kernel.h), picked at run time */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(LSAP_NO_AVX2)
#define LSAP_HAVE_AVX2 1
#include <immintrin.h>
static int lsap_wide(void) { return __builtin_cpu_supports("avx2"); }
#define LSAP_KERNEL(suf, ...) (wide ? lsap_kernel_##suf##_avx2(__VA_ARGS__) : lsap_kernel_##suf(__VA_ARGS__))
__attribute__((target("avx2")))
static v2g_status lsap_validate_f64_avx2(const double *c, size_t count, double bound, double *kmax, int *forbidden) {
    return lsap_validate_f64(c, count, bound, kmax, forbidden);
}
__attribute__((target("avx2")))
static v2g_status lsap_validate_i64_avx2(const int64_t *c, size_t count, int64_t bound, int64_t *kmax, int *forbidden) {
    return lsap_validate_i64(c, count, bound, kmax, forbidden);
}
#define LSAP_VALIDATE(type, ...) (wide ? lsap_validate_##type##_avx2(__VA_ARGS__) : lsap_validate_##type(__VA_ARGS__))
#else
#define LSAP_HAVE_AVX2 0
static int lsap_wide(void) { return 0; }
#define LSAP_KERNEL(suf, ...) ((void)wide, lsap_kernel_##suf(__VA_ARGS__))
#define LSAP_VALIDATE(type, ...) ((void)wide, lsap_validate_##type(__VA_ARGS__))
#endif

/* ---------------------------------------------------------------- kernel instances */

#define LSAP_T double
#define LSAP_VT lsap_vd
#define LSAP_VSEL(mask, a, b) LSAP_VSEL_T(lsap_vd, mask, a, b)
#define LSAP_INF INFINITY
#define LSAP_UNREACH INFINITY
#define LSAP_LOW (-INFINITY)
#define LSAP_HIGH INFINITY

#define LSAP_SUF f64min
#define LSAP_LOAD(x) (x)
#define LSAP_VLOAD(x) (x)
#include "lsap_kernel.h"
#undef LSAP_SUF
#undef LSAP_LOAD
#undef LSAP_VLOAD

#define LSAP_SUF f64max
#define LSAP_LOAD(x) ((x) == INFINITY ? INFINITY : -(x))
#define LSAP_VLOAD(x) LSAP_VSEL((lsap_vi)((x) == (lsap_vd){INFINITY, INFINITY, INFINITY, INFINITY}), (x), -(x))
#include "lsap_kernel.h"
#undef LSAP_SUF
#undef LSAP_LOAD
#undef LSAP_VLOAD

/* no forbidden pair in the matrix: no select in the inner loops */
#define LSAP_SUF f64maxnf
#define LSAP_LOAD(x) (-(x))
#define LSAP_VLOAD(x) (-(x))
#include "lsap_kernel.h"
#undef LSAP_SUF
#undef LSAP_LOAD
#undef LSAP_VLOAD

#undef LSAP_T
#undef LSAP_VT
#undef LSAP_VSEL
#undef LSAP_INF
#undef LSAP_UNREACH
#undef LSAP_LOW
#undef LSAP_HIGH

#define LSAP_T int64_t
#define LSAP_VT lsap_vi
#define LSAP_VSEL(mask, a, b) LSAP_VSEL_T(lsap_vi, mask, a, b)
#define LSAP_INF LSAP_I64_INF
#define LSAP_UNREACH LSAP_I64_UNREACH
#define LSAP_LOW INT64_MIN
#define LSAP_HIGH INT64_MAX

#define LSAP_SUF i64min
#define LSAP_LOAD(x) ((x) == INT64_MAX ? LSAP_I64_INF : (x))
#define LSAP_VLOAD(x) LSAP_VSEL((lsap_vi)((x) == (lsap_vi){INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX}), ((lsap_vi){LSAP_I64_INF, LSAP_I64_INF, LSAP_I64_INF, LSAP_I64_INF}), (x))
#include "lsap_kernel.h"
#undef LSAP_SUF
#undef LSAP_LOAD
#undef LSAP_VLOAD

#define LSAP_SUF i64max
#define LSAP_LOAD(x) ((x) == INT64_MAX ? LSAP_I64_INF : -(x))
#define LSAP_VLOAD(x) LSAP_VSEL((lsap_vi)((x) == (lsap_vi){INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX}), ((lsap_vi){LSAP_I64_INF, LSAP_I64_INF, LSAP_I64_INF, LSAP_I64_INF}), -(x))
#include "lsap_kernel.h"
#undef LSAP_SUF
#undef LSAP_LOAD
#undef LSAP_VLOAD

#define LSAP_SUF i64minnf
#define LSAP_LOAD(x) (x)
#define LSAP_VLOAD(x) (x)
#include "lsap_kernel.h"
#undef LSAP_SUF
#undef LSAP_LOAD
#undef LSAP_VLOAD

#define LSAP_SUF i64maxnf
#define LSAP_LOAD(x) (-(x))
#define LSAP_VLOAD(x) (-(x))
#include "lsap_kernel.h"
#undef LSAP_SUF
#undef LSAP_LOAD
#undef LSAP_VLOAD

#undef LSAP_T
#undef LSAP_VT
#undef LSAP_VSEL
#undef LSAP_INF
#undef LSAP_UNREACH
#undef LSAP_LOW
#undef LSAP_HIGH

/* ---------------------------------------------------------------- workspace */

typedef struct lsap_arrays {
    void *copy;        /* m x n transposed costs when rows > cols, else NULL */
    void *v, *dp, *vp; /* n potentials / distances (double or int64) */
    int64_t *y, *cols, *pred; /* n */
    int64_t *x, *free_rows;   /* m */
    void *core;               /* the sparse-core route's workspace (lsap_core.h), NULL when it does not apply */
    size_t core_size;
} lsap_arrays;

static size_t lsap_layout(size_t rows, size_t cols, v2g_ws *ws, lsap_arrays *a) {
    const size_t m = rows < cols ? rows : cols, n = rows < cols ? cols : rows;
    const size_t e = sizeof(int64_t);
    size_t total = 0;
    if (rows > cols) {
        if (rows > SIZE_MAX / cols) return 0;
        v2g_ws_reserve(&total, rows * cols, e);
    }
    for (int k = 0; k < 6; k++) v2g_ws_reserve(&total, n, e);
    v2g_ws_reserve(&total, m, e);
    v2g_ws_reserve(&total, m, e);
    const size_t core = lsap_core_workspace(m, n);
    if (lsap_core_applies(m, n) && core == 0) return 0;
    v2g_ws_reserve(&total, core, 1);
    if (ws != NULL) {
        a->copy = rows > cols ? v2g_ws_take(ws, rows * cols, e) : NULL;
        a->v = v2g_ws_take(ws, n, e);
        a->dp = v2g_ws_take(ws, n, e);
        a->vp = v2g_ws_take(ws, n, e);
        a->y = v2g_ws_take(ws, n, e);
        a->cols = v2g_ws_take(ws, n, e);
        a->pred = v2g_ws_take(ws, n, e);
        a->x = v2g_ws_take(ws, m, e);
        a->free_rows = v2g_ws_take(ws, m, e);
        a->core = core ? v2g_ws_take(ws, core, 1) : NULL;
        a->core_size = core;
    }
    return v2g_ws_finish(total);
}

size_t v2g_lsap_workspace_size(size_t rows, size_t cols) {
    if (rows == 0 || cols == 0) return V2G_WS_ALIGN;
    return lsap_layout(rows, cols, NULL, NULL);
}

int64_t v2g_lsap_i64_cost_bound(size_t rows, size_t cols) {
    return lsap_i64_bound(rows, cols);
}

/* ---------------------------------------------------------------- shared front end */

static v2g_status lsap_open(size_t rows, size_t cols, void *workspace, size_t workspace_size, lsap_arrays *a) {
    const size_t need = lsap_layout(rows, cols, NULL, NULL);
    if (need == 0) return V2G_E_OVERFLOW;
    if (workspace == NULL || workspace_size < need) return V2G_E_WORKSPACE;
    v2g_ws ws = v2g_ws_open(workspace, workspace_size);
    lsap_layout(rows, cols, &ws, a);
    if (ws.next == NULL) return V2G_E_WORKSPACE;
    return V2G_OK;
}

/* Blocked transpose of rows x cols into cols x rows, applying the sense (forbidden stays forbidden). */
#define LSAP_TRANSPOSE(NAME, T, FORBID)                                                           \
    static void NAME(size_t rows, size_t cols, const T *src, T *dst, int maximize) {             \
        const size_t B = 32;                                                                     \
        for (size_t i0 = 0; i0 < rows; i0 += B) {                                                \
            const size_t i1 = i0 + B < rows ? i0 + B : rows;                                     \
            for (size_t j0 = 0; j0 < cols; j0 += B) {                                            \
                const size_t j1 = j0 + B < cols ? j0 + B : cols;                                 \
                for (size_t i = i0; i < i1; i++)                                                 \
                    for (size_t j = j0; j < j1; j++) {                                           \
                        const T x = src[i * cols + j];                                           \
                        dst[j * rows + i] = (maximize && x != FORBID) ? -x : x;                  \
                    }                                                                            \
            }                                                                                    \
        }                                                                                        \
    }
LSAP_TRANSPOSE(lsap_transpose_f64, double, INFINITY)
LSAP_TRANSPOSE(lsap_transpose_i64, int64_t, INT64_MAX)

/*
 * The kernel's answer in the caller's terms: the assignment, the duals of the original problem (the kernel
 * works on minimisation of the possibly transposed, negated matrix; kernel row jc is original column jc when
 * transposed) and the total of the assigned costs.
 */
#define LSAP_FINISH(NAME, T)                                                                      \
    static void NAME(size_t rows, size_t cols, const T *cost, int maximize, int tr, const int64_t *x,  \
                     const T *kv, int64_t *row_to_col, T *u, T *v, T *total) {                   \
        const T sign = maximize ? (T)-1 : (T)1;                                                  \
        if (!tr) {                                                                               \
            for (size_t i = 0; i < rows; i++) row_to_col[i] = x[i];                              \
            if (v != NULL) for (size_t j = 0; j < cols; j++) v[j] = sign * kv[j];                \
            if (u != NULL)                                                                       \
                for (size_t i = 0; i < rows; i++) u[i] = cost[i * cols + (size_t)x[i]] - sign * kv[(size_t)x[i]]; \
        } else {                                                                                 \
            for (size_t jc = 0; jc < cols; jc++) row_to_col[x[jc]] = (int64_t)jc;                \
            if (u != NULL) for (size_t i = 0; i < rows; i++) u[i] = sign * kv[i];                \
            if (v != NULL)                                                                       \
                for (size_t jc = 0; jc < cols; jc++) v[jc] = cost[(size_t)x[jc] * cols + jc] - sign * kv[(size_t)x[jc]]; \
        }                                                                                        \
        T t = 0;                                                                                 \
        for (size_t i = 0; i < rows; i++)                                                        \
            if (row_to_col[i] >= 0) t += cost[i * cols + (size_t)row_to_col[i]];                 \
        *total = t;                                                                              \
    }
LSAP_FINISH(lsap_finish_f64, double)
LSAP_FINISH(lsap_finish_i64, int64_t)

/*
 * The checks and answers every dense solve starts with: NULL arguments, outputs reset, an empty problem
 * answered at once, a size that overflows. Returns 1 when the call is decided, with its status in *st.
 */
#define LSAP_START(NAME, T)                                                                        \
    static int NAME(size_t rows, size_t cols, const T *cost, int64_t *row_to_col, T *total, T *u,  \
                    T *v, v2g_status *st) {                                                        \
        if (total == NULL || (row_to_col == NULL && rows != 0) || (cost == NULL && rows != 0 && cols != 0)) { \
            *st = V2G_E_NULL;                                                                      \
            return 1;                                                                              \
        }                                                                                          \
        *total = 0;                                                                                \
        for (size_t i = 0; i < rows; i++) row_to_col[i] = -1;                                     \
        if (rows == 0 || cols == 0) {                                                              \
            if (u != NULL) for (size_t i = 0; i < rows; i++) u[i] = 0;                              \
            if (v != NULL) for (size_t j = 0; j < cols; j++) v[j] = 0;                              \
            *st = V2G_OK;                                                                          \
            return 1;                                                                              \
        }                                                                                          \
        if (rows > SIZE_MAX / cols) {                                                              \
            *st = V2G_E_OVERFLOW;                                                                  \
            return 1;                                                                              \
        }                                                                                          \
        return 0;                                                                                  \
    }
LSAP_START(lsap_start_f64, double)
LSAP_START(lsap_start_i64, int64_t)

/* ---------------------------------------------------------------- double */

v2g_status v2g_lsap_solve_f64(size_t rows, size_t cols, const double *cost, int maximize,
                              int64_t *row_to_col, double *total, double *u, double *v,
                              void *workspace, size_t workspace_size) {
    v2g_status st = V2G_OK;
    if (lsap_start_f64(rows, cols, cost, row_to_col, total, u, v, &st)) return st;
    double kmax = 0;
    int forbidden = 0;
    const int wide = lsap_wide();
    st = LSAP_VALIDATE(f64, cost, rows * cols, lsap_f64_bound(rows, cols), &kmax, &forbidden);
    if (st != V2G_OK) return st;
    lsap_arrays a;
    st = lsap_open(rows, cols, workspace, workspace_size, &a);
    if (st != V2G_OK) return st;

    const int tr = rows > cols;
    const size_t m = tr ? cols : rows, n = tr ? rows : cols;
    const double floor_v = -(4.0 * kmax + 1.0);
    double *kv = a.v;
    if (tr) lsap_transpose_f64(rows, cols, cost, a.copy, maximize);
    if (a.core != NULL && lsap_core_f64(m, n, tr ? a.copy : cost, tr ? 0 : maximize, a.core, a.core_size, a.x, kv)) {
        lsap_finish_f64(rows, cols, cost, maximize, tr, a.x, kv, row_to_col, u, v, total);
        return V2G_OK;
    }
    if (tr) {
        st = LSAP_KERNEL(f64min, m, n, a.copy, n, a.x, kv, a.y, a.free_rows, a.cols, a.dp, a.vp, a.pred, floor_v);
    } else if (maximize && !forbidden) {
        st = LSAP_KERNEL(f64maxnf, m, n, cost, n, a.x, kv, a.y, a.free_rows, a.cols, a.dp, a.vp, a.pred, floor_v);
    } else if (maximize) {
        st = LSAP_KERNEL(f64max, m, n, cost, n, a.x, kv, a.y, a.free_rows, a.cols, a.dp, a.vp, a.pred, floor_v);
    } else {
        st = LSAP_KERNEL(f64min, m, n, cost, n, a.x, kv, a.y, a.free_rows, a.cols, a.dp, a.vp, a.pred, floor_v);
    }
    if (st != V2G_OK) return st;

    lsap_finish_f64(rows, cols, cost, maximize, tr, a.x, kv, row_to_col, u, v, total);
    return V2G_OK;
}

/* ---------------------------------------------------------------- int64 */

v2g_status v2g_lsap_solve_i64(size_t rows, size_t cols, const int64_t *cost, int maximize,
                              int64_t *row_to_col, int64_t *total, int64_t *u, int64_t *v,
                              void *workspace, size_t workspace_size) {
    v2g_status st = V2G_OK;
    if (lsap_start_i64(rows, cols, cost, row_to_col, total, u, v, &st)) return st;
    int64_t kmax = 0;
    int forbidden = 0;
    const int wide = lsap_wide();
    st = LSAP_VALIDATE(i64, cost, rows * cols, lsap_i64_bound(rows, cols), &kmax, &forbidden);
    if (st != V2G_OK) return st;
    lsap_arrays a;
    st = lsap_open(rows, cols, workspace, workspace_size, &a);
    if (st != V2G_OK) return st;

    const int tr = rows > cols;
    const size_t m = tr ? cols : rows, n = tr ? rows : cols;
    const int64_t floor_v = -(4 * kmax + 1);
    int64_t *kv = a.v;
    if (tr) lsap_transpose_i64(rows, cols, cost, a.copy, maximize);
    if (a.core != NULL && lsap_core_i64(m, n, tr ? a.copy : cost, tr ? 0 : maximize, a.core, a.core_size, a.x, kv)) {
        lsap_finish_i64(rows, cols, cost, maximize, tr, a.x, kv, row_to_col, u, v, total);
        return V2G_OK;
    }
    if (tr) {
        st = forbidden
            ? LSAP_KERNEL(i64min, m, n, a.copy, n, a.x, kv, a.y, a.free_rows, a.cols, a.dp, a.vp, a.pred, floor_v)
            : LSAP_KERNEL(i64minnf, m, n, a.copy, n, a.x, kv, a.y, a.free_rows, a.cols, a.dp, a.vp, a.pred, floor_v);
    } else if (maximize && !forbidden) {
        st = LSAP_KERNEL(i64maxnf, m, n, cost, n, a.x, kv, a.y, a.free_rows, a.cols, a.dp, a.vp, a.pred, floor_v);
    } else if (!maximize && !forbidden) {
        st = LSAP_KERNEL(i64minnf, m, n, cost, n, a.x, kv, a.y, a.free_rows, a.cols, a.dp, a.vp, a.pred, floor_v);
    } else if (maximize) {
        st = LSAP_KERNEL(i64max, m, n, cost, n, a.x, kv, a.y, a.free_rows, a.cols, a.dp, a.vp, a.pred, floor_v);
    } else {
        st = LSAP_KERNEL(i64min, m, n, cost, n, a.x, kv, a.y, a.free_rows, a.cols, a.dp, a.vp, a.pred, floor_v);
    }
    if (st != V2G_OK) return st;

    lsap_finish_i64(rows, cols, cost, maximize, tr, a.x, kv, row_to_col, u, v, total);
    return V2G_OK;
}
