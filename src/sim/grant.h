/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Grant tables, the hypervisor's side (grant.c): each domain's table, the
 * GNTTABOP operations other domains map and unmap grants with, and the
 * toolstack's direct access to entries.
 */
#ifndef XP_SIM_GRANT_H
#define XP_SIM_GRANT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"
#include "sim/host.h"

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

#endif
