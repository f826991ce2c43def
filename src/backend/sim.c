// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated-host backend: the inspector's view of a host file written
 * by xenp2m-sim (format: src/sim/hostfmt.h).
 *
 * Like a dom0 tool on real Xen, it takes no lock: domain facts come from
 * the domain table read under its seqlock, guest frames are mapped
 * read-only straight from the file (MAP_SHARED, so changes made by the
 * simulator show up as they happen), each frame checked against the
 * per-frame owner table as Xen checks a foreign mapping.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/backend.h"
#include "sim/hostfmt.h"

struct sim_be {
	char *path;
	int fd;
	const uint8_t *meta; /* [0, mem_off): header and tables, read-only */
	uint64_t meta_size;
	const struct sim_host_header *hdr;
	const struct sim_domain *doms;
	const struct sim_chunk *chunks;
	const struct sim_frame *frames;
	const uint64_t *m2p;
	uint64_t nr_frames;
	uint64_t mem_off;
	struct sim_domain *snap; /* SIM_MAX_DOMAINS entries */
};

static struct sim_be *to_sim(struct xp_backend *be)
{
	return be->priv;
}

static void sim_destroy(struct xp_backend *be)
{
	struct sim_be *s = to_sim(be);

	if (s) {
		if (s->meta)
			munmap((void *)s->meta, s->meta_size);
		if (s->fd >= 0)
			close(s->fd);
		free(s->snap);
		free(s->path);
		free(s);
	}
	free(be);
}

static struct xp_error *snapshot(struct sim_be *s)
{
	if (sim_domtab_read(s->hdr, s->doms, s->snap) < 0)
		return xp_error_create(XP_ERR_RUNTIME, EBUSY,
				       "%s: the domain table stays locked by a writer", s->path);
	return NULL;
}

static const struct sim_domain *snap_find(struct sim_be *s, uint32_t domid)
{
	unsigned int i;

	for (i = 0; i < SIM_MAX_DOMAINS; i++)
		if (s->snap[i].state == SIM_DOM_LIVE && s->snap[i].domid == domid)
			return &s->snap[i];
	return NULL;
}

static void fill_info(const struct sim_domain *d, struct xp_domain_info *info)
{
	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	_Static_assert(sizeof(info->name) == sizeof(d->name), "domain names fit");
	memcpy(info->name, d->name, sizeof(info->name));
	info->name[sizeof(info->name) - 1] = '\0';
	info->type = XP_DOMAIN_PV;
	info->guest_width = d->width;
	info->max_pages = d->max_pages;
	info->tot_pages = d->tot_pages;
	info->shared_info_frame = d->shared_info_mfn;
	info->nr_vcpus = d->nr_vcpus;
	info->paused = d->flags & SIM_DOMF_PAUSED;
	info->dying = d->flags & SIM_DOMF_DYING;
	info->crashed = d->flags & SIM_DOMF_CRASHED;
	info->shutdown = d->flags & SIM_DOMF_SHUTDOWN;
	memcpy(info->handle, d->handle, sizeof(info->handle));
}

static struct xp_error *sim_host_info(struct xp_backend *be, struct xp_host_info *info)
{
	struct sim_be *s = to_sim(be);

	info->max_mfn = s->nr_frames;
	info->xen_major = 4;
	info->xen_minor = 17;
	snprintf(info->xen_extra, sizeof(info->xen_extra), ".0-sim");
	snprintf(info->backend, sizeof(info->backend), "sim");
	return NULL;
}

static int cmp_domid(const void *a, const void *b)
{
	const struct xp_domain_info *x = a, *y = b;

	return x->domid < y->domid ? -1 : x->domid > y->domid;
}

static struct xp_error *sim_list_domains(struct xp_backend *be, struct xp_domain_info **infos,
					 size_t *count)
{
	struct sim_be *s = to_sim(be);
	struct xp_domain_info *v;
	struct xp_error *err;
	size_t n = 0;
	unsigned int i;

	err = snapshot(s);
	if (err)
		return err;
	v = calloc(SIM_MAX_DOMAINS, sizeof(*v));
	if (!v)
		return xp_error_nomem();
	for (i = 0; i < SIM_MAX_DOMAINS; i++)
		if (s->snap[i].state == SIM_DOM_LIVE)
			fill_info(&s->snap[i], &v[n++]);
	qsort(v, n, sizeof(*v), cmp_domid);
	*infos = v;
	*count = n;
	return NULL;
}

static struct xp_error *sim_domain_info(struct xp_backend *be, uint32_t domid,
					struct xp_domain_info *info)
{
	struct sim_be *s = to_sim(be);
	const struct sim_domain *d;
	struct xp_error *err;

	err = snapshot(s);
	if (err)
		return err;
	d = snap_find(s, domid);
	if (!d)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %u", domid);
	fill_info(d, info);
	return NULL;
}

static struct xp_error *sim_map_frames(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, int *errs, const void **addr)
{
	struct sim_be *s = to_sim(be);
	uint16_t owner = SIM_OWNER(domid);
	struct xp_error *err;
	uint8_t *base;
	size_t i, j;

	err = snapshot(s);
	if (err)
		return err;
	if (!snap_find(s, domid))
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %u", domid);
	if (count > (SIZE_MAX >> SIM_PAGE_SHIFT) || count > s->nr_frames)
		return xp_error_create(XP_ERR_RUNTIME, E2BIG, "mapping %zu frames at once", count);
	/* reserve the whole range; frames that fail stay inaccessible */
	base = mmap(NULL, count << SIM_PAGE_SHIFT, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return xp_error_create(XP_ERR_NOMEM, errno, "reserving %zu pages: %s", count,
				       strerror(errno));
	for (i = 0; i < count; i++) {
		if (mfns[i] >= s->nr_frames)
			errs[i] = -EINVAL;
		else if (sim_frame_owner(s->chunks, s->frames, mfns[i]) != owner)
			errs[i] = -EPERM;
		else
			errs[i] = 0;
	}
	/* one mmap per run of frames that are contiguous in the file */
	for (i = 0; i < count; i = j) {
		void *p;

		if (errs[i]) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < count && !errs[j] && mfns[j] == mfns[j - 1] + 1; j++)
			;
		p = mmap(base + (i << SIM_PAGE_SHIFT), (j - i) << SIM_PAGE_SHIFT, PROT_READ,
			 MAP_SHARED | MAP_FIXED, s->fd,
			 (off_t)(s->mem_off + (mfns[i] << SIM_PAGE_SHIFT)));
		if (p == MAP_FAILED) {
			int e = errno;
			size_t k;

			for (k = i; k < j; k++)
				errs[k] = -e;
		}
	}
	*addr = base;
	return NULL;
}

static void sim_unmap_frames(struct xp_backend *be, const void *addr, size_t count)
{
	munmap((void *)addr, count << SIM_PAGE_SHIFT);
}

static struct xp_error *sim_m2p_map(struct xp_backend *be, const uint64_t **table,
				    uint64_t *nr_entries)
{
	struct sim_be *s = to_sim(be);

	*table = s->m2p;
	*nr_entries = s->nr_frames;
	return NULL;
}

static struct xp_error *sim_vcpu_cr3(struct xp_backend *be, uint32_t domid, unsigned int vcpu,
				     uint64_t *cr3_mfn)
{
	struct sim_be *s = to_sim(be);
	const struct sim_domain *d;
	struct xp_error *err;

	err = snapshot(s);
	if (err)
		return err;
	d = snap_find(s, domid);
	if (!d)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %u", domid);
	if (vcpu >= d->nr_vcpus || vcpu >= SIM_MAX_VCPUS)
		return xp_error_create(XP_ERR_INVALID, EINVAL, "domain %u has no vcpu %u", domid,
				       vcpu);
	*cr3_mfn = d->vcpu_cr3[vcpu];
	return NULL;
}

static const struct xp_backend_ops sim_ops = {
	.name = "sim",
	.destroy = sim_destroy,
	.host_info = sim_host_info,
	.list_domains = sim_list_domains,
	.domain_info = sim_domain_info,
	.map_frames = sim_map_frames,
	.unmap_frames = sim_unmap_frames,
	.m2p_map = sim_m2p_map,
	.vcpu_cr3 = sim_vcpu_cr3,
	/* grant tables: another issue */
};

struct xp_error *xp_backend_sim_open(const char *path, struct xp_backend **out)
{
	struct sim_host_header hdr;
	struct xp_backend *be;
	struct xp_error *err;
	struct sim_be *s;
	struct stat st;
	char why[160];
	ssize_t n;

	*out = NULL;
	be = calloc(1, sizeof(*be));
	s = calloc(1, sizeof(*s));
	if (!be || !s) {
		free(be);
		free(s);
		return xp_error_nomem();
	}
	be->ops = &sim_ops;
	be->priv = s;
	s->fd = -1;
	s->path = strdup(path);
	s->snap = calloc(SIM_MAX_DOMAINS, sizeof(*s->snap));
	if (!s->path || !s->snap) {
		sim_destroy(be);
		return xp_error_nomem();
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		int e = errno;

		sim_destroy(be);
		if (e == ENOENT)
			return xp_error_create(XP_ERR_UNAVAILABLE, e,
					       "%s: no such simulated host (create one with "
					       "'xenp2m-sim init %s')",
					       path, path);
		if (e == EACCES)
			return xp_error_create(XP_ERR_PERM, e, "%s: %s", path, strerror(e));
		return xp_error_create(XP_ERR_IO, e, "%s: %s", path, strerror(e));
	}
	if (fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sim_destroy(be);
		return xp_error_create(XP_ERR_FORMAT, EINVAL, "%s: not a simulated host file",
				       path);
	}
	memset(&hdr, 0, sizeof(hdr));
	n = pread(s->fd, &hdr, sizeof(hdr), 0);
	if (n < 0) {
		err = xp_error_create(XP_ERR_IO, errno, "%s: %s", path, strerror(errno));
		sim_destroy(be);
		return err;
	}
	if (sim_header_check(&hdr, (uint64_t)st.st_size, why, sizeof(why)) < 0) {
		sim_destroy(be);
		return xp_error_create(XP_ERR_FORMAT, EINVAL, "%s: %s", path, why);
	}
	s->meta_size = hdr.mem_off;
	s->meta = mmap(NULL, s->meta_size, PROT_READ, MAP_SHARED | MAP_NORESERVE, s->fd, 0);
	if (s->meta == MAP_FAILED) {
		s->meta = NULL;
		err = xp_error_create(XP_ERR_IO, errno, "%s: cannot map the host file: %s", path,
				      strerror(errno));
		sim_destroy(be);
		return err;
	}
	s->hdr = (const struct sim_host_header *)s->meta;
	s->doms = (const struct sim_domain *)(s->meta + hdr.domtab_off);
	s->chunks = (const struct sim_chunk *)(s->meta + hdr.chunktab_off);
	s->frames = (const struct sim_frame *)(s->meta + hdr.frametab_off);
	s->m2p = (const uint64_t *)(s->meta + hdr.m2p_off);
	s->nr_frames = hdr.nr_frames;
	s->mem_off = hdr.mem_off;
	*out = be;
	return NULL;
}
