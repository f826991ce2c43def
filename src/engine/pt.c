// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <errno.h>

#include "engine/pt.h"

static const struct xp_pt_geometry geo64 = {
	.levels = 4,
	.shift = {39, 30, 21, 12},
	.entries = {512, 512, 512, 512},
	.name = {"l4", "l3", "l2", "l1"},
};

/* PAE: the top level (the "L3" Xen pins for a 32-bit guest) has 4 entries. */
static const struct xp_pt_geometry geo32 = {
	.levels = 3,
	.shift = {30, 21, 12},
	.entries = {4, 512, 512},
	.name = {"l3", "l2", "l1"},
};

const struct xp_pt_geometry *xp_pt_geometry(unsigned int width)
{
	return width == 8 ? &geo64 : &geo32;
}

bool xp_va_ok(unsigned int width, uint64_t va)
{
	if (width == 4)
		/* below Xen's PAE hole (HYPERVISOR_VIRT_START 0xF5800000) */
		return va < 0xF5800000ULL;
	/* canonical, and not Xen's own 0xffff800000000000-0xffff87ffffffffff */
	if (((int64_t)va >> 47) != 0 && ((int64_t)va >> 47) != -1)
		return false;
	return !(va >= 0xffff800000000000ULL && va < 0xffff880000000000ULL);
}

int xp_pt_translate(struct xp_target *t, uint64_t cr3_mfn, uint64_t va, uint64_t *mfn,
		    uint64_t *bad_mfn)
{
	const struct xp_pt_geometry *g = xp_pt_geometry(t->width);
	uint64_t table = cr3_mfn, seen[4];
	unsigned int level, k;

	*bad_mfn = 0;
	if (!xp_va_ok(t->width, va))
		return -EINVAL;
	for (level = 0; level < g->levels; level++) {
		const void *page;
		uint64_t pte;
		int err;

		if (table >= t->host.max_mfn) {
			*bad_mfn = table;
			return -ERANGE;
		}
		for (k = 0; k < level; k++) {
			if (seen[k] == table) {
				*bad_mfn = table;
				return -ELOOP;
			}
		}
		seen[level] = table;
		page = xp_target_frame(t, table, &err);
		if (!page) {
			*bad_mfn = table;
			return -EFAULT;
		}
		pte = xp_word(page, xp_pt_index(g, level, va), 8);
		if (!(pte & XP_PTE_PRESENT))
			return -ENOENT;
		if (level > 0 && level + 1 < g->levels && (pte & XP_PTE_PSE))
			return -EINVAL;
		table = xp_pte_mfn(pte);
	}
	if (table >= t->host.max_mfn) {
		*bad_mfn = table;
		return -ERANGE;
	}
	*mfn = table;
	return 0;
}

int xp_pt_read_word(struct xp_target *t, uint64_t cr3_mfn, uint64_t va, uint64_t *val)
{
	uint64_t mfn, bad;
	const void *page;
	int err;

	if (va & (t->width - 1))
		return -EINVAL;
	err = xp_pt_translate(t, cr3_mfn, va, &mfn, &bad);
	if (err)
		return err;
	page = xp_target_frame(t, mfn, &err);
	if (!page)
		return -EFAULT;
	*val = xp_word(page, (va & 0xfff) / t->width, t->width);
	return 0;
}
