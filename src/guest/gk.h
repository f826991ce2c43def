/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gk: the guest-side kernel model, seen from the simulator.
 *
 * The code under src/guest/linux/ is our own implementation, in kernel
 * style, of the PV guest's p2m logic (doc/design.md section 6: seeds 003,
 * 002, 000).
 * It runs inside the simulator process but keeps *all* of its state in guest
 * memory (its static variables live in a .bss page of the modelled kernel
 * image; its p2m pages, page tables and shared_info fields are real guest
 * frames), so that an inspector mapping the guest's frames sees exactly what
 * it would see in a real guest.  It reaches its memory only through its own
 * page tables (cr3) and the hypervisor only through struct gk_hv_ops, which
 * the simulator implements (src/sim/) and the unit tests fake.
 *
 * Division of labour, as on real Xen:
 *   - the domain builder (the simulator's toolstack) allocates the frames
 *     for pfns [0, nr_pages), sets the M2P, writes the start_info page and
 *     the initial p2m array (start_info.first_p2m_pfn / nr_p2m_frames), gives
 *     vcpu0 an empty pinned L4 as cr3, then calls gk_boot();
 *   - gk_boot() is the kernel's early boot: maps what it needs, builds the
 *     p2m (tree or linear list), the mfn tree for the toolstack, publishes
 *     in shared_info;
 *   - after a restore the simulator has rewritten page tables and start_info
 *     with the new MFNs (as libxenguest's restore does) and calls
 *     gk_resume(): the kernel's post-suspend path.
 *
 * Deviation from real Xen, documented: the builder does not build the
 * initial page tables (the model's boot maps the image, start_info and the
 * initial p2m itself), and the direct map covers only the pages the kernel
 * actually touches (a full 4 KiB direct map of a 1 TiB guest would be 2 GiB
 * of page tables).
 *
 * The model kernel's layout (src/guest/linux/image.c has the details; its
 * System.map, gk_write_system_map(), names every variable):
 *
 *                       x86_64                     x86_32 PAE
 *   _text (pfn 0x1000)  ffffffff81000000           c1000000
 *   top-level table     init_top_pgt (D, image)    swapper_pg_dir (B, image)
 *   direct map          ffff888000000000 + phys    c0000000 + phys (< ee000000)
 *   linear p2m list     ffffc90000000000           f0000000 (at most 64 MiB)
 *   initial p2m array   list: 0000008000000000     c0000000 + phys
 *                       tree: ffffffff80000000 + phys
 *   shared_info         ffffffffff5fd000           f57fe000   (only during a call)
 *
 * The direct map holds the image, start_info and every page the kernel
 * allocated (page-table pages read-only); the kernel image is also mapped
 * at _text.  Data PTEs are 0x067 | NX, plus Xen's bit 52 on x86_64, as on
 * a real guest.  Every page-table frame is pinned at its level
 * (pin_table), including the 4-entry PAE L3.  The kernel switches from the
 * builder's table to init_top_pgt (new_baseptr), unpins the builder's and
 * reuses its page.  shared_info is mapped at the fixmap slot only while an
 * entry point runs (a save sees no PTE naming Xen's frame), so ops->frame()
 * must let the domain access start_info.shared_info >> 12.  Host pointers
 * from ops->frame() must stay valid for the duration of one gk_* call.
 *
 * Grant tables (src/guest/linux/grant-table*.c, seed 002): the kernel
 * reserves a virtual area for the table's maximum size at boot, with the
 * PTEs behind it (arch_gnttab_init), and maps the shared (and v2 status)
 * frames only by writing those PTEs, whatever the context:
 *
 *                       x86_64                     x86_32 PAE
 *   shared frames       ffffe8ff00000000           f4000000
 *   status frames       ffffe8ff00200000           f4200000
 *
 * The frames stay mapped while the guest runs; its suspend path unmaps
 * them.  The model kernel tracks its context: an allocation that may
 * sleep, or an apply_to_page_range(), in atomic context is a kernel bug it
 * reports as Linux does; GK_KERNEL_PRE_FIX_002 maps grant frames with
 * apply_to_page_range() and so oopses when the table grows from an
 * interrupt inside a lazy MMU batch.
 *
 * How the kernel reports trouble, visible in its memory (System.map names
 * each of these):
 *   tainted_mask   unsigned long: bit 7 (TAINT_DIE, 'D') after an oops,
 *                  bit 9 (TAINT_WARN, 'W') after a warning such as
 *                  "BUG: sleeping function called from invalid context";
 *   __log_buf      the kernel log: printk lines ending in a newline, plain
 *                  text, a ring of log_buf_len bytes (a power of two);
 *   log_buf_len    unsigned int (32 bits on both widths): its size;
 *   log_end        unsigned int: how many bytes were ever written; the
 *                  next one goes to __log_buf[log_end & (log_buf_len - 1)].
 *                  The log is the min(log_end, log_buf_len) bytes before
 *                  that, its first line cut when the ring has wrapped
 *                  (the format of Linux 2.6 to 3.4).
 * Every line of the log also goes to the console (ops->console).
 */
#ifndef XP_GK_H
#define XP_GK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum gk_layout {
	GK_LAYOUT_TREE = 0,  /* Linux 2.6.38-3.18: pfn-side p2m_top tree + mfn tree */
	GK_LAYOUT_LIST,	     /* Linux >= 3.19: linear list (p2m_cr3/vaddr) + mfn tree */
	GK_LAYOUT_LIST_ONLY, /* linear list, frame list list published as ~0 */
};

enum gk_variant {
	GK_KERNEL_FIXED = 0,
	GK_KERNEL_PRE_FIX_003, /* resume does not rebuild the mfn list list (seed 003) */
	GK_KERNEL_PRE_FIX_002, /* grant frames mapped with allocation in atomic context */
	GK_KERNEL_PRE_FIX_000, /* grant kmap unmap leaves a zero-mapping window */
};

struct gk_config {
	enum gk_layout layout;
	enum gk_variant variant;
	unsigned int width; /* guest word size in bytes: 8 (x86_64) or 4 (x86_32 PAE) */
	uint64_t seed;
	/* A 1:1 (identity) pfn range [start, end), as a dom0 has for its E820
	 * holes; end == 0: none (a domU). */
	uint64_t identity_start, identity_end;
	/* The grant table version the kernel asks for: 1 or 2 (0 means 1). */
	unsigned int gnttab_version;
};

/*
 * The hypervisor, as the guest kernel sees it.  All return 0 or -errno
 * unless said otherwise; they enforce Xen's rules (a domain maps and
 * updates only frames it owns).
 */
struct gk_hv_ops {
	/*
	 * Access machine frame @mfn (what the guest's MMU does once a PTE names
	 * it): a host pointer to the 4 KiB frame, or NULL when the domain may
	 * not access it (not owned, beyond host memory).  @write marks the frame
	 * as written, so the simulator knows it holds data.
	 */
	void *(*frame)(void *hv, uint64_t mfn, bool write);
	/* machine_to_phys_mapping[mfn] (read-only in every PV guest); ~0 when
	 * @mfn is beyond the table. */
	uint64_t (*m2p)(void *hv, uint64_t mfn);
	/* Number of M2P entries (the host's max MFN + 1). */
	uint64_t (*max_mfn)(void *hv);
	/* XENMEM_maximum_reservation: the most pages the domain may have; the
	 * kernel sizes its p2m for this (the rest is balloon space). */
	uint64_t (*max_pages)(void *hv);
	/* XENMEM_populate_physmap, one page: a fresh frame owned by the domain,
	 * M2P[*mfn] = @pfn.  -ENOMEM past the domain's max_pages. */
	int (*populate_physmap)(void *hv, uint64_t pfn, uint64_t *mfn);
	/* XENMEM_decrease_reservation, one page: give frame @mfn back to Xen. */
	int (*decrease_reservation)(void *hv, uint64_t mfn);
	/* MMU_MACHPHYS_UPDATE: M2P[@mfn] = @pfn. */
	int (*machphys_update)(void *hv, uint64_t mfn, uint64_t pfn);
	/* MMUEXT_PIN_L{1,2,3,4}_TABLE (@level 1-4) or MMUEXT_UNPIN_TABLE (0):
	 * declare what a frame is.  The simulator's save/restore rewrites the
	 * MFNs inside frames pinned as page tables. */
	int (*pin_table)(void *hv, uint64_t mfn, unsigned int level);
	/* cr3 of vcpu @vcpu, as an MFN. */
	uint64_t (*vcpu_cr3)(void *hv, unsigned int vcpu);
	/* MMUEXT_NEW_BASEPTR. */
	int (*new_baseptr)(void *hv, unsigned int vcpu, uint64_t mfn);
	/* MFN of the start_info page (what the kernel gets in %rsi at entry). */
	uint64_t (*start_info_mfn)(void *hv);
	/* A line on the guest's console (printk). */
	void (*console)(void *hv, const char *line);
	/*
	 * Optional (may be NULL): the MFN the domain builder gave pfn @pfn,
	 * asked only for the pages it placed (pfn < gk_image.free_pfn), in
	 * practice the initial p2m array's frames; ~0 otherwise.  On real Xen
	 * the kernel learns this from the builder's bootstrap page tables,
	 * which the model's builder does not build (see above).  Without it
	 * the kernel finds those frames by one scan of the whole M2P, which is
	 * slow on a big host.
	 */
	uint64_t (*boot_mfn)(void *hv, uint64_t pfn);
	/*
	 * Grant tables (optional: without gnttab_setup_table the kernel has
	 * none).  GNTTABOP_query_size: the table's current and maximum
	 * frames.  GNTTABOP_set_version: 1 or 2.  GNTTABOP_setup_table: grow
	 * the table to at least @nr frames and give the MFNs of the first @nr.
	 * GNTTABOP_get_status_frames (version 2): the MFNs of the first @nr
	 * status frames.  The frames are Xen's pages shared with the domain:
	 * ops->frame() lets it access them.
	 */
	int (*gnttab_query_size)(void *hv, unsigned int *nr_frames, unsigned int *max_frames);
	int (*gnttab_set_version)(void *hv, unsigned int version);
	int (*gnttab_setup_table)(void *hv, unsigned int nr, uint64_t *frames);
	int (*gnttab_get_status_frames)(void *hv, unsigned int nr, uint64_t *frames);
};

struct gk_hv {
	const struct gk_hv_ops *ops;
	void *priv;
};

/*
 * The model kernel's image, as its ELF notes would tell a domain builder:
 * where the image goes and what the builder must place after it.  All in
 * pfns; everything from free_pfn up is the kernel's to allocate.
 */
struct gk_image {
	uint64_t image_pfn;   /* physical load address >> 12 */
	uint64_t image_pages; /* text + data + bss + brk reservation */
	uint64_t start_info_pfn;
	uint64_t console_pfn;
	uint64_t store_pfn;
	uint64_t p2m_pfn; /* initial p2m array: nr_pages entries of width bytes */
	uint64_t p2m_pages;
	uint64_t l4_pfn;      /* the initial (empty) top-level page table = cr3 */
	uint64_t free_pfn;    /* first pfn the kernel allocates from */
	uint64_t min_pages;   /* smallest guest this image can boot in */
	uint64_t max_pages;   /* largest (tree layout: what p2m_top can cover) */
	uint64_t virt_base;   /* VA of pfn 0 in the kernel image mapping */
	uint64_t mfn_list_va; /* start_info.mfn_list: VA the kernel maps the array at */
};

/* The layout for a guest of @nr_pages pages; -EINVAL (and a reason) when
 * the configuration cannot boot (too small, too large for the layout). */
int gk_image_layout(const struct gk_config *cfg, uint64_t nr_pages, struct gk_image *img,
		    const char **why);

/* The kernel's early boot, up to a published p2m.  0 or -errno. */
int gk_boot(struct gk_hv *hv, const struct gk_config *cfg);
/* The post-suspend path after a restore (the guest was just unpaused). */
int gk_resume(struct gk_hv *hv);
/* The balloon driver: grow or shrink to @target_pages populated pages.
 * @delay_us pauses between pages (to let tests race a reader against it). */
int gk_balloon(struct gk_hv *hv, uint64_t target_pages, unsigned int delay_us);
/*
 * The guest's suspend path before the toolstack saves it (do_suspend, in
 * stop_machine: the grant frames leave its page tables), and the way back
 * when no restore follows (a checkpoint, a failed save: they are mapped
 * again).  After a restore, gk_resume() maps the new domain's table and
 * the drivers grant again what they had granted.
 */
int gk_suspend(struct gk_hv *hv);
int gk_suspend_cancel(struct gk_hv *hv);
/*
 * The gntalloc driver, from an interrupt (atomic context, inside a lazy
 * MMU batch): allocate @count pages and grant them to @domid (read-only
 * if @readonly); the refs come back in @refs.  The grant table grows on
 * demand, in that context.  -ENOSPC when it is at its maximum; an oops
 * (see above) when the kernel breaks the atomic-context rule.
 */
int gk_grant(struct gk_hv *hv, uint16_t domid, bool readonly, unsigned int count, uint32_t *refs);
/* End a gntalloc grant and free its page: -ENOENT when @ref is not one,
 * -EBUSY while the peer still has it mapped (*peer says who). */
int gk_ungrant(struct gk_hv *hv, uint32_t ref, uint16_t *peer);
/* The kernel's System.map (nm -n format) for this configuration. */
int gk_write_system_map(const struct gk_config *cfg, FILE *out);

/*
 * Introspection, for the simulator's fault injection and for tests: attach
 * to a booted guest through its cr3, read its configuration and variables.
 */
struct gk;
int gk_attach(struct gk_hv *hv, struct gk **out);
void gk_detach(struct gk *k);
const struct gk_config *gk_config(const struct gk *k);
/* Host pointer to the byte at guest virtual address @va (through the
 * guest's own page tables), or NULL when it is not mapped. */
void *gk_va(struct gk *k, uint64_t va, bool write);
/* Address of a symbol of the model kernel (as in its System.map); -ENOENT. */
int gk_symbol(const struct gk *k, const char *name, uint64_t *va);
/* Translate a kernel virtual address to a pfn (as __pa() would), -EFAULT. */
int gk_va_to_pfn(struct gk *k, uint64_t va, uint64_t *pfn);
/* The guest's own view of its p2m: pfn -> mfn (~0 when missing/invalid). */
uint64_t gk_pfn_to_mfn(struct gk *k, uint64_t pfn);

const char *gk_layout_name(enum gk_layout layout);
const char *gk_variant_name(enum gk_variant variant);
int gk_layout_parse(const char *s, enum gk_layout *out);
int gk_variant_parse(const char *s, enum gk_variant *out);

#endif
