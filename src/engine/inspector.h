/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checking a domain: its p2m, the guest-internal view and its grant table,
 * into a report (report.h).
 */
#ifndef XP_INSPECTOR_H
#define XP_INSPECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "engine/report.h"
#include "engine/symbols.h"
#include "lib/error.h"

struct xp_check_options {
	const struct xp_symbols *symbols; /* guest-internal view, or NULL */
	bool grants;			  /* validate the grant table too */
	unsigned int max_passes;	  /* walks before giving up (>= 1) */
	unsigned int backoff_us;	  /* first back-off between passes */
	size_t keep_per_id;		  /* findings kept per id */
};

void xp_check_options_init(struct xp_check_options *o);

/*
 * Check one domain.  A report is returned whenever the domain could be
 * read (*report is set even with findings); errors are for what stops a
 * check: no such domain, not PV, the domain vanished mid-check
 * (XP_ERR_GONE), backend failures.
 */
struct xp_error *xp_check_domain(struct xp_backend *be, uint32_t domid,
				 const struct xp_check_options *opts, struct xp_report **report);

#endif
