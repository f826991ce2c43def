// SPDX-License-Identifier: GPL-2.0
/*
 * page-poke: change one page of a PV guest through a writable foreign
 * mapping, for the real-Xen test of `verify --pages` (tests/xen/steps.sh).
 * xenp2m itself never writes a guest; this helper does, carefully: it only
 * ever writes a page that holds nothing (all zeros: memory the guest has
 * not used), and puts the zeros back.
 *
 *	page-poke find DOMID FIRST-PFN < DUMP   the first valid pfn >= FIRST-PFN
 *	                                        whose page is all zeros, from
 *	                                        `xenp2m show DOMID --dump`:
 *	                                        prints "PFN MFN" (hex)
 *	page-poke write DOMID MFN               its first 16 bytes := a pattern
 *	                                        (refused unless the page is zero)
 *	page-poke clear DOMID MFN               the pattern := zeros again
 *
 * Exit status 0, 1 when nothing was found or the page is not as expected,
 * 2 usage, 3 a mapping failed.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenforeignmemory.h>

#define PAGE 4096
#define BATCH 256

static const uint8_t pattern[16] = "xenp2m page-poke";
static const uint8_t zeros[PAGE];

/* Map @n frames of @domid; NULL (and a message) when the call fails. */
static void *map(xenforeignmemory_handle *fm, uint32_t domid, int prot, const uint64_t *mfns,
		 size_t n, int *errs)
{
	xen_pfn_t arr[BATCH];
	size_t i;
	void *p;

	for (i = 0; i < n; i++)
		arr[i] = mfns[i];
	p = xenforeignmemory_map(fm, domid, prot, n, arr, errs);
	if (!p)
		fprintf(stderr, "page-poke: mapping frames of domain %u: %s\n", domid,
			strerror(errno));
	return p;
}

static int find(xenforeignmemory_handle *fm, uint32_t domid, uint64_t first)
{
	uint64_t pfns[BATCH], mfns[BATCH], pfn, mfn;
	int errs[BATCH];
	char line[256], cls[32];
	size_t n = 0, i;
	int eof = 0;

	while (!eof) {
		eof = !fgets(line, sizeof(line), stdin);
		if (!eof &&
		    sscanf(line, "0x%" SCNx64 " 0x%" SCNx64 " %31s", &pfn, &mfn, cls) == 3 &&
		    pfn >= first && !strcmp(cls, "valid")) {
			pfns[n] = pfn;
			mfns[n++] = mfn;
		}
		if (n == BATCH || (eof && n)) {
			uint8_t *p = map(fm, domid, PROT_READ, mfns, n, errs);

			if (!p)
				return 3;
			for (i = 0; i < n; i++) {
				if (!errs[i] && !memcmp(p + i * PAGE, zeros, PAGE)) {
					printf("0x%" PRIx64 " 0x%" PRIx64 "\n", pfns[i], mfns[i]);
					xenforeignmemory_unmap(fm, p, n);
					return 0;
				}
			}
			xenforeignmemory_unmap(fm, p, n);
			n = 0;
		}
	}
	fprintf(stderr, "page-poke: no zero page at or after pfn 0x%" PRIx64 "\n", first);
	return 1;
}

static int poke(xenforeignmemory_handle *fm, uint32_t domid, uint64_t mfn, int write)
{
	int err = 0, rc = 0;
	uint8_t *p = map(fm, domid, PROT_READ | PROT_WRITE, &mfn, 1, &err);

	if (!p)
		return 3;
	if (err) {
		fprintf(stderr, "page-poke: frame 0x%" PRIx64 ": %s\n", mfn, strerror(-err));
		rc = 3;
	} else if (write && memcmp(p, zeros, PAGE)) {
		fprintf(stderr, "page-poke: frame 0x%" PRIx64 " is not a zero page: left alone\n",
			mfn);
		rc = 1;
	} else if (!write && (memcmp(p, pattern, sizeof(pattern)) ||
			      memcmp(p + sizeof(pattern), zeros, PAGE - sizeof(pattern)))) {
		fprintf(stderr,
			"page-poke: frame 0x%" PRIx64 " does not hold the pattern: left alone\n",
			mfn);
		rc = 1;
	} else {
		memcpy(p, write ? pattern : zeros, sizeof(pattern));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	xenforeignmemory_unmap(fm, p, 1);
	return rc;
}

int main(int argc, char **argv)
{
	xenforeignmemory_handle *fm;
	uint64_t domid, arg;
	char *end;
	int rc;

	if (argc != 4) {
		fprintf(stderr,
			"usage: page-poke find DOMID FIRST-PFN < DUMP | write|clear DOMID MFN\n");
		return 2;
	}
	domid = strtoull(argv[2], &end, 0);
	if (*end || domid >= 0x7ff0)
		return 2;
	arg = strtoull(argv[3], &end, 0);
	if (*end)
		return 2;
	fm = xenforeignmemory_open(NULL, 0);
	if (!fm) {
		fprintf(stderr, "page-poke: xenforeignmemory_open: %s\n", strerror(errno));
		return 3;
	}
	if (!strcmp(argv[1], "find"))
		rc = find(fm, (uint32_t)domid, arg);
	else if (!strcmp(argv[1], "write") || !strcmp(argv[1], "clear"))
		rc = poke(fm, (uint32_t)domid, arg, argv[1][0] == 'w');
	else
		rc = 2;
	xenforeignmemory_close(fm);
	return rc;
}
