// SPDX-License-Identifier: GPL-2.0
/*
 * The hypercall layer: struct gk_hv_ops over the host file, for one
 * domain.  It enforces Xen's rules for a PV guest: a domain reaches only
 * frames it owns (and other domains' grants it mapped), cannot name MFNs
 * beyond the host's memory, cannot grow past max_pages, and the M2P follows
 * every page it gains or updates; its grant table is reached through the
 * GNTTABOP calls (grant.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "sim/toolstack/toolstack.h"

static struct sim_guest *to_guest(void *hv)
{
	return hv;
}

static void *hv_frame(void *hv, uint64_t mfn, bool write)
{
	struct sim_guest *g = to_guest(hv);

	if (!sim_frame_owned(g->h, g->d, mfn) &&
	    (mfn >= g->h->nr_frames || !sim_gnttab_mapped_frame(g->h, g->d, mfn, write)))
		return NULL; /* neither its own nor granted to it and mapped */
	if (write)
		sim_frame_mark_written(g->h, mfn);
	return sim_frame_ptr(g->h, mfn);
}

static uint64_t hv_m2p(void *hv, uint64_t mfn)
{
	struct sim_guest *g = to_guest(hv);

	if (mfn >= g->h->nr_frames)
		return ~0ULL;
	return g->h->m2p[mfn];
}

static uint64_t hv_max_mfn(void *hv)
{
	return to_guest(hv)->h->nr_frames;
}

static uint64_t hv_max_pages(void *hv)
{
	return to_guest(hv)->d->max_pages;
}

static int hv_populate_physmap(void *hv, uint64_t pfn, uint64_t *mfn)
{
	struct sim_guest *g = to_guest(hv);

	return sim_populate_one(g->h, g->d, pfn, mfn);
}

static int hv_decrease_reservation(void *hv, uint64_t mfn)
{
	struct sim_guest *g = to_guest(hv);

	if (mfn >= g->h->nr_frames)
		return -EINVAL;
	return sim_free_frame(g->h, g->d, mfn);
}

static int hv_machphys_update(void *hv, uint64_t mfn, uint64_t pfn)
{
	struct sim_guest *g = to_guest(hv);

	if (mfn >= g->h->nr_frames)
		return -EINVAL;
	if (!sim_frame_owned(g->h, g->d, mfn) || (g->h->frames[mfn].type & SIM_FT_XENHEAP))
		return -EPERM;
	g->h->m2p[mfn] = pfn;
	return 0;
}

/* Frame number in a page-table entry. */
#define PTE_PRESENT 0x1ULL
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

static int hv_pin_table(void *hv, uint64_t mfn, unsigned int level)
{
	struct sim_guest *g = to_guest(hv);
	struct sim_host *h = g->h;
	unsigned int top = g->d->width == 8 ? 4 : 3;
	uint8_t *type;

	if (mfn >= h->nr_frames || level > top)
		return -EINVAL;
	if (!sim_frame_owned(h, g->d, mfn) || (h->frames[mfn].type & SIM_FT_XENHEAP))
		return -EPERM;
	type = &h->frames[mfn].type;
	if (level == 0) {
		if (!(*type & SIM_FT_PIN_MASK))
			return -EINVAL; /* not pinned */
		*type &= (uint8_t)~SIM_FT_PIN_MASK;
		return 0;
	}
	if (*type & SIM_FT_PIN_MASK)
		return (*type & SIM_FT_PIN_MASK) == level ? -EBUSY : -EINVAL;
	/*
	 * Xen validates a table when it is pinned: every present entry must
	 * name a frame the domain may map.  (Later updates in this model are
	 * direct writes, which Xen would trap; the simulator trusts them.)
	 */
	if (*type & SIM_FT_WRITTEN) {
		const uint64_t *pte = sim_frame_ptr(h, mfn);
		unsigned int i;

		for (i = 0; i < SIM_PAGE_SIZE / 8; i++) {
			uint64_t target;

			if (!(pte[i] & PTE_PRESENT))
				continue;
			target = (pte[i] & PTE_ADDR_MASK) >> SIM_PAGE_SHIFT;
			if (!sim_frame_owned(h, g->d, target))
				return -EINVAL;
		}
	}
	*type = (uint8_t)((*type & ~SIM_FT_PIN_MASK) | level);
	return 0;
}

static uint64_t hv_vcpu_cr3(void *hv, unsigned int vcpu)
{
	struct sim_guest *g = to_guest(hv);

	if (vcpu >= g->d->nr_vcpus || vcpu >= SIM_MAX_VCPUS)
		return ~0ULL;
	return g->d->vcpu_cr3[vcpu];
}

static int hv_new_baseptr(void *hv, unsigned int vcpu, uint64_t mfn)
{
	struct sim_guest *g = to_guest(hv);
	unsigned int top = g->d->width == 8 ? 4 : 3;

	if (vcpu >= g->d->nr_vcpus || vcpu >= SIM_MAX_VCPUS)
		return -EINVAL;
	if (!sim_frame_owned(g->h, g->d, mfn))
		return -EPERM;
	if ((g->h->frames[mfn].type & SIM_FT_PIN_MASK) != top)
		return -EINVAL; /* a base pointer must be a pinned top-level table */
	sim_domtab_begin(g->h);
	g->d->vcpu_cr3[vcpu] = mfn;
	sim_domtab_end(g->h);
	return 0;
}

static uint64_t hv_start_info_mfn(void *hv)
{
	return to_guest(hv)->d->start_info_mfn;
}

static void hv_console(void *hv, const char *line)
{
	struct sim_guest *g = to_guest(hv);

	if (g->h->verbose)
		fprintf(stderr, "(d%u) %s\n", g->d->domid, line);
	if (!g->oops[0] && (strncmp(line, "kernel BUG", 10) == 0 || strncmp(line, "BUG:", 4) == 0))
		snprintf(g->oops, sizeof(g->oops), "%s", line);
}

/* The domain's frames for pfns [0, n), found in the M2P, chunk by chunk. */
static void boot_table(struct sim_guest *g)
{
	struct sim_host *h = g->h;
	uint16_t owner = SIM_OWNER(g->d->domid);
	struct gk_config cfg;
	struct gk_image img;
	const char *why;
	uint64_t c, n;

	sim_domain_config(g->d, &cfg);
	if (gk_image_layout(&cfg, g->d->nr_pfns, &img, &why) < 0)
		return;
	n = XP_MIN(img.free_pfn, g->d->nr_pfns);
	g->boot_mfns = malloc(n * sizeof(*g->boot_mfns));
	if (!g->boot_mfns)
		return;
	memset(g->boot_mfns, 0xff, n * sizeof(*g->boot_mfns));
	g->nr_boot_mfns = n;
	for (c = 0; c < h->hdr->nr_chunks; c++) {
		uint16_t co = h->chunks[c].owner;
		uint64_t f;

		if (!h->chunks[c].used ||
		    (co != owner && co != (owner | SIM_CHUNK_WHOLE) && co != SIM_CHUNK_MIXED))
			continue;
		for (f = c << SIM_CHUNK_SHIFT; f < (c + 1) << SIM_CHUNK_SHIFT; f++) {
			uint64_t pfn = h->m2p[f];

			if (pfn < n && g->boot_mfns[pfn] == ~0ULL && sim_frame_owned(h, g->d, f))
				g->boot_mfns[pfn] = f;
		}
	}
}

static uint64_t hv_boot_mfn(void *hv, uint64_t pfn)
{
	struct sim_guest *g = to_guest(hv);

	if (g->boot_runs)
		return sim_runs_lookup(g->boot_runs, pfn);
	if (!g->boot_mfns)
		boot_table(g);
	return pfn < g->nr_boot_mfns ? g->boot_mfns[pfn] : ~0ULL;
}

static int hv_gnttab_query_size(void *hv, unsigned int *nr_frames, unsigned int *max_frames)
{
	struct sim_guest *g = to_guest(hv);

	if (!sim_gnttab_meta(g->h, g->d))
		return -ENOSYS;
	*nr_frames = g->d->gnt_nr_frames;
	*max_frames = g->d->gnt_max_frames;
	return 0;
}

static int hv_gnttab_set_version(void *hv, unsigned int version)
{
	struct sim_guest *g = to_guest(hv);

	return sim_gnttab_set_version(g->h, g->d, version);
}

static int hv_gnttab_setup_table(void *hv, unsigned int nr, uint64_t *frames)
{
	struct sim_guest *g = to_guest(hv);
	unsigned int i;
	int rc;

	if (!sim_gnttab_meta(g->h, g->d))
		return -ENOSYS;
	if (nr > g->d->gnt_max_frames)
		return -EINVAL;
	if (nr > g->d->gnt_nr_frames) {
		rc = sim_gnttab_grow(g->h, g->d, nr);
		if (rc)
			return rc;
	}
	for (i = 0; i < nr; i++)
		frames[i] = sim_gnttab_frame(g->h, g->d, false, i);
	return 0;
}

static int hv_gnttab_get_status_frames(void *hv, unsigned int nr, uint64_t *frames)
{
	struct sim_guest *g = to_guest(hv);
	unsigned int i;

	if (g->d->gnt_version != 2 || nr > g->d->gnt_nr_status)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		frames[i] = sim_gnttab_frame(g->h, g->d, true, i);
	return 0;
}

static const struct gk_hv_ops sim_hv_ops = {
	.frame = hv_frame,
	.m2p = hv_m2p,
	.max_mfn = hv_max_mfn,
	.max_pages = hv_max_pages,
	.populate_physmap = hv_populate_physmap,
	.decrease_reservation = hv_decrease_reservation,
	.machphys_update = hv_machphys_update,
	.pin_table = hv_pin_table,
	.vcpu_cr3 = hv_vcpu_cr3,
	.new_baseptr = hv_new_baseptr,
	.start_info_mfn = hv_start_info_mfn,
	.console = hv_console,
	.boot_mfn = hv_boot_mfn,
	.gnttab_query_size = hv_gnttab_query_size,
	.gnttab_set_version = hv_gnttab_set_version,
	.gnttab_setup_table = hv_gnttab_setup_table,
	.gnttab_get_status_frames = hv_gnttab_get_status_frames,
};

void sim_guest_init(struct sim_guest *g, struct sim_host *h, struct sim_domain *d)
{
	memset(g, 0, sizeof(*g));
	g->hv.ops = &sim_hv_ops;
	g->hv.priv = g;
	g->h = h;
	g->d = d;
}

void sim_guest_fini(struct sim_guest *g)
{
	free(g->boot_mfns);
	g->boot_mfns = NULL;
}

void sim_domain_config(const struct sim_domain *d, struct gk_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->layout = (enum gk_layout)d->layout;
	cfg->variant = (enum gk_variant)d->variant;
	cfg->width = d->width;
	cfg->seed = d->seed;
	cfg->gnttab_version = d->gnttab_config;
	cfg->identity_start = d->identity_start;
	cfg->identity_end = d->identity_end;
}
