/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One pass over a guest's p2m: the toolstack view (mfn tree and linear
 * list), their cross-check, every leaf entry against the M2P.  Internal to
 * src/engine/.
 */
#ifndef XP_WALK_H
#define XP_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/report.h"
#include "engine/target.h"

#define XP_NO_MFN (~0ULL)

struct xp_walk {
	struct xp_shinfo_p2m si;
	enum xp_layout layout;
	uint64_t max_pfn;    /* clamped to the target's cap */
	uint64_t nr_pages;   /* leaf pages for max_pfn */
	uint64_t *list_leaf; /* [nr_pages] leaf frame per page, XP_NO_MFN if unreachable */
	uint64_t *tree_leaf; /* [tree_pages] */
	uint64_t tree_pages; /* leaf pages the mfn tree covers */
	uint64_t *tables;    /* page-table frames seen under the list (sorted, unique) */
	size_t nr_tables;
	uint64_t *top_mfns; /* [nr_top] the top page's entries as read */
	uint64_t nr_top;
	/* bad structure MFNs, classified (stale / not owned) once leaves are known */
	struct xp_finding *pending;
	size_t nr_pending, cap_pending;
};

/*
 * Find the p2m and walk its structures (findings into @r): what
 * shared_info publishes, or -- for a guest restored paused, whose frame
 * list list is 0 until its resume code runs -- its linear list through
 * vcpu0's page tables at the p2m_vaddr it published before (the toolstack
 * has already written the new frames into the list's pages).  *via_vcpu
 * says which.  XP_ERR_RUNTIME (EAGAIN) when nothing leads to the p2m.
 */
struct xp_error *xp_walk_find(struct xp_target *t, struct xp_walk *w, struct xp_report *r,
			      bool *via_vcpu);
/*
 * Walk the structures (not the leaf entries).  Findings go to @r.  The
 * caller has decided that the guest has published something.
 */
struct xp_error *xp_walk_structures(struct xp_target *t, struct xp_walk *w, struct xp_report *r);
/* Check every leaf entry (streamed in batches) and count classes. */
struct xp_error *xp_walk_leaves(struct xp_target *t, struct xp_walk *w, struct xp_report *r);
/* Classify the pending bad structure MFNs now that leaves are known. */
void xp_walk_classify_pending(struct xp_target *t, struct xp_walk *w, struct xp_report *r);
/* The current p2m entry of @pfn through the walked structures; XP_NO_MFN if unknown. */
uint64_t xp_walk_lookup(struct xp_target *t, const struct xp_walk *w, uint64_t pfn);
void xp_walk_release(struct xp_walk *w);
/*
 * The leaf frames named for more than one range (the shared p2m_missing /
 * p2m_identity pages), sorted, into @shared (room for @n); returns how many.
 */
size_t xp_shared_leaves(const uint64_t *leaves, uint64_t n, uint64_t *shared);

#endif
