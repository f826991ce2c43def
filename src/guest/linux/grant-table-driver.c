// SPDX-License-Identifier: GPL-2.0
/*
 * gntdrv: the model kernel's grant-using driver.
 *
 * It stands for the frontends that grant pages from their interrupt
 * handlers (netfront refilling its receive ring is the classic one): in
 * an interrupt that arrived while the interrupted code was batching MMU
 * updates (lazy MMU mode), it allocates fresh pages (GFP_ATOMIC), takes
 * grant references -- growing the table if none is free, in that context
 * -- and grants the pages to a peer.  Ending a grant happens later, in
 * process context, and fails while the peer still has the page mapped.
 * After a restore it grants every page again in the new domain's table
 * (same references, the pages' new frames), as frontends re-grant their
 * rings when they reconnect.
 */
#include "config.h"

#include "guest/linux/xen-ops.h"

int gntdrv_grant(struct gk *k, u16 domid, bool readonly, unsigned int count, u32 *refs)
{
	unsigned int i = 0, j;
	bool have_refs;
	int ret;

	gk_enter(k, "gntdrv_interrupt");
	irq_enter(k, true);
	ret = gnttab_alloc_grant_references(k, count, refs);
	have_refs = !ret;
	for (; !ret && i < count; i++) {
		u64 page = alloc_page_atomic(k), pfn;

		if (!page) {
			ret = k->oops ? k->oops : -ENOMEM;
			break;
		}
		pfn = PFN_DOWN(__pa(k, page));
		gnttab_grant_foreign_access_ref(k, refs[i], domid, pfn_to_mfn(k, pfn), readonly);
		gnttab_mark_granted(k, refs[i], domid, pfn, readonly);
	}
	if (ret && have_refs && !k->oops) {
		/* give back what this interrupt took */
		for (j = 0; j < i; j++) {
			u64 pfn = 0, info = gnttab_ref_info(k, refs[j]);
			bool ro;
			u16 peer;

			if (gnttab_ref_granted(info, &peer, &pfn, &ro)) {
				gnttab_end_foreign_access_ref(k, refs[j]);
				free_page(k, __va(k, PFN_PHYS(pfn)));
			}
		}
		for (j = 0; j < count; j++)
			gnttab_free_grant_reference(k, refs[j]);
	}
	irq_exit(k);
	gk_leave(k);
	return k->oops ? k->oops : ret;
}

int gntdrv_ungrant(struct gk *k, u32 ref, u16 *peer)
{
	u64 info, pfn;
	u16 domid;
	bool ro;

	if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= gnttab_nr_entries(k))
		return -ENOENT;
	info = gnttab_ref_info(k, ref);
	if (k->oops)
		return k->oops;
	if (!gnttab_ref_granted(info, &domid, &pfn, &ro))
		return -ENOENT;
	if (!gnttab_end_foreign_access_ref(k, ref)) {
		*peer = gnttab_entry_domid(k, ref);
		return k->oops ? k->oops : -EBUSY;
	}
	free_page(k, __va(k, PFN_PHYS(pfn)));
	gnttab_free_grant_reference(k, ref);
	return k->oops;
}

void gntdrv_resume(struct gk *k)
{
	u32 ref, nr = gnttab_nr_entries(k), n = 0;

	for (ref = GNTTAB_NR_RESERVED_ENTRIES; ref < nr && !k->oops; ref++) {
		u64 info = gnttab_ref_info(k, ref), pfn, mfn;
		u16 domid;
		bool ro;

		if (!gnttab_ref_granted(info, &domid, &pfn, &ro))
			continue;
		mfn = pfn_to_mfn(k, pfn);
		if (!mfn_is_ram(k, mfn)) {
			printk(k, "gntdrv: ref %u: pfn %llx has no frame, not granted again", ref,
			       (unsigned long long)pfn);
			continue;
		}
		gnttab_grant_foreign_access_ref(k, ref, domid, mfn, ro);
		n++;
	}
	if (n && !k->oops)
		printk(k, "gntdrv: %u grant(s) granted again", n);
}
