// SPDX-License-Identifier: GPL-2.0
/*
 * bench-snapshot [--sim=HOST] DOMID|NAME [REPEAT]: the speed of `xenp2m
 * snapshot --pages` on one guest -- of the simulated host in HOST, or of
 * the running Xen host without it -- against a baseline measured in the same run: a
 * plain read of the same pages (the valid pfns' frames, found through the
 * p2m as snapshot finds it, mapped in batches of 1024, every word read).  Prints pages
 * and MiB/s for both, and their ratio; the best of REPEAT (default 3).
 * Figures, not a test.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "engine/scan.h"
#include "lib/util.h"
#include "snapshot/snapshot.h"

struct plain {
	struct xp_backend *be;
	uint32_t domid;
	uint64_t mfns[XP_BATCH];
	int errs[XP_BATCH];
	size_t n;
	uint64_t pages, sum;
	struct xp_error *err;
};

static void die(struct xp_error *err)
{
	fprintf(stderr, "bench-snapshot: %s\n", err->message);
	exit(1);
}

/* Map a batch of frames and read every word of every page. */
static void read_batch(struct plain *p)
{
	const uint64_t *addr = NULL;
	size_t j, i;

	if (!p->n || p->err)
		return;
	p->err = xp_backend_map_frames(p->be, p->domid, p->mfns, p->n, p->errs,
				       (const void **)&addr);
	if (p->err)
		return;
	for (j = 0; j < p->n; j++) {
		if (p->errs[j])
			continue;
		for (i = 0; i < XP_PAGE_SIZE / 8; i++)
			p->sum += addr[j * (XP_PAGE_SIZE / 8) + i];
		p->pages++;
	}
	xp_backend_unmap_frames(p->be, addr, p->n);
	p->n = 0;
}

static int on_pfn(void *arg, const struct xp_scan_item *it)
{
	struct plain *p = arg;

	if (it->cls != XP_ENTRY_VALID)
		return 0;
	p->mfns[p->n++] = it->entry;
	if (p->n == XP_BATCH)
		read_batch(p);
	return p->err != NULL;
}

static double baseline(struct xp_backend *be, uint32_t domid, uint64_t *pages)
{
	struct plain *p = calloc(1, sizeof(*p));
	struct xp_scan_options o = {.pages = false};
	struct xp_scan_info info;
	uint64_t t0 = xp_now_ns();
	struct xp_error *err;
	int stopped;
	double s;

	if (!p)
		exit(1);
	p->be = be;
	p->domid = domid;
	/* the p2m found as snapshot finds it (a guest restored paused too) */
	err = xp_scan(be, domid, &o, &info, on_pfn, p, &stopped);
	read_batch(p);
	if (!err)
		err = p->err;
	if (err)
		die(err);
	s = (double)(xp_now_ns() - t0) / 1e9;
	*pages = p->pages;
	/* the sum keeps the reads from being optimised away */
	if (p->sum == 0x5a5a5a5a5a5a5a5aULL)
		fputc(' ', stderr);
	free(p);
	return s;
}

static double snapshot(struct xp_backend *be, const struct xp_domain_info *d, const char *path,
		       uint64_t *pages, uint64_t *bytes)
{
	struct xp_snapshot_options o = {.pages = true};
	struct xp_snapshot_result res;
	struct xp_error *err;
	uint64_t t0 = xp_now_ns();
	double s;

	err = xp_snapshot_take(be, d, path, &o, &res);
	if (err)
		die(err);
	s = (double)(xp_now_ns() - t0) / 1e9;
	*pages = res.totals.pages;
	*bytes = res.totals.bytes;
	xp_snapshot_result_release(&res);
	unlink(path);
	return s;
}

int main(int argc, char **argv)
{
	const char *host = NULL, *dom;
	double best_base = 0, best_snap = 0, t;
	uint64_t pages = 0, spages = 0, bytes = 0;
	unsigned int repeat = 3, i;
	struct xp_domain_info d;
	struct xp_backend *be;
	struct xp_error *err;
	char path[] = "/tmp/bench-snapshot.XXXXXX", sz[32];
	int fd;

	if (argc > 1 && !strncmp(argv[1], "--sim=", 6)) {
		host = argv[1] + 6;
		argv++;
		argc--;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bench-snapshot [--sim=HOST] DOMID|NAME [REPEAT]\n");
		return 2;
	}
	dom = argv[1];
	if (argc > 2)
		repeat = (unsigned int)atoi(argv[2]);
	err = xp_backend_open(host ? "sim" : NULL, host, &be);
	if (!err)
		err = xp_backend_resolve(be, dom, &d);
	if (err)
		die(err);
	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	for (i = 0; i < XP_MAX(repeat, 1u); i++) {
		t = baseline(be, d.domid, &pages);
		if (!i || t < best_base)
			best_base = t;
		t = snapshot(be, &d, path, &spages, &bytes);
		if (!i || t < best_snap)
			best_snap = t;
	}
	xp_backend_destroy(be);
	printf("%-10s %10" PRIu64 " pages  plain read %8.3f s %8.1f MiB/s | snapshot --pages "
	       "%8.3f s %8.1f MiB/s, %" PRIu64 " bytes | snapshot/plain %.2fx\n",
	       xp_format_size(pages * XP_PAGE_SIZE, sz, sizeof(sz)), pages, best_base,
	       (double)pages * XP_PAGE_SIZE / best_base / (1 << 20), best_snap,
	       (double)spages * XP_PAGE_SIZE / best_snap / (1 << 20), bytes, best_snap / best_base);
	return 0;
}
