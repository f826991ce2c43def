// SPDX-License-Identifier: GPL-2.0
/*
 * xenp2m check: one domain, as many passes as it takes to get a settled
 * view.  A guest changes its p2m while we read it; the linear list has a
 * generation count for that (odd while changing), the tree has none, so
 * findings are only reported when two consecutive passes agree on them.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/checks.h"
#include "engine/inspector.h"
#include "engine/target.h"
#include "engine/walk.h"
#include "lib/util.h"

void xp_check_options_init(struct xp_check_options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_passes = 6;
	o->backoff_us = 2000;
	o->keep_per_id = 1000;
	o->grants = true;
}

/*
 * Before the guest's resume code runs, a restored guest's shared_info holds
 * the source host's values with the frame list list zeroed (DESIGN.md 3).
 * Returns true when the state is one that must not be walked.
 */
static bool special_state(struct xp_target *t, const struct xp_shinfo_p2m *si, struct xp_report *r)
{
	if (si->frame_list_list != 0 && !(si->frame_list_list == t->invalid && !si->p2m_cr3))
		return false;
	if (si->frame_list_list == 0 && (si->max_pfn || si->p2m_cr3 || si->p2m_vaddr)) {
		struct xp_finding f = {
			.id = XP_F_JUST_RESTORED,
			.level = "shared_info",
			.has = XP_LOC_MFN | XP_LOC_ACTUAL,
			.mfn = si->p2m_cr3_mfn,
			.actual = si->max_pfn,
		};

		xp_report_addf(
			r, &f,
			"pfn_to_mfn_frame_list_list is 0 and the other p2m fields are left from "
			"before the restore (p2m_cr3 0x%" PRIx64 ", max_pfn 0x%" PRIx64
			"): the guest has not resumed yet",
			si->p2m_cr3, si->max_pfn);
		return true;
	}
	struct xp_finding f = {
		.id = XP_F_NOT_PUBLISHED,
		.level = "shared_info",
	};

	xp_report_addf(r, &f,
		       "the guest publishes neither a frame list list nor a linear list (yet)");
	return true;
}

/* One pass.  *settled is false when the list changed under us. */
static struct xp_error *one_pass(struct xp_target *t, const struct xp_check_options *o,
				 struct xp_report *r, bool *settled)
{
	struct xp_walk w = {0};
	struct xp_error *err = NULL;
	uint64_t gen1;

	*settled = true;
	xp_target_cache_drop(t);
	xp_target_read_shinfo(t, &w.si);
	w.layout = xp_layout_of(t, &w.si);
	r->layout = w.layout;
	r->p2m.generation = w.si.generation;
	r->p2m.max_pfn = w.si.max_pfn;
	r->p2m.frame_list_list = w.si.frame_list_list;
	r->p2m.p2m_cr3_mfn = w.si.p2m_cr3_mfn;
	r->p2m.p2m_vaddr = w.si.p2m_vaddr;
	if (w.si.p2m_cr3 && (w.si.generation & 1)) {
		*settled = false;
		return NULL;
	}
	if (special_state(t, &w.si, r))
		return NULL;
	err = xp_walk_structures(t, &w, r);
	if (!err)
		err = xp_walk_leaves(t, &w, r);
	if (!err)
		xp_walk_classify_pending(t, &w, r);
	if (!err && o->symbols)
		err = xp_symbols_check(t, &w, o->symbols, r);
	if (w.si.p2m_cr3) {
		gen1 = xp_target_generation(t);
		if (gen1 != w.si.generation)
			*settled = false;
	}
	xp_walk_release(&w);
	return err;
}

struct xp_error *xp_check_domain(struct xp_backend *be, uint32_t domid,
				 const struct xp_check_options *opts, struct xp_report **report)
{
	struct xp_check_options defaults;
	struct xp_report *prev = NULL, *cur = NULL;
	struct xp_target *t = NULL;
	struct xp_error *err;
	unsigned int pass, backoff;
	uint64_t t0 = xp_now_ns();
	bool settled = false, done = false;

	*report = NULL;
	if (!opts) {
		xp_check_options_init(&defaults);
		opts = &defaults;
	}
	err = xp_target_open(be, domid, &t);
	if (err)
		return err;
	backoff = opts->backoff_us;
	for (pass = 1; pass <= XP_MAX(opts->max_passes, 1u); pass++) {
		cur = xp_report_create(opts->keep_per_id);
		if (!cur) {
			err = xp_error_nomem();
			break;
		}
		err = one_pass(t, opts, cur, &settled);
		if (!err)
			err = xp_target_still_there(t);
		if (err)
			break;
		cur->p2m.passes = pass;
		if (settled && (!xp_report_count(cur, XP_SEV_WARNING) ||
				(prev && xp_report_same_findings(prev, cur)))) {
			done = true;
			break;
		}
		xp_report_destroy(prev);
		prev = cur;
		cur = NULL;
		if (pass < opts->max_passes) {
			usleep(backoff);
			backoff = XP_MIN(backoff * 2, 200000u);
		}
	}
	if (err) {
		xp_report_destroy(prev);
		xp_report_destroy(cur);
		xp_target_destroy(t);
		return err;
	}
	if (!done) {
		/* never settled: say so, without the findings of a moving target */
		cur = prev;
		xp_report_clear_findings(cur);
		cur->p2m.passes = opts->max_passes;
		struct xp_finding f = {
			.id = XP_F_GENERATION_UNSTABLE,
			.level = "shared_info",
			.has = XP_LOC_ACTUAL,
			.actual = cur->p2m.generation,
		};

		xp_report_addf(
			cur, &f,
			settled ? "the p2m changed between every two of %u walks"
				: "p2m_generation was odd or changed during each of %u walks",
			opts->max_passes);
	} else {
		xp_report_destroy(prev);
	}
	if (opts->grants) {
		/* the grant table has no generation: read it once, after the p2m */
		err = xp_grants_check(be, domid, cur);
		if (err && (err->kind == XP_ERR_UNSUPPORTED || err->kind == XP_ERR_PERM)) {
			snprintf(cur->grants.skipped, sizeof(cur->grants.skipped), "%.*s",
				 (int)sizeof(cur->grants.skipped) - 1, err->message);
			xp_error_destroy(err);
			err = NULL;
		}
		if (err) {
			xp_report_destroy(cur);
			xp_target_destroy(t);
			return err;
		}
	}
	cur->domid = domid;
	snprintf(cur->name, sizeof(cur->name), "%s", t->info.name);
	cur->width = t->width;
	cur->elapsed_ns = xp_now_ns() - t0;
	xp_report_finish(cur);
	xp_target_destroy(t);
	*report = cur;
	return NULL;
}
