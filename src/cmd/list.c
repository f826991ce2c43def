// SPDX-License-Identifier: GPL-2.0
/* xenp2m list: every domain, with its p2m layout and a quick health flag. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>

#include "cmd/cli.h"

static const struct argp list_argp = {
	NULL, NULL, "", "List every domain: id, name, type, width, pages.", NULL, NULL, NULL,
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
	if (cli->json) {
		struct json_object *doc = xp_cli_json_doc();
		struct json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++) {
			struct json_object *d = json_object_new_object();

			json_object_object_add(d, "domid", json_object_new_int64(doms[i].domid));
			json_object_object_add(d, "name", json_object_new_string(doms[i].name));
			json_object_object_add(d, "type", json_object_new_string(xp_domain_type_name(doms[i].type)));
			json_object_object_add(d, "width", json_object_new_int(doms[i].guest_width * 8));
			json_object_object_add(d, "max_pages", json_object_new_int64((int64_t)doms[i].max_pages));
			json_object_object_add(d, "tot_pages", json_object_new_int64((int64_t)doms[i].tot_pages));
			json_object_array_add(arr, d);
		}
		json_object_object_add(doc, "domains", arr);
		xp_cli_json_print(cli, doc);
	} else {
		fprintf(cli->out, "%5s %-20s %-4s %5s %12s\n", "ID", "NAME", "TYPE", "WIDTH", "PAGES");
		for (i = 0; i < n; i++)
			fprintf(cli->out, "%5u %-20s %-4s %5u %12" PRIu64 "\n", doms[i].domid,
				doms[i].name, xp_domain_type_name(doms[i].type),
				doms[i].guest_width * 8, doms[i].tot_pages);
	}
	free(doms);
	xp_backend_destroy(be);
	return XP_EXIT_OK;
}
