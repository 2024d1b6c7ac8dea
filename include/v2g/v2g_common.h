/*
 * v2g_common.h - status codes, version and export annotations of the V2GKit C ABI.
 *
 * Every public name starts with v2g_ / V2G_. Every function returns a
 * v2g_status (V2G_OK = 0) and writes its results through pointers.
 * New status codes may be added in later versions; treat unknown non-zero
 * codes as errors and name them with v2g_strerror().
 */
#ifndef V2G_COMMON_H
#define V2G_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Version                                                              */
/* ------------------------------------------------------------------ */

#define V2G_VERSION_MAJOR 0
#define V2G_VERSION_MINOR 1
#define V2G_VERSION_PATCH 0
#define V2G_MAKE_VERSION(major, minor, patch) ((major) * 10000 + (minor) * 100 + (patch))
#define V2G_VERSION V2G_MAKE_VERSION(V2G_VERSION_MAJOR, V2G_VERSION_MINOR, V2G_VERSION_PATCH)
#define V2G_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------ */
/* Annotations                                                          */
/* ------------------------------------------------------------------ */

#if defined(_WIN32)
#  if defined(V2G_BUILDING_LIBRARY)
#    define V2G_API __declspec(dllexport)
#  else
#    define V2G_API
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define V2G_API __attribute__((visibility("default")))
#else
#  define V2G_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define V2G_NODISCARD __attribute__((warn_unused_result))
#else
#  define V2G_NODISCARD
#endif

/* ------------------------------------------------------------------ */
/* Status codes                                                         */
/* ------------------------------------------------------------------ */

/** Result of every v2g_ call: V2G_OK or one of the V2G_E_ codes below. */
typedef int v2g_status;

#define V2G_OK             0  /* success */
#define V2G_E_NULL         1  /* a required pointer argument is NULL */
#define V2G_E_INVALID      2  /* an argument is outside its domain */
#define V2G_E_NEGATIVE     3  /* a quantity that must be >= 0 is negative */
#define V2G_E_DUPLICATE    4  /* an ID that must be unique appears twice */
#define V2G_E_OVERFLOW     5  /* a size or an intermediate value would overflow */
#define V2G_E_WORKSPACE    6  /* the caller's workspace is NULL or too small */
#define V2G_E_INFEASIBLE   7  /* no complete assignment exists */
#define V2G_E_NAN          8  /* a floating-point input is NaN (or -infinity) */
#define V2G_E_WINDOW       9  /* a time window is empty (end <= start) */
#define V2G_E_CERTIFICATE 10  /* dual potentials do not prove optimality */
#define V2G_E_RANGE       11  /* a ratio in ppm lies outside [0, 1 000 000] */

/** One past the largest status code this version defines. */
#define V2G_STATUS_COUNT  12

/** Parts per million that make 1.0 in every ratio of the ABI. */
#define V2G_PPM_ONE 1000000

/** A readable, static, English name for a status code (never NULL). */
V2G_API const char *v2g_strerror(v2g_status status);

/** The library's version as V2G_MAKE_VERSION(major, minor, patch). */
V2G_API int v2g_version(void);

/** The library's version as "MAJOR.MINOR.PATCH". */
V2G_API const char *v2g_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* V2G_COMMON_H */
