/* status.c - names of status codes and the library version. */
#include "v2g/v2g_common.h"

static const char *const v2g_status_names[V2G_STATUS_COUNT] = {
    [V2G_OK] = "ok",
    [V2G_E_NULL] = "a required pointer argument is NULL",
    [V2G_E_INVALID] = "an argument is outside its domain",
    [V2G_E_NEGATIVE] = "a quantity that must be non-negative is negative",
    [V2G_E_DUPLICATE] = "an ID that must be unique appears more than once",
    [V2G_E_OVERFLOW] = "a size or an intermediate value would overflow",
    [V2G_E_WORKSPACE] = "the workspace is NULL or smaller than the size query reported",
    [V2G_E_INFEASIBLE] = "no complete assignment exists",
    [V2G_E_NAN] = "a floating-point input is NaN or negative infinity",
    [V2G_E_WINDOW] = "a time window is empty (end <= start)",
    [V2G_E_CERTIFICATE] = "the dual potentials do not certify optimality",
    [V2G_E_RANGE] = "a ratio lies outside [0, 1000000] ppm",
};

const char *v2g_strerror(v2g_status status) {
    if (status < 0 || status >= V2G_STATUS_COUNT) return "unknown status";
    return v2g_status_names[status];
}

int v2g_version(void) { return V2G_VERSION; }

const char *v2g_version_string(void) { return V2G_VERSION_STRING; }
