// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "render/render.h"

struct json_object *xp_json_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

static void jadd(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *ju64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

const char *xp_render_domain_label(uint32_t domid, const char *name, char *buf, size_t len)
{
	if (name && *name)
		snprintf(buf, len, "domain %u (%s)", domid, name);
	else
		snprintf(buf, len, "domain %u", domid);
	return buf;
}

/* ------------------------------------------------------------------ check */

static uint64_t total_findings(const struct xp_report *r)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < XP_F_NR_IDS; i++)
		n += r->groups[i].count;
	return n;
}

void xp_render_report_text(FILE *f, const struct xp_report *r, size_t max_findings)
{
	const struct xp_p2m_summary *s = &r->p2m;
	uint64_t errors = xp_report_count(r, XP_SEV_WARNING);
	char label[96];
	int i;

	fprintf(f, "%s: %s", xp_render_domain_label(r->domid, r->name, label, sizeof(label)),
		xp_verdict_name(r->verdict));
	if (errors)
		fprintf(f, ": %" PRIu64 " finding%s", errors, errors == 1 ? "" : "s");
	fprintf(f, "; layout %s, %u-bit, max_pfn 0x%" PRIx64, xp_layout_name(r->layout),
		r->width * 8, s->max_pfn);
	if (r->layout == XP_LAYOUT_LIST || r->layout == XP_LAYOUT_LIST_ONLY)
		fprintf(f, ", generation %" PRIu64, s->generation);
	if (s->pfns_checked)
		fprintf(f,
			", %" PRIu64 " pfns checked (%" PRIu64 " valid, %" PRIu64
			" invalid, %" PRIu64 " missing, %" PRIu64 " identity, %" PRIu64 " foreign)",
			s->pfns_checked, s->valid, s->invalid, s->missing, s->identity, s->foreign);
	fprintf(f, " in %.1f ms", (double)r->elapsed_ns / 1e6);
	if (s->passes > 1)
		fprintf(f, ", %u passes", s->passes);
	if (r->grants.checked)
		fprintf(f, "; grant table v%u, %u/%u frames, %u entries in use", r->grants.version,
			r->grants.nr_frames, r->grants.max_frames, r->grants.in_use);
	fputc('\n', f);
	for (i = 0; i < XP_F_NR_IDS; i++) {
		const struct xp_report_group *g = &r->groups[i];
		const struct xp_finding_desc *d = xp_finding_desc(i);
		size_t j, shown;

		if (!g->count)
			continue;
		fprintf(f, "  %s%s (%" PRIu64 "): %s\n", d->name,
			d->severity == XP_SEV_INFO ? " [info]" : "", g->count, d->summary);
		shown = XP_MIN(g->nr_kept, max_findings);
		for (j = 0; j < shown; j++)
			fprintf(f, "    %s\n", g->kept[j].detail);
		if (g->count > shown)
			fprintf(f, "    ... and %" PRIu64 " more\n", g->count - shown);
	}
}

static struct json_object *finding_json(const struct xp_finding *fd)
{
	const struct xp_finding_desc *d = xp_finding_desc(fd->id);
	struct json_object *o = json_object_new_object();

	jadd(o, "id", json_object_new_string(d->name));
	jadd(o, "severity", json_object_new_string(xp_severity_name(d->severity)));
	jadd(o, "level", json_object_new_string(fd->level));
	if (fd->has & XP_LOC_INDEX)
		jadd(o, "index", ju64(fd->index));
	if (fd->has & XP_LOC_INDEX2)
		jadd(o, "index2", ju64(fd->index2));
	if (fd->has & XP_LOC_PFN)
		jadd(o, "pfn", xp_json_hex(fd->pfn));
	if (fd->has & XP_LOC_MFN)
		jadd(o, "mfn", xp_json_hex(fd->mfn));
	if (fd->has & XP_LOC_VA)
		jadd(o, "va", xp_json_hex(fd->va));
	if (fd->has & XP_LOC_EXPECTED)
		jadd(o, "expected", xp_json_hex(fd->expected));
	if (fd->has & XP_LOC_ACTUAL)
		jadd(o, "actual", xp_json_hex(fd->actual));
	if (fd->has & XP_LOC_OWNER)
		jadd(o, "owner", json_object_new_int64(fd->owner));
	jadd(o, "detail", json_object_new_string(fd->detail));
	return o;
}

struct json_object *xp_render_report_json(const struct xp_report *r)
{
	const struct xp_p2m_summary *s = &r->p2m;
	struct json_object *o = json_object_new_object(), *p2m, *e, *pages, *walked, *sum,
			   *findings, *counts, *omitted;
	int i;

	jadd(o, "domid", ju64(r->domid));
	jadd(o, "name", json_object_new_string(r->name));
	jadd(o, "verdict", json_object_new_string(xp_verdict_name(r->verdict)));
	jadd(o, "width", json_object_new_int((int)r->width * 8));
	jadd(o, "layout", json_object_new_string(xp_layout_name(r->layout)));

	p2m = json_object_new_object();
	jadd(p2m, "max_pfn", ju64(s->max_pfn));
	jadd(p2m, "frame_list_list", xp_json_hex(s->frame_list_list));
	jadd(p2m, "p2m_cr3_mfn", xp_json_hex(s->p2m_cr3_mfn));
	jadd(p2m, "p2m_vaddr", xp_json_hex(s->p2m_vaddr));
	jadd(p2m, "generation", ju64(s->generation));
	jadd(p2m, "pfns_checked", ju64(s->pfns_checked));
	jadd(p2m, "m2p_checked", ju64(s->m2p_checked));
	jadd(p2m, "tree_covers", ju64(s->tree_covers));
	jadd(p2m, "passes", json_object_new_int((int)s->passes));
	e = json_object_new_object();
	jadd(e, "valid", ju64(s->valid));
	jadd(e, "invalid", ju64(s->invalid));
	jadd(e, "missing", ju64(s->missing));
	jadd(e, "identity", ju64(s->identity));
	jadd(e, "foreign", ju64(s->foreign));
	jadd(p2m, "entries", e);
	pages = json_object_new_object();
	jadd(pages, "top", ju64(s->top_pages));
	jadd(pages, "mid", ju64(s->mid_pages));
	jadd(pages, "leaf", ju64(s->leaf_pages));
	jadd(pages, "shared_leaf", ju64(s->shared_leaf_pages));
	jadd(pages, "page_tables", ju64(s->pt_pages));
	jadd(p2m, "pages", pages);
	walked = json_object_new_object();
	jadd(walked, "tree", json_object_new_boolean(s->tree_walked));
	jadd(walked, "list", json_object_new_boolean(s->list_walked));
	jadd(walked, "symbols", json_object_new_boolean(s->symbols_used));
	jadd(p2m, "walked", walked);
	jadd(o, "p2m", p2m);
	{
		struct json_object *gr = json_object_new_object();

		jadd(gr, "checked", json_object_new_boolean(r->grants.checked));
		if (r->grants.checked) {
			jadd(gr, "version", json_object_new_int((int)r->grants.version));
			jadd(gr, "nr_frames", json_object_new_int((int)r->grants.nr_frames));
			jadd(gr, "max_frames", json_object_new_int((int)r->grants.max_frames));
			jadd(gr, "in_use", ju64(r->grants.in_use));
		} else if (*r->grants.skipped) {
			jadd(gr, "skipped", json_object_new_string(r->grants.skipped));
		}
		jadd(o, "grants", gr);
	}

	sum = json_object_new_object();
	jadd(sum, "findings", ju64(total_findings(r)));
	jadd(sum, "errors", ju64(xp_report_count(r, XP_SEV_ERROR)));
	jadd(sum, "warnings",
	     ju64(xp_report_count(r, XP_SEV_WARNING) - xp_report_count(r, XP_SEV_ERROR)));
	jadd(sum, "infos", ju64(total_findings(r) - xp_report_count(r, XP_SEV_WARNING)));
	jadd(o, "summary", sum);

	findings = json_object_new_array();
	counts = json_object_new_object();
	omitted = json_object_new_object();
	for (i = 0; i < XP_F_NR_IDS; i++) {
		const struct xp_report_group *g = &r->groups[i];
		size_t j;

		if (!g->count)
			continue;
		for (j = 0; j < g->nr_kept; j++)
			json_object_array_add(findings, finding_json(&g->kept[j]));
		jadd(counts, xp_finding_desc(i)->name, ju64(g->count));
		if (g->count > g->nr_kept)
			jadd(omitted, xp_finding_desc(i)->name, ju64(g->count - g->nr_kept));
	}
	jadd(o, "findings", findings);
	jadd(o, "finding_counts", counts);
	jadd(o, "omitted", omitted);
	jadd(o, "elapsed_ms", json_object_new_double((double)r->elapsed_ns / 1e6));
	return o;
}

/* ------------------------------------------------------------------- show */

void xp_render_p2m_info_text(FILE *f, const struct xp_domain_info *d, const struct xp_p2m_info *i,
			     const struct xp_report *r)
{
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
	if (!r)
		return;
	if (r->p2m.tree_walked)
		fprintf(f,
			"mfn tree: 1 top page, %" PRIu64 " mid page%s, covers %" PRIu64 " pfns\n",
			r->p2m.mid_pages, r->p2m.mid_pages == 1 ? "" : "s", r->p2m.tree_covers);
	if (r->p2m.list_walked)
		fprintf(f, "linear list: %" PRIu64 " page-table frames under p2m_vaddr\n",
			r->p2m.pt_pages);
	if (r->p2m.pfns_checked)
		fprintf(f,
			"leaves: %" PRIu64 " leaf pages + %" PRIu64
			" shared (missing/identity); entries: %" PRIu64 " valid, %" PRIu64
			" invalid, %" PRIu64 " missing, %" PRIu64 " identity, %" PRIu64
			" foreign\n",
			r->p2m.leaf_pages, r->p2m.shared_leaf_pages, r->p2m.valid, r->p2m.invalid,
			r->p2m.missing, r->p2m.identity, r->p2m.foreign);
	fprintf(f, "state: %s", xp_verdict_name(r->verdict));
	if (xp_report_count(r, XP_SEV_WARNING))
		fprintf(f, " (%" PRIu64 " findings: run 'xenp2m check %u')",
			xp_report_count(r, XP_SEV_WARNING), d->domid);
	fputc('\n', f);
}

struct json_object *xp_render_p2m_info_json(const struct xp_domain_info *d,
					    const struct xp_p2m_info *i, const struct xp_report *r)
{
	struct json_object *o = json_object_new_object(), *p;

	jadd(o, "domid", ju64(d->domid));
	jadd(o, "name", json_object_new_string(d->name));
	jadd(o, "width", json_object_new_int((int)i->width * 8));
	jadd(o, "tot_pages", ju64(d->tot_pages));
	jadd(o, "max_pages", ju64(d->max_pages));
	jadd(o, "shared_info_mfn", xp_json_hex(i->shared_info_mfn));
	jadd(o, "layout", json_object_new_string(xp_layout_name(i->layout)));
	p = json_object_new_object();
	jadd(p, "max_pfn", ju64(i->max_pfn));
	jadd(p, "pfn_to_mfn_frame_list_list", xp_json_hex(i->frame_list_list));
	jadd(p, "p2m_cr3", xp_json_hex(i->p2m_cr3));
	jadd(p, "p2m_cr3_mfn", xp_json_hex(i->p2m_cr3_mfn));
	jadd(p, "p2m_vaddr", xp_json_hex(i->p2m_vaddr));
	jadd(p, "p2m_generation", ju64(i->generation));
	jadd(o, "shared_info", p);
	if (r) {
		struct json_object *rep = xp_render_report_json(r);
		struct json_object *v;

		if (json_object_object_get_ex(rep, "p2m", &v))
			jadd(o, "walk", json_object_get(v));
		jadd(o, "state", json_object_new_string(xp_verdict_name(r->verdict)));
		jadd(o, "findings", ju64(xp_report_count(r, XP_SEV_WARNING)));
		json_object_put(rep);
	}
	return o;
}

static void path_steps_text(FILE *f, const struct xp_path_step *s, unsigned int n)
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

void xp_render_path_text(FILE *f, const struct xp_path *p, unsigned int width)
{
	(void)width;
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
		path_steps_text(f, p->tree, p->nr_tree);
	}
	if (p->nr_list) {
		fprintf(f, "  linear list: va 0x%" PRIx64 ": ", p->va);
		path_steps_text(f, p->list, p->nr_list);
	}
}

static struct json_object *steps_json(const struct xp_path_step *s, unsigned int n)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		jadd(o, "level", json_object_new_string(s[i].level));
		if (i) {
			jadd(o, "table_mfn", xp_json_hex(s[i].table_mfn));
			jadd(o, "index", json_object_new_int((int)s[i].index));
		}
		if (s[i].err)
			jadd(o, "error", json_object_new_string(strerror(-s[i].err)));
		else
			jadd(o, "value", xp_json_hex(s[i].value));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *xp_render_path_json(const struct xp_path *p)
{
	struct json_object *o = json_object_new_object();

	jadd(o, "pfn", xp_json_hex(p->pfn));
	jadd(o, "reachable", json_object_new_boolean(p->reachable));
	if (p->reachable) {
		jadd(o, "entry", xp_json_hex(p->entry));
		jadd(o, "class", json_object_new_string(xp_entry_class_name(p->cls)));
		if (p->cls == XP_ENTRY_VALID) {
			jadd(o, "m2p", xp_json_hex(p->m2p));
			jadd(o, "round_trip", json_object_new_boolean(p->round_trip));
		}
	}
	if (p->nr_tree)
		jadd(o, "tree", steps_json(p->tree, p->nr_tree));
	if (p->nr_list) {
		jadd(o, "list_va", xp_json_hex(p->va));
		jadd(o, "list", steps_json(p->list, p->nr_list));
	}
	return o;
}

/* ----------------------------------------------------------------- grants */

void xp_render_grants_text(FILE *f, const char *label, const struct xp_grant_table *g, int64_t ref)
{
	size_t i;
	char fl[96];

	fprintf(f,
		"%s: grant table v%u, %u frame%s (%u max), %u entries; %u in use, %u mapped "
		"for reading, %u for writing\n",
		label, g->version, g->nr_frames, g->nr_frames == 1 ? "" : "s", g->max_frames,
		g->nr_refs, g->in_use, g->mapped_read, g->mapped_write);
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

struct json_object *xp_render_grants_json(const struct xp_grant_table *g, int64_t ref)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(),
			   *peers = json_object_new_array();
	size_t i;
	char fl[96];

	jadd(o, "version", json_object_new_int((int)g->version));
	jadd(o, "nr_frames", json_object_new_int((int)g->nr_frames));
	jadd(o, "nr_status_frames", json_object_new_int((int)g->nr_status_frames));
	jadd(o, "max_frames", json_object_new_int((int)g->max_frames));
	jadd(o, "nr_entries", ju64(g->nr_refs));
	jadd(o, "in_use", ju64(g->in_use));
	jadd(o, "mapped_read", ju64(g->mapped_read));
	jadd(o, "mapped_write", ju64(g->mapped_write));
	for (i = 0; i < g->npeers; i++) {
		struct json_object *p = json_object_new_object();

		jadd(p, "domid", ju64(g->peers[i].domid));
		jadd(p, "count", ju64(g->peers[i].count));
		json_object_array_add(peers, p);
	}
	jadd(o, "by_peer", peers);
	for (i = 0; i < g->count; i++) {
		const struct xp_grant_entry *e = &g->entries[i];
		struct json_object *j, *fa;
		char *tok, *save = NULL;

		if (ref >= 0 && e->ref != (uint64_t)ref)
			continue;
		j = json_object_new_object();
		jadd(j, "ref", ju64(e->ref));
		jadd(j, "type", json_object_new_string(xp_grant_type_name(e->flags)));
		jadd(j, "flags_raw",
		     json_object_new_string((snprintf(fl, sizeof(fl), "0x%04x", e->flags), fl)));
		fa = json_object_new_array();
		xp_grant_flags_str(e->flags | e->status, fl, sizeof(fl));
		for (tok = strtok_r(fl, ",", &save), tok = strtok_r(NULL, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			json_object_array_add(fa, json_object_new_string(tok));
		jadd(j, "flags", fa);
		jadd(j, "peer", ju64(e->peer));
		if ((e->flags & 3) == 3) {
			jadd(j, "trans_domid", ju64(e->trans_domid));
			jadd(j, "trans_gref", ju64(e->trans_gref));
		} else {
			jadd(j, "frame", xp_json_hex(e->frame));
			jadd(j, "pfn", e->pfn == ~0ULL ? NULL : xp_json_hex(e->pfn));
		}
		if (e->flags & 0x100) {
			jadd(j, "page_off", ju64(e->page_off));
			jadd(j, "length", ju64(e->length));
		}
		json_object_array_add(arr, j);
	}
	jadd(o, "entries", arr);
	return o;
}

/* ------------------------------------------------------------------- list */

struct json_object *xp_render_domain_json(const struct xp_domain_info *d, const struct xp_quick *q)
{
	struct json_object *o = json_object_new_object();

	jadd(o, "domid", ju64(d->domid));
	jadd(o, "name", json_object_new_string(d->name));
	jadd(o, "type", json_object_new_string(xp_domain_type_name(d->type)));
	jadd(o, "width", json_object_new_int((int)d->guest_width * 8));
	jadd(o, "tot_pages", ju64(d->tot_pages));
	jadd(o, "max_pages", ju64(d->max_pages));
	jadd(o, "shared_info_mfn", xp_json_hex(d->shared_info_frame));
	jadd(o, "paused", json_object_new_boolean(d->paused));
	jadd(o, "dying", json_object_new_boolean(d->dying));
	if (d->type == XP_DOMAIN_PV) {
		jadd(o, "layout", json_object_new_string(xp_layout_name(q->layout)));
		jadd(o, "max_pfn", ju64(q->max_pfn));
		jadd(o, "generation", q->generation_valid ? ju64(q->generation) : NULL);
	}
	jadd(o, "health", json_object_new_string(q->health ? q->health : "?"));
	return o;
}
