// SPDX-License-Identifier: GPL-2.0
/* xenp2m snapshot: record a guest before a save/restore or a migration. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "cmd/cli.h"
#include "lib/backoff.h"
#include "snapshot/snapshot.h"

struct snapshot_args {
	const char *dom;
	const char *output;
	struct xp_cli_pages p;
};

static const struct argp_option snapshot_options[] = {
	{"output", 'o', "FILE", 0, "Write the snapshot to FILE (replaced atomically)", 0},
	{"pages", XP_CLI_OPT_PAGES, NULL, 0,
	 "Also hash every valid page, normalised (needs a paused guest)", 0},
	{"force", XP_CLI_OPT_FORCE, NULL, 0, "--pages of a running guest all the same", 0},
	{0},
};

static error_t snapshot_parse(int key, char *arg, struct argp_state *state)
{
	struct snapshot_args *a = state->input;
	error_t e = xp_cli_one_domain(key, arg, state, &a->dom);

	if (e == ARGP_ERR_UNKNOWN)
		e = xp_cli_pages_parse(key, state, &a->p);
	if (e != ARGP_ERR_UNKNOWN || key == ARGP_KEY_ARG)
		return e;
	switch (key) {
	case 'o':
		if (!*arg)
			argp_error(state, "--output needs a file name");
		a->output = arg;
		return 0;
	case ARGP_KEY_END:
		if (!a->output)
			argp_error(state, "no snapshot file given (-o FILE)");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp snapshot_argp = {
	snapshot_options,
	snapshot_parse,
	"DOMID|NAME -o FILE",
	"Record a guest before a save/restore or a migration: its identity, its p2m (the class "
	"and frame of every pfn), the structure and grant-table summaries of a check, and with "
	"--pages a hash of every valid page in normalised form.  'xenp2m verify' compares the "
	"guest with it afterwards.\v"
	"Exit status: 0 written, 2 usage error, 3 runtime failure (nothing written), "
	"4 backend unavailable or permission denied.",
	NULL,
	NULL,
	NULL,
};

int xp_cmd_snapshot(struct xp_cli *cli, int argc, char **argv)
{
	struct snapshot_args a = {0};
	struct xp_snapshot_options so = {0};
	struct xp_snapshot_result res;
	struct xp_check_options co;
	struct xp_backend *be = NULL;
	struct xp_domain_info d;
	struct xp_error *err;

	xp_cli_parse(cli, &snapshot_argp, argc, argv, &a);
	xp_check_options_init(&co);
	co.wait = xp_backoff_sleep;
	so.pages = a.p.pages;
	so.check = &co;
	err = xp_cli_open_domain(cli, a.dom, &a.p,
				 "--pages needs it paused, so that its pages hold still (xl "
				 "pause, or the source of xl save -p)",
				 &be, &d);
	if (!err)
		err = xp_snapshot_take(be, &d, a.output, &so, &res);
	/* interrupted: nothing written, everything unmapped, then reported */
	xp_backend_destroy(be);
	if (err)
		return xp_cli_fail_run(cli, err);
	xp_render_snapshot(cli->render, &res);
	xp_snapshot_result_release(&res);
	return XP_EXIT_OK;
}
