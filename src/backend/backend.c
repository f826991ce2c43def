// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "lib/signal.h"
#include "lib/util.h"

#define unsupported(be, what)                                                                  \
	xp_error_create(XP_ERR_UNSUPPORTED, EOPNOTSUPP, "%s: not supported by the %s backend", \
			what, (be)->ops->name)

#ifndef HAVE_XEN
static struct xp_error *xen_unbuilt(void)
{
	return xp_error_create(XP_ERR_UNAVAILABLE, ENOSYS,
			       "this xenp2m was built without the Xen backend; "
			       "try the simulated host with --sim=HOSTFILE");
}

static struct xp_error *xen_unbuilt_probe(const char *source)
{
	return xen_unbuilt();
}

static struct xp_error *xen_unbuilt_open(const char *source, struct xp_backend **out)
{
	return xen_unbuilt();
}

const struct xp_backend_class xp_backend_xen = {
	.name = "xen",
	.probe = xen_unbuilt_probe,
	.open = xen_unbuilt_open,
};
#endif

const struct xp_backend_class *const xp_backend_classes[] = {
	&xp_backend_xen,
	&xp_backend_sim,
};

const size_t xp_backend_nr_classes = XP_ARRAY_SIZE(xp_backend_classes);

const struct xp_backend_class *xp_backend_class_find(const char *name)
{
	size_t i;

	for (i = 0; i < xp_backend_nr_classes; i++)
		if (strcmp(xp_backend_classes[i]->name, name) == 0)
			return xp_backend_classes[i];
	return NULL;
}

struct xp_error *xp_backend_open(const char *name, const char *source, struct xp_backend **out)
{
	struct xp_error *first = NULL, *err;
	const struct xp_backend_class *c;
	size_t i;

	*out = NULL;
	if (name) {
		c = xp_backend_class_find(name);
		if (!c)
			return xp_error_create(XP_ERR_USAGE, EINVAL, "no backend named '%s'", name);
		return c->open(source, out);
	}
	for (i = 0; i < xp_backend_nr_classes; i++) {
		c = xp_backend_classes[i];
		if (!c->file != !source)
			continue;
		err = c->probe(source);
		if (!err) {
			xp_error_destroy(first);
			return c->open(source, out);
		}
		if (first)
			xp_error_destroy(err);
		else
			first = err;
	}
	if (!first)
		first = xp_error_create(XP_ERR_UNAVAILABLE, ENOENT, "no backend reads %s",
					source ? source : "the running host");
	return first;
}

void xp_backend_destroy(struct xp_backend *be)
{
	if (be)
		be->ops->destroy(be);
}

struct xp_error *xp_backend_clone(struct xp_backend *be, struct xp_backend **out)
{
	*out = NULL;
	if (!be->ops->clone)
		return unsupported(be, "cloning a handle");
	return be->ops->clone(be, out);
}

void xp_backend_mappings(const struct xp_backend *be, struct xp_backend_mappings *m)
{
	*m = be->live;
}

struct xp_error *xp_backend_host_info(struct xp_backend *be, struct xp_host_info *info)
{
	if (!be->ops->host_info)
		return unsupported(be, "host information");
	memset(info, 0, sizeof(*info));
	return be->ops->host_info(be, info);
}

struct xp_error *xp_backend_list_domains(struct xp_backend *be, struct xp_domain_info **infos,
					 size_t *count)
{
	*infos = NULL;
	*count = 0;
	if (!be->ops->list_domains)
		return unsupported(be, "listing domains");
	return be->ops->list_domains(be, infos, count);
}

struct xp_error *xp_backend_domain_info(struct xp_backend *be, uint32_t domid,
					struct xp_domain_info *info)
{
	if (!be->ops->domain_info)
		return unsupported(be, "domain information");
	memset(info, 0, sizeof(*info));
	return be->ops->domain_info(be, domid, info);
}

struct xp_error *xp_backend_map_frames(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, int *errs, const void **addr)
{
	struct xp_error *err;

	*addr = NULL;
	if (!be->ops->map_frames)
		return unsupported(be, "mapping guest frames");
	if (count == 0)
		return xp_error_create(XP_ERR_RUNTIME, EINVAL, "mapping zero frames");
	if (xp_signal_pending())
		return xp_signal_error();
	err = be->ops->map_frames(be, domid, mfns, count, errs, addr);
	if (!err)
		be->live.frames++;
	return err;
}

void xp_backend_unmap_frames(struct xp_backend *be, const void *addr, size_t count)
{
	if (addr && be->ops->unmap_frames) {
		be->ops->unmap_frames(be, addr, count);
		if (be->live.frames)
			be->live.frames--;
	}
}

struct xp_error *xp_backend_m2p_map(struct xp_backend *be, const uint64_t **table,
				    uint64_t *nr_entries)
{
	*table = NULL;
	*nr_entries = 0;
	if (!be->ops->m2p_map)
		return unsupported(be, "mapping the M2P table");
	return be->ops->m2p_map(be, table, nr_entries);
}

struct xp_error *xp_backend_vcpu_cr3(struct xp_backend *be, uint32_t domid, unsigned int vcpu,
				     uint64_t *cr3_mfn)
{
	if (!be->ops->vcpu_cr3)
		return unsupported(be, "reading vcpu registers");
	return be->ops->vcpu_cr3(be, domid, vcpu, cr3_mfn);
}

struct xp_error *xp_backend_grant_table_info(struct xp_backend *be, uint32_t domid,
					     unsigned int *version, unsigned int *nr_frames,
					     unsigned int *nr_status_frames,
					     unsigned int *max_frames)
{
	if (!be->ops->grant_table_info)
		return unsupported(be, "grant table information");
	return be->ops->grant_table_info(be, domid, version, nr_frames, nr_status_frames,
					 max_frames);
}

struct xp_error *xp_backend_grant_frames_map(struct xp_backend *be, uint32_t domid, bool status,
					     unsigned int first, unsigned int count,
					     const void **addr)
{
	struct xp_error *err;

	*addr = NULL;
	if (!be->ops->grant_frames_map)
		return unsupported(be, "mapping grant-table frames");
	if (xp_signal_pending())
		return xp_signal_error();
	err = be->ops->grant_frames_map(be, domid, status, first, count, addr);
	if (!err)
		be->live.grant_frames++;
	return err;
}

void xp_backend_grant_frames_unmap(struct xp_backend *be, const void *addr, unsigned int count)
{
	if (addr && be->ops->grant_frames_unmap) {
		be->ops->grant_frames_unmap(be, addr, count);
		if (be->live.grant_frames)
			be->live.grant_frames--;
	}
}

struct xp_error *xp_backend_page_types(struct xp_backend *be, uint32_t domid, const uint64_t *mfns,
				       size_t count, uint8_t *types)
{
	struct xp_error *err = NULL;
	size_t i, n;

	if (!be->ops->page_types)
		return unsupported(be, "reading page types");
	for (i = 0; i < count && !err; i += n) {
		n = XP_MIN(count - i, (size_t)XP_PAGE_TYPES_BATCH);
		if (xp_signal_pending())
			return xp_signal_error();
		err = be->ops->page_types(be, domid, mfns + i, n, types + i);
	}
	return err;
}

const char *xp_page_type_name(enum xp_page_type t)
{
	static const char *const names[] = {
		[XP_PAGE_TYPE_NONE] = "page",	  [XP_PAGE_TYPE_L1] = "l1",
		[XP_PAGE_TYPE_L2] = "l2",	  [XP_PAGE_TYPE_L3] = "l3",
		[XP_PAGE_TYPE_L4] = "l4",	  [XP_PAGE_TYPE_NOT_OWNED] = "not-owned",
		[XP_PAGE_TYPE_BROKEN] = "broken",
	};

	return (size_t)t < XP_ARRAY_SIZE(names) ? names[t] : "unknown";
}

struct xp_error *xp_backend_toolstack_rings(struct xp_backend *be, uint32_t domid,
					    uint64_t *console_mfn, uint64_t *store_mfn)
{
	*console_mfn = *store_mfn = XP_INVALID_MFN;
	if (!be->ops->toolstack_rings)
		return unsupported(be, "reading the toolstack's ring frames");
	return be->ops->toolstack_rings(be, domid, console_mfn, store_mfn);
}

struct xp_error *xp_backend_grant_map(struct xp_backend *be, uint32_t domid, uint32_t ref,
				      bool readonly, void **addr)
{
	struct xp_error *err;

	*addr = NULL;
	if (!be->ops->grant_map)
		return unsupported(be, "mapping grants");
	if (xp_signal_pending())
		return xp_signal_error();
	err = be->ops->grant_map(be, domid, ref, readonly, addr);
	if (!err)
		be->live.grants++;
	return err;
}

struct xp_error *xp_backend_grant_unmap(struct xp_backend *be, void *addr)
{
	struct xp_error *err;

	if (!be->ops->grant_unmap)
		return unsupported(be, "unmapping grants");
	err = be->ops->grant_unmap(be, addr);
	/* whatever else went wrong, the grant is no longer this handle's */
	if ((!err || err->kind != XP_ERR_INVALID) && be->live.grants)
		be->live.grants--;
	return err;
}

struct xp_error *xp_backend_resolve(struct xp_backend *be, const char *what,
				    struct xp_domain_info *info)
{
	struct xp_domain_info *all;
	struct xp_error *err;
	uint64_t domid;
	size_t n, i;

	if (xp_parse_u64(what, &domid) == 0) {
		if (domid >= XP_DOMID_SELF)
			return xp_error_create(XP_ERR_USAGE, EINVAL,
					       "'%s' is not a valid domain id (0-%u)", what,
					       XP_DOMID_SELF - 1);
		err = xp_backend_domain_info(be, (uint32_t)domid, info);
		if (err && err->kind == XP_ERR_NODOMAIN) {
			xp_error_destroy(err);
			return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %s",
					       what);
		}
		return err;
	}
	if (!*what || strlen(what) >= sizeof(info->name))
		return xp_error_create(XP_ERR_USAGE, EINVAL, "'%s' is not a domain id or name",
				       what);
	err = xp_backend_list_domains(be, &all, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (strcmp(all[i].name, what) == 0) {
			*info = all[i];
			free(all);
			return NULL;
		}
	}
	free(all);
	return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain named '%s'", what);
}

const char *xp_domain_type_name(enum xp_domain_type type)
{
	switch (type) {
	case XP_DOMAIN_PV:
		return "pv";
	case XP_DOMAIN_HVM:
		return "hvm";
	case XP_DOMAIN_PVH:
		return "pvh";
	default:
		return "unknown";
	}
}
