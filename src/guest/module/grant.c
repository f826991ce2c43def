// SPDX-License-Identifier: GPL-2.0
/*
 * The grant service: on request, grant K pages filled with the documented
 * pattern to a domain (what dom0's injection maps), and end that access
 * again on release.  A grant the peer still has mapped cannot be ended: it
 * is reported, its page kept, and the release retried until the peer lets
 * go.  A page is never freed while it is granted.
 *
 * Requests and retries run on the ordered workqueue, one at a time: that is
 * what serialises access to xp_grants.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/interface/xen.h>

#include "module.h"

struct xp_grant {
	struct page *page;
	grant_ref_t ref;
	bool granted; /* access not ended yet */
};

static struct {
	struct xp_grant g[XP_GRANT_PAGES_MAX];
	unsigned int nr;      /* pages of the current set */
	unsigned int granted; /* of those, not ended yet */
	domid_t domid;
	unsigned long retries;
} xp_grants;

static void xp_grant_retry_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(xp_grant_retry, xp_grant_retry_fn);

/* end every grant the peer does not map; the number still mapped */
static unsigned int xp_grant_end(void)
{
	struct xp_grant *g;
	unsigned int i;

	for (i = 0; i < xp_grants.nr; i++) {
		g = &xp_grants.g[i];
		if (!g->granted || !gnttab_try_end_foreign_access(g->ref))
			continue;
		g->granted = false;
		__free_page(g->page);
		g->page = NULL;
		xp_grants.granted--;
	}
	return xp_grants.granted;
}

/* "r r r" of the grants matching `granted_only`, into s */
static void xp_grant_refs(struct xp_strbuf *s, bool granted_only)
{
	unsigned int i;

	for (i = 0; i < xp_grants.nr; i++)
		if (!granted_only || xp_grants.g[i].granted)
			xp_strbuf_add(s, "%s%u", s->len ? " " : "", xp_grants.g[i].ref);
}

static void xp_grant_publish_release(const char *state)
{
	struct xp_strbuf s = {.size = XP_VALUE_MAX + 1};

	s.buf = kzalloc(s.size, GFP_KERNEL);
	if (s.buf)
		xp_grant_refs(&s, true);
	xp_store_printf(XP_KEY_GRANT_STILL_MAPPED_REFS, "%s", s.buf ? s.buf : "");
	xp_store_printf(XP_KEY_GRANT_STILL_MAPPED, "%u", xp_grants.granted);
	xp_store_printf(XP_KEY_GRANT_RETRIES, "%lu", xp_grants.retries);
	xp_store_printf(XP_KEY_GRANT_STATE, "%s", state);
	kfree(s.buf);
}

/* end what can be ended now, retry the rest later */
static unsigned int xp_grant_release(const char *state_done)
{
	unsigned int left = xp_grant_end();

	xp_grant_publish_release(left ? "releasing" : state_done);
	if (left && !READ_ONCE(xp_stopping))
		queue_delayed_work(xp_wq, &xp_grant_retry, msecs_to_jiffies(XP_GRANT_RETRY_MS));
	return left;
}

static void xp_grant_retry_fn(struct work_struct *work)
{
	unsigned int before = xp_grants.granted;

	if (!before)
		return;
	xp_grants.retries++;
	if (!xp_grant_end()) {
		pr_info("all grants to domain %u ended after %lu retries\n", xp_grants.domid,
			xp_grants.retries);
		xp_grant_publish_release("released");
		return;
	}
	if (xp_grants.granted != before)
		xp_grant_publish_release("releasing");
	if (!READ_ONCE(xp_stopping))
		queue_delayed_work(xp_wq, &xp_grant_retry, msecs_to_jiffies(XP_GRANT_RETRY_MS));
}

int xp_grant_request(struct xp_request *r)
{
	struct xp_strbuf s = {.size = XP_VALUE_MAX + 1};
	u64 domid, pages, seed;
	struct page *page;
	bool ro;
	unsigned int i;
	int ref, err;

	if (xp_grants.granted) {
		xp_request_say(r, "%u pages are still granted to domain %u: release them first",
			       xp_grants.granted, xp_grants.domid);
		return -EBUSY;
	}
	err = xp_request_u64(r, "domid", 0, DOMID_FIRST_RESERVED - 1, XP_REQUIRED, &domid);
	if (!err)
		err = xp_request_u64(r, "pages", 1, XP_GRANT_PAGES_MAX, XP_REQUIRED, &pages);
	if (!err)
		err = xp_request_u64(r, "seed", 0, U64_MAX, 0, &seed);
	if (!err)
		err = xp_request_mode(r, &ro);
	if (err)
		return err;
	s.buf = kzalloc(s.size, GFP_KERNEL);
	if (!s.buf)
		return -ENOMEM;
	cancel_delayed_work_sync(&xp_grant_retry);
	xp_grants.nr = 0;
	xp_grants.retries = 0;
	xp_grants.domid = domid;
	for (i = 0; i < pages; i++) {
		page = alloc_page(GFP_KERNEL);
		if (!page) {
			xp_request_say(r, "out of memory after %u of %llu pages", i, pages);
			err = -ENOMEM;
			goto undo;
		}
		xp_pattern_fill(page_address(page), seed, i);
		ref = gnttab_grant_foreign_access(domid, xen_page_to_gfn(page), ro);
		if (ref < 0) {
			__free_page(page);
			xp_request_say(r, "granting page %u of %llu: error %d", i, pages, ref);
			err = ref;
			goto undo;
		}
		xp_grants.g[i] = (struct xp_grant){.page = page, .ref = ref, .granted = true};
		xp_grants.nr++;
		xp_grants.granted++;
	}
	xp_grant_refs(&s, false);
	xp_store_printf(XP_KEY_GRANT_DOMID, "%llu", domid);
	xp_store_printf(XP_KEY_GRANT_PAGES, "%llu", pages);
	xp_store_printf(XP_KEY_GRANT_MODE, "%s", ro ? XP_MODE_RO : XP_MODE_RW);
	xp_store_printf(XP_KEY_GRANT_SEED, "0x%llx", seed);
	xp_store_printf(XP_KEY_GRANT_REFS, "%s", s.buf);
	xp_grant_publish_release("granted");
	xp_request_say(r, "granted %llu pages to domain %llu (%s), refs %u..%u", pages, domid,
		       ro ? XP_MODE_RO : XP_MODE_RW, xp_grants.g[0].ref,
		       xp_grants.g[xp_grants.nr - 1].ref);
	kfree(s.buf);
	return 0;

undo:
	xp_grant_release("released");
	kfree(s.buf);
	return err;
}

int xp_grant_release_request(struct xp_request *r)
{
	unsigned int had = xp_grants.granted, left;

	if (!had) {
		xp_request_say(r, "nothing is granted");
		return 0;
	}
	left = xp_grant_release("released");
	if (left)
		xp_request_say(r,
			       "ended %u of %u grants; %u still mapped by domain %u: retrying "
			       "every %d ms",
			       had - left, had, left, xp_grants.domid, XP_GRANT_RETRY_MS);
	else
		xp_request_say(r, "ended all %u grants to domain %u", had, xp_grants.domid);
	return 0;
}

/*
 * After a restore the grant table holds only entries 0 and 1 again (the
 * toolstack re-seeds them): our grants are gone, and so is any mapping of
 * them.  End them so that their pages come back; dom0 asks again.
 */
void xp_grant_resumed(void)
{
	if (xp_grants.granted)
		xp_grant_release("lost-on-resume");
}

/*
 * Unloading: a grant the peer still maps is handed to the kernel's own
 * deferred release (gnttab_end_foreign_access), which frees the page once
 * the peer unmaps it.
 */
void xp_grant_exit(void)
{
	unsigned int i, handed = 0;

	cancel_delayed_work_sync(&xp_grant_retry);
	xp_grant_end();
	for (i = 0; i < xp_grants.nr; i++) {
		if (!xp_grants.g[i].granted)
			continue;
		gnttab_end_foreign_access(xp_grants.g[i].ref, xp_grants.g[i].page);
		xp_grants.g[i].granted = false;
		handed++;
	}
	if (handed)
		pr_warn("%u grants still mapped by domain %u at unload: handed to the kernel's "
			"deferred release\n",
			handed, xp_grants.domid);
	xp_grants.nr = xp_grants.granted = 0;
}
