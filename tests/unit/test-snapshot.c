// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot reader against files built by hand: a good one is read
 * back element by element, and every kind of bad one is refused with its
 * own message (an XP_ERR_FORMAT error: exit status 3).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snapfile.h"
#include "snapshot/snapshot.h"
#include "tap.h"

#define MAX_PFN 16U

/* Parts of a file, each replaceable by a test. */
struct parts {
	uint32_t version, flags;
	uint64_t max_pfn;
	struct xp_snap_run runs[4];
	uint32_t nruns;
	struct xp_snap_page pages[20];
	uint32_t npages;
	bool no_domain, domain_twice, pages_first;
	int64_t end_runs, end_pages; /* -1: right */
};

static uint64_t key(uint64_t pfn, unsigned int kind, unsigned int level, uint64_t flags)
{
	return pfn | (uint64_t)kind << XP_SNAP_PAGE_KIND_SHIFT |
	       (uint64_t)level << XP_SNAP_PAGE_LEVEL_SHIFT | flags;
}

/* 16 valid pfns on frames 0x1000 up; pages: 10 zero, 1 L1 table, 5 data */
static void good(struct parts *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->version = XP_SNAP_VERSION;
	p->flags = XP_SNAP_F_PAGES;
	p->max_pfn = MAX_PFN;
	p->runs[0] = (struct xp_snap_run){
		.entry = 0x1000, .count = 12, .cls = XP_ENTRY_VALID, .step = XP_SNAP_STEP_UP};
	p->runs[1] = (struct xp_snap_run){
		.entry = 0x2000, .count = 4, .cls = XP_ENTRY_VALID, .step = XP_SNAP_STEP_DOWN};
	p->nruns = 2;
	p->pages[0] = (struct xp_snap_page){key(0, XP_PAGE_DATA, 0, XP_SNAP_PAGE_ZERO), 10};
	p->pages[1] = (struct xp_snap_page){key(10, XP_PAGE_PAGE_TABLE, 1, 0), 0x1234};
	for (i = 0; i < 5; i++)
		p->pages[2 + i] =
			(struct xp_snap_page){key(11 + i, XP_PAGE_DATA, 0, 0), 0x5678 + i};
	p->npages = 7;
	p->end_runs = p->end_pages = -1;
}

static void build(const struct parts *p, struct snapfile *f)
{
	memset(f, 0, sizeof(*f));
	snapfile_header(f, p->version, p->flags);
	if (!p->no_domain)
		snapfile_domain(f, p->max_pfn);
	if (p->pages_first && p->npages)
		snapfile_record(f, XP_SNAP_REC_PAGES, p->npages, p->npages * 16ULL, p->pages,
				p->npages * 16);
	if (p->nruns)
		snapfile_record(f, XP_SNAP_REC_P2M, p->nruns, p->nruns * 16ULL, p->runs,
				p->nruns * 16);
	if (p->domain_twice)
		snapfile_domain(f, p->max_pfn);
	if (!p->pages_first && p->npages)
		snapfile_record(f, XP_SNAP_REC_PAGES, p->npages, p->npages * 16ULL, p->pages,
				p->npages * 16);
	snapfile_end(f, p->end_runs >= 0 ? (uint64_t)p->end_runs : p->nruns,
		     p->end_pages >= 0 ? (uint64_t)p->end_pages : p->npages);
}

/* Open @buf as a snapshot: NULL and *r when it is one, else the error. */
static struct xp_error *open_buf(const void *buf, size_t len, struct xp_snap_reader **r)
{
	int fd = snapfile_fd(buf, len);

	*r = NULL;
	if (fd < 0)
		return xp_error_create(XP_ERR_IO, 0, "memfd");
	return xp_snap_reader_open_fd(fd, "snap", r);
}

/* Refused with a message containing @want. */
static void refused(const void *buf, size_t len, const char *want, const char *what)
{
	struct xp_snap_reader *r;
	struct xp_error *err = open_buf(buf, len, &r);

	if (!ok(err && err->kind == XP_ERR_FORMAT && strstr(err->message, want) &&
			xp_error_exit_code(err) == 3,
		"%s: refused, exit status 3: '%s'", what, want))
		printf("#   got: %s\n", err ? err->message : "(accepted)");
	xp_error_destroy(err);
	xp_snap_reader_destroy(r);
}

static void refused_parts(const struct parts *p, const char *want, const char *what)
{
	struct snapfile f;

	build(p, &f);
	refused(f.buf, f.len, want, what);
	snapfile_free(&f);
}

static void test_good(void)
{
	struct xp_snap_reader *r;
	struct xp_snap_iter *it;
	const struct xp_snap_totals *t;
	struct xp_snap_run run;
	struct xp_snap_page pg;
	struct xp_error *err;
	struct parts p;
	struct snapfile f;
	unsigned int n = 0;
	bool end = false;

	good(&p);
	build(&p, &f);
	err = open_buf(f.buf, f.len, &r);
	if (!ok(!err, "a good file opens"))
		printf("#   %s\n", err->message);
	if (err) {
		xp_error_destroy(err);
		snapfile_free(&f);
		return;
	}
	is_str(xp_snap_reader_domain(r)->name, "guest", "its domain's name");
	is_u64(xp_snap_reader_domain(r)->max_pfn, MAX_PFN, "max_pfn");
	t = xp_snap_reader_totals(r);
	is_u64(t->pfns[XP_ENTRY_VALID], 16, "16 valid pfns");
	is_u64(t->runs, 2, "in 2 runs");
	is_u64(t->pages, 16, "16 pages");
	is_u64(t->zero_pages, 10, "10 of them zero");
	is_u64(t->by_kind[XP_PAGE_PAGE_TABLE], 1, "1 page table");
	is_u64(t->bytes, f.len, "the file's size");
	ok(!xp_snap_iter_create(r, XP_SNAP_REC_P2M, &it), "a pass over the runs");
	while (!xp_snap_iter_next(it, &run, &end) && !end)
		n++;
	is_int(n, 2, "2 runs read back");
	is_u64(run.entry, 0x2000, "the last one's entry");
	xp_snap_iter_destroy(it);
	n = 0;
	ok(!xp_snap_iter_create(r, XP_SNAP_REC_PAGES, &it), "a pass over the pages");
	while (!xp_snap_iter_next(it, &pg, &end) && !end)
		n++;
	is_int(n, 7, "7 page entries read back");
	is_u64(pg.value, 0x567c, "the last one's hash");
	xp_snap_iter_destroy(it);
	xp_snap_reader_destroy(r);

	/* P2M and PAGES records may come in either order */
	snapfile_free(&f);
	p.pages_first = true;
	build(&p, &f);
	err = open_buf(f.buf, f.len, &r);
	ok(!err, "pages before the runs: opens");
	xp_error_destroy(err);
	xp_snap_reader_destroy(r);
	snapfile_free(&f);
}

static void test_damaged(void)
{
	struct snapfile f;
	struct parts p;
	size_t cut;

	good(&p);
	build(&p, &f);
	refused(f.buf, 0, "not a xenp2m snapshot", "an empty file");
	refused(f.buf, 5, "not a xenp2m snapshot", "5 bytes");
	refused(f.buf, 40, "truncated", "cut in the header");
	for (cut = 64; cut < f.len; cut += 61)
		refused(f.buf, cut, "truncated", "cut short");
	refused(f.buf, f.len - 1, "truncated", "the last byte missing");
	f.buf[200] ^= 0x40;
	refused(f.buf, f.len, "checksum mismatch", "one bit flipped");
	f.buf[200] ^= 0x40;
	f.buf[0] = 'Y';
	refused(f.buf, f.len, "no XP2MSNAP magic", "another magic");
	f.buf[0] = 'X';
	snapfile_put(&f, "garbage!", 8);
	refused(f.buf, f.len, "8 bytes after the END record", "garbage after END");
	snapfile_free(&f);

	p.version = 2;
	refused_parts(&p, "snapshot format version 2: this xenp2m reads version 1",
		      "another format version");
	good(&p);
	p.flags = 6;
	refused_parts(&p, "bad header", "unknown flags");
}

static void test_records(void)
{
	struct xp_snap_run run = {.count = 1};
	struct snapfile f;
	struct parts p;

	good(&p);
	p.no_domain = true;
	refused_parts(&p, "the first record is P2M, not DOMAIN", "no DOMAIN record");
	good(&p);
	p.domain_twice = true;
	refused_parts(&p, "a second DOMAIN record", "two DOMAIN records");
	good(&p);
	p.end_runs = 3;
	refused_parts(&p, "the END record's counts", "END counts wrong");

	memset(&f, 0, sizeof(f));
	snapfile_header(&f, XP_SNAP_VERSION, 0);
	snapfile_domain(&f, 1);
	snapfile_record(&f, 9, 1, 16, &run, 16);
	snapfile_end(&f, 0, 0);
	refused(f.buf, f.len, "unknown record type 9", "an unknown record type");
	snapfile_free(&f);

	snapfile_header(&f, XP_SNAP_VERSION, 0);
	snapfile_domain(&f, 1);
	snapfile_record(&f, XP_SNAP_REC_P2M, 0, 0, NULL, 0);
	snapfile_end(&f, 0, 0);
	refused(f.buf, f.len, "with 0 elements", "a record of 0 elements");
	snapfile_free(&f);

	snapfile_header(&f, XP_SNAP_VERSION, 0);
	snapfile_domain(&f, 1);
	snapfile_record(&f, XP_SNAP_REC_P2M, XP_SNAP_MAX_COUNT + 1, 16ULL * (XP_SNAP_MAX_COUNT + 1),
			NULL, 0);
	refused(f.buf, f.len, "with 4097 elements", "a record of 4097 elements");
	snapfile_free(&f);

	snapfile_header(&f, XP_SNAP_VERSION, 0);
	snapfile_domain(&f, 1);
	snapfile_record(&f, XP_SNAP_REC_P2M, 1, 1ULL << 40, &run, 16);
	snapfile_end(&f, 1, 0);
	refused(f.buf, f.len, "bytes for 1 elements", "a length that is not count x size");
	snapfile_free(&f);

	snapfile_header(&f, XP_SNAP_VERSION, XP_SNAP_F_PAGES);
	snapfile_domain(&f, 1);
	snapfile_record(&f, XP_SNAP_REC_P2M, 2, 16ULL * 2, &run, 16);
	refused(f.buf, f.len, "runs past the end of the file", "a record longer than the file");
	snapfile_free(&f);
}

static void test_domain(void)
{
	struct xp_snap_domain d;
	struct snapfile f = {0};
	struct xp_snap_run run = {.count = 1};

	snapfile_header(&f, XP_SNAP_VERSION, 0);
	snapfile_domain(&f, 1);
	memcpy(&d, f.buf + 64 + 16, sizeof(d));
	d.width = 3;
	memcpy(f.buf + 64 + 16, &d, sizeof(d));
	snapfile_record(&f, XP_SNAP_REC_P2M, 1, 16, &run, 16);
	snapfile_end(&f, 1, 0);
	refused(f.buf, f.len, "bad DOMAIN record", "a width of 3 bytes");
	d.width = 8;
	memset(d.name, 'x', sizeof(d.name));
	memcpy(f.buf + 64 + 16, &d, sizeof(d));
	snapfile_fix_checksum(f.buf, f.len);
	refused(f.buf, f.len, "bad DOMAIN record", "a name without its NUL");
	d.name[0] = '\0';
	d.max_pfn = XP_SNAP_MAX_PFN + 1;
	memcpy(f.buf + 64 + 16, &d, sizeof(d));
	snapfile_fix_checksum(f.buf, f.len);
	refused(f.buf, f.len, "beyond what any guest can have", "an absurd max_pfn");
	d.max_pfn = 1;
	d.store_pfn = 5;
	memcpy(f.buf + 64 + 16, &d, sizeof(d));
	snapfile_fix_checksum(f.buf, f.len);
	refused(f.buf, f.len, "ring pfns beyond max_pfn", "a ring beyond max_pfn");
	snapfile_free(&f);
}

static void test_elements(void)
{
	struct parts p;

	good(&p);
	p.runs[1].count = 5;
	refused_parts(&p, "the p2m runs cover more than max_pfn", "runs beyond max_pfn");
	good(&p);
	p.runs[1].count = 3;
	p.npages = 6; /* pfn 15 has no page now: the pages are right */
	refused_parts(&p, "the p2m runs cover 0xf pfns, max_pfn is 0x10", "runs short of max_pfn");
	good(&p);
	p.runs[0].cls = 7;
	refused_parts(&p, "bad p2m run", "an unknown class");
	good(&p);
	p.runs[0].step = 3;
	refused_parts(&p, "bad p2m run", "an unknown step");
	good(&p);
	p.runs[0].count = 0;
	refused_parts(&p, "bad p2m run", "a run of 0 pfns");
	good(&p);
	p.runs[1].cls = XP_ENTRY_INVALID;
	refused_parts(&p, "a page entry for pfn 0xc, which is invalid", "a page of an invalid pfn");
	good(&p);
	p.runs[1].cls = XP_ENTRY_INVALID | XP_SNAP_RUN_UNREACHABLE;
	refused_parts(&p, "which is unreachable", "a page of an unreachable pfn");
	good(&p);
	p.pages[3].key = key(11, XP_PAGE_DATA, 0, 0);
	refused_parts(&p, "page entries out of order at pfn 0xb", "two pages of one pfn");
	good(&p);
	p.pages[6].key = key(MAX_PFN, XP_PAGE_DATA, 0, 0);
	refused_parts(&p, "beyond max_pfn", "a page beyond max_pfn");
	good(&p);
	p.pages[0].value = 11;
	refused_parts(&p, "out of order", "a zero run over the next page");
	good(&p);
	p.pages[0].value = 0;
	refused_parts(&p, "empty run of zero pages", "a zero run of 0 pages");
	good(&p);
	p.npages = 6;
	refused_parts(&p, "15 page entries for 16 valid pfns", "a valid pfn without its page");
	good(&p);
	p.pages[1].key = key(10, XP_PAGE_PAGE_TABLE, 0, 0);
	refused_parts(&p, "bad page entry", "a page table of level 0");
	good(&p);
	p.pages[2].key = key(11, XP_PAGE_DATA, 2, 0);
	refused_parts(&p, "bad page entry", "a data page with a level");
	good(&p);
	p.pages[2].key = key(11, XP_PAGE_NR_KINDS, 0, 0);
	refused_parts(&p, "bad page entry", "an unknown kind");
	good(&p);
	p.pages[2].key |= XP_SNAP_PAGE_ZERO | XP_SNAP_PAGE_UNREADABLE;
	refused_parts(&p, "bad page entry", "zero and unreadable at once");
	good(&p);
	p.pages[2].key |= 1ULL << 63;
	refused_parts(&p, "bad page entry", "an unknown flag");
	good(&p);
	p.flags = 0;
	refused_parts(&p, "PAGES record in a snapshot without pages", "pages without the flag");
}

int main(void)
{
	test_good();
	test_damaged();
	test_records();
	test_domain();
	test_elements();
	return tap_done();
}
