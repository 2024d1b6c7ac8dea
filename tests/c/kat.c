/*
 * kat.c - known answers: fixed, seeded inputs through every function whose output peers must reproduce
 * exactly (RET, SRET, greedy, the [P] Hungarian, LSAP with its duals, penalty updates, the forecasting
 * networks' forward pass), each family's outputs folded into one FNV-1a digest.
 *
 * `make cross-test` runs it natively and, under qemu-user, built for aarch64 and armhf, and compares every
 * line with tests/c/kat_expected.txt: a peer on any of those CPUs re-executes a round to the same bytes.
 * A deliberate change to an algorithm's output changes its line there (and breaks replay of older chains,
 * which is why it is recorded).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v2g/v2g.h"
#include "check.h"

typedef struct { uint64_t h; } digest;

static void fold(digest *d, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t k = 0; k < n; k++) { d->h ^= b[k]; d->h *= 1099511628211u; }
}
static void fold_i64(digest *d, int64_t x) {
    unsigned char b[8];
    for (int k = 0; k < 8; k++) b[k] = (unsigned char)((uint64_t)x >> (8 * k));   /* little-endian on every CPU */
    fold(d, b, 8);
}
static void fold_f64(digest *d, double x) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    fold_i64(d, (int64_t)bits);
}
static digest digest_new(void) { digest d = {1469598103934665603u}; return d; }
static void print(const char *name, digest d) { printf("%-12s %016llx\n", name, (unsigned long long)d.h); }

static const char *const NAMES[] = {"a", "b", "c", "d", "e", "f", "g", "h", "ev10", "ev2", "x-long-identifier"};
#define NAME_COUNT (sizeof NAMES / sizeof NAMES[0])
static v2g_id id(const char *s) { v2g_id x = {(const uint8_t *)s, strlen(s)}; return x; }

static unsigned char ws[1 << 23];

static void kat_ret(void) {
    digest d = digest_new();
    check_rng rng = {1001};
    for (int it = 0; it < 300; it++) {
        v2g_ret_request q[24];
        v2g_ret_offer o[NAME_COUNT];
        const size_t r = (size_t)check_range(&rng, 0, 24), k = (size_t)check_range(&rng, 0, NAME_COUNT);
        for (size_t i = 0; i < r; i++)
            q[i] = (v2g_ret_request){id(NAMES[check_range(&rng, 0, 2)]), id(NAMES[check_range(&rng, 3, 10)]),
                                     check_range(&rng, 0, 50), check_range(&rng, 0, 5), check_range(&rng, 0, 40),
                                     (int32_t)(check_range(&rng, 0, 2) ? V2G_PPM_ONE : check_range(&rng, 0, V2G_PPM_ONE)), 0};
        for (size_t j = 0; j < k; j++) o[j] = (v2g_ret_offer){id(NAMES[j]), check_range(&rng, 0, 40)};
        v2g_ret_exchange ex[1] = {{id(NAMES[0]), (int32_t)check_range(&rng, 0, V2G_PPM_ONE), 0}};
        v2g_ret_allocation a[NAME_COUNT];
        v2g_ret_outcome out[24];
        size_t na = 0, no = 0;
        const int64_t w = check_range(&rng, 0, 3) == 0 ? V2G_UNLIMITED : check_range(&rng, 1, 30);
        const v2g_status st = v2g_ret_allocate(q, r, o, k, ex, 1, w, a, &na, out, &no, ws,
                                               v2g_ret_workspace_size(r, k, 1));
        fold_i64(&d, st);
        for (size_t i = 0; i < na; i++) { fold_i64(&d, a[i].request); fold_i64(&d, a[i].offer); fold_i64(&d, a[i].energy_wh); }
        for (size_t i = 0; i < no; i++) {
            fold_i64(&d, out[i].request); fold_i64(&d, out[i].demand_wh); fold_i64(&d, out[i].allocated_wh);
            fold_i64(&d, out[i].fulfilled);
        }
    }
    print("ret", d);
}

static void kat_sret(void) {
    static const char *const names[] = {"double", "single-e", "single-f", "double-fit"};
    for (int strategy = V2G_SRET_DOUBLE; strategy <= V2G_SRET_DOUBLE_BEST_FIT; strategy++) {
        digest d = digest_new();
        check_rng rng = {2002 + (uint64_t)strategy};
        for (int it = 0; it < 200; it++) {
            v2g_sret_request q[20];
            v2g_sret_ev ev[NAME_COUNT];
            const size_t n = (size_t)check_range(&rng, 0, 20), m = (size_t)check_range(&rng, 0, NAME_COUNT);
            const int64_t pc = check_range(&rng, 1, 4) * 36000, horizon = check_range(&rng, 4, 100);
            for (size_t i = 0; i < n; i++) {
                const int64_t a = check_range(&rng, 0, horizon - 1), b = check_range(&rng, a + 1, horizon);
                q[i].base = (v2g_ret_request){id(NAMES[check_range(&rng, 0, 2)]), id(NAMES[check_range(&rng, 3, 10)]),
                                              check_range(&rng, 0, 50), check_range(&rng, 0, 5),
                                              check_range(&rng, 0, (b - a) * 10), V2G_PPM_ONE, 0};
                q[i].start = a;
                q[i].end = b;
            }
            for (size_t j = 0; j < m; j++) {
                const int64_t a = check_range(&rng, 0, horizon - 1);
                ev[j] = (v2g_sret_ev){id(NAMES[j]), check_range(&rng, 0, 400), a, check_range(&rng, a + 1, horizon)};
            }
            v2g_sret_params p = {strategy, 0, pc, V2G_SRET_INTERVALS(n, m)};
            static v2g_sret_allocation alloc[4096];
            v2g_ret_outcome out[20];
            size_t na = 0, no = 0;
            v2g_where where;
            const size_t size = v2g_sret_workspace_size(n, m, 0, p.interval_capacity);
            const v2g_status st = v2g_sret_allocate(&p, q, n, ev, m, NULL, 0, alloc, 4096, &na, out, &no, &where,
                                                    ws, size);
            fold_i64(&d, st);
            for (size_t i = 0; i < na; i++) {
                fold_i64(&d, alloc[i].request); fold_i64(&d, alloc[i].ev); fold_i64(&d, alloc[i].energy_wh);
                fold_i64(&d, alloc[i].start); fold_i64(&d, alloc[i].end);
            }
            for (size_t i = 0; i < no; i++) { fold_i64(&d, out[i].request); fold_i64(&d, out[i].allocated_wh); }
        }
        char name[32];
        snprintf(name, sizeof name, "sret-%s", names[strategy]);
        print(name, d);
    }
}

static void kat_prosumer(void) {
    digest greedy = digest_new(), hungarian = digest_new();
    check_rng rng = {3003};
    for (int it = 0; it < 200; it++) {
        v2g_prosumer_request q[30];
        v2g_ev_state e[30];
        const size_t n = (size_t)check_range(&rng, 0, 30), m = (size_t)check_range(&rng, 0, 30);
        for (size_t i = 0; i < n; i++)
            q[i] = (v2g_prosumer_request){check_range(&rng, 0, 10000), check_range(&rng, 0, 9),
                                          (int32_t)check_range(&rng, 0, 1), 0};
        for (size_t j = 0; j < m; j++) e[j] = (v2g_ev_state){check_range(&rng, 0, 40000), check_range(&rng, 0, 40000)};
        int64_t to[30], wh[30], u[30], v[30], traded = 0;
        fold_i64(&greedy, v2g_greedy_match(q, n, e, m, to, wh, ws, v2g_greedy_workspace_size(n, m)));
        for (size_t i = 0; i < n; i++) { fold_i64(&greedy, to[i]); fold_i64(&greedy, wh[i]); }
        fold_i64(&hungarian, v2g_hungarian_match(q, n, e, m, to, wh, &traded, u, v, ws, v2g_hungarian_workspace_size(n, m)));
        fold_i64(&hungarian, traded);
        for (size_t i = 0; i < n; i++) { fold_i64(&hungarian, to[i]); fold_i64(&hungarian, wh[i]); fold_i64(&hungarian, u[i]); }
        for (size_t j = 0; j < m; j++) fold_i64(&hungarian, v[j]);
    }
    print("greedy", greedy);
    print("hungarian", hungarian);
}

/* Dense and sparse LSAP with duals, both senses, integers and doubles; one matrix large enough for the sparse-core
   route (2000 x 2000). */
static void kat_lsap(void) {
    digest di = digest_new(), df = digest_new(), sp = digest_new(), core = digest_new();
    check_rng rng = {4004};
    static int64_t c[2000 * 2000], rs[2001], ci[64 * 64], rtc[2000], u[2000], v[2000];
    static double cf[2000 * 2000], uf[2000], vf[2000];
    for (int it = 0; it < 300; it++) {
        const size_t rows = (size_t)check_range(&rng, 1, 40), cols = (size_t)check_range(&rng, 1, 40);
        const int mx = (int)check_range(&rng, 0, 1), ties = (int)check_range(&rng, 0, 1);
        for (size_t k = 0; k < rows * cols; k++) {
            c[k] = check_range(&rng, 0, 6) == 0 ? INT64_MAX : check_range(&rng, -1000, ties ? -990 : 1000);
            cf[k] = c[k] == INT64_MAX ? 1.0 / 0.0 : (double)c[k] / 7.0;
        }
        int64_t t = 0;
        double tf = 0;
        fold_i64(&di, v2g_lsap_solve_i64(rows, cols, c, mx, rtc, &t, u, v, ws, sizeof ws));
        fold_i64(&di, t);
        for (size_t i = 0; i < rows; i++) { fold_i64(&di, rtc[i]); fold_i64(&di, u[i]); }
        for (size_t j = 0; j < cols; j++) fold_i64(&di, v[j]);
        fold_i64(&df, v2g_lsap_solve_f64(rows, cols, cf, mx, rtc, &tf, uf, vf, ws, sizeof ws));
        fold_f64(&df, tf);
        for (size_t i = 0; i < rows; i++) { fold_i64(&df, rtc[i]); fold_f64(&df, uf[i]); }
        for (size_t j = 0; j < cols; j++) fold_f64(&df, vf[j]);
        /* the same matrix as CSR, forbidden pairs left out */
        int64_t nnz = 0;
        rs[0] = 0;
        for (size_t i = 0; i < rows; i++) {
            for (size_t j = 0; j < cols; j++)
                if (c[i * cols + j] != INT64_MAX) { ci[nnz] = (int64_t)j; cf[nnz] = (double)c[i * cols + j]; nnz++; }
            rs[i + 1] = nnz;
        }
        static int64_t cv[64 * 64];
        for (int64_t e = 0; e < nnz; e++) cv[e] = (int64_t)cf[e];
        fold_i64(&sp, v2g_lsap_solve_sparse_i64(rows, cols, rs, ci, cv, mx, rtc, &t, u, v, ws, sizeof ws));
        fold_i64(&sp, t);
        for (size_t i = 0; i < rows; i++) { fold_i64(&sp, rtc[i]); fold_i64(&sp, u[i]); }
        for (size_t j = 0; j < cols; j++) fold_i64(&sp, v[j]);
    }
    for (int kind = 0; kind < 2; kind++) {
        const size_t n = 2000;
        for (size_t k = 0; k < n * n; k++) {
            c[k] = check_range(&rng, 0, 999);
            cf[k] = (double)(check_next(&rng) >> 11) * 0x1p-53;
        }
        int64_t t = 0;
        double tf = 0;
        v2g_status st;
        if (kind == 0) {
            fold_i64(&core, st = v2g_lsap_solve_i64(n, n, c, 0, rtc, &t, u, v, ws, sizeof ws));
            fold_i64(&core, t);
            for (size_t i = 0; i < n; i++) { fold_i64(&core, rtc[i]); fold_i64(&core, u[i]); fold_i64(&core, v[i]); }
        } else {
            fold_i64(&core, st = v2g_lsap_solve_f64(n, n, cf, 1, rtc, &tf, uf, vf, ws, sizeof ws));
            fold_f64(&core, tf);
            for (size_t i = 0; i < n; i++) { fold_i64(&core, rtc[i]); fold_f64(&core, uf[i]); fold_f64(&core, vf[i]); }
        }
        if (st != V2G_OK) { fprintf(stderr, "kat: the 2000 x 2000 LSAP failed with status %d\n", (int)st); exit(1); }
    }
    print("lsap-i64", di);
    print("lsap-f64", df);
    print("lsap-sparse", sp);
    print("lsap-2000", core);
}

static void kat_penalty(void) {
    digest d = digest_new();
    check_rng rng = {5005};
    int32_t list[64];
    size_t count = 0;
    for (int it = 0; it < 20000; it++) {
        const int64_t due = check_range(&rng, 0, 100000), got = check_range(&rng, 0, due + 10);
        v2g_penalty_action action = V2G_PENALTY_UNCHANGED;
        fold_i64(&d, v2g_penalty_update(due, got, (int32_t)check_range(&rng, 0, 300000), list, &count, 64, &action));
        fold_i64(&d, action);
        int32_t factor = 0;
        fold_i64(&d, v2g_penalty_factor(list, count, &factor));
        fold_i64(&d, factor);
        int64_t scaled = 0;
        fold_i64(&d, v2g_penalty_scale(check_range(&rng, 0, INT64_MAX / 2), factor, &scaled));
        fold_i64(&d, scaled);
        if (count == 64) count = 0;
    }
    print("penalty", d);
}

/* The forecasting networks: parameters drawn by v2g_nn_init, forward passes on seeded inputs. */
static void kat_nn(void) {
    digest d = digest_new();
    check_rng rng = {6006};
    const v2g_nn_shape shapes[3] = {{V2G_NN_LSTM, 3, 2, 2, {8, 6}}, {V2G_NN_LSTM, 1, 1, 1, {16}},
                                    {V2G_NN_MLP, 5, 1, 2, {12, 7}}};
    static double params[4096], x[64], y[8];
    for (int s = 0; s < 3; s++) {
        size_t count = 0, bytes = 0;
        const int32_t steps = shapes[s].kind == V2G_NN_MLP ? 1 : 12;
        if (v2g_nn_param_count(&shapes[s], &count) != V2G_OK || count > 4096) abort();
        if (v2g_nn_workspace_size(&shapes[s], steps, &bytes) != V2G_OK || bytes > sizeof ws) abort();
        fold_i64(&d, v2g_nn_init(&shapes[s], 77 + (uint64_t)s, params, count));
        for (size_t k = 0; k < count; k++) fold_f64(&d, params[k]);
        for (int sample = 0; sample < 50; sample++) {
            for (int k = 0; k < steps * shapes[s].inputs; k++) x[k] = (double)check_range(&rng, -1000, 1000) / 250.0;
            fold_i64(&d, v2g_nn_forward(&shapes[s], params, count, x, steps, y, ws, bytes));
            for (int k = 0; k < shapes[s].outputs; k++) fold_f64(&d, y[k]);
        }
    }
    print("nn-forward", d);
}

int main(void) {
    kat_ret();
    kat_sret();
    kat_prosumer();
    kat_lsap();
    kat_penalty();
    kat_nn();
    return 0;
}
