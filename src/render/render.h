/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Presentation: the only layer that formats.  The report model (and the
 * engine's other results) rendered as text or as JSON objects (json-c);
 * the CLI prints them.
 */
#ifndef XP_RENDER_H
#define XP_RENDER_H

#include <stdio.h>

#include <json-c/json.h>

#include "engine/grants.h"
#include "engine/p2m.h"
#include "engine/quick.h"
#include "engine/report.h"

/* "0x..." JSON string (64-bit MFNs, pfns and addresses). */
struct json_object *xp_json_hex(uint64_t v);

/* check */
void xp_render_report_text(FILE *f, const struct xp_report *r, size_t max_findings);
struct json_object *xp_render_report_json(const struct xp_report *r);
/* "domain 3 (name)" */
const char *xp_render_domain_label(uint32_t domid, const char *name, char *buf, size_t len);

/* show */
void xp_render_p2m_info_text(FILE *f, const struct xp_domain_info *d, const struct xp_p2m_info *i,
			     const struct xp_report *r);
struct json_object *xp_render_p2m_info_json(const struct xp_domain_info *d,
					    const struct xp_p2m_info *i, const struct xp_report *r);
void xp_render_path_text(FILE *f, const struct xp_path *p, unsigned int width);
struct json_object *xp_render_path_json(const struct xp_path *p);

/* grants: every entry, or only @ref when >= 0 */
void xp_render_grants_text(FILE *f, const char *label, const struct xp_grant_table *g, int64_t ref);
struct json_object *xp_render_grants_json(const struct xp_grant_table *g, int64_t ref);

/* list */
struct json_object *xp_render_domain_json(const struct xp_domain_info *d, const struct xp_quick *q);

#endif
