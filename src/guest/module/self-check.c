// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's p2m, checked from inside (seed 003, "xen: correctly rebuild
 * mfn list list after migration"):
 *
 *  - every entry of the kernel's linear p2m list: a frame's M2P entry must
 *    name the pfn back (m2p[p2m[pfn]] == pfn);
 *  - the mfn list list the kernel publishes for the toolstack in shared_info
 *    (frame list list -> top page -> mid pages -> leaf MFNs): the top and mid
 *    frames must be the guest's own, and every leaf MFN must be the frame
 *    that maps that part of the linear list now.  After a migration every
 *    MFN changes; the seed's bug left the old ones in place.
 *
 * Every read of the list, the M2P and the tree goes through
 * copy_from_kernel_nofault; loops are bounded by xen_p2m_size; the walk is
 * bracketed by shared_info's p2m_generation and yields between leaves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/delay.h>
#include <linux/uaccess.h>
#include <linux/timekeeping.h>
#include <asm/fixmap.h>
#include <asm/pgtable.h>
#include <asm/xen/page.h>
#include <asm/xen/hypervisor.h>
#include <xen/interface/xen.h>

#include "module.h"

#define XP_TOP_SPAN (P2M_PER_PAGE * P2M_PER_PAGE) /* pfns under one top entry */
#define XP_TREE_PFNS (P2M_PER_PAGE * XP_TOP_SPAN) /* pfns one top page covers */
#define XP_SELF_TRIES 3
#define XP_BLANK_MAX 4 /* shared leaves of invalid entries remembered per pass */

/* HYPERVISOR_shared_info is not exported: Linux maps it at this fixmap slot */
static struct shared_info *xp_shinfo;

struct xp_mismatch {
	const char *kind;
	u64 pfn, mfn, expected, actual;
};

struct xp_check {
	unsigned long n;		/* list entries walked */
	unsigned long *buf, *top, *mid; /* one page each */
	unsigned long mid_mfn;		/* the frame in mid */
	bool mid_ok;
	unsigned long blank[XP_BLANK_MAX]; /* frames of invalid entries only */
	unsigned int nr_blank, next_blank;
	unsigned long generation, fll, max_pfn;
	u64 valid, missing, identity, foreign, leaves, mismatches;
	unsigned int nr_rec;
	struct xp_mismatch rec[XP_SELF_RECORDS_MAX];
};

static bool xp_shinfo_mfn(unsigned long *mfn)
{
	unsigned long va = fix_to_virt(FIX_PARAVIRT_BOOTMAP);
	unsigned int level;
	pte_t *pte = lookup_address(va, &level);

	if (!pte || level != PG_LEVEL_4K || !pte_present(*pte))
		return false;
	*mfn = pte_mfn(*pte);
	return ((u64)*mfn << PAGE_SHIFT) == xen_start_info->shared_info;
}

int xp_selfcheck_setup(void)
{
	unsigned long mfn;

	if (!xp_shinfo_mfn(&mfn)) {
		pr_err("shared_info (machine address 0x%llx) is not mapped at the fixmap slot "
		       "where Linux keeps it: refusing to guess\n",
		       (u64)xen_start_info->shared_info);
		return -ENODEV;
	}
	xp_shinfo = (struct shared_info *)fix_to_virt(FIX_PARAVIRT_BOOTMAP);
	return 0;
}

static void xp_record(struct xp_check *c, const char *kind, u64 pfn, u64 mfn, u64 expected,
		      u64 actual)
{
	c->mismatches++;
	if (c->nr_rec < XP_SELF_RECORDS_MAX)
		c->rec[c->nr_rec++] = (struct xp_mismatch){kind, pfn, mfn, expected, actual};
}

static int xp_m2p(unsigned long mfn, unsigned long *pfn)
{
	if (mfn >= machine_to_phys_nr)
		return -ERANGE;
	if (copy_from_kernel_nofault(pfn, &machine_to_phys_mapping[mfn], sizeof(*pfn)))
		return -EFAULT;
	return 0;
}

static int xp_p2m(const struct xp_check *c, unsigned long pfn, unsigned long *mfn)
{
	if (pfn >= c->n)
		return -ERANGE;
	if (copy_from_kernel_nofault(mfn, xen_p2m_addr + pfn, sizeof(*mfn)))
		return -EFAULT;
	return 0;
}

/*
 * A frame of the tree: it must be ours (its M2P entry names a pfn whose p2m
 * entry names it back); then its contents are that pfn's, in the direct map.
 * *back is what the p2m says of the pfn M2P names (~0 when unreadable).
 */
static int xp_read_own_frame(const struct xp_check *c, unsigned long mfn, unsigned long *back,
			     void *page)
{
	unsigned long pfn;

	*back = INVALID_P2M_ENTRY;
	if (xp_m2p(mfn, &pfn) || xp_p2m(c, pfn, back) || *back != mfn)
		return -ENOENT;
	if (copy_from_kernel_nofault(page, __va((phys_addr_t)pfn << PAGE_SHIFT), PAGE_SIZE))
		return -EFAULT;
	return 0;
}

/* the frame that maps leaf page `leaf` of the linear list now */
static bool xp_list_leaf_mfn(unsigned long leaf, unsigned long *mfn)
{
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)(xen_p2m_addr + leaf * P2M_PER_PAGE), &level);

	if (!pte || level != PG_LEVEL_4K || !pte_present(*pte))
		return false;
	*mfn = pte_mfn(*pte);
	return true;
}

static void xp_check_entries(struct xp_check *c, unsigned long base, unsigned int nr)
{
	unsigned long e, back;
	unsigned int k;
	int err;

	for (k = 0; k < nr; k++) {
		e = c->buf[k];
		if (e == INVALID_P2M_ENTRY) {
			c->missing++;
		} else if (e & IDENTITY_FRAME_BIT) {
			c->identity++;
		} else if (e & FOREIGN_FRAME_BIT) {
			c->foreign++;
		} else {
			err = xp_m2p(e, &back);
			if (err == -ERANGE)
				xp_record(c, "m2p-range", base + k, e, machine_to_phys_nr, e);
			else if (err)
				xp_record(c, "m2p-fault", base + k, e, base + k, INVALID_P2M_ENTRY);
			else if (back != base + k)
				xp_record(c, "m2p", base + k, e, base + k, back);
			else
				c->valid++;
		}
	}
}

static bool xp_known_blank(const struct xp_check *c, unsigned long mfn)
{
	unsigned int i;

	for (i = 0; i < c->nr_blank; i++)
		if (c->blank[i] == mfn)
			return true;
	return false;
}

/* round robin: the shared frames come in long runs, and stay */
static void xp_remember_blank(struct xp_check *c, unsigned long mfn)
{
	c->blank[c->next_blank++ % XP_BLANK_MAX] = mfn;
	if (c->nr_blank < XP_BLANK_MAX)
		c->nr_blank++;
}

/* a frame of ours that holds invalid entries only (p2m_missing, p2m_identity) */
static bool xp_frame_blank(struct xp_check *c, unsigned long mfn)
{
	unsigned long back;
	unsigned int i;

	if (xp_known_blank(c, mfn))
		return true;
	if (xp_read_own_frame(c, mfn, &back, c->buf))
		return false;
	for (i = 0; i < P2M_PER_PAGE; i++)
		if (c->buf[i] != INVALID_P2M_ENTRY)
			return false;
	xp_remember_blank(c, mfn);
	return true;
}

/*
 * The entries of leaf page `leaf` of the list, held by frame `mfn`.  The
 * shared leaves (p2m_missing, p2m_identity: all entries invalid) back most
 * of a list sized for memory hotplug: such a frame is read once per pass.
 */
static void xp_check_leaf_entries(struct xp_check *c, unsigned long leaf, unsigned long mfn)
{
	unsigned long base = leaf * P2M_PER_PAGE;
	unsigned int nr = min_t(unsigned long, P2M_PER_PAGE, c->n - base);
	u64 missing = c->missing;

	if (xp_known_blank(c, mfn)) {
		c->missing += nr;
		return;
	}
	if (copy_from_kernel_nofault(c->buf, xen_p2m_addr + base, nr * sizeof(long))) {
		xp_record(c, "list-fault", base, mfn, 0, 0);
		return;
	}
	xp_check_entries(c, base, nr);
	if (c->missing - missing == nr && nr == P2M_PER_PAGE)
		xp_remember_blank(c, mfn);
}

/*
 * Leaf `leaf` in the mfn tree: the frame that maps it in the list now.  A
 * range the list maps with the shared p2m_identity page may be named by the
 * shared p2m_missing page in the tree (Linux points wholly absent mid
 * ranges at p2m_mid_missing_mfn): both hold invalid entries only, the same
 * p2m for the toolstack, and that is accepted.
 */
static void xp_check_leaf_tree(struct xp_check *c, unsigned long leaf, unsigned long mfn)
{
	unsigned long i = leaf / P2M_PER_PAGE, back = INVALID_P2M_ENTRY, tree;

	if (!(leaf % P2M_PER_PAGE) && (!c->mid_ok || c->top[i] != c->mid_mfn)) {
		c->mid_mfn = c->top[i];
		c->mid_ok = !xp_read_own_frame(c, c->mid_mfn, &back, c->mid);
		if (!c->mid_ok)
			xp_record(c, "fll-mid", i * XP_TOP_SPAN, c->mid_mfn, c->mid_mfn, back);
	}
	if (!c->mid_ok)
		return;
	c->leaves++;
	tree = c->mid[leaf % P2M_PER_PAGE];
	if (tree != mfn && !(xp_frame_blank(c, mfn) && xp_frame_blank(c, tree)))
		xp_record(c, "fll-leaf", leaf * P2M_PER_PAGE, c->mid_mfn, mfn, tree);
}

static void xp_check_leaves(struct xp_check *c)
{
	unsigned long leaves = DIV_ROUND_UP(c->n, P2M_PER_PAGE), leaf, mfn,
		      back = INVALID_P2M_ENTRY, tree_leaves = 0;

	/* ~0: the guest publishes the linear list only, no tree */
	if (c->fll != ~0UL) {
		if (!c->fll || xp_read_own_frame(c, c->fll, &back, c->top))
			xp_record(c, "fll", 0, c->fll, c->fll, back);
		else
			tree_leaves = min_t(unsigned long, leaves, XP_TREE_PFNS / P2M_PER_PAGE);
	}
	for (leaf = 0; leaf < leaves; leaf++) {
		if (!xp_list_leaf_mfn(leaf, &mfn)) {
			xp_record(c, "list-pte", leaf * P2M_PER_PAGE, 0, 0, 0);
			continue;
		}
		xp_check_leaf_entries(c, leaf, mfn);
		if (leaf < tree_leaves)
			xp_check_leaf_tree(c, leaf, mfn);
		if (!(leaf % 64))
			cond_resched();
	}
}

static void xp_check_reset(struct xp_check *c)
{
	c->valid = c->missing = c->identity = c->foreign = c->leaves = c->mismatches = 0;
	c->nr_rec = c->nr_blank = c->next_blank = 0;
	c->mid_ok = false;
}

/* one pass inside one p2m generation, or false when it moved */
static bool xp_check_pass(struct xp_check *c)
{
	unsigned long gen;

	xp_check_reset(c);
	c->generation = READ_ONCE(xp_shinfo->arch.p2m_generation);
	if (c->generation & 1)
		return false;
	smp_rmb(); /* the generation before the list, as the toolstack reads it */
	c->fll = READ_ONCE(xp_shinfo->arch.pfn_to_mfn_frame_list_list);
	c->max_pfn = READ_ONCE(xp_shinfo->arch.max_pfn);
	if (c->max_pfn > c->n)
		xp_record(c, "max-pfn", c->max_pfn, 0, c->n, c->max_pfn);
	xp_check_leaves(c);
	smp_rmb();
	gen = READ_ONCE(xp_shinfo->arch.p2m_generation);
	return gen == c->generation;
}

static void xp_publish(const struct xp_check *c, const char *status, const char *trigger,
		       unsigned long run, unsigned long resumes, unsigned long shinfo_mfn, u64 ms)
{
	char key[48];
	unsigned int i;

	xp_store_rm(XP_KEY_SELF_RECORD);
	for (i = 0; i < c->nr_rec; i++) {
		const struct xp_mismatch *m = &c->rec[i];

		snprintf(key, sizeof(key), "%s/%u", XP_KEY_SELF_RECORD, i);
		xp_store_printf(key, "kind=%s pfn=0x%llx mfn=0x%llx expected=0x%llx actual=0x%llx",
				m->kind, m->pfn, m->mfn, m->expected, m->actual);
	}
	xp_store_printf(XP_KEY_SELF_TRIGGER, "%s", trigger);
	xp_store_printf(XP_KEY_SELF_TIME, "%lld", ktime_get_real_seconds());
	xp_store_printf(XP_KEY_SELF_GENERATION, "%lu", c->generation);
	xp_store_printf(XP_KEY_SELF_SHARED_INFO, "0x%lx", shinfo_mfn);
	xp_store_printf(XP_KEY_SELF_MAX_PFN, "0x%lx", c->max_pfn);
	xp_store_printf(XP_KEY_SELF_P2M_SIZE, "0x%lx", c->n);
	xp_store_printf(XP_KEY_SELF_FLL, "0x%lx", c->fll);
	xp_store_printf(XP_KEY_SELF_PFNS, "%lu", c->n);
	xp_store_printf(XP_KEY_SELF_VALID, "%llu", c->valid);
	xp_store_printf(XP_KEY_SELF_MISSING, "%llu", c->missing);
	xp_store_printf(XP_KEY_SELF_IDENTITY, "%llu", c->identity);
	xp_store_printf(XP_KEY_SELF_FOREIGN, "%llu", c->foreign);
	xp_store_printf(XP_KEY_SELF_LEAVES, "%llu", c->leaves);
	xp_store_printf(XP_KEY_SELF_MISMATCHES, "%llu", c->mismatches);
	xp_store_printf(XP_KEY_SELF_DURATION, "%llu", ms);
	xp_store_printf(XP_KEY_SELF_STATUS, "%s", status);
	/* last: when these change, the rest of self/ is this run's */
	xp_store_printf(XP_KEY_SELF_RUN, "%lu", run);
	xp_store_printf(XP_KEY_SELF_RESUMES, "%lu", resumes);
}

int xp_selfcheck_run(const char *trigger, unsigned long resumes, char *msg, size_t len)
{
	static unsigned long run;
	struct xp_check *c;
	unsigned long shinfo_mfn = 0;
	const char *status;
	u64 t0 = ktime_get_ns();
	int tries, err = 0;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->buf = (unsigned long *)__get_free_page(GFP_KERNEL);
	c->top = (unsigned long *)__get_free_page(GFP_KERNEL);
	c->mid = (unsigned long *)__get_free_page(GFP_KERNEL);
	if (!c->buf || !c->top || !c->mid) {
		err = -ENOMEM;
		goto out;
	}
	run++;
	c->n = READ_ONCE(xen_p2m_size);
	if (!xp_shinfo_mfn(&shinfo_mfn)) {
		status = "error";
		snprintf(msg, len, "self-check: shared_info is no longer at its fixmap slot");
	} else {
		for (tries = 0; tries < XP_SELF_TRIES && !xp_check_pass(c); tries++)
			msleep(20);
		status = tries == XP_SELF_TRIES ? "unstable" : c->mismatches ? "mismatch" : "clean";
		snprintf(msg, len,
			 "self-check (%s): %s, %lu pfns, %llu valid, %llu leaves, %llu "
			 "mismatches",
			 trigger, status, c->n, c->valid, c->leaves, c->mismatches);
	}
	xp_publish(c, status, trigger, run, resumes, shinfo_mfn,
		   div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	if (c->mismatches)
		pr_warn("%s; first: %s at pfn 0x%llx (mfn 0x%llx): expected 0x%llx, found 0x%llx\n",
			msg, c->rec[0].kind, c->rec[0].pfn, c->rec[0].mfn, c->rec[0].expected,
			c->rec[0].actual);
	else
		pr_info("%s\n", msg);
out:
	free_page((unsigned long)c->buf);
	free_page((unsigned long)c->top);
	free_page((unsigned long)c->mid);
	kfree(c);
	return err;
}
