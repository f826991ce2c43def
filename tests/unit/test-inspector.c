// SPDX-License-Identifier: GPL-2.0
/*
 * The inspector against the in-memory fixture: one pass at a time, the
 * settle-and-agree rule for the p2m and (separately) for the grant table,
 * the change probe, and xp_check_domain's wait callback.  The guest's
 * structures change between passes (from the wait callback, or between two
 * xp_inspector_pass() calls) or during a pass (the fixture's map hook), in
 * a scripted way: every outcome is exact.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inspector.h"
#include "fixture.h"
#include "lib/xen-abi.h"
#include "tap.h"

#define DOMID 5

struct env {
	struct fx_host *h;
	struct xp_backend *be;
	struct fx_guest g, d0;
};

static void env_init(struct env *e, enum xp_layout layout)
{
	e->h = fx_host_create(1 << 16);
	e->be = fx_backend_create(e->h);
	fx_build_guest(e->h, 0, "Domain-0", 8, 600, 600, XP_LAYOUT_LIST, &e->d0);
	fx_build_guest(e->h, DOMID, "guest", 8, 3000, 8192, layout, &e->g);
	fx_gnttab_init(e->h, DOMID, 1, 1);
}

static void env_fini(struct env *e)
{
	fx_guest_release(&e->g);
	fx_guest_release(&e->d0);
	xp_backend_destroy(e->be);
	fx_host_destroy(e->h);
}

static void grant_set(struct env *e, unsigned int ref, uint16_t flags, uint16_t peer,
		      uint64_t frame)
{
	grant_entry_v1_t *g = (grant_entry_v1_t *)fx_gnttab(e->h, DOMID)->shared[0] + ref;

	g->flags = flags;
	g->domid = peer;
	g->frame = (uint32_t)frame;
}

/* The scripted faults: each is set or cleared as a whole. */
enum fault {
	M2P_A, /* M2P of pfn 100's frame says 101: m2p-mismatch at pfn 100 */
	M2P_B, /* M2P of pfn 200's frame says 201: m2p-mismatch at pfn 200 */
	GNT_A, /* grant 8 read-only but mapped for writing: grant-flags-bad */
	GNT_B, /* grant 9 to domain 77, which does not exist: grant-peer-missing */
};

static void fault(struct env *e, enum fault f, bool on)
{
	switch (f) {
	case M2P_A:
		e->h->m2p[e->g.p2m[100]] = on ? 101 : 100;
		break;
	case M2P_B:
		e->h->m2p[e->g.p2m[200]] = on ? 201 : 200;
		break;
	case GNT_A:
		grant_set(e, 8, on ? GTF_permit_access | GTF_readonly | GTF_writing : 0, 0,
			  on ? e->g.p2m[1500] : 0);
		break;
	case GNT_B:
		grant_set(e, 9, on ? GTF_permit_access : 0, on ? 77 : 0, on ? e->g.p2m[1501] : 0);
		break;
	}
}

/*
 * A wait callback that plays a script: before pass n+1 (after n passes)
 * it sets faults set[n] and clears clear[n] (bit masks of enum fault).
 */
struct script {
	struct env *e;
	unsigned int set[8], clear[8];
	unsigned int calls, last;
	unsigned int stop_call; /* return false on this call (1-based); 0: never */
};

static bool play(void *arg, unsigned int passes)
{
	struct script *s = arg;
	unsigned int f;

	s->calls++;
	s->last = passes;
	if (s->calls == s->stop_call)
		return false;
	for (f = 0; f < 4 && passes < 8; f++) {
		if (s->clear[passes] & (1U << f))
			fault(s->e, f, false);
		if (s->set[passes] & (1U << f))
			fault(s->e, f, true);
	}
	return true;
}

#define F(fault) (1U << (fault))

/* A fresh guest with the faults of mask @faults, and an empty script over it. */
static void start(struct env *e, struct script *s, enum xp_layout layout, unsigned int faults)
{
	unsigned int f;

	env_init(e, layout);
	memset(s, 0, sizeof(*s));
	s->e = e;
	for (f = 0; f < 4; f++)
		if (faults & F(f))
			fault(e, f, true);
}

/* Fault @a in the first pass, @b in the second, @a in the third... */
static void flap(struct script *s, enum fault a, enum fault b)
{
	unsigned int i;

	for (i = 1; i < 8; i++) {
		s->set[i] = F(i % 2 ? b : a);
		s->clear[i] = F(i % 2 ? a : b);
	}
}

static struct xp_report *check(struct env *e, struct script *s)
{
	struct xp_check_options o;
	struct xp_report *r = NULL;
	struct xp_error *err;

	xp_check_options_init(&o);
	o.wait = play;
	o.wait_arg = s;
	err = xp_check_domain(e->be, DOMID, &o, &r);
	if (err) {
		diag("check: %s", err->message);
		xp_error_destroy(err);
	}
	return r;
}

static const struct xp_finding *first(const struct xp_report *r, enum xp_finding_id id)
{
	return r && r->groups[id].nr_kept ? &r->groups[id].kept[0] : NULL;
}

static uint64_t count(const struct xp_report *r, enum xp_finding_id id)
{
	return r ? r->groups[id].count : ~0ULL;
}

/* ------------------------------------------------------ the p2m flapping */

static void p2m_flapping(void)
{
	struct script s;
	struct xp_report *r;
	const struct xp_finding *f;
	struct env e;

	/* A, B, A, B...: no two passes agree, so nothing is reported but that */
	start(&e, &s, XP_LAYOUT_LIST, F(M2P_A));
	flap(&s, M2P_A, M2P_B);
	r = check(&e, &s);
	ok(r && r->verdict == XP_VERDICT_UNSTABLE, "p2m flapping every pass: verdict unstable");
	is_u64(count(r, XP_F_GENERATION_UNSTABLE), 1, "  one generation-unstable");
	is_u64(count(r, XP_F_M2P_MISMATCH), 0, "  and none of the findings of a moving target");
	is_u64(r ? xp_report_count(r, XP_SEV_INFO) : 0, 1, "  and nothing else");
	f = first(r, XP_F_GENERATION_UNSTABLE);
	is_str(f ? f->detail : "", "the p2m changed between every two of 6 walks", "  its detail");
	is_int(r ? r->p2m.passes : 0, 6, "  after max_passes (6) passes");
	is_int(s.calls, 5, "  with the caller's wait between each two (5)");
	is_int(s.last, 5, "  the last wait after 5 passes");
	xp_report_destroy(r);
	env_fini(&e);

	/* A in pass 1 only: pass 2 is clean, and a clean pass needs no partner */
	start(&e, &s, XP_LAYOUT_TREE, F(M2P_A));
	s.clear[1] = F(M2P_A);
	r = check(&e, &s);
	ok(r && r->verdict == XP_VERDICT_CONSISTENT, "a fault seen by one pass only: consistent");
	is_u64(r ? xp_report_count(r, XP_SEV_INFO) : 1, 0, "  no findings");
	is_int(r ? r->p2m.passes : 0, 2, "  after 2 passes");
	xp_report_destroy(r);
	env_fini(&e);

	/* A, then B, B: B is reported once two passes agree on it */
	start(&e, &s, XP_LAYOUT_LIST, F(M2P_A));
	s.set[1] = F(M2P_B);
	s.clear[1] = F(M2P_A);
	r = check(&e, &s);
	ok(r && r->verdict == XP_VERDICT_INCONSISTENT, "A, B, B: inconsistent");
	is_u64(count(r, XP_F_M2P_MISMATCH), 1, "  one m2p-mismatch");
	f = first(r, XP_F_M2P_MISMATCH);
	ok(f && f->pfn == 200 && f->actual == 201, "  at pfn 200 (B), not pfn 100 (A)");
	is_int(r ? r->p2m.passes : 0, 3, "  after 3 passes");
	is_int(s.calls, 2, "  2 waits");
	xp_report_destroy(r);
	env_fini(&e);
}

/* A map hook: the guest changes its list while we read it. */
static void bump_generation(struct fx_host *h, void *arg)
{
	struct env *e = arg;
	struct shared_info_x86_64 *si = fx_page(h, e->g.shinfo);

	si->arch.p2m_generation += 2;
}

static void generation_moves(void)
{
	struct script s;
	struct xp_report *r;
	const struct xp_finding *f;
	struct env e;

	start(&e, &s, XP_LAYOUT_LIST, F(M2P_A));
	e.h->map_hook = bump_generation;
	e.h->map_hook_arg = &e;
	r = check(&e, &s);
	ok(r && r->verdict == XP_VERDICT_UNSTABLE,
	   "generation moves during every pass: verdict unstable");
	is_u64(count(r, XP_F_M2P_MISMATCH), 0, "  the findings of those passes are not reported");
	f = first(r, XP_F_GENERATION_UNSTABLE);
	is_str(f ? f->detail : "", "p2m_generation was odd or changed during each of 6 walks",
	       "  generation-unstable says why");
	ok(f && (f->has & XP_LOC_ACTUAL) && f->actual > 2 && !(f->actual & 1),
	   "  with the generation last seen");
	xp_report_destroy(r);
	env_fini(&e);
}

/* --------------------------------------------------- the grant flapping */

static void grant_flapping(void)
{
	struct script s;
	struct xp_report *r;
	const struct xp_finding *f;
	struct env e;

	/* grant A, B, A, B...: the table is unstable, its findings are not reported */
	start(&e, &s, XP_LAYOUT_LIST, F(GNT_A));
	flap(&s, GNT_A, GNT_B);
	r = check(&e, &s);
	ok(r && r->verdict == XP_VERDICT_UNSTABLE, "grant table flapping every pass: unstable");
	is_u64(count(r, XP_F_GRANT_TABLE_UNSTABLE), 1, "  one grant-table-unstable");
	is_u64(count(r, XP_F_GRANT_FLAGS_BAD) + count(r, XP_F_GRANT_PEER_MISSING), 0,
	       "  none of the grant findings");
	is_u64(count(r, XP_F_GENERATION_UNSTABLE), 0, "  the p2m itself settled");
	is_u64(r ? xp_report_count(r, XP_SEV_INFO) : 0, 1, "  nothing else");
	f = first(r, XP_F_GRANT_TABLE_UNSTABLE);
	is_str(f ? f->detail : "",
	       "the grant table's findings changed between every two of 6 reads", "  its detail");
	ok(f && !strcmp(f->level, "grant") && f->has == XP_LOC_ACTUAL && f->actual == 1,
	   "  at level grant, with the entries in use last seen (1)");
	is_int(r ? r->p2m.passes : 0, 6, "  after 6 passes");
	ok(r && r->grants.checked && r->grants.in_use == 1,
	   "  the grant summary is the last read's");
	xp_report_destroy(r);
	env_fini(&e);

	/* the grants flap while the p2m has a settled finding: both are said */
	start(&e, &s, XP_LAYOUT_LIST, F(M2P_A) | F(GNT_A));
	flap(&s, GNT_A, GNT_B);
	r = check(&e, &s);
	is_u64(count(r, XP_F_M2P_MISMATCH), 1, "grants flap, p2m fault stable: the p2m finding");
	is_u64(count(r, XP_F_GRANT_TABLE_UNSTABLE), 1, "  and grant-table-unstable");
	is_u64(r ? xp_report_count(r, XP_SEV_INFO) : 0, 2, "  and nothing else");
	ok(r && r->verdict == XP_VERDICT_UNSTABLE, "  verdict unstable");
	xp_report_destroy(r);
	env_fini(&e);

	/* a bad grant seen once: not reported */
	start(&e, &s, XP_LAYOUT_TREE, F(GNT_A));
	s.clear[1] = F(GNT_A);
	r = check(&e, &s);
	ok(r && r->verdict == XP_VERDICT_CONSISTENT,
	   "a bad grant seen by one read only: consistent");
	is_int(r ? r->p2m.passes : 0, 2, "  after 2 passes");
	xp_report_destroy(r);
	env_fini(&e);

	/* a bad grant seen twice: reported */
	start(&e, &s, XP_LAYOUT_TREE, F(GNT_B));
	r = check(&e, &s);
	ok(r && r->verdict == XP_VERDICT_INCONSISTENT, "a bad grant seen by two reads: reported");
	f = first(r, XP_F_GRANT_PEER_MISSING);
	ok(f && f->index == 9 && f->actual == 77, "  grant-peer-missing at grant 9, to domain 77");
	is_int(r ? r->p2m.passes : 0, 2, "  after 2 passes");
	is_int(s.calls, 1, "  one wait");
	xp_report_destroy(r);
	env_fini(&e);
}

/* ------------------------------------------------ one pass at a time */

static void passes(void)
{
	struct xp_inspector *in = NULL;
	struct xp_report *r = NULL;
	const struct xp_finding *f;
	struct xp_error *err;
	struct env e;

	xp_inspector_destroy(NULL);
	ok(1, "xp_inspector_destroy(NULL) is fine");

	env_init(&e, XP_LAYOUT_LIST);
	err = xp_inspector_create(e.be, DOMID, NULL, &in);
	ok(!err && in, "create");
	is_int(e.h->live_maps, 1, "  maps shared_info, and nothing else");
	err = xp_inspector_give_up(in, &r);
	ok(err && err->kind == XP_ERR_USAGE && !r, "give up before any pass: a usage error");
	xp_error_destroy(err);

	err = xp_inspector_pass(in, &r);
	ok(!err && r && r->verdict == XP_VERDICT_CONSISTENT && r->p2m.passes == 1,
	   "a clean guest: settled at the first pass");
	ok(r && r->domid == DOMID && !strcmp(r->name, "guest") && r->width == 8,
	   "  the report names the domain");
	is_int(e.h->nr_copies + e.h->live_maps + e.h->grant_maps, 1,
	       "  between passes only shared_info stays mapped");
	is_int(xp_inspector_passes(in), 0, "  the pass count starts again");
	xp_report_destroy(r);

	/* a fault appears: unsettled, then settled once a second pass agrees */
	fault(&e, M2P_A, true);
	err = xp_inspector_pass(in, &r);
	ok(!err && !r, "a new finding: unsettled (a result, not an error)");
	is_int(xp_inspector_passes(in), 1, "  one pass so far");
	err = xp_inspector_pass(in, &r);
	ok(!err && r && r->verdict == XP_VERDICT_INCONSISTENT && r->p2m.passes == 2,
	   "the same finding again: settled, inconsistent, 2 passes");
	f = first(r, XP_F_M2P_MISMATCH);
	ok(f && f->pfn == 100, "  m2p-mismatch at pfn 100");
	xp_report_destroy(r);
	/* a live view's steady state: each pass agrees with the one before */
	err = xp_inspector_pass(in, &r);
	ok(!err && r && r->p2m.passes == 1 && count(r, XP_F_M2P_MISMATCH) == 1,
	   "unchanged: settled at once, agreeing with the previous pass");
	xp_report_destroy(r);

	/* the list is being changed: never settled; giving up says so */
	fx_set_shinfo(e.h, &e.g, "p2m_generation", 7);
	err = xp_inspector_pass(in, &r);
	ok(!err && !r, "odd generation: unsettled");
	err = xp_inspector_pass(in, &r);
	ok(!err && !r, "  still");
	err = xp_inspector_give_up(in, &r);
	ok(!err && r && r->verdict == XP_VERDICT_UNSTABLE, "give up: unstable");
	f = first(r, XP_F_GENERATION_UNSTABLE);
	is_str(f ? f->detail : "", "p2m_generation was odd or changed during each of 2 walks",
	       "  generation-unstable after 2 walks");
	ok(f && f->actual == 7, "  the generation seen (7)");
	is_u64(r ? xp_report_count(r, XP_SEV_INFO) : 0, 1, "  no other finding");
	is_int(xp_inspector_passes(in), 0, "  the pass count starts again");
	xp_report_destroy(r);

	/* the domain goes away */
	e.h->doms[1].dying = true;
	err = xp_inspector_pass(in, &r);
	ok(err && err->kind == XP_ERR_GONE && !r && strstr(err->message, "dying"),
	   "a dying domain: XP_ERR_GONE");
	xp_error_destroy(err);
	xp_inspector_destroy(in);
	is_int(e.h->nr_copies + e.h->live_maps + e.h->grant_maps, 0,
	       "destroy leaves nothing mapped");
	env_fini(&e);

	env_init(&e, XP_LAYOUT_LIST);
	err = xp_inspector_create(e.be, 42, NULL, &in);
	ok(err && err->kind == XP_ERR_NODOMAIN && !in,
	   "create for no such domain: XP_ERR_NODOMAIN");
	xp_error_destroy(err);
	env_fini(&e);
}

/* ------------------------------------------------------------- probes */

static void probes(void)
{
	struct xp_inspector *in = NULL;
	struct xp_probe a, b;
	struct xp_error *err;
	struct fx_dom *d;
	struct env e;

	env_init(&e, XP_LAYOUT_LIST);
	d = &e.h->doms[1];
	err = xp_inspector_create(e.be, DOMID, NULL, &in);
	ok(!err, "probe: create");
	err = xp_inspector_probe(in, &a);
	ok(!err, "probe");
	ok(a.domid == DOMID && a.tot_pages == 3000 && a.max_pages == 8192 &&
		   a.shared_info_frame == e.g.shinfo && a.nr_vcpus == 1 && !a.paused,
	   "  the hypervisor's facts");
	ok(a.max_pfn == 8192 && a.frame_list_list == e.g.fll && a.p2m_vaddr == e.g.vaddr &&
		   a.p2m_cr3 == e.g.cr3 << 12 && a.generation == 2,
	   "  shared_info's p2m fields");
	ok(a.grants_known && a.grant_version == 1 && a.grant_frames == 1,
	   "  the grant table's size");
	err = xp_inspector_probe(in, &b);
	is_int(err ? -1 : (int)xp_probe_diff(&a, &b), 0, "nothing changed: no difference");

#define CHANGE(what, bit, apply, undo)                                            \
	do {                                                                      \
		apply;                                                            \
		err = xp_inspector_probe(in, &b);                                 \
		is_int(err ? -1 : (int)xp_probe_diff(&a, &b), bit, what " -> %s", \
		       xp_probe_change_name(bit));                                \
		undo;                                                             \
	} while (0)
	CHANGE("paused", XP_PROBE_STATE, d->paused = true, d->paused = false);
	CHANGE("a vcpu more", XP_PROBE_STATE, d->nr_vcpus = 2, d->nr_vcpus = 0);
	CHANGE("ballooned", XP_PROBE_PAGES, d->tot_pages = 2000, d->tot_pages = 3000);
	CHANGE("max_pfn", XP_PROBE_P2M, fx_set_shinfo(e.h, &e.g, "max_pfn", 9000),
	       fx_set_shinfo(e.h, &e.g, "max_pfn", 8192));
	CHANGE("frame list list", XP_PROBE_P2M, fx_set_shinfo(e.h, &e.g, "frame_list_list", 0),
	       fx_set_shinfo(e.h, &e.g, "frame_list_list", e.g.fll));
	CHANGE("generation", XP_PROBE_GENERATION, fx_set_shinfo(e.h, &e.g, "p2m_generation", 3),
	       fx_set_shinfo(e.h, &e.g, "p2m_generation", 2));
	CHANGE("grant table grown", XP_PROBE_GRANTS, fx_gnttab(e.h, DOMID)->nr_frames = 2,
	       fx_gnttab(e.h, DOMID)->nr_frames = 1);
	b = a;
	b.handle[3] ^= 1;
	is_int((int)xp_probe_diff(&a, &b), XP_PROBE_DOMAIN, "another handle -> domain");
	b = a;
	b.generation++;
	b.tot_pages++;
	is_int((int)xp_probe_diff(&a, &b), XP_PROBE_GENERATION | XP_PROBE_PAGES,
	       "two changes: both bits");
	is_str(xp_probe_change_name(XP_PROBE_DOMAIN), "domain", "change names: domain");
	is_str(xp_probe_change_name(XP_PROBE_GRANTS), "grants", "  grants");
	is_str(xp_probe_change_name((enum xp_probe_change)0), "unknown", "  unknown");

	/* the probe reads no guest structure: nothing is mapped but shared_info */
	is_int(e.h->nr_copies + e.h->live_maps + e.h->grant_maps, 1,
	       "probes leave only shared_info mapped");

	/* replaced or gone */
	d->shinfo = e.g.p2m[7];
	err = xp_inspector_probe(in, &b);
	ok(err && err->kind == XP_ERR_GONE && strstr(err->message, "a different domain now"),
	   "a new shared_info frame: another domain, XP_ERR_GONE");
	xp_error_destroy(err);
	d->shinfo = e.g.shinfo;
	d->used = false;
	err = xp_inspector_probe(in, &b);
	ok(err && err->kind == XP_ERR_GONE && strstr(err->message, "went away"),
	   "a destroyed domain: XP_ERR_GONE");
	xp_error_destroy(err);
	d->used = true;
	xp_inspector_destroy(in);

	/* no grants asked for, or none to read: the probe says it does not know */
	{
		struct xp_inspector_options o;

		xp_inspector_options_init(&o);
		o.grants = false;
		err = xp_inspector_create(e.be, DOMID, &o, &in);
		if (!err)
			err = xp_inspector_probe(in, &b);
		ok(!err && !b.grants_known && !b.grant_frames, "grants not checked: not probed");
		xp_error_destroy(err);
		xp_inspector_destroy(in);
		fx_gnttab(e.h, DOMID)->version = 0;
		err = xp_inspector_create(e.be, DOMID, NULL, &in);
		if (!err)
			err = xp_inspector_probe(in, &b);
		ok(!err && !b.grants_known, "a backend without the grant table: unknown, no error");
		xp_error_destroy(err);
		xp_inspector_destroy(in);
	}
	env_fini(&e);
}

/* ----------------------------------------------------- the check wrapper */

static void waits(void)
{
	struct xp_check_options o;
	struct xp_report *r = NULL;
	struct xp_error *err;
	struct script s;
	struct env e;

	/* settled at once: never waits */
	start(&e, &s, XP_LAYOUT_LIST, 0);
	r = check(&e, &s);
	ok(r && r->p2m.passes == 1 && s.calls == 0, "a clean guest: one pass, no wait");
	xp_report_destroy(r);
	r = NULL;

	/* the wait says stop (interrupted): an error, no report */
	fx_set_shinfo(e.h, &e.g, "p2m_generation", 9);
	xp_check_options_init(&o);
	o.wait = play;
	o.wait_arg = &s;
	s.stop_call = 2;
	err = xp_check_domain(e.be, DOMID, &o, &r);
	ok(err && err->kind == XP_ERR_RUNTIME && err->errnum == EINTR && !r,
	   "the wait says stop: an error (EINTR), no report");
	is_str(err ? err->message : "", "domain 5: check interrupted after 2 passes",
	       "  its message");
	is_int(s.calls, 2, "  after the second wait");
	xp_error_destroy(err);
	is_int(e.h->nr_copies + e.h->live_maps + e.h->grant_maps, 0, "  nothing left mapped");

	/* no wait callback: passes again at once; one pass allowed: gives up at once */
	o.wait = NULL;
	o.max_passes = 1;
	err = xp_check_domain(e.be, DOMID, &o, &r);
	ok(!err && r && r->verdict == XP_VERDICT_UNSTABLE && r->p2m.passes == 1,
	   "max_passes 1, odd generation: unstable after one pass");
	xp_report_destroy(r);
	env_fini(&e);
}

int main(void)
{
	p2m_flapping();
	generation_moves();
	grant_flapping();
	passes();
	probes();
	waits();
	return tap_done();
}
