/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's p2m and pages, streamed in pfn order with bounded memory: what
 * `snapshot` records and `verify` compares (doc/design.md section 9).
 *
 * Every pfn below max_pfn is handed to the caller once, in order, with its
 * p2m entry and class.  With pages, every valid pfn's page is read and
 * normalised: what in it names machine frames -- which all change in a
 * migration -- is rewritten to name pfns, the way the toolstack normalises
 * a guest it saves, so that an intact guest reads the same after a
 * migration:
 *
 *   - page tables (their level from the hypervisor's page types): every
 *     present entry's frame -> its pfn; Xen's own slots cleared;
 *   - the p2m's own pages -- its leaves (entries -> pfns: the identity of
 *     an intact p2m) and the mfn tree's top and mid pages (the leaves' and
 *     mid pages' frames -> pfns);
 *   - start_info (the page that begins with Xen's start_info magic): the
 *     ring frames -> pfns, and the fields the toolstack rewrites on restore
 *     (shared_info's machine address, the event channels, nr_pages, flags)
 *     cleared.
 *
 * A frame is translated only when it is the guest's own (M2P and p2m agree
 * on it); any other normalises to a marker (XP_SCAN_NOT_GUEST).  The
 * console and xenstore rings are handed over as they are, marked: their
 * producers and consumers (xenconsoled, xenstored) write them whether the
 * guest runs or not.
 *
 * Where the p2m is found: through what the guest publishes in shared_info.
 * A guest restored paused publishes nothing until its resume code runs,
 * but the toolstack has already rewritten its p2m pages; its linear list is
 * found through vcpu0's page tables at the p2m_vaddr it published before
 * (XP_SCAN_VIA_VCPU_CR3).  A tree-layout guest in that state has nothing
 * to find its p2m by: XP_ERR_RUNTIME (EAGAIN).
 */
#ifndef XP_SCAN_H
#define XP_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/backend.h"
#include "engine/p2m.h"
#include "engine/report.h"
#include "lib/error.h"

/* What a page is to the normaliser. */
enum xp_page_kind {
	XP_PAGE_DATA = 0,   /* compared as it is */
	XP_PAGE_PAGE_TABLE, /* the item's level says which */
	XP_PAGE_P2M,	    /* a page of p2m entries: a leaf */
	XP_PAGE_P2M_TREE,   /* the mfn tree's top page or one of its mid pages */
	XP_PAGE_START_INFO,
	XP_PAGE_RING, /* the console or xenstore ring: not normalised */
	XP_PAGE_NR_KINDS
};
/* "data", "page-table", "p2m", "p2m-tree", "start-info", "ring" */
const char *xp_page_kind_name(enum xp_page_kind k);

/* A frame that is not the guest's, as normalised p2m words and PTE frames. */
#define XP_SCAN_NOT_GUEST (~1ULL)

enum xp_scan_via {
	XP_SCAN_VIA_PUBLISHED = 0, /* shared_info's p2m fields */
	XP_SCAN_VIA_VCPU_CR3,	   /* restored paused: vcpu0's page tables */
};
const char *xp_scan_via_name(enum xp_scan_via v);

struct xp_scan_options {
	bool pages; /* read and normalise every valid page */
};

struct xp_scan_info {
	unsigned int width;
	enum xp_layout layout; /* as published; none when restored paused */
	enum xp_scan_via via;
	uint64_t max_pfn;		 /* pfns streamed */
	uint64_t console_pfn, store_pfn; /* the rings, ~0 when unknown */
	/* filled as the stream goes */
	uint64_t unreachable;	 /* pfns the structures lead nowhere for */
	uint64_t start_info_pfn; /* ~0 until found (pages) */
};

struct xp_scan_item {
	uint64_t pfn;
	uint64_t entry; /* the raw p2m entry (~0 when unreachable) */
	enum xp_entry_class cls;
	bool unreachable;
	/* valid entries: the M2P names this pfn for the frame (the toolstack's
	 * test that a frame is the guest's) */
	bool round_trip;
	/* valid entries, with pages: 0, or how mapping the frame failed
	 * (-EPERM: not the guest's, -EINVAL: beyond the host) */
	int map_err;
	/* with pages, for valid entries that mapped: */
	enum xp_page_kind kind;
	unsigned int level;  /* page tables: 1 to 4 */
	const uint8_t *page; /* normalised contents (XP_PAGE_SIZE bytes), else NULL */
};

/* Called for every pfn in order; non-zero stops the scan (returned as is). */
typedef int (*xp_scan_fn)(void *arg, const struct xp_scan_item *it);

/*
 * Stream domain @domid's p2m (and pages) to @fn.  @info is filled before
 * the first call and completed as the stream goes.  *stopped gets what
 * @fn returned when it stopped the scan (0 otherwise).
 */
struct xp_error *xp_scan(struct xp_backend *be, uint32_t domid, const struct xp_scan_options *o,
			 struct xp_scan_info *info, xp_scan_fn fn, void *arg, int *stopped);

#endif
