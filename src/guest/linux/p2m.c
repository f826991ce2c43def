// SPDX-License-Identifier: GPL-2.0
/*
 * The PV guest's physical-to-machine map (arch/x86/xen/p2m.c of the model
 * kernel).
 *
 * Xen leaves the pfn -> mfn map to the guest, but must read and rewrite it
 * when it saves and restores the domain.  Two pfn-side shapes exist, chosen
 * by gk_config.layout:
 *
 * GK_LAYOUT_TREE (Linux 2.6.38-3.18): a three-level tree
 *
 *	p2m_top -> p2m_mid -> leaf p2m pages (unsigned long mfns)
 *
 * with one shared p2m_mid_missing (every entry p2m_missing) and one shared
 * p2m_missing leaf (every entry INVALID_P2M_ENTRY) for the holes.  At boot
 * the leaves are the domain builder's initial p2m array pages themselves.
 *
 * GK_LAYOUT_LIST{,_ONLY} (Linux >= 3.19): a linear list at xen_p2m_addr in
 * the vmalloc area, mapped by the kernel's page tables.  The leaf pages are
 * the initial array's pages remapped; a p2m page wholly missing maps the
 * shared p2m_missing page read-only, and 2 MiB of the list wholly missing
 * (one mid page's worth) uses the shared L1 page p2m_missing_pte, whose
 * every slot maps p2m_missing.  p2m_identity/p2m_identity_pte do the same
 * for 1:1 ranges.  Replacing one of those shared mappings bumps
 * shared_info's p2m_generation before and after, for the tools.
 *
 * For the toolstack, both build the mfn-side tree (frame list list):
 *
 *	p2m_top_mfn -> p2m_mid_mfn pages -> leaf MFNs
 *
 * whose mid pages the kernel reaches through p2m_top_mfn_p[] (their virtual
 * addresses), because after a migration p2m_top_mfn[] holds old MFNs that
 * may belong to someone else now (seed 003).  Missing ranges point at the
 * single p2m_mid_missing_mfn page, whose entries all name p2m_missing.  On
 * 64-bit it covers MAX_P2M_PFN = 512^3 pfns (512 GiB), as in Linux.
 */
#include "config.h"

#include <string.h>

#include "guest/linux/xen-ops.h"

#define P2M_TYPE_IDENTITY 0
#define P2M_TYPE_MISSING 1
#define P2M_TYPE_PFN 2

static u64 p2m_top_index(struct gk *k, u64 pfn)
{
	return pfn / (P2M_MID_PER_PAGE * P2M_PER_PAGE);
}

static u64 p2m_mid_index(struct gk *k, u64 pfn)
{
	return (pfn / P2M_PER_PAGE) % P2M_MID_PER_PAGE;
}

static u64 p2m_index(struct gk *k, u64 pfn)
{
	return pfn % P2M_PER_PAGE;
}

bool p2m_is_tree(const struct gk *k)
{
	return k->cfg.layout == GK_LAYOUT_TREE;
}

static bool variant_pre_fix_003(const struct gk *k)
{
	return k->cfg.variant == GK_KERNEL_PRE_FIX_003;
}

/* The toolstack maps the list itself (SIF_VIRT_P2M_4TOOLS): no mfn tree. */
bool xen_virt_p2m_4tools(struct gk *k)
{
	if (p2m_is_tree(k))
		return false; /* pre-3.19 kernels do not know the flag */
	if (k->cfg.layout == GK_LAYOUT_LIST_ONLY)
		return true;
	return xen_start_info_flags(k) & SIF_VIRT_P2M_4TOOLS;
}

/* The same page, whichever linear alias names it. */
static bool same_page(struct gk *k, u64 a, u64 b)
{
	if (a == b)
		return true;
	if (!virt_addr_valid(k, a) || !virt_addr_valid(k, b))
		return false;
	return PFN_DOWN(__pa(k, a)) == PFN_DOWN(__pa(k, b));
}

static bool in_identity_range(struct gk *k, u64 pfn)
{
	return pfn >= k->cfg.identity_start && pfn < k->cfg.identity_end;
}

/* --- page initialisers (one page at a time, not one entry at a time) --- */

static void p2m_init(struct gk *k, u64 p2m)
{
	fill_page(k, p2m, INVALID_P2M_ENTRY);
}

static void p2m_init_identity(struct gk *k, u64 p2m, u64 pfn)
{
	u8 *p = page_ptr(k, p2m, true);
	u64 i;

	if (!p)
		return;
	for (i = 0; i < P2M_PER_PAGE; i++) {
		if (BYTES_PER_LONG == 8)
			((u64 *)p)[i] = IDENTITY_FRAME(pfn + i);
		else
			((u32 *)p)[i] = (u32)IDENTITY_FRAME(pfn + i);
	}
	wmb();
}

/* tree: a mid page whose every entry is @leaf. */
static void p2m_mid_init(struct gk *k, u64 mid, u64 leaf)
{
	fill_page(k, mid, leaf);
}

/* tree: a top page whose every entry is p2m_mid_missing. */
static void p2m_top_init(struct gk *k, u64 top)
{
	fill_page(k, top, GET(p2m_mid_missing));
}

/* A mid-mfn page whose every entry names @leaf. */
static void p2m_mid_mfn_init(struct gk *k, u64 mid, u64 leaf)
{
	u64 mfn = virt_to_mfn(k, leaf);

	if (!k->oops)
		fill_page(k, mid, mfn);
}

static void p2m_top_mfn_init(struct gk *k, u64 top)
{
	u64 mfn = virt_to_mfn(k, GET(p2m_mid_missing_mfn));

	if (!k->oops)
		fill_page(k, top, mfn);
}

static void p2m_top_mfn_p_init(struct gk *k, u64 top)
{
	fill_page(k, top, GET(p2m_mid_missing_mfn));
}

static u64 alloc_p2m_page(struct gk *k)
{
	return alloc_page(k);
}

static void free_p2m_page(struct gk *k, u64 va)
{
	free_page(k, va);
}

/* The tools synchronise with changes of the list's mappings through this. */
static void p2m_generation_inc(struct gk *k)
{
	u64 sh = GET(HYPERVISOR_shared_info);
	u8 *p;

	if (!sh || k->oops)
		return;
	p = va_ptr(k, sh + SH_OFF(arch.p2m_generation), true);
	if (!p) {
		gk_die(k, -EFAULT, "BUG: HYPERVISOR_shared_info %llx is not mapped",
		       (unsigned long long)sh);
		return;
	}
	if (BYTES_PER_LONG == 8)
		__atomic_fetch_add((u64 *)p, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_add((u32 *)p, 1, __ATOMIC_SEQ_CST);
}

/* --- the mfn tree for the toolstack ------------------------------------- */

/* Allocation of mfn-tree pages: the brk while booting a tree kernel. */
static u64 alloc_mfn_tree_page(struct gk *k)
{
	if (p2m_is_tree(k) && k->booting)
		return extend_brk(k);
	return alloc_p2m_page(k);
}

/*
 * (Re)build the mfn tree from the p2m: at boot, and after every resume,
 * since every MFN changed across the migration.
 */
static void xen_build_mfn_list_list_fixed(struct gk *k)
{
	u64 pfn, limit, top_mfn, top_mfn_p, mid_missing_mfn, missing = GET(p2m_missing), t;
	u64 missing_pte_mfn = 0, identity_pte_mfn = 0, missing_mfn_mfn;

	if (!GET(p2m_top_mfn)) {
		/* Pre-initialise p2m_top_mfn to be completely missing. */
		u64 page = alloc_mfn_tree_page(k);

		SET(p2m_mid_missing_mfn, page);
		p2m_mid_mfn_init(k, page, missing);
		page = alloc_mfn_tree_page(k);
		SET(p2m_top_mfn_p, page);
		p2m_top_mfn_p_init(k, page);
		page = alloc_mfn_tree_page(k);
		SET(p2m_top_mfn, page);
		p2m_top_mfn_init(k, page);
	} else {
		/* Reinitialise: all the mfns changed across a migration. */
		p2m_mid_mfn_init(k, GET(p2m_mid_missing_mfn), missing);
	}
	top_mfn = GET(p2m_top_mfn);
	top_mfn_p = GET(p2m_top_mfn_p);
	mid_missing_mfn = GET(p2m_mid_missing_mfn);
	missing_mfn_mfn = virt_to_mfn(k, mid_missing_mfn);
	if (!p2m_is_tree(k)) {
		missing_pte_mfn = virt_to_mfn(k, GET(p2m_missing_pte));
		if (GET(p2m_identity_pte))
			identity_pte_mfn = virt_to_mfn(k, GET(p2m_identity_pte));
	}

	limit = min_u64(min_u64(GET(xen_max_p2m_pfn), MAX_P2M_PFN), k->img.max_pages);
	for (pfn = 0; pfn < limit && !k->oops; pfn += P2M_PER_PAGE) {
		u64 topidx = p2m_top_index(k, pfn), mididx = p2m_mid_index(k, pfn);
		u64 mid_mfn_p = rd(k, ARR(top_mfn_p, topidx));
		u64 leaf_mfn;
		bool whole_mid_missing;

		if (p2m_is_tree(k)) {
			u64 mid = rd(k, ARR(GET(p2m_top), topidx));

			whole_mid_missing = mid == GET(p2m_mid_missing);
			leaf_mfn = whole_mid_missing ? 0 : virt_to_mfn(k, rd(k, ARR(mid, mididx)));
		} else {
			struct pt_lookup pt;

			if (lookup_address(k, ARR(GET(xen_p2m_addr), pfn), &pt) ||
			    pt.level != PG_LEVEL_4K) {
				BUG();
				break;
			}
			whole_mid_missing = pt.table_mfn == missing_pte_mfn ||
					    (identity_pte_mfn && pt.table_mfn == identity_pte_mfn);
			leaf_mfn = pte_mfn(pt.pte);
		}

		/*
		 * Don't bother allocating any mfn mid levels if they're just
		 * missing, just update the stored mfn, since all could have
		 * changed over a migrate.
		 */
		if (whole_mid_missing) {
			BUG_ON(mididx);
			BUG_ON(mid_mfn_p != mid_missing_mfn);
			wr(k, ARR(top_mfn, topidx), missing_mfn_mfn);
			pfn += (P2M_MID_PER_PAGE - 1) * P2M_PER_PAGE;
			continue;
		}

		if (mid_mfn_p == mid_missing_mfn) {
			mid_mfn_p = alloc_mfn_tree_page(k);
			p2m_mid_mfn_init(k, mid_mfn_p, missing);
			wr(k, ARR(top_mfn_p, topidx), mid_mfn_p);
		}

		wr(k, ARR(top_mfn, topidx), virt_to_mfn(k, mid_mfn_p));
		wr(k, ARR(mid_mfn_p, mididx), leaf_mfn);
	}

	/*
	 * Tops beyond xen_max_p2m_pfn can only be missing; refresh their mfn
	 * too, through p2m_top_mfn_p, so that every p2m_top_mfn[i] names a
	 * frame we own.  (A 6.1 kernel gets the same from a list sized by
	 * CONFIG_XEN_MEMORY_HOTPLUG_LIMIT, which covers every top entry.)
	 */
	for (t = DIV_ROUND_UP_ULL(limit, P2M_MID_PER_PAGE * P2M_PER_PAGE);
	     t < P2M_TOP_PER_PAGE && !k->oops; t++) {
		BUG_ON(rd(k, ARR(top_mfn_p, t)) != mid_missing_mfn);
		wr(k, ARR(top_mfn, t), missing_mfn_mfn);
	}
}

/*
 * The same before commit "xen: correctly rebuild mfn list list after
 * migration" (seed 003): the mid-mfn pages are found again through the M2P
 * from p2m_top_mfn[] -- which after a migration holds the old MFNs --,
 * p2m_top_mfn[] is never rewritten for existing mids and p2m_mid_missing_mfn
 * is never reinitialised.  (The boot path is the same as the fixed one:
 * the kernel is clean right after boot.)
 */
static void xen_build_mfn_list_list_pre_fix(struct gk *k)
{
	u64 pfn, limit, top_mfn, top_mfn_p, mid_missing_mfn, missing = GET(p2m_missing);
	u64 missing_pte_mfn = 0, identity_pte_mfn = 0;

	if (!GET(p2m_top_mfn)) {
		u64 page = alloc_mfn_tree_page(k);

		SET(p2m_mid_missing_mfn, page);
		p2m_mid_mfn_init(k, page, missing);
		page = alloc_mfn_tree_page(k);
		SET(p2m_top_mfn_p, page);
		p2m_top_mfn_p_init(k, page);
		page = alloc_mfn_tree_page(k);
		SET(p2m_top_mfn, page);
		p2m_top_mfn_init(k, page);
	}
	top_mfn = GET(p2m_top_mfn);
	top_mfn_p = GET(p2m_top_mfn_p);
	mid_missing_mfn = GET(p2m_mid_missing_mfn);
	if (!p2m_is_tree(k)) {
		missing_pte_mfn = virt_to_mfn(k, GET(p2m_missing_pte));
		if (GET(p2m_identity_pte))
			identity_pte_mfn = virt_to_mfn(k, GET(p2m_identity_pte));
	}

	limit = min_u64(min_u64(GET(xen_max_p2m_pfn), MAX_P2M_PFN), k->img.max_pages);
	for (pfn = 0; pfn < limit && !k->oops; pfn += P2M_PER_PAGE) {
		u64 topidx = p2m_top_index(k, pfn), mididx = p2m_mid_index(k, pfn);
		u64 mid_mfn, mid_mfn_p, leaf_mfn;

		if (p2m_is_tree(k)) {
			u64 mid = rd(k, ARR(GET(p2m_top), topidx)), leaf;

			if (mid == GET(p2m_mid_missing)) {
				pfn += (P2M_MID_PER_PAGE - 1) * P2M_PER_PAGE;
				continue;
			}
			leaf = rd(k, ARR(mid, mididx));
			/* Don't bother allocating any mfn mid levels if they're just missing */
			if (leaf == missing)
				continue;
			leaf_mfn = virt_to_mfn(k, leaf);
		} else {
			struct pt_lookup pt;

			if (lookup_address(k, ARR(GET(xen_p2m_addr), pfn), &pt) ||
			    pt.level != PG_LEVEL_4K) {
				BUG();
				break;
			}
			if (pt.table_mfn == missing_pte_mfn ||
			    (identity_pte_mfn && pt.table_mfn == identity_pte_mfn)) {
				pfn += (P2M_MID_PER_PAGE - 1) * P2M_PER_PAGE;
				continue;
			}
			leaf_mfn = pte_mfn(pt.pte);
		}

		mid_mfn = rd(k, ARR(top_mfn, topidx));
		mid_mfn_p = mfn_to_virt(k, mid_mfn);

		if (same_page(k, mid_mfn_p, mid_missing_mfn)) {
			mid_mfn_p = alloc_mfn_tree_page(k);
			p2m_mid_mfn_init(k, mid_mfn_p, missing);
			mid_mfn = virt_to_mfn(k, mid_mfn_p);
			wr(k, ARR(top_mfn, topidx), mid_mfn);
			wr(k, ARR(top_mfn_p, topidx), mid_mfn_p);
		}

		wr(k, ARR(mid_mfn_p, mididx), leaf_mfn);
	}
}

void xen_build_mfn_list_list(struct gk *k)
{
	if (xen_virt_p2m_4tools(k))
		return;
	if (variant_pre_fix_003(k))
		xen_build_mfn_list_list_pre_fix(k);
	else
		xen_build_mfn_list_list_fixed(k);
}

/* Publish the p2m in shared_info for the toolstack. */
void xen_setup_mfn_list_list(struct gk *k)
{
	u64 sh = GET(HYPERVISOR_shared_info), fll;

	BUG_ON(!sh);
	if (k->oops)
		return;
	if (xen_virt_p2m_4tools(k))
		fll = ULONG_MASK;
	else
		fll = virt_to_mfn(k, GET(p2m_top_mfn));
	if (p2m_is_tree(k)) {
		/* A tree kernel knows no virtual list: Xen's initial 0 stays. */
		wr(k, sh + SH_OFF(arch.max_pfn), GET(xen_max_p2m_pfn));
		wr(k, sh + SH_OFF(arch.p2m_cr3), 0);
	} else {
		wr(k, sh + SH_OFF(arch.max_pfn), GET(xen_p2m_last_pfn));
		wr(k, sh + SH_OFF(arch.p2m_generation), 0);
		wr(k, sh + SH_OFF(arch.p2m_vaddr), GET(xen_p2m_addr));
		wmb();
		wr(k, sh + SH_OFF(arch.p2m_cr3),
		   xen_pfn_to_cr3(k, virt_to_mfn(k, kvar_addr(k, KV_init_top_pgt))));
	}
	wmb();
	wr(k, sh + SH_OFF(arch.pfn_to_mfn_frame_list_list), fll);
}

/* --- the tree (GK_LAYOUT_TREE) -------------------------------------------- */

/* Graft the builder's initial p2m array into the tree. */
static void xen_build_dynamic_p2m_tree(struct gk *k, u64 nr_pages)
{
	u64 mfn_list = GET(xen_p2m_addr);
	u64 max_pfn = min_u64(min_u64(MAX_P2M_PFN, nr_pages), k->img.max_pages);
	u64 pfn, top, missing, mid_missing;

	SET(xen_max_p2m_pfn, max_pfn);

	missing = extend_brk(k);
	SET(p2m_missing, missing);
	p2m_init(k, missing);
	if (k->cfg.identity_end) {
		u64 identity = extend_brk(k);

		SET(p2m_identity, identity);
		p2m_init(k, identity);
	}
	mid_missing = extend_brk(k);
	SET(p2m_mid_missing, mid_missing);
	p2m_mid_init(k, mid_missing, missing);
	top = extend_brk(k);
	p2m_top_init(k, top);
	if (k->oops)
		return;
	SET(p2m_top, top);

	/*
	 * The domain builder gives us a pre-constructed p2m array in
	 * mfn_list for all the pages initially given to us, so we just need
	 * to graft that into our tree structure.
	 */
	for (pfn = 0; pfn < max_pfn && !k->oops; pfn += P2M_PER_PAGE) {
		u64 topidx = p2m_top_index(k, pfn), mididx = p2m_mid_index(k, pfn);
		u64 mid = rd(k, ARR(top, topidx));

		if (mid == mid_missing) {
			mid = extend_brk(k);
			p2m_mid_init(k, mid, missing);
			wr(k, ARR(top, topidx), mid);
		}
		/* Entries beyond the last pfn of a partial last page are undefined. */
		if (pfn + P2M_PER_PAGE > max_pfn) {
			u64 i;

			for (i = max_pfn; i < pfn + P2M_PER_PAGE; i++)
				wr(k, ARR(mfn_list, i), INVALID_P2M_ENTRY);
		}
		wr(k, ARR(mid, mididx), ARR(mfn_list, pfn));
	}
}

static u64 tree_get_phys_to_machine(struct gk *k, u64 pfn)
{
	u64 top = GET(p2m_top), mid, leaf, identity;

	if (!top) {
		/* Early boot: the builder's array. */
		if (pfn < GET(xen_p2m_size))
			return rd(k, ARR(GET(xen_p2m_addr), pfn));
		return INVALID_P2M_ENTRY;
	}
	if (pfn >= MAX_P2M_PFN)
		return IDENTITY_FRAME(pfn);
	mid = rd(k, ARR(top, p2m_top_index(k, pfn)));
	leaf = rd(k, ARR(mid, p2m_mid_index(k, pfn)));
	identity = GET(p2m_identity);
	if (identity && leaf == identity)
		return IDENTITY_FRAME(pfn);
	return rd(k, ARR(leaf, p2m_index(k, pfn)));
}

static bool tree_set_phys_to_machine(struct gk *k, u64 pfn, u64 mfn)
{
	u64 top = GET(p2m_top), mid, leaf, identity;

	if (pfn >= MAX_P2M_PFN)
		return mfn == INVALID_P2M_ENTRY;
	if (!top) {
		if (pfn >= GET(xen_p2m_size))
			return mfn == INVALID_P2M_ENTRY;
		wr(k, ARR(GET(xen_p2m_addr), pfn), mfn);
		return !k->oops;
	}
	mid = rd(k, ARR(top, p2m_top_index(k, pfn)));
	leaf = rd(k, ARR(mid, p2m_mid_index(k, pfn)));
	identity = GET(p2m_identity);
	if (k->oops)
		return false;
	if (leaf == GET(p2m_missing))
		return mfn == INVALID_P2M_ENTRY;
	if (identity && leaf == identity)
		return mfn == IDENTITY_FRAME(pfn);
	wr(k, ARR(leaf, p2m_index(k, pfn)), mfn);
	return !k->oops;
}

/*
 * The mid-mfn page for @topidx, allocated if missing (with cmpxchg on
 * p2m_top_mfn[topidx]).  Shared by both layouts.
 */
static int alloc_mid_mfn(struct gk *k, u64 pfn, u64 *mid_mfnp, int (*again)(struct gk *k, u64 pfn))
{
	u64 topidx = p2m_top_index(k, pfn);
	u64 top_mfn_p = ARR(GET(p2m_top_mfn), topidx);
	u64 mid_missing_mfn = GET(p2m_mid_missing_mfn);
	u64 mid_mfn;

	if (variant_pre_fix_003(k)) {
		mid_mfn = mfn_to_virt(k, rd(k, top_mfn_p));
	} else {
		mid_mfn = rd(k, ARR(GET(p2m_top_mfn_p), topidx));
		BUG_ON(virt_to_mfn(k, mid_mfn) != rd(k, top_mfn_p));
	}
	if (k->oops)
		return k->oops;

	if (same_page(k, mid_mfn, mid_missing_mfn)) {
		/* Separately check the mid mfn level */
		u64 missing_mfn, mid_mfn_mfn, old_mfn, new;

		new = alloc_p2m_page(k);
		if (!new)
			return k->oops ? k->oops : -ENOMEM;
		p2m_mid_mfn_init(k, new, GET(p2m_missing));

		missing_mfn = virt_to_mfn(k, mid_missing_mfn);
		mid_mfn_mfn = virt_to_mfn(k, new);
		if (gk_other_cpu_wins(k))
			again(k, pfn);
		old_mfn = cmpxchg_ulong(k, top_mfn_p, missing_mfn, mid_mfn_mfn);
		if (old_mfn != missing_mfn) {
			free_p2m_page(k, new);
			mid_mfn = mfn_to_virt(k, old_mfn);
		} else {
			wr(k, ARR(GET(p2m_top_mfn_p), topidx), new);
			mid_mfn = new;
		}
	}
	*mid_mfnp = mid_mfn;
	return k->oops;
}

/*
 * Fully allocate the p2m structure for a given pfn.  We need to check that
 * both the top and mid levels are allocated, and make sure the parallel
 * mfn tree is kept in sync.  We may race with other cpus, so the new pages
 * are installed with cmpxchg; if we lose the race then simply free the
 * page we allocated and use the one that's there.
 */
static int alloc_p2m(struct gk *k, u64 pfn)
{
	u64 topidx = p2m_top_index(k, pfn), mididx = p2m_mid_index(k, pfn);
	u64 top_p, mid, mid_missing = GET(p2m_mid_missing), missing = GET(p2m_missing);
	u64 identity = GET(p2m_identity), mid_mfn = 0, leaf_p, leaf;
	int ret;

	if (pfn >= MAX_P2M_PFN || !GET(p2m_top))
		return -EINVAL;
	top_p = ARR(GET(p2m_top), topidx);
	mid = rd(k, top_p);
	if (mid == mid_missing) {
		/* Mid level is missing, allocate a new one */
		u64 new = alloc_p2m_page(k);

		if (!new)
			return k->oops ? k->oops : -ENOMEM;
		p2m_mid_init(k, new, missing);
		if (gk_other_cpu_wins(k))
			alloc_p2m(k, pfn);
		mid = cmpxchg_ulong(k, top_p, mid_missing, new);
		if (mid != mid_missing)
			free_p2m_page(k, new);
		else
			mid = new;
	}

	if (GET(p2m_top_mfn)) {
		ret = alloc_mid_mfn(k, pfn, &mid_mfn, alloc_p2m);
		if (ret)
			return ret;
	}

	leaf_p = ARR(mid, mididx);
	leaf = rd(k, leaf_p);
	if (leaf == missing || (identity && leaf == identity)) {
		/* p2m leaf page is missing */
		u64 new = alloc_p2m_page(k);

		if (!new)
			return k->oops ? k->oops : -ENOMEM;
		if (leaf == missing)
			p2m_init(k, new);
		else
			p2m_init_identity(k, new, pfn & ~(P2M_PER_PAGE - 1));
		if (gk_other_cpu_wins(k))
			alloc_p2m(k, pfn);
		if (cmpxchg_ulong(k, leaf_p, leaf, new) != leaf)
			free_p2m_page(k, new);
		else if (mid_mfn)
			wr(k, ARR(mid_mfn, mididx), virt_to_mfn(k, new));
	}
	if (pfn >= GET(xen_max_p2m_pfn) && !k->oops)
		SET(xen_max_p2m_pfn, ALIGN_UP(pfn + 1, P2M_PER_PAGE));
	return k->oops;
}

/* A tree kernel's 1:1 range beyond its RAM: whole leaves -> p2m_identity. */
static void tree_set_range_identity(struct gk *k, u64 pfn_s, u64 pfn_e)
{
	u64 pfn = pfn_s;

	while (pfn < pfn_e && !k->oops) {
		u64 start = pfn & ~(P2M_PER_PAGE - 1);

		if (pfn == start && pfn + P2M_PER_PAGE <= pfn_e) {
			u64 top_p = ARR(GET(p2m_top), p2m_top_index(k, pfn));
			u64 mid = rd(k, top_p), leaf_p, leaf;

			if (mid == GET(p2m_mid_missing)) {
				mid = k->booting ? extend_brk(k) : alloc_p2m_page(k);
				p2m_mid_init(k, mid, GET(p2m_missing));
				wr(k, top_p, mid);
			}
			leaf_p = ARR(mid, p2m_mid_index(k, pfn));
			leaf = rd(k, leaf_p);
			if (leaf == GET(p2m_missing)) {
				wr(k, leaf_p, GET(p2m_identity));
				pfn += P2M_PER_PAGE;
				continue;
			}
		}
		set_phys_to_machine(k, pfn, IDENTITY_FRAME(pfn));
		pfn++;
	}
}

/* --- the linear list (GK_LAYOUT_LIST, GK_LAYOUT_LIST_ONLY) -------------- */

/* The initial list: the builder's array, its partial last page completed. */
static void xen_build_dynamic_p2m_list(struct gk *k, u64 nr_pages)
{
	u64 size = ALIGN_UP(nr_pages, P2M_PER_PAGE), pfn;
	u64 addr = GET(xen_p2m_addr);

	for (pfn = nr_pages; pfn < size && !k->oops; pfn++)
		wr(k, ARR(addr, pfn), INVALID_P2M_ENTRY);
	SET(xen_p2m_size, size);
	SET(xen_max_p2m_pfn, size);
}

void xen_build_dynamic_phys_to_machine(struct gk *k, u64 nr_pages)
{
	if (p2m_is_tree(k))
		xen_build_dynamic_p2m_tree(k, nr_pages);
	else
		xen_build_dynamic_p2m_list(k, nr_pages);
}

/*
 * Type of the entry for @pfn while the list is rebuilt.  Beyond the
 * builder's array lies balloon space: missing, except the configured 1:1
 * range.
 */
static int xen_p2m_elem_type(struct gk *k, u64 pfn)
{
	u64 mfn;

	if (pfn >= GET(xen_p2m_size))
		return in_identity_range(k, pfn) ? P2M_TYPE_IDENTITY : P2M_TYPE_MISSING;
	mfn = rd(k, ARR(GET(xen_p2m_addr), pfn));
	if (mfn == INVALID_P2M_ENTRY)
		return P2M_TYPE_MISSING;
	if (mfn & IDENTITY_FRAME_BIT)
		return P2M_TYPE_IDENTITY;
	return P2M_TYPE_PFN;
}

/* How many entries from @pfn (at most @chunk) have type @type. */
static u64 xen_p2m_run(struct gk *k, u64 pfn, u64 chunk, int type)
{
	u64 size = GET(xen_p2m_size), i = 0;

	while (i < chunk && pfn + i < size && !k->oops) {
		u64 page = ARR(GET(xen_p2m_addr), (pfn + i) & ~(P2M_PER_PAGE - 1));
		const u8 *p = page_ptr(k, page, false);
		u64 j;

		if (!p)
			return i;
		for (j = (pfn + i) % P2M_PER_PAGE; j < P2M_PER_PAGE && i < chunk; j++, i++) {
			u64 mfn = BYTES_PER_LONG == 8 ? ((const u64 *)p)[j] : ((const u32 *)p)[j];
			int t = mfn == INVALID_P2M_ENTRY     ? P2M_TYPE_MISSING
				: (mfn & IDENTITY_FRAME_BIT) ? P2M_TYPE_IDENTITY
							     : P2M_TYPE_PFN;

			if (t != type)
				return i;
		}
	}
	if (i < chunk && pfn + i >= size) {
		/* Beyond the array: the identity range decides, arithmetically. */
		u64 from = pfn + i, end = pfn + chunk, stop;

		if (type == P2M_TYPE_IDENTITY) {
			if (!in_identity_range(k, from))
				return i;
			stop = min_u64(end, k->cfg.identity_end);
		} else {
			if (in_identity_range(k, from))
				return i;
			stop = end;
			if (k->cfg.identity_end && k->cfg.identity_start >= from &&
			    k->cfg.identity_start < end)
				stop = k->cfg.identity_start;
		}
		i = stop - pfn;
	}
	return i;
}

static void xen_rebuild_p2m_list(struct gk *k, u64 p2m)
{
	const struct gk_arch *a = k->a;
	u64 pfn, chunk, missing, identity = 0, missing_pte, identity_pte = 0;
	u64 max = GET(xen_max_p2m_pfn), mid_span = P2M_PER_PAGE * P2M_MID_PER_PAGE;
	u64 missing_mfn, identity_mfn = 0, missing_pte_mfn, identity_pte_mfn = 0;
	unsigned int i;

	missing = alloc_p2m_page(k);
	SET(p2m_missing, missing);
	p2m_init(k, missing);
	missing_mfn = virt_to_mfn(k, missing);
	if (k->cfg.identity_end) {
		identity = alloc_p2m_page(k);
		SET(p2m_identity, identity);
		p2m_init(k, identity);
		identity_mfn = virt_to_mfn(k, identity);
	}

	missing_pte_mfn = alloc_pt_page(k, 1, &missing_pte);
	if (missing_pte_mfn == ~0ULL)
		return;
	missing_pte = __va(k, PFN_PHYS(missing_pte));
	SET(p2m_missing_pte, missing_pte);
	if (identity) {
		identity_pte_mfn = alloc_pt_page(k, 1, &identity_pte);
		if (identity_pte_mfn == ~0ULL)
			return;
		identity_pte = __va(k, PFN_PHYS(identity_pte));
		SET(p2m_identity_pte, identity_pte);
	}
	for (i = 0; i < PTRS_PER_PTE; i++) {
		pt_write(k, missing_pte_mfn, i, PFN_PHYS(missing_mfn) | a->prot_data_ro);
		if (identity)
			pt_write(k, identity_pte_mfn, i, PFN_PHYS(identity_mfn) | a->prot_data_ro);
	}

	for (pfn = 0; pfn < max && !k->oops; pfn += chunk) {
		int type;
		u64 n = 0;

		/*
		 * Try to map missing/identity PMDs or p2m pages if possible.
		 * Respect the structure of the mfn tree built just afterwards:
		 * one p2m page at a time in the middle of a mid page, a whole
		 * mid page's worth (one or two PMDs) at its start.
		 */
		chunk = (pfn & (mid_span - 1)) ? P2M_PER_PAGE : mid_span;
		type = xen_p2m_elem_type(k, pfn);
		if (type != P2M_TYPE_PFN)
			n = xen_p2m_run(k, pfn, chunk, type);
		if (n < chunk)
			chunk = P2M_PER_PAGE; /* reset to the minimal chunk */

		if (type == P2M_TYPE_PFN || n < chunk) {
			u64 leaf_mfn;

			if (pfn < GET(xen_p2m_size)) {
				/* Use the initial p2m page in place: remap it. */
				struct pt_lookup pt;

				if (lookup_address(k, ARR(GET(xen_p2m_addr), pfn), &pt)) {
					BUG();
					break;
				}
				leaf_mfn = pte_mfn(pt.pte);
			} else {
				/* Mixed 1:1 and missing beyond the array. */
				u64 leaf = alloc_p2m_page(k), j;

				for (j = 0; j < P2M_PER_PAGE; j++)
					wr(k, ARR(leaf, j),
					   in_identity_range(k, pfn + j) ? IDENTITY_FRAME(pfn + j)
									 : INVALID_P2M_ENTRY);
				leaf_mfn = virt_to_mfn(k, leaf);
			}
			set_pte_va(k, ARR(p2m, pfn), leaf_mfn, a->prot_data);
			continue;
		}

		if (chunk == P2M_PER_PAGE) {
			/* Map a complete missing or identity p2m page. */
			set_pte_va(k, ARR(p2m, pfn),
				   type == P2M_TYPE_MISSING ? missing_mfn : identity_mfn,
				   a->prot_data_ro);
			continue;
		}

		/* Complete missing or identity PMD(s) can be mapped. */
		for (i = 0; i < PMDS_PER_MID_PAGE; i++)
			set_pmd_va(k, ARR(p2m, pfn) + i * PMD_SIZE,
				   type == P2M_TYPE_MISSING ? missing_pte_mfn : identity_pte_mfn);
	}
}

void xen_vmalloc_p2m_tree(struct gk *k)
{
	const struct gk_arch *a = k->a;
	u64 last = GET(xen_max_p2m_pfn), size;

	SET(xen_p2m_last_pfn, last);
	size = ALIGN_UP(last * BYTES_PER_LONG, PMD_SIZE * PMDS_PER_MID_PAGE);
	if (size > a->p2m_vaddr_end - a->p2m_vaddr) {
		gk_die(k, -ENOMEM, "p2m: %llu pfns do not fit the vmalloc area",
		       (unsigned long long)last);
		return;
	}
	printk(k, "p2m virtual area at %llx, size is %llx", (unsigned long long)a->p2m_vaddr,
	       (unsigned long long)size);

	SET(xen_max_p2m_pfn, size / BYTES_PER_LONG);
	xen_rebuild_p2m_list(k, a->p2m_vaddr);
	if (k->oops)
		return;
	SET(xen_p2m_addr, a->p2m_vaddr);
	SET(xen_p2m_size, size / BYTES_PER_LONG);
}

static u64 list_get_phys_to_machine(struct gk *k, u64 pfn)
{
	u64 addr = GET(xen_p2m_addr), identity;
	struct pt_lookup pt;

	if (pfn >= GET(xen_p2m_size)) {
		if (pfn < GET(xen_max_p2m_pfn))
			return INVALID_P2M_ENTRY; /* extra memory, not yet populated */
		return IDENTITY_FRAME(pfn);
	}
	identity = GET(p2m_identity);
	if (identity) {
		/* p2m_identity holds INVALID entries like p2m_missing: look at
		 * which page the list maps here. */
		if (lookup_address(k, ARR(addr, pfn), &pt) || pt.level != PG_LEVEL_4K) {
			BUG();
			return INVALID_P2M_ENTRY;
		}
		if (mfn_to_pfn(k, pte_mfn(pt.pte)) == PFN_DOWN(__pa(k, identity)))
			return IDENTITY_FRAME(pfn);
	}
	return rd(k, ARR(addr, pfn));
}

/*
 * Allocate new pmd(s), checking the old one is still in place: the only
 * reason for a new pmd is to replace p2m_missing_pte or p2m_identity_pte.
 */
static int alloc_p2m_pmd(struct gk *k, u64 pfn, u64 addr, u64 pte_pg_mfn)
{
	u64 new[2], pfns[2], vaddr;
	unsigned int i, n = PMDS_PER_MID_PAGE;
	const u8 *src = early_frame(k, pte_pg_mfn, false);

	if (!src)
		return -EFAULT;
	/* Do all allocations first to bail out in error case. */
	for (i = 0; i < n; i++) {
		new[i] = alloc_pt_page(k, 1, &pfns[i]);
		if (new[i] == ~0ULL)
			return k->oops ? k->oops : -ENOMEM;
	}
	drain_pt_queue(k);

	vaddr = addr & ~(PMD_SIZE * n - 1);
	for (i = 0; i < n && !k->oops; i++) {
		u8 *dst = early_frame(k, new[i], true);
		struct pt_lookup chk;

		if (!dst) {
			gk_die(k, -EFAULT, "BUG: new L1 %llx is not accessible",
			       (unsigned long long)new[i]);
			break;
		}
		memcpy(dst, src, PAGE_SIZE);
		wmb();

		if (i == 0 && gk_other_cpu_wins(k))
			xen_alloc_p2m_entry(k, pfn);

		/* spin_lock_irqsave(&p2m_update_lock) */
		if (lookup_address(k, vaddr, &chk) == 0 && chk.table_mfn == pte_pg_mfn) {
			p2m_generation_inc(k);
			wmb(); /* Tools are synchronizing via p2m_generation. */
			set_pmd_va(k, vaddr, new[i]);
			wmb(); /* Tools are synchronizing via p2m_generation. */
			p2m_generation_inc(k);
			new[i] = ~0ULL;
		}
		/* spin_unlock_irqrestore(&p2m_update_lock) */

		if (new[i] != ~0ULL) {
			HYPERVISOR_pin_table(k, new[i], 0);
			free_page(k, __va(k, PFN_PHYS(pfns[i])));
		}
		vaddr += PMD_SIZE;
	}
	return k->oops;
}

static int list_alloc_p2m_entry(struct gk *k, u64 pfn)
{
	u64 addr = ARR(GET(xen_p2m_addr), pfn), mid_mfn = 0, leaf_mfn;
	u64 missing_mfn, identity_mfn = 0, missing_pte_mfn, identity_pte_mfn = 0;
	u64 identity = GET(p2m_identity);
	struct pt_lookup pt;
	int ret;

	if (pfn >= GET(xen_p2m_size))
		return -EINVAL;
	missing_pte_mfn = virt_to_mfn(k, GET(p2m_missing_pte));
	missing_mfn = virt_to_mfn(k, GET(p2m_missing));
	if (identity) {
		identity_pte_mfn = virt_to_mfn(k, GET(p2m_identity_pte));
		identity_mfn = virt_to_mfn(k, identity);
	}
	if (lookup_address(k, addr, &pt) || pt.level != PG_LEVEL_4K) {
		BUG();
		return k->oops;
	}

	if (pt.table_mfn == missing_pte_mfn ||
	    (identity_pte_mfn && pt.table_mfn == identity_pte_mfn)) {
		/* PMD level is missing, allocate a new one */
		ret = alloc_p2m_pmd(k, pfn, addr, pt.table_mfn);
		if (ret)
			return ret;
		if (lookup_address(k, addr, &pt) || pt.level != PG_LEVEL_4K) {
			BUG();
			return k->oops;
		}
	}

	if (GET(p2m_top_mfn) && pfn < MAX_P2M_PFN) {
		ret = alloc_mid_mfn(k, pfn, &mid_mfn, xen_alloc_p2m_entry);
		if (ret)
			return ret;
	}

	leaf_mfn = pte_mfn(pt_read(k, pt.table_mfn, pt.idx));
	if (leaf_mfn == missing_mfn || (identity_mfn && leaf_mfn == identity_mfn)) {
		/* p2m leaf page is missing */
		u64 p2m = alloc_p2m_page(k);

		if (!p2m)
			return k->oops ? k->oops : -ENOMEM;
		if (leaf_mfn == missing_mfn)
			p2m_init(k, p2m);
		else
			p2m_init_identity(k, p2m, pfn & ~(P2M_PER_PAGE - 1));

		if (gk_other_cpu_wins(k))
			xen_alloc_p2m_entry(k, pfn);

		/* spin_lock_irqsave(&p2m_update_lock) */
		if (pte_mfn(pt_read(k, pt.table_mfn, pt.idx)) == leaf_mfn) {
			u64 p2m_mfn = virt_to_mfn(k, p2m);

			p2m_generation_inc(k);
			wmb(); /* Tools are synchronizing via p2m_generation. */
			pt_write(k, pt.table_mfn, pt.idx, PFN_PHYS(p2m_mfn) | k->a->prot_data);
			flush_tlb_one(k, addr);
			wmb(); /* Tools are synchronizing via p2m_generation. */
			p2m_generation_inc(k);
			if (mid_mfn)
				wr(k, ARR(mid_mfn, p2m_mid_index(k, pfn)), p2m_mfn);
			p2m = 0;
		}
		/* spin_unlock_irqrestore(&p2m_update_lock) */

		if (p2m)
			free_p2m_page(k, p2m);
	}

	/* Expanded the p2m? */
	if (pfn >= GET(xen_p2m_last_pfn) && !k->oops) {
		u64 sh = GET(HYPERVISOR_shared_info);

		SET(xen_p2m_last_pfn, ALIGN_UP(pfn + 1, P2M_PER_PAGE));
		if (sh)
			wr(k, sh + SH_OFF(arch.max_pfn), GET(xen_p2m_last_pfn));
	}
	return k->oops;
}

static bool list_set_phys_to_machine(struct gk *k, u64 pfn, u64 mfn)
{
	u64 addr, identity, leaf_pfn;
	struct pt_lookup pt;

	/* Only invalid entries allowed above the highest p2m covered frame. */
	if (pfn >= GET(xen_p2m_size))
		return mfn == INVALID_P2M_ENTRY;
	addr = ARR(GET(xen_p2m_addr), pfn);
	if (k->oops)
		return false;

	/* An atomic store that faults on the read-only shared pages. */
	if (!safe_write_ulong(k, addr, mfn))
		return true;

	if (lookup_address(k, addr, &pt) || pt.level != PG_LEVEL_4K) {
		BUG();
		return false;
	}
	leaf_pfn = mfn_to_pfn(k, pte_mfn(pt.pte));
	if (leaf_pfn == PFN_DOWN(__pa(k, GET(p2m_missing))))
		return mfn == INVALID_P2M_ENTRY;
	identity = GET(p2m_identity);
	if (identity && leaf_pfn == PFN_DOWN(__pa(k, identity)))
		return mfn == IDENTITY_FRAME(pfn);
	return false;
}

/* --- common entry points ------------------------------------------------- */

u64 get_phys_to_machine(struct gk *k, u64 pfn)
{
	if (p2m_is_tree(k))
		return tree_get_phys_to_machine(k, pfn);
	return list_get_phys_to_machine(k, pfn);
}

u64 __pfn_to_mfn(struct gk *k, u64 pfn)
{
	return get_phys_to_machine(k, pfn);
}

int xen_alloc_p2m_entry(struct gk *k, u64 pfn)
{
	if (k->oops)
		return k->oops;
	if (p2m_is_tree(k))
		return alloc_p2m(k, pfn);
	return list_alloc_p2m_entry(k, pfn);
}

bool __set_phys_to_machine(struct gk *k, u64 pfn, u64 mfn)
{
	if (k->oops)
		return false;
	if (p2m_is_tree(k))
		return tree_set_phys_to_machine(k, pfn, mfn);
	return list_set_phys_to_machine(k, pfn, mfn);
}

bool set_phys_to_machine(struct gk *k, u64 pfn, u64 mfn)
{
	if (!__set_phys_to_machine(k, pfn, mfn)) {
		if (k->oops || xen_alloc_p2m_entry(k, pfn) < 0 || k->oops)
			return false;
		return __set_phys_to_machine(k, pfn, mfn);
	}
	return true;
}

/* Mark [pfn_s, pfn_e) 1:1, beyond the builder's array (set_phys_range_identity). */
void set_phys_range_identity(struct gk *k, u64 pfn_s, u64 pfn_e)
{
	if (pfn_s >= pfn_e)
		return;
	if (p2m_is_tree(k))
		tree_set_range_identity(k, pfn_s, pfn_e);
	/* The list is built from xen_p2m_elem_type(), which knows the range. */
}

enum p2m_leaf_kind p2m_leaf(struct gk *k, u64 pfn, const u8 **page)
{
	u64 leaf, missing = GET(p2m_missing), identity = GET(p2m_identity);

	*page = NULL;
	if (p2m_is_tree(k)) {
		u64 mid;

		if (pfn >= MAX_P2M_PFN || !GET(p2m_top))
			return P2M_LEAF_ERROR;
		mid = rd(k, ARR(GET(p2m_top), p2m_top_index(k, pfn)));
		leaf = rd(k, ARR(mid, p2m_mid_index(k, pfn)));
		if (k->oops)
			return P2M_LEAF_ERROR;
		if (leaf == missing)
			return P2M_LEAF_MISSING;
		if (identity && leaf == identity)
			return P2M_LEAF_IDENTITY;
	} else {
		struct pt_lookup pt;
		u64 leaf_pfn;

		if (pfn >= GET(xen_p2m_size))
			return P2M_LEAF_ERROR;
		leaf = ARR(GET(xen_p2m_addr), pfn & ~(P2M_PER_PAGE - 1));
		if (lookup_address(k, leaf, &pt) || pt.level != PG_LEVEL_4K) {
			BUG();
			return P2M_LEAF_ERROR;
		}
		leaf_pfn = mfn_to_pfn(k, pte_mfn(pt.pte));
		if (leaf_pfn == PFN_DOWN(__pa(k, missing)))
			return P2M_LEAF_MISSING;
		if (identity && leaf_pfn == PFN_DOWN(__pa(k, identity)))
			return P2M_LEAF_IDENTITY;
	}
	*page = page_ptr(k, leaf & PAGE_MASK, false);
	return *page ? P2M_LEAF_REAL : P2M_LEAF_ERROR;
}
