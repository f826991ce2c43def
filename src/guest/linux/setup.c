// SPDX-License-Identifier: GPL-2.0
/*
 * Memory setup of the model kernel (arch/x86/xen/setup.c): how far the p2m
 * reaches (maxmem: the balloon space above the populated pages) and the
 * 1:1 range a dom0 has for its E820 holes.
 */
#include "config.h"

#include "guest/linux/xen-ops.h"

/*
 * Release the frames behind the 1:1 range (as 3.x kernels did for the
 * E820 holes) and mark the range identity.  Returns the pages released.
 */
static u64 xen_set_identity_and_release(struct gk *k, u64 nr_pages)
{
	u64 start = k->cfg.identity_start, end, pfn, released = 0;
	u64 kernel_end = memblock_frontier(k) + GK_ALLOC_RESERVE;

	end = min_u64(k->cfg.identity_end, GET(xen_max_p2m_pfn));
	if (start >= end)
		return 0;
	if (start < kernel_end && end > k->img.image_pfn) {
		gk_die(k, -EINVAL, "xen: 1:1 range %llx-%llx overlaps the kernel (%llx-%llx)",
		       (unsigned long long)start, (unsigned long long)end,
		       (unsigned long long)k->img.image_pfn, (unsigned long long)kernel_end);
		return 0;
	}
	for (pfn = start; pfn < min_u64(end, nr_pages) && !k->oops; pfn++) {
		u64 mfn = pfn_to_mfn(k, pfn);

		if (mfn_is_ram(k, mfn) && HYPERVISOR_decrease_reservation(k, mfn) == 0)
			released++;
		__set_phys_to_machine(k, pfn, IDENTITY_FRAME(pfn));
	}
	set_phys_range_identity(k, max_u64(start, nr_pages), end);
	printk(k, "xen: 1:1 mapping for pfn %llx-%llx, released %llu page(s)",
	       (unsigned long long)start, (unsigned long long)end, (unsigned long long)released);
	return released;
}

void xen_memory_setup(struct gk *k, u64 nr_pages)
{
	u64 max_pages = HYPERVISOR_maximum_reservation(k), released = 0;
	u64 cap = min_u64(k->img.max_pages, p2m_is_tree(k) ? MAX_P2M_PFN : ~0ULL);
	u64 bs = kvar_addr(k, KV_balloon_stats);

	/* The p2m covers maxmem: everything above nr_pages is balloon space. */
	max_pages = min_u64(max_u64(max_pages, nr_pages), cap);
	if (max_pages > GET(xen_max_p2m_pfn))
		SET(xen_max_p2m_pfn, max_pages);
	printk(k, "xen: %llu pages populated, p2m up to pfn %llx", (unsigned long long)nr_pages,
	       (unsigned long long)GET(xen_max_p2m_pfn));
	if (k->cfg.identity_end)
		released = xen_set_identity_and_release(k, nr_pages);
	wr(k, ARR(bs, BS_CURRENT), nr_pages - released);
	wr(k, ARR(bs, BS_TARGET), nr_pages - released);
}
