/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated Xen host, the hypervisor's side: the host file (format in
 * hostfmt.h), its frames and their allocator, the M2P, the domain table and
 * shared_info.  What the sim backend reads and the toolstack changes; it
 * knows nothing of the guest kernel that runs on it (src/sim/toolstack/).
 */
#ifndef XP_SIM_HOST_H
#define XP_SIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "sim/hostfmt.h"

/* ---- host file (host.c) ---- */

struct sim_host {
	char *path;
	char *tmp_path; /* while being initialised: the file not yet linked in */
	int fd;
	uint8_t *base; /* the whole file, mapped shared read-write */
	uint64_t size;
	struct sim_host_header *hdr;
	struct sim_domain *doms;
	struct sim_chunk *chunks;
	struct sim_frame *frames;
	uint64_t *m2p;
	uint8_t *mem;
	uint64_t nr_frames;
	bool readonly;		   /* opened without the lock, mapped read-only */
	bool verbose;		   /* echo guest console lines on stderr */
	unsigned int domtab_depth; /* nesting of sim_domtab_begin() */
};

/*
 * Format a new host of @mem_bytes under a temporary name next to @path,
 * locked; sim_host_publish() links it in as @path once dom0 is built.
 * XP_ERR_EXISTS when @path exists.
 */
struct xp_error *sim_host_format(const char *path, uint64_t mem_bytes, struct sim_host **out);
struct xp_error *sim_host_publish(struct sim_host *h);
/*
 * Open an existing host and validate it: for changes (the exclusive lock,
 * mapped read-write) or, @readonly, as a reader (no lock, read-only).
 */
struct xp_error *sim_host_open(const char *path, bool readonly, struct sim_host **out);
/* Unmap, unlock, close (and remove an unpublished file).  NULL is fine. */
void sim_host_destroy(struct sim_host *h);

/* Seqlock write side around every change to the domain table. */
void sim_domtab_begin(struct sim_host *h);
void sim_domtab_end(struct sim_host *h);

struct sim_domain *sim_domain_by_id(struct sim_host *h, uint32_t domid);
struct sim_domain *sim_domain_by_name(struct sim_host *h, const char *name);
/* "NAME" or "DOMID"; XP_ERR_NODOMAIN names what was asked for. */
struct xp_error *sim_domain_lookup(struct sim_host *h, const char *what, struct sim_domain **out);

static inline void *sim_frame_ptr(struct sim_host *h, uint64_t mfn)
{
	return h->mem + (mfn << SIM_PAGE_SHIFT);
}

static inline bool sim_frame_owned(struct sim_host *h, const struct sim_domain *d, uint64_t mfn)
{
	return mfn < h->nr_frames &&
	       sim_frame_owner(h->chunks, h->frames, mfn) == SIM_OWNER(d->domid);
}

static inline void sim_frame_mark_written(struct sim_host *h, uint64_t mfn)
{
	if (!(h->frames[mfn].type & SIM_FT_WRITTEN))
		h->frames[mfn].type |= SIM_FT_WRITTEN;
}

/* ---- the domain table (domain.c) ---- */

/* Allocate a domain slot and domid (not yet visible: state set by caller). */
struct xp_error *sim_domain_new(struct sim_host *h, const char *name, bool dom0,
				struct sim_domain **out);
/* Tear a domain down: its grant table's mappings, its frames, its slot. */
void sim_domain_destroy(struct sim_host *h, struct sim_domain *d);
void sim_domain_pause(struct sim_host *h, struct sim_domain *d);
void sim_domain_set_flags(struct sim_host *h, struct sim_domain *d, uint32_t set, uint32_t clear);
struct xp_error *sim_domain_rename(struct sim_host *h, struct sim_domain *d, const char *name);
const char *sim_domain_state_str(const struct sim_domain *d, char buf[7]);

/* ---- frame allocator (alloc.c) ---- */

/* A run of pfns backed by consecutive MFNs, ascending (dir 1) or descending (-1). */
struct sim_run {
	uint64_t pfn; /* first pfn */
	uint64_t mfn; /* the MFN of the first pfn */
	uint64_t len;
	int dir;
};

struct sim_runs {
	struct sim_run *v;
	size_t n, cap;
};

uint64_t sim_rng_next(uint64_t *state);
/* Frames @d may get are below this MFN. */
uint64_t sim_alloc_limit(const struct sim_host *h, const struct sim_domain *d);
/* Start @d's allocation pattern from @seed (runs, direction, scatter). */
void sim_alloc_seed(struct sim_domain *d, uint64_t seed);
/*
 * XENMEM_populate_physmap for pfns [pfn, pfn + count) in bulk: M2P set,
 * tot_pages counted.  The runs are appended to @runs when it is not NULL.
 * Fails (allocating nothing) past max_pages or when the host is full.
 */
struct xp_error *sim_populate_bulk(struct sim_host *h, struct sim_domain *d, uint64_t pfn,
				   uint64_t count, struct sim_runs *runs);
/* One page: 0, -ENOMEM (past max_pages or host full). */
int sim_populate_one(struct sim_host *h, struct sim_domain *d, uint64_t pfn, uint64_t *mfn);
/* A Xen page shared with @d (shared_info): owned by @d, not counted, M2P invalid. */
struct xp_error *sim_alloc_xenheap(struct sim_host *h, struct sim_domain *d, uint64_t *mfn);
/* The same, at or after @hint, leaving @d's allocation pattern alone. */
struct xp_error *sim_alloc_xenheap_near(struct sim_host *h, struct sim_domain *d, uint64_t hint,
					uint64_t *mfn);
/* Give back a Xen page shared with @d (a status frame): 0 or -EPERM. */
int sim_free_xenheap(struct sim_host *h, struct sim_domain *d, uint64_t mfn);
/* A frame for Xen's own bookkeeping (owned by DOMID_XEN), at or after @hint. */
struct xp_error *sim_alloc_xen_frame(struct sim_host *h, uint64_t hint, uint64_t *mfn);
void sim_free_xen_frame(struct sim_host *h, uint64_t mfn);
/* Give back one of @d's frames; its M2P entry is left stale, as Xen does. */
int sim_free_frame(struct sim_host *h, struct sim_domain *d, uint64_t mfn);
/* Give back every frame @d owns. */
void sim_free_domain_frames(struct sim_host *h, struct sim_domain *d);
/* A free frame at or after @pos (wrapping): 0 or -ENOMEM. */
int sim_find_free_frame(struct sim_host *h, uint64_t pos, uint64_t *mfn);
/* Reserve frames [first, first + count) for Xen itself (at format time). */
void sim_reserve_xen(struct sim_host *h, uint64_t first, uint64_t count);
void sim_runs_free(struct sim_runs *r);
/* pfn -> mfn through a sorted run list; ~0 when not covered. */
uint64_t sim_runs_lookup(const struct sim_runs *r, uint64_t pfn);

/* ---- shared_info's arch block (shinfo.c) ---- */

enum sim_arch_field {
	SIM_ARCH_MAX_PFN,
	SIM_ARCH_FLL, /* pfn_to_mfn_frame_list_list */
	SIM_ARCH_P2M_CR3,
	SIM_ARCH_P2M_VADDR,
	SIM_ARCH_P2M_GENERATION,
	SIM_ARCH_NR,
};

size_t sim_arch_offset(unsigned int width, enum sim_arch_field f);
const char *sim_arch_field_name(enum sim_arch_field f);
uint64_t sim_arch_get(const void *shinfo, unsigned int width, enum sim_arch_field f);
void sim_arch_set(void *shinfo, unsigned int width, enum sim_arch_field f, uint64_t v);
uint64_t sim_cr3_to_mfn(unsigned int width, uint64_t cr3);
uint64_t sim_mfn_to_cr3(unsigned int width, uint64_t mfn);
void sim_shinfo_reset_for_restore(void *shinfo, unsigned int width);

#endif
