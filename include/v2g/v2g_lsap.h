/*
 * v2g_lsap.h - exact linear sum assignment (LSAP) with a dual certificate.
 *
 * Rows are prosumers, columns EVs (SPEC §3.2), but the solver is general:
 * a rows x cols cost matrix, minimise (maximize == 0) or maximise, forbidden
 * pairs, dense row-major or sparse CSR input, int64 (exact, ledger path) or
 * double costs.
 *
 * Assignment size. If rows <= cols every row is assigned to a distinct
 * column; otherwise every column is assigned to a distinct row. If no such
 * assignment uses only allowed pairs, the solvers return V2G_E_INFEASIBLE.
 * rows == 0 or cols == 0 is a valid, empty problem (total 0).
 *
 * Forbidden pairs. A cost of +INFINITY (double) or INT64_MAX (int64) marks a
 * forbidden pair, for minimisation AND for maximisation. NaN and -INFINITY
 * are rejected with V2G_E_NAN.
 *
 * Cost bounds. Every allowed cost c must satisfy
 *     |c| <= v2g_lsap_i64_cost_bound(rows, cols) = floor(2^55 / (rows + cols + 1))
 * for the int64 solvers, and |c| <= 2^1000 / (rows + cols + 1) for the double
 * solvers; otherwise V2G_E_OVERFLOW. Within the bound every potential stays
 * below 2^57 in magnitude and every intermediate sum below 2^63, so the int64
 * path is exact integer arithmetic with identical results on every CPU.
 *
 * Dual certificate (u: rows entries, v: cols entries), minimisation:
 *   u_i + v_j <= c_ij     for every allowed pair (i, j),
 *   u_i + v_j == c_ij     for every assigned pair,
 *   rows <  cols:  v_j <= 0 for every column, v_j == 0 on unassigned columns,
 *   rows >  cols:  u_i <= 0 for every row,    u_i == 0 on unassigned rows.
 * Maximisation mirrors it: u_i + v_j >= c_ij on allowed pairs, equality on
 * assigned pairs, and the rectangular side is >= 0 (== 0 on unassigned).
 * Then sum(u) + sum(v) equals the optimal total, which proves optimality;
 * v2g_lsap_check_* verify these conditions in O(nnz) without solving.
 *
 * Memory. Solvers never allocate: ask *_workspace_size() (0 means the size
 * overflows size_t) and pass at least that many bytes, any alignment.
 * On an error the OUT arrays hold unspecified values.
 */
#ifndef V2G_LSAP_H
#define V2G_LSAP_H

#include "v2g_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Dense row-major costs                                                */
/* ------------------------------------------------------------------ */

/** Largest |cost| the int64 solvers accept for a rows x cols problem (floor(2^55 / (rows + cols + 1))). */
V2G_API int64_t v2g_lsap_i64_cost_bound(size_t rows, size_t cols);

/** Bytes of workspace the dense solvers need for a rows x cols problem; 0 if the size would overflow. */
V2G_API size_t v2g_lsap_workspace_size(size_t rows, size_t cols);

/**
 * Solves a dense LSAP on double costs; duals satisfy the certificate up to rounding at the scale of the
 * largest |cost| (the potentials start near 4 x that), so a checker's tolerance follows that scale.
 */
V2G_API V2G_NODISCARD v2g_status v2g_lsap_solve_f64(
    size_t rows, size_t cols,
    const double *cost,          /* row-major rows*cols; +INFINITY = forbidden */
    int maximize,                /* 0 = minimise, otherwise maximise */
    int64_t *row_to_col,         /* OUT: rows entries, row -> column, -1 = unassigned */
    double *total,               /* OUT: sum of the assigned costs */
    double *u,                   /* OUT: row duals (rows entries), may be NULL */
    double *v,                   /* OUT: column duals (cols entries), may be NULL */
    void *workspace, size_t workspace_size);

/** Solves a dense LSAP on int64 costs exactly; duals satisfy the certificate exactly. */
V2G_API V2G_NODISCARD v2g_status v2g_lsap_solve_i64(
    size_t rows, size_t cols,
    const int64_t *cost,         /* row-major rows*cols; INT64_MAX = forbidden */
    int maximize,                /* 0 = minimise, otherwise maximise */
    int64_t *row_to_col,         /* OUT: rows entries, row -> column, -1 = unassigned */
    int64_t *total,              /* OUT: sum of the assigned costs */
    int64_t *u,                  /* OUT: row duals (rows entries), may be NULL */
    int64_t *v,                  /* OUT: column duals (cols entries), may be NULL */
    void *workspace, size_t workspace_size);

/* ------------------------------------------------------------------ */
/* Sparse costs (CSR: row i lists its allowed columns                   */
/* col_index[row_start[i] .. row_start[i+1]) with their costs)          */
/* ------------------------------------------------------------------ */

/** Bytes of workspace the sparse solvers need for nnz listed pairs; 0 if the size would overflow. */
V2G_API size_t v2g_lsap_sparse_workspace_size(size_t rows, size_t cols, size_t nnz);

/** Solves a sparse LSAP on int64 costs exactly; bad CSR (row_start not starting at 0 or decreasing, column out of range, column twice in a row) gives V2G_E_INVALID. */
V2G_API V2G_NODISCARD v2g_status v2g_lsap_solve_sparse_i64(
    size_t rows, size_t cols,
    const int64_t *row_start,    /* rows+1 entries, row_start[0] == 0, non-decreasing; nnz = row_start[rows] */
    const int64_t *col_index,    /* nnz column indices in [0, cols), distinct within a row */
    const int64_t *cost,         /* nnz costs; INT64_MAX = forbidden */
    int maximize,                /* 0 = minimise, otherwise maximise */
    int64_t *row_to_col,         /* OUT: rows entries, row -> column, -1 = unassigned */
    int64_t *total,              /* OUT: sum of the assigned costs */
    int64_t *u,                  /* OUT: row duals (rows entries), may be NULL */
    int64_t *v,                  /* OUT: column duals (cols entries), may be NULL */
    void *workspace, size_t workspace_size);

/** Solves a sparse LSAP on double costs; same CSR rules as v2g_lsap_solve_sparse_i64. */
V2G_API V2G_NODISCARD v2g_status v2g_lsap_solve_sparse_f64(
    size_t rows, size_t cols,
    const int64_t *row_start,    /* rows+1 entries, row_start[0] == 0, non-decreasing */
    const int64_t *col_index,    /* nnz column indices in [0, cols), distinct within a row */
    const double *cost,          /* nnz costs; +INFINITY = forbidden */
    int maximize,                /* 0 = minimise, otherwise maximise */
    int64_t *row_to_col,         /* OUT: rows entries, row -> column, -1 = unassigned */
    double *total,               /* OUT: sum of the assigned costs */
    double *u,                   /* OUT: row duals (rows entries), may be NULL */
    double *v,                   /* OUT: column duals (cols entries), may be NULL */
    void *workspace, size_t workspace_size);

/* ------------------------------------------------------------------ */
/* Certificate checkers (no solving; see the conditions above)          */
/* ------------------------------------------------------------------ */

/** V2G_OK if row_to_col is an optimal dense assignment proved by (u, v), else V2G_E_CERTIFICATE (|u|, |v| must be < 2^62). */
V2G_API V2G_NODISCARD v2g_status v2g_lsap_check_i64(
    size_t rows, size_t cols, const int64_t *cost, int maximize,
    const int64_t *row_to_col, const int64_t *u, const int64_t *v);

/** As v2g_lsap_check_i64 on double costs; every condition may miss by at most tolerance (absolute). */
V2G_API V2G_NODISCARD v2g_status v2g_lsap_check_f64(
    size_t rows, size_t cols, const double *cost, int maximize,
    const int64_t *row_to_col, const double *u, const double *v, double tolerance);

/** Bytes of workspace the sparse checkers need (one byte per column, to see a column assigned twice). */
V2G_API size_t v2g_lsap_check_sparse_workspace_size(size_t rows, size_t cols);

/** As v2g_lsap_check_i64 on CSR costs, in O(rows + cols + nnz); invalid CSR gives V2G_E_INVALID. */
V2G_API V2G_NODISCARD v2g_status v2g_lsap_check_sparse_i64(
    size_t rows, size_t cols, const int64_t *row_start, const int64_t *col_index,
    const int64_t *cost, int maximize,
    const int64_t *row_to_col, const int64_t *u, const int64_t *v,
    void *workspace, size_t workspace_size);

/** As v2g_lsap_check_sparse_i64 on double costs, with an absolute tolerance. */
V2G_API V2G_NODISCARD v2g_status v2g_lsap_check_sparse_f64(
    size_t rows, size_t cols, const int64_t *row_start, const int64_t *col_index,
    const double *cost, int maximize,
    const int64_t *row_to_col, const double *u, const double *v, double tolerance,
    void *workspace, size_t workspace_size);

#ifdef __cplusplus
}
#endif

#endif /* V2G_LSAP_H */
