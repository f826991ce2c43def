/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated Xen host: host file, frame allocator, the hypercall layer
 * the guest kernel runs against, the domain builder, save/restore and fault
 * injection.  The xenp2m-sim tool (xenp2m-sim.c) is a thin CLI over this.
 */
#ifndef XP_SIM_H
#define XP_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "guest/gk.h"
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

/* ---- the hypervisor as the guest sees it (hv.c) ---- */

struct sim_guest {
	struct gk_hv hv;
	struct sim_host *h;
	struct sim_domain *d;
	/* boot_mfn(): the builder's runs while it is still running, else a
	 * table of the pfns below the image's free_pfn found in the M2P */
	const struct sim_runs *boot_runs;
	uint64_t *boot_mfns;
	uint64_t nr_boot_mfns;
	/* the first "BUG" line the guest printed during the call, if any */
	char oops[160];
};

void sim_guest_init(struct sim_guest *g, struct sim_host *h, struct sim_domain *d);
void sim_guest_fini(struct sim_guest *g);
/* The guest's configuration, as stored in the domain table. */
void sim_domain_config(const struct sim_domain *d, struct gk_config *cfg);

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

/* ---- domains (build.c) ---- */

struct sim_create_args {
	const char *name;
	uint64_t memory;    /* bytes */
	uint64_t maxmem;    /* bytes; 0: = memory */
	unsigned int width; /* 8 or 4 */
	enum gk_layout layout;
	enum gk_variant variant;
	uint64_t seed;
	unsigned int gnttab_version; /* what the guest kernel asks for: 1 or 2 (0: 1) */
	bool paused;
	bool dom0; /* domid 0, privileged, with an identity range */
};

struct xp_error *sim_domain_create(struct sim_host *h, const struct sim_create_args *args,
				   struct sim_domain **out);
/* Allocate a domain slot and domid (not yet visible: state set by caller). */
struct xp_error *sim_domain_new(struct sim_host *h, const char *name, bool dom0,
				struct sim_domain **out);
void sim_domain_destroy(struct sim_host *h, struct sim_domain *d);
void sim_domain_pause(struct sim_host *h, struct sim_domain *d);
/* Unpause; runs the guest's pending boot or resume path. */
struct xp_error *sim_domain_unpause(struct sim_host *h, struct sim_domain *d);
struct xp_error *sim_domain_mem_set(struct sim_host *h, struct sim_domain *d, uint64_t bytes,
				    unsigned int delay_us);
/* The guest's grant driver grants @count of its pages to @to (gk_grant()). */
struct xp_error *sim_domain_grant(struct sim_host *h, struct sim_domain *d, uint16_t to,
				  bool readonly, unsigned int count, uint32_t *refs);
/* ... and ends one of those grants (gk_ungrant()). */
struct xp_error *sim_domain_ungrant(struct sim_host *h, struct sim_domain *d, uint32_t ref);
void sim_domain_set_flags(struct sim_host *h, struct sim_domain *d, uint32_t set, uint32_t clear);
struct xp_error *sim_domain_rename(struct sim_host *h, struct sim_domain *d, const char *name);
const char *sim_domain_state_str(const struct sim_domain *d, char buf[7]);

/* ---- save / restore / migrate (save.c) ---- */

struct sim_restore_args {
	bool paused;
	const char *name; /* NULL: the name in the stream */
	unsigned int delay_us;
};

/*
 * Save @d into @fd (libxenguest's save path, with its checks).  The
 * guest's suspend path runs first; when the save fails it carries on
 * (sim_suspend_cancel()), and a caller keeping the domain after a
 * successful save (a checkpoint) must call sim_suspend_cancel() itself.
 */
struct xp_error *sim_save(struct sim_host *h, struct sim_domain *d, int fd, unsigned int delay_us);
struct xp_error *sim_suspend_cancel(struct sim_host *h, struct sim_domain *d);
struct xp_error *sim_restore(struct sim_host *h, int fd, const struct sim_restore_args *args,
			     struct sim_domain **out);
struct xp_error *sim_migrate(struct sim_host *h, struct sim_domain *d, unsigned int delay_us,
			     struct sim_domain **out);

/* ---- grant tables, the hypervisor's side (grant.c) ---- */

/* A grant entry as the hypervisor reads it, whatever the table's version. */
struct sim_gnt_entry {
	uint16_t flags; /* v1: with GTF_reading/GTF_writing; v2: the header's */
	uint16_t domid;
	uint16_t status; /* GTF_reading/GTF_writing (v2: the status frame's) */
	uint64_t frame;
};

/* The table a domain gets when it is created: version 1, one frame. */
struct xp_error *sim_gnttab_create(struct sim_host *h, struct sim_domain *d);
/* At destruction: release every mapping @d holds and every mapping of its
 * grants, and Xen's bookkeeping frames. */
void sim_gnttab_destroy(struct sim_host *h, struct sim_domain *d);
/* Xen's meta frame of @d's table; NULL when it has none. */
struct sim_gnt_meta *sim_gnttab_meta(struct sim_host *h, const struct sim_domain *d);
unsigned int sim_gnttab_nr_entries(const struct sim_domain *d);
/* MFN of shared (or status) frame @i; SIM_INVALID_MFN beyond the table. */
uint64_t sim_gnttab_frame(struct sim_host *h, const struct sim_domain *d, bool status,
			  unsigned int i);
/* Grow to @nr frames (never shrinks): 0, -EINVAL beyond the maximum, -ENOMEM. */
int sim_gnttab_grow(struct sim_host *h, struct sim_domain *d, unsigned int nr);
/* GNTTABOP_set_version: 0, -EINVAL, -EBUSY (a grant beyond the reserved
 * ones is mapped), -ERANGE (a reserved v2 entry has no v1 form). */
int sim_gnttab_set_version(struct sim_host *h, struct sim_domain *d, unsigned int version);
/* Read / write entry @ref directly (the toolstack, fault injection): -ENOENT. */
int sim_gnttab_get_entry(struct sim_host *h, const struct sim_domain *d, uint32_t ref,
			 struct sim_gnt_entry *e);
int sim_gnttab_put_entry(struct sim_host *h, struct sim_domain *d, uint32_t ref,
			 const struct sim_gnt_entry *e);
/*
 * The toolstack at build and restore: entries 0 and 1 grant the console
 * and xenstore rings to domain 0, the rings are recorded (toolstack_rings),
 * and dom0's xenconsoled and xenstored map them.
 */
struct xp_error *sim_gnttab_seed(struct sim_host *h, struct sim_domain *d, uint64_t console,
				 uint64_t store);
/*
 * GNTTABOP_map_grant_ref by @mapper of grant @ref of domain @granter,
 * @flags SIM_GNTMAP_*; with SIM_GNTMAP_HOST the PTE for @host_addr in
 * @mapper's page tables is pointed at the frame.  The handle and the
 * frame come back.
 */
struct xp_error *sim_gnttab_map(struct sim_host *h, struct sim_domain *mapper, uint32_t granter,
				uint32_t ref, uint32_t flags, uint64_t host_addr, uint32_t *handle,
				uint64_t *mfn);
/* GNTTABOP_unmap_grant_ref: a host mapping's PTE is cleared. */
struct xp_error *sim_gnttab_unmap(struct sim_host *h, struct sim_domain *mapper, uint32_t handle);
/* GNTTABOP_unmap_and_replace: the PTE for @new_addr moves to the host
 * mapping's address in one store, and @new_addr's is cleared. */
struct xp_error *sim_gnttab_unmap_and_replace(struct sim_host *h, struct sim_domain *mapper,
					      uint32_t handle, uint64_t new_addr);
/* The mapping behind @handle: -ENOENT when it is free. */
int sim_gnttab_get_map(struct sim_host *h, const struct sim_domain *mapper, uint32_t handle,
		       struct sim_gnt_map *out);
/* One of @mapper's mappings of (@granter, @ref), the highest handle: -ENOENT. */
int sim_gnttab_find_map(struct sim_host *h, const struct sim_domain *mapper, uint32_t granter,
			uint32_t ref, uint32_t *handle);
/* Does @mapper hold a mapping of frame @mfn (a writable one if @write)? */
bool sim_gnttab_mapped_frame(struct sim_host *h, const struct sim_domain *mapper, uint64_t mfn,
			     bool write);
/* The L1 entry for @va in @d's page tables (vcpu0's cr3): 0, -ENOENT, -EFAULT. */
int sim_guest_pte(struct sim_host *h, const struct sim_domain *d, uint64_t va, uint64_t **pte);

/* ---- fault injection (corrupt.c) ---- */

struct sim_corrupt_args {
	const char *kind;
	bool has_index, has_pfn, has_pages, has_ref;
	uint64_t index, pfn, pages, ref;
};

struct sim_corrupt_kind {
	const char *name;
	const char *args; /* "[--index I]" ... */
	const char *summary;
};

extern const struct sim_corrupt_kind sim_corrupt_kinds[];
extern const unsigned int sim_nr_corrupt_kinds;

/* Apply one fault; @msg (one line) says what changed. */
struct xp_error *sim_corrupt(struct sim_host *h, struct sim_domain *d,
			     const struct sim_corrupt_args *args, char *msg, size_t msg_len);

#endif
