/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XP_UTIL_H
#define XP_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define XP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define XP_MIN(a, b) ((a) < (b) ? (a) : (b))
#define XP_MAX(a, b) ((a) > (b) ? (a) : (b))
#define XP_DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))

/*
 * Parse an unsigned integer: decimal, or hexadecimal with 0x.  The whole
 * string must be consumed.  Returns 0, or -1 when it is not a number or
 * does not fit.
 */
int xp_parse_u64(const char *s, uint64_t *out);

/*
 * Parse a memory size: a number with an optional binary suffix K, M, G, T
 * (KiB, MiB, GiB, TiB; "1G", "512MiB", "4096k"); a bare number is MiB, as
 * xl's memory= is.  Returns 0 or -1.
 */
int xp_parse_size(const char *s, uint64_t *bytes);

/* "1.5 GiB" style, into buf; returns buf. */
const char *xp_format_size(uint64_t bytes, char *buf, size_t len);

/*
 * Room for @need elements of @size bytes in the growing array @v, which
 * has room for *cap: the capacity doubles (from 16) until @need fits.
 * Returns the array, moved or not, with *cap updated; NULL (with @v and
 * *cap untouched) when out of memory or when the size overflows.
 */
void *xp_grow(void *v, size_t *cap, size_t need, size_t size);

/* A UUID as 8-4-4-4-12 hex digits, into @buf (37 bytes or more); returns buf. */
const char *xp_uuid_format(const uint8_t uuid[16], char *buf, size_t len);

/* Monotonic clock in nanoseconds. */
uint64_t xp_now_ns(void);

#endif
