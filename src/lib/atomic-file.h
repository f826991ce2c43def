/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A file that appears whole or not at all: written under a temporary name
 * in its directory, flushed to disk, then renamed over the final name (a
 * reader never sees it half-written).  Until committed, destroying it
 * removes the temporary file, so a run that fails or is interrupted
 * (lib/signal.h) leaves nothing behind and the old file, if any, in place.
 * The temporary name starts with a dot and ends in random letters, so that
 * whoever watches the directory for the final name (node_exporter's
 * textfile collector reads *.prom) ignores it even after a crash.
 */
#ifndef XP_ATOMIC_FILE_H
#define XP_ATOMIC_FILE_H

#include <stdio.h>
#include <sys/types.h>

#include "lib/error.h"

struct xp_atomic_file;

/*
 * Start writing @path, with permissions @mode (the umask applies).
 * XP_ERR_IO when its directory cannot take a file.
 */
struct xp_error *xp_atomic_file_create(const char *path, mode_t mode, struct xp_atomic_file **out);
/* The stream to write to. */
FILE *xp_atomic_file_stream(struct xp_atomic_file *af);
const char *xp_atomic_file_path(const struct xp_atomic_file *af);
/*
 * Flush, sync and rename into place; then the directory is synced too.
 * Refused (the temporary file removed) after a write error or a signal.
 * Frees @af either way.
 */
struct xp_error *xp_atomic_file_commit(struct xp_atomic_file *af);
/* Give up: the temporary file is removed.  NULL is fine. */
void xp_atomic_file_destroy(struct xp_atomic_file *af);

#endif
