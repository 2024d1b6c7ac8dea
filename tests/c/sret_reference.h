/*
 * sret_reference.h - a plain SRET written from [T] §6.2 and SPEC §3.5, second by second.
 *
 * Free time and uncovered time are boolean arrays over a small horizon
 * (every time in the tests lies in [0, REF_HORIZON)), candidates are
 * rescanned from scratch, scores compare in 128 bits (ref_wide.h): nothing is shared
 * with the interval lists, radix sorts and 128-bit helpers of the fast path.
 */
#ifndef V2G_SRET_REFERENCE_H
#define V2G_SRET_REFERENCE_H

#include "ret_reference.h"
#include "v2g/v2g_sret.h"

#define REF_HORIZON 128
#define REF_MAX_EVS 64
#define REF_MAX_REQUESTS 128

typedef struct ref_sret_state {
    const v2g_sret_request *req;
    const int64_t *demand;
} ref_sret_state;

/* SPEC §3.5 request order: bid descending, demand descending, earlier submission, exchange ID, consumer ID. */
static inline int ref_sret_before(const ref_sret_state *s, size_t x, size_t y) {
    const v2g_ret_request *a = &s->req[x].base, *b = &s->req[y].base;
    if (a->bid != b->bid) return a->bid > b->bid;
    if (s->demand[x] != s->demand[y]) return s->demand[x] > s->demand[y];
    if (a->submitted_at != b->submitted_at) return a->submitted_at < b->submitted_at;
    int c = ref_id_cmp(a->exchange, b->exchange);
    if (c != 0) return c < 0;
    return ref_id_cmp(a->consumer, b->consumer) < 0;
}

/* The worth of [a, t) for a request drawing D evenly over [a, a + T). */
static inline int64_t ref_worth(int64_t d, int64_t a, int64_t t_len, int64_t t) { return d * (t - a) / t_len; }

typedef struct ref_world {
    int free[REF_MAX_EVS][REF_HORIZON];
    int64_t rp[REF_MAX_EVS];
    int used[REF_MAX_EVS];
} ref_world;

static inline v2g_status ref_sret(int strategy, const v2g_sret_request *req, size_t n, const v2g_sret_ev *ev, size_t m,
                           const v2g_ret_exchange *ex, size_t e, int64_t pc,
                           v2g_sret_allocation *alloc, size_t *n_alloc, v2g_ret_outcome *out, size_t *n_out) {
    for (size_t a = 0; a < m; a++)
        for (size_t b = a + 1; b < m; b++)
            if (ref_id_cmp(ev[a].ev, ev[b].ev) == 0) return V2G_E_DUPLICATE;
    v2g_ret_request base[REF_MAX_REQUESTS];
    for (size_t i = 0; i < n; i++) base[i] = req[i].base;
    size_t list[REF_MAX_REQUESTS], home[REF_MAX_REQUESTS];
    int64_t demand[REF_MAX_REQUESTS], quota[REF_MAX_REQUESTS];
    size_t kept = ref_robust(base, n, ex, e, list, demand, quota, home);
    ref_sret_state st = {req, demand};
    for (size_t x = 1; x < kept; x++) {
        size_t v = list[x], y = x;
        while (y > 0 && ref_sret_before(&st, v, list[y - 1])) { list[y] = list[y - 1]; y--; }
        list[y] = v;
    }
    /* EVs by RP descending, ties by ID (insertion sort). */
    size_t evo[REF_MAX_EVS];
    for (size_t k = 0; k < m; k++) {
        size_t y = k;
        while (y > 0 && (ev[k].energy_wh > ev[evo[y - 1]].energy_wh ||
                         (ev[k].energy_wh == ev[evo[y - 1]].energy_wh && ref_id_cmp(ev[k].ev, ev[evo[y - 1]].ev) < 0))) {
            evo[y] = evo[y - 1]; y--;
        }
        evo[y] = k;
    }
    static ref_world w;
    memset(&w, 0, sizeof w);
    for (size_t k = 0; k < m; k++) {
        w.rp[k] = ev[k].energy_wh;
        for (int64_t t = ev[k].start; t < ev[k].end; t++) w.free[k][t] = 1;
    }
    size_t na = 0;
    for (size_t x = 0; x < kept; x++) {
        size_t p = list[x];
        const v2g_sret_request *q = &req[p];
        v2g_ret_outcome *o = &out[x];
        memset(o, 0, sizeof *o);
        o->request = (int64_t)p;
        o->demand_wh = demand[p];
        if (quota[home[p]] <= 0 || demand[p] == 0) continue;
        int64_t a = q->start, b = q->end, len = b - a, d = demand[p];
        static ref_world saved;
        saved = w;
        size_t mark = na;
        int done = 0;
        if (strategy == V2G_SRET_DOUBLE || strategy == V2G_SRET_DOUBLE_BEST_FIT) {
            /* §6.2.2: EVs whose window holds [a, b); each gives min(RP, P_c (b - a)). */
            int64_t cap = pc * len / 3600, sum = 0;
            for (size_t k = 0; k < m; k++)
                if (!w.used[k] && ev[k].start <= a && ev[k].end >= b) sum += w.rp[k] < cap ? w.rp[k] : cap;
            int64_t rem = d;
            if (sum >= d) {
                while (rem > 0) {
                    /* If something covers the rest: the smallest g, first in EV order (best fit: then the
                       smallest RP, first in EV order); else the largest g, first in EV order. */
                    size_t pick = m, largest = m;
                    int64_t pick_g = 0, largest_g = 0;
                    for (size_t y = 0; y < m; y++) {
                        size_t k = evo[y];
                        if (w.used[k] || ev[k].start > a || ev[k].end < b) continue;
                        int64_t g = w.rp[k] < cap ? w.rp[k] : cap;
                        if (g == 0) continue;
                        if (largest == m || g > largest_g) { largest = k; largest_g = g; }
                        if (g >= rem && (pick == m || g < pick_g ||
                                         (strategy == V2G_SRET_DOUBLE_BEST_FIT && g == pick_g && w.rp[k] < w.rp[pick]))) {
                            pick = k;
                            pick_g = g;
                        }
                    }
                    size_t k = pick != m ? pick : largest;
                    int64_t g = pick != m ? pick_g : largest_g;
                    int64_t give = g < rem ? g : rem;
                    alloc[na++] = (v2g_sret_allocation){(int64_t)p, (int64_t)k, give, a, b};
                    w.used[k] = 1;
                    w.rp[k] -= give;
                    rem -= give;
                }
                done = 1;
            }
        } else {
            int unc[REF_HORIZON] = {0};
            for (int64_t t = a; t < b; t++) unc[t] = 1;
            int in_list[REF_MAX_EVS] = {0};
            int64_t sum = 0;
            for (size_t k = 0; k < m; k++) {
                int64_t worth = 0;
                for (int64_t t = a; t < b; t++)
                    if (w.free[k][t]) worth += ref_worth(d, a, len, t + 1) - ref_worth(d, a, len, t);
                if (w.rp[k] > 0 && worth > 0) {
                    in_list[k] = 1;
                    sum += worth < w.rp[k] ? worth : w.rp[k];
                }
            }
            int64_t rem = d;
            if (sum >= rem) {
                for (;;) {
                    if (rem == 0) { done = 1; break; }
                    /* Score every candidate that still overlaps with positive worth. */
                    size_t best = m;
                    ref_wide best_num = ref_wide_from_i64(0), best_h = ref_wide_from_i64(0);
                    for (size_t k = 0; k < m; k++) {
                        if (!in_list[k]) continue;
                        int64_t tk = 0, tki = 0, wki = 0;
                        for (int64_t t = 0; t < REF_HORIZON; t++) tk += w.free[k][t];
                        for (int64_t t = a; t < b; t++)
                            if (w.free[k][t] && unc[t]) { tki++; wki += ref_worth(d, a, len, t + 1) - ref_worth(d, a, len, t); }
                        if (wki == 0) { in_list[k] = 0; continue; }
                        const ref_wide zero = ref_wide_from_i64(0);
                        const ref_wide hk_e = ref_wide_min(ref_wide_mul(ref_wide_from_i64(w.rp[k]), ref_wide_from_i64(3600)),
                                                           ref_wide_mul(ref_wide_from_i64(pc), ref_wide_from_i64(tk)));
                        const ref_wide hk = ref_wide_mul(hk_e, ref_wide_from_i64(tk));
                        ref_wide rest = ref_wide_mul(ref_wide_from_i64(w.rp[k] - wki), ref_wide_from_i64(3600));
                        rest = ref_wide_min(rest, ref_wide_mul(ref_wide_from_i64(pc), ref_wide_from_i64(tk - tki)));
                        if (ref_wide_cmp(rest, zero) < 0) rest = zero;
                        const ref_wide num = ref_wide_sub(hk, ref_wide_mul(rest, ref_wide_from_i64(tk - tki)));
                        int wins;
                        if (best == m) wins = 1;
                        else if (strategy == V2G_SRET_SINGLE_ENERGY) {
                            const int c = ref_wide_cmp(ref_wide_mul(num, best_h), ref_wide_mul(best_num, hk));
                            wins = c > 0 || (c == 0 && ref_id_cmp(ev[k].ev, ev[best].ev) < 0);
                        } else {
                            const int c = ref_wide_cmp(num, best_num);
                            wins = c > 0 || (c == 0 && ref_id_cmp(ev[k].ev, ev[best].ev) < 0);
                        }
                        if (wins) { best = k; best_num = num; best_h = hk; }
                    }
                    if (best == m) break;
                    in_list[best] = 0;
                    /* Cover maximal runs of free-and-uncovered seconds in time order, as RP allows. */
                    int64_t left = w.rp[best];
                    for (int64_t t = a; t < b;) {
                        if (!(w.free[best][t] && unc[t])) { t++; continue; }
                        int64_t x0 = t, y0 = t;
                        while (y0 < b && w.free[best][y0] && unc[y0]) y0++;
                        t = y0;
                        int64_t worth = ref_worth(d, a, len, y0) - ref_worth(d, a, len, x0);
                        if (worth == 0) continue;
                        int stop = 0;
                        if (worth > left) {
                            int64_t y1 = x0;
                            while (y1 < y0 && ref_worth(d, a, len, y1 + 1) - ref_worth(d, a, len, x0) <= left) y1++;
                            y0 = y1;
                            worth = ref_worth(d, a, len, y0) - ref_worth(d, a, len, x0);
                            stop = 1;
                        }
                        if (worth > 0) {
                            for (int64_t s = x0; s < y0; s++) { w.free[best][s] = 0; unc[s] = 0; }
                            alloc[na++] = (v2g_sret_allocation){(int64_t)p, (int64_t)best, worth, x0, y0};
                            left -= worth;
                            w.rp[best] -= worth;
                            rem -= worth;
                        }
                        if (stop) break;
                    }
                }
            }
        }
        if (done) {
            o->allocated_wh = d;
            o->fulfilled = 1;
            quota[home[p]]--;
        } else {
            w = saved;
            na = mark;
        }
    }
    *n_alloc = na;
    *n_out = kept;
    return V2G_OK;
}

#endif /* V2G_SRET_REFERENCE_H */
