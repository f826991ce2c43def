// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/report.h"

static const struct xp_finding_desc descs[XP_F_NR_IDS] = {
	[XP_F_JUST_RESTORED] =
		{
			.name = "just-restored",
			.severity = XP_SEV_INFO,
			.summary = "restored but not resumed yet: shared_info holds the source "
				   "host's values",
		},
	[XP_F_NOT_PUBLISHED] =
		{
			.name = "not-published",
			.severity = XP_SEV_INFO,
			.summary = "the guest has not published its p2m (yet)",
		},
	[XP_F_GENERATION_UNSTABLE] =
		{
			.name = "generation-unstable",
			.severity = XP_SEV_WARNING,
			.summary = "p2m_generation never settled: the list kept changing",
		},
	[XP_F_SHARED_INFO_BAD] =
		{
			.name = "shared-info-bad",
			.severity = XP_SEV_ERROR,
			.summary = "shared_info p2m fields are malformed",
		},
	[XP_F_MAX_PFN_IMPLAUSIBLE] =
		{
			.name = "max-pfn-implausible",
			.severity = XP_SEV_ERROR,
			.summary = "max_pfn is larger than this host could back",
		},
	[XP_F_MAX_PFN_UNCOVERED] =
		{
			.name = "max-pfn-uncovered",
			.severity = XP_SEV_ERROR,
			.summary = "max_pfn is not covered by the published structures",
		},
	[XP_F_LIST_CR3_BAD] =
		{
			.name = "list-cr3-bad",
			.severity = XP_SEV_ERROR,
			.summary = "p2m_cr3 names a frame the domain cannot map",
		},
	[XP_F_LIST_VADDR_BAD] =
		{
			.name = "list-vaddr-bad",
			.severity = XP_SEV_ERROR,
			.summary = "p2m_vaddr is not a usable list address",
		},
	[XP_F_LIST_PTE_NOT_PRESENT] =
		{
			.name = "list-pte-not-present",
			.severity = XP_SEV_ERROR,
			.summary =
				"a page-table entry on the way to the linear list is not present",
		},
	[XP_F_LIST_PTE_BAD] =
		{
			.name = "list-pte-bad",
			.severity = XP_SEV_ERROR,
			.summary = "a page-table entry on the way to the linear list is malformed",
		},
	[XP_F_LIST_PT_LOOP] =
		{
			.name = "list-pt-loop",
			.severity = XP_SEV_ERROR,
			.summary =
				"a page table on the way to the linear list refers back to itself",
		},
	[XP_F_MFN_OUT_OF_RANGE] =
		{
			.name = "mfn-out-of-range",
			.severity = XP_SEV_ERROR,
			.summary = "an MFN beyond the host's memory",
		},
	[XP_F_MFN_STALE] =
		{
			.name = "mfn-stale",
			.severity = XP_SEV_ERROR,
			.summary = "a stale MFN: the frame is no longer the domain's, its M2P "
				   "entry names one of the domain's pfns (left over from before a "
				   "migration)",
		},
	[XP_F_MFN_NOT_OWNED] =
		{
			.name = "mfn-not-owned",
			.severity = XP_SEV_ERROR,
			.summary = "an MFN the domain does not own (another domain's or free)",
		},
	[XP_F_TREE_LIST_MISMATCH] =
		{
			.name = "tree-list-mismatch",
			.severity = XP_SEV_ERROR,
			.summary = "the mfn tree and the linear list name different leaf frames",
		},
	[XP_F_LEAF_MISPLACED] =
		{
			.name = "leaf-misplaced",
			.severity = XP_SEV_ERROR,
			.summary = "a leaf page holds the entries of another pfn range",
		},
	[XP_F_M2P_MISMATCH] =
		{
			.name = "m2p-mismatch",
			.severity = XP_SEV_ERROR,
			.summary = "p2m entry whose M2P entry names another pfn",
		},
	[XP_F_MISSING_MFN_STALE] =
		{
			.name = "missing-mfn-stale",
			.severity = XP_SEV_ERROR,
			.summary = "p2m_mid_missing_mfn does not name p2m_missing's current frame",
		},
	[XP_F_TOP_MFN_P_MISMATCH] =
		{
			.name = "top-mfn-p-mismatch",
			.severity = XP_SEV_ERROR,
			.summary = "p2m_top_mfn[i] != virt_to_mfn(p2m_top_mfn_p[i])",
		},
	[XP_F_FRAME_LIST_LIST_MISMATCH] =
		{
			.name = "frame-list-list-mismatch",
			.severity = XP_SEV_ERROR,
			.summary = "the published frame list list is not virt_to_mfn(p2m_top_mfn)",
		},
	[XP_F_PFN_TREE_MISMATCH] =
		{
			.name = "pfn-tree-mismatch",
			.severity = XP_SEV_ERROR,
			.summary = "p2m_top[i][j] is not the leaf p2m_mid_mfn[i][j] names",
		},
	[XP_F_SYMBOLS_MISMATCH] =
		{
			.name = "symbols-mismatch",
			.severity = XP_SEV_WARNING,
			.summary = "the symbols do not fit this guest's kernel",
		},
	[XP_F_KERNEL_TAINTED] =
		{
			.name = "kernel-tainted",
			.severity = XP_SEV_ERROR,
			.summary = "the guest kernel has oopsed or warned (tainted_mask D/W)",
		},
	[XP_F_GRANT_TABLE_UNSTABLE] =
		{
			.name = "grant-table-unstable",
			.severity = XP_SEV_WARNING,
			.part = XP_PART_GRANTS,
			.summary =
				"the grant table never settled: its findings changed between reads",
		},
	[XP_F_GRANT_FRAME_NOT_OWNED] =
		{
			.name = "grant-frame-not-owned",
			.severity = XP_SEV_ERROR,
			.part = XP_PART_GRANTS,
			.summary = "a grant gives access to a frame the guest does not own",
		},
	[XP_F_GRANT_FLAGS_BAD] =
		{
			.name = "grant-flags-bad",
			.severity = XP_SEV_ERROR,
			.part = XP_PART_GRANTS,
			.summary = "a grant entry's flags are impossible (mapped but not "
				   "permit_access, read-only but mapped for writing)",
		},
	[XP_F_GRANT_PEER_MISSING] =
		{
			.name = "grant-peer-missing",
			.severity = XP_SEV_ERROR,
			.part = XP_PART_GRANTS,
			.summary = "a grant to a domain that does not exist",
		},
	[XP_F_GRANT_RESERVED_MISMATCH] =
		{
			.name = "grant-reserved-mismatch",
			.severity = XP_SEV_ERROR,
			.part = XP_PART_GRANTS,
			.summary = "reserved grant 0 (console) or 1 (xenstore) does not name the "
				   "ring the toolstack recorded",
		},
	[XP_F_GRANT_FRAMES_HIGH] =
		{
			.name = "grant-frames-high",
			.severity = XP_SEV_WARNING,
			.part = XP_PART_GRANTS,
			.advisory = true,
			.summary = "the grant table uses a large share of its maximum frames: the "
				   "guest hangs or fails when it needs more than max_grant_frames",
		},
};
;

const struct xp_finding_desc *xp_finding_desc(enum xp_finding_id id)
{
	return &descs[id];
}

int xp_finding_id_parse(const char *name)
{
	int i;

	for (i = 0; i < XP_F_NR_IDS; i++)
		if (strcmp(descs[i].name, name) == 0)
			return i;
	return -1;
}

struct xp_report *xp_report_create(size_t keep_per_id)
{
	struct xp_report *r = calloc(1, sizeof(*r));

	if (r)
		r->keep_per_id = keep_per_id;
	return r;
}

void xp_report_clear_part(struct xp_report *r, enum xp_part part)
{
	int i;

	for (i = 0; i < XP_F_NR_IDS; i++) {
		if (descs[i].part != part)
			continue;
		free(r->groups[i].kept);
		memset(&r->groups[i], 0, sizeof(r->groups[i]));
	}
}

void xp_report_destroy(struct xp_report *r)
{
	int part;

	if (!r)
		return;
	for (part = 0; part < XP_NR_PARTS; part++)
		xp_report_clear_part(r, part);
	free(r);
}

struct xp_report *xp_report_clone(const struct xp_report *r)
{
	struct xp_report *c = malloc(sizeof(*c));
	int i;

	if (!c)
		return NULL;
	*c = *r;
	for (i = 0; i < XP_F_NR_IDS; i++) {
		const struct xp_report_group *g = &r->groups[i];

		c->groups[i].kept = NULL;
		if (!g->nr_kept)
			continue;
		c->groups[i].kept = malloc(g->nr_kept * sizeof(*g->kept));
		if (!c->groups[i].kept) {
			c->groups[i].nr_kept = 0;
			xp_report_destroy(c);
			return NULL;
		}
		memcpy(c->groups[i].kept, g->kept, g->nr_kept * sizeof(*g->kept));
	}
	return c;
}

bool xp_report_add(struct xp_report *r, const struct xp_finding *f)
{
	struct xp_report_group *g = &r->groups[f->id];
	struct xp_finding *n;

	g->count++;
	if (g->nr_kept >= r->keep_per_id)
		return false;
	n = realloc(g->kept, (g->nr_kept + 1) * sizeof(*n));
	if (!n)
		return false;
	g->kept = n;
	g->kept[g->nr_kept++] = *f;
	return true;
}

bool xp_report_addf(struct xp_report *r, const struct xp_finding *f, const char *fmt, ...)
{
	struct xp_finding n = *f;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(n.detail, sizeof(n.detail), fmt, ap);
	va_end(ap);
	return xp_report_add(r, &n);
}

uint64_t xp_report_count_part(const struct xp_report *r, enum xp_part part, enum xp_severity sev)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < XP_F_NR_IDS; i++)
		if (descs[i].part == part && descs[i].severity >= sev)
			n += r->groups[i].count;
	return n;
}

uint64_t xp_report_count(const struct xp_report *r, enum xp_severity sev)
{
	uint64_t n = 0;
	int part;

	for (part = 0; part < XP_NR_PARTS; part++)
		n += xp_report_count_part(r, part, sev);
	return n;
}

/* Findings that make a guest inconsistent (advisory ones do not). */
static uint64_t count_inconsistencies(const struct xp_report *r)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < XP_F_NR_IDS; i++)
		if (descs[i].severity >= XP_SEV_WARNING && !descs[i].advisory)
			n += r->groups[i].count;
	return n;
}

void xp_report_finish(struct xp_report *r)
{
	if (r->groups[XP_F_GENERATION_UNSTABLE].count || r->groups[XP_F_GRANT_TABLE_UNSTABLE].count)
		r->verdict = XP_VERDICT_UNSTABLE;
	else if (count_inconsistencies(r))
		r->verdict = XP_VERDICT_INCONSISTENT;
	else if (r->groups[XP_F_JUST_RESTORED].count)
		r->verdict = XP_VERDICT_JUST_RESTORED;
	else if (r->groups[XP_F_NOT_PUBLISHED].count)
		r->verdict = XP_VERDICT_NOT_PUBLISHED;
	else
		r->verdict = XP_VERDICT_CONSISTENT;
}

static bool same_finding(const struct xp_finding *a, const struct xp_finding *b)
{
	return a->id == b->id && a->has == b->has && a->index == b->index &&
	       a->index2 == b->index2 && a->pfn == b->pfn && a->mfn == b->mfn && a->va == b->va &&
	       a->expected == b->expected && a->actual == b->actual &&
	       strcmp(a->level, b->level) == 0;
}

bool xp_report_same_part(const struct xp_report *a, const struct xp_report *b, enum xp_part part)
{
	size_t j;
	int i;

	for (i = 0; i < XP_F_NR_IDS; i++) {
		const struct xp_report_group *ga = &a->groups[i], *gb = &b->groups[i];

		if (descs[i].part != part)
			continue;
		if (ga->count != gb->count || ga->nr_kept != gb->nr_kept)
			return false;
		for (j = 0; j < ga->nr_kept; j++)
			if (!same_finding(&ga->kept[j], &gb->kept[j]))
				return false;
	}
	return true;
}

const char *xp_verdict_name(enum xp_verdict v)
{
	switch (v) {
	case XP_VERDICT_CONSISTENT:
		return "consistent";
	case XP_VERDICT_INCONSISTENT:
		return "inconsistent";
	case XP_VERDICT_UNSTABLE:
		return "unstable";
	case XP_VERDICT_JUST_RESTORED:
		return "just-restored";
	case XP_VERDICT_NOT_PUBLISHED:
		return "not-published";
	}
	return "unknown";
}

const char *xp_layout_name(enum xp_layout l)
{
	switch (l) {
	case XP_LAYOUT_NONE:
		return "none";
	case XP_LAYOUT_TREE:
		return "tree";
	case XP_LAYOUT_LIST:
		return "list";
	case XP_LAYOUT_LIST_ONLY:
		return "list-only";
	}
	return "unknown";
}

const char *xp_severity_name(enum xp_severity s)
{
	switch (s) {
	case XP_SEV_INFO:
		return "info";
	case XP_SEV_WARNING:
		return "warning";
	case XP_SEV_ERROR:
		return "error";
	}
	return "unknown";
}
