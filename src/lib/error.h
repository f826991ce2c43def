/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error objects.  Every fallible function returns a struct xp_error * (NULL on
 * success) and hands results back through trailing out-parameters.  Only the
 * CLI edge prints an error; the engine and the backends just build them.
 */
#ifndef XP_ERROR_H
#define XP_ERROR_H

#include <stdarg.h>

/* Process exit codes: part of the CLI's API, documented in xenp2m(8). */
enum xp_exit {
	XP_EXIT_OK = 0,		 /* consistent */
	XP_EXIT_FINDINGS = 1,	 /* inconsistencies found */
	XP_EXIT_USAGE = 2,	 /* usage error */
	XP_EXIT_RUNTIME = 3,	 /* runtime failure */
	XP_EXIT_UNAVAILABLE = 4, /* backend unavailable or permission denied */
	/* interrupted by signal N: the process ends killed by N (lib/signal.h),
	 * which the shell reports as 128 + N (130 for SIGINT) */
	XP_EXIT_SIGNAL_BASE = 128,
};

/* What went wrong, coarse enough for a caller to act on. */
enum xp_errkind {
	XP_ERR_USAGE = 1, /* bad arguments */
	XP_ERR_RUNTIME,	  /* anything else that failed */
	XP_ERR_NOMEM,
	XP_ERR_IO,	    /* a file could not be read or written */
	XP_ERR_FORMAT,	    /* a file or stream is malformed */
	XP_ERR_UNAVAILABLE, /* no Xen / no such backend */
	XP_ERR_PERM,	    /* permission denied */
	XP_ERR_NODOMAIN,    /* no such domain */
	XP_ERR_NOT_PV,	    /* the domain is not a PV guest */
	XP_ERR_GONE,	    /* the domain died or moved away under us */
	XP_ERR_UNSUPPORTED, /* the backend does not implement the operation */
	XP_ERR_EXISTS,	    /* something with that name already exists */
	XP_ERR_INVALID,	    /* an operation the (modelled) hypervisor refuses */
	XP_ERR_INTERRUPTED, /* SIGINT, SIGTERM or SIGHUP arrived (lib/signal.h) */
};

struct xp_error {
	enum xp_errkind kind;
	int errnum; /* errno, or 0 */
	char message[512];
};

/* Build an error.  Never returns NULL: allocation failure gives a static one. */
struct xp_error *xp_error_create(enum xp_errkind kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct xp_error *xp_error_createv(enum xp_errkind kind, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Prefix an existing error's message with more context ("what: old message"). */
struct xp_error *xp_error_wrap(struct xp_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void xp_error_destroy(struct xp_error *err);

/* The exit code that an error of this kind maps to (an int: 128 + N for
 * XP_ERR_INTERRUPTED by signal N). */
int xp_error_exit_code(const struct xp_error *err);
/* Stable snake_case name of a kind ("no_domain", ...), used in JSON output. */
const char *xp_errkind_name(enum xp_errkind kind);

#define xp_error_nomem() xp_error_create(XP_ERR_NOMEM, 12, "out of memory")

#endif
