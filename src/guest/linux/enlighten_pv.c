// SPDX-License-Identifier: GPL-2.0
/*
 * The model kernel's early boot (arch/x86/xen/enlighten_pv.c, with the
 * kernel-pagetable part of mmu_pv.c): from the domain builder's hand-over
 * to a published p2m.
 *
 * Deviation from real Xen (see gk.h): the builder gives us an empty
 * top-level page table instead of a bootstrap mapping.  What that mapping
 * would tell a real kernel -- the MFNs of the initial p2m array's frames --
 * the head code gets from hv->ops->boot_mfn() (or, without it, by one scan
 * of the M2P), reads the rest from the array by machine frame, builds its
 * own page tables in init_top_pgt and switches to them.  From then on it
 * reaches memory only through them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "guest/linux/xen-ops.h"

struct xen_boot {
	u64 si_mfn, si_pfn;
	u64 nr_pages;
	u64 shared_info; /* machine address */
	u32 flags;
	u64 mfn_list;
	u64 first_p2m_pfn, nr_p2m_frames;
	u64 builder_pgd_mfn; /* the empty table the builder gave us */
};

static int read_start_info(struct gk *k, struct xen_boot *b)
{
	const u8 *p = early_frame(k, b->si_mfn, false);

	if (!p) {
		printk(k, "xen: start_info mfn %llx is not accessible",
		       (unsigned long long)b->si_mfn);
		return -EFAULT;
	}
	if (k->a->width == 8) {
		struct start_info_x86_64 si;

		memcpy(&si, p, sizeof(si));
		b->nr_pages = si.nr_pages;
		b->shared_info = si.shared_info;
		b->flags = si.flags;
		b->mfn_list = si.mfn_list;
		b->first_p2m_pfn = si.first_p2m_pfn;
		b->nr_p2m_frames = si.nr_p2m_frames;
	} else {
		struct start_info_x86_32 si;

		memcpy(&si, p, sizeof(si));
		b->nr_pages = si.nr_pages;
		b->shared_info = si.shared_info;
		b->flags = si.flags;
		b->mfn_list = si.mfn_list;
		b->first_p2m_pfn = si.first_p2m_pfn;
		b->nr_p2m_frames = si.nr_p2m_frames;
	}
	return 0;
}

/* Check the builder placed things where this kernel's image says. */
static int check_handover(struct gk *k, const struct xen_boot *b)
{
	const struct gk_image *img = &k->img;

	if (b->mfn_list && b->mfn_list != img->mfn_list_va) {
		printk(k,
		       "xen: start_info.mfn_list %llx is not where this kernel maps its p2m (%llx)",
		       (unsigned long long)b->mfn_list, (unsigned long long)img->mfn_list_va);
		return -EINVAL;
	}
	if (b->nr_p2m_frames &&
	    (b->first_p2m_pfn != img->p2m_pfn || b->nr_p2m_frames != img->p2m_pages)) {
		printk(k, "xen: initial p2m at pfn %llx+%llx, this kernel expects %llx+%llx",
		       (unsigned long long)b->first_p2m_pfn, (unsigned long long)b->nr_p2m_frames,
		       (unsigned long long)img->p2m_pfn, (unsigned long long)img->p2m_pages);
		return -EINVAL;
	}
	if (b->si_pfn != img->start_info_pfn) {
		printk(k, "xen: start_info at pfn %llx, this kernel expects %llx",
		       (unsigned long long)b->si_pfn, (unsigned long long)img->start_info_pfn);
		return -EINVAL;
	}
	return 0;
}

/*
 * The MFNs of the initial p2m array's frames: what the builder's bootstrap
 * page tables would map at start_info.mfn_list.
 */
static int head_find_p2m_frames(struct gk *k)
{
	const struct gk_hv_ops *ops = k->hv.ops;
	u64 n = k->img.p2m_pages, first = k->img.p2m_pfn, j;

	k->boot_p2m = malloc(n * sizeof(*k->boot_p2m));
	if (!k->boot_p2m)
		return -ENOMEM;
	memset(k->boot_p2m, 0xff, n * sizeof(*k->boot_p2m));
	k->boot_p2m_pfn = first;
	k->boot_p2m_pages = n;

	if (ops->boot_mfn) {
		for (j = 0; j < n; j++)
			k->boot_p2m[j] = ops->boot_mfn(k->hv.priv, first + j);
	} else {
		/* One pass over the M2P for the frames that claim those pfns. */
		u64 mfn;

		for (mfn = 0; mfn < k->max_mfn; mfn++) {
			u64 pfn = ops->m2p(k->hv.priv, mfn);

			if (pfn < first || pfn - first >= n || k->boot_p2m[pfn - first] != ~0ULL)
				continue;
			if (ops->frame(k->hv.priv, mfn, false))
				k->boot_p2m[pfn - first] = mfn;
		}
	}

	/* The array describes its own frames: they must agree. */
	for (j = 0; j < n; j++) {
		u64 mfn = k->boot_p2m[j];

		if (mfn >= k->max_mfn || !early_frame(k, mfn, false)) {
			printk(k, "xen: initial p2m frame %llu (pfn %llx) has no usable mfn (%llx)",
			       (unsigned long long)j, (unsigned long long)(first + j),
			       (unsigned long long)mfn);
			return -EINVAL;
		}
	}
	for (j = 0; j < n; j++) {
		u64 mfn = pfn_to_mfn(k, first + j);

		if (mfn != k->boot_p2m[j]) {
			printk(k,
			       "xen: initial p2m says pfn %llx is mfn %llx, but it is at mfn %llx",
			       (unsigned long long)(first + j), (unsigned long long)mfn,
			       (unsigned long long)k->boot_p2m[j]);
			return k->oops ? k->oops : -EINVAL;
		}
	}
	return 0;
}

/*
 * Build the kernel's own page tables in init_top_pgt and switch to them:
 * the image (and its direct-map alias), start_info, and the initial p2m
 * array at start_info.mfn_list.
 */
static void xen_setup_kernel_pagetable(struct gk *k, struct xen_boot *b)
{
	const struct gk_arch *a = k->a;
	const struct gk_image *img = &k->img;
	u64 pgd_pfn = img->image_pfn + PFN_DOWN(a->off_pgd);
	u64 pgd_mfn = pfn_to_mfn(k, pgd_pfn), old = k->cr3, i;
	u8 *p = early_frame(k, pgd_mfn, true);

	if (!p || k->oops) {
		gk_die(k, -EFAULT, "xen: init_top_pgt (pfn %llx) is not accessible",
		       (unsigned long long)pgd_pfn);
		return;
	}
	memset(p, 0, PAGE_SIZE);
	b->builder_pgd_mfn = old;
	if (HYPERVISOR_pin_table(k, pgd_mfn, a->levels) || HYPERVISOR_new_baseptr(k, pgd_mfn))
		return;
	/* The builder's (empty) table is no longer used. */
	if (k->hv.ops->pin_table(k->hv.priv, old, 0))
		printk(k, "xen: could not unpin the builder's page table %llx",
		       (unsigned long long)old);

	memblock_init(k, img->free_pfn, min_u64(b->nr_pages, a->lowmem_pfns));

	for (i = 0; i < img->image_pages && !k->oops; i++) {
		u64 pfn = img->image_pfn + i, mfn = pfn_to_mfn(k, pfn), prot;

		if (PFN_PHYS(i) < a->off_etext)
			prot = a->prot_text;
		else if (pfn == pgd_pfn)
			prot = a->prot_data_ro; /* a pinned page table */
		else
			prot = a->prot_data;
		set_pte_va(k, a->text + PFN_PHYS(i), mfn, prot);
		if (a->page_offset != a->start_kernel_map)
			set_pte_va(k, __va(k, PFN_PHYS(pfn)), mfn,
				   prot == a->prot_text ? a->prot_data_ro : prot);
	}
	set_pte_va(k, __va(k, PFN_PHYS(b->si_pfn)), b->si_mfn, a->prot_data);
	for (i = 0; i < img->p2m_pages && !k->oops; i++)
		set_pte_va(k, img->mfn_list_va + PFN_PHYS(i), k->boot_p2m[i], a->prot_data);
}

static void write_config(struct gk *k, u64 nr_pages)
{
	u64 base = kvar_addr(k, KV_gk_config);
	u64 v[GKC_NR] = {
		[GKC_MAGIC] = GK_CONFIG_MAGIC,
		[GKC_LAYOUT] = k->cfg.layout,
		[GKC_VARIANT] = k->cfg.variant,
		[GKC_WIDTH] = k->cfg.width,
		[GKC_SEED] = k->cfg.seed,
		[GKC_IDENTITY_START] = k->cfg.identity_start,
		[GKC_IDENTITY_END] = k->cfg.identity_end,
		[GKC_NR_PAGES] = nr_pages,
		[GKC_GNTTAB_VERSION] = k->cfg.gnttab_version,
	};
	unsigned int i;

	for (i = 0; i < GKC_NR; i++)
		wr64(k, base + 8 * i, v[i]);
}

u32 xen_start_info_flags(struct gk *k)
{
	return rd32(k, GET(xen_start_info) + SI_OFF(flags));
}

void xen_setup_shared_info(struct gk *k)
{
	u64 maddr = rd(k, GET(xen_start_info) + SI_OFF(shared_info));

	if (k->oops)
		return;
	set_pte_va(k, k->a->shinfo_va, PFN_DOWN(maddr), k->a->prot_data);
	SET(HYPERVISOR_shared_info, k->a->shinfo_va);
}

/*
 * Unmapped at the end of every entry point, as xen_pv_pre_suspend() does
 * before a save: a PTE naming Xen's frame must not be in the page tables
 * the toolstack canonicalises.
 */
void xen_unmap_shared_info(struct gk *k)
{
	int oops = k->oops;

	/* Even after an oops: the mapping must not outlive the call. */
	k->oops = 0;
	clear_pte_va(k, k->a->shinfo_va);
	SET(HYPERVISOR_shared_info, 0);
	if (oops)
		k->oops = oops;
}

int xen_start_kernel(struct gk *k)
{
	const struct gk_arch *a = k->a;
	struct xen_boot b = {0};
	const char *why = NULL;
	int ret;

	k->booting = true;
	b.si_mfn = k->hv.ops->start_info_mfn(k->hv.priv);
	ret = read_start_info(k, &b);
	if (ret)
		return ret;
	ret = gk_image_layout(&k->cfg, b.nr_pages, &k->img, &why);
	if (ret) {
		printk(k, "xen: cannot boot a guest of %llu pages: %s",
		       (unsigned long long)b.nr_pages, why);
		return ret;
	}
	b.si_pfn = mfn_to_pfn(k, b.si_mfn);
	ret = check_handover(k, &b);
	if (ret)
		return ret;
	printk(k, "Linux version 6.1.0-gk (xenp2m guest model, %s p2m, %s kernel, %u-bit)",
	       gk_layout_name(k->cfg.layout), gk_variant_name(k->cfg.variant), a->width * 8);
	ret = head_find_p2m_frames(k);
	if (ret)
		return ret;

	xen_setup_kernel_pagetable(k, &b);
	if (k->oops)
		return k->oops;
	memblock_to_guest(k);
	write_config(k, b.nr_pages);
	/* initialised data, and the log lines printed before it was mapped */
	wr32(k, kvar_addr(k, KV_log_buf_len), LOG_BUF_LEN);
	log_flush_early(k);
	SET(_brk_end, a->text + a->off_bss_stop);
	SET(xen_start_info, __va(k, PFN_PHYS(b.si_pfn)));
	SET(xen_p2m_addr, k->img.mfn_list_va);
	SET(xen_p2m_size, ALIGN_UP(b.nr_pages, P2M_PER_PAGE));
	if (k->oops)
		return k->oops;
	/* From here on the p2m is read through our own mappings. */
	free(k->boot_p2m);
	k->boot_p2m = NULL;
	if (mfn_to_pfn(k, b.builder_pgd_mfn) == k->img.l4_pfn)
		free_page(k, __va(k, PFN_PHYS(k->img.l4_pfn)));

	xen_build_dynamic_phys_to_machine(k, b.nr_pages);
	xen_memory_setup(k, b.nr_pages);
	if (!p2m_is_tree(k)) {
		xen_vmalloc_p2m_tree(k);
		/* xen_pagetable_p2m_free(): the list replaces the array. */
		wr(k, GET(xen_start_info) + SI_OFF(mfn_list), GET(xen_p2m_addr));
	}
	xen_build_mfn_list_list(k);
	xen_setup_shared_info(k);
	xen_setup_mfn_list_list(k);
	xen_unmap_shared_info(k);
	k->booting = false;
	if (!k->oops)
		gnttab_init(k);
	if (!k->oops)
		printk(k, "xen: p2m ready: %llu pfns (max_pfn %llx), %s",
		       (unsigned long long)GET(xen_max_p2m_pfn),
		       (unsigned long long)(p2m_is_tree(k) ? GET(xen_max_p2m_pfn)
							   : GET(xen_p2m_last_pfn)),
		       xen_virt_p2m_4tools(k) ? "frame list list ~0 (SIF_VIRT_P2M_4TOOLS)"
					      : "frame list list published");
	return k->oops;
}
