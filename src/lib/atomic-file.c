// SPDX-License-Identifier: GPL-2.0
/* Files replaced atomically (atomic-file.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/atomic-file.h"
#include "lib/signal.h"

struct xp_atomic_file {
	char *path;
	char *tmp;
	char *dir;
	FILE *f;
};

static struct xp_error *io_error(int e, const char *what, const char *path)
{
	return xp_error_create(XP_ERR_IO, e, "%s %s: %s", what, path, strerror(e));
}

struct xp_error *xp_atomic_file_create(const char *path, mode_t mode, struct xp_atomic_file **out)
{
	struct xp_atomic_file *af;
	char *copy = NULL, *copy2 = NULL;
	mode_t mask;
	int fd = -1, e;

	*out = NULL;
	af = calloc(1, sizeof(*af));
	if (!af)
		return xp_error_nomem();
	af->path = strdup(path);
	copy = strdup(path);
	copy2 = strdup(path);
	if (!af->path || !copy || !copy2)
		goto nomem;
	/* libgen's basename and dirname may change what they are given */
	af->dir = strdup(dirname(copy2));
	if (!af->dir || asprintf(&af->tmp, "%s/.%s.XXXXXX", af->dir, basename(copy)) < 0) {
		af->tmp = NULL;
		goto nomem;
	}
	free(copy);
	free(copy2);
	copy = copy2 = NULL;
	fd = mkostemp(af->tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		free(af->tmp);
		af->tmp = NULL;
		xp_atomic_file_destroy(af);
		return io_error(e, "cannot create a file in", path);
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, mode & ~mask) < 0 || !(af->f = fdopen(fd, "w"))) {
		e = errno;
		close(fd);
		xp_atomic_file_destroy(af);
		return io_error(e, "cannot write", path);
	}
	*out = af;
	return NULL;
nomem:
	free(copy);
	free(copy2);
	xp_atomic_file_destroy(af);
	return xp_error_nomem();
}

FILE *xp_atomic_file_stream(struct xp_atomic_file *af)
{
	return af->f;
}

const char *xp_atomic_file_path(const struct xp_atomic_file *af)
{
	return af->path;
}

struct xp_error *xp_atomic_file_commit(struct xp_atomic_file *af)
{
	struct xp_error *err = NULL;
	int dfd;

	if (xp_signal_pending()) {
		xp_atomic_file_destroy(af);
		return xp_signal_error();
	}
	if (fflush(af->f) != 0 || ferror(af->f) || fsync(fileno(af->f)) < 0)
		err = io_error(errno ? errno : EIO, "cannot write", af->path);
	if (fclose(af->f) != 0 && !err)
		err = io_error(errno, "cannot write", af->path);
	af->f = NULL;
	if (!err && rename(af->tmp, af->path) < 0)
		err = io_error(errno, "cannot rename a temporary file to", af->path);
	if (err) {
		xp_atomic_file_destroy(af);
		return err;
	}
	/* the rename itself, on disk */
	dfd = open(af->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(af->tmp);
	af->tmp = NULL;
	xp_atomic_file_destroy(af);
	return NULL;
}

void xp_atomic_file_destroy(struct xp_atomic_file *af)
{
	if (!af)
		return;
	if (af->f)
		fclose(af->f);
	if (af->tmp)
		unlink(af->tmp);
	free(af->tmp);
	free(af->dir);
	free(af->path);
	free(af);
}
