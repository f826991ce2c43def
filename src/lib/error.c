// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/signal.h"

static struct xp_error xp_nomem_error = {
	.kind = XP_ERR_NOMEM,
	.errnum = 12,
	.message = "out of memory",
};

struct xp_error *xp_error_createv(enum xp_errkind kind, int errnum, const char *fmt, va_list ap)
{
	struct xp_error *err = malloc(sizeof(*err));

	if (!err)
		return &xp_nomem_error;
	err->kind = kind;
	err->errnum = errnum;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	return err;
}

struct xp_error *xp_error_create(enum xp_errkind kind, int errnum, const char *fmt, ...)
{
	struct xp_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = xp_error_createv(kind, errnum, fmt, ap);
	va_end(ap);
	return err;
}

struct xp_error *xp_error_wrap(struct xp_error *err, const char *fmt, ...)
{
	char prefix[256], old[sizeof(err->message)];
	size_t plen;
	va_list ap;

	if (!err || err == &xp_nomem_error)
		return err;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof(old));
	plen = strlen(prefix);
	/* prefix, ": ", then as much of the old message as still fits */
	memcpy(err->message, prefix, plen);
	memcpy(err->message + plen, ": ", 2);
	plen += 2;
	strncpy(err->message + plen, old, sizeof(err->message) - plen - 1);
	err->message[sizeof(err->message) - 1] = '\0';
	return err;
}

void xp_error_destroy(struct xp_error *err)
{
	if (err && err != &xp_nomem_error)
		free(err);
}

int xp_error_exit_code(const struct xp_error *err)
{
	if (!err)
		return XP_EXIT_OK;
	switch (err->kind) {
	case XP_ERR_USAGE:
		return XP_EXIT_USAGE;
	case XP_ERR_UNAVAILABLE:
	case XP_ERR_PERM:
		return XP_EXIT_UNAVAILABLE;
	case XP_ERR_INTERRUPTED:
		return XP_EXIT_SIGNAL_BASE + (xp_signal_caught() ? xp_signal_caught() : SIGINT);
	default:
		return XP_EXIT_RUNTIME;
	}
}

const char *xp_errkind_name(enum xp_errkind kind)
{
	switch (kind) {
	case XP_ERR_USAGE:
		return "usage";
	case XP_ERR_RUNTIME:
		return "runtime";
	case XP_ERR_NOMEM:
		return "no_memory";
	case XP_ERR_IO:
		return "io";
	case XP_ERR_FORMAT:
		return "bad_format";
	case XP_ERR_UNAVAILABLE:
		return "backend_unavailable";
	case XP_ERR_PERM:
		return "permission_denied";
	case XP_ERR_NODOMAIN:
		return "no_such_domain";
	case XP_ERR_NOT_PV:
		return "not_pv";
	case XP_ERR_GONE:
		return "domain_gone";
	case XP_ERR_UNSUPPORTED:
		return "unsupported";
	case XP_ERR_EXISTS:
		return "exists";
	case XP_ERR_INVALID:
		return "invalid";
	case XP_ERR_INTERRUPTED:
		return "interrupted";
	}
	return "unknown";
}
