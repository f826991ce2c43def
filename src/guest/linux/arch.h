/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model kernel's architecture layer: what arch/x86 (the MMU, mm, the
 * paravirt hypercall wrappers) gives arch/x86/xen.
 *
 * The model runs inside the simulator process, but everything it knows
 * lives in guest memory.  struct gk is the CPU it runs on: the hypervisor
 * interface, cr3, a small TLB and the oops state.  It is rebuilt for every
 * entry point and holds nothing that outlives one.
 *
 * Memory is reached only through the kernel's own page tables, walked from
 * cr3 with hv->ops->frame() (the MMU), and page-table frames are written by
 * machine address (what MMU_NORMAL_PT_UPDATE does for a PV guest).  Every
 * access is checked: a fault does not crash anything, it "oopses" the CPU
 * (sticky k->oops, one console line); from then on writes and hypercalls
 * are suppressed and reads return 0, so the entry point unwinds and
 * returns the error.  Loops are bounded by sizes the kernel derives from
 * the hypervisor, never by guest memory alone.
 *
 * Code using the macros below expects a `struct gk *k` in scope, the way
 * kernel code expects `current`.
 */
#ifndef GK_LINUX_ARCH_H
#define GK_LINUX_ARCH_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/gk.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096ULL
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PMD_SHIFT 21
#define PMD_SIZE (1ULL << PMD_SHIFT)
#define PTRS_PER_PTE 512U

#define PFN_DOWN(x) ((u64)(x) >> PAGE_SHIFT)
#define PFN_PHYS(x) ((u64)(x) << PAGE_SHIFT)
#define ALIGN_UP(x, a) ((((u64)(x) + (a)-1) / (a)) * (a))
#define DIV_ROUND_UP_ULL(n, d) (((u64)(n) + (d)-1) / (d))

static inline u64 min_u64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static inline u64 max_u64(u64 a, u64 b)
{
	return a > b ? a : b;
}

/* x86 PTE bits (identical for 4-level and PAE: PAE PTEs are 8 bytes). */
#define _PAGE_PRESENT 0x001ULL
#define _PAGE_RW 0x002ULL
#define _PAGE_USER 0x004ULL
#define _PAGE_ACCESSED 0x020ULL
#define _PAGE_DIRTY 0x040ULL
#define _PAGE_PSE 0x080ULL
/* Xen marks 64-bit PV kernel mappings (which it forces to _PAGE_USER). */
#define _PAGE_GUEST_KERNEL (1ULL << 52)
#define _PAGE_NX (1ULL << 63)
#define PTE_PFN_MASK 0x000ffffffffff000ULL

/* Levels of lookup_address(), as in Linux's enum pg_level. */
enum pg_level {
	PG_LEVEL_NONE = 0,
	PG_LEVEL_4K,
	PG_LEVEL_2M,
	PG_LEVEL_1G,
	PG_LEVEL_512G,
};

/*
 * Everything that differs between x86_64 and x86_32 PAE: the virtual
 * layout, the PTE flags, the word size, and the image layout.
 */
struct gk_arch {
	unsigned int width;	   /* sizeof(unsigned long) */
	unsigned int levels;	   /* paging levels: 4, or 3 (PAE) */
	unsigned int top_entries;  /* entries used in the top-level table */
	unsigned int p2m_per_page; /* PAGE_SIZE / sizeof(unsigned long) */
	u64 ulong_mask;		   /* ~0UL */
	u64 identity_bit;	   /* IDENTITY_FRAME_BIT */
	u64 foreign_bit;	   /* FOREIGN_FRAME_BIT */
	u64 page_offset;	   /* the direct map */
	u64 lowmem_pfns;	   /* what the direct map can cover */
	u64 start_kernel_map;	   /* __START_KERNEL_map (32-bit: PAGE_OFFSET) */
	u64 kernel_map_end;
	u64 text;      /* _text */
	u64 p2m_vaddr; /* the linear p2m list (vmalloc area) */
	u64 p2m_vaddr_end;
	u64 gnttab_vaddr; /* the grant frames' area (vmalloc), status + 2 MiB */
	u64 init_p2m;	  /* XEN_ELFNOTE_INIT_P2M, 0: none */
	u64 shinfo_va;	  /* fixmap slot of HYPERVISOR_shared_info */
	u64 prot_data, prot_data_ro, prot_text;
	u64 prot_table; /* an entry naming a lower table */
	u64 prot_top;	/* an entry of the top-level table */
	u64 max_pages_tree, max_pages_list;
	/* image: offsets from _text */
	u64 off_etext, off_pgd, off_data, off_edata, off_bss_start, off_bss_vars, off_log_buf,
		off_bss_stop;
	u64 brk_pages_tree, brk_pages_list;
};

extern const struct gk_arch gk_arch_64, gk_arch_32;
const struct gk_arch *gk_arch_for(unsigned int width);

/*
 * The kernel's static variables, at fixed addresses in its image
 * (image.c has the table; gk_write_system_map() prints it).
 */
enum kvar {
	KV_init_top_pgt, /* the kernel's top-level page table (swapper_pg_dir on 32-bit) */
	KV_HYPERVISOR_shared_info,
	KV__brk_end,
	KV_gk_memblock, /* the boot page allocator (struct, see MB_*) */
	KV_gk_config,	/* the model's own configuration (struct, see GKC_*) */
	KV_xen_max_p2m_pfn,
	KV_xen_p2m_size,
	KV_xen_p2m_addr,
	KV_xen_start_info,
	KV_balloon_stats, /* struct, see BS_* */
	KV_xen_p2m_last_pfn,
	KV_p2m_identity_pte,
	KV_p2m_missing_pte,
	KV_p2m_identity,
	KV_p2m_missing,
	KV_p2m_top_mfn_p,
	KV_p2m_top_mfn,
	KV_p2m_mid_missing_mfn,
	KV_p2m_top,
	KV_p2m_mid_missing,
	/* kernel/panic.c, kernel/printk.c */
	KV_tainted_mask,
	KV_log_buf_len, /* unsigned int */
	KV_log_end,	/* unsigned int */
	KV___log_buf,
	/* drivers/xen/grant-table.c, arch/x86/xen/grant-table.c */
	KV_grant_table_version,
	KV_nr_grant_frames,
	KV_gnttab_free_count,
	KV_gnttab_free_head, /* where the next search for a free ref starts */
	KV_gnttab_shared,
	KV_grstatus,
	KV_gnttab_refs, /* the model's per-ref table, see grant-table.c */
	KV_gnttab_shared_vm_area,
	KV_gnttab_status_vm_area,
	KV_NR,
};

/* The kernel log (Linux 2.6-3.4's plain ring; see gk.h). */
#define LOG_BUF_LEN (1U << 14)

/* Taint flags (bit numbers of tainted_mask). */
enum {
	TAINT_DIE = 7,
	TAINT_WARN = 9,
};

/* gk_memblock: unsigned long slots. */
enum {
	MB_NEXT = 0, /* next pfn to hand out */
	MB_LIMIT,    /* first pfn it may not hand out */
	MB_NR_FREE,  /* pages on the free stack */
	MB_FREE,     /* the free stack */
	MB_MAX_FREE = 29,
};

/* balloon_stats: unsigned long slots. */
enum {
	BS_CURRENT = 0,
	BS_TARGET,
};

/* gk_config: 64-bit fields, whatever the width. */
enum {
	GKC_MAGIC = 0,
	GKC_LAYOUT,
	GKC_VARIANT,
	GKC_WIDTH,
	GKC_SEED,
	GKC_IDENTITY_START,
	GKC_IDENTITY_END,
	GKC_NR_PAGES, /* start_info.nr_pages at boot */
	GKC_GNTTAB_VERSION,
	GKC_NR,
};
#define GK_CONFIG_MAGIC 0x4749464e4f434b47ULL /* "GKCONFIG" */

/* Reserve the allocator keeps above its frontier, out of the balloon's reach. */
#define GK_ALLOC_RESERVE 64

struct gk_tlb_entry {
	u32 epoch; /* valid when equal to gk.tlb_epoch */
	u64 vpn;
	u64 mfn;
	u8 *page;
	bool rw;   /* the mapping allows writes */
	bool wptr; /* page was obtained with write access */
};

struct gk_fc_entry {
	u32 epoch; /* valid when equal to gk.fc_epoch */
	u64 mfn;
	u8 *page;
	bool wptr;
};

#define GK_TLB_SIZE 512
#define GK_FC_SIZE 256
#define GK_PTQ_SIZE 64
#define GK_STACK_DEPTH 16
#define GK_EARLY_LOG 2048

struct gk {
	struct gk_hv hv;
	struct gk_config cfg;
	struct gk_image img; /* the image layout for the boot nr_pages */
	const struct gk_arch *a;
	u64 cr3; /* MFN of the table the MMU walks */
	u64 max_mfn;
	int oops;     /* first fatal error, sticky */
	bool quiet;   /* introspection: no oops on the console */
	bool booting; /* inside gk_boot(): brk is open */
	/*
	 * Head code only: the MFNs of the initial p2m array's frames, what the
	 * builder's bootstrap page tables would have told us.
	 */
	u64 *boot_p2m;
	u64 boot_p2m_pfn, boot_p2m_pages;
	/* the allocator, until the image (where gk_memblock lives) is mapped */
	bool mb_in_guest;
	u64 mb_next, mb_limit;
	/* page-table pages waiting for their read-only direct-map alias */
	u64 ptq[GK_PTQ_SIZE];
	unsigned int nr_ptq;
	bool ptq_busy;
	/*
	 * The context the code runs in: preemption/interrupt nesting, whether
	 * interrupts are off, the paravirt lazy MMU mode, and the functions
	 * entered so far (for an oops's call trace).
	 */
	unsigned int preempt_count;
	bool irqs_disabled;
	bool lazy_mmu;
	bool in_irq;
	const char *stack[GK_STACK_DEPTH];
	unsigned int depth;
	/* printk lines from before the kernel could reach __log_buf */
	char early_log[GK_EARLY_LOG];
	unsigned int early_log_len;
	u32 tlb_epoch, fc_epoch; /* flushing a cache = a new epoch */
	struct gk_tlb_entry tlb[GK_TLB_SIZE];
	struct gk_fc_entry fc[GK_FC_SIZE];
};

/* Word-size helpers (the guest's unsigned long). */
#define BYTES_PER_LONG (k->a->width)
#define ULONG_MASK (k->a->ulong_mask)

/* --- CPU lifetime ------------------------------------------------------- */

struct gk *gk_cpu_create(const struct gk_hv *hv, const struct gk_config *cfg);
void gk_cpu_destroy(struct gk *k);
/* Forget everything cached (cr3, TLB, oops) before an introspection call. */
void gk_cpu_reset(struct gk *k);
void flush_tlb_all(struct gk *k);
void flush_tlb_one(struct gk *k, u64 va);

/* --- oops / printk ------------------------------------------------------ */

void printk(struct gk *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Oops with @err (-EFAULT, -EINVAL, -ENOMEM); only the first one is kept. */
void gk_die(struct gk *k, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void gk_bug(struct gk *k, const char *file, int line, const char *cond);
/* A BUG() with the whole oops report (cut here, call trace, end trace). */
void gk_bug_report(struct gk *k, const char *file, int line, const char *cond);
/* A warning splat (taints W); the kernel carries on. */
void gk_warn(struct gk *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void add_taint(struct gk *k, unsigned int flag);
/* Put pending early printk lines into __log_buf once it is mapped. */
void log_flush_early(struct gk *k);

/* --- context ----------------------------------------------------------------- */

static inline bool in_atomic(const struct gk *k)
{
	return k->preempt_count != 0 || k->irqs_disabled;
}

/* An interrupt arrives (@lazy: while the interrupted code batched MMU updates). */
void irq_enter(struct gk *k, bool lazy);
void irq_exit(struct gk *k);
/* stop_machine(): preemption and interrupts off (suspend and resume). */
void stop_machine_enter(struct gk *k);
void stop_machine_exit(struct gk *k);
/* __might_sleep(): a sleeping allocation in atomic context is a bug. */
void __might_sleep(struct gk *k, const char *file, int line);
#define might_sleep_at(file, line) __might_sleep(k, (file), (line))
/* The paravirt lazy MMU mode; entering it twice is a BUG. */
void arch_enter_lazy_mmu_mode(struct gk *k);
void arch_leave_lazy_mmu_mode(struct gk *k);
/* The call trace an oops prints. */
static inline void gk_enter(struct gk *k, const char *fn)
{
	if (k->depth < GK_STACK_DEPTH)
		k->stack[k->depth] = fn;
	k->depth++;
}

static inline void gk_leave(struct gk *k)
{
	if (k->depth)
		k->depth--;
}
#define BUG_ON(cond)                                          \
	do {                                                  \
		if (cond)                                     \
			gk_bug(k, __FILE__, __LINE__, #cond); \
	} while (0)
#define BUG() gk_bug(k, __FILE__, __LINE__, "BUG()")

/* --- memory through the page tables -------------------------------------- */

/* Host pointer to the byte at @va, or NULL (no oops). */
u8 *va_ptr(struct gk *k, u64 va, bool write);
/* Host pointer to the page at page-aligned @va; NULL and an oops on fault. */
u8 *page_ptr(struct gk *k, u64 va, bool write);
/* unsigned long accesses; aligned; an oops on fault. */
u64 rd(struct gk *k, u64 va);
void wr(struct gk *k, u64 va, u64 val);
/* Without the oops: the exception-table variants (xen_safe_{read,write}_ulong). */
int safe_read_ulong(struct gk *k, u64 va, u64 *val);
int safe_write_ulong(struct gk *k, u64 va, u64 val);
/* 64-bit and 32-bit accesses whatever the width. */
u64 rd64(struct gk *k, u64 va);
void wr64(struct gk *k, u64 va, u64 val);
u32 rd32(struct gk *k, u64 va);
void wr32(struct gk *k, u64 va, u32 val);
u16 rd16(struct gk *k, u64 va);
void wr16(struct gk *k, u64 va, u16 val);
/* cmpxchg on a u16 (grant entry flags): returns the old value. */
u16 cmpxchg16(struct gk *k, u64 va, u16 old, u16 new);
/* cmpxchg on an unsigned long: returns the old value. */
u64 cmpxchg_ulong(struct gk *k, u64 va, u64 old, u64 new);
/* Fill a page-aligned page with unsigned long @val. */
void fill_page(struct gk *k, u64 va, u64 val);
void clear_page(struct gk *k, u64 va);
/* Memory barriers: another process reads guest memory concurrently. */
static inline void wmb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Element @i of an array of unsigned long at @base. */
#define ARR(base, i) ((base) + (u64)(i)*BYTES_PER_LONG)

/* The kernel's variables. */
u64 kvar_addr(const struct gk *k, enum kvar v);
u64 kget(struct gk *k, enum kvar v);
void kset(struct gk *k, enum kvar v, u64 val);
#define GET(sym) kget(k, KV_##sym)
#define SET(sym, val) kset(k, KV_##sym, (val))

/* --- address translation ------------------------------------------------- */

bool virt_addr_valid(struct gk *k, u64 va);
u64 __pa(struct gk *k, u64 va);
u64 __va(struct gk *k, u64 phys);
u64 pfn_to_mfn(struct gk *k, u64 pfn);
u64 mfn_to_pfn(struct gk *k, u64 mfn);
u64 virt_to_mfn(struct gk *k, u64 va);
u64 mfn_to_virt(struct gk *k, u64 mfn);
bool mfn_is_ram(struct gk *k, u64 mfn);
/* xen_pfn_to_cr3() of the guest's width. */
u64 xen_pfn_to_cr3(struct gk *k, u64 mfn);

/* --- page tables ------------------------------------------------------- */

struct pt_lookup {
	u64 table_mfn;	     /* the table holding the deepest entry found */
	unsigned int idx;    /* its index there */
	u64 pte;	     /* its value */
	enum pg_level level; /* PG_LEVEL_4K: @va is mapped by a 4 KiB PTE */
	bool rw;	     /* writable through every level */
};

/* Walk the page tables for @va: 0 when a 4 KiB PTE maps it, -ENOENT when
 * an entry on the way is not present (@pt says where), -EFAULT on garbage. */
int lookup_address(struct gk *k, u64 va, struct pt_lookup *pt);
/* Map @va to machine frame @mfn with @prot, allocating the tables on the
 * way (pinned, with read-only direct-map aliases).  0 or an oops. */
int set_pte_va(struct gk *k, u64 va, u64 mfn, u64 prot);
/* Clear the PTE for @va, if any. */
void clear_pte_va(struct gk *k, u64 va);
/*
 * mm/memory.c's apply_to_page_range() on the kernel's page tables: for
 * every page of [addr, addr + size), call @fn with the L1 table and index
 * of its PTE, allocating the tables on the way (which may sleep), inside
 * a lazy MMU section.  0, @fn's error, or an oops.
 */
int apply_to_page_range(struct gk *k, u64 addr, u64 size,
			int (*fn)(struct gk *k, u64 table_mfn, unsigned int idx, u64 addr,
				  void *data),
			void *data);
/*
 * mm/vmalloc.c's alloc_vm_area() for the fixed area at @addr: allocate
 * the page tables for @nr pages (it may sleep) and store the VA of each
 * page's PTE, in the direct map, at @ptes[i] (unsigned longs; none when
 * @ptes is 0).
 */
int alloc_vm_area(struct gk *k, u64 addr, u64 nr, u64 ptes);
/* set_pte() through a PTE's VA (a pte_t * the kernel kept). */
void set_pte_ptr(struct gk *k, u64 pte_va, u64 val);
/* Point the level-2 entry for @va at the L1 table @l1_mfn. */
int set_pmd_va(struct gk *k, u64 va, u64 l1_mfn);
/* Write entry @idx of page-table frame @table_mfn (MMU_NORMAL_PT_UPDATE). */
void pt_write(struct gk *k, u64 table_mfn, unsigned int idx, u64 val);
u64 pt_read(struct gk *k, u64 table_mfn, unsigned int idx);
/* MFN of the PTE's frame. */
static inline u64 pte_mfn(u64 pte)
{
	return (pte & PTE_PFN_MASK) >> PAGE_SHIFT;
}

/* --- allocation ------------------------------------------------------ */

/* A zeroed page, mapped read-write in the direct map: its VA, 0 on failure.
 * GFP_KERNEL: it may sleep. */
u64 alloc_page(struct gk *k);
/* GFP_ATOMIC: never sleeps; 0 (no oops) when memory is short. */
u64 alloc_page_atomic(struct gk *k);
void free_page(struct gk *k, u64 va);
/* A zeroed page-table page for @level, pinned, mapped read-only in the
 * direct map: its MFN, ~0 on failure (oops). */
u64 alloc_pt_page(struct gk *k, unsigned int level, u64 *pfn);
/* Give the page-table pages allocated so far their direct-map aliases
 * (done at the end of every set_pte_va()/set_pmd_va() anyway). */
void drain_pt_queue(struct gk *k);
/* A zeroed page of the image's brk area: its VA (an oops when exhausted). */
u64 extend_brk(struct gk *k);
/* The allocator's frontier (pfns below it, down to the image, are the kernel's). */
u64 memblock_frontier(struct gk *k);
void memblock_init(struct gk *k, u64 next, u64 limit);
void memblock_to_guest(struct gk *k);

/* --- hypercalls (no-ops after an oops) --------------------------------- */

int HYPERVISOR_populate_physmap(struct gk *k, u64 pfn, u64 *mfn);
int HYPERVISOR_decrease_reservation(struct gk *k, u64 mfn);
int HYPERVISOR_pin_table(struct gk *k, u64 mfn, unsigned int level);
int HYPERVISOR_new_baseptr(struct gk *k, u64 mfn);
u64 HYPERVISOR_maximum_reservation(struct gk *k);

/* Head-code access to a machine frame, before the kernel has page tables
 * (what the builder's bootstrap mapping provides on real Xen). */
u8 *early_frame(struct gk *k, u64 mfn, bool write);

/* Test hook (gk-test.h). */
bool gk_other_cpu_wins(struct gk *k);

#endif
