/* test_sret.c - SRET: hand-worked cases, input errors, invariants, and the fast path against sret_reference.h. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sret_reference.h"

static v2g_id id(const char *s) { v2g_id x = {(const uint8_t *)s, strlen(s)}; return x; }

static v2g_sret_request sreq(const char *ex, const char *con, int64_t bid, int64_t wh, int64_t start, int64_t end) {
    v2g_sret_request q;
    memset(&q, 0, sizeof q);
    q.base.exchange = id(ex);
    q.base.consumer = id(con);
    q.base.bid = bid;
    q.base.energy_wh = wh;
    q.base.penalty_ppm = V2G_PPM_ONE;
    q.start = start;
    q.end = end;
    return q;
}

static v2g_sret_ev sev(const char *name, int64_t wh, int64_t start, int64_t end) {
    v2g_sret_ev v = {id(name), wh, start, end};
    return v;
}

typedef struct run_result {
    v2g_status status;
    v2g_where where;
    size_t n_alloc, n_out;
    v2g_sret_allocation alloc[256];
    v2g_ret_outcome out[128];
} run_result;

static void run(int strategy, int64_t pc, const v2g_sret_request *q, size_t n, const v2g_sret_ev *ev, size_t m,
                const v2g_ret_exchange *ex, size_t e, run_result *r) {
    v2g_sret_params p = {strategy, 0, pc, V2G_SRET_INTERVALS(n, m)};
    size_t size = v2g_sret_workspace_size(n, m, e, p.interval_capacity);
    void *ws = malloc(size ? size : 1);
    memset(&r->where, 0, sizeof r->where);
    r->status = v2g_sret_allocate(&p, q, n, ev, m, ex, e, r->alloc, 256, &r->n_alloc, r->out, &r->n_out, &r->where,
                                  ws, size);
    free(ws);
}

static void expect_alloc(const run_result *r, size_t i, int64_t request, int64_t ev, int64_t wh, int64_t start,
                         int64_t end) {
    CHECK(i < r->n_alloc);
    if (i >= r->n_alloc) return;
    CHECK_EQ_I64(r->alloc[i].request, request);
    CHECK_EQ_I64(r->alloc[i].ev, ev);
    CHECK_EQ_I64(r->alloc[i].energy_wh, wh);
    CHECK_EQ_I64(r->alloc[i].start, start);
    CHECK_EQ_I64(r->alloc[i].end, end);
}

/*
 * Best fit against EV order. P_c = 10 kW; A (RP 30000) and B (RP 12000) are both free over [0, 2 h).
 * R1 (bid 30, 5000 Wh over [0, 1 h), cap 10000): both have g = 10000 and cover it. EV order takes A, the
 * larger battery, and R2 (bid 20, 20000 Wh over [0, 2 h), cap 20000) is then left with B's 12000: unmet.
 * Best fit takes B (the smaller RP), and A's 20000 meets R2.
 */
static void test_double_best_fit_by_hand(void) {
    v2g_sret_request q[2] = {sreq("E", "r1", 30, 5000, 0, 3600), sreq("E", "r2", 20, 20000, 0, 7200)};
    v2g_sret_ev ev[2] = {sev("A", 30000, 0, 7200), sev("B", 12000, 0, 7200)};
    static run_result r;
    run(V2G_SRET_DOUBLE, 10000, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_OK);
    CHECK_EQ_I64(r.n_alloc, 1);
    expect_alloc(&r, 0, 0, 0, 5000, 0, 3600);
    CHECK_EQ_I64(r.out[1].fulfilled, 0);
    run(V2G_SRET_DOUBLE_BEST_FIT, 10000, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_OK);
    CHECK_EQ_I64(r.n_alloc, 2);
    expect_alloc(&r, 0, 0, 1, 5000, 0, 3600);
    expect_alloc(&r, 1, 1, 0, 20000, 0, 7200);
    CHECK_EQ_I64(r.out[0].fulfilled, 1);
    CHECK_EQ_I64(r.out[1].fulfilled, 1);
    /* Equal g and equal RP: the lower EV ID. */
    v2g_sret_ev twins[2] = {sev("Z", 12000, 0, 7200), sev("Y", 12000, 0, 7200)};
    run(V2G_SRET_DOUBLE_BEST_FIT, 10000, q, 1, twins, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.n_alloc, 1);
    expect_alloc(&r, 0, 0, 1, 5000, 0, 3600);
}

/*
 * §6.2.2 by hand. P_c = 10 kW, so a 2 h window lets an EV give at most 20 kWh (g = min(RP, 20000)).
 * EVs by RP: A 30000 [0, 3 h), B 8000 [0, 2 h), D 6000 [0, 2 h), C 5000 [1 h, 2 h).
 * R1 (bid 30, 7000 Wh over [0, 2 h)): candidates A (g 20000), B (8000), D (6000); C starts too late.
 *   The largest covers 7000, so the smallest that does: B gives 7000.
 * R2 (bid 20, 15000 Wh over [0, 2 h)): A (20000) and D (6000) are left; A gives 15000.
 * R3 (bid 10, 5000 Wh over [1 h, 2 h), cap 10000): D (6000) and C (5000); best fit C gives 5000.
 */
static void test_double_by_hand(void) {
    v2g_sret_request q[3] = {sreq("E", "r1", 30, 7000, 0, 7200), sreq("E", "r2", 20, 15000, 0, 7200),
                             sreq("E", "r3", 10, 5000, 3600, 7200)};
    v2g_sret_ev ev[4] = {sev("A", 30000, 0, 10800), sev("B", 8000, 0, 7200), sev("C", 5000, 3600, 7200),
                         sev("D", 6000, 0, 7200)};
    static run_result r;
    run(V2G_SRET_DOUBLE, 10000, q, 3, ev, 4, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_OK);
    CHECK_EQ_I64(r.n_alloc, 3);
    expect_alloc(&r, 0, 0, 1, 7000, 0, 7200);
    expect_alloc(&r, 1, 1, 0, 15000, 0, 7200);
    expect_alloc(&r, 2, 2, 2, 5000, 3600, 7200);
    for (int i = 0; i < 3; i++) CHECK_EQ_I64(r.out[i].fulfilled, 1);
}

/*
 * §6.2.3 by hand. One request: 100 Wh over [0, 10) s, 10 Wh every second; P_c = 36 kW (exactly P_i).
 * EVs X: RP 60, free [0, 6); Y: RP 100, free [4, 12); Z: RP 30, free [0, 3).
 * In joule-seconds, H_X = min(60 x 3600, 36000 x 6) x 6 = 1 296 000, H_Y = 288 000 x 8 = 2 304 000,
 * H_Z = 108 000 x 3 = 324 000. Overlaps: X [0, 6) worth 60, Y [4, 10) worth 60, Z [0, 3) worth 30.
 * H^i: X and Z use all their RP (0); Y keeps min(40 x 3600, 36000 x 2) x 2 = 144 000.
 * Least energy cost: E_X = E_Z = 1 > E_Y = 0.9375; X wins the tie by ID and covers [0, 6).
 *   Then Z no longer overlaps; Y covers [6, 10) with 40 Wh.
 * Least EVs: F numerators X 1 296 000, Y 2 160 000, Z 324 000; Y covers [4, 10) with 60 Wh.
 *   Re-scored on [0, 4): X 1 296 000 - 72 000 x 2 = 1 152 000 beats Z 324 000; X covers [0, 4) with 40 Wh.
 */
static void test_single_by_hand(void) {
    v2g_sret_request q[1] = {sreq("E", "r", 5, 100, 0, 10)};
    v2g_sret_ev ev[3] = {sev("X", 60, 0, 6), sev("Y", 100, 4, 12), sev("Z", 30, 0, 3)};
    static run_result r;
    run(V2G_SRET_SINGLE_ENERGY, 36000, q, 1, ev, 3, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_OK);
    CHECK_EQ_I64(r.n_alloc, 2);
    expect_alloc(&r, 0, 0, 0, 60, 0, 6);
    expect_alloc(&r, 1, 0, 1, 40, 6, 10);
    CHECK_EQ_I64(r.out[0].fulfilled, 1);

    run(V2G_SRET_SINGLE_COUNT, 36000, q, 1, ev, 3, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_OK);
    CHECK_EQ_I64(r.n_alloc, 2);
    expect_alloc(&r, 0, 0, 1, 60, 4, 10);
    expect_alloc(&r, 1, 0, 0, 40, 0, 4);

    /*
     * All or nothing. R2 (bid 9): 100 Wh over [0, 10); P: RP 50 free [0, 10), Q: RP 50 free [0, 5).
     * The sum check passes (50 + 50), E ties at 1 and P (the smaller ID) covers [0, 5) first; Q's
     * free time then no longer overlaps, so R2 fails and is rolled back. R3 (bid 1): 50 Wh over
     * [0, 10) finds P whole again (E ties, P by ID) and takes [0, 10), proving the rollback restored it.
     */
    v2g_sret_request q2[2] = {sreq("E", "r2", 9, 100, 0, 10), sreq("E", "r3", 1, 50, 0, 10)};
    v2g_sret_ev ev2[2] = {sev("P", 50, 0, 10), sev("Q", 50, 0, 5)};
    run(V2G_SRET_SINGLE_ENERGY, 36000, q2, 2, ev2, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_OK);
    CHECK_EQ_I64(r.out[0].request, 0);
    CHECK_EQ_I64(r.out[0].fulfilled, 0);
    CHECK_EQ_I64(r.out[0].allocated_wh, 0);
    CHECK_EQ_I64(r.n_alloc, 1);
    expect_alloc(&r, 0, 1, 0, 50, 0, 10);
}

static void test_errors(void) {
    static run_result r;
    v2g_sret_request q[2] = {sreq("E", "a", 1, 10, 0, 10), sreq("E", "b", 1, 10, 5, 5)};
    v2g_sret_ev ev[2] = {sev("A", 10, 0, 10), sev("B", 10, 0, 10)};
    run(V2G_SRET_DOUBLE, 36000, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_E_WINDOW);
    CHECK_EQ_I64(r.where.list, V2G_WHERE_REQUESTS);
    CHECK_EQ_I64(r.where.index, 1);
    q[1].end = 6; /* 10 Wh in 1 s is 36 kW: allowed at P_c = 36 kW, refused below */
    run(V2G_SRET_DOUBLE, 35999, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_E_INVALID);
    CHECK_EQ_I64(r.where.index, 1);
    run(V2G_SRET_DOUBLE, 36000, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_OK);
    ev[1].end = -1;
    run(V2G_SRET_SINGLE_COUNT, 36000, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_E_WINDOW);
    CHECK_EQ_I64(r.where.list, V2G_WHERE_EVS);
    ev[1] = sev("A", 10, 0, 10);
    run(V2G_SRET_SINGLE_COUNT, 36000, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_E_DUPLICATE);
    ev[1] = sev("B", V2G_SRET_MAX_ENERGY_WH + 1, 0, 10);
    run(V2G_SRET_SINGLE_COUNT, 36000, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_E_RANGE);
    ev[1] = sev("B", 10, INT64_MIN, INT64_MAX);
    run(V2G_SRET_SINGLE_COUNT, 36000, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_E_RANGE);
    ev[1] = sev("B", 10, 0, 10);
    run(7, 36000, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_E_INVALID);
    run(V2G_SRET_DOUBLE, -1, q, 2, ev, 2, NULL, 0, &r);
    CHECK_EQ_I64(r.status, V2G_E_NEGATIVE);

    /* Capacities: too few intervals or allocation slots is reported, and says which. */
    v2g_sret_params p = {V2G_SRET_SINGLE_ENERGY, 0, 36000, 2};
    size_t size = v2g_sret_workspace_size(2, 2, 0, p.interval_capacity);
    void *ws = malloc(size);
    v2g_where where = {0, 0, 0};
    CHECK_EQ_I64(v2g_sret_allocate(&p, q, 2, ev, 2, NULL, 0, r.alloc, 256, &r.n_alloc, r.out, &r.n_out, &where, ws,
                                   size), V2G_E_WORKSPACE);
    CHECK_EQ_I64(where.list, V2G_WHERE_INTERVALS);
    p.interval_capacity = 64;
    free(ws);
    size = v2g_sret_workspace_size(2, 2, 0, p.interval_capacity);
    ws = malloc(size);
    CHECK_EQ_I64(v2g_sret_allocate(&p, q, 2, ev, 2, NULL, 0, r.alloc, 1, &r.n_alloc, r.out, &r.n_out, &where, ws,
                                   size), V2G_E_WORKSPACE);
    CHECK_EQ_I64(where.list, V2G_WHERE_ALLOCATIONS);
    CHECK_EQ_I64(v2g_sret_allocate(&p, q, 2, ev, 2, NULL, 0, r.alloc, 256, &r.n_alloc, r.out, &r.n_out, &where, ws,
                                   size - 64), V2G_E_WORKSPACE);
    free(ws);
    CHECK_EQ_I64(v2g_sret_workspace_size(1, 1, 0, (uint64_t)1 << 40), 0);
}

/* Properties every SRET result must have, whatever the reference says. */
static void check_invariants(int strategy, int64_t pc, const v2g_sret_request *q, const v2g_sret_ev *ev, size_t m,
                             const run_result *r) {
    int64_t given[REF_MAX_EVS] = {0};
    int uses[REF_MAX_EVS] = {0};
    for (size_t i = 0; i < r->n_alloc; i++) {
        const v2g_sret_allocation *a = &r->alloc[i];
        const v2g_sret_request *rq = &q[a->request];
        CHECK(a->energy_wh > 0);
        CHECK(a->start >= rq->start && a->end <= rq->end && a->start < a->end);
        CHECK(a->start >= ev[a->ev].start && a->end <= ev[a->ev].end);
        CHECK(a->energy_wh * 3600 <= pc * (a->end - a->start)); /* never above the charger's power */
        given[a->ev] += a->energy_wh;
        uses[a->ev]++;
        if (strategy != V2G_SRET_DOUBLE && strategy != V2G_SRET_DOUBLE_BEST_FIT) {
            for (size_t j = 0; j < i; j++) {
                const v2g_sret_allocation *b = &r->alloc[j];
                int overlap = a->start < b->end && b->start < a->end;
                /* An EV serves one thing at a time; a moment of a request is served by one EV. */
                CHECK(!(overlap && (a->ev == b->ev || a->request == b->request)));
            }
        }
    }
    for (size_t k = 0; k < m; k++) {
        CHECK(given[k] <= ev[k].energy_wh);
        if (strategy == V2G_SRET_DOUBLE || strategy == V2G_SRET_DOUBLE_BEST_FIT) CHECK(uses[k] <= 1);
    }
    for (size_t o = 0; o < r->n_out; o++) {
        int64_t sum = 0;
        for (size_t i = 0; i < r->n_alloc; i++)
            if (r->alloc[i].request == r->out[o].request) sum += r->alloc[i].energy_wh;
        CHECK_EQ_I64(sum, r->out[o].fulfilled ? r->out[o].demand_wh : 0); /* all or nothing */
        CHECK_EQ_I64(r->out[o].allocated_wh, sum);
    }
}

static const char *const NAMES[] = {"ev0", "ev1", "ev10", "ev2", "ev3", "ev4", "ev5", "ev6", "ev7", "ev8", "ev9",
                                    "a", "b", "c", "d", "e", "f", "g", "h", "long-vehicle-identifier-1"};
static const char *const EXCHANGES[] = {"E1", "E2", "E10"};
static const char *const CONSUMERS[] = {"c1", "c2", "c3", "c4", "c5", "c6"};

static void test_random_against_reference(long per_strategy) {
    check_rng rng = {612};
    static run_result fast, ref;
    long mismatched = 0;
    for (int strategy = V2G_SRET_DOUBLE; strategy <= V2G_SRET_DOUBLE_BEST_FIT; strategy++) {
        for (long it = 0; it < per_strategy; it++) {
            size_t n = (size_t)check_range(&rng, 0, 30), m = (size_t)check_range(&rng, 0, 20);
            int64_t horizon = check_range(&rng, 4, 100);
            v2g_sret_request q[32];
            v2g_sret_ev ev[20];
            int64_t pc = check_range(&rng, 1, 4) * 36000; /* 10 to 40 Wh per second */
            for (size_t i = 0; i < n; i++) {
                int64_t a = check_range(&rng, 0, horizon - 1), b = check_range(&rng, a + 1, horizon);
                int64_t max_wh = pc * (b - a) / 3600;
                q[i] = sreq(EXCHANGES[check_range(&rng, 0, 2)], CONSUMERS[check_range(&rng, 0, 5)],
                            check_range(&rng, 0, 4), check_range(&rng, 0, max_wh < 60 ? max_wh : 60), a, b);
                q[i].base.submitted_at = check_range(&rng, 0, 3);
                if (check_range(&rng, 0, 5) == 0) q[i].base.penalty_ppm = (int32_t)check_range(&rng, 0, V2G_PPM_ONE);
            }
            for (size_t k = 0; k < m; k++) {
                int64_t s = check_range(&rng, 0, horizon - 1), e = check_range(&rng, s + 1, horizon);
                ev[k] = sev(NAMES[k], check_range(&rng, 0, 80), s, e);
            }
            for (size_t k = m; k > 1; k--) {
                size_t j = (size_t)check_range(&rng, 0, (int64_t)k - 1);
                v2g_sret_ev t = ev[k - 1]; ev[k - 1] = ev[j]; ev[j] = t;
            }
            v2g_ret_exchange ex[1] = {{id("E2"), (int32_t)check_range(&rng, 0, V2G_PPM_ONE), 0}};
            size_t e = (size_t)check_range(&rng, 0, 1);
            run(strategy, pc, q, n, ev, m, ex, e, &fast);
            ref.status = ref_sret(strategy, q, n, ev, m, ex, e, pc, ref.alloc, &ref.n_alloc, ref.out, &ref.n_out);
            int same = fast.status == ref.status && fast.n_alloc == ref.n_alloc && fast.n_out == ref.n_out &&
                       memcmp(fast.alloc, ref.alloc, fast.n_alloc * sizeof fast.alloc[0]) == 0 &&
                       memcmp(fast.out, ref.out, fast.n_out * sizeof fast.out[0]) == 0;
            CHECK(same);
            if (!same && ++mismatched <= 3)
                fprintf(stderr, "strategy %d instance %ld differs: status %d/%d, allocations %zu/%zu\n", strategy, it,
                        fast.status, ref.status, fast.n_alloc, ref.n_alloc);
            if (fast.status == V2G_OK) check_invariants(strategy, pc, q, ev, m, &fast);
        }
    }
}

int main(int argc, char **argv) {
    long per_strategy = argc > 1 ? strtol(argv[1], NULL, 10) : 6000;
    test_double_by_hand();
    test_double_best_fit_by_hand();
    test_single_by_hand();
    test_errors();
    test_random_against_reference(per_strategy);
    return check_report("test_sret");
}
