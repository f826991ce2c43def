// SPDX-License-Identifier: GPL-2.0
/*
 * What xenp2m-sim's verbs share: their options' parser, error reporting,
 * sizes, refs, and opening the host.
 */
#include "config.h"

#include <argp.h>
#include <errno.h>
#include <string.h>

#include "lib/util.h"
#include "sim/toolstack/xenp2m-sim.h"

const struct argp_option sim_cli_delay_options[] = {
	{"delay-us", OPT_DELAY, "N", 0, "Sleep N microseconds between steps", 0},
	{0},
};

int sim_cli_fail(struct xp_error *err)
{
	int code = err->kind == XP_ERR_USAGE ? EXIT_USAGE : EXIT_RUNTIME;

	if (err->kind == XP_ERR_INTERRUPTED)
		code = xp_error_exit_code(err);

	fprintf(stderr, PROG ": error: %s\n", err->message);
	xp_error_destroy(err);
	return code;
}

struct xp_error *sim_cli_parse_size(const char *what, const char *s, uint64_t *bytes)
{
	if (xp_parse_size(s, bytes) < 0)
		return xp_error_create(
			XP_ERR_INVALID, EINVAL,
			"invalid %s '%s': use a number with an optional K, M, G or T "
			"suffix (e.g. 256M, 4G, 1T)",
			what, s);
	return NULL;
}

struct xp_error *sim_cli_parse_ref(const char *s, uint32_t *ref)
{
	uint64_t v;

	if (xp_parse_u64(s, &v) < 0 || v > UINT32_MAX)
		return xp_error_create(XP_ERR_USAGE, EINVAL, "invalid ref '%s'", s);
	*ref = (uint32_t)v;
	return NULL;
}

static struct xp_error *boot_dom0(struct sim_host *h)
{
	struct sim_create_args a = {
		.name = "Domain-0",
		.memory = DOM0_MEMORY,
		.width = 8,
		.layout = GK_LAYOUT_LIST,
		.variant = GK_KERNEL_FIXED,
		.seed = 0,
		.dom0 = true,
	};
	struct sim_domain *d;

	return sim_domain_create(h, &a, &d);
}

struct xp_error *sim_cli_host_init(const char *path, uint64_t bytes, bool verbose,
				   struct sim_host **out)
{
	struct xp_error *err;
	struct sim_host *h;

	*out = NULL;
	err = sim_host_format(path, bytes, &h);
	if (err)
		return err;
	h->verbose = verbose;
	err = boot_dom0(h);
	if (!err)
		err = sim_host_publish(h);
	if (err) {
		sim_host_destroy(h);
		return xp_error_wrap(err, "%s: initialising the host", path);
	}
	*out = h;
	return NULL;
}

struct xp_error *sim_cli_host_open(struct opts *o, bool readonly, struct sim_host **h)
{
	struct xp_error *err = sim_host_open(o->args[0], readonly, h);

	if (!err)
		(*h)->verbose = o->verbose;
	return err;
}

struct xp_error *sim_cli_host_open_domain(struct opts *o, struct sim_host **h,
					  struct sim_domain **d)
{
	struct xp_error *err = sim_cli_host_open(o, false, h);

	if (!err)
		err = sim_domain_lookup(*h, o->args[1], d);
	if (err) {
		sim_host_destroy(*h);
		*h = NULL;
	}
	return err;
}

static unsigned int parse_uint(struct argp_state *state, const char *opt, const char *arg,
			       uint64_t max)
{
	uint64_t v;

	if (xp_parse_u64(arg, &v) < 0 || v > max)
		argp_error(state, "invalid %s '%s'", opt, arg);
	return (unsigned int)v;
}

static error_t verb_parse(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case OPT_MEMORY:
		o->memory = arg;
		return 0;
	case OPT_MAXMEM:
		o->maxmem = arg;
		return 0;
	case OPT_NAME:
		o->name = arg;
		return 0;
	case OPT_WIDTH:
		if (strcmp(arg, "64") == 0)
			o->width = 8;
		else if (strcmp(arg, "32") == 0)
			o->width = 4;
		else
			argp_error(state, "invalid width '%s' (64 or 32)", arg);
		return 0;
	case OPT_LAYOUT:
		if (gk_layout_parse(arg, &o->layout) < 0)
			argp_error(state, "invalid layout '%s' (tree, list or list-only)", arg);
		return 0;
	case OPT_KERNEL:
		if (gk_variant_parse(arg, &o->variant) < 0)
			argp_error(state, "invalid kernel '%s' (fixed, pre-fix-003 or pre-fix-002)",
				   arg);
		return 0;
	case OPT_GNTTAB_VERSION:
		if (strcmp(arg, "1") && strcmp(arg, "2"))
			argp_error(state, "invalid grant table version '%s' (1 or 2)", arg);
		o->gnttab_version = (unsigned int)(arg[0] - '0');
		return 0;
	case OPT_TO:
		o->peer = (uint16_t)parse_uint(state, "--to", arg, SIM_DOMID_LAST);
		o->has_peer = true;
		return 0;
	case OPT_BY:
		o->peer = (uint16_t)parse_uint(state, "--by", arg, SIM_DOMID_LAST);
		o->has_peer = true;
		return 0;
	case OPT_COUNT:
		o->count = parse_uint(state, "--count", arg, 32768);
		if (!o->count)
			argp_error(state, "invalid --count '%s'", arg);
		return 0;
	case OPT_READONLY:
		o->readonly = true;
		return 0;
	case OPT_REF:
		if (xp_parse_u64(arg, &o->corrupt.ref) < 0 || o->corrupt.ref > UINT32_MAX)
			argp_error(state, "invalid ref '%s'", arg);
		o->corrupt.has_ref = true;
		return 0;
	case OPT_SEED:
		if (xp_parse_u64(arg, &o->seed) < 0)
			argp_error(state, "invalid seed '%s'", arg);
		return 0;
	case OPT_PAUSED:
		o->paused = true;
		return 0;
	case OPT_DELAY:
		o->delay_us = parse_uint(state, "--delay-us", arg, 10000000);
		return 0;
	case OPT_INDEX:
		if (xp_parse_u64(arg, &o->corrupt.index) < 0)
			argp_error(state, "invalid index '%s'", arg);
		o->corrupt.has_index = true;
		return 0;
	case OPT_PFN:
		if (xp_parse_u64(arg, &o->corrupt.pfn) < 0)
			argp_error(state, "invalid pfn '%s'", arg);
		o->corrupt.has_pfn = true;
		return 0;
	case OPT_PAGES:
		if (xp_parse_u64(arg, &o->corrupt.pages) < 0)
			argp_error(state, "invalid page count '%s'", arg);
		o->corrupt.has_pages = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'c':
		o->checkpoint = true;
		return 0;
	case 'p':
		o->paused = true;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case ARGP_KEY_ARG:
		if (o->nargs >= o->nargs_max)
			argp_error(state, "too many arguments");
		o->args[o->nargs++] = arg;
		return 0;
	case ARGP_KEY_END:
		if (o->nargs < o->nargs_max)
			argp_error(state, "expected %s", o->verb->args);
		if (strcmp(o->verb->name, "create") == 0) {
			if (!o->name)
				argp_error(state, "--name is required");
			if (!o->memory)
				argp_error(state, "--memory is required");
		}
		if (strcmp(o->verb->name, "grant") == 0 && !o->has_peer)
			argp_error(state, "--to is required");
		if (strncmp(o->verb->name, "grant-", 6) == 0 && !o->has_peer)
			argp_error(state, "--by is required");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

void sim_cli_parse(struct opts *o, unsigned int nargs, const struct argp_option *options,
		   char *(*help_filter)(int key, const char *text, void *input), int argc,
		   char **argv)
{
	struct argp argp = {
		options, verb_parse, o->verb->args, o->verb->summary, NULL, help_filter, NULL,
	};

	o->nargs_max = nargs;
	xp_dispatch_parse_verb(o->dispatcher, o->verb->name, &argp, argc, argv, o);
}
