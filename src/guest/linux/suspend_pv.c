// SPDX-License-Identifier: GPL-2.0
/*
 * The model kernel's resume path (arch/x86/xen/suspend_pv.c).
 *
 * The toolstack restored every page at a new MFN: it rewrote the page
 * tables, start_info and the p2m's leaf pages (it knows them from the list
 * or the frame list), but shared_info's arch block holds stale values from
 * the source and the frame list list is 0.  The mfn tree is the kernel's to
 * rebuild, then it publishes again.
 */
#include "config.h"

#include "guest/linux/xen-ops.h"

int xen_pv_post_suspend(struct gk *k)
{
	k->booting = false;
	xen_build_mfn_list_list(k);
	xen_setup_shared_info(k);
	xen_setup_mfn_list_list(k);
	xen_unmap_shared_info(k);
	if (!k->oops)
		printk(k, "xen: resumed, p2m frame list %s",
		       xen_virt_p2m_4tools(k) ? "~0" : "rebuilt");
	return k->oops;
}
