/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test hooks of the guest model, for the unit tests.  Process-global and
 * off by default; the simulator never sets them.
 */
#ifndef XP_GK_TEST_H
#define XP_GK_TEST_H

#include <stdint.h>

/*
 * Make the n-th p2m compare-and-swap from now (1: the next one) lose:
 * just before it, a simulated other CPU runs the same allocation for the
 * same pfn to completion, so the kernel's check or cmpxchg fails and it
 * frees its page and uses the winner's.  0: off.
 */
extern unsigned int gk_test_lose_cmpxchg;
/* How many compare-and-swaps were lost that way. */
extern unsigned long gk_test_cmpxchg_lost;

/*
 * Called for every page-table entry the kernel writes by machine address
 * (MMU_NORMAL_PT_UPDATE), just before the write.
 */
extern void (*gk_test_pt_write)(void *arg, uint64_t table_mfn, unsigned int idx, uint64_t val);
extern void *gk_test_pt_write_arg;

#endif
