// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "lib/dispatch.h"
#include "lib/signal.h"

enum {
	OPT_SIM = 0x100,
	OPT_FORMAT,
};

static const struct argp_option global_options[] = {
	{NULL, 0, NULL, 0, "Global options:", -1},
	{"format", OPT_FORMAT, "FORMAT", 0,
	 "Output format: text (default), json, or prometheus (check and list)", -1},
	{"json", 'j', NULL, 0, "Output JSON (--format json)", -1},
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
	int f;

	switch (key) {
	case 'j':
		cli->format = XP_FORMAT_JSON;
		return 0;
	case 'p':
		cli->format = XP_FORMAT_JSON;
		cli->pretty = true;
		return 0;
	case OPT_FORMAT:
		f = xp_format_parse(arg);
		if (f < 0)
			argp_error(state,
				   "--format: unknown format '%s' (text, json or prometheus)", arg);
		cli->format = (enum xp_format)f;
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
 * Usage errors in JSON mode.  argp (and getopt inside it) print usage errors
 * on stderr and exit with argp_err_exit_status; to give -j its {"error"}
 * document instead, stderr is a memory stream while argp runs and an exit
 * handler turns what was caught into the error.  The text mode is argp's
 * own, untouched.
 */
static struct {
	struct xp_cli *cli;
	FILE *real_stderr;
	char *buf;
	size_t len;
	bool parsing;
} capture;

static void capture_exit(void)
{
	struct xp_error *err;
	char *msg, *nl;
	size_t plen;

	if (!capture.parsing)
		return;
	capture.parsing = false;
	fclose(stderr);
	stderr = capture.real_stderr;
	if (!capture.buf || !*capture.buf) /* --help, --version */
		goto out;
	msg = capture.buf;
	nl = strchr(msg, '\n');
	if (nl)
		*nl = '\0';
	/* "xenp2m check: unrecognized option '--bogus'": the message is after the name */
	plen = strlen(capture.cli->prog);
	if (!strncmp(msg, capture.cli->prog, plen) && strstr(msg, ": "))
		msg = strstr(msg, ": ") + 2;
	err = xp_error_create(XP_ERR_USAGE, EINVAL, "%s", msg);
	xp_render_error(capture.cli->render, err);
	xp_render_finish(capture.cli->render);
	xp_error_destroy(err);
out:
	free(capture.buf);
	capture.buf = NULL;
}

static void parse_begin(struct xp_cli *cli)
{
	static bool registered;

	parse_cli = cli;
	if (cli->format != XP_FORMAT_JSON)
		return;
	if (!registered) {
		if (atexit(capture_exit))
			return;
		registered = true;
	}
	fflush(stderr);
	capture.cli = cli;
	capture.real_stderr = stderr;
	stderr = open_memstream(&capture.buf, &capture.len);
	if (!stderr) {
		stderr = capture.real_stderr;
		return;
	}
	capture.parsing = true;
}

static void parse_end(void)
{
	parse_cli = NULL;
	if (!capture.parsing)
		return;
	capture.parsing = false;
	fclose(stderr);
	stderr = capture.real_stderr;
	/* nothing argp says without exiting is meant for a JSON reader */
	free(capture.buf);
	capture.buf = NULL;
}

/* "-ajp": a cluster of short flags (letters only) */
static bool short_flags(const char *a, char flag)
{
	return a[0] == '-' && a[1] && a[1] != '-' &&
	       strspn(a + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
		       strlen(a + 1) &&
	       strchr(a + 1, flag);
}

/*
 * The format the command line asks for, before argp has parsed it: -j, -p
 * (alone or in a cluster of flags), --json, --pretty, --format json.  Only
 * used to report usage errors in the right format; argp decides the rest.
 */
static void prescan_format(struct xp_cli *cli, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--pretty") || short_flags(a, 'p')) {
			cli->pretty = true;
			cli->format = XP_FORMAT_JSON;
		} else if (!strcmp(a, "--json") || short_flags(a, 'j') ||
			   !strcmp(a, "--format=json") ||
			   (!strcmp(a, "--format") && !strcmp(next, "json"))) {
			cli->format = XP_FORMAT_JSON;
		} else if (!strcmp(a, "--format=text") ||
			   (!strcmp(a, "--format") && !strcmp(next, "text"))) {
			cli->format = XP_FORMAT_TEXT;
		} else if (!strcmp(a, "--format=prometheus") ||
			   (!strcmp(a, "--format") && !strcmp(next, "prometheus"))) {
			cli->format = XP_FORMAT_PROMETHEUS;
		}
	}
}

static bool render_open(struct xp_cli *cli)
{
	struct xp_render_options o = {
		.format = cli->format,
		.pretty = cli->pretty,
		.out = stdout,
		.err = stderr,
		.prog = cli->prog,
		.verb = cli->verb,
		.max_findings = 10,
	};

	xp_render_destroy(cli->render);
	cli->render = xp_render_create(&o);
	return cli->render != NULL;
}

bool xp_cli_begin(struct xp_cli *cli, int argc, char **argv)
{
	prescan_format(cli, argc, argv);
	return render_open(cli);
}

int xp_cli_end(struct xp_cli *cli, int code)
{
	bool ok = xp_render_finish(cli->render);
	int e = errno;

	if (!ok && code < XP_EXIT_RUNTIME) {
		const struct xp_error *why = xp_render_failure(cli->render);

		if (why)
			fprintf(stderr, "%s: error: %s\n", cli->prog, why->message);
		else
			fprintf(stderr, "%s: error: writing the output failed: %s\n", cli->prog,
				strerror(e));
		code = XP_EXIT_RUNTIME;
	}
	xp_render_destroy(cli->render);
	cli->render = NULL;
	return code;
}

/*
 * After a parse: the renderer follows what the options finally said, and
 * a format that cannot render the verb's output is a usage error (exiting
 * with its status, as argp does for the others).  Only Prometheus has
 * verbs it cannot render, and it has no error document: stderr it is.
 */
static void parse_settle(struct xp_cli *cli)
{
	if (xp_render_format(cli->render) != cli->format || cli->pretty) {
		if (!render_open(cli)) {
			fprintf(stderr, "%s: error: out of memory\n", cli->prog);
			exit(XP_EXIT_RUNTIME);
		}
	}
	xp_render_set_verb(cli->render, cli->verb);
	if (!xp_render_supports(cli->render, cli->verb)) {
		/* said as argp says usage errors: no document of that format at all */
		fprintf(stderr,
			"%s: error: --format %s: %s has no output in this format (check "
			"and list have)\n",
			cli->prog, xp_format_name(cli->format), cli->verb);
		xp_render_destroy(cli->render);
		cli->render = NULL;
		exit(XP_EXIT_USAGE);
	}
}

/*
 * Each verb's argp parses its own options and positional arguments, with
 * @input as its state->input; the global options come along as a child, so
 * they may appear before or after the verb.
 */
void xp_cli_parse(struct xp_cli *cli, const struct argp *verb_argp, int argc, char **argv,
		  void *input)
{
	parse_begin(cli);
	xp_dispatch_parse_verb(cli->dispatcher, cli->verb, verb_argp, argc, argv, input);
	parse_end();
	parse_settle(cli);
}

int xp_cli_find_verb(struct xp_cli *cli, int argc, char **argv, const struct xp_verb **verb,
		     int *verb_index)
{
	struct xp_error *err;

	parse_begin(cli);
	err = xp_dispatch_find(cli->dispatcher, argc, argv, verb, verb_index);
	parse_end();
	parse_settle(cli);
	if (!err)
		return 0;
	/* text: the dispatcher's words, with its hint to run --help */
	if (cli->format == XP_FORMAT_TEXT)
		return xp_dispatch_report(cli->dispatcher, err);
	return xp_cli_fail(cli, err);
}

error_t xp_cli_one_domain(int key, char *arg, struct argp_state *state, const char **dom)
{
	switch (key) {
	case ARGP_KEY_ARG:
		if (*dom)
			argp_error(state, "one domain at a time");
		*dom = arg;
		return 0;
	case ARGP_KEY_END:
		if (!*dom)
			argp_error(state, "no domain given");
		return ARGP_ERR_UNKNOWN; /* the verb may have more to check */
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

struct xp_error *xp_cli_backend(struct xp_cli *cli, struct xp_backend **be)
{
	return xp_backend_open(cli->sim ? "sim" : NULL, cli->sim, be);
}

error_t xp_cli_pages_parse(int key, struct argp_state *state, struct xp_cli_pages *p)
{
	switch (key) {
	case XP_CLI_OPT_PAGES:
		p->pages = true;
		return 0;
	case XP_CLI_OPT_FORCE:
		p->force = true;
		return 0;
	case ARGP_KEY_END:
		if (p->force && !p->pages)
			argp_error(state, "--force goes with --pages");
		return ARGP_ERR_UNKNOWN; /* the verb may have more to check */
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

struct xp_error *xp_cli_open_domain(struct xp_cli *cli, const char *dom,
				    const struct xp_cli_pages *p, const char *why,
				    struct xp_backend **be, struct xp_domain_info *d)
{
	struct xp_error *err = xp_cli_backend(cli, be);

	if (!err)
		err = xp_backend_resolve(*be, dom, d);
	if (!err && p->pages && !d->paused && !p->force)
		err = xp_error_create(XP_ERR_INVALID, EAGAIN,
				      "domain %u (%s) is running: %s %s; --force takes its pages "
				      "all the same",
				      d->domid, d->name, cli->verb, why);
	return err;
}

int xp_cli_fail_run(struct xp_cli *cli, struct xp_error *err)
{
	if (err->kind != XP_ERR_INTERRUPTED && xp_signal_pending()) {
		xp_error_destroy(err);
		err = xp_signal_error();
	}
	return xp_cli_fail(cli, err);
}

int xp_cli_fail(struct xp_cli *cli, struct xp_error *err)
{
	int code = xp_error_exit_code(err);

	xp_render_error(cli->render, err);
	xp_error_destroy(err);
	return code;
}
