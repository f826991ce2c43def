/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 PV page tables as the engine reads them: 4 levels for x86_64,
 * 3 (PAE, 8-byte entries, a 4-entry top level) for x86_32.  Internal to
 * src/engine/.
 */
#ifndef XP_PT_H
#define XP_PT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/target.h"

#define XP_PTE_PRESENT 0x1ULL
#define XP_PTE_PSE 0x80ULL
#define XP_PTE_ADDR_MASK 0x000ffffffffff000ULL

struct xp_pt_geometry {
	unsigned int levels;	 /* 4 or 3 */
	unsigned int shift[4];	 /* from the top level down */
	unsigned int entries[4]; /* entries used per table, top level first */
	const char *name[4];	 /* "l4", "l3", ... */
};

const struct xp_pt_geometry *xp_pt_geometry(unsigned int width);

static inline uint64_t xp_pte_mfn(uint64_t pte)
{
	return (pte & XP_PTE_ADDR_MASK) >> 12;
}

/* Is @va a usable kernel address for this width (canonical, not Xen's)? */
bool xp_va_ok(unsigned int width, uint64_t va);

/* Entry index of @va in a table at @level (0 = top). */
static inline unsigned int xp_pt_index(const struct xp_pt_geometry *g, unsigned int level,
				       uint64_t va)
{
	return (unsigned int)((va >> g->shift[level]) & (g->entries[level] - 1));
}

/*
 * Translate one virtual address through the page tables rooted at
 * @cr3_mfn.  On success *mfn is the frame; otherwise returns the level
 * (0-based) that failed and sets *why: -ENOENT not present, -EFAULT frame
 * unmappable (*bad_mfn says which), -EINVAL malformed (superpage / loop),
 * -ERANGE beyond host memory.
 */
int xp_pt_translate(struct xp_target *t, uint64_t cr3_mfn, uint64_t va, uint64_t *mfn,
		    uint64_t *bad_mfn);

/* Read a guest word at virtual address @va (must not cross a page). */
int xp_pt_read_word(struct xp_target *t, uint64_t cr3_mfn, uint64_t va, uint64_t *val);

#endif
