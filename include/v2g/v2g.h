/*
 * v2g.h - the V2GKit C ABI: energy matching for vehicle-to-grid markets.
 *
 * Include this one header. Every function returns a v2g_status; results go
 * through pointers; hot paths take a caller-provided workspace whose size
 * the matching *_workspace_size() call reports, and never allocate.
 */
#ifndef V2G_H
#define V2G_H

#include "v2g_common.h"
#include "v2g_types.h"
#include "v2g_auction.h"
#include "v2g_lsap.h"
#include "v2g_nn.h"
#include "v2g_penalty.h"
#include "v2g_pricing.h"
#include "v2g_prosumer.h"
#include "v2g_ret.h"
#include "v2g_sret.h"

#endif /* V2G_H */
