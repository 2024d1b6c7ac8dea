/*
 * workspace.h - carving typed arrays out of a caller-provided workspace.
 *
 * Internal to CV2G. A size query walks the same sequence of v2g_ws_reserve()
 * calls as the solver's v2g_ws_take() calls, so the two cannot drift apart.
 * Every block is aligned to V2G_WS_ALIGN; the reported size includes slack
 * for a base pointer of any alignment.
 */
#ifndef V2G_WORKSPACE_H
#define V2G_WORKSPACE_H

#include <stddef.h>
#include <stdint.h>

#define V2G_WS_ALIGN ((size_t)64)

typedef struct v2g_ws {
    unsigned char *next;
    unsigned char *end;
} v2g_ws;

/* Adds an aligned block of count*elem bytes to *total; 0 on overflow (total set to SIZE_MAX). */
static inline int v2g_ws_reserve(size_t *total, size_t count, size_t elem) {
    if (*total == SIZE_MAX) return 0;
    if (elem != 0 && count > (SIZE_MAX - 2 * V2G_WS_ALIGN) / elem) { *total = SIZE_MAX; return 0; }
    size_t bytes = (count * elem + V2G_WS_ALIGN - 1) & ~(V2G_WS_ALIGN - 1);
    if (*total > SIZE_MAX - bytes - V2G_WS_ALIGN) { *total = SIZE_MAX; return 0; }
    *total += bytes;
    return 1;
}

/* Final size to report: the reserved total plus alignment slack; 0 if it overflowed. */
static inline size_t v2g_ws_finish(size_t total) {
    return total == SIZE_MAX ? 0 : total + V2G_WS_ALIGN;
}

static inline v2g_ws v2g_ws_open(void *base, size_t size) {
    v2g_ws ws;
    uintptr_t p = (uintptr_t)base;
    uintptr_t aligned = (p + V2G_WS_ALIGN - 1) & ~(uintptr_t)(V2G_WS_ALIGN - 1);
    if (base == NULL || size < (size_t)(aligned - p)) {
        ws.next = NULL;
        ws.end = NULL;
    } else {
        ws.next = (unsigned char *)aligned;
        ws.end = (unsigned char *)base + size;
    }
    return ws;
}

/* Takes an aligned block of count*elem bytes, or NULL if the workspace is exhausted. */
static inline void *v2g_ws_take(v2g_ws *ws, size_t count, size_t elem) {
    if (ws->next == NULL) return NULL;
    size_t bytes = (count * elem + V2G_WS_ALIGN - 1) & ~(V2G_WS_ALIGN - 1);
    if ((size_t)(ws->end - ws->next) < bytes) { ws->next = NULL; return NULL; }
    void *block = ws->next;
    ws->next += bytes;
    return block;
}

/*
 * One line per array in a layout function that both sizes and carves a workspace: with ws == NULL it adds
 * count x type to *total, otherwise it takes the block into out->field. Returns 0 from the caller on failure.
 */
#define V2G_WS_ARRAY(ws, total, out, field, count, type)                                       \
    do {                                                                                      \
        if (ws) { if (!((out)->field = v2g_ws_take((ws), (count), sizeof(type)))) return 0; } \
        else if (!v2g_ws_reserve((total), (count), sizeof(type))) return 0;                   \
    } while (0)

#endif /* V2G_WORKSPACE_H */
