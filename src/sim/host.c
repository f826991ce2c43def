// SPDX-License-Identifier: GPL-2.0
/*
 * The host file, writer side: format, open (validate, lock, map), the
 * domain table's seqlock and lookups.  The format itself is in hostfmt.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "sim/host.h"

static void host_map_tables(struct sim_host *h)
{
	h->hdr = (struct sim_host_header *)h->base;
	h->doms = (struct sim_domain *)(h->base + h->hdr->domtab_off);
	h->chunks = (struct sim_chunk *)(h->base + h->hdr->chunktab_off);
	h->frames = (struct sim_frame *)(h->base + h->hdr->frametab_off);
	h->m2p = (uint64_t *)(h->base + h->hdr->m2p_off);
	h->mem = h->base + h->hdr->mem_off;
	h->nr_frames = h->hdr->nr_frames;
}

static struct xp_error *host_map(struct sim_host *h)
{
	int prot = h->readonly ? PROT_READ : PROT_READ | PROT_WRITE;

	h->base = mmap(NULL, h->size, prot, MAP_SHARED | MAP_NORESERVE, h->fd, 0);
	if (h->base == MAP_FAILED) {
		h->base = NULL;
		return xp_error_create(XP_ERR_IO, errno, "%s: cannot map the host file: %s",
				       h->path, strerror(errno));
	}
	/*
	 * Most of the file is holes: readahead around a fault would zero large
	 * folios of holes nobody asked for (the tables are touched sparsely).
	 */
	madvise(h->base, h->size, MADV_RANDOM);
	host_map_tables(h);
	return NULL;
}

static struct sim_host *host_alloc(const char *path)
{
	struct sim_host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->fd = -1;
	h->path = strdup(path);
	if (!h->path) {
		free(h);
		return NULL;
	}
	return h;
}

struct xp_error *sim_host_format(const char *path, uint64_t mem_bytes, struct sim_host **out)
{
	struct sim_host_header hdr;
	struct xp_error *err;
	struct sim_host *h;
	char a[32], b[32];
	struct stat st;

	*out = NULL;
	if (mem_bytes < SIM_MIN_HOST_BYTES || mem_bytes > SIM_MAX_HOST_BYTES ||
	    mem_bytes % (SIM_CHUNK_FRAMES << SIM_PAGE_SHIFT))
		return xp_error_create(
			XP_ERR_INVALID, EINVAL,
			"invalid host memory size %llu bytes: must be between %s and "
			"%s, in steps of 4 MiB",
			(unsigned long long)mem_bytes,
			xp_format_size(SIM_MIN_HOST_BYTES, a, sizeof(a)),
			xp_format_size(SIM_MAX_HOST_BYTES, b, sizeof(b)));
	if (stat(path, &st) == 0)
		return xp_error_create(XP_ERR_EXISTS, EEXIST, "%s: host file already exists", path);
	h = host_alloc(path);
	if (!h || asprintf(&h->tmp_path, "%s.XXXXXX", path) < 0) {
		sim_host_destroy(h);
		return xp_error_nomem();
	}
	h->fd = mkostemp(h->tmp_path, O_CLOEXEC);
	if (h->fd < 0) {
		err = xp_error_create(XP_ERR_IO, errno, "%s: cannot create the host file: %s", path,
				      strerror(errno));
		free(h->tmp_path);
		h->tmp_path = NULL;
		sim_host_destroy(h);
		return err;
	}
	if (flock(h->fd, LOCK_EX) < 0)
		goto io_err;
	fchmod(h->fd, 0644);
	memset(&hdr, 0, sizeof(hdr));
	sim_layout(mem_bytes >> SIM_PAGE_SHIFT, &hdr);
	hdr.header_sum = sim_header_sum(&hdr);
	hdr.free_frames = hdr.nr_frames;
	hdr.next_domid = SIM_DOMID_FIRST;
	if (ftruncate(h->fd, (off_t)hdr.file_size) < 0)
		goto io_err;
	if (pwrite(h->fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		goto io_err;
	h->size = hdr.file_size;
	err = host_map(h);
	if (err) {
		sim_host_destroy(h);
		return err;
	}
	/* Xen keeps the first 4 MiB of the machine (MFN 0 is never a guest's). */
	sim_reserve_xen(h, 0, SIM_CHUNK_FRAMES);
	*out = h;
	return NULL;

io_err:
	err = xp_error_create(XP_ERR_IO, errno, "%s: cannot create the host file: %s", path,
			      strerror(errno));
	sim_host_destroy(h);
	return err;
}

struct xp_error *sim_host_publish(struct sim_host *h)
{
	if (!h->tmp_path)
		return NULL;
	if (msync(h->base, h->hdr->mem_off, MS_ASYNC) < 0) {
		/* not fatal: the data is in the page cache either way */
	}
	if (link(h->tmp_path, h->path) < 0) {
		int e = errno;

		if (e == EEXIST)
			return xp_error_create(XP_ERR_EXISTS, e, "%s: host file already exists",
					       h->path);
		return xp_error_create(XP_ERR_IO, e, "%s: cannot create the host file: %s", h->path,
				       strerror(e));
	}
	unlink(h->tmp_path);
	free(h->tmp_path);
	h->tmp_path = NULL;
	return NULL;
}

struct xp_error *sim_host_open(const char *path, bool readonly, struct sim_host **out)
{
	struct sim_host_header hdr;
	struct xp_error *err;
	struct sim_host *h;
	struct stat st;
	char why[160];
	ssize_t n;

	*out = NULL;
	h = host_alloc(path);
	if (!h)
		return xp_error_nomem();
	h->readonly = readonly;
	h->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (h->fd < 0) {
		int e = errno;

		sim_host_destroy(h);
		if (e == ENOENT)
			return xp_error_create(XP_ERR_IO, e,
					       "%s: no such host file (create one with "
					       "'xenp2m-sim init %s')",
					       path, path);
		return xp_error_create(XP_ERR_IO, e, "%s: cannot open the host file: %s", path,
				       strerror(e));
	}
	if ((!readonly && flock(h->fd, LOCK_EX) < 0) || fstat(h->fd, &st) < 0) {
		err = xp_error_create(XP_ERR_IO, errno, "%s: %s", path, strerror(errno));
		sim_host_destroy(h);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		sim_host_destroy(h);
		return xp_error_create(XP_ERR_FORMAT, EINVAL, "%s: not a regular file", path);
	}
	memset(&hdr, 0, sizeof(hdr));
	n = pread(h->fd, &hdr, sizeof(hdr), 0);
	if (n < 0) {
		err = xp_error_create(XP_ERR_IO, errno, "%s: %s", path, strerror(errno));
		sim_host_destroy(h);
		return err;
	}
	if (sim_header_check(&hdr, (uint64_t)st.st_size, why, sizeof(why)) < 0) {
		sim_host_destroy(h);
		return xp_error_create(XP_ERR_FORMAT, EINVAL, "%s: %s", path, why);
	}
	h->size = hdr.file_size;
	err = host_map(h);
	if (err) {
		sim_host_destroy(h);
		return err;
	}
	/* A writer that died inside a domain-table update left the seqlock odd. */
	if (!readonly && (h->hdr->domtab_seq & 1))
		__atomic_store_n(&h->hdr->domtab_seq, h->hdr->domtab_seq + 1, __ATOMIC_RELEASE);
	*out = h;
	return NULL;
}

void sim_host_destroy(struct sim_host *h)
{
	if (!h)
		return;
	if (h->base)
		munmap(h->base, h->size);
	if (h->tmp_path) {
		unlink(h->tmp_path);
		free(h->tmp_path);
	}
	if (h->fd >= 0)
		close(h->fd); /* drops the flock */
	free(h->path);
	free(h);
}

void sim_domtab_begin(struct sim_host *h)
{
	if (h->domtab_depth++ == 0) {
		__atomic_store_n(&h->hdr->domtab_seq, h->hdr->domtab_seq + 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
	}
}

void sim_domtab_end(struct sim_host *h)
{
	if (--h->domtab_depth == 0)
		__atomic_store_n(&h->hdr->domtab_seq, h->hdr->domtab_seq + 1, __ATOMIC_RELEASE);
}

struct sim_domain *sim_domain_by_id(struct sim_host *h, uint32_t domid)
{
	unsigned int i;

	for (i = 0; i < SIM_MAX_DOMAINS; i++)
		if (h->doms[i].state == SIM_DOM_LIVE && h->doms[i].domid == domid)
			return &h->doms[i];
	return NULL;
}

struct sim_domain *sim_domain_by_name(struct sim_host *h, const char *name)
{
	unsigned int i;

	for (i = 0; i < SIM_MAX_DOMAINS; i++)
		if (h->doms[i].state == SIM_DOM_LIVE &&
		    strncmp(h->doms[i].name, name, SIM_NAME_LEN) == 0)
			return &h->doms[i];
	return NULL;
}

struct xp_error *sim_domain_lookup(struct sim_host *h, const char *what, struct sim_domain **out)
{
	uint64_t id;

	*out = NULL;
	if (xp_parse_u64(what, &id) == 0) {
		if (id <= SIM_DOMID_LAST)
			*out = sim_domain_by_id(h, (uint32_t)id);
		if (!*out)
			return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %s",
					       what);
		return NULL;
	}
	if (strlen(what) < SIM_NAME_LEN)
		*out = sim_domain_by_name(h, what);
	if (!*out)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain named '%s'", what);
	return NULL;
}
