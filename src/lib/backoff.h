/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waiting between two attempts at something that is changing under us (a
 * check whose pass did not settle): 2 ms after the first attempt, doubling,
 * at most 200 ms.  The engine never sleeps; the CLI hands this to it.
 */
#ifndef XP_BACKOFF_H
#define XP_BACKOFF_H

#include <stdbool.h>

/* The wait after @attempts attempts (>= 1), in microseconds. */
unsigned int xp_backoff_us(unsigned int attempts);

/*
 * Sleep xp_backoff_us(@attempts); false when a signal cut the sleep short
 * (the caller should stop).  @arg is unused: the shape of a wait callback
 * (xp_check_wait_fn).
 */
bool xp_backoff_sleep(void *arg, unsigned int attempts);

/* Sleep @ms milliseconds; false when a signal arrived (lib/signal.h). */
bool xp_sleep_ms(void *arg, unsigned int ms);

#endif
