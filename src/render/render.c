// SPDX-License-Identifier: GPL-2.0
/* The renderer's front: format selection and dispatch to text.c / json.c. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "render/impl.h"

static const struct xp_render_ops *const formats[] = {
	[XP_FORMAT_TEXT] = &xp_render_text_ops,
	[XP_FORMAT_JSON] = &xp_render_json_ops,
	[XP_FORMAT_PROMETHEUS] = &xp_render_prometheus_ops,
};

int xp_format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i]->name, name))
			return (int)i;
	return -1;
}

const char *xp_format_name(enum xp_format f)
{
	return (size_t)f < sizeof(formats) / sizeof(formats[0]) ? formats[f]->name : "?";
}

struct xp_render *xp_render_create(const struct xp_render_options *o)
{
	struct xp_render *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->o = *o;
	r->ops = formats[(size_t)o->format < sizeof(formats) / sizeof(formats[0]) ? o->format : 0];
	if (r->ops->init && !r->ops->init(r)) {
		free(r);
		return NULL;
	}
	return r;
}

bool xp_render_supports(const struct xp_render *r, const char *verb)
{
	const char *const *v;

	if (!r->ops->verbs || !verb)
		return true;
	for (v = r->ops->verbs; *v; v++)
		if (!strcmp(*v, verb))
			return true;
	return false;
}

struct xp_error *xp_render_textfile(struct xp_render *r, const char *dir)
{
	if (!r->ops->textfile)
		return xp_error_create(XP_ERR_USAGE, EINVAL,
				       "--textfile-dir writes Prometheus metrics: it needs "
				       "--format prometheus");
	return r->ops->textfile(r, dir);
}

const struct xp_error *xp_render_failure(const struct xp_render *r)
{
	return r->failure;
}

bool xp_render_finish(struct xp_render *r)
{
	bool ok = r->ops->finish ? r->ops->finish(r) : true;

	if (fflush(r->o.out) != 0 || ferror(r->o.out))
		ok = false;
	return ok;
}

void xp_render_destroy(struct xp_render *r)
{
	if (!r)
		return;
	if (r->ops->destroy)
		r->ops->destroy(r);
	xp_error_destroy(r->failure);
	free(r);
}

void xp_render_set_verb(struct xp_render *r, const char *verb)
{
	r->o.verb = verb;
}

void xp_render_set_max_findings(struct xp_render *r, size_t n)
{
	r->o.max_findings = n;
}

enum xp_format xp_render_format(const struct xp_render *r)
{
	return r->o.format;
}

/* Dispatch: a format that leaves an operation NULL renders nothing for it. */
#define DISPATCH(op, ...)                           \
	do {                                        \
		if (r->ops->op)                     \
			r->ops->op(r, __VA_ARGS__); \
	} while (0)

void xp_render_error(struct xp_render *r, const struct xp_error *err)
{
	DISPATCH(error, err);
}

void xp_render_list_row(struct xp_render *r, const struct xp_list_row *row)
{
	DISPATCH(list_row, row);
	r->rows++;
}

void xp_render_report(struct xp_render *r, const struct xp_report *rep)
{
	DISPATCH(report, rep);
	r->rows++;
}

void xp_render_domain_error(struct xp_render *r, const struct xp_domain_ref *who,
			    const struct xp_error *err)
{
	DISPATCH(domain_error, who, err);
	r->rows++;
}

void xp_render_domain_skipped(struct xp_render *r, const struct xp_domain_info *d, const char *why)
{
	DISPATCH(domain_skipped, d, why);
	r->rows++;
}

void xp_render_check_totals(struct xp_render *r, const struct xp_check_totals *t)
{
	DISPATCH(check_totals, t);
}

void xp_render_p2m_info(struct xp_render *r, const struct xp_domain_info *d,
			const struct xp_p2m_info *i, const struct xp_report *rep)
{
	DISPATCH(p2m_info, d, i, rep);
	r->rows++;
}

void xp_render_path(struct xp_render *r, const struct xp_domain_info *d, const struct xp_path *p,
		    const uint64_t *mfn)
{
	DISPATCH(path, d, p, mfn);
	r->rows++;
}

void xp_render_dump_begin(struct xp_render *r, const struct xp_dump_header *h)
{
	DISPATCH(dump_begin, h);
	r->rows++;
}

bool xp_render_dump_entry(struct xp_render *r, uint64_t pfn, uint64_t entry,
			  enum xp_entry_class cls)
{
	if (r->ops->dump_entry && !r->ops->dump_entry(r, pfn, entry, cls))
		return false;
	return !ferror(r->o.out);
}

void xp_render_dump_end(struct xp_render *r, uint64_t count, uint64_t unreachable)
{
	DISPATCH(dump_end, count, unreachable);
}

void xp_render_grants(struct xp_render *r, const struct xp_domain_info *d,
		      const struct xp_grant_table *g, int64_t ref)
{
	DISPATCH(grants, d, g, ref);
	r->rows++;
}

void xp_render_snapshot(struct xp_render *r, const struct xp_snapshot_result *s)
{
	DISPATCH(snapshot, s);
	r->rows++;
}

void xp_render_verify(struct xp_render *r, const struct xp_verify_result *v)
{
	DISPATCH(verify, v);
	r->rows++;
}

const char *xp_render_domain_label(uint32_t domid, const char *name, char *buf, size_t len)
{
	if (name && *name)
		snprintf(buf, len, "domain %u (%s)", domid, name);
	else
		snprintf(buf, len, "domain %u", domid);
	return buf;
}
