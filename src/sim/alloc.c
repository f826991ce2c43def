// SPDX-License-Identifier: GPL-2.0
/*
 * The host's frame allocator.
 *
 * Like Xen's heap, it hands out runs of consecutive machine frames.  A
 * domain allocates from a cursor that moves through the host; its seed
 * decides the runs' lengths, their direction (a run may back ascending pfns
 * with descending MFNs, as seen on a real guest), small gaps between runs
 * and the occasional jump elsewhere, so that MFNs are not a simple function
 * of pfns yet every run is reproducible.  Ownership lives in the per-frame
 * table, except for chunks a domain took whole (SIM_CHUNK_WHOLE); a
 * per-chunk summary lets searches and domain destruction skip the free and
 * foreign parts of a multi-TiB host.
 *
 * Freeing leaves M2P entries stale, as Xen does, and punches the frame's
 * contents out of the file (Xen scrubs freed pages; the file stays sparse).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "sim/host.h"

uint64_t sim_rng_next(uint64_t *state)
{
	/* splitmix64 */
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t sim_alloc_limit(const struct sim_host *h, const struct sim_domain *d)
{
	/* Xen keeps a 32-bit PV guest's memory below 128 GiB (its compat M2P). */
	if (d->width == 4)
		return XP_MIN(h->nr_frames, (128ULL << 30) >> SIM_PAGE_SHIFT);
	return h->nr_frames;
}

void sim_alloc_seed(struct sim_domain *d, uint64_t seed)
{
	d->alloc_rng = seed ^ ((uint64_t)d->domid * 0xd1342543de82ef95ULL) ^ 0x5851f42d4c957f2dULL;
	sim_rng_next(&d->alloc_rng);
	/* where the domain starts in the host: chosen on its first run */
	d->alloc_next = ~0ULL;
	d->alloc_left = 0;
	d->alloc_dir = 1;
}

static unsigned int ilog2_u64(uint64_t v)
{
	unsigned int r = 0;

	while (v >>= 1)
		r++;
	return r;
}

/* Run length: longer runs for larger requests, as Xen's buddy allocator gives. */
static uint64_t pick_run_len(uint64_t *rng, uint64_t total)
{
	unsigned int max_e = ilog2_u64(total ? total : 1) / 2 + 3;
	unsigned int e;

	max_e = XP_MAX(4U, XP_MIN(16U, max_e));
	e = (unsigned int)(sim_rng_next(rng) % (max_e + 1));
	return 1 + sim_rng_next(rng) % (1ULL << e);
}

/* Where the next run starts looking: after the cursor, a gap, or elsewhere. */
static uint64_t pick_start(struct sim_host *h, struct sim_domain *d, uint64_t limit)
{
	uint64_t r = sim_rng_next(&d->alloc_rng);

	if (d->alloc_next >= limit || r % 32 == 0)
		return sim_rng_next(&d->alloc_rng) % limit; /* scatter */
	if (r % 8 == 1)
		return d->alloc_next + 1 + (r >> 8) % 64; /* a small gap */
	return d->alloc_next;
}

static inline bool frame_free(struct sim_host *h, uint64_t mfn)
{
	return h->chunks[mfn >> SIM_CHUNK_SHIFT].used < SIM_CHUNK_FRAMES &&
	       h->frames[mfn].owner == SIM_OWNER_FREE;
}

static void punch(struct sim_host *h, uint64_t off, uint64_t len)
{
	/* Best effort: a filesystem without hole punching keeps the old bytes
	 * on disk, so zero them the slow way. */
	if (fallocate(h->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) <
	    0)
		memset(h->base + off, 0, len);
}

/*
 * Claim [mfn, mfn + len) for @owner.  The caller checked that every frame
 * is free.  Whole chunks are claimed in the chunk summary alone.
 */
static void claim(struct sim_host *h, uint16_t owner, uint64_t mfn, uint64_t len, uint8_t type)
{
	uint64_t end = mfn + len;

	h->hdr->free_frames -= len;
	while (mfn < end) {
		uint64_t c = mfn >> SIM_CHUNK_SHIFT;
		uint64_t stop = XP_MIN(end, (c + 1) << SIM_CHUNK_SHIFT);
		struct sim_chunk *ch = &h->chunks[c];
		uint64_t i;

		if (ch->used == 0 && stop - mfn == SIM_CHUNK_FRAMES && type == 0) {
			ch->used = SIM_CHUNK_FRAMES;
			__atomic_store_n(&ch->owner, (uint16_t)(owner | SIM_CHUNK_WHOLE),
					 __ATOMIC_RELEASE);
			mfn = stop;
			continue;
		}
		for (i = mfn; i < stop; i++) {
			h->frames[i].type = type;
			h->frames[i].refs = 0;
			__atomic_store_n(&h->frames[i].owner, owner, __ATOMIC_RELEASE);
		}
		if (ch->used == 0)
			ch->owner = owner;
		else if (ch->owner != owner)
			ch->owner = SIM_CHUNK_MIXED;
		ch->used = (uint16_t)(ch->used + (stop - mfn));
		mfn = stop;
	}
}

/* A whole chunk about to lose a frame: record its owner in every entry. */
static void split_whole(struct sim_host *h, uint64_t c)
{
	struct sim_chunk *ch = &h->chunks[c];
	uint16_t owner = (uint16_t)(ch->owner & ~SIM_CHUNK_WHOLE);
	uint64_t i, first = c << SIM_CHUNK_SHIFT;

	for (i = first; i < first + SIM_CHUNK_FRAMES; i++)
		__atomic_store_n(&h->frames[i].owner, owner, __ATOMIC_RELAXED);
	/* readers see the entries before the flag goes */
	__atomic_store_n(&ch->owner, owner, __ATOMIC_RELEASE);
}

/* Release one frame's bookkeeping (not its contents). */
static void release(struct sim_host *h, uint64_t mfn)
{
	uint64_t c = mfn >> SIM_CHUNK_SHIFT;
	struct sim_chunk *ch = &h->chunks[c];

	if (sim_chunk_whole(ch->owner))
		split_whole(h, c);
	__atomic_store_n(&h->frames[mfn].owner, (uint16_t)SIM_OWNER_FREE, __ATOMIC_RELEASE);
	h->frames[mfn].type = 0;
	h->frames[mfn].refs = 0;
	h->hdr->free_frames++;
	if (--ch->used == 0) {
		ch->owner = 0;
		/* the chunk's frame entries are all zero again: give the page back */
		punch(h, h->hdr->frametab_off + (c << SIM_PAGE_SHIFT), SIM_PAGE_SIZE);
	}
}

/*
 * The first free frame at or after @pos (wrapping around [0, @limit) once),
 * and how many free frames follow it, up to @want.
 */
static bool find_free(struct sim_host *h, uint64_t limit, uint64_t pos, uint64_t want,
		      uint64_t *start, uint64_t *len)
{
	uint64_t nc, c0, k;

	limit = XP_MIN(limit, h->nr_frames);
	nc = limit >> SIM_CHUNK_SHIFT;
	if (nc == 0)
		return false;
	pos %= limit;
	c0 = pos >> SIM_CHUNK_SHIFT;
	for (k = 0; k <= nc; k++) {
		uint64_t c = (c0 + k) % nc;
		uint64_t f = c << SIM_CHUNK_SHIFT, end = f + SIM_CHUNK_FRAMES, s, n;

		if (h->chunks[c].used >= SIM_CHUNK_FRAMES)
			continue;
		if (k == 0)
			f = pos;
		else if (k == nc)
			end = pos;
		if (h->chunks[c].used == 0) {
			s = f;
		} else {
			for (s = f; s < end && !frame_free(h, s); s++)
				;
			if (s == end)
				continue;
		}
		n = 1;
		while (n < want && s + n < limit) {
			uint64_t m = s + n;

			if (!(m & (SIM_CHUNK_FRAMES - 1)) &&
			    h->chunks[m >> SIM_CHUNK_SHIFT].used == 0) {
				n += XP_MIN(SIM_CHUNK_FRAMES, want - n);
				continue;
			}
			if (!frame_free(h, m))
				break;
			n++;
		}
		*start = s;
		*len = n;
		return true;
	}
	return false;
}

static struct xp_error *runs_push(struct sim_runs *r, const struct sim_run *run)
{
	struct sim_run *last = r->n ? &r->v[r->n - 1] : NULL, *v;

	if (last && last->dir == run->dir && last->pfn + last->len == run->pfn &&
	    last->mfn + (uint64_t)((int64_t)last->len * run->dir) == run->mfn) {
		/* the previous run just goes on */
		last->len += run->len;
		return NULL;
	}
	v = xp_grow(r->v, &r->cap, r->n + 1, sizeof(*v));
	if (!v)
		return xp_error_nomem();
	r->v = v;
	r->v[r->n++] = *run;
	return NULL;
}

void sim_runs_free(struct sim_runs *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

uint64_t sim_runs_lookup(const struct sim_runs *r, uint64_t pfn)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sim_run *x = &r->v[mid];

		if (pfn < x->pfn)
			hi = mid;
		else if (pfn >= x->pfn + x->len)
			lo = mid + 1;
		else
			return x->dir > 0 ? x->mfn + (pfn - x->pfn) : x->mfn - (pfn - x->pfn);
	}
	return ~0ULL;
}

static void set_tot_pages(struct sim_host *h, struct sim_domain *d, uint64_t tot)
{
	sim_domtab_begin(h);
	d->tot_pages = tot;
	sim_domtab_end(h);
}

/* M2P entries of a run, written through the file rather than page faults. */
static void write_m2p(struct sim_host *h, uint64_t mfn, uint64_t n, uint64_t pfn, int dir)
{
	uint64_t buf[2048], done = 0;

	while (done < n) {
		uint64_t k = XP_MIN(n - done, (uint64_t)XP_ARRAY_SIZE(buf)), i;
		size_t len = k * sizeof(uint64_t);

		for (i = 0; i < k; i++)
			buf[i] = dir > 0 ? pfn + done + i : pfn + n - 1 - (done + i);
		if (pwrite(h->fd, buf, len, (off_t)(h->hdr->m2p_off + (mfn + done) * 8)) !=
		    (ssize_t)len)
			memcpy(&h->m2p[mfn + done], buf, len);
		done += k;
	}
}

struct xp_error *sim_populate_bulk(struct sim_host *h, struct sim_domain *d, uint64_t pfn,
				   uint64_t count, struct sim_runs *runs)
{
	uint16_t owner = SIM_OWNER(d->domid);
	uint64_t left = count, limit = sim_alloc_limit(h, d);
	struct xp_error *err;

	if (count > d->max_pages || d->tot_pages > d->max_pages - count)
		return xp_error_create(XP_ERR_INVALID, ENOMEM,
				       "populating %llu pages would exceed the domain's limit of "
				       "%llu pages",
				       (unsigned long long)count, (unsigned long long)d->max_pages);
	if (count > h->hdr->free_frames)
		return xp_error_create(
			XP_ERR_INVALID, ENOMEM, "out of host memory: %llu pages wanted, %llu free",
			(unsigned long long)count, (unsigned long long)h->hdr->free_frames);
	while (left) {
		uint64_t want = pick_run_len(&d->alloc_rng, count);
		uint64_t pos = pick_start(h, d, limit);
		int dir = (sim_rng_next(&d->alloc_rng) & 1) ? 1 : -1;
		struct sim_run run;
		uint64_t s, n;

		want = XP_MIN(want, left);
		if (!find_free(h, limit, pos, want, &s, &n))
			return xp_error_create(XP_ERR_INVALID, ENOMEM, "out of host memory");
		claim(h, owner, s, n, 0);
		write_m2p(h, s, n, pfn, dir);
		d->alloc_next = s + n;
		run.pfn = pfn;
		run.mfn = dir > 0 ? s : s + n - 1;
		run.len = n;
		run.dir = dir;
		if (runs) {
			err = runs_push(runs, &run);
			if (err)
				return err;
		}
		set_tot_pages(h, d, d->tot_pages + n);
		pfn += n;
		left -= n;
	}
	/* single pages start a new run */
	d->alloc_left = 0;
	return NULL;
}

int sim_populate_one(struct sim_host *h, struct sim_domain *d, uint64_t pfn, uint64_t *mfn)
{
	uint64_t m;

	if (d->tot_pages >= d->max_pages || h->hdr->free_frames == 0)
		return -ENOMEM;
	if (d->alloc_left == 0 || d->alloc_next >= h->nr_frames || !frame_free(h, d->alloc_next)) {
		uint64_t limit = sim_alloc_limit(h, d);
		uint64_t want = pick_run_len(&d->alloc_rng, d->max_pages);
		uint64_t pos = pick_start(h, d, limit);
		int dir = (sim_rng_next(&d->alloc_rng) & 1) ? 1 : -1;
		uint64_t s, n;

		if (!find_free(h, limit, pos, want, &s, &n))
			return -ENOMEM;
		d->alloc_dir = dir;
		d->alloc_next = dir > 0 ? s : s + n - 1;
		d->alloc_left = n;
	}
	m = d->alloc_next;
	claim(h, SIM_OWNER(d->domid), m, 1, 0);
	h->m2p[m] = pfn;
	d->alloc_left--;
	d->alloc_next = (uint64_t)((int64_t)m + d->alloc_dir);
	set_tot_pages(h, d, d->tot_pages + 1);
	*mfn = m;
	return 0;
}

struct xp_error *sim_alloc_xenheap_near(struct sim_host *h, struct sim_domain *d, uint64_t hint,
					uint64_t *mfn)
{
	/* a 32-bit guest's start_info holds shared_info's address in 32 bits */
	uint64_t limit = d->width == 4 ? (4ULL << 30) >> SIM_PAGE_SHIFT : h->nr_frames;
	uint64_t s, n;

	if (!find_free(h, limit, hint, 1, &s, &n))
		return xp_error_create(XP_ERR_INVALID, ENOMEM, "out of host memory");
	claim(h, SIM_OWNER(d->domid), s, 1, SIM_FT_XENHEAP);
	h->m2p[s] = SIM_M2P_INVALID;
	*mfn = s;
	return NULL;
}

struct xp_error *sim_alloc_xenheap(struct sim_host *h, struct sim_domain *d, uint64_t *mfn)
{
	return sim_alloc_xenheap_near(h, d, sim_rng_next(&d->alloc_rng), mfn);
}

struct xp_error *sim_alloc_xen_frame(struct sim_host *h, uint64_t hint, uint64_t *mfn)
{
	uint64_t s, n;

	if (!find_free(h, h->nr_frames, hint, 1, &s, &n))
		return xp_error_create(XP_ERR_INVALID, ENOMEM, "out of host memory");
	claim(h, SIM_OWNER(SIM_DOMID_XEN), s, 1, 0);
	h->m2p[s] = SIM_M2P_INVALID;
	*mfn = s;
	return NULL;
}

void sim_free_xen_frame(struct sim_host *h, uint64_t mfn)
{
	if (mfn >= h->nr_frames ||
	    sim_frame_owner(h->chunks, h->frames, mfn) != SIM_OWNER(SIM_DOMID_XEN))
		return;
	if (h->frames[mfn].type & SIM_FT_WRITTEN)
		punch(h, h->hdr->mem_off + (mfn << SIM_PAGE_SHIFT), SIM_PAGE_SIZE);
	release(h, mfn);
}

int sim_free_xenheap(struct sim_host *h, struct sim_domain *d, uint64_t mfn)
{
	if (!sim_frame_owned(h, d, mfn) || !(h->frames[mfn].type & SIM_FT_XENHEAP))
		return -EPERM;
	if (h->frames[mfn].type & SIM_FT_WRITTEN)
		punch(h, h->hdr->mem_off + (mfn << SIM_PAGE_SHIFT), SIM_PAGE_SIZE);
	release(h, mfn);
	return 0;
}

int sim_free_frame(struct sim_host *h, struct sim_domain *d, uint64_t mfn)
{
	uint8_t type;

	if (!sim_frame_owned(h, d, mfn))
		return -EPERM;
	type = h->frames[mfn].type;
	if (type & SIM_FT_XENHEAP)
		return -EPERM;
	if (type & SIM_FT_PIN_MASK)
		return -EBUSY; /* still pinned as a page table */
	if (type & SIM_FT_WRITTEN)
		punch(h, h->hdr->mem_off + (mfn << SIM_PAGE_SHIFT), SIM_PAGE_SIZE);
	release(h, mfn);
	set_tot_pages(h, d, d->tot_pages - 1);
	return 0;
}

void sim_free_domain_frames(struct sim_host *h, struct sim_domain *d)
{
	uint16_t owner = SIM_OWNER(d->domid);
	uint64_t c;

	for (c = 0; c < h->hdr->nr_chunks; c++) {
		struct sim_chunk *ch = &h->chunks[c];
		uint64_t f, first = c << SIM_CHUNK_SHIFT, run = 0, run_start = 0;
		bool whole = sim_chunk_whole(ch->owner);

		if (ch->used == 0 || (ch->owner != owner && ch->owner != SIM_CHUNK_MIXED &&
				      ch->owner != (owner | SIM_CHUNK_WHOLE)))
			continue;
		for (f = first; f < first + SIM_CHUNK_FRAMES; f++) {
			bool mine = whole || h->frames[f].owner == owner;
			bool written = mine && (h->frames[f].type & SIM_FT_WRITTEN);

			/* punch the contents of runs of written frames in one go */
			if (written) {
				if (!run++)
					run_start = f;
			} else if (run) {
				punch(h, h->hdr->mem_off + (run_start << SIM_PAGE_SHIFT),
				      run << SIM_PAGE_SHIFT);
				run = 0;
			}
			if (!mine)
				continue;
			if (whole) {
				h->frames[f].type = 0;
				h->frames[f].refs = 0;
			} else {
				release(h, f);
			}
		}
		if (run)
			punch(h, h->hdr->mem_off + (run_start << SIM_PAGE_SHIFT),
			      run << SIM_PAGE_SHIFT);
		if (whole) {
			ch->used = 0;
			__atomic_store_n(&ch->owner, (uint16_t)0, __ATOMIC_RELEASE);
			h->hdr->free_frames += SIM_CHUNK_FRAMES;
			punch(h, h->hdr->frametab_off + (c << SIM_PAGE_SHIFT), SIM_PAGE_SIZE);
		}
	}
	set_tot_pages(h, d, 0);
}

int sim_find_free_frame(struct sim_host *h, uint64_t pos, uint64_t *mfn)
{
	uint64_t n;

	if (!find_free(h, h->nr_frames, pos, 1, mfn, &n))
		return -ENOMEM;
	return 0;
}

void sim_reserve_xen(struct sim_host *h, uint64_t first, uint64_t count)
{
	uint64_t i;

	claim(h, SIM_OWNER(SIM_DOMID_XEN), first, count, 0);
	for (i = first; i < first + count; i++)
		h->m2p[i] = SIM_M2P_INVALID;
}
