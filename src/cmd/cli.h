/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command-line edge: global options, the verb table, the one error
 * reporter, and the JSON/text output plumbing shared by every verb.
 */
#ifndef XP_CLI_H
#define XP_CLI_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "backend/backend.h"
#include "lib/error.h"
#include "render/render.h"

struct xp_dispatcher;
struct xp_verb;

struct xp_cli {
	const struct xp_dispatcher *dispatcher; /* the program's verbs (lib/dispatch.h) */
	bool json;				/* -j/--json */
	bool pretty;				/* -p/--pretty (implies --json) */
	bool quiet;
	const char *sim;  /* --sim=HOSTFILE or $XENP2M_SIM */
	const char *prog; /* "xenp2m" */
	const char *verb;
	FILE *out;
};

/* The global options, as an argp child every verb's parser includes. */
extern const struct argp xp_global_argp;

/* Verbs (src/cmd/<verb>.c). */
int xp_cmd_list(struct xp_cli *cli, int argc, char **argv);
int xp_cmd_check(struct xp_cli *cli, int argc, char **argv);
int xp_cmd_show(struct xp_cli *cli, int argc, char **argv);
int xp_cmd_grants(struct xp_cli *cli, int argc, char **argv);

/* Parse a verb's arguments with its own argp plus the global options. */
void xp_cli_parse(struct xp_cli *cli, const struct argp *verb_argp, int argc, char **argv,
		  void *input);

/* Parse the global options in front of the verb, and find the verb. */
struct xp_error *xp_cli_find_verb(struct xp_cli *cli, int argc, char **argv,
				  const struct xp_verb **verb, int *verb_index);

/* Open the backend the options select. */
struct xp_error *xp_cli_backend(struct xp_cli *cli, struct xp_backend **be);

/*
 * Report @err the one way errors are reported: "xenp2m: error: ..." on
 * stderr, or an {"error": ...} object on stdout in JSON mode.  Consumes
 * @err and returns the exit code it maps to.
 */
int xp_cli_fail(struct xp_cli *cli, struct xp_error *err);

/* The {"kind", "message", "exit_code"} object of an error. */
struct json_object *xp_cli_error_json(const struct xp_error *err);

/* Print a JSON document (consumes @obj) in the selected style. */
void xp_cli_json_print(struct xp_cli *cli, struct json_object *obj);
/* A JSON object with the schema_version field already set. */
struct json_object *xp_cli_json_doc(void);

#define XP_JSON_SCHEMA_VERSION 1

#endif
