/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The snapshot file format, version 1: the one definition, shared by the
 * writer (writer.c) and the reader (reader.c); xenp2m(8), SNAPSHOT FILES,
 * documents it for other readers.
 *
 * All integers are little-endian.  A file is a header, then records, each
 * a 16-byte record header and a body of `length` bytes:
 *
 *	header		struct xp_snap_header (64 bytes)
 *	DOMAIN		struct xp_snap_domain, once, first
 *	P2M ...		struct xp_snap_run[count]: every pfn from 0 to max_pfn,
 *			in order, as runs of one class
 *	PAGES ...	struct xp_snap_page[count] (snapshot --pages only):
 *			one per valid pfn, in pfn order, or a run of zero pages
 *	END		struct xp_snap_end, last: the counts and the checksum
 *
 * P2M and PAGES records may alternate (the writer streams them as it reads
 * the guest); each kind on its own is in pfn order.  A record holds at most
 * XP_SNAP_MAX_COUNT elements, so a reader never needs more than one
 * record's worth (64 KiB) of memory, however large the guest.
 *
 * The checksum is XXH3-64 (xxHash) of every byte of the file before the END
 * record's body.  A reader refuses a file whose checksum does not match,
 * that ends before its END record or goes on after it, whose version it
 * does not know, or whose counts disagree with each other or with max_pfn.
 */
#ifndef XP_SNAPSHOT_FORMAT_H
#define XP_SNAPSHOT_FORMAT_H

#include <stdint.h>

#define XP_SNAP_MAGIC "XP2MSNAP"
#define XP_SNAP_VERSION 1U
#define XP_SNAP_PAGE_SIZE 4096U
/* Elements per P2M or PAGES record: 4096 x 16 bytes = 64 KiB at most. */
#define XP_SNAP_MAX_COUNT 4096U
/* The largest p2m a snapshot may describe: 2^40 pfns (4 PiB), a bound for readers. */
#define XP_SNAP_MAX_PFN (1ULL << 40)

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "snapshot files are little-endian");

enum xp_snap_flags {
	XP_SNAP_F_PAGES = 1U << 0, /* has PAGES records: page hashes */
};

struct xp_snap_header {
	char magic[8];	      /* XP_SNAP_MAGIC */
	uint32_t version;     /* XP_SNAP_VERSION */
	uint32_t header_size; /* sizeof(struct xp_snap_header) */
	uint32_t page_size;   /* XP_SNAP_PAGE_SIZE */
	uint32_t flags;	      /* enum xp_snap_flags */
	uint64_t created;     /* seconds since the epoch */
	uint8_t reserved[32]; /* zero */
};

enum xp_snap_rec_type {
	XP_SNAP_REC_DOMAIN = 1,
	XP_SNAP_REC_P2M = 2,
	XP_SNAP_REC_PAGES = 3,
	XP_SNAP_REC_END = 4,
};

struct xp_snap_rec {
	uint32_t type;	 /* enum xp_snap_rec_type */
	uint32_t count;	 /* elements in the body (1 for DOMAIN and END) */
	uint64_t length; /* bytes in the body: count x element size */
};

enum xp_snap_domain_flags {
	XP_SNAP_D_PAUSED = 1U << 0,	    /* the domain was paused */
	XP_SNAP_D_TREE_WALKED = 1U << 1,    /* the check walked the mfn tree */
	XP_SNAP_D_LIST_WALKED = 1U << 2,    /* ... and the linear list */
	XP_SNAP_D_GRANTS_CHECKED = 1U << 3, /* the grant summary is set */
};

/* The guest, its p2m and grant table as the check found them. */
struct xp_snap_domain {
	uint8_t uuid[16];
	char name[64]; /* NUL-terminated */
	uint32_t domid;
	uint32_t width;	  /* bytes per guest word: 8 or 4 */
	uint32_t layout;  /* enum xp_layout as published */
	uint32_t verdict; /* enum xp_verdict of the check */
	uint32_t via;	  /* enum xp_scan_via: how the p2m was found */
	uint32_t flags;	  /* enum xp_snap_domain_flags */
	uint64_t max_pfn; /* pfns the P2M records cover */
	uint64_t tot_pages, max_pages;
	uint64_t generation, frame_list_list, p2m_cr3_mfn, p2m_vaddr;
	/* the structure summary */
	uint64_t top_pages, mid_pages, leaf_pages, shared_leaf_pages, pt_pages;
	uint64_t findings; /* the check's findings (warnings and errors) */
	/* the grant table */
	uint32_t grant_version, grant_frames, grant_max_frames, grant_in_use;
	/* the rings' pfns, ~0 when unknown */
	uint64_t console_pfn, store_pfn;
	uint64_t reserved[6];
};

/* A run of pfns of one class. */
struct xp_snap_run {
	uint64_t entry; /* the first pfn's raw p2m entry (a valid one's MFN) */
	uint32_t count; /* pfns, >= 1 */
	uint8_t cls;	/* enum xp_entry_class, | XP_SNAP_RUN_UNREACHABLE */
	uint8_t step;	/* enum xp_snap_step: how the entry goes on */
	uint16_t reserved;
};
#define XP_SNAP_RUN_UNREACHABLE 0x80U

enum xp_snap_step {
	XP_SNAP_STEP_SAME = 0, /* every pfn has the same entry */
	XP_SNAP_STEP_UP = 1,   /* entry + 1 per pfn */
	XP_SNAP_STEP_DOWN = 2, /* entry - 1 per pfn */
};

/*
 * A valid pfn's page: key = pfn | kind << 56 | level << 52 | flags, value =
 * XXH3-64 of its normalised contents; for XP_SNAP_PAGE_ZERO, the number of
 * consecutive pfns (of that kind and level) whose normalised contents are
 * all zeros; for XP_SNAP_PAGE_UNREADABLE, the mapping's errno.
 */
struct xp_snap_page {
	uint64_t key;
	uint64_t value;
};
#define XP_SNAP_PAGE_PFN_MASK ((1ULL << 44) - 1)
#define XP_SNAP_PAGE_LEVEL_SHIFT 52
#define XP_SNAP_PAGE_LEVEL_MASK 0x7ULL
#define XP_SNAP_PAGE_KIND_SHIFT 56
#define XP_SNAP_PAGE_KIND_MASK 0xfULL
#define XP_SNAP_PAGE_ZERO (1ULL << 60)
#define XP_SNAP_PAGE_UNREADABLE (1ULL << 61)
#define XP_SNAP_PAGE_KNOWN_BITS                                                        \
	(XP_SNAP_PAGE_PFN_MASK | XP_SNAP_PAGE_LEVEL_MASK << XP_SNAP_PAGE_LEVEL_SHIFT | \
	 XP_SNAP_PAGE_KIND_MASK << XP_SNAP_PAGE_KIND_SHIFT | XP_SNAP_PAGE_ZERO |       \
	 XP_SNAP_PAGE_UNREADABLE)

struct xp_snap_end {
	uint64_t nr_runs;  /* P2M elements in the file */
	uint64_t nr_pages; /* PAGES elements in the file */
	uint64_t checksum; /* XXH3-64 of the file up to this body */
	uint64_t reserved;
};

_Static_assert(sizeof(struct xp_snap_header) == 64, "header is 64 bytes");
_Static_assert(sizeof(struct xp_snap_rec) == 16, "record header is 16 bytes");
_Static_assert(sizeof(struct xp_snap_domain) == 288, "domain record is 288 bytes");
_Static_assert(sizeof(struct xp_snap_run) == 16, "run is 16 bytes");
_Static_assert(sizeof(struct xp_snap_page) == 16, "page entry is 16 bytes");
_Static_assert(sizeof(struct xp_snap_end) == 32, "end record is 32 bytes");

#endif
