/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the render layer: the table of operations each format implements
 * (text.c, json.c) and the state render.c keeps for them.  An operation a
 * format leaves NULL renders nothing (e.g. check's totals in text, which
 * the per-domain lines already say).
 */
#ifndef XP_RENDER_IMPL_H
#define XP_RENDER_IMPL_H

#include "render/render.h"

struct xp_render_ops {
	const char *name;
	const char *const *verbs; /* the verbs it renders; NULL: all */
	bool (*init)(struct xp_render *r);
	struct xp_error *(*textfile)(struct xp_render *r, const char *dir);
	void (*destroy)(struct xp_render *r);
	bool (*finish)(struct xp_render *r);
	void (*error)(struct xp_render *r, const struct xp_error *err);
	void (*list_row)(struct xp_render *r, const struct xp_list_row *row);
	void (*report)(struct xp_render *r, const struct xp_report *rep);
	void (*domain_error)(struct xp_render *r, const struct xp_domain_ref *who,
			     const struct xp_error *err);
	void (*domain_skipped)(struct xp_render *r, const struct xp_domain_info *d,
			       const char *why);
	void (*check_totals)(struct xp_render *r, const struct xp_check_totals *t);
	void (*p2m_info)(struct xp_render *r, const struct xp_domain_info *d,
			 const struct xp_p2m_info *i, const struct xp_report *rep);
	void (*path)(struct xp_render *r, const struct xp_domain_info *d, const struct xp_path *p,
		     const uint64_t *mfn);
	void (*dump_begin)(struct xp_render *r, const struct xp_dump_header *h);
	bool (*dump_entry)(struct xp_render *r, uint64_t pfn, uint64_t entry,
			   enum xp_entry_class cls);
	void (*dump_end)(struct xp_render *r, uint64_t count, uint64_t unreachable);
	void (*grants)(struct xp_render *r, const struct xp_domain_info *d,
		       const struct xp_grant_table *g, int64_t ref);
	void (*snapshot)(struct xp_render *r, const struct xp_snapshot_result *s);
	void (*verify)(struct xp_render *r, const struct xp_verify_result *v);
};

struct xp_render {
	const struct xp_render_ops *ops;
	struct xp_render_options o;
	unsigned int rows;	  /* rows/records rendered so far */
	void *priv;		  /* the format's own state */
	struct xp_error *failure; /* why finish failed, when a format says */
};

extern const struct xp_render_ops xp_render_text_ops;
extern const struct xp_render_ops xp_render_json_ops;
extern const struct xp_render_ops xp_render_prometheus_ops;

/* Formats' set-up (ops->init), called by xp_render_create; false: out of memory. */
bool xp_render_json_init(struct xp_render *r);

/* The text renderer's finding groups of @rep, each line indented by @indent. */
void xp_render_text_findings(struct xp_render *r, const struct xp_report *rep, int indent);

#endif
