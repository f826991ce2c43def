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
	int ret;

	k->booting = false;
	stop_machine_enter(k);
	xen_build_mfn_list_list(k);
	xen_setup_shared_info(k);
	xen_setup_mfn_list_list(k);
	xen_unmap_shared_info(k);
	/* the new domain's grant table: Xen re-seeded entries 0 and 1 only */
	ret = k->oops ? k->oops : gnttab_resume(k);
	stop_machine_exit(k);
	if (!k->oops)
		printk(k, "xen: resumed, p2m frame list %s",
		       xen_virt_p2m_4tools(k) ? "~0" : "rebuilt");
	/* the frontends reconnect and grant again */
	if (!ret && !k->oops)
		gntdrv_resume(k);
	return k->oops ? k->oops : ret;
}

/* do_suspend(): xen_suspend() runs in stop_machine. */
int xen_pv_suspend(struct gk *k)
{
	int ret;

	stop_machine_enter(k);
	ret = gnttab_suspend(k);
	stop_machine_exit(k);
	return ret;
}

/* The suspend was cancelled: the same domain carries on with its table. */
int xen_pv_suspend_cancel(struct gk *k)
{
	int ret;

	stop_machine_enter(k);
	ret = gnttab_resume(k);
	stop_machine_exit(k);
	return ret;
}
