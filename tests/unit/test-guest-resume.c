// SPDX-License-Identifier: GPL-2.0
/*
 * The guest model's resume path after save/restore (seed 003): the fixed
 * kernel rebuilds the mfn list list after every migration; the pre-fix
 * kernel leaves p2m_top_mfn[] naming the old MFNs.
 */
#include "config.h"

#include "tap.h"
#include "test-guest-fake.h"

struct rcase {
	enum gk_layout layout;
	unsigned int width;
	uint64_t nr, max;
};

static const char *tag(const struct rcase *rc)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s/%u", gk_layout_name(rc->layout), rc->width * 8);
	return buf;
}

static struct fake *boot(const struct rcase *rc, enum gk_variant variant)
{
	struct gk_config cfg = {.layout = rc->layout, .variant = variant, .width = rc->width};
	struct fake *f = fake_create(4 * rc->max + 65536);

	if (fake_build(f, &cfg, rc->nr, rc->max)) {
		diag("boot failed: %s", fake_error(f));
		fake_destroy(f);
		return NULL;
	}
	return f;
}

static uint64_t word(struct fake *f, uint64_t mfn, unsigned int i)
{
	uint8_t *p = fake_frame(f, mfn);

	if (!p)
		return ~0ULL;
	return fake_width(f) == 8 ? ((uint64_t *)p)[i] : ((uint32_t *)p)[i];
}

/* The fixed kernel: every invariant holds with the new MFNs after 1 and 5 migrations. */
static void test_fixed(const struct rcase *rc)
{
	struct fake *f = boot(rc, GK_KERNEL_FIXED);
	uint64_t fll0, cr3_0, leaf0, pgd_pfn;
	int i, ret;

	if (!f) {
		ok(0, "%s: boot", tag(rc));
		return;
	}
	fll0 = FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list);
	cr3_0 = FAKE_SHINFO(f, arch.p2m_cr3);
	leaf0 = fake_truth(f, fake_image(f)->p2m_pfn);

	ret = fake_migrate(f, true);
	is_int(ret, 0, "%s: migrated (restore side, before resume)", tag(rc));
	if (ret)
		diag("%s", fake_error(f));
	is_u64(FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list), 0,
	       "%s: restored shared_info has frame_list_list 0", tag(rc));
	is_u64(FAKE_SHINFO(f, arch.p2m_cr3), cr3_0, "%s: and a stale p2m_cr3", tag(rc));
	ok(fake_check(f, false) > 0, "%s: the restored state is not yet consistent", tag(rc));

	is_int(gk_resume(fake_hv(f)), 0, "%s: resume", tag(rc));
	is_int(fake_check(f, true), 0, "%s: every invariant holds after 1 migration", tag(rc));
	ok(fake_truth(f, fake_image(f)->p2m_pfn) != leaf0, "%s: the leaves moved", tag(rc));
	if (rc->layout == GK_LAYOUT_LIST_ONLY) {
		is_u64(FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list),
		       rc->width == 8 ? ~0ULL : 0xffffffff, "%s: frame_list_list ~0 again",
		       tag(rc));
	} else {
		ok(FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list) != fll0 &&
			   FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list) != 0,
		   "%s: frame_list_list republished at a new MFN", tag(rc));
	}
	if (rc->layout != GK_LAYOUT_TREE) {
		pgd_pfn = fake_image(f)->image_pfn + (rc->width == 8 ? 0x10 : 0x11);
		is_u64(FAKE_SHINFO(f, arch.p2m_cr3),
		       rc->width == 8 ? fake_truth(f, pgd_pfn) << 12
				      : (uint32_t)((fake_truth(f, pgd_pfn) << 12) |
						   (fake_truth(f, pgd_pfn) >> 20)),
		       "%s: p2m_cr3 names the new top-level table", tag(rc));
		is_u64(FAKE_SHINFO(f, arch.p2m_generation), 0, "%s: generation reset", tag(rc));
	}

	for (i = 2; i <= 5; i++) {
		ret = fake_migrate(f, false);
		if (ret)
			diag("migration %d: %s", i, fake_error(f));
		if (ret || fake_check(f, true))
			break;
	}
	is_int(i, 6, "%s: migrations 2..5 succeed and every invariant holds after each", tag(rc));
	is_int(fake_check_pins(f), 0, "%s: page tables still pinned", tag(rc));
	fake_destroy(f);
}

/* The pre-fix kernel: clean after boot, p2m_top_mfn stale after the first migration. */
static void test_pre_fix(const struct rcase *rc)
{
	struct fake *f = boot(rc, GK_KERNEL_PRE_FIX_003), *g = boot(rc, GK_KERNEL_FIXED);
	uint64_t top0, fll, mm0, missing0, mm_new, missing_new;
	int ret;

	if (!f || !g) {
		ok(0, "%s: boot", tag(rc));
		return;
	}
	is_int(fake_check(f, true), 0, "%s pre-fix: clean right after boot", tag(rc));
	fll = FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list);
	top0 = word(f, fll, 0);
	mm0 = fake_truth(f, fake_va_pfn(f, fake_kvar(f, "p2m_mid_missing_mfn")));
	missing0 = fake_truth(f, fake_va_pfn(f, fake_kvar(f, "p2m_missing")));
	is_u64(word(f, mm0, 0), missing0, "%s pre-fix: p2m_mid_missing_mfn names p2m_missing",
	       tag(rc));

	is_int(fake_migrate(f, false), 0, "%s pre-fix: first migration and resume", tag(rc));
	is_int(fake_migrate(g, false), 0, "%s fixed: first migration and resume", tag(rc));
	fll = FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list);
	ok(fll != 0 && fake_owner(f, fll) == FAKE_DOM, "%s pre-fix: frame_list_list republished",
	   tag(rc));
	is_u64(word(f, fll, 0), top0, "%s pre-fix: p2m_top_mfn[0] still names the old MFN",
	       tag(rc));
	is_int(fake_owner(f, top0), FAKE_FREE, "%s pre-fix: which the guest no longer owns",
	       tag(rc));
	mm_new = fake_truth(f, fake_m2p(f, mm0));
	missing_new = fake_truth(f, fake_m2p(f, missing0));
	is_u64(word(f, mm_new, 0), missing0,
	       "%s pre-fix: p2m_mid_missing_mfn still names the old p2m_missing", tag(rc));
	ok(missing_new != missing0, "%s: (p2m_missing did move)", tag(rc));
	ok(fake_check(f, false) > 0, "%s pre-fix: the invariants fail", tag(rc));
	is_int(fake_check(g, true), 0, "%s fixed: while the fixed kernel is clean", tag(rc));

	ret = fake_migrate(f, false);
	if (rc->layout == GK_LAYOUT_TREE) {
		is_int(ret, -EIO, "%s pre-fix: the second migration fails", tag(rc));
		ok(strstr(fake_error(f), "in p2m frame list list") != NULL,
		   "%s pre-fix: the toolstack says: %s", tag(rc), fake_error(f));
	} else {
		is_int(ret, 0, "%s pre-fix: the toolstack uses the list, migration 2 works",
		       tag(rc));
		ok(fake_check(f, false) > 0, "%s pre-fix: but the mfn tree is still stale",
		   tag(rc));
	}
	is_int(fake_migrate(g, false), 0, "%s fixed: second migration", tag(rc));
	is_int(fake_check(g, true), 0, "%s fixed: clean after it", tag(rc));
	fake_destroy(f);
	fake_destroy(g);
}

/* Pre-fix, and the old mid-mfn frame now belongs to someone else. */
static void test_pre_fix_reused(enum gk_layout layout)
{
	struct rcase rc = {layout, 8, 100000, 100000};
	struct fake *f = boot(&rc, GK_KERNEL_PRE_FIX_003);
	uint64_t top0;

	if (!f) {
		ok(0, "boot");
		return;
	}
	top0 = word(f, FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list), 0);
	is_int(fake_migrate(f, true), 0, "%s pre-fix: restored", tag(&rc));
	/* Another domain got the old frame; the M2P names a pfn we never mapped. */
	fake_set_owner(f, top0, FAKE_OTHER, 0x10);
	fake_console_clear(f);
	is_int(gk_resume(fake_hv(f)), -EFAULT, "%s pre-fix: resume faults instead of crashing",
	       tag(&rc));
	is_int(fake_console_count(f, "BUG: unable to handle page fault"), 1,
	       "%s pre-fix: with an oops on the console", tag(&rc));
	fake_destroy(f);

	/* The fixed kernel does not care. */
	f = boot(&rc, GK_KERNEL_FIXED);
	top0 = word(f, FAKE_SHINFO(f, arch.pfn_to_mfn_frame_list_list), 0);
	fake_migrate(f, true);
	fake_set_owner(f, top0, FAKE_OTHER, 0x10);
	is_int(gk_resume(fake_hv(f)), 0, "%s fixed: resume does not look at the old MFN", tag(&rc));
	is_int(fake_check(f, true), 0, "%s fixed: clean", tag(&rc));
	fake_destroy(f);
}

int main(void)
{
	static const struct rcase cases[] = {
		{GK_LAYOUT_TREE, 8, 300000, 600000},	  {GK_LAYOUT_LIST, 8, 300000, 600000},
		{GK_LAYOUT_LIST_ONLY, 8, 300000, 600000}, {GK_LAYOUT_TREE, 4, 300000, 1300000},
		{GK_LAYOUT_LIST, 4, 300000, 1300000},	  {GK_LAYOUT_LIST_ONLY, 4, 300000, 1300000},
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_fixed(&cases[i]);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cases[i].layout != GK_LAYOUT_LIST_ONLY)
			test_pre_fix(&cases[i]);
	test_pre_fix_reused(GK_LAYOUT_TREE);
	test_pre_fix_reused(GK_LAYOUT_LIST);
	return tap_done();
}
