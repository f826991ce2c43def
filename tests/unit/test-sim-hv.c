// SPDX-License-Identifier: GPL-2.0
/* The hypercall layer (src/sim/toolstack/hv.c): Xen's rules, as the guest sees them. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "sim/toolstack/toolstack.h"
#include "tap.h"

#define PTE(mfn) (((uint64_t)(mfn) << 12) | 0x067)

static struct sim_domain *guest(struct sim_host *h, const char *name, uint64_t pages,
				uint64_t max_pages, struct sim_runs *runs)
{
	struct sim_domain *d = NULL;
	struct xp_error *err = sim_domain_new(h, name, false, &d);

	if (!err) {
		d->max_pages = max_pages;
		d->nr_pfns = pages;
		d->width = 8;
		d->layout = GK_LAYOUT_LIST;
		sim_alloc_seed(d, 11);
		err = sim_populate_bulk(h, d, 0, pages, runs);
	}
	if (!err)
		err = sim_alloc_xenheap(h, d, &d->shared_info_mfn);
	if (err) {
		diag("%s", err->message);
		xp_error_destroy(err);
		return NULL;
	}
	d->start_info_mfn = sim_runs_lookup(runs, 7);
	return d;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct sim_runs ra = {0}, rb = {0};
	struct sim_guest g, g2;
	const struct gk_hv_ops *ops;
	struct sim_domain *a, *b;
	struct xp_error *err;
	struct sim_host *h;
	uint64_t mine, theirs, mfn, l4, l1, tot, i;
	char path[300];
	void *hv;

	snprintf(path, sizeof(path), "%s/test-sim-hv.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkstemp(path) < 0) {
		printf("1..0 # SKIP no temporary file\n");
		return 0;
	}
	unlink(path);
	err = sim_host_format(path, 256ULL << 20, &h);
	if (err) {
		diag("%s", err->message);
		return 1;
	}
	a = guest(h, "a", 16384, 16400, &ra);
	b = guest(h, "b", 1024, 1024, &rb);
	if (!a || !b)
		return 1;
	sim_guest_init(&g, h, a);
	ops = g.hv.ops;
	hv = g.hv.priv;
	mine = sim_runs_lookup(&ra, 100);
	theirs = sim_runs_lookup(&rb, 100);

	ok(ops->frame(hv, mine, false) == sim_frame_ptr(h, mine), "frame: an own frame");
	ok(!(h->frames[mine].type & SIM_FT_WRITTEN), "reading does not mark it written");
	ok(ops->frame(hv, mine, true) != NULL && (h->frames[mine].type & SIM_FT_WRITTEN),
	   "writing marks it written");
	ok(ops->frame(hv, theirs, false) == NULL, "frame: another domain's frame is refused");
	ok(ops->frame(hv, 5, false) == NULL, "frame: Xen's frame is refused");
	ok(ops->frame(hv, h->nr_frames, false) == NULL, "frame: beyond host memory is refused");
	ok(ops->frame(hv, a->shared_info_mfn, true) != NULL, "frame: its shared_info page");
	is_u64(ops->m2p(hv, mine), 100, "m2p: the pfn of an own frame");
	is_u64(ops->m2p(hv, h->nr_frames + 5), ~0ULL, "m2p: ~0 beyond the table");
	is_u64(ops->max_mfn(hv), 65536, "max_mfn: the host's frames");
	is_u64(ops->max_pages(hv), 16400, "max_pages: the domain's limit");
	is_u64(ops->start_info_mfn(hv), a->start_info_mfn, "start_info_mfn");

	/* populate / decrease_reservation */
	tot = a->tot_pages;
	for (i = 0; i < 16; i++)
		if (ops->populate_physmap(hv, 16384 + i, &mfn) != 0)
			break;
	is_u64(i, 16, "populate_physmap up to max_pages");
	is_u64(h->m2p[mfn], 16384 + 15, "the new frame's M2P entry names its pfn");
	ok(sim_frame_owned(h, a, mfn), "and the domain owns it");
	is_int(ops->populate_physmap(hv, 20000, &mfn), -ENOMEM, "populate_physmap past max_pages");
	is_u64(a->tot_pages, tot + 16, "tot_pages counts the new pages");
	is_int(ops->decrease_reservation(hv, theirs), -EPERM, "decrease_reservation: not its own");
	is_int(ops->decrease_reservation(hv, h->nr_frames), -EINVAL,
	       "decrease_reservation: beyond host memory");
	is_int(ops->decrease_reservation(hv, a->shared_info_mfn), -EPERM,
	       "decrease_reservation: not the shared_info page");
	is_int(ops->decrease_reservation(hv, mfn), 0, "decrease_reservation: an own page");
	ok(!sim_frame_owned(h, a, mfn) && h->m2p[mfn] == 16384 + 15,
	   "it is free, its M2P entry stale");

	/* machphys_update */
	is_int(ops->machphys_update(hv, mine, 4242), 0, "machphys_update of an own frame");
	is_u64(h->m2p[mine], 4242, "sets the M2P");
	is_int(ops->machphys_update(hv, theirs, 1), -EPERM, "machphys_update of a foreign frame");
	is_int(ops->machphys_update(hv, a->shared_info_mfn, 1), -EPERM,
	       "machphys_update of shared_info");
	is_int(ops->machphys_update(hv, h->nr_frames, 1), -EINVAL,
	       "machphys_update beyond host memory");

	/* pinning and base pointers */
	l4 = sim_runs_lookup(&ra, 200);
	l1 = sim_runs_lookup(&ra, 201);
	is_int(ops->pin_table(hv, l4, 5), -EINVAL, "no level 5 table on x86_64");
	((uint64_t *)ops->frame(hv, l1, true))[3] = PTE(theirs);
	is_int(ops->pin_table(hv, l1, 1), -EINVAL, "an L1 naming a foreign frame cannot be pinned");
	((uint64_t *)ops->frame(hv, l1, true))[3] = PTE(mine);
	is_int(ops->pin_table(hv, l1, 1), 0, "an L1 naming own frames can");
	is_int(ops->pin_table(hv, l1, 1), -EBUSY, "pinning twice");
	is_int(ops->pin_table(hv, l1, 2), -EINVAL, "pinning at another level");
	is_int(ops->decrease_reservation(hv, l1), -EBUSY, "a pinned table cannot be given back");
	is_int(ops->pin_table(hv, theirs, 1), -EPERM, "a foreign frame cannot be pinned");
	is_int(ops->new_baseptr(hv, 0, l4), -EINVAL, "new_baseptr needs a pinned L4");
	((uint64_t *)ops->frame(hv, l4, true))[272] = PTE(l1);
	is_int(ops->pin_table(hv, l4, 4), 0, "pin an L4");
	is_int(ops->new_baseptr(hv, 0, l4), 0, "new_baseptr to it");
	is_u64(ops->vcpu_cr3(hv, 0), l4, "vcpu_cr3 follows");
	is_u64(a->vcpu_cr3[0], l4, "and the domain table too");
	is_int(ops->new_baseptr(hv, 1, l4), -EINVAL, "no vcpu 1");
	is_u64(ops->vcpu_cr3(hv, 1), ~0ULL, "vcpu_cr3 of no vcpu");
	is_int(ops->pin_table(hv, l1, 0), 0, "unpin");
	is_int(ops->pin_table(hv, l1, 0), -EINVAL, "unpin what is not pinned");

	/* boot_mfn: from the builder's runs, else from the M2P */
	g.boot_runs = &ra;
	is_u64(ops->boot_mfn(hv, 50), sim_runs_lookup(&ra, 50), "boot_mfn from the builder's runs");
	g.boot_runs = NULL;
	sim_guest_init(&g2, h, a);
	is_u64(g2.hv.ops->boot_mfn(g2.hv.priv, 0x1000 + 3), sim_runs_lookup(&ra, 0x1000 + 3),
	       "boot_mfn from the M2P when the builder is gone");
	is_u64(g2.hv.ops->boot_mfn(g2.hv.priv, 16383), ~0ULL, "boot_mfn beyond the image: ~0");
	sim_guest_fini(&g2);

	sim_runs_free(&ra);
	sim_runs_free(&rb);
	sim_host_destroy(h);
	return tap_done();
}
