/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest kernel's System.map (or a copy of its /proc/kallsyms), for the
 * guest-internal view of a check.  The file is hostile input: parsing is
 * bounded in size and line length.
 */
#ifndef XP_SYMBOLS_H
#define XP_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct xp_symbols;

struct xp_error *xp_symbols_load(const char *path, struct xp_symbols **out);
struct xp_error *xp_symbols_parse(const char *buf, size_t len, struct xp_symbols **out);
void xp_symbols_destroy(struct xp_symbols *s);
/* The address of @name, when it is one of the symbols the engine uses. */
bool xp_symbols_lookup(const struct xp_symbols *s, const char *name, uint64_t *addr);

#endif
