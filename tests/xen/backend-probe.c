// SPDX-License-Identifier: GPL-2.0
/*
 * backend-probe: exercise every operation of the real Xen backend against
 * a running PV guest and assert what must hold on a real host (TAP output).
 * Runs inside dom0 (tests/xen/steps.sh).
 *
 *	backend-probe [--pages N] [--name NAME] [--save FILE] [--before FILE]
 *		      [--dump FILE] DOMID
 *	backend-probe --not-pv DOMID
 *
 * --pages: the guest's p2m size (max_pfn) that must be seen.
 * --save: write the guest's p2m and key MFNs to FILE;  --before: compare
 * with such a file from before a save/restore: every MFN must have changed
 * while every M2P round trip still holds.  --dump: write the p2m in
 * `xenp2m show --dump`'s format, to hold against xen-mfndump dump-p2m.
 * --not-pv: the domain is PVH or HVM: its type shows, and the PV-only
 * operations refuse it.
 *
 * The threading contract (backend.h) is held on real Xen too: the running
 * host is what an unnamed backend opens; two more threads, one with a
 * handle of its own and one with a clone, map the mfn tree's pages at the
 * same time as the main thread, round after round, and all read the same.
 *
 * The p2m is read here through the mfn tree (frame list list -> mid pages
 * -> leaves) with nothing but backend operations: this is a test of the
 * backend, not of the engine.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/backend.h"
/* the public ABI's shared_info layouts (they need <stdint.h> first) */
#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#include "lib/util.h"
#include "../unit/tap.h"

#define ENTRY_INVALID (~0ULL)
#define ENTRY_FOREIGN (1ULL << 63)
#define ENTRY_IDENTITY (1ULL << 62)
#define SAVE_MAGIC 0x78703270726f6265ULL /* "xp2probe" */
/* a 256 MiB guest has 64 Ki pfns; no test guest comes near this */
#define MAX_TEST_PFNS (1ULL << 24)

struct guest_view {
	uint32_t domid;
	unsigned int width;
	uint64_t sif; /* shared_info frame */
	uint64_t max_pfn, fll, p2m_cr3, p2m_vaddr, p2m_generation;
	uint64_t cr3;	       /* vcpu0 */
	uint64_t gnt_frame[2]; /* grant entries 0 and 1: console, xenstore */
	size_t nr_mids, nr_leaves;
	uint64_t *mids, *leaves; /* MFNs of the tree's pages */
	uint64_t *p2m;		 /* max_pfn entries */
};

struct probe_save {
	uint64_t magic;
	uint64_t max_pfn, sif, fll, p2m_cr3, cr3, nr_mids, nr_leaves, gnt_frame[2];
};

static struct xp_backend *be;
/* the per-frame errors seen for frames that are not the guest's */
static int err_dom0_frame, err_beyond, err_guest_as_dom0;
static const uint64_t *m2p;
static uint64_t m2p_entries;

/* ok() for an error object: passes when @err is NULL, and consumes it */
static bool ok_noerr(struct xp_error *err, const char *what)
{
	ok(err == NULL, "%s", what);
	if (err) {
		diag("  error (%s): %s", xp_errkind_name(err->kind), err->message);
		xp_error_destroy(err);
		return false;
	}
	return true;
}

/* expects an error of @kind whose message contains @needle; consumes it */
static void is_error(struct xp_error *err, enum xp_errkind kind, const char *needle,
		     const char *what)
{
	ok(err && err->kind == kind && (!needle || strstr(err->message, needle)), "%s", what);
	if (!err)
		diag("  no error, want %s", xp_errkind_name(kind));
	else if (err->kind != kind || (needle && !strstr(err->message, needle)))
		diag("  got %s: '%s', want %s with '%s'", xp_errkind_name(err->kind), err->message,
		     xp_errkind_name(kind), needle ? needle : "");
	xp_error_destroy(err);
}

static uint64_t entry_at(const void *page, unsigned int width, size_t i)
{
	if (width == 8)
		return ((const uint64_t *)page)[i];
	/* 32-bit guests: ~0 stays ~0 */
	uint32_t v = ((const uint32_t *)page)[i];

	return v == 0xffffffffU ? ENTRY_INVALID : v;
}

/* the pfn the M2P gives for @mfn, or ~0 when it is out of range */
static uint64_t m2p_of(uint64_t mfn)
{
	return mfn < m2p_entries ? m2p[mfn] : ENTRY_INVALID;
}

/* does @mfn belong to the guest at a pfn whose p2m entry names it? */
static bool round_trips(const struct guest_view *g, uint64_t mfn)
{
	uint64_t pfn = m2p_of(mfn);

	return pfn < g->max_pfn && g->p2m[pfn] == mfn;
}

/* map @count frames all-or-nothing, reporting the first failure */
static const void *map_all(uint32_t domid, const uint64_t *mfns, size_t count, const char *what)
{
	const void *addr = NULL;
	struct xp_error *err;
	size_t i, bad = 0;
	int *errs;

	errs = calloc(count, sizeof(*errs));
	if (!errs)
		return NULL;
	err = xp_backend_map_frames(be, domid, mfns, count, errs, &addr);
	if (err) {
		ok_noerr(err, what);
		free(errs);
		return NULL;
	}
	for (i = 0; i < count; i++) {
		if (errs[i] && !bad++)
			diag("  %s: frame %zu (mfn %#llx) failed: %s", what, i,
			     (unsigned long long)mfns[i], strerror(-errs[i]));
	}
	ok(bad == 0, "%s: %zu frames map", what, count);
	free(errs);
	if (bad) {
		xp_backend_unmap_frames(be, addr, count);
		return NULL;
	}
	return addr;
}

static void guest_view_release(struct guest_view *g)
{
	free(g->mids);
	free(g->leaves);
	free(g->p2m);
	memset(g, 0, sizeof(*g));
}

/* shared_info's arch block, for either guest width */
static bool read_shared_info(struct guest_view *g)
{
	const void *page = map_all(g->domid, &g->sif, 1, "map the guest's shared_info");

	if (!page)
		return false;
	if (g->width == 8) {
		const struct shared_info_x86_64 *s = page;

		g->max_pfn = s->arch.max_pfn;
		g->fll = s->arch.pfn_to_mfn_frame_list_list;
		g->p2m_cr3 = s->arch.p2m_cr3 >> XP_PAGE_SHIFT;
		g->p2m_vaddr = s->arch.p2m_vaddr;
		g->p2m_generation = s->arch.p2m_generation;
	} else {
		const struct shared_info_x86_32 *s = page;
		uint32_t c = s->arch.p2m_cr3;

		g->max_pfn = s->arch.max_pfn;
		g->fll = s->arch.pfn_to_mfn_frame_list_list;
		g->p2m_cr3 = (uint32_t)((c >> 12) | (c << 20));
		g->p2m_vaddr = s->arch.p2m_vaddr;
		g->p2m_generation = s->arch.p2m_generation;
	}
	xp_backend_unmap_frames(be, page, 1);
	return true;
}

/* frame list list -> mid pages -> leaves -> p2m[] */
static bool read_mfn_tree(struct guest_view *g)
{
	size_t per_page = XP_PAGE_SIZE / g->width, i, top_entries;
	const void *top, *mids, *leaves;

	g->nr_leaves = XP_DIV_ROUND_UP(g->max_pfn, per_page);
	g->nr_mids = XP_DIV_ROUND_UP(g->nr_leaves, per_page);
	top_entries = per_page;
	if (!ok(g->nr_mids <= top_entries, "max_pfn %#llx fits one frame list list",
		(unsigned long long)g->max_pfn))
		return false;

	top = map_all(g->domid, &g->fll, 1, "map the frame list list (p2m_top_mfn)");
	if (!top)
		return false;
	g->mids = calloc(g->nr_mids, sizeof(*g->mids));
	g->leaves = calloc(g->nr_leaves, sizeof(*g->leaves));
	g->p2m = calloc(g->max_pfn, sizeof(*g->p2m));
	if (!g->mids || !g->leaves || !g->p2m) {
		xp_backend_unmap_frames(be, top, 1);
		return ok(0, "allocate the p2m copy");
	}
	for (i = 0; i < g->nr_mids; i++)
		g->mids[i] = entry_at(top, g->width, i);
	xp_backend_unmap_frames(be, top, 1);

	mids = map_all(g->domid, g->mids, g->nr_mids, "map the mid mfn pages (one batch)");
	if (!mids)
		return false;
	for (i = 0; i < g->nr_leaves; i++)
		g->leaves[i] = entry_at((const char *)mids + (i / per_page) * XP_PAGE_SIZE,
					g->width, i % per_page);
	xp_backend_unmap_frames(be, mids, g->nr_mids);

	leaves = map_all(g->domid, g->leaves, g->nr_leaves, "map the p2m leaf pages (one batch)");
	if (!leaves)
		return false;
	for (i = 0; i < g->max_pfn; i++)
		g->p2m[i] = entry_at((const char *)leaves + (i / per_page) * XP_PAGE_SIZE, g->width,
				     i % per_page);
	xp_backend_unmap_frames(be, leaves, g->nr_leaves);
	return true;
}

static bool check_list(uint32_t domid, const char *name, struct xp_domain_info *dom)
{
	struct xp_domain_info *all = NULL;
	bool sorted = true, found0 = false, found = false;
	size_t n = 0, i;

	if (!ok_noerr(xp_backend_list_domains(be, &all, &n), "list_domains"))
		return false;
	for (i = 0; i < n; i++) {
		if (i && all[i - 1].domid >= all[i].domid)
			sorted = false;
		if (all[i].domid == 0) {
			found0 = true;
			is_str(all[i].name, "Domain-0", "dom0 is named Domain-0");
			is_str(xp_domain_type_name(all[i].type), "pv", "dom0 is PV");
			is_int(all[i].guest_width, 8, "dom0 is 64-bit");
		}
		if (all[i].domid == domid) {
			found = true;
			*dom = all[i];
		}
	}
	ok(sorted, "domains come sorted by domid");
	ok(found0, "dom0 is listed");
	ok(found, "domain %u is listed", domid);
	free(all);
	if (!found)
		return false;
	if (name)
		is_str(dom->name, name, "the guest's name comes from xenstore");
	is_str(xp_domain_type_name(dom->type), "pv", "the guest is PV");
	is_int(dom->guest_width, 8, "the guest is 64-bit");
	ok(dom->nr_vcpus >= 1, "the guest has vcpus (%u)", dom->nr_vcpus);
	ok(!dom->dying && !dom->crashed && !dom->shutdown, "the guest is alive");
	return true;
}

static void check_errors(uint32_t domid, const char *name)
{
	struct xp_domain_info info;
	uint32_t absent = 32000;
	char buf[32];
	uint64_t cr3;
	const void *addr;
	int errs[1];

	/* a domid that is not in use */
	while (absent > 1 && xp_backend_domain_info(be, absent, &info) == NULL)
		absent--;
	is_error(xp_backend_domain_info(be, absent, &info), XP_ERR_NODOMAIN, NULL,
		 "domain_info of an unused domid: no such domain");
	snprintf(buf, sizeof(buf), "%u", absent);
	is_error(xp_backend_resolve(be, buf, &info), XP_ERR_NODOMAIN, buf,
		 "resolving an unused domid names it");
	is_error(xp_backend_resolve(be, "no-such-guest", &info), XP_ERR_NODOMAIN, "no-such-guest",
		 "resolving an unknown name names it");
	if (name && ok_noerr(xp_backend_resolve(be, name, &info), "resolve the guest by name"))
		is_int(info.domid, domid, "the name resolves to the guest's domid");
	is_error(xp_backend_vcpu_cr3(be, absent, 0, &cr3), XP_ERR_NODOMAIN, NULL,
		 "vcpu_cr3 of an unused domid: no such domain");
	is_error(xp_backend_vcpu_cr3(be, domid, 4000, &cr3), XP_ERR_INVALID, NULL,
		 "vcpu_cr3 of a vcpu the guest lacks");
	{
		uint64_t mfn = 0x1000;

		is_error(xp_backend_map_frames(be, absent, &mfn, 1, errs, &addr), XP_ERR_GONE, NULL,
			 "mapping frames of an unused domid: domain gone");
	}
	is_error(xp_backend_grant_table_info(be, absent, NULL, NULL, NULL, NULL), XP_ERR_NODOMAIN,
		 NULL, "grant_table_info of an unused domid: no such domain");
}

/* per-frame errors: frames the domain does not own fail, the others map */
static void check_foreign_frames(const struct guest_view *g, const struct xp_domain_info *dom0)
{
	uint64_t mfns[4];
	const void *addr = NULL, *single = NULL;
	int errs[4] = {0}, e1[1] = {0};

	mfns[0] = g->leaves[0];		   /* the guest's own */
	mfns[1] = dom0->shared_info_frame; /* dom0's */
	mfns[2] = m2p_entries + 16;	   /* beyond the host's memory */
	mfns[3] = g->fll;		   /* the guest's own */
	if (!ok_noerr(xp_backend_map_frames(be, g->domid, mfns, 4, errs, &addr),
		      "a batch mixing the guest's frames with others' maps"))
		return;
	is_int(errs[0], 0, "the guest's leaf page maps");
	is_int(errs[1], -EPERM, "dom0's shared_info frame does not map as the guest's: -EPERM");
	err_dom0_frame = errs[1];
	err_beyond = errs[2];
	is_int(errs[2], -EINVAL, "a frame beyond the host's memory does not map: -EINVAL");
	is_int(errs[3], 0, "the guest's frame list list maps");
	if (errs[0] == 0 &&
	    ok_noerr(xp_backend_map_frames(be, g->domid, mfns, 1, e1, &single), "map it alone") &&
	    e1[0] == 0) {
		ok(memcmp(addr, single, XP_PAGE_SIZE) == 0,
		   "a page mapped in a mixed batch reads the same as alone");
		xp_backend_unmap_frames(be, single, 1);
	}
	xp_backend_unmap_frames(be, addr, 4);

	/* the guest's frame, named as dom0's (DOMID_SELF inside) */
	if (ok_noerr(xp_backend_map_frames(be, 0, mfns, 1, e1, &addr),
		     "map a guest frame as dom0's: the call works")) {
		is_int(e1[0], -EPERM, "but the frame fails: -EPERM");
		err_guest_as_dom0 = e1[0];
		xp_backend_unmap_frames(be, addr, 1);
	}
}

/* v1 entry: u16 flags, u16 domid, u32 frame; 512 to a page */
struct gnt_v1 {
	uint16_t flags;
	uint16_t domid;
	uint32_t frame;
};

static void check_grants(struct guest_view *g)
{
	unsigned int version = 0, nr = 0, nr_status = 0, max = 0, nr2 = 0, i;
	const struct gnt_v1 *e;
	const void *frames = NULL, *ring = NULL;
	void *gaddr = NULL;
	int ferr[1] = {0};
	uint64_t con = 0, store = 0;

	if (!ok_noerr(xp_backend_grant_table_info(be, g->domid, &version, &nr, &nr_status, &max),
		      "grant_table_info"))
		return;
	is_int(version, 1, "the guest's grant table is v1");
	ok(nr >= 1 && nr <= max, "%u of at most %u frames in use", nr, max);
	is_int(nr_status, 0, "v1: no status frames");
	is_error(xp_backend_grant_frames_map(be, g->domid, false, nr, 1, &frames), XP_ERR_INVALID,
		 "the table has",
		 "a frame beyond the current size is refused (it would grow the table)");
	is_error(xp_backend_grant_frames_map(be, g->domid, true, 0, 1, &frames), XP_ERR_INVALID,
		 "no status frames", "v1: status frames are refused");
	if (!ok_noerr(xp_backend_grant_frames_map(be, g->domid, false, 0, nr, &frames),
		      "map the grant-table frames in use"))
		return;
	e = frames;
	for (i = 0; i < 2; i++) {
		is_int(e[i].flags, 0x19, "entry %u: permit_access, mapped r/w by dom0 (flags 0x19)",
		       i);
		is_int(e[i].domid, 0, "entry %u: granted to dom0", i);
		g->gnt_frame[i] = e[i].frame;
		ok(round_trips(g, e[i].frame), "entry %u's frame %#x is the guest's", i,
		   e[i].frame);
	}
	xp_backend_grant_frames_unmap(be, frames, nr);
	if (ok_noerr(xp_backend_toolstack_rings(be, g->domid, &con, &store),
		     "toolstack_rings (xenstore console/ring-ref, store/ring-ref)")) {
		is_u64(con, g->gnt_frame[0],
		       "the toolstack's console ring is grant entry 0's frame");
		is_u64(store, g->gnt_frame[1],
		       "the toolstack's xenstore ring is grant entry 1's frame");
	}
	if (ok_noerr(xp_backend_grant_table_info(be, g->domid, NULL, &nr2, NULL, NULL),
		     "grant_table_info again"))
		is_int(nr2, nr, "the table did not grow");

	/* the xenstore ring, by grant and by foreign mapping: the same page */
	if (!ok_noerr(xp_backend_grant_map(be, g->domid, 1, true, &gaddr),
		      "map grant 1 (the xenstore ring) read-only"))
		return;
	if (ok_noerr(xp_backend_map_frames(be, g->domid, &g->gnt_frame[1], 1, ferr, &ring),
		     "map its frame directly") &&
	    !ferr[0]) {
		ok(memcmp(gaddr, ring, 2048) == 0,
		   "the granted page and the foreign-mapped frame hold the same rings");
		xp_backend_unmap_frames(be, ring, 1);
	}
	ok_noerr(xp_backend_grant_unmap(be, gaddr), "unmap the grant");
	is_error(xp_backend_grant_unmap(be, gaddr), XP_ERR_INVALID, NULL,
		 "unmapping it twice is refused");
	diag("summary: grant table v%u, %u of %u frames; entry 0 -> %#llx, entry 1 -> %#llx",
	     version, nr, max, (unsigned long long)g->gnt_frame[0],
	     (unsigned long long)g->gnt_frame[1]);
}

#define TREE_ROUNDS 200

/* The frame list list and mid pages of @g through @h, digested; 0: failed. */
static uint64_t tree_digest(struct xp_backend *h, const struct guest_view *g)
{
	uint64_t mfns[1 + 64], sum = 0xcbf29ce484222325ULL;
	size_t n = 0, i, nr = XP_MIN(g->nr_mids, (size_t)64);
	const unsigned char *p = NULL;
	struct xp_error *err;
	int errs[1 + 64];

	mfns[n++] = g->fll;
	for (i = 0; i < nr; i++)
		mfns[n++] = g->mids[i];
	err = xp_backend_map_frames(h, g->domid, mfns, n, errs, (const void **)&p);
	if (err) {
		xp_error_destroy(err);
		return 0;
	}
	for (i = 0; i < n * XP_PAGE_SIZE; i++)
		sum = (sum ^ (errs[i / XP_PAGE_SIZE] ? 0xff : p[i])) * 0x100000001b3ULL;
	xp_backend_unmap_frames(h, p, n);
	return sum;
}

struct tree_reader {
	pthread_t thread;
	struct xp_backend *be;
	const struct guest_view *g;
	uint64_t want;
	unsigned int same;
};

static void *tree_reader_run(void *arg)
{
	struct tree_reader *r = arg;
	unsigned int i;

	for (i = 0; i < TREE_ROUNDS; i++)
		r->same += tree_digest(r->be, r->g) == r->want;
	return NULL;
}

static void check_threads(const struct guest_view *g)
{
	struct tree_reader r[3] = {{0}};
	struct xp_backend_mappings m;
	void *gaddr = NULL;
	unsigned int i;

	if (!ok_noerr(xp_backend_open(NULL, NULL, &r[1].be), "an unnamed backend opens") ||
	    !ok_noerr(xp_backend_clone(be, &r[2].be), "the handle clones")) {
		xp_backend_destroy(r[1].be);
		return;
	}
	is_str(r[1].be->ops->name, "xen", "the running host is Xen's");
	r[0].be = be;
	r[0].want = tree_digest(be, g);
	ok(r[0].want != 0, "the mfn tree's pages map (%zu)", 1 + XP_MIN(g->nr_mids, (size_t)64));
	for (i = 0; i < 3; i++) {
		r[i].g = g;
		r[i].want = r[0].want;
	}
	pthread_create(&r[1].thread, NULL, tree_reader_run, &r[1]);
	pthread_create(&r[2].thread, NULL, tree_reader_run, &r[2]);
	tree_reader_run(&r[0]);
	pthread_join(r[1].thread, NULL);
	pthread_join(r[2].thread, NULL);
	ok(r[0].same == TREE_ROUNDS && r[1].same == TREE_ROUNDS && r[2].same == TREE_ROUNDS,
	   "3 threads x %u rounds at once (own handle, clone, the first handle): all read the "
	   "same (%u, %u, %u)",
	   TREE_ROUNDS, r[0].same, r[1].same, r[2].same);
	for (i = 0; i < 3; i++) {
		xp_backend_mappings(r[i].be, &m);
		ok(m.frames == 0 && m.grant_frames == 0 && m.grants == 0,
		   "handle %u has nothing left mapped", i);
	}
	diag("summary: threads: %s backend unnamed; first/own/clone handles x %u rounds at once "
	     "read the mfn tree's %zu pages the same %u/%u/%u times",
	     r[1].be->ops->name, TREE_ROUNDS, 1 + XP_MIN(g->nr_mids, (size_t)64), r[0].same,
	     r[1].same, r[2].same);
	/* a grant is its handle's: destroying the clone unmaps it (gntdev) */
	if (ok_noerr(xp_backend_grant_map(r[2].be, g->domid, 1, true, &gaddr),
		     "the clone maps grant 1")) {
		xp_backend_mappings(r[2].be, &m);
		is_int(m.grants, 1, "and counts it");
	}
	xp_backend_destroy(r[2].be);
	xp_backend_destroy(r[1].be);
	if (ok_noerr(xp_backend_grant_map(be, g->domid, 1, true, &gaddr),
		     "the grant maps again once the clone is gone"))
		ok_noerr(xp_backend_grant_unmap(be, gaddr), "and unmaps");
}

static void check_dom0(const struct xp_domain_info *dom0)
{
	struct guest_view g0 = {.domid = 0, .width = 8, .sif = dom0->shared_info_frame};

	ok(dom0->shared_info_frame != 0 && dom0->shared_info_frame < m2p_entries,
	   "dom0's shared_info frame %#llx is a host frame",
	   (unsigned long long)dom0->shared_info_frame);
	if (!read_shared_info(&g0))
		return;
	ok(g0.max_pfn > 0 && g0.max_pfn <= m2p_entries + 0x100000,
	   "dom0 maps its own shared_info (domid 0): max_pfn %#llx",
	   (unsigned long long)g0.max_pfn);
	diag("dom0: max_pfn=%#llx frame_list_list=%#llx p2m_cr3=%#llx",
	     (unsigned long long)g0.max_pfn, (unsigned long long)g0.fll,
	     (unsigned long long)g0.p2m_cr3);
}

static bool save_view(const struct guest_view *g, const char *path)
{
	struct probe_save h = {
		.magic = SAVE_MAGIC,
		.max_pfn = g->max_pfn,
		.sif = g->sif,
		.fll = g->fll,
		.p2m_cr3 = g->p2m_cr3,
		.cr3 = g->cr3,
		.nr_mids = g->nr_mids,
		.nr_leaves = g->nr_leaves,
		.gnt_frame = {g->gnt_frame[0], g->gnt_frame[1]},
	};
	FILE *f = fopen(path, "wb");
	bool good;

	if (!f)
		return ok(0, "write %s: %s", path, strerror(errno));
	good = fwrite(&h, sizeof(h), 1, f) == 1 &&
	       fwrite(g->mids, sizeof(*g->mids), g->nr_mids, f) == g->nr_mids &&
	       fwrite(g->leaves, sizeof(*g->leaves), g->nr_leaves, f) == g->nr_leaves &&
	       fwrite(g->p2m, sizeof(*g->p2m), g->max_pfn, f) == g->max_pfn;
	good = (fclose(f) == 0) && good;
	return ok(good, "save the view to %s", path);
}

static bool load_view(struct guest_view *b, const char *path)
{
	struct probe_save h;
	FILE *f = fopen(path, "rb");
	bool good = false;

	memset(b, 0, sizeof(*b));
	if (!f)
		return ok(0, "read %s: %s", path, strerror(errno));
	if (fread(&h, sizeof(h), 1, f) == 1 && h.magic == SAVE_MAGIC && h.max_pfn &&
	    h.max_pfn <= MAX_TEST_PFNS && h.nr_mids <= h.max_pfn && h.nr_leaves <= h.max_pfn) {
		b->max_pfn = h.max_pfn;
		b->sif = h.sif;
		b->fll = h.fll;
		b->p2m_cr3 = h.p2m_cr3;
		b->cr3 = h.cr3;
		b->nr_mids = h.nr_mids;
		b->nr_leaves = h.nr_leaves;
		b->gnt_frame[0] = h.gnt_frame[0];
		b->gnt_frame[1] = h.gnt_frame[1];
		b->mids = calloc(h.nr_mids, sizeof(*b->mids));
		b->leaves = calloc(h.nr_leaves, sizeof(*b->leaves));
		b->p2m = calloc(h.max_pfn, sizeof(*b->p2m));
		good = b->mids && b->leaves && b->p2m &&
		       fread(b->mids, sizeof(*b->mids), h.nr_mids, f) == h.nr_mids &&
		       fread(b->leaves, sizeof(*b->leaves), h.nr_leaves, f) == h.nr_leaves &&
		       fread(b->p2m, sizeof(*b->p2m), h.max_pfn, f) == h.max_pfn;
	}
	fclose(f);
	return ok(good, "read the view from before, %s", path);
}

static const char *entry_class(uint64_t v)
{
	if (v == ENTRY_INVALID)
		return "invalid";
	if (v & ENTRY_FOREIGN)
		return "foreign";
	if (v & ENTRY_IDENTITY)
		return "identity";
	return "valid";
}

static bool dump_view(const struct guest_view *g, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t pfn;
	bool good;

	if (!f)
		return ok(0, "write %s: %s", path, strerror(errno));
	fprintf(f, "# pfn raw-entry class (backend-probe, domain %u, max_pfn %#llx)\n", g->domid,
		(unsigned long long)g->max_pfn);
	for (pfn = 0; pfn < g->max_pfn; pfn++)
		fprintf(f, "0x%zx 0x%llx %s\n", pfn, (unsigned long long)g->p2m[pfn],
			entry_class(g->p2m[pfn]));
	good = !ferror(f);
	good = (fclose(f) == 0) && good;
	return ok(good, "dump the p2m to %s", path);
}

static size_t count_same(const uint64_t *a, const uint64_t *b, size_t n)
{
	size_t i, same = 0;

	for (i = 0; i < n; i++)
		same += a[i] == b[i] && a[i] != ENTRY_INVALID;
	return same;
}

/* after a save/restore keeping the source alive, no MFN may be reused */
static void compare_before(const struct guest_view *g, const struct guest_view *b)
{
	size_t same;

	is_u64(g->max_pfn, b->max_pfn, "max_pfn is unchanged by the restore");
	ok(g->sif != b->sif, "shared_info frame changed: %#llx -> %#llx",
	   (unsigned long long)b->sif, (unsigned long long)g->sif);
	ok(g->fll != b->fll, "frame list list changed: %#llx -> %#llx", (unsigned long long)b->fll,
	   (unsigned long long)g->fll);
	ok(g->p2m_cr3 != b->p2m_cr3, "p2m_cr3 changed: %#llx -> %#llx",
	   (unsigned long long)b->p2m_cr3, (unsigned long long)g->p2m_cr3);
	/* restore re-seeds entries 0 and 1 only, with the new frames */
	ok(g->gnt_frame[0] != b->gnt_frame[0] && g->gnt_frame[1] != b->gnt_frame[1],
	   "grant entries 0/1 name the new console/xenstore frames: %#llx/%#llx -> %#llx/%#llx",
	   (unsigned long long)b->gnt_frame[0], (unsigned long long)b->gnt_frame[1],
	   (unsigned long long)g->gnt_frame[0], (unsigned long long)g->gnt_frame[1]);
	if (g->nr_mids == b->nr_mids && g->nr_leaves == b->nr_leaves) {
		same = count_same(g->mids, b->mids, g->nr_mids);
		is_int(same, 0, "every mid mfn page moved");
		same = count_same(g->leaves, b->leaves, g->nr_leaves);
		is_int(same, 0, "every leaf page moved");
	}
	if (g->max_pfn == b->max_pfn) {
		same = count_same(g->p2m, b->p2m, g->max_pfn);
		is_int(same, 0, "every pfn has a new MFN (%llu pfns)",
		       (unsigned long long)g->max_pfn);
	}
	diag("summary: moved sif %#llx->%#llx fll %#llx->%#llx p2m[0] %#llx->%#llx",
	     (unsigned long long)b->sif, (unsigned long long)g->sif, (unsigned long long)b->fll,
	     (unsigned long long)g->fll, (unsigned long long)b->p2m[0],
	     (unsigned long long)g->p2m[0]);
}

static void check_not_pv(uint32_t domid)
{
	struct xp_domain_info info;
	uint64_t cr3 = 0;

	if (!ok_noerr(xp_backend_domain_info(be, domid, &info), "domain_info"))
		return;
	ok(info.type == XP_DOMAIN_PVH || info.type == XP_DOMAIN_HVM, "type %s is PVH or HVM",
	   xp_domain_type_name(info.type));
	is_int(info.guest_width, 0, "width unknown (Xen reports it for PV guests only)");
	is_error(xp_backend_vcpu_cr3(be, domid, 0, &cr3), XP_ERR_NOT_PV, "not a PV guest",
		 "vcpu_cr3: not a PV guest");
}

static void usage(void)
{
	fprintf(stderr, "usage: backend-probe [--pages N] [--name NAME] [--save FILE] "
			"[--before FILE] [--dump FILE] DOMID\n"
			"       backend-probe --not-pv DOMID\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pages", required_argument, NULL, 'n'},
		{"name", required_argument, NULL, 'N'},
		{"save", required_argument, NULL, 's'},
		{"before", required_argument, NULL, 'b'},
		{"dump", required_argument, NULL, 'd'},
		{"not-pv", no_argument, NULL, 'P'},
		{NULL, 0, NULL, 0},
	};
	const char *name = NULL, *save = NULL, *before = NULL, *dump = NULL;
	struct xp_domain_info dom = {0}, dom0 = {0};
	struct guest_view g = {0}, b;
	struct xp_host_info host;
	uint64_t domid, pages = 0, v;
	size_t pfn, valid = 0, invalid = 0, identity = 0, foreign = 0, bad = 0, tree_bad = 0;
	struct timespec t0, t1;
	bool found, not_pv = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (xp_parse_u64(optarg, &pages))
				usage();
			break;
		case 'N':
			name = optarg;
			break;
		case 's':
			save = optarg;
			break;
		case 'b':
			before = optarg;
			break;
		case 'd':
			dump = optarg;
			break;
		case 'P':
			not_pv = true;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || xp_parse_u64(argv[optind], &domid) || domid >= XP_DOMID_SELF)
		usage();
	clock_gettime(CLOCK_MONOTONIC, &t0);

	if (!ok_noerr(xp_backend_xen_open(&be), "open the Xen backend"))
		return tap_done();
	if (not_pv) {
		check_not_pv((uint32_t)domid);
		xp_backend_destroy(be);
		return tap_done();
	}
	if (ok_noerr(xp_backend_host_info(be, &host), "host_info")) {
		is_str(host.backend, "xen", "backend name");
		ok(host.xen_major >= 4, "Xen version %u.%u%s", host.xen_major, host.xen_minor,
		   host.xen_extra);
		ok(host.max_mfn > 0x1000, "host max_mfn %#llx", (unsigned long long)host.max_mfn);
	}
	if (ok_noerr(xp_backend_m2p_map(be, &m2p, &m2p_entries), "map the M2P read-only"))
		is_u64(m2p_entries, host.max_mfn, "the M2P has max_mfn entries");
	found = check_list((uint32_t)domid, name, &dom);
	if (!ok_noerr(xp_backend_domain_info(be, 0, &dom0), "domain_info of dom0"))
		goto out;
	check_errors((uint32_t)domid, name);
	if (!found)
		goto out;

	g.domid = dom.domid;
	g.width = dom.guest_width;
	g.sif = dom.shared_info_frame;
	ok(g.sif && g.sif < m2p_entries, "shared_info frame %#llx is a host frame",
	   (unsigned long long)g.sif);
	if (!read_shared_info(&g))
		goto out;
	if (pages)
		is_u64(g.max_pfn, pages, "shared_info max_pfn is the guest's p2m size");
	ok(g.max_pfn > 0 && g.max_pfn <= MAX_TEST_PFNS, "max_pfn %#llx is sane",
	   (unsigned long long)g.max_pfn);
	ok(g.fll != 0 && g.fll != ENTRY_INVALID && g.fll < m2p_entries,
	   "the guest published its frame list list (%#llx)", (unsigned long long)g.fll);
	ok(g.p2m_cr3 != 0 && g.p2m_cr3 < m2p_entries, "the guest published p2m_cr3 (mfn %#llx)",
	   (unsigned long long)g.p2m_cr3);
	ok(!(g.p2m_generation & 1), "p2m_generation %llu is even (no update in progress)",
	   (unsigned long long)g.p2m_generation);
	if (g.max_pfn == 0 || g.max_pfn > MAX_TEST_PFNS || g.fll == 0 || g.fll >= m2p_entries ||
	    !read_mfn_tree(&g))
		goto out;

	/* every pfn: classify, and round-trip the valid ones through the M2P */
	for (pfn = 0; pfn < g.max_pfn; pfn++) {
		v = g.p2m[pfn];
		if (v == ENTRY_INVALID) {
			invalid++;
		} else if (v & ENTRY_FOREIGN) {
			foreign++;
		} else if (v & ENTRY_IDENTITY) {
			identity++;
		} else {
			valid++;
			if (m2p_of(v) != pfn && bad++ < 5)
				diag("  pfn %#zx -> mfn %#llx -> m2p %#llx", pfn,
				     (unsigned long long)v, (unsigned long long)m2p_of(v));
		}
	}
	ok(valid > 0, "the guest has valid p2m entries (%zu)", valid);
	is_int(bad, 0, "m2p[p2m[pfn]] == pfn for every valid pfn (%zu of %llu)", valid,
	       (unsigned long long)g.max_pfn);
	if (pages)
		is_int(valid, pages, "every pfn of the guest is populated");

	/* the tree's own frames are guest pages */
	tree_bad += !round_trips(&g, g.fll);
	for (pfn = 0; pfn < g.nr_mids; pfn++)
		tree_bad += !round_trips(&g, g.mids[pfn]);
	for (pfn = 0; pfn < g.nr_leaves; pfn++)
		tree_bad += !round_trips(&g, g.leaves[pfn]);
	is_int(tree_bad, 0, "the frame list list, %zu mid and %zu leaf pages round-trip", g.nr_mids,
	       g.nr_leaves);
	ok(round_trips(&g, g.p2m_cr3), "p2m_cr3's frame (the linear list's L4) is the guest's");

	if (ok_noerr(xp_backend_vcpu_cr3(be, g.domid, 0, &g.cr3), "vcpu_cr3 of vcpu 0")) {
		ok(g.cr3 != 0, "vcpu0 cr3 is non-zero (mfn %#llx)", (unsigned long long)g.cr3);
		ok(round_trips(&g, g.cr3), "vcpu0's page table is a guest page (M2P round trip)");
	}
	check_foreign_frames(&g, &dom0);
	check_grants(&g);
	check_threads(&g);
	check_dom0(&dom0);

	if (before && load_view(&b, before)) {
		compare_before(&g, &b);
		guest_view_release(&b);
	}
	if (save)
		save_view(&g, save);
	if (dump)
		dump_view(&g, dump);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("summary: per-frame errors: dom0's frame as the guest's %d, beyond the host %d, "
	     "the guest's frame as dom0's %d",
	     err_dom0_frame, err_beyond, err_guest_as_dom0);
	diag("summary: domid=%u tot_pages=%llu max_pfn=%#llx sif=%#llx fll=%#llx p2m_cr3=%#llx "
	     "mids=%zu leaves=%zu p2m[0]=%#llx valid=%zu invalid=%zu identity=%zu foreign=%zu "
	     "round_trips=%zu host_max_mfn=%#llx ms=%ld",
	     g.domid, (unsigned long long)dom.tot_pages, (unsigned long long)g.max_pfn,
	     (unsigned long long)g.sif, (unsigned long long)g.fll, (unsigned long long)g.p2m_cr3,
	     g.nr_mids, g.nr_leaves, (unsigned long long)g.p2m[0], valid, invalid, identity,
	     foreign, valid - bad, (unsigned long long)m2p_entries,
	     (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
out:
	guest_view_release(&g);
	xp_backend_destroy(be);
	return tap_done();
}
