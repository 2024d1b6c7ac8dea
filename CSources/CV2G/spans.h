/*
 * spans.h - sets of time intervals as linked lists in a fixed pool.
 *
 * Internal to CV2G. SRET's single-boundary strategy tracks each EV's free
 * time and each request's uncovered time as sorted, disjoint, non-touching
 * half-open intervals [start, end). Nodes come from a caller-sized pool with
 * a free list, so nothing is allocated while matching; running out is
 * reported, never undefined.
 */
#ifndef V2G_SPANS_H
#define V2G_SPANS_H

#include <stdint.h>

#define V2G_SPAN_NONE (-1)

typedef struct v2g_span {
    int64_t start;
    int64_t end;
    int32_t next;
    int32_t tag;   /* the owner's: SRET keeps a request-time interval's worth here (< 2^24), or -1 */
} v2g_span;

typedef struct v2g_span_pool {
    v2g_span *nodes;
    uint64_t capacity;
    uint64_t fresh;      /* nodes never handed out start here */
    int32_t free_head;   /* returned nodes */
    int exhausted;       /* set once a request could not be met */
} v2g_span_pool;

static inline int32_t v2g_span_new(v2g_span_pool *p, int64_t start, int64_t end) {
    int32_t i;
    if (p->free_head != V2G_SPAN_NONE) {
        i = p->free_head;
        p->free_head = p->nodes[i].next;
    } else if (p->fresh < p->capacity) {
        i = (int32_t)p->fresh++;
    } else {
        p->exhausted = 1;
        return V2G_SPAN_NONE;
    }
    p->nodes[i].start = start;
    p->nodes[i].end = end;
    p->nodes[i].next = V2G_SPAN_NONE;
    p->nodes[i].tag = -1;
    return i;
}

static inline void v2g_span_free_list(v2g_span_pool *p, int32_t head) {
    while (head != V2G_SPAN_NONE) {
        int32_t next = p->nodes[head].next;
        p->nodes[head].next = p->free_head;
        p->free_head = head;
        head = next;
    }
}

/* Total length of a list in seconds. */
static inline int64_t v2g_span_seconds(const v2g_span_pool *p, int32_t head) {
    int64_t total = 0;
    for (; head != V2G_SPAN_NONE; head = p->nodes[head].next) total += p->nodes[head].end - p->nodes[head].start;
    return total;
}

/* Appends [start, end) to a list being built in order, merging with a touching tail. */
static inline int v2g_span_append(v2g_span_pool *p, int32_t *head, int32_t *tail, int64_t start, int64_t end) {
    if (*tail != V2G_SPAN_NONE && p->nodes[*tail].end == start) {
        p->nodes[*tail].end = end;
        p->nodes[*tail].tag = -1;
        return 1;
    }
    int32_t node = v2g_span_new(p, start, end);
    if (node == V2G_SPAN_NONE) return 0;
    if (*tail == V2G_SPAN_NONE) *head = node; else p->nodes[*tail].next = node;
    *tail = node;
    return 1;
}

/*
 * A new list holding a minus c (both sorted and disjoint); the inputs are left as they are.
 * V2G_SPAN_NONE with p->exhausted set if the pool ran out (what was built is freed).
 */
static inline int32_t v2g_span_subtract(v2g_span_pool *p, int32_t a, int32_t c) {
    int32_t head = V2G_SPAN_NONE, tail = V2G_SPAN_NONE;
    for (; a != V2G_SPAN_NONE; a = p->nodes[a].next) {
        int64_t x = p->nodes[a].start, y = p->nodes[a].end;
        while (c != V2G_SPAN_NONE && p->nodes[c].end <= x) c = p->nodes[c].next;
        int32_t cut = c;
        while (x < y) {
            if (cut == V2G_SPAN_NONE || p->nodes[cut].start >= y) {
                if (!v2g_span_append(p, &head, &tail, x, y)) goto exhausted;
                break;
            }
            if (p->nodes[cut].start > x && !v2g_span_append(p, &head, &tail, x, p->nodes[cut].start))
                goto exhausted;
            x = p->nodes[cut].end > x ? p->nodes[cut].end : x;
            cut = p->nodes[cut].next;
        }
    }
    return head;
exhausted:
    v2g_span_free_list(p, head);
    return V2G_SPAN_NONE;
}

#endif /* V2G_SPANS_H */
