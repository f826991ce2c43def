/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report model: what a check found, with no printing.  Renderers
 * (src/render/) turn it into text or JSON.
 *
 * Findings have a stable id (documented in xenp2m(8)), a severity, a
 * location (level, index, pfn, mfn, guest virtual address) and
 * expected/actual values.  Counts per id are always exact; the findings
 * themselves are kept up to a per-id limit, so a hostile guest with 2^28
 * bad entries cannot make the tool allocate without bound.
 */
#ifndef XP_REPORT_H
#define XP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xp_severity {
	XP_SEV_INFO = 0,
	XP_SEV_WARNING,
	XP_SEV_ERROR,
};

/* Every finding id, in the order the text report groups them. */
enum xp_finding_id {
	XP_F_JUST_RESTORED = 0,
	XP_F_NOT_PUBLISHED,
	XP_F_GENERATION_UNSTABLE,
	XP_F_SHARED_INFO_BAD,
	XP_F_MAX_PFN_IMPLAUSIBLE,
	XP_F_MAX_PFN_UNCOVERED,
	XP_F_LIST_CR3_BAD,
	XP_F_LIST_VADDR_BAD,
	XP_F_LIST_PTE_NOT_PRESENT,
	XP_F_LIST_PTE_BAD,
	XP_F_LIST_PT_LOOP,
	XP_F_MFN_OUT_OF_RANGE,
	XP_F_MFN_STALE,
	XP_F_MFN_NOT_OWNED,
	XP_F_TREE_LIST_MISMATCH,
	XP_F_LEAF_MISPLACED,
	XP_F_M2P_MISMATCH,
	XP_F_MISSING_MFN_STALE,
	XP_F_TOP_MFN_P_MISMATCH,
	XP_F_FRAME_LIST_LIST_MISMATCH,
	XP_F_PFN_TREE_MISMATCH,
	XP_F_SYMBOLS_MISMATCH,
	XP_F_KERNEL_TAINTED,
	XP_F_GRANT_TABLE_UNSTABLE,
	XP_F_GRANT_FRAME_NOT_OWNED,
	XP_F_GRANT_FLAGS_BAD,
	XP_F_GRANT_PEER_MISSING,
	XP_F_GRANT_RESERVED_MISMATCH,
	XP_F_GRANT_FRAMES_HIGH,
	XP_F_NR_IDS
};

/*
 * The part of a pass a finding comes from.  Each part obeys the
 * settle-and-agree rule on its own (doc/design.md section 4.2).
 */
enum xp_part {
	XP_PART_P2M = 0, /* shared_info, the p2m structures, the guest-internal view */
	XP_PART_GRANTS,	 /* the grant table */
	XP_NR_PARTS
};

struct xp_finding_desc {
	const char *name; /* stable id, kebab-case */
	enum xp_severity severity;
	enum xp_part part;
	/* a warning about what is to come, not an inconsistency: the verdict
	 * (and so the exit status) ignores it */
	bool advisory;
	const char *summary; /* one line, for grouped text output */
};

const struct xp_finding_desc *xp_finding_desc(enum xp_finding_id id);
/* Look an id up by name; -1 when unknown. */
int xp_finding_id_parse(const char *name);

/* Which location fields of a finding are set. */
enum {
	XP_LOC_INDEX = 1 << 0,
	XP_LOC_PFN = 1 << 1,
	XP_LOC_MFN = 1 << 2,
	XP_LOC_VA = 1 << 3,
	XP_LOC_EXPECTED = 1 << 4,
	XP_LOC_ACTUAL = 1 << 5,
	XP_LOC_INDEX2 = 1 << 6,
	XP_LOC_OWNER = 1 << 7,
};

struct xp_finding {
	enum xp_finding_id id;
	const char *level;	/* static string: "shared_info", "top", "mid", "leaf", ... */
	unsigned int has;	/* XP_LOC_* */
	uint64_t index, index2; /* e.g. top index, mid index */
	uint64_t pfn, mfn, va;
	uint64_t expected, actual;
	int64_t owner;	  /* domain that owns mfn, XP_LOC_OWNER */
	char detail[256]; /* the human sentence */
};

enum xp_verdict {
	XP_VERDICT_CONSISTENT = 0,
	XP_VERDICT_INCONSISTENT,
	XP_VERDICT_UNSTABLE,	  /* never got a settled view (p2m or grant table) */
	XP_VERDICT_JUST_RESTORED, /* restored, guest not resumed yet */
	XP_VERDICT_NOT_PUBLISHED, /* the guest has not published its p2m */
};

/* What a guest publishes (its layout, as the tool sees it). */
enum xp_layout {
	XP_LAYOUT_NONE = 0,  /* nothing published (yet) */
	XP_LAYOUT_TREE,	     /* frame list list only */
	XP_LAYOUT_LIST,	     /* both the frame list list and the linear list */
	XP_LAYOUT_LIST_ONLY, /* linear list, frame list list ~0 */
};

struct xp_p2m_summary {
	uint64_t max_pfn;	  /* shared_info arch.max_pfn */
	uint64_t frame_list_list; /* as published */
	uint64_t p2m_cr3_mfn;	  /* unfolded, 0 when none */
	uint64_t p2m_vaddr;
	uint64_t generation;
	uint64_t pfns_checked;
	uint64_t valid, invalid, identity, foreign;
	uint64_t missing;     /* ~0 entries in pages shared by several ranges */
	uint64_t m2p_checked; /* M2P round trips done */
	uint64_t top_pages, mid_pages, leaf_pages; /* distinct frames walked */
	uint64_t list_pages, pt_pages;
	uint64_t shared_leaf_pages; /* leaf frames named more than once (missing/identity) */
	uint64_t tree_covers;	    /* pfns the mfn tree can describe */
	unsigned int passes;	    /* walks done (retries included) */
	bool tree_walked, list_walked, symbols_used;
};

struct xp_grant_summary {
	bool checked;
	unsigned int version, nr_frames, max_frames;
	uint32_t in_use;
	uint32_t mapped;  /* entries mapped by another domain (reading or writing) */
	char skipped[96]; /* why they were not checked, "" */
};

struct xp_report_group {
	uint64_t count; /* exact */
	size_t nr_kept;
	struct xp_finding *kept; /* the first nr_kept */
};

struct xp_report {
	uint32_t domid;
	char name[64];
	uint8_t uuid[16];
	unsigned int width; /* bytes */
	enum xp_layout layout;
	enum xp_verdict verdict;
	struct xp_p2m_summary p2m;
	struct xp_grant_summary grants;
	struct xp_report_group groups[XP_F_NR_IDS];
	size_t keep_per_id; /* storage limit per id */
	uint64_t elapsed_ns;
};

struct xp_report *xp_report_create(size_t keep_per_id);
void xp_report_destroy(struct xp_report *r);
/* A deep copy; NULL when out of memory. */
struct xp_report *xp_report_clone(const struct xp_report *r);
/* Forget the findings of one part; the summary stays. */
void xp_report_clear_part(struct xp_report *r, enum xp_part part);
/* Add a finding (copied).  Returns false when it was only counted. */
bool xp_report_add(struct xp_report *r, const struct xp_finding *f);
/*
 * Add a finding whose detail sentence is formatted from @fmt; the finding
 * itself is written with designated initializers, location fields named in
 * .has:
 *
 *	struct xp_finding f = {
 *		.id = XP_F_M2P_MISMATCH,
 *		.level = "leaf",
 *		.has = XP_LOC_PFN | XP_LOC_MFN,
 *		.pfn = pfn,
 *		.mfn = mfn,
 *	};
 *
 *	xp_report_addf(r, &f, "p2m[0x%" PRIx64 "] = 0x%" PRIx64 " ...", pfn, mfn);
 *
 * @f->detail is ignored.  Returns what xp_report_add() returns.
 */
bool xp_report_addf(struct xp_report *r, const struct xp_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Total findings of at least @sev (of one part). */
uint64_t xp_report_count(const struct xp_report *r, enum xp_severity sev);
uint64_t xp_report_count_part(const struct xp_report *r, enum xp_part part, enum xp_severity sev);
/* Set the verdict from the findings (unless a special state was set). */
void xp_report_finish(struct xp_report *r);
/* Do two reports hold the same findings of @part (ids, counts, kept locations)? */
bool xp_report_same_part(const struct xp_report *a, const struct xp_report *b, enum xp_part part);

const char *xp_verdict_name(enum xp_verdict v);
const char *xp_layout_name(enum xp_layout l);
const char *xp_severity_name(enum xp_severity s);

#endif
