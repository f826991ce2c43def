// SPDX-License-Identifier: GPL-2.0
/* xenp2m-sim's save, restore and migrate. */
#include "config.h"

#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/toolstack/xenp2m-sim.h"

static const struct argp_option save_options[] = {
	{"checkpoint", 'c', NULL, 0, "Leave the domain running after saving it", 0},
	{"paused", 'p', NULL, 0,
	 "Leave the domain paused, suspended as it was saved (xl save -p); unpause cancels "
	 "the suspend",
	 0},
	{"delay-us", OPT_DELAY, "N", 0, "Sleep N microseconds between page batches", 0},
	{0},
};

static const struct argp_option restore_options[] = {
	{"paused", OPT_PAUSED, NULL, 0,
	 "Leave the domain paused, before the guest's resume path runs", 0},
	{0},
};

int sim_cmd_save(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;
	bool was_paused;
	int fd;

	sim_cli_parse(o, 3, save_options, NULL, argc, argv);
	if (o->checkpoint && o->paused) {
		fprintf(stderr, "%s save: --checkpoint and --paused are mutually exclusive\n",
			PROG);
		return EXIT_USAGE;
	}
	err = sim_cli_host_open_domain(o, &h, &d);
	if (err)
		return sim_cli_fail(err);
	was_paused = d->flags & SIM_DOMF_PAUSED;
	fd = open(o->args[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = xp_error_create(XP_ERR_IO, errno, "%s: %s", o->args[2], strerror(errno));
		sim_host_destroy(h);
		return sim_cli_fail(err);
	}
	err = sim_save(h, d, fd, o->delay_us);
	if (close(fd) < 0 && !err)
		err = xp_error_create(XP_ERR_IO, errno, "%s: %s", o->args[2], strerror(errno));
	if (err) {
		unlink(o->args[2]);
	} else if (o->paused) {
		/* as the stream has it: the guest runs its cancel once unpaused */
		sim_domtab_begin(h);
		if (d->pending == SIM_PENDING_NONE)
			d->pending = SIM_PENDING_CANCEL;
		sim_domtab_end(h);
	} else if (o->checkpoint) {
		/* the guest carries on: its suspend was "cancelled" */
		err = sim_suspend_cancel(h, d);
		if (!was_paused)
			sim_domain_set_flags(h, d, 0, SIM_DOMF_PAUSED);
	} else {
		/* xl save: the saved domain is gone */
		sim_domain_destroy(h, d);
	}
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
}

int sim_cmd_restore(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_restore_args ra = {0};
	struct sim_domain *d = NULL;
	struct xp_error *err;
	struct sim_host *h;
	int fd;

	sim_cli_parse(o, 2, restore_options, NULL, argc, argv);
	ra.paused = o->paused;
	err = sim_cli_host_open(o, false, &h);
	if (err)
		return sim_cli_fail(err);
	fd = open(o->args[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = xp_error_create(XP_ERR_IO, errno, "%s: %s", o->args[1], strerror(errno));
	} else {
		err = sim_restore(h, fd, &ra, &d);
		close(fd);
		if (err && err->kind == XP_ERR_FORMAT &&
		    strncmp(err->message, "save file:", 10) == 0) {
			/* name the file the user gave */
			char msg[sizeof(err->message)];

			snprintf(msg, sizeof(msg), "%s:%s", o->args[1], err->message + 10);
			memcpy(err->message, msg, sizeof(msg));
		}
	}
	if (!err)
		printf("%u\n", d->domid);
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
}

int sim_cmd_migrate(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d, *nd;
	struct xp_error *err;
	struct sim_host *h;

	sim_cli_parse(o, 2, sim_cli_delay_options, NULL, argc, argv);
	err = sim_cli_host_open_domain(o, &h, &d);
	if (err)
		return sim_cli_fail(err);
	err = sim_migrate(h, d, o->delay_us, &nd);
	if (!err)
		printf("%u\n", nd->domid);
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
}
