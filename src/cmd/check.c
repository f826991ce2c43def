// SPDX-License-Identifier: GPL-2.0
/* xenp2m check: is this guest's p2m consistent, and if not, where and how. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/inspector.h"
#include "engine/symbols.h"
#include "lib/backoff.h"
#include "lib/signal.h"
#include "lib/util.h"

enum {
	OPT_MAX_FINDINGS = 0x200,
	OPT_NO_GRANTS,
	OPT_GRANT_FRAMES_WARN,
	OPT_TEXTFILE_DIR,
};

struct check_args {
	char **doms;
	int ndoms;
	bool all, no_grants;
	const char *symbols;
	size_t max_findings;
	unsigned int grant_frames_warn;
	const char *textfile_dir;
};

static const struct argp_option check_options[] = {
	{"all", 'a', NULL, 0, "Check every PV domain", 0},
	{"symbols", 's', "FILE", 0,
	 "The guest kernel's System.map: also check the guest-internal view", 0},
	{"max-findings", OPT_MAX_FINDINGS, "N", 0,
	 "Show at most N findings of each kind in text output (default 10)", 0},
	{"no-grants", OPT_NO_GRANTS, NULL, 0, "Do not validate the grant table", 0},
	{"grant-frames-warn", OPT_GRANT_FRAMES_WARN, "PERCENT", 0,
	 "Warn (grant-frames-high) when a grant table uses PERCENT% of its maximum frames or "
	 "more (default 80; 0: never)",
	 0},
	{"textfile-dir", OPT_TEXTFILE_DIR, "DIR", 0,
	 "With --format prometheus: write DIR/xenp2m.prom atomically (node_exporter's textfile "
	 "collector)",
	 0},
	{0},
};

static error_t check_parse(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;
	uint64_t v;

	switch (key) {
	case 'a':
		a->all = true;
		return 0;
	case 's':
		a->symbols = arg;
		return 0;
	case OPT_NO_GRANTS:
		a->no_grants = true;
		return 0;
	case OPT_GRANT_FRAMES_WARN:
		if (xp_parse_u64(arg, &v) || v > 100)
			argp_error(state, "--grant-frames-warn: '%s' is not a percentage (0-100)",
				   arg);
		a->grant_frames_warn = (unsigned int)v;
		return 0;
	case OPT_TEXTFILE_DIR:
		a->textfile_dir = arg;
		return 0;
	case OPT_MAX_FINDINGS:
		if (xp_parse_u64(arg, &v) || v > 1000000)
			argp_error(state, "--max-findings: '%s' is not a number (0-1000000)", arg);
		a->max_findings = (size_t)v;
		return 0;
	case ARGP_KEY_ARG:
		a->doms = &state->argv[state->next - 1];
		a->ndoms = state->argc - state->next + 1;
		state->next = state->argc;
		return 0;
	case ARGP_KEY_END:
		if (!a->all && a->ndoms == 0)
			argp_error(state, "no domain given (DOMID, NAME or --all)");
		if (a->all && a->ndoms)
			argp_error(state, "--all and a domain list are mutually exclusive");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp check_argp = {
	check_options,
	check_parse,
	"DOMID|NAME... | --all",
	"Check PV guests' p2m structures against the hypervisor's M2P.\v"
	"Exit status: 0 consistent, 1 inconsistencies found, 3 runtime failure, "
	"4 backend unavailable or permission denied (the worst over all domains).",
	NULL,
	NULL,
	NULL,
};

static void note(struct xp_check_totals *t, int code)
{
	if (code > t->exit_code)
		t->exit_code = code;
}

/* A domain that could not be checked: reported in its place.  Consumes @err. */
static void domain_failed(struct xp_cli *cli, struct xp_check_totals *t,
			  const struct xp_domain_ref *who, struct xp_error *err)
{
	t->failed++;
	note(t, xp_error_exit_code(err));
	xp_render_domain_error(cli->render, who, err);
	xp_error_destroy(err);
}

static void check_one(struct xp_cli *cli, struct xp_backend *be, const struct xp_domain_info *d,
		      const struct xp_check_options *opts, struct xp_check_totals *t)
{
	struct xp_report *r = NULL;
	struct xp_error *err;

	err = xp_check_domain(be, d->domid, opts, &r);
	if (xp_signal_pending()) {
		/* cut short: what it found cannot be trusted (xp_cmd_check reports) */
		xp_error_destroy(err);
		xp_report_destroy(r);
		return;
	}
	if (err) {
		struct xp_domain_ref who = {
			.known = true,
			.domid = d->domid,
			.name = d->name,
			.uuid = d->handle,
		};

		domain_failed(cli, t, &who, err);
		return;
	}
	switch (r->verdict) {
	case XP_VERDICT_CONSISTENT:
		t->consistent++;
		break;
	case XP_VERDICT_INCONSISTENT:
	case XP_VERDICT_UNSTABLE:
		t->inconsistent++;
		note(t, XP_EXIT_FINDINGS);
		break;
	default:
		t->other++;
		break;
	}
	xp_render_report(cli->render, r);
	xp_report_destroy(r);
}

static void check_all(struct xp_cli *cli, struct xp_backend *be,
		      const struct xp_check_options *opts, struct xp_check_totals *t)
{
	struct xp_domain_info *doms;
	struct xp_error *err;
	char why[48];
	size_t n, k;

	err = xp_backend_list_domains(be, &doms, &n);
	if (err) {
		note(t, xp_cli_fail(cli, err));
		return;
	}
	for (k = 0; k < n && !xp_signal_pending(); k++) {
		if (doms[k].type != XP_DOMAIN_PV) {
			snprintf(why, sizeof(why), "a %s guest", xp_domain_type_name(doms[k].type));
			xp_render_domain_skipped(cli->render, &doms[k], why);
			t->skipped++;
			continue;
		}
		check_one(cli, be, &doms[k], opts, t);
	}
	free(doms);
}

int xp_cmd_check(struct xp_cli *cli, int argc, char **argv)
{
	struct check_args a = {
		.max_findings = 10,
		.grant_frames_warn = XP_GRANT_FRAMES_WARN_DEFAULT,
	};
	struct xp_check_options opts;
	struct xp_symbols *syms = NULL;
	struct xp_backend *be = NULL;
	struct xp_check_totals t = {0};
	struct xp_error *err;
	int i;

	xp_cli_parse(cli, &check_argp, argc, argv, &a);
	xp_render_set_max_findings(cli->render, a.max_findings);
	if (a.textfile_dir) {
		err = xp_render_textfile(cli->render, a.textfile_dir);
		if (err)
			return xp_cli_fail(cli, err);
	}
	xp_check_options_init(&opts);
	opts.inspect.grants = !a.no_grants;
	opts.inspect.grant_frames_warn = a.grant_frames_warn;
	opts.wait = xp_backoff_sleep;
	if (a.symbols) {
		err = xp_symbols_load(a.symbols, &syms);
		if (err)
			return xp_cli_fail(cli, err);
		opts.inspect.symbols = syms;
	}
	err = xp_cli_backend(cli, &be);
	if (err) {
		xp_symbols_destroy(syms);
		return xp_cli_fail(cli, err);
	}
	if (a.all) {
		check_all(cli, be, &opts, &t);
	} else {
		for (i = 0; i < a.ndoms && !xp_signal_pending(); i++) {
			struct xp_domain_ref who = {.asked = a.doms[i]};
			struct xp_domain_info d;

			err = xp_backend_resolve(be, a.doms[i], &d);
			if (err)
				domain_failed(cli, &t, &who, err);
			else
				check_one(cli, be, &d, &opts, &t);
		}
	}
	/* interrupted: everything unmapped first; the domains done stand, no totals */
	xp_backend_destroy(be);
	xp_symbols_destroy(syms);
	if (xp_signal_pending())
		return xp_cli_fail(cli, xp_signal_error());
	if (t.consistent + t.inconsistent + t.other + t.failed + t.skipped)
		xp_render_check_totals(cli->render, &t);
	return t.exit_code;
}
