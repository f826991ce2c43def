// SPDX-License-Identifier: GPL-2.0
/*
 * The command-line frame (lib/dispatch.c): global options before the verb
 * and among its own, the verb found in the table, a missing or unknown verb
 * returned (not printed) for the caller to report, the Verbs: listing.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/dispatch.h"
#include "lib/util.h"
#include "tap.h"

static int nr_x; /* -x seen, as a global option */
static const char *got_arg;

static error_t global_parse(int key, char *arg, struct argp_state *state)
{
	if (key != 'x')
		return ARGP_ERR_UNKNOWN;
	nr_x++;
	return 0;
}

static const struct argp_option global_options[] = {
	{"extra", 'x', NULL, 0, "A global flag", -1},
	{0},
};

static const struct argp globals = {global_options, global_parse, NULL, NULL, NULL, NULL, NULL};

static int run_one(void *ctx, int argc, char **argv)
{
	return 11;
}

static int run_two(void *ctx, int argc, char **argv)
{
	return 22;
}

static const struct xp_verb verbs[] = {
	{"one", "", "the first verb", run_one},
	{"two", "THING", "the second verb", run_two},
};

static const struct xp_dispatcher d = {
	.prog = "prog",
	.args_doc = "VERB [ARGS...]",
	.doc = "A program for the test.\v",
	.help_tail = "The end.\n",
	.globals = &globals,
	.verbs = verbs,
	.nr_verbs = XP_ARRAY_SIZE(verbs),
	.name_width = 5,
	.args_width = 6,
};

static error_t two_parse(int key, char *arg, struct argp_state *state)
{
	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	*(const char **)state->input = arg;
	return 0;
}

static const struct argp two_argp = {NULL, two_parse, "THING", "The second verb.",
				     NULL, NULL,      NULL};

/* What `prog --help` prints (argp exits: in a child). */
static const char *help(void)
{
	static char buf[2048];
	char *argv[] = {"prog", "--help", NULL};
	int fds[2], status;
	ssize_t n = 0, r;
	pid_t pid;

	if (pipe(fds) < 0)
		return "";
	pid = fork();
	if (pid == 0) {
		const struct xp_verb *v;
		int i;

		dup2(fds[1], 1);
		close(fds[0]);
		xp_error_destroy(xp_dispatch_find(&d, 2, argv, &v, &i));
		_exit(9);
	}
	close(fds[1]);
	while ((r = read(fds[0], buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	close(fds[0]);
	waitpid(pid, &status, 0);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "Verbs:") ? strstr(buf, "Verbs:") : buf;
}

int main(void)
{
	char *a1[] = {"prog", "-x", "two", "thing", "-x", NULL};
	char *a2[] = {"prog", "-x", NULL};
	char *a3[] = {"prog", "three", NULL};
	const struct xp_verb *v = NULL;
	struct xp_error *err;
	int i = -1;

	err = xp_dispatch_find(&d, 5, a1, &v, &i);
	ok(!err && v == &verbs[1] && i == 2, "the verb after a global option: 'two', at argv[2]");
	is_int(nr_x, 1, "the global option before it was parsed");
	is_int(v ? v->run(NULL, 3, a1 + 2) : 0, 22, "and the caller runs it");
	xp_dispatch_parse_verb(&d, "two", &two_argp, 3, a1 + 2, &got_arg);
	is_str(got_arg ? got_arg : "", "thing", "the verb's parser gets its argument");
	is_int(nr_x, 2, "and the global option after it");
	is_str(a1[2], "two", "argv[0] of the verb is given back");

	err = xp_dispatch_find(&d, 2, a2, &v, &i);
	is_str(err ? err->message : "", "no verb given", "no verb: an error, not a message");
	ok(err && err->kind == XP_ERR_USAGE && !v && i == 0, "a usage error, no verb");
	xp_error_destroy(err);
	err = xp_dispatch_find(&d, 2, a3, &v, &i);
	is_str(err ? err->message : "", "unknown verb 'three'", "an unknown verb is named");
	is_int(err ? xp_error_exit_code(err) : 0, 2, "exit status 2");
	xp_error_destroy(err);
	is_str(help(),
	       "Verbs:\n"
	       "  one          the first verb\n"
	       "  two   THING  the second verb\n"
	       "\n"
	       "The end.\n",
	       "--help lists the verbs in their columns, then the program's words");
	return tap_done();
}
