/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small fake hypervisor for the guest model's unit tests: one host of
 * machine frames (materialised on first touch), an M2P that keeps stale
 * entries for freed frames, owners and pin types, one PV domain built as
 * gk.h's builder contract says, a toolstack-like migrate, and an
 * inspector-like checker of the seed-003 invariants.
 */
#ifndef XP_TEST_GUEST_FAKE_H
#define XP_TEST_GUEST_FAKE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#include "guest/gk.h"

enum fake_owner {
	FAKE_FREE = 0,
	FAKE_DOM = 1,	/* the guest */
	FAKE_OTHER = 2, /* another domain */
	FAKE_XEN = 3,	/* Xen's own (shared_info) */
};

struct fake;

/* A host of @max_mfn frames. */
struct fake *fake_create(uint64_t max_mfn);
void fake_destroy(struct fake *f);
struct gk_hv *fake_hv(struct fake *f);
/* Leave ops->boot_mfn NULL (the kernel scans the M2P). */
void fake_set_boot_mfn(struct fake *f, bool on);

/* Build the domain (nr_pages populated, max_pages maxmem) and boot it:
 * returns gk_boot()'s result, or -EINVAL when the layout refuses. */
int fake_build(struct fake *f, const struct gk_config *cfg, uint64_t nr_pages, uint64_t max_pages);
/* The builder's part alone (gk_boot() not called). */
int fake_prepare(struct fake *f, const struct gk_config *cfg, uint64_t nr_pages,
		 uint64_t max_pages);
/* Save + restore on the same host: every frame moves to a new MFN, page
 * tables, start_info and the p2m's leaves are rewritten, shared_info is
 * copied stale with frame_list_list = 0.  Then gk_resume() unless
 * @no_resume.  0, or -EIO with f's last error (fake_error()) when the
 * toolstack refused the guest's p2m, or gk_resume()'s error. */
int fake_migrate(struct fake *f, bool no_resume);
const char *fake_error(const struct fake *f);

/* Check the p2m invariants; returns the number of violations (first few
 * printed as TAP diagnostics when @verbose). */
unsigned int fake_check(struct fake *f, bool verbose);

/* Introspection for tests. */
uint64_t fake_truth(const struct fake *f, uint64_t pfn); /* current mfn or ~0 */
uint64_t fake_pages(const struct fake *f);		 /* populated pages */
uint64_t fake_shinfo_arch(struct fake *f, size_t off64, size_t off32);
#define FAKE_SHINFO(f, field)                                             \
	fake_shinfo_arch((f), offsetof(struct shared_info_x86_64, field), \
			 offsetof(struct shared_info_x86_32, field))
void *fake_frame(struct fake *f, uint64_t mfn);
uint64_t fake_m2p(const struct fake *f, uint64_t mfn);
enum fake_owner fake_owner(const struct fake *f, uint64_t mfn);
void fake_set_owner(struct fake *f, uint64_t mfn, enum fake_owner owner, uint64_t m2p);
unsigned int fake_pin(const struct fake *f, uint64_t mfn);
uint64_t fake_cr3(const struct fake *f);
unsigned int fake_width(const struct fake *f);
const struct gk_image *fake_image(const struct fake *f);
/* Read a kernel variable / guest word through the guest's page tables. */
uint64_t fake_kvar(struct fake *f, const char *sym);
uint64_t fake_kread(struct fake *f, uint64_t va);
/* __pa() of a kernel VA as the guest sees it (gk_va_to_pfn), ~0 on error. */
uint64_t fake_va_pfn(struct fake *f, uint64_t va);
/* Page-table frames reachable from cr3 not pinned at their level. */
unsigned int fake_check_pins(struct fake *f);
/* Machine frame of a guest VA (page-table walk from cr3), ~0 if unmapped. */
uint64_t fake_va_to_mfn(struct fake *f, uint64_t va);
/* The L1 table mapping @va, ~0 if unmapped. */
uint64_t fake_va_to_l1(struct fake *f, uint64_t va);
/* Console lines: how many contain @needle. */
unsigned int fake_console_count(const struct fake *f, const char *needle);
void fake_console_clear(struct fake *f);
/* Frames materialised so far (memory used). */
uint64_t fake_frames_touched(const struct fake *f);

#endif
