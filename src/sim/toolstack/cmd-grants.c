// SPDX-License-Identifier: GPL-2.0
/* xenp2m-sim's grant verbs: grant, ungrant, grant-map, grant-unmap. */
#include "config.h"

#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/toolstack/xenp2m-sim.h"

static const struct argp_option grant_options[] = {
	{"to", OPT_TO, "DOMID", 0, "The domain to grant the pages to (required)", 0},
	{"readonly", OPT_READONLY, NULL, 0, "Grant read-only access", 0},
	{"count", OPT_COUNT, "N", 0, "How many pages (default 1)", 0},
	{0},
};

static const struct argp_option grant_map_options[] = {
	{"by", OPT_BY, "DOMID", 0, "The domain that maps the grant (required)", 0},
	{"readonly", OPT_READONLY, NULL, 0, "Map it read-only", 0},
	{0},
};

static const struct argp_option grant_unmap_options[] = {
	{"by", OPT_BY, "DOMID", 0, "The domain that mapped the grant (required)", 0},
	{0},
};

int sim_cmd_grant(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;
	uint32_t *refs;
	unsigned int i;

	sim_cli_parse(o, 2, grant_options, NULL, argc, argv);
	refs = calloc(o->count, sizeof(*refs));
	if (!refs)
		return sim_cli_fail(xp_error_nomem());
	err = sim_cli_host_open_domain(o, &h, &d);
	if (!err)
		err = sim_domain_grant(h, d, o->peer, o->readonly, o->count, refs);
	for (i = 0; !err && i < o->count; i++)
		printf("%u\n", refs[i]);
	free(refs);
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
}

int sim_cmd_ungrant(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h = NULL;
	uint32_t ref = 0;

	sim_cli_parse(o, 3, NULL, NULL, argc, argv);
	err = sim_cli_parse_ref(o->args[2], &ref);
	if (!err)
		err = sim_cli_host_open_domain(o, &h, &d);
	if (!err)
		err = sim_domain_ungrant(h, d, ref);
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
}

/* "flags 0x1 -> 0x19" (v1), "status 0x0 -> 0x18" (v2): what a mapping changed. */
static void say_flags(const struct sim_domain *d, const struct sim_gnt_entry *a,
		      const struct sim_gnt_entry *b)
{
	if (d->gnt_version == 2)
		printf("status 0x%x -> 0x%x\n", a->status, b->status);
	else
		printf("flags 0x%x -> 0x%x\n", a->flags, b->flags);
}

static struct xp_error *grant_peer(struct opts *o, struct sim_host *h, struct sim_domain **mapper)
{
	*mapper = sim_domain_by_id(h, o->peer);
	if (!*mapper)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %u", o->peer);
	return NULL;
}

int sim_cmd_grant_map(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_gnt_entry before, after;
	struct sim_domain *d, *mapper = NULL;
	struct sim_host *h = NULL;
	struct xp_error *err;
	uint32_t ref = 0, handle;
	uint64_t mfn = 0;

	sim_cli_parse(o, 3, grant_map_options, NULL, argc, argv);
	err = sim_cli_parse_ref(o->args[2], &ref);
	if (!err)
		err = sim_cli_host_open_domain(o, &h, &d);
	if (!err)
		err = grant_peer(o, h, &mapper);
	if (!err) {
		sim_gnttab_get_entry(h, d, ref, &before);
		err = sim_gnttab_map(h, mapper, d->domid, ref,
				     o->readonly ? SIM_GNTMAP_READONLY : 0, 0, &handle, &mfn);
	}
	if (!err) {
		sim_gnttab_get_entry(h, d, ref, &after);
		printf("domain %u mapped grant %u of domain %u %s (frame 0x%" PRIx64 "): ",
		       mapper->domid, ref, d->domid, o->readonly ? "read-only" : "read-write", mfn);
		say_flags(d, &before, &after);
	}
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
}

int sim_cmd_grant_unmap(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_gnt_entry before, after;
	struct sim_domain *d, *mapper = NULL;
	struct sim_host *h = NULL;
	struct xp_error *err;
	uint32_t ref = 0, handle = 0;

	sim_cli_parse(o, 3, grant_unmap_options, NULL, argc, argv);
	err = sim_cli_parse_ref(o->args[2], &ref);
	if (!err)
		err = sim_cli_host_open_domain(o, &h, &d);
	if (!err)
		err = grant_peer(o, h, &mapper);
	if (!err && sim_gnttab_find_map(h, mapper, d->domid, ref, &handle) < 0)
		err = xp_error_create(XP_ERR_INVALID, ENOENT,
				      "domain %u has no mapping of grant %u of domain %u",
				      mapper->domid, ref, d->domid);
	if (!err) {
		sim_gnttab_get_entry(h, d, ref, &before);
		err = sim_gnttab_unmap(h, mapper, handle);
	}
	if (!err) {
		sim_gnttab_get_entry(h, d, ref, &after);
		printf("domain %u unmapped grant %u of domain %u: ", mapper->domid, ref, d->domid);
		say_flags(d, &before, &after);
	}
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
}
