/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command-line edge: global options, the verb table, argument parsing
 * shared by the verbs, the one error reporter.  Verbs build models and hand
 * them to cli->render (src/render/); they never print.
 */
#ifndef XP_CLI_H
#define XP_CLI_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>

#include "backend/backend.h"
#include "lib/error.h"
#include "render/render.h"

struct xp_dispatcher;
struct xp_verb;

struct xp_cli {
	const struct xp_dispatcher *dispatcher; /* the program's verbs (lib/dispatch.h) */
	enum xp_format format;			/* --format, -j */
	bool pretty;				/* -p/--pretty (implies --format json) */
	const char *sim;			/* --sim=HOSTFILE or $XENP2M_SIM */
	const char *prog;			/* "xenp2m" */
	const char *verb;
	struct xp_render *render; /* where every verb's output goes */
};

/* The global options, as an argp child every verb's parser includes. */
extern const struct argp xp_global_argp;

/* Verbs (src/cmd/<verb>.c). */
int xp_cmd_list(struct xp_cli *cli, int argc, char **argv);
int xp_cmd_check(struct xp_cli *cli, int argc, char **argv);
int xp_cmd_show(struct xp_cli *cli, int argc, char **argv);
int xp_cmd_grants(struct xp_cli *cli, int argc, char **argv);
int xp_cmd_snapshot(struct xp_cli *cli, int argc, char **argv);
int xp_cmd_verify(struct xp_cli *cli, int argc, char **argv);

/*
 * Set the output up before anything is parsed: the format the command
 * line asks for (a quick look at argv, so that even a usage error comes as
 * JSON with -j) and the renderer.  Returns false when out of memory.
 */
bool xp_cli_begin(struct xp_cli *cli, int argc, char **argv);
/* Finish the output; the exit code, made 3 when the output failed. */
int xp_cli_end(struct xp_cli *cli, int code);

/*
 * Parse the global options in front of the verb and find it.  A missing or
 * unknown verb is reported here (xp_cli_fail's way, with the hint to run
 * --help in text) and its exit status returned; 0 when the verb was found.
 */
int xp_cli_find_verb(struct xp_cli *cli, int argc, char **argv, const struct xp_verb **verb,
		     int *verb_index);
/* Parse a verb's arguments with its own argp plus the global options. */
void xp_cli_parse(struct xp_cli *cli, const struct argp *verb_argp, int argc, char **argv,
		  void *input);

/*
 * The one positional DOMID|NAME of a verb that takes exactly one: call it
 * from the verb's argp parser first; it returns ARGP_ERR_UNKNOWN for keys
 * that are not its business.
 */
error_t xp_cli_one_domain(int key, char *arg, struct argp_state *state, const char **dom);

/* Open the backend the options select. */
struct xp_error *xp_cli_backend(struct xp_cli *cli, struct xp_backend **be);

/*
 * --pages and --force, as snapshot and verify take them: call from the
 * verb's argp parser; ARGP_ERR_UNKNOWN for keys that are not theirs.
 */
enum {
	XP_CLI_OPT_PAGES = 0x300,
	XP_CLI_OPT_FORCE,
};
struct xp_cli_pages {
	bool pages, force;
};
error_t xp_cli_pages_parse(int key, struct argp_state *state, struct xp_cli_pages *p);

/*
 * Open the backend and the domain @dom.  With --pages and not --force, a
 * running domain is refused (XP_ERR_INVALID): its pages would not hold
 * still; @why says what the verb does with them.
 */
struct xp_error *xp_cli_open_domain(struct xp_cli *cli, const char *dom,
				    const struct xp_cli_pages *p, const char *why,
				    struct xp_backend **be, struct xp_domain_info *d);

/*
 * Report @err the one way errors are reported (the renderer's: stderr in
 * text, the document's "error" in JSON).  Consumes @err and returns the
 * exit code it maps to.
 */
int xp_cli_fail(struct xp_cli *cli, struct xp_error *err);
/* The same, for an error a signal may have caused: then "interrupted" is said. */
int xp_cli_fail_run(struct xp_cli *cli, struct xp_error *err);

#endif
