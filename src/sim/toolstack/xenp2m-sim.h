/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenp2m-sim, the simulated host's command line: what its verb groups
 * (cmd-*.c) share with its main (xenp2m-sim.c) and each other (cli.c).
 */
#ifndef XP_XENP2M_SIM_H
#define XP_XENP2M_SIM_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/dispatch.h"
#include "sim/toolstack/toolstack.h"

#define PROG "xenp2m-sim"
#define DEFAULT_HOST_MEMORY (4ULL << 40)
#define DOM0_MEMORY (256ULL << 20)

enum sim_exit {
	EXIT_OK = 0,
	EXIT_USAGE = 2,
	EXIT_RUNTIME = 3,
};

enum {
	OPT_MEMORY = 0x100,
	OPT_MAXMEM,
	OPT_NAME,
	OPT_WIDTH,
	OPT_LAYOUT,
	OPT_KERNEL,
	OPT_SEED,
	OPT_PAUSED,
	OPT_DELAY,
	OPT_INDEX,
	OPT_PFN,
	OPT_PAGES,
	OPT_REF,
	OPT_GNTTAB_VERSION,
	OPT_TO,
	OPT_BY,
	OPT_COUNT,
	OPT_READONLY,
};

struct opts {
	bool verbose;
	bool json;
	bool paused;
	bool checkpoint;
	const char *memory;
	const char *maxmem;
	const char *name;
	const char *output;
	unsigned int width;
	enum gk_layout layout;
	enum gk_variant variant;
	uint64_t seed;
	unsigned int delay_us;
	unsigned int gnttab_version;
	bool has_peer, readonly;
	uint16_t peer; /* --to, --by */
	unsigned int count;
	struct sim_corrupt_args corrupt;
	const char *args[4];
	unsigned int nargs;
	/* the verb being parsed and run, and how many arguments it takes */
	const struct xp_verb *verb;
	const struct xp_dispatcher *dispatcher;
	unsigned int nargs_max;
};

/* ---- cli.c ---- */

extern const struct argp_option sim_cli_delay_options[];

/* Parse a verb's arguments: @nargs positional ones, @options. */
void sim_cli_parse(struct opts *o, unsigned int nargs, const struct argp_option *options,
		   char *(*help_filter)(int key, const char *text, void *input), int argc,
		   char **argv);
/* Report @err (consumed) as "xenp2m-sim: error: ..."; its exit status. */
int sim_cli_fail(struct xp_error *err);
struct xp_error *sim_cli_parse_size(const char *what, const char *s, uint64_t *bytes);
struct xp_error *sim_cli_parse_ref(const char *s, uint32_t *ref);
/* A new host file of @bytes with its dom0. */
struct xp_error *sim_cli_host_init(const char *path, uint64_t bytes, bool verbose,
				   struct sim_host **out);
/* The host named by the first argument: to change it, or @readonly. */
struct xp_error *sim_cli_host_open(struct opts *o, bool readonly, struct sim_host **h);
/* ... and the domain the second argument names, to change it. */
struct xp_error *sim_cli_host_open_domain(struct opts *o, struct sim_host **h,
					  struct sim_domain **d);

/* ---- the verbs (argv[0] is the verb; @ctx the struct opts) ---- */

/* cmd-domains.c */
int sim_cmd_init(void *ctx, int argc, char **argv);
int sim_cmd_create(void *ctx, int argc, char **argv);
int sim_cmd_list(void *ctx, int argc, char **argv);
int sim_cmd_destroy(void *ctx, int argc, char **argv);
int sim_cmd_pause(void *ctx, int argc, char **argv);
int sim_cmd_unpause(void *ctx, int argc, char **argv);
int sim_cmd_rename(void *ctx, int argc, char **argv);
int sim_cmd_mem_set(void *ctx, int argc, char **argv);
int sim_cmd_symbols(void *ctx, int argc, char **argv);
/* cmd-save.c */
int sim_cmd_save(void *ctx, int argc, char **argv);
int sim_cmd_restore(void *ctx, int argc, char **argv);
int sim_cmd_migrate(void *ctx, int argc, char **argv);
/* cmd-corrupt.c */
int sim_cmd_corrupt(void *ctx, int argc, char **argv);
/* cmd-grants.c */
int sim_cmd_grant(void *ctx, int argc, char **argv);
int sim_cmd_ungrant(void *ctx, int argc, char **argv);
int sim_cmd_grant_map(void *ctx, int argc, char **argv);
int sim_cmd_grant_unmap(void *ctx, int argc, char **argv);

#endif
