// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: arbitrary bytes as a guest's shared_info fields, mfn-tree
 * pages, page tables, leaf pages and M2P entries.  The engine must end in
 * findings (or a clean error), never crash, hang or allocate without bound.
 *
 * Input: byte 0 picks width and layout, then 11-byte patches
 * [target, offset lo, offset hi, value (8 bytes LE)].
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inspector.h"
#include "engine/p2m.h"
#include "../unit/fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int count_fn(void *arg, uint64_t pfn, uint64_t entry, enum xp_entry_class cls)
{
	(*(uint64_t *)arg)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum xp_layout layouts[] = {XP_LAYOUT_TREE, XP_LAYOUT_LIST,
						 XP_LAYOUT_LIST_ONLY};
	struct xp_inspector *in = NULL;
	struct xp_check_options o;
	struct xp_report *r = NULL;
	struct xp_backend *be;
	struct xp_error *err;
	struct fx_host *h;
	struct fx_guest g, d0;
	unsigned int width;
	uint64_t n = 0, unreach;
	struct xp_path path;
	size_t off;

	if (size < 1)
		return 0;
	width = (data[0] & 1) ? 4 : 8;
	h = fx_host_create(4096);
	be = fx_backend_create(h);
	fx_build_guest(h, 0, "Domain-0", 8, 64, 64, XP_LAYOUT_LIST, &d0);
	if (fx_build_guest(h, 3, "guest", width, 700, 1536, layouts[(data[0] >> 1) % 3], &g)) {
		fx_guest_release(&d0);
		xp_backend_destroy(be);
		fx_host_destroy(h);
		return 0;
	}
	for (off = 1; off + 11 <= size; off += 11) {
		unsigned int sel = data[off], idx = data[off + 1] | (data[off + 2] << 8);
		uint64_t v = le64(data + off + 3);
		uint64_t mfn;

		switch (sel % 8) {
		case 0: {
			static const char *const fields[] = {"max_pfn", "frame_list_list",
							     "p2m_cr3", "p2m_vaddr",
							     "p2m_generation"};
			fx_set_shinfo(h, &g, fields[idx % 5], v);
			continue;
		}
		case 1:
			mfn = g.fll ? g.fll : g.cr3;
			break;
		case 2:
			mfn = g.top_idx_mid[idx % 4];
			break;
		case 3:
			mfn = g.pt[(sel >> 3) % (width == 8 ? 3 : 2)];
			break;
		case 4:
			mfn = g.nr_l1 ? g.l1[(sel >> 3) % g.nr_l1] : g.cr3;
			break;
		case 5:
			mfn = g.leaf[(sel >> 3) % ((1536 + g.fpp - 1) / g.fpp)];
			break;
		case 6:
			h->m2p[v % h->max_mfn] = le64(data + off + 3) >> 8 | ((uint64_t)idx << 48);
			continue;
		default:
			mfn = g.missing;
			break;
		}
		if (mfn && mfn < h->max_mfn)
			fx_set(h, mfn, idx % 512, 8, v);
	}
	xp_check_options_init(&o);
	o.max_passes = 2; /* findings are confirmed by a second pass */
	err = xp_check_domain(be, 3, &o, &r);
	xp_error_destroy(err);
	xp_report_destroy(r);
	/* the live view's calls: probe, a pass, another, give up */
	err = xp_inspector_create(be, 3, NULL, &in);
	if (!err) {
		struct xp_probe p1, p2;
		unsigned int k;

		err = xp_inspector_probe(in, &p1);
		for (k = 0; !err && k < 2; k++) {
			r = NULL;
			err = xp_inspector_pass(in, &r);
			xp_report_destroy(r);
		}
		if (!err)
			err = xp_inspector_probe(in, &p2);
		if (!err && xp_probe_diff(&p1, &p2))
			abort(); /* nothing changed the guest in between */
		r = NULL;
		if (!err)
			err = xp_inspector_give_up(in, &r);
		xp_report_destroy(r);
	}
	xp_error_destroy(err);
	xp_inspector_destroy(in);
	err = xp_p2m_foreach(be, 3, 0, ~0ULL, count_fn, &n, &unreach);
	xp_error_destroy(err);
	err = xp_p2m_path(be, 3, 5, &path);
	xp_error_destroy(err);
	fx_guest_release(&g);
	fx_guest_release(&d0);
	xp_backend_destroy(be);
	fx_host_destroy(h);
	return 0;
}
