/*
 * test_lsap_core.c - the dense LSAP's sparse-core route (lsap_core.c) on the shapes that take it.
 *
 * Every answer is proved by its certificate (v2g_lsap_check_*) and its total compared with the sparse solver
 * run on every entry of the matrix, a different code path. Built twice: as is, on matrices of 2,000 rows and
 * more (where the library takes the route), and as test_lsap_core_small with the library compiled in and
 * LSAP_CORE_MIN_ROWS lowered to 16, so that thousands of small matrices exercise the repairs, the ties, the
 * forbidden pairs and the fallback to the dense kernel.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v2g/v2g_lsap.h"
#include "check.h"

#define FORBID INT64_MAX

#ifdef LSAP_CORE_TEST_SMALL
#define MIN_ROWS 16
#define REPS 400
#else
#define MIN_ROWS 2000
#define REPS 1
#endif

/* FNV-1a over every answer: the small build prints it, and the Makefile compares the AVX2 build's with the
   portable one's (-DLSAP_NO_AVX2), which must be bit-identical. */
static uint64_t digest = 1469598103934665603u;
static void digest_bytes(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t k = 0; k < n; k++) { digest ^= b[k]; digest *= 1099511628211u; }
}

typedef struct {
    size_t rows, cols;
    int64_t *c, *rs, *ci, *cv, *rtc, *rtc2, *u, *v;
    double *cf, *cvf, *uf, *vf;
    void *ws;
    size_t ws_size;
} problem;

static void *need(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (p == NULL) abort();
    return p;
}

static problem problem_new(size_t rows, size_t cols) {
    problem p;
    const size_t rc = rows * cols, big = rows > cols ? rows : cols;
    p.rows = rows; p.cols = cols;
    p.c = need(rc * sizeof(int64_t)); p.cf = need(rc * sizeof(double));
    p.rs = need((rows + 1) * sizeof(int64_t)); p.ci = need(rc * sizeof(int64_t));
    p.cv = need(rc * sizeof(int64_t)); p.cvf = need(rc * sizeof(double));
    p.rtc = need(rows * sizeof(int64_t)); p.rtc2 = need(rows * sizeof(int64_t));
    p.u = need(rows * sizeof(int64_t)); p.v = need(cols * sizeof(int64_t));
    p.uf = need(rows * sizeof(double)); p.vf = need(cols * sizeof(double));
    const size_t dense = v2g_lsap_workspace_size(rows, cols), sparse = v2g_lsap_sparse_workspace_size(rows, cols, rc);
    p.ws_size = dense > sparse ? dense : sparse;
    p.ws_size = p.ws_size > big ? p.ws_size : big;
    p.ws = need(p.ws_size);
    return p;
}

static void problem_free(problem *p) {
    free(p->c); free(p->cf); free(p->rs); free(p->ci); free(p->cv); free(p->cvf); free(p->rtc); free(p->rtc2);
    free(p->u); free(p->v); free(p->uf); free(p->vf); free(p->ws);
}

/* Solves with the dense entry points, proves the answers and compares them with the sparse solver on all entries. */
static void solve_and_prove(problem *p, int maximize, int reals) {
    const size_t rows = p->rows, cols = p->cols;
    int64_t nnz = 0;
    p->rs[0] = 0;
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++) {
            const size_t k = i * cols + j;
            if (reals ? p->cf[k] == INFINITY : p->c[k] == FORBID) continue;
            p->ci[nnz] = (int64_t)j;
            p->cv[nnz] = p->c[k];
            p->cvf[nnz] = p->cf[k];
            nnz++;
        }
        p->rs[i + 1] = nnz;
    }
    if (!reals) {
        int64_t t = 0, t2 = 0;
        CHECK_EQ_I64(v2g_lsap_solve_i64(rows, cols, p->c, maximize, p->rtc, &t, p->u, p->v, p->ws, p->ws_size), V2G_OK);
        CHECK_EQ_I64(v2g_lsap_check_i64(rows, cols, p->c, maximize, p->rtc, p->u, p->v), V2G_OK);
        int64_t sum = 0;
        for (size_t i = 0; i < rows; i++)
            if (p->rtc[i] >= 0) sum += p->c[i * cols + (size_t)p->rtc[i]];
        CHECK_EQ_I64(sum, t);
        digest_bytes(p->rtc, rows * sizeof(int64_t));
        digest_bytes(p->u, rows * sizeof(int64_t));
        digest_bytes(p->v, cols * sizeof(int64_t));
        CHECK_EQ_I64(v2g_lsap_solve_sparse_i64(rows, cols, p->rs, p->ci, p->cv, maximize, p->rtc2, &t2, p->u, p->v,
                                               p->ws, p->ws_size), V2G_OK);
        CHECK_EQ_I64(t2, t);
    } else {
        double t = 0, t2 = 0;
        CHECK_EQ_I64(v2g_lsap_solve_f64(rows, cols, p->cf, maximize, p->rtc, &t, p->uf, p->vf, p->ws, p->ws_size), V2G_OK);
        CHECK_EQ_I64(v2g_lsap_check_f64(rows, cols, p->cf, maximize, p->rtc, p->uf, p->vf, 1e-9), V2G_OK);
        digest_bytes(p->rtc, rows * sizeof(int64_t));
        digest_bytes(p->uf, rows * sizeof(double));
        digest_bytes(p->vf, cols * sizeof(double));
        CHECK_EQ_I64(v2g_lsap_solve_sparse_f64(rows, cols, p->rs, p->ci, p->cvf, maximize, p->rtc2, &t2, p->uf, p->vf,
                                               p->ws, p->ws_size), V2G_OK);
        CHECK(fabs(t2 - t) <= 1e-9 * (1.0 + fabs(t)));
    }
}

/* The cost families: 0 integers in [0, 1000), 1 integers in [0, 10) (ties), 2 as 1 with a fifth forbidden,
   3 all equal, 4 integers in [-500, 500), 5 uniform reals, 6 reals with a common offset of 10^6, 7 distances
   between random points (whole metres on a 10 km square; the optimum uses long edges, so the core needs
   several repair rounds). */
#define FAMILIES 8
static void fill(problem *p, int family, check_rng *rng) {
    if (family == 7) {
        static double pts[2 * 2 * 4096];
        const size_t count = p->rows + p->cols;
        if (count > 2 * 4096) abort();
        for (size_t k = 0; k < 2 * count; k++) pts[k] = (double)(check_next(rng) >> 11) * 0x1p-53 * 10000.0;
        for (size_t i = 0; i < p->rows; i++)
            for (size_t j = 0; j < p->cols; j++) {
                const double *a = pts + 2 * i, *b = pts + 2 * (p->rows + j);
                const int64_t d = (int64_t)floor(hypot(a[0] - b[0], a[1] - b[1]));
                p->c[i * p->cols + j] = d;
                p->cf[i * p->cols + j] = (double)d;
            }
        return;
    }
    for (size_t k = 0; k < p->rows * p->cols; k++) {
        int64_t c;
        switch (family) {
        case 0: c = check_range(rng, 0, 999); break;
        case 1: c = check_range(rng, 0, 9); break;
        case 2: c = check_range(rng, 0, 4) == 0 ? FORBID : check_range(rng, 0, 9); break;
        case 3: c = 7; break;
        default: c = check_range(rng, -500, 499); break;
        }
        p->c[k] = c;
        const double real = (double)(check_next(rng) >> 11) * 0x1p-53;
        p->cf[k] = family == 5 ? real : family == 6 ? 1e6 + real : (c == FORBID ? INFINITY : (double)c);
    }
}

static void test_families(int families) {
    check_rng rng = {2027};
    for (int rep = 0; rep < REPS; rep++) {
        for (int family = 0; family < families; family++) {
            /* Square, a few more columns than rows (still the route), and the transposed shape. */
            const size_t m = MIN_ROWS + (size_t)check_range(&rng, 0, MIN_ROWS / 16);
            const size_t extra = (size_t)check_range(&rng, 0, (int64_t)(m / 8));
            const size_t shapes[3][2] = {{m, m}, {m, m + extra}, {m + extra, m}};
            const int s = (int)check_range(&rng, 0, 2);
            problem p = problem_new(shapes[s][0], shapes[s][1]);
            fill(&p, family, &rng);
            const int reals = family >= 5 || check_range(&rng, 0, 3) == 0;
            solve_and_prove(&p, (int)check_range(&rng, 0, 1), reals);
            problem_free(&p);
        }
    }
}

/*
 * A core without a full matching: every row's K cheapest entries are in the first columns and row 0 is the
 * cheapest in every other column, so the other rows can only share the first few columns. The route gives up
 * and the dense kernel answers; the answer is still proved.
 */
static void test_fallback(void) {
    const size_t n = MIN_ROWS;
    problem p = problem_new(n, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            const int64_t c = j < 16 ? (int64_t)j : (i == 0 ? 100 : 1000 + (int64_t)((i * 7 + j * 13) % 97));
            p.c[i * n + j] = c;
            p.cf[i * n + j] = (double)c;
        }
    solve_and_prove(&p, 0, 0);
    solve_and_prove(&p, 0, 1);
    problem_free(&p);
}

/* A row with no allowed pair: no complete assignment exists, whichever route is tried. */
static void test_infeasible(void) {
    const size_t n = MIN_ROWS;
    problem p = problem_new(n, n);
    check_rng rng = {5};
    fill(&p, 0, &rng);
    for (size_t j = 0; j < n; j++) { p.c[3 * n + j] = FORBID; p.cf[3 * n + j] = INFINITY; }
    int64_t t = 0;
    double tf = 0;
    CHECK_EQ_I64(v2g_lsap_solve_i64(n, n, p.c, 0, p.rtc, &t, p.u, p.v, p.ws, p.ws_size), V2G_E_INFEASIBLE);
    CHECK_EQ_I64(v2g_lsap_solve_f64(n, n, p.cf, 1, p.rtc, &tf, p.uf, p.vf, p.ws, p.ws_size), V2G_E_INFEASIBLE);
    problem_free(&p);
}

/* An argument runs only the first that many families (make cross-test, under emulation). */
int main(int argc, char **argv) {
    const long families = argc > 1 ? strtol(argv[1], NULL, 10) : FAMILIES;
    test_families(families > 0 && families < FAMILIES ? (int)families : FAMILIES);
    test_fallback();
    test_infeasible();
    printf("digest %016llx\n", (unsigned long long)digest);
#ifdef LSAP_CORE_TEST_SMALL
    return check_report("test_lsap_core_small");
#else
    return check_report("test_lsap_core");
#endif
}
