/*
 * fuzz_ret.c - v2g_ret_allocate (v2g_ret.h) against a direct re-implementation of the header's rules.
 *
 * Input: n requests, k offers, e exchange-table entries (each bounded), a mode byte, then the items.
 * The harness predicts the status from the documented validation rules, and on V2G_OK compares
 * every outcome and allocation with a reference written from the six steps in v2g_ret.h, then
 * checks the plain invariants (indices in range, each offer used once, energies within offers and
 * demands, quotas respected).
 */
#include "fuzz_input.h"

#define MAX_REQ 64
#define MAX_OFF 64
#define MAX_EX 8

enum {
    M_READ_W = 1,        /* read W, else V2G_UNLIMITED */
    M_RESERVED = 2,      /* read reserved fields (non-zero is invalid) */
    M_PENALTY = 4,       /* read per-request penalty factors, else V2G_PPM_ONE */
    M_SMALL_WS = 8,      /* pass one byte less than asked */
    M_NULL_WS = 16,      /* pass no workspace */
    M_FILL = 32,         /* workspace starts as 0xA5 bytes, else 0x00 */
};

typedef unsigned __int128 u128;

typedef struct ref_out {
    size_t kept;
    v2g_ret_outcome out[MAX_REQ];
    size_t n_alloc;
    v2g_ret_allocation alloc[MAX_OFF];
} ref_out;

static int same_pair(const v2g_ret_request *a, const v2g_ret_request *b) {
    return fz_id_cmp(a->exchange, b->exchange) == 0 && fz_id_cmp(a->consumer, b->consumer) == 0;
}

static int64_t scale_ppm(int64_t x, int32_t ppm) { return (int64_t)(((u128)(uint64_t)x * (uint32_t)ppm) / 1000000u); }

/* a goes before b in step 3's order. */
static int before(const v2g_ret_request *q, const int64_t *demand, size_t a, size_t b) {
    u128 pa = (u128)(uint64_t)q[a].bid * (uint64_t)demand[a], pb = (u128)(uint64_t)q[b].bid * (uint64_t)demand[b];
    if (pa != pb) return pa > pb;
    if (q[a].submitted_at != q[b].submitted_at) return q[a].submitted_at < q[b].submitted_at;
    int c = fz_id_cmp(q[a].exchange, q[b].exchange);
    if (c != 0) return c < 0;
    return fz_id_cmp(q[a].consumer, q[b].consumer) < 0;
}

static void reference(const v2g_ret_request *q, size_t n, const v2g_ret_offer *o, size_t k,
                      const v2g_ret_exchange *x, size_t e, int64_t w, ref_out *r) {
    size_t kept[MAX_REQ], nk = 0;
    int64_t demand[MAX_REQ];
    for (size_t i = 0; i < n; i++) {
        int superseded = 0;
        for (size_t j = 0; j < n && !superseded; j++)
            if (j != i && same_pair(&q[i], &q[j]) &&
                (q[j].submitted_at > q[i].submitted_at || (q[j].submitted_at == q[i].submitted_at && j > i)))
                superseded = 1;
        demand[i] = scale_ppm(q[i].energy_wh, q[i].penalty_ppm);
        if (!superseded) kept[nk++] = i;
    }
    /* Quotas per exchange: floor(n_x * factor / 10^6). */
    int64_t quota[MAX_REQ];
    for (size_t a = 0; a < nk; a++) {
        int64_t nx = 0;
        for (size_t b = 0; b < nk; b++) nx += fz_id_cmp(q[kept[a]].exchange, q[kept[b]].exchange) == 0;
        int32_t factor = V2G_PPM_ONE;
        for (size_t t = 0; t < e; t++)
            if (fz_id_cmp(x[t].exchange, q[kept[a]].exchange) == 0) factor = x[t].penalty_ppm;
        quota[a] = scale_ppm(nx, factor);
    }
    /* Step 3 order (insertion sort: stable, and the order is total anyway). */
    size_t ord[MAX_REQ];
    for (size_t a = 0; a < nk; a++) {
        size_t t = a;
        while (t > 0 && before(q, demand, kept[a], kept[ord[t - 1]])) { ord[t] = ord[t - 1]; t--; }
        ord[t] = a;
    }
    int used[MAX_OFF] = {0};
    int64_t cap[MAX_OFF];
    for (size_t j = 0; j < k; j++) cap[j] = o[j].energy_wh < w ? o[j].energy_wh : w;
    r->kept = nk;
    r->n_alloc = 0;
    for (size_t t = 0; t < nk; t++) {
        size_t a = ord[t], i = kept[a];
        v2g_ret_outcome *out = &r->out[t];
        memset(out, 0, sizeof *out);
        out->request = (int64_t)i;
        out->demand_wh = demand[i];
        /* the quota is shared by every kept request of the exchange: use the first one's copy */
        int64_t *qa = NULL;
        for (size_t b = 0; b < nk; b++)
            if (fz_id_cmp(q[kept[b]].exchange, q[i].exchange) == 0) { qa = &quota[b]; break; }
        if (*qa <= 0 || demand[i] == 0) continue;
        int64_t remaining = demand[i];
        while (remaining > 0) {
            long best_cover = -1, largest = -1;
            for (size_t j = 0; j < k; j++) {
                if (used[j] || cap[j] <= 0) continue;
                if (cap[j] >= remaining &&
                    (best_cover < 0 || cap[j] < cap[best_cover] ||
                     (cap[j] == cap[best_cover] && fz_id_cmp(o[j].ev, o[best_cover].ev) < 0)))
                    best_cover = (long)j;
                if (largest < 0 || cap[j] > cap[largest] ||
                    (cap[j] == cap[largest] && fz_id_cmp(o[j].ev, o[largest].ev) < 0))
                    largest = (long)j;
            }
            if (largest < 0) break;
            long pick = best_cover >= 0 ? best_cover : largest;
            int64_t give = best_cover >= 0 ? remaining : cap[largest];
            used[pick] = 1;
            r->alloc[r->n_alloc++] = (v2g_ret_allocation){(int64_t)i, (int64_t)pick, give};
            remaining -= give;
            out->allocated_wh += give;
        }
        if (remaining == 0) {
            out->fulfilled = 1;
            (*qa)--;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz r = fz_init(data, size);
    size_t n = fz_count(&r, MAX_REQ), k = fz_count(&r, MAX_OFF), e = fz_count(&r, MAX_EX);
    uint8_t mode = fz_u8(&r);
    unsigned ws_offset = fz_u8(&r);
    int64_t w = (mode & M_READ_W) ? fz_i64(&r) : V2G_UNLIMITED;

    v2g_ret_request *q = fz_calloc(n, sizeof *q);
    v2g_ret_offer *o = fz_calloc(k, sizeof *o);
    v2g_ret_exchange *x = fz_calloc(e, sizeof *x);
    fz_status_set expect = 0;
    int ids_ok = 1;
    if (w < 0) expect |= FZ_BIT(V2G_E_NEGATIVE);
    for (size_t i = 0; i < n; i++) {
        q[i].exchange = fz_id(&r);
        q[i].consumer = fz_id(&r);
        q[i].bid = fz_i64(&r);
        q[i].submitted_at = fz_i64(&r);
        q[i].energy_wh = fz_i64(&r);
        q[i].penalty_ppm = (mode & M_PENALTY) ? fz_ppm(&r) : V2G_PPM_ONE;
        q[i].reserved = (mode & M_RESERVED) ? (int32_t)fz_u8(&r) : 0;
        if (!fz_id_valid(q[i].exchange) || !fz_id_valid(q[i].consumer)) { expect |= FZ_BIT(V2G_E_NULL); ids_ok = 0; }
        if (q[i].bid < 0 || q[i].energy_wh < 0) expect |= FZ_BIT(V2G_E_NEGATIVE);
        if (q[i].penalty_ppm < 0 || q[i].penalty_ppm > V2G_PPM_ONE) expect |= FZ_BIT(V2G_E_RANGE);
        if (q[i].reserved != 0) expect |= FZ_BIT(V2G_E_INVALID);
    }
    for (size_t j = 0; j < k; j++) {
        o[j].ev = fz_id(&r);
        o[j].energy_wh = fz_i64(&r);
        if (!fz_id_valid(o[j].ev)) { expect |= FZ_BIT(V2G_E_NULL); ids_ok = 0; }
        if (o[j].energy_wh < 0) expect |= FZ_BIT(V2G_E_NEGATIVE);
    }
    for (size_t t = 0; t < e; t++) {
        x[t].exchange = fz_id(&r);
        x[t].penalty_ppm = fz_ppm(&r);
        x[t].reserved = (mode & M_RESERVED) ? (int32_t)fz_u8(&r) : 0;
        if (!fz_id_valid(x[t].exchange)) { expect |= FZ_BIT(V2G_E_NULL); ids_ok = 0; }
        if (x[t].penalty_ppm < 0 || x[t].penalty_ppm > V2G_PPM_ONE) expect |= FZ_BIT(V2G_E_RANGE);
        if (x[t].reserved != 0) expect |= FZ_BIT(V2G_E_INVALID);
    }
    /* v2g_id_compare (v2g_types.h): byte-wise, shorter prefix first. */
    for (size_t j = 1; j < k; j++)
        if (fz_id_valid(o[j - 1].ev) && fz_id_valid(o[j].ev))
            FZ_CHECK(v2g_id_compare(o[j - 1].ev, o[j].ev) == fz_id_cmp(o[j - 1].ev, o[j].ev));
    if (ids_ok) {
        for (size_t a = 0; a < k; a++)
            for (size_t b = a + 1; b < k; b++)
                if (fz_id_cmp(o[a].ev, o[b].ev) == 0) expect |= FZ_BIT(V2G_E_DUPLICATE);
        for (size_t a = 0; a < e; a++)
            for (size_t b = a + 1; b < e; b++)
                if (fz_id_cmp(x[a].exchange, x[b].exchange) == 0) expect |= FZ_BIT(V2G_E_DUPLICATE);
    }

    size_t need = v2g_ret_workspace_size(n, k, e);
    FZ_CHECK(need > 0 && need < FZ_MAX_WORKSPACE);
    size_t give = need;
    if (mode & M_SMALL_WS) { give = need - 1; expect |= FZ_BIT(V2G_E_WORKSPACE); }
    if (mode & M_NULL_WS) expect |= FZ_BIT(V2G_E_WORKSPACE);
    fz_buf ws = fz_alloc(give, ws_offset, (mode & M_FILL) ? 0xA5 : 0x00);

    v2g_ret_allocation *alloc = fz_calloc(k, sizeof *alloc);
    v2g_ret_outcome *out = fz_calloc(n, sizeof *out);
    size_t n_alloc = (size_t)-1, n_out = (size_t)-1;
    v2g_status st = v2g_ret_allocate(q, n, o, k, x, e, w, alloc, &n_alloc, out, &n_out,
                                     (mode & M_NULL_WS) ? NULL : ws.ptr, give);
    FZ_NOTE("v2g_ret_allocate", st);

    if (expect == 0) {
        FZ_CHECK_MSG(st == V2G_OK, "status %d (%s) on valid input", st, v2g_strerror(st));
    } else {
        FZ_CHECK_MSG(st != V2G_OK && (expect & FZ_BIT(st)), "status %d (%s), expected mask 0x%x", st,
                     v2g_strerror(st), (unsigned)expect);
    }
    if (st == V2G_OK) {
        /* Plain invariants. */
        FZ_CHECK(n_alloc <= k);
        FZ_CHECK(n_out <= n);
        int used[MAX_OFF] = {0}, seen[MAX_REQ] = {0};
        int64_t got[MAX_REQ] = {0};
        for (size_t a = 0; a < n_alloc; a++) {
            FZ_CHECK(alloc[a].request >= 0 && (size_t)alloc[a].request < n);
            FZ_CHECK(alloc[a].offer >= 0 && (size_t)alloc[a].offer < k);
            FZ_CHECK(!used[alloc[a].offer]);
            used[alloc[a].offer] = 1;
            FZ_CHECK(alloc[a].energy_wh > 0);
            FZ_CHECK(alloc[a].energy_wh <= o[alloc[a].offer].energy_wh && alloc[a].energy_wh <= w);
            got[alloc[a].request] += alloc[a].energy_wh;
        }
        for (size_t t = 0; t < n_out; t++) {
            const v2g_ret_outcome *u = &out[t];
            FZ_CHECK(u->request >= 0 && (size_t)u->request < n);
            FZ_CHECK(!seen[u->request]);
            seen[u->request] = 1;
            FZ_CHECK(u->demand_wh >= 0 && u->demand_wh <= q[u->request].energy_wh);
            FZ_CHECK(u->allocated_wh == got[u->request]);
            FZ_CHECK(u->allocated_wh <= u->demand_wh);
            FZ_CHECK(u->fulfilled == (u->allocated_wh == u->demand_wh && u->demand_wh > 0));
        }
        for (size_t i = 0; i < n; i++) FZ_CHECK(got[i] == 0 || seen[i]);

        /* The reference. */
        static ref_out ref;
        reference(q, n, o, k, x, e, w, &ref);
        FZ_CHECK_MSG(n_out == ref.kept, "outcomes %zu, reference %zu", n_out, ref.kept);
        for (size_t t = 0; t < n_out; t++) {
            FZ_CHECK_MSG(out[t].request == ref.out[t].request && out[t].demand_wh == ref.out[t].demand_wh &&
                             out[t].allocated_wh == ref.out[t].allocated_wh &&
                             out[t].fulfilled == ref.out[t].fulfilled,
                         "outcome %zu: request %lld demand %lld allocated %lld fulfilled %d; reference %lld %lld %lld %d",
                         t, (long long)out[t].request, (long long)out[t].demand_wh, (long long)out[t].allocated_wh,
                         out[t].fulfilled, (long long)ref.out[t].request, (long long)ref.out[t].demand_wh,
                         (long long)ref.out[t].allocated_wh, ref.out[t].fulfilled);
        }
        FZ_CHECK_MSG(n_alloc == ref.n_alloc, "allocations %zu, reference %zu", n_alloc, ref.n_alloc);
        for (size_t a = 0; a < n_alloc; a++)
            FZ_CHECK_MSG(alloc[a].request == ref.alloc[a].request && alloc[a].offer == ref.alloc[a].offer &&
                             alloc[a].energy_wh == ref.alloc[a].energy_wh,
                         "allocation %zu: (%lld, %lld, %lld), reference (%lld, %lld, %lld)", a,
                         (long long)alloc[a].request, (long long)alloc[a].offer, (long long)alloc[a].energy_wh,
                         (long long)ref.alloc[a].request, (long long)ref.alloc[a].offer,
                         (long long)ref.alloc[a].energy_wh);
    }
    fz_free(&ws);
    free(alloc);
    free(out);
    free(q);
    free(o);
    free(x);
    return 0;
}
