// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping the grant-table frames into a PV guest's address space
 * (arch/x86/xen/grant-table.c of the model kernel), seed 002.
 *
 * A PV guest sees its grant table only through its own page tables: Xen
 * hands it the frames' MFNs (GNTTABOP_setup_table, get_status_frames) and
 * the kernel points PTEs at them.  The table grows while drivers run, and
 * they may allocate grant references with interrupts off or from an
 * interrupt -- atomic context, possibly inside a lazy MMU batch -- so the
 * mapping path must neither sleep nor enter lazy MMU mode again.
 *
 * The fixed kernel (arch_gnttab_init) reserves the virtual area for the
 * table's maximum size at boot and keeps the array of its PTE pointers;
 * mapping and unmapping is then one set_pte() per frame through them.  The
 * pre-fix kernel (GK_KERNEL_PRE_FIX_002) allocates the area on first use
 * (alloc_vm_area, which may sleep) and maps with apply_to_page_range(),
 * which enters lazy MMU mode and BUGs when the CPU already is in it.
 *
 * The areas are at fixed addresses in the model (gk.h), the shared frames'
 * at gk_arch.gnttab_vaddr and the status frames' 2 MiB above.  The
 * gnttab_vm_area structs hold the area's address and the VA of its PTE
 * pointer array (an array of unsigned long, one pte_t * per frame).
 */
#include "config.h"

#include "guest/linux/xen-ops.h"

/* struct gnttab_vm_area: unsigned long slots. */
enum {
	VMA_AREA = 0,
	VMA_PTES,
};

/* The most frames an area's PTE array (one page) holds. */
#define GNTTAB_AREA_MAX (PAGE_SIZE / 4)

static bool pre_fix_002(const struct gk *k)
{
	return k->cfg.variant == GK_KERNEL_PRE_FIX_002;
}

static u64 area_base(const struct gk *k, bool status)
{
	return k->a->gnttab_vaddr + (status ? PMD_SIZE : 0);
}

static enum kvar area_var(bool status)
{
	return status ? KV_gnttab_status_vm_area : KV_gnttab_shared_vm_area;
}

static int arch_gnttab_valloc(struct gk *k, bool status, u64 nr_frames)
{
	u64 vma = kvar_addr(k, area_var(status)), ptes;
	int ret;

	if (nr_frames > GNTTAB_AREA_MAX || nr_frames > PMD_SIZE / PAGE_SIZE)
		return -EINVAL;
	/* kmalloc_array(nr_frames, sizeof(pte_t *), GFP_KERNEL) */
	ptes = alloc_page(k);
	if (!ptes)
		return k->oops ? k->oops : -ENOMEM;
	ret = alloc_vm_area(k, area_base(k, status), nr_frames, ptes);
	if (ret)
		return ret;
	wr(k, ARR(vma, VMA_PTES), ptes);
	wr(k, ARR(vma, VMA_AREA), area_base(k, status));
	return k->oops;
}

int arch_gnttab_init(struct gk *k, u64 nr_shared, u64 nr_status)
{
	int ret;

	if (pre_fix_002(k))
		return 0; /* the old kernel has no arch_gnttab_init() */
	gk_enter(k, "arch_gnttab_init");
	ret = arch_gnttab_valloc(k, false, nr_shared);
	if (!ret)
		ret = arch_gnttab_valloc(k, true, nr_status);
	gk_leave(k);
	return ret;
}

/* --- the fixed kernel: set_pte() through the reserved PTEs ------------------ */

static int map_frames_reserved(struct gk *k, bool status, const u64 *frames, u64 nr)
{
	u64 vma = kvar_addr(k, area_var(status));
	u64 area = rd(k, ARR(vma, VMA_AREA)), ptes = rd(k, ARR(vma, VMA_PTES)), i;

	if (k->oops)
		return k->oops;
	if (!area || !ptes) {
		BUG();
		return k->oops;
	}
	for (i = 0; i < nr && !k->oops; i++) {
		set_pte_ptr(k, rd(k, ARR(ptes, i)), PFN_PHYS(frames[i]) | k->a->prot_data);
		flush_tlb_one(k, area + PFN_PHYS(i));
	}
	if (status)
		SET(grstatus, area);
	else
		SET(gnttab_shared, area);
	return k->oops;
}

static void unmap_frames_reserved(struct gk *k, bool status, u64 nr)
{
	u64 vma = kvar_addr(k, area_var(status));
	u64 area = rd(k, ARR(vma, VMA_AREA)), ptes = rd(k, ARR(vma, VMA_PTES)), i;

	if (!area || !ptes)
		return;
	for (i = 0; i < nr && !k->oops; i++) {
		set_pte_ptr(k, rd(k, ARR(ptes, i)), 0);
		flush_tlb_one(k, area + PFN_PHYS(i));
	}
}

/* --- the pre-fix kernel: alloc_vm_area() and apply_to_page_range() --------- */

struct map_frames {
	u64 base;
	const u64 *frames;
};

static int map_pte_fn(struct gk *k, u64 table_mfn, unsigned int idx, u64 addr, void *data)
{
	const struct map_frames *m = data;

	pt_write(k, table_mfn, idx,
		 PFN_PHYS(m->frames[PFN_DOWN(addr - m->base)]) | k->a->prot_data);
	return 0;
}

static int unmap_pte_fn(struct gk *k, u64 table_mfn, unsigned int idx, u64 addr, void *data)
{
	pt_write(k, table_mfn, idx, 0);
	return 0;
}

static int map_frames_walk(struct gk *k, bool status, const u64 *frames, u64 nr, u64 max)
{
	enum kvar var = status ? KV_grstatus : KV_gnttab_shared;
	struct map_frames m = {.frames = frames};
	u64 shared = kget(k, var);
	int ret;

	if (k->oops)
		return k->oops;
	if (!shared) {
		/* the first mapping reserves the area, whatever the context */
		ret = alloc_vm_area(k, area_base(k, status), max, 0);
		if (ret)
			return ret;
		shared = area_base(k, status);
		kset(k, var, shared);
	}
	m.base = shared;
	return apply_to_page_range(k, shared, PFN_PHYS(nr), map_pte_fn, &m);
}

/* --- the interface ---------------------------------------------------------- */

int arch_gnttab_map_shared(struct gk *k, const u64 *frames, u64 nr, u64 max)
{
	int ret;

	gk_enter(k, "arch_gnttab_map_shared");
	if (nr > max || max > GNTTAB_AREA_MAX)
		ret = -EINVAL;
	else if (pre_fix_002(k))
		ret = map_frames_walk(k, false, frames, nr, max);
	else
		ret = map_frames_reserved(k, false, frames, nr);
	gk_leave(k);
	return ret;
}

int arch_gnttab_map_status(struct gk *k, const u64 *frames, u64 nr, u64 max)
{
	int ret;

	gk_enter(k, "arch_gnttab_map_status");
	if (nr > max || max > GNTTAB_AREA_MAX)
		ret = -EINVAL;
	else if (pre_fix_002(k))
		ret = map_frames_walk(k, true, frames, nr, max);
	else
		ret = map_frames_reserved(k, true, frames, nr);
	gk_leave(k);
	return ret;
}

void arch_gnttab_unmap(struct gk *k, bool status, u64 nr)
{
	u64 area = kget(k, status ? KV_grstatus : KV_gnttab_shared);

	gk_enter(k, "arch_gnttab_unmap");
	if (nr > GNTTAB_AREA_MAX)
		nr = GNTTAB_AREA_MAX;
	if (pre_fix_002(k)) {
		if (area)
			apply_to_page_range(k, area, PFN_PHYS(nr), unmap_pte_fn, NULL);
	} else {
		unmap_frames_reserved(k, status, nr);
	}
	gk_leave(k);
}
