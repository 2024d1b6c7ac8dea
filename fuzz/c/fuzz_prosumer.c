/*
 * fuzz_prosumer.c - everything in v2g_prosumer.h: v2g_ev_limits, v2g_prosumer_exchange, the cost and
 * benefit matrices, v2g_greedy_match and v2g_hungarian_match, on one problem.
 *
 * Input: n requests, m EVs (0..64), a mode byte, a workspace byte, then the requests and the EVs
 * (raw states, or batteries turned into states by v2g_ev_limits). Checks:
 *   ev_limits equals eq. (1) of the header computed in 128-bit integers (and its statuses);
 *   exchange, cost and benefit cells: min(request, room) and request - min(...);
 *   greedy equals the FIFO rule written from the header (stable by submission time, first EV in
 *     input order that is unmatched and has room of the right kind; 0 Wh takes none);
 *   Hungarian: a complete assignment of min(n, m) distinct pairs, energy_wh = the benefit of each pair,
 *     traded_wh = their sum, the duals pass v2g_lsap_check_i64(maximize = 1) on the benefit matrix,
 *     the total is optimal (subset DP when the larger side is <= 12) and never below greedy's;
 *   statuses: V2G_E_NEGATIVE / V2G_E_INVALID as documented, V2G_E_OVERFLOW only when a benefit exceeds
 *     the LSAP cost bound, V2G_E_WORKSPACE on a short workspace.
 */
#include "fuzz_input.h"

#define MAXN 64
#define DP_MAX 12

typedef __int128 i128;

enum {
    M_RESERVED = 1,
    M_RAW_KIND = 2,
    M_BATTERY = 4,
    M_SMALL_WS = 8,
    M_FILL = 16,
    M_SMALL_VALUES = 32, /* energies are small (ties, exact exhaustion) */
};

static int64_t room_of(const v2g_prosumer_request *q, const v2g_ev_state *e) {
    return q->kind == V2G_SURPLUS ? e->free_capacity_wh : e->available_wh;
}

static int64_t pair_wh(const v2g_prosumer_request *q, const v2g_ev_state *e) {
    int64_t room = room_of(q, e);
    return q->energy_wh < room ? q->energy_wh : room;
}

/* eq. (1) of v2g_prosumer.h; returns the status it should give. */
static v2g_status limits_ref(const v2g_battery *b, int64_t period, v2g_ev_state *out) {
    if (b->capacity_wh < 0 || b->soc_wh < 0 || b->reserve_wh < 0 || b->charger_power_w < 0 || period < 0)
        return V2G_E_NEGATIVE;
    i128 floor20 = (i128)b->capacity_wh * 200000 / 1000000, floor80 = (i128)b->capacity_wh * 800000 / 1000000;
    i128 lower = floor20 + b->reserve_wh;
    if (lower > INT64_MAX) return V2G_E_OVERFLOW;
    i128 limit = INT64_MAX;
    if (b->charger_power_w != V2G_UNLIMITED) {
        limit = (i128)b->charger_power_w * period / 3600;
        if (limit > INT64_MAX) limit = INT64_MAX;
    }
    i128 avail = b->soc_wh > lower ? b->soc_wh - lower : 0;
    i128 room = floor80 > b->soc_wh ? floor80 - b->soc_wh : 0;
    out->available_wh = (int64_t)(avail < limit ? avail : limit);
    out->free_capacity_wh = (int64_t)(room < limit ? room : limit);
    return V2G_OK;
}

static int64_t read_energy(fz *r, uint8_t mode) {
    int64_t x = fz_i64(r);
    return (mode & M_SMALL_VALUES) ? x % 16 : x;
}

static i128 dp_best(size_t rows, size_t cols, const int64_t *c) {
    int tr = rows > cols;
    size_t ns = tr ? cols : rows, nb = tr ? rows : cols;
    static i128 dp[1 << DP_MAX];
    static unsigned char has[1 << DP_MAX];
    memset(has, 0, (size_t)1 << nb);
    has[0] = 1;
    dp[0] = 0;
    i128 best = -1;
    for (size_t mask = 0; mask < ((size_t)1 << nb); mask++) {
        if (!has[mask]) continue;
        size_t k = (size_t)__builtin_popcountll(mask);
        if (k == ns) {
            if (dp[mask] > best) best = dp[mask];
            continue;
        }
        for (size_t b = 0; b < nb; b++) {
            if (mask & ((size_t)1 << b)) continue;
            size_t nm = mask | ((size_t)1 << b);
            i128 val = dp[mask] + (tr ? c[b * cols + k] : c[k * cols + b]);
            if (!has[nm] || val > dp[nm]) dp[nm] = val;
            has[nm] = 1;
        }
    }
    return best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz r = fz_init(data, size);
    size_t n = fz_count(&r, MAXN), m = fz_count(&r, MAXN);
    uint8_t mode = fz_u8(&r);
    unsigned ws_byte = fz_u8(&r);

    v2g_prosumer_request *q = fz_calloc(n, sizeof *q);
    v2g_ev_state *ev = fz_calloc(m, sizeof *ev);
    fz_status_set expect = 0;
    for (size_t i = 0; i < n; i++) {
        q[i].energy_wh = read_energy(&r, mode);
        q[i].submitted_at = fz_i64(&r);
        q[i].kind = (mode & M_RAW_KIND) ? fz_ppm(&r) : (int32_t)(fz_u8(&r) & 1);
        q[i].reserved = (mode & M_RESERVED) ? (int32_t)fz_u8(&r) : 0;
        if (q[i].energy_wh < 0) expect |= FZ_BIT(V2G_E_NEGATIVE);
        if ((q[i].kind != V2G_DEMAND && q[i].kind != V2G_SURPLUS) || q[i].reserved != 0) expect |= FZ_BIT(V2G_E_INVALID);
    }
    for (size_t j = 0; j < m; j++) {
        if (mode & M_BATTERY) {
            v2g_battery b;
            b.capacity_wh = fz_i64(&r);
            b.soc_wh = fz_i64(&r);
            b.reserve_wh = fz_i64(&r);
            b.charger_power_w = fz_i64(&r);
            int64_t period = fz_i64(&r);
            v2g_ev_state want = {-7, -7}, got = {-9, -9};
            v2g_status ws = limits_ref(&b, period, &want);
            v2g_status st = v2g_ev_limits(&b, period, &got);
            FZ_CHECK_MSG(st == ws, "v2g_ev_limits: status %d, expected %d", st, ws);
            if (st == V2G_OK) {
                FZ_CHECK_MSG(got.available_wh == want.available_wh && got.free_capacity_wh == want.free_capacity_wh,
                             "v2g_ev_limits(C %lld, SoC %lld, reserve %lld, P %lld, period %lld) = (%lld, %lld), "
                             "expected (%lld, %lld)",
                             (long long)b.capacity_wh, (long long)b.soc_wh, (long long)b.reserve_wh,
                             (long long)b.charger_power_w, (long long)period, (long long)got.available_wh,
                             (long long)got.free_capacity_wh, (long long)want.available_wh,
                             (long long)want.free_capacity_wh);
                ev[j] = got;
            }
        } else {
            ev[j].available_wh = read_energy(&r, mode);
            ev[j].free_capacity_wh = read_energy(&r, mode);
        }
        if (ev[j].available_wh < 0 || ev[j].free_capacity_wh < 0) expect |= FZ_BIT(V2G_E_NEGATIVE);
    }
    const int inputs_ok = expect == 0;

    /* Pairwise exchange and the two matrices. */
    int64_t *cost = fz_calloc(n * m, sizeof *cost), *benefit = fz_calloc(n * m, sizeof *benefit);
    v2g_status sc = v2g_prosumer_cost_matrix(q, n, ev, m, cost);
    v2g_status sb = v2g_prosumer_benefit_matrix(q, n, ev, m, benefit);
    if (inputs_ok) {
        FZ_CHECK_MSG(sc == V2G_OK && sb == V2G_OK, "matrices: %d %d", sc, sb);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < m; j++) {
                int64_t x = pair_wh(&q[i], &ev[j]);
                FZ_CHECK(benefit[i * m + j] == x);
                FZ_CHECK(cost[i * m + j] == q[i].energy_wh - x);
                if (i == j || (i + 1) * 7 % (m ? m : 1) == j) {
                    int64_t e = -1;
                    FZ_CHECK(v2g_prosumer_exchange(&q[i], &ev[j], &e) == V2G_OK && e == x);
                }
            }
    } else {
        FZ_CHECK_MSG(sc != V2G_OK && (expect & FZ_BIT(sc)), "cost matrix: %d on bad input (mask 0x%x)", sc, expect);
        FZ_CHECK_MSG(sb != V2G_OK && (expect & FZ_BIT(sb)), "benefit matrix: %d on bad input (mask 0x%x)", sb, expect);
    }

    /* Greedy. */
    i128 greedy_total = -1;
    {
        size_t need = v2g_greedy_workspace_size(n, m);
        FZ_CHECK(need > 0 && need < FZ_MAX_WORKSPACE);
        size_t give = need;
        fz_status_set gexpect = expect;
        if (mode & M_SMALL_WS) { give = need - 1; gexpect |= FZ_BIT(V2G_E_WORKSPACE); }
        fz_buf ws = fz_alloc(give, ws_byte, (mode & M_FILL) ? 0x99 : 0);
        int64_t *to = fz_calloc(n, sizeof *to), *wh = fz_calloc(n, sizeof *wh);
        v2g_status st = v2g_greedy_match(q, n, ev, m, to, wh, ws.ptr, give);
        FZ_NOTE("v2g_greedy_match", st);
        if (gexpect == 0) FZ_CHECK_MSG(st == V2G_OK, "greedy: %d (%s) on valid input", st, v2g_strerror(st));
        else FZ_CHECK_MSG(st != V2G_OK && (gexpect & FZ_BIT(st)), "greedy: %d (%s), mask 0x%x", st, v2g_strerror(st), gexpect);
        if (st == V2G_OK) {
            /* The reference: stable by submission time. */
            size_t ord[MAXN];
            for (size_t a = 0; a < n; a++) {
                size_t t = a;
                while (t > 0 && q[a].submitted_at < q[ord[t - 1]].submitted_at) { ord[t] = ord[t - 1]; t--; }
                ord[t] = a;
            }
            int matched[MAXN] = {0};
            int64_t want_to[MAXN], want_wh[MAXN];
            for (size_t i = 0; i < n; i++) { want_to[i] = -1; want_wh[i] = 0; }
            for (size_t t = 0; t < n; t++) {
                size_t i = ord[t];
                if (q[i].energy_wh == 0) continue;
                for (size_t j = 0; j < m; j++) {
                    if (matched[j] || room_of(&q[i], &ev[j]) == 0) continue;
                    matched[j] = 1;
                    want_to[i] = (int64_t)j;
                    want_wh[i] = pair_wh(&q[i], &ev[j]);
                    break;
                }
            }
            greedy_total = 0;
            for (size_t i = 0; i < n; i++) {
                FZ_CHECK_MSG(to[i] == want_to[i] && wh[i] == want_wh[i], "greedy request %zu: EV %lld, %lld Wh; expected %lld, %lld",
                             i, (long long)to[i], (long long)wh[i], (long long)want_to[i], (long long)want_wh[i]);
                greedy_total += wh[i];
            }
        }
        fz_free(&ws);
        free(to);
        free(wh);
    }

    /* Hungarian. */
    {
        size_t need = v2g_hungarian_workspace_size(n, m);
        FZ_CHECK(need > 0 && need < FZ_MAX_WORKSPACE);
        size_t give = need;
        fz_status_set hexpect = expect;
        int64_t bmax = 0;
        if (inputs_ok)
            for (size_t k = 0; k < n * m; k++) if (benefit[k] > bmax) bmax = benefit[k];
        const int over = n && m && bmax > v2g_lsap_i64_cost_bound(n, m);
        if (inputs_ok && over) hexpect |= FZ_BIT(V2G_E_OVERFLOW);
        if ((mode & M_SMALL_WS) && inputs_ok) { give = need - 1; hexpect |= FZ_BIT(V2G_E_WORKSPACE); }
        fz_buf ws = fz_alloc(give, ws_byte >> 1, (mode & M_FILL) ? 0x99 : 0);
        int64_t *to = fz_calloc(n, sizeof *to), *wh = fz_calloc(n, sizeof *wh);
        int64_t *u = fz_calloc(n, sizeof *u), *v = fz_calloc(m, sizeof *v);
        int64_t traded = -1;
        v2g_status st = v2g_hungarian_match(q, n, ev, m, to, wh, &traded, u, v, ws.ptr, give);
        FZ_NOTE("v2g_hungarian_match", st);
        /* fuzz/crashes/prosumer/: a benefit of exactly INT64_MAX once came back V2G_E_INFEASIBLE or a wrong V2G_OK. */
        if (hexpect == 0) FZ_CHECK_MSG(st == V2G_OK, "hungarian: %d (%s) on valid input", st, v2g_strerror(st));
        else FZ_CHECK_MSG(st != V2G_OK && (hexpect & FZ_BIT(st)), "hungarian: %d (%s), mask 0x%x", st, v2g_strerror(st),
                          hexpect);
        if (st == V2G_OK) {
            size_t count = 0;
            int used[MAXN] = {0};
            i128 sum = 0;
            for (size_t i = 0; i < n; i++) {
                FZ_CHECK(to[i] >= -1 && to[i] < (int64_t)m);
                if (to[i] < 0) { FZ_CHECK(wh[i] == 0); continue; }
                FZ_CHECK(!used[to[i]]);
                used[to[i]] = 1;
                count++;
                FZ_CHECK_MSG(wh[i] == pair_wh(&q[i], &ev[to[i]]), "request %zu: %lld Wh from EV %lld, pair gives %lld", i,
                             (long long)wh[i], (long long)to[i], (long long)pair_wh(&q[i], &ev[to[i]]));
                sum += wh[i];
            }
            FZ_CHECK_MSG(count == (n < m ? n : m), "%zu pairs, expected %zu", count, n < m ? n : m);
            FZ_CHECK_MSG(sum == (i128)traded, "traded %lld, sum %lld", (long long)traded, (long long)sum);
            if (n && m) {
                v2g_status ck = v2g_lsap_check_i64(n, m, benefit, 1, to, u, v);
                FZ_CHECK_MSG(ck == V2G_OK, "hungarian duals rejected: %d (%s)", ck, v2g_strerror(ck));
                if ((n > m ? n : m) <= DP_MAX) {
                    i128 best = dp_best(n, m, benefit);
                    FZ_CHECK_MSG(best == (i128)traded, "traded %lld, optimum %lld", (long long)traded, (long long)best);
                }
            } else {
                FZ_CHECK(traded == 0);
            }
            if (greedy_total >= 0) FZ_CHECK_MSG((i128)traded >= greedy_total, "hungarian %lld below greedy %lld",
                                                (long long)traded, (long long)greedy_total);
        }
        fz_free(&ws);
        free(to);
        free(wh);
        free(u);
        free(v);
    }
    free(cost);
    free(benefit);
    free(q);
    free(ev);
    return 0;
}
