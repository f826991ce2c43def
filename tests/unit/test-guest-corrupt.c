// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory corrupted by fault injection: the model returns errors
 * (and prints an oops on the guest console), it never crashes or hangs.
 */
#include "config.h"

#include <time.h>

#include "tap.h"
#include "test-guest-fake.h"

static struct fake *boot(enum gk_layout layout, enum gk_variant variant, unsigned int width)
{
	struct gk_config cfg = {.layout = layout, .variant = variant, .width = width};
	struct fake *f = fake_create(600000);

	if (fake_build(f, &cfg, 100000, 150000)) {
		fake_destroy(f);
		return NULL;
	}
	return f;
}

static void poke(struct fake *f, const char *sym, uint64_t index, uint64_t val)
{
	struct gk *g;
	uint64_t va;
	void *p;

	gk_attach(fake_hv(f), &g);
	gk_symbol(g, sym, &va);
	if (index != ~0ULL)
		va = fake_kread(f, va) + index * fake_width(f);
	p = gk_va(g, va, true);
	if (p && fake_width(f) == 8)
		*(uint64_t *)p = val;
	else if (p)
		*(uint32_t *)p = (uint32_t)val;
	gk_detach(g);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* A garbage entry in the list's L1 table (@pmd: in its L2 table instead). */
static void test_garbage_pte(uint64_t garbage, bool pmd, bool faults, const char *what)
{
	struct fake *f = boot(GK_LAYOUT_LIST, GK_KERNEL_FIXED, 8);
	uint64_t va = 0xffffc90000000000ULL + 3 * 4096, *pte;
	struct gk *g;
	int ret;

	if (pmd) {
		/* the L2 entry for the list's first 2 MiB: find the L2 via the L3 */
		uint64_t *l4 = fake_frame(f, fake_cr3(f));
		uint64_t *l3 = fake_frame(f, (l4[402] & 0x000ffffffffff000ULL) >> 12);

		pte = (uint64_t *)fake_frame(f, (l3[0] & 0x000ffffffffff000ULL) >> 12) + 0;
	} else {
		pte = (uint64_t *)fake_frame(f, fake_va_to_l1(f, va)) + 3;
	}
	*pte = garbage;
	gk_attach(fake_hv(f), &g);
	is_u64(gk_pfn_to_mfn(g, 3 * 512 + 5), ~0ULL, "%s: the guest's own lookup says ~0", what);
	if (!pmd)
		is_u64(gk_pfn_to_mfn(g, 2 * 512 + 5), fake_truth(f, 2 * 512 + 5),
		       "%s: the page before is still readable", what);
	gk_detach(g);
	fake_console_clear(f);
	ret = fake_migrate(f, true);
	is_int(ret, -EIO, "%s: the toolstack refuses the p2m (%s)", what, fake_error(f));
	ret = gk_resume(fake_hv(f));
	if (faults) {
		ok(ret == -EFAULT || ret == -EINVAL, "%s: resume returns an error (%d)", what, ret);
		ok(fake_console_count(f, "BUG") >= 1, "%s: with an oops on the console", what);
	} else {
		is_int(ret, 0, "%s: resume copies the garbage mfn, as Linux would", what);
		ok(fake_check(f, false) > 0, "%s: which the checker reports", what);
	}
	fake_destroy(f);
}

int main(void)
{
	struct fake *f;
	struct gk *g;
	double t0;
	int ret;

	test_garbage_pte(0x000ffffffffff067ULL, false, true, "PTE naming a frame beyond the host");
	test_garbage_pte(0x0000000000000067ULL, false, false, "PTE naming a frame we do not own");
	test_garbage_pte(0x00000000000000e7ULL, true, true, "PMD with the PSE bit");
	test_garbage_pte(0x000ffffffffff067ULL, true, true, "PMD naming a frame beyond the host");

	/* A wild pointer in p2m_top_mfn_p[0]: the fixed resume BUGs out. */
	f = boot(GK_LAYOUT_LIST, GK_KERNEL_FIXED, 8);
	poke(f, "p2m_top_mfn_p", 0, 0xdead000000001000ULL);
	is_int(gk_balloon(fake_hv(f), 100000 - 10, 0), 0,
	       "balloon down does not need the mfn tree");
	is_int(fake_migrate(f, false), -EINVAL, "resume with a wild p2m_top_mfn_p[0] fails");
	ok(fake_console_count(f, "kernel BUG") >= 1, "with a BUG on the console");
	fake_destroy(f);

	/* The tree: a wild p2m_top[0]. */
	f = boot(GK_LAYOUT_TREE, GK_KERNEL_FIXED, 8);
	poke(f, "p2m_top", 0, 0x1234567000ULL);
	gk_attach(fake_hv(f), &g);
	is_u64(gk_pfn_to_mfn(g, 7), ~0ULL, "tree: wild p2m_top[0] reads as ~0");
	gk_detach(g);
	ret = gk_balloon(fake_hv(f), 200, 0);
	ok(ret < 0, "tree: the balloon fails (%d)", ret);
	is_u64(fake_va_to_mfn(f, 0xffffffffff5fd000ULL), ~0ULL,
	       "tree: shared_info is unmapped again after the oops");
	is_u64(fake_kvar(f, "HYPERVISOR_shared_info"), 0, "tree: HYPERVISOR_shared_info is 0");
	fake_destroy(f);

	/* A huge xen_max_p2m_pfn: loops stay bounded. */
	f = boot(GK_LAYOUT_LIST, GK_KERNEL_FIXED, 8);
	poke(f, "xen_max_p2m_pfn", ~0ULL, ~0ULL >> 1);
	t0 = now();
	ret = gk_resume(fake_hv(f));
	ok(ret < 0 && now() - t0 < 5, "huge xen_max_p2m_pfn: resume fails fast (%d, %.2fs)", ret,
	   now() - t0);
	fake_destroy(f);

	/* A garbage free-list count and allocator frontier. */
	f = boot(GK_LAYOUT_LIST, GK_KERNEL_FIXED, 8);
	poke(f, "gk_memblock", ~0ULL, 0x7fffffffffffULL);
	t0 = now();
	ret = gk_balloon(fake_hv(f), 150000, 0);
	ok(ret < 0 && now() - t0 < 5, "garbage allocator: balloon up fails fast (%d)", ret);
	fake_destroy(f);

	/* A self-referencing top-level entry. */
	f = boot(GK_LAYOUT_LIST, GK_KERNEL_FIXED, 8);
	((uint64_t *)fake_frame(f, fake_cr3(f)))[402] = (fake_cr3(f) << 12) | 0x67;
	gk_attach(fake_hv(f), &g);
	is_u64(gk_pfn_to_mfn(g, 5), ~0ULL, "a page-table loop reads as ~0");
	gk_detach(g);
	ok(gk_resume(fake_hv(f)) < 0, "and resume fails");
	fake_destroy(f);

	/* The config magic is gone: nothing to attach to. */
	f = boot(GK_LAYOUT_LIST, GK_KERNEL_FIXED, 4);
	poke(f, "gk_config", ~0ULL, 0);
	is_int(gk_attach(fake_hv(f), &g), -ENOENT, "no kernel found without gk_config");
	is_int(gk_resume(fake_hv(f)), -ENOENT, "resume: -ENOENT");
	is_int(gk_balloon(fake_hv(f), 10, 0), -ENOENT, "balloon: -ENOENT");
	fake_destroy(f);

	/* cr3 names a frame the guest does not own. */
	f = boot(GK_LAYOUT_TREE, GK_KERNEL_FIXED, 8);
	fake_set_owner(f, fake_cr3(f), FAKE_OTHER, 5);
	is_int(gk_attach(fake_hv(f), &g), -ENOENT, "foreign cr3: no kernel found");
	fake_destroy(f);

	/* Boot refuses a builder that put things elsewhere. */
	{
		struct gk_config cfg = {.layout = GK_LAYOUT_LIST, .width = 8};
		struct fake *h = fake_create(400000);
		struct gk_image img;

		gk_image_layout(&cfg, 100000, &img, NULL);
		cfg.layout = GK_LAYOUT_TREE; /* the builder and the kernel disagree */
		ret = fake_build(h, &cfg, 100000, 100000);
		is_int(ret, 0, "a tree kernel boots from its own builder layout");
		fake_destroy(h);
	}
	return tap_done();
}
