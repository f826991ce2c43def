// SPDX-License-Identifier: GPL-2.0
/*
 * Reading snapshot files (format.h), which are hostile input: a file is
 * validated whole before anything is compared with it -- every record's
 * size against its count and the file's end, every element's fields,
 * the order of the pfns, the counts against each other and against
 * max_pfn, every page entry against the class of its pfn, and the
 * checksum.  Memory stays at one record (64 KiB) per pass, whatever the
 * file claims.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "lib/util.h"
#include "snapshot/snapshot.h"

#define BODY_MAX ((size_t)XP_SNAP_MAX_COUNT * 16)

struct xp_snap_reader {
	int fd;
	char *name;
	uint64_t size;
	struct xp_snap_header hdr;
	struct xp_snap_domain dom;
	struct xp_snap_totals totals;
};

struct xp_snap_iter {
	struct xp_snap_reader *r;
	enum xp_snap_rec_type type;
	uint64_t pos; /* the next record header */
	uint8_t *buf;
	uint32_t n, i;
	bool end;
	uint64_t covered; /* P2M: pfns so far; PAGES: the pfn after the last */
	bool any;
};

static struct xp_error *bad(const struct xp_snap_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct xp_error *bad(const struct xp_snap_reader *r, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return xp_error_create(XP_ERR_FORMAT, EINVAL, "%s: %s", r->name, msg);
}

/* Exactly @len bytes at @pos, or an error naming where the file ends. */
static struct xp_error *rd(struct xp_snap_reader *r, uint64_t pos, void *buf, uint64_t len)
{
	uint64_t done = 0;

	if (pos > r->size || len > r->size - pos)
		return bad(r,
			   "truncated: the file ends at byte %" PRIu64
			   " before its END record (a copy cut short?)",
			   r->size);
	while (done < len) {
		ssize_t n = pread(r->fd, (uint8_t *)buf + done, len - done, (off_t)(pos + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return xp_error_create(XP_ERR_IO, errno, "%s: %s", r->name,
					       strerror(errno));
		if (n == 0)
			return bad(r, "truncated: the file ends at byte %" PRIu64 " (it shrank?)",
				   pos + done);
		done += (uint64_t)n;
	}
	return NULL;
}

static size_t elem_size(uint32_t type)
{
	switch (type) {
	case XP_SNAP_REC_DOMAIN:
		return sizeof(struct xp_snap_domain);
	case XP_SNAP_REC_P2M:
		return sizeof(struct xp_snap_run);
	case XP_SNAP_REC_PAGES:
		return sizeof(struct xp_snap_page);
	case XP_SNAP_REC_END:
		return sizeof(struct xp_snap_end);
	}
	return 0;
}

static const char *rec_name(uint32_t type)
{
	switch (type) {
	case XP_SNAP_REC_DOMAIN:
		return "DOMAIN";
	case XP_SNAP_REC_P2M:
		return "P2M";
	case XP_SNAP_REC_PAGES:
		return "PAGES";
	case XP_SNAP_REC_END:
		return "END";
	}
	return "unknown";
}

/* A record header at @pos, checked against its type and the file's end. */
static struct xp_error *rec_at(struct xp_snap_reader *r, uint64_t pos, struct xp_snap_rec *rec)
{
	struct xp_error *err = rd(r, pos, rec, sizeof(*rec));
	size_t es;

	if (err)
		return err;
	es = elem_size(rec->type);
	if (!es)
		return bad(r, "unknown record type %u at offset %" PRIu64, rec->type, pos);
	if ((rec->type == XP_SNAP_REC_DOMAIN || rec->type == XP_SNAP_REC_END) && rec->count != 1)
		return bad(r, "%s record at offset %" PRIu64 " with %u elements",
			   rec_name(rec->type), pos, rec->count);
	if (rec->count == 0 || rec->count > XP_SNAP_MAX_COUNT)
		return bad(r, "%s record at offset %" PRIu64 " with %u elements (1 to %u)",
			   rec_name(rec->type), pos, rec->count, XP_SNAP_MAX_COUNT);
	if (rec->length != (uint64_t)rec->count * es)
		return bad(r,
			   "%s record at offset %" PRIu64 ": %" PRIu64
			   " bytes for %u elements of %zu",
			   rec_name(rec->type), pos, rec->length, rec->count, es);
	if (rec->length > r->size - XP_MIN(r->size, pos + sizeof(*rec)))
		return bad(r,
			   "truncated: the %s record at offset %" PRIu64
			   " runs past the end of the file (%" PRIu64 " bytes)",
			   rec_name(rec->type), pos, r->size);
	return NULL;
}

/* ----------------------------------------------------------- elements */

static struct xp_error *check_run(struct xp_snap_iter *it, const struct xp_snap_run *run)
{
	struct xp_snap_reader *r = it->r;
	unsigned int cls = run->cls & ~XP_SNAP_RUN_UNREACHABLE;

	if (run->count == 0 || cls >= XP_ENTRY_NR_CLASSES || run->step > XP_SNAP_STEP_DOWN ||
	    run->reserved)
		return bad(r, "bad p2m run at pfn 0x%" PRIx64 " (class %u, step %u, %u pfns)",
			   it->covered, run->cls, run->step, run->count);
	if (run->count > r->dom.max_pfn - it->covered)
		return bad(r, "the p2m runs cover more than max_pfn 0x%" PRIx64, r->dom.max_pfn);
	it->covered += run->count;
	return NULL;
}

static struct xp_error *check_page(struct xp_snap_iter *it, const struct xp_snap_page *p)
{
	struct xp_snap_reader *r = it->r;
	uint64_t pfn = p->key & XP_SNAP_PAGE_PFN_MASK, n = 1;
	unsigned int kind = (p->key >> XP_SNAP_PAGE_KIND_SHIFT) & XP_SNAP_PAGE_KIND_MASK;
	unsigned int level = (p->key >> XP_SNAP_PAGE_LEVEL_SHIFT) & XP_SNAP_PAGE_LEVEL_MASK;

	if ((p->key & ~XP_SNAP_PAGE_KNOWN_BITS) || kind >= XP_PAGE_NR_KINDS ||
	    (kind == XP_PAGE_PAGE_TABLE) != (level >= 1 && level <= 4) ||
	    ((p->key & XP_SNAP_PAGE_ZERO) && (p->key & XP_SNAP_PAGE_UNREADABLE)))
		return bad(r, "bad page entry 0x%016" PRIx64, p->key);
	if (p->key & XP_SNAP_PAGE_ZERO)
		n = p->value;
	if (n == 0)
		return bad(r, "empty run of zero pages at pfn 0x%" PRIx64, pfn);
	if (it->any && pfn < it->covered)
		return bad(r, "page entries out of order at pfn 0x%" PRIx64, pfn);
	if (pfn >= r->dom.max_pfn || n > r->dom.max_pfn - pfn)
		return bad(r,
			   "page entry for pfns 0x%" PRIx64 " (+%" PRIu64
			   ") beyond max_pfn 0x%" PRIx64,
			   pfn, n, r->dom.max_pfn);
	it->any = true;
	it->covered = pfn + n;
	return NULL;
}

/* ----------------------------------------------------------- iterators */

struct xp_error *xp_snap_iter_create(struct xp_snap_reader *r, enum xp_snap_rec_type type,
				     struct xp_snap_iter **out)
{
	struct xp_snap_iter *it = calloc(1, sizeof(*it));

	*out = NULL;
	if (!it || !(it->buf = malloc(BODY_MAX))) {
		free(it);
		return xp_error_nomem();
	}
	it->r = r;
	it->type = type;
	it->pos = sizeof(struct xp_snap_header);
	*out = it;
	return NULL;
}

void xp_snap_iter_destroy(struct xp_snap_iter *it)
{
	if (!it)
		return;
	free(it->buf);
	free(it);
}

struct xp_error *xp_snap_iter_next(struct xp_snap_iter *it, void *elem, bool *end)
{
	size_t es = elem_size(it->type);
	struct xp_error *err;

	*end = false;
	while (it->i == it->n) {
		struct xp_snap_rec rec;

		if (it->end) {
			*end = true;
			return NULL;
		}
		err = rec_at(it->r, it->pos, &rec);
		if (err)
			return err;
		if (rec.type == XP_SNAP_REC_END) {
			it->end = true;
			continue;
		}
		if (rec.type == it->type) {
			err = rd(it->r, it->pos + sizeof(rec), it->buf, rec.length);
			if (err)
				return err;
			it->n = rec.count;
			it->i = 0;
		}
		it->pos += sizeof(rec) + rec.length;
	}
	memcpy(elem, it->buf + (size_t)it->i * es, es);
	it->i++;
	if (it->type == XP_SNAP_REC_P2M)
		return check_run(it, elem);
	if (it->type == XP_SNAP_REC_PAGES)
		return check_page(it, elem);
	return NULL;
}

/* ----------------------------------------------------------- validation */

static struct xp_error *check_header(struct xp_snap_reader *r)
{
	struct xp_snap_header *h = &r->hdr;
	struct xp_error *err;
	size_t i;

	if (r->size < sizeof(h->magic) || (err = rd(r, 0, h->magic, sizeof(h->magic))) != NULL ||
	    memcmp(h->magic, XP_SNAP_MAGIC, sizeof(h->magic)) != 0) {
		if (r->size >= sizeof(h->magic) && err)
			return err;
		return bad(r, "not a xenp2m snapshot (no XP2MSNAP magic at its start)");
	}
	err = rd(r, 0, h, sizeof(*h));
	if (err)
		return err;
	if (h->version != XP_SNAP_VERSION)
		return bad(r, "snapshot format version %u: this xenp2m reads version %u",
			   h->version, XP_SNAP_VERSION);
	if (h->header_size != sizeof(*h) || h->page_size != XP_SNAP_PAGE_SIZE ||
	    (h->flags & ~(uint32_t)XP_SNAP_F_PAGES))
		return bad(r, "bad header (size %u, page size %u, flags 0x%x)", h->header_size,
			   h->page_size, h->flags);
	for (i = 0; i < sizeof(h->reserved); i++)
		if (h->reserved[i])
			return bad(r, "bad header (reserved bytes set)");
	return NULL;
}

static struct xp_error *check_domain(struct xp_snap_reader *r)
{
	const struct xp_snap_domain *d = &r->dom;
	size_t i;

	if (!memchr(d->name, '\0', sizeof(d->name)) || (d->width != 4 && d->width != 8) ||
	    d->layout > XP_LAYOUT_LIST_ONLY || d->verdict > XP_VERDICT_NOT_PUBLISHED ||
	    d->via > XP_SCAN_VIA_VCPU_CR3 ||
	    (d->flags & ~(uint32_t)(XP_SNAP_D_PAUSED | XP_SNAP_D_TREE_WALKED |
				    XP_SNAP_D_LIST_WALKED | XP_SNAP_D_GRANTS_CHECKED)))
		return bad(r, "bad DOMAIN record");
	if (d->max_pfn > XP_SNAP_MAX_PFN)
		return bad(r, "max_pfn 0x%" PRIx64 " is beyond what any guest can have",
			   d->max_pfn);
	if ((d->console_pfn != ~0ULL && d->console_pfn >= d->max_pfn) ||
	    (d->store_pfn != ~0ULL && d->store_pfn >= d->max_pfn))
		return bad(r, "ring pfns beyond max_pfn");
	for (i = 0; i < XP_ARRAY_SIZE(d->reserved); i++)
		if (d->reserved[i])
			return bad(r, "bad DOMAIN record (reserved fields set)");
	return NULL;
}

/* The records in file order: structure, sizes, the checksum, the end. */
static struct xp_error *check_records(struct xp_snap_reader *r, uint64_t *nruns, uint64_t *npages)
{
	XXH3_state_t *h = XXH3_createState();
	uint8_t *buf = malloc(BODY_MAX);
	uint64_t pos = sizeof(r->hdr);
	struct xp_error *err = NULL;
	struct xp_snap_end end;
	bool first = true;

	*nruns = *npages = 0;
	if (!h || !buf) {
		err = xp_error_nomem();
		goto out;
	}
	XXH3_64bits_reset(h);
	XXH3_64bits_update(h, &r->hdr, sizeof(r->hdr));
	for (;;) {
		struct xp_snap_rec rec;

		err = rec_at(r, pos, &rec);
		if (err)
			goto out;
		XXH3_64bits_update(h, &rec, sizeof(rec));
		if (first && rec.type != XP_SNAP_REC_DOMAIN) {
			err = bad(r, "the first record is %s, not DOMAIN", rec_name(rec.type));
			goto out;
		}
		if (!first && rec.type == XP_SNAP_REC_DOMAIN) {
			err = bad(r, "a second DOMAIN record at offset %" PRIu64, pos);
			goto out;
		}
		if (rec.type == XP_SNAP_REC_END)
			break;
		err = rd(r, pos + sizeof(rec), buf, rec.length);
		if (err)
			goto out;
		XXH3_64bits_update(h, buf, rec.length);
		if (first) {
			memcpy(&r->dom, buf, sizeof(r->dom));
			err = check_domain(r);
			if (err)
				goto out;
		}
		if (rec.type == XP_SNAP_REC_PAGES && !(r->hdr.flags & XP_SNAP_F_PAGES)) {
			err = bad(r, "PAGES record in a snapshot without pages");
			goto out;
		}
		*nruns += rec.type == XP_SNAP_REC_P2M ? rec.count : 0;
		*npages += rec.type == XP_SNAP_REC_PAGES ? rec.count : 0;
		first = false;
		pos += sizeof(rec) + rec.length;
	}
	err = rd(r, pos + sizeof(struct xp_snap_rec), &end, sizeof(end));
	if (err)
		goto out;
	pos += sizeof(struct xp_snap_rec) + sizeof(end);
	if (end.checksum != XXH3_64bits_digest(h))
		err = bad(r, "corrupt: checksum mismatch (the file was changed or damaged)");
	else if (pos != r->size)
		err = bad(r, "%" PRIu64 " bytes after the END record", r->size - pos);
	else if (end.nr_runs != *nruns || end.nr_pages != *npages || end.reserved)
		err = bad(r,
			  "the END record's counts (%" PRIu64 " runs, %" PRIu64
			  " pages) are not the file's (%" PRIu64 ", %" PRIu64 ")",
			  end.nr_runs, end.nr_pages, *nruns, *npages);
out:
	XXH3_freeState(h);
	free(buf);
	return err;
}

/* Count a run into the totals. */
static void count_run(struct xp_snap_totals *t, const struct xp_snap_run *run)
{
	t->runs++;
	t->pfns[run->cls & ~XP_SNAP_RUN_UNREACHABLE] += run->count;
	if (run->cls & XP_SNAP_RUN_UNREACHABLE)
		t->unreachable += run->count;
}

/*
 * The elements: the runs cover max_pfn exactly, and every page entry names
 * valid pfns (each once: there are as many page entries as valid pfns).
 */
static struct xp_error *check_elements(struct xp_snap_reader *r)
{
	struct xp_snap_iter *runs = NULL, *pages = NULL;
	struct xp_snap_totals *t = &r->totals;
	struct xp_snap_run run = {0};
	uint64_t run_end = 0, run_start = 0;
	struct xp_error *err;
	bool done = false, end = false;

	err = xp_snap_iter_create(r, XP_SNAP_REC_P2M, &runs);
	if (!err)
		err = xp_snap_iter_create(r, XP_SNAP_REC_PAGES, &pages);
	while (!err && (r->hdr.flags & XP_SNAP_F_PAGES)) {
		struct xp_snap_page p;
		uint64_t pfn, n;
		unsigned int kind;

		err = xp_snap_iter_next(pages, &p, &done);
		if (err || done)
			break;
		pfn = p.key & XP_SNAP_PAGE_PFN_MASK;
		n = p.key & XP_SNAP_PAGE_ZERO ? p.value : 1;
		kind = (p.key >> XP_SNAP_PAGE_KIND_SHIFT) & XP_SNAP_PAGE_KIND_MASK;
		t->pages += n;
		t->by_kind[kind] += n;
		t->zero_pages += p.key & XP_SNAP_PAGE_ZERO ? n : 0;
		t->unreadable += !!(p.key & XP_SNAP_PAGE_UNREADABLE);
		/* pfns [pfn, pfn + n) must all be in valid runs */
		while (!err && n) {
			while (!err && run_end <= pfn) {
				err = xp_snap_iter_next(runs, &run, &end);
				if (!err && end)
					err = bad(r,
						  "a page entry for pfn 0x%" PRIx64
						  " beyond the p2m runs",
						  pfn);
				if (!err && !end) {
					count_run(t, &run);
					run_start = run_end;
					run_end += run.count;
				}
			}
			if (err)
				break;
			if (run.cls != XP_ENTRY_VALID || pfn < run_start) {
				err = bad(r, "a page entry for pfn 0x%" PRIx64 ", which is %s", pfn,
					  run.cls & XP_SNAP_RUN_UNREACHABLE
						  ? "unreachable"
						  : xp_entry_class_name(run.cls));
				break;
			}
			uint64_t k = XP_MIN(n, run_end - pfn);

			pfn += k;
			n -= k;
		}
	}
	while (!err && !end) {
		err = xp_snap_iter_next(runs, &run, &end);
		if (!err && !end)
			count_run(t, &run);
	}
	if (!err) {
		uint64_t covered = 0;
		int c;

		for (c = 0; c < XP_ENTRY_NR_CLASSES; c++)
			covered += t->pfns[c];
		if (covered != r->dom.max_pfn)
			err = bad(r, "the p2m runs cover 0x%" PRIx64 " pfns, max_pfn is 0x%" PRIx64,
				  covered, r->dom.max_pfn);
		else if ((r->hdr.flags & XP_SNAP_F_PAGES) && t->pages != t->pfns[XP_ENTRY_VALID])
			err = bad(r, "%" PRIu64 " page entries for %" PRIu64 " valid pfns",
				  t->pages, t->pfns[XP_ENTRY_VALID]);
	}
	xp_snap_iter_destroy(runs);
	xp_snap_iter_destroy(pages);
	return err;
}

struct xp_error *xp_snap_reader_open_fd(int fd, const char *name, struct xp_snap_reader **out)
{
	struct xp_snap_reader *r;
	struct xp_error *err;
	uint64_t nruns, npages;
	struct stat st;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->name = strdup(name))) {
		free(r);
		close(fd);
		return xp_error_nomem();
	}
	r->fd = fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err = xp_error_create(XP_ERR_IO, EINVAL, "%s: not a regular file", name);
		goto fail;
	}
	r->size = (uint64_t)st.st_size;
	err = check_header(r);
	if (!err)
		err = check_records(r, &nruns, &npages);
	if (!err)
		err = check_elements(r);
	if (err)
		goto fail;
	r->totals.bytes = r->size;
	*out = r;
	return NULL;
fail:
	xp_snap_reader_destroy(r);
	return err;
}

struct xp_error *xp_snap_reader_open(const char *path, struct xp_snap_reader **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return xp_error_create(errno == EACCES ? XP_ERR_PERM : XP_ERR_IO, errno, "%s: %s",
				       path, strerror(errno));
	return xp_snap_reader_open_fd(fd, path, out);
}

void xp_snap_reader_destroy(struct xp_snap_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r);
}

const char *xp_snap_reader_name(const struct xp_snap_reader *r)
{
	return r->name;
}

const struct xp_snap_header *xp_snap_reader_header(const struct xp_snap_reader *r)
{
	return &r->hdr;
}

const struct xp_snap_domain *xp_snap_reader_domain(const struct xp_snap_reader *r)
{
	return &r->dom;
}

const struct xp_snap_totals *xp_snap_reader_totals(const struct xp_snap_reader *r)
{
	return &r->totals;
}
