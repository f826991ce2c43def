// SPDX-License-Identifier: GPL-2.0
/*
 * Not a test: times the guest model's boot of a big guest against the
 * fake hypervisor (default: 1 TiB, GK_LAYOUT_LIST, x86_64), then one
 * save/restore + resume and a check of the result.
 *
 *	tests/unit/test-guest-bench [pages [layout [width]]]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "test-guest-fake.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct gk_config cfg = {.layout = GK_LAYOUT_LIST, .width = 8};
	uint64_t pages = 1ULL << 28;
	struct fake *f;
	double t0, t1, t2, t3;
	int ret;

	if (argc > 1)
		pages = strtoull(argv[1], NULL, 0);
	if (argc > 2 && gk_layout_parse(argv[2], &cfg.layout)) {
		fprintf(stderr, "bad layout %s\n", argv[2]);
		return 2;
	}
	if (argc > 3)
		cfg.width = (unsigned int)strtoul(argv[3], NULL, 0);

	t0 = now();
	f = fake_create((getenv("BENCH_RESUME") ? 2 : 1) * pages + pages / 64 + (1 << 20));
	ret = fake_prepare(f, &cfg, pages, pages);
	t1 = now();
	if (ret) {
		fprintf(stderr, "builder: %s\n", fake_error(f));
		return 1;
	}
	ret = gk_boot(fake_hv(f), &cfg);
	t2 = now();
	printf("%s/%u, %llu pages (%llu GiB): builder %.2fs, gk_boot %.3fs -> %d\n",
	       gk_layout_name(cfg.layout), cfg.width * 8, (unsigned long long)pages,
	       (unsigned long long)(pages >> 18), t1 - t0, t2 - t1, ret);
	if (ret)
		return 1;
	printf("frames touched: %llu (%.1f MiB)\n", (unsigned long long)fake_frames_touched(f),
	       fake_frames_touched(f) / 256.0);
	if (getenv("BENCH_RESUME")) {
		t2 = now();
		ret = fake_migrate(f, true);
		t3 = now();
		printf("fake save/restore %.2fs -> %d %s\n", t3 - t2, ret, fake_error(f));
		ret = gk_resume(fake_hv(f));
		printf("gk_resume %.3fs -> %d\n", now() - t3, ret);
	}
	if (getenv("BENCH_CHECK"))
		printf("invariant violations: %u\n", fake_check(f, true));
	fake_destroy(f);
	return 0;
}
