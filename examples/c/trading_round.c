/*
 * trading_round.c - one RET round and one optimal prosumer matching through the C ABI.
 *
 * Build against an installed libv2g with pkg-config (see the Makefile beside this file).
 * Exits non-zero if a result differs from the values worked out by hand in the comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <v2g/v2g.h>

static v2g_id id(const char *s) {
    v2g_id x = {(const uint8_t *)s, strlen(s)};
    return x;
}

static int failures = 0;

static void expect(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "unexpected: %s\n", what);
        failures++;
    }
}

static void ret_round(void) {
    /* Three consumers bid for energy; two EVs offer it through a 6 kWh charging pile. */
    v2g_ret_request requests[3] = {
        {id("exchange-A"), id("alice"), 300000, 10, 4000, V2G_PPM_ONE, 0},
        {id("exchange-A"), id("bob"), 250000, 12, 7000, V2G_PPM_ONE, 0},
        {id("exchange-B"), id("carol"), 400000, 11, 2000, 500000, 0}, /* penalised: 2000 Wh count as 1000 */
    };
    v2g_ret_offer offers[2] = {{id("ev-1"), 8000}, {id("ev-2"), 5000}};
    v2g_ret_allocation allocations[2];
    v2g_ret_outcome outcomes[3];
    size_t n_alloc = 0, n_out = 0;

    size_t size = v2g_ret_workspace_size(3, 2, 0);
    void *workspace = malloc(size);
    v2g_status status = v2g_ret_allocate(requests, 3, offers, 2, NULL, 0, 6000, allocations, &n_alloc,
                                         outcomes, &n_out, workspace, size);
    free(workspace);
    if (status != V2G_OK) {
        fprintf(stderr, "v2g_ret_allocate: %s\n", v2g_strerror(status));
        exit(1);
    }
    printf("RET round (W = 6000 Wh):\n");
    for (size_t i = 0; i < n_alloc; i++) {
        const v2g_ret_request *r = &requests[allocations[i].request];
        printf("  %.*s gets %lld Wh from %.*s\n", (int)r->consumer.length, (const char *)r->consumer.bytes,
               (long long)allocations[i].energy_wh, (int)offers[allocations[i].offer].ev.length,
               (const char *)offers[allocations[i].offer].ev.bytes);
    }
    /*
     * Profits: bob 250000 x 7000 > alice 300000 x 4000 > carol 400000 x 1000.
     * bob (7000): no offer covers it (ev-1 capped at 6000), so ev-1 gives 6000 whole,
     * then ev-2 (5000) covers the remaining 1000. alice and carol find no offers left.
     */
    expect(n_alloc == 2, "two allocations");
    expect(allocations[0].request == 1 && allocations[0].offer == 0 && allocations[0].energy_wh == 6000,
           "bob takes ev-1's 6000 Wh");
    expect(allocations[1].request == 1 && allocations[1].offer == 1 && allocations[1].energy_wh == 1000,
           "bob takes 1000 Wh of ev-2");
    expect(n_out == 3 && outcomes[0].fulfilled == 1 && outcomes[2].demand_wh == 1000, "outcomes");
}

static void prosumer_period(void) {
    /* Two PV prosumers and one household; three EVs; maximise the energy kept inside the campus. */
    v2g_prosumer_request requests[3] = {
        {5000, 0, V2G_SURPLUS, 0}, {3000, 1, V2G_SURPLUS, 0}, {2000, 2, V2G_DEMAND, 0}};
    v2g_ev_state evs[3] = {{0, 6000}, {4000, 3000}, {1000, 1000}};
    int64_t to_ev[3], energy[3], traded = 0, u[3], v[3];
    size_t size = v2g_hungarian_workspace_size(3, 3);
    void *workspace = malloc(size);
    v2g_status status = v2g_hungarian_match(requests, 3, evs, 3, to_ev, energy, &traded, u, v, workspace, size);
    free(workspace);
    if (status != V2G_OK) {
        fprintf(stderr, "v2g_hungarian_match: %s\n", v2g_strerror(status));
        exit(1);
    }
    printf("Prosumer period, optimal matching: %lld Wh traded\n", (long long)traded);
    for (int i = 0; i < 3; i++)
        printf("  prosumer %d -> EV %lld: %lld Wh\n", i, (long long)to_ev[i], (long long)energy[i]);
    /* Best: 5000 into EV0 (room 6000), 3000 into EV1 (room 3000), 1000 from EV2 = 9000 Wh. */
    expect(traded == 9000, "9000 Wh traded");

    /* Any peer can check optimality from the duals without solving again. */
    int64_t benefit[9];
    status = v2g_prosumer_benefit_matrix(requests, 3, evs, 3, benefit);
    expect(status == V2G_OK, "benefit matrix");
    expect(v2g_lsap_check_i64(3, 3, benefit, 1, to_ev, u, v) == V2G_OK, "certificate accepted");
    u[0] -= 1;
    expect(v2g_lsap_check_i64(3, 3, benefit, 1, to_ev, u, v) == V2G_E_CERTIFICATE, "forged certificate refused");
}

int main(void) {
    printf("libv2g %s\n", v2g_version_string());
    ret_round();
    prosumer_period();
    if (failures) return 1;
    printf("trading_round: all results as worked out by hand\n");
    return 0;
}
