/*
 * lsap_sparse_resume.h - continuing a sparse LSAP solve from a state the caller holds (internal to CV2G).
 *
 * The sparse-core route of the dense solver (lsap_core.c) adds entries to a few rows between solves; the rows
 * it did not touch are still at a minimum of c - v, so only the touched ones, freed, need new paths.
 * m <= n; rs/ci/cv the CSR costs, minimised, already validated by an earlier solve of the same matrix minus
 * the added entries. x (m; -1 = free) and v (n) are read and updated in place; every assigned row must be at a
 * minimum of c - v over its entries. ws holds v2g_lsap_sparse_workspace_size(m, n, rs[m]) bytes. Returns
 * V2G_OK, V2G_E_INFEASIBLE if a free row finds no path, V2G_E_INVALID if a row's column is not one of its
 * entries or two rows hold one column, V2G_E_WORKSPACE.
 */
#ifndef V2G_LSAP_SPARSE_RESUME_H
#define V2G_LSAP_SPARSE_RESUME_H

#include <stddef.h>
#include <stdint.h>

#include "v2g/v2g_common.h"

v2g_status lsap_sparse_resume_i64(size_t m, size_t n, const int64_t *rs, const int64_t *ci, const int64_t *cv,
                                  int64_t *x, int64_t *v, void *ws, size_t ws_size);
v2g_status lsap_sparse_resume_f64(size_t m, size_t n, const int64_t *rs, const int64_t *ci, const double *cv,
                                  int64_t *x, double *v, void *ws, size_t ws_size);

#endif /* V2G_LSAP_SPARSE_RESUME_H */
