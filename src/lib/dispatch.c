// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dispatch.h"

/* The top-level parse: the dispatcher, and where the verb is. */
struct dispatch_state {
	const struct xp_dispatcher *d;
	int verb_index;
};

static error_t dispatch_parse(int key, char *arg, struct argp_state *state)
{
	struct dispatch_state *s = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		/* the verb: stop here, the rest is the verb's */
		s->verb_index = state->next - 1;
		state->next = state->argc;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* --help: the verbs after the options, then the program's own words. */
static char *dispatch_help(int key, const char *text, void *input)
{
	const struct dispatch_state *s = input;
	const struct xp_dispatcher *d;
	char *buf;
	size_t len, i;
	FILE *f;

	if (key != ARGP_KEY_HELP_POST_DOC || !s)
		return (char *)text;
	d = s->d;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs("Verbs:\n", f);
	for (i = 0; i < d->nr_verbs; i++)
		fprintf(f, "  %-*s %-*s %s\n", d->name_width, d->verbs[i].name, d->args_width,
			d->verbs[i].args, d->verbs[i].summary);
	if (d->help_tail)
		fprintf(f, "\n%s", d->help_tail);
	fclose(f);
	return buf;
}

struct xp_error *xp_dispatch_find(const struct xp_dispatcher *d, int argc, char **argv,
				  const struct xp_verb **verb, int *verb_index)
{
	struct argp_child children[] = {
		{d->globals, 0, NULL, 0},
		{0},
	};
	struct argp argp = {
		NULL,	       dispatch_parse, d->args_doc, d->doc, d->globals ? children : NULL,
		dispatch_help, NULL,
	};
	struct dispatch_state s = {.d = d, .verb_index = 0};
	size_t i;

	*verb = NULL;
	*verb_index = 0;
	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &s);
	if (!s.verb_index)
		return xp_error_create(XP_ERR_USAGE, EINVAL, "no verb given");
	for (i = 0; i < d->nr_verbs; i++) {
		if (strcmp(d->verbs[i].name, argv[s.verb_index]) == 0) {
			*verb = &d->verbs[i];
			*verb_index = s.verb_index;
			return NULL;
		}
	}
	return xp_error_create(XP_ERR_USAGE, EINVAL, "unknown verb '%s'", argv[s.verb_index]);
}

void xp_dispatch_parse_verb(const struct xp_dispatcher *d, const char *verb,
			    const struct argp *verb_argp, int argc, char **argv, void *input)
{
	struct argp_child children[] = {
		{d->globals, 0, NULL, -1},
		{0},
	};
	struct argp argp = *verb_argp;
	char name[64], *verb_arg = argv[0];

	if (d->globals)
		argp.children = children;
	snprintf(name, sizeof(name), "%s %s", d->prog, verb);
	argv[0] = name;
	argp_parse(&argp, argc, argv, 0, NULL, input);
	argv[0] = verb_arg;
}

int xp_dispatch_report(const struct xp_dispatcher *d, struct xp_error *err)
{
	int code = xp_error_exit_code(err);

	fprintf(stderr, "%s: %s\nTry '%s --help' for the list of verbs.\n", d->prog, err->message,
		d->prog);
	xp_error_destroy(err);
	return code;
}
