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
#include "engine/inspector.h"
#include "engine/p2m.h"
#include "lib/backoff.h"
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
	error_t e = xp_cli_one_domain(key, arg, state, &a->dom);
	uint64_t v;

	if (e != ARGP_ERR_UNKNOWN)
		return e;
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
	case ARGP_KEY_END:
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
	struct xp_render *render;
	uint64_t count;
};

static int dump_one(void *arg, uint64_t pfn, uint64_t entry, enum xp_entry_class cls)
{
	struct dump_state *st = arg;

	st->count++;
	/* a signal stops the stream here; show_dump reports it */
	return xp_render_dump_entry(st->render, pfn, entry, cls) && !xp_signal_pending() ? 0 : -1;
}

static int show_dump(struct xp_cli *cli, struct xp_backend *be, const struct xp_domain_info *d,
		     const struct show_args *a)
{
	struct xp_p2m_info info;
	struct xp_dump_header h = {.info = d, .p2m = &info};
	struct dump_state st = {.render = cli->render};
	struct xp_error *err;
	uint64_t unreachable = 0;

	err = xp_p2m_info_read(be, d->domid, &info);
	if (err)
		return xp_cli_fail(cli, err);
	xp_render_dump_begin(cli->render, &h);
	err = xp_p2m_foreach(be, d->domid, a->first, a->last, dump_one, &st, &unreachable);
	if (xp_signal_pending()) {
		xp_error_destroy(err);
		err = xp_signal_error();
	}
	/* an error that cuts the stream short ends the document it is in */
	xp_render_dump_end(cli->render, st.count, unreachable);
	if (err)
		return xp_cli_fail(cli, err);
	return XP_EXIT_OK;
}

static int show_path(struct xp_cli *cli, struct xp_backend *be, const struct xp_domain_info *d,
		     const struct show_args *a)
{
	struct xp_error *err = NULL;
	struct xp_path p;
	uint64_t pfn = a->pfn;

	if (a->has_mfn)
		err = xp_m2p_lookup(be, a->mfn, &pfn);
	if (!err)
		err = xp_p2m_path(be, d->domid, pfn, &p);
	if (!err && xp_signal_pending())
		err = xp_signal_error();
	if (err)
		return xp_cli_fail(cli, err);
	xp_render_path(cli->render, d, &p, a->has_mfn ? &a->mfn : NULL);
	return XP_EXIT_OK;
}

static int show_info(struct xp_cli *cli, struct xp_backend *be, const struct xp_domain_info *d)
{
	struct xp_report *r = NULL;
	struct xp_check_options opts;
	struct xp_p2m_info info;
	struct xp_error *err;

	xp_check_options_init(&opts);
	opts.wait = xp_backoff_sleep;
	err = xp_p2m_info_read(be, d->domid, &info);
	if (!err)
		err = xp_check_domain(be, d->domid, &opts, &r);
	if (!err && xp_signal_pending())
		err = xp_signal_error();
	if (err)
		return xp_cli_fail(cli, err);
	xp_render_p2m_info(cli->render, d, &info, r);
	xp_report_destroy(r);
	return XP_EXIT_OK;
}

int xp_cmd_show(struct xp_cli *cli, int argc, char **argv)
{
	struct show_args a = {.last = ~0ULL};
	struct xp_backend *be = NULL;
	struct xp_domain_info d;
	struct xp_error *err;
	int rc;

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
	if (a.dump)
		rc = show_dump(cli, be, &d, &a);
	else if (a.has_pfn || a.has_mfn)
		rc = show_path(cli, be, &d, &a);
	else
		rc = show_info(cli, be, &d);
	xp_backend_destroy(be);
	return rc;
}
