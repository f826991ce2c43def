// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>

#include "lib/signal.h"

static const int xp_signals[] = {SIGINT, SIGTERM, SIGHUP};

/* The first signal that arrived; lock-free, so the handler may store it. */
static atomic_int xp_signal_first;

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a lock-free int for the signal handler");

static void xp_signal_handler(int sig)
{
	int none = 0;

	atomic_compare_exchange_strong(&xp_signal_first, &none, sig);
}

void xp_signal_install(void)
{
	struct sigaction sa = {.sa_handler = xp_signal_handler, .sa_flags = SA_RESTART}, old;
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(xp_signals) / sizeof(xp_signals[0]); i++)
		sigaddset(&sa.sa_mask, xp_signals[i]);
	for (i = 0; i < sizeof(xp_signals) / sizeof(xp_signals[0]); i++) {
		if (sigaction(xp_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(xp_signals[i], &sa, NULL);
	}
}

bool xp_signal_pending(void)
{
	return atomic_load_explicit(&xp_signal_first, memory_order_relaxed) != 0;
}

int xp_signal_caught(void)
{
	return atomic_load(&xp_signal_first);
}

static const char *xp_signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

struct xp_error *xp_signal_error(void)
{
	return xp_error_create(XP_ERR_INTERRUPTED, EINTR, "interrupted by %s",
			       xp_signal_name(xp_signal_caught()));
}

void xp_signal_reraise(void)
{
	int sig = xp_signal_caught();
	sigset_t set;

	if (!sig)
		return;
	/* what was written must not die in stdio's buffers */
	fflush(NULL);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}
