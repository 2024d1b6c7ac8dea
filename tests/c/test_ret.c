/* test_ret.c - RET: hand-checked cases, input errors, and the fast path against ret_reference.h. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ret_reference.h"

static v2g_id id(const char *s) { v2g_id x = {(const uint8_t *)s, strlen(s)}; return x; }

static v2g_ret_request request(const char *ex, const char *con, int64_t bid, int64_t t, int64_t wh, int32_t ppm) {
    v2g_ret_request q;
    memset(&q, 0, sizeof q);
    q.exchange = id(ex);
    q.consumer = id(con);
    q.bid = bid;
    q.submitted_at = t;
    q.energy_wh = wh;
    q.penalty_ppm = ppm;
    return q;
}

static v2g_status run(const v2g_ret_request *q, size_t r, const v2g_ret_offer *o, size_t k,
                      const v2g_ret_exchange *ex, size_t e, int64_t w,
                      v2g_ret_allocation *alloc, size_t *na, v2g_ret_outcome *out, size_t *no) {
    size_t size = v2g_ret_workspace_size(r, k, e);
    void *ws = malloc(size ? size : 1);
    v2g_status st = v2g_ret_allocate(q, r, o, k, ex, e, w, alloc, na, out, no, ws, size);
    free(ws);
    return st;
}

/*
 * Worked by hand from [T] §4.3 and SPEC §3.3:
 * E1/C1 asks twice; the later request (4000 Wh) supersedes the first. C3's penalty
 * factor 0.5 halves 6000 to 3000. Profits: C2 160000, C1 120000, C3 75000, C4 20000.
 * W = 6000 caps EV1's 7000. Offers by energy: EV1 6000, EV3 5000, EV2 3000, EV4 3000.
 * C2 (8000): nothing covers it, so EV1 gives 6000 whole; 2000 left, the smallest
 *   covering offers are EV2 and EV4 (3000), EV2 wins the tie by ID and gives 2000.
 * C1 (4000): EV3 (5000) is the smallest covering offer. C3 (3000): EV4.
 * C4 (2000): the offers have run out.
 */
static void test_hand_case(void) {
    v2g_ret_request q[5] = {
        request("E1", "C1", 30, 1, 5000, V2G_PPM_ONE), request("E1", "C1", 30, 3, 4000, V2G_PPM_ONE),
        request("E1", "C2", 20, 2, 8000, V2G_PPM_ONE), request("E2", "C3", 25, 1, 6000, 500000),
        request("E2", "C4", 10, 1, 2000, V2G_PPM_ONE)};
    v2g_ret_offer o[4] = {{id("EV1"), 7000}, {id("EV2"), 3000}, {id("EV3"), 5000}, {id("EV4"), 3000}};
    v2g_ret_allocation a[4];
    v2g_ret_outcome out[5];
    size_t na = 0, no = 0;
    CHECK_EQ_I64(run(q, 5, o, 4, NULL, 0, 6000, a, &na, out, &no), V2G_OK);
    CHECK_EQ_I64(na, 4);
    int64_t want[4][3] = {{2, 0, 6000}, {2, 1, 2000}, {1, 2, 4000}, {3, 3, 3000}};
    for (size_t i = 0; i < 4 && i < na; i++) {
        CHECK_EQ_I64(a[i].request, want[i][0]);
        CHECK_EQ_I64(a[i].offer, want[i][1]);
        CHECK_EQ_I64(a[i].energy_wh, want[i][2]);
    }
    CHECK_EQ_I64(no, 4);
    CHECK_EQ_I64(out[0].request, 2);
    CHECK_EQ_I64(out[2].demand_wh, 3000);
    CHECK_EQ_I64(out[3].request, 4);
    CHECK_EQ_I64(out[3].allocated_wh, 0);
    CHECK_EQ_I64(out[3].fulfilled, 0);

    /*
     * E1 penalised by 0.5: n(R_E1) = 2 after deduplication, so its quota is 1.
     * C2 is fulfilled first and spends it; C1 is skipped. C3 then takes EV4 (3000)
     * and C4 takes EV3 (5000), the only offer left that covers 2000.
     */
    v2g_ret_exchange ex[1] = {{id("E1"), 500000, 0}};
    CHECK_EQ_I64(run(q, 5, o, 4, ex, 1, 6000, a, &na, out, &no), V2G_OK);
    int64_t want2[4][3] = {{2, 0, 6000}, {2, 1, 2000}, {3, 3, 3000}, {4, 2, 2000}};
    CHECK_EQ_I64(na, 4);
    for (size_t i = 0; i < 4 && i < na; i++) {
        CHECK_EQ_I64(a[i].request, want2[i][0]);
        CHECK_EQ_I64(a[i].offer, want2[i][1]);
        CHECK_EQ_I64(a[i].energy_wh, want2[i][2]);
    }
    CHECK_EQ_I64(out[1].request, 1);
    CHECK_EQ_I64(out[1].allocated_wh, 0);
}

static void test_errors(void) {
    v2g_ret_request q[2] = {request("E", "C", 1, 0, 10, V2G_PPM_ONE), request("E", "D", 1, 0, 10, V2G_PPM_ONE)};
    v2g_ret_offer o[2] = {{id("EV"), 5}, {id("EV"), 6}};
    v2g_ret_allocation a[2];
    v2g_ret_outcome out[2];
    size_t na, no;
    CHECK_EQ_I64(run(q, 2, o, 2, NULL, 0, V2G_UNLIMITED, a, &na, out, &no), V2G_E_DUPLICATE);
    o[1].ev = id("EW");
    q[0].energy_wh = -1;
    CHECK_EQ_I64(run(q, 2, o, 2, NULL, 0, V2G_UNLIMITED, a, &na, out, &no), V2G_E_NEGATIVE);
    q[0].energy_wh = 1;
    q[1].penalty_ppm = V2G_PPM_ONE + 1;
    CHECK_EQ_I64(run(q, 2, o, 2, NULL, 0, V2G_UNLIMITED, a, &na, out, &no), V2G_E_RANGE);
    q[1].penalty_ppm = V2G_PPM_ONE;
    CHECK_EQ_I64(run(q, 2, o, 2, NULL, 0, -1, a, &na, out, &no), V2G_E_NEGATIVE);
    v2g_ret_exchange ex[2] = {{id("E"), 1, 0}, {id("E"), 2, 0}};
    CHECK_EQ_I64(run(q, 2, o, 2, ex, 2, V2G_UNLIMITED, a, &na, out, &no), V2G_E_DUPLICATE);
    CHECK_EQ_I64(run(q, 2, NULL, 2, NULL, 0, V2G_UNLIMITED, a, &na, out, &no), V2G_E_NULL);
    v2g_id broken = {NULL, 3};
    q[0].consumer = broken;
    CHECK_EQ_I64(run(q, 2, o, 2, NULL, 0, V2G_UNLIMITED, a, &na, out, &no), V2G_E_NULL);
    q[0].consumer = id("C");
    char small[8];
    CHECK_EQ_I64(v2g_ret_allocate(q, 2, o, 2, NULL, 0, V2G_UNLIMITED, a, &na, out, &no, small, sizeof small),
                 V2G_E_WORKSPACE);
    CHECK_EQ_I64(v2g_ret_workspace_size(SIZE_MAX / 2, 1, 1), 0);
    /* Huge bids and demands: the profit order is exact beyond 64 bits. */
    q[0].bid = INT64_MAX; q[0].energy_wh = INT64_MAX;
    q[1].bid = INT64_MAX; q[1].energy_wh = INT64_MAX - 1;
    CHECK_EQ_I64(run(q, 2, o, 2, NULL, 0, V2G_UNLIMITED, a, &na, out, &no), V2G_OK);
    CHECK_EQ_I64(out[0].request, 0);
    /* Nothing to do is fine. */
    CHECK_EQ_I64(run(NULL, 0, NULL, 0, NULL, 0, V2G_UNLIMITED, a, &na, out, &no), V2G_OK);
    CHECK_EQ_I64(na + no, 0);
}

static const char *const EXCHANGES[] = {"E1", "E10", "E2", "E", ""};
static const char *const CONSUMERS[] = {"c", "c0", "c1", "c10", "c2", "longer-consumer-id-1", "longer-consumer-id-2", "x"};
static const char *const EVS[] = {"ev", "ev0", "ev1", "ev10", "ev11", "ev2", "ev3", "ev4", "ev5", "ev6", "ev7", "ev8",
                                  "ev9", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
                                  "p", "q"};

static void test_random_against_reference(long instances) {
    check_rng rng = {20261121};
    v2g_ret_request q[64];
    v2g_ret_offer o[32];
    v2g_ret_exchange ex[5];
    v2g_ret_allocation fa[32], ra[32];
    v2g_ret_outcome fo[64], ro[64];
    long mismatched = 0;
    for (long it = 0; it < instances; it++) {
        size_t r = (size_t)check_range(&rng, 0, 60);
        size_t k = (size_t)check_range(&rng, 0, 30);
        size_t n_ex = (size_t)check_range(&rng, 1, 5);
        int64_t max_demand = check_range(&rng, 1, 40);
        for (size_t i = 0; i < r; i++) {
            int32_t ppm = V2G_PPM_ONE;
            int64_t roll = check_range(&rng, 0, 9);
            if (roll == 0) ppm = 0; else if (roll < 4) ppm = (int32_t)check_range(&rng, 0, V2G_PPM_ONE);
            q[i] = request(EXCHANGES[check_range(&rng, 0, (int64_t)n_ex - 1)], CONSUMERS[check_range(&rng, 0, 7)],
                           check_range(&rng, 0, 5), check_range(&rng, 0, 4), check_range(&rng, 0, max_demand), ppm);
        }
        for (size_t j = 0; j < k; j++) {
            o[j].ev = id(EVS[j]);
            o[j].energy_wh = check_range(&rng, 0, 25);
        }
        /* Shuffle the offers so input order and ID order differ. */
        for (size_t j = k; j > 1; j--) {
            size_t s = (size_t)check_range(&rng, 0, (int64_t)j - 1);
            v2g_ret_offer t = o[j - 1]; o[j - 1] = o[s]; o[s] = t;
        }
        size_t e = (size_t)check_range(&rng, 0, (int64_t)n_ex);
        for (size_t x = 0; x < e; x++) {
            ex[x].exchange = id(EXCHANGES[x]);
            ex[x].penalty_ppm = (int32_t)check_range(&rng, 0, V2G_PPM_ONE);
            ex[x].reserved = 0;
        }
        int64_t w = check_range(&rng, 0, 3) == 0 ? V2G_UNLIMITED : check_range(&rng, 0, 30);
        size_t fna = 0, fno = 0, rna = 0, rno = 0;
        v2g_status fs = run(q, r, o, k, ex, e, w, fa, &fna, fo, &fno);
        v2g_status rs = ref_ret(q, r, o, k, ex, e, w, ra, &rna, ro, &rno);
        int same = fs == rs && fna == rna && fno == rno &&
                   memcmp(fa, ra, fna * sizeof fa[0]) == 0 && memcmp(fo, ro, fno * sizeof fo[0]) == 0;
        CHECK(same);
        if (!same && ++mismatched <= 3)
            fprintf(stderr, "instance %ld differs: status %d/%d allocations %zu/%zu outcomes %zu/%zu\n",
                    it, fs, rs, fna, rna, fno, rno);
        /* Invariants that hold whatever the reference says. */
        int64_t total = 0;
        for (size_t i = 0; i < fna; i++) total += fa[i].energy_wh;
        int64_t outcome_total = 0;
        for (size_t i = 0; i < fno; i++) {
            outcome_total += fo[i].allocated_wh;
            CHECK(fo[i].allocated_wh <= fo[i].demand_wh);
            CHECK(fo[i].fulfilled == (fo[i].allocated_wh == fo[i].demand_wh && fo[i].demand_wh > 0));
        }
        CHECK_EQ_I64(total, outcome_total);
    }
}

int main(int argc, char **argv) {
    long instances = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    test_hand_case();
    test_errors();
    test_random_against_reference(instances);
    return check_report("test_ret");
}
