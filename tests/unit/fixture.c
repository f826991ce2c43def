// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xen-abi.h"

#include "fixture.h"

struct fx_host *fx_host_create(uint64_t max_mfn)
{
	struct fx_host *h = calloc(1, sizeof(*h));
	uint64_t i;

	h->max_mfn = max_mfn;
	h->m2p = malloc(max_mfn * sizeof(*h->m2p));
	h->owner = malloc(max_mfn * sizeof(*h->owner));
	h->mem = calloc(max_mfn, sizeof(*h->mem));
	for (i = 0; i < max_mfn; i++) {
		h->m2p[i] = ~0ULL;
		h->owner[i] = FX_FREE;
	}
	h->next_free = 0x100;
	return h;
}

void fx_host_destroy(struct fx_host *h)
{
	uint64_t i;
	unsigned int d, k;

	if (!h)
		return;
	for (d = 0; d < FX_MAX_DOMS; d++) {
		for (k = 0; k < 16; k++)
			free(h->doms[d].gnt.shared[k]);
		for (k = 0; k < 4; k++)
			free(h->doms[d].gnt.status[k]);
	}
	for (i = 0; i < h->max_mfn; i++)
		free(h->mem[i]);
	for (i = 0; i < h->nr_copies; i++)
		free(h->copies[i]);
	free(h->copies);
	free(h->mem);
	free(h->m2p);
	free(h->owner);
	free(h);
}

uint64_t fx_alloc(struct fx_host *h, uint32_t domid, uint64_t pfn)
{
	uint64_t i;

	for (i = 0; i < h->max_mfn; i++) {
		uint64_t m = (h->next_free + i) % h->max_mfn;

		if (m >= 0x10 && h->owner[m] == FX_FREE) {
			h->owner[m] = (uint16_t)domid;
			h->m2p[m] = pfn;
			/* leave gaps so MFNs are not a simple function of pfns */
			h->next_free = m + 1 + (m % 7 == 0);
			return m;
		}
	}
	abort();
}

void fx_free(struct fx_host *h, uint64_t mfn)
{
	h->owner[mfn] = FX_FREE; /* M2P left stale, as Xen does */
}

void *fx_page(struct fx_host *h, uint64_t mfn)
{
	if (!h->mem[mfn])
		h->mem[mfn] = calloc(1, 4096);
	return h->mem[mfn];
}

void fx_set(struct fx_host *h, uint64_t mfn, unsigned int idx, unsigned int width, uint64_t v)
{
	if (width == 8)
		((uint64_t *)fx_page(h, mfn))[idx] = v;
	else
		((uint32_t *)fx_page(h, mfn))[idx] = (uint32_t)v;
}

uint64_t fx_get(struct fx_host *h, uint64_t mfn, unsigned int idx, unsigned int width)
{
	if (width == 8)
		return ((uint64_t *)fx_page(h, mfn))[idx];
	return ((uint32_t *)fx_page(h, mfn))[idx];
}

void fx_set_shinfo(struct fx_host *h, const struct fx_guest *g, const char *field, uint64_t v)
{
	void *p = fx_page(h, g->shinfo);

	if (g->width == 8) {
		struct shared_info_x86_64 *s = p;

		if (!strcmp(field, "max_pfn"))
			s->arch.max_pfn = v;
		else if (!strcmp(field, "frame_list_list"))
			s->arch.pfn_to_mfn_frame_list_list = v;
		else if (!strcmp(field, "p2m_cr3"))
			s->arch.p2m_cr3 = v;
		else if (!strcmp(field, "p2m_vaddr"))
			s->arch.p2m_vaddr = v;
		else if (!strcmp(field, "p2m_generation"))
			s->arch.p2m_generation = v;
		else
			abort();
	} else {
		struct shared_info_x86_32 *s = p;

		if (!strcmp(field, "max_pfn"))
			s->arch.max_pfn = (uint32_t)v;
		else if (!strcmp(field, "frame_list_list"))
			s->arch.pfn_to_mfn_frame_list_list = (uint32_t)v;
		else if (!strcmp(field, "p2m_cr3"))
			s->arch.p2m_cr3 = (uint32_t)v;
		else if (!strcmp(field, "p2m_vaddr"))
			s->arch.p2m_vaddr = (uint32_t)v;
		else if (!strcmp(field, "p2m_generation"))
			s->arch.p2m_generation = (uint32_t)v;
		else
			abort();
	}
}

/* ------------------------------------------------------------- builder */

#define PTE_FLAGS 0x067ULL

int fx_build_guest(struct fx_host *h, uint32_t domid, const char *name, unsigned int width,
		   uint64_t nr_pages, uint64_t max_pfn, enum xp_layout layout, struct fx_guest *g)
{
	struct fx_dom *d = NULL;
	uint64_t fpp = 4096 / width, nleaf, nreal, pfn, k, next_pfn = 1, i;
	unsigned int slot;

	memset(g, 0, sizeof(*g));
	for (slot = 0; slot < FX_MAX_DOMS; slot++) {
		if (!h->doms[slot].used) {
			d = &h->doms[slot];
			break;
		}
	}
	if (!d || max_pfn < nr_pages)
		return -EINVAL;
	g->domid = domid;
	g->width = width;
	g->fpp = (unsigned int)fpp;
	g->layout = layout;
	g->nr_pages = nr_pages;
	g->max_pfn = max_pfn;
	nleaf = (max_pfn + fpp - 1) / fpp;
	nreal = (nr_pages + fpp - 1) / fpp;
	g->leaf = calloc(nleaf, sizeof(*g->leaf));
	g->p2m = calloc(nr_pages, sizeof(*g->p2m));

	/* every pfn gets a frame; descending runs of 16 like a real allocator */
	for (pfn = 0; pfn < nr_pages; pfn++)
		g->p2m[pfn] = fx_alloc(h, domid, pfn);
	g->shinfo = fx_alloc(h, domid, ~0ULL);

	/* kernel pages come from the guest's own pfns (1, 2, ...) */
#define KPAGE() (g->p2m[next_pfn++])
	g->missing = KPAGE();
	for (i = 0; i < fpp; i++)
		fx_set(h, g->missing, (unsigned int)i, width, width == 8 ? ~0ULL : 0xffffffffULL);
	for (k = 0; k < nleaf; k++) {
		if (k < nreal) {
			g->leaf[k] = KPAGE();
			for (i = 0; i < fpp; i++) {
				pfn = k * fpp + i;
				fx_set(h, g->leaf[k], (unsigned int)i, width,
				       pfn < nr_pages ? g->p2m[pfn]
						      : (width == 8 ? ~0ULL : 0xffffffffULL));
			}
		} else {
			g->leaf[k] = g->missing;
		}
	}
	if (layout == XP_LAYOUT_TREE || layout == XP_LAYOUT_LIST) {
		uint64_t ntop = (nleaf + fpp - 1) / fpp;

		g->mid_missing = KPAGE();
		for (i = 0; i < fpp; i++)
			fx_set(h, g->mid_missing, (unsigned int)i, width, g->missing);
		g->fll = KPAGE();
		for (i = 0; i < fpp; i++) {
			uint64_t mid = g->mid_missing;

			if (i < ntop) {
				uint64_t j;

				mid = KPAGE();
				for (j = 0; j < fpp; j++) {
					k = i * fpp + j;
					fx_set(h, mid, (unsigned int)j, width,
					       k < nleaf ? g->leaf[k] : g->missing);
				}
			}
			g->top_idx_mid[i] = mid;
			fx_set(h, g->fll, (unsigned int)i, width, mid);
		}
	}
	if (layout == XP_LAYOUT_LIST || layout == XP_LAYOUT_LIST_ONLY) {
		/* one path down to the L1s that map the list */
		unsigned int levels = width == 8 ? 4 : 3, lv;
		uint64_t table;

		g->vaddr = width == 8 ? 0xffffc90000000000ULL : 0xE8000000ULL;
		g->cr3 = KPAGE();
		table = g->cr3;
		g->pt[0] = g->cr3;
		for (lv = 1; lv + 1 < levels; lv++) {
			unsigned int shift = width == 8 ? 39 - 9 * (lv - 1) : 30 - 9 * (lv - 1);
			unsigned int idx = (unsigned int)((g->vaddr >> shift) &
							  (lv == 1 && width == 4 ? 3 : 511));
			uint64_t child = KPAGE();

			fx_set(h, table, idx, 8, (child << 12) | PTE_FLAGS);
			g->pt[lv] = child;
			table = child;
		}
		/* table is now the L2: one L1 per 512 list pages */
		for (k = 0; k < nleaf; k++) {
			uint64_t va = g->vaddr + k * 4096;
			unsigned int l2i = (unsigned int)((va >> 21) & 511),
				     l1i = (unsigned int)((va >> 12) & 511);

			if (l1i == 0 || k == 0) {
				g->l1[g->nr_l1++] = KPAGE();
				fx_set(h, table, l2i, 8, (g->l1[g->nr_l1 - 1] << 12) | PTE_FLAGS);
			}
			fx_set(h, g->l1[g->nr_l1 - 1], l1i, 8,
			       (1ULL << 63) | (g->leaf[k] << 12) | PTE_FLAGS);
		}
	}
	if (next_pfn > nr_pages)
		return -ENOSPC;

	d->used = true;
	d->domid = domid;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->type = XP_DOMAIN_PV;
	d->width = width;
	d->max_pages = max_pfn;
	d->tot_pages = nr_pages;
	d->shinfo = g->shinfo;
	d->cr3 = g->cr3 ? g->cr3 : g->p2m[0];

	fx_set_shinfo(h, g, "max_pfn", max_pfn);
	fx_set_shinfo(h, g, "frame_list_list",
		      layout == XP_LAYOUT_LIST_ONLY ? (width == 8 ? ~0ULL : 0xffffffffULL)
						    : g->fll);
	if (g->cr3) {
		fx_set_shinfo(h, g, "p2m_cr3",
			      width == 8 ? g->cr3 << 12
					 : (((g->cr3 << 12) | (g->cr3 >> 20)) & 0xffffffffULL));
		fx_set_shinfo(h, g, "p2m_vaddr", g->vaddr);
		fx_set_shinfo(h, g, "p2m_generation", 2);
	}
	return 0;
}

void fx_guest_release(struct fx_guest *g)
{
	free(g->leaf);
	free(g->p2m);
	g->leaf = g->p2m = NULL;
}

/* -------------------------------------------------------------- backend */

static struct fx_dom *find_dom(struct fx_host *h, uint32_t domid)
{
	unsigned int i;

	for (i = 0; i < FX_MAX_DOMS; i++)
		if (h->doms[i].used && h->doms[i].domid == domid)
			return &h->doms[i];
	return NULL;
}

static void fill_info(const struct fx_dom *d, struct xp_domain_info *info)
{
	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	snprintf(info->name, sizeof(info->name), "%s", d->name);
	info->type = d->type;
	info->guest_width = d->width;
	info->max_pages = d->max_pages;
	info->tot_pages = d->tot_pages;
	info->shared_info_frame = d->shinfo;
	info->nr_vcpus = d->nr_vcpus ? d->nr_vcpus : 1;
	info->dying = d->dying;
	info->paused = d->paused;
	info->handle[0] = (uint8_t)d->domid;
}

struct fx_gnttab *fx_gnttab(struct fx_host *h, uint32_t domid)
{
	struct fx_dom *d = find_dom(h, domid);

	return d ? &d->gnt : NULL;
}

static void gnt_grow(struct fx_gnttab *g, unsigned int frames)
{
	unsigned int k;

	for (k = g->nr_frames; k < frames && k < 16; k++)
		g->shared[k] = calloc(1, 4096);
	for (k = 0; k < 4 && g->version == 2 && k * 8 < frames; k++)
		if (!g->status[k])
			g->status[k] = calloc(1, 4096);
	if (frames > g->nr_frames)
		g->nr_frames = frames;
}

void fx_gnttab_init(struct fx_host *h, uint32_t domid, unsigned int version, unsigned int frames)
{
	struct fx_gnttab *g = fx_gnttab(h, domid);

	g->version = version;
	g->max_frames = 16;
	g->console_mfn = g->store_mfn = ~0ULL;
	gnt_grow(g, frames);
}

static struct xp_error *fx_gnt_info(struct xp_backend *be, uint32_t domid, unsigned int *version,
				    unsigned int *nr_frames, unsigned int *nr_status,
				    unsigned int *max_frames)
{
	struct fx_gnttab *g = fx_gnttab(be->priv, domid);

	if (!g || !g->version)
		return xp_error_create(XP_ERR_UNSUPPORTED, ENOSYS, "no grant table");
	*version = g->version;
	*nr_frames = g->nr_frames;
	*nr_status = g->version == 2 ? (g->nr_frames + 7) / 8 : 0;
	*max_frames = g->max_frames;
	return NULL;
}

/* As Xen's grant-table resource: asking beyond the current size grows it. */
static struct xp_error *fx_gnt_map(struct xp_backend *be, uint32_t domid, bool status,
				   unsigned int first, unsigned int count, const void **addr)
{
	struct fx_gnttab *g = fx_gnttab(be->priv, domid);
	uint8_t *buf;
	unsigned int k;

	if (!g || first + count > (status ? 4 : g->max_frames))
		return xp_error_create(XP_ERR_INVALID, EINVAL, "beyond the maximum");
	if (!status && first + count > g->nr_frames) {
		g->grown++;
		gnt_grow(g, first + count);
	}
	buf = calloc(count, 4096);
	for (k = 0; k < count; k++) {
		uint8_t *src = status ? g->status[first + k] : g->shared[first + k];

		if (src)
			memcpy(buf + k * 4096, src, 4096);
	}
	((struct fx_host *)be->priv)->grant_maps++;
	*addr = buf;
	return NULL;
}

static void fx_gnt_unmap(struct xp_backend *be, const void *addr, unsigned int count)
{
	struct fx_host *h = be->priv;

	h->grant_maps--;
	free((void *)addr);
}

static struct xp_error *fx_rings(struct xp_backend *be, uint32_t domid, uint64_t *console,
				 uint64_t *store)
{
	struct fx_gnttab *g = fx_gnttab(be->priv, domid);

	*console = g ? g->console_mfn : ~0ULL;
	*store = g ? g->store_mfn : ~0ULL;
	return NULL;
}

static void fx_be_destroy(struct xp_backend *be)
{
	free(be);
}

static struct xp_error *fx_host_info(struct xp_backend *be, struct xp_host_info *info)
{
	struct fx_host *h = be->priv;

	info->max_mfn = h->max_mfn;
	info->xen_major = 4;
	info->xen_minor = 17;
	snprintf(info->backend, sizeof(info->backend), "fixture");
	return NULL;
}

static struct xp_error *fx_list(struct xp_backend *be, struct xp_domain_info **infos, size_t *count)
{
	struct fx_host *h = be->priv;
	unsigned int i;

	*infos = calloc(FX_MAX_DOMS, sizeof(**infos));
	*count = 0;
	for (i = 0; i < FX_MAX_DOMS; i++)
		if (h->doms[i].used)
			fill_info(&h->doms[i], &(*infos)[(*count)++]);
	return NULL;
}

static struct xp_error *fx_info(struct xp_backend *be, uint32_t domid, struct xp_domain_info *info)
{
	struct fx_dom *d = find_dom(be->priv, domid);

	if (!d)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain %u", domid);
	fill_info(d, info);
	return NULL;
}

static struct xp_error *fx_map(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
			       size_t count, int *errs, const void **addr)
{
	struct fx_host *h = be->priv;
	uint8_t *buf;
	size_t i;

	h->map_calls++;
	if (h->map_hook)
		h->map_hook(h, h->map_hook_arg);
	if (!find_dom(h, domid))
		return xp_error_create(XP_ERR_GONE, ESRCH, "no domain %u", domid);
	if (count == 1 && mfns[0] < h->max_mfn && h->owner[mfns[0]] == domid) {
		/* live, as a foreign mapping is */
		errs[0] = 0;
		*addr = fx_page(h, mfns[0]);
		h->live_maps++;
		return NULL;
	}
	if (h->nr_copies == h->cap_copies) {
		h->cap_copies = h->cap_copies ? h->cap_copies * 2 : 16;
		h->copies = realloc(h->copies, h->cap_copies * sizeof(*h->copies));
	}
	buf = calloc(count, 4096);
	h->copies[h->nr_copies++] = buf;
	for (i = 0; i < count; i++) {
		if (mfns[i] >= h->max_mfn) {
			errs[i] = -EINVAL;
		} else if (h->owner[mfns[i]] != domid) {
			errs[i] = -EPERM;
		} else {
			errs[i] = 0;
			memcpy(buf + i * 4096, fx_page(h, mfns[i]), 4096);
		}
	}
	*addr = buf;
	return NULL;
}

static void fx_unmap(struct xp_backend *be, const void *addr, size_t count)
{
	struct fx_host *h = be->priv;
	size_t i;

	/* a live mapping is the host's own page: only copies are freed */
	for (i = 0; i < h->nr_copies; i++) {
		if (h->copies[i] == addr) {
			free(h->copies[i]);
			h->copies[i] = h->copies[--h->nr_copies];
			return;
		}
	}
	h->live_maps--;
}

static struct xp_error *fx_m2p(struct xp_backend *be, const uint64_t **table, uint64_t *nr)
{
	struct fx_host *h = be->priv;

	*table = h->m2p;
	*nr = h->max_mfn;
	return NULL;
}

static struct xp_error *fx_cr3(struct xp_backend *be, uint32_t domid, unsigned int vcpu,
			       uint64_t *cr3)
{
	struct fx_dom *d = find_dom(be->priv, domid);

	if (!d)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain %u", domid);
	*cr3 = d->cr3;
	return NULL;
}

static const struct xp_backend_ops fx_ops = {
	.name = "fixture",
	.destroy = fx_be_destroy,
	.host_info = fx_host_info,
	.list_domains = fx_list,
	.domain_info = fx_info,
	.map_frames = fx_map,
	.unmap_frames = fx_unmap,
	.m2p_map = fx_m2p,
	.vcpu_cr3 = fx_cr3,
	.grant_table_info = fx_gnt_info,
	.grant_frames_map = fx_gnt_map,
	.grant_frames_unmap = fx_gnt_unmap,
	.toolstack_rings = fx_rings,
};

struct xp_backend *fx_backend_create(struct fx_host *h)
{
	struct xp_backend *be = calloc(1, sizeof(*be));

	be->ops = &fx_ops;
	be->priv = h;
	return be;
}
