/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshot files built by hand (src/snapshot/format.h), for the reader's
 * tests and the fuzz target's seeds: each piece appended as it is given,
 * right or wrong, and the END record's checksum computed over what is
 * there (or fixed up afterwards, for inputs a fuzzer changed).
 */
#ifndef XP_TEST_SNAPFILE_H
#define XP_TEST_SNAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot/format.h"

struct snapfile {
	uint8_t *buf;
	size_t len, cap;
};

void snapfile_put(struct snapfile *f, const void *p, size_t n);
/* A header of @version with @flags. */
void snapfile_header(struct snapfile *f, uint32_t version, uint32_t flags);
/* A record header and body as given (count and length need not agree). */
void snapfile_record(struct snapfile *f, uint32_t type, uint32_t count, uint64_t length,
		     const void *body, size_t body_len);
/* A DOMAIN record: a 64-bit guest "guest" of @max_pfn pfns, UUID 01..10. */
void snapfile_domain(struct snapfile *f, uint64_t max_pfn);
/* END with the counts given and the checksum of everything so far. */
void snapfile_end(struct snapfile *f, uint64_t nr_runs, uint64_t nr_pages);
/*
 * Walk the records of @buf and, where an END record is found, rewrite its
 * checksum to match what precedes it; returns 1 when it did.
 */
int snapfile_fix_checksum(uint8_t *buf, size_t len);
/* A memfd holding the file, for xp_snap_reader_open_fd; -1 on failure. */
int snapfile_fd(const void *buf, size_t len);
void snapfile_free(struct snapfile *f);

#endif
