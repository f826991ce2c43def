// SPDX-License-Identifier: GPL-2.0
/*
 * xenp2m-sim: drive a simulated Xen host, like xl drives a real one.
 *
 *	xenp2m-sim [-v] VERB HOST [ARGS] [OPTIONS]
 *
 * The verbs live in cmd-*.c by group; what they share in cli.c.
 * Exit status: 0 ok, 2 usage error, 3 runtime failure; a save, restore or
 * migrate interrupted by signal N is undone and ends killed by it (128 + N).
 */
#include "config.h"

#include <argp.h>

#include "lib/signal.h"
#include "lib/util.h"
#include "sim/toolstack/xenp2m-sim.h"

const char *argp_program_version = PROG " (" PACKAGE_NAME ") " PACKAGE_VERSION;
const char *argp_program_bug_address = PACKAGE_BUGREPORT;

static const struct xp_verb verbs[] = {
	{"init", "HOST", "Create a host file with a dom0.", sim_cmd_init},
	{"create", "HOST", "Build and boot a PV guest; prints its domid.", sim_cmd_create},
	{"list", "HOST", "List the domains.", sim_cmd_list},
	{"destroy", "HOST NAME", "Destroy a domain.", sim_cmd_destroy},
	{"pause", "HOST NAME", "Pause a domain.", sim_cmd_pause},
	{"unpause", "HOST NAME", "Unpause a domain (runs a pending boot or resume).",
	 sim_cmd_unpause},
	{"rename", "HOST NAME NEWNAME", "Rename a domain.", sim_cmd_rename},
	{"save", "HOST NAME FILE", "Save a domain to FILE and destroy it.", sim_cmd_save},
	{"restore", "HOST FILE", "Restore a domain from FILE; prints its new domid.",
	 sim_cmd_restore},
	{"migrate", "HOST NAME", "Save and restore in one go; prints the new domid.",
	 sim_cmd_migrate},
	{"mem-set", "HOST NAME SIZE", "Balloon a domain to SIZE.", sim_cmd_mem_set},
	{"symbols", "HOST NAME", "Print the guest kernel's System.map.", sim_cmd_symbols},
	{"corrupt", "HOST NAME KIND", "Inject a fault of class KIND into a guest.",
	 sim_cmd_corrupt},
	{"grant", "HOST NAME", "Grant pages of a guest; prints their refs.", sim_cmd_grant},
	{"ungrant", "HOST NAME REF", "End one of those grants.", sim_cmd_ungrant},
	{"grant-map", "HOST NAME REF", "Map a guest's grant from another domain.",
	 sim_cmd_grant_map},
	{"grant-unmap", "HOST NAME REF", "Unmap it again.", sim_cmd_grant_unmap},
};

static const struct argp_option global_options[] = {
	{"verbose", 'v', NULL, 0, "Show the guests' console output on stderr", -1},
	{0},
};

/* The options the global ones go to, wherever they appear. */
static struct opts *parse_opts;

static error_t global_parse(int key, char *arg, struct argp_state *state)
{
	if (key == 'v') {
		parse_opts->verbose = true;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const struct argp global_argp = {global_options, global_parse, NULL, NULL, NULL, NULL, NULL};

static const struct xp_dispatcher dispatcher = {
	.prog = PROG,
	.args_doc = "VERB HOST [ARGS...]",
	.doc = "Drive a simulated Xen host: create, save, restore and migrate PV guests, "
	       "inject faults into them.\v",
	.help_tail = "NAME may also be a domid.  SIZE: 256M, 4G, 1T (a bare number is MiB).\n"
		     "Run '" PROG " VERB --help' for a verb's options.\n"
		     "Exit status: 0 ok, 2 usage error, 3 runtime failure.\n",
	.globals = &global_argp,
	.verbs = verbs,
	.nr_verbs = XP_ARRAY_SIZE(verbs),
	.name_width = 11,
	.args_width = 14,
};

int main(int argc, char **argv)
{
	struct opts o = {
		.width = 8,
		.layout = GK_LAYOUT_LIST,
		.variant = GK_KERNEL_FIXED,
		.count = 1,
		.dispatcher = &dispatcher,
	};
	struct xp_error *err;
	int verb_index, rc;

	argp_err_exit_status = EXIT_USAGE;
	xp_signal_install();
	parse_opts = &o;
	err = xp_dispatch_find(&dispatcher, argc, argv, &o.verb, &verb_index);
	if (err)
		return xp_dispatch_report(&dispatcher, err);
	rc = o.verb->run(&o, argc - verb_index, argv + verb_index);
	/* a save or restore undone after a signal: end killed by it */
	if (rc >= XP_EXIT_SIGNAL_BASE)
		xp_signal_reraise();
	return rc;
}
