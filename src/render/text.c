// SPDX-License-Identifier: GPL-2.0
/* The text renderer: for people at a terminal; errors go to stderr. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "render/impl.h"

static void text_error(struct xp_render *r, const struct xp_error *err)
{
	fprintf(r->o.err, "%s: error: %s\n", r->o.prog, err->message);
}

/* ------------------------------------------------------------------- list */

#define LIST_ROW "%5s %-20s %-4s %5s %-9s %12s %10s %s\n"

static void text_list_row(struct xp_render *r, const struct xp_list_row *row)
{
	const struct xp_domain_info *d = row->info;
	const struct xp_quick *q = row->quick;
	char id[16], width[16], gen[24], maxpfn[24];

	if (!r->rows)
		fprintf(r->o.out, LIST_ROW, "ID", "NAME", "TYPE", "WIDTH", "LAYOUT", "MAX_PFN",
			"GEN", "HEALTH");
	snprintf(id, sizeof(id), "%u", d->domid);
	if (row->err || d->type != XP_DOMAIN_PV) {
		fprintf(r->o.out, LIST_ROW, id, d->name, xp_domain_type_name(d->type), "-", "-",
			"-", "-", row->err ? "error" : q->health);
		if (row->err)
			fprintf(r->o.err, "%s: error: domain %u: %s\n", r->o.prog, d->domid,
				row->err->message);
		return;
	}
	snprintf(width, sizeof(width), "%u", d->guest_width * 8);
	snprintf(gen, sizeof(gen), q->generation_valid ? "%" PRIu64 : "-", q->generation);
	snprintf(maxpfn, sizeof(maxpfn), "0x%" PRIx64, q->max_pfn);
	fprintf(r->o.out, LIST_ROW, id, d->name, xp_domain_type_name(d->type), width,
		xp_layout_name(q->layout), maxpfn, gen, q->health);
}

/* ------------------------------------------------------------------ check */

static void text_report(struct xp_render *r, const struct xp_report *rep)
{
	const struct xp_p2m_summary *s = &rep->p2m;
	uint64_t errors = xp_report_count(rep, XP_SEV_WARNING);
	FILE *f = r->o.out;
	char label[96];

	fprintf(f, "%s: %s", xp_render_domain_label(rep->domid, rep->name, label, sizeof(label)),
		xp_verdict_name(rep->verdict));
	if (errors)
		fprintf(f, ": %" PRIu64 " finding%s", errors, errors == 1 ? "" : "s");
	fprintf(f, "; layout %s, %u-bit, max_pfn 0x%" PRIx64, xp_layout_name(rep->layout),
		rep->width * 8, s->max_pfn);
	if (rep->layout == XP_LAYOUT_LIST || rep->layout == XP_LAYOUT_LIST_ONLY)
		fprintf(f, ", generation %" PRIu64, s->generation);
	if (s->pfns_checked)
		fprintf(f,
			", %" PRIu64 " pfns checked (%" PRIu64 " valid, %" PRIu64
			" invalid, %" PRIu64 " missing, %" PRIu64 " identity, %" PRIu64 " foreign)",
			s->pfns_checked, s->valid, s->invalid, s->missing, s->identity, s->foreign);
	fprintf(f, " in %.1f ms", (double)rep->elapsed_ns / 1e6);
	if (s->passes > 1)
		fprintf(f, ", %u passes", s->passes);
	if (rep->grants.checked)
		fprintf(f, "; grant table v%u, %u/%u frames, %u entries in use",
			rep->grants.version, rep->grants.nr_frames, rep->grants.max_frames,
			rep->grants.in_use);
	fputc('\n', f);
	xp_render_text_findings(r, rep, 2);
}

void xp_render_text_findings(struct xp_render *r, const struct xp_report *rep, int indent)
{
	FILE *f = r->o.out;
	int i;

	for (i = 0; i < XP_F_NR_IDS; i++) {
		const struct xp_report_group *g = &rep->groups[i];
		const struct xp_finding_desc *d = xp_finding_desc(i);
		size_t j, shown;

		if (!g->count)
			continue;
		fprintf(f, "%*s%s%s (%" PRIu64 "): %s\n", indent, "", d->name,
			d->severity == XP_SEV_INFO ? " [info]" : "", g->count, d->summary);
		shown = XP_MIN(g->nr_kept, r->o.max_findings);
		for (j = 0; j < shown; j++)
			fprintf(f, "%*s%s\n", indent + 2, "", g->kept[j].detail);
		if (g->count > shown)
			fprintf(f, "%*s... and %" PRIu64 " more\n", indent + 2, "",
				g->count - shown);
	}
}

static void text_domain_error(struct xp_render *r, const struct xp_domain_ref *who,
			      const struct xp_error *err)
{
	(void)who; /* the message names the domain */
	text_error(r, err);
}

static void text_domain_skipped(struct xp_render *r, const struct xp_domain_info *d,
				const char *why)
{
	fprintf(r->o.out, "domain %u (%s): skipped, %s\n", d->domid, d->name, why);
}

/* ------------------------------------------------------------------- show */

static void text_p2m_info(struct xp_render *r, const struct xp_domain_info *d,
			  const struct xp_p2m_info *i, const struct xp_report *rep)
{
	FILE *f = r->o.out;
	char label[96], sz[32];

	fprintf(f,
		"%s: PV, %u-bit, %" PRIu64 " pages (%s), max %" PRIu64
		" pages, shared_info at 0x%" PRIx64 "\n",
		xp_render_domain_label(d->domid, d->name, label, sizeof(label)), i->width * 8,
		d->tot_pages, xp_format_size(d->tot_pages * 4096, sz, sizeof(sz)), d->max_pages,
		i->shared_info_mfn);
	fprintf(f, "p2m layout: %s\n", xp_layout_name(i->layout));
	fprintf(f, "  max_pfn                      0x%" PRIx64 " (%" PRIu64 " pfns)\n", i->max_pfn,
		i->max_pfn);
	fprintf(f, "  pfn_to_mfn_frame_list_list   0x%" PRIx64 "\n", i->frame_list_list);
	fprintf(f, "  p2m_cr3                      0x%" PRIx64, i->p2m_cr3);
	if (i->p2m_cr3)
		fprintf(f, " (mfn 0x%" PRIx64 ")", i->p2m_cr3_mfn);
	fputc('\n', f);
	fprintf(f, "  p2m_vaddr                    0x%" PRIx64 "\n", i->p2m_vaddr);
	fprintf(f, "  p2m_generation               %" PRIu64 "\n", i->generation);
	if (!rep)
		return;
	if (rep->p2m.tree_walked)
		fprintf(f,
			"mfn tree: 1 top page, %" PRIu64 " mid page%s, covers %" PRIu64 " pfns\n",
			rep->p2m.mid_pages, rep->p2m.mid_pages == 1 ? "" : "s",
			rep->p2m.tree_covers);
	if (rep->p2m.list_walked)
		fprintf(f, "linear list: %" PRIu64 " page-table frames under p2m_vaddr\n",
			rep->p2m.pt_pages);
	if (rep->p2m.pfns_checked)
		fprintf(f,
			"leaves: %" PRIu64 " leaf pages + %" PRIu64
			" shared (missing/identity); entries: %" PRIu64 " valid, %" PRIu64
			" invalid, %" PRIu64 " missing, %" PRIu64 " identity, %" PRIu64
			" foreign\n",
			rep->p2m.leaf_pages, rep->p2m.shared_leaf_pages, rep->p2m.valid,
			rep->p2m.invalid, rep->p2m.missing, rep->p2m.identity, rep->p2m.foreign);
	fprintf(f, "state: %s", xp_verdict_name(rep->verdict));
	if (xp_report_count(rep, XP_SEV_WARNING))
		fprintf(f, " (%" PRIu64 " findings: run 'xenp2m check %u')",
			xp_report_count(rep, XP_SEV_WARNING), d->domid);
	fputc('\n', f);
}

static void path_steps(FILE *f, const struct xp_path_step *s, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i == 0) {
			fprintf(f, "%s 0x%" PRIx64, s[i].level, s[i].value);
			continue;
		}
		fprintf(f, " -> %s[%u]", s[i].level, s[i].index);
		if (s[i].err)
			fprintf(f, " (frame 0x%" PRIx64 ": %s)", s[i].table_mfn,
				strerror(-s[i].err));
		else
			fprintf(f, " = 0x%" PRIx64, s[i].value);
	}
	fputc('\n', f);
}

static void text_path(struct xp_render *r, const struct xp_domain_info *d, const struct xp_path *p,
		      const uint64_t *mfn)
{
	FILE *f = r->o.out;

	(void)d;
	if (mfn)
		fprintf(f, "mfn 0x%" PRIx64 " -> pfn 0x%" PRIx64 " (M2P)%s\n", *mfn, p->pfn,
			p->reachable && p->entry == *mfn
				? ", and p2m names it back"
				: ": but the p2m does NOT name this frame for that pfn");
	if (p->reachable) {
		fprintf(f, "pfn 0x%" PRIx64 " -> 0x%" PRIx64 " (%s)", p->pfn, p->entry,
			xp_entry_class_name(p->cls));
		if (p->cls == XP_ENTRY_VALID)
			fprintf(f, "; M2P[0x%" PRIx64 "] = 0x%" PRIx64 " (%s)", p->entry, p->m2p,
				p->round_trip ? "round trip ok" : "ROUND TRIP FAILS");
		fputc('\n', f);
	} else {
		fprintf(f, "pfn 0x%" PRIx64 ": unreachable through the p2m structures\n", p->pfn);
	}
	if (p->nr_tree) {
		fputs("  mfn tree:    ", f);
		path_steps(f, p->tree, p->nr_tree);
	}
	if (p->nr_list) {
		fprintf(f, "  linear list: va 0x%" PRIx64 ": ", p->va);
		path_steps(f, p->list, p->nr_list);
	}
}

static void text_dump_begin(struct xp_render *r, const struct xp_dump_header *h)
{
	char label[96];

	fprintf(r->o.out, "# %s: max_pfn 0x%" PRIx64 ", layout %s, width %u\n",
		xp_render_domain_label(h->info->domid, h->info->name, label, sizeof(label)),
		h->p2m->max_pfn, xp_layout_name(h->p2m->layout), h->p2m->width * 8);
}

static bool text_dump_entry(struct xp_render *r, uint64_t pfn, uint64_t entry,
			    enum xp_entry_class cls)
{
	return fprintf(r->o.out, "0x%" PRIx64 " 0x%" PRIx64 " %s\n", pfn, entry,
		       xp_entry_class_name(cls)) > 0;
}

static void text_dump_end(struct xp_render *r, uint64_t count, uint64_t unreachable)
{
	(void)count;
	if (unreachable)
		fprintf(r->o.out, "# %" PRIu64 " pfns unreachable through the structures\n",
			unreachable);
}

/* ----------------------------------------------------------------- grants */

static void text_grants(struct xp_render *r, const struct xp_domain_info *d,
			const struct xp_grant_table *g, int64_t ref)
{
	FILE *f = r->o.out;
	char label[96], fl[96];
	size_t i;

	fprintf(f,
		"%s: grant table v%u, %u frame%s (%u max), %u entries; %u in use, %u mapped "
		"for reading, %u for writing\n",
		xp_render_domain_label(d->domid, d->name, label, sizeof(label)), g->version,
		g->nr_frames, g->nr_frames == 1 ? "" : "s", g->max_frames, g->nr_refs, g->in_use,
		g->mapped_read, g->mapped_write);
	if (g->npeers) {
		fputs("  by peer:", f);
		for (i = 0; i < g->npeers; i++)
			fprintf(f, " d%u: %u", g->peers[i].domid, g->peers[i].count);
		fputc('\n', f);
	}
	fprintf(f, "%7s %-40s %6s %18s %18s\n", "REF", "FLAGS", "PEER", "FRAME", "PFN");
	for (i = 0; i < g->count; i++) {
		const struct xp_grant_entry *e = &g->entries[i];
		char frame[24], pfn[24];

		if (ref >= 0 && e->ref != (uint64_t)ref)
			continue;
		if ((e->flags & 3) == 3)
			snprintf(frame, sizeof(frame), "d%u:%u", e->trans_domid, e->trans_gref);
		else
			snprintf(frame, sizeof(frame), "0x%" PRIx64, e->frame);
		if (e->pfn == ~0ULL)
			snprintf(pfn, sizeof(pfn), "-");
		else
			snprintf(pfn, sizeof(pfn), "0x%" PRIx64, e->pfn);
		xp_grant_flags_str(e->flags | e->status, fl, sizeof(fl));
		fprintf(f, "%7u %-40s %6u %18s %18s", e->ref, fl, e->peer, frame, pfn);
		if (e->flags & 0x100)
			fprintf(f, " [%u+%u]", e->page_off, e->length);
		fputc('\n', f);
	}
}

/* --------------------------------------------------------- snapshot, verify */

static const char *class_label(unsigned int c)
{
	return c < XP_ENTRY_NR_CLASSES ? xp_entry_class_name(c) : "unreachable";
}

static const char *kind_label(unsigned int k, unsigned int level, char *buf, size_t len)
{
	if (k >= XP_PAGE_NR_KINDS)
		return "no page";
	if (k == XP_PAGE_PAGE_TABLE)
		snprintf(buf, len, "L%u page table", level);
	else
		snprintf(buf, len, "%s", xp_page_kind_name(k));
	return buf;
}

/* "check: consistent, 0 findings" and the report's finding lines */
static void text_structures(struct xp_render *r, const struct xp_report *rep, const char *prefix)
{
	uint64_t n = xp_report_count(rep, XP_SEV_WARNING);

	fprintf(r->o.out, "  %s: %s", prefix, xp_verdict_name(rep->verdict));
	if (rep->verdict == XP_VERDICT_JUST_RESTORED)
		fputs(": structures not checked (the guest has not resumed yet)", r->o.out);
	else if (rep->verdict == XP_VERDICT_NOT_PUBLISHED)
		fputs(": structures not checked (the guest has not published its p2m yet)",
		      r->o.out);
	else
		fprintf(r->o.out, ", %" PRIu64 " finding%s", n, n == 1 ? "" : "s");
	fprintf(r->o.out, "; layout %s", xp_layout_name(rep->layout));
	if (rep->grants.checked)
		fprintf(r->o.out, "; grant table v%u, %u/%u frames, %u entries in use",
			rep->grants.version, rep->grants.nr_frames, rep->grants.max_frames,
			rep->grants.in_use);
	fputc('\n', r->o.out);
	xp_render_text_findings(r, rep, 4);
}

static void text_snapshot(struct xp_render *r, const struct xp_snapshot_result *s)
{
	const struct xp_snap_totals *t = &s->totals;
	FILE *f = r->o.out;
	char label[96], uuid[40], sz[32];
	unsigned int k;

	fprintf(f, "%s: snapshot written to %s (UUID %s)\n",
		xp_render_domain_label(s->dom.domid, s->dom.name, label, sizeof(label)), s->path,
		xp_uuid_format(s->dom.uuid, uuid, sizeof(uuid)));
	fprintf(f,
		"  p2m: max_pfn 0x%" PRIx64 ", %u-bit, %" PRIu64 " pfns in %" PRIu64
		" runs (%" PRIu64 " valid, %" PRIu64 " invalid, %" PRIu64 " missing, %" PRIu64
		" identity, %" PRIu64 " foreign)",
		s->dom.max_pfn, s->dom.width * 8, s->dom.max_pfn, t->runs, t->pfns[XP_ENTRY_VALID],
		t->pfns[XP_ENTRY_INVALID], t->pfns[XP_ENTRY_MISSING], t->pfns[XP_ENTRY_IDENTITY],
		t->pfns[XP_ENTRY_FOREIGN]);
	if (t->unreachable)
		fprintf(f, ", %" PRIu64 " unreachable", t->unreachable);
	if (s->dom.via == XP_SCAN_VIA_VCPU_CR3)
		fputs("; read through vcpu0's page tables (restored, not resumed)", f);
	fputc('\n', f);
	if (s->pages) {
		fprintf(f, "  pages: %" PRIu64 " hashed (%" PRIu64 " zero", t->pages,
			t->zero_pages);
		for (k = XP_PAGE_PAGE_TABLE; k < XP_PAGE_NR_KINDS; k++)
			fprintf(f, ", %" PRIu64 " %s", t->by_kind[k], xp_page_kind_name(k));
		if (t->unreadable)
			fprintf(f, ", %" PRIu64 " unreadable", t->unreadable);
		fputs(")\n", f);
	}
	text_structures(r, s->report, "check");
	fprintf(f, "  %" PRIu64 " bytes (%s) in %.1f ms\n", t->bytes,
		xp_format_size(t->bytes, sz, sizeof(sz)), (double)s->elapsed_ns / 1e6);
}

static void text_verify(struct xp_render *r, const struct xp_verify_result *v)
{
	FILE *f = r->o.out;
	char label[96], uuid[40], a[32], b[32];
	size_t i;

	fprintf(f, "%s: %s against %s (the same guest: domain %u '%s' then, UUID %s)\n",
		xp_render_domain_label(v->now.domid, v->now.name, label, sizeof(label)),
		xp_verify_verdict_name(v->verdict), v->baseline, v->base->domid, v->base->name,
		xp_uuid_format(v->base->uuid, uuid, sizeof(uuid)));
	if (v->max_pfn_now != v->max_pfn_before || v->base->width != v->now.guest_width)
		fprintf(f,
			"  max_pfn 0x%" PRIx64 ", %u-bit: the baseline says 0x%" PRIx64
			", %u-bit\n",
			v->max_pfn_now, v->now.guest_width * 8, v->max_pfn_before,
			v->base->width * 8);
	fprintf(f, "  p2m: %" PRIu64 " pfns compared, ", v->pfns_compared);
	if (v->class_changed)
		fprintf(f, "%" PRIu64 " changed class", v->class_changed);
	else
		fputs("classes as before", f);
	fprintf(f, "; %" PRIu64 " valid, ", v->valid);
	if (v->not_owned)
		fprintf(f, "%" PRIu64 " on frames the guest does not own", v->not_owned);
	else
		fputs("all on frames the guest owns", f);
	fprintf(f, "; %" PRIu64 " MFNs changed (%.1f%%)", v->mfn_changed,
		v->valid ? 100.0 * (double)v->mfn_changed / (double)v->valid : 0.0);
	if (v->via == XP_SCAN_VIA_VCPU_CR3)
		fputs("; read through vcpu0's page tables", f);
	fputc('\n', f);
	for (i = 0; i < XP_MIN(v->class_changed, (uint64_t)XP_VERIFY_LISTED); i++)
		fprintf(f, "    pfn 0x%" PRIx64 ": %s, was %s\n", v->class_diffs[i].pfn,
			class_label(v->class_diffs[i].now), class_label(v->class_diffs[i].before));
	for (i = 0; i < XP_MIN(v->not_owned, (uint64_t)XP_VERIFY_LISTED); i++)
		fprintf(f, "    pfn 0x%" PRIx64 ": its frame is not the guest's\n",
			v->not_owned_pfns[i]);
	if (v->pages) {
		fprintf(f, "  pages: %" PRIu64 " compared, %" PRIu64 " differ", v->pages_compared,
			v->pages_differ);
		if (v->pages_excluded)
			fprintf(f, "; %" PRIu64 " not compared (the console and xenstore rings)",
				v->pages_excluded);
		if (v->pages_pending)
			fprintf(f,
				"; %" PRIu64 " pending (the mfn tree's pages: checked as "
				"structures once the guest resumes)",
				v->pages_pending);
		fputc('\n', f);
		for (i = 0; i < XP_MIN(v->pages_differ, (uint64_t)XP_VERIFY_LISTED); i++) {
			const struct xp_verify_page_diff *d = &v->page_diffs[i];

			if (d->before == d->now && d->level_before == d->level_now)
				fprintf(f, "    pfn 0x%" PRIx64 ": %s differs\n", d->pfn,
					kind_label(d->now, d->level_now, a, sizeof(a)));
			else
				fprintf(f, "    pfn 0x%" PRIx64 ": %s, was %s\n", d->pfn,
					kind_label(d->now, d->level_now, a, sizeof(a)),
					kind_label(d->before, d->level_before, b, sizeof(b)));
		}
		if (v->pages_differ > XP_VERIFY_LISTED)
			fprintf(f, "    ... and %" PRIu64 " more\n",
				v->pages_differ - XP_VERIFY_LISTED);
	}
	text_structures(r, v->report, "structures");
	if (v->waited)
		fprintf(f, "  waited %.1f s for the guest to republish%s\n",
			(double)v->waited_ns / 1e9, v->structures_pending ? ": it did not" : "");
	fprintf(f, "  in %.1f ms\n", (double)v->elapsed_ns / 1e6);
}

const struct xp_render_ops xp_render_text_ops = {
	.name = "text",
	.error = text_error,
	.list_row = text_list_row,
	.report = text_report,
	.domain_error = text_domain_error,
	.domain_skipped = text_domain_skipped,
	.p2m_info = text_p2m_info,
	.path = text_path,
	.dump_begin = text_dump_begin,
	.dump_entry = text_dump_entry,
	.dump_end = text_dump_end,
	.grants = text_grants,
	.snapshot = text_snapshot,
	.verify = text_verify,
};
