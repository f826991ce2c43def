// SPDX-License-Identifier: GPL-2.0
/* xenp2m check: is this guest's p2m consistent, and if not, where and how. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/engine.h"
#include "lib/signal.h"
#include "lib/util.h"

enum {
	OPT_MAX_FINDINGS = 0x200,
	OPT_NO_GRANTS,
};

struct check_args {
	char **doms;
	int ndoms;
	bool all, no_grants;
	const char *symbols;
	size_t max_findings;
};

static const struct argp_option check_options[] = {
	{"all", 'a', NULL, 0, "Check every PV domain", 0},
	{"symbols", 's', "FILE", 0,
	 "The guest kernel's System.map: also check the guest-internal view", 0},
	{"max-findings", OPT_MAX_FINDINGS, "N", 0,
	 "Show at most N findings of each kind in text output (default 10)", 0},
	{"no-grants", OPT_NO_GRANTS, NULL, 0, "Do not validate the grant table", 0},
	{0},
};

static error_t check_parse(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;
	uint64_t v;

	switch (key) {
	case 'a':
		a->all = true;
		return 0;
	case 's':
		a->symbols = arg;
		return 0;
	case OPT_NO_GRANTS:
		a->no_grants = true;
		return 0;
	case OPT_MAX_FINDINGS:
		if (xp_parse_u64(arg, &v) || v > 1000000)
			argp_error(state, "--max-findings: '%s' is not a number (0-1000000)", arg);
		a->max_findings = (size_t)v;
		return 0;
	case ARGP_KEY_ARG:
		a->doms = &state->argv[state->next - 1];
		a->ndoms = state->argc - state->next + 1;
		state->next = state->argc;
		return 0;
	case ARGP_KEY_END:
		if (!a->all && a->ndoms == 0)
			argp_error(state, "no domain given (DOMID, NAME or --all)");
		if (a->all && a->ndoms)
			argp_error(state, "--all and a domain list are mutually exclusive");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp check_argp = {
	check_options,
	check_parse,
	"DOMID|NAME... | --all",
	"Check PV guests' p2m structures against the hypervisor's M2P.\v"
	"Exit status: 0 consistent, 1 inconsistencies found, 3 runtime failure, "
	"4 backend unavailable or permission denied (the worst over all domains).",
	NULL,
	NULL,
	NULL,
};

struct outcome {
	int code;
	unsigned int consistent, inconsistent, other, failed;
};

static void note(struct outcome *o, int code)
{
	if (code > o->code)
		o->code = code;
}

/*
 * A domain that could not be checked: its error joins the JSON document
 * (in @who, which names it) or goes to stderr, and counts in the outcome.
 * Consumes @err.
 */
static void domain_failed(struct xp_cli *cli, struct json_object *arr, struct outcome *o,
			  struct json_object *who, struct xp_error *err)
{
	o->failed++;
	note(o, xp_error_exit_code(err));
	if (who) {
		json_object_object_add(who, "error", xp_cli_error_json(err));
		json_object_array_add(arr, who);
	} else {
		fprintf(stderr, "%s: error: %s\n", cli->prog, err->message);
	}
	xp_error_destroy(err);
}

static void check_one(struct xp_cli *cli, struct xp_backend *be, const struct xp_domain_info *d,
		      const struct xp_check_options *opts, const struct check_args *a,
		      struct json_object *arr, struct outcome *o)
{
	struct xp_report *r = NULL;
	struct xp_error *err;

	err = xp_check_domain(be, d->domid, opts, &r);
	if (xp_signal_pending()) {
		/* cut short: what it found cannot be trusted (xp_cmd_check reports) */
		xp_error_destroy(err);
		xp_report_destroy(r);
		return;
	}
	if (err) {
		struct json_object *who = NULL;

		if (cli->json) {
			who = json_object_new_object();
			json_object_object_add(who, "domid", json_object_new_int64(d->domid));
			json_object_object_add(who, "name", json_object_new_string(d->name));
		}
		domain_failed(cli, arr, o, who, err);
		return;
	}
	switch (r->verdict) {
	case XP_VERDICT_CONSISTENT:
		o->consistent++;
		break;
	case XP_VERDICT_INCONSISTENT:
	case XP_VERDICT_UNSTABLE:
		o->inconsistent++;
		note(o, XP_EXIT_FINDINGS);
		break;
	default:
		o->other++;
		break;
	}
	if (cli->json)
		json_object_array_add(arr, xp_render_report_json(r));
	else
		xp_render_report_text(cli->out, r, a->max_findings);
	xp_report_destroy(r);
}

int xp_cmd_check(struct xp_cli *cli, int argc, char **argv)
{
	struct check_args a = {.max_findings = 10};
	struct xp_check_options opts;
	struct xp_symbols *syms = NULL;
	struct xp_backend *be = NULL;
	struct json_object *arr = NULL;
	struct outcome o = {0};
	struct xp_error *err;
	int i;

	xp_cli_parse(cli, &check_argp, argc, argv, &a);
	xp_check_options_init(&opts);
	opts.grants = !a.no_grants;
	if (a.symbols) {
		err = xp_symbols_load(a.symbols, &syms);
		if (err)
			return xp_cli_fail(cli, err);
		opts.symbols = syms;
	}
	err = xp_cli_backend(cli, &be);
	if (err) {
		xp_symbols_destroy(syms);
		return xp_cli_fail(cli, err);
	}
	if (cli->json)
		arr = json_object_new_array();

	if (a.all) {
		struct xp_domain_info *doms;
		size_t n, k;

		err = xp_backend_list_domains(be, &doms, &n);
		if (err) {
			json_object_put(arr);
			xp_backend_destroy(be);
			xp_symbols_destroy(syms);
			return xp_cli_fail(cli, err);
		}
		for (k = 0; k < n && !xp_signal_pending(); k++) {
			if (doms[k].type != XP_DOMAIN_PV) {
				if (!cli->json)
					fprintf(cli->out, "domain %u (%s): skipped, a %s guest\n",
						doms[k].domid, doms[k].name,
						xp_domain_type_name(doms[k].type));
				continue;
			}
			check_one(cli, be, &doms[k], &opts, &a, arr, &o);
		}
		free(doms);
	} else {
		for (i = 0; i < a.ndoms && !xp_signal_pending(); i++) {
			struct xp_domain_info d;

			err = xp_backend_resolve(be, a.doms[i], &d);
			if (err) {
				struct json_object *who = NULL;

				if (cli->json) {
					who = json_object_new_object();
					json_object_object_add(who, "domain",
							       json_object_new_string(a.doms[i]));
				}
				domain_failed(cli, arr, &o, who, err);
				continue;
			}
			check_one(cli, be, &d, &opts, &a, arr, &o);
		}
	}
	if (xp_signal_pending()) {
		/* everything unmapped first, then "interrupted" alone */
		json_object_put(arr);
		xp_backend_destroy(be);
		xp_symbols_destroy(syms);
		return xp_cli_fail(cli, xp_signal_error());
	}
	if (cli->json) {
		struct json_object *doc = xp_cli_json_doc(), *sum = json_object_new_object();

		json_object_object_add(doc, "domains", arr);
		json_object_object_add(sum, "consistent", json_object_new_int((int)o.consistent));
		json_object_object_add(sum, "inconsistent",
				       json_object_new_int((int)o.inconsistent));
		json_object_object_add(sum, "other", json_object_new_int((int)o.other));
		json_object_object_add(sum, "failed", json_object_new_int((int)o.failed));
		json_object_object_add(sum, "exit_code", json_object_new_int(o.code));
		json_object_object_add(doc, "summary", sum);
		xp_cli_json_print(cli, doc);
	}
	xp_backend_destroy(be);
	xp_symbols_destroy(syms);
	return o.code;
}
