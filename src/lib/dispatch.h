/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One command-line frame for xenp2m and xenp2m-sim, bpftool-style:
 *
 *	PROG [GLOBAL OPTIONS] VERB [ARGS] [OPTIONS]
 *
 * A table of verbs (name, arguments, summary, run); --help lists them
 * under "Verbs:".  The global options are an argp of the program's own,
 * parsed before the verb and again, as a child, among each verb's options.
 * The dispatcher never reports an error itself: a missing or unknown verb
 * comes back as an XP_ERR_USAGE error for the caller to report as it
 * reports everything else (xp_dispatch_report is the plain-text way).
 * argp's own messages (a bad option) stay argp's.
 */
#ifndef XP_DISPATCH_H
#define XP_DISPATCH_H

#include <argp.h>
#include <stddef.h>

#include "lib/error.h"

struct xp_verb {
	const char *name;
	const char *args;    /* in the Verbs: list: "DOMID|NAME", "HOST FILE" */
	const char *summary; /* one line */
	/* argv[0] is the verb; returns the exit status */
	int (*run)(void *ctx, int argc, char **argv);
};

struct xp_dispatcher {
	const char *prog;	    /* "xenp2m" */
	const char *args_doc;	    /* "VERB [ARGS...]" */
	const char *doc;	    /* what the program does, for --help */
	const char *help_tail;	    /* --help's text after the Verbs: list */
	const struct argp *globals; /* the global options; NULL: none */
	const struct xp_verb *verbs;
	size_t nr_verbs;
	int name_width, args_width; /* columns of the Verbs: list */
};

/*
 * Parse the global options in front of the verb and find it: *verb, and
 * *verb_index, its index in @argv.  --help, --version and bad options end
 * the process as argp does; no verb, or one not in the table, is an
 * XP_ERR_USAGE error ("no verb given", "unknown verb 'x'").
 */
struct xp_error *xp_dispatch_find(const struct xp_dispatcher *d, int argc, char **argv,
				  const struct xp_verb **verb, int *verb_index);

/*
 * Parse a verb's own arguments (argv[0] is the verb) with @verb_argp, the
 * global options coming along as a child, messages naming "PROG VERB".
 * @input is @verb_argp's state->input.
 */
void xp_dispatch_parse_verb(const struct xp_dispatcher *d, const char *verb,
			    const struct argp *verb_argp, int argc, char **argv, void *input);

/*
 * Report a usage error of xp_dispatch_find's on stderr, with the hint to
 * run PROG --help; consumes @err, returns its exit status (2).
 */
int xp_dispatch_report(const struct xp_dispatcher *d, struct xp_error *err);

#endif
