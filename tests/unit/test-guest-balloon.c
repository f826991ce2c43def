// SPDX-License-Identifier: GPL-2.0
/*
 * The guest model's balloon driver: down takes the highest populated pfns
 * that are not the kernel's, up populates the lowest holes below maxmem,
 * allocating p2m pages in missing regions.
 */
#include "config.h"

#include <time.h>

#include "tap.h"
#include "test-guest-fake.h"

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

static void test_balloon(enum gk_layout layout, unsigned int width, uint64_t nr, uint64_t max)
{
	struct gk_config cfg = {.layout = layout, .width = width};
	const char *name = gk_layout_name(layout);
	uint64_t epp = 4096 / width, pfn, frontier, image;
	struct fake *f = fake_create(3 * max + 65536);
	int ret;

	ret = fake_build(f, &cfg, nr, max);
	is_int(ret, 0, "%s/%u: boots", name, width * 8);
	if (ret) {
		fake_destroy(f);
		return;
	}
	image = fake_image(f)->image_pfn;

	/* Down by 50000: the top 50000 pfns go. */
	is_int(gk_balloon(fake_hv(f), nr - 50000, 0), 0, "%s/%u: balloon down 50000 pages", name,
	       width * 8);
	is_u64(fake_pages(f), nr - 50000, "%s/%u: the domain has %llu pages", name, width * 8,
	       (unsigned long long)(nr - 50000));
	ok(fake_truth(f, nr - 1) == ~0ULL && fake_truth(f, nr - 50000) == ~0ULL &&
		   fake_truth(f, nr - 50001) != ~0ULL,
	   "%s/%u: the highest pfns were released", name, width * 8);
	is_int(fake_check(f, true), 0, "%s/%u: consistent after ballooning down", name, width * 8);

	/* Up by 150000: the holes first, then new p2m pages above nr. */
	is_int(gk_balloon(fake_hv(f), nr + 100000, 0), 0, "%s/%u: balloon up 150000 pages", name,
	       width * 8);
	is_u64(fake_pages(f), nr + 100000, "%s/%u: the domain has %llu pages", name, width * 8,
	       (unsigned long long)(nr + 100000));
	for (pfn = nr - 50000; pfn < nr + 100000 && fake_truth(f, pfn) != ~0ULL; pfn++)
		;
	is_u64(pfn, nr + 100000, "%s/%u: the lowest holes were filled, in order", name, width * 8);
	is_int(fake_check(f, true), 0, "%s/%u: consistent after ballooning up", name, width * 8);
	if (layout != GK_LAYOUT_TREE)
		is_u64(FAKE_SHINFO(f, arch.p2m_generation),
		       2 * ((nr + 100000 - align_up(nr, epp) + epp - 1) / epp),
		       "%s/%u: two generation bumps per new leaf page", name, width * 8);

	/* Up into the wholly missing mid near maxmem. */
	is_int(gk_balloon(fake_hv(f), max - 100, 0), 0, "%s/%u: balloon up to maxmem - 100", name,
	       width * 8);
	is_u64(fake_pages(f), max - 100, "%s/%u: %llu pages", name, width * 8,
	       (unsigned long long)(max - 100));
	is_int(fake_check(f, true), 0, "%s/%u: consistent", name, width * 8);
	is_int(gk_balloon(fake_hv(f), max + 10, 0), -ENOMEM, "%s/%u: not past maxmem", name,
	       width * 8);
	is_u64(fake_pages(f), max, "%s/%u: stopped at maxmem", name, width * 8);
	is_int(fake_migrate(f, false), 0, "%s/%u: migrates", name, width * 8);
	is_int(fake_check(f, true), 0, "%s/%u: consistent after migration", name, width * 8);

	/* Down to nothing: stops at the kernel. */
	is_int(gk_balloon(fake_hv(f), 1000, 0), -ENOMEM, "%s/%u: cannot balloon the kernel away",
	       name, width * 8);
	frontier = fake_kvar(f, "gk_memblock");
	is_u64(fake_pages(f), frontier + 64 - image,
	       "%s/%u: what is left is the kernel and its reserve", name, width * 8);
	ok(fake_truth(f, 0) == ~0ULL && fake_truth(f, image) != ~0ULL &&
		   fake_truth(f, frontier + 63) != ~0ULL && fake_truth(f, frontier + 64) == ~0ULL,
	   "%s/%u: low memory went, the image stayed", name, width * 8);
	is_int(fake_check(f, true), 0, "%s/%u: consistent", name, width * 8);
	is_int(gk_balloon(fake_hv(f), 20000, 0), 0, "%s/%u: and back up", name, width * 8);
	is_int(fake_check(f, true), 0, "%s/%u: consistent", name, width * 8);
	fake_destroy(f);
}

static void test_delay(void)
{
	struct gk_config cfg = {.layout = GK_LAYOUT_LIST, .width = 8};
	struct fake *f = fake_create(200000);
	struct timespec a, b;
	double us;

	fake_build(f, &cfg, 40000, 40000);
	clock_gettime(CLOCK_MONOTONIC, &a);
	is_int(gk_balloon(fake_hv(f), 40000 - 50, 2000), 0, "50 pages with 2 ms between them");
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
	ok(us >= 50 * 2000, "took %.0f us (>= 100000)", us);
	fake_destroy(f);
}

int main(void)
{
	test_balloon(GK_LAYOUT_TREE, 8, 300000, 600000);
	test_balloon(GK_LAYOUT_LIST, 8, 300000, 600000);
	test_balloon(GK_LAYOUT_LIST_ONLY, 8, 300000, 600000);
	test_balloon(GK_LAYOUT_TREE, 4, 300000, 1300000);
	test_balloon(GK_LAYOUT_LIST, 4, 300000, 1300000);
	test_delay();
	return tap_done();
}
