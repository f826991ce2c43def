// SPDX-License-Identifier: GPL-2.0
/*
 * The fake hypervisor of the guest model's unit tests (test-guest-fake.h).
 * Written from the public ABI (xen/foreign/x86_{64,32}.h) and gk.h's contract, with
 * its own page-table walker and p2m reader, independent of the model.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-guest-fake.h"

#define FPAGE 4096u
#define NONE32 0xffffffffu
#define PTE_MASK 0x000ffffffffff000ULL

struct fake {
	struct gk_hv hv;
	struct gk_hv_ops ops;
	uint64_t max_mfn;
	uint8_t ***dir;
	uint32_t *m2p;
	uint8_t *owner;
	uint8_t *pin;
	uint64_t cursor;
	uint64_t touched;

	struct gk_config cfg;
	struct gk_image img;
	unsigned int width, epp;
	uint64_t nr_pages, max_pages, pfn_space;
	uint32_t *truth;
	uint64_t tot_pages;
	uint64_t cr3, si_mfn, shinfo_mfn;
	char err[256];
	char **console;
	unsigned int nr_console, cap_console;
};

static void *xzalloc(size_t n)
{
	void *p = calloc(1, n);

	if (!p) {
		fprintf(stderr, "fake: out of memory (%zu bytes)\n", n);
		abort();
	}
	return p;
}

static uint8_t *frame_data(struct fake *f, uint64_t mfn, bool create)
{
	uint8_t **leaf = f->dir[mfn >> 9];

	if (!leaf) {
		if (!create)
			return NULL;
		leaf = f->dir[mfn >> 9] = xzalloc(512 * sizeof(*leaf));
	}
	if (!leaf[mfn & 511] && create) {
		leaf[mfn & 511] = xzalloc(FPAGE);
		f->touched++;
	}
	return leaf[mfn & 511];
}

static void frame_release(struct fake *f, uint64_t mfn)
{
	uint8_t **leaf = f->dir[mfn >> 9];

	if (leaf && leaf[mfn & 511]) {
		free(leaf[mfn & 511]);
		leaf[mfn & 511] = NULL;
		f->touched--;
	}
}

static uint64_t alloc_mfn(struct fake *f)
{
	uint64_t i;

	for (i = 0; i < f->max_mfn; i++) {
		uint64_t mfn = f->cursor;

		f->cursor = (f->cursor + 1) % f->max_mfn;
		if (mfn && f->owner[mfn] == FAKE_FREE)
			return mfn;
	}
	fprintf(stderr, "fake: host out of frames\n");
	abort();
}

/* shared_info of a 32-bit guest must have a 32-bit machine address. */
static uint64_t alloc_shinfo_mfn(struct fake *f)
{
	uint64_t mfn;

	if (f->width == 8)
		return alloc_mfn(f);
	for (mfn = 1; mfn < f->max_mfn && mfn < (1ULL << 20); mfn++)
		if (f->owner[mfn] == FAKE_FREE)
			return mfn;
	fprintf(stderr, "fake: no frame below 4 GiB\n");
	abort();
}

static uint64_t load(const struct fake *f, const uint8_t *p, uint64_t i)
{
	if (f->width == 8)
		return ((const uint64_t *)p)[i];
	return ((const uint32_t *)p)[i];
}

static void store(const struct fake *f, uint8_t *p, uint64_t i, uint64_t v)
{
	if (f->width == 8)
		((uint64_t *)p)[i] = v;
	else
		((uint32_t *)p)[i] = (uint32_t)v;
}

static uint64_t ulong_mask(const struct fake *f)
{
	return f->width == 8 ? ~0ULL : 0xffffffffULL;
}

static uint64_t identity_bit(const struct fake *f)
{
	return f->width == 8 ? 1ULL << 62 : 1ULL << 30;
}

static bool plain_mfn(const struct fake *f, uint64_t v)
{
	return v != ulong_mask(f) && !(v & (identity_bit(f) | (identity_bit(f) << 1)));
}

/* --- the hypercall interface ------------------------------------------------- */

static void *op_frame(void *hv, uint64_t mfn, bool write)
{
	struct fake *f = hv;

	(void)write;
	if (mfn >= f->max_mfn)
		return NULL;
	if (f->owner[mfn] != FAKE_DOM && !(mfn == f->shinfo_mfn && f->owner[mfn] == FAKE_XEN))
		return NULL;
	return frame_data(f, mfn, true);
}

static uint64_t op_m2p(void *hv, uint64_t mfn)
{
	struct fake *f = hv;

	if (mfn >= f->max_mfn || f->m2p[mfn] == NONE32)
		return ~0ULL;
	return f->m2p[mfn];
}

static uint64_t op_max_mfn(void *hv)
{
	return ((struct fake *)hv)->max_mfn;
}

static uint64_t op_max_pages(void *hv)
{
	return ((struct fake *)hv)->max_pages;
}

static int op_populate_physmap(void *hv, uint64_t pfn, uint64_t *mfn)
{
	struct fake *f = hv;
	uint64_t m;

	if (f->tot_pages >= f->max_pages)
		return -ENOMEM;
	if (pfn >= f->pfn_space)
		return -EINVAL;
	if (f->truth[pfn] != NONE32)
		return -EEXIST;
	m = alloc_mfn(f);
	f->owner[m] = FAKE_DOM;
	f->m2p[m] = (uint32_t)pfn;
	f->truth[pfn] = (uint32_t)m;
	f->tot_pages++;
	*mfn = m;
	return 0;
}

static int op_decrease_reservation(void *hv, uint64_t mfn)
{
	struct fake *f = hv;
	uint64_t pfn;

	if (mfn >= f->max_mfn || f->owner[mfn] != FAKE_DOM || f->pin[mfn])
		return -EINVAL;
	pfn = f->m2p[mfn];
	if (pfn < f->pfn_space && f->truth[pfn] == mfn)
		f->truth[pfn] = NONE32;
	f->owner[mfn] = FAKE_FREE;
	frame_release(f, mfn);
	f->tot_pages--;
	return 0; /* the M2P entry stays, stale, as on Xen */
}

static int op_machphys_update(void *hv, uint64_t mfn, uint64_t pfn)
{
	struct fake *f = hv;

	if (mfn >= f->max_mfn || f->owner[mfn] != FAKE_DOM)
		return -EINVAL;
	f->m2p[mfn] = (uint32_t)pfn;
	return 0;
}

static int op_pin_table(void *hv, uint64_t mfn, unsigned int level)
{
	struct fake *f = hv;

	if (mfn >= f->max_mfn || f->owner[mfn] != FAKE_DOM || level > 4)
		return -EINVAL;
	if (!level && !f->pin[mfn])
		return -EINVAL;
	f->pin[mfn] = (uint8_t)level;
	return 0;
}

static uint64_t op_vcpu_cr3(void *hv, unsigned int vcpu)
{
	(void)vcpu;
	return ((struct fake *)hv)->cr3;
}

static int op_new_baseptr(void *hv, unsigned int vcpu, uint64_t mfn)
{
	struct fake *f = hv;

	(void)vcpu;
	if (mfn >= f->max_mfn || f->owner[mfn] != FAKE_DOM ||
	    f->pin[mfn] != (f->width == 8 ? 4 : 3))
		return -EINVAL;
	f->cr3 = mfn;
	return 0;
}

static uint64_t op_start_info_mfn(void *hv)
{
	return ((struct fake *)hv)->si_mfn;
}

static void op_console(void *hv, const char *line)
{
	struct fake *f = hv;

	if (getenv("FAKE_CONSOLE"))
		printf("# console: %s\n", line);
	if (f->nr_console == f->cap_console) {
		f->cap_console = f->cap_console ? 2 * f->cap_console : 16;
		f->console = realloc(f->console, f->cap_console * sizeof(*f->console));
		if (!f->console)
			abort();
	}
	f->console[f->nr_console++] = strdup(line);
}

static uint64_t op_boot_mfn(void *hv, uint64_t pfn)
{
	struct fake *f = hv;

	if (pfn >= f->img.free_pfn || pfn >= f->pfn_space || f->truth[pfn] == NONE32)
		return ~0ULL;
	return f->truth[pfn];
}

struct fake *fake_create(uint64_t max_mfn)
{
	struct fake *f = xzalloc(sizeof(*f));

	f->max_mfn = max_mfn;
	f->dir = xzalloc((max_mfn / 512 + 1) * sizeof(*f->dir));
	f->m2p = malloc(max_mfn * sizeof(*f->m2p));
	if (!f->m2p)
		abort();
	memset(f->m2p, 0xff, max_mfn * sizeof(*f->m2p));
	f->owner = xzalloc(max_mfn);
	f->pin = xzalloc(max_mfn);
	f->cursor = max_mfn / 3; /* MFNs unlike pfns */
	f->ops = (struct gk_hv_ops){
		.frame = op_frame,
		.m2p = op_m2p,
		.max_mfn = op_max_mfn,
		.max_pages = op_max_pages,
		.populate_physmap = op_populate_physmap,
		.decrease_reservation = op_decrease_reservation,
		.machphys_update = op_machphys_update,
		.pin_table = op_pin_table,
		.vcpu_cr3 = op_vcpu_cr3,
		.new_baseptr = op_new_baseptr,
		.start_info_mfn = op_start_info_mfn,
		.console = op_console,
		.boot_mfn = op_boot_mfn,
	};
	f->hv.ops = &f->ops;
	f->hv.priv = f;
	return f;
}

void fake_destroy(struct fake *f)
{
	uint64_t i;
	unsigned int c;

	if (!f)
		return;
	for (i = 0; i <= f->max_mfn / 512; i++) {
		if (f->dir[i]) {
			for (c = 0; c < 512; c++)
				free(f->dir[i][c]);
			free(f->dir[i]);
		}
	}
	for (c = 0; c < f->nr_console; c++)
		free(f->console[c]);
	free(f->console);
	free(f->dir);
	free(f->m2p);
	free(f->owner);
	free(f->pin);
	free(f->truth);
	free(f);
}

struct gk_hv *fake_hv(struct fake *f)
{
	return &f->hv;
}

void fake_set_boot_mfn(struct fake *f, bool on)
{
	f->ops.boot_mfn = on ? op_boot_mfn : NULL;
}

const char *fake_error(const struct fake *f)
{
	return f->err;
}

static int fail(struct fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct fake *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
	return -EIO;
}

/* --- the domain builder ------------------------------------------------------ */

int fake_prepare(struct fake *f, const struct gk_config *cfg, uint64_t nr_pages, uint64_t max_pages)
{
	const struct gk_image *img = &f->img;
	const char *why = NULL;
	uint64_t pfn, j, l4;
	uint8_t *p;
	int ret;

	ret = gk_image_layout(cfg, nr_pages, &f->img, &why);
	if (ret) {
		snprintf(f->err, sizeof(f->err), "%s", why ? why : "layout refused");
		return ret;
	}
	f->cfg = *cfg;
	f->width = cfg->width;
	f->epp = FPAGE / cfg->width;
	f->nr_pages = nr_pages;
	f->max_pages = max_pages > nr_pages ? max_pages : nr_pages;
	f->pfn_space = f->max_pages + f->epp;
	f->truth = malloc(f->pfn_space * sizeof(*f->truth));
	if (!f->truth)
		abort();
	memset(f->truth, 0xff, f->pfn_space * sizeof(*f->truth));

	f->shinfo_mfn = alloc_shinfo_mfn(f);
	f->owner[f->shinfo_mfn] = FAKE_XEN;
	frame_data(f, f->shinfo_mfn, true);

	/* Frames for pfns [0, nr_pages), in descending MFN order as Xen tends to. */
	for (pfn = nr_pages; pfn-- > 0;) {
		uint64_t m = alloc_mfn(f);

		f->owner[m] = FAKE_DOM;
		f->m2p[m] = (uint32_t)pfn;
		f->truth[pfn] = (uint32_t)m;
	}
	f->tot_pages = nr_pages;

	/* The initial p2m array; past nr_pages the builder leaves garbage. */
	for (j = 0; j < img->p2m_pages; j++) {
		p = frame_data(f, f->truth[img->p2m_pfn + j], true);
		for (pfn = 0; pfn < f->epp; pfn++) {
			uint64_t q = j * f->epp + pfn;

			store(f, p, pfn, q < nr_pages ? f->truth[q] : 0x5a5a5a5a5a5a5a5aULL);
		}
	}

	f->si_mfn = f->truth[img->start_info_pfn];
	p = frame_data(f, f->si_mfn, true);
	if (f->width == 8) {
		struct start_info_x86_64 si = {0};

		strcpy(si.magic, "xen-3.0-x86_64");
		si.nr_pages = nr_pages;
		si.shared_info = f->shinfo_mfn << 12;
		si.flags = cfg->layout == GK_LAYOUT_LIST_ONLY ? SIF_VIRT_P2M_4TOOLS : 0;
		si.store_mfn = f->truth[img->store_pfn];
		si.console.domU.mfn = f->truth[img->console_pfn];
		si.pt_base = img->virt_base + (img->l4_pfn << 12);
		si.nr_pt_frames = 1;
		si.mfn_list = img->mfn_list_va;
		si.first_p2m_pfn = img->p2m_pfn;
		si.nr_p2m_frames = img->p2m_pages;
		memcpy(p, &si, sizeof(si));
	} else {
		struct start_info_x86_32 si = {0};

		strcpy(si.magic, "xen-3.0-x86_32p");
		si.nr_pages = (uint32_t)nr_pages;
		si.shared_info = (uint32_t)(f->shinfo_mfn << 12);
		si.flags = cfg->layout == GK_LAYOUT_LIST_ONLY ? SIF_VIRT_P2M_4TOOLS : 0;
		si.store_mfn = f->truth[img->store_pfn];
		si.console.domU.mfn = f->truth[img->console_pfn];
		si.pt_base = (uint32_t)(img->virt_base + (img->l4_pfn << 12));
		si.nr_pt_frames = 1;
		si.mfn_list = (uint32_t)img->mfn_list_va;
		si.first_p2m_pfn = (uint32_t)img->p2m_pfn;
		si.nr_p2m_frames = (uint32_t)img->p2m_pages;
		memcpy(p, &si, sizeof(si));
	}

	l4 = f->truth[img->l4_pfn];
	frame_data(f, l4, true);
	f->pin[l4] = f->width == 8 ? 4 : 3;
	f->cr3 = l4;
	return 0;
}

int fake_build(struct fake *f, const struct gk_config *cfg, uint64_t nr_pages, uint64_t max_pages)
{
	int ret = fake_prepare(f, cfg, nr_pages, max_pages);

	return ret ? ret : gk_boot(&f->hv, cfg);
}

/* --- reading the guest like a toolstack ----------------------------------- */

static bool owned(const struct fake *f, uint64_t mfn)
{
	return mfn < f->max_mfn && f->owner[mfn] == FAKE_DOM;
}

/* Walk the guest's page tables from @top for @va: the data frame, and the
 * L1 table it is in (through @l1). */
static uint64_t walk(struct fake *f, uint64_t top, uint64_t va, uint64_t *l1)
{
	unsigned int levels = f->width == 8 ? 4 : 3, level;
	uint64_t mfn = top;

	for (level = levels; level >= 1; level--) {
		unsigned int idx = (levels == 3 && level == 3)
					   ? (unsigned int)((va >> 30) & 3)
					   : (unsigned int)((va >> (12 + 9 * (level - 1))) & 511);
		uint8_t *t;
		uint64_t e;

		if (!owned(f, mfn))
			return ~0ULL;
		t = frame_data(f, mfn, true);
		e = ((uint64_t *)t)[idx];
		if (!(e & 1))
			return ~0ULL;
		if (level == 1 && l1)
			*l1 = mfn;
		mfn = (e & PTE_MASK) >> 12;
	}
	return mfn;
}

/* Every table reachable from @mfn at @level must be pinned as such. */
static unsigned int check_pins(struct fake *f, uint64_t mfn, unsigned int level, unsigned int depth)
{
	unsigned int bad = 0, levels = f->width == 8 ? 4 : 3, n, e;
	uint64_t *t;

	if (!owned(f, mfn))
		return 1;
	if (f->pin[mfn] != level) {
		printf("#   table %#" PRIx64 " is pinned %u, not L%u\n", mfn, f->pin[mfn], level);
		bad++;
	}
	if (level == 1 || depth > 4)
		return bad;
	n = (levels == 3 && level == 3) ? 4 : 512;
	t = (uint64_t *)frame_data(f, mfn, true);
	for (e = 0; e < n; e++)
		if (t[e] & 1)
			bad += check_pins(f, (t[e] & PTE_MASK) >> 12, level - 1, depth + 1);
	return bad;
}

unsigned int fake_check_pins(struct fake *f)
{
	return check_pins(f, f->cr3, f->width == 8 ? 4 : 3, 0);
}

uint64_t fake_va_to_mfn(struct fake *f, uint64_t va)
{
	return walk(f, f->cr3, va, NULL);
}

uint64_t fake_va_to_l1(struct fake *f, uint64_t va)
{
	uint64_t l1 = ~0ULL;

	if (walk(f, f->cr3, va, &l1) == ~0ULL)
		return ~0ULL;
	return l1;
}

uint64_t fake_kread(struct fake *f, uint64_t va)
{
	uint64_t mfn = walk(f, f->cr3, va, NULL);
	uint8_t *p;

	if (mfn == ~0ULL || mfn >= f->max_mfn ||
	    (f->owner[mfn] != FAKE_DOM && mfn != f->shinfo_mfn))
		return ~0ULL;
	p = frame_data(f, mfn, true);
	return load(f, p + (va & (FPAGE - 1) & ~(uint64_t)(f->width - 1)), 0);
}

uint64_t fake_va_pfn(struct fake *f, uint64_t va)
{
	struct gk *g;
	uint64_t pfn = ~0ULL;

	if (gk_attach(&f->hv, &g))
		return ~0ULL;
	if (gk_va_to_pfn(g, va, &pfn))
		pfn = ~0ULL;
	gk_detach(g);
	return pfn;
}

uint64_t fake_kvar(struct fake *f, const char *sym)
{
	struct gk *g;
	uint64_t va = 0;

	if (gk_attach(&f->hv, &g))
		return ~0ULL;
	if (gk_symbol(g, sym, &va)) {
		gk_detach(g);
		return ~0ULL;
	}
	gk_detach(g);
	return fake_kread(f, va);
}

uint64_t fake_shinfo_arch(struct fake *f, size_t off64, size_t off32)
{
	uint8_t *p = frame_data(f, f->shinfo_mfn, true);

	if (f->width == 8)
		return *(uint64_t *)(p + off64);
	return *(uint32_t *)(p + off32);
}

static void shinfo_set(struct fake *f, size_t off64, size_t off32, uint64_t v)
{
	uint8_t *p = frame_data(f, f->shinfo_mfn, true);

	if (f->width == 8)
		*(uint64_t *)(p + off64) = v;
	else
		*(uint32_t *)(p + off32) = (uint32_t)v;
}

#define SHINFO_SET(f, field, v)                                     \
	shinfo_set((f), offsetof(struct shared_info_x86_64, field), \
		   offsetof(struct shared_info_x86_32, field), (v))

static uint64_t cr3_to_mfn(const struct fake *f, uint64_t cr3)
{
	if (f->width == 8)
		return cr3 >> 12;
	return (uint32_t)(((uint32_t)cr3 >> 12) | ((uint32_t)cr3 << 20));
}

/*
 * The guest's p2m leaves as the toolstack finds them: through the linear
 * list when p2m_cr3 is set, else through the frame list list.
 */
static int find_leaves(struct fake *f, uint64_t max_pfn, uint64_t *leaf, bool via_tree)
{
	uint64_t n = (max_pfn + f->epp - 1) / f->epp, j;
	uint64_t fll = FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list);
	uint64_t p2m_cr3 = FAKE_SHINFO(f, arch.p2m_cr3);

	if (!via_tree && p2m_cr3) {
		uint64_t top = cr3_to_mfn(f, p2m_cr3), vaddr = FAKE_SHINFO(f, arch.p2m_vaddr);

		for (j = 0; j < n; j++) {
			leaf[j] = walk(f, top, vaddr + j * FPAGE, NULL);
			if (!owned(f, leaf[j]))
				return fail(f, "Bad virtual p2m address range (leaf %" PRIu64 ")",
					    j);
		}
		return 0;
	}
	if (!fll || fll == ulong_mask(f))
		return fail(f, "no frame list list (%#" PRIx64 ")", fll);
	if (!owned(f, fll))
		return fail(f, "Bad mfn %#" PRIx64 " for p2m frame list list", fll);
	for (j = 0; j < n; j++) {
		uint64_t topidx = j / f->epp, mididx = j % f->epp;
		uint64_t mid = load(f, frame_data(f, fll, true), topidx);

		if (!owned(f, mid))
			return fail(f,
				    "Bad mfn %#" PRIx64 " at index %" PRIu64 " (of %" PRIu64
				    ") in p2m frame list list",
				    mid, topidx, (n + f->epp - 1) / f->epp);
		leaf[j] = load(f, frame_data(f, mid, true), mididx);
		if (!owned(f, leaf[j]))
			return fail(f,
				    "Bad mfn %#" PRIx64 " at index %" PRIu64 " in p2m frame list",
				    leaf[j], j);
	}
	return 0;
}

int fake_migrate(struct fake *f, bool no_resume)
{
	uint64_t max_pfn = FAKE_SHINFO(f, arch.max_pfn), n, j, pfn, i;
	uint64_t *leaf = NULL, *src = NULL;
	uint32_t *old_of = NULL;
	uint8_t *p;
	int ret;

	f->err[0] = 0;
	if (!max_pfn || max_pfn > f->pfn_space)
		return fail(f, "bad max_pfn %#" PRIx64, max_pfn);
	n = (max_pfn + f->epp - 1) / f->epp;
	leaf = calloc(n, sizeof(*leaf));
	src = calloc(n * f->epp, sizeof(*src));
	old_of = malloc(f->pfn_space * sizeof(*old_of));
	if (!leaf || !src || !old_of)
		abort();
	ret = find_leaves(f, max_pfn, leaf, false);
	if (ret)
		goto out;
	/* Save: read the p2m and check it names our frames. */
	for (j = 0; j < n; j++) {
		p = frame_data(f, leaf[j], true);
		for (i = 0; i < f->epp; i++) {
			uint64_t v = load(f, p, i);

			pfn = j * f->epp + i;
			src[pfn] = v;
			if (pfn >= max_pfn || !plain_mfn(f, v))
				continue;
			if (!owned(f, v) || f->m2p[v] != pfn) {
				ret = fail(f,
					   "p2m entry for pfn %#" PRIx64 " names mfn %#" PRIx64
					   ", not ours",
					   pfn, v);
				goto out;
			}
		}
	}

	/* Restore: every frame to a new MFN. */
	memcpy(old_of, f->truth, f->pfn_space * sizeof(*old_of));
	for (pfn = 0; pfn < f->pfn_space; pfn++) {
		uint64_t old = old_of[pfn], nw;

		if (old == NONE32)
			continue;
		nw = alloc_mfn(f);
		f->owner[nw] = FAKE_DOM;
		f->m2p[nw] = (uint32_t)pfn;
		f->pin[nw] = f->pin[old];
		if (frame_data(f, old, false)) /* untouched frames stay unmaterialised */
			memcpy(frame_data(f, nw, true), frame_data(f, old, false), FPAGE);
		f->truth[pfn] = (uint32_t)nw;
	}
	for (pfn = 0; pfn < f->pfn_space; pfn++) {
		uint64_t old = old_of[pfn];

		if (old == NONE32)
			continue;
		f->owner[old] = FAKE_FREE;
		f->pin[old] = 0;
		frame_release(f, old);
	}

	/* The page tables: every MFN in a pinned table. */
	for (pfn = 0; pfn < f->pfn_space; pfn++) {
		uint64_t nw = f->truth[pfn], e, nent;
		unsigned int lvl;

		if (nw == NONE32 || !(lvl = f->pin[nw]))
			continue;
		nent = (f->width == 4 && lvl == 3) ? 4 : 512;
		p = frame_data(f, nw, true);
		for (e = 0; e < nent; e++) {
			uint64_t v = ((uint64_t *)p)[e], om, pp;

			if (!(v & 1))
				continue;
			om = (v & PTE_MASK) >> 12;
			pp = om < f->max_mfn ? f->m2p[om] : NONE32;
			if (pp == NONE32 || pp >= f->pfn_space || old_of[pp] != om) {
				ret = fail(f,
					   "bad mfn %#" PRIx64 " in page table pfn %#" PRIx64
					   "[%" PRIu64 "]",
					   om, pfn, e);
				goto out;
			}
			((uint64_t *)p)[e] = (v & ~PTE_MASK) | ((uint64_t)f->truth[pp] << 12);
		}
	}

	/* The p2m's leaves, which the toolstack knows from the save side. */
	for (j = 0; j < n; j++) {
		uint64_t lp = f->m2p[leaf[j]];

		p = frame_data(f, f->truth[lp], true);
		for (i = 0; i < f->epp; i++) {
			uint64_t v = src[j * f->epp + i];

			pfn = j * f->epp + i;
			if (pfn < max_pfn && plain_mfn(f, v))
				store(f, p, i, f->truth[pfn]);
		}
	}

	/* start_info names the new frames. */
	{
		uint64_t si_pfn = f->m2p[f->si_mfn], nsh = alloc_shinfo_mfn(f);

		f->si_mfn = f->truth[si_pfn];
		p = frame_data(f, f->si_mfn, true);
		f->owner[nsh] = FAKE_XEN;
		memcpy(frame_data(f, nsh, true), frame_data(f, f->shinfo_mfn, true), FPAGE);
		f->owner[f->shinfo_mfn] = FAKE_FREE;
		frame_release(f, f->shinfo_mfn);
		f->shinfo_mfn = nsh;
		if (f->width == 8) {
			struct start_info_x86_64 *si = (void *)p;

			si->store_mfn = f->truth[f->m2p[si->store_mfn]];
			si->console.domU.mfn = f->truth[f->m2p[si->console.domU.mfn]];
			si->shared_info = nsh << 12;
		} else {
			struct start_info_x86_32 *si = (void *)p;

			si->store_mfn = f->truth[f->m2p[si->store_mfn]];
			si->console.domU.mfn = f->truth[f->m2p[si->console.domU.mfn]];
			si->shared_info = (uint32_t)(nsh << 12);
		}
		/* shared_info: stale arch block from the source, no frame list yet */
		SHINFO_SET(f, arch.pfn_to_mfn_frame_list_list, 0);
	}
	f->cr3 = f->truth[f->m2p[f->cr3]];
	ret = 0;
out:
	free(leaf);
	free(src);
	free(old_of);
	if (ret || no_resume)
		return ret;
	return gk_resume(&f->hv);
}

/* --- the invariants (what an inspector checks) ------------------------------- */

uint64_t fake_truth(const struct fake *f, uint64_t pfn)
{
	if (pfn >= f->pfn_space || f->truth[pfn] == NONE32)
		return ~0ULL;
	return f->truth[pfn];
}

uint64_t fake_pages(const struct fake *f)
{
	return f->tot_pages;
}

void *fake_frame(struct fake *f, uint64_t mfn)
{
	if (mfn >= f->max_mfn || f->owner[mfn] == FAKE_FREE)
		return NULL;
	return frame_data(f, mfn, true);
}

uint64_t fake_m2p(const struct fake *f, uint64_t mfn)
{
	return mfn < f->max_mfn && f->m2p[mfn] != NONE32 ? f->m2p[mfn] : ~0ULL;
}

enum fake_owner fake_owner(const struct fake *f, uint64_t mfn)
{
	return mfn < f->max_mfn ? (enum fake_owner)f->owner[mfn] : FAKE_FREE;
}

void fake_set_owner(struct fake *f, uint64_t mfn, enum fake_owner owner, uint64_t m2p)
{
	f->owner[mfn] = (uint8_t)owner;
	f->m2p[mfn] = m2p == ~0ULL ? NONE32 : (uint32_t)m2p;
}

unsigned int fake_pin(const struct fake *f, uint64_t mfn)
{
	return mfn < f->max_mfn ? f->pin[mfn] : 0;
}

uint64_t fake_cr3(const struct fake *f)
{
	return f->cr3;
}

unsigned int fake_width(const struct fake *f)
{
	return f->width;
}

const struct gk_image *fake_image(const struct fake *f)
{
	return &f->img;
}

uint64_t fake_frames_touched(const struct fake *f)
{
	return f->touched;
}

unsigned int fake_console_count(const struct fake *f, const char *needle)
{
	unsigned int i, n = 0;

	for (i = 0; i < f->nr_console; i++)
		if (strstr(f->console[i], needle))
			n++;
	return n;
}

void fake_console_clear(struct fake *f)
{
	unsigned int i;

	for (i = 0; i < f->nr_console; i++)
		free(f->console[i]);
	f->nr_console = 0;
}

struct checker {
	struct fake *f;
	struct gk *g;
	unsigned int bad;
	bool verbose;
};

static void bad(struct checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad(struct checker *c, const char *fmt, ...)
{
	va_list ap;

	if (c->bad++ < 6 && c->verbose) {
		printf("#   invariant: ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
	}
}

static uint64_t sym(struct checker *c, const char *name)
{
	uint64_t va;

	if (gk_symbol(c->g, name, &va)) {
		bad(c, "no symbol %s", name);
		return 0;
	}
	return fake_kread(c->f, va);
}

/* The current MFN of the page at kernel VA @va (virt_to_mfn). */
static uint64_t mfn_of_va(struct checker *c, uint64_t va)
{
	uint64_t pfn;

	if (gk_va_to_pfn(c->g, va, &pfn))
		return ~0ULL;
	return fake_truth(c->f, pfn);
}

/* What pfn's entry must say. */
static uint64_t expected_entry(const struct fake *f, uint64_t pfn)
{
	uint64_t t = fake_truth(f, pfn);

	if (t != ~0ULL)
		return t;
	if (f->cfg.identity_end && pfn >= f->cfg.identity_start && pfn < f->cfg.identity_end)
		return pfn | identity_bit(f);
	return ulong_mask(f);
}

unsigned int fake_check(struct fake *f, bool verbose)
{
	struct checker c = {.f = f, .verbose = verbose};
	bool tree = f->cfg.layout == GK_LAYOUT_TREE;
	bool list_only = f->cfg.layout == GK_LAYOUT_LIST_ONLY;
	uint64_t max_pfn = FAKE_SHINFO(f, arch.max_pfn);
	uint64_t fll = FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list);
	uint64_t epp = f->epp, max_p2m = epp * epp * epp, pfn, j, n, *leaf;
	uint64_t missing_pte_mfn = ~0ULL, identity_pte_mfn = ~0ULL;

	if (gk_attach(&f->hv, &c.g)) {
		printf("#   invariant: cannot attach to the guest\n");
		return 1;
	}
	if (!max_pfn || max_pfn > f->pfn_space) {
		bad(&c, "max_pfn %#" PRIx64 " out of range", max_pfn);
		goto out;
	}
	if (max_pfn < f->nr_pages)
		bad(&c, "max_pfn %#" PRIx64 " below nr_pages", max_pfn);
	if (!tree) {
		uint64_t cr3 = FAKE_SHINFO(f, arch.p2m_cr3), top, va;

		if (FAKE_SHINFO(f, arch.p2m_vaddr) != sym(&c, "xen_p2m_addr"))
			bad(&c, "p2m_vaddr %#" PRIx64 " != xen_p2m_addr",
			    FAKE_SHINFO(f, arch.p2m_vaddr));
		if (FAKE_SHINFO(f, arch.p2m_generation) & 1)
			bad(&c, "p2m_generation odd");
		if (max_pfn != sym(&c, "xen_p2m_last_pfn"))
			bad(&c, "max_pfn %#" PRIx64 " != xen_p2m_last_pfn", max_pfn);
		gk_symbol(c.g, f->width == 8 ? "init_top_pgt" : "swapper_pg_dir", &va);
		top = mfn_of_va(&c, va);
		if (cr3_to_mfn(f, cr3) != top || top != f->cr3)
			bad(&c, "p2m_cr3 %#" PRIx64 " does not name init_top_pgt (%#" PRIx64 ")",
			    cr3, top);
		missing_pte_mfn = mfn_of_va(&c, sym(&c, "p2m_missing_pte"));
		if (sym(&c, "p2m_identity_pte"))
			identity_pte_mfn = mfn_of_va(&c, sym(&c, "p2m_identity_pte"));
		/* The list, as a toolstack walks it, says what the truth says. */
		for (pfn = 0; pfn < max_pfn; pfn++) {
			uint64_t lm = walk(f, cr3_to_mfn(f, cr3),
					   FAKE_SHINFO(f, arch.p2m_vaddr) + pfn * f->width, NULL),
				 v;

			if (lm == ~0ULL || lm >= f->max_mfn || f->owner[lm] != FAKE_DOM) {
				bad(&c, "list page for pfn %#" PRIx64 " unmapped or foreign", pfn);
				break;
			}
			v = load(f, frame_data(f, lm, true), pfn % epp);
			if (v != expected_entry(f, pfn) &&
			    !(v == ulong_mask(f) && expected_entry(f, pfn) & identity_bit(f))) {
				bad(&c, "list[%#" PRIx64 "] = %#" PRIx64 ", want %#" PRIx64, pfn, v,
				    expected_entry(f, pfn));
				break;
			}
		}
	} else if (max_pfn != sym(&c, "xen_max_p2m_pfn")) {
		bad(&c, "max_pfn %#" PRIx64 " != xen_max_p2m_pfn", max_pfn);
	}
	/* The guest's own view agrees (sampled: every pfn early, then a stride). */
	for (pfn = 0; pfn < max_pfn; pfn += pfn < 4096 ? 1 : 89) {
		uint64_t v = gk_pfn_to_mfn(c.g, pfn), want = expected_entry(f, pfn);

		if (want == ulong_mask(f))
			want = ~0ULL;
		if (v != want) {
			bad(&c, "guest's p2m[%#" PRIx64 "] = %#" PRIx64 ", want %#" PRIx64, pfn, v,
			    want);
			break;
		}
	}

	if (list_only) {
		if (fll != ulong_mask(f))
			bad(&c, "frame_list_list %#" PRIx64 ", want ~0 (SIF_VIRT_P2M_4TOOLS)", fll);
		goto out;
	}

	/* The mfn tree (seed 003). */
	{
		uint64_t top_va = sym(&c, "p2m_top_mfn"), top_p = sym(&c, "p2m_top_mfn_p");
		uint64_t mm_va = sym(&c, "p2m_mid_missing_mfn");
		uint64_t missing_mfn = mfn_of_va(&c, sym(&c, "p2m_missing"));
		uint64_t mm_mfn = mfn_of_va(&c, mm_va), i;
		uint8_t *top, *mm;

		if (fll != mfn_of_va(&c, top_va))
			bad(&c,
			    "frame_list_list %#" PRIx64 " != virt_to_mfn(p2m_top_mfn) %#" PRIx64,
			    fll, mfn_of_va(&c, top_va));
		if (!owned(f, fll) || !owned(f, mm_mfn) || !owned(f, missing_mfn)) {
			bad(&c, "frame list, mid-missing or missing page not ours");
			goto out;
		}
		top = frame_data(f, fll, true);
		mm = frame_data(f, mm_mfn, true);
		for (i = 0; i < epp; i++) {
			if (load(f, mm, i) != missing_mfn) {
				bad(&c,
				    "p2m_mid_missing_mfn[%" PRIu64 "] = %#" PRIx64
				    ", want p2m_missing's mfn %#" PRIx64,
				    i, load(f, mm, i), missing_mfn);
				break;
			}
		}
		for (i = 0; i < epp; i++) {
			uint64_t t = load(f, top, i), pv = fake_kread(f, top_p + i * f->width);

			if (t != mfn_of_va(&c, pv)) {
				bad(&c,
				    "p2m_top_mfn[%" PRIu64 "] = %#" PRIx64
				    " != virt_to_mfn(p2m_top_mfn_p[%" PRIu64 "]) = %#" PRIx64,
				    i, t, i, mfn_of_va(&c, pv));
				break;
			}
			if (!owned(f, t) || fake_truth(f, f->m2p[t]) != t) {
				bad(&c, "p2m_top_mfn[%" PRIu64 "] = %#" PRIx64 " is not ours", i,
				    t);
				break;
			}
		}
		/* Mid-mfn entries name the leaves; missing mids the shared page. */
		n = (max_pfn < max_p2m ? max_pfn : max_p2m);
		n = (n + epp - 1) / epp;
		leaf = calloc(n, sizeof(*leaf));
		for (j = 0; j < n; j++) {
			uint64_t topidx = j / epp, mididx = j % epp, t = load(f, top, topidx);
			uint64_t want, l1 = ~0ULL;
			bool whole_missing;

			if (tree) {
				uint64_t mid =
					fake_kread(f, sym(&c, "p2m_top") + topidx * f->width);

				whole_missing = mid == sym(&c, "p2m_mid_missing");
				want = whole_missing
					       ? 0
					       : mfn_of_va(&c,
							   fake_kread(f, mid + mididx * f->width));
			} else {
				want = walk(f, f->cr3, sym(&c, "xen_p2m_addr") + j * FPAGE, &l1);
				whole_missing = l1 == missing_pte_mfn || l1 == identity_pte_mfn;
			}
			if (whole_missing) {
				if (t != mm_mfn)
					bad(&c,
					    "top %" PRIu64
					    " is missing but p2m_top_mfn names %#" PRIx64
					    ", not p2m_mid_missing_mfn %#" PRIx64,
					    topidx, t, mm_mfn);
				j += epp - 1;
				continue;
			}
			if (!owned(f, t) || !owned(f, want)) {
				bad(&c,
				    "mid %" PRIu64 " (%#" PRIx64 ") or leaf %" PRIu64 " (%#" PRIx64
				    ") not ours",
				    topidx, t, j, want);
				break;
			}
			leaf[j] = load(f, frame_data(f, t, true), mididx);
			if (leaf[j] != want) {
				bad(&c,
				    "mid-mfn[%" PRIu64 "][%" PRIu64 "] = %#" PRIx64
				    ", the leaf is at %#" PRIx64,
				    topidx, mididx, leaf[j], want);
				break;
			}
		}
		/* Tree and list agree, entry for entry. */
		for (j = 0; j < n && !c.bad; j++) {
			uint8_t *lp;

			if (!leaf[j])
				continue;
			lp = frame_data(f, leaf[j], true);
			for (i = 0; i < epp && j * epp + i < max_pfn; i++) {
				uint64_t v = load(f, lp, i), want = expected_entry(f, j * epp + i);

				if (v != want &&
				    !(v == ulong_mask(f) && (want & identity_bit(f)))) {
					bad(&c,
					    "mfn tree says pfn %#" PRIx64 " -> %#" PRIx64
					    ", want %#" PRIx64,
					    j * epp + i, v, want);
					break;
				}
			}
		}
		free(leaf);
	}
out:
	gk_detach(c.g);
	return c.bad;
}
