// SPDX-License-Identifier: GPL-2.0
/*
 * p2m-compare: compare two dumps of a guest's p2m, entry by entry.
 *
 *	p2m-compare [--width 4] [--max N] A B	exit 0 same, 1 differ, 2 bad input
 *	p2m-compare --convert A			print A in xenp2m's --dump format
 *
 * Each file may be in either format, recognised line by line:
 *   xen-mfndump dump-p2m:  "  pfn=0x1f ==> mfn=0xba81f (type 0x0) [L1|pinned L1|...]"
 *   xenp2m show --dump:    "# header" then "0x1f 0xba81f valid"
 *                          (class: valid invalid identity foreign missing)
 * A bare "0" (what printf's %#x makes of zero) is read as 0x0.
 * Other lines (headers, banners) are skipped.  A class must fit its entry:
 * ~0 is invalid or missing, bit 63 foreign, bit 62 identity, else valid.
 * --width 4: a 32-bit guest, whose 0xffffffff means ~0.  --max: how many
 * differences to list (default 10).  A C tool, not awk, because the
 * real-Xen test runs it on 64 Ki-line dumps in an emulated dom0.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVALID (~0ULL)
#define MAX_PFNS (1ULL << 26) /* a 256 GiB guest; dumps beyond are refused */

enum cls {
	CLS_ABSENT = 0, /* no line for this pfn */
	CLS_NONE,	/* mfndump line: no class given */
	CLS_VALID,
	CLS_INVALID,
	CLS_IDENTITY,
	CLS_FOREIGN,
	CLS_MISSING,
};

static const char *const cls_names[] = {
	[CLS_VALID] = "valid",	   [CLS_INVALID] = "invalid", [CLS_IDENTITY] = "identity",
	[CLS_FOREIGN] = "foreign", [CLS_MISSING] = "missing",
};

struct dump {
	const char *path;
	uint64_t *val;
	uint8_t *cls;
	uint64_t *order; /* pfns in file order */
	size_t cap, n, norder, dup, badclass;
};

static unsigned int width = 8, max_list = 10;

static enum cls class_of(uint64_t v)
{
	if (v == INVALID)
		return CLS_INVALID;
	if (v >> 63)
		return CLS_FOREIGN;
	if ((v >> 62) & 1)
		return CLS_IDENTITY;
	return CLS_VALID;
}

static bool class_fits(enum cls c, uint64_t v)
{
	if (c == CLS_NONE)
		return true;
	if (c == CLS_MISSING)
		return v == INVALID;
	return c == class_of(v);
}

static int grow(struct dump *d, uint64_t pfn)
{
	size_t cap = d->cap ? d->cap : 4096;
	void *v, *c;

	while (cap <= pfn)
		cap *= 2;
	v = realloc(d->val, cap * sizeof(*d->val));
	if (v)
		d->val = v;
	c = realloc(d->cls, cap);
	if (c)
		d->cls = c;
	if (!v || !c)
		return -1;
	memset(d->cls + d->cap, CLS_ABSENT, cap - d->cap);
	d->cap = cap;
	return 0;
}

static void record(struct dump *d, uint64_t pfn, uint64_t v, enum cls c)
{
	void *o;

	if (width == 4 && v == 0xffffffffULL)
		v = INVALID;
	if (pfn >= MAX_PFNS || (pfn >= d->cap && grow(d, pfn))) {
		fprintf(stderr, "p2m-compare: %s: pfn 0x%" PRIx64 " is out of range\n", d->path,
			pfn);
		exit(2);
	}
	if (d->cls[pfn] != CLS_ABSENT) {
		d->dup++;
		return;
	}
	if (d->norder % 4096 == 0) {
		o = realloc(d->order, (d->norder + 4096) * sizeof(*d->order));
		if (!o)
			exit(2);
		d->order = o;
	}
	d->order[d->norder++] = pfn;
	d->val[pfn] = v;
	d->cls[pfn] = c;
	d->n++;
	if (!class_fits(c, v) && d->badclass++ < max_list)
		printf("bad class: %s pfn 0x%" PRIx64 " entry 0x%" PRIx64 " is not '%s'\n", d->path,
		       pfn, v, cls_names[c]);
}

static bool hex(const char **p, uint64_t *out)
{
	char *end;

	/* C's printf("%#x", 0) gives a bare "0": take it as zero */
	if ((*p)[0] == '0' && ((*p)[1] == ' ' || (*p)[1] == '\n' || !(*p)[1])) {
		*out = 0;
		*p += 1;
		return true;
	}
	if ((*p)[0] != '0' || ((*p)[1] != 'x' && (*p)[1] != 'X'))
		return false;
	errno = 0;
	*out = strtoull(*p + 2, &end, 16);
	if (end == *p + 2 || errno)
		return false;
	*p = end;
	return true;
}

static void parse_line(struct dump *d, const char *s)
{
	uint64_t pfn, v;
	size_t i;

	while (*s == ' ' || *s == '\t')
		s++;
	if (strncmp(s, "pfn=", 4) == 0) {
		s += 4;
		if (hex(&s, &pfn) && strncmp(s, " ==> mfn=", 9) == 0 && (s += 9, hex(&s, &v)))
			record(d, pfn, v, CLS_NONE);
		return;
	}
	if (!hex(&s, &pfn) || *s++ != ' ' || !hex(&s, &v) || *s++ != ' ')
		return;
	for (i = CLS_VALID; i <= CLS_MISSING; i++) {
		size_t len = strlen(cls_names[i]);

		if (strncmp(s, cls_names[i], len) == 0 && (s[len] == '\n' || !s[len])) {
			record(d, pfn, v, (enum cls)i);
			return;
		}
	}
}

static void load(struct dump *d, const char *path)
{
	char line[512];
	FILE *f;

	memset(d, 0, sizeof(*d));
	d->path = path;
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "p2m-compare: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (fgets(line, sizeof(line), f))
		parse_line(d, line);
	fclose(f);
}

static void dump_release(struct dump *d)
{
	free(d->val);
	free(d->cls);
	free(d->order);
}

static bool has(const struct dump *d, uint64_t pfn)
{
	return pfn < d->cap && d->cls[pfn] != CLS_ABSENT;
}

static void usage(void)
{
	fprintf(stderr, "usage: p2m-compare [--width 4] [--max N] A B\n"
			"       p2m-compare [--width 4] --convert A\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"width", required_argument, NULL, 'w'},
		{"max", required_argument, NULL, 'm'},
		{"convert", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	size_t i, differ = 0, only1 = 0, only2 = 0, bad;
	struct dump a, b;
	bool convert = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			width = (unsigned int)atoi(optarg);
			if (width != 4 && width != 8)
				usage();
			break;
		case 'm':
			max_list = (unsigned int)atoi(optarg);
			break;
		case 'c':
			convert = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != (convert ? 1 : 2))
		usage();
	load(&a, argv[optind]);
	if (convert) {
		if (!a.n) {
			fprintf(stderr, "p2m-compare: no p2m entries in %s\n", a.path);
			dump_release(&a);
			return 2;
		}
		printf("# pfn raw-entry class (converted by p2m-compare)\n");
		for (i = 0; i < a.norder; i++) {
			uint64_t pfn = a.order[i], v = a.val[pfn];

			printf("0x%" PRIx64 " 0x%" PRIx64 " %s\n", pfn, v, cls_names[class_of(v)]);
		}
		dump_release(&a);
		return 0;
	}
	load(&b, argv[optind + 1]);
	if (!a.n || !b.n) {
		fprintf(stderr,
			"p2m-compare: need two files with p2m entries (got %zu and %zu entries)\n",
			a.n, b.n);
		dump_release(&a);
		dump_release(&b);
		return 2;
	}
	for (i = 0; i < a.norder; i++) {
		uint64_t pfn = a.order[i];

		if (!has(&b, pfn)) {
			if (only1++ < max_list)
				printf("only in %s: pfn 0x%" PRIx64 "\n", a.path, pfn);
		} else if (a.val[pfn] != b.val[pfn] && differ++ < max_list) {
			printf("differ: pfn 0x%" PRIx64 ": 0x%" PRIx64 " vs 0x%" PRIx64 "\n", pfn,
			       a.val[pfn], b.val[pfn]);
		}
	}
	for (i = 0; i < b.norder; i++) {
		if (!has(&a, b.order[i]) && only2++ < max_list)
			printf("only in %s: pfn 0x%" PRIx64 "\n", b.path, b.order[i]);
	}
	printf("compared %zu pfns: %zu differ, %zu only in the first, %zu only in the second, "
	       "%zu bad class, %zu duplicate\n",
	       a.n - only1, differ, only1, only2, a.badclass + b.badclass, a.dup + b.dup);
	bad = differ + only1 + only2 + a.badclass + b.badclass + a.dup + b.dup;
	dump_release(&a);
	dump_release(&b);
	return bad ? 1 : 0;
}
