// SPDX-License-Identifier: GPL-2.0
/* Snapshot files built by hand (snapfile.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xxhash.h>

#include "snapfile.h"

void snapfile_put(struct snapfile *f, const void *p, size_t n)
{
	if (f->len + n > f->cap) {
		size_t cap = (f->len + n) * 2 + 4096;
		uint8_t *b = realloc(f->buf, cap);

		if (!b)
			abort();
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
}

void snapfile_header(struct snapfile *f, uint32_t version, uint32_t flags)
{
	struct xp_snap_header h = {
		.version = version,
		.header_size = sizeof(h),
		.page_size = XP_SNAP_PAGE_SIZE,
		.flags = flags,
		.created = 1700000000,
	};

	memcpy(h.magic, XP_SNAP_MAGIC, sizeof(h.magic));
	snapfile_put(f, &h, sizeof(h));
}

void snapfile_record(struct snapfile *f, uint32_t type, uint32_t count, uint64_t length,
		     const void *body, size_t body_len)
{
	struct xp_snap_rec r = {.type = type, .count = count, .length = length};

	snapfile_put(f, &r, sizeof(r));
	if (body_len)
		snapfile_put(f, body, body_len);
}

void snapfile_domain(struct snapfile *f, uint64_t max_pfn)
{
	struct xp_snap_domain d = {
		.width = 8,
		.layout = 2,
		.max_pfn = max_pfn,
		.console_pfn = ~0ULL,
		.store_pfn = ~0ULL,
	};
	unsigned int i;

	for (i = 0; i < sizeof(d.uuid); i++)
		d.uuid[i] = (uint8_t)(i + 1);
	strcpy(d.name, "guest");
	snapfile_record(f, XP_SNAP_REC_DOMAIN, 1, sizeof(d), &d, sizeof(d));
}

void snapfile_end(struct snapfile *f, uint64_t nr_runs, uint64_t nr_pages)
{
	struct xp_snap_end e = {.nr_runs = nr_runs, .nr_pages = nr_pages};
	struct xp_snap_rec r = {.type = XP_SNAP_REC_END, .count = 1, .length = sizeof(e)};

	snapfile_put(f, &r, sizeof(r));
	e.checksum = XXH3_64bits(f->buf, f->len);
	snapfile_put(f, &e, sizeof(e));
}

int snapfile_fix_checksum(uint8_t *buf, size_t len)
{
	size_t pos = sizeof(struct xp_snap_header);
	struct xp_snap_rec r;

	while (pos + sizeof(r) <= len) {
		memcpy(&r, buf + pos, sizeof(r));
		if (r.type == XP_SNAP_REC_END) {
			uint64_t sum;

			if (pos + sizeof(r) + sizeof(struct xp_snap_end) > len)
				return 0;
			sum = XXH3_64bits(buf, pos + sizeof(r));
			memcpy(buf + pos + sizeof(r) + offsetof(struct xp_snap_end, checksum), &sum,
			       sizeof(sum));
			return 1;
		}
		if (r.length > len - pos - sizeof(r))
			return 0;
		pos += sizeof(r) + r.length;
	}
	return 0;
}

int snapfile_fd(const void *buf, size_t len)
{
	int fd = memfd_create("snapshot", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (len && write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

void snapfile_free(struct snapfile *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
}
