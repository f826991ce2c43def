// SPDX-License-Identifier: GPL-2.0
/*
 * xenp2m grants: a guest's grant table -- the current size (found without
 * growing it), the in-use entries with their decoded flags, peer, frame and
 * pfn, and summary counts.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/grants.h"
#include "lib/util.h"

enum {
	OPT_ALL_ENTRIES = 0x400,
	OPT_REF,
};

struct grants_args {
	const char *dom;
	bool all_entries, has_ref;
	uint64_t ref;
};

static const struct argp_option grants_options[] = {
	{"all-entries", OPT_ALL_ENTRIES, NULL, 0, "List every entry, not only those in use", 0},
	{"ref", OPT_REF, "N", 0, "Show grant reference N only", 0},
	{0},
};

static error_t grants_parse(int key, char *arg, struct argp_state *state)
{
	struct grants_args *a = state->input;
	error_t e = xp_cli_one_domain(key, arg, state, &a->dom);

	if (e != ARGP_ERR_UNKNOWN)
		return e;
	switch (key) {
	case OPT_ALL_ENTRIES:
		a->all_entries = true;
		return 0;
	case OPT_REF:
		if (xp_parse_u64(arg, &a->ref) || a->ref > 0xffffffffULL)
			argp_error(state, "--ref: '%s' is not a grant reference", arg);
		a->has_ref = true;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp grants_argp = {
	grants_options,
	grants_parse,
	"DOMID|NAME",
	"Show a guest's grant table: its current size (read without growing it), the entries in "
	"use with decoded flags, peer, frame and pfn, and counts by peer.",
	NULL,
	NULL,
	NULL,
};

int xp_cmd_grants(struct xp_cli *cli, int argc, char **argv)
{
	struct grants_args a = {0};
	struct xp_grant_table *g = NULL;
	struct xp_backend *be = NULL;
	struct xp_domain_info d;
	struct xp_error *err;

	xp_cli_parse(cli, &grants_argp, argc, argv, &a);
	err = xp_cli_backend(cli, &be);
	if (!err)
		err = xp_backend_resolve(be, a.dom, &d);
	if (!err)
		err = xp_grants_read(be, d.domid, a.all_entries || a.has_ref, &g);
	if (!err && a.has_ref && a.ref >= g->nr_refs)
		err = xp_error_create(XP_ERR_USAGE, ERANGE,
				      "grant reference %" PRIu64
				      " is beyond domain %u's table (%u entries)",
				      a.ref, d.domid, g->nr_refs);
	if (err) {
		xp_grant_table_destroy(g);
		xp_backend_destroy(be);
		return xp_cli_fail(cli, err);
	}
	xp_render_grants(cli->render, &d, g, a.has_ref ? (int64_t)a.ref : -1);
	xp_grant_table_destroy(g);
	xp_backend_destroy(be);
	return XP_EXIT_OK;
}
