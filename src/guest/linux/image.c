// SPDX-License-Identifier: GPL-2.0
/*
 * The model kernel's image: where its sections and static variables are,
 * what the domain builder must place after it (gk_image_layout()), and its
 * System.map.
 *
 * x86_64 (6.1-like addresses, 4-level paging):
 *   _text          ffffffff81000000  = physical 16 MiB (pfn 0x1000)
 *   init_top_pgt   ffffffff81010000  D  (the kernel's L4, p2m_cr3)
 *   .data          ffffffff81011000  D  xen_max_p2m_pfn/xen_p2m_size/xen_p2m_addr at +0xd60
 *   .bss           ffffffff81012000  B/b  xen_start_info, p2m_* at +0x1c0, the
 *                                    taint and grant-table variables at +0x220...
 *   __log_buf      ffffffff81013000  b  the kernel log, 16 KiB
 *   brk            ffffffff81017000  extend_brk() pages (tree: 1032 pages)
 * x86_32 PAE: the same with _text c1000000; swapper_pg_dir (the L3) is in
 * .bss at c1011000 and the data page is at c1010000.  log_buf_len is in the
 * data page at +0x300 on both.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "guest/linux/arch.h"
#include "guest/linux/xen-ops.h"

enum {
	L_TREE = 1 << GK_LAYOUT_TREE,
	L_LIST = 1 << GK_LAYOUT_LIST,
	L_LIST_ONLY = 1 << GK_LAYOUT_LIST_ONLY
};
#define L_ALL (L_TREE | L_LIST | L_LIST_ONLY)
#define L_LISTS (L_LIST | L_LIST_ONLY)

const struct gk_arch gk_arch_64 = {
	.width = 8,
	.levels = 4,
	.top_entries = 512,
	.p2m_per_page = 512,
	.ulong_mask = ~0ULL,
	.identity_bit = 1ULL << 62,
	.foreign_bit = 1ULL << 63,
	.page_offset = 0xffff888000000000ULL,
	.lowmem_pfns = 1ULL << 34,
	.start_kernel_map = 0xffffffff80000000ULL,
	.kernel_map_end = 0xffffffffff000000ULL,
	.text = 0xffffffff81000000ULL,
	.p2m_vaddr = 0xffffc90000000000ULL,
	.p2m_vaddr_end = 0xffffe90000000000ULL,
	.gnttab_vaddr = 0xffffe8ff00000000ULL,
	.init_p2m = 0x0000008000000000ULL,
	.shinfo_va = 0xffffffffff5fd000ULL,
	.prot_data = _PAGE_NX | _PAGE_GUEST_KERNEL | 0x067,
	.prot_data_ro = _PAGE_NX | _PAGE_GUEST_KERNEL | 0x065,
	.prot_text = _PAGE_GUEST_KERNEL | 0x065,
	.prot_table = 0x067,
	.prot_top = 0x067,
	.max_pages_tree = 512ULL * 512 * 512,
	.max_pages_list = 1ULL << 34,
	.off_etext = 0x10000,
	.off_pgd = 0x10000,
	.off_data = 0x11000,
	.off_edata = 0x12000,
	.off_bss_start = 0x12000,
	.off_bss_vars = 0x12000,
	.off_log_buf = 0x13000,
	.off_bss_stop = 0x13000 + LOG_BUF_LEN,
	/* p2m_missing, p2m_identity, p2m_mid_missing, p2m_top, p2m_top_mfn,
	 * p2m_top_mfn_p, p2m_mid_missing_mfn, spare + 512 mids + 512 mid-mfns */
	.brk_pages_tree = 8 + 512 + 512,
	.brk_pages_list = 16,
};

const struct gk_arch gk_arch_32 = {
	.width = 4,
	.levels = 3,
	.top_entries = 4,
	.p2m_per_page = 1024,
	.ulong_mask = 0xffffffffULL,
	.identity_bit = 1ULL << 30,
	.foreign_bit = 1ULL << 31,
	.page_offset = 0xc0000000ULL,
	.lowmem_pfns = 0x2e000, /* 736 MiB: the direct map ends at ee000000 */
	.start_kernel_map = 0xc0000000ULL,
	.kernel_map_end = 0xee000000ULL,
	.text = 0xc1000000ULL,
	.p2m_vaddr = 0xf0000000ULL, /* vmalloc area, below the hypervisor hole */
	.p2m_vaddr_end = 0xf4000000ULL,
	.gnttab_vaddr = 0xf4000000ULL,
	.init_p2m = 0,
	.shinfo_va = 0xf57fe000ULL,
	.prot_data = _PAGE_NX | 0x063,
	.prot_data_ro = _PAGE_NX | 0x061,
	.prot_text = 0x061,
	.prot_table = 0x063,
	.prot_top = 0x001,	      /* PAE PDPTEs have no other flags */
	.max_pages_tree = 1ULL << 24, /* 64 GiB, the PAE limit */
	.max_pages_list = 1ULL << 24,
	.off_etext = 0x10000,
	.off_pgd = 0x11000,
	.off_data = 0x10000,
	.off_edata = 0x11000,
	.off_bss_start = 0x11000,
	.off_bss_vars = 0x12000,
	.off_log_buf = 0x13000,
	.off_bss_stop = 0x13000 + LOG_BUF_LEN,
	.brk_pages_tree = 8 + 16 + 16,
	.brk_pages_list = 16,
};

const struct gk_arch *gk_arch_for(unsigned int width)
{
	if (width == 8)
		return &gk_arch_64;
	if (width == 4)
		return &gk_arch_32;
	return NULL;
}

enum sec { SEC_PGD, SEC_DATA, SEC_BSS, SEC_LOG_BUF };

struct kvar_desc {
	const char *name;
	char type; /* nm's letter */
	enum sec sec;
	unsigned int off64, off32;
	unsigned int layouts; /* where System.map lists it */
};

static const struct kvar_desc kvars[KV_NR] = {
	[KV_init_top_pgt] = {"init_top_pgt", 'D', SEC_PGD, 0, 0, L_ALL},
	[KV_HYPERVISOR_shared_info] = {"HYPERVISOR_shared_info", 'D', SEC_DATA, 0x000, 0x000,
				       L_ALL},
	[KV__brk_end] = {"_brk_end", 'D', SEC_DATA, 0x008, 0x004, L_ALL},
	[KV_gk_memblock] = {"gk_memblock", 'D', SEC_DATA, 0x040, 0x040, L_ALL},
	[KV_gk_config] = {"gk_config", 'D', SEC_DATA, 0x200, 0x200, L_ALL},
	[KV_xen_max_p2m_pfn] = {"xen_max_p2m_pfn", 'D', SEC_DATA, 0xd60, 0xd60, L_ALL},
	[KV_xen_p2m_size] = {"xen_p2m_size", 'D', SEC_DATA, 0xd68, 0xd64, L_LISTS},
	[KV_xen_p2m_addr] = {"xen_p2m_addr", 'D', SEC_DATA, 0xd70, 0xd68, L_LISTS},
	[KV_xen_start_info] = {"xen_start_info", 'B', SEC_BSS, 0x0c0, 0x0c0, L_ALL},
	[KV_balloon_stats] = {"balloon_stats", 'B', SEC_BSS, 0x100, 0x100, L_ALL},
	[KV_xen_p2m_last_pfn] = {"xen_p2m_last_pfn", 'b', SEC_BSS, 0x1c0, 0x1c0, L_LISTS},
	[KV_p2m_identity_pte] = {"p2m_identity_pte", 'b', SEC_BSS, 0x1c8, 0x1c4, L_LISTS},
	[KV_p2m_missing_pte] = {"p2m_missing_pte", 'b', SEC_BSS, 0x1d0, 0x1c8, L_LISTS},
	[KV_p2m_identity] = {"p2m_identity", 'b', SEC_BSS, 0x1d8, 0x1cc, L_ALL},
	[KV_p2m_missing] = {"p2m_missing", 'b', SEC_BSS, 0x1e0, 0x1d0, L_ALL},
	[KV_p2m_top_mfn_p] = {"p2m_top_mfn_p", 'b', SEC_BSS, 0x1e8, 0x1d4, L_ALL},
	[KV_p2m_top_mfn] = {"p2m_top_mfn", 'b', SEC_BSS, 0x1f0, 0x1d8, L_ALL},
	[KV_p2m_mid_missing_mfn] = {"p2m_mid_missing_mfn", 'b', SEC_BSS, 0x1f8, 0x1dc, L_ALL},
	[KV_p2m_top] = {"p2m_top", 'b', SEC_BSS, 0x200, 0x1e0, L_TREE},
	[KV_p2m_mid_missing] = {"p2m_mid_missing", 'b', SEC_BSS, 0x208, 0x1e4, L_TREE},
	[KV_tainted_mask] = {"tainted_mask", 'b', SEC_BSS, 0x220, 0x220, L_ALL},
	[KV_log_buf_len] = {"log_buf_len", 'd', SEC_DATA, 0x300, 0x300, L_ALL},
	[KV_log_end] = {"log_end", 'b', SEC_BSS, 0x228, 0x228, L_ALL},
	[KV___log_buf] = {"__log_buf", 'b', SEC_LOG_BUF, 0, 0, L_ALL},
	[KV_grant_table_version] = {"grant_table_version", 'b', SEC_BSS, 0x240, 0x240, L_ALL},
	[KV_nr_grant_frames] = {"nr_grant_frames", 'b', SEC_BSS, 0x248, 0x248, L_ALL},
	[KV_gnttab_free_count] = {"gnttab_free_count", 'b', SEC_BSS, 0x250, 0x250, L_ALL},
	[KV_gnttab_free_head] = {"gnttab_free_head", 'b', SEC_BSS, 0x258, 0x258, L_ALL},
	[KV_gnttab_shared] = {"gnttab_shared", 'b', SEC_BSS, 0x260, 0x260, L_ALL},
	[KV_grstatus] = {"grstatus", 'b', SEC_BSS, 0x268, 0x268, L_ALL},
	[KV_gnttab_refs] = {"gnttab_refs", 'b', SEC_BSS, 0x270, 0x270, L_ALL},
	[KV_gnttab_shared_vm_area] = {"gnttab_shared_vm_area", 'b', SEC_BSS, 0x280, 0x280, L_ALL},
	[KV_gnttab_status_vm_area] = {"gnttab_status_vm_area", 'b', SEC_BSS, 0x290, 0x290, L_ALL},
};

static u64 kvar_addr_arch(const struct gk_arch *a, enum kvar v)
{
	const struct kvar_desc *d = &kvars[v];
	u64 off = a->width == 8 ? d->off64 : d->off32;

	switch (d->sec) {
	case SEC_PGD:
		return a->text + a->off_pgd;
	case SEC_DATA:
		return a->text + a->off_data + off;
	case SEC_LOG_BUF:
		return a->text + a->off_log_buf;
	case SEC_BSS:
		break;
	}
	return a->text + a->off_bss_vars + off;
}

u64 kvar_addr(const struct gk *k, enum kvar v)
{
	return kvar_addr_arch(k->a, v);
}

u64 image_brk_pages(const struct gk_arch *a, enum gk_layout layout)
{
	return layout == GK_LAYOUT_TREE ? a->brk_pages_tree : a->brk_pages_list;
}

u64 image_brk_limit(const struct gk_arch *a, enum gk_layout layout)
{
	return a->text + a->off_bss_stop + PFN_PHYS(image_brk_pages(a, layout));
}

static bool layout_valid(enum gk_layout layout)
{
	return layout == GK_LAYOUT_TREE || layout == GK_LAYOUT_LIST ||
	       layout == GK_LAYOUT_LIST_ONLY;
}

/*
 * Pages the kernel allocates while booting a guest of @nr_pages, at most:
 * the initial array's mapping and the list's L1 tables, mid-mfn pages,
 * direct-map tables, and a margin for everything fixed.
 */
static u64 boot_alloc_pages(const struct gk_arch *a, u64 nr_pages)
{
	u64 e = a->p2m_per_page;
	u64 leaves = DIV_ROUND_UP_ULL(nr_pages, e);
	u64 tables = 2 * DIV_ROUND_UP_ULL(leaves, PTRS_PER_PTE);
	u64 mids = 2 * DIV_ROUND_UP_ULL(nr_pages, e * e);
	/* grant tables: two PTE arrays, their area's tables, the ref table */
	u64 gnttab = 2 + 4 + 2;

	return 96 + gnttab + tables + mids + DIV_ROUND_UP_ULL(tables + mids, PTRS_PER_PTE);
}

int gk_image_layout(const struct gk_config *cfg, uint64_t nr_pages, struct gk_image *img,
		    const char **why)
{
	const struct gk_arch *a = cfg ? gk_arch_for(cfg->width) : NULL;
	const char *dummy;
	u64 e, m;
	int i;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!a) {
		*why = "the guest width must be 8 (x86_64) or 4 (x86_32 PAE)";
		return -EINVAL;
	}
	if (!layout_valid(cfg->layout)) {
		*why = "unknown p2m layout";
		return -EINVAL;
	}
	e = a->p2m_per_page;
	memset(img, 0, sizeof(*img));
	img->image_pfn = PFN_DOWN(a->text - a->start_kernel_map);
	img->image_pages = PFN_DOWN(a->off_bss_stop) + image_brk_pages(a, cfg->layout);
	img->p2m_pfn = img->image_pfn + img->image_pages;
	img->p2m_pages = DIV_ROUND_UP_ULL(nr_pages, e);
	img->start_info_pfn = img->p2m_pfn + img->p2m_pages;
	img->store_pfn = img->start_info_pfn + 1;
	img->console_pfn = img->start_info_pfn + 2;
	img->l4_pfn = img->start_info_pfn + 3;
	img->free_pfn = img->start_info_pfn + 4;
	img->virt_base = a->start_kernel_map;
	if (a->init_p2m && cfg->layout != GK_LAYOUT_TREE)
		img->mfn_list_va = a->init_p2m;
	else
		img->mfn_list_va = img->virt_base + PFN_PHYS(img->p2m_pfn);
	img->max_pages = cfg->layout == GK_LAYOUT_TREE ? a->max_pages_tree : a->max_pages_list;

	/* The smallest guest: its own p2m array grows with it, iterate. */
	m = img->p2m_pfn;
	for (i = 0; i < 4; i++)
		m = img->p2m_pfn + DIV_ROUND_UP_ULL(m, e) + 4 + boot_alloc_pages(a, m) +
		    GK_ALLOC_RESERVE;
	img->min_pages = m;

	if (nr_pages > img->max_pages) {
		*why = cfg->layout == GK_LAYOUT_TREE ? "too large for the tree layout (p2m_top "
						       "covers 512 GiB on x86_64, 64 GiB on x86_32)"
						     : "too large for the model kernel";
		return -EINVAL;
	}
	if (nr_pages < img->min_pages) {
		*why = "too small for the kernel image, its initial p2m and its boot allocations";
		return -EINVAL;
	}
	if (img->free_pfn + boot_alloc_pages(a, nr_pages) + GK_ALLOC_RESERVE > a->lowmem_pfns) {
		*why = "the initial p2m and the boot allocations do not fit in 32-bit lowmem";
		return -EINVAL;
	}
	return 0;
}

/* --- System.map ------------------------------------------------------- */

struct sym {
	u64 addr;
	char type;
	const char *name;
	unsigned int rank;
};

static int sym_cmp(const void *pa, const void *pb)
{
	const struct sym *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return (int)a->rank - (int)b->rank;
}

#define MAX_SYMS 64

static unsigned int collect_syms(const struct gk_arch *a, enum gk_layout layout, struct sym *syms)
{
	unsigned int n = 0, v;
	u64 brk_limit = image_brk_limit(a, layout);

#define ADD(a_, t_, n_) syms[n] = (struct sym){(a_), (t_), (n_), n}, n++
	ADD(a->text, 'T', "_text");
	ADD(a->text, 'T', "_stext");
	ADD(a->text + a->off_etext, 'T', "_etext");
	ADD(a->text + a->off_etext, 'D', "_sdata");
	ADD(a->text + a->off_edata, 'D', "_edata");
	ADD(a->text + a->off_bss_start, 'B', "__bss_start");
	ADD(a->text + a->off_bss_stop, 'B', "__bss_stop");
	ADD(a->text + a->off_bss_stop, 'B', "__brk_base");
	ADD(brk_limit, 'B', "__brk_limit");
	ADD(brk_limit, 'B', "_end");
	for (v = 0; v < KV_NR; v++) {
		const struct kvar_desc *d = &kvars[v];
		const char *name = d->name;
		char type = d->type;

		if (!(d->layouts & (1u << layout)))
			continue;
		if (v == KV_init_top_pgt && a->width == 4) {
			name = "swapper_pg_dir";
			type = 'B';
		}
		ADD(kvar_addr_arch(a, v), type, name);
	}
#undef ADD
	qsort(syms, n, sizeof(*syms), sym_cmp);
	return n;
}

int gk_write_system_map(const struct gk_config *cfg, FILE *out)
{
	const struct gk_arch *a = cfg ? gk_arch_for(cfg->width) : NULL;
	struct sym syms[MAX_SYMS];
	unsigned int i, n;

	if (!a || !layout_valid(cfg->layout))
		return -EINVAL;
	n = collect_syms(a, cfg->layout, syms);
	for (i = 0; i < n; i++) {
		if (fprintf(out, a->width == 8 ? "%016llx %c %s\n" : "%08llx %c %s\n",
			    (unsigned long long)syms[i].addr, syms[i].type, syms[i].name) < 0)
			return -EIO;
	}
	return ferror(out) ? -EIO : 0;
}

int image_symbol(const struct gk_arch *a, enum gk_layout layout, const char *name, u64 *va)
{
	struct sym syms[MAX_SYMS];
	unsigned int i, n;

	if (!layout_valid(layout))
		return -EINVAL;
	n = collect_syms(a, layout, syms);
	for (i = 0; i < n; i++) {
		if (strcmp(syms[i].name, name) == 0) {
			*va = syms[i].addr;
			return 0;
		}
	}
	return -ENOENT;
}
