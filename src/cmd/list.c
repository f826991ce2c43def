// SPDX-License-Identifier: GPL-2.0
/* xenp2m list: every domain, with its p2m layout and a quick health flag. */
#include "config.h"

#include <inttypes.h>
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
	struct json_object *arr = NULL;
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
	if (cli->json)
		arr = json_object_new_array();
	else
		fprintf(cli->out, "%5s %-20s %-4s %5s %-9s %12s %10s %s\n", "ID", "NAME", "TYPE",
			"WIDTH", "LAYOUT", "MAX_PFN", "GEN", "HEALTH");
	for (i = 0; i < n; i++) {
		struct xp_quick q;
		char gen[24], maxpfn[24];

		err = xp_quick_look(be, &doms[i], &q);
		if (err) {
			json_object_put(arr);
			free(doms);
			xp_backend_destroy(be);
			return xp_cli_fail(cli, err);
		}
		if (cli->json) {
			json_object_array_add(arr, xp_render_domain_json(&doms[i], &q));
			continue;
		}
		snprintf(gen, sizeof(gen), q.generation_valid ? "%" PRIu64 : "-", q.generation);
		snprintf(maxpfn, sizeof(maxpfn), "0x%" PRIx64, q.max_pfn);
		if (doms[i].type == XP_DOMAIN_PV)
			fprintf(cli->out, "%5u %-20s %-4s %5u %-9s %12s %10s %s\n", doms[i].domid,
				doms[i].name, xp_domain_type_name(doms[i].type),
				doms[i].guest_width * 8, xp_layout_name(q.layout), maxpfn, gen,
				q.health);
		else
			fprintf(cli->out, "%5u %-20s %-4s %5s %-9s %12s %10s %s\n", doms[i].domid,
				doms[i].name, xp_domain_type_name(doms[i].type), "-", "-", "-", "-",
				q.health);
	}
	if (cli->json) {
		struct json_object *doc = xp_cli_json_doc();

		json_object_object_add(doc, "domains", arr);
		xp_cli_json_print(cli, doc);
	}
	free(doms);
	xp_backend_destroy(be);
	return XP_EXIT_OK;
}
