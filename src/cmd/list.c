// SPDX-License-Identifier: GPL-2.0
/* xenp2m list: every domain, with its p2m layout and a quick health flag. */
#include "config.h"

#include <stdlib.h>

#include "cmd/cli.h"
#include "engine/quick.h"

enum {
	OPT_TEXTFILE_DIR = 0x200,
};

static const struct argp_option list_options[] = {
	{"textfile-dir", OPT_TEXTFILE_DIR, "DIR", 0,
	 "With --format prometheus: write DIR/xenp2m.prom atomically (node_exporter's textfile "
	 "collector)",
	 0},
	{0},
};

static error_t list_parse(int key, char *arg, struct argp_state *state)
{
	const char **dir = state->input;

	if (key != OPT_TEXTFILE_DIR)
		return ARGP_ERR_UNKNOWN;
	*dir = arg;
	return 0;
}

static const struct argp list_argp = {
	list_options,
	list_parse,
	"",
	"List every domain: id, name, type, width, p2m layout, max_pfn, generation and a quick "
	"health flag (ok, restored, unpublished, changing, bad, not-pv).",
	NULL,
	NULL,
	NULL,
};

int xp_cmd_list(struct xp_cli *cli, int argc, char **argv)
{
	struct xp_domain_info *doms = NULL;
	struct xp_backend *be = NULL;
	const char *textfile_dir = NULL;
	struct xp_error *err;
	size_t n = 0, i;

	xp_cli_parse(cli, &list_argp, argc, argv, &textfile_dir);
	err = textfile_dir ? xp_render_textfile(cli->render, textfile_dir) : NULL;
	if (err)
		return xp_cli_fail(cli, err);
	err = xp_cli_backend(cli, &be);
	if (!err)
		err = xp_backend_list_domains(be, &doms, &n);
	if (err) {
		xp_backend_destroy(be);
		return xp_cli_fail(cli, err);
	}
	for (i = 0; i < n; i++) {
		struct xp_quick q;
		struct xp_list_row row = {.info = &doms[i], .quick = &q};

		err = xp_quick_look(be, &doms[i], &q);
		if (err) {
			free(doms);
			xp_backend_destroy(be);
			return xp_cli_fail(cli, err);
		}
		xp_render_list_row(cli->render, &row);
	}
	free(doms);
	xp_backend_destroy(be);
	return XP_EXIT_OK;
}
