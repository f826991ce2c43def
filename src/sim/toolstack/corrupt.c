// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: one KIND per class of finding the inspector must
 * detect.  Each changes guest memory, the M2P or shared_info the way a bug
 * (in the guest kernel, the toolstack or Xen) would, and says exactly what
 * it changed.  The guest's structures are found as a debugger would find
 * them: through its symbols and its own page tables (gk_attach & co.).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/grant_table.h>

#include "lib/util.h"
#include "sim/toolstack/toolstack.h"

#define PTE_PRESENT 0x1ULL
#define PTE_PSE 0x80ULL
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

struct cx {
	struct sim_host *h;
	struct sim_domain *d;
	const struct sim_corrupt_args *args;
	struct sim_guest g;
	struct gk *k;
	unsigned int width;
	uint64_t fpp;
	uint8_t *shinfo;
	char *msg;
	size_t msg_len;
};

static struct xp_error *cerr(struct cx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct xp_error *cerr(struct cx *c, const char *fmt, ...)
{
	char buf[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return xp_error_create(XP_ERR_INVALID, EINVAL, "corrupt %s: domain %u ('%s'): %s",
			       c->args->kind, c->d->domid, c->d->name, buf);
}

static void say(struct cx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct cx *c, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(c->msg, c->msg_len, "%s: domain %u: ", c->args->kind, c->d->domid);
	if (n >= c->msg_len)
		return;
	va_start(ap, fmt);
	vsnprintf(c->msg + n, c->msg_len - n, fmt, ap);
	va_end(ap);
}

/* ---- reading and writing the guest, as a debugger would ---- */

static struct xp_error *rd_word(struct cx *c, uint64_t va, uint64_t *v)
{
	const void *p = gk_va(c->k, va, false);

	if (!p)
		return cerr(c, "guest address 0x%" PRIx64 " is not mapped", va);
	if (c->width == 8) {
		memcpy(v, p, 8);
	} else {
		uint32_t w;

		memcpy(&w, p, 4);
		*v = w;
	}
	return NULL;
}

static struct xp_error *wr_word(struct cx *c, uint64_t va, uint64_t v)
{
	void *p = gk_va(c->k, va, true);

	if (!p)
		return cerr(c, "guest address 0x%" PRIx64 " is not mapped", va);
	if (c->width == 8) {
		memcpy(p, &v, 8);
	} else {
		uint32_t w = (uint32_t)v;

		memcpy(p, &w, 4);
	}
	return NULL;
}

/* The value of pointer (or unsigned long) variable @name. */
static struct xp_error *sym_val(struct cx *c, const char *name, uint64_t *v)
{
	uint64_t va = 0;

	if (gk_symbol(c->k, name, &va) != 0)
		return cerr(c, "the guest kernel has no symbol %s", name);
	return rd_word(c, va, v);
}

/* The machine frame behind a guest address, through the guest's page tables. */
static struct xp_error *va_mfn(struct cx *c, uint64_t va, uint64_t *mfn)
{
	const uint8_t *p = gk_va(c->k, va, false);

	if (!p)
		return cerr(c, "guest address 0x%" PRIx64 " is not mapped", va);
	*mfn = (uint64_t)(p - c->h->mem) >> SIM_PAGE_SHIFT;
	return NULL;
}

static struct xp_error *va_pfn(struct cx *c, uint64_t va, uint64_t *pfn)
{
	uint64_t mfn = 0;
	struct xp_error *err;

	if (gk_va_to_pfn(c->k, va, pfn) == 0)
		return NULL;
	err = va_mfn(c, va, &mfn);
	if (!err)
		*pfn = c->h->m2p[mfn];
	return err;
}

/* A frame of another domain (dom0 unless we corrupt dom0). */
static struct xp_error *foreign_frame(struct cx *c, uint64_t *mfn, uint32_t *domid)
{
	struct sim_domain *o = NULL;
	unsigned int i;

	if (c->d->domid != 0)
		o = sim_domain_by_id(c->h, 0);
	for (i = 0; !o && i < SIM_MAX_DOMAINS; i++)
		if (c->h->doms[i].state == SIM_DOM_LIVE && &c->h->doms[i] != c->d &&
		    c->h->doms[i].start_info_mfn < c->h->nr_frames)
			o = &c->h->doms[i];
	if (!o || o->start_info_mfn >= c->h->nr_frames)
		return cerr(c, "no other domain owns a frame to point at");
	*mfn = o->start_info_mfn;
	*domid = o->domid;
	return NULL;
}

static uint64_t mid_index(struct cx *c, uint64_t pfn)
{
	return (pfn / c->fpp) % c->fpp;
}

static uint64_t top_index(struct cx *c, uint64_t pfn)
{
	return pfn / (c->fpp * c->fpp);
}

static struct xp_error *p2m_pfns(struct cx *c, uint64_t *n)
{
	return sym_val(c, "xen_max_p2m_pfn", n);
}

static struct xp_error *pick_pfn(struct cx *c, uint64_t *pfn, uint64_t extra)
{
	struct xp_error *err;
	uint64_t n = 0;

	err = p2m_pfns(c, &n);
	if (err)
		return err;
	*pfn = c->args->has_pfn ? c->args->pfn : 0;
	if (*pfn + extra >= n)
		return cerr(c, "pfn 0x%" PRIx64 " is beyond the guest's p2m (0x%" PRIx64 " pfns)",
			    *pfn, n);
	return NULL;
}

static struct xp_error *pick_index(struct cx *c, uint64_t *i)
{
	*i = c->args->has_index ? c->args->index : 0;
	if (*i >= c->fpp)
		return cerr(c, "index %" PRIu64 " out of range (0-%" PRIu64 ")", *i, c->fpp - 1);
	return NULL;
}

/* The mfn tree's top-level arrays (absent in a list-only guest). */
static struct xp_error *mfn_tree(struct cx *c, uint64_t *top, uint64_t *top_p, uint64_t *mmm)
{
	struct xp_error *err;

	err = sym_val(c, "p2m_top_mfn", top);
	if (!err)
		err = sym_val(c, "p2m_top_mfn_p", top_p);
	if (!err && mmm)
		err = sym_val(c, "p2m_mid_missing_mfn", mmm);
	if (!err && (!*top || !*top_p))
		err = cerr(c, "the guest has no mfn tree (layout %s)",
			   gk_layout_name((enum gk_layout)c->d->layout));
	return err;
}

/* The VA of pfn @pfn's p2m entry, through the guest's own p2m. */
static struct xp_error *p2m_entry_va(struct cx *c, uint64_t pfn, uint64_t *va)
{
	struct xp_error *err;
	uint64_t base = 0, mid = 0, leaf = 0;

	if (c->d->layout != GK_LAYOUT_TREE) {
		err = sym_val(c, "xen_p2m_addr", &base);
		if (!err)
			*va = base + pfn * c->width;
		return err;
	}
	err = sym_val(c, "p2m_top", &base);
	if (!err)
		err = rd_word(c, base + top_index(c, pfn) * c->width, &mid);
	if (!err)
		err = rd_word(c, mid + mid_index(c, pfn) * c->width, &leaf);
	if (!err)
		*va = leaf + (pfn % c->fpp) * c->width;
	return err;
}

/* Walk the page tables that shared_info's p2m_cr3 names down to @va's
 * entry at @level; a host pointer to that entry and its table's MFN. */
static struct xp_error *pt_entry(struct cx *c, uint64_t va, unsigned int level, uint64_t **entry,
				 uint64_t *table_mfn)
{
	uint64_t cr3 = sim_arch_get(c->shinfo, c->width, SIM_ARCH_P2M_CR3);
	unsigned int levels = c->width == 8 ? 4 : 3, l;
	uint64_t mfn = sim_cr3_to_mfn(c->width, cr3);

	if (!cr3)
		return cerr(c, "the guest publishes no p2m_cr3");
	for (l = levels;; l--) {
		unsigned int idx = (unsigned int)((va >> (12 + 9 * (l - 1))) & 511);
		uint64_t *table;

		if (!sim_frame_owned(c->h, c->d, mfn))
			return cerr(c, "page table 0x%" PRIx64 " at level %u is not the guest's",
				    mfn, l);
		table = sim_frame_ptr(c->h, mfn);
		if (l == level) {
			*entry = &table[idx];
			*table_mfn = mfn;
			sim_frame_mark_written(c->h, mfn);
			return NULL;
		}
		if (!(table[idx] & PTE_PRESENT) || (table[idx] & PTE_PSE))
			return cerr(c, "p2m list address 0x%" PRIx64 " is not mapped at level %u",
				    va, l);
		mfn = (table[idx] & PTE_ADDR_MASK) >> SIM_PAGE_SHIFT;
	}
}

static struct xp_error *need_list(struct cx *c)
{
	if (c->d->layout == GK_LAYOUT_TREE)
		return cerr(c, "needs a list layout (the guest uses tree)");
	return NULL;
}

/*
 * The kinds come in shapes, and the table at the end gives each kind its
 * shape and the parts that make it that kind:
 *
 *   - word: one word of the guest's p2m structures (found by @locate)
 *     gets a new value (@value); "WHERE (va V): OLD -> NEW (NOTE)";
 *   - arch: one field of shared_info's arch block (@field, @value);
 *   - grant: one grant entry (--ref, or the first in use) changed by
 *     @change; "grant entry R (...): FIELD OLD -> NEW, ... (NOTE)";
 *   - the rest, each its own function (@apply).
 */
struct kind;

/* A guest word a word-kind changes. */
struct word {
	uint64_t va;
	uint64_t index; /* in the table that holds it */
	uint64_t pfn;	/* the pfn it covers, when it covers one */
	bool has_pfn;
	char where[96]; /* "p2m_top_mfn[3]" */
};

typedef struct xp_error *(*value_fn)(struct cx *c, const struct word *w, uint64_t old, uint64_t *v,
				     char *note, size_t len);

struct kind {
	struct sim_corrupt_kind doc;
	bool needs_guest; /* attach to the guest kernel (symbols, page tables) */
	struct xp_error *(*apply)(struct cx *c, const struct kind *k);
	struct xp_error *(*locate)(struct cx *c, struct word *w);
	enum sim_arch_field field;
	value_fn value;
	void (*change)(struct cx *c, struct sim_gnt_entry *e, char *note, size_t len);
	struct xp_error *(*change_frame)(struct cx *c, struct sim_gnt_entry *e, char *note,
					 size_t len);
};

/* ---- word kinds: where ---- */

static struct xp_error *at_top_mfn(struct cx *c, struct word *w)
{
	uint64_t top = 0, top_p = 0;
	struct xp_error *err;

	err = mfn_tree(c, &top, &top_p, NULL);
	if (!err)
		err = pick_index(c, &w->index);
	if (err)
		return err;
	w->va = top + w->index * c->width;
	snprintf(w->where, sizeof(w->where), "p2m_top_mfn[%" PRIu64 "]", w->index);
	return NULL;
}

static struct xp_error *at_top_mfn_p(struct cx *c, struct word *w)
{
	uint64_t top = 0, top_p = 0, mmm = 0;
	struct xp_error *err;

	err = mfn_tree(c, &top, &top_p, &mmm);
	if (!err)
		err = pick_index(c, &w->index);
	if (err)
		return err;
	w->va = top_p + w->index * c->width;
	snprintf(w->where, sizeof(w->where), "p2m_top_mfn_p[%" PRIu64 "]", w->index);
	return NULL;
}

static struct xp_error *at_missing_mfn(struct cx *c, struct word *w)
{
	struct xp_error *err;
	uint64_t mmm = 0;

	err = sym_val(c, "p2m_mid_missing_mfn", &mmm);
	if (!err && !mmm)
		err = cerr(c, "the guest has no p2m_mid_missing_mfn page");
	if (!err)
		err = pick_index(c, &w->index);
	if (err)
		return err;
	w->va = mmm + w->index * c->width;
	snprintf(w->where, sizeof(w->where), "p2m_mid_missing_mfn[%" PRIu64 "]", w->index);
	return NULL;
}

/* The mid-mfn entry covering --pfn (not in the shared missing page). */
static struct xp_error *at_mid_mfn(struct cx *c, struct word *w)
{
	uint64_t top = 0, top_p = 0, mmm = 0, mid = 0;
	struct xp_error *err;

	err = pick_pfn(c, &w->pfn, 0);
	if (!err)
		err = mfn_tree(c, &top, &top_p, &mmm);
	if (!err)
		err = rd_word(c, top_p + top_index(c, w->pfn) * c->width, &mid);
	if (!err && mid == mmm)
		err = cerr(c, "pfn 0x%" PRIx64 " is in a missing region (shared mid-mfn page)",
			   w->pfn);
	if (err)
		return err;
	w->has_pfn = true;
	w->index = mid_index(c, w->pfn);
	w->va = mid + w->index * c->width;
	snprintf(w->where, sizeof(w->where),
		 "mid-mfn entry %" PRIu64 " of p2m_top_mfn_p[%" PRIu64 "]", w->index,
		 top_index(c, w->pfn));
	return NULL;
}

static struct xp_error *at_p2m(struct cx *c, struct word *w)
{
	struct xp_error *err;

	err = pick_pfn(c, &w->pfn, 0);
	if (!err)
		err = p2m_entry_va(c, w->pfn, &w->va);
	if (err)
		return err;
	snprintf(w->where, sizeof(w->where), "p2m[0x%" PRIx64 "]", w->pfn);
	return NULL;
}

/* p2m_top[i][j], the pfn tree's pointer to the leaf covering --pfn. */
static struct xp_error *at_pfn_tree(struct cx *c, struct word *w)
{
	uint64_t top = 0, mid = 0;
	struct xp_error *err;

	if (c->d->layout != GK_LAYOUT_TREE)
		return cerr(c, "needs the tree layout (the guest uses %s)",
			    gk_layout_name((enum gk_layout)c->d->layout));
	err = pick_pfn(c, &w->pfn, 0);
	if (!err)
		err = sym_val(c, "p2m_top", &top);
	if (!err)
		err = rd_word(c, top + top_index(c, w->pfn) * c->width, &mid);
	if (err)
		return err;
	w->has_pfn = true;
	w->index = mid_index(c, w->pfn);
	w->va = mid + w->index * c->width;
	snprintf(w->where, sizeof(w->where), "p2m_top[%" PRIu64 "][%" PRIu64 "]",
		 top_index(c, w->pfn), w->index);
	return NULL;
}

/* ---- values (word and arch kinds) ---- */

static struct xp_error *v_foreign(struct cx *c, const struct word *w, uint64_t old, uint64_t *v,
				  char *note, size_t len)
{
	struct xp_error *err;
	uint32_t owner = 0;

	err = foreign_frame(c, v, &owner);
	if (!err)
		snprintf(note, len, "a frame of domain %u", owner);
	return err;
}

static struct xp_error *v_beyond(struct cx *c, const struct word *w, uint64_t old, uint64_t *v,
				 char *note, size_t len)
{
	*v = c->h->nr_frames + 0x1000;
	snprintf(note, len, "beyond host memory, 0x%" PRIx64 " frames", c->h->nr_frames);
	return NULL;
}

/* The frame the mid page had before a migration: free now, its M2P stale. */
static struct xp_error *v_stale_mid(struct cx *c, const struct word *w, uint64_t old, uint64_t *v,
				    char *note, size_t len)
{
	uint64_t top_p = 0, mid_va = 0, mid_pfn = 0;
	struct xp_error *err;

	err = sym_val(c, "p2m_top_mfn_p", &top_p);
	if (!err)
		err = rd_word(c, top_p + w->index * c->width, &mid_va);
	if (!err)
		err = va_pfn(c, mid_va, &mid_pfn);
	if (err)
		return err;
	if (sim_find_free_frame(c->h, old + 0x1000, v) < 0)
		return cerr(c, "no free frame on the host");
	c->h->m2p[*v] = mid_pfn;
	snprintf(note, len, "a free frame; its M2P entry := 0x%" PRIx64 ", the mid-mfn page's pfn",
		 mid_pfn);
	return NULL;
}

/* p2m_top_mfn_p[i] := the missing page, or another mid-mfn page if it is that. */
static struct xp_error *v_other_mid(struct cx *c, const struct word *w, uint64_t old, uint64_t *v,
				    char *note, size_t len)
{
	uint64_t top_p = 0, mmm = 0, j, e = 0;
	struct xp_error *err;

	err = sym_val(c, "p2m_top_mfn_p", &top_p);
	if (!err)
		err = sym_val(c, "p2m_mid_missing_mfn", &mmm);
	if (err)
		return err;
	*v = mmm;
	if (old == mmm) {
		*v = 0;
		for (j = 0; j < c->fpp && !*v && !err; j++) {
			err = rd_word(c, top_p + j * c->width, &e);
			if (!err && e != mmm && e != old)
				*v = e;
		}
		if (!err && !*v)
			err = cerr(c,
				   "no other mid-mfn page to point p2m_top_mfn_p[%" PRIu64 "] at",
				   w->index);
	}
	if (!err)
		snprintf(note, len, "%s; p2m_top_mfn[%" PRIu64 "] unchanged",
			 *v == mmm ? "p2m_mid_missing_mfn" : "another mid-mfn page", w->index);
	return err;
}

/* Not p2m_missing's frame: p2m_identity's, or else pfn 0's leaf page. */
static struct xp_error *v_not_missing(struct cx *c, const struct word *w, uint64_t old, uint64_t *v,
				      char *note, size_t len)
{
	uint64_t missing_va = 0, missing_mfn = 0, alt_va = 0;
	struct xp_error *err;

	*v = 0;
	err = sym_val(c, "p2m_missing", &missing_va);
	if (!err)
		err = va_mfn(c, missing_va, &missing_mfn);
	if (!err)
		err = sym_val(c, "p2m_identity", &alt_va);
	if (!err && alt_va)
		err = va_mfn(c, alt_va, v);
	if (!err && (!alt_va || *v == missing_mfn || *v == old)) {
		uint64_t top = 0, top_p = 0, mid = 0;

		err = mfn_tree(c, &top, &top_p, NULL);
		if (!err)
			err = rd_word(c, top_p, &mid);
		if (!err)
			err = rd_word(c, mid, v);
	}
	if (!err)
		snprintf(note, len, "p2m_missing is 0x%" PRIx64, missing_mfn);
	return err;
}

/*
 * A neighbouring entry's leaf (not @old, not @missing, and the domain's
 * own frame when @owned), else @missing itself.
 */
static struct xp_error *other_leaf(struct cx *c, const struct word *w, uint64_t old,
				   uint64_t missing, bool owned, uint64_t *v)
{
	struct xp_error *err = NULL;
	uint64_t cand = 0;
	int delta;

	*v = 0;
	for (delta = 1; delta >= -1 && !err && !*v; delta -= 2) {
		if ((delta < 0 && w->index == 0) || (delta > 0 && w->index + 1 >= c->fpp))
			continue;
		err = rd_word(c, w->va + (uint64_t)((int64_t)delta * c->width), &cand);
		if (!err && cand != old && cand != missing &&
		    (!owned || sim_frame_owned(c->h, c->d, cand)))
			*v = cand;
	}
	if (!err && !*v)
		*v = missing != old ? missing : 0;
	if (!err && !*v)
		err = cerr(c, "no other leaf page to point at");
	return err;
}

/* The mfn side: leaves are frames. */
static struct xp_error *v_other_leaf_mfn(struct cx *c, const struct word *w, uint64_t old,
					 uint64_t *v, char *note, size_t len)
{
	uint64_t missing_va = 0, missing_mfn = 0;
	struct xp_error *err;

	err = sym_val(c, "p2m_missing", &missing_va);
	if (!err)
		err = va_mfn(c, missing_va, &missing_mfn);
	if (!err)
		err = other_leaf(c, w, old, missing_mfn, true, v);
	if (!err)
		snprintf(note, len, "the guest's leaf page for other pfns");
	return err;
}

/* The pfn side: leaves are guest addresses. */
static struct xp_error *v_other_leaf_va(struct cx *c, const struct word *w, uint64_t old,
					uint64_t *v, char *note, size_t len)
{
	struct xp_error *err;
	uint64_t missing = 0;

	err = sym_val(c, "p2m_missing", &missing);
	if (!err)
		err = other_leaf(c, w, old, missing, false, v);
	if (!err)
		snprintf(note, len, "another leaf than the mid-mfn entry names");
	return err;
}

static struct xp_error *v_max_pfn(struct cx *c, const struct word *w, uint64_t old, uint64_t *v,
				  char *note, size_t len)
{
	uint64_t size = 0, unit = 0;
	struct xp_error *err;

	if (c->args->has_pages) {
		*v = c->args->pages;
		snprintf(note, len, "as asked");
	} else if (c->d->layout == GK_LAYOUT_TREE) {
		/* more than one p2m_top_mfn page can describe */
		*v = c->fpp * c->fpp * c->fpp + c->fpp;
		snprintf(note, len, "the mfn tree covers 0x%" PRIx64 " pfns",
			 c->fpp * c->fpp * c->fpp);
	} else {
		/* past the list's virtual area (sized in 1 GiB steps, as Linux does) */
		err = sym_val(c, "xen_p2m_size", &size);
		if (err)
			return err;
		unit = (1ULL << 30) / c->width;
		*v = (size + unit - 1) / unit * unit + unit;
		snprintf(note, len, "the list maps 0x%" PRIx64 " entries", size);
	}
	if (c->width == 4 && *v > 0xffffffffULL)
		return cerr(c, "max_pfn 0x%" PRIx64 " does not fit a 32-bit guest's field", *v);
	return NULL;
}

static struct xp_error *v_odd(struct cx *c, const struct word *w, uint64_t old, uint64_t *v,
			      char *note, size_t len)
{
	*v = (old & 1) ? old + 2 : old + 1;
	snprintf(note, len, "an update that never finishes");
	return NULL;
}

static struct xp_error *v_foreign_cr3(struct cx *c, const struct word *w, uint64_t old, uint64_t *v,
				      char *note, size_t len)
{
	struct xp_error *err;
	uint32_t owner = 0;
	uint64_t f = 0;

	err = foreign_frame(c, &f, &owner);
	if (err)
		return err;
	*v = sim_mfn_to_cr3(c->width, f);
	snprintf(note, len, "mfn 0x%" PRIx64 ", a frame of domain %u", f, owner);
	return NULL;
}

static struct xp_error *v_bad_vaddr(struct cx *c, const struct word *w, uint64_t old, uint64_t *v,
				    char *note, size_t len)
{
	*v = c->width == 8 ? 0x0000800000000123ULL : 0xf5800123ULL;
	if (old == *v)
		*v += 0x1000;
	snprintf(note, len,
		 c->width == 8 ? "non-canonical, unaligned" : "unaligned, in Xen's range");
	return NULL;
}

/* ---- the shapes ---- */

static struct xp_error *apply_word(struct cx *c, const struct kind *k)
{
	struct word w = {0};
	uint64_t old = 0, v = 0;
	struct xp_error *err;
	char note[160] = "", covers[48] = "";

	err = k->locate(c, &w);
	if (!err)
		err = rd_word(c, w.va, &old);
	if (!err)
		err = k->value(c, &w, old, &v, note, sizeof(note));
	if (!err)
		err = wr_word(c, w.va, v);
	if (err)
		return err;
	if (w.has_pfn)
		snprintf(covers, sizeof(covers), ", covers pfn 0x%" PRIx64, w.pfn);
	say(c, "%s (va 0x%" PRIx64 "%s): 0x%" PRIx64 " -> 0x%" PRIx64 " (%s)", w.where, w.va,
	    covers, old, v, note);
	return NULL;
}

static struct xp_error *apply_arch(struct cx *c, const struct kind *k)
{
	uint64_t old = sim_arch_get(c->shinfo, c->width, k->field), v = 0;
	struct xp_error *err;
	char note[160] = "";

	err = k->value(c, NULL, old, &v, note, sizeof(note));
	if (err)
		return err;
	sim_arch_set(c->shinfo, c->width, k->field, v);
	say(c, "shared_info (mfn 0x%" PRIx64 ") arch.%s: 0x%" PRIx64 " -> 0x%" PRIx64 " (%s)",
	    c->d->shared_info_mfn, sim_arch_field_name(k->field), old,
	    sim_arch_get(c->shinfo, c->width, k->field), note);
	return NULL;
}

/* @ref (--ref), or the first permit_access entry past the reserved ones (else 8). */
static struct xp_error *pick_ref(struct cx *c, uint32_t *ref, struct sim_gnt_entry *e)
{
	unsigned int n = sim_gnttab_nr_entries(c->d), r;

	if (!n)
		return cerr(c, "the domain has no grant table");
	if (c->args->has_ref) {
		if (c->args->ref >= n)
			return cerr(c, "ref %" PRIu64 " is beyond the grant table (%u entries)",
				    c->args->ref, n);
		*ref = (uint32_t)c->args->ref;
	} else {
		*ref = GNTTAB_NR_RESERVED_ENTRIES;
		for (r = GNTTAB_NR_RESERVED_ENTRIES; r < n; r++) {
			sim_gnttab_get_entry(c->h, c->d, r, e);
			if ((e->flags & GTF_type_mask) == GTF_permit_access) {
				*ref = r;
				break;
			}
		}
	}
	sim_gnttab_get_entry(c->h, c->d, *ref, e);
	return NULL;
}

/* Write @after over entry @ref (@before) and say which fields changed. */
static void put_entry(struct cx *c, uint32_t ref, const struct sim_gnt_entry *before,
		      const struct sim_gnt_entry *after, const char *note)
{
	char buf[256];
	size_t n = 0;

	sim_gnttab_put_entry(c->h, c->d, ref, after);
	buf[0] = '\0';
#define FIELD(fmt, name, a, b)                                                                    \
	do {                                                                                      \
		if ((a) != (b) && n < sizeof(buf))                                                \
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,                           \
					      "%s" name " " fmt " -> " fmt, n ? ", " : "", a, b); \
	} while (0)
	FIELD("0x%x", "flags", before->flags, after->flags);
	if (c->d->gnt_version == 2)
		FIELD("0x%x", "status", before->status, after->status);
	FIELD("%u", "domid", before->domid, after->domid);
	FIELD("0x%" PRIx64, "frame", before->frame, after->frame);
#undef FIELD
	say(c, "grant entry %u (v%u, table frame 0x%" PRIx64 "): %s (%s)", ref, c->d->gnt_version,
	    sim_gnttab_frame(c->h, c->d, false, ref / (c->d->gnt_version == 2 ? 256 : 512)),
	    n ? buf : "unchanged", note);
}

static bool entry_in_use(const struct sim_gnt_entry *e)
{
	return (e->flags & GTF_type_mask) == GTF_permit_access;
}

static struct xp_error *apply_grant(struct cx *c, const struct kind *k)
{
	struct sim_gnt_entry before, after;
	struct xp_error *err;
	uint32_t ref = 0;
	char note[96] = "";

	err = pick_ref(c, &ref, &before);
	if (err)
		return err;
	after = before;
	if (k->change_frame)
		err = k->change_frame(c, &after, note, sizeof(note));
	else
		k->change(c, &after, note, sizeof(note));
	if (!err)
		put_entry(c, ref, &before, &after, note);
	return err;
}

/* ---- grant kinds: the change ---- */

static struct xp_error *g_foreign_frame(struct cx *c, struct sim_gnt_entry *e, char *note,
					size_t len)
{
	struct xp_error *err;
	uint32_t owner = 0;
	uint64_t f = 0;

	err = foreign_frame(c, &f, &owner);
	if (err)
		return err;
	if (!entry_in_use(e))
		e->flags = GTF_permit_access; /* a grant the guest never made */
	e->frame = f;
	snprintf(note, len, "a frame of domain %u", owner);
	return NULL;
}

static void g_bad_flags(struct cx *c, struct sim_gnt_entry *e, char *note, size_t len)
{
	/* the type goes (not permit_access) while reading/writing stay set */
	e->flags &= (uint16_t) ~(GTF_type_mask | GTF_readonly);
	if (c->d->gnt_version == 2)
		e->status = GTF_reading | GTF_writing;
	else
		e->flags |= GTF_reading | GTF_writing;
	snprintf(note, len, "reading|writing on an entry that is not permit_access");
}

static void g_dead_peer(struct cx *c, struct sim_gnt_entry *e, char *note, size_t len)
{
	uint32_t dead = SIM_DOMID_LAST;

	while (dead > SIM_DOMID_FIRST && sim_domain_by_id(c->h, dead))
		dead--;
	if (!entry_in_use(e)) {
		/* a grant the guest never made, of one of its own frames */
		e->flags = GTF_permit_access;
		e->frame = c->d->start_info_mfn;
	}
	e->domid = (uint16_t)dead;
	snprintf(note, len, "no such domain");
}

/* ---- kinds of their own ---- */

static struct xp_error *k_m2p_mismatch(struct cx *c, const struct kind *k)
{
	uint64_t pfn = 0, mfn = 0, old = 0, n = 0, other = 0;
	struct xp_error *err;

	err = pick_pfn(c, &pfn, 0);
	if (!err)
		err = p2m_pfns(c, &n);
	if (err)
		return err;
	mfn = gk_pfn_to_mfn(c->k, pfn);
	if (!sim_frame_owned(c->h, c->d, mfn))
		return cerr(c,
			    "pfn 0x%" PRIx64 " has no frame of its own (p2m entry 0x%" PRIx64 ")",
			    pfn, mfn);
	old = c->h->m2p[mfn];
	other = pfn + 1 < n ? pfn + 1 : pfn - 1;
	c->h->m2p[mfn] = other;
	say(c, "M2P[0x%" PRIx64 "] (the frame of pfn 0x%" PRIx64 "): 0x%" PRIx64 " -> 0x%" PRIx64,
	    mfn, pfn, old, other);
	return NULL;
}

static struct xp_error *k_leaf_swap(struct cx *c, const struct kind *k)
{
	uint64_t pfn = 0, va0 = 0, va1 = 0, a = 0, b = 0;
	struct xp_error *err;

	err = pick_pfn(c, &pfn, 1);
	if (!err)
		err = p2m_entry_va(c, pfn, &va0);
	if (!err)
		err = p2m_entry_va(c, pfn + 1, &va1);
	if (!err)
		err = rd_word(c, va0, &a);
	if (!err)
		err = rd_word(c, va1, &b);
	if (!err && a == b)
		err = cerr(c,
			   "p2m[0x%" PRIx64 "] and p2m[0x%" PRIx64 "] are equal (0x%" PRIx64
			   "): nothing to swap",
			   pfn, pfn + 1, a);
	if (!err)
		err = wr_word(c, va0, b);
	if (!err)
		err = wr_word(c, va1, a);
	if (!err)
		say(c,
		    "p2m[0x%" PRIx64 "] (va 0x%" PRIx64 "): 0x%" PRIx64 " -> 0x%" PRIx64
		    ", p2m[0x%" PRIx64 "] (va 0x%" PRIx64 "): 0x%" PRIx64 " -> 0x%" PRIx64,
		    pfn, va0, a, b, pfn + 1, va1, b, a);
	return err;
}

/* The L1 entry that maps the list page covering --pfn: cleared, or foreign. */
static struct xp_error *list_pte(struct cx *c, bool foreign)
{
	uint64_t pfn = 0, base = 0, va = 0, *pte = NULL, table = 0, old = 0, f = 0;
	struct xp_error *err;
	uint32_t owner = 0;
	char note[48] = "";

	err = need_list(c);
	if (!err)
		err = pick_pfn(c, &pfn, 0);
	if (!err)
		err = sym_val(c, "xen_p2m_addr", &base);
	if (!err && foreign)
		err = foreign_frame(c, &f, &owner);
	if (err)
		return err;
	va = base + (pfn / c->fpp) * SIM_PAGE_SIZE;
	err = pt_entry(c, va, 1, &pte, &table);
	if (err)
		return err;
	old = *pte;
	*pte = foreign ? (old & ~PTE_ADDR_MASK) | (f << SIM_PAGE_SHIFT) | PTE_PRESENT : 0;
	if (foreign)
		snprintf(note, sizeof(note), " (a frame of domain %u)", owner);
	say(c,
	    "L1 table 0x%" PRIx64 " entry %u (maps p2m list page va 0x%" PRIx64 ", pfn 0x%" PRIx64
	    "): 0x%" PRIx64 " -> 0x%" PRIx64 "%s",
	    table, (unsigned int)((va >> 12) & 511), va, pfn, old, *pte, note);
	return NULL;
}

static struct xp_error *k_list_pte_clear(struct cx *c, const struct kind *k)
{
	return list_pte(c, false);
}

static struct xp_error *k_list_pte_foreign(struct cx *c, const struct kind *k)
{
	return list_pte(c, true);
}

static struct xp_error *k_pt_loop(struct cx *c, const struct kind *k)
{
	unsigned int level = c->width == 8 ? 3 : 2;
	uint64_t base = 0, *pte = NULL, table = 0, old = 0;
	struct xp_error *err;

	err = need_list(c);
	if (!err)
		err = sym_val(c, "xen_p2m_addr", &base);
	if (!err)
		err = pt_entry(c, base, level, &pte, &table);
	if (err)
		return err;
	old = *pte;
	*pte = (old & ~PTE_ADDR_MASK) | (table << SIM_PAGE_SHIFT) | PTE_PRESENT;
	say(c,
	    "L%u table 0x%" PRIx64 " entry %u (on the walk of p2m_vaddr 0x%" PRIx64 "): 0x%" PRIx64
	    " -> 0x%" PRIx64 " (the table's own frame)",
	    level, table, (unsigned int)((base >> (12 + 9 * (level - 1))) & 511), base, old, *pte);
	return NULL;
}

static struct xp_error *k_grant_reserved_stale(struct cx *c, const struct kind *k)
{
	struct sim_gnt_entry before, after;
	uint64_t ring, f = 0, pfn;
	uint32_t ref = c->args->has_ref ? (uint32_t)c->args->ref : GNTTAB_RESERVED_CONSOLE;
	char note[160];

	if (c->args->has_ref && c->args->ref > GNTTAB_RESERVED_XENSTORE)
		return cerr(c, "ref %" PRIu64 " is not a reserved ring entry (0 or 1)",
			    c->args->ref);
	ring = ref == GNTTAB_RESERVED_CONSOLE ? c->d->console_ring : c->d->store_ring;
	if (ring == SIM_INVALID_MFN)
		return cerr(c, "the toolstack recorded no rings for this domain");
	if (sim_gnttab_get_entry(c->h, c->d, ref, &before))
		return cerr(c, "the domain has no grant table");
	pfn = ring < c->h->nr_frames ? c->h->m2p[ring] : SIM_M2P_INVALID;
	/* the frame the ring had before a restore: free now, its M2P stale */
	if (sim_find_free_frame(c->h, ring + 0x1000, &f) < 0)
		return cerr(c, "no free frame on the host");
	c->h->m2p[f] = pfn;
	after = before;
	after.frame = f;
	snprintf(note, sizeof(note),
		 "a free frame; its M2P entry := 0x%" PRIx64 ", the %s ring's pfn; the toolstack "
		 "recorded 0x%" PRIx64,
		 pfn, ref == GNTTAB_RESERVED_CONSOLE ? "console" : "xenstore", ring);
	put_entry(c, ref, &before, &after, note);
	return NULL;
}

/*
 * The first 16 bytes of one guest page := a pattern: what a snapshot with
 * pages must notice, in a page nothing else looks at.
 */
static struct xp_error *k_page_write(struct cx *c, const struct kind *k)
{
	static const uint8_t pattern[16] = {'p', 'a', 'g', 'e', '-', 'w', 'r', 'i',
					    't', 'e', ' ', 'f', 'a', 'u', 'l', 't'};
	uint64_t pfn, n = 0, mfn;
	struct xp_error *err;
	uint8_t *page;
	size_t i;

	err = p2m_pfns(c, &n);
	if (err)
		return err;
	pfn = c->args->has_pfn ? c->args->pfn : n / 2;
	if (pfn >= n)
		return cerr(c, "pfn 0x%" PRIx64 " is beyond the guest's p2m (0x%" PRIx64 " pfns)",
			    pfn, n);
	mfn = gk_pfn_to_mfn(c->k, pfn);
	if (!sim_frame_owned(c->h, c->d, mfn))
		return cerr(c,
			    "pfn 0x%" PRIx64 " has no frame of its own (p2m entry 0x%" PRIx64 ")",
			    pfn, mfn);
	page = sim_frame_ptr(c->h, mfn);
	if (memcmp(page, pattern, sizeof(pattern)) == 0) {
		for (i = 0; i < sizeof(pattern); i++)
			page[i] = (uint8_t)~pattern[i];
		say(c, "pfn 0x%" PRIx64 " (mfn 0x%" PRIx64 "): bytes 0-15 inverted", pfn, mfn);
	} else {
		memcpy(page, pattern, sizeof(pattern));
		say(c, "pfn 0x%" PRIx64 " (mfn 0x%" PRIx64 "): bytes 0-15 := \"page-write fault\"",
		    pfn, mfn);
	}
	sim_frame_mark_written(c->h, mfn);
	return NULL;
}

/* ---- the table ---- */

#define WORD(where, val) .needs_guest = true, .apply = apply_word, .locate = (where), .value = (val)
#define ARCH(f, val) .apply = apply_arch, .field = (f), .value = (val)

static const struct kind kinds[] = {
	{{"stale-top-mfn", "[--index I]",
	  "p2m_top_mfn[I] := a free frame, M2P naming the mid page"},
	 WORD(at_top_mfn, v_stale_mid)},
	{{"foreign-top-mfn", "[--index I]", "p2m_top_mfn[I] := a frame of another domain"},
	 WORD(at_top_mfn, v_foreign)},
	{{"foreign-mid-mfn", "[--pfn P]", "mid-mfn entry covering P := another domain's frame"},
	 WORD(at_mid_mfn, v_foreign)},
	{{"mid-wrong-leaf", "[--pfn P]", "mid-mfn entry covering P := another leaf page"},
	 WORD(at_mid_mfn, v_other_leaf_mfn)},
	{{"m2p-mismatch", "[--pfn P]", "M2P entry of p2m[P]'s frame := another pfn"},
	 .needs_guest = true,
	 .apply = k_m2p_mismatch},
	{{"leaf-swap", "[--pfn P]", "swap the p2m entries of P and P+1"},
	 .needs_guest = true,
	 .apply = k_leaf_swap},
	{{"leaf-out-of-range", "[--pfn P]", "p2m[P] := an MFN beyond host memory"},
	 WORD(at_p2m, v_beyond)},
	{{"top-out-of-range", "[--index I]", "p2m_top_mfn[I] := an MFN beyond host memory"},
	 WORD(at_top_mfn, v_beyond)},
	{{"top-mfn-p", "[--index I]", "p2m_top_mfn_p[I] := another mid-mfn page"},
	 WORD(at_top_mfn_p, v_other_mid)},
	{{"missing-mfn", "[--index I]", "p2m_mid_missing_mfn[I] := not p2m_missing's MFN"},
	 WORD(at_missing_mfn, v_not_missing)},
	{{"list-pte-clear", "[--pfn P]", "clear the PTE mapping the list page covering P"},
	 .needs_guest = true,
	 .apply = k_list_pte_clear},
	{{"list-pte-foreign", "[--pfn P]", "that PTE := a frame of another domain"},
	 .needs_guest = true,
	 .apply = k_list_pte_foreign},
	{{"pt-loop", "", "a table on the walk to the list names itself"},
	 .needs_guest = true,
	 .apply = k_pt_loop},
	{{"max-pfn", "[--pages N]", "shared_info max_pfn := more than the p2m covers"},
	 .needs_guest = true,
	 ARCH(SIM_ARCH_MAX_PFN, v_max_pfn)},
	{{"generation-odd", "", "shared_info p2m_generation := odd, left so"},
	 ARCH(SIM_ARCH_P2M_GENERATION, v_odd)},
	{{"frame-list-list", "", "shared_info frame list list := a foreign frame"},
	 ARCH(SIM_ARCH_FLL, v_foreign)},
	{{"p2m-cr3", "", "shared_info p2m_cr3 := a foreign frame"},
	 ARCH(SIM_ARCH_P2M_CR3, v_foreign_cr3)},
	{{"p2m-vaddr", "", "shared_info p2m_vaddr := non-canonical, unaligned"},
	 ARCH(SIM_ARCH_P2M_VADDR, v_bad_vaddr)},
	{{"pfn-tree-leaf", "[--pfn P]", "p2m_top[i][j] := another leaf than the mfn tree's"},
	 WORD(at_pfn_tree, v_other_leaf_va)},
	{{"grant-foreign-frame", "[--ref R]", "entry R := a frame of another domain"},
	 .apply = apply_grant,
	 .change_frame = g_foreign_frame},
	{{"grant-bad-flags", "[--ref R]", "entry R: reading|writing, type invalid"},
	 .apply = apply_grant,
	 .change = g_bad_flags},
	{{"grant-dead-peer", "[--ref R]", "entry R := to a domain that is not there"},
	 .apply = apply_grant,
	 .change = g_dead_peer},
	{{"grant-reserved-stale", "[--ref 0|1]", "ring entry R := not the recorded ring"},
	 .apply = k_grant_reserved_stale},
	{{"page-write", "[--pfn P]", "the first bytes of pfn P's page := a pattern"},
	 .needs_guest = true,
	 .apply = k_page_write},
};

#undef WORD
#undef ARCH

const unsigned int sim_nr_corrupt_kinds = XP_ARRAY_SIZE(kinds);

const struct sim_corrupt_kind *sim_corrupt_kind(unsigned int i)
{
	return i < XP_ARRAY_SIZE(kinds) ? &kinds[i].doc : NULL;
}

struct xp_error *sim_corrupt(struct sim_host *h, struct sim_domain *d,
			     const struct sim_corrupt_args *args, char *msg, size_t msg_len)
{
	struct cx c = {.h = h, .d = d, .args = args, .msg = msg, .msg_len = msg_len};
	const struct kind *k = NULL;
	struct xp_error *err;
	unsigned int i;

	msg[0] = '\0';
	for (i = 0; i < XP_ARRAY_SIZE(kinds) && !k; i++)
		if (strcmp(kinds[i].doc.name, args->kind) == 0)
			k = &kinds[i];
	if (!k)
		return xp_error_create(XP_ERR_USAGE, EINVAL,
				       "unknown fault kind '%s' (see 'xenp2m-sim corrupt --help')",
				       args->kind);
	if (d->pending == SIM_PENDING_BOOT)
		return cerr(&c, "the guest kernel has not booted yet");
	if (d->shared_info_mfn >= h->nr_frames)
		return cerr(&c, "the domain has no shared_info page");
	c.width = d->width;
	c.fpp = SIM_PAGE_SIZE / d->width;
	c.shinfo = sim_frame_ptr(h, d->shared_info_mfn);
	sim_guest_init(&c.g, h, d);
	if (k->needs_guest && gk_attach(&c.g.hv, &c.k) != 0)
		return cerr(&c, "cannot attach to the guest kernel through its page tables");
	err = k->apply(&c, k);
	if (c.k)
		gk_detach(c.k);
	return err;
}
