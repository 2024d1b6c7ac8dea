/*
 * fuzz_sret.c - v2g_sret_allocate (v2g_sret.h), all three strategies.
 *
 * Input: n requests, m EVs, e exchange-table entries (bounded), a mode byte, the parameters, then the
 * items. Windows are read as a start and a length (end = start + length, saturating), so empty and
 * extreme windows both occur. The harness predicts the status from the documented rules (and checks
 * that `where` names an item that is indeed bad), and on V2G_OK checks:
 *   every strategy: indices in range, allocations inside the request's and the EV's windows, each
 *     request all or nothing (its allocations sum to its demand after penalty, else it has none),
 *     outcomes in the documented order, deduplication and exchange quotas as in RET;
 *   double: exactly the reference written from the header (candidates, best fit, EV order);
 *   single: each piece is worth F(end) - F(start) exactly, an EV's pieces never overlap in time and
 *     never exceed its RP, a request's pieces never overlap; and a second run on a differently
 *     filled workspace gives the same bytes;
 *   both: rerun with only the fulfilled requests (when no exchange factor binds), the allocations are
 *     exactly the same (a request rolled back leaves no trace).
 */
#include "fuzz_input.h"

#define MAX_REQ 64
#define MAX_EV 64
#define MAX_EX 8

enum {
    M_READ_POWER = 1,   /* read P_c, else V2G_SRET_MAX_POWER_W */
    M_RESERVED = 2,     /* read reserved fields */
    M_PENALTY = 4,      /* read per-request penalty factors */
    M_SMALL_WS = 8,     /* pass one byte less than asked */
    M_INTERVALS = 16,   /* read interval_capacity, else V2G_SRET_INTERVALS(n, m) */
    M_ALLOC_CAP = 32,   /* read allocation_capacity, else a generous one */
    M_RAW_STRATEGY = 64,/* read the strategy as a raw int32 */
    M_FILL = 128,       /* workspace starts as 0x5A bytes */
};

typedef unsigned __int128 u128;
typedef __int128 i128;

static int64_t scale_ppm(int64_t x, int32_t ppm) { return (int64_t)(((u128)(uint64_t)x * (uint32_t)ppm) / 1000000u); }

static int64_t sat_add(int64_t a, int64_t b) {
    int64_t s;
    if (__builtin_add_overflow(a, b, &s)) return b > 0 ? INT64_MAX : INT64_MIN;
    return s;
}

/* Per-item validity as v2g_sret.h states it; power < 0 skips the P_c check (the parameters are bad). */
static fz_status_set request_errors(const v2g_sret_request *q, int64_t power) {
    fz_status_set s = 0;
    const v2g_ret_request *b = &q->base;
    if (!fz_id_valid(b->exchange) || !fz_id_valid(b->consumer)) s |= FZ_BIT(V2G_E_NULL);
    if (b->energy_wh < 0 || b->bid < 0) s |= FZ_BIT(V2G_E_NEGATIVE);
    if (b->penalty_ppm < 0 || b->penalty_ppm > V2G_PPM_ONE) s |= FZ_BIT(V2G_E_RANGE);
    if (b->reserved != 0) s |= FZ_BIT(V2G_E_INVALID);
    if (q->end <= q->start) return s | FZ_BIT(V2G_E_WINDOW);
    i128 len = (i128)q->end - q->start;
    if (len > V2G_SRET_MAX_SPAN_S || b->energy_wh > V2G_SRET_MAX_ENERGY_WH) s |= FZ_BIT(V2G_E_RANGE);
    else if (power >= 0 && b->energy_wh >= 0 && (i128)b->energy_wh * 3600 > (i128)power * len)
        s |= FZ_BIT(V2G_E_INVALID);
    return s;
}

static fz_status_set ev_errors(const v2g_sret_ev *v) {
    fz_status_set s = 0;
    if (!fz_id_valid(v->ev)) s |= FZ_BIT(V2G_E_NULL);
    if (v->energy_wh < 0) s |= FZ_BIT(V2G_E_NEGATIVE);
    if (v->end <= v->start) return s | FZ_BIT(V2G_E_WINDOW);
    if ((i128)v->end - v->start > V2G_SRET_MAX_SPAN_S || v->energy_wh > V2G_SRET_MAX_ENERGY_WH)
        s |= FZ_BIT(V2G_E_RANGE);
    return s;
}

/* ---------------------------------------------------------------- the robustness stage and the order */

typedef struct stage {
    size_t nk;
    size_t ord[MAX_REQ];      /* kept request positions in processing order */
    int64_t demand[MAX_REQ];  /* by request position */
    int64_t quota[MAX_REQ];   /* by request position of the exchange's first kept request */
    size_t quota_of[MAX_REQ]; /* request position -> index into quota */
} stage;

static int before(const v2g_sret_request *q, const int64_t *d, size_t a, size_t b) {
    const v2g_ret_request *x = &q[a].base, *y = &q[b].base;
    if (x->bid != y->bid) return x->bid > y->bid;
    if (d[a] != d[b]) return d[a] > d[b];
    if (x->submitted_at != y->submitted_at) return x->submitted_at < y->submitted_at;
    int c = fz_id_cmp(x->exchange, y->exchange);
    if (c != 0) return c < 0;
    return fz_id_cmp(x->consumer, y->consumer) < 0;
}

static void run_stage(const v2g_sret_request *q, size_t n, const v2g_ret_exchange *x, size_t e, stage *s) {
    size_t kept[MAX_REQ];
    s->nk = 0;
    for (size_t i = 0; i < n; i++) {
        int superseded = 0;
        for (size_t j = 0; j < n && !superseded; j++)
            if (j != i && fz_id_cmp(q[i].base.exchange, q[j].base.exchange) == 0 &&
                fz_id_cmp(q[i].base.consumer, q[j].base.consumer) == 0 &&
                (q[j].base.submitted_at > q[i].base.submitted_at ||
                 (q[j].base.submitted_at == q[i].base.submitted_at && j > i)))
                superseded = 1;
        s->demand[i] = scale_ppm(q[i].base.energy_wh, q[i].base.penalty_ppm);
        if (!superseded) kept[s->nk++] = i;
    }
    for (size_t a = 0; a < s->nk; a++) {
        size_t i = kept[a], first = i;
        int64_t nx = 0;
        for (size_t b = 0; b < s->nk; b++)
            if (fz_id_cmp(q[i].base.exchange, q[kept[b]].base.exchange) == 0) {
                if (nx == 0) first = kept[b];
                nx++;
            }
        int32_t factor = V2G_PPM_ONE;
        for (size_t t = 0; t < e; t++)
            if (fz_id_cmp(x[t].exchange, q[i].base.exchange) == 0) factor = x[t].penalty_ppm;
        s->quota_of[i] = first;
        if (first == i) s->quota[i] = scale_ppm(nx, factor);
    }
    for (size_t a = 0; a < s->nk; a++) {
        size_t t = a;
        while (t > 0 && before(q, s->demand, kept[a], s->ord[t - 1])) { s->ord[t] = s->ord[t - 1]; t--; }
        s->ord[t] = kept[a];
    }
}

/* ---------------------------------------------------------------- the double-boundary reference */

typedef struct ref_out {
    size_t n_alloc;
    v2g_sret_allocation alloc[MAX_EV];
    v2g_ret_outcome out[MAX_REQ];
} ref_out;

static void reference_double(const v2g_sret_params *p, const v2g_sret_request *q, const v2g_sret_ev *v, size_t m,
                             stage *s, ref_out *r) {
    size_t ev_order[MAX_EV];
    for (size_t a = 0; a < m; a++) {
        size_t t = a;
        while (t > 0 && (v[a].energy_wh > v[ev_order[t - 1]].energy_wh ||
                         (v[a].energy_wh == v[ev_order[t - 1]].energy_wh && fz_id_cmp(v[a].ev, v[ev_order[t - 1]].ev) < 0))) {
            ev_order[t] = ev_order[t - 1];
            t--;
        }
        ev_order[t] = a;
    }
    int64_t rp[MAX_EV];
    int used[MAX_EV] = {0};
    for (size_t k = 0; k < m; k++) rp[k] = v[k].energy_wh;
    r->n_alloc = 0;
    for (size_t t = 0; t < s->nk; t++) {
        size_t i = s->ord[t];
        v2g_ret_outcome *o = &r->out[t];
        memset(o, 0, sizeof *o);
        o->request = (int64_t)i;
        o->demand_wh = s->demand[i];
        int64_t *quota = &s->quota[s->quota_of[i]];
        if (*quota <= 0 || o->demand_wh == 0) continue;
        int64_t len = q[i].end - q[i].start;
        int64_t cap = (int64_t)((i128)p->charger_power_w * len / 3600);
        size_t cand[MAX_EV], nc = 0;
        int64_t g[MAX_EV], sum = 0;
        for (size_t a = 0; a < m; a++) {
            size_t k = ev_order[a];
            if (used[k] || v[k].start > q[i].start || v[k].end < q[i].end) continue;
            int64_t gk = rp[k] < cap ? rp[k] : cap;
            if (gk == 0) continue;
            cand[nc] = k;
            g[nc++] = gk;
            sum += gk;
        }
        if (sum < o->demand_wh) continue;
        int64_t remaining = o->demand_wh;
        int taken[MAX_EV] = {0};
        while (remaining > 0) {
            long largest = -1, fit = -1;
            for (size_t c = 0; c < nc; c++) {
                if (taken[c]) continue;
                if (largest < 0 || g[c] > g[largest]) largest = (long)c;
                if (g[c] >= remaining && (fit < 0 || g[c] < g[fit] ||
                                          (p->strategy == V2G_SRET_DOUBLE_BEST_FIT && g[c] == g[fit] &&
                                           rp[cand[c]] < rp[cand[fit]])))
                    fit = (long)c;
            }
            long pick = fit >= 0 ? fit : largest;
            int64_t give = g[pick] < remaining ? g[pick] : remaining;
            taken[pick] = 1;
            size_t k = cand[pick];
            used[k] = 1;
            rp[k] -= give;
            r->alloc[r->n_alloc++] = (v2g_sret_allocation){(int64_t)i, (int64_t)k, give, q[i].start, q[i].end};
            remaining -= give;
        }
        o->allocated_wh = o->demand_wh;
        o->fulfilled = 1;
        (*quota)--;
    }
}

/* F(t) = floor(D (t - a) / T) */
static int64_t worth_to(int64_t d, int64_t a, int64_t len, int64_t t) {
    i128 num = (i128)d * ((i128)t - a);
    i128 qq = num / len;
    if (num % len != 0 && num < 0) qq--;
    return (int64_t)qq;
}

/*
 * All or nothing, checked by its consequence: a request that ends unmet leaves no trace, so the fulfilled
 * requests alone must get exactly the same allocations. Only when every exchange factor is 10^6 (then each
 * exchange's quota is its number of kept requests, which never binds once only fulfilled ones remain).
 */
static void check_without_unmet(const v2g_sret_params *p, const v2g_sret_request *q, size_t n, const v2g_sret_ev *v,
                                size_t m, const v2g_ret_exchange *x, size_t e, const v2g_ret_outcome *out,
                                size_t n_out, const v2g_sret_allocation *alloc, size_t n_alloc, size_t alloc_cap) {
    for (size_t t = 0; t < e; t++)
        if (x[t].penalty_ppm != V2G_PPM_ONE) return;
    int keep[MAX_REQ] = {0};
    size_t orig[MAX_REQ], k = 0;
    for (size_t t = 0; t < n_out; t++)
        if (out[t].fulfilled) keep[out[t].request] = 1;
    v2g_sret_request *sub = fz_calloc(n, sizeof *sub);
    for (size_t i = 0; i < n; i++)
        if (keep[i]) { sub[k] = q[i]; orig[k++] = i; }
    size_t need = v2g_sret_workspace_size(k, m, e, p->interval_capacity);
    if (need == 0 || need > FZ_MAX_WORKSPACE) { free(sub); return; }
    fz_buf ws = fz_alloc(need, 3, 0x11);
    v2g_sret_allocation *alloc2 = fz_calloc(alloc_cap, sizeof *alloc2);
    v2g_ret_outcome *out2 = fz_calloc(k, sizeof *out2);
    size_t na2 = 0, no2 = 0;
    v2g_status st = v2g_sret_allocate(p, sub, k, v, m, x, e, alloc2, alloc_cap, &na2, out2, &no2, NULL, ws.ptr, need);
    if (st != V2G_E_WORKSPACE) { /* a smaller problem may still exhaust the same interval pool differently */
        FZ_CHECK_MSG(st == V2G_OK, "fulfilled requests alone: status %d (%s)", st, v2g_strerror(st));
        FZ_CHECK_MSG(no2 == k, "fulfilled requests alone: %zu outcomes of %zu", no2, k);
        size_t j = 0;
        for (size_t t = 0; t < n_out; t++) {
            if (!out[t].fulfilled) continue;
            FZ_CHECK_MSG(out2[j].fulfilled && (int64_t)orig[out2[j].request] == out[t].request &&
                             out2[j].demand_wh == out[t].demand_wh,
                         "fulfilled requests alone: outcome %zu is request %lld (fulfilled %d), was %lld", j,
                         (long long)orig[out2[j].request], out2[j].fulfilled, (long long)out[t].request);
            j++;
        }
        FZ_CHECK_MSG(na2 == n_alloc, "fulfilled requests alone: %zu allocations, with the unmet ones %zu", na2, n_alloc);
        for (size_t a = 0; a < n_alloc; a++)
            FZ_CHECK_MSG((int64_t)orig[alloc2[a].request] == alloc[a].request && alloc2[a].ev == alloc[a].ev &&
                             alloc2[a].energy_wh == alloc[a].energy_wh && alloc2[a].start == alloc[a].start &&
                             alloc2[a].end == alloc[a].end,
                         "fulfilled requests alone: allocation %zu is (req %lld, ev %lld, %lld Wh, [%lld, %lld)), "
                         "was (req %lld, ev %lld, %lld Wh, [%lld, %lld))",
                         a, (long long)orig[alloc2[a].request], (long long)alloc2[a].ev, (long long)alloc2[a].energy_wh,
                         (long long)alloc2[a].start, (long long)alloc2[a].end, (long long)alloc[a].request,
                         (long long)alloc[a].ev, (long long)alloc[a].energy_wh, (long long)alloc[a].start,
                         (long long)alloc[a].end);
    }
    fz_free(&ws);
    free(alloc2);
    free(out2);
    free(sub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz r = fz_init(data, size);
    size_t n = fz_count(&r, MAX_REQ), m = fz_count(&r, MAX_EV), e = fz_count(&r, MAX_EX);
    uint8_t mode = fz_u8(&r);
    unsigned ws_offset = fz_u8(&r);
    v2g_sret_params p;
    memset(&p, 0, sizeof p);
    p.strategy = (mode & M_RAW_STRATEGY) ? (int32_t)fz_ppm(&r) : (int32_t)(fz_u8(&r) % 4);
    p.reserved = (mode & M_RESERVED) ? (int32_t)fz_u8(&r) : 0;
    p.charger_power_w = (mode & M_READ_POWER) ? fz_i64(&r) : V2G_SRET_MAX_POWER_W;
    p.interval_capacity = (mode & M_INTERVALS) ? (uint64_t)fz_i64(&r) : V2G_SRET_INTERVALS(n, m);
    const int dbl = p.strategy == V2G_SRET_DOUBLE || p.strategy == V2G_SRET_DOUBLE_BEST_FIT;
    size_t generous = dbl ? m : (size_t)(8 * (n + m) + 64);
    size_t alloc_cap = (mode & M_ALLOC_CAP) ? fz_count(&r, 255) : generous;

    v2g_sret_request *q = fz_calloc(n, sizeof *q);
    v2g_sret_ev *v = fz_calloc(m, sizeof *v);
    v2g_ret_exchange *x = fz_calloc(e, sizeof *x);
    for (size_t i = 0; i < n; i++) {
        v2g_ret_request *b = &q[i].base;
        b->exchange = fz_id(&r);
        b->consumer = fz_id(&r);
        b->bid = fz_i64(&r);
        b->submitted_at = fz_i64(&r);
        b->energy_wh = fz_i64(&r);
        b->penalty_ppm = (mode & M_PENALTY) ? fz_ppm(&r) : V2G_PPM_ONE;
        b->reserved = (mode & M_RESERVED) ? (int32_t)fz_u8(&r) : 0;
        q[i].start = fz_i64(&r);
        q[i].end = sat_add(q[i].start, fz_i64(&r));
    }
    for (size_t k = 0; k < m; k++) {
        v[k].ev = fz_id(&r);
        v[k].energy_wh = fz_i64(&r);
        v[k].start = fz_i64(&r);
        v[k].end = sat_add(v[k].start, fz_i64(&r));
    }
    for (size_t t = 0; t < e; t++) {
        x[t].exchange = fz_id(&r);
        x[t].penalty_ppm = fz_ppm(&r);
        x[t].reserved = (mode & M_RESERVED) ? (int32_t)fz_u8(&r) : 0;
    }

    /* The expected status. */
    fz_status_set expect = 0;
    int params_ok = 1;
    if (p.strategy < 0 || p.strategy > V2G_SRET_DOUBLE_BEST_FIT || p.reserved != 0) { expect |= FZ_BIT(V2G_E_INVALID); params_ok = 0; }
    if (p.charger_power_w < 0) { expect |= FZ_BIT(V2G_E_NEGATIVE); params_ok = 0; }
    if (p.charger_power_w > V2G_SRET_MAX_POWER_W) { expect |= FZ_BIT(V2G_E_RANGE); params_ok = 0; }
    fz_status_set req_err[MAX_REQ], ev_err[MAX_EV];
    int ids_ok = 1;
    for (size_t i = 0; i < n; i++) {
        req_err[i] = request_errors(&q[i], params_ok ? p.charger_power_w : -1);
        expect |= req_err[i];
        if (!fz_id_valid(q[i].base.exchange) || !fz_id_valid(q[i].base.consumer)) ids_ok = 0;
    }
    for (size_t k = 0; k < m; k++) {
        ev_err[k] = ev_errors(&v[k]);
        expect |= ev_err[k];
        if (!fz_id_valid(v[k].ev)) ids_ok = 0;
    }
    for (size_t t = 0; t < e; t++) {
        if (!fz_id_valid(x[t].exchange)) { expect |= FZ_BIT(V2G_E_NULL); ids_ok = 0; }
        if (x[t].penalty_ppm < 0 || x[t].penalty_ppm > V2G_PPM_ONE) expect |= FZ_BIT(V2G_E_RANGE);
        if (x[t].reserved != 0) expect |= FZ_BIT(V2G_E_INVALID);
    }
    if (ids_ok) {
        for (size_t a = 0; a < m; a++)
            for (size_t b = a + 1; b < m; b++)
                if (fz_id_cmp(v[a].ev, v[b].ev) == 0) expect |= FZ_BIT(V2G_E_DUPLICATE);
        for (size_t a = 0; a < e; a++)
            for (size_t b = a + 1; b < e; b++)
                if (fz_id_cmp(x[a].exchange, x[b].exchange) == 0) expect |= FZ_BIT(V2G_E_DUPLICATE);
    }
    int inputs_ok = expect == 0;

    size_t need = v2g_sret_workspace_size(n, m, e, p.interval_capacity);
    size_t give = need;
    void *ws_ptr = NULL;
    fz_buf ws = {NULL, NULL, 0};
    if (need == 0) {
        FZ_CHECK(p.interval_capacity > (uint64_t)INT32_MAX); /* the only overflow possible at these counts */
        expect |= FZ_BIT(V2G_E_OVERFLOW);
        give = 0;
    } else if (need > FZ_MAX_WORKSPACE) {
        expect |= FZ_BIT(V2G_E_WORKSPACE);
        give = 0;
    } else {
        if (mode & M_SMALL_WS) { give = need - 1; expect |= FZ_BIT(V2G_E_WORKSPACE); }
        ws = fz_alloc(give, ws_offset, (mode & M_FILL) ? 0x5A : 0x00);
        ws_ptr = ws.ptr;
    }
    /* Runtime capacities: the interval pool (single strategies) and the allocation array. */
    int runtime_ws_allowed = !dbl || alloc_cap < m;
    if (runtime_ws_allowed) expect |= FZ_BIT(V2G_E_WORKSPACE);

    v2g_sret_allocation *alloc = fz_calloc(alloc_cap, sizeof *alloc);
    v2g_ret_outcome *out = fz_calloc(n, sizeof *out);
    size_t n_alloc = (size_t)-1, n_out = (size_t)-1;
    v2g_where where = {77, 77, 77};
    v2g_status st = v2g_sret_allocate(&p, q, n, v, m, x, e, alloc, alloc_cap, &n_alloc, out, &n_out, &where,
                                      ws_ptr, give);
    FZ_NOTE(dbl ? "v2g_sret_allocate double" : "v2g_sret_allocate single", st);

    if (inputs_ok && need != 0 && need <= FZ_MAX_WORKSPACE && !(mode & M_SMALL_WS) && !runtime_ws_allowed)
        FZ_CHECK_MSG(st == V2G_OK, "status %d (%s) on valid input", st, v2g_strerror(st));
    if (st != V2G_OK) {
        FZ_CHECK_MSG(expect & FZ_BIT(st), "status %d (%s), expected mask 0x%x (where %d, %lld)", st,
                     v2g_strerror(st), (unsigned)expect, where.list, (long long)where.index);
        FZ_CHECK_MSG(where.list >= V2G_WHERE_NONE && where.list <= V2G_WHERE_ALLOCATIONS, "where.list %d", where.list);
        if (where.list == V2G_WHERE_REQUESTS && where.index >= 0) {
            FZ_CHECK((size_t)where.index < n);
            FZ_CHECK_MSG(req_err[where.index] & FZ_BIT(st), "where names request %lld, which has no error %d",
                         (long long)where.index, st);
        }
        if (where.list == V2G_WHERE_EVS && where.index >= 0) {
            FZ_CHECK((size_t)where.index < m);
            FZ_CHECK_MSG(ev_err[where.index] & FZ_BIT(st), "where names EV %lld, which has no error %d",
                         (long long)where.index, st);
        }
        if (where.list == V2G_WHERE_INTERVALS || where.list == V2G_WHERE_ALLOCATIONS) {
            FZ_CHECK(st == V2G_E_WORKSPACE);
            FZ_CHECK(inputs_ok);
            if (where.list == V2G_WHERE_INTERVALS) FZ_CHECK(!dbl);
        }
    } else {
        FZ_CHECK_MSG(inputs_ok, "V2G_OK on invalid input (expected mask 0x%x)", (unsigned)expect);
        FZ_CHECK(n_alloc <= alloc_cap);
        FZ_CHECK(n_out <= n);
        static stage s;
        run_stage(q, n, x, e, &s);
        FZ_CHECK_MSG(n_out == s.nk, "outcomes %zu, kept %zu", n_out, s.nk);
        int seen[MAX_REQ] = {0};
        int64_t got[MAX_REQ] = {0}, ev_got[MAX_EV] = {0};
        int ev_uses[MAX_EV] = {0};
        for (size_t t = 0; t < n_out; t++) {
            const v2g_ret_outcome *o = &out[t];
            FZ_CHECK_MSG(o->request == (int64_t)s.ord[t], "outcome %zu is request %lld, expected %zu", t,
                         (long long)o->request, s.ord[t]);
            seen[o->request] = 1;
            FZ_CHECK(o->demand_wh == s.demand[o->request]);
            FZ_CHECK(o->fulfilled == 0 || o->fulfilled == 1);
            FZ_CHECK(o->allocated_wh == (o->fulfilled ? o->demand_wh : 0));
            if (o->fulfilled) FZ_CHECK(o->demand_wh > 0);
        }
        for (size_t a = 0; a < n_alloc; a++) {
            const v2g_sret_allocation *al = &alloc[a];
            FZ_CHECK(al->request >= 0 && (size_t)al->request < n && seen[al->request]);
            FZ_CHECK(al->ev >= 0 && (size_t)al->ev < m);
            FZ_CHECK(al->energy_wh > 0);
            FZ_CHECK(al->start < al->end);
            const v2g_sret_request *rq = &q[al->request];
            const v2g_sret_ev *ev = &v[al->ev];
            FZ_CHECK(al->start >= rq->start && al->end <= rq->end);
            FZ_CHECK(al->start >= ev->start && al->end <= ev->end);
            got[al->request] += al->energy_wh;
            ev_got[al->ev] += al->energy_wh;
            ev_uses[al->ev]++;
            if (dbl) {
                FZ_CHECK(al->start == rq->start && al->end == rq->end);
                FZ_CHECK(ev_uses[al->ev] == 1);
                int64_t cap = (int64_t)((i128)p.charger_power_w * (rq->end - rq->start) / 3600);
                FZ_CHECK(al->energy_wh <= cap);
            } else {
                int64_t d = s.demand[al->request], len = rq->end - rq->start;
                int64_t w = worth_to(d, rq->start, len, al->end) - worth_to(d, rq->start, len, al->start);
                FZ_CHECK_MSG(al->energy_wh == w, "piece [%lld, %lld) of request %lld has %lld Wh, worth %lld",
                             (long long)al->start, (long long)al->end, (long long)al->request,
                             (long long)al->energy_wh, (long long)w);
                for (size_t b = 0; b < a; b++) {
                    const v2g_sret_allocation *o2 = &alloc[b];
                    int overlap = o2->start < al->end && al->start < o2->end;
                    FZ_CHECK_MSG(!(overlap && o2->ev == al->ev), "EV %lld gives [%lld, %lld) twice",
                                 (long long)al->ev, (long long)al->start, (long long)al->end);
                    FZ_CHECK(!(overlap && o2->request == al->request));
                }
            }
        }
        for (size_t k = 0; k < m; k++) FZ_CHECK_MSG(ev_got[k] <= v[k].energy_wh, "EV %zu gives %lld of %lld", k,
                                                  (long long)ev_got[k], (long long)v[k].energy_wh);
        for (size_t t = 0; t < n_out; t++)
            FZ_CHECK_MSG(got[out[t].request] == out[t].allocated_wh, "request %lld: pieces %lld, outcome %lld",
                         (long long)out[t].request, (long long)got[out[t].request], (long long)out[t].allocated_wh);
        /* Quotas: per exchange, fulfilled <= floor(n_x * factor / 10^6). */
        for (size_t t = 0; t < n_out; t++)
            if (out[t].fulfilled) s.quota[s.quota_of[out[t].request]]--;
        for (size_t i = 0; i < n; i++)
            if (seen[i]) FZ_CHECK_MSG(s.quota[s.quota_of[i]] >= 0, "request %zu's exchange is over its quota", i);

        if (dbl) {
            static ref_out ref;
            static stage s3;
            run_stage(q, n, x, e, &s3);
            reference_double(&p, q, v, m, &s3, &ref);
            for (size_t t = 0; t < n_out; t++)
                FZ_CHECK_MSG(out[t].fulfilled == ref.out[t].fulfilled, "outcome %zu (request %lld): fulfilled %d, reference %d",
                             t, (long long)out[t].request, out[t].fulfilled, ref.out[t].fulfilled);
            FZ_CHECK_MSG(n_alloc == ref.n_alloc, "allocations %zu, reference %zu", n_alloc, ref.n_alloc);
            for (size_t a = 0; a < n_alloc; a++)
                FZ_CHECK_MSG(memcmp(&alloc[a], &ref.alloc[a], sizeof alloc[a]) == 0,
                             "allocation %zu: (%lld, %lld, %lld), reference (%lld, %lld, %lld)", a,
                             (long long)alloc[a].request, (long long)alloc[a].ev, (long long)alloc[a].energy_wh,
                             (long long)ref.alloc[a].request, (long long)ref.alloc[a].ev,
                             (long long)ref.alloc[a].energy_wh);
        } else if (ws_ptr) {
            /* Determinism: a second run on a workspace full of other bytes gives the same answer. */
            memset(ws.base, (mode & M_FILL) ? 0x00 : 0xC3, give + (ws_offset & 63u) + 1);
            v2g_sret_allocation *alloc2 = fz_calloc(alloc_cap, sizeof *alloc2);
            v2g_ret_outcome *out2 = fz_calloc(n, sizeof *out2);
            size_t n_alloc2 = 0, n_out2 = 0;
            v2g_status st2 = v2g_sret_allocate(&p, q, n, v, m, x, e, alloc2, alloc_cap, &n_alloc2, out2, &n_out2,
                                               NULL, ws_ptr, give);
            FZ_CHECK(st2 == V2G_OK && n_alloc2 == n_alloc && n_out2 == n_out);
            FZ_CHECK(n_alloc == 0 || memcmp(alloc, alloc2, n_alloc * sizeof *alloc) == 0);
            FZ_CHECK(n_out == 0 || memcmp(out, out2, n_out * sizeof *out) == 0);
            free(alloc2);
            free(out2);
        }
        check_without_unmet(&p, q, n, v, m, x, e, out, n_out, alloc, n_alloc, alloc_cap);
    }
    if (ws.base) fz_free(&ws);
    free(alloc);
    free(out);
    free(q);
    free(v);
    free(x);
    return 0;
}
