// SPDX-License-Identifier: GPL-2.0
/*
 * Save, restore and migrate, the way libxenguest does them for a PV guest.
 *
 * The save path finds the guest's p2m as Xen 4.17's toolstack does:
 * through the virtually mapped list when shared_info publishes p2m_cr3,
 * otherwise through the frame list list, with the toolstack's checks and
 * messages, so a guest whose structures are broken cannot be saved, as on
 * real Xen.  Page tables are canonicalised (MFN -> PFN) on save and
 * localised on restore.  The restore allocates all-new frames, writes the
 * new MFNs into the guest's p2m leaf frames, rewrites start_info, and
 * copies shared_info with its arch block stale from the source (and the
 * frame list list zeroed) until the guest's resume path runs.
 *
 * The stream is this project's own, versioned:
 *
 *	header	"XP2MSAVE", version, page size, guest width
 *	records	{u32 type, u32 0, u64 length, body, padding to 8}
 *		DOMAIN, P2M_FRAMES, PAGE_DATA..., SHARED_INFO, VCPU..., END
 *
 * A PAGE_DATA record lists pfns with their type (pin level) and whether
 * their contents follow; frames never written since allocation are zeros
 * by definition and only their pfn is recorded.
 *
 * SIGINT, SIGTERM and SIGHUP (lib/signal.h) end a save or restore between
 * two batches of pages, through the same undo as any failure: the source
 * carries on, the half-restored domain goes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdint.h>

#include <xen/xen.h>
#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#include "lib/signal.h"
#include "lib/util.h"
#include "sim/toolstack/toolstack.h"

#define SAVE_MAGIC "XP2MSAVE"
#define SAVE_VERSION 1U
#define BATCH 1024U

enum rec_type {
	REC_DOMAIN = 1,
	REC_P2M_FRAMES = 2,
	REC_PAGE_DATA = 3,
	REC_SHARED_INFO = 4,
	REC_VCPU = 5,
	REC_END = 6,
};

struct save_header {
	char magic[8];
	uint32_t version;
	uint32_t page_size;
	uint32_t width;
	uint32_t reserved0;
	uint64_t reserved1;
};

struct rec_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t length;
};

struct rec_domain {
	char name[SIM_NAME_LEN];
	uint8_t handle[16];
	uint32_t width;
	uint32_t nr_vcpus;
	uint32_t layout;
	uint32_t variant;
	uint32_t flags;
	uint32_t gnttab_version; /* what the guest kernel asks for (0: 1) */
	uint64_t seed;
	uint64_t identity_start;
	uint64_t identity_end;
	uint64_t max_pages;
	uint64_t tot_pages;
	uint64_t nr_pfns;
	uint64_t p2m_size; /* pfns covered by the p2m (max_pfn + 1) */
};

struct rec_vcpu {
	uint32_t vcpu;
	uint32_t reserved;
	uint64_t cr3_pfn;
	uint64_t start_info_pfn; /* vcpu0: the suspend record, as edx carries it */
};

/* PAGE_DATA entries: pfn | level << 56 | data flag. */
#define PD_PFN_MASK ((1ULL << 52) - 1)
#define PD_LEVEL_SHIFT 56
#define PD_LEVEL_MASK 0x7ULL
#define PD_DATA (1ULL << 60)
#define PD_KNOWN_BITS (PD_PFN_MASK | (PD_LEVEL_MASK << PD_LEVEL_SHIFT) | PD_DATA)

#define PTE_PRESENT 0x1ULL
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* Xen's part of the address space in a guest (libxenguest's bounds). */
#define HV_START_64 0xffff800000000000ULL
#define HV_END_64 0xffff87ffffffffffULL
#define HV_START_32 0xf5800000ULL
#define HV_END_32 0xffffffffULL
/* L4 slots Xen owns in a 64-bit guest's top-level table. */
#define L4_XEN_FIRST 256U
#define L4_XEN_LAST 271U

/* ---------------------------------------------------------------- save */

struct saver {
	struct sim_host *h;
	struct sim_domain *d;
	unsigned int width, fpp;
	const uint8_t *shinfo;
	uint64_t max_pfn; /* highest pfn the p2m covers */
	uint64_t nr_leaves;
	uint64_t *leaves; /* MFNs of the p2m leaf frames */
	FILE *out;
	unsigned int delay_us;
};

static struct xp_error *tool_error(struct saver *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The toolstack's message, prefixed with which domain failed. */
static struct xp_error *tool_error(struct saver *s, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return xp_error_create(XP_ERR_INVALID, ERANGE, "saving domain %u ('%s'): %s", s->d->domid,
			       s->d->name, msg);
}

/* A foreign mapping of one of the domain's frames: NULL when not its own. */
static const void *map_frame(struct saver *s, uint64_t mfn)
{
	if (!sim_frame_owned(s->h, s->d, mfn))
		return NULL;
	return sim_frame_ptr(s->h, mfn);
}

/* One guest word from a page (~0 of a 32-bit guest widened). */
static uint64_t guest_word(const void *page, unsigned int width, uint64_t i)
{
	if (width == 8)
		return ((const uint64_t *)page)[i];
	else {
		uint32_t v = ((const uint32_t *)page)[i];

		return v == ~0U ? ~0ULL : v;
	}
}

static uint64_t p2m_get(struct saver *s, uint64_t pfn)
{
	if (pfn > s->max_pfn || pfn / s->fpp >= s->nr_leaves)
		return ~0ULL;
	return guest_word(sim_frame_ptr(s->h, s->leaves[pfn / s->fpp]), s->width, pfn % s->fpp);
}

static bool in_pseudophysmap(struct saver *s, uint64_t mfn)
{
	uint64_t pfn;

	if (mfn >= s->h->nr_frames)
		return false;
	pfn = s->h->m2p[mfn];
	return pfn <= s->max_pfn && p2m_get(s, pfn) == mfn;
}

static struct xp_error *map_leaves(struct saver *s, uint64_t *mfns, uint64_t n)
{
	uint64_t x;

	for (x = 0; x < n; x++)
		if (!map_frame(s, mfns[x]))
			return tool_error(s, "Failed to map p2m frames");
	s->leaves = mfns;
	s->nr_leaves = n;
	for (x = 0; x < n; x++)
		if (!in_pseudophysmap(s, mfns[x])) {
			s->leaves = NULL;
			return tool_error(s, "Bad mfn in p2m_frame_list[%" PRIu64 "]", x);
		}
	return NULL;
}

static struct xp_error *map_p2m_tree(struct saver *s)
{
	uint64_t fpp = s->fpp, fll_mfn, fll_entries, fl_entries, x, saved_x = 0, saved = 0, mp;
	uint64_t *fll = NULL, *fl = NULL;
	const void *guest_fll;
	struct xp_error *err;

	fll_entries = s->max_pfn / (fpp * fpp) + 1;
	if (fll_entries > fpp)
		return tool_error(s, "max_pfn %#" PRIx64 " too large for p2m tree", s->max_pfn);
	fll_mfn = sim_arch_get(s->shinfo, s->width, SIM_ARCH_FLL);
	if (s->width == 4 && fll_mfn == ~0U)
		fll_mfn = ~0ULL;
	if (fll_mfn == 0 || fll_mfn >= s->h->nr_frames)
		return tool_error(s, "Bad mfn %#" PRIx64 " for p2m frame list list", fll_mfn);
	guest_fll = map_frame(s, fll_mfn);
	if (!guest_fll)
		return tool_error(s, "Failed to map p2m frame list list at %#" PRIx64, fll_mfn);
	fll = calloc(fll_entries, sizeof(*fll));
	if (!fll)
		return xp_error_nomem();
	for (x = 0; x < fll_entries; x++) {
		fll[x] = guest_word(guest_fll, s->width, x);
		if (fll[x] == 0 || fll[x] >= s->h->nr_frames) {
			err = tool_error(s,
					 "Bad mfn %#" PRIx64
					 " at index %u (of %u) in p2m frame list "
					 "list",
					 fll[x], (unsigned int)x, (unsigned int)fll_entries);
			goto out;
		}
		if (fll[x] != saved) {
			saved = fll[x];
			saved_x = x;
		}
	}
	/*
	 * Trailing entries that all name one mid page can only be the shared
	 * "missing" page: the p2m ends before them.
	 */
	mp = (saved_x + 1) * fpp * fpp - 1;
	if (mp < s->max_pfn) {
		s->max_pfn = mp;
		fll_entries = s->max_pfn / (fpp * fpp) + 1;
	}
	fl_entries = s->max_pfn / fpp + 1;
	for (x = 0; x < fll_entries; x++)
		if (!map_frame(s, fll[x])) {
			err = tool_error(s, "Failed to map p2m frame list");
			goto out;
		}
	fl = calloc(fl_entries, sizeof(*fl));
	if (!fl) {
		err = xp_error_nomem();
		goto out;
	}
	for (x = 0; x < fl_entries; x++) {
		fl[x] = guest_word(sim_frame_ptr(s->h, fll[x / fpp]), s->width, x % fpp);
		if (fl[x] == 0 || fl[x] >= s->h->nr_frames) {
			err = tool_error(
				s, "Bad mfn %#" PRIx64 " at index %u (of %u) in p2m frame list",
				fl[x], (unsigned int)x, (unsigned int)fl_entries);
			goto out;
		}
	}
	err = map_leaves(s, fl, fl_entries);
	if (!err)
		fl = NULL; /* now s->leaves */
out:
	free(fll);
	free(fl);
	return err;
}

static bool canonical64(uint64_t va)
{
	return ((int64_t)va >> 47) == ((int64_t)va >> 63);
}

static struct xp_error *map_p2m_list(struct saver *s, uint64_t p2m_cr3)
{
	uint64_t fpp = s->fpp, mask, vaddr, end, off = 0, saved_mfn = 0;
	uint64_t idx_start = 0, idx_end = 0, saved_idx = 0, idx, n_pages, nr;
	unsigned int levels = s->width == 8 ? 4 : 3, level, shift;
	uint64_t p2m_mfn = sim_cr3_to_mfn(s->width, p2m_cr3);
	uint64_t *mfns, *next;
	struct xp_error *err = NULL;

	if (p2m_mfn == 0 || p2m_mfn >= s->h->nr_frames)
		return tool_error(s, "Bad p2m_cr3 value %#" PRIx64, p2m_cr3);
	vaddr = sim_arch_get(s->shinfo, s->width, SIM_ARCH_P2M_VADDR);
	nr = s->max_pfn / fpp + 1;
	end = vaddr + nr * SIM_PAGE_SIZE - 1;
	if (s->width == 8) {
		mask = 0x0000ffffffffffffULL;
		if (!canonical64(vaddr) || !canonical64(end) || end < vaddr ||
		    (vaddr <= HV_END_64 && end > HV_START_64))
			return tool_error(s, "Bad virtual p2m address range %#" PRIx64 "-%#" PRIx64,
					  vaddr, end);
	} else {
		mask = 0x00000000ffffffffULL;
		if (vaddr > mask || end > mask || end < vaddr ||
		    (vaddr <= HV_END_32 && end > HV_START_32))
			return tool_error(s, "Bad virtual p2m address range %#" PRIx64 "-%#" PRIx64,
					  vaddr, end);
	}
	/* Our bound on a guest-supplied size (the toolstack trusts malloc). */
	if (nr > s->h->nr_frames)
		return tool_error(s, "max_pfn %#" PRIx64 " too large for this host", s->max_pfn);

	mfns = malloc(sizeof(*mfns));
	if (!mfns)
		return xp_error_nomem();
	mfns[0] = p2m_mfn;
	for (level = levels; level > 0; level--) {
		n_pages = idx_end - idx_start + 1;
		for (idx = 0; idx < n_pages; idx++)
			if (!map_frame(s, mfns[idx])) {
				err = tool_error(s,
						 "Failed to map %u page table pages for p2m list",
						 (unsigned int)n_pages);
				goto out;
			}
		shift = level * 9 + 3;
		idx_start = ((vaddr - off) & mask) >> shift;
		idx_end = ((end - off) & mask) >> shift;
		if (idx_end < idx_start || idx_end / 512 >= n_pages) {
			err = tool_error(s, "Bad virtual p2m address range %#" PRIx64 "-%#" PRIx64,
					 vaddr, end);
			goto out;
		}
		next = malloc((idx_end - idx_start + 1) * sizeof(*next));
		if (!next) {
			err = xp_error_nomem();
			goto out;
		}
		for (idx = idx_start; idx <= idx_end; idx++) {
			const uint64_t *ptes = sim_frame_ptr(s->h, mfns[idx / 512]);
			uint64_t mfn = (ptes[idx % 512] & PTE_ADDR_MASK) >> SIM_PAGE_SHIFT;

			if (mfn == 0 || mfn >= s->h->nr_frames) {
				err = tool_error(s,
						 "Bad mfn %#" PRIx64
						 " during page table walk for vaddr "
						 "%#" PRIx64 " at level %u of p2m list",
						 mfn, off + (idx << shift), level);
				free(next);
				goto out;
			}
			next[idx - idx_start] = mfn;
			if (level == 2 && mfn != saved_mfn) {
				saved_mfn = mfn;
				saved_idx = idx - idx_start;
			}
		}
		if (level == 2) {
			uint64_t mp;

			/* trailing L2 entries naming one L1 page: the shared missing mapping */
			if (saved_idx == idx_end - idx_start)
				saved_idx++;
			mp = (saved_idx << 9) * fpp - 1;
			if (mp < s->max_pfn) {
				s->max_pfn = mp;
				nr = s->max_pfn / fpp + 1;
				end = vaddr + nr * SIM_PAGE_SIZE - 1;
				idx_end = idx_start + saved_idx;
			}
		}
		free(mfns);
		mfns = next;
		off = vaddr & ((mask >> shift) << shift);
	}
	err = map_leaves(s, mfns, idx_end - idx_start + 1);
	if (!err)
		return NULL;
out:
	free(mfns);
	return err;
}

static struct xp_error *map_p2m(struct saver *s)
{
	uint64_t p2m_cr3;

	s->max_pfn = sim_arch_get(s->shinfo, s->width, SIM_ARCH_MAX_PFN) - 1;
	if (s->width == 4)
		s->max_pfn &= 0xffffffffULL;
	p2m_cr3 = sim_arch_get(s->shinfo, s->width, SIM_ARCH_P2M_CR3);
	return p2m_cr3 ? map_p2m_list(s, p2m_cr3) : map_p2m_tree(s);
}

static struct xp_error *put(struct saver *s, const void *buf, size_t len)
{
	if (len && fwrite(buf, 1, len, s->out) != len)
		return xp_error_create(XP_ERR_IO, errno, "writing the save file: %s",
				       strerror(errno));
	return NULL;
}

static struct xp_error *put_record(struct saver *s, uint32_t type, const void *body, uint64_t len)
{
	struct rec_header rh = {.type = type, .length = len};
	static const uint8_t pad[8];
	struct xp_error *err;

	err = put(s, &rh, sizeof(rh));
	if (!err)
		err = put(s, body, len);
	if (!err && len % 8)
		err = put(s, pad, 8 - len % 8);
	return err;
}

/* MFN -> PFN in every present entry of a pinned table (the stream's copy). */
static struct xp_error *canonicalise(struct saver *s, uint64_t *pte, unsigned int level)
{
	unsigned int i;

	for (i = 0; i < SIM_PAGE_SIZE / 8; i++) {
		uint64_t mfn;

		if (s->width == 8 && level == 4 && i >= L4_XEN_FIRST && i <= L4_XEN_LAST)
			continue;
		if (!(pte[i] & PTE_PRESENT))
			continue;
		mfn = (pte[i] & PTE_ADDR_MASK) >> SIM_PAGE_SHIFT;
		if (!in_pseudophysmap(s, mfn))
			return tool_error(s, "Bad mfn for L%u[%u]", level, i);
		pte[i] = (pte[i] & ~PTE_ADDR_MASK) | (s->h->m2p[mfn] << SIM_PAGE_SHIFT);
	}
	return NULL;
}

/* What the guest's suspend path does to start_info: its ring MFNs become pfns. */
static void canonicalise_start_info(struct saver *s, void *page)
{
	if (s->width == 8) {
		struct start_info_x86_64 *si = page;

		si->store_mfn = si->store_mfn < s->h->nr_frames ? s->h->m2p[si->store_mfn] : ~0ULL;
		si->console.domU.mfn = si->console.domU.mfn < s->h->nr_frames
					       ? s->h->m2p[si->console.domU.mfn]
					       : ~0ULL;
	} else {
		struct start_info_x86_32 *si = page;

		si->store_mfn =
			(uint32_t)(si->store_mfn < s->h->nr_frames ? s->h->m2p[si->store_mfn]
								   : ~0U);
		si->console.domU.mfn = (uint32_t)(si->console.domU.mfn < s->h->nr_frames
							  ? s->h->m2p[si->console.domU.mfn]
							  : ~0U);
	}
}

static struct xp_error *write_pages(struct saver *s, uint64_t start_info_pfn)
{
	uint64_t *entries = malloc(BATCH * sizeof(*entries));
	uint8_t *data = malloc(BATCH * SIM_PAGE_SIZE);
	struct xp_error *err = NULL;
	uint64_t pfn = 0, p2m_size = s->max_pfn + 1;

	if (!entries || !data) {
		err = xp_error_nomem();
		goto out;
	}
	while (pfn < p2m_size && !err) {
		uint32_t n = 0, nd = 0;
		uint8_t *body;
		size_t len;

		for (; pfn < p2m_size && n < BATCH; pfn++) {
			uint64_t mfn = p2m_get(s, pfn), e = pfn;
			uint8_t type;

			/* what getpageframeinfo calls XTAB: not a frame of this domain */
			if (!sim_frame_owned(s->h, s->d, mfn))
				continue;
			type = s->h->frames[mfn].type;
			if (type & SIM_FT_XENHEAP)
				continue;
			e |= (uint64_t)(type & SIM_FT_PIN_MASK) << PD_LEVEL_SHIFT;
			if (type & SIM_FT_WRITTEN) {
				uint8_t *copy = data + (size_t)nd * SIM_PAGE_SIZE;

				memcpy(copy, sim_frame_ptr(s->h, mfn), SIM_PAGE_SIZE);
				if (type & SIM_FT_PIN_MASK) {
					err = canonicalise(s, (uint64_t *)copy,
							   type & SIM_FT_PIN_MASK);
					if (err)
						break;
				}
				if (pfn == start_info_pfn)
					canonicalise_start_info(s, copy);
				e |= PD_DATA;
				nd++;
			}
			entries[n++] = e;
		}
		if (err || n == 0)
			break;
		len = 8 + (size_t)n * 8 + (size_t)nd * SIM_PAGE_SIZE;
		body = malloc(len);
		if (!body) {
			err = xp_error_nomem();
			break;
		}
		memcpy(body, &n, 4);
		memset(body + 4, 0, 4);
		memcpy(body + 8, entries, (size_t)n * 8);
		memcpy(body + 8 + (size_t)n * 8, data, (size_t)nd * SIM_PAGE_SIZE);
		err = put_record(s, REC_PAGE_DATA, body, len);
		free(body);
		if (s->delay_us)
			usleep(s->delay_us);
		/* a signal ends the save between batches, as any failure does */
		if (!err && xp_signal_pending())
			err = xp_signal_error();
	}
out:
	free(entries);
	free(data);
	return err;
}

/* The guest's side of a suspend (xen_suspend: its grant frames unmapped). */
static struct xp_error *guest_suspend(struct sim_host *h, struct sim_domain *d)
{
	struct sim_guest g;
	int rc;

	sim_guest_init(&g, h, d);
	rc = gk_suspend(&g.hv);
	sim_guest_fini(&g);
	if (rc)
		return xp_error_create(
			XP_ERR_INVALID, rc < 0 ? -rc : EIO,
			"domain %u ('%s'): the guest kernel's suspend path failed: %s", d->domid,
			d->name, strerror(rc < 0 ? -rc : EIO));
	return NULL;
}

struct xp_error *sim_suspend_cancel(struct sim_host *h, struct sim_domain *d)
{
	struct sim_guest g;
	int rc;

	if (d->pending != SIM_PENDING_NONE)
		return NULL;
	sim_guest_init(&g, h, d);
	rc = gk_suspend_cancel(&g.hv);
	sim_guest_fini(&g);
	if (rc)
		return xp_error_create(
			XP_ERR_INVALID, rc < 0 ? -rc : EIO,
			"domain %u ('%s'): the guest kernel failed to carry on after "
			"a cancelled suspend: %s",
			d->domid, d->name, strerror(rc < 0 ? -rc : EIO));
	return NULL;
}

struct xp_error *sim_save(struct sim_host *h, struct sim_domain *d, int fd, unsigned int delay_us)
{
	struct saver s = {.h = h, .d = d, .width = d->width, .delay_us = delay_us};
	struct save_header sh = {.version = SAVE_VERSION, .page_size = (uint32_t)SIM_PAGE_SIZE};
	struct rec_domain rd;
	struct rec_vcpu rv;
	struct xp_error *err;
	uint64_t *pfns = NULL, x, cr3;
	bool was_paused, suspended = false;
	int fd2;

	if (d->flags & SIM_DOMF_DYING)
		return xp_error_create(XP_ERR_INVALID, EINVAL, "domain %u ('%s') is dying",
				       d->domid, d->name);
	if (d->flags & SIM_DOMF_PRIVILEGED)
		return xp_error_create(XP_ERR_INVALID, EPERM, "domain 0 cannot be saved");
	s.fpp = (unsigned int)(SIM_PAGE_SIZE / s.width);
	/* the toolstack suspends the guest first: its suspend path runs */
	was_paused = d->flags & SIM_DOMF_PAUSED;
	sim_domain_pause(h, d);
	if (d->pending == SIM_PENDING_NONE) {
		err = guest_suspend(h, d);
		if (err)
			goto out;
		suspended = true;
	}
	s.shinfo = map_frame(&s, d->shared_info_mfn);
	if (!s.shinfo) {
		err = tool_error(&s, "Failed to map shared info frame at mfn %#" PRIx64,
				 d->shared_info_mfn);
		goto out;
	}
	err = map_p2m(&s);
	if (err)
		goto out;

	/* the suspend record and vcpu0's page tables must be the guest's own */
	if (!in_pseudophysmap(&s, d->start_info_mfn)) {
		err = tool_error(&s, "Bad mfn for suspend record");
		goto out;
	}
	cr3 = d->vcpu_cr3[0];
	if (!in_pseudophysmap(&s, cr3)) {
		err = tool_error(&s, "Bad mfn for vcpu0's cr3 (%#" PRIx64 ")", cr3);
		goto out;
	}

	fd2 = dup(fd);
	s.out = fd2 >= 0 ? fdopen(fd2, "w") : NULL;
	if (!s.out) {
		err = xp_error_create(XP_ERR_IO, errno, "writing the save file: %s",
				      strerror(errno));
		if (fd2 >= 0)
			close(fd2);
		goto out;
	}
	memcpy(sh.magic, SAVE_MAGIC, sizeof(sh.magic));
	sh.width = s.width;
	err = put(&s, &sh, sizeof(sh));

	memset(&rd, 0, sizeof(rd));
	memcpy(rd.name, d->name, sizeof(rd.name));
	memcpy(rd.handle, d->handle, sizeof(rd.handle));
	rd.width = d->width;
	rd.nr_vcpus = d->nr_vcpus;
	rd.layout = d->layout;
	rd.variant = d->variant;
	rd.gnttab_version = d->gnttab_config;
	rd.seed = d->seed;
	rd.identity_start = d->identity_start;
	rd.identity_end = d->identity_end;
	rd.max_pages = d->max_pages;
	rd.tot_pages = d->tot_pages;
	rd.nr_pfns = d->nr_pfns;
	rd.p2m_size = s.max_pfn + 1;
	if (!err)
		err = put_record(&s, REC_DOMAIN, &rd, sizeof(rd));

	if (!err) {
		pfns = malloc((s.nr_leaves + 1) * sizeof(*pfns));
		if (!pfns)
			err = xp_error_nomem();
	}
	if (!err) {
		pfns[0] = s.nr_leaves;
		for (x = 0; x < s.nr_leaves; x++)
			pfns[x + 1] = h->m2p[s.leaves[x]];
		err = put_record(&s, REC_P2M_FRAMES, pfns, (s.nr_leaves + 1) * sizeof(*pfns));
	}
	if (!err)
		err = write_pages(&s, h->m2p[d->start_info_mfn]);
	if (!err)
		err = put_record(&s, REC_SHARED_INFO, s.shinfo, SIM_PAGE_SIZE);
	if (!err) {
		memset(&rv, 0, sizeof(rv));
		rv.vcpu = 0;
		rv.cr3_pfn = h->m2p[cr3];
		rv.start_info_pfn = h->m2p[d->start_info_mfn];
		err = put_record(&s, REC_VCPU, &rv, sizeof(rv));
	}
	if (!err)
		err = put_record(&s, REC_END, NULL, 0);
	if (fflush(s.out) != 0 && !err)
		err = xp_error_create(XP_ERR_IO, errno, "writing the save file: %s",
				      strerror(errno));
	fclose(s.out);
out:
	free(pfns);
	free(s.leaves);
	/* a failed save leaves the guest running, as xl does */
	if (err && suspended) {
		struct xp_error *e2 = sim_suspend_cancel(h, d);

		if (e2)
			xp_error_destroy(e2);
	}
	if (err && !was_paused)
		sim_domain_set_flags(h, d, 0, SIM_DOMF_PAUSED);
	return err;
}

/* ------------------------------------------------------------- restore */

struct reader {
	int fd;
	const char *what;
	uint64_t size, pos;
};

static struct xp_error *malformed(const struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct xp_error *malformed(const struct reader *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return xp_error_create(XP_ERR_FORMAT, EINVAL, "%s: malformed save file: %s", r->what, msg);
}

static struct xp_error *rd_at(struct reader *r, uint64_t pos, void *buf, uint64_t len)
{
	uint64_t done = 0;

	if (pos > r->size || len > r->size - pos)
		return malformed(r, "truncated at offset %" PRIu64, r->size);
	while (done < len) {
		ssize_t n = pread(r->fd, (uint8_t *)buf + done, len - done, (off_t)(pos + done));

		if (n < 0)
			return xp_error_create(XP_ERR_IO, errno, "%s: %s", r->what,
					       strerror(errno));
		if (n == 0)
			return malformed(r, "truncated at offset %" PRIu64, pos + done);
		done += (uint64_t)n;
	}
	return NULL;
}

struct plan {
	struct rec_domain dom;
	bool have_dom, have_shinfo, have_vcpu, have_frames;
	uint64_t frames_pos, nr_frames_rec; /* P2M_FRAMES body */
	uint64_t shinfo_pos;
	struct rec_vcpu vcpu;
	uint64_t nr_present;
	struct sim_runs ranges; /* present pfns, as runs with mfn unused */
};

static struct xp_error *plan_add_pfn(struct plan *p, uint64_t pfn)
{
	struct sim_runs *r = &p->ranges;
	struct sim_run *v;

	if (r->n && r->v[r->n - 1].pfn + r->v[r->n - 1].len == pfn) {
		r->v[r->n - 1].len++;
		return NULL;
	}
	v = xp_grow(r->v, &r->cap, r->n + 1, sizeof(*v));
	if (!v)
		return xp_error_nomem();
	r->v = v;
	r->v[r->n++] = (struct sim_run){.pfn = pfn, .len = 1, .dir = 1};
	return NULL;
}

/* Pass 1: check the whole stream's structure before creating anything. */
static struct xp_error *restore_plan(struct sim_host *h, struct reader *r, struct plan *p)
{
	struct save_header sh;
	struct xp_error *err;
	uint64_t last_pfn = 0;
	bool any_pfn = false, end = false;
	unsigned int fpp;

	memset(&sh, 0, sizeof(sh));
	if (r->size >= sizeof(sh.magic)) {
		err = rd_at(r, 0, sh.magic, sizeof(sh.magic));
		if (err)
			return err;
	}
	if (memcmp(sh.magic, SAVE_MAGIC, sizeof(sh.magic)) != 0)
		return malformed(r, "not a xenp2m-sim save file (bad magic)");
	err = rd_at(r, 0, &sh, sizeof(sh));
	if (err)
		return err;
	if (sh.version != SAVE_VERSION)
		return malformed(r, "unsupported version %u (this build reads %u)", sh.version,
				 SAVE_VERSION);
	if (sh.page_size != SIM_PAGE_SIZE || (sh.width != 4 && sh.width != 8))
		return malformed(r, "bad page size %u or guest width %u", sh.page_size, sh.width);
	fpp = (unsigned int)(SIM_PAGE_SIZE / sh.width);
	r->pos = sizeof(sh);
	while (!end) {
		struct rec_header rh;
		uint64_t body;

		err = rd_at(r, r->pos, &rh, sizeof(rh));
		if (err)
			return err;
		body = r->pos + sizeof(rh);
		if (rh.length > r->size - body)
			return malformed(r, "record at offset %" PRIu64 " runs past the end",
					 r->pos);
		switch (rh.type) {
		case REC_DOMAIN:
			if (p->have_dom || rh.length != sizeof(p->dom))
				return malformed(r, "bad or repeated domain record");
			err = rd_at(r, body, &p->dom, sizeof(p->dom));
			if (err)
				return err;
			p->have_dom = true;
			if (p->dom.width != sh.width || p->dom.name[SIM_NAME_LEN - 1] ||
			    !p->dom.name[0])
				return malformed(r, "bad domain record");
			if (p->dom.layout > GK_LAYOUT_LIST_ONLY ||
			    p->dom.variant > GK_KERNEL_PRE_FIX_000 || p->dom.gnttab_version > 2 ||
			    p->dom.nr_vcpus == 0 || p->dom.nr_vcpus > SIM_MAX_VCPUS)
				return malformed(r, "bad domain configuration");
			if (p->dom.p2m_size == 0 || p->dom.max_pages == 0 ||
			    p->dom.max_pages > h->nr_frames || p->dom.p2m_size > h->nr_frames)
				return malformed(r,
						 "p2m size %" PRIu64 " or max_pages %" PRIu64
						 " out of range for this host",
						 p->dom.p2m_size, p->dom.max_pages);
			break;
		case REC_P2M_FRAMES: {
			uint64_t count;

			if (!p->have_dom || p->have_frames || rh.length < 8)
				return malformed(r, "bad or misplaced p2m frames record");
			err = rd_at(r, body, &count, 8);
			if (err)
				return err;
			if (count != (p->dom.p2m_size + fpp - 1) / fpp ||
			    rh.length != 8 + count * 8)
				return malformed(r,
						 "p2m frames record: %" PRIu64
						 " frames for %" PRIu64 " pfns",
						 count, p->dom.p2m_size);
			p->have_frames = true;
			p->frames_pos = body + 8;
			p->nr_frames_rec = count;
			break;
		}
		case REC_PAGE_DATA: {
			uint32_t n, i, nd = 0;
			uint64_t e[64];

			if (!p->have_frames || rh.length < 8)
				return malformed(r, "bad or misplaced page record");
			err = rd_at(r, body, &n, 4);
			if (err)
				return err;
			if (n == 0 || n > BATCH || rh.length < 8 + (uint64_t)n * 8)
				return malformed(r, "page record with %u entries", n);
			for (i = 0; i < n; i++) {
				uint64_t pfn;

				if (i % 64 == 0) {
					err = rd_at(r, body + 8 + (uint64_t)i * 8, e,
						    XP_MIN(64U, n - i) * 8);
					if (err)
						return err;
				}
				if (e[i % 64] & ~PD_KNOWN_BITS ||
				    ((e[i % 64] >> PD_LEVEL_SHIFT) & PD_LEVEL_MASK) >
					    (sh.width == 8 ? 4U : 3U))
					return malformed(r, "bad page entry %#" PRIx64, e[i % 64]);
				pfn = e[i % 64] & PD_PFN_MASK;
				if (pfn >= p->dom.p2m_size || (any_pfn && pfn <= last_pfn))
					return malformed(
						r, "pfn %#" PRIx64 " out of range or out of order",
						pfn);
				any_pfn = true;
				last_pfn = pfn;
				if (e[i % 64] & PD_DATA)
					nd++;
				err = plan_add_pfn(p, pfn);
				if (err)
					return err;
				p->nr_present++;
			}
			if (rh.length != 8 + (uint64_t)n * 8 + (uint64_t)nd * SIM_PAGE_SIZE)
				return malformed(r,
						 "page record length %" PRIu64
						 " does not match its %u pages",
						 rh.length, nd);
			if (p->nr_present > p->dom.max_pages)
				return malformed(r, "more pages than the domain's max_pages");
			break;
		}
		case REC_SHARED_INFO:
			if (p->have_shinfo || rh.length != SIM_PAGE_SIZE)
				return malformed(r, "bad or repeated shared_info record");
			p->have_shinfo = true;
			p->shinfo_pos = body;
			break;
		case REC_VCPU: {
			struct rec_vcpu v;

			if (rh.length != sizeof(v))
				return malformed(r, "bad vcpu record");
			err = rd_at(r, body, &v, sizeof(v));
			if (err)
				return err;
			if (!p->have_dom || v.vcpu >= p->dom.nr_vcpus)
				return malformed(r, "vcpu record for vcpu %u", v.vcpu);
			if (v.vcpu == 0) {
				p->vcpu = v;
				p->have_vcpu = true;
			}
			break;
		}
		case REC_END:
			if (rh.length != 0)
				return malformed(r, "bad end record");
			end = true;
			break;
		default:
			return malformed(r, "unknown record type %u at offset %" PRIu64, rh.type,
					 r->pos);
		}
		r->pos = body + sim_round_up(rh.length, 8);
		if (r->pos > r->size)
			return malformed(r, "truncated at offset %" PRIu64, r->size);
	}
	if (r->pos != r->size)
		return malformed(r, "%" PRIu64 " bytes of garbage after the end record",
				 r->size - r->pos);
	if (!p->have_dom || !p->have_frames || !p->have_shinfo || !p->have_vcpu)
		return malformed(r, "missing %s record",
				 !p->have_dom	   ? "domain"
				 : !p->have_frames ? "p2m frames"
				 : !p->have_shinfo ? "shared_info"
						   : "vcpu0");
	if (p->nr_present == 0)
		return malformed(r, "no pages");
	return NULL;
}

struct restorer {
	struct sim_host *h;
	struct sim_domain *d;
	struct reader *r;
	struct plan *p;
	struct sim_runs runs; /* pfn -> new mfn */
	unsigned int width, fpp;
	uint64_t console, store; /* the rings' new frames */
};

static uint64_t new_mfn(struct restorer *rs, uint64_t pfn)
{
	return sim_runs_lookup(&rs->runs, pfn);
}

static struct xp_error *localise(struct restorer *rs, uint64_t pfn, uint64_t *pte,
				 unsigned int level)
{
	unsigned int i;

	for (i = 0; i < SIM_PAGE_SIZE / 8; i++) {
		uint64_t ref, mfn;

		if (rs->width == 8 && level == 4 && i >= L4_XEN_FIRST && i <= L4_XEN_LAST)
			continue;
		if (!(pte[i] & PTE_PRESENT))
			continue;
		ref = (pte[i] & PTE_ADDR_MASK) >> SIM_PAGE_SHIFT;
		mfn = ref < rs->p->dom.p2m_size ? new_mfn(rs, ref) : ~0ULL;
		if (mfn == ~0ULL)
			return malformed(rs->r,
					 "L%u table at pfn %#" PRIx64 " names pfn %#" PRIx64
					 " (entry %u), not in the stream",
					 level, pfn, ref, i);
		pte[i] = (pte[i] & ~PTE_ADDR_MASK) | (mfn << SIM_PAGE_SHIFT);
	}
	return NULL;
}

/* Pass 2: the pages. */
static struct xp_error *restore_pages(struct restorer *rs, unsigned int delay_us)
{
	struct reader *r = rs->r;
	struct xp_error *err;
	uint64_t pos = sizeof(struct save_header);
	uint64_t *e = malloc(BATCH * sizeof(*e));

	if (!e)
		return xp_error_nomem();
	for (;;) {
		struct rec_header rh;
		uint64_t body, data;
		uint32_t n, i;

		err = rd_at(r, pos, &rh, sizeof(rh));
		if (err || rh.type == REC_END)
			break;
		body = pos + sizeof(rh);
		pos = body + sim_round_up(rh.length, 8);
		if (rh.type != REC_PAGE_DATA)
			continue;
		err = rd_at(r, body, &n, 4);
		if (!err && (n == 0 || n > BATCH))
			err = malformed(r, "page record with %u entries", n);
		if (!err)
			err = rd_at(r, body + 8, e, (uint64_t)n * 8);
		if (err)
			break;
		data = body + 8 + (uint64_t)n * 8;
		for (i = 0; i < n && !err; i++) {
			uint64_t pfn = e[i] & PD_PFN_MASK, mfn = new_mfn(rs, pfn);
			unsigned int level =
				(unsigned int)((e[i] >> PD_LEVEL_SHIFT) & PD_LEVEL_MASK);
			uint8_t *page = sim_frame_ptr(rs->h, mfn);

			if (e[i] & PD_DATA) {
				err = rd_at(r, data, page, SIM_PAGE_SIZE);
				data += SIM_PAGE_SIZE;
				if (!err)
					sim_frame_mark_written(rs->h, mfn);
				if (!err && level)
					err = localise(rs, pfn, (uint64_t *)page, level);
			}
			if (!err && level)
				rs->h->frames[mfn].type =
					(uint8_t)((rs->h->frames[mfn].type & ~SIM_FT_PIN_MASK) |
						  level);
		}
		if (delay_us)
			usleep(delay_us);
		/* a signal ends the restore between batches: the domain goes */
		if (!err && xp_signal_pending())
			err = xp_signal_error();
		if (err)
			break;
	}
	free(e);
	return err;
}

/* What the toolstack's update of the guest p2m does: new MFNs into the leaves. */
static struct xp_error *restore_p2m_leaves(struct restorer *rs)
{
	struct plan *p = rs->p;
	uint64_t k, chunk = 512, done = 0;
	uint64_t *pfns = malloc(chunk * sizeof(*pfns));
	size_t run = 0;
	struct xp_error *err = NULL;

	if (!pfns)
		return xp_error_nomem();
	for (k = 0; k < p->nr_frames_rec && !err; k++) {
		uint64_t first = k * rs->fpp, i, mfn;
		uint8_t *leaf;

		if (k % chunk == 0) {
			done = XP_MIN(chunk, p->nr_frames_rec - k);
			err = rd_at(rs->r, p->frames_pos + k * 8, pfns, done * 8);
			if (err)
				break;
		}
		mfn = pfns[k % chunk] < p->dom.p2m_size ? new_mfn(rs, pfns[k % chunk]) : ~0ULL;
		if (mfn == ~0ULL) {
			err = malformed(rs->r,
					"p2m frame %" PRIu64 " is pfn %#" PRIx64
					", not in the stream",
					k, pfns[k % chunk]);
			break;
		}
		leaf = sim_frame_ptr(rs->h, mfn);
		sim_frame_mark_written(rs->h, mfn);
		for (i = 0; i < rs->fpp; i++) {
			uint64_t pfn = first + i, v = ~0ULL;

			while (run < rs->runs.n && rs->runs.v[run].pfn + rs->runs.v[run].len <= pfn)
				run++;
			if (run < rs->runs.n && pfn >= rs->runs.v[run].pfn) {
				const struct sim_run *x = &rs->runs.v[run];

				v = x->dir > 0 ? x->mfn + (pfn - x->pfn) : x->mfn - (pfn - x->pfn);
			}
			if (rs->width == 8)
				((uint64_t *)leaf)[i] = v;
			else
				((uint32_t *)leaf)[i] = (uint32_t)v;
		}
	}
	free(pfns);
	return err;
}

static struct xp_error *restore_start_info(struct restorer *rs)
{
	struct sim_domain *d = rs->d;
	uint64_t pfn = rs->p->vcpu.start_info_pfn, mfn, store, console;
	void *si_page;

	mfn = pfn < rs->p->dom.p2m_size ? new_mfn(rs, pfn) : ~0ULL;
	if (mfn == ~0ULL || !(rs->h->frames[mfn].type & SIM_FT_WRITTEN))
		return malformed(rs->r, "start_info pfn %#" PRIx64 " has no contents", pfn);
	si_page = sim_frame_ptr(rs->h, mfn);
	if (rs->width == 8) {
		struct start_info_x86_64 *si = si_page;

		store = si->store_mfn < rs->p->dom.p2m_size ? new_mfn(rs, si->store_mfn) : ~0ULL;
		console = si->console.domU.mfn < rs->p->dom.p2m_size
				  ? new_mfn(rs, si->console.domU.mfn)
				  : ~0ULL;
		if (store == ~0ULL || console == ~0ULL)
			return malformed(rs->r,
					 "start_info names store pfn %#" PRIx64
					 " / console pfn %#" PRIx64 " not in the stream",
					 (uint64_t)si->store_mfn, (uint64_t)si->console.domU.mfn);
		si->store_mfn = store;
		si->console.domU.mfn = console;
		si->shared_info = d->shared_info_mfn << SIM_PAGE_SHIFT;
	} else {
		struct start_info_x86_32 *si = si_page;

		store = si->store_mfn < rs->p->dom.p2m_size ? new_mfn(rs, si->store_mfn) : ~0ULL;
		console = si->console.domU.mfn < rs->p->dom.p2m_size
				  ? new_mfn(rs, si->console.domU.mfn)
				  : ~0ULL;
		if (store == ~0ULL || console == ~0ULL)
			return malformed(rs->r,
					 "start_info names store pfn %#x / console pfn %#x "
					 "not in the stream",
					 si->store_mfn, si->console.domU.mfn);
		si->store_mfn = (uint32_t)store;
		si->console.domU.mfn = (uint32_t)console;
		si->shared_info = (uint32_t)(d->shared_info_mfn << SIM_PAGE_SHIFT);
	}
	sim_domtab_begin(rs->h);
	d->start_info_mfn = mfn;
	sim_domtab_end(rs->h);
	rs->console = console;
	rs->store = store;
	return NULL;
}

struct xp_error *sim_restore(struct sim_host *h, int fd, const struct sim_restore_args *args,
			     struct sim_domain **out)
{
	struct reader r = {.fd = fd, .what = "save file"};
	struct plan p;
	struct restorer rs = {.h = h, .r = &r, .p = &p};
	struct sim_domain *d = NULL;
	struct xp_error *err;
	uint8_t *shinfo;
	struct stat st;
	uint64_t cr3;
	size_t i;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return xp_error_create(XP_ERR_IO, EINVAL, "the save file must be a regular file");
	r.size = (uint64_t)st.st_size;
	err = restore_plan(h, &r, &p);
	if (err)
		goto out;
	rs.width = p.dom.width;
	rs.fpp = (unsigned int)(SIM_PAGE_SIZE / rs.width);
	if (p.nr_present + 1 > h->hdr->free_frames) {
		err = xp_error_create(XP_ERR_INVALID, ENOMEM,
				      "out of host memory: %" PRIu64 " pages wanted, %" PRIu64
				      " free",
				      p.nr_present + 1, h->hdr->free_frames);
		goto out;
	}
	err = sim_domain_new(h, args->name ? args->name : p.dom.name, false, &d);
	if (err)
		goto out;
	rs.d = d;
	sim_domtab_begin(h);
	memcpy(d->handle, p.dom.handle, sizeof(d->handle));
	d->width = p.dom.width;
	d->nr_vcpus = p.dom.nr_vcpus;
	d->layout = p.dom.layout;
	d->variant = p.dom.variant;
	d->gnttab_config = p.dom.gnttab_version;
	d->seed = p.dom.seed;
	d->identity_start = p.dom.identity_start;
	d->identity_end = p.dom.identity_end;
	d->max_pages = p.dom.max_pages;
	d->nr_pfns = p.dom.nr_pfns;
	sim_domtab_end(h);
	/* a new host position: the allocation pattern differs from the source's */
	sim_alloc_seed(d, p.dom.seed ^ (d->create_seq * 0x9e3779b97f4a7c15ULL));

	for (i = 0; i < p.ranges.n && !err; i++)
		err = sim_populate_bulk(h, d, p.ranges.v[i].pfn, p.ranges.v[i].len, &rs.runs);
	if (!err)
		err = sim_alloc_xenheap(h, d, &d->shared_info_mfn);
	if (err)
		goto fail;
	/* shared_info: the source's copy, arch block stale, frame list list zeroed */
	shinfo = sim_frame_ptr(h, d->shared_info_mfn);
	err = rd_at(&r, p.shinfo_pos, shinfo, SIM_PAGE_SIZE);
	if (err)
		goto fail;
	sim_frame_mark_written(h, d->shared_info_mfn);
	sim_shinfo_reset_for_restore(shinfo, rs.width);

	err = restore_pages(&rs, args->delay_us);
	if (!err)
		err = restore_p2m_leaves(&rs);
	if (!err)
		err = restore_start_info(&rs);
	/* a fresh grant table: the toolstack seeds only the rings' entries */
	if (!err)
		err = sim_gnttab_create(h, d);
	if (!err)
		err = sim_gnttab_seed(h, d, rs.console, rs.store);
	if (err)
		goto fail;
	cr3 = p.vcpu.cr3_pfn < p.dom.p2m_size ? new_mfn(&rs, p.vcpu.cr3_pfn) : ~0ULL;
	if (cr3 == ~0ULL || (h->frames[cr3].type & SIM_FT_PIN_MASK) != (rs.width == 8 ? 4U : 3U)) {
		err = malformed(
			&r, "vcpu0's cr3 (pfn %#" PRIx64 ") is not a pinned top-level page table",
			p.vcpu.cr3_pfn);
		goto fail;
	}
	sim_domtab_begin(h);
	d->vcpu_cr3[0] = cr3;
	d->pending = SIM_PENDING_RESUME;
	sim_domtab_end(h);
	sim_runs_free(&rs.runs);
	sim_runs_free(&p.ranges);
	if (!args->paused) {
		err = sim_domain_unpause(h, d);
		if (err)
			return err; /* the domain stays, as a crashed guest would */
	}
	*out = d;
	return NULL;

fail:
	sim_domain_destroy(h, d);
out:
	sim_runs_free(&rs.runs);
	sim_runs_free(&p.ranges);
	return err;
}

/* ------------------------------------------------------------- migrate */

static int open_scratch(const char *near)
{
	char *copy = strdup(near), *dir, *tmpl = NULL;
	const char *tmp = getenv("TMPDIR");
	int fd = -1;

	if (copy) {
		dir = dirname(copy);
		fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		free(copy);
	}
	if (fd >= 0)
		return fd;
	if (asprintf(&tmpl, "%s/xenp2m-sim-migrate.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return -1;
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl);
	free(tmpl);
	return fd;
}

struct xp_error *sim_migrate(struct sim_host *h, struct sim_domain *d, unsigned int delay_us,
			     struct sim_domain **out)
{
	struct sim_restore_args ra = {.paused = true, .delay_us = delay_us};
	char name[SIM_NAME_LEN], incoming[SIM_NAME_LEN];
	bool was_paused = d->flags & SIM_DOMF_PAUSED;
	struct sim_domain *nd = NULL;
	struct xp_error *err;
	int fd;

	*out = NULL;
	if (d->flags & SIM_DOMF_PRIVILEGED)
		return xp_error_create(XP_ERR_INVALID, EPERM, "domain 0 cannot be migrated");
	fd = open_scratch(h->path);
	if (fd < 0)
		return xp_error_create(XP_ERR_IO, errno, "cannot create a migration stream: %s",
				       strerror(errno));
	memcpy(name, d->name, sizeof(name));
	err = sim_save(h, d, fd, delay_us);
	if (err)
		goto undo;
	if (delay_us)
		usleep(delay_us);
	/* xl names the incoming domain NAME--incoming until the source is gone */
	snprintf(incoming, sizeof(incoming), "%.*s--incoming", (int)(SIM_NAME_LEN - 12), name);
	ra.name = incoming;
	err = sim_restore(h, fd, &ra, &nd);
	if (err)
		goto undo;
	close(fd);
	if (delay_us)
		usleep(delay_us);
	sim_domain_destroy(h, d);
	err = sim_domain_rename(h, nd, name);
	if (err)
		return err;
	if (delay_us)
		usleep(delay_us);
	err = sim_domain_unpause(h, nd);
	if (err)
		return err;
	*out = nd;
	return NULL;

undo:
	close(fd);
	/* the source carries on, as after a failed xl migrate */
	if (!was_paused)
		sim_domain_set_flags(h, d, 0, SIM_DOMF_PAUSED);
	return err;
}
