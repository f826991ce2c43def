// SPDX-License-Identifier: GPL-2.0
/*
 * The backend wrappers (src/backend/backend.c) over a backend that has
 * almost no operations: a missing one is "unsupported", never success; the
 * wrappers count what is mapped; after SIGINT/SIGTERM/SIGHUP (lib/signal.h)
 * the ones that map refuse with "interrupted" while unmapping still works.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/backend.h"
#include "lib/signal.h"
#include "tap.h"

static unsigned int nr_maps, nr_unmaps;
static char page[4096];

static void fake_destroy(struct xp_backend *be)
{
	free(be);
}

static struct xp_error *fake_map_frames(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
					size_t count, int *errs, const void **addr)
{
	nr_maps++;
	errs[0] = 0;
	*addr = page;
	return NULL;
}

static void fake_unmap_frames(struct xp_backend *be, const void *addr, size_t count)
{
	nr_unmaps++;
}

static const struct xp_backend_ops fake_ops = {
	.name = "fake",
	.destroy = fake_destroy,
	.map_frames = fake_map_frames,
	.unmap_frames = fake_unmap_frames,
};

static struct xp_error *fake_grant_map(struct xp_backend *be, uint32_t domid, uint32_t ref,
				       bool readonly, void **addr)
{
	nr_maps++;
	*addr = page;
	return NULL;
}

static struct xp_error *fake_grant_frames_map(struct xp_backend *be, uint32_t domid, bool status,
					      unsigned int first, unsigned int count,
					      const void **addr)
{
	nr_maps++;
	*addr = page;
	return NULL;
}

/* The same with the grant operations, for the interrupt tests. */
static const struct xp_backend_ops fake_grant_ops = {
	.name = "fake-grants",
	.destroy = fake_destroy,
	.map_frames = fake_map_frames,
	.unmap_frames = fake_unmap_frames,
	.grant_map = fake_grant_map,
	.grant_frames_map = fake_grant_frames_map,
};

static struct xp_backend *fake_open(const struct xp_backend_ops *ops)
{
	struct xp_backend *be = calloc(1, sizeof(*be));

	if (!be)
		abort();
	be->ops = ops;
	return be;
}

/* @err's message (consumed), "" for none. */
static const char *msg(struct xp_error *err)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s", err ? err->message : "");
	xp_error_destroy(err);
	return buf;
}

static void test_unsupported(void)
{
	struct xp_backend *be = fake_open(&fake_ops), *c = NULL;
	const void *cp = NULL;
	void *p = page;
	unsigned int v, n, ns, max;

	is_str(msg(xp_backend_clone(be, &c)), "cloning a handle: not supported by the fake backend",
	       "clone: unsupported");
	ok(!c, "and no handle");
	is_str(msg(xp_backend_grant_map(be, 1, 8, true, &p)),
	       "mapping grants: not supported by the fake backend", "grant_map: unsupported");
	ok(!p, "and no address");
	is_str(msg(xp_backend_grant_unmap(be, page)),
	       "unmapping grants: not supported by the fake backend", "grant_unmap: unsupported");
	is_str(msg(xp_backend_grant_frames_map(be, 1, false, 0, 1, &cp)),
	       "mapping grant-table frames: not supported by the fake backend",
	       "grant_frames_map: unsupported");
	is_str(msg(xp_backend_grant_table_info(be, 1, &v, &n, &ns, &max)),
	       "grant table information: not supported by the fake backend",
	       "grant_table_info: unsupported");
	{
		struct xp_error *err = xp_backend_grant_map(be, 1, 8, true, &p);

		is_int(err ? err->kind : 0, XP_ERR_UNSUPPORTED, "as XP_ERR_UNSUPPORTED");
		xp_error_destroy(err);
	}
	xp_backend_destroy(be);
	xp_backend_destroy(NULL);
}

static void test_counts(void)
{
	struct xp_backend *be = fake_open(&fake_ops);
	struct xp_backend_mappings m;
	const void *a = NULL, *b = NULL;
	uint64_t mfn = 5;
	int e;

	xp_backend_mappings(be, &m);
	ok(m.frames == 0 && m.grant_frames == 0 && m.grants == 0,
	   "a new handle has nothing mapped");
	ok(!xp_backend_map_frames(be, 1, &mfn, 1, &e, &a) &&
		   !xp_backend_map_frames(be, 1, &mfn, 1, &e, &b),
	   "two batches mapped");
	xp_backend_mappings(be, &m);
	is_int(m.frames, 2, "two regions mapped");
	xp_backend_unmap_frames(be, a, 1);
	xp_backend_unmap_frames(be, NULL, 1);
	xp_backend_mappings(be, &m);
	is_int(m.frames, 1, "one after an unmap (unmapping NULL counts nothing)");
	xp_backend_unmap_frames(be, b, 1);
	xp_backend_mappings(be, &m);
	is_int(m.frames, 0, "none after both");
	is_str(msg(xp_backend_map_frames(be, 1, &mfn, 0, &e, &a)), "mapping zero frames",
	       "zero frames are refused");
	xp_backend_destroy(be);
}

/* In a child: is a signal ignored at startup left ignored? */
static int child_ignored(void)
{
	signal(SIGHUP, SIG_IGN);
	xp_signal_install();
	raise(SIGHUP);
	return xp_signal_pending() ? 1 : 0;
}

/* In a child: interrupted by SIGTERM, it ends killed by SIGTERM. */
static int child_reraise(void)
{
	xp_signal_install();
	xp_signal_reraise(); /* nothing arrived: returns */
	raise(SIGTERM);
	if (!xp_signal_pending())
		return 2;
	xp_signal_reraise();
	return 3;
}

static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void test_signals(void)
{
	struct xp_backend *be = fake_open(&fake_grant_ops);
	struct xp_backend_mappings m;
	const void *a = NULL;
	struct xp_error *err;
	uint64_t mfn = 5;
	void *g = page;
	int e, status;

	status = in_child(child_ignored);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a signal ignored at startup (nohup) stays ignored");
	status = in_child(child_reraise);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	   "xp_signal_reraise ends the process killed by the signal that arrived");

	ok(!xp_signal_pending() && xp_signal_caught() == 0, "no signal yet");
	ok(!xp_backend_map_frames(be, 1, &mfn, 1, &e, &a), "a batch mapped before the signal");
	xp_signal_install();
	raise(SIGINT);
	ok(xp_signal_pending() && xp_signal_caught() == SIGINT,
	   "SIGINT is caught, the process lives");
	raise(SIGTERM);
	is_int(xp_signal_caught(), SIGINT, "the first signal is the one remembered");
	nr_maps = 0;
	err = xp_backend_map_frames(be, 1, &mfn, 1, &e, &a);
	is_str(err ? err->message : "", "interrupted by SIGINT", "mapping frames is refused");
	is_int(err ? err->kind : 0, XP_ERR_INTERRUPTED, "as XP_ERR_INTERRUPTED");
	is_int(err ? xp_error_exit_code(err) : 0, 130, "which maps to 128 + SIGINT");
	is_str(xp_errkind_name(XP_ERR_INTERRUPTED), "interrupted", "named 'interrupted' in JSON");
	xp_error_destroy(err);
	is_int(nr_maps, 0, "without asking the backend");
	err = xp_backend_grant_map(be, 1, 8, true, &g);
	is_int(err ? err->kind : 0, XP_ERR_INTERRUPTED, "mapping a grant is refused before the op");
	xp_error_destroy(err);
	err = xp_backend_grant_frames_map(be, 1, false, 0, 1, &a);
	is_int(err ? err->kind : 0, XP_ERR_INTERRUPTED, "so is mapping grant frames");
	xp_error_destroy(err);
	is_int(nr_maps, 0, "neither reached the backend");
	nr_unmaps = 0;
	xp_backend_unmap_frames(be, page, 1);
	xp_backend_mappings(be, &m);
	ok(nr_unmaps == 1 && m.frames == 0, "unmapping still works: cleanup after the signal");
	xp_backend_destroy(be);
}

int main(void)
{
	test_unsupported();
	test_counts();
	test_signals();
	return tap_done();
}
