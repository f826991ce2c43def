/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal TAP producer for the C unit tests (automake's tap-driver.sh
 * counts every ok/not ok line).
 *
 *	ok(cond, "what");
 *	is_u64(got, want, "what");
 *	return tap_done();
 */
#ifndef XP_TAP_H
#define XP_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned int tap_n, tap_failed;

static inline __attribute__((format(printf, 2, 3))) int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

#define is_u64(got, want, ...)                                                         \
	do {                                                                           \
		uint64_t _g = (uint64_t)(got), _w = (uint64_t)(want);                  \
		if (!ok(_g == _w, __VA_ARGS__))                                        \
			printf("#   got 0x%" PRIx64 ", want 0x%" PRIx64 "\n", _g, _w); \
	} while (0)

#define is_int(got, want, ...)                                           \
	do {                                                             \
		long long _g = (long long)(got), _w = (long long)(want); \
		if (!ok(_g == _w, __VA_ARGS__))                          \
			printf("#   got %lld, want %lld\n", _g, _w);     \
	} while (0)

#define is_str(got, want, ...)                                                       \
	do {                                                                         \
		const char *_g = (got), *_w = (want);                                \
		if (!ok(_g && _w && strcmp(_g, _w) == 0, __VA_ARGS__))               \
			printf("#   got '%s', want '%s'\n", _g ? _g : "(null)", _w); \
	} while (0)

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int tap_done(void)
{
	printf("1..%u\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
