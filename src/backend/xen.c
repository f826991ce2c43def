// SPDX-License-Identifier: GPL-2.0
/*
 * The real Xen backend: a dom0 talking to the hypervisor through
 * libxenctrl, libxenforeignmemory and libxenstore.
 *
 * libxenctrl has no stable ABI (its soname is the Xen version), so every
 * libxenctrl call of the project lives in this file, and only calls that
 * both 4.17 and 4.18+ have are used: xc_domain_getinfolist (not
 * xc_domain_getinfo, gone in 4.18), xc_domain_get_guest_width,
 * xc_vcpu_getcontext, xc_maximum_ram_page, xc_machphys_mfn_list, xc_version,
 * xc_get_pfn_type_batch.
 *
 * Guest frames are always mapped PROT_READ: this backend never writes to a
 * guest.  The libraries' own log output is captured, not printed: the CLI
 * edge is the only place that reports errors.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "backend/backend.h"
#include "lib/util.h"

#define XEN_PRIVCMD "/dev/xen/privcmd"
#define XEN_CAPABILITIES "/proc/xen/capabilities"

/* The M2P is handed out as 2 MiB machine-contiguous chunks. */
#define M2P_CHUNK_SIZE (1UL << 21)
#define M2P_ENTRIES_PER_PAGE (XP_PAGE_SIZE / sizeof(xen_pfn_t))

/* getinfolist batch size when listing every domain */
#define LIST_BATCH 64U

_Static_assert(sizeof(xen_pfn_t) == sizeof(uint64_t), "the M2P is handed out as uint64_t");
_Static_assert(XP_DOMID_SELF == DOMID_SELF, "backend.h's DOMID_SELF");

/*
 * A xentoollog logger that keeps the last error instead of printing it, so
 * that it can become part of an error message.
 */
struct xen_log {
	xentoollog_logger vtable;
	char last[256];
};

struct xen_backend {
	struct xp_backend be;
	struct xen_log log;
	xc_interface *xch;
	xenforeignmemory_handle *fmem;
	struct xs_handle *xsh; /* NULL until first used, or when unreachable */
	bool xs_tried;
	uint32_t self_domid; /* XP_DOMID_INVALID when not known */
	uint64_t max_mfn;
	const xen_pfn_t *m2p; /* mapped on first use */
	size_t m2p_pages;
	xengnttab_handle *xgt;	      /* opened on first grant map */
	struct xen_mapping *mappings; /* grant frames and grants still mapped */
};

/* A grant-table resource or a grant we mapped, to unmap by address. */
struct xen_mapping {
	struct xen_mapping *next;
	void *addr;
	xenforeignmemory_resource_handle *res; /* NULL: a grant (xengnttab) */
};

static struct xen_backend *to_xen(struct xp_backend *be)
{
	return be->priv;
}

static void xen_log_vmessage(struct xentoollog_logger *logger, xentoollog_level level, int errnoval,
			     const char *context, const char *format, va_list al)
{
	struct xen_log *log = (struct xen_log *)logger;
	size_t len;

	if (level < XTL_ERROR)
		return;
	vsnprintf(log->last, sizeof(log->last), format, al);
	len = strlen(log->last);
	if (errnoval > 0 && len + 1 < sizeof(log->last))
		snprintf(log->last + len, sizeof(log->last) - len, " (%s)", strerror(errnoval));
}

static void xen_log_progress(struct xentoollog_logger *logger, const char *context,
			     const char *doing_what, int percent, unsigned long done,
			     unsigned long total)
{
}

static void xen_log_destroy(struct xentoollog_logger *logger)
{
}

/* An error for a failed library call, with errno and the library's own words. */
static struct xp_error *xen_error(struct xen_backend *x, int errnum, const char *what)
{
	enum xp_errkind kind = XP_ERR_RUNTIME;

	if (errnum == EPERM || errnum == EACCES)
		kind = XP_ERR_PERM;
	else if (errnum == ENOMEM)
		kind = XP_ERR_NOMEM;
	if (!errnum)
		errnum = EIO;
	if (x && x->log.last[0])
		return xp_error_create(kind, errnum, "%s: %s", what, x->log.last);
	return xp_error_create(kind, errnum, "%s: %s", what, strerror(errnum));
}

/*
 * Is there a hypervisor, and may we drive it?  Answered before any library
 * is opened, so that the common cases get a clear message and exit code.
 */
static struct xp_error *xen_probe(bool *is_dom0)
{
	char caps[128] = "";
	bool have_caps = false;
	ssize_t n;
	int fd;

	*is_dom0 = false;
	fd = open(XEN_CAPABILITIES, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, caps, sizeof(caps) - 1);
		close(fd);
		if (n >= 0) {
			caps[n] = '\0';
			have_caps = true;
			*is_dom0 = strstr(caps, "control_d") != NULL;
		}
	}
	fd = open(XEN_PRIVCMD, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == EACCES || e == EPERM)
			return xp_error_create(XP_ERR_PERM, e,
					       "permission denied opening " XEN_PRIVCMD
					       ": run xenp2m as root in dom0");
		if (e == ENOENT && !have_caps)
			return xp_error_create(XP_ERR_UNAVAILABLE, e,
					       "Xen was not found (no " XEN_PRIVCMD
					       " and no " XEN_CAPABILITIES
					       "); try the simulated host with --sim=HOSTFILE");
		if (e == ENOENT)
			return xp_error_create(XP_ERR_UNAVAILABLE, e,
					       "Xen was found but " XEN_PRIVCMD
					       " is missing (is the xen-privcmd module loaded?); "
					       "or try the simulated host with --sim=HOSTFILE");
		return xp_error_create(XP_ERR_UNAVAILABLE, e, "cannot open " XEN_PRIVCMD ": %s",
				       strerror(e));
	}
	close(fd);
	if (have_caps && !*is_dom0)
		return xp_error_create(
			XP_ERR_UNAVAILABLE, EPERM,
			"this is a Xen guest, not dom0 (no control_d in " XEN_CAPABILITIES
			"); run xenp2m in dom0, or try the "
			"simulated host with --sim=HOSTFILE");
	return NULL;
}

/* The xenstore connection, opened on first use; NULL when unreachable. */
static struct xs_handle *xen_xs(struct xen_backend *x)
{
	if (!x->xs_tried) {
		x->xs_tried = true;
		/* the local daemon's socket first; the kernel's xenbus device
		 * covers a xenstore stub domain */
		x->xsh = xs_open(XS_OPEN_SOCKETONLY);
		if (!x->xsh)
			x->xsh = xs_open(0);
	}
	return x->xsh;
}

/* Our own domid, from xenstore's relative "domid" key; dom0 knows it is 0. */
static uint32_t xen_self_domid(struct xen_backend *x)
{
	struct xs_handle *xsh = xen_xs(x);
	uint64_t domid = XP_DOMID_INVALID;
	unsigned int n = 0;
	char *v = NULL;

	if (xsh)
		v = xs_read(xsh, XBT_NULL, "domid", &n);
	if (v && (xp_parse_u64(v, &domid) != 0 || domid >= DOMID_FIRST_RESERVED))
		domid = XP_DOMID_INVALID;
	free(v);
	return (uint32_t)domid;
}

static void xen_domain_name(struct xen_backend *x, uint32_t domid, char *name, size_t len)
{
	struct xs_handle *xsh = xen_xs(x);
	unsigned int n = 0, i;
	char path[64];
	char *v = NULL;

	name[0] = '\0';
	if (xsh) {
		snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
		v = xs_read(xsh, XBT_NULL, path, &n);
	}
	if (v) {
		/* the toolstack writes it, but keep the output printable */
		for (i = 0; i < n && i + 1 < len && v[i]; i++)
			name[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
		name[i] = '\0';
		free(v);
	}
	if (!name[0] && domid == 0)
		snprintf(name, len, "Domain-0");
}

/*
 * PV guests have no HVM container.  Within HVM, a PVH guest has no
 * emulated platform (at most the local APIC, and vPCI for a PVH dom0),
 * while an HVM guest always has the emulated PIC.
 */
static enum xp_domain_type xen_domain_type(const xc_domaininfo_t *di)
{
	if (!(di->flags & XEN_DOMINF_hvm_guest))
		return XP_DOMAIN_PV;
	if (di->arch_config.emulation_flags & XEN_X86_EMU_PIC)
		return XP_DOMAIN_HVM;
	return XP_DOMAIN_PVH;
}

static void xen_fill_info(struct xen_backend *x, const xc_domaininfo_t *di,
			  struct xp_domain_info *info)
{
	unsigned int width = 0;

	memset(info, 0, sizeof(*info));
	info->domid = di->domain;
	info->type = xen_domain_type(di);
	/* fails for a domain that is being torn down: width unknown */
	if (xc_domain_get_guest_width(x->xch, di->domain, &width) == 0 &&
	    (width == 4 || width == 8))
		info->guest_width = width;
	info->max_pages = di->max_pages;
	info->tot_pages = di->tot_pages;
	info->shared_info_frame = di->shared_info_frame;
	info->nr_vcpus = di->max_vcpu_id == XEN_INVALID_MAX_VCPU_ID ? 0 : di->max_vcpu_id + 1;
	info->paused = di->flags & XEN_DOMINF_paused;
	info->dying = di->flags & XEN_DOMINF_dying;
	info->shutdown = di->flags & XEN_DOMINF_shutdown;
	info->crashed = info->shutdown && ((di->flags >> XEN_DOMINF_shutdownshift) &
					   XEN_DOMINF_shutdownmask) == SHUTDOWN_crash;
	memcpy(info->handle, di->handle, sizeof(info->handle));
	xen_domain_name(x, di->domain, info->name, sizeof(info->name));
}

/* The hypervisor's record of one domain; XP_ERR_NODOMAIN when there is none. */
static struct xp_error *xen_getinfo(struct xen_backend *x, uint32_t domid, xc_domaininfo_t *di)
{
	int n;

	if (domid >= DOMID_FIRST_RESERVED)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %u", domid);
	x->log.last[0] = '\0';
	/* returns the first domain at or after @domid */
	n = xc_domain_getinfolist(x->xch, domid, 1, di);
	if (n < 0)
		return xen_error(x, errno, "reading domain information");
	if (n == 0 || di->domain != domid)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %u", domid);
	return NULL;
}

static struct xp_error *xen_host_info(struct xp_backend *be, struct xp_host_info *info)
{
	struct xen_backend *x = to_xen(be);
	xen_extraversion_t extra;
	int v;

	v = xc_version(x->xch, XENVER_version, NULL);
	if (v < 0)
		return xen_error(x, errno, "reading the Xen version");
	info->xen_major = (unsigned int)v >> 16;
	info->xen_minor = (unsigned int)v & 0xffff;
	memset(extra, 0, sizeof(extra));
	if (xc_version(x->xch, XENVER_extraversion, extra) == 0) {
		extra[sizeof(extra) - 1] = '\0';
		snprintf(info->xen_extra, sizeof(info->xen_extra), "%s", extra);
	}
	info->max_mfn = x->max_mfn;
	snprintf(info->backend, sizeof(info->backend), "xen");
	return NULL;
}

static int xen_cmp_domid(const void *a, const void *b)
{
	const struct xp_domain_info *da = a, *db = b;

	return da->domid < db->domid ? -1 : da->domid > db->domid;
}

static struct xp_error *xen_list_domains(struct xp_backend *be, struct xp_domain_info **infos,
					 size_t *count)
{
	struct xen_backend *x = to_xen(be);
	xc_domaininfo_t batch[LIST_BATCH];
	struct xp_domain_info *all = NULL, *grown;
	size_t n = 0, cap = 0;
	uint32_t next = 0;
	int got, i;

	/* each round starts past the last domid seen: this ends */
	while (next < DOMID_FIRST_RESERVED) {
		x->log.last[0] = '\0';
		got = xc_domain_getinfolist(x->xch, next, LIST_BATCH, batch);
		if (got < 0) {
			free(all);
			return xen_error(x, errno, "listing domains");
		}
		grown = xp_grow(all, &cap, n + (size_t)got, sizeof(*all));
		if (!grown) {
			free(all);
			return xp_error_nomem();
		}
		all = grown;
		for (i = 0; i < got; i++) {
			if (batch[i].domain < next)
				break; /* never go backwards */
			xen_fill_info(x, &batch[i], &all[n++]);
		}
		if (got < (int)LIST_BATCH || i < got)
			break;
		next = batch[got - 1].domain + 1U;
	}
	if (n > 1)
		qsort(all, n, sizeof(*all), xen_cmp_domid);
	*infos = all;
	*count = n;
	return NULL;
}

static struct xp_error *xen_domain_info(struct xp_backend *be, uint32_t domid,
					struct xp_domain_info *info)
{
	struct xen_backend *x = to_xen(be);
	xc_domaininfo_t di;
	struct xp_error *err;

	err = xen_getinfo(x, domid, &di);
	if (err)
		return err;
	xen_fill_info(x, &di, info);
	return NULL;
}

static struct xp_error *xen_map_frames(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, int *errs, const void **addr)
{
	struct xen_backend *x = to_xen(be);
	/* a domain cannot name itself as the foreign domain */
	uint32_t dom = domid == x->self_domid ? DOMID_SELF : domid;
	size_t i, failed = 0, gone = 0, first = 0;
	int *e = errs;
	xen_pfn_t *arr;
	void *p;

	if (count > SIZE_MAX / sizeof(*arr))
		return xp_error_create(XP_ERR_RUNTIME, EINVAL, "mapping %zu frames: too many",
				       count);
	arr = malloc(count * sizeof(*arr));
	if (!e)
		e = calloc(count, sizeof(*e));
	if (!arr || !e) {
		free(arr);
		if (e != errs)
			free(e);
		return xp_error_nomem();
	}
	for (i = 0; i < count; i++) {
		arr[i] = mfns[i];
		e[i] = 0;
	}
	x->log.last[0] = '\0';
	p = xenforeignmemory_map(x->fmem, dom, PROT_READ, count, arr, e);
	free(arr);
	if (!p) {
		int saved = errno;

		if (e != errs)
			free(e);
		if (saved == ESRCH)
			return xp_error_create(XP_ERR_GONE, saved, "domain %u is gone", domid);
		return xen_error(x, saved, "mapping frames of a domain");
	}
	for (i = 0; i < count; i++) {
		if (!e[i])
			continue;
		gone += e[i] == -ESRCH;
		/*
		 * backend.h's meanings: Xen 4.17 says -EBUSY for a frame that
		 * the domain does not own and -EPERM for one beyond the host.
		 */
		if (mfns[i] >= x->max_mfn)
			e[i] = -EINVAL;
		else if (e[i] == -EBUSY)
			e[i] = -EPERM;
		if (!failed)
			first = i;
		failed++;
	}
	if (gone == count) {
		/* every frame refused because the domain itself was not found */
		xenforeignmemory_unmap(x->fmem, p, count);
		if (e != errs)
			free(e);
		return xp_error_create(XP_ERR_GONE, ESRCH, "domain %u is gone", domid);
	}
	if (failed && e != errs) {
		/* the caller asked for all or nothing */
		int errnum = -e[first];

		xenforeignmemory_unmap(x->fmem, p, count);
		free(e);
		return xp_error_create(XP_ERR_RUNTIME, errnum,
				       "frame %#llx of domain %u could not be mapped: %s",
				       (unsigned long long)mfns[first], domid, strerror(errnum));
	}
	if (e != errs)
		free(e);
	*addr = p;
	return NULL;
}

static void xen_unmap_frames(struct xp_backend *be, const void *addr, size_t count)
{
	xenforeignmemory_unmap(to_xen(be)->fmem, (void *)addr, count);
}

/*
 * The M2P: Xen tells where its 2 MiB chunks are (XENMEM_machphys_mfn_list)
 * and shares them read-only with privileged domains as frames of DOMID_XEN.
 * Only the pages holding the first max_mfn entries are mapped.
 */
static struct xp_error *xen_m2p_map(struct xp_backend *be, const uint64_t **table,
				    uint64_t *nr_entries)
{
	struct xen_backend *x = to_xen(be);
	size_t chunks, pages, per_chunk = M2P_CHUNK_SIZE / XP_PAGE_SIZE, i;
	xen_pfn_t *extents, *arr;
	void *p;
	int *errs;

	if (x->m2p)
		goto done;
	pages = XP_DIV_ROUND_UP(x->max_mfn, M2P_ENTRIES_PER_PAGE);
	chunks = XP_DIV_ROUND_UP(x->max_mfn * sizeof(xen_pfn_t), M2P_CHUNK_SIZE);
	if (!pages)
		return xp_error_create(XP_ERR_RUNTIME, EINVAL, "the host reports no memory");
	extents = calloc(chunks, sizeof(*extents));
	arr = calloc(pages, sizeof(*arr));
	errs = calloc(pages, sizeof(*errs));
	if (!extents || !arr || !errs) {
		free(extents);
		free(arr);
		free(errs);
		return xp_error_nomem();
	}
	x->log.last[0] = '\0';
	if (xc_machphys_mfn_list(x->xch, chunks, extents) != 0) {
		struct xp_error *err = xen_error(x, errno, "locating the M2P table");

		free(extents);
		free(arr);
		free(errs);
		return err;
	}
	for (i = 0; i < pages; i++)
		arr[i] = extents[i / per_chunk] + i % per_chunk;
	free(extents);
	p = xenforeignmemory_map(x->fmem, DOMID_XEN, PROT_READ, pages, arr, errs);
	free(arr);
	if (!p) {
		struct xp_error *err = xen_error(x, errno, "mapping the M2P table");

		free(errs);
		return err;
	}
	for (i = 0; i < pages; i++) {
		if (errs[i]) {
			/* a hole in the table would fault on reading: refuse it */
			int e = -errs[i];

			xenforeignmemory_unmap(x->fmem, p, pages);
			free(errs);
			return xp_error_create(XP_ERR_RUNTIME, e,
					       "mapping the M2P table: page %zu of %zu: %s", i,
					       pages, strerror(e));
		}
	}
	free(errs);
	x->m2p = p;
	x->m2p_pages = pages;
done:
	*table = (const uint64_t *)x->m2p;
	*nr_entries = x->max_mfn;
	return NULL;
}

static struct xp_error *xen_vcpu_cr3(struct xp_backend *be, uint32_t domid, unsigned int vcpu,
				     uint64_t *cr3_mfn)
{
	struct xen_backend *x = to_xen(be);
	vcpu_guest_context_any_t ctx;
	unsigned int width = 0;
	xc_domaininfo_t di;
	struct xp_error *err;

	err = xen_getinfo(x, domid, &di);
	if (err)
		return err;
	if (di.flags & XEN_DOMINF_hvm_guest)
		return xp_error_create(XP_ERR_NOT_PV, EINVAL,
				       "domain %u is not a PV guest: its cr3 is not an MFN", domid);
	if (di.max_vcpu_id == XEN_INVALID_MAX_VCPU_ID || vcpu > di.max_vcpu_id)
		return xp_error_create(XP_ERR_INVALID, EINVAL, "domain %u has no vcpu %u", domid,
				       vcpu);
	if (xc_domain_get_guest_width(x->xch, domid, &width) != 0)
		return xen_error(x, errno, "reading the guest width");
	memset(&ctx, 0, sizeof(ctx));
	x->log.last[0] = '\0';
	if (xc_vcpu_getcontext(x->xch, domid, vcpu, &ctx) != 0)
		return xen_error(x, errno, "reading vcpu registers");
	if (width == 8) {
		*cr3_mfn = ctx.x64.ctrlreg[3] >> XP_PAGE_SHIFT;
	} else {
		/* 32-bit PAE guests fold bits 32+ of the frame into cr3's low bits */
		uint32_t c = (uint32_t)ctx.x32.ctrlreg[3];

		*cr3_mfn = (uint32_t)((c >> 12) | (c << 20));
	}
	return NULL;
}

/*
 * libxenctrl exports xc_get_pfn_type_batch (XEN_DOMCTL_getpageframeinfo3:
 * what libxenguest's save path and xen-mfndump use to find page tables)
 * from 4.2 on, but declares it only in its private header.  For a PV
 * guest the array holds MFNs in and types (top nibble) out.
 */
int xc_get_pfn_type_batch(xc_interface *xch, uint32_t dom, unsigned int num, xen_pfn_t *arr);

static struct xp_error *xen_page_types(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, uint8_t *types)
{
	struct xen_backend *x = to_xen(be);
	xen_pfn_t *arr;
	size_t i;

	if (count > XP_PAGE_TYPES_BATCH)
		return xp_error_create(XP_ERR_RUNTIME, E2BIG, "page types of %zu frames at once",
				       count);
	arr = malloc(XP_MAX(count, (size_t)1) * sizeof(*arr));
	if (!arr)
		return xp_error_nomem();
	for (i = 0; i < count; i++)
		arr[i] = mfns[i];
	x->log.last[0] = '\0';
	if (count && xc_get_pfn_type_batch(x->xch, domid, (unsigned int)count, arr) != 0) {
		int e = errno;

		free(arr);
		if (e == ESRCH)
			return xp_error_create(XP_ERR_GONE, e, "domain %u is gone", domid);
		return xen_error(x, e, "reading page types");
	}
	for (i = 0; i < count; i++) {
		uint32_t t = (uint32_t)arr[i] & XEN_DOMCTL_PFINFO_LTAB_MASK;

		switch (t) {
		case XEN_DOMCTL_PFINFO_XTAB:
			types[i] = XP_PAGE_TYPE_NOT_OWNED;
			break;
		case XEN_DOMCTL_PFINFO_BROKEN:
			types[i] = XP_PAGE_TYPE_BROKEN;
			break;
		default:
			/* the level, with the pinned bit (LPINTAB) dropped */
			t &= XEN_DOMCTL_PFINFO_LTABTYPE_MASK;
			types[i] = t >= XEN_DOMCTL_PFINFO_L1TAB && t <= XEN_DOMCTL_PFINFO_L4TAB
					   ? (uint8_t)(XP_PAGE_TYPE_L1 +
						       ((t >> XEN_DOMCTL_PFINFO_LTAB_SHIFT) - 1))
					   : XP_PAGE_TYPE_NONE;
		}
	}
	free(arr);
	return NULL;
}

/*
 * The ring frames the toolstack recorded in xenstore for the guest's
 * console and xenstore connection: MFNs (decimal) for a PV guest.
 */
static uint64_t xen_ring_ref(struct xs_handle *xsh, uint32_t domid, const char *key)
{
	uint64_t v = XP_INVALID_MFN;
	unsigned int n = 0;
	char path[64], *s;

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	s = xs_read(xsh, XBT_NULL, path, &n);
	if (s && xp_parse_u64(s, &v) != 0)
		v = XP_INVALID_MFN;
	free(s);
	return v;
}

static struct xp_error *xen_toolstack_rings(struct xp_backend *be, uint32_t domid,
					    uint64_t *console_mfn, uint64_t *store_mfn)
{
	struct xen_backend *x = to_xen(be);
	struct xs_handle *xsh;
	xc_domaininfo_t di;
	struct xp_error *err;

	err = xen_getinfo(x, domid, &di);
	if (err)
		return err;
	xsh = xen_xs(x);
	if (!xsh)
		return xp_error_create(XP_ERR_UNAVAILABLE, errno ? errno : ENOENT,
				       "xenstore is not reachable (is xenstored running?)");
	*console_mfn = xen_ring_ref(xsh, domid, "console/ring-ref");
	*store_mfn = xen_ring_ref(xsh, domid, "store/ring-ref");
	return NULL;
}

/* ------------------------------------------------------------ grant tables */

static struct xp_error *xen_track(struct xen_backend *x, void *addr,
				  xenforeignmemory_resource_handle *res)
{
	struct xen_mapping *m = malloc(sizeof(*m));

	if (!m)
		return xp_error_nomem();
	m->addr = addr;
	m->res = res;
	m->next = x->mappings;
	x->mappings = m;
	return NULL;
}

/* Forget @addr's mapping and undo it; false when we never made it. */
static bool xen_untrack(struct xen_backend *x, const void *addr, bool grant)
{
	struct xen_mapping **pp, *m;

	for (pp = &x->mappings; (m = *pp); pp = &m->next) {
		if (m->addr != addr || (m->res == NULL) != grant)
			continue;
		*pp = m->next;
		if (m->res)
			xenforeignmemory_unmap_resource(x->fmem, m->res);
		else
			xengnttab_unmap(x->xgt, m->addr, 1);
		free(m);
		return true;
	}
	return false;
}

static struct xp_error *xen_grant_status_error(uint32_t domid, int16_t status, const char *what)
{
	if (status == GNTST_bad_domain)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %u", domid);
	if (status == GNTST_permission_denied)
		return xp_error_create(XP_ERR_PERM, EPERM, "%s of domain %u: permission denied",
				       what, domid);
	return xp_error_create(XP_ERR_RUNTIME, EINVAL, "%s of domain %u: grant status %d", what,
			       domid, status);
}

/*
 * The table's current size, from GNTTABOP_query_size: asking never grows
 * it (mapping a frame beyond the current size through the resource
 * interface would).
 */
static struct xp_error *xen_grant_size(struct xen_backend *x, uint32_t domid, unsigned int *version,
				       unsigned int *nr_frames, unsigned int *nr_status_frames,
				       unsigned int *max_frames)
{
	struct gnttab_query_size q = {0};
	xc_domaininfo_t di;
	struct xp_error *err;
	int v;

	err = xen_getinfo(x, domid, &di);
	if (err)
		return err;
	q.dom = domid == x->self_domid ? DOMID_SELF : domid;
	x->log.last[0] = '\0';
	if (xc_gnttab_query_size(x->xch, &q) != 0)
		return xen_error(x, errno, "reading the grant table's size");
	if (q.status != GNTST_okay)
		return xen_grant_status_error(domid, q.status, "reading the grant table's size");
	v = xc_gnttab_get_version(x->xch, domid == x->self_domid ? DOMID_SELF : domid);
	if (v != 1 && v != 2)
		return xen_error(x, v < 0 ? errno : EINVAL, "reading the grant table's version");
	*version = (unsigned int)v;
	*nr_frames = q.nr_frames;
	*max_frames = q.max_nr_frames;
	/* v2 keeps a 16-bit status per 16-byte entry in frames of their own */
	*nr_status_frames =
		v == 2 ? XP_DIV_ROUND_UP(q.nr_frames * (XP_PAGE_SIZE / 16) * 2, XP_PAGE_SIZE) : 0;
	return NULL;
}

static struct xp_error *xen_grant_table_info(struct xp_backend *be, uint32_t domid,
					     unsigned int *version, unsigned int *nr_frames,
					     unsigned int *nr_status_frames,
					     unsigned int *max_frames)
{
	unsigned int v = 0, n = 0, ns = 0, max = 0;
	struct xp_error *err;

	err = xen_grant_size(to_xen(be), domid, &v, &n, &ns, &max);
	if (err)
		return err;
	if (version)
		*version = v;
	if (nr_frames)
		*nr_frames = n;
	if (nr_status_frames)
		*nr_status_frames = ns;
	if (max_frames)
		*max_frames = max;
	return NULL;
}

static struct xp_error *xen_grant_frames_map(struct xp_backend *be, uint32_t domid, bool status,
					     unsigned int first, unsigned int count,
					     const void **addr)
{
	struct xen_backend *x = to_xen(be);
	unsigned int v, n, ns, max, have;
	xenforeignmemory_resource_handle *res;
	struct xp_error *err;
	void *p = NULL;

	err = xen_grant_size(x, domid, &v, &n, &ns, &max);
	if (err)
		return err;
	have = status ? ns : n;
	if (status && v != 2)
		return xp_error_create(XP_ERR_INVALID, EINVAL,
				       "domain %u's grant table is v%u: it has no status frames",
				       domid, v);
	/* never map beyond the current size: that would grow the guest's table */
	if (!count || first >= have || count > have - first)
		return xp_error_create(XP_ERR_INVALID, EINVAL,
				       "grant %s frames %u-%u of domain %u: the table has %u",
				       status ? "status" : "shared", first, first + count - 1,
				       domid, have);
	x->log.last[0] = '\0';
	res = xenforeignmemory_map_resource(x->fmem, (domid_t)domid, XENMEM_resource_grant_table,
					    status ? XENMEM_resource_grant_table_id_status
						   : XENMEM_resource_grant_table_id_shared,
					    first, count, &p, PROT_READ, 0);
	if (!res)
		return xen_error(x, errno, "mapping grant-table frames");
	err = xen_track(x, p, res);
	if (err) {
		xenforeignmemory_unmap_resource(x->fmem, res);
		return err;
	}
	*addr = p;
	return NULL;
}

static void xen_grant_frames_unmap(struct xp_backend *be, const void *addr, unsigned int count)
{
	xen_untrack(to_xen(be), addr, false);
}

static struct xp_error *xen_grant_map(struct xp_backend *be, uint32_t domid, uint32_t ref,
				      bool readonly, void **addr)
{
	struct xen_backend *x = to_xen(be);
	struct xp_error *err;
	void *p;

	*addr = NULL;
	if (!x->xgt) {
		x->xgt = xengnttab_open(&x->log.vtable, 0);
		if (!x->xgt)
			return xen_error(x, errno, "opening the grant device (xen-gntdev)");
	}
	x->log.last[0] = '\0';
	p = xengnttab_map_grant_ref(x->xgt, domid, ref,
				    readonly ? PROT_READ : PROT_READ | PROT_WRITE);
	if (!p)
		return xen_error(x, errno, "mapping a grant");
	err = xen_track(x, p, NULL);
	if (err) {
		xengnttab_unmap(x->xgt, p, 1);
		return err;
	}
	*addr = p;
	return NULL;
}

static struct xp_error *xen_grant_unmap(struct xp_backend *be, void *addr)
{
	if (!xen_untrack(to_xen(be), addr, true))
		return xp_error_create(XP_ERR_INVALID, EINVAL, "%p is not a grant we mapped", addr);
	return NULL;
}

static void xen_destroy(struct xp_backend *be)
{
	struct xen_backend *x = to_xen(be);

	/* never leave a grant mapped */
	while (x->mappings)
		xen_untrack(x, x->mappings->addr, x->mappings->res == NULL);
	if (x->xgt)
		xengnttab_close(x->xgt);
	if (x->m2p)
		xenforeignmemory_unmap(x->fmem, (void *)x->m2p, x->m2p_pages);
	if (x->xsh)
		xs_close(x->xsh);
	if (x->fmem)
		xenforeignmemory_close(x->fmem);
	if (x->xch)
		xc_interface_close(x->xch);
	free(x);
}

static struct xp_error *xen_clone(struct xp_backend *be, struct xp_backend **out);

static const struct xp_backend_ops xen_ops = {
	.name = "xen",
	.destroy = xen_destroy,
	.clone = xen_clone,
	.host_info = xen_host_info,
	.list_domains = xen_list_domains,
	.domain_info = xen_domain_info,
	.map_frames = xen_map_frames,
	.unmap_frames = xen_unmap_frames,
	.m2p_map = xen_m2p_map,
	.vcpu_cr3 = xen_vcpu_cr3,
	.page_types = xen_page_types,
	.grant_table_info = xen_grant_table_info,
	.grant_frames_map = xen_grant_frames_map,
	.grant_frames_unmap = xen_grant_frames_unmap,
	.toolstack_rings = xen_toolstack_rings,
	.grant_map = xen_grant_map,
	.grant_unmap = xen_grant_unmap,
};

struct xp_error *xp_backend_xen_open(struct xp_backend **out)
{
	struct xen_backend *x;
	struct xp_error *err;
	xc_domaininfo_t di;
	unsigned long max_mfn = 0;
	bool is_dom0;

	*out = NULL;
	err = xen_probe(&is_dom0);
	if (err)
		return err;
	x = calloc(1, sizeof(*x));
	if (!x)
		return xp_error_nomem();
	x->be.ops = &xen_ops;
	x->be.priv = x;
	x->log.vtable.vmessage = xen_log_vmessage;
	x->log.vtable.progress = xen_log_progress;
	x->log.vtable.destroy = xen_log_destroy;
	x->self_domid = is_dom0 ? 0 : XP_DOMID_INVALID;

	x->xch = xc_interface_open(&x->log.vtable, &x->log.vtable, 0);
	if (!x->xch) {
		err = xen_error(x, errno, "opening the hypervisor interface");
		goto fail;
	}
	x->fmem = xenforeignmemory_open(&x->log.vtable, 0);
	if (!x->fmem) {
		err = xen_error(x, errno, "opening the foreign memory interface");
		goto fail;
	}
	/* privcmd opens in any domain; only a privileged one may use it */
	if (xc_domain_getinfolist(x->xch, 0, 1, &di) < 0) {
		int e = errno;

		if (e == EPERM || e == EACCES)
			err = xp_error_create(XP_ERR_PERM, e,
					      "permission denied by the hypervisor: "
					      "this domain is not privileged (run xenp2m in dom0)");
		else
			err = xen_error(x, e, "talking to the hypervisor");
		goto fail;
	}
	errno = 0;
	if (xc_maximum_ram_page(x->xch, &max_mfn) != 0 || max_mfn == 0) {
		err = xen_error(x, errno, "reading the host's maximum MFN");
		goto fail;
	}
	x->max_mfn = max_mfn;
	if (!is_dom0)
		x->self_domid = xen_self_domid(x);
	*out = &x->be;
	return NULL;
fail:
	xen_destroy(&x->be);
	return err;
}

/* Handles of its own onto the same hypervisor: the libraries' too. */
static struct xp_error *xen_clone(struct xp_backend *be, struct xp_backend **out)
{
	return xp_backend_xen_open(out);
}

static struct xp_error *xen_class_probe(const char *source)
{
	bool is_dom0;

	if (source)
		return xp_error_create(XP_ERR_UNAVAILABLE, EINVAL,
				       "%s: the xen backend reads the running host, not a file",
				       source);
	return xen_probe(&is_dom0);
}

static struct xp_error *xen_class_open(const char *source, struct xp_backend **out)
{
	*out = NULL;
	if (source)
		return xen_class_probe(source);
	return xp_backend_xen_open(out);
}

const struct xp_backend_class xp_backend_xen = {
	.name = "xen",
	.file = NULL,
	.probe = xen_class_probe,
	.open = xen_class_open,
};
