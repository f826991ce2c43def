// SPDX-License-Identifier: GPL-2.0
/*
 * bench-check HOST DOMID [REPEAT]: the speed of `xenp2m check` on one guest
 * of a simulated host, against a baseline measured in the same run: a plain
 * sequential read of the same leaf p2m pages (mapped in the same batches)
 * and of the M2P entries they touch -- the least any checker must do.
 * Prints pfns/s for both, their ratio, and each one's peak RSS (measured in
 * a child process of its own).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/backend.h"
#include "engine/inspector.h"
#include "engine/p2m.h"
#include "lib/util.h"

struct result {
	double seconds;
	uint64_t pfns;
	uint64_t checksum;
	long maxrss_kb;
	int ok;
};

static void die(struct xp_error *err)
{
	fprintf(stderr, "bench-check: %s\n", err->message);
	exit(1);
}

/* The baseline: leaf pages in batches, every entry, M2P of the valid ones. */
static void baseline(struct xp_backend *be, uint32_t domid, struct result *res)
{
	struct xp_p2m_leaves *l;
	struct xp_error *err;
	const uint64_t *m2p;
	uint64_t m2p_nr, k, sum = 0, pfns = 0, t0;
	unsigned int fpp;
	uint64_t *batch = malloc(XP_BATCH * sizeof(*batch));
	int *errs = malloc(XP_BATCH * sizeof(*errs));

	err = xp_p2m_leaves_read(be, domid, &l);
	if (!err)
		err = xp_backend_m2p_map(be, &m2p, &m2p_nr);
	if (err)
		die(err);
	fpp = (unsigned int)(XP_PAGE_SIZE / l->width);

	t0 = xp_now_ns();
	for (k = 0; k < l->count;) {
		const void *addr;
		size_t m = 0, j, i;

		while (k < l->count && m < XP_BATCH)
			batch[m++] = l->mfn[k++];
		err = xp_backend_map_frames(be, domid, batch, m, errs, &addr);
		if (err)
			die(err);
		for (j = 0; j < m; j++) {
			const uint64_t *p =
				(const uint64_t *)((const char *)addr + j * XP_PAGE_SIZE);

			if (errs[j])
				continue;
			for (i = 0; i < fpp; i++) {
				uint64_t e = l->width == 8 ? p[i] : ((const uint32_t *)p)[i];

				sum += e;
				if (e < m2p_nr)
					sum += m2p[e];
			}
			pfns += fpp;
		}
		xp_backend_unmap_frames(be, addr, m);
	}
	res->seconds = (double)(xp_now_ns() - t0) / 1e9;
	res->pfns = XP_MIN(pfns, l->max_pfn);
	res->checksum = sum;
	res->ok = 1;
	xp_p2m_leaves_destroy(l);
	free(batch);
	free(errs);
}

static void check(struct xp_backend *be, uint32_t domid, struct result *res)
{
	struct xp_report *r = NULL;
	struct xp_error *err;
	uint64_t t0 = xp_now_ns();

	err = xp_check_domain(be, domid, NULL, &r);
	if (err)
		die(err);
	res->seconds = (double)(xp_now_ns() - t0) / 1e9;
	res->pfns = r->p2m.pfns_checked;
	res->ok = r->verdict == XP_VERDICT_CONSISTENT;
	xp_report_destroy(r);
}

/* Run @fn in a child so that its peak RSS is its own. */
static struct result measure(const char *host, uint32_t domid,
			     void (*fn)(struct xp_backend *, uint32_t, struct result *))
{
	struct result res = {0};
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		exit(1);
	pid = fork();
	if (pid == 0) {
		struct xp_backend *be;
		struct xp_error *err = xp_backend_open("sim", host, &be);
		struct rusage ru;

		if (err)
			die(err);
		fn(be, domid, &res);
		xp_backend_destroy(be);
		getrusage(RUSAGE_SELF, &ru);
		res.maxrss_kb = ru.ru_maxrss;
		if (write(fds[1], &res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &res, sizeof(res)) != sizeof(res))
		fprintf(stderr, "bench-check: child failed\n");
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return res;
}

int main(int argc, char **argv)
{
	struct result base, chk, best_base = {0}, best_chk = {0};
	unsigned int repeat, i;
	uint64_t domid;
	char sz[32];

	if (argc < 3 || xp_parse_u64(argv[2], &domid)) {
		fprintf(stderr, "usage: bench-check HOST DOMID [REPEAT]\n");
		return 2;
	}
	repeat = argc > 3 ? (unsigned int)atoi(argv[3]) : 3;
	for (i = 0; i < repeat; i++) {
		base = measure(argv[1], (uint32_t)domid, baseline);
		chk = measure(argv[1], (uint32_t)domid, check);
		if (!i || base.seconds < best_base.seconds)
			best_base = base;
		if (!i || chk.seconds < best_chk.seconds)
			best_chk = chk;
	}
	printf("%-10s %12" PRIu64 " pfns  baseline %8.3f s %8.1f Mpfn/s %7ld MiB | check %8.3f s "
	       "%8.1f Mpfn/s %7ld MiB | check/baseline %.2fx%s\n",
	       xp_format_size(best_chk.pfns * 4096, sz, sizeof(sz)), best_chk.pfns,
	       best_base.seconds, best_base.pfns / best_base.seconds / 1e6,
	       best_base.maxrss_kb / 1024, best_chk.seconds, best_chk.pfns / best_chk.seconds / 1e6,
	       best_chk.maxrss_kb / 1024, best_chk.seconds / best_base.seconds,
	       best_chk.ok ? "" : "  (NOT CONSISTENT)");
	return 0;
}
