/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshots of a guest, and their verification after a save/restore or a
 * migration (xenp2m snapshot, xenp2m verify; doc/design.md section 9).
 *
 * A snapshot records who the guest is (UUID, name, domid), its p2m's
 * shape (max_pfn, width, layout, the class of every pfn with its MFN, the
 * structure and grant-table summaries of a check) and, with pages, a hash
 * of every valid page's normalised contents (engine/scan.h).  The file
 * (format.h) is streamed both ways: writing and reading it takes memory
 * bounded by one record, whatever the guest's size.
 *
 * A reader treats the file as hostile: every size is bounded, every count
 * checked against the others, the whole file checksummed, before anything
 * is compared with it.
 */
#ifndef XP_SNAPSHOT_H
#define XP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "engine/inspector.h"
#include "engine/p2m.h"
#include "engine/report.h"
#include "engine/scan.h"
#include "lib/error.h"
#include "snapshot/format.h"

#define XP_ENTRY_NR_CLASSES (XP_ENTRY_MISSING + 1)

/* ------------------------------------------------------------ reading */

struct xp_snap_reader;

/* What a validated file holds, counted while it was checked. */
struct xp_snap_totals {
	uint64_t pfns[XP_ENTRY_NR_CLASSES]; /* by class */
	uint64_t unreachable;
	uint64_t runs;
	uint64_t pages;	     /* valid pfns with a page entry */
	uint64_t zero_pages; /* of which all zeros once normalised */
	uint64_t unreadable;
	uint64_t by_kind[XP_PAGE_NR_KINDS];
	uint64_t bytes; /* the file's size */
};

/*
 * Open and validate a snapshot file (the whole of it): XP_ERR_IO when it
 * cannot be read, XP_ERR_FORMAT with the reason when it is not a valid
 * snapshot of a version this build reads.
 */
struct xp_error *xp_snap_reader_open(const char *path, struct xp_snap_reader **out);
/* The same on an open file (taken over, closed by destroy); @name for messages. */
struct xp_error *xp_snap_reader_open_fd(int fd, const char *name, struct xp_snap_reader **out);
void xp_snap_reader_destroy(struct xp_snap_reader *r);
const char *xp_snap_reader_name(const struct xp_snap_reader *r);
const struct xp_snap_header *xp_snap_reader_header(const struct xp_snap_reader *r);
const struct xp_snap_domain *xp_snap_reader_domain(const struct xp_snap_reader *r);
const struct xp_snap_totals *xp_snap_reader_totals(const struct xp_snap_reader *r);

/* A pass over the P2M or the PAGES elements of a validated file, in order. */
struct xp_snap_iter;
struct xp_error *xp_snap_iter_create(struct xp_snap_reader *r, enum xp_snap_rec_type type,
				     struct xp_snap_iter **out);
/* The next element (a struct xp_snap_run or xp_snap_page); *end at the end. */
struct xp_error *xp_snap_iter_next(struct xp_snap_iter *it, void *elem, bool *end);
void xp_snap_iter_destroy(struct xp_snap_iter *it);

/* ------------------------------------------------------------ writing */

struct xp_snapshot_options {
	bool pages;			      /* hash every valid page */
	const struct xp_check_options *check; /* for the structure summary */
};

/* What a snapshot recorded (the snapshot verb's model). */
struct xp_snapshot_result {
	struct xp_snap_domain dom; /* the DOMAIN record */
	const char *path;
	bool pages;
	struct xp_snap_totals totals; /* as written */
	struct xp_report *report;     /* the check that went with it */
	uint64_t elapsed_ns;
};

/*
 * Snapshot domain @d into @path: check it, then stream its p2m (and pages)
 * into a temporary file next to @path, renamed into place once complete.
 * On failure or interrupt, nothing is left at @path that was not there
 * (and @res holds nothing to release).  On success @res is the caller's,
 * its report destroyed with xp_snapshot_result_release().
 */
struct xp_error *xp_snapshot_take(struct xp_backend *be, const struct xp_domain_info *d,
				  const char *path, const struct xp_snapshot_options *o,
				  struct xp_snapshot_result *res);
void xp_snapshot_result_release(struct xp_snapshot_result *res);

/* ---------------------------------------------------------- verifying */

/* How many differences of each sort are listed (all are counted). */
#define XP_VERIFY_LISTED 16

enum xp_verify_verdict {
	XP_VERIFY_CLEAN = 0, /* the same guest, intact */
	XP_VERIFY_DIFFERS,   /* something was lost or changed */
};

struct xp_verify_options {
	bool pages; /* compare every page */
	const struct xp_check_options *check;
	/* the structures: 0, or wait this long for the guest to republish */
	unsigned int wait_seconds;
	/* between two looks while waiting; returns false to stop (interrupted) */
	bool (*sleep)(void *arg, unsigned int ms);
	void *sleep_arg;
};

struct xp_verify_class_diff {
	uint64_t pfn;
	uint8_t before, now; /* enum xp_entry_class */
};

struct xp_verify_page_diff {
	uint64_t pfn;
	uint8_t before, now; /* enum xp_page_kind; XP_PAGE_NR_KINDS: no page */
	uint8_t level_before, level_now;
};

/* What a verify found (the verify verb's model). */
struct xp_verify_result {
	const struct xp_snap_domain *base; /* the baseline's DOMAIN record */
	const char *baseline;		   /* its file */
	uint64_t baseline_created;
	bool baseline_pages;
	struct xp_domain_info now; /* the domain verified */
	enum xp_scan_via via;

	/* the p2m, pfn by pfn, over the pfns both cover */
	uint64_t max_pfn_before, max_pfn_now;
	/* not_owned: valid pfns whose frame is not the guest's (the M2P does
	 * not name the pfn back; with pages, or the frame does not map) */
	uint64_t pfns_compared, class_changed, valid, not_owned, mfn_changed;
	struct xp_verify_class_diff class_diffs[XP_VERIFY_LISTED];
	uint64_t not_owned_pfns[XP_VERIFY_LISTED];

	/* pages, with pages */
	bool pages;
	uint64_t pages_compared, pages_differ, pages_excluded, pages_pending;
	struct xp_verify_page_diff page_diffs[XP_VERIFY_LISTED];

	/* the structures: check's report of the guest now */
	struct xp_report *report;
	bool structures_pending; /* restored, not resumed (yet) */
	bool waited;		 /* --wait was given */
	uint64_t waited_ns;

	enum xp_verify_verdict verdict;
	uint64_t elapsed_ns;
};

/*
 * Verify domain @d against the snapshot @r: the same guest (UUID: else
 * XP_ERR_INVALID), then its p2m (and pages) compared pfn by pfn with the
 * baseline, then its structures checked by check's engine (waiting for
 * them as @o says).  A result comes back whenever the comparison could be
 * made; release it with xp_verify_result_release().
 */
struct xp_error *xp_verify(struct xp_backend *be, const struct xp_domain_info *d,
			   struct xp_snap_reader *r, const struct xp_verify_options *o,
			   struct xp_verify_result *res);
void xp_verify_result_release(struct xp_verify_result *res);

const char *xp_verify_verdict_name(enum xp_verify_verdict v);

#endif
