// SPDX-License-Identifier: GPL-2.0
/*
 * Verifying a guest against its snapshot (snapshot.h): the live scan
 * (engine/scan.h) and the baseline's records are walked side by side in
 * pfn order, so memory stays bounded however large the guest.  Then the
 * structures are checked with check's engine -- or, for a guest restored
 * paused that has not run its resume code yet, said to be pending, and
 * waited for when asked.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "lib/util.h"
#include "snapshot/snapshot.h"

struct cmp {
	struct xp_verify_result *res;
	struct xp_snap_iter *runs, *pages;
	const struct xp_scan_info *info;
	uint64_t base_max;
	/* the baseline run covering the current pfn: [run_start, run_end) */
	struct xp_snap_run run;
	uint64_t run_start, run_end;
	/* the baseline page entry at or after the current pfn */
	struct xp_snap_page pg;
	uint64_t pg_pfn, pg_end;
	bool have_pg, pages_done;
	struct xp_error *err;
};

static const uint8_t zero_page[XP_SNAP_PAGE_SIZE];

const char *xp_verify_verdict_name(enum xp_verify_verdict v)
{
	return v == XP_VERIFY_CLEAN ? "clean" : "differs";
}

/* The baseline's entry for @pfn, from the run covering it. */
static uint64_t run_entry(const struct cmp *c, uint64_t pfn)
{
	uint64_t off = pfn - c->run_start;

	switch (c->run.step) {
	case XP_SNAP_STEP_UP:
		return c->run.entry + off;
	case XP_SNAP_STEP_DOWN:
		return c->run.entry - off;
	default:
		return c->run.entry;
	}
}

static bool advance_runs(struct cmp *c, uint64_t pfn)
{
	bool end = false;

	while (c->run_end <= pfn) {
		c->err = xp_snap_iter_next(c->runs, &c->run, &end);
		if (c->err)
			return false;
		if (end) {
			c->err = xp_error_create(XP_ERR_FORMAT, EINVAL,
						 "the baseline's p2m ends before pfn 0x%" PRIx64
						 " (it changed while being read?)",
						 pfn);
			return false;
		}
		c->run_start = c->run_end;
		c->run_end += c->run.count;
	}
	return true;
}

/* The baseline page entry covering @pfn, if any (entries are in pfn order). */
static const struct xp_snap_page *page_at(struct cmp *c, uint64_t pfn)
{
	bool end = false;

	while (!c->pages_done && (!c->have_pg || c->pg_end <= pfn)) {
		c->err = xp_snap_iter_next(c->pages, &c->pg, &end);
		if (c->err || end) {
			c->pages_done = true;
			c->have_pg = false;
			break;
		}
		c->have_pg = true;
		c->pg_pfn = c->pg.key & XP_SNAP_PAGE_PFN_MASK;
		c->pg_end = c->pg_pfn + (c->pg.key & XP_SNAP_PAGE_ZERO ? c->pg.value : 1);
	}
	return c->have_pg && pfn >= c->pg_pfn && pfn < c->pg_end ? &c->pg : NULL;
}

static void note_class(struct xp_verify_result *res, uint64_t pfn, unsigned int before,
		       unsigned int now)
{
	if (res->class_changed < XP_VERIFY_LISTED)
		res->class_diffs[res->class_changed] = (struct xp_verify_class_diff){
			.pfn = pfn,
			.before = (uint8_t)before,
			.now = (uint8_t)now,
		};
	res->class_changed++;
}

static void compare_page(struct cmp *c, const struct xp_scan_item *it)
{
	struct xp_verify_result *res = c->res;
	const struct xp_snap_page *b = page_at(c, it->pfn);
	unsigned int bkind, blevel;
	bool same;

	if (!b)
		return; /* not valid before: a class difference */
	bkind = (b->key >> XP_SNAP_PAGE_KIND_SHIFT) & XP_SNAP_PAGE_KIND_MASK;
	blevel = (b->key >> XP_SNAP_PAGE_LEVEL_SHIFT) & XP_SNAP_PAGE_LEVEL_MASK;
	if (bkind == XP_PAGE_RING || (it->page && it->kind == XP_PAGE_RING)) {
		res->pages_excluded++;
		return;
	}
	/* the mfn tree names frames the guest rebuilds when it resumes */
	if (bkind == XP_PAGE_P2M_TREE && c->info->via == XP_SCAN_VIA_VCPU_CR3) {
		res->pages_pending++;
		return;
	}
	res->pages_compared++;
	if (!it->page || (b->key & XP_SNAP_PAGE_UNREADABLE))
		same = false;
	else if (it->kind != bkind || it->level != blevel)
		same = false;
	else if (b->key & XP_SNAP_PAGE_ZERO)
		same = memcmp(it->page, zero_page, sizeof(zero_page)) == 0;
	else
		same = XXH3_64bits(it->page, XP_SNAP_PAGE_SIZE) == b->value;
	if (same)
		return;
	if (res->pages_differ < XP_VERIFY_LISTED)
		res->page_diffs[res->pages_differ] = (struct xp_verify_page_diff){
			.pfn = it->pfn,
			.before = (uint8_t)bkind,
			.now = it->page ? (uint8_t)it->kind : XP_PAGE_NR_KINDS,
			.level_before = (uint8_t)blevel,
			.level_now = (uint8_t)it->level,
		};
	res->pages_differ++;
}

static int on_pfn(void *arg, const struct xp_scan_item *it)
{
	struct cmp *c = arg;
	struct xp_verify_result *res = c->res;
	unsigned int before, now;
	bool before_valid;

	if (it->pfn >= c->base_max)
		return 0; /* beyond the baseline: max_pfn says it */
	if (!advance_runs(c, it->pfn))
		return -1;
	res->pfns_compared++;
	/* an unreachable pfn is a class of its own here */
	before = c->run.cls & XP_SNAP_RUN_UNREACHABLE ? XP_ENTRY_NR_CLASSES
						      : c->run.cls & ~XP_SNAP_RUN_UNREACHABLE;
	now = it->unreachable ? XP_ENTRY_NR_CLASSES : it->cls;
	before_valid = before == XP_ENTRY_VALID;
	if (before != now)
		note_class(res, it->pfn, before, now);
	if (now != XP_ENTRY_VALID)
		return 0;
	res->valid++;
	if (!it->round_trip || it->map_err) {
		if (res->not_owned < XP_VERIFY_LISTED)
			res->not_owned_pfns[res->not_owned] = it->pfn;
		res->not_owned++;
	}
	if (before_valid && run_entry(c, it->pfn) != it->entry)
		res->mfn_changed++;
	if (res->pages && before_valid)
		compare_page(c, it);
	return c->err ? -1 : 0;
}

/* Compare the guest's p2m (and pages) with the baseline's. */
static struct xp_error *compare(struct xp_backend *be, uint32_t domid, struct xp_snap_reader *r,
				struct xp_verify_result *res)
{
	struct xp_scan_options so = {.pages = res->pages};
	struct cmp c = {.res = res, .base_max = res->max_pfn_before};
	struct xp_scan_info info;
	struct xp_error *err;
	int stopped = 0;

	c.info = &info;
	err = xp_snap_iter_create(r, XP_SNAP_REC_P2M, &c.runs);
	if (!err && res->pages)
		err = xp_snap_iter_create(r, XP_SNAP_REC_PAGES, &c.pages);
	if (!err)
		err = xp_scan(be, domid, &so, &info, on_pfn, &c, &stopped);
	if (!err && c.err) {
		err = c.err;
		c.err = NULL;
	}
	xp_error_destroy(c.err);
	res->via = info.via;
	res->max_pfn_now = info.max_pfn;
	xp_snap_iter_destroy(c.runs);
	xp_snap_iter_destroy(c.pages);
	return err;
}

static bool pending(const struct xp_report *r)
{
	return r->verdict == XP_VERDICT_JUST_RESTORED || r->verdict == XP_VERDICT_NOT_PUBLISHED;
}

/* check's engine on the guest now, waiting for it to republish if asked. */
static struct xp_error *structures(struct xp_backend *be, uint32_t domid,
				   const struct xp_verify_options *o, struct xp_verify_result *res)
{
	uint64_t t0 = xp_now_ns(), limit = (uint64_t)o->wait_seconds * 1000000000ULL;
	struct xp_error *err;

	res->waited = o->wait_seconds > 0;
	for (;;) {
		xp_report_destroy(res->report);
		res->report = NULL;
		err = xp_check_domain(be, domid, o->check, &res->report);
		if (err)
			return err;
		if (!pending(res->report) || xp_now_ns() - t0 >= limit)
			break;
		if (o->sleep && !o->sleep(o->sleep_arg, 100))
			return xp_error_create(XP_ERR_RUNTIME, EINTR,
					       "domain %u: verify interrupted while waiting",
					       domid);
	}
	res->structures_pending = pending(res->report);
	res->waited_ns = res->waited ? xp_now_ns() - t0 : 0;
	return NULL;
}

struct xp_error *xp_verify(struct xp_backend *be, const struct xp_domain_info *d,
			   struct xp_snap_reader *r, const struct xp_verify_options *o,
			   struct xp_verify_result *res)
{
	const struct xp_snap_domain *base = xp_snap_reader_domain(r);
	bool wait_first = o->wait_seconds && !o->pages;
	uint64_t t0 = xp_now_ns();
	struct xp_error *err;
	char a[40], b[40];

	memset(res, 0, sizeof(*res));
	res->base = base;
	res->baseline = xp_snap_reader_name(r);
	res->baseline_created = xp_snap_reader_header(r)->created;
	res->baseline_pages = xp_snap_reader_header(r)->flags & XP_SNAP_F_PAGES;
	res->now = *d;
	res->pages = o->pages;
	res->max_pfn_before = base->max_pfn;
	if (memcmp(base->uuid, d->handle, sizeof(base->uuid)) != 0)
		return xp_error_create(XP_ERR_INVALID, EINVAL,
				       "%s is a snapshot of another guest: UUID %s ('%s', then "
				       "domain %u), not domain %u's %s",
				       res->baseline, xp_uuid_format(base->uuid, a, sizeof(a)),
				       base->name, base->domid, d->domid,
				       xp_uuid_format(d->handle, b, sizeof(b)));
	/* without pages, a running guest that is waited for is compared once published */
	err = wait_first ? structures(be, d->domid, o, res) : NULL;
	if (!err)
		err = compare(be, d->domid, r, res);
	if (!err && !wait_first)
		err = structures(be, d->domid, o, res);
	if (err) {
		xp_verify_result_release(res);
		return err;
	}
	res->verdict = XP_VERIFY_CLEAN;
	if (res->max_pfn_now != res->max_pfn_before || res->class_changed || res->not_owned ||
	    res->pages_differ || base->width != d->guest_width ||
	    res->report->verdict == XP_VERDICT_INCONSISTENT ||
	    res->report->verdict == XP_VERDICT_UNSTABLE || (res->waited && res->structures_pending))
		res->verdict = XP_VERIFY_DIFFERS;
	res->elapsed_ns = xp_now_ns() - t0;
	return NULL;
}

void xp_verify_result_release(struct xp_verify_result *res)
{
	xp_report_destroy(res->report);
	res->report = NULL;
}
