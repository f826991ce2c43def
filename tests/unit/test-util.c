// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include "lib/util.h"
#include "lib/error.h"
#include "tap.h"

int main(void)
{
	uint64_t v = 0;

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
