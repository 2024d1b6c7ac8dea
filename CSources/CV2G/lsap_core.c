/*
 * lsap_core.c - dense LSAP through a sparse core: the route lsap_dense.c takes on large matrices.
 *
 * A full matrix is read a few times (select the core, check each solution) while the solving happens on a few
 * entries per row with the sparse solver, so large problems run near the cost of reading the matrix; the check
 * is the dense solver's own optimality condition, so the answer is as exact as the dense kernel's (docs/lsap.md).
 */
#include <string.h>

#include "v2g/v2g_lsap.h"
#include "lsap_core.h"
#include "lsap_sparse_resume.h"
#include "workspace.h"

/* Four lanes through the GCC/Clang vector extensions (as lsap_dense.c): the passes over the whole matrix are
   branch free. LSAP_CORE_SEL(VT, mask, a, b) picks a where mask is all ones. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(LSAP_NO_AVX2)
#define LSAP_CORE_HAVE_AVX2 1
#else
#define LSAP_CORE_HAVE_AVX2 0
#endif
typedef int64_t lsap_cvi __attribute__((vector_size(32)));
typedef double lsap_cvd __attribute__((vector_size(32)));
#define LSAP_CORE_SEL(VT, mask, a, b) ((VT)(((lsap_cvi)(a) & (mask)) | ((lsap_cvi)(b) & ~(mask))))

/* Core entries per row and per column before repairs (measured: see docs/lsap.md). */
#define LSAP_CORE_K ((size_t)8)
#define LSAP_CORE_KC ((size_t)4)
/* Rows looked at before deciding that a matrix is too tie-heavy for a core. */
#define LSAP_CORE_PROBE ((size_t)32)

/* A fixed scramble of (row, column) that orders a row's tied entries: deterministic on every CPU, and not the
   column order, which would hand every row of a tie-heavy matrix the same first columns. */
static inline uint32_t lsap_core_tie(size_t i, size_t j) {
    uint64_t z = ((uint64_t)i << 32 | (uint64_t)(uint32_t)j) * 0x9E3779B97F4A7C15u;
    z ^= z >> 29;
    z *= 0xBF58476D1CE4E5B9u;
    return (uint32_t)(z >> 32);
}

typedef struct lsap_core_ws {
    size_t cap;                      /* entries each core buffer holds */
    int64_t *rs_a, *ci_a, *rs_b, *ci_b;
    void *cv_a, *cv_b;               /* costs (double or int64) */
    void *col_c;                     /* n x KC: each column's cheapest costs */
    int64_t *col_r, *next;           /* n x KC: their rows; the per-row lists through them */
    uint32_t *col_k, *row_k;         /* n x KC, m x K: tie keys */
    void *col_worst;                 /* n: a column's KC-th cheapest so far */
    int64_t *col_n;                  /* n */
    int64_t *head;                   /* m */
    void *sparse;
    size_t sparse_size;
} lsap_core_ws;

static void lsap_core_swap(lsap_core_ws *w) {
    int64_t *t = w->rs_a; w->rs_a = w->rs_b; w->rs_b = t;
    t = w->ci_a; w->ci_a = w->ci_b; w->ci_b = t;
    void *c = w->cv_a; w->cv_a = w->cv_b; w->cv_b = c;
}

/* Square or nearly (at most an eighth more columns than rows): the shapes where the dense kernel's last
   augmentations are long. Clearly rectangular problems stay with it (measured faster: 1000 x 4000, 3000 x 4000). */
int lsap_core_applies(size_t m, size_t n) {
    return m >= LSAP_CORE_MIN_ROWS && n - m <= m / 8;
}

/* Room for the first core (K per row, KC per column, the diagonal) and three times as many repairs. */
static size_t lsap_core_cap(size_t m, size_t n) {
    if (m > (SIZE_MAX / 8) / LSAP_CORE_K || n > (SIZE_MAX / 8) / LSAP_CORE_KC) return 0;
    return 4 * (m * (LSAP_CORE_K + 1) + n * LSAP_CORE_KC);
}

static size_t lsap_core_layout(size_t m, size_t n, v2g_ws *ws, lsap_core_ws *w) {
    const size_t e = sizeof(int64_t), cap = lsap_core_cap(m, n);
    const size_t sparse = cap ? v2g_lsap_sparse_workspace_size(m, n, cap) : 0;
    if (cap == 0 || sparse == 0) return 0;
    size_t total = 0;
    for (int k = 0; k < 2; k++) v2g_ws_reserve(&total, m + 1, e);
    for (int k = 0; k < 4; k++) v2g_ws_reserve(&total, cap, e);
    for (int k = 0; k < 3; k++) v2g_ws_reserve(&total, n * LSAP_CORE_KC, e);
    v2g_ws_reserve(&total, n * LSAP_CORE_KC, sizeof(uint32_t));
    v2g_ws_reserve(&total, m * LSAP_CORE_K, sizeof(uint32_t));
    v2g_ws_reserve(&total, n, e);
    v2g_ws_reserve(&total, n, e);
    v2g_ws_reserve(&total, m, e);
    v2g_ws_reserve(&total, sparse, 1);
    if (ws != NULL) {
        w->cap = cap;
        w->rs_a = v2g_ws_take(ws, m + 1, e);
        w->rs_b = v2g_ws_take(ws, m + 1, e);
        w->ci_a = v2g_ws_take(ws, cap, e);
        w->ci_b = v2g_ws_take(ws, cap, e);
        w->cv_a = v2g_ws_take(ws, cap, e);
        w->cv_b = v2g_ws_take(ws, cap, e);
        w->col_c = v2g_ws_take(ws, n * LSAP_CORE_KC, e);
        w->col_r = v2g_ws_take(ws, n * LSAP_CORE_KC, e);
        w->next = v2g_ws_take(ws, n * LSAP_CORE_KC, e);
        w->col_k = v2g_ws_take(ws, n * LSAP_CORE_KC, sizeof(uint32_t));
        w->row_k = v2g_ws_take(ws, m * LSAP_CORE_K, sizeof(uint32_t));
        w->col_worst = v2g_ws_take(ws, n, e);
        w->col_n = v2g_ws_take(ws, n, e);
        w->head = v2g_ws_take(ws, m, e);
        w->sparse = v2g_ws_take(ws, sparse, 1);
        w->sparse_size = sparse;
    }
    return total == SIZE_MAX ? 0 : total;
}

size_t lsap_core_workspace(size_t m, size_t n) {
    return lsap_core_applies(m, n) ? lsap_core_layout(m, n, NULL, NULL) : 0;
}

/*
 * Whether a solve may resume from potentials v. Integer potentials stay inside the bounds docs/lsap.md proves
 * only from a fresh start (|v| <= 2^57 + 1), and each solve can move them by as much again; resuming from
 * |v| <= 2^56 keeps them there, else the round starts afresh. Doubles have room to spare.
 */
static int lsap_core_resumable_i64(const int64_t *v, size_t n) {
    const int64_t limit = (int64_t)1 << 56;
    for (size_t j = 0; j < n; j++)
        if (v[j] > limit || v[j] < -limit) return 0;
    return 1;
}

#define LSAP_T double
#define LSAP_VT lsap_cvd
#define LSAP_SUF f64
#define LSAP_FORBID INFINITY
#define LSAP_FAR INFINITY
#define LSAP_SOLVE_SPARSE v2g_lsap_solve_sparse_f64
#define LSAP_RESUME_SPARSE lsap_sparse_resume_f64
#define LSAP_RESUME_SAFE(v, n) ((void)(v), (void)(n), 1)
#include "lsap_core_kernel.h"
#undef LSAP_T
#undef LSAP_VT
#undef LSAP_SUF
#undef LSAP_FORBID
#undef LSAP_FAR
#undef LSAP_SOLVE_SPARSE
#undef LSAP_RESUME_SPARSE
#undef LSAP_RESUME_SAFE

#define LSAP_T int64_t
#define LSAP_VT lsap_cvi
#define LSAP_SUF i64
#define LSAP_FORBID INT64_MAX
#define LSAP_FAR LSAP_I64_INF
#define LSAP_SOLVE_SPARSE v2g_lsap_solve_sparse_i64
#define LSAP_RESUME_SPARSE lsap_sparse_resume_i64
#define LSAP_RESUME_SAFE(v, n) lsap_core_resumable_i64(v, n)
#include "lsap_core_kernel.h"
#undef LSAP_T
#undef LSAP_VT
#undef LSAP_SUF
#undef LSAP_FORBID
#undef LSAP_FAR
#undef LSAP_SOLVE_SPARSE
#undef LSAP_RESUME_SPARSE
#undef LSAP_RESUME_SAFE

/* Lays the workspace out and runs the solve of type SUF, its AVX2 copy where the CPU has AVX2. */
#if LSAP_CORE_HAVE_AVX2
#define LSAP_CORE_PICK(SUF) if (__builtin_cpu_supports("avx2")) return lsap_core_solve_##SUF##_avx2(m, n, c, neg, &w, x, v);
#else
#define LSAP_CORE_PICK(SUF)
#endif
#define LSAP_CORE_ENTRY(SUF)                                                                        \
    v2g_ws region = v2g_ws_open(ws, ws_size);                                                       \
    lsap_core_ws w;                                                                                 \
    lsap_core_layout(m, n, &region, &w);                                                            \
    if (region.next == NULL) return 0;                                                              \
    LSAP_CORE_PICK(SUF)                                                                             \
    return lsap_core_solve_##SUF(m, n, c, neg, &w, x, v);

int lsap_core_f64(size_t m, size_t n, const double *c, int neg, void *ws, size_t ws_size, int64_t *x, double *v) {
    LSAP_CORE_ENTRY(f64)
}

int lsap_core_i64(size_t m, size_t n, const int64_t *c, int neg, void *ws, size_t ws_size, int64_t *x, int64_t *v) {
    LSAP_CORE_ENTRY(i64)
}
