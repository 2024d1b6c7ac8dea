/* sret.c - SRET with double and single time boundaries (SPEC §3.5). */
#include "v2g/v2g_sret.h"

#include "id.h"
#include "int128.h"
#include "radix.h"
#include "robust.h"
#include "spans.h"
#include "workspace.h"

/* ---------------------------------------------------------------- workspace */

typedef struct undo_rec {
    uint32_t ev;
    int32_t old_free;    /* the EV's free-time list before this request touched it */
    int64_t old_rp;
    int64_t old_seconds;
} undo_rec;

typedef struct sret_arrays {
    v2g_robust robust;
    v2g_radix_rec *order, *order_tmp;
    v2g_id_rec *ids, *ids_tmp;
    uint32_t *by_id;       /* EV positions in ID order */
    uint32_t *ev_order;    /* EV positions by RP descending, ties by ID */
    uint32_t *id_rank;     /* each EV's place in ID order: the tie-break between candidates */
    int64_t *rp;           /* remaining energy */
    int32_t *free_time;    /* single: free-time list per EV */
    int64_t *free_seconds; /* single: its total length T_k */
    unsigned char *used;   /* double: used this round */
    undo_rec *undo;
    uint32_t *cand;        /* candidates of the request in hand, in EV order */
    int64_t *cand_seconds; /* T_k^i */
    int64_t *cand_worth;   /* W_k^i */
    int64_t *cand_num;     /* cached score: H_k - H_k^i */
    int64_t *cand_h;       /* cached H_k */
    double *cand_key;      /* the score as a double, to skip exact comparisons that cannot tie */
    int32_t *cand_from;    /* the first free-time node that ends after the request starts */
    v2g_span *spans;
} sret_arrays;

static int sret_layout(size_t n, size_t m, size_t e, uint64_t spans, size_t *total, v2g_ws *ws, sret_arrays *out) {
    if (spans > (uint64_t)INT32_MAX) return 0;
    if (!v2g_robust_layout(n, e, total, ws, out ? &out->robust : NULL)) return 0;
    V2G_WS_ARRAY(ws, total, out, order, n > m ? n : m, v2g_radix_rec);
    V2G_WS_ARRAY(ws, total, out, order_tmp, n > m ? n : m, v2g_radix_rec);
    V2G_WS_ARRAY(ws, total, out, ids, m, v2g_id_rec);
    V2G_WS_ARRAY(ws, total, out, ids_tmp, m, v2g_id_rec);
    V2G_WS_ARRAY(ws, total, out, by_id, m, uint32_t);
    V2G_WS_ARRAY(ws, total, out, ev_order, m, uint32_t);
    V2G_WS_ARRAY(ws, total, out, id_rank, m, uint32_t);
    V2G_WS_ARRAY(ws, total, out, rp, m, int64_t);
    V2G_WS_ARRAY(ws, total, out, free_time, m, int32_t);
    V2G_WS_ARRAY(ws, total, out, free_seconds, m, int64_t);
    V2G_WS_ARRAY(ws, total, out, used, m, unsigned char);
    V2G_WS_ARRAY(ws, total, out, undo, m, undo_rec);
    V2G_WS_ARRAY(ws, total, out, cand, m, uint32_t);
    V2G_WS_ARRAY(ws, total, out, cand_seconds, m, int64_t);
    V2G_WS_ARRAY(ws, total, out, cand_worth, m, int64_t);
    V2G_WS_ARRAY(ws, total, out, cand_num, m, int64_t);
    V2G_WS_ARRAY(ws, total, out, cand_h, m, int64_t);
    V2G_WS_ARRAY(ws, total, out, cand_key, m, double);
    V2G_WS_ARRAY(ws, total, out, cand_from, m, int32_t);
    V2G_WS_ARRAY(ws, total, out, spans, (size_t)spans, v2g_span);
    return 1;
}

size_t v2g_sret_workspace_size(size_t request_count, size_t ev_count, size_t exchange_count,
                               uint64_t interval_capacity) {
    if (request_count > V2G_MAX_ITEMS || ev_count > V2G_MAX_ITEMS || exchange_count > V2G_MAX_ITEMS) return 0;
    size_t total = 0;
    if (!sret_layout(request_count, ev_count, exchange_count, interval_capacity, &total, NULL, NULL)) return 0;
    return v2g_ws_finish(total);
}

/* ---------------------------------------------------------------- validation */

static v2g_status fail(v2g_where *where, int32_t list, int64_t index, v2g_status status) {
    if (where) {
        where->list = list;
        where->reserved = 0;
        where->index = index;
    }
    return status;
}

/* The length of [start, end) if it is a valid window, else 0; unsigned arithmetic cannot overflow here. */
static uint64_t span_length(int64_t start, int64_t end) {
    return end > start ? (uint64_t)end - (uint64_t)start : 0;
}

static v2g_status validate(const v2g_sret_params *p, const v2g_sret_request *requests, size_t n,
                           const v2g_sret_ev *evs, size_t m, const v2g_ret_exchange *exchanges, size_t e,
                           v2g_where *where) {
    if (p->strategy < V2G_SRET_DOUBLE || p->strategy > V2G_SRET_DOUBLE_BEST_FIT || p->reserved != 0)
        return fail(where, V2G_WHERE_NONE, -1, V2G_E_INVALID);
    if (p->charger_power_w < 0) return fail(where, V2G_WHERE_NONE, -1, V2G_E_NEGATIVE);
    if (p->charger_power_w > V2G_SRET_MAX_POWER_W) return fail(where, V2G_WHERE_NONE, -1, V2G_E_RANGE);
    if ((n && !requests) || (m && !evs) || (e && !exchanges)) return fail(where, V2G_WHERE_NONE, -1, V2G_E_NULL);
    if (n > V2G_MAX_ITEMS || m > V2G_MAX_ITEMS || e > V2G_MAX_ITEMS)
        return fail(where, V2G_WHERE_NONE, -1, V2G_E_OVERFLOW);
    for (size_t i = 0; i < n; i++) {
        const v2g_sret_request *q = &requests[i];
        v2g_status st = v2g_robust_validate(q, sizeof *q, 1, NULL, 0);
        if (st != V2G_OK) return fail(where, V2G_WHERE_REQUESTS, (int64_t)i, st);
        uint64_t len = span_length(q->start, q->end);
        if (len == 0) return fail(where, V2G_WHERE_REQUESTS, (int64_t)i, V2G_E_WINDOW);
        if (len > (uint64_t)V2G_SRET_MAX_SPAN_S || q->base.energy_wh > V2G_SRET_MAX_ENERGY_WH)
            return fail(where, V2G_WHERE_REQUESTS, (int64_t)i, V2G_E_RANGE);
        /* P_i <= P_c in exact integers: D [Wh] x 3600 <= P_c [W] x T_i [s]. */
        if (q->base.energy_wh * 3600 > p->charger_power_w * (int64_t)len)
            return fail(where, V2G_WHERE_REQUESTS, (int64_t)i, V2G_E_INVALID);
    }
    for (size_t k = 0; k < m; k++) {
        const v2g_sret_ev *v = &evs[k];
        if (!v2g_id_valid(v->ev)) return fail(where, V2G_WHERE_EVS, (int64_t)k, V2G_E_NULL);
        if (v->energy_wh < 0) return fail(where, V2G_WHERE_EVS, (int64_t)k, V2G_E_NEGATIVE);
        uint64_t len = span_length(v->start, v->end);
        if (len == 0) return fail(where, V2G_WHERE_EVS, (int64_t)k, V2G_E_WINDOW);
        if (len > (uint64_t)V2G_SRET_MAX_SPAN_S || v->energy_wh > V2G_SRET_MAX_ENERGY_WH)
            return fail(where, V2G_WHERE_EVS, (int64_t)k, V2G_E_RANGE);
    }
    v2g_status st = v2g_robust_validate(NULL, sizeof(v2g_sret_request), 0, exchanges, e);
    if (st != V2G_OK) return fail(where, V2G_WHERE_EXCHANGES, -1, st);
    return V2G_OK;
}

/* ---------------------------------------------------------------- the request in hand */

typedef struct demand {
    int64_t index;      /* request position */
    int64_t start;      /* a */
    int64_t length;     /* T_i */
    int64_t energy;     /* D after penalty */
    double inv_length;  /* 1 / T_i, for a first guess at each quotient */
} demand;

/*
 * F(t) = floor(D (t - a) / T_i): the worth of [a, t). Every interval's worth is F(end) - F(start).
 * This is the innermost operation of the single-boundary strategy, so the quotient is guessed with a
 * floating-point multiply and then corrected with exact integer arithmetic (numerator < 2^50, so the
 * guess is off by at most one and the result is exact and identical on every CPU).
 */
static inline int64_t worth_to(const demand *d, int64_t t) {
    int64_t num = d->energy * (t - d->start);
    int64_t q = (int64_t)((double)num * d->inv_length);
    while (q * d->length > num) q--;
    while ((q + 1) * d->length <= num) q++;
    return q;
}

/* The overlap of a free-time list with a list of request time (uncovered or just covered): length and worth. */
static void measure(const v2g_span_pool *p, int32_t free_list, int32_t uncovered, const demand *d,
                    int64_t *seconds, int64_t *worth) {
    int64_t s = 0, w = 0;
    while (free_list != V2G_SPAN_NONE && uncovered != V2G_SPAN_NONE) {
        const v2g_span *f = &p->nodes[free_list], *u = &p->nodes[uncovered];
        int64_t x = f->start > u->start ? f->start : u->start;
        int64_t y = f->end < u->end ? f->end : u->end;
        if (x < y) {
            s += y - x;
            /* A piece that is a whole tagged interval of the second list has its worth stored with it. */
            w += (x == u->start && y == u->end && u->tag >= 0) ? u->tag : worth_to(d, y) - worth_to(d, x);
        }
        if (f->end < u->end) free_list = f->next; else uncovered = u->next;
    }
    *seconds = s;
    *worth = w;
}

/* ---------------------------------------------------------------- double time boundaries */

static int is_double(int32_t strategy) {
    return strategy == V2G_SRET_DOUBLE || strategy == V2G_SRET_DOUBLE_BEST_FIT;
}

static v2g_status serve_double(const v2g_sret_params *p, const v2g_sret_request *q, const v2g_sret_ev *evs, size_t m,
                               sret_arrays *a, const demand *d, v2g_sret_allocation *out, size_t capacity,
                               size_t *count, int *fulfilled) {
    /* Candidates in EV order have non-increasing g = min(RP, cap): RP is non-increasing and cap is fixed. */
    int64_t cap = p->charger_power_w * d->length / 3600;
    size_t nc = 0;
    int64_t sum = 0;
    for (size_t j = 0; j < m; j++) {
        uint32_t k = a->ev_order[j];
        if (a->used[k] || evs[k].start > q->start || evs[k].end < q->end) continue;
        int64_t g = a->rp[k] < cap ? a->rp[k] : cap;
        if (g == 0) continue;
        a->cand[nc] = k;
        a->cand_worth[nc++] = g;
        sum += g;
    }
    *fulfilled = 0;
    if (sum < d->energy) return V2G_OK;
    int64_t remaining = d->energy;
    size_t first = 0;
    while (remaining > 0) {
        while (a->used[a->cand[first]]) first++;
        size_t pick = first;
        if (a->cand_worth[first] >= remaining) {
            /* Something covers the rest. Candidates run in EV order (RP descending, then EV ID), so among equal
               g the first is the larger RP. V2G_SRET_DOUBLE: the smallest covering g, first with it in that
               order. Best fit: the smallest g, then the smallest RP (the last of its g), then the EV ID (the
               first of that RP). */
            const int best_fit = p->strategy == V2G_SRET_DOUBLE_BEST_FIT;
            size_t fit = first;
            for (size_t c = first; c < nc; c++) {
                if (a->used[a->cand[c]] || a->cand_worth[c] < remaining) continue;
                if (a->cand_worth[c] < a->cand_worth[fit]) fit = c;
                else if (best_fit && a->cand_worth[c] == a->cand_worth[fit] && a->rp[a->cand[c]] < a->rp[a->cand[fit]])
                    fit = c;
            }
            pick = fit;
        }
        uint32_t k = a->cand[pick];
        int64_t give = a->cand_worth[pick] < remaining ? a->cand_worth[pick] : remaining;
        if (*count >= capacity) return V2G_E_WORKSPACE;
        out[*count] = (v2g_sret_allocation){d->index, (int64_t)k, give, q->start, q->end};
        (*count)++;
        a->used[k] = 1;
        a->rp[k] -= give;
        remaining -= give;
    }
    *fulfilled = 1;
    return V2G_OK;
}

/* ---------------------------------------------------------------- single time boundary */

/* H_k, H_k^i in joule-seconds and the score numerator H_k - H_k^i (all < 2^62 within the documented limits). */
static void score(int64_t charger_power_w, int64_t rp, int64_t free_seconds, int64_t seconds, int64_t worth,
                  int64_t *numerator, int64_t *h_k) {
    int64_t whole = rp * 3600 < charger_power_w * free_seconds ? rp * 3600 : charger_power_w * free_seconds;
    int64_t h = whole * free_seconds;
    int64_t rest_time = free_seconds - seconds;
    int64_t rest = (rp - worth) * 3600;
    if (charger_power_w * rest_time < rest) rest = charger_power_w * rest_time;
    if (rest < 0) rest = 0;
    *h_k = h;
    *numerator = h - rest * rest_time;
}

/* Is candidate a a better choice than b? Exact: E compares cross products, F numerators (H_i is shared). */
static int better(int strategy, int64_t num_a, int64_t h_a, uint32_t rank_a, int64_t num_b, int64_t h_b,
                  uint32_t rank_b) {
    int c;
    if (strategy == V2G_SRET_SINGLE_ENERGY) {
        c = v2g_cmp_u128(v2g_mul_u64((uint64_t)num_a, (uint64_t)h_b), v2g_mul_u64((uint64_t)num_b, (uint64_t)h_a));
    } else {
        c = num_a == num_b ? 0 : (num_a > num_b ? 1 : -1);
    }
    return c != 0 ? c > 0 : rank_a < rank_b;
}

/* Scores candidate c from its cached overlap; only its own state and the uncovered time enter the score. */
static void rescore(const v2g_sret_params *p, sret_arrays *a, size_t c) {
    uint32_t k = a->cand[c];
    score(p->charger_power_w, a->rp[k], a->free_seconds[k], a->cand_seconds[c], a->cand_worth[c], &a->cand_num[c],
          &a->cand_h[c]);
    a->cand_key[c] = p->strategy == V2G_SRET_SINGLE_ENERGY
                         ? (a->cand_h[c] > 0 ? (double)a->cand_num[c] / (double)a->cand_h[c] : 0.0)
                         : (double)a->cand_num[c];
}

/*
 * The best candidate. Keys that differ by more than a relative 1e-9 decide at once: their rounding error
 * is below 1e-15, so the order of the keys is the order of the exact scores. Closer keys compare exactly.
 */
static size_t best_candidate(int strategy, const sret_arrays *a, size_t nc) {
    size_t best = 0;
    for (size_t c = 1; c < nc; c++) {
        double kc = a->cand_key[c], kb = a->cand_key[best];
        if (kc > kb * (1 + 1e-9)) {
            best = c;
        } else if (kc >= kb * (1 - 1e-9) &&
                   better(strategy, a->cand_num[c], a->cand_h[c], a->id_rank[a->cand[c]], a->cand_num[best],
                          a->cand_h[best], a->id_rank[a->cand[best]])) {
            best = c;
        }
    }
    return best;
}

/*
 * EV k covers the overlap of its free time with the uncovered time, piece by piece in time order,
 * as far as its RP allows. Writes the covered pieces as allocations, hands the covered list to the
 * caller in *covered_out (to free), and returns their worth, or -1 if the pool or the allocation
 * capacity ran out (nothing changed, *covered_out empty).
 */
static int64_t cover(v2g_span_pool *pool, sret_arrays *a, uint32_t k, int32_t *uncovered, const demand *d,
                     v2g_sret_allocation *out, size_t capacity, size_t *count, int *out_of_room,
                     int32_t *covered_out) {
    *covered_out = V2G_SPAN_NONE;
    int32_t covered = V2G_SPAN_NONE, tail = V2G_SPAN_NONE;
    int64_t left = a->rp[k], total = 0;
    int32_t f = a->free_time[k], u = *uncovered;
    while (f != V2G_SPAN_NONE && u != V2G_SPAN_NONE) {
        int64_t fs = pool->nodes[f].start, fe = pool->nodes[f].end;
        int64_t us = pool->nodes[u].start, ue = pool->nodes[u].end;
        int64_t x = fs > us ? fs : us, y = fe < ue ? fe : ue;
        if (fe < ue) f = pool->nodes[f].next; else u = pool->nodes[u].next;
        if (x >= y) continue;
        int64_t w = worth_to(d, y) - worth_to(d, x);
        if (w == 0) continue;
        int stop = 0;
        if (w > left) {
            /* The longest prefix [x, y') with F(y') - F(x) <= left: F(y') <= Q  <=>  D (y' - a) < (Q + 1) T_i. */
            int64_t q = left + worth_to(d, x);
            int64_t last = d->start + ((q + 1) * d->length - 1) / d->energy;
            y = last < y ? last : y;
            w = worth_to(d, y) - worth_to(d, x);
            stop = 1;
        }
        if (w > 0) {
            if (*count >= capacity) { *out_of_room = 1; v2g_span_free_list(pool, covered); return -1; }
            if (!v2g_span_append(pool, &covered, &tail, x, y)) { v2g_span_free_list(pool, covered); return -1; }
            out[*count] = (v2g_sret_allocation){d->index, (int64_t)k, w, x, y};
            (*count)++;
            left -= w;
            total += w;
        }
        if (stop) break;
    }
    if (covered != V2G_SPAN_NONE) {
        int32_t free_after = v2g_span_subtract(pool, a->free_time[k], covered);
        if (pool->exhausted) { v2g_span_free_list(pool, covered); return -1; }
        int32_t uncovered_after = v2g_span_subtract(pool, *uncovered, covered);
        if (pool->exhausted) {
            v2g_span_free_list(pool, free_after);
            v2g_span_free_list(pool, covered);
            return -1;
        }
        v2g_span_free_list(pool, *uncovered);
        *covered_out = covered;
        *uncovered = uncovered_after;
        a->free_time[k] = free_after; /* the old list stays in the undo log until the request commits */
        a->free_seconds[k] = v2g_span_seconds(pool, free_after);
        a->rp[k] -= total;
    }
    return total;
}

static v2g_status serve_single(const v2g_sret_params *p, size_t m, sret_arrays *a, v2g_span_pool *pool,
                               const demand *d, v2g_sret_allocation *out, size_t capacity, size_t *count,
                               int *fulfilled, v2g_where *where) {
    *fulfilled = 0;
    int32_t uncovered = v2g_span_new(pool, d->start, d->start + d->length);
    if (uncovered == V2G_SPAN_NONE) return fail(where, V2G_WHERE_INTERVALS, -1, V2G_E_WORKSPACE);
    pool->nodes[uncovered].tag = (int32_t)d->energy; /* the whole window is worth D */
    size_t nc = 0;
    int64_t sum = 0;
    for (size_t j = 0; j < m; j++) {
        uint32_t k = a->ev_order[j];
        if (a->rp[k] == 0) continue;
        /* Free-time nodes that end before the request starts never matter to it again. */
        int32_t from = a->free_time[k];
        while (from != V2G_SPAN_NONE && pool->nodes[from].end <= d->start) from = pool->nodes[from].next;
        int64_t s, w;
        measure(pool, from, uncovered, d, &s, &w);
        if (w == 0) continue;
        a->cand_from[nc] = from;
        a->cand[nc] = k;
        a->cand_seconds[nc] = s;
        a->cand_worth[nc] = w;
        nc++;
        sum += w < a->rp[k] ? w : a->rp[k];
    }
    if (sum >= d->energy)
        for (size_t c = 0; c < nc; c++) rescore(p, a, c);
    int64_t remaining = d->energy;
    int64_t uncovered_seconds = d->length;
    size_t undo_n = 0, mark = *count;
    v2g_status status = V2G_OK;
    if (sum >= remaining) {
        /* `sum` bounds what the candidates can still cover (each at most min(RP, worth of its overlap)); once it
         * falls below what is left, the request must fail, so it is rolled back at once rather than played out. */
        while (remaining > 0 && nc > 0 && sum >= remaining) {
            size_t best = best_candidate(p->strategy, a, nc);
            uint32_t k = a->cand[best];
            a->undo[undo_n++] = (undo_rec){k, a->free_time[k], a->rp[k], a->free_seconds[k]};
            int out_of_room = 0;
            int32_t covered = V2G_SPAN_NONE;
            int64_t got = cover(pool, a, k, &uncovered, d, out, capacity, count, &out_of_room, &covered);
            if (got < 0) {
                /* Nothing of this EV changed; drop its undo entry so rollback frees only what was built. */
                undo_n--;
                status = out_of_room ? fail(where, V2G_WHERE_ALLOCATIONS, -1, V2G_E_WORKSPACE)
                                     : fail(where, V2G_WHERE_INTERVALS, -1, V2G_E_WORKSPACE);
                break;
            }
            if (got == 0) undo_n--; /* the EV could not cover even one piece: nothing to undo */
            int64_t covered_seconds = 0;
            for (int32_t c = covered; c != V2G_SPAN_NONE; c = pool->nodes[c].next) {
                pool->nodes[c].tag = (int32_t)(worth_to(d, pool->nodes[c].end) - worth_to(d, pool->nodes[c].start));
                covered_seconds += pool->nodes[c].end - pool->nodes[c].start;
            }
            remaining -= got;
            sum = 0;
            /* The chosen EV leaves the candidates. The others lose exactly their overlap with what was just
             * covered (it lay inside the uncovered time); only those that lost something are scored again. */
            size_t kept = 0;
            for (size_t c = 0; c < nc; c++) {
                if (c == best) continue;
                int64_t s = 0, w = 0;
                if (a->cand_seconds[c] == uncovered_seconds) {
                    /* Its free time held all the uncovered time, so it held all that was just covered. */
                    s = covered_seconds;
                    w = got;
                } else if (covered != V2G_SPAN_NONE) {
                    measure(pool, a->cand_from[c], covered, d, &s, &w);
                }
                if (a->cand_worth[c] - w == 0) continue;
                a->cand[kept] = a->cand[c];
                a->cand_from[kept] = a->cand_from[c];
                a->cand_seconds[kept] = a->cand_seconds[c] - s;
                a->cand_worth[kept] = a->cand_worth[c] - w;
                a->cand_num[kept] = a->cand_num[c];
                a->cand_h[kept] = a->cand_h[c];
                a->cand_key[kept] = a->cand_key[c];
                if (s > 0) rescore(p, a, kept);
                int64_t rp = a->rp[a->cand[kept]];
                sum += a->cand_worth[kept] < rp ? a->cand_worth[kept] : rp;
                kept++;
            }
            nc = kept;
            uncovered_seconds -= covered_seconds;
            v2g_span_free_list(pool, covered);
        }
    }
    if (remaining == 0 && status == V2G_OK) {
        for (size_t x = 0; x < undo_n; x++) v2g_span_free_list(pool, a->undo[x].old_free);
        *fulfilled = 1;
    } else {
        /* All or nothing: restore every EV this request touched and forget its allocations. */
        while (undo_n > 0) {
            const undo_rec *r = &a->undo[--undo_n];
            v2g_span_free_list(pool, a->free_time[r->ev]);
            a->free_time[r->ev] = r->old_free;
            a->rp[r->ev] = r->old_rp;
            a->free_seconds[r->ev] = r->old_seconds;
        }
        *count = mark;
    }
    v2g_span_free_list(pool, uncovered);
    return status;
}

/* ---------------------------------------------------------------- entry point */

v2g_status v2g_sret_allocate(const v2g_sret_params *params,
                             const v2g_sret_request *requests, size_t request_count,
                             const v2g_sret_ev *evs, size_t ev_count,
                             const v2g_ret_exchange *exchanges, size_t exchange_count,
                             v2g_sret_allocation *allocations, size_t allocation_capacity, size_t *allocation_count,
                             v2g_ret_outcome *outcomes, size_t *outcome_count,
                             v2g_where *where, void *workspace, size_t workspace_size) {
    size_t n = request_count, m = ev_count;
    if (!params || !allocation_count || !outcome_count || (n && !outcomes) || (allocation_capacity && !allocations))
        return fail(where, V2G_WHERE_NONE, -1, V2G_E_NULL);
    v2g_status st = validate(params, requests, n, evs, m, exchanges, exchange_count, where);
    if (st != V2G_OK) return st;
    size_t need = v2g_sret_workspace_size(n, m, exchange_count, params->interval_capacity);
    if (need == 0) return fail(where, V2G_WHERE_NONE, -1, V2G_E_OVERFLOW);
    if (!workspace || workspace_size < need) return fail(where, V2G_WHERE_NONE, -1, V2G_E_WORKSPACE);
    v2g_ws ws = v2g_ws_open(workspace, workspace_size);
    sret_arrays a;
    if (!sret_layout(n, m, exchange_count, params->interval_capacity, NULL, &ws, &a))
        return fail(where, V2G_WHERE_NONE, -1, V2G_E_WORKSPACE);

    st = v2g_robust_run(requests, sizeof *requests, n, exchanges, exchange_count, &a.robust);
    if (st != V2G_OK) return fail(where, V2G_WHERE_EXCHANGES, -1, st);
    st = v2g_order_ids(evs, sizeof *evs, m, a.ids, a.ids_tmp, a.by_id);
    if (st != V2G_OK) return fail(where, V2G_WHERE_EVS, -1, st);

    /* EVs by RP descending; records start in ID order and the sort is stable, so ties go by ID. */
    for (size_t j = 0; j < m; j++) {
        uint32_t k = a.by_id[j];
        a.id_rank[k] = (uint32_t)j;
        a.order[j].key[0] = ~(uint64_t)evs[k].energy_wh;
        a.order[j].item = k;
    }
    const v2g_radix_rec *by_rp = v2g_radix_sort(a.order, a.order_tmp, m, 1);
    for (size_t j = 0; j < m; j++) a.ev_order[j] = by_rp[j].item;

    v2g_span_pool pool = {a.spans, params->interval_capacity, 0, V2G_SPAN_NONE, 0};
    for (size_t k = 0; k < m; k++) {
        a.rp[k] = evs[k].energy_wh;
        a.used[k] = 0;
        a.free_time[k] = V2G_SPAN_NONE;
        a.free_seconds[k] = evs[k].end - evs[k].start;
        if (!is_double(params->strategy)) {
            a.free_time[k] = v2g_span_new(&pool, evs[k].start, evs[k].end);
            if (a.free_time[k] == V2G_SPAN_NONE) return fail(where, V2G_WHERE_INTERVALS, -1, V2G_E_WORKSPACE);
        }
    }

    /* Requests by bid descending, then demand descending, then earlier submission; records start in
     * (exchange, consumer) order, which the stable sort keeps as the last tie-break. */
    v2g_robust *rb = &a.robust;
    for (size_t i = 0; i < rb->kept; i++) {
        const v2g_ret_request *q = &requests[rb->kept_pos[i]].base;
        a.order[i].key[0] = v2g_radix_signed(q->submitted_at);
        a.order[i].key[1] = ~(uint64_t)rb->kept_demand[i];
        a.order[i].key[2] = ~(uint64_t)q->bid;
        a.order[i].item = (uint32_t)i;
    }
    const v2g_radix_rec *by_bid = v2g_radix_sort(a.order, a.order_tmp, rb->kept, 3);

    size_t count = 0;
    for (size_t r = 0; r < rb->kept; r++) {
        uint32_t ki = by_bid[r].item;
        const v2g_sret_request *q = &requests[rb->kept_pos[ki]];
        v2g_ret_outcome *o = &outcomes[r];
        *o = (v2g_ret_outcome){(int64_t)rb->kept_pos[ki], rb->kept_demand[ki], 0, 0, 0};
        int64_t *quota = &rb->group_quota[rb->kept_group[ki]];
        if (*quota <= 0 || o->demand_wh == 0) continue;
        demand d = {o->request, q->start, q->end - q->start, o->demand_wh, 1.0 / (double)(q->end - q->start)};
        size_t before = count;
        int fulfilled = 0;
        st = is_double(params->strategy)
                 ? serve_double(params, q, evs, m, &a, &d, allocations, allocation_capacity, &count, &fulfilled)
                 : serve_single(params, m, &a, &pool, &d, allocations, allocation_capacity, &count, &fulfilled,
                                where);
        if (st != V2G_OK) {
            if (st == V2G_E_WORKSPACE && is_double(params->strategy))
                (void)fail(where, V2G_WHERE_ALLOCATIONS, -1, st);
            return st;
        }
        if (fulfilled) {
            o->allocated_wh = o->demand_wh;
            o->fulfilled = 1;
            (*quota)--;
        } else {
            count = before;
        }
    }
    *allocation_count = count;
    *outcome_count = rb->kept;
    return V2G_OK;
}
