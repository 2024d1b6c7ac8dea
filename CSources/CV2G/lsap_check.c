/*
 * lsap_check.c - certificate checkers: optimality of an assignment from its duals, without solving.
 *
 * For minimisation the conditions are (rows <= cols mirrored for rows > cols):
 *   the assignment has min(rows, cols) pairs, distinct rows and columns, all allowed;
 *   u_i + v_j <= c_ij on every allowed pair, == on assigned pairs;
 *   rows < cols: v_j <= 0, and v_j == 0 on unassigned columns.
 * Summing the equalities gives total == sum(u) + sum(v) (the unassigned side
 * contributes 0), and weak duality gives total <= any feasible assignment.
 * Maximisation flips every inequality. The double checkers allow an absolute
 * tolerance on each condition.
 */
#include <string.h>

#include "v2g/v2g_lsap.h"
#include "lsap_internal.h"

#define LSAP_DUAL_LIMIT ((int64_t)1 << 62)

/* Dual values the int64 checker accepts: |x| < 2^62, so u_i + v_j never overflows. */
static int lsap_dual_ok_i64(int64_t x) { return x > -LSAP_DUAL_LIMIT && x < LSAP_DUAL_LIMIT; }
static int lsap_dual_ok_f64(double x) { return x == x && x > -INFINITY && x < INFINITY; }

static int lsap_bad_cost_i64(int64_t c) { (void)c; return 0; }
static int lsap_bad_cost_f64(double c) { return !(c > -INFINITY); }

/* s = u_i + v_j against c: feasibility (<= for min, >= for max) and equality within tol. */
#define LSAP_FEASIBLE(s, c, tol, mx) ((mx) ? ((s) >= (c) - (tol)) : ((s) <= (c) + (tol)))
#define LSAP_TIGHT(s, c, tol) ((s) <= (c) + (tol) && (s) >= (c) - (tol))
/* The rectangular side: <= 0 for min, >= 0 for max (within tol). */
#define LSAP_SIGNED(x, tol, mx) ((mx) ? ((x) >= -(tol)) : ((x) <= (tol)))
#define LSAP_ZERO(x, tol) ((x) <= (tol) && (x) >= -(tol))

/* Checks the shape of row_to_col: entries in [-1, cols), exactly min(rows, cols) assigned. */
static int lsap_check_count(size_t rows, size_t cols, const int64_t *rtc) {
    size_t count = 0;
    for (size_t i = 0; i < rows; i++) {
        const int64_t j = rtc[i];
        if (j < -1 || (j >= 0 && (uint64_t)j >= (uint64_t)cols)) return 0;
        count += j >= 0;
    }
    return count == (rows < cols ? rows : cols);
}

#define LSAP_CHECK_DENSE(T, FORBID, SUF)                                                           \
    if ((rows != 0 && (row_to_col == NULL || u == NULL)) || (cols != 0 && v == NULL) ||             \
        (rows != 0 && cols != 0 && cost == NULL))                                                   \
        return V2G_E_NULL;                                                                          \
    if (rows != 0 && cols > SIZE_MAX / rows) return V2G_E_OVERFLOW;                                 \
    for (size_t k = 0; k < rows * cols; k++) if (lsap_bad_cost_##SUF(cost[k])) return V2G_E_NAN;    \
    if (!lsap_check_count(rows, cols, row_to_col)) return V2G_E_CERTIFICATE;                        \
    for (size_t i = 0; i < rows; i++) if (!lsap_dual_ok_##SUF(u[i])) return V2G_E_CERTIFICATE;      \
    for (size_t j = 0; j < cols; j++) if (!lsap_dual_ok_##SUF(v[j])) return V2G_E_CERTIFICATE;      \
    /* distinct columns (O(rows * cols), the size of the input) and the column sign conditions */  \
    for (size_t j = 0; j < cols; j++) {                                                             \
        size_t hits = 0;                                                                            \
        for (size_t i = 0; i < rows; i++) hits += row_to_col[i] == (int64_t)j;                      \
        if (hits > 1) return V2G_E_CERTIFICATE;                                                     \
        if (rows < cols && !(LSAP_SIGNED(v[j], tol, mx) && (hits == 1 || LSAP_ZERO(v[j], tol))))    \
            return V2G_E_CERTIFICATE;                                                               \
    }                                                                                               \
    if (rows > cols)                                                                                \
        for (size_t i = 0; i < rows; i++)                                                           \
            if (!(LSAP_SIGNED(u[i], tol, mx) && (row_to_col[i] >= 0 || LSAP_ZERO(u[i], tol))))      \
                return V2G_E_CERTIFICATE;                                                           \
    for (size_t i = 0; i < rows; i++) {                                                             \
        const T *row = cost + i * cols;                                                             \
        const T ui = u[i];                                                                          \
        for (size_t j = 0; j < cols; j++) {                                                         \
            const T c = row[j];                                                                     \
            const int assigned = row_to_col[i] == (int64_t)j;                                       \
            if (c == FORBID) { if (assigned) return V2G_E_CERTIFICATE; continue; }                  \
            const T s = ui + v[j];                                                                  \
            if (!LSAP_FEASIBLE(s, c, tol, mx)) return V2G_E_CERTIFICATE;                            \
            if (assigned && !LSAP_TIGHT(s, c, tol)) return V2G_E_CERTIFICATE;                       \
        }                                                                                           \
    }                                                                                               \
    return V2G_OK;

v2g_status v2g_lsap_check_i64(size_t rows, size_t cols, const int64_t *cost, int maximize,
                              const int64_t *row_to_col, const int64_t *u, const int64_t *v) {
    const int64_t tol = 0;
    const int mx = maximize != 0;
    LSAP_CHECK_DENSE(int64_t, INT64_MAX, i64)
}

v2g_status v2g_lsap_check_f64(size_t rows, size_t cols, const double *cost, int maximize,
                              const int64_t *row_to_col, const double *u, const double *v, double tolerance) {
    if (!(tolerance >= 0)) return V2G_E_INVALID;
    const double tol = tolerance;
    const int mx = maximize != 0;
    LSAP_CHECK_DENSE(double, INFINITY, f64)
}

size_t v2g_lsap_check_sparse_workspace_size(size_t rows, size_t cols) {
    (void)rows;
    return cols == 0 ? 1 : cols;
}

#define LSAP_CHECK_SPARSE(T, FORBID, SUF)                                                          \
    if ((rows != 0 && (row_to_col == NULL || u == NULL || row_start == NULL)) ||                    \
        (cols != 0 && v == NULL) || row_start == NULL)                                              \
        return V2G_E_NULL;                                                                          \
    if (workspace == NULL || workspace_size < v2g_lsap_check_sparse_workspace_size(rows, cols))     \
        return V2G_E_WORKSPACE;                                                                     \
    unsigned char *mark = workspace;                                                                \
    if (row_start[0] != 0) return V2G_E_INVALID;                                                    \
    for (size_t i = 0; i < rows; i++) if (row_start[i + 1] < row_start[i]) return V2G_E_INVALID;    \
    if (row_start[rows] > 0 && (col_index == NULL || cost == NULL)) return V2G_E_NULL;              \
    memset(mark, 0, cols);                                                                          \
    for (size_t i = 0; i < rows; i++) {                                                             \
        for (int64_t e = row_start[i]; e < row_start[i + 1]; e++) {                                 \
            const int64_t j = col_index[e];                                                         \
            if (j < 0 || (uint64_t)j >= (uint64_t)cols || mark[j]) return V2G_E_INVALID;            \
            if (lsap_bad_cost_##SUF(cost[e])) return V2G_E_NAN;                                     \
            mark[j] = 1;                                                                            \
        }                                                                                           \
        for (int64_t e = row_start[i]; e < row_start[i + 1]; e++) mark[col_index[e]] = 0;          \
    }                                                                                               \
    if (!lsap_check_count(rows, cols, row_to_col)) return V2G_E_CERTIFICATE;                        \
    for (size_t i = 0; i < rows; i++) if (!lsap_dual_ok_##SUF(u[i])) return V2G_E_CERTIFICATE;      \
    for (size_t j = 0; j < cols; j++) if (!lsap_dual_ok_##SUF(v[j])) return V2G_E_CERTIFICATE;      \
    for (size_t i = 0; i < rows; i++) {                                                             \
        const int64_t j = row_to_col[i];                                                            \
        if (j < 0) continue;                                                                        \
        if (mark[j]) return V2G_E_CERTIFICATE;                                                      \
        mark[j] = 1;                                                                                \
    }                                                                                               \
    if (rows < cols)                                                                                \
        for (size_t j = 0; j < cols; j++)                                                           \
            if (!(LSAP_SIGNED(v[j], tol, mx) && (mark[j] || LSAP_ZERO(v[j], tol))))                 \
                return V2G_E_CERTIFICATE;                                                           \
    if (rows > cols)                                                                                \
        for (size_t i = 0; i < rows; i++)                                                           \
            if (!(LSAP_SIGNED(u[i], tol, mx) && (row_to_col[i] >= 0 || LSAP_ZERO(u[i], tol))))      \
                return V2G_E_CERTIFICATE;                                                           \
    for (size_t i = 0; i < rows; i++) {                                                             \
        int found = row_to_col[i] < 0;                                                              \
        for (int64_t e = row_start[i]; e < row_start[i + 1]; e++) {                                 \
            const T c = cost[e];                                                                    \
            const int assigned = col_index[e] == row_to_col[i];                                     \
            if (c == FORBID) { if (assigned) return V2G_E_CERTIFICATE; continue; }                  \
            const T s = u[i] + v[col_index[e]];                                                     \
            if (!LSAP_FEASIBLE(s, c, tol, mx)) return V2G_E_CERTIFICATE;                            \
            if (assigned) { if (!LSAP_TIGHT(s, c, tol)) return V2G_E_CERTIFICATE; found = 1; }      \
        }                                                                                           \
        if (!found) return V2G_E_CERTIFICATE;                                                       \
    }                                                                                               \
    return V2G_OK;

v2g_status v2g_lsap_check_sparse_i64(size_t rows, size_t cols, const int64_t *row_start,
                                     const int64_t *col_index, const int64_t *cost, int maximize,
                                     const int64_t *row_to_col, const int64_t *u, const int64_t *v,
                                     void *workspace, size_t workspace_size) {
    const int64_t tol = 0;
    const int mx = maximize != 0;
    LSAP_CHECK_SPARSE(int64_t, INT64_MAX, i64)
}

v2g_status v2g_lsap_check_sparse_f64(size_t rows, size_t cols, const int64_t *row_start,
                                     const int64_t *col_index, const double *cost, int maximize,
                                     const int64_t *row_to_col, const double *u, const double *v,
                                     double tolerance, void *workspace, size_t workspace_size) {
    if (!(tolerance >= 0)) return V2G_E_INVALID;
    const double tol = tolerance;
    const int mx = maximize != 0;
    LSAP_CHECK_SPARSE(double, INFINITY, f64)
}
