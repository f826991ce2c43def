// SPDX-License-Identifier: GPL-2.0
/*
 * The model kernel's balloon driver (drivers/xen/balloon.c): give pages
 * back to Xen and take them again, keeping the p2m in step.
 *
 * Down: the highest populated pfns that are not the kernel's (the image,
 * the builder's pages and everything the kernel allocated, plus a reserve
 * for its future allocations) become INVALID in the p2m, then their frames
 * go back (decrease_reservation).  Up: the lowest unpopulated pfns below
 * maxmem are populated (populate_physmap) and entered with
 * set_phys_to_machine(), which allocates mid and leaf pages when the pfn
 * lies in a missing region.
 */
#include "config.h"

#include <unistd.h>

#include "guest/linux/xen-ops.h"

static u64 leaf_entry(struct gk *k, const u8 *page, u64 i)
{
	if (BYTES_PER_LONG == 8)
		return __atomic_load_n((const u64 *)page + i, __ATOMIC_RELAXED);
	return __atomic_load_n((const u32 *)page + i, __ATOMIC_RELAXED);
}

/* The lowest unpopulated RAM pfn in [from, limit), or ~0. */
static u64 balloon_lowest_hole(struct gk *k, u64 from, u64 limit)
{
	u64 pfn;

	for (pfn = from & ~(P2M_PER_PAGE - 1); pfn < limit && !k->oops; pfn += P2M_PER_PAGE) {
		const u8 *page;
		u64 j, end = min_u64(P2M_PER_PAGE, limit - pfn);

		switch (p2m_leaf(k, pfn, &page)) {
		case P2M_LEAF_ERROR:
			return ~0ULL;
		case P2M_LEAF_MISSING:
			return max_u64(pfn, from);
		case P2M_LEAF_IDENTITY:
			continue;
		case P2M_LEAF_REAL:
			break;
		}
		for (j = pfn < from ? from - pfn : 0; j < end; j++)
			if (leaf_entry(k, page, j) == INVALID_P2M_ENTRY)
				return pfn + j;
	}
	return ~0ULL;
}

/* The highest populated pfn below @below that is not the kernel's, or ~0. */
static u64 balloon_highest_page(struct gk *k, u64 below)
{
	u64 kstart = k->img.image_pfn;
	u64 kend = memblock_frontier(k) + GK_ALLOC_RESERVE;
	u64 pfn;

	if (!below)
		return ~0ULL;
	for (pfn = (below - 1) & ~(P2M_PER_PAGE - 1);; pfn -= P2M_PER_PAGE) {
		const u8 *page;
		u64 j;

		if (k->oops)
			return ~0ULL;
		if (pfn + P2M_PER_PAGE <= kstart || pfn >= kend) {
			enum p2m_leaf_kind kind = p2m_leaf(k, pfn, &page);

			if (kind == P2M_LEAF_ERROR)
				return ~0ULL;
			for (j = min_u64(P2M_PER_PAGE, below - pfn);
			     kind == P2M_LEAF_REAL && j-- > 0;)
				if (mfn_is_ram(k, leaf_entry(k, page, j)))
					return pfn + j;
		} else {
			/* Straddles the kernel: entry by entry, skipping it. */
			for (j = min_u64(P2M_PER_PAGE, below - pfn); j-- > 0;) {
				u64 p = pfn + j;

				if (p >= kstart && p < kend)
					continue;
				if (mfn_is_ram(k, __pfn_to_mfn(k, p)))
					return p;
			}
		}
		if (pfn == 0)
			return ~0ULL;
	}
}

int balloon_set_target(struct gk *k, u64 target, unsigned int delay_us)
{
	u64 bs = kvar_addr(k, KV_balloon_stats), cur, limit, cursor;
	int ret = 0;

	cur = min_u64(rd(k, ARR(bs, BS_CURRENT)), k->img.max_pages);
	if (k->oops)
		return k->oops;
	wr(k, ARR(bs, BS_TARGET), target);
	/* generation bumps need HYPERVISOR_shared_info, as a running kernel has it */
	xen_setup_shared_info(k);

	if (p2m_is_tree(k))
		limit = min_u64(MAX_P2M_PFN, k->img.max_pages);
	else
		limit = min_u64(GET(xen_p2m_size), k->img.max_pages);

	cursor = limit;
	while (cur > target && !k->oops) {
		u64 pfn = balloon_highest_page(k, cursor), mfn;

		if (pfn == ~0ULL) {
			ret = -ENOMEM;
			break;
		}
		mfn = __pfn_to_mfn(k, pfn);
		if (!__set_phys_to_machine(k, pfn, INVALID_P2M_ENTRY)) {
			BUG();
			break;
		}
		ret = HYPERVISOR_decrease_reservation(k, mfn);
		if (ret) {
			/* Xen kept it: put it back. */
			__set_phys_to_machine(k, pfn, mfn);
			break;
		}
		wr(k, ARR(bs, BS_CURRENT), --cur);
		cursor = pfn;
		if (delay_us)
			usleep(delay_us);
	}

	limit = min_u64(limit, HYPERVISOR_maximum_reservation(k));
	cursor = 0;
	while (cur < target && !k->oops) {
		u64 pfn = balloon_lowest_hole(k, cursor, limit), mfn;

		if (pfn == ~0ULL) {
			ret = -ENOMEM;
			break;
		}
		ret = HYPERVISOR_populate_physmap(k, pfn, &mfn);
		if (ret)
			break;
		if (!set_phys_to_machine(k, pfn, mfn)) {
			HYPERVISOR_decrease_reservation(k, mfn);
			ret = k->oops ? k->oops : -ENOMEM;
			break;
		}
		wr(k, ARR(bs, BS_CURRENT), ++cur);
		cursor = pfn + 1;
		if (delay_us)
			usleep(delay_us);
	}
	xen_unmap_shared_info(k);
	if (k->oops)
		return k->oops;
	if (ret)
		printk(k, "xen:balloon: stopped at %llu pages (target %llu): %d",
		       (unsigned long long)cur, (unsigned long long)target, ret);
	return ret;
}
