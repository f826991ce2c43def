// SPDX-License-Identifier: GPL-2.0
/*
 * Domains: the domain builder (what libxenguest's xc_dom_* does for a PV
 * guest), destroy, pause/unpause, memory target, rename.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdint.h>

#include <xen/xen.h>
#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#include "lib/util.h"
#include "sim/toolstack/toolstack.h"

/* Event channels the toolstack gives the console and xenstore rings. */
#define SIM_STORE_EVTCHN 1U
#define SIM_CONSOLE_EVTCHN 2U

static struct xp_error *guest_failed(const struct sim_domain *d, const char *what, int rc)
{
	return xp_error_create(XP_ERR_INVALID, rc < 0 ? -rc : EIO,
			       "domain %u ('%s'): the guest kernel's %s failed: %s", d->domid,
			       d->name, what, strerror(rc < 0 ? -rc : EIO));
}

static struct xp_error *unpause(struct sim_host *h, struct sim_domain *d,
				const struct sim_runs *boot_runs)
{
	struct sim_guest g;
	struct gk_config cfg;
	uint32_t pending = d->pending;
	int rc = 0;

	sim_domtab_begin(h);
	d->flags &= ~(uint32_t)SIM_DOMF_PAUSED;
	d->pending = SIM_PENDING_NONE;
	sim_domtab_end(h);
	sim_guest_init(&g, h, d);
	g.boot_runs = boot_runs;
	if (pending == SIM_PENDING_BOOT) {
		sim_domain_config(d, &cfg);
		rc = gk_boot(&g.hv, &cfg);
	} else if (pending == SIM_PENDING_RESUME) {
		rc = gk_resume(&g.hv);
	} else if (pending == SIM_PENDING_CANCEL) {
		rc = gk_suspend_cancel(&g.hv);
	}
	sim_guest_fini(&g);
	if (rc)
		return guest_failed(d,
				    pending == SIM_PENDING_BOOT	    ? "boot"
				    : pending == SIM_PENDING_CANCEL ? "cancelled suspend"
								    : "resume path",
				    rc);
	return NULL;
}

struct xp_error *sim_domain_unpause(struct sim_host *h, struct sim_domain *d)
{
	return unpause(h, d, NULL);
}

struct xp_error *sim_domain_mem_set(struct sim_host *h, struct sim_domain *d, uint64_t bytes,
				    unsigned int delay_us)
{
	uint64_t target = bytes >> SIM_PAGE_SHIFT;
	struct sim_guest g;
	char a[32], b[32];
	int rc;

	if (bytes % SIM_PAGE_SIZE || target == 0)
		return xp_error_create(XP_ERR_INVALID, EINVAL,
				       "invalid memory target %llu bytes: a non-zero multiple of "
				       "4 KiB",
				       (unsigned long long)bytes);
	if (target > d->max_pages)
		return xp_error_create(
			XP_ERR_INVALID, EINVAL,
			"memory target %s exceeds the domain's maximum of %s",
			xp_format_size(bytes, a, sizeof(a)),
			xp_format_size(d->max_pages << SIM_PAGE_SHIFT, b, sizeof(b)));
	if (d->flags & SIM_DOMF_PAUSED)
		return xp_error_create(XP_ERR_INVALID, EAGAIN,
				       "domain %u ('%s') is paused: its balloon driver cannot run "
				       "(unpause it first)",
				       d->domid, d->name);
	sim_guest_init(&g, h, d);
	rc = gk_balloon(&g.hv, target, delay_us);
	if (rc)
		return guest_failed(d, "balloon driver", rc);
	return NULL;
}

static struct xp_error *guest_running(const struct sim_domain *d, const char *what)
{
	if (d->flags & SIM_DOMF_PAUSED)
		return xp_error_create(XP_ERR_INVALID, EAGAIN,
				       "domain %u ('%s') is paused: its %s cannot run (unpause it "
				       "first)",
				       d->domid, d->name, what);
	return NULL;
}

struct xp_error *sim_domain_grant(struct sim_host *h, struct sim_domain *d, uint16_t to,
				  bool readonly, unsigned int count, uint32_t *refs)
{
	struct xp_error *err = guest_running(d, "grant driver");
	struct sim_guest g;
	int rc;

	if (err)
		return err;
	sim_guest_init(&g, h, d);
	rc = gk_grant(&g.hv, to, readonly, count, refs);
	sim_guest_fini(&g);
	if (rc && g.oops[0])
		return xp_error_create(XP_ERR_INVALID, rc < 0 ? -rc : EIO,
				       "domain %u ('%s'): the guest kernel's grant driver failed: "
				       "%s",
				       d->domid, d->name, g.oops);
	if (rc == -ENOSPC)
		return xp_error_create(XP_ERR_INVALID, ENOSPC,
				       "domain %u ('%s'): the guest kernel's grant driver failed: "
				       "its grant table cannot grow past %u frames",
				       d->domid, d->name, d->gnt_max_frames);
	if (rc)
		return guest_failed(d, "grant driver", rc);
	return NULL;
}

struct xp_error *sim_domain_ungrant(struct sim_host *h, struct sim_domain *d, uint32_t ref)
{
	struct xp_error *err = guest_running(d, "grant driver");
	struct sim_guest g;
	uint16_t peer = 0;
	int rc;

	if (err)
		return err;
	sim_guest_init(&g, h, d);
	rc = gk_ungrant(&g.hv, ref, &peer);
	sim_guest_fini(&g);
	if (rc == -ENOENT)
		return xp_error_create(XP_ERR_INVALID, ENOENT,
				       "domain %u ('%s'): ref %u is not a grant of its driver",
				       d->domid, d->name, ref);
	if (rc == -EBUSY)
		return xp_error_create(XP_ERR_INVALID, EBUSY,
				       "domain %u ('%s'): ref %u is still mapped by domain %u",
				       d->domid, d->name, ref, peer);
	if (rc)
		return guest_failed(d, "grant driver", rc);
	return NULL;
}

/* ---- the builder ---- */

struct builder {
	struct sim_host *h;
	struct sim_domain *d;
	struct gk_image img;
	struct sim_runs runs;
	uint64_t nr_pages;
};

static uint64_t pfn_mfn(const struct builder *b, uint64_t pfn)
{
	return sim_runs_lookup(&b->runs, pfn);
}

static void *pfn_page(struct builder *b, uint64_t pfn)
{
	uint64_t mfn = pfn_mfn(b, pfn);

	sim_frame_mark_written(b->h, mfn);
	return sim_frame_ptr(b->h, mfn);
}

/* Fill one page of the initial p2m array, continuing at *pfn / run *r. */
static void fill_p2m_page(struct builder *b, uint8_t *p, uint64_t *pfn, size_t *r)
{
	unsigned int width = b->d->width, per_page = (unsigned int)(SIM_PAGE_SIZE / width);
	unsigned int i = 0;

	while (i < per_page && *pfn < b->nr_pages) {
		const struct sim_run *run = &b->runs.v[*r];
		uint64_t off = *pfn - run->pfn;
		uint64_t n = XP_MIN(run->len - off, (uint64_t)(per_page - i));
		uint64_t k;

		if (width == 8) {
			uint64_t *e = (uint64_t *)p + i;

			if (run->dir > 0)
				for (k = 0; k < n; k++)
					e[k] = run->mfn + off + k;
			else
				for (k = 0; k < n; k++)
					e[k] = run->mfn - off - k;
		} else {
			uint32_t *e = (uint32_t *)p + i;

			for (k = 0; k < n; k++)
				e[k] = (uint32_t)(run->dir > 0 ? run->mfn + off + k
							       : run->mfn - off - k);
		}
		i += (unsigned int)n;
		*pfn += n;
		if (*pfn == run->pfn + run->len)
			(*r)++;
	}
	if (i < per_page)
		memset(p + (size_t)i * width, 0xff, (size_t)(per_page - i) * width);
}

/*
 * The initial p2m array (start_info.mfn_list): nr_pages entries of width
 * bytes.  A 1 TiB guest's is 2 GiB: written through the file, in batches of
 * pages whose frames are consecutive, rather than by page faults.
 */
static struct xp_error *write_p2m_array(struct builder *b)
{
	enum { BATCH_PAGES = 256 };
	uint8_t *buf = malloc(BATCH_PAGES * SIM_PAGE_SIZE);
	uint64_t page = 0, pfn = 0;
	size_t r = 0;

	if (!buf)
		return xp_error_nomem();
	while (page < b->img.p2m_pages) {
		uint64_t first = pfn_mfn(b, b->img.p2m_pfn + page), n = 0, i;
		size_t len;

		while (page + n < b->img.p2m_pages && n < BATCH_PAGES &&
		       pfn_mfn(b, b->img.p2m_pfn + page + n) == first + n) {
			fill_p2m_page(b, buf + n * SIM_PAGE_SIZE, &pfn, &r);
			n++;
		}
		len = n * SIM_PAGE_SIZE;
		if (pwrite(b->h->fd, buf, len,
			   (off_t)(b->h->hdr->mem_off + (first << SIM_PAGE_SHIFT))) != (ssize_t)len)
			memcpy(sim_frame_ptr(b->h, first), buf, len);
		for (i = 0; i < n; i++)
			sim_frame_mark_written(b->h, first + i);
		page += n;
	}
	free(buf);
	return NULL;
}

static void write_start_info(struct builder *b, bool dom0)
{
	struct sim_domain *d = b->d;
	uint32_t flags = 0;
	void *p = pfn_page(b, b->img.start_info_pfn);

	if (dom0)
		flags |= SIF_PRIVILEGED | SIF_INITDOMAIN;
	if (d->layout == GK_LAYOUT_LIST_ONLY)
		flags |= SIF_VIRT_P2M_4TOOLS;
	memset(p, 0, SIM_PAGE_SIZE);
	if (d->width == 8) {
		struct start_info_x86_64 *si = p;

		snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
		si->nr_pages = b->nr_pages;
		si->shared_info = d->shared_info_mfn << SIM_PAGE_SHIFT;
		si->flags = flags;
		si->store_mfn = pfn_mfn(b, b->img.store_pfn);
		si->store_evtchn = SIM_STORE_EVTCHN;
		si->console.domU.mfn = pfn_mfn(b, b->img.console_pfn);
		si->console.domU.evtchn = SIM_CONSOLE_EVTCHN;
		si->pt_base = b->img.virt_base + (b->img.l4_pfn << SIM_PAGE_SHIFT);
		si->nr_pt_frames = 1;
		si->mfn_list = b->img.mfn_list_va;
		si->first_p2m_pfn = b->img.p2m_pfn;
		si->nr_p2m_frames = b->img.p2m_pages;
	} else {
		struct start_info_x86_32 *si = p;

		snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_32p");
		si->nr_pages = (uint32_t)b->nr_pages;
		si->shared_info = (uint32_t)(d->shared_info_mfn << SIM_PAGE_SHIFT);
		si->flags = flags;
		si->store_mfn = (uint32_t)pfn_mfn(b, b->img.store_pfn);
		si->store_evtchn = SIM_STORE_EVTCHN;
		si->console.domU.mfn = (uint32_t)pfn_mfn(b, b->img.console_pfn);
		si->console.domU.evtchn = SIM_CONSOLE_EVTCHN;
		si->pt_base = (uint32_t)(b->img.virt_base + (b->img.l4_pfn << SIM_PAGE_SHIFT));
		si->nr_pt_frames = 1;
		si->mfn_list = (uint32_t)b->img.mfn_list_va;
		si->first_p2m_pfn = (uint32_t)b->img.p2m_pfn;
		si->nr_p2m_frames = (uint32_t)b->img.p2m_pages;
	}
}

static struct xp_error *check_image(const struct gk_config *cfg, uint64_t nr_pages,
				    uint64_t max_pages, struct gk_image *img)
{
	const char *why = NULL;
	char a[32], b[32];

	if (gk_image_layout(cfg, nr_pages, img, &why) < 0)
		return xp_error_create(XP_ERR_INVALID, EINVAL, "cannot build a %s guest of %s: %s",
				       gk_layout_name(cfg->layout),
				       xp_format_size(nr_pages << SIM_PAGE_SHIFT, a, sizeof(a)),
				       why ? why : "the guest kernel refuses this size");
	if (max_pages > img->max_pages)
		return xp_error_create(
			XP_ERR_INVALID, EINVAL,
			"cannot build a %s guest with maxmem %s: the layout covers at "
			"most %s",
			gk_layout_name(cfg->layout),
			xp_format_size(max_pages << SIM_PAGE_SHIFT, a, sizeof(a)),
			xp_format_size(img->max_pages << SIM_PAGE_SHIFT, b, sizeof(b)));
	return NULL;
}

struct xp_error *sim_domain_create(struct sim_host *h, const struct sim_create_args *args,
				   struct sim_domain **out)
{
	uint64_t nr_pages = args->memory >> SIM_PAGE_SHIFT;
	uint64_t maxmem = args->maxmem ? args->maxmem : args->memory;
	uint64_t max_pages = maxmem >> SIM_PAGE_SHIFT;
	struct builder b = {.h = h, .nr_pages = nr_pages};
	struct gk_config cfg = {
		.layout = args->layout,
		.variant = args->variant,
		.width = args->width,
		.seed = args->seed,
		.gnttab_version = args->gnttab_version,
	};
	struct xp_error *err;
	struct sim_domain *d;
	char s1[32], s2[32];
	uint64_t l4;

	*out = NULL;
	if (args->memory == 0 || args->memory % SIM_PAGE_SIZE || maxmem % SIM_PAGE_SIZE)
		return xp_error_create(
			XP_ERR_INVALID, EINVAL,
			"invalid memory size %llu bytes: a non-zero multiple of 4 KiB",
			(unsigned long long)(args->memory % SIM_PAGE_SIZE ? args->memory : maxmem));
	if (maxmem < args->memory)
		return xp_error_create(XP_ERR_INVALID, EINVAL, "maxmem %s is less than memory %s",
				       xp_format_size(maxmem, s1, sizeof(s1)),
				       xp_format_size(args->memory, s2, sizeof(s2)));
	if (args->dom0) {
		/* a real dom0's E820 leaves the legacy ISA hole to be mapped 1:1 */
		cfg.identity_start = 0xa0;
		cfg.identity_end = 0x100;
	}
	err = check_image(&cfg, nr_pages, max_pages, &b.img);
	if (err)
		return err;
	if (nr_pages + 1 > h->hdr->free_frames)
		return xp_error_create(
			XP_ERR_INVALID, ENOMEM, "out of host memory: %s wanted, %s free",
			xp_format_size(args->memory, s1, sizeof(s1)),
			xp_format_size(h->hdr->free_frames << SIM_PAGE_SHIFT, s2, sizeof(s2)));
	err = sim_domain_new(h, args->name, args->dom0, &d);
	if (err)
		return err;
	b.d = d;
	sim_domtab_begin(h);
	d->width = args->width;
	d->layout = args->layout;
	d->variant = args->variant;
	d->seed = args->seed;
	d->gnttab_config = args->gnttab_version;
	d->identity_start = cfg.identity_start;
	d->identity_end = cfg.identity_end;
	d->max_pages = max_pages;
	d->nr_pfns = nr_pages;
	sim_domtab_end(h);
	sim_alloc_seed(d, args->seed);

	err = sim_populate_bulk(h, d, 0, nr_pages, &b.runs);
	if (!err)
		err = sim_alloc_xenheap(h, d, &d->shared_info_mfn);
	if (err)
		goto fail;
	err = write_p2m_array(&b);
	if (err)
		goto fail;
	write_start_info(&b, args->dom0);
	/* the grant table, and the toolstack's seed of its entries 0 and 1 */
	err = sim_gnttab_create(h, d);
	if (!err && !args->dom0)
		err = sim_gnttab_seed(h, d, pfn_mfn(&b, b.img.console_pfn),
				      pfn_mfn(&b, b.img.store_pfn));
	if (err)
		goto fail;
	/* vcpu0's cr3: the image's empty top-level table, pinned */
	l4 = pfn_mfn(&b, b.img.l4_pfn);
	h->frames[l4].type =
		(uint8_t)((h->frames[l4].type & ~SIM_FT_PIN_MASK) | (args->width == 8 ? 4 : 3));
	sim_domtab_begin(h);
	d->start_info_mfn = pfn_mfn(&b, b.img.start_info_pfn);
	d->vcpu_cr3[0] = l4;
	d->pending = SIM_PENDING_BOOT;
	sim_domtab_end(h);
	if (!args->paused)
		err = unpause(h, d, &b.runs);
	sim_runs_free(&b.runs);
	if (err) {
		sim_domain_destroy(h, d);
		return err;
	}
	*out = d;
	return NULL;

fail:
	sim_runs_free(&b.runs);
	sim_domain_destroy(h, d);
	return err;
}
