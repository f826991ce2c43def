/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The p2m consistency engine: no printing, no curses.  It reads a guest's
 * structures through a backend and fills a report (report.h).
 */
#ifndef XP_ENGINE_H
#define XP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "engine/report.h"
#include "lib/error.h"

struct xp_symbols;

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

/*
 * A quick look for `list`: layout, max_pfn and generation from shared_info,
 * and whether the top-level structures map.  Never walks leaves.
 */
struct xp_quick {
	enum xp_layout layout;
	uint64_t max_pfn;
	uint64_t generation;
	bool generation_valid; /* only the list layouts have one */
	const char *health;    /* "ok", "restored", "unpublished", "bad", "not-pv", "?" */
};
struct xp_error *xp_quick_look(struct xp_backend *be, const struct xp_domain_info *info,
			       struct xp_quick *q);

/* System.map: parse (hostile input: bounded), look up. */
struct xp_error *xp_symbols_load(const char *path, struct xp_symbols **out);
struct xp_error *xp_symbols_parse(const char *buf, size_t len, struct xp_symbols **out);
void xp_symbols_destroy(struct xp_symbols *s);
bool xp_symbols_lookup(const struct xp_symbols *s, const char *name, uint64_t *addr);

/* The classes of a p2m entry. */
enum xp_entry_class {
	XP_ENTRY_VALID = 0,
	XP_ENTRY_INVALID,  /* ~0: nothing there */
	XP_ENTRY_IDENTITY, /* bit 62 (30 on 32-bit): 1:1 */
	XP_ENTRY_FOREIGN,  /* bit 63 (31): a grant-mapped foreign frame */
	XP_ENTRY_MISSING,  /* in a page shared by several ranges (p2m_missing) */
};
const char *xp_entry_class_name(enum xp_entry_class c);

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

/* The shared_info p2m fields and layout (show). */
struct xp_p2m_info {
	unsigned int width;
	uint64_t max_pfn, frame_list_list, p2m_cr3, p2m_cr3_mfn, p2m_vaddr, generation;
	enum xp_layout layout;
	uint64_t shared_info_mfn;
};
struct xp_error *xp_p2m_info_read(struct xp_backend *be, uint32_t domid, struct xp_p2m_info *info);

/* Grant tables. */
struct xp_grant_entry {
	uint32_t ref;
	uint16_t flags;		   /* GTF_* (v1 flags, v2 header flags) */
	uint16_t status;	   /* GTF_reading/GTF_writing (v1: from flags; v2: status frame) */
	uint16_t peer;		   /* the domain granted access */
	uint16_t page_off, length; /* v2 sub_page */
	uint64_t frame;		   /* MFN for PV guests */
	uint64_t pfn;		   /* M2P of frame, ~0 unknown */
	uint32_t trans_domid, trans_gref; /* v2 transitive */
};
struct xp_grant_peer {
	uint32_t domid;
	uint32_t count;
};
struct xp_grant_table {
	uint32_t domid;
	unsigned int version, nr_frames, nr_status_frames, max_frames;
	unsigned int per_frame;
	uint32_t nr_refs;
	uint32_t in_use, mapped_read, mapped_write;
	size_t count; /* entries[]: in use (or all with all_entries) */
	struct xp_grant_entry *entries;
	size_t npeers;
	struct xp_grant_peer *peers; /* in-use entries by peer */
};
/* Read a guest's grant table; never grows it. */
struct xp_error *xp_grants_read(struct xp_backend *be, uint32_t domid, bool all_entries,
				struct xp_grant_table **out);
void xp_grant_table_destroy(struct xp_grant_table *g);
/* The grant-table findings into @r (check). */
struct xp_error *xp_grants_check(struct xp_backend *be, uint32_t domid, struct xp_report *r);
const char *xp_grant_type_name(unsigned int flags);
const char *xp_grant_flags_str(unsigned int flags, char *buf, size_t len);

#endif
