// SPDX-License-Identifier: GPL-2.0
/* The quick look of `list`: shared_info and the top-level frames only. */
#include "config.h"

#include <string.h>

#include "engine/quick.h"
#include "engine/target.h"

struct xp_error *xp_quick_look(struct xp_backend *be, const struct xp_domain_info *info,
			       struct xp_quick *q)
{
	struct xp_shinfo_p2m si;
	struct xp_target *t;
	struct xp_error *err;
	int ferr;

	memset(q, 0, sizeof(*q));
	if (info->type != XP_DOMAIN_PV) {
		q->health = "not-pv";
		return NULL;
	}
	err = xp_target_open(be, info->domid, &t);
	if (err) {
		if (err->kind == XP_ERR_GONE || err->kind == XP_ERR_NODOMAIN) {
			xp_error_destroy(err);
			q->health = "?";
			return NULL;
		}
		return err;
	}
	xp_target_read_shinfo(t, &si);
	q->layout = xp_layout_of(t, &si);
	q->max_pfn = si.max_pfn;
	q->generation = si.generation;
	q->generation_valid = si.p2m_cr3 != 0;
	q->health = "ok";
	if (si.frame_list_list == 0)
		q->health = si.max_pfn || si.p2m_cr3 ? "restored" : "unpublished";
	else if (q->layout == XP_LAYOUT_NONE)
		q->health = "unpublished";
	else if (si.p2m_cr3 && (si.generation & 1))
		q->health = "changing";
	else if (si.max_pfn == 0 || si.max_pfn > t->pfn_cap)
		q->health = "bad";
	else if (q->layout == XP_LAYOUT_TREE || q->layout == XP_LAYOUT_LIST) {
		if (si.frame_list_list >= t->host.max_mfn ||
		    !xp_target_frame(t, si.frame_list_list, &ferr))
			q->health = "bad";
	}
	if (!strcmp(q->health, "ok") && si.p2m_cr3 &&
	    (si.p2m_cr3_mfn >= t->host.max_mfn || !xp_target_frame(t, si.p2m_cr3_mfn, &ferr)))
		q->health = "bad";
	xp_target_destroy(t);
	return NULL;
}
