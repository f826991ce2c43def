// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/util.h"
#include "lib/error.h"
#include "tap.h"

static void test_grow(void)
{
	size_t cap = 0, i;
	uint32_t *v = NULL, *w;
	bool kept = true;

	v = xp_grow(v, &cap, 1, sizeof(*v));
	ok(v && cap == 16, "the first growth makes room for 16");
	w = xp_grow(v, &cap, 16, sizeof(*v));
	ok(w == v && cap == 16, "no growth while it fits");
	for (i = 0; i < 16; i++)
		v[i] = (uint32_t)i * 3;
	v = xp_grow(v, &cap, 17, sizeof(*v));
	ok(v && cap == 32, "17 doubles it to 32");
	v = xp_grow(v, &cap, 1000, sizeof(*v));
	ok(v && cap == 1024, "1000 doubles it until it fits: 1024");
	for (i = 0; v && i < 16; i++)
		kept = kept && v[i] == i * 3;
	ok(kept, "the elements are kept");
	w = xp_grow(v, &cap, SIZE_MAX / 2 + 2, sizeof(*v));
	ok(!w && cap == 1024, "a count that overflows: NULL, capacity unchanged");
	w = xp_grow(v, &cap, SIZE_MAX / 4, sizeof(*v));
	ok(!w && cap == 1024, "a size that overflows: NULL, capacity unchanged");
	free(v);
}

int main(void)
{
	uint64_t v = 0;

	test_grow();

	ok(xp_parse_u64("42", &v) == 0 && v == 42, "decimal");
	ok(xp_parse_u64("0x1f", &v) == 0 && v == 0x1f, "hex");
	ok(xp_parse_u64("-1", &v) == -1, "negative refused");
	ok(xp_parse_u64("12abc", &v) == -1, "trailing junk refused");
	ok(xp_parse_u64("", &v) == -1, "empty refused");
	ok(xp_parse_u64("99999999999999999999999", &v) == -1, "overflow refused");
	ok(xp_parse_size("1G", &v) == 0 && v == 1ULL << 30, "1G");
	ok(xp_parse_size("512MiB", &v) == 0 && v == 512ULL << 20, "512MiB");
	ok(xp_parse_size("1t", &v) == 0 && v == 1ULL << 40, "1t");
	ok(xp_parse_size("256", &v) == 0 && v == 256ULL << 20, "bare number is MiB");
	ok(xp_parse_size("4096k", &v) == 0 && v == 4096ULL << 10, "4096k");
	ok(xp_parse_size("12Q", &v) == -1, "unknown suffix refused");
	ok(xp_parse_size("G", &v) == -1, "no number refused");
	ok(xp_parse_size("99999999999T", &v) == -1, "overflow refused");

	struct xp_error *e = xp_error_create(XP_ERR_NODOMAIN, 3, "no domain %d", 7);
	is_str(e->message, "no domain 7", "error message formatted");
	is_int(xp_error_exit_code(e), XP_EXIT_RUNTIME, "no domain -> exit 3");
	e = xp_error_wrap(e, "check");
	is_str(e->message, "check: no domain 7", "wrap prefixes");
	xp_error_destroy(e);
	e = xp_error_create(XP_ERR_PERM, 1, "permission denied");
	is_int(xp_error_exit_code(e), XP_EXIT_UNAVAILABLE, "perm -> exit 4");
	xp_error_destroy(e);
	e = xp_error_create(XP_ERR_UNAVAILABLE, 0, "x");
	is_int(xp_error_exit_code(e), XP_EXIT_UNAVAILABLE, "unavailable -> exit 4");
	xp_error_destroy(e);
	xp_error_destroy(NULL);
	is_int(xp_error_exit_code(NULL), XP_EXIT_OK, "no error -> exit 0");
	return tap_done();
}
