// SPDX-License-Identifier: GPL-2.0
/*
 * Taking a snapshot: check the guest, then stream its p2m (and pages) from
 * the scan (engine/scan.h) into the file (format.h), one record at a time,
 * under a temporary name that becomes the file's only once it is whole
 * (lib/atomic-file.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "lib/atomic-file.h"
#include "lib/util.h"
#include "snapshot/snapshot.h"

struct writer {
	struct xp_atomic_file *af;
	FILE *f;
	XXH3_state_t *hash;
	struct xp_snap_run runs[XP_SNAP_MAX_COUNT];
	size_t nruns;
	struct xp_snap_page pages[XP_SNAP_MAX_COUNT];
	size_t npages;
	uint64_t last_zero_end; /* the pfn after the last page entry's, when a zero run */
	uint64_t page_elems;	/* PAGES elements written or buffered */
	struct xp_snap_totals *totals;
	struct xp_snap_domain *dom;
	const struct xp_scan_info *info;
	bool domain_written;
	struct xp_error *err; /* the first write error */
};

static const uint8_t zero_page[XP_SNAP_PAGE_SIZE];

static void put(struct writer *w, const void *buf, size_t len)
{
	if (w->err)
		return;
	if (fwrite(buf, 1, len, w->f) != len) {
		w->err = xp_error_create(XP_ERR_IO, errno, "writing %s: %s",
					 xp_atomic_file_path(w->af), strerror(errno));
		return;
	}
	XXH3_64bits_update(w->hash, buf, len);
	w->totals->bytes += len;
}

static void put_record(struct writer *w, uint32_t type, uint32_t count, const void *body,
		       size_t elem)
{
	struct xp_snap_rec rec = {.type = type, .count = count, .length = (uint64_t)count * elem};

	put(w, &rec, sizeof(rec));
	put(w, body, (size_t)rec.length);
}

static void flush_runs(struct writer *w)
{
	if (w->nruns)
		put_record(w, XP_SNAP_REC_P2M, (uint32_t)w->nruns, w->runs, sizeof(*w->runs));
	w->nruns = 0;
}

static void flush_pages(struct writer *w)
{
	if (w->npages)
		put_record(w, XP_SNAP_REC_PAGES, (uint32_t)w->npages, w->pages, sizeof(*w->pages));
	w->npages = 0;
}

/* The next pfn's entry: the current run goes on, or a new one starts. */
static void add_pfn(struct writer *w, uint64_t entry, unsigned int cls, bool unreachable)
{
	uint8_t c = (uint8_t)(cls | (unreachable ? XP_SNAP_RUN_UNREACHABLE : 0));
	struct xp_snap_run *r = w->nruns ? &w->runs[w->nruns - 1] : NULL;

	w->totals->pfns[cls]++;
	w->totals->unreachable += unreachable;
	if (r && r->cls == c && r->count < UINT32_MAX) {
		if (r->count == 1 &&
		    (entry == r->entry || entry == r->entry + 1 || entry == r->entry - 1)) {
			r->step = entry == r->entry	  ? XP_SNAP_STEP_SAME
				  : entry == r->entry + 1 ? XP_SNAP_STEP_UP
							  : XP_SNAP_STEP_DOWN;
			r->count++;
			return;
		}
		if ((r->step == XP_SNAP_STEP_SAME && entry == r->entry) ||
		    (r->step == XP_SNAP_STEP_UP && entry == r->entry + r->count) ||
		    (r->step == XP_SNAP_STEP_DOWN && entry == r->entry - r->count)) {
			r->count++;
			return;
		}
	}
	if (w->nruns == XP_SNAP_MAX_COUNT)
		flush_runs(w);
	w->runs[w->nruns++] = (struct xp_snap_run){.entry = entry, .count = 1, .cls = c};
	w->totals->runs++;
}

static void add_page(struct writer *w, const struct xp_scan_item *it)
{
	uint64_t key = it->pfn | (uint64_t)it->kind << XP_SNAP_PAGE_KIND_SHIFT |
		       (uint64_t)it->level << XP_SNAP_PAGE_LEVEL_SHIFT;
	struct xp_snap_page *last = w->npages ? &w->pages[w->npages - 1] : NULL;

	w->totals->pages++;
	w->totals->by_kind[it->kind]++;
	if (!it->page) {
		w->totals->unreadable++;
		key |= XP_SNAP_PAGE_UNREADABLE;
	} else if (memcmp(it->page, zero_page, sizeof(zero_page)) == 0) {
		w->totals->zero_pages++;
		/* the last entry a zero run of this kind, ending just here: it grows */
		if (last && (last->key & XP_SNAP_PAGE_ZERO) &&
		    (last->key & ~XP_SNAP_PAGE_PFN_MASK) ==
			    ((key & ~XP_SNAP_PAGE_PFN_MASK) | XP_SNAP_PAGE_ZERO) &&
		    w->last_zero_end == it->pfn) {
			last->value++;
			w->last_zero_end++;
			return;
		}
		key |= XP_SNAP_PAGE_ZERO;
		w->last_zero_end = it->pfn + 1;
	}
	if (w->npages == XP_SNAP_MAX_COUNT)
		flush_pages(w);
	w->page_elems++;
	w->pages[w->npages].key = key;
	w->pages[w->npages].value = key & XP_SNAP_PAGE_ZERO ? 1
				    : key & XP_SNAP_PAGE_UNREADABLE
					    ? (uint64_t)-it->map_err
					    : XXH3_64bits(it->page, XP_PAGE_SIZE);
	w->npages++;
}

static void write_domain(struct writer *w)
{
	w->dom->via = w->info->via;
	w->dom->max_pfn = w->info->max_pfn;
	w->dom->width = w->info->width;
	w->dom->console_pfn = w->info->console_pfn;
	w->dom->store_pfn = w->info->store_pfn;
	put_record(w, XP_SNAP_REC_DOMAIN, 1, w->dom, sizeof(*w->dom));
	w->domain_written = true;
}

static int on_pfn(void *arg, const struct xp_scan_item *it)
{
	struct writer *w = arg;

	if (!w->domain_written)
		write_domain(w);
	add_pfn(w, it->entry, it->cls, it->unreachable);
	return w->err ? -1 : 0;
}

static int on_pfn_pages(void *arg, const struct xp_scan_item *it)
{
	struct writer *w = arg;
	int rc = on_pfn(arg, it);

	if (!rc && it->cls == XP_ENTRY_VALID && !it->unreachable)
		add_page(w, it);
	return rc;
}

/* The DOMAIN record's facts from the domain info and the check. */
static void fill_domain(struct xp_snap_domain *dom, const struct xp_domain_info *d,
			const struct xp_report *rep)
{
	memset(dom, 0, sizeof(*dom));
	memcpy(dom->uuid, d->handle, sizeof(dom->uuid));
	snprintf(dom->name, sizeof(dom->name), "%s", d->name);
	dom->domid = d->domid;
	dom->tot_pages = d->tot_pages;
	dom->max_pages = d->max_pages;
	dom->flags = d->paused ? XP_SNAP_D_PAUSED : 0;
	dom->layout = rep->layout;
	dom->verdict = rep->verdict;
	dom->generation = rep->p2m.generation;
	dom->frame_list_list = rep->p2m.frame_list_list;
	dom->p2m_cr3_mfn = rep->p2m.p2m_cr3_mfn;
	dom->p2m_vaddr = rep->p2m.p2m_vaddr;
	dom->top_pages = rep->p2m.top_pages;
	dom->mid_pages = rep->p2m.mid_pages;
	dom->leaf_pages = rep->p2m.leaf_pages;
	dom->shared_leaf_pages = rep->p2m.shared_leaf_pages;
	dom->pt_pages = rep->p2m.pt_pages;
	dom->flags |= rep->p2m.tree_walked ? XP_SNAP_D_TREE_WALKED : 0;
	dom->flags |= rep->p2m.list_walked ? XP_SNAP_D_LIST_WALKED : 0;
	dom->findings = xp_report_count(rep, XP_SEV_WARNING);
	if (rep->grants.checked) {
		dom->flags |= XP_SNAP_D_GRANTS_CHECKED;
		dom->grant_version = rep->grants.version;
		dom->grant_frames = rep->grants.nr_frames;
		dom->grant_max_frames = rep->grants.max_frames;
		dom->grant_in_use = rep->grants.in_use;
	}
}

struct xp_error *xp_snapshot_take(struct xp_backend *be, const struct xp_domain_info *d,
				  const char *path, const struct xp_snapshot_options *o,
				  struct xp_snapshot_result *res)
{
	struct xp_scan_options so = {.pages = o->pages};
	struct writer *w = NULL;
	struct xp_snap_header hdr = {
		.version = XP_SNAP_VERSION,
		.header_size = sizeof(hdr),
		.page_size = XP_SNAP_PAGE_SIZE,
		.flags = o->pages ? XP_SNAP_F_PAGES : 0,
		.created = (uint64_t)time(NULL),
	};
	struct xp_scan_info info;
	struct xp_snap_end end = {0};
	struct xp_error *err;
	uint64_t t0 = xp_now_ns();
	int stopped = 0;

	memset(res, 0, sizeof(*res));
	res->path = path;
	res->pages = o->pages;
	err = xp_check_domain(be, d->domid, o->check, &res->report);
	if (err)
		return err;
	fill_domain(&res->dom, d, res->report);
	w = calloc(1, sizeof(*w));
	if (w)
		w->hash = XXH3_createState();
	if (!w || !w->hash) {
		free(w);
		xp_snapshot_result_release(res);
		return xp_error_nomem();
	}
	XXH3_64bits_reset(w->hash);
	w->totals = &res->totals;
	w->dom = &res->dom;
	w->info = &info;
	err = xp_atomic_file_create(path, 0600, &w->af);
	if (err)
		goto out;
	w->f = xp_atomic_file_stream(w->af);
	memcpy(hdr.magic, XP_SNAP_MAGIC, sizeof(hdr.magic));
	put(w, &hdr, sizeof(hdr));
	err = xp_scan(be, d->domid, &so, &info, o->pages ? on_pfn_pages : on_pfn, w, &stopped);
	if (!err && !w->domain_written)
		write_domain(w);
	flush_runs(w);
	flush_pages(w);
	if (!err && w->err) {
		err = w->err;
		w->err = NULL;
	}
	if (err)
		goto out;
	end.nr_runs = res->totals.runs;
	end.nr_pages = w->page_elems;
	{
		struct xp_snap_rec rec = {
			.type = XP_SNAP_REC_END, .count = 1, .length = sizeof(end)};

		put(w, &rec, sizeof(rec));
	}
	end.checksum = XXH3_64bits_digest(w->hash);
	if (!w->err && fwrite(&end, sizeof(end), 1, w->f) != 1)
		w->err = xp_error_create(XP_ERR_IO, errno, "writing %s: %s", path, strerror(errno));
	res->totals.bytes += sizeof(end);
	err = w->err;
	w->err = NULL;
	if (!err) {
		err = xp_atomic_file_commit(w->af);
		w->af = NULL;
	}
out:
	xp_error_destroy(w->err);
	xp_atomic_file_destroy(w->af);
	XXH3_freeState(w->hash);
	free(w);
	/* a result only when the file is there */
	if (err)
		xp_snapshot_result_release(res);
	res->elapsed_ns = xp_now_ns() - t0;
	return err;
}

void xp_snapshot_result_release(struct xp_snapshot_result *res)
{
	xp_report_destroy(res->report);
	res->report = NULL;
}
