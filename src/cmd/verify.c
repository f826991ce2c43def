// SPDX-License-Identifier: GPL-2.0
/* xenp2m verify: is the guest after a save/restore or a migration the one of its snapshot? */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "cmd/cli.h"
#include "lib/backoff.h"
#include "lib/util.h"
#include "snapshot/snapshot.h"

enum {
	OPT_BASELINE = 0x200,
	OPT_WAIT,
};

/* --wait's limit: a day is longer than any resume. */
#define WAIT_MAX_SECONDS 86400U

struct verify_args {
	const char *dom;
	const char *baseline;
	struct xp_cli_pages p;
	unsigned int wait;
};

static const struct argp_option verify_options[] = {
	{"baseline", OPT_BASELINE, "FILE", 0, "The snapshot to compare with", 0},
	{"pages", XP_CLI_OPT_PAGES, NULL, 0,
	 "Also compare every page with the snapshot's hashes (needs a paused guest)", 0},
	{"wait", OPT_WAIT, "SECONDS", 0,
	 "Wait up to SECONDS for a restored guest to republish its p2m, then check its "
	 "structures",
	 0},
	{"force", XP_CLI_OPT_FORCE, NULL, 0, "--pages of a running guest all the same", 0},
	{0},
};

static error_t verify_parse(int key, char *arg, struct argp_state *state)
{
	struct verify_args *a = state->input;
	error_t e = xp_cli_one_domain(key, arg, state, &a->dom);
	uint64_t v;

	if (e == ARGP_ERR_UNKNOWN)
		e = xp_cli_pages_parse(key, state, &a->p);
	if (e != ARGP_ERR_UNKNOWN || key == ARGP_KEY_ARG)
		return e;
	switch (key) {
	case OPT_BASELINE:
		if (!*arg)
			argp_error(state, "--baseline needs a file name");
		a->baseline = arg;
		return 0;
	case OPT_WAIT:
		if (xp_parse_u64(arg, &v) || v > WAIT_MAX_SECONDS)
			argp_error(state, "--wait: '%s' is not a number of seconds (0-%u)", arg,
				   WAIT_MAX_SECONDS);
		a->wait = (unsigned int)v;
		return 0;
	case ARGP_KEY_END:
		if (!a->baseline)
			argp_error(state, "no snapshot to compare with (--baseline FILE)");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp verify_argp = {
	verify_options,
	verify_parse,
	"DOMID|NAME --baseline FILE",
	"After a save/restore or a migration, prove that the guest is the one of the snapshot "
	"and came through intact: the same UUID, max_pfn and pfn classes, every valid pfn on a "
	"frame the guest owns, with --pages every page as before, and its structures consistent "
	"(check's engine).  A guest restored paused has not rebuilt its structures yet: they are "
	"said to be pending, or waited for with --wait.\v"
	"Exit status: 0 clean, 1 differences or inconsistencies found, 2 usage error, "
	"3 runtime failure (a snapshot file that is truncated, corrupt, of another version or of "
	"another guest included), 4 backend unavailable or permission denied.",
	NULL,
	NULL,
	NULL,
};

int xp_cmd_verify(struct xp_cli *cli, int argc, char **argv)
{
	struct verify_args a = {0};
	struct xp_verify_options vo = {0};
	struct xp_snap_reader *snap = NULL;
	struct xp_verify_result res;
	struct xp_check_options co;
	struct xp_backend *be = NULL;
	struct xp_domain_info d;
	struct xp_error *err;

	xp_cli_parse(cli, &verify_argp, argc, argv, &a);
	xp_check_options_init(&co);
	co.wait = xp_backoff_sleep;
	vo.pages = a.p.pages;
	vo.check = &co;
	vo.wait_seconds = a.wait;
	vo.sleep = xp_sleep_ms;
	err = xp_snap_reader_open(a.baseline, &snap);
	if (!err && a.p.pages && !(xp_snap_reader_header(snap)->flags & XP_SNAP_F_PAGES))
		err = xp_error_create(XP_ERR_USAGE, EINVAL,
				      "%s has no page hashes (taken without --pages): verify "
				      "without --pages",
				      a.baseline);
	if (!err)
		err = xp_cli_open_domain(
			cli, a.dom, &a.p,
			"--pages compares the pages of a paused guest (the copy of "
			"xl restore -p, before xl unpause)",
			&be, &d);
	if (!err)
		err = xp_verify(be, &d, snap, &vo, &res);
	xp_backend_destroy(be);
	if (err) {
		xp_snap_reader_destroy(snap);
		return xp_cli_fail_run(cli, err);
	}
	xp_render_verify(cli->render, &res);
	xp_verify_result_release(&res);
	xp_snap_reader_destroy(snap);
	return res.verdict == XP_VERIFY_CLEAN ? XP_EXIT_OK : XP_EXIT_FINDINGS;
}
