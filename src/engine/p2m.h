/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's p2m as data, outside a check: the shared_info p2m fields, every
 * pfn -> mfn entry streamed in order, one pfn's path through the
 * structures, the leaf frames the structures name, and M2P lookups.
 * Nothing here validates; the findings come from a check (inspector.h).
 */
#ifndef XP_P2M_H
#define XP_P2M_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/backend.h"
#include "engine/report.h"
#include "lib/error.h"

/* Frames mapped per backend call (the toolstack uses 1024 too). */
#define XP_BATCH 1024

/* The classes of a p2m entry. */
enum xp_entry_class {
	XP_ENTRY_VALID = 0,
	XP_ENTRY_INVALID,  /* ~0: nothing there */
	XP_ENTRY_IDENTITY, /* bit 62 (30 on 32-bit): 1:1 */
	XP_ENTRY_FOREIGN,  /* bit 63 (31): a grant-mapped foreign frame */
	XP_ENTRY_MISSING,  /* in a page shared by several ranges (p2m_missing) */
};
const char *xp_entry_class_name(enum xp_entry_class c);

/* The shared_info p2m fields and layout (show). */
struct xp_p2m_info {
	unsigned int width;
	uint64_t max_pfn, frame_list_list, p2m_cr3, p2m_cr3_mfn, p2m_vaddr, generation;
	enum xp_layout layout;
	uint64_t shared_info_mfn;
};
struct xp_error *xp_p2m_info_read(struct xp_backend *be, uint32_t domid, struct xp_p2m_info *info);

/*
 * Streaming pfn -> mfn: calls @fn for every pfn in [first, last] (clamped
 * to max_pfn) in order, with bounded memory.  Uses the linear list when the
 * guest publishes one, the mfn tree otherwise.  @fn returns non-zero to
 * stop.  Entries the structures cannot reach are reported with
 * XP_ENTRY_INVALID and mfn ~0, *unreachable counts them.
 */
typedef int (*xp_p2m_fn)(void *arg, uint64_t pfn, uint64_t entry, enum xp_entry_class cls);
struct xp_error *xp_p2m_foreach(struct xp_backend *be, uint32_t domid, uint64_t first,
				uint64_t last, xp_p2m_fn fn, void *arg, uint64_t *unreachable);

/*
 * The leaf p2m frames the structures name, one per page of entries (the
 * linear list's when the guest publishes one, the mfn tree's otherwise),
 * XP_INVALID_MFN where the structures lead nowhere.  For tools that read
 * the p2m themselves (bench/).
 */
struct xp_p2m_leaves {
	unsigned int width; /* bytes per entry: 8 or 4 */
	uint64_t max_pfn;   /* as published, clamped to what the host could back */
	uint64_t count;	    /* pages: max_pfn / (4096 / width), rounded up */
	uint64_t *mfn;	    /* [count] */
};
struct xp_error *xp_p2m_leaves_read(struct xp_backend *be, uint32_t domid,
				    struct xp_p2m_leaves **out);
void xp_p2m_leaves_destroy(struct xp_p2m_leaves *l);

/* One pfn's path through the structures (show --pfn / --mfn). */
struct xp_path_step {
	const char *level;  /* "frame-list-list", "top", "mid", "l4", ..., "leaf" */
	uint64_t table_mfn; /* frame read */
	unsigned int index; /* entry index in it */
	uint64_t value;	    /* raw entry */
	int err;	    /* mapping error, 0 */
};
struct xp_path {
	uint64_t pfn;
	bool reachable; /* the structures led to an entry */
	uint64_t entry; /* the p2m entry (list view if any) */
	enum xp_entry_class cls;
	uint64_t m2p; /* m2p[mfn] for valid entries, else ~0 */
	bool round_trip;
	unsigned int nr_tree, nr_list;
	struct xp_path_step tree[4]; /* frame-list-list, top, mid, leaf */
	struct xp_path_step list[6]; /* cr3, l4.., leaf */
	uint64_t va;		     /* list entry address */
};
struct xp_error *xp_p2m_path(struct xp_backend *be, uint32_t domid, uint64_t pfn,
			     struct xp_path *path);

/* M2P[mfn] (show --mfn); XP_ERR_USAGE when @mfn is beyond the host. */
struct xp_error *xp_m2p_lookup(struct xp_backend *be, uint64_t mfn, uint64_t *pfn);

#endif
