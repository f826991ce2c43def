// SPDX-License-Identifier: GPL-2.0
/* The real Xen backend (placeholder until it lands). */
#include "config.h"

#include <errno.h>

#include "backend/backend.h"

struct xp_error *xp_backend_xen_open(struct xp_backend **out)
{
	*out = NULL;
	return xp_error_create(XP_ERR_UNAVAILABLE, ENOENT,
			       "Xen was not found (no /dev/xen/privcmd); "
			       "try the simulated host with --sim=HOSTFILE");
}
