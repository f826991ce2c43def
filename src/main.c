// SPDX-License-Identifier: GPL-2.0
/*
 * xenp2m: inspect and validate a Xen PV guest's p2m and grant table.
 *
 *	xenp2m [OPTIONS] VERB [ARGS]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmd/cli.h"
#include "lib/dispatch.h"
#include "lib/signal.h"
#include "lib/util.h"

static int run_check(void *cli, int argc, char **argv)
{
	return xp_cmd_check(cli, argc, argv);
}

static int run_show(void *cli, int argc, char **argv)
{
	return xp_cmd_show(cli, argc, argv);
}

static int run_grants(void *cli, int argc, char **argv)
{
	return xp_cmd_grants(cli, argc, argv);
}

static int run_list(void *cli, int argc, char **argv)
{
	return xp_cmd_list(cli, argc, argv);
}

static int run_snapshot(void *cli, int argc, char **argv)
{
	return xp_cmd_snapshot(cli, argc, argv);
}

static int run_verify(void *cli, int argc, char **argv)
{
	return xp_cmd_verify(cli, argc, argv);
}

/* Only verbs that are implemented are listed. */
static const struct xp_verb verbs[] = {
	{"check", "DOMID|NAME...|--all", "validate p2m against the M2P", run_check},
	{"show", "DOMID|NAME", "p2m fields, a pfn's path, --dump", run_show},
	{"grants", "DOMID|NAME", "the grant table: entries, peers", run_grants},
	{"list", "", "domains, p2m layout, health", run_list},
	{"snapshot", "DOMID|NAME -o FILE", "record a guest before a migration", run_snapshot},
	{"verify", "DOMID|NAME --baseline F", "prove it came through intact", run_verify},
};

static const struct xp_dispatcher dispatcher = {
	.prog = PACKAGE_NAME,
	.args_doc = "VERB [ARGS...]",
	.doc = "Inspect and validate Xen PV guests' p2m structures and grant tables.\v",
	.help_tail = "Run '" PACKAGE_NAME " VERB --help' for a verb's options.\n"
		     "Exit status: 0 consistent, 1 inconsistencies found, 2 usage error,\n"
		     "3 runtime failure, 4 backend unavailable or permission denied;\n"
		     "128+N interrupted by signal N (SIGINT: 130).\n",
	.globals = &xp_global_argp,
	.verbs = verbs,
	.nr_verbs = XP_ARRAY_SIZE(verbs),
	.name_width = 8,
	.args_width = 24,
};

const char *argp_program_version = PACKAGE_NAME " " PACKAGE_VERSION;

int main(int argc, char **argv)
{
	struct xp_cli cli = {
		.prog = PACKAGE_NAME,
		.dispatcher = &dispatcher,
	};
	const struct xp_verb *verb;
	int verb_index, rc;
	const char *env;

	argp_err_exit_status = XP_EXIT_USAGE;
	xp_signal_install();
	env = getenv("XENP2M_SIM");
	if (env && *env)
		cli.sim = env;

	if (!xp_cli_begin(&cli, argc, argv)) {
		fprintf(stderr, "%s: error: out of memory\n", cli.prog);
		return XP_EXIT_RUNTIME;
	}
	rc = xp_cli_find_verb(&cli, argc, argv, &verb, &verb_index);
	if (rc)
		return xp_cli_end(&cli, rc);
	cli.verb = verb->name;
	xp_render_set_verb(cli.render, cli.verb);
	rc = xp_cli_end(&cli, verb->run(&cli, argc - verb_index, argv + verb_index));
	/* interrupted and reported: end killed by the signal */
	if (rc >= XP_EXIT_SIGNAL_BASE)
		xp_signal_reraise();
	return rc;
}
