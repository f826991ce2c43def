// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "lib/dispatch.h"

enum {
	OPT_SIM = 0x100,
};

static const struct argp_option global_options[] = {
	{NULL, 0, NULL, 0, "Global options:", -1},
	{"json", 'j', NULL, 0, "Output JSON", -1},
	{"pretty", 'p', NULL, 0, "Output indented JSON (implies --json)", -1},
	{"sim", OPT_SIM, "HOSTFILE", 0,
	 "Use the simulated host in HOSTFILE instead of Xen (also $XENP2M_SIM)", -1},
	{0},
};

/* The cli the global options go to while a verb's arguments are parsed. */
static struct xp_cli *parse_cli;

static error_t global_parse(int key, char *arg, struct argp_state *state)
{
	struct xp_cli *cli = parse_cli;

	switch (key) {
	case 'j':
		cli->json = true;
		return 0;
	case 'p':
		cli->json = true;
		cli->pretty = true;
		return 0;
	case OPT_SIM:
		if (!*arg)
			argp_error(state, "--sim needs a host file");
		cli->sim = arg;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp xp_global_argp = {global_options, global_parse, NULL, NULL, NULL, NULL, NULL};

/*
 * Each verb's argp parses its own options and positional arguments, with
 * @input as its state->input; the global options come along as a child, so
 * they may appear before or after the verb.
 */
void xp_cli_parse(struct xp_cli *cli, const struct argp *verb_argp, int argc, char **argv,
		  void *input)
{
	parse_cli = cli;
	xp_dispatch_parse_verb(cli->dispatcher, cli->verb, verb_argp, argc, argv, input);
	parse_cli = NULL;
}

struct xp_error *xp_cli_find_verb(struct xp_cli *cli, int argc, char **argv,
				  const struct xp_verb **verb, int *verb_index)
{
	struct xp_error *err;

	parse_cli = cli;
	err = xp_dispatch_find(cli->dispatcher, argc, argv, verb, verb_index);
	parse_cli = NULL;
	return err;
}

struct xp_error *xp_cli_backend(struct xp_cli *cli, struct xp_backend **be)
{
	return xp_backend_open(cli->sim ? "sim" : NULL, cli->sim, be);
}

struct json_object *xp_cli_error_json(const struct xp_error *err)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "kind", json_object_new_string(xp_errkind_name(err->kind)));
	json_object_object_add(e, "message", json_object_new_string(err->message));
	json_object_object_add(e, "exit_code", json_object_new_int(xp_error_exit_code(err)));
	return e;
}

int xp_cli_fail(struct xp_cli *cli, struct xp_error *err)
{
	int code = xp_error_exit_code(err);

	if (cli->json) {
		struct json_object *doc = xp_cli_json_doc();

		json_object_object_add(doc, "error", xp_cli_error_json(err));
		xp_cli_json_print(cli, doc);
	} else {
		fprintf(stderr, "%s: error: %s\n", cli->prog, err->message);
	}
	xp_error_destroy(err);
	return code;
}

void xp_cli_json_print(struct xp_cli *cli, struct json_object *obj)
{
	int flags = cli->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
				: JSON_C_TO_STRING_PLAIN;

	flags |= JSON_C_TO_STRING_NOSLASHESCAPE;
	fputs(json_object_to_json_string_ext(obj, flags), cli->out);
	fputc('\n', cli->out);
	json_object_put(obj);
}

struct json_object *xp_cli_json_doc(void)
{
	struct json_object *doc = json_object_new_object();

	json_object_object_add(doc, "schema_version", json_object_new_int(XP_JSON_SCHEMA_VERSION));
	return doc;
}
