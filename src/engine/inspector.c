// SPDX-License-Identifier: GPL-2.0
/*
 * The inspector (inspector.h): one domain, one pass at a time, and the
 * settle-and-agree rule that decides when a pass's findings can be believed
 * (doc/design.md section 4).  xp_check_domain() retries over it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/inspector.h"
#include "engine/target.h"
#include "engine/walk.h"
#include "lib/util.h"

struct xp_inspector {
	struct xp_backend *be;
	struct xp_inspector_options opts;
	struct xp_target *t;	/* hypervisor facts, M2P, shared_info: kept across passes */
	struct xp_report *prev; /* the last pass, for the agree half of the rule */
	bool prev_quiet;	/* its generation count stayed even and still */
	bool prev_p2m_settled, prev_grants_settled;
	unsigned int passes; /* since the last settled report */
	uint64_t t0;	     /* when those passes started */
};

void xp_inspector_options_init(struct xp_inspector_options *o)
{
	memset(o, 0, sizeof(*o));
	o->keep_per_id = 1000;
	o->grants = true;
	o->grant_frames_warn = XP_GRANT_FRAMES_WARN_DEFAULT;
}

void xp_check_options_init(struct xp_check_options *o)
{
	memset(o, 0, sizeof(*o));
	xp_inspector_options_init(&o->inspect);
	o->max_passes = 6;
}

/*
 * Before the guest's resume code runs, a restored guest's shared_info holds
 * the source host's values with the frame list list zeroed
 * (doc/design.md section 5.4).
 * Returns true when the state is one that must not be walked.
 */
static bool special_state(struct xp_target *t, const struct xp_shinfo_p2m *si, struct xp_report *r)
{
	if (si->frame_list_list != 0 && !(si->frame_list_list == t->invalid && !si->p2m_cr3))
		return false;
	if (si->frame_list_list == 0 && (si->max_pfn || si->p2m_cr3 || si->p2m_vaddr)) {
		struct xp_finding f = {
			.id = XP_F_JUST_RESTORED,
			.level = "shared_info",
			.has = XP_LOC_MFN | XP_LOC_ACTUAL,
			.mfn = si->p2m_cr3_mfn,
			.actual = si->max_pfn,
		};

		xp_report_addf(
			r, &f,
			"pfn_to_mfn_frame_list_list is 0 and the other p2m fields are left from "
			"before the restore (p2m_cr3 0x%" PRIx64 ", max_pfn 0x%" PRIx64
			"): the guest has not resumed yet",
			si->p2m_cr3, si->max_pfn);
		return true;
	}
	struct xp_finding f = {
		.id = XP_F_NOT_PUBLISHED,
		.level = "shared_info",
	};

	xp_report_addf(r, &f,
		       "the guest publishes neither a frame list list nor a linear list (yet)");
	return true;
}

/*
 * The p2m part of a pass.  *quiet is false when the linear list was being
 * changed (odd generation) or changed under us (generation moved): then
 * nothing this pass read can be believed.
 */
static struct xp_error *p2m_pass(struct xp_target *t, const struct xp_inspector_options *o,
				 struct xp_report *r, bool *quiet)
{
	struct xp_walk w = {0};
	struct xp_error *err = NULL;

	*quiet = true;
	xp_target_read_shinfo(t, &w.si);
	w.layout = xp_layout_of(t, &w.si);
	r->layout = w.layout;
	r->p2m.generation = w.si.generation;
	r->p2m.max_pfn = w.si.max_pfn;
	r->p2m.frame_list_list = w.si.frame_list_list;
	r->p2m.p2m_cr3_mfn = w.si.p2m_cr3_mfn;
	r->p2m.p2m_vaddr = w.si.p2m_vaddr;
	if (w.si.p2m_cr3 && (w.si.generation & 1)) {
		*quiet = false;
		return NULL;
	}
	if (special_state(t, &w.si, r))
		return NULL;
	err = xp_walk_structures(t, &w, r);
	if (!err)
		err = xp_walk_leaves(t, &w, r);
	if (!err)
		xp_walk_classify_pending(t, &w, r);
	if (!err && o->symbols)
		err = xp_symbols_check(t, &w, o->symbols, r);
	if (w.si.p2m_cr3 && xp_target_generation(t) != w.si.generation)
		*quiet = false;
	xp_walk_release(&w);
	return err;
}

/* The headroom left in the grant table: grant-frames-high (advisory). */
static void grants_headroom(const struct xp_inspector *in, struct xp_report *r)
{
	const struct xp_grant_summary *g = &r->grants;
	unsigned int pct = in->opts.grant_frames_warn;

	if (!g->checked || !pct || !g->max_frames ||
	    (uint64_t)g->nr_frames * 100 < (uint64_t)pct * g->max_frames)
		return;
	struct xp_finding f = {
		.id = XP_F_GRANT_FRAMES_HIGH,
		.level = "grant",
		.has = XP_LOC_EXPECTED | XP_LOC_ACTUAL,
		.expected = g->max_frames,
		.actual = g->nr_frames,
	};

	xp_report_addf(r, &f,
		       "the grant table uses %u of its %u frames (%u%%; the warning is at %u%%): "
		       "%u entries in use",
		       g->nr_frames, g->max_frames,
		       (unsigned int)((uint64_t)g->nr_frames * 100 / g->max_frames), pct,
		       g->in_use);
}

/* The grant part of a pass: one read of the table, its findings. */
static struct xp_error *grants_pass(struct xp_inspector *in, struct xp_report *r)
{
	struct xp_error *err = xp_grants_check(in->be, in->t->info.domid, r);

	if (!err)
		grants_headroom(in, r);

	/* a backend that cannot read grant tables (or may not): said, not fatal */
	if (err && (err->kind == XP_ERR_UNSUPPORTED || err->kind == XP_ERR_PERM)) {
		snprintf(r->grants.skipped, sizeof(r->grants.skipped), "%.*s",
			 (int)sizeof(r->grants.skipped) - 1, err->message);
		xp_error_destroy(err);
		err = NULL;
	}
	return err;
}

struct xp_error *xp_inspector_create(struct xp_backend *be, uint32_t domid,
				     const struct xp_inspector_options *opts,
				     struct xp_inspector **out)
{
	struct xp_inspector *in;
	struct xp_error *err;

	*out = NULL;
	in = calloc(1, sizeof(*in));
	if (!in)
		return xp_error_nomem();
	in->be = be;
	if (opts)
		in->opts = *opts;
	else
		xp_inspector_options_init(&in->opts);
	err = xp_target_open(be, domid, &in->t);
	if (err) {
		free(in);
		return err;
	}
	*out = in;
	return NULL;
}

void xp_inspector_destroy(struct xp_inspector *in)
{
	if (!in)
		return;
	xp_report_destroy(in->prev);
	xp_target_destroy(in->t);
	free(in);
}

unsigned int xp_inspector_passes(const struct xp_inspector *in)
{
	return in->passes;
}

/* The report's identity and timing, as of now. */
static void stamp(struct xp_inspector *in, struct xp_report *r)
{
	r->domid = in->t->info.domid;
	snprintf(r->name, sizeof(r->name), "%s", in->t->info.name);
	memcpy(r->uuid, in->t->info.handle, sizeof(r->uuid));
	r->width = in->t->width;
	r->p2m.passes = in->passes;
	r->elapsed_ns = xp_now_ns() - in->t0;
}

struct xp_error *xp_inspector_pass(struct xp_inspector *in, struct xp_report **report)
{
	struct xp_report *cur;
	struct xp_error *err, *gone;
	bool quiet = false, p2m_settled, grants_settled;

	*report = NULL;
	if (!in->passes)
		in->t0 = xp_now_ns();
	cur = xp_report_create(in->opts.keep_per_id);
	if (!cur)
		return xp_error_nomem();
	err = p2m_pass(in->t, &in->opts, cur, &quiet);
	if (!err && in->opts.grants)
		err = grants_pass(in, cur);
	/* nothing read in this pass stays mapped: the next one maps afresh */
	xp_target_cache_drop(in->t);
	/* a domain that died or was replaced explains any failure of the pass */
	gone = xp_target_still_there(in->t, NULL);
	if (gone) {
		xp_error_destroy(err);
		err = gone;
	}
	if (err) {
		xp_report_destroy(cur);
		return err;
	}
	in->passes++;
	stamp(in, cur);

	/* settle and agree, each part on its own */
	p2m_settled =
		quiet &&
		(!xp_report_count_part(cur, XP_PART_P2M, XP_SEV_WARNING) ||
		 (in->prev && in->prev_quiet && xp_report_same_part(in->prev, cur, XP_PART_P2M)));
	grants_settled = !xp_report_count_part(cur, XP_PART_GRANTS, XP_SEV_WARNING) ||
			 (in->prev && xp_report_same_part(in->prev, cur, XP_PART_GRANTS));
	xp_report_destroy(in->prev);
	in->prev = cur;
	in->prev_quiet = quiet;
	in->prev_p2m_settled = p2m_settled;
	in->prev_grants_settled = grants_settled;
	if (!p2m_settled || !grants_settled)
		return NULL;

	xp_report_finish(cur);
	*report = xp_report_clone(cur);
	if (!*report)
		return xp_error_nomem();
	in->passes = 0;
	return NULL;
}

struct xp_error *xp_inspector_give_up(struct xp_inspector *in, struct xp_report **report)
{
	struct xp_report *r;

	*report = NULL;
	if (!in->prev)
		return xp_error_create(XP_ERR_USAGE, EINVAL, "domain %u: no pass to give up on yet",
				       in->t->info.domid);
	r = xp_report_clone(in->prev);
	if (!r)
		return xp_error_nomem();
	stamp(in, r);
	if (!in->prev_p2m_settled) {
		struct xp_finding f = {
			.id = XP_F_GENERATION_UNSTABLE,
			.level = "shared_info",
			.has = XP_LOC_ACTUAL,
			.actual = r->p2m.generation,
		};

		xp_report_clear_part(r, XP_PART_P2M);
		xp_report_addf(
			r, &f,
			in->prev_quiet
				? "the p2m changed between every two of %u walks"
				: "p2m_generation was odd or changed during each of %u walks",
			in->passes);
	}
	if (!in->prev_grants_settled) {
		struct xp_finding f = {
			.id = XP_F_GRANT_TABLE_UNSTABLE,
			.level = "grant",
			.has = XP_LOC_ACTUAL,
			.actual = r->grants.in_use,
		};

		xp_report_clear_part(r, XP_PART_GRANTS);
		xp_report_addf(r, &f,
			       "the grant table's findings changed between every two of %u reads",
			       in->passes);
	}
	xp_report_finish(r);
	in->passes = 0;
	*report = r;
	return NULL;
}

struct xp_error *xp_inspector_probe(struct xp_inspector *in, struct xp_probe *p)
{
	struct xp_domain_info now;
	struct xp_shinfo_p2m si;
	struct xp_error *err;
	unsigned int nr_status, max_frames;

	memset(p, 0, sizeof(*p));
	err = xp_target_still_there(in->t, &now);
	if (err)
		return err;
	p->domid = now.domid;
	memcpy(p->handle, now.handle, sizeof(p->handle));
	p->shared_info_frame = now.shared_info_frame;
	p->tot_pages = now.tot_pages;
	p->max_pages = now.max_pages;
	p->nr_vcpus = now.nr_vcpus;
	p->paused = now.paused;
	p->dying = now.dying;
	p->crashed = now.crashed;
	p->shutdown = now.shutdown;
	xp_target_read_shinfo(in->t, &si);
	p->max_pfn = si.max_pfn;
	p->frame_list_list = si.frame_list_list;
	p->p2m_cr3 = si.p2m_cr3;
	p->p2m_vaddr = si.p2m_vaddr;
	p->generation = si.generation;
	if (!in->opts.grants)
		return NULL;
	err = xp_backend_grant_table_info(in->be, now.domid, &p->grant_version, &p->grant_frames,
					  &nr_status, &max_frames);
	if (err && (err->kind == XP_ERR_UNSUPPORTED || err->kind == XP_ERR_PERM)) {
		xp_error_destroy(err);
		return NULL;
	}
	p->grants_known = !err;
	return err;
}

unsigned int xp_probe_diff(const struct xp_probe *a, const struct xp_probe *b)
{
	unsigned int d = 0;

	if (a->domid != b->domid || memcmp(a->handle, b->handle, sizeof(a->handle)) ||
	    a->shared_info_frame != b->shared_info_frame)
		d |= XP_PROBE_DOMAIN;
	if (a->paused != b->paused || a->dying != b->dying || a->crashed != b->crashed ||
	    a->shutdown != b->shutdown || a->nr_vcpus != b->nr_vcpus)
		d |= XP_PROBE_STATE;
	if (a->tot_pages != b->tot_pages || a->max_pages != b->max_pages)
		d |= XP_PROBE_PAGES;
	if (a->max_pfn != b->max_pfn || a->frame_list_list != b->frame_list_list ||
	    a->p2m_cr3 != b->p2m_cr3 || a->p2m_vaddr != b->p2m_vaddr)
		d |= XP_PROBE_P2M;
	if (a->generation != b->generation)
		d |= XP_PROBE_GENERATION;
	if (a->grants_known != b->grants_known || a->grant_version != b->grant_version ||
	    a->grant_frames != b->grant_frames)
		d |= XP_PROBE_GRANTS;
	return d;
}

const char *xp_probe_change_name(enum xp_probe_change c)
{
	switch (c) {
	case XP_PROBE_DOMAIN:
		return "domain";
	case XP_PROBE_STATE:
		return "state";
	case XP_PROBE_PAGES:
		return "pages";
	case XP_PROBE_P2M:
		return "p2m";
	case XP_PROBE_GENERATION:
		return "generation";
	case XP_PROBE_GRANTS:
		return "grants";
	}
	return "unknown";
}

struct xp_error *xp_check_domain(struct xp_backend *be, uint32_t domid,
				 const struct xp_check_options *opts, struct xp_report **report)
{
	struct xp_check_options defaults;
	struct xp_inspector *in;
	struct xp_error *err;
	unsigned int passes;
	uint64_t t0 = xp_now_ns();

	*report = NULL;
	if (!opts) {
		xp_check_options_init(&defaults);
		opts = &defaults;
	}
	err = xp_inspector_create(be, domid, &opts->inspect, &in);
	if (err)
		return err;
	for (passes = 1;; passes++) {
		err = xp_inspector_pass(in, report);
		if (err || *report)
			break;
		if (passes >= XP_MAX(opts->max_passes, 1u)) {
			/* never settled: say so, without the findings of a moving target */
			err = xp_inspector_give_up(in, report);
			break;
		}
		if (opts->wait && !opts->wait(opts->wait_arg, passes)) {
			err = xp_error_create(XP_ERR_RUNTIME, EINTR,
					      "domain %u: check interrupted after %u passes", domid,
					      passes);
			break;
		}
	}
	if (*report)
		(*report)->elapsed_ns = xp_now_ns() - t0;
	xp_inspector_destroy(in);
	return err;
}
