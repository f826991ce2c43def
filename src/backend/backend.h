/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend interface: where guest memory and hypervisor facts come from.
 *
 * One small table of operations with several implementations: "xen" (a real
 * dom0, libxenctrl & co.) and "sim" (the simulated host in a file).  Callers
 * use the xp_backend_*() wrappers, which turn a missing operation into an
 * XP_ERR_UNSUPPORTED error: a backend never pretends to have done something.
 *
 * Everything a backend returns about a guest comes from the hypervisor, not
 * from the guest, and may be trusted for sizes and bounds.  Guest memory
 * itself (what map_frames returns) is hostile input.
 */
#ifndef XP_BACKEND_H
#define XP_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define XP_PAGE_SHIFT 12
#define XP_PAGE_SIZE (1UL << XP_PAGE_SHIFT)
#define XP_DOMID_SELF 0x7ff0U
#define XP_DOMID_INVALID 0x7ff4U
#define XP_INVALID_MFN (~0ULL)

enum xp_domain_type {
	XP_DOMAIN_UNKNOWN = 0,
	XP_DOMAIN_PV,
	XP_DOMAIN_HVM,
	XP_DOMAIN_PVH,
};

struct xp_domain_info {
	uint32_t domid;
	char name[64]; /* "" when the backend cannot tell */
	enum xp_domain_type type;
	unsigned int guest_width;   /* bytes in a guest word: 8 or 4; 0 = unknown */
	uint64_t max_pages;	    /* the hypervisor's limit for the domain */
	uint64_t tot_pages;	    /* pages the domain owns now */
	uint64_t shared_info_frame; /* MFN of the shared_info page */
	unsigned int nr_vcpus;
	bool paused;
	bool dying;
	bool crashed;
	bool shutdown;
	uint8_t handle[16]; /* the domain's UUID */
};

struct xp_host_info {
	uint64_t max_mfn; /* MFNs are valid when < max_mfn (= M2P entries) */
	unsigned int xen_major, xen_minor;
	char xen_extra[32];
	char backend[16]; /* "xen", "sim" */
};

struct xp_backend;

struct xp_backend_ops {
	const char *name;
	void (*destroy)(struct xp_backend *be);

	struct xp_error *(*host_info)(struct xp_backend *be, struct xp_host_info *info);
	/* All domains, sorted by domid.  *infos is malloc()ed; free() it. */
	struct xp_error *(*list_domains)(struct xp_backend *be, struct xp_domain_info **infos,
					 size_t *count);
	/* XP_ERR_NODOMAIN when there is no such domain. */
	struct xp_error *(*domain_info)(struct xp_backend *be, uint32_t domid,
					struct xp_domain_info *info);

	/*
	 * Map @count machine frames of domain @domid read-only, contiguously.
	 * errs[i] is 0 or a negative errno for frame i (-EPERM: the domain may
	 * not map it, not owned; -EINVAL: beyond the host's memory).  A failed
	 * frame reads as zeros... or not at all: callers must not touch pages
	 * whose errs[i] != 0.  The call itself fails only when nothing could be
	 * mapped at all (e.g. the domain is gone).
	 */
	struct xp_error *(*map_frames)(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, int *errs, const void **addr);
	void (*unmap_frames)(struct xp_backend *be, const void *addr, size_t count);

	/*
	 * The machine-to-phys table, read-only, valid until destroy: entry i is
	 * the pfn that the owner of MFN i gave it.  *nr_entries == max_mfn.
	 */
	struct xp_error *(*m2p_map)(struct xp_backend *be, const uint64_t **table,
				    uint64_t *nr_entries);

	/* cr3 of a vcpu, as an MFN (unfolded). */
	struct xp_error *(*vcpu_cr3)(struct xp_backend *be, uint32_t domid, unsigned int vcpu,
				     uint64_t *cr3_mfn);

	/*
	 * Grant tables (doc/design.md section 5.6).  grant_table_info reports the
	 * table's version and *current* number of shared/status frames, found
	 * without growing the table; grant_frames_map maps frames below that
	 * size read-only.
	 */
	struct xp_error *(*grant_table_info)(struct xp_backend *be, uint32_t domid,
					     unsigned int *version, unsigned int *nr_frames,
					     unsigned int *nr_status_frames,
					     unsigned int *max_frames);
	struct xp_error *(*grant_frames_map)(struct xp_backend *be, uint32_t domid, bool status,
					     unsigned int first, unsigned int count,
					     const void **addr);
	void (*grant_frames_unmap)(struct xp_backend *be, const void *addr, unsigned int count);
	/*
	 * The console and xenstore ring frames the toolstack recorded for
	 * @domid (xenstore console/ring-ref and store/ring-ref; MFNs for PV).
	 * XP_INVALID_MFN for one it has none of.
	 */
	struct xp_error *(*toolstack_rings)(struct xp_backend *be, uint32_t domid,
					    uint64_t *console_mfn, uint64_t *store_mfn);
	/* Map a grant that @domid gave to us, and unmap it again. */
	struct xp_error *(*grant_map)(struct xp_backend *be, uint32_t domid, uint32_t ref,
				      bool readonly, void **addr);
	struct xp_error *(*grant_unmap)(struct xp_backend *be, void *addr);
};

struct xp_backend {
	const struct xp_backend_ops *ops;
	void *priv;
};

/*
 * Open a backend: the simulated host in @sim_path when it is not NULL,
 * otherwise the real hypervisor.  Fails with XP_ERR_UNAVAILABLE (no Xen,
 * with a hint to use --sim) or XP_ERR_PERM (not root).
 */
struct xp_error *xp_backend_open(const char *sim_path, struct xp_backend **out);
void xp_backend_destroy(struct xp_backend *be);

/* Implementations. */
struct xp_error *xp_backend_sim_open(const char *path, struct xp_backend **out);
struct xp_error *xp_backend_xen_open(struct xp_backend **out);

/* The wrappers: an operation a backend lacks gives XP_ERR_UNSUPPORTED. */
struct xp_error *xp_backend_host_info(struct xp_backend *be, struct xp_host_info *info);
struct xp_error *xp_backend_list_domains(struct xp_backend *be, struct xp_domain_info **infos,
					 size_t *count);
struct xp_error *xp_backend_domain_info(struct xp_backend *be, uint32_t domid,
					struct xp_domain_info *info);
struct xp_error *xp_backend_map_frames(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, int *errs, const void **addr);
void xp_backend_unmap_frames(struct xp_backend *be, const void *addr, size_t count);
struct xp_error *xp_backend_m2p_map(struct xp_backend *be, const uint64_t **table,
				    uint64_t *nr_entries);
struct xp_error *xp_backend_vcpu_cr3(struct xp_backend *be, uint32_t domid, unsigned int vcpu,
				     uint64_t *cr3_mfn);
struct xp_error *xp_backend_grant_table_info(struct xp_backend *be, uint32_t domid,
					     unsigned int *version, unsigned int *nr_frames,
					     unsigned int *nr_status_frames,
					     unsigned int *max_frames);
struct xp_error *xp_backend_grant_frames_map(struct xp_backend *be, uint32_t domid, bool status,
					     unsigned int first, unsigned int count,
					     const void **addr);
void xp_backend_grant_frames_unmap(struct xp_backend *be, const void *addr, unsigned int count);
struct xp_error *xp_backend_toolstack_rings(struct xp_backend *be, uint32_t domid,
					    uint64_t *console_mfn, uint64_t *store_mfn);

/*
 * Resolve "DOMID" or "NAME" to a domain.  XP_ERR_NODOMAIN names what was
 * asked for; a malformed id is XP_ERR_USAGE.
 */
struct xp_error *xp_backend_resolve(struct xp_backend *be, const char *what,
				    struct xp_domain_info *info);

const char *xp_domain_type_name(enum xp_domain_type type);

#endif
