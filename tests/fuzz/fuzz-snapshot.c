// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: arbitrary bytes as a snapshot file (src/snapshot/reader.c),
 * validated and, when accepted, read through to the end as verify would.
 * The input's END checksum is fixed up first (where its records lead to
 * one), or the fuzzer would never get past it to the records' contents.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/snapshot.h"
#include "../unit/snapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every element of one kind, as verify reads them. */
static void read_all(struct xp_snap_reader *r, enum xp_snap_rec_type type)
{
	struct xp_snap_iter *it = NULL;
	struct xp_error *err;
	uint8_t elem[16];
	bool end = false;

	err = xp_snap_iter_create(r, type, &it);
	while (!err && !end)
		err = xp_snap_iter_next(it, elem, &end);
	xp_error_destroy(err);
	xp_snap_iter_destroy(it);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xp_snap_reader *r = NULL;
	uint8_t *copy = malloc(size + 1);
	struct xp_error *err;
	int fd;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	snapfile_fix_checksum(copy, size);
	fd = snapfile_fd(copy, size);
	free(copy);
	if (fd < 0)
		return 0;
	err = xp_snap_reader_open_fd(fd, "fuzz", &r);
	if (!err) {
		read_all(r, XP_SNAP_REC_P2M);
		read_all(r, XP_SNAP_REC_PAGES);
	}
	xp_error_destroy(err);
	xp_snap_reader_destroy(r);
	return 0;
}
