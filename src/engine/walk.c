// SPDX-License-Identifier: GPL-2.0
/*
 * One pass over a guest's p2m, the way the toolstack reads it, but
 * reporting instead of aborting:
 *
 *   shared_info.pfn_to_mfn_frame_list_list -> top page -> mid pages -> leaves
 *   shared_info.p2m_cr3 -> page tables -> the pages mapping p2m_vaddr..
 *
 * Every bound comes from the hypervisor (max_mfn, the pfn cap derived from
 * max_pages) or from fixed page geometry, never from a guest value alone.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pt.h"
#include "engine/walk.h"
#include "lib/util.h"

/* A structure frame that could not be mapped: classified later. */
static void pend(struct xp_walk *w, const char *level, unsigned int has, uint64_t index,
		 uint64_t index2, uint64_t pfn, uint64_t mfn, uint64_t va, int err)
{
	struct xp_finding *f;

	f = xp_grow(w->pending, &w->cap_pending, w->nr_pending + 1, sizeof(*f));
	if (!f)
		return;
	w->pending = f;
	f = &w->pending[w->nr_pending++];
	memset(f, 0, sizeof(*f));
	f->id = XP_F_MFN_NOT_OWNED;
	f->level = level;
	f->has = has | XP_LOC_MFN;
	f->index = index;
	f->index2 = index2;
	f->pfn = pfn;
	f->mfn = mfn;
	f->va = va;
	f->actual = (uint64_t)(int64_t)err;
}

static void unreachable(uint64_t *leaf, uint64_t from, uint64_t to)
{
	for (; from < to; from++)
		leaf[from] = XP_NO_MFN;
}

/* ------------------------------------------------------------------ list */

enum { R_OK = 0, R_NOT_PRESENT, R_OTHER };

struct node {
	uint64_t mfn;
	uint64_t lo, hi; /* the part of the list's VA range this table maps */
};

struct hole {
	unsigned int level;
	uint64_t index, va, pte, table;
	uint64_t first_page, end_page;
};

static const char *const list_level_name[2][5] = {
	{"list-l3", "list-l2", "list-l1", "leaf-page", NULL},	   /* PAE */
	{"list-l4", "list-l3", "list-l2", "list-l1", "leaf-page"}, /* x86_64 */
};

static struct xp_error *walk_list(struct xp_target *t, struct xp_walk *w, struct xp_report *r)
{
	const struct xp_pt_geometry *g = xp_pt_geometry(t->width);
	const char *const *lname = list_level_name[t->width == 8];
	uint64_t start = w->si.p2m_vaddr, len = w->nr_pages * XP_PAGE_SIZE, end;
	struct node *nodes = NULL, *next = NULL;
	size_t nn = 0, cap_nodes = 1, nnext = 0, cap_next = 0, nholes = 0, cap_holes = 0, i;
	uint64_t *upper = NULL, *cur = NULL;
	size_t nupper = 0, ncur = 0;
	struct hole *holes = NULL;
	struct xp_error *err = NULL;
	uint8_t *reason = NULL;
	unsigned int level;
	uint64_t k;

	if ((start & (XP_PAGE_SIZE - 1)) || start + len < start || len == 0 ||
	    !xp_va_ok(t->width, start) || !xp_va_ok(t->width, start + len - 1) ||
	    (t->width == 8 && (start >> 47) != ((start + len - 1) >> 47))) {
		struct xp_finding f = {
			.id = XP_F_LIST_VADDR_BAD,
			.level = "shared_info",
			.has = XP_LOC_VA | XP_LOC_ACTUAL,
			.va = start,
			.actual = w->max_pfn,
		};

		xp_report_addf(r, &f,
			       "p2m_vaddr 0x%" PRIx64 " with max_pfn 0x%" PRIx64
			       " is not a usable list range (Bad virtual p2m address range)",
			       start, w->max_pfn);
		return NULL;
	}
	end = start + len;
	if (w->si.p2m_cr3_mfn >= t->host.max_mfn) {
		struct xp_finding f = {
			.id = XP_F_LIST_CR3_BAD,
			.level = "shared_info",
			.has = XP_LOC_MFN | XP_LOC_ACTUAL,
			.mfn = w->si.p2m_cr3_mfn,
			.actual = w->si.p2m_cr3,
		};

		xp_report_addf(r, &f,
			       "p2m_cr3 0x%" PRIx64 " names MFN 0x%" PRIx64
			       ", beyond the host's memory (0x%" PRIx64 " frames)",
			       w->si.p2m_cr3, w->si.p2m_cr3_mfn, t->host.max_mfn);
		return NULL;
	}

	w->list_leaf = malloc(w->nr_pages * sizeof(*w->list_leaf));
	reason = calloc(w->nr_pages, 1);
	nodes = malloc(sizeof(*nodes));
	if (!w->list_leaf || !reason || !nodes) {
		err = xp_error_nomem();
		goto out;
	}
	unreachable(w->list_leaf, 0, w->nr_pages);
	nodes[0] = (struct node){w->si.p2m_cr3_mfn, start, end};
	nn = 1;

	for (level = 0; level < g->levels && nn; level++) {
		uint64_t span = 1ULL << g->shift[level];
		bool last = level + 1 == g->levels;

		free(cur);
		cur = malloc(nn * sizeof(*cur));
		if (!cur) {
			err = xp_error_nomem();
			goto out;
		}
		for (i = 0; i < nn; i++)
			cur[i] = nodes[i].mfn;
		ncur = xp_u64_sort_unique(cur, nn);
		err = xp_target_map_many(t, cur, ncur);
		if (err)
			goto out;
		nnext = 0;

		for (i = 0; i < nn; i++) {
			const struct node *n = &nodes[i];
			uint64_t first = (n->lo - start) >> 12, lim = (n->hi - start) >> 12;
			const void *page;
			uint64_t va;
			int ferr;

			page = xp_target_frame(t, n->mfn, &ferr);
			if (!page) {
				if (level == 0) {
					struct xp_finding f = {
						.id = XP_F_LIST_CR3_BAD,
						.level = "shared_info",
						.has = XP_LOC_MFN | XP_LOC_ACTUAL,
						.mfn = n->mfn,
						.actual = w->si.p2m_cr3,
					};

					xp_report_addf(
						r, &f,
						"p2m_cr3 0x%" PRIx64 " names MFN 0x%" PRIx64
						" which the domain cannot map (Bad p2m_cr3 value)",
						w->si.p2m_cr3, n->mfn);
				} else {
					pend(w, lname[level], XP_LOC_VA, 0, 0, 0, n->mfn, n->lo,
					     ferr);
				}
				for (k = first; k < lim; k++)
					reason[k] = R_OTHER;
				continue;
			}
			for (va = n->lo; va < n->hi;) {
				uint64_t va_next = XP_MIN((va & ~(span - 1)) + span, n->hi);
				unsigned int idx = xp_pt_index(g, level, va);
				uint64_t pte = xp_word(page, idx, 8), child;
				uint64_t p0 = (va - start) >> 12, p1 = (va_next - start) >> 12;

				if (!(pte & XP_PTE_PRESENT)) {
					struct hole *h =
						xp_grow(holes, &cap_holes, nholes + 1, sizeof(*h));

					if (!h) {
						err = xp_error_nomem();
						goto out;
					}
					holes = h;
					holes[nholes++] =
						(struct hole){level, idx, va, pte, n->mfn, p0, p1};
					for (k = p0; k < p1; k++)
						reason[k] = R_NOT_PRESENT;
					va = va_next;
					continue;
				}
				for (k = p0; k < p1; k++)
					reason[k] = R_OTHER;
				if (!last && (pte & XP_PTE_PSE)) {
					struct xp_finding f = {
						.id = XP_F_LIST_PTE_BAD,
						.level = lname[level],
						.has = XP_LOC_INDEX | XP_LOC_MFN | XP_LOC_VA |
						       XP_LOC_ACTUAL,
						.index = idx,
						.mfn = n->mfn,
						.va = va,
						.actual = pte,
					};

					xp_report_addf(r, &f,
						       "%s entry %u of table 0x%" PRIx64
						       " maps a superpage (0x%" PRIx64
						       "), which PV guests cannot use",
						       g->name[level], idx, n->mfn, pte);
					va = va_next;
					continue;
				}
				child = xp_pte_mfn(pte);
				if (child >= t->host.max_mfn) {
					struct xp_finding f = {
						.id = XP_F_MFN_OUT_OF_RANGE,
						.level = lname[level + 1],
						.has = XP_LOC_INDEX | XP_LOC_MFN | XP_LOC_VA |
						       XP_LOC_ACTUAL,
						.index = idx,
						.mfn = child,
						.va = va,
						.actual = pte,
					};

					xp_report_addf(r, &f,
						       "%s entry %u (for va 0x%" PRIx64
						       ") names MFN 0x%" PRIx64
						       ", beyond the host's 0x%" PRIx64 " frames",
						       g->name[level], idx, va, child,
						       t->host.max_mfn);
					va = va_next;
					continue;
				}
				if (xp_u64_contains(upper, nupper, child) ||
				    xp_u64_contains(cur, ncur, child)) {
					struct xp_finding f = {
						.id = XP_F_LIST_PT_LOOP,
						.level = lname[level + 1],
						.has = XP_LOC_INDEX | XP_LOC_MFN | XP_LOC_VA,
						.index = idx,
						.mfn = child,
						.va = va,
					};

					xp_report_addf(r, &f,
						       "%s entry %u of table 0x%" PRIx64
						       " names 0x%" PRIx64
						       ", a frame already used as a "
						       "page table on this path",
						       g->name[level], idx, n->mfn, child);
					va = va_next;
					continue;
				}
				if (last) {
					for (k = p0; k < p1; k++) {
						w->list_leaf[k] = child;
						reason[k] = R_OK;
					}
				} else {
					struct node *nx =
						xp_grow(next, &cap_next, nnext + 1, sizeof(*nx));

					if (!nx) {
						err = xp_error_nomem();
						goto out;
					}
					next = nx;
					next[nnext++] = (struct node){child, va, va_next};
				}
				va = va_next;
			}
		}
		/* this level's tables join the ancestors */
		{
			uint64_t *u = realloc(upper, (nupper + ncur) * sizeof(*u));

			if (!u) {
				err = xp_error_nomem();
				goto out;
			}
			upper = u;
			memcpy(upper + nupper, cur, ncur * sizeof(*cur));
			nupper = xp_u64_sort_unique(upper, nupper + ncur);
		}
		/* the next level's tables become the ones to walk */
		{
			struct node *tmp = nodes;
			size_t tc = cap_nodes;

			nodes = next;
			cap_nodes = cap_next;
			nn = nnext;
			next = tmp;
			cap_next = tc;
		}
	}

	/* A leaf page that is also one of the tables: the walk went in a circle. */
	for (k = 0; k < w->nr_pages; k++) {
		if (w->list_leaf[k] != XP_NO_MFN &&
		    xp_u64_contains(upper, nupper, w->list_leaf[k])) {
			struct xp_finding f = {
				.id = XP_F_LIST_PT_LOOP,
				.level = "leaf-page",
				.has = XP_LOC_PFN | XP_LOC_MFN | XP_LOC_VA,
				.pfn = k * t->fpp,
				.mfn = w->list_leaf[k],
				.va = start + k * XP_PAGE_SIZE,
			};

			xp_report_addf(r, &f,
				       "the list page for pfn 0x%" PRIx64 " is 0x%" PRIx64
				       ", a frame used as a page table",
				       k * t->fpp, w->list_leaf[k]);
			w->list_leaf[k] = XP_NO_MFN;
		}
	}

	/*
	 * Entries not present up to the very end of the list: max_pfn claims
	 * more than the list maps.  Holes elsewhere are broken page tables.
	 */
	{
		uint64_t m = w->nr_pages;

		while (m > 0 && reason[m - 1] == R_NOT_PRESENT)
			m--;
		if (m < w->nr_pages && m > 0) {
			struct xp_finding f = {
				.id = XP_F_MAX_PFN_UNCOVERED,
				.level = "list",
				.has = XP_LOC_EXPECTED | XP_LOC_ACTUAL,
				.va = start + m * XP_PAGE_SIZE,
				.expected = m * t->fpp,
				.actual = w->max_pfn,
			};

			xp_report_addf(r, &f,
				       "max_pfn 0x%" PRIx64
				       " but the linear list maps only the first 0x%" PRIx64
				       " pfns (nothing mapped from 0x%" PRIx64 ")",
				       w->max_pfn, m * t->fpp, start + m * XP_PAGE_SIZE);
		} else {
			m = w->nr_pages;
		}
		for (i = 0; i < nholes; i++) {
			const struct hole *h = &holes[i];

			if (h->first_page >= m)
				continue;
			struct xp_finding f = {
				.id = XP_F_LIST_PTE_NOT_PRESENT,
				.level = lname[h->level],
				.has = XP_LOC_INDEX | XP_LOC_MFN | XP_LOC_VA | XP_LOC_PFN |
				       XP_LOC_ACTUAL,
				.index = h->index,
				.pfn = h->first_page * t->fpp,
				.mfn = h->table,
				.va = h->va,
				.actual = h->pte,
			};

			xp_report_addf(r, &f,
				       "%s entry %" PRIu64 " of table 0x%" PRIx64
				       " is not present: pfns 0x%" PRIx64 "-0x%" PRIx64
				       " of the list are unreachable",
				       g->name[h->level], h->index, h->table,
				       h->first_page * t->fpp,
				       XP_MIN(h->end_page * t->fpp, w->max_pfn) - 1);
		}
	}
	w->tables = upper;
	w->nr_tables = nupper;
	upper = NULL;
	r->p2m.pt_pages = w->nr_tables;
	r->p2m.list_walked = true;
out:
	free(upper);
	free(cur);
	free(nodes);
	free(next);
	free(holes);
	free(reason);
	return err;
}

/* ------------------------------------------------------------------ tree */

static struct xp_error *walk_tree(struct xp_target *t, struct xp_walk *w, struct xp_report *r)
{
	uint64_t fll = w->si.frame_list_list, fpp = t->fpp, i, k;
	uint64_t covers = fpp * fpp * fpp;
	const void *top;
	struct xp_error *err;
	int ferr;

	w->tree_pages = XP_MIN(w->nr_pages, fpp * fpp);
	w->nr_top = XP_DIV_ROUND_UP(w->tree_pages, fpp);
	r->p2m.tree_covers = XP_MIN(w->max_pfn, covers);
	if (w->max_pfn > covers && w->layout == XP_LAYOUT_TREE) {
		struct xp_finding f = {
			.id = XP_F_MAX_PFN_UNCOVERED,
			.level = "frame-list-list",
			.has = XP_LOC_EXPECTED | XP_LOC_ACTUAL,
			.expected = covers,
			.actual = w->max_pfn,
		};

		xp_report_addf(r, &f,
			       "max_pfn 0x%" PRIx64
			       " but a 3-level mfn tree covers at most 0x%" PRIx64 " pfns",
			       w->max_pfn, covers);
	}
	w->tree_leaf = malloc(XP_MAX(w->tree_pages, 1) * sizeof(*w->tree_leaf));
	w->top_mfns = malloc(XP_MAX(w->nr_top, 1) * sizeof(*w->top_mfns));
	if (!w->tree_leaf || !w->top_mfns)
		return xp_error_nomem();
	unreachable(w->tree_leaf, 0, w->tree_pages);
	r->p2m.tree_walked = true;

	if (fll >= t->host.max_mfn) {
		struct xp_finding f = {
			.id = XP_F_MFN_OUT_OF_RANGE,
			.level = "frame-list-list",
			.has = XP_LOC_MFN,
			.mfn = fll,
		};

		xp_report_addf(r, &f,
			       "pfn_to_mfn_frame_list_list 0x%" PRIx64
			       " is beyond the host's 0x%" PRIx64 " frames",
			       fll, t->host.max_mfn);
		w->nr_top = 0;
		return NULL;
	}
	top = xp_target_frame(t, fll, &ferr);
	if (!top) {
		pend(w, "frame-list-list", 0, 0, 0, 0, fll, 0, ferr);
		w->nr_top = 0;
		return NULL;
	}
	r->p2m.top_pages = 1;
	for (i = 0; i < w->nr_top; i++)
		w->top_mfns[i] = xp_word(top, i, t->width);
	err = xp_target_map_many(t, w->top_mfns, w->nr_top);
	if (err)
		return err;
	for (i = 0; i < w->nr_top; i++) {
		uint64_t mid_mfn = w->top_mfns[i];
		const void *mid;
		uint64_t j;

		if (mid_mfn >= t->host.max_mfn) {
			struct xp_finding f = {
				.id = XP_F_MFN_OUT_OF_RANGE,
				.level = "top",
				.has = XP_LOC_INDEX | XP_LOC_MFN,
				.index = i,
				.mfn = mid_mfn,
			};

			xp_report_addf(r, &f,
				       "p2m_top_mfn[%" PRIu64 "] = 0x%" PRIx64
				       ", beyond the host's 0x%" PRIx64
				       " frames (Bad mfn in p2m frame list list)",
				       i, mid_mfn, t->host.max_mfn);
			continue;
		}
		mid = xp_target_frame(t, mid_mfn, &ferr);
		if (!mid) {
			pend(w, "top", XP_LOC_INDEX | XP_LOC_PFN, i, 0, i * fpp * fpp, mid_mfn, 0,
			     ferr);
			continue;
		}
		for (j = 0; j < fpp; j++) {
			uint64_t leaf;

			k = i * fpp + j;
			if (k >= w->tree_pages)
				break;
			leaf = xp_word(mid, j, t->width);
			if (leaf >= t->host.max_mfn) {
				struct xp_finding f = {
					.id = XP_F_MFN_OUT_OF_RANGE,
					.level = "mid",
					.has = XP_LOC_INDEX | XP_LOC_INDEX2 | XP_LOC_PFN |
					       XP_LOC_MFN,
					.index = i,
					.index2 = j,
					.pfn = k * fpp,
					.mfn = leaf,
				};

				xp_report_addf(r, &f,
					       "mid-mfn page %" PRIu64 " entry %" PRIu64
					       " (pfn 0x%" PRIx64 ") = 0x%" PRIx64
					       ", beyond the host's 0x%" PRIx64 " frames",
					       i, j, k * fpp, leaf, t->host.max_mfn);
				continue;
			}
			w->tree_leaf[k] = leaf;
		}
	}
	{
		uint64_t *mids = malloc(XP_MAX(w->nr_top, 1) * sizeof(*mids));

		if (!mids)
			return xp_error_nomem();
		memcpy(mids, w->top_mfns, w->nr_top * sizeof(*mids));
		r->p2m.mid_pages = xp_u64_sort_unique(mids, w->nr_top);
		free(mids);
	}
	return NULL;
}

/* The tree and the list must name the same leaf frame for every range. */
static struct xp_error *cross_check(struct xp_target *t, struct xp_walk *w, struct xp_report *r)
{
	uint64_t k, fpp = t->fpp;

	for (k = 0; k < w->tree_pages; k++) {
		uint64_t l = w->list_leaf[k], m = w->tree_leaf[k];
		int ferr;

		if (l == XP_NO_MFN || m == XP_NO_MFN || l == m)
			continue;
		/* a tree leaf we cannot even map says more than "different" */
		if (!xp_target_frame(t, m, &ferr)) {
			pend(w, "mid", XP_LOC_INDEX | XP_LOC_INDEX2 | XP_LOC_PFN, k / fpp, k % fpp,
			     k * fpp, m, 0, ferr);
			continue;
		}
		struct xp_finding f = {
			.id = XP_F_TREE_LIST_MISMATCH,
			.level = "mid",
			.has = XP_LOC_INDEX | XP_LOC_INDEX2 | XP_LOC_PFN | XP_LOC_MFN |
			       XP_LOC_EXPECTED | XP_LOC_ACTUAL,
			.index = k / fpp,
			.index2 = k % fpp,
			.pfn = k * fpp,
			.mfn = m,
			.va = w->si.p2m_vaddr + k * XP_PAGE_SIZE,
			.expected = l,
			.actual = m,
		};

		xp_report_addf(
			r, &f,
			"pfns 0x%" PRIx64 "-0x%" PRIx64 ": the mfn tree (mid %" PRIu64 "[%" PRIu64
			"]) names leaf 0x%" PRIx64 ", the linear list maps 0x%" PRIx64,
			k * fpp, XP_MIN((k + 1) * fpp, w->max_pfn) - 1, k / fpp, k % fpp, m, l);
	}
	return NULL;
}

struct xp_error *xp_walk_structures(struct xp_target *t, struct xp_walk *w, struct xp_report *r)
{
	struct xp_error *err = NULL;

	w->max_pfn = w->si.max_pfn;
	if (w->max_pfn > t->pfn_cap) {
		struct xp_finding f = {
			.id = XP_F_MAX_PFN_IMPLAUSIBLE,
			.level = "shared_info",
			.has = XP_LOC_EXPECTED | XP_LOC_ACTUAL,
			.expected = t->pfn_cap,
			.actual = w->si.max_pfn,
		};

		xp_report_addf(r, &f,
			       "max_pfn 0x%" PRIx64 " is more than this host could back (0x%" PRIx64
			       "); checking the first 0x%" PRIx64 " pfns only",
			       w->si.max_pfn, t->pfn_cap, t->pfn_cap);
		w->max_pfn = t->pfn_cap;
	}
	w->nr_pages = XP_DIV_ROUND_UP(w->max_pfn, t->fpp);
	if (w->nr_pages == 0) {
		struct xp_finding f = {
			.id = XP_F_SHARED_INFO_BAD,
			.level = "shared_info",
			.has = XP_LOC_ACTUAL,
		};

		xp_report_addf(r, &f, "max_pfn is 0 although the p2m is published");
		return NULL;
	}
	if (w->layout == XP_LAYOUT_LIST || w->layout == XP_LAYOUT_LIST_ONLY)
		err = walk_list(t, w, r);
	if (!err && (w->layout == XP_LAYOUT_LIST || w->layout == XP_LAYOUT_TREE))
		err = walk_tree(t, w, r);
	if (!err && w->list_leaf && w->tree_leaf)
		err = cross_check(t, w, r);
	return err;
}

struct xp_error *xp_walk_find(struct xp_target *t, struct xp_walk *w, struct xp_report *r,
			      bool *via_vcpu)
{
	uint32_t domid = t->info.domid;
	struct xp_error *err;

	*via_vcpu = false;
	xp_target_read_shinfo(t, &w->si);
	w->layout = xp_layout_of(t, &w->si);
	/* restored: the frame list list zeroed, the list's fields left from before */
	if (w->si.frame_list_list == 0 && w->si.p2m_cr3 && w->si.p2m_vaddr && w->si.max_pfn) {
		uint64_t cr3 = 0;

		err = xp_backend_vcpu_cr3(t->be, domid, 0, &cr3);
		if (err)
			return xp_error_wrap(err, "domain %u (restored, not resumed yet)", domid);
		/* the list as the guest's own page tables map it, not the tree */
		w->si.p2m_cr3_mfn = cr3;
		w->si.p2m_cr3 = cr3;
		w->si.frame_list_list = t->invalid;
		w->layout = XP_LAYOUT_LIST_ONLY;
		*via_vcpu = true;
	} else if (w->layout == XP_LAYOUT_NONE) {
		return xp_error_create(XP_ERR_RUNTIME, EAGAIN,
				       "domain %u has not published its p2m (%s)", domid,
				       w->si.frame_list_list == 0 && w->si.max_pfn
					       ? "restored, not resumed yet, and it has no linear "
						 "list to find it by"
					       : "nothing in shared_info yet");
	}
	return xp_walk_structures(t, w, r);
}

uint64_t xp_walk_lookup(struct xp_target *t, const struct xp_walk *w, uint64_t pfn)
{
	uint64_t k = pfn / t->fpp, leaf = XP_NO_MFN;
	const void *page;
	int ferr;

	if (pfn >= w->max_pfn)
		return XP_NO_MFN;
	if (w->list_leaf)
		leaf = w->list_leaf[k];
	else if (w->tree_leaf && k < w->tree_pages)
		leaf = w->tree_leaf[k];
	if (leaf == XP_NO_MFN)
		return XP_NO_MFN;
	page = xp_target_frame(t, leaf, &ferr);
	if (!page)
		return XP_NO_MFN;
	return xp_word(page, pfn % t->fpp, t->width);
}

/*
 * Who owns @mfn, if anyone: a frame maps as domain D exactly when D owns it
 * (or D granted it), so ask each other domain.  -1: nobody (a free frame).
 */
static int64_t probe_owner(struct xp_target *t, const struct xp_domain_info *doms, size_t n,
			   uint64_t mfn)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const void *addr = NULL;
		struct xp_error *err;
		int ferr = -1;

		if (doms[i].domid == t->info.domid)
			continue;
		err = xp_backend_map_frames(t->be, doms[i].domid, &mfn, 1, &ferr, &addr);
		if (err) {
			xp_error_destroy(err);
			continue;
		}
		xp_backend_unmap_frames(t->be, addr, 1);
		if (ferr == 0)
			return doms[i].domid;
	}
	return -1;
}

/* Ownership probes are a few hypercalls each: cap them for hostile guests. */
#define XP_MAX_OWNER_PROBES 64

void xp_walk_classify_pending(struct xp_target *t, struct xp_walk *w, struct xp_report *r)
{
	struct xp_domain_info *doms = NULL;
	size_t ndoms = 0, i;
	struct xp_error *err;

	if (w->nr_pending) {
		err = xp_backend_list_domains(t->be, &doms, &ndoms);
		if (err) {
			xp_error_destroy(err);
			ndoms = 0;
		}
	}
	for (i = 0; i < w->nr_pending; i++) {
		struct xp_finding *f = &w->pending[i];
		int ferr = (int)(int64_t)f->actual;
		int64_t owner = -1;
		uint64_t pfn, cur;
		char where[64];
		size_t k;

		switch (f->has & (XP_LOC_INDEX | XP_LOC_INDEX2)) {
		case XP_LOC_INDEX | XP_LOC_INDEX2:
			snprintf(where, sizeof(where), "%s %" PRIu64 "[%" PRIu64 "]", f->level,
				 f->index, f->index2);
			break;
		case XP_LOC_INDEX:
			snprintf(where, sizeof(where), "%s[%" PRIu64 "]", f->level, f->index);
			break;
		default:
			snprintf(where, sizeof(where), "%s", f->level);
		}
		f->has &= ~XP_LOC_ACTUAL;
		if (i < XP_MAX_OWNER_PROBES)
			owner = probe_owner(t, doms, ndoms, f->mfn);
		if (owner >= 0) {
			const char *name = "";

			for (k = 0; k < ndoms; k++)
				if (doms[k].domid == (uint32_t)owner)
					name = doms[k].name;
			f->id = XP_F_MFN_NOT_OWNED;
			f->has |= XP_LOC_OWNER;
			f->owner = owner;
			snprintf(f->detail, sizeof(f->detail),
				 "%s names 0x%" PRIx64 ", a frame of domain %" PRId64 "%s%s%s",
				 where, f->mfn, owner, *name ? " (" : "", name, *name ? ")" : "");
			xp_report_add(r, f);
			continue;
		}
		/* nobody's: a stale MFN when its M2P entry still names one of our pfns */
		pfn = xp_target_m2p(t, f->mfn);
		cur = pfn < w->max_pfn ? xp_walk_lookup(t, w, pfn) : XP_NO_MFN;
		if (cur == XP_NO_MFN && pfn < w->max_pfn && ndoms && i < XP_MAX_OWNER_PROBES) {
			/*
			 * The pfn's current frame is behind this very entry (a
			 * stale top entry hides the range holding its own mid
			 * page): a free frame whose M2P names one of our pfns is
			 * still, by far, most likely our own left-over.
			 */
			f->id = XP_F_MFN_STALE;
			f->has |= XP_LOC_ACTUAL;
			f->actual = f->mfn;
			snprintf(f->detail, sizeof(f->detail),
				 "%s names 0x%" PRIx64
				 ", a free frame whose M2P entry still says pfn 0x%" PRIx64
				 " of this domain (stale MFN from before a migration; the pfn's "
				 "current "
				 "frame is unreachable through this entry)",
				 where, f->mfn, pfn);
		} else if (cur != XP_NO_MFN && xp_target_classify(t, cur) == XP_ENTRY_VALID &&
			   cur != f->mfn) {
			f->id = XP_F_MFN_STALE;
			f->has |= XP_LOC_EXPECTED | XP_LOC_ACTUAL;
			f->expected = cur;
			f->actual = f->mfn;
			snprintf(f->detail, sizeof(f->detail),
				 "%s names 0x%" PRIx64
				 ", no longer the domain's; M2P says it was pfn 0x%" PRIx64
				 ", which is now at 0x%" PRIx64
				 " (stale MFN from before a migration)",
				 where, f->mfn, pfn, cur);
		} else {
			f->id = XP_F_MFN_NOT_OWNED;
			snprintf(f->detail, sizeof(f->detail),
				 "%s names 0x%" PRIx64 ", which the domain cannot map (%s)", where,
				 f->mfn, strerror(ferr < 0 ? -ferr : EIO));
		}
		xp_report_add(r, f);
	}
	free(doms);
	w->nr_pending = 0;
}

/* ---------------------------------------------------------------- leaves */

struct leaf_stats {
	uint64_t mism_pfn[1024], mism_mfn[1024], mism_m2p[1024];
	unsigned int nmism;
};

/* All valid entries of a leaf consistently name another range: one finding. */
static void report_leaf(struct xp_target *t, struct xp_walk *w, struct xp_report *r, uint64_t k,
			uint64_t leaf_mfn, unsigned int nvalid, const struct leaf_stats *s)
{
	int64_t d = 0;
	unsigned int i;
	bool same = s->nmism >= 2 && s->nmism == nvalid;

	for (i = 0; same && i < s->nmism; i++) {
		int64_t di = (int64_t)(s->mism_m2p[i] - s->mism_pfn[i]);

		if (s->mism_m2p[i] == ~0ULL || (i > 0 && di != d) || di == 0)
			same = false;
		d = di;
	}
	if (same) {
		struct xp_finding f = {
			.id = XP_F_LEAF_MISPLACED,
			.level = "leaf-page",
			.has = XP_LOC_PFN | XP_LOC_MFN | XP_LOC_EXPECTED | XP_LOC_ACTUAL,
			.index = k,
			.pfn = k * t->fpp,
			.mfn = leaf_mfn,
			.expected = k * t->fpp,
			.actual = k * t->fpp + d,
		};

		xp_report_addf(r, &f,
			       "leaf page 0x%" PRIx64 " for pfns 0x%" PRIx64 "-0x%" PRIx64
			       " holds the entries of pfns from 0x%" PRIx64
			       " (M2P of all %u entries)",
			       leaf_mfn, k * t->fpp, XP_MIN((k + 1) * t->fpp, w->max_pfn) - 1,
			       k * t->fpp + d, nvalid);
		return;
	}
	for (i = 0; i < s->nmism; i++) {
		uint64_t pfn = s->mism_pfn[i], mfn = s->mism_mfn[i], m = s->mism_m2p[i];
		struct xp_finding f = {
			.id = XP_F_M2P_MISMATCH,
			.level = "leaf",
			.has = XP_LOC_PFN | XP_LOC_MFN | XP_LOC_EXPECTED | XP_LOC_ACTUAL,
			.pfn = pfn,
			.mfn = mfn,
			.expected = pfn,
			.actual = m,
		};

		if (m == ~0ULL)
			xp_report_addf(r, &f,
				       "p2m[0x%" PRIx64 "] = 0x%" PRIx64
				       " but M2P has no entry for it",
				       pfn, mfn);
		else
			xp_report_addf(r, &f,
				       "p2m[0x%" PRIx64 "] = 0x%" PRIx64
				       " but M2P says that frame is pfn 0x%" PRIx64,
				       pfn, mfn, m);
	}
}

size_t xp_shared_leaves(const uint64_t *leaves, uint64_t n, uint64_t *shared)
{
	size_t ns = 0, o = 0, i = 0;
	uint64_t k;

	for (k = 0; k < n; k++)
		if (leaves[k] != XP_NO_MFN)
			shared[ns++] = leaves[k];
	qsort(shared, ns, sizeof(*shared), xp_u64_cmp);
	while (i < ns) {
		size_t e = i + 1;

		while (e < ns && shared[e] == shared[i])
			e++;
		if (e - i > 1)
			shared[o++] = shared[i];
		i = e;
	}
	return o;
}

struct xp_error *xp_walk_leaves(struct xp_target *t, struct xp_walk *w, struct xp_report *r)
{
	const uint64_t *leaves = w->list_leaf ? w->list_leaf : w->tree_leaf;
	uint64_t nleaves = w->list_leaf ? w->nr_pages : w->tree_pages;
	uint64_t *shared = NULL, *batch = NULL, *batch_k = NULL;
	struct leaf_stats *st = NULL;
	struct xp_error *err = NULL;
	size_t nshared = 0, n, j;
	int *errs = NULL;
	uint64_t k;

	if (!leaves)
		return NULL;
	shared = malloc(XP_MAX(nleaves, 1) * sizeof(*shared));
	batch = malloc(XP_BATCH * sizeof(*batch));
	batch_k = malloc(XP_BATCH * sizeof(*batch_k));
	errs = malloc(XP_BATCH * sizeof(*errs));
	st = malloc(sizeof(*st));
	if (!shared || !batch || !batch_k || !errs || !st) {
		err = xp_error_nomem();
		goto out;
	}
	nshared = xp_shared_leaves(leaves, nleaves, shared);
	r->p2m.shared_leaf_pages = nshared;

	for (k = 0; k < nleaves;) {
		const void *addr = NULL;

		n = 0;
		while (k < nleaves && n < XP_BATCH) {
			if (leaves[k] != XP_NO_MFN) {
				batch[n] = leaves[k];
				batch_k[n] = k;
				n++;
			}
			k++;
		}
		if (!n)
			continue;
		err = xp_backend_map_frames(t->be, t->info.domid, batch, n, errs, &addr);
		if (err)
			goto out;
		for (j = 0; j < n; j++) {
			uint64_t base = batch_k[j] * t->fpp, i, cnt;
			bool is_shared = xp_u64_contains(shared, nshared, batch[j]);
			const void *page = (const char *)addr + j * XP_PAGE_SIZE;
			unsigned int nvalid = 0;

			if (errs[j]) {
				if (w->list_leaf)
					pend(w, "leaf-page", XP_LOC_PFN | XP_LOC_VA, 0, 0, base,
					     batch[j], w->si.p2m_vaddr + batch_k[j] * XP_PAGE_SIZE,
					     errs[j]);
				else
					pend(w, "mid", XP_LOC_INDEX | XP_LOC_INDEX2 | XP_LOC_PFN,
					     batch_k[j] / t->fpp, batch_k[j] % t->fpp, base,
					     batch[j], 0, errs[j]);
				continue;
			}
			if (!is_shared)
				r->p2m.leaf_pages++;
			cnt = XP_MIN((uint64_t)t->fpp, w->max_pfn - base);
			st->nmism = 0;
			for (i = 0; i < cnt; i++) {
				uint64_t e = xp_word(page, i, t->width), m2p;

				switch (xp_target_classify(t, e)) {
				case XP_ENTRY_INVALID:
					if (is_shared)
						r->p2m.missing++;
					else
						r->p2m.invalid++;
					continue;
				case XP_ENTRY_FOREIGN:
					r->p2m.foreign++;
					continue;
				case XP_ENTRY_IDENTITY:
					r->p2m.identity++;
					continue;
				default:
					break;
				}
				r->p2m.valid++;
				nvalid++;
				if (e >= t->host.max_mfn) {
					struct xp_finding f = {
						.id = XP_F_MFN_OUT_OF_RANGE,
						.level = "leaf",
						.has = XP_LOC_PFN | XP_LOC_MFN,
						.pfn = base + i,
						.mfn = e,
					};

					xp_report_addf(r, &f,
						       "p2m[0x%" PRIx64 "] = 0x%" PRIx64
						       ", beyond the host's 0x%" PRIx64 " frames",
						       base + i, e, t->host.max_mfn);
					continue;
				}
				r->p2m.m2p_checked++;
				m2p = xp_target_m2p(t, e);
				if (m2p != base + i && st->nmism < XP_ARRAY_SIZE(st->mism_pfn)) {
					st->mism_pfn[st->nmism] = base + i;
					st->mism_mfn[st->nmism] = e;
					st->mism_m2p[st->nmism] = m2p;
					st->nmism++;
				}
			}
			r->p2m.pfns_checked += cnt;
			if (st->nmism)
				report_leaf(t, w, r, batch_k[j], batch[j], nvalid, st);
		}
		xp_backend_unmap_frames(t->be, addr, n);
	}
out:
	free(shared);
	free(batch);
	free(batch_k);
	free(errs);
	free(st);
	return err;
}

void xp_walk_release(struct xp_walk *w)
{
	free(w->list_leaf);
	free(w->tree_leaf);
	free(w->tables);
	free(w->top_mfns);
	free(w->pending);
	memset(w, 0, sizeof(*w));
}
