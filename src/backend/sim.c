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
 *
 * Grant tables: the current sizes come from the domain table, the frame
 * lists from the table's meta frame (hostfmt.h).  The operations that
 * change the hypervisor's state -- mapping a grant, and mapping grant
 * frames beyond the table's current size, which grows it exactly as real
 * Xen's resource mapping does -- take the host's writer lock for their
 * duration, as any other change to the host does (src/sim/).
 *
 * Threads (backend.h): a handle keeps no scratch buffer -- the domain
 * table is read slot by slot under its seqlock into the caller's stack --
 * and a clone gets its own descriptor and mappings of the same file.
 *
 * For tests, $XENP2M_SIM_AUDIT names a file to which destroying a handle
 * appends what the caller left mapped (backend.h's counts) and what is
 * still mapped after the handle's own cleanup, which unmaps every grant.
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
#include "lib/util.h"
#include "sim/grant.h"
#include "sim/host.h"

/* A grant of another domain this backend mapped (as dom0, for the caller). */
struct sim_be_grant {
	void *addr;
	uint32_t domid, ref, handle;
};

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
	int rw_fd; /* opened for the first writable grant mapping */
	struct sim_be_grant *grants;
	size_t nr_grants, cap_grants;
};

static struct sim_be *to_sim(struct xp_backend *be)
{
	return be->priv;
}

static struct xp_error *sim_grant_unmap(struct xp_backend *be, void *addr);

/* $XENP2M_SIM_AUDIT: what the caller left mapped, and what is left now. */
static void audit(struct xp_backend *be, const struct xp_backend_mappings *left)
{
	const char *path = getenv("XENP2M_SIM_AUDIT");
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f,
		"left frames=%zu grant_frames=%zu grants=%zu; after cleanup frames=%zu "
		"grant_frames=%zu grants=%zu\n",
		left->frames, left->grant_frames, left->grants, be->live.frames,
		be->live.grant_frames, be->live.grants);
	fclose(f);
}

static void sim_destroy(struct xp_backend *be)
{
	struct sim_be *s = to_sim(be);
	struct xp_backend_mappings left = be->live;

	if (s) {
		/* never leave a grant mapped */
		while (s->nr_grants) {
			struct xp_error *err =
				sim_grant_unmap(be, s->grants[s->nr_grants - 1].addr);

			xp_error_destroy(err);
			if (be->live.grants)
				be->live.grants--;
		}
		if (s->meta)
			audit(be, &left);
		free(s->grants);
		if (s->rw_fd >= 0)
			close(s->rw_fd);
		if (s->meta)
			munmap((void *)s->meta, s->meta_size);
		if (s->fd >= 0)
			close(s->fd);
		free(s->path);
		free(s);
	}
	free(be);
}

/* Domain @domid as the domain table says now, read under its seqlock. */
static struct xp_error *domain_read(struct sim_be *s, uint32_t domid, struct sim_domain *d)
{
	int rc = sim_domtab_read_one(s->hdr, s->doms, domid, d);

	if (rc == -ENOENT)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %u", domid);
	if (rc < 0)
		return xp_error_create(XP_ERR_RUNTIME, EBUSY,
				       "%s: the domain table stays locked by a writer", s->path);
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
	struct sim_domain *tab;
	size_t n = 0;
	unsigned int i;

	tab = calloc(SIM_MAX_DOMAINS, sizeof(*tab));
	v = calloc(SIM_MAX_DOMAINS, sizeof(*v));
	if (!tab || !v) {
		free(tab);
		free(v);
		return xp_error_nomem();
	}
	if (sim_domtab_read(s->hdr, s->doms, tab) < 0) {
		free(tab);
		free(v);
		return xp_error_create(XP_ERR_RUNTIME, EBUSY,
				       "%s: the domain table stays locked by a writer", s->path);
	}
	for (i = 0; i < SIM_MAX_DOMAINS; i++)
		if (tab[i].state == SIM_DOM_LIVE)
			fill_info(&tab[i], &v[n++]);
	free(tab);
	qsort(v, n, sizeof(*v), cmp_domid);
	*infos = v;
	*count = n;
	return NULL;
}

static struct xp_error *sim_domain_info(struct xp_backend *be, uint32_t domid,
					struct xp_domain_info *info)
{
	struct sim_domain d;
	struct xp_error *err;

	err = domain_read(to_sim(be), domid, &d);
	if (err)
		return err;
	fill_info(&d, info);
	return NULL;
}

static struct xp_error *sim_map_frames(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, int *errs, const void **addr)
{
	struct sim_be *s = to_sim(be);
	uint16_t owner = SIM_OWNER(domid);
	struct sim_domain d;
	struct xp_error *err;
	uint8_t *base;
	size_t i, j;

	err = domain_read(s, domid, &d);
	if (err)
		return err;
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
	struct sim_domain d;
	struct xp_error *err;

	err = domain_read(to_sim(be), domid, &d);
	if (err)
		return err;
	if (vcpu >= d.nr_vcpus || vcpu >= SIM_MAX_VCPUS)
		return xp_error_create(XP_ERR_INVALID, EINVAL, "domain %u has no vcpu %u", domid,
				       vcpu);
	*cr3_mfn = d.vcpu_cr3[vcpu];
	return NULL;
}

/* Pinned tables by level, as the frame table records them (hostfmt.h). */
static struct xp_error *sim_page_types(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, uint8_t *types)
{
	struct sim_be *s = to_sim(be);
	struct sim_domain d;
	struct xp_error *err;
	size_t i;

	err = domain_read(s, domid, &d);
	if (err)
		return err;
	for (i = 0; i < count; i++) {
		uint8_t level;

		if (mfns[i] >= s->nr_frames ||
		    sim_frame_owner(s->chunks, s->frames, mfns[i]) != SIM_OWNER(domid)) {
			types[i] = XP_PAGE_TYPE_NOT_OWNED;
			continue;
		}
		level = __atomic_load_n(&s->frames[mfns[i]].type, __ATOMIC_RELAXED) &
			SIM_FT_PIN_MASK;
		types[i] =
			level >= 1 && level <= 4 ? XP_PAGE_TYPE_L1 + level - 1 : XP_PAGE_TYPE_NONE;
	}
	return NULL;
}

/* ---- grant tables ---- */

static struct xp_error *gnt_domain(struct sim_be *s, uint32_t domid, struct sim_domain *d)
{
	struct xp_error *err = domain_read(s, domid, d);

	if (err)
		return err;
	if (!d->gnt_version || !d->gnt_meta_mfn || d->gnt_meta_mfn >= s->nr_frames)
		return xp_error_create(XP_ERR_INVALID, ENOENT, "domain %u has no grant table (yet)",
				       domid);
	return NULL;
}

static struct xp_error *sim_grant_table_info(struct xp_backend *be, uint32_t domid,
					     unsigned int *version, unsigned int *nr_frames,
					     unsigned int *nr_status_frames,
					     unsigned int *max_frames)
{
	struct sim_domain d;
	struct xp_error *err = gnt_domain(to_sim(be), domid, &d);

	if (err)
		return err;
	/* all from the domain table: finding the size never grows the table */
	*version = d.gnt_version;
	*nr_frames = d.gnt_nr_frames;
	*nr_status_frames = d.gnt_nr_status;
	*max_frames = d.gnt_max_frames;
	return NULL;
}

/* The writer's view of the host, for the operations that change it. */
static struct xp_error *host_for_writing(struct sim_be *s, struct sim_host **h)
{
	struct xp_error *err = sim_host_open(s->path, false, h);

	if (err)
		return xp_error_wrap(err, "%s: the hypervisor's state cannot be changed", s->path);
	return NULL;
}

/*
 * XENMEM_acquire_resource behaviour: a frame at or beyond the table's
 * current size (and below its maximum) grows the table to cover it; for
 * status frames, by the grant frames they describe.  Counted in the
 * domain's gnt_resource_grows, so tests can see that it happened.
 */
static struct xp_error *grow_for_resource(struct sim_be *s, uint32_t domid, bool status,
					  unsigned int end)
{
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;
	unsigned int nr = end;
	int rc;

	err = host_for_writing(s, &h);
	if (err)
		return err;
	d = sim_domain_by_id(h, domid);
	if (!d || !sim_gnttab_meta(h, d)) {
		sim_host_destroy(h);
		return xp_error_create(XP_ERR_GONE, ESRCH, "domain %u is gone", domid);
	}
	if (status)
		nr = (end * SIM_GNT_STATUS_PER_FRAME + SIM_GNT_V2_PER_FRAME - 1) /
		     SIM_GNT_V2_PER_FRAME;
	rc = nr > d->gnt_nr_frames ? sim_gnttab_grow(h, d, nr) : 0;
	if (!rc) {
		sim_domtab_begin(h);
		d->gnt_resource_grows++;
		sim_domtab_end(h);
	}
	sim_host_destroy(h);
	if (rc)
		return xp_error_create(XP_ERR_INVALID, -rc,
				       "growing domain %u's grant table to %u frames: %s", domid,
				       nr, strerror(-rc));
	return NULL;
}

/* mmap each of @mfns (read-only, or read-write through @fd) into one region. */
static struct xp_error *map_file_frames(struct sim_be *s, int fd, int prot, const uint64_t *mfns,
					unsigned int count, void **addr)
{
	uint8_t *base;
	unsigned int i;

	base = mmap(NULL, (size_t)count << SIM_PAGE_SHIFT, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return xp_error_create(XP_ERR_NOMEM, errno, "reserving %u pages: %s", count,
				       strerror(errno));
	for (i = 0; i < count; i++) {
		void *p = mmap(base + ((size_t)i << SIM_PAGE_SHIFT), SIM_PAGE_SIZE, prot,
			       MAP_SHARED | MAP_FIXED, fd,
			       (off_t)(s->mem_off + (mfns[i] << SIM_PAGE_SHIFT)));

		if (p == MAP_FAILED) {
			int e = errno;

			munmap(base, (size_t)count << SIM_PAGE_SHIFT);
			return xp_error_create(XP_ERR_IO, e, "mapping frame 0x%llx: %s",
					       (unsigned long long)mfns[i], strerror(e));
		}
	}
	*addr = base;
	return NULL;
}

/*
 * Map grant frames [first, first + count) read-only.  As on real Xen, a
 * frame beyond the table's current size GROWS the table (up to its
 * maximum, beyond which the call fails): callers that must not change the
 * guest -- the inspector -- ask grant_table_info for the current size
 * first and never map past it.
 */
static struct xp_error *sim_grant_frames_map(struct xp_backend *be, uint32_t domid, bool status,
					     unsigned int first, unsigned int count,
					     const void **addr)
{
	struct sim_be *s = to_sim(be);
	uint64_t mfns[SIM_GNT_MAX_FRAMES];
	struct sim_domain dom, *d = &dom;
	struct sim_gnt_meta meta;
	unsigned int i, cur, max;
	struct xp_error *err;
	void *p = NULL;

	err = gnt_domain(s, domid, d);
	if (err)
		return err;
	if (status && d->gnt_version != 2)
		return xp_error_create(XP_ERR_INVALID, EINVAL,
				       "domain %u uses grant table version %u: no status frames",
				       domid, d->gnt_version);
	max = status ? sim_gnt_status_frames(d->gnt_max_frames) : d->gnt_max_frames;
	if (!count || first >= max || count > max - first)
		return xp_error_create(XP_ERR_INVALID, EINVAL,
				       "domain %u: %s frames %u-%u: the table has at most %u",
				       domid, status ? "status" : "grant", first, first + count - 1,
				       max);
	cur = status ? d->gnt_nr_status : d->gnt_nr_frames;
	if (first + count > cur) {
		err = grow_for_resource(s, domid, status, first + count);
		if (!err)
			err = gnt_domain(s, domid, d);
		if (err)
			return err;
	}
	if (pread(s->fd, &meta, sizeof(meta),
		  (off_t)(s->mem_off + (d->gnt_meta_mfn << SIM_PAGE_SHIFT))) !=
	    (ssize_t)sizeof(meta))
		return xp_error_create(XP_ERR_IO, errno, "%s: reading a grant table", s->path);
	for (i = 0; i < count; i++) {
		uint64_t mfn = status ? meta.status[first + i] : meta.shared[first + i];

		if (mfn >= s->nr_frames ||
		    sim_frame_owner(s->chunks, s->frames, mfn) != SIM_OWNER(domid))
			return xp_error_create(XP_ERR_GONE, ESRCH,
					       "domain %u's grant frame %u went away", domid,
					       first + i);
		mfns[i] = mfn;
	}
	err = map_file_frames(s, s->fd, PROT_READ, mfns, count, &p);
	if (!err)
		*addr = p;
	return err;
}

static void sim_grant_frames_unmap(struct xp_backend *be, const void *addr, unsigned int count)
{
	munmap((void *)addr, (size_t)count << SIM_PAGE_SHIFT);
}

static struct xp_error *sim_toolstack_rings(struct xp_backend *be, uint32_t domid,
					    uint64_t *console_mfn, uint64_t *store_mfn)
{
	struct sim_domain d;
	struct xp_error *err;

	err = domain_read(to_sim(be), domid, &d);
	if (err)
		return err;
	*console_mfn = d.console_ring;
	*store_mfn = d.store_ring;
	return NULL;
}

/* Dom0 maps grant @ref of @domid, as gntdev would for the caller. */
static struct xp_error *sim_grant_map(struct xp_backend *be, uint32_t domid, uint32_t ref,
				      bool readonly, void **addr)
{
	struct sim_be *s = to_sim(be);
	struct sim_domain *dom0;
	struct sim_host *h = NULL;
	struct sim_be_grant *v;
	struct xp_error *err;
	uint32_t handle = 0;
	uint64_t mfn = 0;
	void *p = NULL;

	*addr = NULL;
	v = xp_grow(s->grants, &s->cap_grants, s->nr_grants + 1, sizeof(*v));
	if (!v)
		return xp_error_nomem();
	s->grants = v;
	if (!readonly && s->rw_fd < 0) {
		s->rw_fd = open(s->path, O_RDWR | O_CLOEXEC);
		if (s->rw_fd < 0)
			return xp_error_create(errno == EACCES ? XP_ERR_PERM : XP_ERR_IO, errno,
					       "%s: %s", s->path, strerror(errno));
	}
	err = host_for_writing(s, &h);
	if (err)
		return err;
	dom0 = sim_domain_by_id(h, 0);
	if (!dom0)
		err = xp_error_create(XP_ERR_INVALID, ESRCH, "the host has no domain 0");
	else
		err = sim_gnttab_map(h, dom0, domid, ref, readonly ? SIM_GNTMAP_READONLY : 0, 0,
				     &handle, &mfn);
	if (!err) {
		err = map_file_frames(s, readonly ? s->fd : s->rw_fd,
				      readonly ? PROT_READ : PROT_READ | PROT_WRITE, &mfn, 1, &p);
		if (err)
			xp_error_destroy(sim_gnttab_unmap(h, dom0, handle));
		else
			sim_frame_mark_written(h, mfn);
	}
	sim_host_destroy(h);
	if (err)
		return err;
	s->grants[s->nr_grants++] = (struct sim_be_grant){p, domid, ref, handle};
	*addr = p;
	return NULL;
}

static struct xp_error *sim_grant_unmap(struct xp_backend *be, void *addr)
{
	struct sim_be *s = to_sim(be);
	struct sim_be_grant g;
	struct sim_domain *dom0;
	struct sim_gnt_map m;
	struct sim_host *h;
	struct xp_error *err;
	size_t i;

	for (i = 0; i < s->nr_grants && s->grants[i].addr != addr; i++)
		;
	if (i == s->nr_grants)
		return xp_error_create(XP_ERR_INVALID, EINVAL,
				       "%p is not a grant this backend mapped", addr);
	g = s->grants[i];
	s->grants[i] = s->grants[--s->nr_grants];
	munmap(addr, SIM_PAGE_SIZE);
	err = host_for_writing(s, &h);
	if (err)
		return err;
	dom0 = sim_domain_by_id(h, 0);
	/* gone with its granter when that domain was destroyed */
	if (dom0 && sim_gnttab_get_map(h, dom0, g.handle, &m) == 0 &&
	    m.granter == SIM_OWNER(g.domid) && m.ref == g.ref)
		err = sim_gnttab_unmap(h, dom0, g.handle);
	sim_host_destroy(h);
	return err;
}

static struct xp_error *sim_clone(struct xp_backend *be, struct xp_backend **out);

static const struct xp_backend_ops sim_ops = {
	.name = "sim",
	.destroy = sim_destroy,
	.clone = sim_clone,
	.host_info = sim_host_info,
	.list_domains = sim_list_domains,
	.domain_info = sim_domain_info,
	.map_frames = sim_map_frames,
	.unmap_frames = sim_unmap_frames,
	.m2p_map = sim_m2p_map,
	.vcpu_cr3 = sim_vcpu_cr3,
	.page_types = sim_page_types,
	.grant_table_info = sim_grant_table_info,
	.grant_frames_map = sim_grant_frames_map,
	.grant_frames_unmap = sim_grant_frames_unmap,
	.toolstack_rings = sim_toolstack_rings,
	.grant_map = sim_grant_map,
	.grant_unmap = sim_grant_unmap,
};

/* Open @path read-only, with the errors a user should see. */
static struct xp_error *open_host_file(const char *path, int *fd)
{
	int e;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		return NULL;
	e = errno;
	if (e == ENOENT)
		return xp_error_create(XP_ERR_UNAVAILABLE, e,
				       "%s: no such simulated host (create one with "
				       "'xenp2m-sim init %s')",
				       path, path);
	if (e == EACCES)
		return xp_error_create(XP_ERR_PERM, e, "%s: %s", path, strerror(e));
	return xp_error_create(XP_ERR_IO, e, "%s: %s", path, strerror(e));
}

/* Is the file open as @fd a simulated host?  Its header when it is. */
static struct xp_error *check_host_file(const char *path, int fd, struct sim_host_header *hdr)
{
	struct stat st;
	char why[160];
	ssize_t n;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return xp_error_create(XP_ERR_FORMAT, EINVAL, "%s: not a simulated host file",
				       path);
	memset(hdr, 0, sizeof(*hdr));
	n = pread(fd, hdr, sizeof(*hdr), 0);
	if (n < 0)
		return xp_error_create(XP_ERR_IO, errno, "%s: %s", path, strerror(errno));
	if (sim_header_check(hdr, (uint64_t)st.st_size, why, sizeof(why)) < 0)
		return xp_error_create(XP_ERR_FORMAT, EINVAL, "%s: %s", path, why);
	return NULL;
}

/* A handle on the host file open as @fd (taken over, also on failure). */
static struct xp_error *sim_be_create(const char *path, int fd, struct xp_backend **out)
{
	struct sim_host_header hdr;
	struct xp_backend *be;
	struct xp_error *err;
	struct sim_be *s;

	*out = NULL;
	be = calloc(1, sizeof(*be));
	s = calloc(1, sizeof(*s));
	if (!be || !s) {
		free(be);
		free(s);
		close(fd);
		return xp_error_nomem();
	}
	be->ops = &sim_ops;
	be->priv = s;
	s->fd = fd;
	s->rw_fd = -1;
	s->path = strdup(path);
	if (!s->path) {
		sim_destroy(be);
		return xp_error_nomem();
	}
	err = check_host_file(path, fd, &hdr);
	if (err) {
		sim_destroy(be);
		return err;
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

struct xp_error *xp_backend_sim_open(const char *path, struct xp_backend **out)
{
	struct xp_error *err;
	int fd;

	*out = NULL;
	err = open_host_file(path, &fd);
	if (err)
		return err;
	return sim_be_create(path, fd, out);
}

/* The same file (even if renamed or replaced since), its own descriptor. */
static struct xp_error *sim_clone(struct xp_backend *be, struct xp_backend **out)
{
	struct sim_be *s = to_sim(be);
	int fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);

	*out = NULL;
	if (fd < 0)
		return xp_error_create(XP_ERR_IO, errno, "%s: %s", s->path, strerror(errno));
	return sim_be_create(s->path, fd, out);
}

static struct xp_error *sim_probe(const char *source)
{
	struct sim_host_header hdr;
	struct xp_error *err;
	int fd;

	if (!source)
		return xp_error_create(
			XP_ERR_UNAVAILABLE, EINVAL,
			"the sim backend reads a simulated host file (--sim=HOSTFILE)");
	err = open_host_file(source, &fd);
	if (err)
		return err;
	err = check_host_file(source, fd, &hdr);
	close(fd);
	return err;
}

static struct xp_error *sim_class_open(const char *source, struct xp_backend **out)
{
	*out = NULL;
	if (!source)
		return sim_probe(source);
	return xp_backend_sim_open(source, out);
}

const struct xp_backend_class xp_backend_sim = {
	.name = "sim",
	.file = "HOSTFILE",
	.probe = sim_probe,
	.open = sim_class_open,
};
