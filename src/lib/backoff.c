// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <errno.h>
#include <time.h>

#include "lib/backoff.h"
#include "lib/signal.h"

#define XP_BACKOFF_FIRST_US 2000U
#define XP_BACKOFF_MAX_US 200000U

static bool sleep_us(unsigned long long us)
{
	struct timespec ts = {
		.tv_sec = (time_t)(us / 1000000U),
		.tv_nsec = (long)(us % 1000000U) * 1000L,
	};

	/* nanosleep is never restarted after a handled signal: EINTR means stop */
	return nanosleep(&ts, NULL) == 0 || errno != EINTR;
}

unsigned int xp_backoff_us(unsigned int attempts)
{
	unsigned int us = XP_BACKOFF_FIRST_US;

	while (attempts-- > 1 && us < XP_BACKOFF_MAX_US)
		us *= 2;
	return us < XP_BACKOFF_MAX_US ? us : XP_BACKOFF_MAX_US;
}

bool xp_sleep_ms(void *arg, unsigned int ms)
{
	return sleep_us(ms * 1000ULL) && !xp_signal_pending();
}

bool xp_backoff_sleep(void *arg, unsigned int attempts)
{
	return sleep_us(xp_backoff_us(attempts));
}
