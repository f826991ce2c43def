// SPDX-License-Identifier: GPL-2.0
/*
 * The sim backend's grant-table operations (src/backend/sim.c), over a host
 * built and run by the simulator: the table's size found without growing
 * it, its frames mapped read-only (and grown when mapped past that size,
 * as on real Xen), the toolstack's rings, and dom0 mapping a guest's grant
 * with the reading/writing flags set while it is mapped.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "sim/toolstack/toolstack.h"
#include "tap.h"

static char path[300];
static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, 1);
}

/* Does writing the byte at @p fault? */
static bool write_faults(volatile uint8_t *p)
{
	struct sigaction sa = {.sa_handler = on_fault}, old_segv, old_bus;
	bool faulted;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(fault_jmp, 1) == 0) {
		*p = *p;
		faulted = false;
	} else {
		faulted = true;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return faulted;
}

static void fail_err(struct xp_error *err)
{
	if (err) {
		diag("%s", err->message);
		xp_error_destroy(err);
	}
}

/* The simulator's side, with the host's lock held only for the call. */
struct ids {
	uint32_t v1, v2;
	uint64_t console, store, v2_console;
	uint32_t ref, ro_ref, other_ref;
	uint64_t frame; /* of ref's page */
};

static bool build(struct ids *ids)
{
	struct sim_create_args a0 = {.name = "Domain-0",
				     .memory = 256ULL << 20,
				     .width = 8,
				     .layout = GK_LAYOUT_LIST,
				     .dom0 = true};
	struct sim_create_args a = {
		.name = "v1", .memory = 64ULL << 20, .width = 8, .layout = GK_LAYOUT_LIST};
	struct sim_domain *d, *d2;
	struct sim_gnt_entry e;
	struct xp_error *err;
	struct sim_guest g;
	struct sim_host *h;
	uint32_t refs[1];

	err = sim_host_format(path, 1ULL << 30, &h);
	if (!err)
		err = sim_domain_create(h, &a0, &d);
	if (!err)
		err = sim_domain_create(h, &a, &d);
	a.name = "v2";
	a.gnttab_version = 2;
	if (!err)
		err = sim_domain_create(h, &a, &d2);
	if (!err)
		err = sim_host_publish(h);
	if (err) {
		fail_err(err);
		return false;
	}
	ids->v1 = d->domid;
	ids->v2 = d2->domid;
	ids->console = d->console_ring;
	ids->store = d->store_ring;
	ids->v2_console = d2->console_ring;
	sim_guest_init(&g, h, d);
	gk_grant(&g.hv, 0, false, 1, refs);
	ids->ref = refs[0];
	gk_grant(&g.hv, 0, true, 1, refs);
	ids->ro_ref = refs[0];
	gk_grant(&g.hv, 7, false, 1, refs);
	ids->other_ref = refs[0];
	sim_gnttab_get_entry(h, d, ids->ref, &e);
	ids->frame = e.frame;
	sim_host_destroy(h);
	return true;
}

/* An entry, read by the simulator (not through the backend). */
static struct sim_gnt_entry sim_entry(uint32_t domid, uint32_t ref, unsigned int *grows)
{
	struct sim_gnt_entry e = {0};
	struct sim_domain *d;
	struct sim_host *h;

	if (sim_host_open(path, true, &h))
		return e;
	d = sim_domain_by_id(h, domid);
	if (d) {
		sim_gnttab_get_entry(h, d, ref, &e);
		if (grows)
			*grows = d->gnt_resource_grows;
	}
	sim_host_destroy(h);
	return e;
}

static void test_info(struct xp_backend *be, const struct ids *ids)
{
	unsigned int v = 0, nr = 0, st = 0, max = 0;
	uint64_t c = 0, s = 0;
	struct xp_error *err;

	err = xp_backend_grant_table_info(be, ids->v1, &v, &nr, &st, &max);
	ok(!err && v == 1 && nr == 1 && st == 0 && max == 64, "v1: version 1, 1 frame (64 max)");
	fail_err(err);
	err = xp_backend_grant_table_info(be, ids->v2, &v, &nr, &st, &max);
	ok(!err && v == 2 && nr == 1 && st == 1 && max == 64, "v2: version 2, 1 + 1 status frame");
	fail_err(err);
	err = xp_backend_grant_table_info(be, 99, &v, &nr, &st, &max);
	ok(err && err->kind == XP_ERR_NODOMAIN, "an unknown domain");
	xp_error_destroy(err);
	err = xp_backend_toolstack_rings(be, ids->v1, &c, &s);
	ok(!err && c == ids->console && s == ids->store, "the toolstack's rings");
	fail_err(err);
	err = xp_backend_toolstack_rings(be, 0, &c, &s);
	ok(!err && c == XP_INVALID_MFN && s == XP_INVALID_MFN, "dom0 has none");
	fail_err(err);
	err = xp_backend_toolstack_rings(be, 99, &c, &s);
	ok(err && err->kind == XP_ERR_NODOMAIN, "rings of an unknown domain");
	xp_error_destroy(err);
}

static void test_frames(struct xp_backend *be, const struct ids *ids)
{
	unsigned int v = 0, nr = 0, st = 0, max = 0, grows = 0;
	const uint8_t *p = NULL;
	struct xp_error *err;
	uint32_t frame;
	uint16_t flags;

	err = xp_backend_grant_frames_map(be, ids->v1, false, 0, 1, (const void **)&p);
	ok(!err && p, "v1: frame 0 maps");
	fail_err(err);
	if (p) {
		memcpy(&flags, p, 2);
		memcpy(&frame, p + 4, 4);
		ok(flags == 0x19 && frame == ids->console, "entry 0: 0x19, the console ring");
		memcpy(&flags, p + 8 * ids->ref, 2);
		memcpy(&frame, p + 8 * ids->ref + 4, 4);
		ok(flags == 1 && frame == ids->frame, "entry %u: the guest's grant", ids->ref);
		ok(write_faults((uint8_t *)p), "read-only");
		xp_backend_grant_frames_unmap(be, p, 1);
	}
	err = xp_backend_grant_frames_map(be, ids->v2, true, 0, 1, (const void **)&p);
	ok(!err && p, "v2: status frame 0 maps");
	fail_err(err);
	if (p) {
		memcpy(&flags, p, 2);
		ok(flags == 0x18, "status of entry 0: reading|writing");
		xp_backend_grant_frames_unmap(be, p, 1);
	}
	err = xp_backend_grant_frames_map(be, ids->v1, true, 0, 1, (const void **)&p);
	is_str(err ? err->message : "", "domain 1 uses grant table version 1: no status frames",
	       "v1 has no status frames");
	xp_error_destroy(err);
	err = xp_backend_grant_frames_map(be, ids->v1, false, 63, 2, (const void **)&p);
	is_str(err ? err->message : "", "domain 1: grant frames 63-64: the table has at most 64",
	       "not beyond the maximum");
	xp_error_destroy(err);
	xp_backend_grant_table_info(be, ids->v1, &v, &nr, &st, &max);
	is_int(nr, 1, "which did not grow the table");

	/* the danger: a frame beyond the current size grows the table */
	err = xp_backend_grant_frames_map(be, ids->v1, false, 0, 3, (const void **)&p);
	ok(!err && p, "v1: frames 0-2 map");
	fail_err(err);
	if (p)
		xp_backend_grant_frames_unmap(be, p, 3);
	xp_backend_grant_table_info(be, ids->v1, &v, &nr, &st, &max);
	is_int(nr, 3, "and the table GREW to 3 frames, as on real Xen");
	sim_entry(ids->v1, 0, &grows);
	is_int(grows, 1, "counted in gnt_resource_grows");
	err = xp_backend_grant_frames_map(be, ids->v2, true, 1, 1, (const void **)&p);
	ok(!err && p, "v2: status frame 1 maps");
	fail_err(err);
	if (p)
		xp_backend_grant_frames_unmap(be, p, 1);
	xp_backend_grant_table_info(be, ids->v2, &v, &nr, &st, &max);
	ok(nr == 16 && st == 2, "the v2 table grew to the 16 frames 2 status frames cover");
}

static void test_grant_map(struct xp_backend *be, const struct ids *ids)
{
	struct xp_backend_mappings m;
	struct xp_error *err;
	uint8_t *p = NULL, *q = NULL, *r = NULL;

	err = xp_backend_grant_map(be, ids->v1, ids->ref, false, (void **)&p);
	ok(!err && p, "dom0 maps the guest's grant read-write");
	fail_err(err);
	is_int(sim_entry(ids->v1, ids->ref, NULL).flags, 0x19, "the entry reads 0x19 while mapped");
	if (p) {
		p[100] = 0x5a;
		ok(!write_faults(p), "writable");
	}
	err = xp_backend_grant_map(be, ids->v1, ids->ro_ref, true, (void **)&q);
	ok(!err && q && write_faults(q), "a read-only grant, mapped read-only");
	fail_err(err);
	is_int(sim_entry(ids->v1, ids->ro_ref, NULL).flags, 0xd, "0xd while mapped read-only");
	err = xp_backend_grant_map(be, ids->v1, ids->ro_ref, false, (void **)&r);
	ok(err && strstr(err->message, "attempt to write-pin a read-only grant entry"),
	   "not read-write");
	xp_error_destroy(err);
	err = xp_backend_grant_map(be, ids->v1, ids->other_ref, true, (void **)&r);
	is_str(err ? err->message : "",
	       "domain 0 cannot map grant 10 of domain 1: it is granted to domain 7",
	       "not a grant to another domain");
	is_int(ids->other_ref, 10, "(ref 10)");
	xp_error_destroy(err);
	xp_backend_mappings(be, &m);
	is_int(m.grants, 2, "two grants mapped, counted");
	err = xp_backend_grant_unmap(be, p);
	ok(!err, "unmap");
	fail_err(err);
	is_int(sim_entry(ids->v1, ids->ref, NULL).flags, 0x1, "back to 0x1");
	err = xp_backend_grant_unmap(be, p);
	ok(err && err->kind == XP_ERR_INVALID, "not twice");
	xp_error_destroy(err);
	xp_backend_mappings(be, &m);
	ok(m.grants == 1 && m.frames == 0 && m.grant_frames == 0,
	   "one grant left mapped, no frames: the refused unmap counted nothing");
	/* q stays mapped: destroying the backend unmaps it */
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct xp_backend *be = NULL;
	char audit[320];
	struct xp_error *err;
	struct ids ids;
	uint8_t *p;

	snprintf(path, sizeof(path), "%s/test-sim-backend-grant.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (mkstemp(path) < 0) {
		printf("1..0 # SKIP no temporary file\n");
		return 0;
	}
	unlink(path);
	if (!build(&ids))
		return 1;
	err = xp_backend_sim_open(path, &be);
	if (err) {
		fail_err(err);
		return 1;
	}
	test_info(be, &ids);
	test_frames(be, &ids);
	test_grant_map(be, &ids);
	snprintf(audit, sizeof(audit), "%s.audit", path);
	setenv("XENP2M_SIM_AUDIT", audit, 1);
	xp_backend_destroy(be);
	unsetenv("XENP2M_SIM_AUDIT");
	is_int(sim_entry(ids.v1, ids.ro_ref, NULL).flags, 0x5,
	       "destroying the backend left no grant mapped");
	{
		char line[256] = "";
		FILE *f = fopen(audit, "r");

		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
		}
		is_str(line,
		       "left frames=0 grant_frames=0 grants=1; after cleanup frames=0 "
		       "grant_frames=0 grants=0\n",
		       "$XENP2M_SIM_AUDIT: the grant left to destroy was unmapped by it");
		unlink(audit);
	}
	/* what the guest wrote through dom0's mapping is in its page */
	{
		struct sim_host *h;

		if (sim_host_open(path, true, &h) == NULL) {
			p = sim_frame_ptr(h, ids.frame);
			is_int(p[100], 0x5a, "the byte dom0 wrote is in the guest's page");
			sim_host_destroy(h);
		}
	}
	unlink(path);
	return tap_done();
}
