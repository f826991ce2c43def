// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus renderer: `check` and `list` as metrics in Prometheus'
 * text exposition format, for node_exporter's textfile collector
 * (--textfile-dir) or any other scraper of a file.  xenp2m(8), METRICS,
 * lists every family.
 *
 * Names follow Prometheus' conventions: the xenp2m_ prefix, base units
 * (seconds, bytes), gauges only (a check is a sample, not a count since
 * start), states as one series per state valued 0 or 1.  Every domain's
 * series carry domid, name and uuid labels.  Samples are collected per
 * family while the verb runs and printed at the end, each family once with
 * its HELP and TYPE, as the format wants.  Errors go to stderr as text and
 * turn xenp2m_up to 0: a file that says the check could not run is better
 * for alerting than no file.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/atomic-file.h"
#include "lib/util.h"
#include "render/impl.h"

#define TEXTFILE_NAME "xenp2m.prom"

enum family {
	F_UP,
	F_BUILD_INFO,
	F_LAST_RUN,
	F_DOMAINS,
	F_CHECK_SUCCESS,
	F_VERDICT,
	F_FINDINGS,
	F_PFNS,
	F_MAX_PFN,
	F_GENERATION,
	F_GRANT_FRAMES,
	F_GRANT_FRAMES_MAX,
	F_GRANT_ENTRIES,
	F_CHECK_DURATION,
	F_LAST_CHECK,
	F_DOMAIN_INFO,
	F_MEMORY,
	F_MEMORY_MAX,
	F_HEALTH,
	F_NR
};

static const struct {
	const char *name;
	const char *help;
} families[F_NR] = {
	[F_UP] = {"xenp2m_up", "Whether xenp2m could read the host at all (1) or not (0)"},
	[F_BUILD_INFO] = {"xenp2m_build_info", "The xenp2m that wrote these metrics"},
	[F_LAST_RUN] = {"xenp2m_last_run_timestamp_seconds",
			"When xenp2m wrote these metrics, in seconds since the epoch"},
	[F_DOMAINS] = {"xenp2m_domains", "Domains of the last check --all by result"},
	[F_CHECK_SUCCESS] = {"xenp2m_domain_check_success",
			     "Whether the domain could be checked (1) or not (0)"},
	[F_VERDICT] = {"xenp2m_domain_verdict",
		       "The check's verdict on the domain: 1 for the verdict it had"},
	[F_FINDINGS] = {"xenp2m_domain_findings",
			"Findings of the last check of the domain, by id and severity"},
	[F_PFNS] = {"xenp2m_domain_pfns", "The domain's p2m entries by class"},
	[F_MAX_PFN] = {"xenp2m_domain_max_pfn",
		       "The number of pfns the domain's p2m covers (shared_info max_pfn)"},
	[F_GENERATION] = {"xenp2m_domain_p2m_generation",
			  "The domain's p2m_generation (list layouts)"},
	[F_GRANT_FRAMES] = {"xenp2m_domain_grant_frames",
			    "Frames the domain's grant table uses now"},
	[F_GRANT_FRAMES_MAX] = {"xenp2m_domain_grant_frames_max",
				"Frames the domain's grant table may grow to (max_grant_frames)"},
	[F_GRANT_ENTRIES] = {"xenp2m_domain_grant_entries",
			     "The domain's grant entries in use and mapped by other domains"},
	[F_CHECK_DURATION] = {"xenp2m_domain_check_duration_seconds",
			      "How long the last check of the domain took"},
	[F_LAST_CHECK] = {"xenp2m_domain_last_check_timestamp_seconds",
			  "When the domain was last checked, in seconds since the epoch"},
	[F_DOMAIN_INFO] = {"xenp2m_domain_info", "A domain, its type and p2m layout"},
	[F_MEMORY] = {"xenp2m_domain_memory_bytes", "Memory the domain owns (tot_pages)"},
	[F_MEMORY_MAX] = {"xenp2m_domain_memory_max_bytes",
			  "Memory the domain may own (max_pages)"},
	[F_HEALTH] = {"xenp2m_domain_health", "list's quick health flag: 1 for the domain's"},
};

struct prom_state {
	FILE *fam[F_NR];
	char *buf[F_NR];
	size_t len[F_NR];
	bool failed; /* the command as a whole failed */
	struct xp_atomic_file *textfile;
	bool no_output; /* the textfile asked for could not be created */
	double now;	/* wall clock, seconds */
};

static struct prom_state *ps(struct xp_render *r)
{
	return r->priv;
}

static bool prom_init(struct xp_render *r)
{
	struct prom_state *s = calloc(1, sizeof(*s));
	int i;

	if (!s)
		return false;
	for (i = 0; i < F_NR; i++) {
		s->fam[i] = open_memstream(&s->buf[i], &s->len[i]);
		if (!s->fam[i]) {
			while (i--) {
				fclose(s->fam[i]);
				free(s->buf[i]);
			}
			free(s);
			return false;
		}
	}
	s->now = (double)time(NULL);
	r->priv = s;
	return true;
}

static void prom_destroy(struct xp_render *r)
{
	struct prom_state *s = ps(r);
	int i;

	for (i = 0; i < F_NR; i++) {
		if (s->fam[i])
			fclose(s->fam[i]);
		free(s->buf[i]);
	}
	xp_atomic_file_destroy(s->textfile);
	free(s);
}

/* A label value, escaped as the format wants (backslash, quote, newline). */
static void put_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* The labels every domain's series carry. */
struct dom_labels {
	char domid[16];
	const char *name;
	char uuid[40];
};

static void dom_labels(struct dom_labels *l, uint32_t domid, const char *name, const uint8_t *uuid)
{
	snprintf(l->domid, sizeof(l->domid), "%u", domid);
	l->name = name ? name : "";
	if (uuid)
		xp_uuid_format(uuid, l->uuid, sizeof(l->uuid));
	else
		l->uuid[0] = '\0';
}

/*
 * One sample: the family's name, the domain's labels (@l, or none), one
 * more label (@key=@val, or none), the value.
 */
static void sample(struct xp_render *r, enum family fam, const struct dom_labels *l,
		   const char *key, const char *val, const char *value)
{
	FILE *f = ps(r)->fam[fam];
	bool any = l || key;

	fputs(families[fam].name, f);
	if (any)
		fputc('{', f);
	if (l) {
		fprintf(f, "domid=\"%s\",name=\"", l->domid);
		put_value(f, l->name);
		fprintf(f, "\",uuid=\"%s\"", l->uuid);
	}
	if (key) {
		fprintf(f, "%s%s=\"", l ? "," : "", key);
		put_value(f, val);
		fputc('"', f);
	}
	if (any)
		fputc('}', f);
	fprintf(f, " %s\n", value);
}

static void sample_u64(struct xp_render *r, enum family fam, const struct dom_labels *l,
		       const char *key, const char *val, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	sample(r, fam, l, key, val, buf);
}

static void sample_f(struct xp_render *r, enum family fam, const struct dom_labels *l, double v)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%.6f", v);
	sample(r, fam, l, NULL, NULL, buf);
}

static void prom_error(struct xp_render *r, const struct xp_error *err)
{
	fprintf(r->o.err, "%s: error: %s\n", r->o.prog, err->message);
	ps(r)->failed = true;
}

/* ------------------------------------------------------------------ check */

static void prom_report(struct xp_render *r, const struct xp_report *rep)
{
	static const enum xp_verdict verdicts[] = {
		XP_VERDICT_CONSISTENT,	  XP_VERDICT_INCONSISTENT,  XP_VERDICT_UNSTABLE,
		XP_VERDICT_JUST_RESTORED, XP_VERDICT_NOT_PUBLISHED,
	};
	static const struct {
		const char *name;
		size_t off;
	} classes[] = {
		{"valid", offsetof(struct xp_p2m_summary, valid)},
		{"invalid", offsetof(struct xp_p2m_summary, invalid)},
		{"missing", offsetof(struct xp_p2m_summary, missing)},
		{"identity", offsetof(struct xp_p2m_summary, identity)},
		{"foreign", offsetof(struct xp_p2m_summary, foreign)},
	};
	struct dom_labels l;
	size_t i;
	int id;

	dom_labels(&l, rep->domid, rep->name, rep->uuid);
	sample(r, F_CHECK_SUCCESS, &l, NULL, NULL, "1");
	for (i = 0; i < XP_ARRAY_SIZE(verdicts); i++)
		sample(r, F_VERDICT, &l, "verdict", xp_verdict_name(verdicts[i]),
		       rep->verdict == verdicts[i] ? "1" : "0");
	for (id = 0; id < XP_F_NR_IDS; id++) {
		const struct xp_finding_desc *d = xp_finding_desc(id);
		FILE *f = ps(r)->fam[F_FINDINGS];

		fprintf(f, "%s{domid=\"%s\",name=\"", families[F_FINDINGS].name, l.domid);
		put_value(f, l.name);
		fprintf(f, "\",uuid=\"%s\",id=\"%s\",severity=\"%s\"} %" PRIu64 "\n", l.uuid,
			d->name, xp_severity_name(d->severity), rep->groups[id].count);
	}
	for (i = 0; i < XP_ARRAY_SIZE(classes); i++)
		sample_u64(r, F_PFNS, &l, "class", classes[i].name,
			   *(const uint64_t *)((const char *)&rep->p2m + classes[i].off));
	sample_u64(r, F_MAX_PFN, &l, NULL, NULL, rep->p2m.max_pfn);
	if (rep->layout == XP_LAYOUT_LIST || rep->layout == XP_LAYOUT_LIST_ONLY)
		sample_u64(r, F_GENERATION, &l, NULL, NULL, rep->p2m.generation);
	if (rep->grants.checked) {
		sample_u64(r, F_GRANT_FRAMES, &l, NULL, NULL, rep->grants.nr_frames);
		sample_u64(r, F_GRANT_FRAMES_MAX, &l, NULL, NULL, rep->grants.max_frames);
		sample_u64(r, F_GRANT_ENTRIES, &l, "state", "in_use", rep->grants.in_use);
		sample_u64(r, F_GRANT_ENTRIES, &l, "state", "mapped", rep->grants.mapped);
	}
	sample_f(r, F_CHECK_DURATION, &l, (double)rep->elapsed_ns / 1e9);
	sample_f(r, F_LAST_CHECK, &l, ps(r)->now);
}

static void prom_domain_error(struct xp_render *r, const struct xp_domain_ref *who,
			      const struct xp_error *err)
{
	struct dom_labels l;

	fprintf(r->o.err, "%s: error: %s\n", r->o.prog, err->message);
	if (!who->known)
		return; /* a name that named no domain: nothing to label */
	dom_labels(&l, who->domid, who->name, who->uuid);
	sample(r, F_CHECK_SUCCESS, &l, NULL, NULL, "0");
	sample_f(r, F_LAST_CHECK, &l, ps(r)->now);
}

static void prom_check_totals(struct xp_render *r, const struct xp_check_totals *t)
{
	sample_u64(r, F_DOMAINS, NULL, "result", "consistent", t->consistent);
	sample_u64(r, F_DOMAINS, NULL, "result", "inconsistent", t->inconsistent);
	sample_u64(r, F_DOMAINS, NULL, "result", "other", t->other);
	sample_u64(r, F_DOMAINS, NULL, "result", "failed", t->failed);
	sample_u64(r, F_DOMAINS, NULL, "result", "skipped", t->skipped);
}

/* ------------------------------------------------------------------- list */

static void prom_list_row(struct xp_render *r, const struct xp_list_row *row)
{
	static const char *const health[] = {"ok",  "restored", "unpublished", "changing",
					     "bad", "not-pv",	"error"};
	const struct xp_domain_info *d = row->info;
	const char *now = row->err ? "error" : row->quick->health ? row->quick->health : "?";
	FILE *f = ps(r)->fam[F_DOMAIN_INFO];
	struct dom_labels l;
	size_t i;

	dom_labels(&l, d->domid, d->name, d->handle);
	fprintf(f, "%s{domid=\"%s\",name=\"", families[F_DOMAIN_INFO].name, l.domid);
	put_value(f, l.name);
	fprintf(f, "\",uuid=\"%s\",type=\"%s\",layout=\"%s\",width=\"%u\"} 1\n", l.uuid,
		xp_domain_type_name(d->type),
		!row->err && d->type == XP_DOMAIN_PV ? xp_layout_name(row->quick->layout) : "",
		d->guest_width * 8);
	sample_u64(r, F_MEMORY, &l, NULL, NULL, d->tot_pages * XP_PAGE_SIZE);
	sample_u64(r, F_MEMORY_MAX, &l, NULL, NULL, d->max_pages * XP_PAGE_SIZE);
	for (i = 0; i < XP_ARRAY_SIZE(health); i++)
		sample(r, F_HEALTH, &l, "health", health[i], strcmp(now, health[i]) ? "0" : "1");
	if (row->err || d->type != XP_DOMAIN_PV)
		return;
	sample_u64(r, F_MAX_PFN, &l, NULL, NULL, row->quick->max_pfn);
	if (row->quick->generation_valid)
		sample_u64(r, F_GENERATION, &l, NULL, NULL, row->quick->generation);
}

/* ------------------------------------------------------------------ output */

static struct xp_error *prom_textfile(struct xp_render *r, const char *dir)
{
	struct prom_state *s = ps(r);
	struct xp_error *err;
	char *path;

	if (!*dir)
		return xp_error_create(XP_ERR_USAGE, EINVAL, "--textfile-dir needs a directory");
	if (asprintf(&path, "%s/%s", dir, TEXTFILE_NAME) < 0)
		return xp_error_nomem();
	xp_atomic_file_destroy(s->textfile);
	s->textfile = NULL;
	/* node_exporter runs as its own user: the file is for everyone to read */
	err = xp_atomic_file_create(path, 0644, &s->textfile);
	free(path);
	/* not on stdout instead: whoever asked for a file does not read that */
	s->no_output = err != NULL;
	return err;
}

static bool prom_finish(struct xp_render *r)
{
	struct prom_state *s = ps(r);
	FILE *out = s->textfile ? xp_atomic_file_stream(s->textfile) : r->o.out;
	struct xp_error *err;
	char value[40];
	int i;

	if (s->no_output)
		return true;
	sample(r, F_UP, NULL, NULL, NULL, s->failed ? "0" : "1");
	sample(r, F_BUILD_INFO, NULL, "version", PACKAGE_VERSION, "1");
	snprintf(value, sizeof(value), "%.0f", s->now);
	sample(r, F_LAST_RUN, NULL, NULL, NULL, value);
	for (i = 0; i < F_NR; i++) {
		fclose(s->fam[i]);
		s->fam[i] = NULL;
		if (!s->len[i])
			continue;
		fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", families[i].name, families[i].help,
			families[i].name);
		fwrite(s->buf[i], 1, s->len[i], out);
	}
	if (!s->textfile)
		return !ferror(out);
	err = xp_atomic_file_commit(s->textfile);
	s->textfile = NULL;
	if (err) {
		r->failure = err;
		return false;
	}
	return true;
}

static const char *const prom_verbs[] = {"check", "list", NULL};

const struct xp_render_ops xp_render_prometheus_ops = {
	.name = "prometheus",
	.verbs = prom_verbs,
	.init = prom_init,
	.textfile = prom_textfile,
	.destroy = prom_destroy,
	.finish = prom_finish,
	.error = prom_error,
	.list_row = prom_list_row,
	.report = prom_report,
	.domain_error = prom_domain_error,
	.check_totals = prom_check_totals,
};
