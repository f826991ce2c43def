/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checks a pass runs besides the p2m walk (walk.h): the guest-internal
 * view through System.map, and the grant table.  Internal to src/engine/.
 */
#ifndef XP_CHECKS_H
#define XP_CHECKS_H

#include "engine/report.h"
#include "engine/symbols.h"
#include "engine/target.h"
#include "engine/walk.h"

/* The guest-internal checks, after a walk of the structures and leaves. */
struct xp_error *xp_symbols_check(struct xp_target *t, struct xp_walk *w,
				  const struct xp_symbols *s, struct xp_report *r);

/* Read the grant table once and put its findings (and summary) into @r. */
struct xp_error *xp_grants_check(struct xp_backend *be, uint32_t domid, struct xp_report *r);

#endif
