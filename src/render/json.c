// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON renderer: one document per command on stdout, the envelope of
 * render.h, errors included.  Documents are built with json-c and printed
 * by finish; `show --dump` is streamed instead (entries may number 2^28):
 * the envelope is opened by hand around entries that json-c serialises one
 * by one, and closed by finish, with the error if one came after the start.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "render/impl.h"

struct json_state {
	struct json_object *domains; /* array */
	struct json_object *summary; /* or NULL */
	struct json_object *error;   /* or NULL */
	bool streaming;		     /* show --dump: the envelope is open on the output */
	bool stream_closed;	     /* dump_end ran */
	uint64_t streamed;	     /* entries written */
};

static struct json_state *js(struct xp_render *r)
{
	return r->priv;
}

static int json_flags(bool pretty)
{
	return (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
		       : JSON_C_TO_STRING_PLAIN) |
	       JSON_C_TO_STRING_NOSLASHESCAPE;
}

bool xp_json_print(FILE *f, struct json_object *obj, bool pretty)
{
	const char *s = json_object_to_json_string_ext(obj, json_flags(pretty));

	return s && fputs(s, f) >= 0 && fputc('\n', f) != EOF;
}

bool xp_render_json_init(struct xp_render *r)
{
	struct json_state *s = calloc(1, sizeof(*s));

	if (!s)
		return false;
	s->domains = json_object_new_array();
	if (!s->domains) {
		free(s);
		return false;
	}
	r->priv = s;
	return true;
}

static void json_destroy(struct xp_render *r)
{
	struct json_state *s = js(r);

	json_object_put(s->domains);
	json_object_put(s->summary);
	json_object_put(s->error);
	free(s);
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *ju64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

struct json_object *xp_json_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

struct json_object *xp_json_error(const struct xp_error *err)
{
	struct json_object *e = json_object_new_object();

	add(e, "kind", jstr(xp_errkind_name(err->kind)));
	add(e, "message", jstr(err->message));
	add(e, "exit_code", json_object_new_int(xp_error_exit_code(err)));
	return e;
}

/* {"domid": N, "name": "..."}, the start of every domain object */
static struct json_object *domain_obj(uint32_t domid, const char *name)
{
	struct json_object *o = json_object_new_object();

	add(o, "domid", ju64(domid));
	add(o, "name", jstr(name ? name : ""));
	return o;
}

/* ------------------------------------------------------------ the envelope */

static struct json_object *envelope(struct xp_render *r)
{
	struct json_object *doc = json_object_new_object();

	add(doc, "schema_version", json_object_new_int(XP_JSON_SCHEMA_VERSION));
	if (r->o.verb)
		add(doc, "verb", jstr(r->o.verb));
	return doc;
}

/*
 * Print @obj as its serialisation without the closing brace, every line
 * after the first indented by @indent more spaces (pretty mode): the
 * opening of an object that the stream goes on to fill.
 */
static void print_open(FILE *f, struct json_object *obj, bool pretty, int indent)
{
	const char *s = json_object_to_json_string_ext(obj, json_flags(pretty));
	size_t len = strlen(s);

	while (len && (s[len - 1] == '}' || s[len - 1] == ' ' || s[len - 1] == '\n'))
		len--;
	for (; len; s++, len--) {
		fputc(*s, f);
		if (*s == '\n')
			fprintf(f, "%*s", indent, "");
	}
}

/* ,"key": in either style, @indent spaces deep when pretty */
static void print_key(struct xp_render *r, const char *key, int indent)
{
	if (r->o.pretty)
		fprintf(r->o.out, ",\n%*s\"%s\": ", indent, "", key);
	else
		fprintf(r->o.out, ",\"%s\":", key);
}

static void print_value(struct xp_render *r, struct json_object *v, int indent)
{
	const char *s = json_object_to_json_string_ext(v, json_flags(r->o.pretty));

	for (; *s; s++) {
		fputc(*s, r->o.out);
		if (*s == '\n')
			fprintf(r->o.out, "%*s", indent, "");
	}
}

static bool json_finish(struct xp_render *r)
{
	struct json_state *s = js(r);
	struct json_object *doc;
	bool ok;

	if (s->streaming) {
		/* close what dump_begin opened; an error that came after it goes last */
		if (!s->stream_closed)
			xp_render_dump_end(r, s->streamed, 0);
		if (s->error) {
			print_key(r, "error", 2);
			print_value(r, s->error, 2);
		}
		fputs(r->o.pretty ? "\n}\n" : "}\n", r->o.out);
		return !ferror(r->o.out);
	}
	doc = envelope(r);
	if (r->rows || !s->error)
		add(doc, "domains", json_object_get(s->domains));
	if (s->summary)
		add(doc, "summary", json_object_get(s->summary));
	if (s->error)
		add(doc, "error", json_object_get(s->error));
	ok = xp_json_print(r->o.out, doc, r->o.pretty);
	json_object_put(doc);
	return ok;
}

static void json_error(struct xp_render *r, const struct xp_error *err)
{
	struct json_state *s = js(r);

	/* the first error is the one that stopped the command */
	if (!s->error)
		s->error = xp_json_error(err);
}

/* ------------------------------------------------------------------- list */

struct json_object *xp_json_list_row(const struct xp_list_row *row)
{
	const struct xp_domain_info *d = row->info;
	const struct xp_quick *q = row->quick;
	struct json_object *o = domain_obj(d->domid, d->name);

	add(o, "type", jstr(xp_domain_type_name(d->type)));
	add(o, "width", json_object_new_int((int)d->guest_width * 8));
	add(o, "tot_pages", ju64(d->tot_pages));
	add(o, "max_pages", ju64(d->max_pages));
	add(o, "shared_info_mfn", xp_json_hex(d->shared_info_frame));
	add(o, "paused", json_object_new_boolean(d->paused));
	add(o, "dying", json_object_new_boolean(d->dying));
	if (row->err) {
		add(o, "health", jstr("error"));
		add(o, "error", xp_json_error(row->err));
		return o;
	}
	if (d->type == XP_DOMAIN_PV) {
		add(o, "layout", jstr(xp_layout_name(q->layout)));
		add(o, "max_pfn", ju64(q->max_pfn));
		add(o, "generation", q->generation_valid ? ju64(q->generation) : NULL);
	}
	add(o, "health", jstr(q->health ? q->health : "?"));
	return o;
}

static void json_list_row(struct xp_render *r, const struct xp_list_row *row)
{
	json_object_array_add(js(r)->domains, xp_json_list_row(row));
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

static struct json_object *finding_json(const struct xp_finding *fd)
{
	const struct xp_finding_desc *d = xp_finding_desc(fd->id);
	struct json_object *o = json_object_new_object();

	add(o, "id", jstr(d->name));
	add(o, "severity", jstr(xp_severity_name(d->severity)));
	add(o, "level", jstr(fd->level));
	if (fd->has & XP_LOC_INDEX)
		add(o, "index", ju64(fd->index));
	if (fd->has & XP_LOC_INDEX2)
		add(o, "index2", ju64(fd->index2));
	if (fd->has & XP_LOC_PFN)
		add(o, "pfn", xp_json_hex(fd->pfn));
	if (fd->has & XP_LOC_MFN)
		add(o, "mfn", xp_json_hex(fd->mfn));
	if (fd->has & XP_LOC_VA)
		add(o, "va", xp_json_hex(fd->va));
	if (fd->has & XP_LOC_EXPECTED)
		add(o, "expected", xp_json_hex(fd->expected));
	if (fd->has & XP_LOC_ACTUAL)
		add(o, "actual", xp_json_hex(fd->actual));
	if (fd->has & XP_LOC_OWNER)
		add(o, "owner", json_object_new_int64(fd->owner));
	add(o, "detail", jstr(fd->detail));
	return o;
}

static struct json_object *p2m_summary_json(const struct xp_p2m_summary *s)
{
	struct json_object *p2m = json_object_new_object(), *e, *pages, *walked;

	add(p2m, "max_pfn", ju64(s->max_pfn));
	add(p2m, "frame_list_list", xp_json_hex(s->frame_list_list));
	add(p2m, "p2m_cr3_mfn", xp_json_hex(s->p2m_cr3_mfn));
	add(p2m, "p2m_vaddr", xp_json_hex(s->p2m_vaddr));
	add(p2m, "generation", ju64(s->generation));
	add(p2m, "pfns_checked", ju64(s->pfns_checked));
	add(p2m, "m2p_checked", ju64(s->m2p_checked));
	add(p2m, "tree_covers", ju64(s->tree_covers));
	add(p2m, "passes", json_object_new_int((int)s->passes));
	e = json_object_new_object();
	add(e, "valid", ju64(s->valid));
	add(e, "invalid", ju64(s->invalid));
	add(e, "missing", ju64(s->missing));
	add(e, "identity", ju64(s->identity));
	add(e, "foreign", ju64(s->foreign));
	add(p2m, "entries", e);
	pages = json_object_new_object();
	add(pages, "top", ju64(s->top_pages));
	add(pages, "mid", ju64(s->mid_pages));
	add(pages, "leaf", ju64(s->leaf_pages));
	add(pages, "shared_leaf", ju64(s->shared_leaf_pages));
	add(pages, "page_tables", ju64(s->pt_pages));
	add(p2m, "pages", pages);
	walked = json_object_new_object();
	add(walked, "tree", json_object_new_boolean(s->tree_walked));
	add(walked, "list", json_object_new_boolean(s->list_walked));
	add(walked, "symbols", json_object_new_boolean(s->symbols_used));
	add(p2m, "walked", walked);
	return p2m;
}

static struct json_object *grant_summary_json(const struct xp_grant_summary *g)
{
	struct json_object *o = json_object_new_object();

	add(o, "checked", json_object_new_boolean(g->checked));
	if (g->checked) {
		add(o, "version", json_object_new_int((int)g->version));
		add(o, "nr_frames", json_object_new_int((int)g->nr_frames));
		add(o, "max_frames", json_object_new_int((int)g->max_frames));
		add(o, "in_use", ju64(g->in_use));
	} else if (*g->skipped) {
		add(o, "skipped", jstr(g->skipped));
	}
	return o;
}

struct json_object *xp_json_report(const struct xp_report *r)
{
	struct json_object *o = domain_obj(r->domid, r->name), *sum, *findings, *counts, *omitted;
	int i;

	add(o, "verdict", jstr(xp_verdict_name(r->verdict)));
	add(o, "width", json_object_new_int((int)r->width * 8));
	add(o, "layout", jstr(xp_layout_name(r->layout)));
	add(o, "p2m", p2m_summary_json(&r->p2m));
	add(o, "grants", grant_summary_json(&r->grants));

	sum = json_object_new_object();
	add(sum, "findings", ju64(total_findings(r)));
	add(sum, "errors", ju64(xp_report_count(r, XP_SEV_ERROR)));
	add(sum, "warnings",
	    ju64(xp_report_count(r, XP_SEV_WARNING) - xp_report_count(r, XP_SEV_ERROR)));
	add(sum, "infos", ju64(total_findings(r) - xp_report_count(r, XP_SEV_WARNING)));
	add(o, "summary", sum);

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
		add(counts, xp_finding_desc(i)->name, ju64(g->count));
		if (g->count > g->nr_kept)
			add(omitted, xp_finding_desc(i)->name, ju64(g->count - g->nr_kept));
	}
	add(o, "findings", findings);
	add(o, "finding_counts", counts);
	add(o, "omitted", omitted);
	add(o, "elapsed_ms", json_object_new_double((double)r->elapsed_ns / 1e6));
	return o;
}

static void json_report(struct xp_render *r, const struct xp_report *rep)
{
	json_object_array_add(js(r)->domains, xp_json_report(rep));
}

static void json_domain_error(struct xp_render *r, const struct xp_domain_ref *who,
			      const struct xp_error *err)
{
	struct json_object *o;

	if (who->known) {
		o = domain_obj(who->domid, who->name);
	} else {
		o = json_object_new_object();
		add(o, "domain", jstr(who->asked ? who->asked : ""));
	}
	add(o, "error", xp_json_error(err));
	json_object_array_add(js(r)->domains, o);
}

static void json_domain_skipped(struct xp_render *r, const struct xp_domain_info *d,
				const char *why)
{
	struct json_object *o = domain_obj(d->domid, d->name);

	add(o, "type", jstr(xp_domain_type_name(d->type)));
	add(o, "skipped", jstr(why));
	json_object_array_add(js(r)->domains, o);
}

static void json_check_totals(struct xp_render *r, const struct xp_check_totals *t)
{
	struct json_object *sum = json_object_new_object();

	add(sum, "consistent", json_object_new_int((int)t->consistent));
	add(sum, "inconsistent", json_object_new_int((int)t->inconsistent));
	add(sum, "other", json_object_new_int((int)t->other));
	add(sum, "failed", json_object_new_int((int)t->failed));
	add(sum, "skipped", json_object_new_int((int)t->skipped));
	add(sum, "exit_code", json_object_new_int(t->exit_code));
	json_object_put(js(r)->summary);
	js(r)->summary = sum;
}

/* ------------------------------------------------------------------- show */

static struct json_object *shinfo_json(const struct xp_p2m_info *i)
{
	struct json_object *p = json_object_new_object();

	add(p, "max_pfn", ju64(i->max_pfn));
	add(p, "pfn_to_mfn_frame_list_list", xp_json_hex(i->frame_list_list));
	add(p, "p2m_cr3", xp_json_hex(i->p2m_cr3));
	add(p, "p2m_cr3_mfn", xp_json_hex(i->p2m_cr3_mfn));
	add(p, "p2m_vaddr", xp_json_hex(i->p2m_vaddr));
	add(p, "p2m_generation", ju64(i->generation));
	return p;
}

struct json_object *xp_json_p2m_info(const struct xp_domain_info *d, const struct xp_p2m_info *i,
				     const struct xp_report *r)
{
	struct json_object *o = domain_obj(d->domid, d->name);

	add(o, "width", json_object_new_int((int)i->width * 8));
	add(o, "tot_pages", ju64(d->tot_pages));
	add(o, "max_pages", ju64(d->max_pages));
	add(o, "shared_info_mfn", xp_json_hex(i->shared_info_mfn));
	add(o, "layout", jstr(xp_layout_name(i->layout)));
	add(o, "shared_info", shinfo_json(i));
	if (r) {
		add(o, "walk", p2m_summary_json(&r->p2m));
		add(o, "state", jstr(xp_verdict_name(r->verdict)));
		add(o, "findings", ju64(xp_report_count(r, XP_SEV_WARNING)));
	}
	return o;
}

static void json_p2m_info(struct xp_render *r, const struct xp_domain_info *d,
			  const struct xp_p2m_info *i, const struct xp_report *rep)
{
	json_object_array_add(js(r)->domains, xp_json_p2m_info(d, i, rep));
}

static struct json_object *steps_json(const struct xp_path_step *s, unsigned int n)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		add(o, "level", jstr(s[i].level));
		if (i) {
			add(o, "table_mfn", xp_json_hex(s[i].table_mfn));
			add(o, "index", json_object_new_int((int)s[i].index));
		}
		if (s[i].err)
			add(o, "error", jstr(strerror(-s[i].err)));
		else
			add(o, "value", xp_json_hex(s[i].value));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *xp_json_path(const struct xp_path *p)
{
	struct json_object *o = json_object_new_object();

	add(o, "pfn", xp_json_hex(p->pfn));
	add(o, "reachable", json_object_new_boolean(p->reachable));
	if (p->reachable) {
		add(o, "entry", xp_json_hex(p->entry));
		add(o, "class", jstr(xp_entry_class_name(p->cls)));
		if (p->cls == XP_ENTRY_VALID) {
			add(o, "m2p", xp_json_hex(p->m2p));
			add(o, "round_trip", json_object_new_boolean(p->round_trip));
		}
	}
	if (p->nr_tree)
		add(o, "tree", steps_json(p->tree, p->nr_tree));
	if (p->nr_list) {
		add(o, "list_va", xp_json_hex(p->va));
		add(o, "list", steps_json(p->list, p->nr_list));
	}
	return o;
}

static void json_path(struct xp_render *r, const struct xp_domain_info *d, const struct xp_path *p,
		      const uint64_t *mfn)
{
	struct json_object *o = domain_obj(d->domid, d->name);

	if (mfn) {
		add(o, "mfn", xp_json_hex(*mfn));
		add(o, "m2p", xp_json_hex(p->pfn));
		add(o, "mfn_is_pfns_frame",
		    json_object_new_boolean(p->reachable && p->entry == *mfn));
	}
	add(o, "path", xp_json_path(p));
	json_object_array_add(js(r)->domains, o);
}

/*
 * The stream: {"schema_version":2,"verb":"show","domains":[{HEADER,
 * "entries":[ENTRY,...],"count":N,"unreachable":M}]} -- 0, 4 and 8 spaces
 * deep for the envelope, the domain and the entries when pretty.
 */
static void json_dump_begin(struct xp_render *r, const struct xp_dump_header *h)
{
	struct json_state *s = js(r);
	struct json_object *env = envelope(r), *hdr = domain_obj(h->info->domid, h->info->name);

	add(hdr, "width", json_object_new_int((int)h->p2m->width * 8));
	add(hdr, "max_pfn", ju64(h->p2m->max_pfn));
	add(hdr, "layout", jstr(xp_layout_name(h->p2m->layout)));
	print_open(r->o.out, env, r->o.pretty, 0);
	print_key(r, "domains", 2);
	fputs(r->o.pretty ? "[\n    " : "[", r->o.out);
	print_open(r->o.out, hdr, r->o.pretty, 4);
	print_key(r, "entries", 6);
	fputc('[', r->o.out);
	json_object_put(env);
	json_object_put(hdr);
	s->streaming = true;
}

static bool json_dump_entry(struct xp_render *r, uint64_t pfn, uint64_t entry,
			    enum xp_entry_class cls)
{
	struct json_state *s = js(r);
	struct json_object *o = json_object_new_object();

	add(o, "pfn", xp_json_hex(pfn));
	add(o, "entry", xp_json_hex(entry));
	add(o, "class", jstr(xp_entry_class_name(cls)));
	fputs(s->streamed ? ",\n" : "\n", r->o.out);
	if (r->o.pretty)
		fputs("        ", r->o.out);
	print_value(r, o, 8);
	json_object_put(o);
	s->streamed++;
	return true;
}

static void json_dump_end(struct xp_render *r, uint64_t count, uint64_t unreachable)
{
	struct json_state *s = js(r);

	fputs(r->o.pretty ? "\n      ]" : "\n]", r->o.out);
	print_key(r, "count", 6);
	fprintf(r->o.out, "%" PRIu64, count);
	print_key(r, "unreachable", 6);
	fprintf(r->o.out, "%" PRIu64, unreachable);
	fputs(r->o.pretty ? "\n    }\n  ]" : "}]", r->o.out);
	s->stream_closed = true;
}

/* ----------------------------------------------------------------- grants */

struct json_object *xp_json_grants(const struct xp_grant_table *g, int64_t ref)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(),
			   *peers = json_object_new_array();
	size_t i;
	char fl[96];

	add(o, "version", json_object_new_int((int)g->version));
	add(o, "nr_frames", json_object_new_int((int)g->nr_frames));
	add(o, "nr_status_frames", json_object_new_int((int)g->nr_status_frames));
	add(o, "max_frames", json_object_new_int((int)g->max_frames));
	add(o, "nr_entries", ju64(g->nr_refs));
	add(o, "in_use", ju64(g->in_use));
	add(o, "mapped_read", ju64(g->mapped_read));
	add(o, "mapped_write", ju64(g->mapped_write));
	for (i = 0; i < g->npeers; i++) {
		struct json_object *p = json_object_new_object();

		add(p, "domid", ju64(g->peers[i].domid));
		add(p, "count", ju64(g->peers[i].count));
		json_object_array_add(peers, p);
	}
	add(o, "by_peer", peers);
	for (i = 0; i < g->count; i++) {
		const struct xp_grant_entry *e = &g->entries[i];
		struct json_object *j, *fa;
		char *tok, *save = NULL;

		if (ref >= 0 && e->ref != (uint64_t)ref)
			continue;
		j = json_object_new_object();
		add(j, "ref", ju64(e->ref));
		add(j, "type", jstr(xp_grant_type_name(e->flags)));
		snprintf(fl, sizeof(fl), "0x%04x", e->flags);
		add(j, "flags_raw", jstr(fl));
		fa = json_object_new_array();
		xp_grant_flags_str(e->flags | e->status, fl, sizeof(fl));
		/* the first word is the type, given above */
		for (tok = strtok_r(fl, ",", &save), tok = strtok_r(NULL, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			json_object_array_add(fa, jstr(tok));
		add(j, "flags", fa);
		add(j, "peer", ju64(e->peer));
		if ((e->flags & 3) == 3) {
			add(j, "trans_domid", ju64(e->trans_domid));
			add(j, "trans_gref", ju64(e->trans_gref));
		} else {
			add(j, "frame", xp_json_hex(e->frame));
			add(j, "pfn", e->pfn == ~0ULL ? NULL : xp_json_hex(e->pfn));
		}
		if (e->flags & 0x100) {
			add(j, "page_off", ju64(e->page_off));
			add(j, "length", ju64(e->length));
		}
		json_object_array_add(arr, j);
	}
	add(o, "entries", arr);
	return o;
}

static void json_grants(struct xp_render *r, const struct xp_domain_info *d,
			const struct xp_grant_table *g, int64_t ref)
{
	struct json_object *o = domain_obj(d->domid, d->name);

	add(o, "grant_table", xp_json_grants(g, ref));
	json_object_array_add(js(r)->domains, o);
}

/* --------------------------------------------------------- snapshot, verify */

static struct json_object *jkind(unsigned int kind, unsigned int level)
{
	char buf[24];

	if (kind >= XP_PAGE_NR_KINDS)
		return NULL;
	if (kind != XP_PAGE_PAGE_TABLE)
		return jstr(xp_page_kind_name(kind));
	snprintf(buf, sizeof(buf), "l%u-page-table", level);
	return jstr(buf);
}

static struct json_object *jclass(unsigned int c)
{
	return jstr(c < XP_ENTRY_NR_CLASSES ? xp_entry_class_name(c) : "unreachable");
}

static struct json_object *classes_json(const uint64_t *pfns, uint64_t unreachable)
{
	struct json_object *o = json_object_new_object();
	int c;

	for (c = 0; c < XP_ENTRY_NR_CLASSES; c++)
		add(o, xp_entry_class_name(c), ju64(pfns[c]));
	add(o, "unreachable", ju64(unreachable));
	return o;
}

static struct json_object *domain_with_uuid(uint32_t domid, const char *name, const uint8_t *uuid)
{
	struct json_object *o = domain_obj(domid, name);
	char buf[40];

	add(o, "uuid", jstr(xp_uuid_format(uuid, buf, sizeof(buf))));
	return o;
}

struct json_object *xp_json_snapshot(const struct xp_snapshot_result *s)
{
	const struct xp_snap_totals *t = &s->totals;
	struct json_object *o = domain_with_uuid(s->dom.domid, s->dom.name, s->dom.uuid), *p, *k;
	unsigned int i;

	add(o, "file", jstr(s->path));
	add(o, "format_version", json_object_new_int(XP_SNAP_VERSION));
	add(o, "width", json_object_new_int((int)s->dom.width * 8));
	add(o, "layout", jstr(xp_layout_name(s->dom.layout)));
	add(o, "read_through", jstr(xp_scan_via_name(s->dom.via)));
	add(o, "max_pfn", ju64(s->dom.max_pfn));
	add(o, "pfns", classes_json(t->pfns, t->unreachable));
	add(o, "runs", ju64(t->runs));
	add(o, "console_pfn", s->dom.console_pfn == ~0ULL ? NULL : xp_json_hex(s->dom.console_pfn));
	add(o, "store_pfn", s->dom.store_pfn == ~0ULL ? NULL : xp_json_hex(s->dom.store_pfn));
	if (s->pages) {
		p = json_object_new_object();
		add(p, "hashed", ju64(t->pages));
		add(p, "zero", ju64(t->zero_pages));
		add(p, "unreadable", ju64(t->unreadable));
		k = json_object_new_object();
		for (i = 0; i < XP_PAGE_NR_KINDS; i++)
			add(k, xp_page_kind_name(i), ju64(t->by_kind[i]));
		add(p, "by_kind", k);
		add(o, "pages", p);
	} else {
		add(o, "pages", NULL);
	}
	add(o, "check", xp_json_report(s->report));
	add(o, "bytes", ju64(t->bytes));
	add(o, "elapsed_ms", json_object_new_double((double)s->elapsed_ns / 1e6));
	return o;
}

static void json_snapshot(struct xp_render *r, const struct xp_snapshot_result *s)
{
	json_object_array_add(js(r)->domains, xp_json_snapshot(s));
}

struct json_object *xp_json_verify(const struct xp_verify_result *v)
{
	struct json_object *o = domain_with_uuid(v->now.domid, v->now.name, v->now.handle);
	struct json_object *b, *p2m, *arr, *pg, *st;
	size_t i;

	add(o, "verdict", jstr(xp_verify_verdict_name(v->verdict)));
	b = domain_with_uuid(v->base->domid, v->base->name, v->base->uuid);
	add(b, "file", jstr(v->baseline));
	add(b, "created", ju64(v->baseline_created));
	add(b, "pages", json_object_new_boolean(v->baseline_pages));
	add(o, "baseline", b);

	p2m = json_object_new_object();
	add(p2m, "max_pfn", ju64(v->max_pfn_now));
	add(p2m, "max_pfn_before", ju64(v->max_pfn_before));
	add(p2m, "width", json_object_new_int((int)v->now.guest_width * 8));
	add(p2m, "width_before", json_object_new_int((int)v->base->width * 8));
	add(p2m, "read_through", jstr(xp_scan_via_name(v->via)));
	add(p2m, "pfns_compared", ju64(v->pfns_compared));
	add(p2m, "class_changed", ju64(v->class_changed));
	arr = json_object_new_array();
	for (i = 0; i < XP_MIN(v->class_changed, (uint64_t)XP_VERIFY_LISTED); i++) {
		struct json_object *d = json_object_new_object();

		add(d, "pfn", xp_json_hex(v->class_diffs[i].pfn));
		add(d, "before", jclass(v->class_diffs[i].before));
		add(d, "now", jclass(v->class_diffs[i].now));
		json_object_array_add(arr, d);
	}
	add(p2m, "class_diffs", arr);
	add(p2m, "valid", ju64(v->valid));
	add(p2m, "not_owned", ju64(v->not_owned));
	arr = json_object_new_array();
	for (i = 0; i < XP_MIN(v->not_owned, (uint64_t)XP_VERIFY_LISTED); i++)
		json_object_array_add(arr, xp_json_hex(v->not_owned_pfns[i]));
	add(p2m, "not_owned_pfns", arr);
	add(p2m, "mfn_changed", ju64(v->mfn_changed));
	add(p2m, "mfn_changed_ratio",
	    json_object_new_double(v->valid ? (double)v->mfn_changed / (double)v->valid : 0.0));
	add(o, "p2m", p2m);

	if (v->pages) {
		pg = json_object_new_object();
		add(pg, "compared", ju64(v->pages_compared));
		add(pg, "differ", ju64(v->pages_differ));
		add(pg, "excluded", ju64(v->pages_excluded));
		add(pg, "pending", ju64(v->pages_pending));
		arr = json_object_new_array();
		for (i = 0; i < XP_MIN(v->pages_differ, (uint64_t)XP_VERIFY_LISTED); i++) {
			const struct xp_verify_page_diff *d = &v->page_diffs[i];
			struct json_object *e = json_object_new_object();

			add(e, "pfn", xp_json_hex(d->pfn));
			add(e, "before", jkind(d->before, d->level_before));
			add(e, "now", jkind(d->now, d->level_now));
			json_object_array_add(arr, e);
		}
		add(pg, "diffs", arr);
		add(o, "pages", pg);
	} else {
		add(o, "pages", NULL);
	}

	st = json_object_new_object();
	add(st, "state", jstr(v->structures_pending ? "pending" : "checked"));
	add(st, "waited", json_object_new_boolean(v->waited));
	if (v->waited)
		add(st, "waited_ms", json_object_new_double((double)v->waited_ns / 1e6));
	add(st, "check", xp_json_report(v->report));
	add(o, "structures", st);
	add(o, "elapsed_ms", json_object_new_double((double)v->elapsed_ns / 1e6));
	return o;
}

static void json_verify(struct xp_render *r, const struct xp_verify_result *v)
{
	json_object_array_add(js(r)->domains, xp_json_verify(v));
}

const struct xp_render_ops xp_render_json_ops = {
	.name = "json",
	.init = xp_render_json_init,
	.destroy = json_destroy,
	.finish = json_finish,
	.error = json_error,
	.list_row = json_list_row,
	.report = json_report,
	.domain_error = json_domain_error,
	.domain_skipped = json_domain_skipped,
	.check_totals = json_check_totals,
	.p2m_info = json_p2m_info,
	.path = json_path,
	.dump_begin = json_dump_begin,
	.dump_entry = json_dump_entry,
	.dump_end = json_dump_end,
	.grants = json_grants,
	.snapshot = json_snapshot,
	.verify = json_verify,
};
