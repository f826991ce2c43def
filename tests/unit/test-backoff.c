// SPDX-License-Identifier: GPL-2.0
/*
 * The CLI's wait between passes (src/lib/backoff.c): the delays, and that a
 * signal cuts a sleep short with "stop".  Nothing here measures time.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>

#include "lib/backoff.h"
#include "tap.h"

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	ticks++;
}

int main(void)
{
	static const unsigned int want[] = {2000,  2000,  4000,	  8000,	  16000,
					    32000, 64000, 128000, 200000, 200000};
	struct itimerval every_ms = {{0, 1000}, {0, 1000}}, off = {{0, 0}, {0, 0}};
	struct sigaction sa;
	unsigned int i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		is_int(xp_backoff_us(i), want[i], "wait after %u attempts: %u us", i, want[i]);
	is_int(xp_backoff_us(~0U), 200000, "at most 200 ms, however many attempts");
	ok(xp_backoff_sleep(NULL, 1), "an uninterrupted sleep says go on");

	/* a signal (handled, as the CLI's SIGINT/SIGTERM are) during the sleep */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &every_ms, NULL);
	ok(!xp_backoff_sleep(NULL, 20), "a signal during the sleep says stop");
	setitimer(ITIMER_REAL, &off, NULL);
	ok(ticks > 0, "  (the signal came)");
	return tap_done();
}
