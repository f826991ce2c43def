// SPDX-License-Identifier: GPL-2.0
/*
 * The guest model's boot: tree, list and list-only p2m layouts, 64 and
 * 32 bit, against the fake hypervisor; the seed-003 invariants right
 * after boot; the layout's refusals; a dom0-like 1:1 range.
 */
#include "config.h"

#include "tap.h"
#include "test-guest-fake.h"

#define MASK(w) ((w) == 8 ? ~0ULL : 0xffffffffULL)

struct boot_case {
	enum gk_layout layout;
	unsigned int width;
	uint64_t nr, max;
};

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

static void test_boot(const struct boot_case *bc)
{
	struct gk_config cfg = {.layout = bc->layout, .width = bc->width};
	const char *name = gk_layout_name(bc->layout);
	unsigned int w = bc->width;
	uint64_t epp = 4096 / w, mask = MASK(w);
	struct fake *f = fake_create(3 * bc->max + 65536);
	const struct gk_image *img;
	uint64_t max_pfn, pte, l1, pgd_mfn, leaf_mfn;
	int ret;

	ret = fake_build(f, &cfg, bc->nr, bc->max);
	is_int(ret, 0, "%s/%u: boots %llu pages, maxmem %llu", name, w * 8,
	       (unsigned long long)bc->nr, (unsigned long long)bc->max);
	if (ret) {
		diag("%s", fake_error(f));
		fake_destroy(f);
		return;
	}
	img = fake_image(f);
	is_int(fake_check(f, true), 0, "%s/%u: every invariant holds after boot", name, w * 8);
	is_int(fake_check_pins(f), 0, "%s/%u: every page-table frame is pinned at its level", name,
	       w * 8);
	ok(fake_console_count(f, "Linux version 6.1.0-gk") == 1, "%s/%u: boot banner", name, w * 8);

	/* The kernel runs on init_top_pgt (in its image); the builder's table is gone. */
	pgd_mfn = fake_truth(f, img->image_pfn + (w == 8 ? 0x10 : 0x11));
	is_u64(fake_cr3(f), pgd_mfn, "%s/%u: cr3 is the image's top-level table", name, w * 8);
	ok(fake_pin(f, fake_truth(f, img->l4_pfn)) != (w == 8 ? 4 : 3),
	   "%s/%u: builder's table no longer a top-level table", name, w * 8);

	max_pfn = FAKE_SHINFO(f, arch.max_pfn);
	if (bc->layout == GK_LAYOUT_TREE) {
		is_u64(max_pfn, bc->max, "%s/%u: max_pfn = maxmem", name, w * 8);
		is_u64(FAKE_SHINFO(f, arch.p2m_cr3), 0, "%s/%u: no p2m_cr3", name, w * 8);
		/* The leaves are the builder's array, in place. */
		is_u64(fake_kread(f, fake_kread(f, fake_kvar(f, "p2m_top"))), img->mfn_list_va,
		       "%s/%u: p2m_top[0][0] is the initial array", name, w * 8);
		is_u64(img->mfn_list_va, img->virt_base + img->p2m_pfn * 4096,
		       "%s/%u: initial array in the kernel mapping", name, w * 8);
	} else {
		uint64_t vaddr = w == 8 ? 0xffffc90000000000ULL : 0xf0000000ULL;
		uint64_t list = align_up(bc->max * w, w == 8 ? (2 << 20) : (4 << 20)) / w;

		is_u64(max_pfn, bc->max > align_up(bc->nr, epp) ? bc->max : align_up(bc->nr, epp),
		       "%s/%u: max_pfn as Linux (xen_p2m_last_pfn)", name, w * 8);
		is_u64(FAKE_SHINFO(f, arch.p2m_vaddr), vaddr, "%s/%u: p2m_vaddr", name, w * 8);
		is_u64(FAKE_SHINFO(f, arch.p2m_generation), 0, "%s/%u: generation 0", name, w * 8);
		is_u64(FAKE_SHINFO(f, arch.p2m_cr3),
		       w == 8 ? pgd_mfn << 12 : (uint32_t)((pgd_mfn << 12) | (pgd_mfn >> 20)),
		       "%s/%u: p2m_cr3 = xen_pfn_to_cr3(init_top_pgt)", name, w * 8);
		is_u64(fake_kvar(f, "xen_p2m_size"), list,
		       "%s/%u: list covers maxmem, 2/4 MiB aligned", name, w * 8);
		/* Leaf 0 is the builder's first array page, remapped read-write. */
		leaf_mfn = fake_va_to_mfn(f, vaddr);
		is_u64(leaf_mfn, fake_truth(f, img->p2m_pfn),
		       "%s/%u: list leaf 0 is the initial array", name, w * 8);
		is_u64(img->mfn_list_va,
		       w == 8 ? 0x8000000000ULL : img->virt_base + img->p2m_pfn * 4096,
		       "%s/%u: initial array at XEN_ELFNOTE_INIT_P2M / kernel map", name, w * 8);
		/* The last 2 (4) MiB of the list is wholly missing: p2m_missing_pte. */
		l1 = fake_truth(f, (fake_kvar(f, "p2m_missing_pte") -
				    (w == 8 ? 0xffff888000000000ULL : 0xc0000000ULL)) >>
					   12);
		pte = *(uint64_t *)fake_frame(f, l1);
		is_u64(pte,
		       (fake_truth(f, (fake_kvar(f, "p2m_missing") -
				       (w == 8 ? 0xffff888000000000ULL : 0xc0000000ULL)) >>
					      12)
			<< 12) |
			       (w == 8 ? 0x8010000000000065ULL : 0x8000000000000061ULL),
		       "%s/%u: p2m_missing_pte maps p2m_missing read-only", name, w * 8);
		if ((list - 1) / (epp * epp) * (epp * epp) >= bc->max)
			is_u64(fake_va_to_l1(f, vaddr + (list - 1) * w), l1,
			       "%s/%u: the list's wholly missing mid is mapped by p2m_missing_pte",
			       name, w * 8);
		else
			is_u64(fake_va_to_mfn(f, vaddr + (list - 1) * w),
			       fake_truth(f, (fake_kvar(f, "p2m_missing") -
					      (w == 8 ? 0xffff888000000000ULL : 0xc0000000ULL)) >>
						     12),
			       "%s/%u: the list's missing tail page maps p2m_missing", name, w * 8);
		pte = ((uint64_t *)fake_frame(f, fake_va_to_l1(f, vaddr)))[0];
		is_u64(pte,
		       (leaf_mfn << 12) | (w == 8 ? 0x8010000000000067ULL : 0x8000000000000063ULL),
		       "%s/%u: leaf PTE flags as on a real guest", name, w * 8);
	}
	if (bc->layout == GK_LAYOUT_LIST_ONLY)
		is_u64(FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list), mask,
		       "%s/%u: frame_list_list ~0", name, w * 8);
	else
		ok(FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list) != 0 &&
			   FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list) != mask,
		   "%s/%u: frame_list_list published", name, w * 8);
	/* The builder's garbage past nr_pages in the last array page is gone. */
	if (bc->nr % epp) {
		struct gk *g;

		ok(gk_attach(fake_hv(f), &g) == 0 && gk_pfn_to_mfn(g, bc->nr) == ~0ULL,
		   "%s/%u: entries past nr_pages are INVALID", name, w * 8);
		gk_detach(g);
	}
	fake_destroy(f);
}

static void test_no_boot_mfn(void)
{
	struct gk_config cfg = {.layout = GK_LAYOUT_LIST, .width = 8};
	struct fake *f = fake_create(200000);

	fake_set_boot_mfn(f, false);
	is_int(fake_build(f, &cfg, 40000, 40000), 0, "boots without ops->boot_mfn (M2P scan)");
	is_int(fake_check(f, true), 0, "and is consistent");
	fake_destroy(f);
}

static void test_refusals(void)
{
	struct gk_config cfg = {.layout = GK_LAYOUT_TREE, .width = 8};
	struct gk_image img;
	const char *why = NULL;

	is_int(gk_image_layout(&cfg, 512ULL << 18, &img, &why), 0, "tree/64 takes 512 GiB");
	is_int(gk_image_layout(&cfg, (512ULL << 18) + 1, &img, &why), -EINVAL,
	       "tree/64 refuses more than 512 GiB");
	ok(why && strstr(why, "512 GiB"), "with a reason: %s", why ? why : "(none)");
	cfg.layout = GK_LAYOUT_LIST;
	is_int(gk_image_layout(&cfg, 1ULL << 28, &img, &why), 0, "list/64 takes 1 TiB");
	is_u64(img.mfn_list_va, 0x8000000000ULL, "1 TiB: initial array at 0x8000000000");
	is_u64(img.p2m_pages, (1ULL << 28) / 512, "1 TiB: 512 Ki array pages");
	is_u64(img.image_pfn, 0x1000, "image at 16 MiB");
	is_int(gk_image_layout(&cfg, img.min_pages - 1, &img, &why), -EINVAL, "too small refused");
	cfg.width = 4;
	cfg.layout = GK_LAYOUT_TREE;
	is_int(gk_image_layout(&cfg, 1ULL << 24, &img, &why), 0, "tree/32 takes 64 GiB");
	is_int(gk_image_layout(&cfg, (1ULL << 24) + 1, &img, &why), -EINVAL,
	       "tree/32 refuses more");
	cfg.width = 2;
	is_int(gk_image_layout(&cfg, 100000, &img, &why), -EINVAL, "width 2 refused");
}

static void test_min_pages(enum gk_layout layout, unsigned int width)
{
	struct gk_config cfg = {.layout = layout, .width = width};
	struct gk_image img;
	struct fake *f;

	gk_image_layout(&cfg, 1ULL << 20, &img, NULL);
	f = fake_create(img.min_pages * 4);
	is_int(fake_build(f, &cfg, img.min_pages, img.min_pages), 0,
	       "%s/%u boots in its min_pages (%llu)", gk_layout_name(layout), width * 8,
	       (unsigned long long)img.min_pages);
	is_int(fake_check(f, true), 0, "and is consistent");
	fake_destroy(f);
}

/* A dom0-like guest with a 1:1 range: in RAM (released) or beyond (balloon space). */
static void test_identity(enum gk_layout layout, unsigned int width, uint64_t start, uint64_t end,
			  uint64_t nr, uint64_t max)
{
	struct gk_config cfg = {
		.layout = layout, .width = width, .identity_start = start, .identity_end = end};
	uint64_t ibit = width == 8 ? 1ULL << 62 : 1ULL << 30, released;
	struct fake *f = fake_create(4 * max);
	struct gk *g;

	is_int(fake_build(f, &cfg, nr, max), 0, "%s/%u: boots with 1:1 range %llx-%llx",
	       gk_layout_name(layout), width * 8, (unsigned long long)start,
	       (unsigned long long)end);
	released = start < nr ? (end < nr ? end : nr) - start : 0;
	is_u64(fake_pages(f), nr - released, "released the %llu frames behind it",
	       (unsigned long long)released);
	is_int(fake_check(f, true), 0, "consistent, 1:1 entries included");
	gk_attach(fake_hv(f), &g);
	is_u64(gk_pfn_to_mfn(g, start), start | ibit, "pfn %llx reads IDENTITY_FRAME",
	       (unsigned long long)start);
	is_u64(gk_pfn_to_mfn(g, end - 1), (end - 1) | ibit, "pfn %llx reads IDENTITY_FRAME",
	       (unsigned long long)(end - 1));
	ok(gk_pfn_to_mfn(g, start - 1) != (((start - 1) | ibit)),
	   "pfn before the range is not 1:1");
	if (layout != GK_LAYOUT_TREE && end - start >= 4096 / width * 512 * 2)
		ok(fake_kvar(f, "p2m_identity_pte") != 0, "p2m_identity_pte in use");
	gk_detach(g);
	fake_destroy(f);
}

int main(void)
{
	static const struct boot_case cases[] = {
		{GK_LAYOUT_TREE, 8, 300000, 600000},	  {GK_LAYOUT_LIST, 8, 300000, 600000},
		{GK_LAYOUT_LIST_ONLY, 8, 300000, 600000}, {GK_LAYOUT_TREE, 4, 300000, 1300000},
		{GK_LAYOUT_LIST, 4, 300000, 1300000},	  {GK_LAYOUT_LIST_ONLY, 4, 300000, 1300000},
		{GK_LAYOUT_LIST, 8, 65536, 65536},   /* the real 256 MiB domU */
		{GK_LAYOUT_TREE, 8, 100001, 100001}, /* partial last page */
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_boot(&cases[i]);
	test_no_boot_mfn();
	test_refusals();
	test_min_pages(GK_LAYOUT_LIST, 8);
	test_min_pages(GK_LAYOUT_TREE, 8);
	test_min_pages(GK_LAYOUT_TREE, 4);
	test_identity(GK_LAYOUT_LIST, 8, 0xa0, 0x100, 70000, 70000);
	test_identity(GK_LAYOUT_TREE, 8, 0xa0, 0x100, 70000, 70000);
	test_identity(GK_LAYOUT_LIST, 8, 300000, 900000, 200000, 1000000);
	test_identity(GK_LAYOUT_TREE, 8, 300000, 900000, 200000, 1000000);
	test_identity(GK_LAYOUT_LIST, 4, 0x9f, 0x100, 70000, 70000);
	return tap_done();
}
