/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The inspector: one domain, looked at one pass at a time
 * (doc/design.md section 4).
 *
 * A pass reads shared_info, walks the p2m structures and every leaf entry
 * (and, with symbols, the guest's own view), then reads the grant table.  A
 * guest changes all of these while we read them, so a pass never sleeps and
 * never waits: it either hands back a settled report or says "unsettled,
 * pass again".  The settle-and-agree rule, for the p2m and the grant table
 * separately: a pass settles when the list's generation count did not move
 * (odd = a change in progress) and its findings are none, or the same as
 * the previous pass's.
 *
 * The probe is the cheap question a live view asks every tick: has
 * anything the hypervisor or shared_info says changed since last time?
 * It reads no guest structure beyond shared_info.  A tree-layout guest has
 * no generation count: its leaves can change without the probe noticing.
 *
 * xp_check_domain() is the one-shot check: passes until one settles, with
 * the caller's wait between them (the engine never sleeps).
 */
#ifndef XP_INSPECTOR_H
#define XP_INSPECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "engine/report.h"
#include "engine/symbols.h"
#include "lib/error.h"

struct xp_inspector;

/* grant-frames-high's default threshold: a percentage of the maximum frames. */
#define XP_GRANT_FRAMES_WARN_DEFAULT 80U

struct xp_inspector_options {
	const struct xp_symbols *symbols; /* guest-internal view, or NULL */
	bool grants;			  /* validate the grant table too */
	size_t keep_per_id;		  /* findings kept per id */
	/* grant-frames-high when the table uses at least this percentage of
	 * its maximum frames; 0: never (default XP_GRANT_FRAMES_WARN_DEFAULT) */
	unsigned int grant_frames_warn;
};

void xp_inspector_options_init(struct xp_inspector_options *o);

/*
 * Open @domid for inspection: its hypervisor facts, the M2P and its
 * shared_info stay mapped until destroy; guest structures are mapped during
 * a pass only.  XP_ERR_NODOMAIN, XP_ERR_NOT_PV, backend errors.  @opts may
 * be NULL (defaults); its symbols must outlive the inspector.
 */
struct xp_error *xp_inspector_create(struct xp_backend *be, uint32_t domid,
				     const struct xp_inspector_options *opts,
				     struct xp_inspector **out);
void xp_inspector_destroy(struct xp_inspector *insp);

/*
 * One pass; never sleeps.  *report is the settled view's report (the
 * caller's to destroy), or NULL: unsettled, pass again later -- that is a
 * result, not an error.  Errors: XP_ERR_GONE (the domain died or was
 * replaced), backend failures.
 */
struct xp_error *xp_inspector_pass(struct xp_inspector *insp, struct xp_report **report);

/* Passes since the last settled report (or since create). */
unsigned int xp_inspector_passes(const struct xp_inspector *insp);

/*
 * Stop waiting for a settled view: the last pass's report, with no
 * findings from a part that did not settle and, instead,
 * generation-unstable (p2m) and/or grant-table-unstable.  The pass count
 * starts again.  XP_ERR_USAGE before the first pass.
 */
struct xp_error *xp_inspector_give_up(struct xp_inspector *insp, struct xp_report **report);

/* What a probe sees; compare two with xp_probe_diff(). */
struct xp_probe {
	/* the hypervisor's facts */
	uint32_t domid;
	uint8_t handle[16];
	uint64_t shared_info_frame;
	uint64_t tot_pages, max_pages;
	unsigned int nr_vcpus;
	bool paused, dying, crashed, shutdown;
	/* shared_info's p2m fields as the guest publishes them (compared, never trusted) */
	uint64_t max_pfn, frame_list_list, p2m_cr3, p2m_vaddr, generation;
	/* the grant table's size, when grants are checked and the backend can tell */
	bool grants_known;
	unsigned int grant_version, grant_frames;
};

/* How two probes differ: a mask of these. */
enum xp_probe_change {
	XP_PROBE_DOMAIN = 1 << 0,     /* another domain: domid, handle, shared_info frame */
	XP_PROBE_STATE = 1 << 1,      /* paused, dying, crashed, shut down, vcpus */
	XP_PROBE_PAGES = 1 << 2,      /* tot_pages, max_pages (ballooning) */
	XP_PROBE_P2M = 1 << 3,	      /* max_pfn, frame list list, p2m_cr3, p2m_vaddr */
	XP_PROBE_GENERATION = 1 << 4, /* p2m_generation */
	XP_PROBE_GRANTS = 1 << 5,     /* grant table version or size */
};

/*
 * Probe: a domain-info call, a read of the mapped shared_info and (with
 * grants) a grant-table size query.  XP_ERR_GONE when the domain died or
 * was replaced.
 */
struct xp_error *xp_inspector_probe(struct xp_inspector *insp, struct xp_probe *probe);
/* 0 when nothing changed, otherwise XP_PROBE_* bits. */
unsigned int xp_probe_diff(const struct xp_probe *a, const struct xp_probe *b);
/* "domain", "state", "pages", "p2m", "generation", "grants" */
const char *xp_probe_change_name(enum xp_probe_change c);

/*
 * Called between two passes of xp_check_domain() that did not settle;
 * @passes have been done.  Sleeps (or not) as the caller likes; returns
 * false to stop (interrupted).
 */
typedef bool (*xp_check_wait_fn)(void *arg, unsigned int passes);

struct xp_check_options {
	struct xp_inspector_options inspect;
	unsigned int max_passes; /* passes before giving up (>= 1) */
	xp_check_wait_fn wait;	 /* NULL: pass again at once */
	void *wait_arg;
};

void xp_check_options_init(struct xp_check_options *o);

/*
 * Check one domain: passes until one settles, at most max_passes, then
 * xp_inspector_give_up().  A report is returned whenever the domain could
 * be read (*report is set even with findings); errors are for what stops a
 * check: no such domain, not PV, the domain vanished mid-check
 * (XP_ERR_GONE), backend failures, the wait callback saying stop (EINTR).
 */
struct xp_error *xp_check_domain(struct xp_backend *be, uint32_t domid,
				 const struct xp_check_options *opts, struct xp_report **report);

#endif
