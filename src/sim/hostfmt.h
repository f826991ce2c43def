/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated host's file format: one file is one Xen host.
 *
 *	page 0		struct sim_host_header
 *	domtab_off	struct sim_domain[SIM_MAX_DOMAINS]
 *	chunktab_off	struct sim_chunk[nr_chunks]	(allocator summary)
 *	frametab_off	struct sim_frame[nr_frames]	(one 4 KiB page per chunk)
 *	m2p_off		uint64_t[nr_frames]		(machine_to_phys_mapping)
 *	mem_off		machine memory: frame N at mem_off + N * 4096
 *
 * The file is sparse: a hole reads as zeros, and every table is laid out
 * so that zero means "nothing here" (a free frame, an unused chunk, an
 * unused domain slot), so a host of several TiB and a 1 TiB guest cost
 * only the pages that were written.
 *
 * Writers (xenp2m-sim) hold an exclusive flock on the file.  Readers (the
 * inspector's sim backend) take no lock, as on real Xen: they read the
 * domain table under a seqlock (domtab_seq, odd while a writer changes
 * it) and everything else as it is.
 *
 * This header is the one definition of the format, shared by the writer
 * (src/sim/host.c) and the reader (src/backend/sim.c), so that they
 * cannot disagree; it therefore holds the validation and the seqlock read
 * as static inline functions.
 */
#ifndef XP_SIM_HOSTFMT_H
#define XP_SIM_HOSTFMT_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SIM_HOST_MAGIC "XP2MHOST"
#define SIM_HOST_VERSION 2U
#define SIM_PAGE_SHIFT 12
#define SIM_PAGE_SIZE (1ULL << SIM_PAGE_SHIFT)
/* Allocation chunk: 1024 frames (4 MiB), whose frame entries fill one page. */
#define SIM_CHUNK_SHIFT 10
#define SIM_CHUNK_FRAMES (1ULL << SIM_CHUNK_SHIFT)
#define SIM_MAX_DOMAINS 256U
#define SIM_MAX_VCPUS 8U
#define SIM_NAME_LEN 64U
/* Host memory limits: a few guests at least, and a file ext4 can hold. */
#define SIM_MIN_HOST_BYTES (256ULL << 20)
#define SIM_MAX_HOST_BYTES (8ULL << 40)
#define SIM_MEM_ALIGN (2ULL << 20)

/* Xen's domain ids. */
#define SIM_DOMID_FIRST 1U
#define SIM_DOMID_LAST 0x7fefU /* DOMID_FIRST_RESERVED - 1 */
#define SIM_DOMID_XEN 0x7ff2U
#define SIM_M2P_INVALID (~0ULL) /* INVALID_M2P_ENTRY */
#define SIM_INVALID_MFN (~0ULL)

/* A frame's owner in struct sim_frame: domid + 1, so that 0 (a hole) is free. */
#define SIM_OWNER_FREE 0U
#define SIM_OWNER(domid) ((uint16_t)((domid) + 1U))

struct sim_frame {
	uint16_t owner; /* SIM_OWNER(domid), SIM_OWNER_FREE */
	uint8_t type;	/* enum sim_frame_type bits */
	uint8_t refs;	/* room for grant-mapping references (unused yet) */
};

enum sim_frame_type {
	SIM_FT_PIN_MASK = 0x07, /* 0: not a pinned table; 1-4: pinned as L1-L4 */
	SIM_FT_WRITTEN = 0x08,	/* written since allocation: holds data */
	SIM_FT_XENHEAP = 0x10,	/* Xen's page shared with the domain (shared_info) */
};

/*
 * A chunk whose 1024 frames were all claimed by one domain in one go keeps
 * its owner here only (SIM_CHUNK_WHOLE): its frame entries' owner fields
 * stay zero, so a 1 TiB guest does not write 1 GiB of frame table.  The
 * first frame freed in such a chunk writes the owner into every entry and
 * then clears the flag.
 */
struct sim_chunk {
	uint16_t used;	/* allocated frames in the chunk (0..1024) */
	uint16_t owner; /* SIM_OWNER(d) [| SIM_CHUNK_WHOLE] if every used frame is
			 * d's, SIM_CHUNK_MIXED otherwise */
};
#define SIM_CHUNK_MIXED 0xffffU
#define SIM_CHUNK_WHOLE 0x8000U

enum sim_domain_state {
	SIM_DOM_UNUSED = 0,
	SIM_DOM_LIVE = 1,
};

enum sim_domain_flags {
	SIM_DOMF_PAUSED = 1U << 0,
	SIM_DOMF_DYING = 1U << 1,
	SIM_DOMF_CRASHED = 1U << 2,
	SIM_DOMF_SHUTDOWN = 1U << 3,
	SIM_DOMF_PRIVILEGED = 1U << 4, /* dom0 */
};

/* What the guest kernel does when the domain is next unpaused. */
enum sim_pending {
	SIM_PENDING_NONE = 0,
	SIM_PENDING_BOOT = 1,	/* created --paused: the kernel has not run yet */
	SIM_PENDING_RESUME = 2, /* restored --paused: the resume path has not run */
	SIM_PENDING_CANCEL = 3, /* saved --paused: suspended, the cancel has not run */
};

struct sim_domain {
	uint32_t state; /* enum sim_domain_state */
	uint32_t domid;
	char name[SIM_NAME_LEN];
	uint8_t handle[16];
	uint32_t flags;	  /* enum sim_domain_flags */
	uint32_t pending; /* enum sim_pending */
	uint32_t width;	  /* guest word size in bytes: 8 or 4 */
	uint32_t nr_vcpus;
	uint32_t layout;  /* enum gk_layout */
	uint32_t variant; /* enum gk_variant */
	uint64_t seed;
	uint64_t identity_start, identity_end;
	uint64_t max_pages; /* the hypervisor's limit */
	uint64_t tot_pages; /* pages owned now (not counting shared_info) */
	uint64_t nr_pfns;   /* size of the initial p2m (pfns populated at build) */
	uint64_t shared_info_mfn;
	uint64_t start_info_mfn;
	uint64_t vcpu_cr3[SIM_MAX_VCPUS]; /* MFNs */
	/* allocator state: PRNG, current run's next MFN, frames left, direction */
	uint64_t alloc_rng;
	uint64_t alloc_next;
	uint64_t alloc_left;
	int64_t alloc_dir;
	uint64_t create_seq; /* host-wide creation counter, for ordering */
	/* the grant table (Xen's struct grant_table), see struct sim_gnt_meta */
	uint32_t gnt_version;	 /* 1 or 2; 0: the domain has no table (yet) */
	uint32_t gnt_nr_frames;	 /* shared frames now */
	uint32_t gnt_max_frames; /* what it may grow to */
	uint32_t gnt_nr_status;	 /* status frames now (version 2) */
	uint64_t gnt_meta_mfn;	 /* Xen's frame holding the table's frame lists */
	/* the toolstack's record of the rings (xenstore console/ring-ref and
	 * store/ring-ref: MFNs for a PV guest), SIM_INVALID_MFN: none */
	uint64_t console_ring;
	uint64_t store_ring;
	uint32_t gnt_resource_grows; /* times a foreign resource mapping grew it */
	uint32_t gnttab_config;	     /* the version the guest kernel asks for */
	uint64_t reserved[1];
};

struct sim_host_header {
	/* Immutable after init, covered by header_sum. */
	char magic[8];
	uint32_t version;
	uint32_t page_size;
	uint64_t nr_frames;
	uint64_t file_size;
	uint64_t domtab_off;
	uint32_t domtab_slots;
	uint32_t domain_size;
	uint64_t chunktab_off;
	uint64_t nr_chunks;
	uint64_t frametab_off;
	uint32_t frame_size;
	uint32_t reserved0;
	uint64_t m2p_off;
	uint64_t mem_off;
	uint64_t header_sum; /* FNV-1a of everything above */
	/* Mutable, changed by writers under the flock. */
	uint64_t domtab_seq; /* seqlock over the domain table */
	uint64_t free_frames;
	uint32_t next_domid;
	uint32_t reserved1;
	uint64_t create_seq;
	uint64_t reserved[16];
};

/*
 * Grant tables, as Xen keeps them.  The shared frames (and, for version 2,
 * the status frames) are Xen pages shared with the domain: owned by it,
 * SIM_FT_XENHEAP, M2P invalid, not counted in tot_pages.  Xen's own
 * bookkeeping lives in frames owned by DOMID_XEN: one meta frame per
 * domain (struct sim_gnt_meta) naming every other frame, the active
 * entries (pin counts, SIM_GNT_ACTIVE_PER_PAGE per frame, by ref) and the
 * domain's maptrack (its mappings of other domains' grants).  Readers find
 * the current sizes in the domain table (under its seqlock) and the frame
 * lists in the meta frame; frames are only ever added while a domain
 * lives, except the status frames a switch back to version 1 frees.
 */
#define SIM_GNT_MAX_FRAMES 64U	       /* Xen's default gnttab_max_frames */
#define SIM_GNT_V1_PER_FRAME 512U      /* struct grant_entry_v1 */
#define SIM_GNT_V2_PER_FRAME 256U      /* union grant_entry_v2 */
#define SIM_GNT_STATUS_PER_FRAME 2048U /* grant_status_t */
#define SIM_GNT_MAX_STATUS 8U	       /* version 2 at SIM_GNT_MAX_FRAMES */
#define SIM_GNT_ACTIVE_PER_PAGE 512U
#define SIM_GNT_MAPTRACK_FRAMES 8U
#define SIM_GNT_MAPTRACK_PER_PAGE 256U

struct sim_gnt_meta {
	uint64_t shared[SIM_GNT_MAX_FRAMES];
	uint64_t status[SIM_GNT_MAX_STATUS];
	uint64_t active[SIM_GNT_MAX_FRAMES];
	uint64_t maptrack[SIM_GNT_MAPTRACK_FRAMES];
};

/* Xen's active entry: pins of the grant while another domain maps it. */
struct sim_gnt_active {
	uint8_t pin_ro, pin_rw; /* read-only and writable mappings */
	uint16_t domid;		/* the mapping domain */
	uint32_t frame;		/* the frame pinned at the first mapping */
};

/* One mapping in the mapping domain's maptrack; the index is the handle. */
struct sim_gnt_map {
	uint16_t granter; /* SIM_OWNER(granting domid); SIM_OWNER_FREE: unused */
	uint16_t flags;	  /* SIM_GNTMAP_* */
	uint32_t ref;
	uint64_t host_addr; /* a VA in the mapper's page tables, 0: none */
};

enum sim_gntmap_flags {
	SIM_GNTMAP_READONLY = 1U << 0,
	SIM_GNTMAP_HOST = 1U << 1, /* host_addr names a PTE of the mapper */
};

/* Version-2 status frames for @nr_frames shared frames. */
static inline unsigned int sim_gnt_status_frames(unsigned int nr_frames)
{
	return (nr_frames * SIM_GNT_V2_PER_FRAME + SIM_GNT_STATUS_PER_FRAME - 1) /
	       SIM_GNT_STATUS_PER_FRAME;
}

static inline unsigned int sim_gnt_per_frame(unsigned int version)
{
	return version == 2 ? SIM_GNT_V2_PER_FRAME : SIM_GNT_V1_PER_FRAME;
}

_Static_assert(sizeof(struct sim_gnt_meta) <= SIM_PAGE_SIZE, "grant meta fits in a page");
_Static_assert(sizeof(struct sim_gnt_active) * SIM_GNT_ACTIVE_PER_PAGE == SIM_PAGE_SIZE,
	       "active entries fill a page");
_Static_assert(sizeof(struct sim_gnt_map) * SIM_GNT_MAPTRACK_PER_PAGE == SIM_PAGE_SIZE,
	       "maptrack entries fill a page");
_Static_assert(SIM_MAX_HOST_BYTES >> SIM_PAGE_SHIFT <= 0xffffffffULL,
	       "an active entry's frame fits 32 bits");
_Static_assert(sizeof(struct sim_frame) == 4, "frame entry is 4 bytes");
_Static_assert(sizeof(struct sim_chunk) == 4, "chunk entry is 4 bytes");
_Static_assert(sizeof(struct sim_domain) % 8 == 0, "domain entries stay 8-byte aligned");
_Static_assert(sizeof(struct sim_host_header) <= SIM_PAGE_SIZE, "header fits in a page");

static inline uint64_t sim_round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* The layout of a host of @nr_frames frames (a multiple of SIM_CHUNK_FRAMES). */
static inline void sim_layout(uint64_t nr_frames, struct sim_host_header *h)
{
	memcpy(h->magic, SIM_HOST_MAGIC, sizeof(h->magic));
	h->version = SIM_HOST_VERSION;
	h->page_size = (uint32_t)SIM_PAGE_SIZE;
	h->nr_frames = nr_frames;
	h->domtab_off = SIM_PAGE_SIZE;
	h->domtab_slots = SIM_MAX_DOMAINS;
	h->domain_size = (uint32_t)sizeof(struct sim_domain);
	h->chunktab_off =
		h->domtab_off +
		sim_round_up((uint64_t)SIM_MAX_DOMAINS * sizeof(struct sim_domain), SIM_PAGE_SIZE);
	h->nr_chunks = nr_frames >> SIM_CHUNK_SHIFT;
	h->frametab_off = h->chunktab_off +
			  sim_round_up(h->nr_chunks * sizeof(struct sim_chunk), SIM_PAGE_SIZE);
	h->frame_size = (uint32_t)sizeof(struct sim_frame);
	h->m2p_off = h->frametab_off + h->nr_chunks * SIM_PAGE_SIZE;
	h->mem_off = sim_round_up(h->m2p_off + nr_frames * sizeof(uint64_t), SIM_MEM_ALIGN);
	h->file_size = h->mem_off + (nr_frames << SIM_PAGE_SHIFT);
}

static inline uint64_t sim_header_sum(const struct sim_host_header *h)
{
	const unsigned char *p = (const unsigned char *)h;
	uint64_t sum = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < offsetof(struct sim_host_header, header_sum); i++) {
		sum ^= p[i];
		sum *= 0x100000001b3ULL;
	}
	return sum;
}

/*
 * Check a header read from a file of @file_size bytes.  Returns 0, or -1
 * with a reason in @why ("bad magic", "truncated: ...").
 */
static inline int sim_header_check(const struct sim_host_header *h, uint64_t file_size, char *why,
				   size_t why_len)
{
	struct sim_host_header want;

	if (file_size < SIM_PAGE_SIZE) {
		snprintf(why, why_len, "file too short for a host header (%llu bytes)",
			 (unsigned long long)file_size);
		return -1;
	}
	if (memcmp(h->magic, SIM_HOST_MAGIC, sizeof(h->magic)) != 0) {
		snprintf(why, why_len, "not a xenp2m-sim host file (bad magic)");
		return -1;
	}
	if (h->version != SIM_HOST_VERSION) {
		snprintf(why, why_len, "unsupported host file version %u (this build reads %u)",
			 h->version, SIM_HOST_VERSION);
		return -1;
	}
	if (h->header_sum != sim_header_sum(h)) {
		snprintf(why, why_len, "corrupt host file: header checksum mismatch");
		return -1;
	}
	if (h->page_size != SIM_PAGE_SIZE || h->nr_frames == 0 || h->nr_frames % SIM_CHUNK_FRAMES ||
	    h->nr_frames > (SIM_MAX_HOST_BYTES >> SIM_PAGE_SHIFT)) {
		snprintf(why, why_len, "corrupt host file: bad page size or frame count");
		return -1;
	}
	memset(&want, 0, sizeof(want));
	sim_layout(h->nr_frames, &want);
	if (h->domtab_off != want.domtab_off || h->domtab_slots != want.domtab_slots ||
	    h->domain_size != want.domain_size || h->chunktab_off != want.chunktab_off ||
	    h->nr_chunks != want.nr_chunks || h->frametab_off != want.frametab_off ||
	    h->frame_size != want.frame_size || h->m2p_off != want.m2p_off ||
	    h->mem_off != want.mem_off || h->file_size != want.file_size) {
		snprintf(why, why_len, "corrupt host file: table offsets do not match the layout");
		return -1;
	}
	if (file_size != h->file_size) {
		snprintf(why, why_len,
			 "truncated or resized host file: %llu bytes, header says %llu",
			 (unsigned long long)file_size, (unsigned long long)h->file_size);
		return -1;
	}
	return 0;
}

/*
 * A consistent copy of the domain table (SIM_MAX_DOMAINS entries), read
 * under the seqlock.  Readers retry while a writer is active; -EBUSY when
 * one never finishes (a writer that died mid-update).
 */
static inline int sim_domtab_read(const struct sim_host_header *h, const struct sim_domain *tab,
				  struct sim_domain *copy)
{
	unsigned int tries;

	for (tries = 0; tries < 200000; tries++) {
		uint64_t s1 = __atomic_load_n(&h->domtab_seq, __ATOMIC_ACQUIRE);

		if (s1 & 1) {
			sched_yield();
			continue;
		}
		memcpy(copy, (const void *)tab, SIM_MAX_DOMAINS * sizeof(*tab));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&h->domtab_seq, __ATOMIC_RELAXED) == s1)
			return 0;
	}
	return -EBUSY;
}

/*
 * The same for the one live domain @domid: its slot copied into @copy,
 * without a copy of the whole table.  0, -ENOENT (no such domain), -EBUSY.
 */
static inline int sim_domtab_read_one(const struct sim_host_header *h, const struct sim_domain *tab,
				      uint32_t domid, struct sim_domain *copy)
{
	unsigned int tries, i;

	for (tries = 0; tries < 200000; tries++) {
		uint64_t s1 = __atomic_load_n(&h->domtab_seq, __ATOMIC_ACQUIRE);
		bool found = false;

		if (s1 & 1) {
			sched_yield();
			continue;
		}
		for (i = 0; i < SIM_MAX_DOMAINS && !found; i++) {
			const volatile struct sim_domain *d = &tab[i];

			if (d->state == SIM_DOM_LIVE && d->domid == domid) {
				memcpy(copy, (const void *)d, sizeof(*copy));
				found = true;
			}
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&h->domtab_seq, __ATOMIC_RELAXED) == s1)
			return found ? 0 : -ENOENT;
	}
	return -EBUSY;
}

static inline bool sim_chunk_whole(uint16_t chunk_owner)
{
	return chunk_owner != SIM_CHUNK_MIXED && (chunk_owner & SIM_CHUNK_WHOLE);
}

/* The owner of a frame, SIM_OWNER_FREE when free (racy by nature, as on Xen). */
static inline uint16_t sim_frame_owner(const struct sim_chunk *chunks,
				       const struct sim_frame *frames, uint64_t mfn)
{
	uint16_t co = __atomic_load_n(&chunks[mfn >> SIM_CHUNK_SHIFT].owner, __ATOMIC_ACQUIRE);

	if (sim_chunk_whole(co))
		return (uint16_t)(co & ~SIM_CHUNK_WHOLE);
	return __atomic_load_n(&frames[mfn].owner, __ATOMIC_RELAXED);
}

#endif
