/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Presentation: the only layer that formats.  A renderer is chosen once, in
 * main, from --format; verbs build models (the engine's reports, grant
 * tables, paths, list rows...) and hand them to it, never printing
 * themselves.  One implementation per format (text.c, json.c) behind one
 * table of operations, like the backends.
 *
 * JSON: one document per command, the same envelope for every verb
 * (xenp2m(8), JSON OUTPUT):
 *
 *	{"schema_version": 2, "verb": "check",
 *	 "domains": [ {one object per domain, with "domid" and "name"}... ],
 *	 "summary": {...},		(check)
 *	 "error": {...}}		(when the command as a whole failed)
 *
 * `show --dump` streams that same document, entry by entry.
 */
#ifndef XP_RENDER_H
#define XP_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "backend/backend.h"
#include "engine/grants.h"
#include "engine/p2m.h"
#include "engine/quick.h"
#include "engine/report.h"
#include "lib/error.h"
#include "snapshot/snapshot.h"

#define XP_JSON_SCHEMA_VERSION 2

enum xp_format {
	XP_FORMAT_TEXT = 0,
	XP_FORMAT_JSON,
	XP_FORMAT_PROMETHEUS, /* check and list only (prometheus.c) */
};

/* "text" / "json" / "prometheus" -> format; -1 when unknown. */
int xp_format_parse(const char *name);
const char *xp_format_name(enum xp_format f);

struct xp_render_options {
	enum xp_format format;
	bool pretty; /* JSON: indented */
	FILE *out;   /* documents (stdout) */
	FILE *err;   /* text-mode errors (stderr) */
	const char *prog;
	const char *verb;    /* the verb being run, NULL before it is known */
	size_t max_findings; /* text: findings shown per id */
};

struct xp_render;

struct xp_render *xp_render_create(const struct xp_render_options *o);
/*
 * End the command's output: JSON prints (or closes) its document.  Returns
 * false when the output could not be written (a closed pipe, a full disk).
 */
bool xp_render_finish(struct xp_render *r);
/* Why finish failed, when it can say more than the errno of a write; or NULL. */
const struct xp_error *xp_render_failure(const struct xp_render *r);
void xp_render_destroy(struct xp_render *r);
/* Can this format render @verb's output?  (Prometheus: check and list.) */
bool xp_render_supports(const struct xp_render *r, const char *verb);
/*
 * Write the document to DIR/xenp2m.prom instead of the output stream,
 * atomically (lib/atomic-file.h), for node_exporter's textfile collector.
 * XP_ERR_USAGE for a format that has no textfile (all but Prometheus),
 * XP_ERR_IO when DIR cannot take the file.
 */
struct xp_error *xp_render_textfile(struct xp_render *r, const char *dir);
void xp_render_set_verb(struct xp_render *r, const char *verb);
void xp_render_set_max_findings(struct xp_render *r, size_t n);
enum xp_format xp_render_format(const struct xp_render *r);

/*
 * The one error reporter: "PROG: error: MESSAGE" on stderr in text, the
 * document's "error" member in JSON.  Does not consume @err.
 */
void xp_render_error(struct xp_render *r, const struct xp_error *err);

/* ------------------------------------------------------------------ models */

/* A domain a per-domain error or skip is about: by id, or as it was asked. */
struct xp_domain_ref {
	bool known; /* domid and name are set */
	uint32_t domid;
	const char *name;
	const uint8_t *uuid; /* or NULL */
	const char *asked;   /* the DOMID|NAME argument, when !known */
};

/* list: one row per domain; @err when the backend could not look at it. */
struct xp_list_row {
	const struct xp_domain_info *info;
	const struct xp_quick *quick;
	const struct xp_error *err;
};

/* check: what happened over all domains. */
struct xp_check_totals {
	unsigned int consistent, inconsistent, other, failed, skipped;
	int exit_code;
};

/* show --dump: the stream's header and trailer. */
struct xp_dump_header {
	const struct xp_domain_info *info;
	const struct xp_p2m_info *p2m;
};

/* ------------------------------------------------------------ the verbs */

void xp_render_list_row(struct xp_render *r, const struct xp_list_row *row);

void xp_render_report(struct xp_render *r, const struct xp_report *rep);
/* A domain that could not be checked (or shown): its error, in its place. */
void xp_render_domain_error(struct xp_render *r, const struct xp_domain_ref *who,
			    const struct xp_error *err);
/* check --all: a domain left out, and why ("a hvm guest"). */
void xp_render_domain_skipped(struct xp_render *r, const struct xp_domain_info *d, const char *why);
void xp_render_check_totals(struct xp_render *r, const struct xp_check_totals *t);

void xp_render_p2m_info(struct xp_render *r, const struct xp_domain_info *d,
			const struct xp_p2m_info *i, const struct xp_report *rep);
/* show --pfn, or --mfn when @mfn is not NULL (with the M2P's answer @m2p). */
void xp_render_path(struct xp_render *r, const struct xp_domain_info *d, const struct xp_path *p,
		    const uint64_t *mfn);

void xp_render_dump_begin(struct xp_render *r, const struct xp_dump_header *h);
/* Returns false when the output cannot take more (stop streaming). */
bool xp_render_dump_entry(struct xp_render *r, uint64_t pfn, uint64_t entry,
			  enum xp_entry_class cls);
void xp_render_dump_end(struct xp_render *r, uint64_t count, uint64_t unreachable);

/* grants: every entry of @g, or only @ref when >= 0 */
void xp_render_grants(struct xp_render *r, const struct xp_domain_info *d,
		      const struct xp_grant_table *g, int64_t ref);

/* snapshot: what was recorded */
void xp_render_snapshot(struct xp_render *r, const struct xp_snapshot_result *s);
/* verify: the comparison with the baseline, and the structures */
void xp_render_verify(struct xp_render *r, const struct xp_verify_result *v);

/* ------------------------------------------------- JSON objects of models */

/*
 * The JSON form of each model, for the JSON renderer and for whoever embeds
 * them in other documents (JSON Lines of a live view, snapshots).
 */
struct json_object *xp_json_hex(uint64_t v);
struct json_object *xp_json_report(const struct xp_report *r);
struct json_object *xp_json_error(const struct xp_error *err);
struct json_object *xp_json_list_row(const struct xp_list_row *row);
struct json_object *xp_json_p2m_info(const struct xp_domain_info *d, const struct xp_p2m_info *i,
				     const struct xp_report *r);
struct json_object *xp_json_path(const struct xp_path *p);
struct json_object *xp_json_grants(const struct xp_grant_table *g, int64_t ref);
struct json_object *xp_json_snapshot(const struct xp_snapshot_result *s);
struct json_object *xp_json_verify(const struct xp_verify_result *v);
/* Serialise @obj (not consumed) the way the options ask, with a newline. */
bool xp_json_print(FILE *f, struct json_object *obj, bool pretty);

/* "domain 3 (name)" */
const char *xp_render_domain_label(uint32_t domid, const char *name, char *buf, size_t len);

#endif
