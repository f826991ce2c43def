/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's view of one domain: the backend, hypervisor facts, the M2P,
 * the mapped shared_info, and a cache of mapped structure frames.
 *
 * Internal to src/engine/.  All guest memory is read through xp_word(),
 * once per value (no double fetch: the guest can change it under us).
 */
#ifndef XP_TARGET_H
#define XP_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "engine/p2m.h"
#include "engine/report.h"

struct xp_fcache_entry {
	uint64_t mfn;
	const void *addr; /* NULL when err */
	int err;
};

struct xp_mapping {
	const void *addr;
	size_t count;
};

struct xp_target {
	struct xp_backend *be;
	struct xp_domain_info info;
	struct xp_host_info host;
	const uint64_t *m2p;
	uint64_t m2p_nr;

	unsigned int width; /* 8 or 4 */
	unsigned int fpp;   /* p2m entries per page: 512 or 1024 */
	uint64_t invalid;   /* INVALID_P2M_ENTRY for this width */
	uint64_t foreign_bit, identity_bit;
	uint64_t pfn_cap; /* largest max_pfn we accept */

	const void *shinfo; /* mapped shared_info (live) */

	/* structure frames (tables, top/mid pages): sorted by mfn */
	struct xp_fcache_entry *cache;
	size_t cache_n, cache_cap;
	struct xp_mapping *maps;
	size_t maps_n, maps_cap;
};

struct xp_error *xp_target_open(struct xp_backend *be, uint32_t domid, struct xp_target **out);
void xp_target_destroy(struct xp_target *t);

/*
 * Is the domain still the one we opened (exists, not dying, same handle and
 * shared_info)?  XP_ERR_GONE otherwise.  *now (may be NULL) gets the
 * hypervisor's current facts.
 */
struct xp_error *xp_target_still_there(struct xp_target *t, struct xp_domain_info *now);

/* Read a guest word (8 or 4 bytes) from a mapped page, exactly once. */
static inline uint64_t xp_word(const void *page, size_t idx, unsigned int width)
{
	if (width == 8)
		return __atomic_load_n((const uint64_t *)page + idx, __ATOMIC_RELAXED);
	return __atomic_load_n((const uint32_t *)page + idx, __ATOMIC_RELAXED);
}

/* The shared_info p2m fields, read live. */
struct xp_shinfo_p2m {
	uint64_t max_pfn, frame_list_list, p2m_cr3, p2m_vaddr, generation;
	uint64_t p2m_cr3_mfn; /* unfolded */
};
void xp_target_read_shinfo(struct xp_target *t, struct xp_shinfo_p2m *s);
uint64_t xp_target_generation(struct xp_target *t);
uint64_t xp_cr3_to_mfn(unsigned int width, uint64_t cr3);
enum xp_layout xp_layout_of(const struct xp_target *t, const struct xp_shinfo_p2m *s);

/*
 * Structure frames: make sure @mfns are mapped (batched, deduplicated), then
 * get each with xp_target_frame().  Cached until xp_target_cache_drop().
 */
struct xp_error *xp_target_map_many(struct xp_target *t, const uint64_t *mfns, size_t n);
const void *xp_target_frame(struct xp_target *t, uint64_t mfn, int *err);
void xp_target_cache_drop(struct xp_target *t);

/* M2P lookup; ~0 beyond the table. */
static inline uint64_t xp_target_m2p(const struct xp_target *t, uint64_t mfn)
{
	if (mfn >= t->m2p_nr)
		return ~0ULL;
	return __atomic_load_n(&t->m2p[mfn], __ATOMIC_RELAXED);
}

/* Classify a raw p2m entry. */
int xp_target_classify(const struct xp_target *t, uint64_t entry);

/* Sorted-array helpers (no hashing needed: everything is sorted once). */
int xp_u64_cmp(const void *a, const void *b);
size_t xp_u64_sort_unique(uint64_t *v, size_t n);
bool xp_u64_contains(const uint64_t *sorted, size_t n, uint64_t v);

#endif
