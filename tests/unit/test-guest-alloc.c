// SPDX-License-Identifier: GPL-2.0
/*
 * The guest model's on-demand p2m allocation (alloc_p2m /
 * xen_alloc_p2m_entry), driven through the kernel's own
 * set_phys_to_machine(): missing regions get mid and leaf pages; a lost
 * compare-and-swap (another CPU won) frees the loser's page; for the list
 * the shared mappings are replaced with p2m_generation odd while changing.
 */
#include "config.h"

#include "guest/gk-test.h"
#include "guest/linux/xen-ops.h"
#include "tap.h"
#include "test-guest-fake.h"

struct gen_log {
	struct fake *f;
	unsigned int n, odd;
	uint64_t mfn[64];
	uint64_t gen[64];
};

static void log_pt_write(void *arg, uint64_t table_mfn, unsigned int idx, uint64_t val)
{
	struct gen_log *l = arg;

	(void)idx;
	(void)val;
	if (l->n < 64) {
		l->mfn[l->n] = table_mfn;
		l->gen[l->n] = FAKE_SHINFO(l->f, arch.p2m_generation);
		l->n++;
	}
}

static struct fake *boot(enum gk_layout layout, unsigned int width, uint64_t nr, uint64_t max)
{
	struct gk_config cfg = {.layout = layout, .width = width};
	struct fake *f = fake_create(3 * max + 65536);

	if (fake_build(f, &cfg, nr, max)) {
		diag("boot: %s", fake_error(f));
		fake_destroy(f);
		return NULL;
	}
	return f;
}

static uint64_t nr_free(struct gk *k)
{
	return rd(k, ARR(kvar_addr(k, KV_gk_memblock), MB_NR_FREE));
}

/* Populate @pfn and enter it, as the balloon driver does. */
static bool populate(struct fake *f, struct gk *k, uint64_t pfn)
{
	uint64_t mfn;

	if (fake_hv(f)->ops->populate_physmap(f, pfn, &mfn))
		return false;
	return set_phys_to_machine(k, pfn, mfn);
}

static void test_alloc(enum gk_layout layout, unsigned int width)
{
	const char *name = gk_layout_name(layout);
	uint64_t epp = 4096 / width, mid = epp * epp, pfn, gen0, free0;
	/* nr_pages leaves mids 1.. wholly missing: fresh regions for each case */
	uint64_t nr = width == 8 ? 100000 : 300000, max = nr + 4 * mid + 1000;
	struct fake *f = boot(layout, width, nr, max);
	struct gen_log log = {.f = f};
	struct gk *k;
	int n;

	if (!f) {
		ok(0, "%s/%u boots", name, width * 8);
		return;
	}
	gk_cpu_attach(fake_hv(f), &k);
	xen_setup_shared_info(k);

	/* INVALID into a missing page is a no-op: no page allocated, nothing bumped. */
	pfn = 1 * mid + 5;
	free0 = memblock_frontier(k);
	gen0 = FAKE_SHINFO(f, arch.p2m_generation);
	ok(set_phys_to_machine(k, pfn, width == 8 ? ~0ULL : 0xffffffff),
	   "%s/%u: INVALID into a missing page succeeds", name, width * 8);
	is_u64(memblock_frontier(k), free0, "%s/%u: without allocating", name, width * 8);
	is_u64(FAKE_SHINFO(f, arch.p2m_generation), gen0, "%s/%u: without a generation bump", name,
	       width * 8);
	ok(!__set_phys_to_machine(k, pfn, 0x1234), "%s/%u: a real mfn needs an allocation", name,
	   width * 8);

	/* Plain allocation in a wholly missing mid; the list logs its page-table writes. */
	gk_test_pt_write = log_pt_write;
	gk_test_pt_write_arg = &log;
	ok(populate(f, k, pfn), "%s/%u: populate pfn %llx in a missing mid", name, width * 8,
	   (unsigned long long)pfn);
	gk_test_pt_write = NULL;
	is_u64(fake_truth(f, pfn), __pfn_to_mfn(k, pfn), "%s/%u: the p2m names its new frame", name,
	       width * 8);
	if (layout != GK_LAYOUT_TREE) {
		unsigned int i, odd = 0;

		is_u64(FAKE_SHINFO(f, arch.p2m_generation), gen0 + 2 + 2 * (epp / 512),
		       "%s/%u: generation bumped twice per replaced mapping (pmd%s + leaf)", name,
		       width * 8, epp > 512 ? "s" : "");
		for (i = 0; i < log.n; i++)
			if (log.gen[i] & 1)
				odd++;
		is_int(odd, 1 + epp / 512,
		       "%s/%u: the pmd(s) and leaf PTE written while the generation is odd", name,
		       width * 8);
	}

	/* Lose the n-th cmpxchg: the other CPU's pages win, ours go back. */
	for (n = 1; n <= 3; n++) {
		uint64_t lost = gk_test_cmpxchg_lost, top, mine, used, want;
		uint64_t topidx, mididx;
		unsigned int i, bad = 0;
		uint8_t *p;

		pfn = (uint64_t)(n + 1) * mid + 7;
		topidx = pfn / mid;
		mididx = (pfn / epp) % epp;
		gk_test_lose_cmpxchg = n;
		ok(populate(f, k, pfn), "%s/%u: populate pfn %llx losing cmpxchg %d", name,
		   width * 8, (unsigned long long)pfn, n);
		is_u64(gk_test_cmpxchg_lost, lost + 1, "%s/%u: cmpxchg %d was lost", name,
		       width * 8, n);
		is_u64(__pfn_to_mfn(k, pfn), fake_truth(f, pfn), "%s/%u: the entry is there", name,
		       width * 8);
		/* The loser's page is on top of the free stack, initialised, unused. */
		top = nr_free(k);
		mine = top ? rd(k, ARR(kvar_addr(k, KV_gk_memblock), MB_FREE + top - 1)) : ~0ULL;
		p = fake_frame(f, fake_truth(f, mine));
		if (n == 1 && layout != GK_LAYOUT_TREE) {
			struct pt_lookup pt;

			lookup_address(k, ARR(GET(xen_p2m_addr), pfn), &pt);
			used = pt.table_mfn;
			want = PFN_PHYS(virt_to_mfn(k, GET(p2m_missing))) | k->a->prot_data_ro;
			for (i = 0; p && i < 512; i++)
				bad += ((uint64_t *)p)[i] != want;
			is_int(fake_pin(f, fake_truth(f, mine)), 0, "%s/%u: its L1 was unpinned",
			       name, width * 8);
			mine = fake_truth(f, mine);
		} else {
			if (n == 1) {
				used = rd(k, ARR(GET(p2m_top), topidx));
				want = GET(p2m_missing);
			} else if (n == 2) {
				used = rd(k, ARR(GET(p2m_top_mfn_p), topidx));
				want = virt_to_mfn(k, GET(p2m_missing));
			} else if (layout == GK_LAYOUT_TREE) {
				used = rd(k, ARR(rd(k, ARR(GET(p2m_top), topidx)), mididx));
				want = INVALID_P2M_ENTRY;
			} else {
				used = __va(k, PFN_PHYS(mfn_to_pfn(
						       k, fake_va_to_mfn(f, ARR(GET(xen_p2m_addr),
										pfn)))));
				want = INVALID_P2M_ENTRY;
			}
			used = PFN_DOWN(__pa(k, used));
			for (i = 0; p && i < epp; i++)
				bad += (width == 8 ? ((uint64_t *)p)[i] : ((uint32_t *)p)[i]) !=
				       want;
		}
		ok(p && used != mine,
		   "%s/%u: cmpxchg %d: the loser's page (%llx) is not the one in use (%llx)", name,
		   width * 8, n, (unsigned long long)mine, (unsigned long long)used);
		is_int(bad, 0, "%s/%u: cmpxchg %d: the freed page is the loser's, initialised",
		       name, width * 8, n);
	}
	gk_test_lose_cmpxchg = 0;
	/* The next allocation reuses a freed page. */
	{
		uint64_t nf = nr_free(k);

		ok(nf > 0, "%s/%u: freed pages waiting (%llu)", name, width * 8,
		   (unsigned long long)nf);
		ok(populate(f, k, 4 * mid + 7 + epp), "%s/%u: another leaf", name, width * 8);
		is_u64(nr_free(k), 0, "%s/%u: served from the freed pages first", name, width * 8);
	}
	ok(!k->oops, "%s/%u: no oops", name, width * 8);
	xen_unmap_shared_info(k);
	gk_detach(k);
	is_int(fake_check(f, true), 0, "%s/%u: every invariant holds after the races", name,
	       width * 8);
	is_int(fake_migrate(f, false), 0, "%s/%u: and it migrates", name, width * 8);
	is_int(fake_check(f, true), 0, "%s/%u: consistent after it", name, width * 8);
	fake_destroy(f);
}

int main(void)
{
	test_alloc(GK_LAYOUT_TREE, 8);
	test_alloc(GK_LAYOUT_LIST, 8);
	test_alloc(GK_LAYOUT_TREE, 4);
	test_alloc(GK_LAYOUT_LIST, 4);
	return tap_done();
}
