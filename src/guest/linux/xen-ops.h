/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Functions shared between the model kernel's files (arch/x86/xen/xen-ops.h
 * and friends).
 */
#ifndef GK_LINUX_XEN_OPS_H
#define GK_LINUX_XEN_OPS_H

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

/* Ours takes the guest width into account. */
#undef xen_pfn_to_cr3
#undef xen_cr3_to_pfn

#include "guest/linux/arch.h"

/* The p2m tables' geometry (unsigned long entries per page). */
#define P2M_PER_PAGE ((u64)k->a->p2m_per_page)
#define P2M_MID_PER_PAGE ((u64)k->a->p2m_per_page)
#define P2M_TOP_PER_PAGE ((u64)k->a->p2m_per_page)
#define MAX_P2M_PFN (P2M_TOP_PER_PAGE * P2M_MID_PER_PAGE * P2M_PER_PAGE)
#define PMDS_PER_MID_PAGE (P2M_MID_PER_PAGE / PTRS_PER_PTE)

#define INVALID_P2M_ENTRY (k->a->ulong_mask)
#define IDENTITY_FRAME_BIT (k->a->identity_bit)
#define FOREIGN_FRAME_BIT (k->a->foreign_bit)
#define IDENTITY_FRAME(m) ((u64)(m) | IDENTITY_FRAME_BIT)

/* image.c */
u64 image_brk_pages(const struct gk_arch *a, enum gk_layout layout);
u64 image_brk_limit(const struct gk_arch *a, enum gk_layout layout);
int image_symbol(const struct gk_arch *a, enum gk_layout layout, const char *name, u64 *va);

/* p2m.c */
u64 __pfn_to_mfn(struct gk *k, u64 pfn);
u64 get_phys_to_machine(struct gk *k, u64 pfn);
bool __set_phys_to_machine(struct gk *k, u64 pfn, u64 mfn);
bool set_phys_to_machine(struct gk *k, u64 pfn, u64 mfn);
int xen_alloc_p2m_entry(struct gk *k, u64 pfn);
void xen_build_dynamic_phys_to_machine(struct gk *k, u64 nr_pages);
void xen_vmalloc_p2m_tree(struct gk *k);
void xen_build_mfn_list_list(struct gk *k);
void xen_setup_mfn_list_list(struct gk *k);
void set_phys_range_identity(struct gk *k, u64 pfn_s, u64 pfn_e);
bool xen_virt_p2m_4tools(struct gk *k);
bool p2m_is_tree(const struct gk *k);
/* Leaf page holding @pfn's entry: its kind, and a host pointer to it. */
enum p2m_leaf_kind {
	P2M_LEAF_ERROR = -1,
	P2M_LEAF_REAL = 0,
	P2M_LEAF_MISSING,
	P2M_LEAF_IDENTITY,
};
enum p2m_leaf_kind p2m_leaf(struct gk *k, u64 pfn, const u8 **page);

/* enlighten_pv.c / suspend_pv.c */
int xen_start_kernel(struct gk *k);
int xen_pv_post_suspend(struct gk *k);
int xen_pv_suspend(struct gk *k);
int xen_pv_suspend_cancel(struct gk *k);
void xen_setup_shared_info(struct gk *k);
void xen_unmap_shared_info(struct gk *k);
u32 xen_start_info_flags(struct gk *k);

/* setup.c */
void xen_memory_setup(struct gk *k, u64 nr_pages);

/* balloon.c */
int balloon_set_target(struct gk *k, u64 target, unsigned int delay_us);

/* grant-table.c */
bool gnttab_available(struct gk *k);
void gnttab_init(struct gk *k);
unsigned int gnttab_max_grant_frames(struct gk *k);
u32 gnttab_nr_entries(struct gk *k);
int gnttab_alloc_grant_references(struct gk *k, unsigned int count, u32 *refs);
void gnttab_free_grant_reference(struct gk *k, u32 ref);
void gnttab_grant_foreign_access_ref(struct gk *k, u32 ref, u16 domid, u64 frame, bool readonly);
int gnttab_end_foreign_access_ref(struct gk *k, u32 ref);
u16 gnttab_entry_domid(struct gk *k, u32 ref);
u64 gnttab_ref_info(struct gk *k, u32 ref);
void gnttab_mark_granted(struct gk *k, u32 ref, u16 domid, u64 pfn, bool readonly);
bool gnttab_ref_granted(u64 info, u16 *domid, u64 *pfn, bool *readonly);
int gnttab_suspend(struct gk *k);
int gnttab_resume(struct gk *k);

/* grant-table-x86.c */
int arch_gnttab_init(struct gk *k, u64 nr_shared, u64 nr_status);
int arch_gnttab_map_shared(struct gk *k, const u64 *frames, u64 nr, u64 max);
int arch_gnttab_map_status(struct gk *k, const u64 *frames, u64 nr, u64 max);
void arch_gnttab_unmap(struct gk *k, bool status, u64 nr);

/* grant-table-driver.c */
int gntdrv_grant(struct gk *k, u16 domid, bool readonly, unsigned int count, u32 *refs);
int gntdrv_ungrant(struct gk *k, u32 ref, u16 *peer);
void gntdrv_resume(struct gk *k);

/* gk.c: the CPU for an already booted guest (probes its width). */
int gk_cpu_attach(const struct gk_hv *hv, struct gk **out);

/* Offsets in start_info and shared_info, by width. */
#define SI_OFF(field)                                                 \
	(k->a->width == 8 ? offsetof(struct start_info_x86_64, field) \
			  : offsetof(struct start_info_x86_32, field))
#define SH_OFF(field)                                                  \
	(k->a->width == 8 ? offsetof(struct shared_info_x86_64, field) \
			  : offsetof(struct shared_info_x86_32, field))

#endif
