/*
 * v2g_types.h - value types shared by the matchers.
 *
 * Units (SPEC §2): energy in int64 watt-hours, power in int64 watts, time in
 * int64 seconds, prices in int64 micro-units of currency per kWh, ratios in
 * int32 parts per million (V2G_PPM_ONE = 1.0).
 */
#ifndef V2G_TYPES_H
#define V2G_TYPES_H

#include "v2g_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A byte-string identifier (exchange, consumer, EV); ordered byte-wise, shorter prefix first. */
typedef struct v2g_id {
    const uint8_t *bytes;  /* may be NULL only when length == 0 */
    size_t length;
} v2g_id;

/** No limit, where an int64 capacity or power may be unbounded. */
#define V2G_UNLIMITED INT64_MAX

/** -1, 0 or 1 as a sorts before, equal to, or after b (byte-wise lexicographic); 0 if either is invalid. */
V2G_API int v2g_id_compare(v2g_id a, v2g_id b);

#ifdef __cplusplus
}
#endif

#endif /* V2G_TYPES_H */
