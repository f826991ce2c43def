// SPDX-License-Identifier: GPL-2.0
/* Grant tables against the fixture: decoding v1/v2, never growing, validation. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/grants.h"
#include "engine/inspector.h"
#include "fixture.h"
#include "lib/xen-abi.h"
#include "tap.h"

struct env {
	struct fx_host *h;
	struct xp_backend *be;
	struct fx_guest g, d0;
	struct fx_gnttab *t;
};

static void v1_set(struct fx_gnttab *t, unsigned int ref, uint16_t flags, uint16_t domid,
		   uint32_t frame)
{
	grant_entry_v1_t *e = (grant_entry_v1_t *)t->shared[ref / 512] + ref % 512;

	e->flags = flags;
	e->domid = domid;
	e->frame = frame;
}

static void v2_set(struct fx_gnttab *t, unsigned int ref, uint16_t flags, uint16_t domid,
		   uint64_t frame, uint16_t status)
{
	grant_entry_v2_t *e = (grant_entry_v2_t *)t->shared[ref / 256] + ref % 256;

	e->hdr.flags = flags;
	e->hdr.domid = domid;
	e->full_page.frame = frame;
	((grant_status_t *)t->status[ref / 2048])[ref % 2048] = status;
}

static void env_init(struct env *e, unsigned int version)
{
	e->h = fx_host_create(1 << 14);
	e->be = fx_backend_create(e->h);
	fx_build_guest(e->h, 0, "Domain-0", 8, 600, 600, XP_LAYOUT_LIST, &e->d0);
	fx_build_guest(e->h, 4, "g", 8, 2000, 2048, XP_LAYOUT_LIST, &e->g);
	fx_gnttab_init(e->h, 4, version, 1);
	e->t = fx_gnttab(e->h, 4);
	e->t->console_mfn = e->g.p2m[1000];
	e->t->store_mfn = e->g.p2m[1001];
	if (version == 1) {
		v1_set(e->t, 0, GTF_permit_access | GTF_reading | GTF_writing, 0,
		       (uint32_t)e->g.p2m[1000]);
		v1_set(e->t, 1, GTF_permit_access | GTF_reading | GTF_writing, 0,
		       (uint32_t)e->g.p2m[1001]);
		v1_set(e->t, 8, GTF_permit_access | GTF_readonly | GTF_reading, 0,
		       (uint32_t)e->g.p2m[1500]);
		v1_set(e->t, 9, GTF_accept_transfer, 0, 0);
	} else {
		v2_set(e->t, 0, GTF_permit_access, 0, e->g.p2m[1000], GTF_reading | GTF_writing);
		v2_set(e->t, 1, GTF_permit_access, 0, e->g.p2m[1001], GTF_reading | GTF_writing);
		v2_set(e->t, 8, GTF_permit_access | GTF_readonly, 0, e->g.p2m[1500], GTF_reading);
		v2_set(e->t, 9, GTF_accept_transfer, 0, 0, 0);
	}
}

static void env_fini(struct env *e)
{
	fx_guest_release(&e->g);
	fx_guest_release(&e->d0);
	xp_backend_destroy(e->be);
	fx_host_destroy(e->h);
}

static struct xp_report *check(struct env *e)
{
	struct xp_check_options o;
	struct xp_report *r = NULL;
	struct xp_error *err;

	xp_check_options_init(&o);
	err = xp_check_domain(e->be, 4, &o, &r);
	if (err) {
		diag("check: %s", err->message);
		xp_error_destroy(err);
	}
	return r;
}

static void read_table(unsigned int version)
{
	struct xp_grant_table *g = NULL;
	struct xp_error *err;
	struct env e;

	env_init(&e, version);
	err = xp_grants_read(e.be, 4, false, &g);
	ok(!err && g, "v%u: read", version);
	if (g) {
		is_int(g->version, version, "v%u: version", version);
		is_int(g->nr_frames, 1, "v%u: one frame", version);
		is_int(g->nr_refs, version == 1 ? 512 : 256, "v%u: entries per frame", version);
		is_int(g->in_use, 4, "v%u: 4 entries in use", version);
		is_int(g->count, 4, "v%u: 4 listed", version);
		is_int(g->mapped_read, 3, "v%u: 3 mapped for reading", version);
		is_int(g->mapped_write, 2, "v%u: 2 mapped for writing", version);
		is_int(g->npeers, 1, "v%u: one peer", version);
		is_u64(g->entries[2].pfn, 1500, "v%u: pfn of the frame via the M2P", version);
		ok(g->entries[2].flags & GTF_readonly, "v%u: readonly decoded", version);
	}
	is_int(e.t->grown, 0, "v%u: reading never grew the table", version);
	xp_grant_table_destroy(g);
	err = xp_grants_read(e.be, 4, true, &g);
	ok(!err && g && g->count == g->nr_refs, "v%u: --all-entries lists every entry", version);
	xp_grant_table_destroy(g);
	env_fini(&e);
}

static void validate(unsigned int version)
{
	struct xp_report *r;
	struct env e;

	env_init(&e, version);
	r = check(&e);
	ok(r && r->verdict == XP_VERDICT_CONSISTENT && r->grants.checked && r->grants.in_use == 4,
	   "v%u: clean table, consistent", version);
	xp_report_destroy(r);
	env_fini(&e);

#define CASE(setup, id, what)                                                                \
	do {                                                                                 \
		env_init(&e, version);                                                       \
		setup;                                                                       \
		r = check(&e);                                                               \
		ok(r && r->groups[id].count == 1 && xp_report_count(r, XP_SEV_WARNING) == 1, \
		   "v%u: %s -> exactly one %s", version, what, xp_finding_desc(id)->name);   \
		xp_report_destroy(r);                                                        \
		env_fini(&e);                                                                \
	} while (0)

	if (version == 1) {
		CASE(v1_set(e.t, 8, GTF_permit_access, 0, (uint32_t)e.d0.p2m[5]),
		     XP_F_GRANT_FRAME_NOT_OWNED, "a grant of dom0's frame");
		CASE(v1_set(e.t, 9, GTF_accept_transfer | GTF_writing, 0, 0), XP_F_GRANT_FLAGS_BAD,
		     "writing on accept_transfer");
		CASE(v1_set(e.t, 8, GTF_permit_access | GTF_readonly | GTF_writing, 0,
			    (uint32_t)e.g.p2m[1500]),
		     XP_F_GRANT_FLAGS_BAD, "read-only mapped for writing");
		CASE(v1_set(e.t, 8, GTF_permit_access, 77, (uint32_t)e.g.p2m[1500]),
		     XP_F_GRANT_PEER_MISSING, "a grant to domain 77");
		CASE(e.t->console_mfn = e.g.p2m[1200], XP_F_GRANT_RESERVED_MISMATCH,
		     "console ring moved");
	} else {
		CASE(v2_set(e.t, 8, GTF_permit_access, 0, e.d0.p2m[5], 0),
		     XP_F_GRANT_FRAME_NOT_OWNED, "a grant of dom0's frame");
		CASE(v2_set(e.t, 9, GTF_accept_transfer, 0, 0, GTF_reading), XP_F_GRANT_FLAGS_BAD,
		     "status reading on accept_transfer");
		CASE(e.t->store_mfn = e.g.p2m[1200], XP_F_GRANT_RESERVED_MISMATCH,
		     "xenstore ring moved");
	}
#undef CASE
}

int main(void)
{
	read_table(1);
	read_table(2);
	validate(1);
	validate(2);
	return tap_done();
}
