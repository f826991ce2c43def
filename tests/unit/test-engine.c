// SPDX-License-Identifier: GPL-2.0
/*
 * The engine against the in-memory fixture: a well-formed guest of every
 * layout and width is consistent; each way of breaking it gives exactly
 * the finding the documentation promises, at the right place.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/inspector.h"
#include "engine/p2m.h"
#include "fixture.h"
#include "tap.h"

static const char *lname(enum xp_layout l)
{
	return xp_layout_name(l);
}

static struct xp_report *check(struct xp_backend *be, uint32_t domid, const struct xp_symbols *s)
{
	struct xp_check_options o;
	struct xp_report *r = NULL;
	struct xp_error *err;

	xp_check_options_init(&o);
	o.inspect.symbols = s;
	err = xp_check_domain(be, domid, &o, &r);
	if (err) {
		diag("check failed: %s", err->message);
		xp_error_destroy(err);
	}
	return r;
}

/* The only findings are @n of @id (and nothing else of warning or worse). */
static void expect_only(struct xp_report *r, enum xp_finding_id id, uint64_t n, const char *what)
{
	uint64_t others;

	if (!ok(r != NULL, "%s: report", what))
		return;
	others = xp_report_count(r, XP_SEV_INFO) - r->groups[id].count;
	if (!ok(r->groups[id].count == n && others == 0, "%s: exactly %llu %s", what,
		(unsigned long long)n, xp_finding_desc(id)->name)) {
		int i;

		for (i = 0; i < XP_F_NR_IDS; i++)
			if (r->groups[i].count)
				diag("  %s x%llu: %s", xp_finding_desc(i)->name,
				     (unsigned long long)r->groups[i].count,
				     r->groups[i].nr_kept ? r->groups[i].kept[0].detail : "");
	}
}

static void clean_guests(void)
{
	static const enum xp_layout layouts[] = {XP_LAYOUT_TREE, XP_LAYOUT_LIST,
						 XP_LAYOUT_LIST_ONLY};
	unsigned int w, l;

	for (w = 4; w <= 8; w += 4) {
		for (l = 0; l < 3; l++) {
			struct fx_host *h = fx_host_create(1 << 16);
			struct xp_backend *be = fx_backend_create(h);
			struct fx_guest g;
			struct xp_report *r;

			ok(fx_build_guest(h, 7, "g", w, 3000, 4096 * 2, layouts[l], &g) == 0,
			   "build %s %u-bit", lname(layouts[l]), w * 8);
			r = check(be, 7, NULL);
			expect_only(r, 0, 0, "clean guest");
			if (r) {
				is_int(r->verdict, XP_VERDICT_CONSISTENT, "%s %u-bit: consistent",
				       lname(layouts[l]), w * 8);
				is_int(r->layout, layouts[l], "layout detected");
				is_u64(r->p2m.pfns_checked, 8192,
				       "every pfn up to max_pfn checked");
				is_u64(r->p2m.valid, 3000, "valid entries counted");
				is_u64(r->p2m.m2p_checked, 3000, "M2P round trips");
				is_u64(r->p2m.invalid + r->p2m.missing, 8192 - 3000,
				       "invalid/missing entries counted");
				is_int(r->p2m.passes, 1, "one pass for a consistent guest");
			}
			xp_report_destroy(r);
			fx_guest_release(&g);
			xp_backend_destroy(be);
			fx_host_destroy(h);
		}
	}
}

struct env {
	struct fx_host *h;
	struct xp_backend *be;
	struct fx_guest g;
	uint32_t other; /* another domain's frame */
	uint64_t other_mfn;
};

static void env_init(struct env *e, unsigned int width, enum xp_layout layout)
{
	struct fx_guest o;

	e->h = fx_host_create(1 << 16);
	e->be = fx_backend_create(e->h);
	fx_build_guest(e->h, 0, "Domain-0", 8, 600, 600, XP_LAYOUT_LIST, &o);
	e->other_mfn = o.p2m[300];
	fx_guest_release(&o);
	fx_build_guest(e->h, 5, "guest", width, 3000, 8192, layout, &e->g);
}

static void env_fini(struct env *e)
{
	fx_guest_release(&e->g);
	xp_backend_destroy(e->be);
	fx_host_destroy(e->h);
}

static const struct xp_finding *first(struct xp_report *r, enum xp_finding_id id)
{
	return r && r->groups[id].nr_kept ? &r->groups[id].kept[0] : NULL;
}

static void corruptions(unsigned int width)
{
	struct env e;
	struct xp_report *r;
	const struct xp_finding *f;
	uint64_t old, stale;

	/* seed 003: p2m_top_mfn[0] still names the mid page's frame from before a move */
	env_init(&e, width, XP_LAYOUT_LIST);
	old = e.g.top_idx_mid[0];
	stale = fx_alloc(e.h, 5, e.h->m2p[old]); /* a new home for the mid page's pfn */
	memcpy(fx_page(e.h, stale), fx_page(e.h, old), 4096);
	e.g.p2m[e.h->m2p[old]] = stale;
	fx_set(e.h, e.g.leaf[e.h->m2p[old] / e.g.fpp], (unsigned int)(e.h->m2p[old] % e.g.fpp),
	       width, stale);
	fx_free(e.h, old); /* old frame freed, M2P stale */
	r = check(e.be, 5, NULL);
	expect_only(r, XP_F_MFN_STALE, 1, "stale top mfn");
	f = first(r, XP_F_MFN_STALE);
	ok(f && !strcmp(f->level, "top") && f->index == 0 && f->mfn == old && f->expected == stale,
	   "%u-bit stale: top[0] names the old frame, expected the new one", width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	/* a top entry naming another domain's frame */
	env_init(&e, width, XP_LAYOUT_TREE);
	fx_set(e.h, e.g.fll, 0, width, e.other_mfn);
	r = check(e.be, 5, NULL);
	f = first(r, XP_F_MFN_NOT_OWNED);
	ok(f && !strcmp(f->level, "top") && f->index == 0 && f->mfn == e.other_mfn &&
		   (f->has & XP_LOC_OWNER) && f->owner == 0,
	   "%u-bit: top[0] = another domain's frame -> mfn-not-owned at top[0], owner 0",
	   width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	/* out of range at each level */
	env_init(&e, width, XP_LAYOUT_TREE);
	fx_set(e.h, e.g.top_idx_mid[0], 1, width, e.h->max_mfn + 5);
	fx_set(e.h, e.g.leaf[0], 7, width, e.h->max_mfn + 9);
	r = check(e.be, 5, NULL);
	ok(r && r->groups[XP_F_MFN_OUT_OF_RANGE].count == 2,
	   "%u-bit: mid entry and leaf entry beyond the host -> 2 mfn-out-of-range", width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	/* M2P disagrees with one entry; a swapped pair */
	env_init(&e, width, XP_LAYOUT_LIST);
	e.h->m2p[e.g.p2m[100]] = 101;
	r = check(e.be, 5, NULL);
	expect_only(r, XP_F_M2P_MISMATCH, 1, "m2p mismatch");
	f = first(r, XP_F_M2P_MISMATCH);
	ok(f && f->pfn == 100 && f->actual == 101, "%u-bit: m2p-mismatch at pfn 100 (M2P says 101)",
	   width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	env_init(&e, width, XP_LAYOUT_TREE);
	fx_set(e.h, e.g.leaf[0], 10, width, e.g.p2m[11]);
	fx_set(e.h, e.g.leaf[0], 11, width, e.g.p2m[10]);
	r = check(e.be, 5, NULL);
	expect_only(r, XP_F_M2P_MISMATCH, 2, "swapped entries");
	xp_report_destroy(r);
	env_fini(&e);

	/* mid entry pointing at another of the guest's leaves */
	env_init(&e, width, XP_LAYOUT_LIST);
	fx_set(e.h, e.g.top_idx_mid[0], 1, width, e.g.leaf[2]);
	r = check(e.be, 5, NULL);
	expect_only(r, XP_F_TREE_LIST_MISMATCH, 1, "mid wrong leaf (list guest)");
	f = first(r, XP_F_TREE_LIST_MISMATCH);
	ok(f && f->index == 0 && f->index2 == 1 && f->expected == e.g.leaf[1] &&
		   f->actual == e.g.leaf[2],
	   "%u-bit: tree-list-mismatch at mid 0[1]", width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	env_init(&e, width, XP_LAYOUT_TREE);
	fx_set(e.h, e.g.top_idx_mid[0], 1, width, e.g.leaf[2]);
	r = check(e.be, 5, NULL);
	expect_only(r, XP_F_LEAF_MISPLACED, 1, "mid wrong leaf (tree guest)");
	f = first(r, XP_F_LEAF_MISPLACED);
	ok(f && f->pfn == e.g.fpp && f->actual == 2 * e.g.fpp,
	   "%u-bit: leaf-misplaced for the second range, holding the third", width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	/* page tables under the list */
	env_init(&e, width, XP_LAYOUT_LIST);
	fx_set(e.h, e.g.l1[0], 1, 8, 0);
	r = check(e.be, 5, NULL);
	expect_only(r, XP_F_LIST_PTE_NOT_PRESENT, 1, "cleared list pte");
	f = first(r, XP_F_LIST_PTE_NOT_PRESENT);
	ok(f && !strcmp(f->level, "list-l1") && f->index == 1 && f->pfn == e.g.fpp,
	   "%u-bit: list-l1 entry 1 not present", width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	env_init(&e, width, XP_LAYOUT_LIST);
	fx_set(e.h, e.g.l1[0], 2, 8, (e.other_mfn << 12) | 0x67);
	r = check(e.be, 5, NULL);
	f = first(r, XP_F_MFN_NOT_OWNED);
	ok(f && !strcmp(f->level, "leaf-page") && f->mfn == e.other_mfn,
	   "%u-bit: list pte -> foreign frame: mfn-not-owned leaf-page", width * 8);
	ok(r && r->groups[XP_F_TREE_LIST_MISMATCH].count == 1, "  and the tree disagrees");
	xp_report_destroy(r);
	env_fini(&e);

	/* a page table that points at itself on the way down */
	env_init(&e, width, XP_LAYOUT_LIST);
	{
		unsigned int lv = width == 8 ? 2 : 1; /* the L2 */
		uint64_t l2 = e.g.pt[lv];
		unsigned int l2i = (unsigned int)((e.g.vaddr >> 21) & 511);

		fx_set(e.h, l2, l2i, 8, (l2 << 12) | 0x67);
	}
	r = check(e.be, 5, NULL);
	ok(r && r->groups[XP_F_LIST_PT_LOOP].count >= 1,
	   "%u-bit: self-referencing L2 -> list-pt-loop", width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	/* shared_info fields */
	env_init(&e, width, XP_LAYOUT_LIST);
	fx_set_shinfo(e.h, &e.g, "max_pfn", 8192 + 3 * 512 * (8 / width) * 512);
	r = check(e.be, 5, NULL);
	ok(r && r->groups[XP_F_MAX_PFN_UNCOVERED].count == 1, "%u-bit: max_pfn beyond the list",
	   width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	env_init(&e, width, XP_LAYOUT_LIST);
	fx_set_shinfo(e.h, &e.g, "max_pfn", 1ULL << 31);
	r = check(e.be, 5, NULL);
	ok(r && r->groups[XP_F_MAX_PFN_IMPLAUSIBLE].count == 1,
	   "%u-bit: absurd max_pfn -> max-pfn-implausible, checked up to the cap", width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	env_init(&e, width, XP_LAYOUT_LIST);
	fx_set_shinfo(e.h, &e.g, "p2m_generation", 7);
	r = check(e.be, 5, NULL);
	expect_only(r, XP_F_GENERATION_UNSTABLE, 1, "odd generation");
	ok(r && r->verdict == XP_VERDICT_UNSTABLE && r->p2m.passes == 6, "%u-bit: verdict unstable",
	   width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	env_init(&e, width, XP_LAYOUT_LIST);
	fx_set_shinfo(e.h, &e.g, "frame_list_list", e.other_mfn);
	r = check(e.be, 5, NULL);
	f = first(r, XP_F_MFN_NOT_OWNED);
	ok(f && !strcmp(f->level, "frame-list-list"), "%u-bit: frame list list not owned",
	   width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	env_init(&e, width, XP_LAYOUT_LIST);
	fx_set_shinfo(e.h, &e.g, "p2m_cr3",
		      width == 8 ? e.other_mfn << 12 : ((e.other_mfn << 12) | (e.other_mfn >> 20)));
	r = check(e.be, 5, NULL);
	ok(r && r->groups[XP_F_LIST_CR3_BAD].count == 1,
	   "%u-bit: p2m_cr3 not owned -> list-cr3-bad", width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	env_init(&e, width, XP_LAYOUT_LIST);
	fx_set_shinfo(e.h, &e.g, "p2m_vaddr", width == 8 ? 0x8000000000001000ULL : 0xF6000000ULL);
	r = check(e.be, 5, NULL);
	ok(r && r->groups[XP_F_LIST_VADDR_BAD].count == 1,
	   "%u-bit: bad p2m_vaddr -> list-vaddr-bad", width * 8);
	xp_report_destroy(r);
	env_fini(&e);

	/* just restored: frame list list 0, the rest left from the source */
	env_init(&e, width, XP_LAYOUT_LIST);
	fx_set_shinfo(e.h, &e.g, "frame_list_list", 0);
	fx_set_shinfo(e.h, &e.g, "p2m_cr3", 0x12345000);
	r = check(e.be, 5, NULL);
	ok(r && r->verdict == XP_VERDICT_JUST_RESTORED && xp_report_count(r, XP_SEV_WARNING) == 0,
	   "%u-bit: just-restored recognised, no corruption reported", width * 8);
	xp_report_destroy(r);
	env_fini(&e);
}

static void errors(void)
{
	struct env e;
	struct xp_report *r = NULL;
	struct xp_error *err;

	env_init(&e, 8, XP_LAYOUT_LIST);
	err = xp_check_domain(e.be, 42, NULL, &r);
	ok(err && err->kind == XP_ERR_NODOMAIN, "unknown domain -> XP_ERR_NODOMAIN");
	xp_error_destroy(err);
	e.h->doms[1].type = XP_DOMAIN_HVM;
	err = xp_check_domain(e.be, 5, NULL, &r);
	ok(err && err->kind == XP_ERR_NOT_PV && strstr(err->message, "not a PV guest"),
	   "HVM domain -> not a PV guest");
	xp_error_destroy(err);
	env_fini(&e);
}

static void dump(void)
{
	struct env e;
	struct xp_path p;
	struct xp_error *err;

	env_init(&e, 8, XP_LAYOUT_LIST);
	err = xp_p2m_path(e.be, 5, 1234, &p);
	ok(!err && p.reachable && p.entry == e.g.p2m[1234] && p.round_trip,
	   "path of pfn 1234: entry and round trip");
	ok(p.nr_tree == 4 && p.nr_list == 6, "path has tree and list steps (%u, %u)", p.nr_tree,
	   p.nr_list);
	xp_error_destroy(err);
	env_fini(&e);
}

/* The leaf frames as the structures name them, for readers of their own (bench/). */
static void leaves(unsigned int width, enum xp_layout layout)
{
	struct xp_p2m_leaves *l = NULL;
	struct xp_error *err;
	struct env e;
	uint64_t k, same = 0;

	env_init(&e, width, layout);
	/* a list page the list's L1 does not map: no leaf for its range */
	if (layout != XP_LAYOUT_TREE)
		fx_set(e.h, e.g.l1[0], 3, 8, 0);
	err = xp_p2m_leaves_read(e.be, 5, &l);
	ok(!err && l, "%s %u-bit: leaves read", xp_layout_name(layout), width * 8);
	if (l) {
		is_int(l->width, width, "  width");
		is_u64(l->max_pfn, 8192, "  max_pfn");
		is_u64(l->count, 8192 / e.g.fpp, "  one leaf per page of entries");
		for (k = 0; k < l->count; k++)
			same += l->mfn[k] == e.g.leaf[k];
		if (layout == XP_LAYOUT_TREE) {
			is_u64(same, l->count, "  every leaf is the one the mfn tree names");
		} else {
			is_u64(same, l->count - 1, "  every leaf but one is the list's");
			is_u64(l->mfn[3], XP_INVALID_MFN, "  the unmapped list page has none");
		}
	}
	xp_error_destroy(err);
	xp_p2m_leaves_destroy(l);
	xp_p2m_leaves_destroy(NULL);
	env_fini(&e);

	env_init(&e, width, layout);
	fx_set_shinfo(e.h, &e.g, "frame_list_list", 0);
	fx_set_shinfo(e.h, &e.g, "p2m_cr3", 0);
	err = xp_p2m_leaves_read(e.be, 5, &l);
	ok(err && err->kind == XP_ERR_RUNTIME && !l &&
		   strstr(err->message, "has not published its p2m"),
	   "%s %u-bit: nothing published -> a clear error, no leaves", xp_layout_name(layout),
	   width * 8);
	xp_error_destroy(err);
	env_fini(&e);
}

int main(void)
{
	clean_guests();
	corruptions(8);
	corruptions(4);
	errors();
	dump();
	leaves(8, XP_LAYOUT_LIST);
	leaves(4, XP_LAYOUT_TREE);
	leaves(8, XP_LAYOUT_LIST_ONLY);
	return tap_done();
}
