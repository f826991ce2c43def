/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A quick look for `list`: layout, max_pfn and generation from shared_info,
 * and whether the top-level structures map.  Never walks leaves.
 */
#ifndef XP_QUICK_H
#define XP_QUICK_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/backend.h"
#include "engine/report.h"
#include "lib/error.h"

struct xp_quick {
	enum xp_layout layout;
	uint64_t max_pfn;
	uint64_t generation;
	bool generation_valid; /* only the list layouts have one */
	const char *health;    /* "ok", "restored", "unpublished", "bad", "not-pv", "?" */
};
struct xp_error *xp_quick_look(struct xp_backend *be, const struct xp_domain_info *info,
			       struct xp_quick *q);

#endif
