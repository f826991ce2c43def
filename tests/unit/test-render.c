// SPDX-License-Identifier: GPL-2.0
/*
 * The renderers on their own: models in, documents out, for what the
 * simulated host cannot produce end to end (a domain check --all skips, an
 * error half-way through a streamed dump, a list row the backend could not
 * describe) and for the envelope every JSON document shares.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "render/render.h"
#include "tap.h"

struct capture {
	char *out, *err;
	size_t nout, nerr;
	FILE *fout, *ferr;
};

static struct xp_render *open_render(struct capture *c, enum xp_format f, bool pretty,
				     const char *verb)
{
	struct xp_render_options o = {
		.format = f,
		.pretty = pretty,
		.prog = "xenp2m",
		.verb = verb,
		.max_findings = 10,
	};

	memset(c, 0, sizeof(*c));
	c->fout = open_memstream(&c->out, &c->nout);
	c->ferr = open_memstream(&c->err, &c->nerr);
	o.out = c->fout;
	o.err = c->ferr;
	return xp_render_create(&o);
}

static void close_render(struct capture *c, struct xp_render *r)
{
	ok(xp_render_finish(r), "finish: the output was written");
	xp_render_destroy(r);
	fclose(c->fout);
	fclose(c->ferr);
}

static void free_capture(struct capture *c)
{
	free(c->out);
	free(c->err);
}

/* json-c's parse of the whole text; NULL (and a failed test) if not one document */
static struct json_object *parse(const char *text, const char *what)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	bool whole = o && json_tokener_get_error(tok) == json_tokener_success &&
		     strspn(text + json_tokener_get_parse_end(tok), " \n") ==
			     strlen(text + json_tokener_get_parse_end(tok));

	json_tokener_free(tok);
	if (!ok(whole, "%s: one valid JSON document", what)) {
		printf("#   %s\n", text);
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* the value at a dotted path ("domains.0.name"), as a string */
static const char *at(struct json_object *o, const char *path)
{
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(o, tok, &o))
			o = NULL;
	}
	return o ? json_object_get_string(o) : "(absent)";
}

static void test_envelope_error(void)
{
	struct xp_error *err = xp_error_create(XP_ERR_NODOMAIN, 0, "no domain named 'x'");
	struct json_object *doc;
	struct capture c;
	struct xp_render *r;

	r = open_render(&c, XP_FORMAT_JSON, false, "grants");
	xp_render_error(r, err);
	close_render(&c, r);
	doc = parse(c.out, "an error alone");
	is_str(at(doc, "schema_version"), "2", "schema_version 2");
	is_str(at(doc, "verb"), "grants", "verb");
	is_str(at(doc, "domains"), "(absent)", "no domains member when nothing was rendered");
	is_str(at(doc, "error.kind"), "no_such_domain", "error.kind");
	is_str(at(doc, "error.exit_code"), "3", "error.exit_code");
	is_int(c.nerr, 0, "nothing on stderr");
	json_object_put(doc);
	free_capture(&c);

	r = open_render(&c, XP_FORMAT_TEXT, false, "grants");
	xp_render_error(r, err);
	close_render(&c, r);
	is_str(c.err, "xenp2m: error: no domain named 'x'\n", "text: the error on stderr");
	is_int(c.nout, 0, "text: nothing on stdout");
	free_capture(&c);
	xp_error_destroy(err);
}

static void test_check_skipped_and_failed(void)
{
	struct xp_domain_info hvm = {.domid = 4, .name = "win", .type = XP_DOMAIN_HVM};
	struct xp_domain_ref who = {.known = true, .domid = 5, .name = "gone"};
	struct xp_domain_ref asked = {.asked = "nosuch"};
	struct xp_check_totals t = {.skipped = 1, .failed = 2, .exit_code = 3};
	struct xp_error *err = xp_error_create(XP_ERR_GONE, 0, "domain 5 (gone) went away");
	struct json_object *doc;
	struct capture c;
	struct xp_render *r;

	r = open_render(&c, XP_FORMAT_JSON, true, "check");
	xp_render_domain_skipped(r, &hvm, "a hvm guest");
	xp_render_domain_error(r, &who, err);
	xp_render_domain_error(r, &asked, err);
	xp_render_check_totals(r, &t);
	close_render(&c, r);
	doc = parse(c.out, "check --all with a skip and failures");
	is_str(at(doc, "domains.0.domid"), "4", "the skipped domain is listed");
	is_str(at(doc, "domains.0.type"), "hvm", "with its type");
	is_str(at(doc, "domains.0.skipped"), "a hvm guest", "and why");
	is_str(at(doc, "domains.1.name"), "gone", "a failed domain: named");
	is_str(at(doc, "domains.1.error.kind"), "domain_gone", "with its error");
	is_str(at(doc, "domains.2.domain"), "nosuch", "a domain asked for: what was asked");
	is_str(at(doc, "summary.skipped"), "1", "summary.skipped");
	is_str(at(doc, "summary.failed"), "2", "summary.failed");
	is_str(at(doc, "summary.exit_code"), "3", "summary.exit_code");
	ok(c.out[0] == '{' && c.out[1] == '\n', "-p: indented");
	json_object_put(doc);
	free_capture(&c);

	r = open_render(&c, XP_FORMAT_TEXT, false, "check");
	xp_render_domain_skipped(r, &hvm, "a hvm guest");
	xp_render_domain_error(r, &who, err);
	xp_render_check_totals(r, &t);
	close_render(&c, r);
	is_str(c.out, "domain 4 (win): skipped, a hvm guest\n", "text: the skip line");
	is_str(c.err, "xenp2m: error: domain 5 (gone) went away\n", "text: the failure on stderr");
	free_capture(&c);
	xp_error_destroy(err);
}

static void test_dump_stream(bool pretty)
{
	struct xp_domain_info d = {.domid = 7, .name = "g7", .type = XP_DOMAIN_PV};
	struct xp_p2m_info p = {.width = 8, .max_pfn = 0x100, .layout = XP_LAYOUT_LIST};
	struct xp_dump_header h = {.info = &d, .p2m = &p};
	struct xp_error *err = xp_error_create(XP_ERR_GONE, 0, "domain 7 went away");
	struct json_object *doc;
	struct capture c;
	struct xp_render *r;

	/* a complete stream */
	r = open_render(&c, XP_FORMAT_JSON, pretty, "show");
	xp_render_dump_begin(r, &h);
	ok(xp_render_dump_entry(r, 0, 0x1000, XP_ENTRY_VALID), "entry 0 written");
	ok(xp_render_dump_entry(r, 1, ~0ULL, XP_ENTRY_INVALID), "entry 1 written");
	xp_render_dump_end(r, 2, 0);
	close_render(&c, r);
	doc = parse(c.out, pretty ? "dump, pretty" : "dump");
	is_str(at(doc, "verb"), "show", "verb show");
	is_str(at(doc, "domains.0.name"), "g7", "the domain's name");
	is_str(at(doc, "domains.0.max_pfn"), "256", "max_pfn");
	is_str(at(doc, "domains.0.entries.1.entry"), "0xffffffffffffffff", "entries[1]");
	is_str(at(doc, "domains.0.entries.1.class"), "invalid", "entries[1].class");
	is_str(at(doc, "domains.0.count"), "2", "count");
	json_object_put(doc);
	free_capture(&c);

	/* an error after the stream began: the document still closes, error last */
	r = open_render(&c, XP_FORMAT_JSON, pretty, "show");
	xp_render_dump_begin(r, &h);
	xp_render_dump_entry(r, 0, 0x1000, XP_ENTRY_VALID);
	xp_render_dump_end(r, 1, 5);
	xp_render_error(r, err);
	close_render(&c, r);
	doc = parse(c.out, pretty ? "dump cut short, pretty" : "dump cut short");
	is_str(at(doc, "domains.0.count"), "1", "count of what was written");
	is_str(at(doc, "domains.0.unreachable"), "5", "unreachable");
	is_str(at(doc, "error.kind"), "domain_gone", "the error, after the entries");
	json_object_put(doc);
	free_capture(&c);

	/* no dump_end at all (the verb bailed out): finish closes it */
	r = open_render(&c, XP_FORMAT_JSON, pretty, "show");
	xp_render_dump_begin(r, &h);
	xp_render_error(r, err);
	close_render(&c, r);
	doc = parse(c.out, pretty ? "dump never ended, pretty" : "dump never ended");
	is_str(at(doc, "domains.0.count"), "0", "nothing written");
	is_str(at(doc, "error.message"), "domain 7 went away", "the error");
	json_object_put(doc);
	free_capture(&c);
	xp_error_destroy(err);
}

static void test_list_row_error(void)
{
	struct xp_domain_info d = {
		.domid = 9, .name = "odd", .type = XP_DOMAIN_PV, .guest_width = 8};
	struct xp_quick q = {.health = "?"};
	struct xp_error *err = xp_error_create(XP_ERR_RUNTIME, 0, "cannot map its shared_info");
	struct xp_list_row row = {.info = &d, .quick = &q, .err = err};
	struct json_object *doc;
	struct capture c;
	struct xp_render *r;

	r = open_render(&c, XP_FORMAT_JSON, false, "list");
	xp_render_list_row(r, &row);
	close_render(&c, r);
	doc = parse(c.out, "list with a row in error");
	is_str(at(doc, "domains.0.health"), "error", "health error");
	is_str(at(doc, "domains.0.error.message"), "cannot map its shared_info", "and why");
	json_object_put(doc);
	free_capture(&c);

	r = open_render(&c, XP_FORMAT_TEXT, false, "list");
	xp_render_list_row(r, &row);
	close_render(&c, r);
	ok(strstr(c.out, "   ID NAME") == c.out, "text: the header first");
	ok(strstr(c.out, "\n    9 odd ") && strstr(c.out, " error\n"), "text: the row says error");
	is_str(c.err, "xenp2m: error: domain 9: cannot map its shared_info\n",
	       "text: the reason on stderr");
	free_capture(&c);
	xp_error_destroy(err);
}

int main(void)
{
	is_int(xp_format_parse("text"), XP_FORMAT_TEXT, "format text");
	is_int(xp_format_parse("json"), XP_FORMAT_JSON, "format json");
	is_int(xp_format_parse("yaml"), -1, "format yaml: unknown");
	test_envelope_error();
	test_check_skipped_and_failed();
	test_dump_stream(false);
	test_dump_stream(true);
	test_list_row_error();
	return tap_done();
}
