/*
 * v2g_penalty.h - penalty lists against malicious consumers and exchanges
 * ([T] §4.2, eq. 4.1-4.4; SPEC §2, §3.4).
 *
 * A penalty list is an array of ratios in ppm. Its factor starts at
 * V2G_PPM_ONE and takes each value v in list order: f <- floor(f * v / 10^6).
 * A quantity x scaled by the list becomes floor(x * f / 10^6).
 */
#ifndef V2G_PENALTY_H
#define V2G_PENALTY_H

#include "v2g_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What v2g_penalty_update did to the list. */
typedef enum v2g_penalty_action {
    V2G_PENALTY_UNCHANGED = 0,  /* no supply was due, or the list was already empty */
    V2G_PENALTY_APPENDED = 1,   /* delivery fell short: pct + gamma was appended */
    V2G_PENALTY_FORGIVEN = 2    /* delivery was good: the last value was removed */
} v2g_penalty_action;

/** The factor of a penalty list (V2G_PPM_ONE for an empty list); V2G_E_RANGE on a value outside [0, 10^6]. */
V2G_API V2G_NODISCARD v2g_status v2g_penalty_factor(const int32_t *values, size_t count,
                                                    int32_t *factor /* OUT: ppm */);

/** floor(quantity * factor / 10^6); V2G_E_NEGATIVE for a negative quantity, V2G_E_RANGE for a bad factor. */
V2G_API V2G_NODISCARD v2g_status v2g_penalty_scale(int64_t quantity, int32_t factor_ppm,
                                                   int64_t *scaled /* OUT */);

/**
 * Updates one penalty list after a round (eq. 4.1 and 4.3).
 *
 * `theoretical` is what was due (a consumer's allocated Wh, or the number of
 * an exchange's selected requests) and `practical` what was delivered (metered
 * Wh, or the number of fully delivered requests). With pct = practical /
 * theoretical compared exactly: if pct < 1 - gamma, floor(pct * 10^6) + gamma
 * is appended; otherwise the last value, if any, is removed. Nothing changes
 * when theoretical is 0. V2G_E_OVERFLOW (list untouched) when an append would
 * exceed `capacity`.
 */
V2G_API V2G_NODISCARD v2g_status v2g_penalty_update(int64_t theoretical, int64_t practical, int32_t gamma_ppm,
                                                    int32_t *values,      /* IN/OUT: the list */
                                                    size_t *count,        /* IN/OUT: its length */
                                                    size_t capacity,
                                                    v2g_penalty_action *action /* OUT, may be NULL */);

#ifdef __cplusplus
}
#endif

#endif /* V2G_PENALTY_H */
