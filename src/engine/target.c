// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xen-abi.h"

#include "engine/target.h"
#include "lib/util.h"

int xp_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t xp_u64_sort_unique(uint64_t *v, size_t n)
{
	size_t i, o = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), xp_u64_cmp);
	for (i = 1; i < n; i++)
		if (v[i] != v[o])
			v[++o] = v[i];
	return o + 1;
}

bool xp_u64_contains(const uint64_t *sorted, size_t n, uint64_t v)
{
	return n && bsearch(&v, sorted, n, sizeof(v), xp_u64_cmp) != NULL;
}

struct xp_error *xp_target_open(struct xp_backend *be, uint32_t domid, struct xp_target **out)
{
	struct xp_target *t;
	struct xp_error *err;
	uint64_t mfn;
	int ferr = 0;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return xp_error_nomem();
	t->be = be;
	err = xp_backend_domain_info(be, domid, &t->info);
	if (!err)
		err = xp_backend_host_info(be, &t->host);
	if (err)
		goto fail;
	if (t->info.type != XP_DOMAIN_PV) {
		err = xp_error_create(
			XP_ERR_NOT_PV, EINVAL,
			"domain %u%s%s%s is a %s guest, not a PV guest: its p2m is kept by "
			"Xen, not by the guest (xenp2m list still shows it)",
			domid, *t->info.name ? " (" : "", t->info.name, *t->info.name ? ")" : "",
			xp_domain_type_name(t->info.type));
		goto fail;
	}
	if (t->info.guest_width != 8 && t->info.guest_width != 4) {
		err = xp_error_create(XP_ERR_RUNTIME, EINVAL,
				      "domain %u: unsupported guest width %u", domid,
				      t->info.guest_width);
		goto fail;
	}
	t->width = t->info.guest_width;
	t->fpp = XP_PAGE_SIZE / t->width;
	t->invalid = t->width == 8 ? ~0ULL : 0xffffffffULL;
	t->foreign_bit = 1ULL << (t->width * 8 - 1);
	t->identity_bit = 1ULL << (t->width * 8 - 2);
	/*
	 * A p2m may cover more than the domain's pages (balloon space, E820
	 * holes), but not arbitrarily more than this host could back.
	 */
	t->pfn_cap = XP_MAX(t->info.max_pages, t->host.max_mfn) + (1ULL << 20);

	err = xp_backend_m2p_map(be, &t->m2p, &t->m2p_nr);
	if (err)
		goto fail;
	mfn = t->info.shared_info_frame;
	err = xp_backend_map_frames(be, domid, &mfn, 1, &ferr, &t->shinfo);
	if (!err && ferr) {
		xp_backend_unmap_frames(be, t->shinfo, 1);
		t->shinfo = NULL;
		err = xp_error_create(XP_ERR_GONE, -ferr,
				      "domain %u: cannot map its shared_info frame 0x%" PRIx64
				      " (%s)",
				      domid, mfn, strerror(-ferr));
	}
	if (err)
		goto fail;
	*out = t;
	return NULL;
fail:
	xp_target_destroy(t);
	return err;
}

void xp_target_cache_drop(struct xp_target *t)
{
	size_t i;

	for (i = 0; i < t->maps_n; i++)
		xp_backend_unmap_frames(t->be, t->maps[i].addr, t->maps[i].count);
	free(t->maps);
	free(t->cache);
	t->maps = NULL;
	t->cache = NULL;
	t->maps_n = t->maps_cap = t->cache_n = t->cache_cap = 0;
}

void xp_target_destroy(struct xp_target *t)
{
	if (!t)
		return;
	xp_target_cache_drop(t);
	if (t->shinfo)
		xp_backend_unmap_frames(t->be, t->shinfo, 1);
	free(t);
}

struct xp_error *xp_target_still_there(struct xp_target *t, struct xp_domain_info *now)
{
	struct xp_domain_info info;
	struct xp_error *err;

	if (!now)
		now = &info;
	err = xp_backend_domain_info(t->be, t->info.domid, now);
	if (err && err->kind == XP_ERR_NODOMAIN) {
		xp_error_destroy(err);
		return xp_error_create(
			XP_ERR_GONE, ESRCH,
			"domain %u went away during the check (destroyed or migrated)",
			t->info.domid);
	}
	if (err)
		return err;
	if (now->dying || now->shared_info_frame != t->info.shared_info_frame ||
	    memcmp(now->handle, t->info.handle, sizeof(now->handle)) != 0)
		return xp_error_create(XP_ERR_GONE, ESRCH,
				       "domain %u changed during the check (%s)", t->info.domid,
				       now->dying ? "dying" : "a different domain now");
	return NULL;
}

uint64_t xp_cr3_to_mfn(unsigned int width, uint64_t cr3)
{
	if (width == 4)
		return xen_cr3_to_pfn_x86_32((uint32_t)cr3) & 0xffffffffULL;
	return cr3 >> XP_PAGE_SHIFT;
}

/* The arch block's p2m fields: same names, width-specific types. */
#define READ_ARCH(si, s)                                                                           \
	do {                                                                                       \
		(s)->max_pfn = __atomic_load_n(&(si)->arch.max_pfn, __ATOMIC_RELAXED);             \
		(s)->frame_list_list =                                                             \
			__atomic_load_n(&(si)->arch.pfn_to_mfn_frame_list_list, __ATOMIC_RELAXED); \
		(s)->p2m_cr3 = __atomic_load_n(&(si)->arch.p2m_cr3, __ATOMIC_RELAXED);             \
		(s)->p2m_vaddr = __atomic_load_n(&(si)->arch.p2m_vaddr, __ATOMIC_RELAXED);         \
		(s)->generation = __atomic_load_n(&(si)->arch.p2m_generation, __ATOMIC_ACQUIRE);   \
	} while (0)

void xp_target_read_shinfo(struct xp_target *t, struct xp_shinfo_p2m *s)
{
	if (t->width == 8)
		READ_ARCH((const struct shared_info_x86_64 *)t->shinfo, s);
	else
		READ_ARCH((const struct shared_info_x86_32 *)t->shinfo, s);
	s->p2m_cr3_mfn = s->p2m_cr3 ? xp_cr3_to_mfn(t->width, s->p2m_cr3) : 0;
}

uint64_t xp_target_generation(struct xp_target *t)
{
	struct xp_shinfo_p2m s;

	xp_target_read_shinfo(t, &s);
	return s.generation;
}

enum xp_layout xp_layout_of(const struct xp_target *t, const struct xp_shinfo_p2m *s)
{
	bool fll = s->frame_list_list != 0 && s->frame_list_list != t->invalid;

	if (s->p2m_cr3 && s->frame_list_list == t->invalid)
		return XP_LAYOUT_LIST_ONLY;
	if (s->p2m_cr3 && fll)
		return XP_LAYOUT_LIST;
	if (fll)
		return XP_LAYOUT_TREE;
	return XP_LAYOUT_NONE;
}

int xp_target_classify(const struct xp_target *t, uint64_t entry)
{
	if (entry == t->invalid)
		return XP_ENTRY_INVALID;
	if (entry & t->foreign_bit)
		return XP_ENTRY_FOREIGN;
	if (entry & t->identity_bit)
		return XP_ENTRY_IDENTITY;
	return XP_ENTRY_VALID;
}

static int fcache_cmp(const void *a, const void *b)
{
	const struct xp_fcache_entry *x = a, *y = b;

	return x->mfn < y->mfn ? -1 : x->mfn > y->mfn;
}

static struct xp_fcache_entry *fcache_find(struct xp_target *t, uint64_t mfn)
{
	struct xp_fcache_entry key = {.mfn = mfn};

	if (!t->cache_n)
		return NULL;
	return bsearch(&key, t->cache, t->cache_n, sizeof(key), fcache_cmp);
}

static struct xp_error *map_batch(struct xp_target *t, const uint64_t *mfns, size_t n)
{
	struct xp_fcache_entry *c;
	struct xp_mapping *m;
	struct xp_error *err;
	const void *addr;
	int *errs;
	size_t i;

	errs = calloc(n, sizeof(*errs));
	if (!errs)
		return xp_error_nomem();
	m = xp_grow(t->maps, &t->maps_cap, t->maps_n + 1, sizeof(*m));
	if (m)
		t->maps = m;
	c = m ? xp_grow(t->cache, &t->cache_cap, t->cache_n + n, sizeof(*c)) : NULL;
	if (!c) {
		free(errs);
		return xp_error_nomem();
	}
	t->cache = c;
	err = xp_backend_map_frames(t->be, t->info.domid, mfns, n, errs, &addr);
	if (err) {
		free(errs);
		return err;
	}
	t->maps[t->maps_n++] = (struct xp_mapping){addr, n};
	for (i = 0; i < n; i++) {
		struct xp_fcache_entry *e = &t->cache[t->cache_n++];

		e->mfn = mfns[i];
		e->err = errs[i];
		e->addr = errs[i] ? NULL : (const char *)addr + i * XP_PAGE_SIZE;
	}
	free(errs);
	qsort(t->cache, t->cache_n, sizeof(*t->cache), fcache_cmp);
	return NULL;
}

struct xp_error *xp_target_map_many(struct xp_target *t, const uint64_t *mfns, size_t n)
{
	struct xp_error *err = NULL;
	uint64_t *want;
	size_t i, m = 0, done;

	want = malloc((n ? n : 1) * sizeof(*want));
	if (!want)
		return xp_error_nomem();
	for (i = 0; i < n; i++)
		if (!fcache_find(t, mfns[i]))
			want[m++] = mfns[i];
	m = xp_u64_sort_unique(want, m);
	for (done = 0; done < m && !err; done += XP_BATCH)
		err = map_batch(t, want + done, XP_MIN((size_t)XP_BATCH, m - done));
	free(want);
	return err;
}

const void *xp_target_frame(struct xp_target *t, uint64_t mfn, int *err)
{
	struct xp_fcache_entry *e = fcache_find(t, mfn);
	struct xp_error *xerr;

	if (!e) {
		xerr = map_batch(t, &mfn, 1);
		if (xerr) {
			*err = -(xerr->errnum ? xerr->errnum : EIO);
			xp_error_destroy(xerr);
			return NULL;
		}
		e = fcache_find(t, mfn);
	}
	*err = e->err;
	return e->addr;
}
