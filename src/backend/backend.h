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
 *
 * Threading contract.  A handle (struct xp_backend) is used by one thread
 * at a time: its operations take no lock and keep per-handle state (the
 * library's last message, connections opened on first use, the M2P
 * mapping, the mappings it must undo).  Another thread opens a handle of
 * its own, or gets a clone (xp_backend_clone) from the thread that uses
 * the handle.  Handles share no mutable state -- nothing static, no scratch
 * buffer, no mapping -- so any number of them may work at once, each in its
 * own thread (tests/unit/test-backend-threads.c).  What a handle hands out
 * (mapped frames, the M2P) stays valid until it is unmapped or the handle
 * destroyed, and any thread may read it meanwhile.
 *
 * Mappings.  The wrappers count what a handle has mapped
 * (xp_backend_mappings); every grant and grant-table frame a backend maps
 * is also tracked by the backend itself, so that destroying the handle
 * unmaps whatever is left -- also after an interrupt.
 *
 * Interrupts.  Once the program has installed lib/signal.h's handlers, the
 * wrappers that map (frames, grant frames, grants) fail with
 * XP_ERR_INTERRUPTED after SIGINT, SIGTERM or SIGHUP.  Every long loop maps
 * in batches, so it ends within a batch; its callers unwind, unmapping as
 * they go, and the program destroys the handle and reports "interrupted".
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

/*
 * A machine frame's type as the hypervisor keeps it (what libxenguest's
 * save path and xen-mfndump read with XEN_DOMCTL_getpageframeinfo3): page
 * tables by level, the frames that are not the domain's.
 */
enum xp_page_type {
	XP_PAGE_TYPE_NONE = 0, /* one of the domain's pages, not a page table */
	XP_PAGE_TYPE_L1,       /* validated as a page table of that level */
	XP_PAGE_TYPE_L2,
	XP_PAGE_TYPE_L3,
	XP_PAGE_TYPE_L4,
	XP_PAGE_TYPE_NOT_OWNED, /* not the domain's frame (XTAB) */
	XP_PAGE_TYPE_BROKEN,	/* offlined by the hypervisor */
};

/* Frames per page_types call (the hypervisor's limit). */
#define XP_PAGE_TYPES_BATCH 1024U

/* What a handle has mapped now (xp_backend_mappings). */
struct xp_backend_mappings {
	size_t frames;	     /* map_frames regions */
	size_t grant_frames; /* grant_frames_map regions */
	size_t grants;	     /* grant_map grants */
};

struct xp_backend;

struct xp_backend_ops {
	const char *name;
	/* Unmap what the handle still has mapped (grants first), then free it. */
	void (*destroy)(struct xp_backend *be);
	/* A new handle onto the same source, sharing no mutable state. */
	struct xp_error *(*clone)(struct xp_backend *be, struct xp_backend **out);

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
	 * The hypervisor's type of each of @count (<= XP_PAGE_TYPES_BATCH)
	 * machine frames of @domid into types[] (enum xp_page_type).
	 */
	struct xp_error *(*page_types)(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, uint8_t *types);

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
	/*
	 * Map a grant that @domid gave to us, and unmap it again.  Unmapping
	 * fails with XP_ERR_INVALID, changing nothing, for an address this
	 * handle did not map; after any other outcome the grant is no longer
	 * the handle's (the hypervisor may have refused to let go of it).
	 */
	struct xp_error *(*grant_map)(struct xp_backend *be, uint32_t domid, uint32_t ref,
				      bool readonly, void **addr);
	struct xp_error *(*grant_unmap)(struct xp_backend *be, void *addr);
};

struct xp_backend {
	const struct xp_backend_ops *ops;
	void *priv;
	struct xp_backend_mappings live; /* kept by the wrappers */
};

/*
 * The backends, in the order automatic selection tries them: the running
 * hypervisor first, then the ones that read a file.  A "core" backend (xl
 * dump-core files) will be the next entry.
 */
struct xp_backend_class {
	const char *name; /* "xen", "sim" */
	/* The file it reads ("HOSTFILE"); NULL: the running host. */
	const char *file;
	/*
	 * Is @source (a file, or NULL for the running host) this backend's to
	 * open?  NULL when it is, else why not.  Cheap; leaves nothing open.
	 */
	struct xp_error *(*probe)(const char *source);
	struct xp_error *(*open)(const char *source, struct xp_backend **out);
};

extern const struct xp_backend_class *const xp_backend_classes[];
extern const size_t xp_backend_nr_classes;

/* The backend called @name; NULL when there is none. */
const struct xp_backend_class *xp_backend_class_find(const char *name);

/*
 * Open a backend on @source: a file, or NULL for the running host.
 *   - With a @name (--sim=HOSTFILE names "sim"), that backend opens
 *     @source, failing with its own errors; an unknown @name is
 *     XP_ERR_USAGE.
 *   - Without one, the backends that read that kind of source (a file, or
 *     the running host) probe it in table order, and the first that takes
 *     it opens it.  When none does, the first one's refusal is the error:
 *     for the running host, Xen's XP_ERR_UNAVAILABLE (no Xen, with a hint
 *     to use --sim) or XP_ERR_PERM (not root).
 */
struct xp_error *xp_backend_open(const char *name, const char *source, struct xp_backend **out);
/* Unmaps everything the handle still has mapped.  NULL is fine. */
void xp_backend_destroy(struct xp_backend *be);
/* A handle of its own for another thread (see the threading contract). */
struct xp_error *xp_backend_clone(struct xp_backend *be, struct xp_backend **out);
/* What @be has mapped now, as counted by the wrappers. */
void xp_backend_mappings(const struct xp_backend *be, struct xp_backend_mappings *m);

/* Implementations. */
extern const struct xp_backend_class xp_backend_xen;
extern const struct xp_backend_class xp_backend_sim;
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
/* Page types of any number of frames (batched); XP_ERR_UNSUPPORTED without the op. */
struct xp_error *xp_backend_page_types(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, uint8_t *types);
const char *xp_page_type_name(enum xp_page_type t);
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
 * Map grant @ref that domain @domid gave us (read-only or read-write), and
 * unmap it again; unmapping an address this handle did not map is
 * XP_ERR_INVALID.
 */
struct xp_error *xp_backend_grant_map(struct xp_backend *be, uint32_t domid, uint32_t ref,
				      bool readonly, void **addr);
struct xp_error *xp_backend_grant_unmap(struct xp_backend *be, void *addr);

/*
 * Resolve "DOMID" or "NAME" to a domain.  XP_ERR_NODOMAIN names what was
 * asked for; a malformed id is XP_ERR_USAGE.
 */
struct xp_error *xp_backend_resolve(struct xp_backend *be, const char *what,
				    struct xp_domain_info *info);

const char *xp_domain_type_name(enum xp_domain_type type);

#endif
