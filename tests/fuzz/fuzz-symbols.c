// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: arbitrary bytes as a System.map. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "engine/symbols.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xp_symbols *s = NULL;
	struct xp_error *err;
	uint64_t a;

	err = xp_symbols_parse((const char *)data, size, &s);
	if (!err)
		xp_symbols_lookup(s, "p2m_top_mfn", &a);
	xp_error_destroy(err);
	xp_symbols_destroy(s);
	return 0;
}
