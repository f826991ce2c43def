// SPDX-License-Identifier: GPL-2.0
/*
 * xenp2m show: the shared_info p2m fields and the structures' summary; one
 * pfn -> mfn (or reverse) lookup with its path; or every entry (--dump),
 * streamed with bounded memory, as xen-mfndump dump-p2m gives it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/engine.h"
#include "lib/signal.h"
#include "lib/util.h"

enum {
	OPT_PFN = 0x300,
	OPT_MFN,
	OPT_DUMP,
	OPT_FIRST,
	OPT_LAST,
};

struct show_args {
	const char *dom;
	bool has_pfn, has_mfn, dump;
	uint64_t pfn, mfn, first, last;
};

static const struct argp_option show_options[] = {
	{"pfn", OPT_PFN, "PFN", 0, "Look up one pfn and show its path through the structures", 0},
	{"mfn", OPT_MFN, "MFN", 0, "Reverse lookup: M2P, then the pfn's path", 0},
	{"dump", OPT_DUMP, NULL, 0, "Every pfn -> mfn with its class (streamed)", 0},
	{"first", OPT_FIRST, "PFN", 0, "With --dump: start at PFN", 0},
	{"last", OPT_LAST, "PFN", 0, "With --dump: stop after PFN", 0},
	{0},
};

static error_t show_parse(int key, char *arg, struct argp_state *state)
{
	struct show_args *a = state->input;
	uint64_t v;

	switch (key) {
	case OPT_PFN:
	case OPT_MFN:
	case OPT_FIRST:
	case OPT_LAST:
		if (xp_parse_u64(arg, &v))
			argp_error(state, "'%s' is not a number", arg);
		if (key == OPT_PFN) {
			a->has_pfn = true;
			a->pfn = v;
		} else if (key == OPT_MFN) {
			a->has_mfn = true;
			a->mfn = v;
		} else if (key == OPT_FIRST) {
			a->first = v;
		} else {
			a->last = v;
		}
		return 0;
	case OPT_DUMP:
		a->dump = true;
		return 0;
	case ARGP_KEY_ARG:
		if (a->dom)
			argp_error(state, "one domain at a time");
		a->dom = arg;
		return 0;
	case ARGP_KEY_END:
		if (!a->dom)
			argp_error(state, "no domain given");
		if (a->has_pfn + a->has_mfn + a->dump > 1)
			argp_error(state, "--pfn, --mfn and --dump are mutually exclusive");
		if (a->first > a->last)
			argp_error(state, "--first is after --last");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp show_argp = {
	show_options,
	show_parse,
	"DOMID|NAME",
	"Show a PV guest's p2m: the shared_info fields and a summary of its structures, one "
	"pfn's (or mfn's) path, or every entry with --dump.\v"
	"--dump prints a '#' header, then one line per pfn: PFN ENTRY CLASS (hex; CLASS is "
	"valid, invalid, missing, identity or foreign).",
	NULL,
	NULL,
	NULL,
};

struct dump_state {
	struct xp_cli *cli;
	bool first;
	uint64_t n;
};

static int dump_one(void *arg, uint64_t pfn, uint64_t entry, enum xp_entry_class cls)
{
	struct dump_state *d = arg;

	if (d->cli->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "pfn", xp_json_hex(pfn));
		json_object_object_add(o, "entry", xp_json_hex(entry));
		json_object_object_add(o, "class",
				       json_object_new_string(xp_entry_class_name(cls)));
		fputs(d->first ? "\n" : ",\n", d->cli->out);
		fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), d->cli->out);
		json_object_put(o);
	} else {
		fprintf(d->cli->out, "0x%" PRIx64 " 0x%" PRIx64 " %s\n", pfn, entry,
			xp_entry_class_name(cls));
	}
	d->first = false;
	d->n++;
	/* a signal stops the stream here; show_dump reports it */
	return ferror(d->cli->out) || xp_signal_pending() ? -1 : 0;
}

static int show_dump(struct xp_cli *cli, struct xp_backend *be, const struct xp_domain_info *d,
		     const struct show_args *a)
{
	struct dump_state st = {.cli = cli, .first = true};
	struct xp_p2m_info info;
	struct xp_error *err;
	uint64_t unreachable = 0;
	char label[96];

	err = xp_p2m_info_read(be, d->domid, &info);
	if (err)
		return xp_cli_fail(cli, err);
	if (cli->json)
		fprintf(cli->out,
			"{\"schema_version\":%d,\"domid\":%u,\"name\":\"%s\",\"max_pfn\":%" PRIu64
			",\"layout\":\"%s\",\"entries\":[",
			XP_JSON_SCHEMA_VERSION, d->domid, "", info.max_pfn,
			xp_layout_name(info.layout));
	else
		fprintf(cli->out, "# %s: max_pfn 0x%" PRIx64 ", layout %s, width %u\n",
			xp_render_domain_label(d->domid, d->name, label, sizeof(label)),
			info.max_pfn, xp_layout_name(info.layout), info.width * 8);
	err = xp_p2m_foreach(be, d->domid, a->first, a->last, dump_one, &st, &unreachable);
	if (xp_signal_pending()) {
		xp_error_destroy(err);
		err = xp_signal_error();
	}
	if (cli->json) {
		/* an error that cuts the stream short joins the document it ends */
		fprintf(cli->out, "\n],\"count\":%" PRIu64 ",\"unreachable\":%" PRIu64, st.n,
			unreachable);
		if (err) {
			struct json_object *e = xp_cli_error_json(err);
			int code = xp_error_exit_code(err);

			fprintf(cli->out, ",\"error\":%s",
				json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
			json_object_put(e);
			fputs("}\n", cli->out);
			xp_error_destroy(err);
			return code;
		}
		fputs("}\n", cli->out);
	} else if (unreachable) {
		fprintf(cli->out, "# %" PRIu64 " pfns unreachable through the structures\n",
			unreachable);
	}
	if (err)
		return xp_cli_fail(cli, err);
	return XP_EXIT_OK;
}

int xp_cmd_show(struct xp_cli *cli, int argc, char **argv)
{
	struct show_args a = {.last = ~0ULL};
	struct xp_backend *be = NULL;
	struct xp_domain_info d;
	struct xp_error *err;
	int rc = XP_EXIT_OK;

	xp_cli_parse(cli, &show_argp, argc, argv, &a);
	err = xp_cli_backend(cli, &be);
	if (!err)
		err = xp_backend_resolve(be, a.dom, &d);
	if (!err && d.type != XP_DOMAIN_PV)
		err = xp_error_create(XP_ERR_NOT_PV, EINVAL,
				      "domain %u (%s) is a %s guest, not a PV guest: it has no "
				      "guest-kept p2m to show",
				      d.domid, d.name, xp_domain_type_name(d.type));
	if (err) {
		xp_backend_destroy(be);
		return xp_cli_fail(cli, err);
	}

	if (a.dump) {
		rc = show_dump(cli, be, &d, &a);
	} else if (a.has_pfn || a.has_mfn) {
		struct xp_path p;
		uint64_t pfn = a.pfn;

		if (a.has_mfn)
			err = xp_m2p_lookup(be, a.mfn, &pfn);
		if (!err)
			err = xp_p2m_path(be, d.domid, pfn, &p);
		if (!err && xp_signal_pending())
			err = xp_signal_error();
		if (err) {
			rc = xp_cli_fail(cli, err);
		} else if (cli->json) {
			struct json_object *doc = xp_cli_json_doc(), *o = xp_render_path_json(&p);

			json_object_object_add(doc, "domid", json_object_new_int64(d.domid));
			if (a.has_mfn) {
				json_object_object_add(doc, "mfn", xp_json_hex(a.mfn));
				json_object_object_add(doc, "m2p", xp_json_hex(pfn));
				json_object_object_add(
					doc, "mfn_is_pfns_frame",
					json_object_new_boolean(p.reachable && p.entry == a.mfn));
			}
			json_object_object_add(doc, "path", o);
			xp_cli_json_print(cli, doc);
		} else {
			if (a.has_mfn)
				fprintf(cli->out,
					"mfn 0x%" PRIx64 " -> pfn 0x%" PRIx64 " (M2P)%s\n", a.mfn,
					pfn,
					p.reachable && p.entry == a.mfn
						? ", and p2m names it back"
						: ": but the p2m does NOT name this frame for that "
						  "pfn");
			xp_render_path_text(cli->out, &p, d.guest_width);
		}
	} else {
		struct xp_report *r = NULL;
		struct xp_p2m_info info;

		err = xp_p2m_info_read(be, d.domid, &info);
		if (!err)
			err = xp_check_domain(be, d.domid, NULL, &r);
		if (!err && xp_signal_pending())
			err = xp_signal_error();
		if (err) {
			rc = xp_cli_fail(cli, err);
		} else if (cli->json) {
			struct json_object *doc = xp_cli_json_doc();

			json_object_object_add(doc, "domain",
					       xp_render_p2m_info_json(&d, &info, r));
			xp_cli_json_print(cli, doc);
		} else {
			xp_render_p2m_info_text(cli->out, &d, &info, r);
		}
		xp_report_destroy(r);
	}
	xp_backend_destroy(be);
	return rc;
}
