"""Exact linear sum assignment, dense and sparse, with the dual certificate (include/v2g/v2g_lsap.h)."""
import numpy as np

from ._native import check, lib, pointer, workspace

INT64_MAX = np.iinfo(np.int64).max


def _result(row_to_col, u, v, return_duals):
    rows = np.flatnonzero(row_to_col >= 0)
    out = (rows, row_to_col[rows].copy())
    return out + (u, v) if return_duals else out


def _kind(values):
    """int64 (exact) for integer and boolean costs, float64 otherwise."""
    if values.dtype.kind in "biu":
        if values.dtype.kind == "u" and values.size and values.max() > INT64_MAX:
            raise ValueError("cost entries above 2^63 - 1 do not fit int64")
        return "i64", np.ascontiguousarray(values, dtype=np.int64)
    if values.dtype.kind == "f":
        return "f64", np.ascontiguousarray(values, dtype=np.float64)
    raise ValueError(f"cost must be numeric, not {values.dtype}")


def linear_sum_assignment(cost_matrix, maximize=False, return_duals=False):
    """Solves the linear sum assignment problem exactly, as `scipy.optimize.linear_sum_assignment`.

    Integer costs are solved in exact int64 arithmetic (identical on every CPU), floating-point ones in
    float64. A forbidden pair is `inf` (float) or `2**63 - 1` (int), for minimisation and maximisation alike.
    Returns `(row_ind, col_ind)`, rows ascending; with `return_duals`, also the row and column duals `(u, v)`,
    which prove the assignment optimal (`u[i] + v[j] <= cost[i, j]`, equality on assigned pairs, for a minimum).
    Raises `V2GError` (a ValueError) with the C status: infeasible (V2G_E_INFEASIBLE), NaN or -inf (V2G_E_NAN),
    integer costs beyond `cost_bound(rows, cols)` (V2G_E_OVERFLOW).
    """
    cost = np.asarray(cost_matrix)
    if cost.ndim != 2:
        raise ValueError(f"expected a matrix, got {cost.ndim} dimensions")
    kind, cost = _kind(cost)
    rows, cols = cost.shape
    row_to_col = np.empty(rows, dtype=np.int64)
    dtype = np.int64 if kind == "i64" else np.float64
    total = np.zeros(1, dtype=dtype)
    u, v = np.empty(rows, dtype=dtype), np.empty(cols, dtype=dtype)
    ws = workspace(lib.v2g_lsap_workspace_size(rows, cols), "linear_sum_assignment")
    solve = lib.v2g_lsap_solve_i64 if kind == "i64" else lib.v2g_lsap_solve_f64
    check(solve(rows, cols, pointer(cost), int(bool(maximize)), pointer(row_to_col), pointer(total), pointer(u), pointer(v),
                ws, len(ws)), "linear_sum_assignment")
    return _result(row_to_col, u, v, return_duals)


def min_weight_full_bipartite_matching(biadjacency_matrix, maximize=False, return_duals=False):
    """Solves the sparse assignment problem, as `scipy.sparse.csgraph.min_weight_full_bipartite_matching`.

    `biadjacency_matrix` is any scipy.sparse matrix (or array); every stored entry is an allowed pair with its
    cost (an explicit 0 is a pair of cost 0; duplicates are summed, as scipy does). Every row is matched if
    rows <= cols, else every column. Integer entries are solved exactly in int64. Returns
    `(row_ind, col_ind)`, and the duals with `return_duals`. Raises `V2GError` if no full matching exists.
    """
    csr = biadjacency_matrix.tocsr(copy=True)
    csr.sum_duplicates()
    rows, cols = csr.shape
    kind, cost = _kind(csr.data)
    row_start = np.ascontiguousarray(csr.indptr, dtype=np.int64)
    col_index = np.ascontiguousarray(csr.indices, dtype=np.int64)
    row_to_col = np.empty(rows, dtype=np.int64)
    dtype = np.int64 if kind == "i64" else np.float64
    total = np.zeros(1, dtype=dtype)
    u, v = np.empty(rows, dtype=dtype), np.empty(cols, dtype=dtype)
    ws = workspace(lib.v2g_lsap_sparse_workspace_size(rows, cols, len(cost)), "min_weight_full_bipartite_matching")
    solve = lib.v2g_lsap_solve_sparse_i64 if kind == "i64" else lib.v2g_lsap_solve_sparse_f64
    check(solve(rows, cols, pointer(row_start), pointer(col_index), pointer(cost), int(bool(maximize)), pointer(row_to_col),
                pointer(total), pointer(u), pointer(v), ws, len(ws)), "min_weight_full_bipartite_matching")
    return _result(row_to_col, u, v, return_duals)


def cost_bound(rows, cols):
    """The largest |cost| the exact int64 solvers accept for a rows x cols problem (floor(2^55 / (rows + cols + 1)))."""
    return int(lib.v2g_lsap_i64_cost_bound(rows, cols))
