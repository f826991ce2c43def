// SPDX-License-Identifier: GPL-2.0
/*
 * xenp2m: inspect and validate a Xen PV guest's p2m and grant table.
 *
 *	xenp2m [OPTIONS] VERB [ARGS]
 */
#include "config.h"

#include <argp.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "lib/signal.h"

/* Only verbs that are implemented are listed. */
static const struct xp_verb verbs[] = {
	{"check", "DOMID|NAME...|--all", "validate p2m against the M2P", xp_cmd_check},
	{"show", "DOMID|NAME", "p2m fields, a pfn's path, --dump", xp_cmd_show},
	{"grants", "DOMID|NAME", "the grant table: entries, peers", xp_cmd_grants},
	{"list", "", "domains, p2m layout, health", xp_cmd_list},
};

const char *argp_program_version = PACKAGE_NAME " " PACKAGE_VERSION;

struct main_args {
	struct xp_cli *cli;
	int verb_index; /* argv index of the verb */
};

static error_t main_parse(int key, char *arg, struct argp_state *state)
{
	struct main_args *a = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		/* the verb: stop here, the rest is the verb's */
		a->verb_index = state->next - 1;
		state->next = state->argc;
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no verb given");
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static char *main_help_filter(int key, const char *text, void *input)
{
	char *buf;
	size_t len, i;
	FILE *f;

	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs("Verbs:\n", f);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-8s %-22s %s\n", verbs[i].name, verbs[i].args_doc, verbs[i].summary);
	fputs("\nRun '" PACKAGE_NAME " VERB --help' for a verb's options.\n"
	      "Exit status: 0 consistent, 1 inconsistencies found, 2 usage error,\n"
	      "3 runtime failure, 4 backend unavailable or permission denied.\n",
	      f);
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	struct xp_cli cli = {
		.prog = PACKAGE_NAME,
		.out = stdout,
	};
	struct main_args a = {.cli = &cli, .verb_index = 0};
	/* Global options may come before the verb (and after it, in the
	 * verb's own parser). */
	static const struct argp_child children[] = {
		{&xp_global_argp, 0, NULL, 0},
		{0},
	};
	static const struct argp argp = {
		NULL,
		main_parse,
		"VERB [ARGS...]",
		"Inspect and validate Xen PV guests' p2m structures and grant tables.\v",
		children,
		main_help_filter,
		NULL,
	};
	const char *env;
	size_t i;

	argp_err_exit_status = XP_EXIT_USAGE;
	xp_signal_install();
	env = getenv("XENP2M_SIM");
	if (env && *env)
		cli.sim = env;

	xp_cli_parse_globals(&cli, &argp, argc, argv, &a);
	cli.verb = argv[a.verb_index];
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verbs[i].name, cli.verb) == 0) {
			int rc = verbs[i].run(&cli, argc - a.verb_index, argv + a.verb_index);

			/* interrupted and reported: end killed by the signal */
			if (rc >= XP_EXIT_SIGNAL_BASE)
				xp_signal_reraise();
			return rc;
		}
	}
	fprintf(stderr, "%s: unknown verb '%s'\nTry '%s --help' for the list of verbs.\n", cli.prog,
		cli.verb, cli.prog);
	return XP_EXIT_USAGE;
}
