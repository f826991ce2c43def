/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest's grant table as data (the grants verb): read without ever
 * growing it, decoded (v1 and v2), counted.  Its validation is part of a
 * check (inspector.h).
 */
#ifndef XP_GRANTS_H
#define XP_GRANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "lib/error.h"

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
const char *xp_grant_type_name(unsigned int flags);
const char *xp_grant_flags_str(unsigned int flags, char *buf, size_t len);

#endif
