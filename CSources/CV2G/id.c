/* id.c - the public ID ordering. */
#include "id.h"

int v2g_id_compare(v2g_id a, v2g_id b) {
    if (!v2g_id_valid(a) || !v2g_id_valid(b)) return 0;
    return v2g_id_cmp_full(a, b);
}
