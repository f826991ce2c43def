// SPDX-License-Identifier: GPL-2.0
/*
 * Grant tables, the hypervisor's side: what Xen's grant-table code does for
 * a PV guest and for the tools, over the host file (format: hostfmt.h).
 *
 *   - Every domain has a table from its creation: version 1, one shared
 *     frame, at most SIM_GNT_MAX_FRAMES ("1 frames (64 max)" on a real
 *     domU).  GNTTABOP_setup_table and the tools' resource mapping grow it;
 *     it never shrinks.  GNTTABOP_set_version switches between the
 *     versions as Xen does: refused while a grant beyond the reserved ones
 *     is mapped, the reserved entries 0-7 converted, everything else
 *     cleared, status frames added (v2) or freed (v1).
 *   - The toolstack seeds entries 0 and 1 (console and xenstore rings:
 *     permit_access, domid 0) at build and after a restore, records the
 *     rings' frames, and dom0's xenconsoled and xenstored map both, so they
 *     read 0x19 (permit_access | reading | writing) from then on.
 *   - Another domain maps a grant: the entry must be permit_access, name
 *     the mapping domain, allow writing for a writable mapping and name a
 *     frame the granting domain owns.  While mapped, GTF_reading (and
 *     GTF_writing for a writable mapping) is set, in the entry's flags for
 *     version 1 and in the status frame for version 2, and cleared when the
 *     last such mapping goes.  Pins live in the active entries, mappings in
 *     the mapping domain's maptrack (the index is the handle).
 *   - A PV mapping domain may map at a host virtual address: Xen writes
 *     the PTE in its page tables.  Unmapping clears that PTE (a window in
 *     which the address maps nothing); GNTTABOP_unmap_and_replace instead
 *     moves the PTE of another address there and clears that one, in one
 *     step (seed 000).
 *
 * Errors a guest would see as GNTST_* codes are returned as struct
 * xp_error with Xen's reason in words.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/grant_table.h>

#include "lib/util.h"
#include "sim/grant.h"
#include "sim/host.h"

#define PTE_PRESENT 0x001ULL
#define PTE_RW 0x002ULL
#define PTE_USER 0x004ULL
#define PTE_ACCESSED 0x020ULL
#define PTE_DIRTY 0x040ULL
#define PTE_PSE 0x080ULL
#define PTE_GUEST_KERNEL (1ULL << 52)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

#define GTF_STATUS_BITS (GTF_reading | GTF_writing)

struct sim_gnt_meta *sim_gnttab_meta(struct sim_host *h, const struct sim_domain *d)
{
	if (!d->gnt_version || !d->gnt_meta_mfn || d->gnt_meta_mfn >= h->nr_frames)
		return NULL;
	return sim_frame_ptr(h, d->gnt_meta_mfn);
}

unsigned int sim_gnttab_nr_entries(const struct sim_domain *d)
{
	if (!d->gnt_version)
		return 0;
	return d->gnt_nr_frames * sim_gnt_per_frame(d->gnt_version);
}

uint64_t sim_gnttab_frame(struct sim_host *h, const struct sim_domain *d, bool status,
			  unsigned int i)
{
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);

	if (!m)
		return SIM_INVALID_MFN;
	if (status)
		return i < d->gnt_nr_status ? m->status[i] : SIM_INVALID_MFN;
	return i < d->gnt_nr_frames ? m->shared[i] : SIM_INVALID_MFN;
}

/* ---- entries ---- */

static uint8_t *shared_slot(struct sim_host *h, const struct sim_domain *d, uint32_t ref)
{
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);
	unsigned int per = sim_gnt_per_frame(d->gnt_version);

	if (!m || ref >= sim_gnttab_nr_entries(d))
		return NULL;
	return (uint8_t *)sim_frame_ptr(h, m->shared[ref / per]) +
	       (ref % per) * (SIM_PAGE_SIZE / per);
}

static uint16_t *status_slot(struct sim_host *h, const struct sim_domain *d, uint32_t ref)
{
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);

	if (!m || d->gnt_version != 2 || ref >= sim_gnttab_nr_entries(d) ||
	    ref / SIM_GNT_STATUS_PER_FRAME >= d->gnt_nr_status)
		return NULL;
	return (uint16_t *)sim_frame_ptr(h, m->status[ref / SIM_GNT_STATUS_PER_FRAME]) +
	       ref % SIM_GNT_STATUS_PER_FRAME;
}

static struct sim_gnt_active *active_slot(struct sim_host *h, const struct sim_domain *d,
					  uint32_t ref)
{
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);

	if (!m || ref >= sim_gnttab_nr_entries(d))
		return NULL;
	return (struct sim_gnt_active *)sim_frame_ptr(h, m->active[ref / SIM_GNT_ACTIVE_PER_PAGE]) +
	       ref % SIM_GNT_ACTIVE_PER_PAGE;
}

/* The frame holding entry @ref (the shared frame, or the status frame). */
static void mark_written(struct sim_host *h, const struct sim_domain *d, uint32_t ref, bool status)
{
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);

	if (!m)
		return;
	if (status)
		sim_frame_mark_written(h, m->status[ref / SIM_GNT_STATUS_PER_FRAME]);
	else
		sim_frame_mark_written(h, m->shared[ref / sim_gnt_per_frame(d->gnt_version)]);
}

static uint16_t ld16(const void *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

static void st16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELEASE);
}

int sim_gnttab_get_entry(struct sim_host *h, const struct sim_domain *d, uint32_t ref,
			 struct sim_gnt_entry *e)
{
	const uint8_t *p = shared_slot(h, d, ref);

	memset(e, 0, sizeof(*e));
	if (!p)
		return -ENOENT;
	e->flags = ld16(p);
	e->domid = ld16(p + 2);
	if (d->gnt_version == 1) {
		e->frame = __atomic_load_n((const uint32_t *)(p + 4), __ATOMIC_RELAXED);
		e->status = e->flags & GTF_STATUS_BITS;
	} else {
		const uint16_t *st = status_slot(h, d, ref);

		e->frame = __atomic_load_n((const uint64_t *)(p + 8), __ATOMIC_RELAXED);
		e->status = st ? ld16(st) : 0;
	}
	return 0;
}

int sim_gnttab_put_entry(struct sim_host *h, struct sim_domain *d, uint32_t ref,
			 const struct sim_gnt_entry *e)
{
	uint8_t *p = shared_slot(h, d, ref);

	if (!p)
		return -ENOENT;
	/* frame and domid first: whoever reads flags sees a whole entry */
	if (d->gnt_version == 1) {
		__atomic_store_n((uint32_t *)(p + 4), (uint32_t)e->frame, __ATOMIC_RELAXED);
	} else {
		uint16_t *st = status_slot(h, d, ref);

		__atomic_store_n((uint64_t *)(p + 8), e->frame, __ATOMIC_RELAXED);
		if (st) {
			st16(st, e->status);
			mark_written(h, d, ref, true);
		}
	}
	st16(p + 2, e->domid);
	st16(p, e->flags);
	mark_written(h, d, ref, false);
	return 0;
}

/* Set and clear GTF_reading/GTF_writing where the version keeps them. */
static void status_update(struct sim_host *h, struct sim_domain *d, uint32_t ref, uint16_t set,
			  uint16_t clear)
{
	uint16_t *p =
		d->gnt_version == 2 ? status_slot(h, d, ref) : (uint16_t *)shared_slot(h, d, ref);

	if (!p)
		return;
	if (clear)
		__atomic_fetch_and(p, (uint16_t)~clear, __ATOMIC_SEQ_CST);
	if (set)
		__atomic_fetch_or(p, set, __ATOMIC_SEQ_CST);
	mark_written(h, d, ref, d->gnt_version == 2);
}

/* ---- the table's frames ---- */

/* A frame near the domain's other Xen pages, not disturbing its pattern. */
static uint64_t hint(const struct sim_domain *d, unsigned int i)
{
	return d->shared_info_mfn + 2 + i;
}

struct xp_error *sim_gnttab_create(struct sim_host *h, struct sim_domain *d)
{
	struct xp_error *err;
	uint64_t mfn;
	int rc;

	if (d->gnt_version)
		return NULL;
	err = sim_alloc_xen_frame(h, d->shared_info_mfn + 1, &mfn);
	if (err)
		return err;
	sim_domtab_begin(h);
	d->gnt_meta_mfn = mfn;
	d->gnt_version = 1;
	d->gnt_nr_frames = 0;
	d->gnt_nr_status = 0;
	d->gnt_max_frames = SIM_GNT_MAX_FRAMES;
	d->gnt_resource_grows = 0;
	sim_domtab_end(h);
	sim_frame_mark_written(h, mfn);
	/* the first maptrack frame comes with the table (Xen adds them lazily) */
	err = sim_alloc_xen_frame(h, hint(d, 0), &sim_gnttab_meta(h, d)->maptrack[0]);
	if (err)
		return err;
	rc = sim_gnttab_grow(h, d, 1);
	if (rc)
		return xp_error_create(XP_ERR_INVALID, -rc,
				       "domain %u: cannot create its grant table: %s", d->domid,
				       strerror(-rc));
	return NULL;
}

static int populate_status(struct sim_host *h, struct sim_domain *d, unsigned int want)
{
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);
	unsigned int i;
	int rc = 0;

	if (want > SIM_GNT_MAX_STATUS)
		return -EINVAL;
	for (i = d->gnt_nr_status; i < want; i++) {
		struct xp_error *err = sim_alloc_xenheap_near(h, d, hint(d, i), &m->status[i]);

		if (err) {
			xp_error_destroy(err);
			rc = -ENOMEM;
			break;
		}
		sim_frame_mark_written(h, d->gnt_meta_mfn);
	}
	sim_domtab_begin(h);
	d->gnt_nr_status = i;
	sim_domtab_end(h);
	return rc;
}

int sim_gnttab_grow(struct sim_host *h, struct sim_domain *d, unsigned int nr)
{
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);
	unsigned int i;
	int rc = 0;

	if (!m)
		return -ENOENT;
	if (nr > d->gnt_max_frames || nr > SIM_GNT_MAX_FRAMES)
		return -EINVAL;
	for (i = d->gnt_nr_frames; i < nr; i++) {
		struct xp_error *err = sim_alloc_xenheap_near(h, d, hint(d, i), &m->shared[i]);

		if (!err)
			err = sim_alloc_xen_frame(h, hint(d, i), &m->active[i]);
		if (err) {
			xp_error_destroy(err);
			rc = -ENOMEM;
			break;
		}
		sim_frame_mark_written(h, d->gnt_meta_mfn);
	}
	/* publish the frames only once the meta frame names them */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (i > d->gnt_nr_frames) {
		sim_domtab_begin(h);
		d->gnt_nr_frames = i;
		sim_domtab_end(h);
	}
	if (!rc && d->gnt_version == 2)
		rc = populate_status(h, d, sim_gnt_status_frames(d->gnt_nr_frames));
	return rc;
}

static bool entry_pinned(struct sim_host *h, const struct sim_domain *d, uint32_t ref)
{
	const struct sim_gnt_active *a = active_slot(h, d, ref);

	return a && (a->pin_ro || a->pin_rw);
}

int sim_gnttab_set_version(struct sim_host *h, struct sim_domain *d, unsigned int version)
{
	struct sim_gnt_entry keep[GNTTAB_NR_RESERVED_ENTRIES];
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);
	unsigned int i, n;

	if (!m)
		return -ENOENT;
	if (version != 1 && version != 2)
		return -EINVAL;
	if (version == d->gnt_version)
		return 0;
	n = sim_gnttab_nr_entries(d);
	for (i = GNTTAB_NR_RESERVED_ENTRIES; i < n; i++)
		if (entry_pinned(h, d, i))
			return -EBUSY;
	/* the reserved entries, in version 1's form (status folded into flags) */
	for (i = 0; i < GNTTAB_NR_RESERVED_ENTRIES && i < n; i++) {
		sim_gnttab_get_entry(h, d, i, &keep[i]);
		if (d->gnt_version == 2) {
			if ((keep[i].flags & GTF_type_mask) != GTF_permit_access) {
				memset(&keep[i], 0, sizeof(keep[i]));
				continue;
			}
			if (keep[i].frame >> 32)
				return -ERANGE; /* not representable in version 1 */
			keep[i].flags |= keep[i].status;
		}
	}
	if (version == 2) {
		int rc = populate_status(h, d, sim_gnt_status_frames(d->gnt_nr_frames));

		if (rc)
			return rc;
	} else {
		unsigned int s;

		for (s = 0; s < d->gnt_nr_status; s++)
			sim_free_xenheap(h, d, m->status[s]);
		sim_domtab_begin(h);
		d->gnt_nr_status = 0;
		sim_domtab_end(h);
		memset(m->status, 0, sizeof(m->status));
	}
	for (i = 0; i < d->gnt_nr_frames; i++)
		memset(sim_frame_ptr(h, m->shared[i]), 0, SIM_PAGE_SIZE);
	sim_domtab_begin(h);
	d->gnt_version = version;
	sim_domtab_end(h);
	for (i = 0; i < GNTTAB_NR_RESERVED_ENTRIES && i < n; i++) {
		if (version == 2) {
			keep[i].status = keep[i].flags & GTF_STATUS_BITS;
			keep[i].flags &= (uint16_t)~GTF_STATUS_BITS;
		}
		if (keep[i].flags || keep[i].status)
			sim_gnttab_put_entry(h, d, i, &keep[i]);
	}
	return 0;
}

/* ---- the mapping domain's side ---- */

int sim_guest_pte(struct sim_host *h, const struct sim_domain *d, uint64_t va, uint64_t **pte)
{
	unsigned int level = d->width == 8 ? 4 : 3;
	uint64_t mfn = d->vcpu_cr3[0];

	for (;; level--) {
		unsigned int idx = d->width == 4 && level == 3
					   ? (unsigned int)((va >> 30) & 3)
					   : (unsigned int)((va >> (12 + 9 * (level - 1))) & 511);
		uint64_t *table, e;

		if (!sim_frame_owned(h, d, mfn))
			return -EFAULT;
		table = sim_frame_ptr(h, mfn);
		if (level == 1) {
			*pte = &table[idx];
			sim_frame_mark_written(h, mfn);
			return 0;
		}
		e = __atomic_load_n(&table[idx], __ATOMIC_ACQUIRE);
		if (!(e & PTE_PRESENT))
			return -ENOENT;
		if (!(d->width == 4 && level == 3) && (e & PTE_PSE))
			return -EFAULT;
		mfn = (e & PTE_ADDR_MASK) >> SIM_PAGE_SHIFT;
	}
}

static struct sim_gnt_map *maptrack_slot(struct sim_host *h, const struct sim_domain *d,
					 uint32_t handle)
{
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);
	uint64_t mfn;

	if (!m || handle >= SIM_GNT_MAPTRACK_FRAMES * SIM_GNT_MAPTRACK_PER_PAGE)
		return NULL;
	mfn = m->maptrack[handle / SIM_GNT_MAPTRACK_PER_PAGE];
	if (!mfn || mfn >= h->nr_frames)
		return NULL;
	return (struct sim_gnt_map *)sim_frame_ptr(h, mfn) + handle % SIM_GNT_MAPTRACK_PER_PAGE;
}

/* A free maptrack handle, adding a maptrack frame when all are in use. */
static int maptrack_get(struct sim_host *h, struct sim_domain *d, uint32_t *handle)
{
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);
	unsigned int f, i;

	if (!m)
		return -ENOENT;
	for (f = 0; f < SIM_GNT_MAPTRACK_FRAMES; f++) {
		struct sim_gnt_map *page;

		if (!m->maptrack[f]) {
			struct xp_error *err = sim_alloc_xen_frame(h, hint(d, f), &m->maptrack[f]);

			if (err) {
				xp_error_destroy(err);
				m->maptrack[f] = 0;
				return -ENOMEM;
			}
			sim_frame_mark_written(h, d->gnt_meta_mfn);
		}
		page = sim_frame_ptr(h, m->maptrack[f]);
		for (i = 0; i < SIM_GNT_MAPTRACK_PER_PAGE; i++) {
			if (page[i].granter == SIM_OWNER_FREE) {
				*handle = f * SIM_GNT_MAPTRACK_PER_PAGE + i;
				return 0;
			}
		}
	}
	return -ENOSPC;
}

static struct xp_error *map_error(const struct sim_domain *mapper, uint32_t granter, uint32_t ref,
				  int errnum, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct xp_error *map_error(const struct sim_domain *mapper, uint32_t granter, uint32_t ref,
				  int errnum, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return xp_error_create(XP_ERR_INVALID, errnum,
			       "domain %u cannot map grant %u of domain %u: %s", mapper->domid, ref,
			       granter, why);
}

static uint64_t grant_pte(const struct sim_domain *mapper, uint64_t frame, bool readonly)
{
	uint64_t pte = (frame << SIM_PAGE_SHIFT) | PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY | PTE_NX;

	if (!readonly)
		pte |= PTE_RW;
	if (mapper->width == 8)
		pte |= PTE_USER | PTE_GUEST_KERNEL; /* a 64-bit PV kernel mapping */
	return pte;
}

struct xp_error *sim_gnttab_map(struct sim_host *h, struct sim_domain *mapper, uint32_t granter,
				uint32_t ref, uint32_t flags, uint64_t host_addr, uint32_t *handle,
				uint64_t *mfn)
{
	bool ro = flags & SIM_GNTMAP_READONLY, first;
	struct sim_gnt_active *act;
	struct sim_domain *rd = sim_domain_by_id(h, granter);
	struct sim_gnt_entry e;
	uint64_t *pte = NULL, frame;
	struct sim_gnt_map *mt;
	uint32_t hd;
	int rc;

	if (!rd || (rd->flags & SIM_DOMF_DYING))
		return map_error(mapper, granter, ref, ESRCH, "no such domain");
	if (!sim_gnttab_meta(h, rd))
		return map_error(mapper, granter, ref, ENOENT, "it has no grant table");
	if (!sim_gnttab_meta(h, mapper))
		return map_error(mapper, granter, ref, ENOENT,
				 "the mapping domain has no grant table");
	if (ref >= sim_gnttab_nr_entries(rd))
		return map_error(mapper, granter, ref, EINVAL,
				 "bad ref (the table has %u entries in %u frames)",
				 sim_gnttab_nr_entries(rd), rd->gnt_nr_frames);
	act = active_slot(h, rd, ref);
	first = !act->pin_ro && !act->pin_rw;
	if (!first && act->domid != mapper->domid)
		return map_error(mapper, granter, ref, EPERM, "it is mapped by domain %u",
				 act->domid);
	if (act->pin_ro == 0xff || act->pin_rw == 0xff)
		return map_error(mapper, granter, ref, EOVERFLOW, "pin count overflow");
	sim_gnttab_get_entry(h, rd, ref, &e);
	if ((e.flags & GTF_type_mask) != GTF_permit_access)
		return map_error(mapper, granter, ref, EPERM,
				 "the entry is not permit_access (flags 0x%x)", e.flags);
	if (e.domid != mapper->domid)
		return map_error(mapper, granter, ref, EPERM, "it is granted to domain %u",
				 e.domid);
	if (!ro && (e.flags & GTF_readonly))
		return map_error(mapper, granter, ref, EPERM,
				 "attempt to write-pin a read-only grant entry");
	frame = first ? e.frame : act->frame;
	if (first && !sim_frame_owned(h, rd, frame))
		return map_error(mapper, granter, ref, EPERM,
				 "could not pin grant frame 0x%" PRIx64
				 " (not a frame of domain %u)",
				 frame, granter);
	if (flags & SIM_GNTMAP_HOST) {
		rc = sim_guest_pte(h, mapper, host_addr, &pte);
		if (rc)
			return map_error(mapper, granter, ref, -rc,
					 "no page-table entry for host address 0x%" PRIx64,
					 host_addr);
	}
	rc = maptrack_get(h, mapper, &hd);
	if (rc)
		return map_error(mapper, granter, ref, -rc, "out of maptrack handles");
	if (first) {
		act->frame = (uint32_t)frame;
		act->domid = (uint16_t)mapper->domid;
	}
	status_update(h, rd, ref, ro ? GTF_reading : GTF_reading | GTF_writing, 0);
	if (ro)
		act->pin_ro++;
	else
		act->pin_rw++;
	sim_frame_mark_written(h, sim_gnttab_meta(h, rd)->active[ref / SIM_GNT_ACTIVE_PER_PAGE]);
	if (pte)
		__atomic_store_n(pte, grant_pte(mapper, frame, ro), __ATOMIC_RELEASE);
	mt = maptrack_slot(h, mapper, hd);
	mt->ref = ref;
	mt->host_addr = (flags & SIM_GNTMAP_HOST) ? host_addr : 0;
	mt->flags = (uint16_t)(flags & (SIM_GNTMAP_READONLY | SIM_GNTMAP_HOST));
	__atomic_store_n(&mt->granter, SIM_OWNER(granter), __ATOMIC_RELEASE);
	sim_frame_mark_written(
		h, sim_gnttab_meta(h, mapper)->maptrack[hd / SIM_GNT_MAPTRACK_PER_PAGE]);
	*handle = hd;
	*mfn = frame;
	return NULL;
}

int sim_gnttab_get_map(struct sim_host *h, const struct sim_domain *mapper, uint32_t handle,
		       struct sim_gnt_map *out)
{
	const struct sim_gnt_map *mt = maptrack_slot(h, mapper, handle);

	if (!mt || mt->granter == SIM_OWNER_FREE)
		return -ENOENT;
	*out = *mt;
	return 0;
}

int sim_gnttab_find_map(struct sim_host *h, const struct sim_domain *mapper, uint32_t granter,
			uint32_t ref, uint32_t *handle)
{
	uint32_t hd = SIM_GNT_MAPTRACK_FRAMES * SIM_GNT_MAPTRACK_PER_PAGE;

	while (hd-- > 0) {
		const struct sim_gnt_map *mt = maptrack_slot(h, mapper, hd);

		if (mt && mt->granter == SIM_OWNER(granter) && mt->ref == ref) {
			*handle = hd;
			return 0;
		}
	}
	return -ENOENT;
}

/* Drop one mapping's pins in the granting domain's active entry. */
static void unpin(struct sim_host *h, struct sim_domain *rd, uint32_t ref, bool ro)
{
	struct sim_gnt_active *act = active_slot(h, rd, ref);
	uint16_t clear = 0;

	if (!act)
		return;
	if (ro && act->pin_ro)
		act->pin_ro--;
	else if (!ro && act->pin_rw)
		act->pin_rw--;
	if (!act->pin_rw)
		clear |= GTF_writing;
	if (!act->pin_rw && !act->pin_ro)
		clear |= GTF_reading;
	status_update(h, rd, ref, 0, clear);
}

static struct xp_error *unmap_common(struct sim_host *h, struct sim_domain *mapper, uint32_t handle,
				     bool replace, uint64_t new_addr)
{
	struct sim_gnt_map *mt = maptrack_slot(h, mapper, handle);
	struct sim_gnt_active *act;
	struct sim_domain *rd;
	uint64_t *pte, *npte = NULL;
	uint32_t granter;

	if (!mt || mt->granter == SIM_OWNER_FREE)
		return xp_error_create(XP_ERR_INVALID, EINVAL, "domain %u: bad grant handle %u",
				       mapper->domid, handle);
	granter = (uint32_t)mt->granter - 1;
	rd = sim_domain_by_id(h, granter);
	act = rd ? active_slot(h, rd, mt->ref) : NULL;
	if (replace && !(mt->flags & SIM_GNTMAP_HOST))
		return xp_error_create(XP_ERR_INVALID, EINVAL,
				       "domain %u: unmap_and_replace of grant handle %u: not a "
				       "host mapping",
				       mapper->domid, handle);
	if (mt->flags & SIM_GNTMAP_HOST) {
		int rc = sim_guest_pte(h, mapper, mt->host_addr, &pte);
		uint64_t cur = rc ? 0 : __atomic_load_n(pte, __ATOMIC_ACQUIRE);

		if (rc || !(cur & PTE_PRESENT) || !act ||
		    ((cur & PTE_ADDR_MASK) >> SIM_PAGE_SHIFT) != act->frame)
			return xp_error_create(XP_ERR_INVALID, EINVAL,
					       "domain %u: the PTE for 0x%" PRIx64
					       " does not map the granted frame",
					       mapper->domid, mt->host_addr);
		if (replace) {
			rc = sim_guest_pte(h, mapper, new_addr, &npte);
			if (rc || !(__atomic_load_n(npte, __ATOMIC_ACQUIRE) & PTE_PRESENT))
				return xp_error_create(XP_ERR_INVALID, EINVAL,
						       "domain %u: nothing mapped at the "
						       "replacement address 0x%" PRIx64,
						       mapper->domid, new_addr);
			/* the new address's mapping moves over in one store */
			__atomic_store_n(pte, __atomic_load_n(npte, __ATOMIC_ACQUIRE),
					 __ATOMIC_RELEASE);
			__atomic_store_n(npte, 0, __ATOMIC_RELEASE);
		} else {
			__atomic_store_n(pte, 0, __ATOMIC_RELEASE);
		}
	}
	if (rd)
		unpin(h, rd, mt->ref, mt->flags & SIM_GNTMAP_READONLY);
	__atomic_store_n(&mt->granter, (uint16_t)SIM_OWNER_FREE, __ATOMIC_RELEASE);
	mt->ref = 0;
	mt->flags = 0;
	mt->host_addr = 0;
	return NULL;
}

struct xp_error *sim_gnttab_unmap(struct sim_host *h, struct sim_domain *mapper, uint32_t handle)
{
	return unmap_common(h, mapper, handle, false, 0);
}

struct xp_error *sim_gnttab_unmap_and_replace(struct sim_host *h, struct sim_domain *mapper,
					      uint32_t handle, uint64_t new_addr)
{
	return unmap_common(h, mapper, handle, true, new_addr);
}

bool sim_gnttab_mapped_frame(struct sim_host *h, const struct sim_domain *mapper, uint64_t mfn,
			     bool write)
{
	uint32_t hd;

	if (!sim_gnttab_meta(h, mapper))
		return false;
	for (hd = 0; hd < SIM_GNT_MAPTRACK_FRAMES * SIM_GNT_MAPTRACK_PER_PAGE; hd++) {
		const struct sim_gnt_map *mt = maptrack_slot(h, mapper, hd);
		const struct sim_gnt_active *act;
		const struct sim_domain *rd;

		if (!mt) {
			hd += SIM_GNT_MAPTRACK_PER_PAGE - 1; /* no such maptrack frame */
			continue;
		}
		if (mt->granter == SIM_OWNER_FREE || (write && (mt->flags & SIM_GNTMAP_READONLY)))
			continue;
		rd = sim_domain_by_id(h, (uint32_t)mt->granter - 1);
		act = rd ? active_slot(h, rd, mt->ref) : NULL;
		if (act && act->frame == mfn)
			return true;
	}
	return false;
}

/* ---- the toolstack ---- */

struct xp_error *sim_gnttab_seed(struct sim_host *h, struct sim_domain *d, uint64_t console,
				 uint64_t store)
{
	struct sim_gnt_entry e = {.flags = GTF_permit_access, .domid = 0};
	struct sim_domain *dom0 = sim_domain_by_id(h, 0);
	struct xp_error *err = NULL;
	uint32_t ref, handle;
	uint64_t mfn;

	if (!sim_gnttab_meta(h, d))
		return xp_error_create(XP_ERR_INVALID, ENOENT, "domain %u has no grant table",
				       d->domid);
	sim_domtab_begin(h);
	d->console_ring = console;
	d->store_ring = store;
	sim_domtab_end(h);
	e.frame = console;
	sim_gnttab_put_entry(h, d, GNTTAB_RESERVED_CONSOLE, &e);
	e.frame = store;
	sim_gnttab_put_entry(h, d, GNTTAB_RESERVED_XENSTORE, &e);
	/* xenconsoled and xenstored map the rings (the domain is introduced) */
	for (ref = GNTTAB_RESERVED_CONSOLE; dom0 && dom0 != d && ref <= GNTTAB_RESERVED_XENSTORE;
	     ref++) {
		err = sim_gnttab_map(h, dom0, d->domid, ref, 0, 0, &handle, &mfn);
		if (err)
			break;
	}
	return err;
}

/* Every mapping of @d's grants held by @o: released, as its backends do when @d goes. */
static void release_maps_of(struct sim_host *h, struct sim_domain *o, struct sim_domain *d)
{
	uint32_t hd;

	for (hd = 0; hd < SIM_GNT_MAPTRACK_FRAMES * SIM_GNT_MAPTRACK_PER_PAGE; hd++) {
		struct sim_gnt_map *mt = maptrack_slot(h, o, hd);
		struct xp_error *err;

		if (!mt) {
			hd += SIM_GNT_MAPTRACK_PER_PAGE - 1;
			continue;
		}
		if (mt->granter != SIM_OWNER(d->domid))
			continue;
		err = unmap_common(h, o, hd, false, 0);
		if (err) {
			/* the PTE no longer names the frame: just forget the mapping */
			xp_error_destroy(err);
			unpin(h, d, mt->ref, mt->flags & SIM_GNTMAP_READONLY);
			__atomic_store_n(&mt->granter, (uint16_t)SIM_OWNER_FREE, __ATOMIC_RELEASE);
		}
	}
}

void sim_gnttab_destroy(struct sim_host *h, struct sim_domain *d)
{
	struct sim_gnt_meta *m = sim_gnttab_meta(h, d);
	unsigned int i;
	uint32_t hd;

	if (!m)
		return;
	/* the mappings @d holds of others' grants */
	for (hd = 0; hd < SIM_GNT_MAPTRACK_FRAMES * SIM_GNT_MAPTRACK_PER_PAGE; hd++) {
		struct sim_gnt_map *mt = maptrack_slot(h, d, hd);
		struct sim_domain *rd;

		if (!mt) {
			hd += SIM_GNT_MAPTRACK_PER_PAGE - 1;
			continue;
		}
		if (mt->granter == SIM_OWNER_FREE)
			continue;
		rd = sim_domain_by_id(h, (uint32_t)mt->granter - 1);
		if (rd)
			unpin(h, rd, mt->ref, mt->flags & SIM_GNTMAP_READONLY);
		mt->granter = SIM_OWNER_FREE;
	}
	/* others' mappings of @d's grants */
	for (i = 0; i < SIM_MAX_DOMAINS; i++) {
		struct sim_domain *o = &h->doms[i];

		if (o->state == SIM_DOM_LIVE && o != d)
			release_maps_of(h, o, d);
	}
	for (i = 0; i < SIM_GNT_MAX_FRAMES; i++)
		if (m->active[i])
			sim_free_xen_frame(h, m->active[i]);
	for (i = 0; i < SIM_GNT_MAPTRACK_FRAMES; i++)
		if (m->maptrack[i])
			sim_free_xen_frame(h, m->maptrack[i]);
	/* the shared and status frames are the domain's: freed with its memory */
	sim_domtab_begin(h);
	d->gnt_version = 0;
	d->gnt_nr_frames = 0;
	d->gnt_nr_status = 0;
	sim_domtab_end(h);
	sim_free_xen_frame(h, d->gnt_meta_mfn);
	sim_domtab_begin(h);
	d->gnt_meta_mfn = 0;
	sim_domtab_end(h);
}
