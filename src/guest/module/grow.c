// SPDX-License-Identifier: GPL-2.0
/*
 * Seed 002's path in the real kernel ("x86/xen: safely map and unmap grant
 * frames when in atomic context"): grant references are allocated from a
 * timer, in softirq context with interrupts off, until the grant table must
 * grow.  Linux then expands the table under its gnttab_list_lock and maps
 * the new frames right there, in atomic context: the path the seed made
 * safe (before it, the map allocated, which may sleep, and could BUG in
 * lazy MMU mode).  Reported: the frames before and after
 * (GNTTABOP_query_size), the context the allocation ran in, and the taint
 * flags that mean trouble (B, D, W) before and after.  Every reference is
 * freed again; the table keeps its new size (Linux never shrinks it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/completion.h>
#include <linux/spinlock.h>
#include <linux/preempt.h>
#include <xen/grant_table.h>
#include <xen/interface/grant_table.h>
#include <asm/xen/hypercall.h>

#include "module.h"

#define XP_GROW_BATCH 64
#define XP_GROW_PER_FRAME 512 /* v1 entries per frame: the most of any version */

struct xp_grow {
	struct timer_list timer;
	struct completion done;
	unsigned int target, max_refs, refs, nr_heads;
	grant_ref_t *heads; /* one chain per batch */
	u32 frames;	    /* the table's size when the allocation stopped */
	int err;
	bool irqs_off, softirq;
};

static DEFINE_SPINLOCK(xp_grow_lock);

static int xp_grant_frames(u32 *nr, u32 *max)
{
	struct gnttab_query_size q = {.dom = DOMID_SELF};
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1);

	if (rc)
		return rc;
	if (q.status != GNTST_okay)
		return -EIO;
	*nr = q.nr_frames;
	if (max)
		*max = q.max_nr_frames;
	return 0;
}

static void xp_grow_timer_fn(struct timer_list *t)
{
	struct xp_grow *g = from_timer(g, t, timer);
	unsigned long flags;
	grant_ref_t head;
	int rc;

	spin_lock_irqsave(&xp_grow_lock, flags);
	g->irqs_off = irqs_disabled();
	g->softirq = in_serving_softirq();
	while (g->refs + XP_GROW_BATCH <= g->max_refs) {
		rc = gnttab_alloc_grant_references(XP_GROW_BATCH, &head);
		if (rc) {
			g->err = rc;
			break;
		}
		g->heads[g->nr_heads++] = head;
		g->refs += XP_GROW_BATCH;
		rc = xp_grant_frames(&g->frames, NULL);
		if (rc) {
			g->err = rc;
			break;
		}
		if (g->frames >= g->target)
			break;
	}
	spin_unlock_irqrestore(&xp_grow_lock, flags);
	complete(&g->done);
}

static const char *xp_grow_context(const struct xp_grow *g)
{
	if (!g)
		return "-";
	return g->softirq && g->irqs_off ? "timer irqs-off" : "not atomic";
}

static void xp_grow_publish(const char *status, u64 target, u32 before, u32 after, u32 max,
			    const struct xp_grow *g, const char *taint_before,
			    const char *taint_after)
{
	xp_store_printf(XP_KEY_GROW_TARGET, "%llu", target);
	xp_store_printf(XP_KEY_GROW_FRAMES_BEFORE, "%u", before);
	xp_store_printf(XP_KEY_GROW_FRAMES_AFTER, "%u", after);
	xp_store_printf(XP_KEY_GROW_MAX_FRAMES, "%u", max);
	xp_store_printf(XP_KEY_GROW_REFS, "%u", g ? g->refs : 0);
	xp_store_printf(XP_KEY_GROW_CONTEXT, "%s", xp_grow_context(g));
	xp_store_printf(XP_KEY_GROW_TAINT_BEFORE, "%s", taint_before);
	xp_store_printf(XP_KEY_GROW_TAINT_AFTER, "%s", taint_after);
	xp_store_printf(XP_KEY_GROW_STATUS, "%s", status);
}

int xp_grow_request(struct xp_request *r)
{
	char taint_before[8], taint_after[8];
	u32 before, after = 0, max;
	struct xp_grow *g;
	const char *status;
	unsigned int i;
	u64 target;
	int err;

	err = xp_grant_frames(&before, &max);
	if (err) {
		xp_request_say(r, "GNTTABOP_query_size failed: %d", err);
		return -EIO;
	}
	err = xp_request_u64(r, "frames", 2, XP_GROW_FRAMES_MAX, XP_GROW_FRAMES_DEFAULT, &target);
	if (err)
		return err;
	if (target > max)
		return xp_request_fail(r, "frames=%llu: this guest's table has at most %u", target,
				       max);
	xp_taint_letters(taint_before, sizeof(taint_before));
	if (before >= target) {
		xp_grow_publish("already", target, before, before, max, NULL, taint_before,
				taint_before);
		xp_request_say(r, "the grant table has %u frames already", before);
		return 0;
	}

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	g->target = target;
	g->max_refs = target * XP_GROW_PER_FRAME + XP_GROW_PER_FRAME;
	g->heads = kcalloc(g->max_refs / XP_GROW_BATCH, sizeof(*g->heads), GFP_KERNEL);
	if (!g->heads) {
		kfree(g);
		return -ENOMEM;
	}
	init_completion(&g->done);
	timer_setup(&g->timer, xp_grow_timer_fn, 0);
	mod_timer(&g->timer, jiffies + 1);
	if (!wait_for_completion_timeout(&g->done, 30 * HZ))
		g->err = -ETIMEDOUT;
	del_timer_sync(&g->timer); /* waits for a callback still running */

	for (i = 0; i < g->nr_heads; i++)
		gnttab_free_grant_references(g->heads[i]);
	err = xp_grant_frames(&after, NULL);
	xp_taint_letters(taint_after, sizeof(taint_after));
	status = g->err || err || after < target ? "failed" : "grown";
	xp_grow_publish(status, target, before, after, max, g, taint_before, taint_after);
	xp_request_say(r,
		       "grow: %s: %u -> %u frames (%u max), %u refs allocated (%s) and freed; "
		       "taint %s -> %s",
		       status, before, after, max, g->refs, xp_grow_context(g), taint_before,
		       taint_after);
	pr_info("%s\n", r->msg);
	err = g->err ? g->err : err;
	kfree(g->heads);
	kfree(g);
	return err;
}
