// SPDX-License-Identifier: GPL-2.0
/* xenp2m-sim corrupt: inject a fault of one of the kinds (corrupt.c). */
#include "config.h"

#include <argp.h>
#include <errno.h>
#include <string.h>

#include "sim/toolstack/xenp2m-sim.h"

static const struct argp_option corrupt_options[] = {
	{"index", OPT_INDEX, "I", 0, "Entry I of the top-level page", 0},
	{"pfn", OPT_PFN, "P", 0, "The structure covering pfn P", 0},
	{"pages", OPT_PAGES, "N", 0, "max-pfn: the value to write", 0},
	{"ref", OPT_REF, "R", 0, "Grant entry R", 0},
	{0},
};

/* corrupt --help lists the kinds. */
static char *kinds_help(int key, const char *text, void *input)
{
	char *buf;
	size_t len;
	unsigned int i;
	FILE *f;

	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs("Kinds:\n", f);
	for (i = 0; i < sim_nr_corrupt_kinds; i++)
		fprintf(f, "  %-20s %-13s %s\n", sim_corrupt_kind(i)->name,
			sim_corrupt_kind(i)->args, sim_corrupt_kind(i)->summary);
	fclose(f);
	return buf;
}

int sim_cmd_corrupt(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;
	char msg[512];

	sim_cli_parse(o, 3, corrupt_options, kinds_help, argc, argv);
	o->corrupt.kind = o->args[2];
	err = sim_cli_host_open_domain(o, &h, &d);
	if (err)
		return sim_cli_fail(err);
	err = sim_corrupt(h, d, &o->corrupt, msg, sizeof(msg));
	if (!err)
		printf("%s\n", msg);
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
}
