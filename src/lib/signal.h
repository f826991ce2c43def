/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIGINT, SIGTERM and SIGHUP end a run cleanly.  The handler only records
 * the signal (async-signal-safe); long loops check xp_signal_pending() --
 * the backends' mapping wrappers do, so every walk over guest memory stops
 * within a batch -- and unwind with xp_signal_error(), unmapping as they
 * go.  The program then reports "interrupted" once, at its edge, and ends
 * with xp_signal_reraise(): killed by the same signal, so that the shell
 * sees 128 + N (130 for SIGINT) and a script's loop stops as it would for
 * any other program the user interrupted.
 *
 * A signal that was ignored when the program started (nohup, a background
 * job of a non-interactive shell) stays ignored.
 */
#ifndef XP_SIGNAL_H
#define XP_SIGNAL_H

#include <stdbool.h>

#include "lib/error.h"

/* Catch SIGINT, SIGTERM and SIGHUP (those not ignored at startup). */
void xp_signal_install(void);
/* Has one of them arrived since xp_signal_install()?  Any thread may ask. */
bool xp_signal_pending(void);
/* The first of them that arrived, or 0. */
int xp_signal_caught(void);
/* XP_ERR_INTERRUPTED, "interrupted by SIGINT" (the signal that arrived). */
struct xp_error *xp_signal_error(void);
/*
 * When a signal arrived: restore its default action and raise it again, so
 * the process ends killed by it.  Returns only when none arrived (or it
 * could not end the process).
 */
void xp_signal_reraise(void);

#endif
