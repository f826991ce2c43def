// SPDX-License-Identifier: GPL-2.0
/*
 * The p2m as data: shared_info fields (show), streaming pfn -> mfn
 * (show --dump), the leaf frames (bench), one pfn's path (show --pfn/--mfn).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/p2m.h"
#include "engine/pt.h"
#include "engine/target.h"
#include "engine/walk.h"
#include "lib/util.h"

const char *xp_entry_class_name(enum xp_entry_class c)
{
	switch (c) {
	case XP_ENTRY_VALID:
		return "valid";
	case XP_ENTRY_INVALID:
		return "invalid";
	case XP_ENTRY_IDENTITY:
		return "identity";
	case XP_ENTRY_FOREIGN:
		return "foreign";
	case XP_ENTRY_MISSING:
		return "missing";
	}
	return "unknown";
}

struct xp_error *xp_p2m_info_read(struct xp_backend *be, uint32_t domid, struct xp_p2m_info *info)
{
	struct xp_shinfo_p2m si;
	struct xp_target *t;
	struct xp_error *err;

	memset(info, 0, sizeof(*info));
	err = xp_target_open(be, domid, &t);
	if (err)
		return err;
	xp_target_read_shinfo(t, &si);
	info->width = t->width;
	info->max_pfn = si.max_pfn;
	info->frame_list_list = si.frame_list_list;
	info->p2m_cr3 = si.p2m_cr3;
	info->p2m_cr3_mfn = si.p2m_cr3_mfn;
	info->p2m_vaddr = si.p2m_vaddr;
	info->generation = si.generation;
	info->layout = xp_layout_of(t, &si);
	info->shared_info_mfn = t->info.shared_info_frame;
	xp_target_destroy(t);
	return NULL;
}

/*
 * Open @domid and walk its structures once, findings thrown away: we only
 * want the leaves (of a guest restored paused too: xp_walk_find).  On
 * success the caller releases *t and @w.
 */
static struct xp_error *open_walked(struct xp_backend *be, uint32_t domid, struct xp_target **t,
				    struct xp_walk *w)
{
	struct xp_report *scratch;
	struct xp_error *err;
	bool via_vcpu;

	err = xp_target_open(be, domid, t);
	if (err)
		return err;
	scratch = xp_report_create(0);
	err = scratch ? xp_walk_find(*t, w, scratch, &via_vcpu) : xp_error_nomem();
	xp_report_destroy(scratch);
	if (err) {
		xp_walk_release(w);
		xp_target_destroy(*t);
		*t = NULL;
	}
	return err;
}

struct xp_error *xp_p2m_leaves_read(struct xp_backend *be, uint32_t domid,
				    struct xp_p2m_leaves **out)
{
	struct xp_p2m_leaves *l = NULL;
	struct xp_walk w = {0};
	struct xp_target *t;
	struct xp_error *err;
	const uint64_t *leaves;
	uint64_t k;

	*out = NULL;
	err = open_walked(be, domid, &t, &w);
	if (err)
		return err;
	leaves = w.list_leaf ? w.list_leaf : w.tree_leaf;
	l = calloc(1, sizeof(*l));
	if (l)
		l->mfn = malloc(XP_MAX(w.nr_pages, 1) * sizeof(*l->mfn));
	if (!l || !l->mfn) {
		err = xp_error_nomem();
		goto out;
	}
	l->width = t->width;
	l->max_pfn = w.max_pfn;
	l->count = w.nr_pages;
	/* the tree covers fewer pages than max_pfn needs when max_pfn is too large */
	for (k = 0; k < l->count; k++)
		l->mfn[k] = leaves && (w.list_leaf || k < w.tree_pages) ? leaves[k] : XP_NO_MFN;
	*out = l;
	l = NULL;
out:
	xp_p2m_leaves_destroy(l);
	xp_walk_release(&w);
	xp_target_destroy(t);
	return err;
}

void xp_p2m_leaves_destroy(struct xp_p2m_leaves *l)
{
	if (!l)
		return;
	free(l->mfn);
	free(l);
}

struct xp_error *xp_p2m_foreach(struct xp_backend *be, uint32_t domid, uint64_t first,
				uint64_t last, xp_p2m_fn fn, void *arg, uint64_t *unreachable)
{
	struct xp_walk w = {0};
	struct xp_target *t;
	struct xp_error *err;
	const uint64_t *leaves;
	uint64_t nleaves, k, *batch = NULL, *batch_k = NULL, *shared = NULL;
	size_t nshared = 0;
	int *errs = NULL, stop = 0;

	*unreachable = 0;
	err = open_walked(be, domid, &t, &w);
	if (err)
		return err;
	leaves = w.list_leaf ? w.list_leaf : w.tree_leaf;
	nleaves = w.list_leaf ? w.nr_pages : w.tree_pages;
	if (last >= w.max_pfn)
		last = w.max_pfn ? w.max_pfn - 1 : 0;
	if (!leaves || first > last || w.max_pfn == 0)
		goto out;
	batch = malloc(XP_BATCH * sizeof(*batch));
	batch_k = malloc(XP_BATCH * sizeof(*batch_k));
	errs = malloc(XP_BATCH * sizeof(*errs));
	shared = malloc(XP_MAX(nleaves, 1) * sizeof(*shared));
	if (!batch || !batch_k || !errs || !shared) {
		err = xp_error_nomem();
		goto out;
	}
	nshared = xp_shared_leaves(leaves, nleaves, shared);

	for (k = first / t->fpp; k <= last / t->fpp && !stop;) {
		const void *addr = NULL;
		size_t n = 0, j;

		while (k <= last / t->fpp && n < XP_BATCH) {
			batch[n] = k < nleaves ? leaves[k] : XP_NO_MFN;
			batch_k[n] = k;
			n++;
			k++;
		}
		{
			/* map only the reachable ones, contiguously */
			uint64_t *m = malloc(n * sizeof(*m));
			size_t nm = 0;

			if (!m) {
				err = xp_error_nomem();
				goto out;
			}
			for (j = 0; j < n; j++)
				if (batch[j] != XP_NO_MFN)
					m[nm++] = batch[j];
			if (nm)
				err = xp_backend_map_frames(be, domid, m, nm, errs, &addr);
			free(m);
			if (err)
				goto out;
		}
		{
			size_t mi = 0;

			for (j = 0; j < n && !stop; j++) {
				uint64_t base = batch_k[j] * t->fpp, pfn;
				const void *page = NULL;
				bool is_shared = false;

				if (batch[j] != XP_NO_MFN) {
					if (!errs[mi])
						page = (const char *)addr + mi * XP_PAGE_SIZE;
					is_shared = xp_u64_contains(shared, nshared, batch[j]);
					mi++;
				}
				for (pfn = XP_MAX(base, first); pfn <= last && pfn < base + t->fpp;
				     pfn++) {
					uint64_t e = t->invalid;
					int cls = XP_ENTRY_INVALID;

					if (page) {
						e = xp_word(page, pfn - base, t->width);
						cls = xp_target_classify(t, e);
						if (cls == XP_ENTRY_INVALID && is_shared)
							cls = XP_ENTRY_MISSING;
					} else {
						(*unreachable)++;
					}
					stop = fn(arg, pfn, e, cls);
					if (stop)
						break;
				}
			}
			if (addr)
				xp_backend_unmap_frames(be, addr, mi);
		}
	}
out:
	free(batch);
	free(batch_k);
	free(errs);
	free(shared);
	xp_walk_release(&w);
	xp_target_destroy(t);
	return err;
}

static void step(struct xp_path_step *s, const char *level, uint64_t table, unsigned int index,
		 uint64_t value, int err)
{
	s->level = level;
	s->table_mfn = table;
	s->index = index;
	s->value = value;
	s->err = err;
}

struct xp_error *xp_p2m_path(struct xp_backend *be, uint32_t domid, uint64_t pfn,
			     struct xp_path *path)
{
	struct xp_shinfo_p2m si;
	struct xp_target *t;
	struct xp_error *err;
	uint64_t entry = ~0ULL;
	bool have = false;
	int ferr;

	memset(path, 0, sizeof(*path));
	path->pfn = pfn;
	path->m2p = ~0ULL;
	err = xp_target_open(be, domid, &t);
	if (err)
		return err;
	xp_target_read_shinfo(t, &si);
	if (pfn >= si.max_pfn) {
		err = xp_error_create(XP_ERR_USAGE, ERANGE,
				      "pfn 0x%" PRIx64 " is beyond domain %u's max_pfn 0x%" PRIx64,
				      pfn, domid, si.max_pfn);
		goto out;
	}
	/* the mfn tree */
	if (si.frame_list_list && si.frame_list_list != t->invalid &&
	    pfn < (uint64_t)t->fpp * t->fpp * t->fpp) {
		uint64_t fpp = t->fpp, table = si.frame_list_list, v;
		unsigned int idx[3] = {(unsigned int)(pfn / (fpp * fpp)),
				       (unsigned int)(pfn / fpp % fpp), (unsigned int)(pfn % fpp)};
		static const char *const names[3] = {"top", "mid", "leaf"};
		int i;

		step(&path->tree[path->nr_tree++], "frame-list-list", 0, 0, table, 0);
		for (i = 0; i < 3; i++) {
			const void *page =
				table < t->host.max_mfn ? xp_target_frame(t, table, &ferr) : NULL;

			if (table >= t->host.max_mfn)
				ferr = -ERANGE;
			if (!page) {
				step(&path->tree[path->nr_tree++], names[i], table, idx[i], 0,
				     ferr);
				break;
			}
			v = xp_word(page, idx[i], t->width);
			step(&path->tree[path->nr_tree++], names[i], table, idx[i], v, 0);
			table = v;
			if (i == 2) {
				entry = v;
				have = true;
			}
		}
	}
	/* the linear list */
	if (si.p2m_cr3) {
		const struct xp_pt_geometry *g = xp_pt_geometry(t->width);
		uint64_t va = si.p2m_vaddr + pfn * t->width, table = si.p2m_cr3_mfn, v = 0;
		unsigned int level;

		path->va = va;
		step(&path->list[path->nr_list++], "cr3", 0, 0, si.p2m_cr3, 0);
		for (level = 0; level <= g->levels; level++) {
			const bool leaf = level == g->levels;
			unsigned int idx = leaf ? (unsigned int)((va & 0xfff) / t->width)
						: xp_pt_index(g, level, va);
			const void *page = NULL;

			if (!xp_va_ok(t->width, va)) {
				step(&path->list[path->nr_list++], leaf ? "leaf" : g->name[level],
				     table, idx, 0, -EINVAL);
				break;
			}
			if (table < t->host.max_mfn)
				page = xp_target_frame(t, table, &ferr);
			else
				ferr = -ERANGE;
			if (!page) {
				step(&path->list[path->nr_list++], leaf ? "leaf" : g->name[level],
				     table, idx, 0, ferr);
				break;
			}
			v = leaf ? xp_word(page, idx, t->width) : xp_word(page, idx, 8);
			step(&path->list[path->nr_list++], leaf ? "leaf" : g->name[level], table,
			     idx, v, 0);
			if (leaf) {
				entry = v;
				have = true;
				break;
			}
			if (!(v & XP_PTE_PRESENT)) {
				path->list[path->nr_list - 1].err = -ENOENT;
				break;
			}
			table = xp_pte_mfn(v);
		}
	}
	path->reachable = have;
	if (!have)
		goto out;
	path->entry = entry;
	path->cls = xp_target_classify(t, entry);
	if (path->cls == XP_ENTRY_VALID) {
		path->m2p = xp_target_m2p(t, entry);
		path->round_trip = path->m2p == pfn;
	}
out:
	xp_target_destroy(t);
	return err;
}

struct xp_error *xp_m2p_lookup(struct xp_backend *be, uint64_t mfn, uint64_t *pfn)
{
	const uint64_t *m2p;
	struct xp_error *err;
	uint64_t nr;

	err = xp_backend_m2p_map(be, &m2p, &nr);
	if (err)
		return err;
	if (mfn >= nr)
		return xp_error_create(XP_ERR_USAGE, ERANGE,
				       "mfn 0x%" PRIx64 " is beyond the host's memory (0x%" PRIx64
				       " frames)",
				       mfn, nr);
	*pfn = __atomic_load_n(&m2p[mfn], __ATOMIC_RELAXED);
	return NULL;
}
