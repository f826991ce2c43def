/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated host's toolstack: the domain builder, the hypercall layer
 * the guest kernel model (src/guest/) runs against, save/restore/migrate
 * and fault injection.  The only part of the simulator that runs the guest
 * model; xenp2m-sim is its command line, as xl is libxl's.
 */
#ifndef XP_SIM_TOOLSTACK_H
#define XP_SIM_TOOLSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/gk.h"
#include "lib/error.h"
#include "sim/grant.h"
#include "sim/host.h"

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
/* Unpause; runs the guest's pending boot or resume path. */
struct xp_error *sim_domain_unpause(struct sim_host *h, struct sim_domain *d);
struct xp_error *sim_domain_mem_set(struct sim_host *h, struct sim_domain *d, uint64_t bytes,
				    unsigned int delay_us);
/* The guest's grant driver grants @count of its pages to @to (gk_grant()). */
struct xp_error *sim_domain_grant(struct sim_host *h, struct sim_domain *d, uint16_t to,
				  bool readonly, unsigned int count, uint32_t *refs);
/* ... and ends one of those grants (gk_ungrant()). */
struct xp_error *sim_domain_ungrant(struct sim_host *h, struct sim_domain *d, uint32_t ref);

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

extern const unsigned int sim_nr_corrupt_kinds;
/* Kind @i (for --help and completions); NULL past the last. */
const struct sim_corrupt_kind *sim_corrupt_kind(unsigned int i);

/* Apply one fault; @msg (one line) says what changed. */
struct xp_error *sim_corrupt(struct sim_host *h, struct sim_domain *d,
			     const struct sim_corrupt_args *args, char *msg, size_t msg_len);

#endif
