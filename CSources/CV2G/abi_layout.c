/*
 * abi_layout.c - compile-time checks on the structs that cross the C ABI.
 *
 * Other languages (Swift, Python ctypes) mirror these layouts; a change that
 * moves a field must fail the build here rather than corrupt a caller.
 */
#include <stddef.h>

#include "v2g/v2g.h"

_Static_assert(sizeof(v2g_id) == 2 * sizeof(size_t), "v2g_id is a pointer and a length");
_Static_assert(offsetof(v2g_ret_request, bid) == 2 * sizeof(v2g_id), "request IDs come first");
_Static_assert(offsetof(v2g_ret_request, penalty_ppm) == offsetof(v2g_ret_request, bid) + 24, "three int64 fields");
_Static_assert(sizeof(v2g_ret_allocation) == 24, "three int64 fields");
_Static_assert(sizeof(v2g_ret_outcome) == 32, "three int64 and two int32 fields");
_Static_assert(sizeof(v2g_prosumer_request) == 24, "two int64 and two int32 fields");
_Static_assert(sizeof(v2g_ev_state) == 16, "two int64 fields");
_Static_assert(sizeof(v2g_battery) == 32, "four int64 fields");
_Static_assert(sizeof(v2g_tariff) == 24, "two int64 and two int32 fields");
_Static_assert(sizeof(v2g_status) == sizeof(int), "status codes are C ints");
_Static_assert(sizeof(v2g_nn_shape) == 16 + 4 * V2G_NN_MAX_LAYERS, "four int32 fields and the hidden widths");
_Static_assert(offsetof(v2g_nn_shape, hidden) == 16, "hidden widths follow kind, inputs, outputs, layers");
_Static_assert(sizeof(v2g_adam) == 40 && offsetof(v2g_adam, step) == 32, "four doubles and an int64");

/* ISO C forbids an empty translation unit; this also lets tools see the file was linked. */
int v2g_abi_layout_checked_(void);
int v2g_abi_layout_checked_(void) { return 1; }
