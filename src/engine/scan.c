// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's p2m and pages, streamed and normalised (scan.h).
 *
 * Memory stays bounded by the p2m's page count: the walk's leaf list (one
 * MFN per page of entries), the pfns of the p2m's own pages, and fixed
 * buffers for one group of leaves, one batch of data frames and one
 * normalised page.  Lookups of arbitrary pfns (to tell whether a frame
 * named in a page table is the guest's own) go through a small cache of
 * mapped leaf pages.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pt.h"
#include "engine/scan.h"
#include "engine/target.h"
#include "engine/walk.h"
#include "lib/util.h"

/* after the project's headers: xen.h defines console_mfn as a macro */
#include <xen/xen.h>
#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

/* Leaf pages mapped by one backend call while streaming. */
#define LEAF_GROUP 64U
/* Leaf pages kept mapped for lookups of arbitrary pfns. */
#define CACHE_SLOTS 64U
/* Xen's slots in a 64-bit guest's L4 (its part of the address space). */
#define L4_XEN_FIRST 256U
#define L4_XEN_LAST 271U
/* A 32-bit PAE guest uses the first 4 entries of its L3; Xen the rest. */
#define L3_PAE_GUEST_ENTRIES 4U

struct leaf_cache {
	uint64_t key[CACHE_SLOTS]; /* leaf index + 1; 0: empty */
	const void *page[CACHE_SLOTS];
};

struct scan {
	struct xp_backend *be;
	struct xp_target *t;
	struct xp_walk w;
	const struct xp_scan_options *o;
	struct xp_scan_info *info;
	uint64_t max_pfn;
	const uint64_t *leaves; /* [nleaves] */
	uint64_t nleaves;
	uint64_t *shared; /* leaf frames named more than once (sorted) */
	size_t nshared;
	uint64_t *p2m_pfns, *tree_pfns; /* the p2m's own pages, sorted */
	size_t np2m, ntree;
	uint64_t console_ring, store_ring; /* their frames, as the toolstack recorded */
	struct leaf_cache cache;
	uint8_t *scratch; /* one normalised page */
};

const char *xp_page_kind_name(enum xp_page_kind k)
{
	static const char *const names[XP_PAGE_NR_KINDS] = {
		[XP_PAGE_DATA] = "data",
		[XP_PAGE_PAGE_TABLE] = "page-table",
		[XP_PAGE_P2M] = "p2m",
		[XP_PAGE_P2M_TREE] = "p2m-tree",
		[XP_PAGE_START_INFO] = "start-info",
		[XP_PAGE_RING] = "ring",
	};

	return (size_t)k < XP_PAGE_NR_KINDS ? names[k] : "unknown";
}

const char *xp_scan_via_name(enum xp_scan_via v)
{
	return v == XP_SCAN_VIA_VCPU_CR3 ? "vcpu0-page-tables" : "published";
}

/* ----------------------------------------------------------- lookups */

/* The raw p2m entry of @pfn, XP_NO_MFN when its leaf cannot be read. */
static uint64_t p2m_lookup(struct scan *sc, uint64_t pfn)
{
	uint64_t k = pfn / sc->t->fpp, leaf;
	unsigned int slot = (unsigned int)(k % CACHE_SLOTS);
	struct leaf_cache *c = &sc->cache;
	const void *addr = NULL;
	struct xp_error *err;
	int ferr = 0;

	if (pfn >= sc->max_pfn || k >= sc->nleaves)
		return XP_NO_MFN;
	if (c->key[slot] != k + 1) {
		if (c->page[slot])
			xp_backend_unmap_frames(sc->be, c->page[slot], 1);
		c->page[slot] = NULL;
		c->key[slot] = 0;
		leaf = sc->leaves[k];
		if (leaf == XP_NO_MFN)
			return XP_NO_MFN;
		err = xp_backend_map_frames(sc->be, sc->t->info.domid, &leaf, 1, &ferr, &addr);
		if (err) {
			/* an interrupt or a vanished domain shows at the next batch */
			xp_error_destroy(err);
			return XP_NO_MFN;
		}
		if (ferr) {
			xp_backend_unmap_frames(sc->be, addr, 1);
			return XP_NO_MFN;
		}
		c->page[slot] = addr;
		c->key[slot] = k + 1;
	}
	return xp_word(c->page[slot], pfn % sc->t->fpp, sc->t->width);
}

static void cache_drop(struct scan *sc)
{
	unsigned int i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		if (sc->cache.page[i])
			xp_backend_unmap_frames(sc->be, sc->cache.page[i], 1);
		sc->cache.page[i] = NULL;
		sc->cache.key[i] = 0;
	}
}

/*
 * @mfn's pfn when it is one of the guest's frames (the M2P names a pfn and
 * the p2m names the frame back: the toolstack's "in pseudophysmap"),
 * XP_SCAN_NOT_GUEST otherwise.
 */
static uint64_t norm_mfn(struct scan *sc, uint64_t mfn)
{
	uint64_t pfn = xp_target_m2p(sc->t, mfn), e;

	if (pfn >= sc->max_pfn)
		return XP_SCAN_NOT_GUEST;
	e = p2m_lookup(sc, pfn);
	if (e == XP_NO_MFN || xp_target_classify(sc->t, e) != XP_ENTRY_VALID || e != mfn)
		return XP_SCAN_NOT_GUEST;
	return pfn;
}

static void put_word(void *page, size_t idx, unsigned int width, uint64_t v)
{
	if (width == 8)
		((uint64_t *)page)[idx] = v;
	else
		((uint32_t *)page)[idx] = (uint32_t)v;
}

/* ------------------------------------------------------- normalisers */

static void norm_page_table(struct scan *sc, const void *src, unsigned int level)
{
	uint64_t *dst = (uint64_t *)sc->scratch;
	unsigned int i;

	for (i = 0; i < XP_PAGE_SIZE / 8; i++) {
		uint64_t pte = xp_word(src, i, 8), pfn;

		/* Xen's own mappings: Xen rebuilds them on the other side */
		if ((sc->t->width == 8 && level == 4 && i >= L4_XEN_FIRST && i <= L4_XEN_LAST) ||
		    (sc->t->width == 4 && level == 3 && i >= L3_PAE_GUEST_ENTRIES)) {
			dst[i] = 0;
			continue;
		}
		if (pte & XP_PTE_PRESENT) {
			pfn = norm_mfn(sc, xp_pte_mfn(pte));
			pte = (pte & ~XP_PTE_ADDR_MASK) |
			      ((pfn << XP_PAGE_SHIFT) & XP_PTE_ADDR_MASK);
		}
		dst[i] = pte;
	}
}

/* A page of p2m entries: valid ones -> their pfns, foreign ones -> marked. */
static void norm_p2m(struct scan *sc, const void *src)
{
	const struct xp_target *t = sc->t;
	size_t i;

	for (i = 0; i < t->fpp; i++) {
		uint64_t e = xp_word(src, i, t->width);

		switch (xp_target_classify(t, e)) {
		case XP_ENTRY_VALID:
			e = norm_mfn(sc, e);
			break;
		case XP_ENTRY_FOREIGN:
			e = t->foreign_bit | (XP_SCAN_NOT_GUEST & (t->foreign_bit - 1));
			break;
		default: /* invalid and identity entries name no frame */
			break;
		}
		put_word(sc->scratch, i, t->width, e);
	}
}

/* The mfn tree's top and mid pages: every frame they name -> its pfn. */
static void norm_p2m_tree(struct scan *sc, const void *src)
{
	const struct xp_target *t = sc->t;
	size_t i;

	for (i = 0; i < t->fpp; i++) {
		uint64_t e = xp_word(src, i, t->width);

		put_word(sc->scratch, i, t->width, e == t->invalid ? e : norm_mfn(sc, e));
	}
}

/*
 * A ring field of start_info: the guest's suspend path turns the ring's
 * frame into its pfn and the toolstack's restore turns it back into the
 * new frame, so either form is the ring's pfn.
 */
static uint64_t norm_ring(struct scan *sc, uint64_t v, uint64_t ring_mfn, uint64_t ring_pfn)
{
	uint64_t pfn;

	if (ring_pfn != ~0ULL && (v == ring_pfn || v == ring_mfn))
		return ring_pfn;
	pfn = norm_mfn(sc, v);
	return pfn == XP_SCAN_NOT_GUEST ? v : pfn;
}

static bool is_start_info(const struct scan *sc, const void *page)
{
	const char *magic = sc->t->width == 8 ? "xen-3.0-x86_64" : "xen-3.0-x86_32p";

	return memcmp(page, magic, strlen(magic) + 1) == 0;
}

static void norm_start_info(struct scan *sc, const void *src)
{
	const struct xp_scan_info *in = sc->info;

	memcpy(sc->scratch, src, XP_PAGE_SIZE);
	if (sc->t->width == 8) {
		struct start_info_x86_64 *si = (void *)sc->scratch;

		si->store_mfn = norm_ring(sc, si->store_mfn, sc->store_ring, in->store_pfn);
		si->console.domU.mfn =
			norm_ring(sc, si->console.domU.mfn, sc->console_ring, in->console_pfn);
		si->shared_info = 0;
		si->nr_pages = 0;
		si->flags = 0;
		si->store_evtchn = 0;
		si->console.domU.evtchn = 0;
	} else {
		struct start_info_x86_32 *si = (void *)sc->scratch;

		si->store_mfn =
			(uint32_t)norm_ring(sc, si->store_mfn, sc->store_ring, in->store_pfn);
		si->console.domU.mfn = (uint32_t)norm_ring(sc, si->console.domU.mfn,
							   sc->console_ring, in->console_pfn);
		si->shared_info = 0;
		si->nr_pages = 0;
		si->flags = 0;
		si->store_evtchn = 0;
		si->console.domU.evtchn = 0;
	}
}

/* What @pfn's page (of hypervisor type @type) is, and its normalised form. */
static void normalise(struct scan *sc, struct xp_scan_item *it, uint8_t type, const void *src)
{
	it->level = 0;
	if (type >= XP_PAGE_TYPE_L1 && type <= XP_PAGE_TYPE_L4) {
		it->kind = XP_PAGE_PAGE_TABLE;
		it->level = type - XP_PAGE_TYPE_L1 + 1;
		norm_page_table(sc, src, it->level);
	} else if (it->pfn == sc->info->console_pfn || it->pfn == sc->info->store_pfn) {
		it->kind = XP_PAGE_RING;
		memcpy(sc->scratch, src, XP_PAGE_SIZE);
	} else if (xp_u64_contains(sc->p2m_pfns, sc->np2m, it->pfn)) {
		it->kind = XP_PAGE_P2M;
		norm_p2m(sc, src);
	} else if (xp_u64_contains(sc->tree_pfns, sc->ntree, it->pfn)) {
		it->kind = XP_PAGE_P2M_TREE;
		norm_p2m_tree(sc, src);
	} else if (is_start_info(sc, src)) {
		it->kind = XP_PAGE_START_INFO;
		if (sc->info->start_info_pfn == ~0ULL)
			sc->info->start_info_pfn = it->pfn;
		norm_start_info(sc, src);
	} else {
		it->kind = XP_PAGE_DATA;
		memcpy(sc->scratch, src, XP_PAGE_SIZE);
	}
	it->page = sc->scratch;
}

/* -------------------------------------------------------------- setup */

/* Find the leaves: published structures, or vcpu0's tables (scan.h). */
static struct xp_error *find_p2m(struct scan *sc)
{
	struct xp_walk *w = &sc->w;
	struct xp_report *scratch = xp_report_create(0);
	struct xp_error *err;
	bool via_vcpu = false;

	if (!scratch)
		return xp_error_nomem();
	/* the findings are check's business: only the leaves count here */
	err = xp_walk_find(sc->t, w, scratch, &via_vcpu);
	xp_report_destroy(scratch);
	sc->info->layout = via_vcpu ? XP_LAYOUT_NONE : w->layout;
	sc->info->via = via_vcpu ? XP_SCAN_VIA_VCPU_CR3 : XP_SCAN_VIA_PUBLISHED;
	if (err)
		return err;
	sc->max_pfn = w->max_pfn;
	sc->leaves = w->list_leaf ? w->list_leaf : w->tree_leaf;
	sc->nleaves = w->list_leaf ? w->nr_pages : w->tree_pages;
	return NULL;
}

/* The pfns of the p2m's own pages (leaves, mfn tree) and of the rings. */
static struct xp_error *own_pages(struct scan *sc)
{
	struct xp_walk *w = &sc->w;
	uint64_t k, fll = w->si.frame_list_list, pfn;
	struct xp_error *err;

	sc->p2m_pfns = malloc(XP_MAX(sc->nleaves, 1) * sizeof(*sc->p2m_pfns));
	sc->tree_pfns = malloc((w->nr_top + 1) * sizeof(*sc->tree_pfns));
	if (!sc->p2m_pfns || !sc->tree_pfns)
		return xp_error_nomem();
	for (k = 0; k < sc->nleaves; k++) {
		pfn = sc->leaves[k] == XP_NO_MFN ? XP_SCAN_NOT_GUEST : norm_mfn(sc, sc->leaves[k]);
		if (pfn != XP_SCAN_NOT_GUEST)
			sc->p2m_pfns[sc->np2m++] = pfn;
	}
	sc->np2m = xp_u64_sort_unique(sc->p2m_pfns, sc->np2m);
	if (w->tree_leaf && fll != 0 && fll != sc->t->invalid) {
		pfn = norm_mfn(sc, fll);
		if (pfn != XP_SCAN_NOT_GUEST)
			sc->tree_pfns[sc->ntree++] = pfn;
		for (k = 0; k < w->nr_top; k++) {
			pfn = norm_mfn(sc, w->top_mfns[k]);
			if (pfn != XP_SCAN_NOT_GUEST)
				sc->tree_pfns[sc->ntree++] = pfn;
		}
		sc->ntree = xp_u64_sort_unique(sc->tree_pfns, sc->ntree);
	}
	err = xp_backend_toolstack_rings(sc->be, sc->t->info.domid, &sc->console_ring,
					 &sc->store_ring);
	if (err && (err->kind == XP_ERR_UNSUPPORTED || err->kind == XP_ERR_UNAVAILABLE)) {
		xp_error_destroy(err);
		err = NULL;
		sc->console_ring = sc->store_ring = XP_INVALID_MFN;
	}
	if (err)
		return err;
	pfn = norm_mfn(sc, sc->console_ring);
	sc->info->console_pfn = pfn == XP_SCAN_NOT_GUEST ? ~0ULL : pfn;
	pfn = norm_mfn(sc, sc->store_ring);
	sc->info->store_pfn = pfn == XP_SCAN_NOT_GUEST ? ~0ULL : pfn;
	return NULL;
}

/* ------------------------------------------------------------- stream */

struct chunk {
	uint64_t entry[XP_BATCH];
	uint8_t cls[XP_BATCH];
	bool unreachable[XP_BATCH];
	uint64_t mfn[XP_BATCH]; /* the valid entries' frames, in order */
	uint32_t at[XP_BATCH];	/* their index in the chunk */
	int errs[XP_BATCH];
	uint8_t types[XP_BATCH];
};

/* Hand pfns [base, base + n) to @fn, their entries read from @ch. */
static struct xp_error *emit(struct scan *sc, struct chunk *ch, uint64_t base, size_t n, size_t nv,
			     xp_scan_fn fn, void *arg, int *stopped)
{
	const uint8_t *data = NULL;
	struct xp_error *err = NULL;
	bool map = nv && sc->o->pages;
	size_t i, v = 0;

	if (map) {
		err = xp_backend_map_frames(sc->be, sc->t->info.domid, ch->mfn, nv, ch->errs,
					    (const void **)&data);
		if (!err && sc->o->pages)
			err = xp_backend_page_types(sc->be, sc->t->info.domid, ch->mfn, nv,
						    ch->types);
		if (err)
			goto out;
	}
	for (i = 0; i < n && !*stopped; i++) {
		struct xp_scan_item it = {
			.pfn = base + i,
			.entry = ch->entry[i],
			.cls = ch->cls[i],
			.unreachable = ch->unreachable[i],
		};

		if (v < nv && ch->at[v] == i) {
			it.round_trip = xp_target_m2p(sc->t, ch->mfn[v]) == it.pfn;
			if (map)
				it.map_err = ch->errs[v];
			if (sc->o->pages && !ch->errs[v] && ch->types[v] != XP_PAGE_TYPE_NOT_OWNED)
				normalise(sc, &it, ch->types[v], data + v * XP_PAGE_SIZE);
			else if (sc->o->pages && !ch->errs[v])
				it.map_err = -EPERM;
			v++;
		}
		*stopped = fn(arg, &it);
	}
out:
	if (data)
		xp_backend_unmap_frames(sc->be, data, nv);
	return err;
}

/* pfns [first, end) of one group of mapped leaves (@group, @gerrs). */
static struct xp_error *stream_group(struct scan *sc, struct chunk *ch, uint64_t k0, size_t nk,
				     const uint8_t *group, const int *gerrs, const size_t *slot,
				     xp_scan_fn fn, void *arg, int *stopped)
{
	const struct xp_target *t = sc->t;
	uint64_t first = k0 * t->fpp, end = XP_MIN((k0 + nk) * t->fpp, sc->max_pfn), base;
	struct xp_error *err = NULL;

	for (base = first; base < end && !err && !*stopped; base += XP_BATCH) {
		size_t n = (size_t)XP_MIN((uint64_t)XP_BATCH, end - base), i, nv = 0;

		for (i = 0; i < n; i++) {
			uint64_t pfn = base + i, k = pfn / t->fpp - k0;
			const void *leaf = slot[k] != SIZE_MAX && !gerrs[slot[k]]
						   ? group + slot[k] * XP_PAGE_SIZE
						   : NULL;
			uint64_t e = leaf ? xp_word(leaf, pfn % t->fpp, t->width) : ~0ULL;
			int cls = leaf ? xp_target_classify(t, e) : XP_ENTRY_INVALID;

			if (leaf && cls == XP_ENTRY_INVALID &&
			    xp_u64_contains(sc->shared, sc->nshared, sc->leaves[pfn / t->fpp]))
				cls = XP_ENTRY_MISSING;
			ch->entry[i] = e;
			ch->cls[i] = (uint8_t)cls;
			ch->unreachable[i] = !leaf;
			if (!leaf)
				sc->info->unreachable++;
			if (cls == XP_ENTRY_VALID) {
				ch->mfn[nv] = e;
				ch->at[nv++] = (uint32_t)i;
			}
		}
		err = emit(sc, ch, base, n, nv, fn, arg, stopped);
	}
	return err;
}

static struct xp_error *stream(struct scan *sc, xp_scan_fn fn, void *arg, int *stopped)
{
	uint64_t nk_total = XP_DIV_ROUND_UP(sc->max_pfn, sc->t->fpp), k;
	uint64_t mfns[LEAF_GROUP];
	size_t slot[LEAF_GROUP];
	int gerrs[LEAF_GROUP];
	struct xp_error *err = NULL;
	struct chunk *ch = malloc(sizeof(*ch));

	if (!ch)
		return xp_error_nomem();
	for (k = 0; k < nk_total && !err && !*stopped; k += LEAF_GROUP) {
		size_t nk = (size_t)XP_MIN((uint64_t)LEAF_GROUP, nk_total - k), j, nm = 0;
		const void *group = NULL;

		for (j = 0; j < nk; j++) {
			uint64_t leaf = k + j < sc->nleaves ? sc->leaves[k + j] : XP_NO_MFN;

			slot[j] = leaf == XP_NO_MFN ? SIZE_MAX : nm;
			if (leaf != XP_NO_MFN)
				mfns[nm++] = leaf;
		}
		if (nm)
			err = xp_backend_map_frames(sc->be, sc->t->info.domid, mfns, nm, gerrs,
						    &group);
		if (!err)
			err = stream_group(sc, ch, k, nk, group, gerrs, slot, fn, arg, stopped);
		if (group)
			xp_backend_unmap_frames(sc->be, group, nm);
	}
	free(ch);
	return err;
}

struct xp_error *xp_scan(struct xp_backend *be, uint32_t domid, const struct xp_scan_options *o,
			 struct xp_scan_info *info, xp_scan_fn fn, void *arg, int *stopped)
{
	struct xp_scan_options defaults = {0};
	struct scan sc = {.be = be, .o = o ? o : &defaults, .info = info};
	struct xp_error *err;

	*stopped = 0;
	memset(info, 0, sizeof(*info));
	info->console_pfn = info->store_pfn = info->start_info_pfn = ~0ULL;
	err = xp_target_open(be, domid, &sc.t);
	if (err)
		return err;
	info->width = sc.t->width;
	sc.scratch = malloc(XP_PAGE_SIZE);
	if (!sc.scratch)
		err = xp_error_nomem();
	if (!err)
		err = find_p2m(&sc);
	info->max_pfn = sc.max_pfn;
	if (!err) {
		sc.shared = malloc(XP_MAX(sc.nleaves, 1) * sizeof(*sc.shared));
		if (!sc.shared)
			err = xp_error_nomem();
		else if (sc.leaves)
			sc.nshared = xp_shared_leaves(sc.leaves, sc.nleaves, sc.shared);
	}
	if (!err && sc.o->pages)
		err = own_pages(&sc);
	if (!err)
		err = stream(&sc, fn, arg, stopped);
	cache_drop(&sc);
	/* a domain that died or was replaced explains any failure */
	if (err && err->kind != XP_ERR_INTERRUPTED) {
		struct xp_error *gone = xp_target_still_there(sc.t, NULL);

		if (gone) {
			xp_error_destroy(err);
			err = gone;
		}
	}
	free(sc.scratch);
	free(sc.shared);
	free(sc.p2m_pfns);
	free(sc.tree_pfns);
	xp_walk_release(&sc.w);
	xp_target_destroy(sc.t);
	return err;
}
