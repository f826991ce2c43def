// SPDX-License-Identifier: GPL-2.0
/* xenp2m list: every domain, with its p2m layout and a quick health flag. */
#include "config.h"

#include <stdlib.h>

#include "cmd/cli.h"
#include "engine/quick.h"

static const struct argp list_argp = {
	NULL,
	NULL,
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
	struct xp_error *err;
	size_t n = 0, i;

	xp_cli_parse(cli, &list_argp, argc, argv, NULL);
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
