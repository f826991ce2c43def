/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XP_SYMBOLS_H
#define XP_SYMBOLS_H

#include "engine/engine.h"
#include "engine/target.h"
#include "engine/walk.h"

enum xp_sym {
	XP_SYM_P2M_TOP = 0,
	XP_SYM_P2M_MID_MISSING,
	XP_SYM_P2M_TOP_MFN,
	XP_SYM_P2M_TOP_MFN_P,
	XP_SYM_P2M_MID_MISSING_MFN,
	XP_SYM_P2M_MISSING,
	XP_SYM_P2M_IDENTITY,
	XP_SYM_XEN_P2M_ADDR,
	XP_SYM_XEN_P2M_SIZE,
	XP_SYM_XEN_MAX_P2M_PFN,
	XP_SYM_TAINTED_MASK,
	XP_SYM_LOG_BUF,
	XP_SYM_LOG_BUF_LEN,
	XP_SYM_NR
};

const char *xp_symbol_name(enum xp_sym s);

/* The guest-internal checks, after a walk of the structures and leaves. */
struct xp_error *xp_symbols_check(struct xp_target *t, struct xp_walk *w,
				  const struct xp_symbols *s, struct xp_report *r);

#endif
