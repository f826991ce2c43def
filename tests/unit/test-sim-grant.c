// SPDX-License-Identifier: GPL-2.0
/*
 * Grant tables on the simulated host: the hypervisor's table (src/sim/
 * grant.c) and the guest kernel's side (src/guest/linux/grant-table*.c)
 * together.  Setup at build, growth from an interrupt, versions 1 and 2
 * with status frames, map/unmap and the reading/writing flags,
 * unmap_and_replace, the toolstack's seed after a restore and the
 * re-grants, and the atomic-context rule of seed 002.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#include "lib/util.h"
#include "sim/toolstack/toolstack.h"
#include "tap.h"

#define GNTTAB_VA_64 0xffffe8ff00000000ULL
#define GNTTAB_VA_32 0xf4000000ULL

static struct sim_host *h;

static void fail_err(struct xp_error *err)
{
	if (err) {
		diag("%s", err->message);
		xp_error_destroy(err);
	}
}

static struct sim_domain *create(const char *name, unsigned int width, unsigned int version,
				 enum gk_variant variant, uint64_t mib)
{
	struct sim_create_args a = {
		.name = name,
		.memory = mib << 20,
		.width = width,
		.layout = GK_LAYOUT_LIST,
		.variant = variant,
		.seed = 3,
		.gnttab_version = version,
	};
	struct sim_domain *d = NULL;
	struct xp_error *err = sim_domain_create(h, &a, &d);

	fail_err(err);
	return d;
}

/* A guest word / variable through the guest's own page tables. */
static uint64_t kvar(struct sim_domain *d, const char *sym, unsigned int size)
{
	struct sim_guest g;
	uint64_t va = 0, v = 0;
	struct gk *k;
	void *p;

	sim_guest_init(&g, h, d);
	if (gk_attach(&g.hv, &k))
		return ~0ULL;
	if (gk_symbol(k, sym, &va) == 0 && (p = gk_va(k, va, false)))
		memcpy(&v, p, size ? size : d->width);
	gk_detach(k);
	return v;
}

/* The host pointer behind guest VA @va, NULL when unmapped. */
static void *guest_ptr(struct sim_domain *d, uint64_t va)
{
	struct sim_guest g;
	struct gk *k;
	void *p;

	sim_guest_init(&g, h, d);
	if (gk_attach(&g.hv, &k))
		return NULL;
	p = gk_va(k, va, false);
	gk_detach(k);
	return p;
}

/* The kernel log, as an inspector would read it (gk.h). */
static char *klog(struct sim_domain *d)
{
	struct sim_guest g;
	uint64_t buf = 0, va_end = 0, va_len = 0;
	uint32_t end = 0, len = 0, n, i;
	struct gk *k;
	char *out;

	sim_guest_init(&g, h, d);
	if (gk_attach(&g.hv, &k))
		return strdup("");
	gk_symbol(k, "__log_buf", &buf);
	gk_symbol(k, "log_end", &va_end);
	gk_symbol(k, "log_buf_len", &va_len);
	memcpy(&end, gk_va(k, va_end, false), 4);
	memcpy(&len, gk_va(k, va_len, false), 4);
	n = end < len ? end : len;
	out = calloc(1, (size_t)n + 1);
	for (i = 0; i < n; i++) {
		const char *p = gk_va(k, buf + ((end - n + i) & (len - 1)), false);

		out[i] = p ? *p : '?';
	}
	gk_detach(k);
	return out;
}

static struct sim_gnt_entry entry(struct sim_domain *d, uint32_t ref)
{
	struct sim_gnt_entry e;

	sim_gnttab_get_entry(h, d, ref, &e);
	return e;
}

static uint64_t p2m(struct sim_domain *d, uint64_t pfn)
{
	struct sim_guest g;
	uint64_t mfn = ~0ULL;
	struct gk *k;

	sim_guest_init(&g, h, d);
	if (gk_attach(&g.hv, &k) == 0) {
		mfn = gk_pfn_to_mfn(k, pfn);
		gk_detach(k);
	}
	return mfn;
}

static uint64_t start_info_field(struct sim_domain *d, bool console)
{
	const void *si = sim_frame_ptr(h, d->start_info_mfn);

	if (d->width == 8)
		return console ? ((const struct start_info_x86_64 *)si)->console.domU.mfn
			       : ((const struct start_info_x86_64 *)si)->store_mfn;
	return console ? ((const struct start_info_x86_32 *)si)->console.domU.mfn
		       : ((const struct start_info_x86_32 *)si)->store_mfn;
}

static int grant(struct sim_domain *d, uint16_t to, bool ro, unsigned int count, uint32_t *refs)
{
	struct sim_guest g;
	int rc;

	sim_guest_init(&g, h, d);
	rc = gk_grant(&g.hv, to, ro, count, refs);
	sim_guest_fini(&g);
	return rc;
}

static int ungrant(struct sim_domain *d, uint32_t ref, uint16_t *peer)
{
	struct sim_guest g;
	int rc;

	sim_guest_init(&g, h, d);
	rc = gk_ungrant(&g.hv, ref, peer);
	sim_guest_fini(&g);
	return rc;
}

/* Map @ref of @d by @mapper: the error message, or NULL. */
static char *map(struct sim_domain *mapper, struct sim_domain *d, uint32_t ref, uint32_t flags,
		 uint64_t addr, uint32_t *handle)
{
	uint64_t mfn;
	struct xp_error *err = sim_gnttab_map(h, mapper, d->domid, ref, flags, addr, handle, &mfn);
	char *msg = NULL;

	if (err) {
		msg = strdup(err->message);
		xp_error_destroy(err);
	}
	return msg;
}

static bool unmap(struct sim_domain *mapper, uint32_t handle)
{
	struct xp_error *err = sim_gnttab_unmap(h, mapper, handle);

	fail_err(err);
	return !err;
}

/* uint64_t of a guest-width pointer variable's value */
static uint64_t vm_area(struct sim_domain *d, const char *sym, unsigned int slot)
{
	struct sim_guest g;
	uint64_t va = 0, v = 0;
	struct gk *k;
	void *p;

	sim_guest_init(&g, h, d);
	if (gk_attach(&g.hv, &k))
		return ~0ULL;
	if (gk_symbol(k, sym, &va) == 0 && (p = gk_va(k, va + slot * d->width, false)))
		memcpy(&v, p, d->width);
	gk_detach(k);
	return v;
}

static void test_setup(struct sim_domain *d, uint64_t area)
{
	unsigned int w = d->width * 8;
	struct sim_gnt_entry e0 = entry(d, 0), e1 = entry(d, 1), e2 = entry(d, 2);
	char *log = klog(d);

	is_int(d->gnt_version, 1, "%u-bit: version 1", w);
	is_int(d->gnt_nr_frames, 1, "%u-bit: 1 frame", w);
	is_int(d->gnt_max_frames, 64, "%u-bit: 64 max", w);
	is_int(d->gnt_nr_status, 0, "%u-bit: no status frames", w);
	is_int(e0.flags, 0x19, "%u-bit: entry 0 is 0x19 (permit_access, reading, writing)", w);
	is_int(e1.flags, 0x19, "%u-bit: entry 1 is 0x19", w);
	is_int(e0.domid, 0, "%u-bit: entry 0 grants to domain 0", w);
	is_u64(e0.frame, start_info_field(d, true), "%u-bit: entry 0 is the console ring", w);
	is_u64(e1.frame, start_info_field(d, false), "%u-bit: entry 1 is the xenstore ring", w);
	is_u64(d->console_ring, e0.frame, "%u-bit: the toolstack recorded the console ring", w);
	is_u64(d->store_ring, e1.frame, "%u-bit: and the xenstore ring", w);
	ok(e2.flags == 0 && e2.frame == 0, "%u-bit: entry 2 is empty", w);
	is_u64(kvar(d, "grant_table_version", 0), 1, "%u-bit: the guest uses version 1", w);
	is_u64(kvar(d, "nr_grant_frames", 0), 1, "%u-bit: it mapped 1 frame", w);
	is_u64(kvar(d, "gnttab_shared", 0), area, "%u-bit: at its reserved area", w);
	is_u64(vm_area(d, "gnttab_shared_vm_area", 0), area, "%u-bit: reserved at boot", w);
	ok(vm_area(d, "gnttab_shared_vm_area", 1) != 0, "%u-bit: with its PTE pointers", w);
	ok(guest_ptr(d, area) == sim_frame_ptr(h, sim_gnttab_frame(h, d, false, 0)),
	   "%u-bit: the area maps the table's frame", w);
	is_u64(kvar(d, "gnttab_free_count", 0), 504, "%u-bit: 504 free references", w);
	is_u64(kvar(d, "tainted_mask", 0), 0, "%u-bit: not tainted", w);
	is_u64(kvar(d, "log_buf_len", 4), 16384, "%u-bit: log_buf_len", w);
	ok(strstr(log, "Linux version 6.1.0-gk") != NULL, "%u-bit: the log starts at the banner",
	   w);
	ok(strstr(log, "Grant tables using version 1 layout\n") != NULL,
	   "%u-bit: the log says the version", w);
	free(log);
}

static void test_grow_fixed(struct sim_domain *d, uint64_t area)
{
	uint32_t *refs = calloc(700, sizeof(*refs));
	unsigned int w = d->width * 8, i, distinct = 1;
	struct sim_gnt_entry e;
	uint64_t pfn;
	char *log;

	is_int(grant(d, 0, false, 3, refs), 0, "%u-bit: 3 grants", w);
	ok(refs[0] == 8 && refs[1] == 9 && refs[2] == 10, "%u-bit: refs 8, 9, 10", w);
	e = entry(d, 9);
	ok(e.flags == GTF_permit_access && e.domid == 0, "%u-bit: entry 9: permit_access to 0", w);
	pfn = h->m2p[e.frame];
	ok(sim_frame_owned(h, d, e.frame) && p2m(d, pfn) == e.frame,
	   "%u-bit: entry 9 names one of the guest's frames (pfn %#llx)", w,
	   (unsigned long long)pfn);
	/* 501 free: 600 more need a second frame, from the interrupt */
	is_int(grant(d, 5, true, 600, refs), 0, "%u-bit: 600 grants to domain 5", w);
	is_int(d->gnt_nr_frames, 2, "%u-bit: the table grew to 2 frames", w);
	is_u64(kvar(d, "nr_grant_frames", 0), 2, "%u-bit: the guest mapped 2", w);
	ok(guest_ptr(d, area + 4096) == sim_frame_ptr(h, sim_gnttab_frame(h, d, false, 1)),
	   "%u-bit: through its reserved PTEs", w);
	for (i = 1; i < 600; i++)
		distinct &= refs[i] != refs[i - 1];
	ok(distinct && refs[0] == 11 && refs[599] == 610, "%u-bit: refs 11..610", w);
	e = entry(d, 610);
	ok(e.flags == (GTF_permit_access | GTF_readonly) && e.domid == 5,
	   "%u-bit: entry 610: read-only to 5 (flags %#x)", w, e.flags);
	is_u64(kvar(d, "gnttab_free_count", 0), 1024 - 8 - 603, "%u-bit: free count", w);
	is_u64(kvar(d, "tainted_mask", 0), 0, "%u-bit: the fixed kernel grows cleanly", w);
	log = klog(d);
	ok(!strstr(log, "BUG"), "%u-bit: no BUG in its log", w);
	free(log);
	free(refs);
}

static void test_flags(struct sim_domain *d, struct sim_domain *dom0, struct sim_domain *other)
{
	uint32_t hrw, hro, hx, refs[2];
	char *msg;
	uint16_t peer = 0xffff;

	msg = map(dom0, d, 8, 0, 0, &hrw);
	ok(!msg, "dom0 maps ref 8 read-write");
	is_int(entry(d, 8).flags, 0x19, "ref 8: 0x19 while mapped read-write");
	msg = map(dom0, d, 8, SIM_GNTMAP_READONLY, 0, &hro);
	ok(!msg, "and read-only");
	ok(unmap(dom0, hrw), "unmap the writable mapping");
	is_int(entry(d, 8).flags, 0x9, "ref 8: 0x9 (reading) while a read-only mapping stays");
	ok(unmap(dom0, hro), "unmap the read-only one");
	is_int(entry(d, 8).flags, 0x1, "ref 8: 0x1 again");
	msg = map(other, d, 8, 0, 0, &hx);
	is_str(msg, "domain 2 cannot map grant 8 of domain 1: it is granted to domain 0",
	       "another domain may not map it");
	free(msg);
	msg = map(dom0, d, 610, 0, 0, &hx);
	is_str(msg, "domain 0 cannot map grant 610 of domain 1: it is granted to domain 5",
	       "nor dom0 a grant to domain 5");
	free(msg);
	is_int(grant(d, 0, true, 1, refs), 0, "a read-only grant to dom0");
	msg = map(dom0, d, refs[0], 0, 0, &hx);
	ok(msg && strstr(msg, "attempt to write-pin a read-only grant entry"),
	   "no writable mapping of a read-only grant");
	free(msg);
	msg = map(dom0, d, refs[0], SIM_GNTMAP_READONLY, 0, &hx);
	ok(!msg && entry(d, refs[0]).flags == 0xd, "a read-only mapping: 0xd");
	unmap(dom0, hx);
	msg = map(dom0, d, 5000, 0, 0, &hx);
	is_str(msg,
	       "domain 0 cannot map grant 5000 of domain 1: bad ref (the table has 1024 entries in "
	       "2 frames)",
	       "a ref beyond the table");
	free(msg);
	msg = map(dom0, d, 3, 0, 0, &hx);
	is_str(msg,
	       "domain 0 cannot map grant 3 of domain 1: the entry is not permit_access (flags "
	       "0x0)",
	       "an unused entry");
	free(msg);

	/* ending a grant while it is mapped */
	msg = map(dom0, d, 9, 0, 0, &hrw);
	free(msg);
	is_int(ungrant(d, 9, &peer), -EBUSY, "ungrant while mapped: busy");
	is_int(peer, 0, "the peer is dom0");
	is_int(entry(d, 9).flags, 0x19, "the entry is untouched");
	unmap(dom0, hrw);
	is_int(ungrant(d, 9, &peer), 0, "ungrant once unmapped");
	is_int(entry(d, 9).flags, 0, "entry 9 is free");
	is_int(ungrant(d, 9, &peer), -ENOENT, "not twice");
	is_int(ungrant(d, 1, &peer), -ENOENT, "not a reserved entry");
	is_int(grant(d, 0, false, 1, refs), 0, "a new grant");
	is_int(refs[0], 9, "reuses ref 9");
}

static void test_foreign_frame(struct sim_domain *d, struct sim_domain *dom0)
{
	struct sim_gnt_entry e = entry(d, 10);
	uint64_t theirs = dom0->start_info_mfn, old = e.frame;
	uint32_t hd;
	char *msg;

	e.frame = theirs;
	sim_gnttab_put_entry(h, d, 10, &e);
	msg = map(dom0, d, 10, 0, 0, &hd);
	ok(msg && strstr(msg, "could not pin grant frame") &&
		   strstr(msg, "not a frame of domain 1"),
	   "a grant of a frame the granter does not own cannot be mapped");
	free(msg);
	e.frame = old;
	sim_gnttab_put_entry(h, d, 10, &e);
}

static void test_v2(struct sim_domain *d, struct sim_domain *dom0, uint64_t area)
{
	unsigned int w = d->width * 8;
	struct sim_gnt_entry e0 = entry(d, 0), e;
	uint32_t refs[1], hd;
	char *msg;
	uint16_t *st;

	is_int(d->gnt_version, 2, "%u-bit v2: version 2", w);
	is_int(d->gnt_nr_status, 1, "%u-bit v2: one status frame", w);
	ok(e0.flags == GTF_permit_access && e0.status == (GTF_reading | GTF_writing) &&
		   e0.frame == d->console_ring,
	   "%u-bit v2: entry 0 converted: flags 0x1, status 0x18, the console ring", w);
	is_u64(kvar(d, "grant_table_version", 0), 2, "%u-bit v2: the guest uses version 2", w);
	is_u64(kvar(d, "grstatus", 0), area + (2 << 20), "%u-bit v2: status area mapped", w);
	ok(guest_ptr(d, area + (2 << 20)) == sim_frame_ptr(h, sim_gnttab_frame(h, d, true, 0)),
	   "%u-bit v2: the status frame through its reserved PTE", w);
	is_u64(kvar(d, "gnttab_free_count", 0), 248, "%u-bit v2: 248 free references", w);
	is_int(grant(d, 0, false, 1, refs), 0, "%u-bit v2: a grant", w);
	e = entry(d, refs[0]);
	ok(e.flags == GTF_permit_access && e.status == 0 && p2m(d, h->m2p[e.frame]) == e.frame,
	   "%u-bit v2: entry %u in v2 layout", w, refs[0]);
	msg = map(dom0, d, refs[0], 0, 0, &hd);
	ok(!msg, "%u-bit v2: dom0 maps it", w);
	free(msg);
	e = entry(d, refs[0]);
	st = (uint16_t *)sim_frame_ptr(h, sim_gnttab_frame(h, d, true, 0)) + refs[0];
	ok(e.flags == GTF_permit_access && *st == (GTF_reading | GTF_writing),
	   "%u-bit v2: reading|writing in the status frame, flags unchanged", w);
	is_int(sim_gnttab_set_version(h, d, 1), -EBUSY, "%u-bit v2: no version switch while mapped",
	       w);
	unmap(dom0, hd);
	is_int(*st, 0, "%u-bit v2: status clear after the unmap", w);
}

static void test_set_version(struct sim_domain *d)
{
	struct sim_gnt_entry e;

	is_int(sim_gnttab_set_version(h, d, 1), 0, "v2 -> v1");
	e = entry(d, 0);
	ok(e.flags == 0x19 && e.frame == d->console_ring, "entry 0 back in v1 form: 0x19");
	is_int(d->gnt_nr_status, 0, "the status frames are gone");
	ok(entry(d, 8).flags == 0, "the other entries are cleared");
	is_int(sim_gnttab_set_version(h, d, 3), -EINVAL, "no version 3");
	is_int(sim_gnttab_set_version(h, d, 2), 0, "v1 -> v2");
	e = entry(d, 1);
	ok(e.flags == 1 && e.status == 0x18 && e.frame == d->store_ring, "entry 1 in v2 form");
	is_int(d->gnt_nr_status, 1, "a status frame again");
}

static void test_replace(struct sim_domain *granter, struct sim_domain *m)
{
	uint64_t si_va = kvar(m, "xen_start_info", 0), scratch = 0, *pte, *npte, old_npte, frame;
	struct sim_guest g;
	uint32_t refs[1], hd;
	char *msg;
	struct gk *k;

	sim_guest_init(&g, h, m);
	gk_attach(&g.hv, &k);
	gk_symbol(k, "__log_buf", &scratch);
	gk_detach(k);
	is_int(grant(granter, (uint16_t)m->domid, false, 1, refs), 0, "a grant to a PV mapper");
	frame = entry(granter, refs[0]).frame;
	msg = map(m, granter, refs[0], SIM_GNTMAP_HOST, si_va, &hd);
	ok(!msg, "mapped at a kernel address");
	free(msg);
	sim_guest_pte(h, m, si_va, &pte);
	is_u64(*pte >> 12 & 0xffffffffffULL, frame, "that address's PTE names the granted frame");
	ok((*pte & 3) == 3, "present and writable");
	ok(g.hv.ops->frame(g.hv.priv, frame, true) != NULL,
	   "the mapper may reach the frame while it is mapped");
	sim_guest_pte(h, m, scratch, &npte);
	old_npte = *npte;
	msg = NULL;
	{
		struct xp_error *err = sim_gnttab_unmap_and_replace(h, m, hd, scratch);

		ok(!err, "unmap_and_replace");
		fail_err(err);
	}
	is_u64(*pte, old_npte, "the address now maps what the scratch address mapped");
	is_u64(*npte, 0, "the scratch address maps nothing");
	is_int(entry(granter, refs[0]).flags, 1, "the grant is no longer mapped");
	ok(g.hv.ops->frame(g.hv.priv, frame, false) == NULL, "the mapper reaches it no more");
	/* the plain unmap: the address maps nothing at all (the seed-000 window) */
	*npte = old_npte;
	msg = map(m, granter, refs[0], SIM_GNTMAP_HOST, si_va, &hd);
	free(msg);
	ok(unmap(m, hd), "a plain unmap");
	is_u64(*pte, 0, "leaves the address unmapped");
	{
		struct xp_error *err = sim_gnttab_unmap_and_replace(h, m, hd, scratch);

		ok(err && strstr(err->message, "bad grant handle"), "a freed handle is refused");
		xp_error_destroy(err);
	}
}

static void test_restore(struct sim_domain **dp, struct sim_domain *dom0, uint64_t area)
{
	struct sim_domain *d = *dp, *nd = NULL;
	struct sim_gnt_entry before8 = entry(d, 8), after;
	uint64_t pfn8 = h->m2p[before8.frame], old_console = d->console_ring, si;
	uint32_t old_domid = d->domid, hd;
	unsigned int nr = d->gnt_nr_frames;
	struct xp_error *err;
	char *msg;
	int fd;

	/* a checkpoint: the frames leave the guest's page tables, then come back */
	fd = open("/dev/null", O_WRONLY);
	err = sim_save(h, d, fd, 0);
	close(fd);
	ok(!err, "checkpoint save");
	fail_err(err);
	ok(guest_ptr(d, area) == NULL, "suspended: the grant area maps nothing");
	err = sim_suspend_cancel(h, d);
	ok(!err, "the suspend cancelled");
	fail_err(err);
	ok(guest_ptr(d, area) == sim_frame_ptr(h, sim_gnttab_frame(h, d, false, 0)),
	   "the frames are mapped again");
	is_int(entry(d, 8).flags, before8.flags, "the entries are as they were");

	err = sim_migrate(h, d, 0, &nd);
	ok(!err && nd, "migrate");
	fail_err(err);
	if (!nd)
		return;
	*dp = nd;
	ok(nd->domid != old_domid, "a new domid");
	ok(nd->console_ring != old_console && nd->console_ring == entry(nd, 0).frame &&
		   nd->console_ring == start_info_field(nd, true),
	   "entry 0 names the new console ring");
	is_int(entry(nd, 0).flags | entry(nd, 0).status, 0x19, "mapped by xenconsoled again: 0x19");
	ok(entry(nd, 1).frame == nd->store_ring &&
		   (entry(nd, 1).flags | entry(nd, 1).status) == 0x19,
	   "entry 1: the new xenstore ring, 0x19");
	is_int(nd->gnt_nr_frames, nr, "the guest grew the new table back to %u frames", nr);
	after = entry(nd, 8);
	ok(after.flags == before8.flags && after.domid == before8.domid,
	   "ref 8 granted again, same flags and peer");
	ok(after.frame != before8.frame && after.frame == p2m(nd, pfn8),
	   "to the page's new frame (pfn %#llx)", (unsigned long long)pfn8);
	ok(entry(nd, 2).flags == 0, "the rest of the reserved entries stay empty");
	ok(sim_gnttab_find_map(h, dom0, old_domid, 0, &hd) == -ENOENT,
	   "dom0 holds no mapping of the old domain's grants");
	msg = map(dom0, nd, 8, 0, 0, &hd);
	ok(!msg, "the re-granted ref maps");
	free(msg);
	unmap(dom0, hd);
	si = start_info_field(nd, false);
	is_u64(si, nd->store_ring, "start_info agrees with the toolstack");
}

static void test_prefix(struct sim_domain *d, struct sim_domain *dom0)
{
	uint32_t *refs = calloc(600, sizeof(*refs));
	char *log;

	is_int(grant(d, 0, false, 3, refs), 0, "pre-fix-002: grants that fit");
	is_u64(kvar(d, "tainted_mask", 0), 0, "pre-fix-002: not tainted yet");
	is_u64(vm_area(d, "gnttab_shared_vm_area", 0), 0, "pre-fix-002: reserved nothing at boot");
	is_u64(kvar(d, "gnttab_shared", 0), GNTTAB_VA_64, "pre-fix-002: but mapped its frame");
	is_int(grant(d, 0, false, 600, refs), -EINVAL,
	       "pre-fix-002: growing from an interrupt oopses");
	is_u64(kvar(d, "tainted_mask", 0), 1ULL << 7, "pre-fix-002: tainted_mask has TAINT_DIE");
	is_int(d->gnt_nr_frames, 2, "pre-fix-002: Xen grew the table");
	is_u64(kvar(d, "nr_grant_frames", 0), 1, "pre-fix-002: the guest did not map it");
	log = klog(d);
	ok(strstr(log,
		  "------------[ cut here ]------------\nkernel BUG at arch/x86/xen/arch.c:") !=
		   NULL,
	   "pre-fix-002: the BUG in __log_buf");
	ok(strstr(log, "(paravirt_lazy_mode != PARAVIRT_LAZY_NONE)\ninvalid opcode: 0000 [#1] SMP "
		       "NOPTI\nCPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.1.0-gk #1\n") != NULL,
	   "pre-fix-002: the oops header");
	ok(strstr(log, "Call Trace:\n <IRQ>\n apply_to_page_range\n arch_gnttab_map_shared\n "
		       "gnttab_map\n gnttab_expand\n gnttab_alloc_grant_references\n "
		       "gntdrv_interrupt\n </IRQ>\n---[ end trace 0000000000000000 ]---\n") != NULL,
	   "pre-fix-002: the call trace, from the interrupt");
	free(log);
	is_int(grant(d, 0, false, 1, refs), 0, "pre-fix-002: a grant that fits still works");
	is_int(refs[0], 11, "pre-fix-002: ref 11 (the failed ones went back)");
	free(refs);
}

static void test_max(struct sim_domain *d)
{
	uint32_t *refs = calloc(40000, sizeof(*refs));
	char *log;

	/* 64 frames of 256 entries (v2): 16384 - 8 refs in all */
	is_int(grant(d, 0, false, 16384, refs), -ENOSPC, "beyond 64 frames: no space");
	is_int(d->gnt_nr_frames, 1, "the table did not grow");
	log = klog(d);
	ok(strstr(log, "max_grant_frames reached cur=1 extra=64 limit=64") != NULL,
	   "the kernel says why");
	free(log);
	is_int(grant(d, 0, false, 16384 - 8, refs), 0, "up to the maximum");
	is_int(d->gnt_nr_frames, 64, "64 frames");
	is_int(d->gnt_nr_status, 8, "8 status frames");
	is_int(grant(d, 0, false, 1, refs), -ENOSPC, "then no more");
	free(refs);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct sim_create_args a0 = {.name = "Domain-0",
				     .memory = 256ULL << 20,
				     .width = 8,
				     .layout = GK_LAYOUT_LIST,
				     .dom0 = true};
	struct sim_domain *dom0 = NULL, *g1, *g2, *g3, *g4, *g5, *g6, *m;
	uint32_t id, hd;
	struct xp_error *err;
	char path[300];

	snprintf(path, sizeof(path), "%s/test-sim-grant.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkstemp(path) < 0) {
		printf("1..0 # SKIP no temporary file\n");
		return 0;
	}
	unlink(path);
	err = sim_host_format(path, 2ULL << 30, &h);
	if (!err)
		err = sim_domain_create(h, &a0, &dom0);
	if (err) {
		fail_err(err);
		return 1;
	}
	is_int(dom0->gnt_version, 1, "dom0 has a table too");
	ok(dom0->console_ring == SIM_INVALID_MFN && entry(dom0, 0).flags == 0,
	   "but no toolstack rings");
	g1 = create("g1", 8, 0, GK_KERNEL_FIXED, 64);
	g2 = create("g2", 8, 2, GK_KERNEL_FIXED, 64);
	g3 = create("g3", 8, 1, GK_KERNEL_PRE_FIX_002, 64);
	g4 = create("g4", 4, 0, GK_KERNEL_FIXED, 64);
	m = create("m", 8, 0, GK_KERNEL_FIXED, 64);
	if (!g1 || !g2 || !g3 || !g4 || !m)
		return 1;
	is_int(g1->domid, 1, "g1 is domain 1");
	is_int(g2->domid, 2, "g2 is domain 2");

	test_setup(g1, GNTTAB_VA_64);
	test_setup(g4, GNTTAB_VA_32);
	test_grow_fixed(g1, GNTTAB_VA_64);
	test_grow_fixed(g4, GNTTAB_VA_32);
	test_flags(g1, dom0, g2);
	test_foreign_frame(g1, dom0);
	test_v2(g2, dom0, GNTTAB_VA_64);
	g5 = create("g5", 8, 2, GK_KERNEL_FIXED, 64);
	if (g5)
		test_set_version(g5);
	test_replace(g1, m);
	test_restore(&g1, dom0, GNTTAB_VA_64);
	test_restore(&g4, dom0, GNTTAB_VA_32);
	{
		struct sim_domain *g2b = g2;

		test_restore(&g2b, dom0, GNTTAB_VA_64);
		is_int(g2b->gnt_version, 2, "v2 after the restore");
		ok(entry(g2b, 0).status == 0x18, "entry 0's status 0x18 after the restore");
		g2 = g2b;
	}
	test_prefix(g3, dom0);
	g6 = create("g6", 8, 2, GK_KERNEL_FIXED, 128);
	if (g6)
		test_max(g6);
	sim_domain_destroy(h, m);
	id = g1->domid;
	ok(sim_gnttab_find_map(h, dom0, id, 0, &hd) == 0, "dom0 maps g1's console ring");
	sim_domain_destroy(h, g1);
	ok(sim_gnttab_find_map(h, dom0, id, 0, &hd) == -ENOENT,
	   "destroy: dom0's mappings of its grants are gone");
	sim_host_destroy(h);
	unlink(path);
	return tap_done();
}
