// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's grant table (drivers/xen/grant-table.c of the model kernel).
 *
 * At boot gnttab_init() asks Xen for the version the configuration wants
 * (gk_config.gnttab_version), reserves the mapping area for the table's
 * maximum size (arch_gnttab_init, seed 002) and maps the first frame.
 * Drivers allocate references; when none is free the table grows
 * (gnttab_expand) in whatever context the driver runs in -- with the list
 * lock held and interrupts off at least, from an interrupt at worst.
 * Before a save the frames are unmapped (gnttab_suspend); after a restore
 * the new domain's table is set up and mapped again (gnttab_resume), the
 * toolstack having re-seeded entries 0 and 1, and the drivers grant again
 * what they had granted.
 *
 * Entries are written as Linux writes them: the frame and domid first,
 * then, after a barrier, the flags that make the entry live.  Ending a
 * grant fails while the peer has it mapped (GTF_reading/GTF_writing in the
 * flags for version 1, in the status frame for version 2).
 *
 * The model keeps one table of its own, gnttab_refs (a page of pointers to
 * pages of u64, one per reference), where Linux has its free list and each
 * driver its shadow ring:
 *
 *	0			free
 *	GREF_USED		allocated
 *	| GREF_GRANTED		granted by the driver (gntdrv): then also
 *	| GREF_READONLY		read-only grant
 *	| domid << 40 | pfn	to whom, and which page
 */
#include "config.h"

#include "guest/linux/xen-ops.h"

#define GREF_USED (1ULL << 63)
#define GREF_GRANTED (1ULL << 62)
#define GREF_READONLY (1ULL << 61)
#define GREF_DOMID_SHIFT 40
#define GREF_PFN_MASK ((1ULL << GREF_DOMID_SHIFT) - 1)

/* struct grant_entry_v1, union grant_entry_v2, grant_status_t */
#define GNTTAB_V1_SIZE 8U
#define GNTTAB_V2_SIZE 16U
#define SPP (PAGE_SIZE / 2)

#define REFS_PER_PAGE (PAGE_SIZE / 8)
/* The model's limits: the PTE arrays and the refs directory are one page. */
#define GNTTAB_MODEL_MAX_FRAMES 512U

static unsigned int grefs_per_grant_frame(struct gk *k)
{
	return (unsigned int)(PAGE_SIZE /
			      (GET(grant_table_version) == 2 ? GNTTAB_V2_SIZE : GNTTAB_V1_SIZE));
}

static unsigned int nr_status_frames(struct gk *k, unsigned int nr_gframes)
{
	return (unsigned int)DIV_ROUND_UP_ULL((u64)nr_gframes * grefs_per_grant_frame(k), SPP);
}

bool gnttab_available(struct gk *k)
{
	return k->hv.ops->gnttab_setup_table && k->hv.ops->gnttab_query_size;
}

unsigned int gnttab_max_grant_frames(struct gk *k)
{
	unsigned int nr = 0, max = 0;

	if (!gnttab_available(k) || k->hv.ops->gnttab_query_size(k->hv.priv, &nr, &max))
		return 0;
	return max < GNTTAB_MODEL_MAX_FRAMES ? max : GNTTAB_MODEL_MAX_FRAMES;
}

/* Frames the guest has mapped, bounded by what Xen allows. */
static unsigned int nr_grant_frames(struct gk *k)
{
	return (unsigned int)min_u64(GET(nr_grant_frames), gnttab_max_grant_frames(k));
}

u32 gnttab_nr_entries(struct gk *k)
{
	return nr_grant_frames(k) * grefs_per_grant_frame(k);
}

/* --- the reference table ------------------------------------------------------- */

/* VA of @ref's slot in gnttab_refs, 0 when its page is not there. */
static u64 gref_slot(struct gk *k, u32 ref)
{
	u64 dir = GET(gnttab_refs), page;

	if (!dir || ref / REFS_PER_PAGE >= PAGE_SIZE / BYTES_PER_LONG)
		return 0;
	page = rd(k, ARR(dir, ref / REFS_PER_PAGE));
	return page ? page + (ref % REFS_PER_PAGE) * 8 : 0;
}

u64 gnttab_ref_info(struct gk *k, u32 ref)
{
	u64 slot = gref_slot(k, ref);

	return slot ? rd64(k, slot) : 0;
}

static void gnttab_set_ref_info(struct gk *k, u32 ref, u64 val)
{
	u64 slot = gref_slot(k, ref);

	if (slot)
		wr64(k, slot, val);
}

/* Pages of gnttab_refs for the refs of frames [from, to). */
static int grow_ref_table(struct gk *k, unsigned int from, unsigned int to, bool atomic)
{
	u64 dir = GET(gnttab_refs);
	u64 first = (u64)from * grefs_per_grant_frame(k) / REFS_PER_PAGE;
	u64 last = DIV_ROUND_UP_ULL((u64)to * grefs_per_grant_frame(k), REFS_PER_PAGE), i;

	if (!dir || last > PAGE_SIZE / BYTES_PER_LONG)
		return -EINVAL;
	for (i = first; i < last && !k->oops; i++) {
		u64 page;

		if (rd(k, ARR(dir, i)))
			continue;
		page = atomic ? alloc_page_atomic(k) : alloc_page(k);
		if (!page)
			return k->oops ? k->oops : -ENOMEM;
		wr(k, ARR(dir, i), page);
	}
	return k->oops;
}

/* spin_lock_irqsave(&gnttab_list_lock) */
static bool gnttab_list_lock(struct gk *k)
{
	bool flags = k->irqs_disabled;

	k->preempt_count++;
	k->irqs_disabled = true;
	return flags;
}

static void gnttab_list_unlock(struct gk *k, bool flags)
{
	k->preempt_count--;
	k->irqs_disabled = flags;
}

/* --- mapping the frames --------------------------------------------------------- */

/*
 * Map frames [0, end_idx]: Xen grows the table to end_idx + 1 frames and
 * gives their MFNs, which are all mapped again (as Linux does).
 */
static int gnttab_map(struct gk *k, unsigned int end_idx)
{
	const struct gk_hv_ops *ops = k->hv.ops;
	unsigned int nr = end_idx + 1, max = gnttab_max_grant_frames(k);
	u64 frames[GNTTAB_MODEL_MAX_FRAMES];
	int ret;

	if (k->oops)
		return k->oops;
	if (nr > max)
		return -ENOSPC;
	gk_enter(k, "gnttab_map");
	ret = ops->gnttab_setup_table(k->hv.priv, nr, frames);
	if (ret) {
		printk(k, "xen:grant_table: GNTTABOP_setup_table for %u frames failed: %d", nr,
		       ret);
		goto out;
	}
	if (GET(grant_table_version) == 2) {
		unsigned int ns = nr_status_frames(k, nr);
		u64 status[GNTTAB_MODEL_MAX_FRAMES];

		ret = ops->gnttab_get_status_frames
			      ? ops->gnttab_get_status_frames(k->hv.priv, ns, status)
			      : -ENOSYS;
		if (ret) {
			printk(k, "xen:grant_table: GNTTABOP_get_status_frames failed: %d", ret);
			goto out;
		}
		ret = arch_gnttab_map_status(k, status, ns, nr_status_frames(k, max));
		if (ret)
			goto out;
	}
	ret = arch_gnttab_map_shared(k, frames, nr, max);
out:
	gk_leave(k);
	return k->oops ? k->oops : ret;
}

static void gnttab_request_version(struct gk *k)
{
	const struct gk_hv_ops *ops = k->hv.ops;
	unsigned int want = k->cfg.gnttab_version == 2 ? 2 : 1;
	int ret = ops->gnttab_set_version ? ops->gnttab_set_version(k->hv.priv, want) : -ENOSYS;

	if (ret && want == 2) {
		printk(k, "xen:grant_table: version 2 refused (%d), using version 1", ret);
		want = 1;
		if (ops->gnttab_set_version)
			ops->gnttab_set_version(k->hv.priv, 1);
	}
	SET(grant_table_version, want);
}

/* At boot, in process context. */
void gnttab_init(struct gk *k)
{
	unsigned int max, per;
	u64 dir;
	int ret;

	if (!gnttab_available(k)) {
		printk(k, "xen:grant_table: no grant table interface, grants disabled");
		return;
	}
	gk_enter(k, "gnttab_init");
	gnttab_request_version(k);
	printk(k, "xen:grant_table: Grant tables using version %u layout",
	       (unsigned int)GET(grant_table_version));
	max = gnttab_max_grant_frames(k);
	per = grefs_per_grant_frame(k);
	/* kmalloc(GFP_KERNEL) of the list's directory */
	dir = alloc_page(k);
	if (!dir || !max) {
		ret = -ENOMEM;
		goto fail;
	}
	SET(gnttab_refs, dir);
	ret = arch_gnttab_init(k, max, nr_status_frames(k, max));
	if (ret)
		goto fail;
	ret = gnttab_map(k, 0);
	if (!ret)
		ret = grow_ref_table(k, 0, 1, false);
	if (ret)
		goto fail;
	SET(nr_grant_frames, 1);
	SET(gnttab_free_count, per - GNTTAB_NR_RESERVED_ENTRIES);
	SET(gnttab_free_head, GNTTAB_NR_RESERVED_ENTRIES);
	gk_leave(k);
	printk(k, "xen:grant_table: Grant table initialized (%u of %u frames)", 1U, max);
	return;
fail:
	gk_leave(k);
	if (!k->oops)
		printk(k, "xen:grant_table: grant table setup failed: %d", ret);
}

/* Grow by enough frames for @req_entries more references (atomic context). */
static int gnttab_expand(struct gk *k, unsigned int req_entries)
{
	unsigned int cur = nr_grant_frames(k), per = grefs_per_grant_frame(k);
	unsigned int extra = (unsigned int)DIV_ROUND_UP_ULL(req_entries, per);
	unsigned int max = gnttab_max_grant_frames(k);
	int ret;

	if (cur + extra > max) {
		printk(k,
		       "xen:grant_table: xen/grant-table: max_grant_frames reached cur=%u "
		       "extra=%u limit=%u gnttab_free_count=%u req_entries=%u",
		       cur, extra, max, (unsigned int)GET(gnttab_free_count), req_entries);
		return -ENOSPC;
	}
	gk_enter(k, "gnttab_expand");
	ret = gnttab_map(k, cur + extra - 1);
	if (!ret)
		ret = grow_ref_table(k, cur, cur + extra, true);
	if (!ret) {
		SET(nr_grant_frames, cur + extra);
		SET(gnttab_free_count, GET(gnttab_free_count) + (u64)extra * per);
	}
	gk_leave(k);
	return k->oops ? k->oops : ret;
}

int gnttab_alloc_grant_references(struct gk *k, unsigned int count, u32 *refs)
{
	unsigned int n = 0;
	bool flags;
	u32 ref, nr, start;
	int ret = 0;

	if (!gnttab_available(k) || !GET(gnttab_refs))
		return -ENOSYS;
	gk_enter(k, "gnttab_alloc_grant_references");
	flags = gnttab_list_lock(k);
	if (GET(gnttab_free_count) < count)
		ret = gnttab_expand(k, count - (unsigned int)GET(gnttab_free_count));
	nr = gnttab_nr_entries(k);
	start = (u32)GET(gnttab_free_head);
	if (start < GNTTAB_NR_RESERVED_ENTRIES || start >= nr)
		start = GNTTAB_NR_RESERVED_ENTRIES;
	/* one pass over the table, from where the last search stopped */
	for (ref = start; !ret && n < count && !k->oops;) {
		if (!gnttab_ref_info(k, ref)) {
			gnttab_set_ref_info(k, ref, GREF_USED);
			refs[n++] = ref;
		}
		if (++ref >= nr)
			ref = GNTTAB_NR_RESERVED_ENTRIES;
		if (ref == start)
			break;
	}
	if (!ret && n < count)
		ret = k->oops ? k->oops : -ENOSPC; /* the free count lied */
	if (ret) {
		while (n)
			gnttab_set_ref_info(k, refs[--n], 0);
	} else {
		SET(gnttab_free_count, GET(gnttab_free_count) - count);
		SET(gnttab_free_head, ref);
	}
	gnttab_list_unlock(k, flags);
	gk_leave(k);
	return k->oops ? k->oops : ret;
}

void gnttab_free_grant_reference(struct gk *k, u32 ref)
{
	bool flags = gnttab_list_lock(k);

	if (gnttab_ref_info(k, ref)) {
		gnttab_set_ref_info(k, ref, 0);
		SET(gnttab_free_count, GET(gnttab_free_count) + 1);
		/* the free list is a stack: the next allocation takes it */
		SET(gnttab_free_head, ref);
	}
	gnttab_list_unlock(k, flags);
}

void gnttab_mark_granted(struct gk *k, u32 ref, u16 domid, u64 pfn, bool readonly)
{
	gnttab_set_ref_info(k, ref,
			    GREF_USED | GREF_GRANTED | (readonly ? GREF_READONLY : 0) |
				    ((u64)domid << GREF_DOMID_SHIFT) | (pfn & GREF_PFN_MASK));
}

bool gnttab_ref_granted(u64 info, u16 *domid, u64 *pfn, bool *readonly)
{
	if (!(info & GREF_GRANTED))
		return false;
	*domid = (u16)(info >> GREF_DOMID_SHIFT);
	*pfn = info & GREF_PFN_MASK;
	*readonly = info & GREF_READONLY;
	return true;
}

/* --- entries ------------------------------------------------------------------ */

static u64 entry_va(struct gk *k, u32 ref)
{
	u64 shared = GET(gnttab_shared);

	if (!shared || ref >= gnttab_nr_entries(k))
		return 0;
	return shared +
	       (u64)ref * (GET(grant_table_version) == 2 ? GNTTAB_V2_SIZE : GNTTAB_V1_SIZE);
}

void gnttab_grant_foreign_access_ref(struct gk *k, u32 ref, u16 domid, u64 frame, bool readonly)
{
	u64 va = entry_va(k, ref);
	u16 flags = GTF_permit_access | (readonly ? GTF_readonly : 0);

	if (!va) {
		BUG();
		return;
	}
	if (GET(grant_table_version) == 2)
		wr64(k, va + 8, frame);
	else
		wr32(k, va + 4, (u32)frame);
	wr16(k, va + 2, domid);
	wmb();
	wr16(k, va, flags);
}

/* 1 when the grant ended, 0 while the peer still has it mapped. */
int gnttab_end_foreign_access_ref(struct gk *k, u32 ref)
{
	u64 va = entry_va(k, ref);
	unsigned int tries;

	if (!va)
		return 1;
	if (GET(grant_table_version) == 2) {
		u64 st = GET(grstatus);

		if (!st || (rd16(k, st + (u64)ref * 2) & (GTF_reading | GTF_writing)))
			return 0;
		wr16(k, va, 0);
		wmb();
		return 1;
	}
	for (tries = 0; tries < 64 && !k->oops; tries++) {
		u16 flags = rd16(k, va);

		if (flags & (GTF_reading | GTF_writing))
			return 0;
		if (cmpxchg16(k, va, flags, 0) == flags)
			return 1;
	}
	return 0;
}

u16 gnttab_entry_domid(struct gk *k, u32 ref)
{
	u64 va = entry_va(k, ref);

	return va ? rd16(k, va + 2) : 0;
}

/* --- suspend and resume (stop_machine) ------------------------------------------ */

int gnttab_suspend(struct gk *k)
{
	unsigned int nr;

	if (!gnttab_available(k) || !GET(gnttab_refs))
		return 0;
	gk_enter(k, "gnttab_suspend");
	nr = nr_grant_frames(k);
	arch_gnttab_unmap(k, false, nr);
	if (GET(grant_table_version) == 2)
		arch_gnttab_unmap(k, true, nr_status_frames(k, nr));
	gk_leave(k);
	return k->oops;
}

int gnttab_resume(struct gk *k)
{
	unsigned int nr;
	int ret;

	if (!gnttab_available(k) || !GET(gnttab_refs))
		return 0;
	gk_enter(k, "gnttab_resume");
	gnttab_request_version(k);
	nr = nr_grant_frames(k);
	ret = nr ? gnttab_map(k, nr - 1) : -EINVAL;
	gk_leave(k);
	if (ret && !k->oops)
		printk(k, "xen:grant_table: resume: mapping %u frames failed: %d", nr, ret);
	return k->oops ? k->oops : ret;
}
