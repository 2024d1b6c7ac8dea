/*
 * lsap_core.h - the dense LSAP's sparse-core route (lsap_core.c), internal to CV2G.
 *
 * m x n row-major costs with m <= n, minimised (neg = 1: their negation; forbidden pairs stay forbidden).
 * lsap_core_applies says whether the dense solver takes this route for the shape; lsap_core_workspace is the
 * bytes it needs (0 when it does not apply), which the dense workspace includes. lsap_core_f64/_i64 return 1
 * with the kernel's answer in x (m) and v (n: column potentials of the minimisation), or 0 when the route gave
 * up and the dense kernel must run.
 */
#ifndef V2G_LSAP_CORE_H
#define V2G_LSAP_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "lsap_internal.h"

/* Below this many rows the dense kernel is as fast (measured: see docs/lsap.md). */
#ifndef LSAP_CORE_MIN_ROWS
#define LSAP_CORE_MIN_ROWS ((size_t)2000)
#endif

int lsap_core_applies(size_t m, size_t n);
size_t lsap_core_workspace(size_t m, size_t n);
int lsap_core_f64(size_t m, size_t n, const double *c, int neg, void *ws, size_t ws_size, int64_t *x, double *v);
int lsap_core_i64(size_t m, size_t n, const int64_t *c, int neg, void *ws, size_t ws_size, int64_t *x, int64_t *v);

#endif /* V2G_LSAP_CORE_H */
