// SPDX-License-Identifier: GPL-2.0
/*
 * guest-tool: dom0's side of the guest module's real-Xen steps
 * (tests/xen/steps-module.sh).  It writes where xenp2m never does (the
 * xenp2m backend is read-only on purpose), so it lives with the tests.
 *
 *	guest-tool p2m-get DOMID PFN
 *	guest-tool p2m-set DOMID PFN VALUE
 *	guest-tool map [--write] [--hold FILE] DOMID SEED REF...
 *	guest-tool share [--write] DOMID SEED PAGES FILE
 *	guest-tool xs-dump PATH
 *
 * p2m-get prints a 64-bit PV guest's p2m entry of PFN, found through the mfn
 * tree its shared_info publishes; p2m-set writes VALUE there through a
 * writable foreign mapping of the leaf page and prints the old entry.
 * map maps the guest's grants REF... (libxengnttab), checks that page i
 * holds the module's pattern of SEED (doc/guest-module.md), and unmaps;
 * with --hold it first creates FILE and keeps the mapping until SIGTERM or
 * SIGINT.  share shares PAGES pages of dom0 with the guest (libxengntshr),
 * filled with the pattern of SEED, writes their refs "r,r,..." to FILE and
 * keeps them shared until SIGTERM or SIGINT.  xs-dump prints every xenstore
 * key under PATH as "relative/path=value", one per line, non-printable
 * bytes as \xNN (one read of many keys, for the shell steps).
 *
 * Exit: 0 done, 1 a page without the pattern, 2 usage, 3 a Xen call failed.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenstore.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>

#define PAGE 4096u
#define WORDS (PAGE / 8u)
#define PER_PAGE 512u
#define MAX_PAGES 256u

/* the module's pattern: splitmix64's finalizer of seed + golden * (index + 1) */
static uint64_t pattern(uint64_t seed, unsigned int page, unsigned int word)
{
	uint64_t x = seed + 0x9e3779b97f4a7c15ULL * ((((uint64_t)page << 32) | word) + 1);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int fail(const char *what)
{
	fprintf(stderr, "guest-tool: %s: %s\n", what, strerror(errno));
	return 3;
}

static bool number(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return *s && !*end && !errno;
}

/* one frame of DOMID, mapped with PROT */
static void *map_frame(xenforeignmemory_handle *fm, uint32_t domid, int prot, uint64_t mfn)
{
	xen_pfn_t f = mfn;
	int err = 0;
	void *p = xenforeignmemory_map(fm, domid, prot, 1, &f, &err);

	if (p && err) {
		xenforeignmemory_unmap(fm, p, 1);
		errno = -err;
		return NULL;
	}
	return p;
}

/* the p2m entry of pfn, read (and written when set) in the leaf page */
static int p2m_entry(uint32_t domid, uint64_t pfn, const uint64_t *set)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	uint64_t *top = NULL, *mid = NULL, *leaf = NULL;
	const shared_info_t *si = NULL;
	xc_domaininfo_t di;
	int rc = 3;

	if (!xch || !fm) {
		rc = fail("opening libxenctrl/libxenforeignmemory");
		goto out;
	}
	if (xc_domain_getinfolist(xch, domid, 1, &di) != 1 || di.domain != domid) {
		fprintf(stderr, "guest-tool: no domain %" PRIu32 "\n", domid);
		goto out;
	}
	si = map_frame(fm, domid, PROT_READ, di.shared_info_frame);
	if (!si) {
		rc = fail("mapping shared_info");
		goto out;
	}
	if (pfn >= si->arch.max_pfn || !si->arch.pfn_to_mfn_frame_list_list ||
	    si->arch.pfn_to_mfn_frame_list_list == ~0UL) {
		fprintf(stderr, "guest-tool: pfn 0x%" PRIx64 " is not in the published mfn tree\n",
			pfn);
		goto out;
	}
	top = map_frame(fm, domid, PROT_READ, si->arch.pfn_to_mfn_frame_list_list);
	mid = top ? map_frame(fm, domid, PROT_READ, top[pfn / PER_PAGE / PER_PAGE]) : NULL;
	leaf = mid ? map_frame(fm, domid, set ? PROT_READ | PROT_WRITE : PROT_READ,
			       mid[pfn / PER_PAGE % PER_PAGE])
		   : NULL;
	if (!leaf) {
		rc = fail("mapping the mfn tree down to the leaf");
		goto out;
	}
	printf("0x%" PRIx64 "\n", leaf[pfn % PER_PAGE]);
	if (set)
		leaf[pfn % PER_PAGE] = *set;
	rc = 0;
out:
	if (leaf)
		xenforeignmemory_unmap(fm, leaf, 1);
	if (mid)
		xenforeignmemory_unmap(fm, mid, 1);
	if (top)
		xenforeignmemory_unmap(fm, top, 1);
	if (si)
		xenforeignmemory_unmap(fm, (void *)si, 1);
	if (fm)
		xenforeignmemory_close(fm);
	if (xch)
		xc_interface_close(xch);
	return rc;
}

/* SIGTERM and SIGINT blocked now, waited for later */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigprocmask(SIG_BLOCK, set, NULL);
}

static int wait_signal(const sigset_t *set)
{
	int sig;

	return sigwait(set, &sig) ? -1 : sig;
}

/* write text to path atomically (the waiting shell never sees half a file) */
static int write_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	if (fputs(text, f) < 0 || fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* the keys under base/rel, depth-first; bounded: a guest writes these */
static int xs_dump_dir(struct xs_handle *xs, const char *base, const char *rel, int depth)
{
	char path[1024];
	unsigned int n, i, len, k;
	char **names;
	char *val;

	if (snprintf(path, sizeof(path), "%s%s%s", base, *rel ? "/" : "", rel) >= (int)sizeof(path))
		return 0;
	names = xs_directory(xs, XBT_NULL, path, &n);
	if (!names)
		return depth ? 0 : fail(path);
	for (i = 0; i < n && i < 1000; i++) {
		char sub[1024];

		if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", names[i]) >=
			    (int)sizeof(sub) ||
		    snprintf(path, sizeof(path), "%s/%s", base, sub) >= (int)sizeof(path))
			continue;
		val = xs_read(xs, XBT_NULL, path, &len);
		if (val && len) {
			printf("%s=", sub);
			for (k = 0; k < len; k++)
				printf(val[k] >= 0x20 && val[k] < 0x7f ? "%c" : "\\x%02x",
				       (unsigned char)val[k]);
			printf("\n");
		}
		free(val);
		if (depth < 8)
			xs_dump_dir(xs, base, sub, depth + 1);
	}
	free(names);
	return 0;
}

static int xs_dump(const char *base)
{
	struct xs_handle *xs = xs_open(XS_OPEN_READONLY);
	int rc;

	if (!xs)
		return fail("xs_open");
	rc = xs_dump_dir(xs, base, "", 0);
	xs_close(xs);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: guest-tool p2m-get DOMID PFN\n"
			"       guest-tool p2m-set DOMID PFN VALUE\n"
			"       guest-tool map [--write] [--hold FILE] DOMID SEED REF...\n"
			"       guest-tool share [--write] DOMID SEED PAGES FILE\n"
			"       guest-tool xs-dump PATH\n");
	return 2;
}

static int do_map(bool writable, const char *hold, uint32_t domid, uint64_t seed, int n,
		  char **refv)
{
	uint32_t refs[MAX_PAGES];
	xengnttab_handle *xgt;
	unsigned int good = 0, i, w;
	sigset_t set;
	uint64_t v;
	uint64_t *p;
	int rc = 0;

	if (n < 1 || n > (int)MAX_PAGES)
		return usage();
	for (i = 0; i < (unsigned int)n; i++) {
		if (!number(refv[i], &v) || v > UINT32_MAX)
			return usage();
		refs[i] = v;
	}
	block_signals(&set);
	xgt = xengnttab_open(NULL, 0);
	if (!xgt)
		return fail("xengnttab_open");
	p = xengnttab_map_domain_grant_refs(xgt, n, domid, refs,
					    writable ? PROT_READ | PROT_WRITE : PROT_READ);
	if (!p) {
		rc = fail("mapping the grants");
		xengnttab_close(xgt);
		return rc;
	}
	for (i = 0; i < (unsigned int)n; i++) {
		for (w = 0; w < WORDS && p[i * WORDS + w] == pattern(seed, i, w); w++)
			;
		if (w == WORDS) {
			good++;
		} else if (!rc) {
			printf("page %u (ref %" PRIu32 ") word %u: 0x%" PRIx64 ", not 0x%" PRIx64
			       "\n",
			       i, refs[i], w, p[i * WORDS + w], pattern(seed, i, w));
			rc = 1;
		}
	}
	printf("mapped %d pages%s: the pattern on %u\n", n, writable ? " writable" : "", good);
	fflush(stdout);
	if (hold && (write_file(hold, "mapped\n") || wait_signal(&set) < 0))
		rc = fail("holding the mapping");
	if (xengnttab_unmap(xgt, p, n))
		rc = fail("xengnttab_unmap");
	else if (hold)
		printf("unmapped %d\n", n);
	xengnttab_close(xgt);
	return rc;
}

static int do_share(bool writable, uint32_t domid, uint64_t seed, unsigned int n, const char *file)
{
	uint32_t refs[MAX_PAGES];
	char text[MAX_PAGES * 12];
	xengntshr_handle *xgs;
	unsigned int i, w;
	size_t len = 0;
	sigset_t set;
	uint64_t *p;
	int rc = 0;

	block_signals(&set);
	xgs = xengntshr_open(NULL, 0);
	if (!xgs)
		return fail("xengntshr_open");
	p = xengntshr_share_pages(xgs, domid, n, refs, writable);
	if (!p) {
		rc = fail("sharing the pages");
		xengntshr_close(xgs);
		return rc;
	}
	for (i = 0; i < n; i++)
		for (w = 0; w < WORDS; w++)
			p[i * WORDS + w] = pattern(seed, i, w);
	for (i = 0; i < n; i++)
		len += snprintf(text + len, sizeof(text) - len, "%s%" PRIu32, i ? "," : "",
				refs[i]);
	snprintf(text + len, sizeof(text) - len, "\n");
	if (write_file(file, text) || wait_signal(&set) < 0)
		rc = fail("waiting with the pages shared");
	if (xengntshr_unshare(xgs, p, n))
		rc = fail("xengntshr_unshare");
	else
		printf("unshared %u\n", n);
	xengntshr_close(xgs);
	return rc;
}

int main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "", *hold = NULL;
	uint64_t domid, a, b;
	bool writable = false;
	int i = 2;

	if (!strcmp(verb, "xs-dump"))
		return argc == 3 ? xs_dump(argv[2]) : usage();
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--write"))
			writable = true;
		else if (!strcmp(argv[i], "--hold") && i + 1 < argc)
			hold = argv[++i];
		else
			return usage();
	}
	if (argc - i < 2 || !number(argv[i], &domid) || domid >= DOMID_FIRST_RESERVED ||
	    !number(argv[i + 1], &a))
		return usage();
	argv += i + 2;
	argc -= i + 2;
	if (!strcmp(verb, "p2m-get") && argc == 0)
		return p2m_entry(domid, a, NULL);
	if (!strcmp(verb, "p2m-set") && argc == 1 && number(argv[0], &b))
		return p2m_entry(domid, a, &b);
	if (!strcmp(verb, "map") && argc >= 1)
		return do_map(writable, hold, domid, a, argc, argv);
	if (!strcmp(verb, "share") && argc == 2 && number(argv[0], &b) && b >= 1 && b <= MAX_PAGES)
		return do_share(writable, domid, a, b, argv[1]);
	return usage();
}
