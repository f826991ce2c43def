// SPDX-License-Identifier: GPL-2.0
/* The simulated-host backend (placeholder until src/sim/ lands). */
#include "config.h"

#include <errno.h>

#include "backend/backend.h"

struct xp_error *xp_backend_sim_open(const char *path, struct xp_backend **out)
{
	*out = NULL;
	return xp_error_create(XP_ERR_UNSUPPORTED, ENOSYS, "%s: the simulated host is not built yet",
			       path);
}
