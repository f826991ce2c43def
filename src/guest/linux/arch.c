// SPDX-License-Identifier: GPL-2.0
/*
 * The model kernel's CPU: the MMU (page-table walks from cr3 with a small
 * TLB), checked memory accesses, address translation, the hypercall
 * wrappers and printk/oops.  See arch.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/gk-test.h"
#include "guest/linux/arch.h"
#include "guest/linux/xen-ops.h"

unsigned int gk_test_lose_cmpxchg;
unsigned long gk_test_cmpxchg_lost;
void (*gk_test_pt_write)(void *arg, uint64_t table_mfn, unsigned int idx, uint64_t val);
void *gk_test_pt_write_arg;

struct gk *gk_cpu_create(const struct gk_hv *hv, const struct gk_config *cfg)
{
	struct gk *k;

	if (!hv || !hv->ops || !cfg || !gk_arch_for(cfg->width))
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->hv = *hv;
	k->cfg = *cfg;
	k->a = gk_arch_for(cfg->width);
	k->max_mfn = hv->ops->max_mfn(hv->priv);
	k->cr3 = hv->ops->vcpu_cr3(hv->priv, 0);
	k->mb_in_guest = true;
	k->tlb_epoch = k->fc_epoch = 1;
	return k;
}

static void flush_caches(struct gk *k);

void gk_cpu_reset(struct gk *k)
{
	k->quiet = true;
	k->oops = 0;
	k->cr3 = k->hv.ops->vcpu_cr3(k->hv.priv, 0);
	k->max_mfn = k->hv.ops->max_mfn(k->hv.priv);
	flush_caches(k);
}

void gk_cpu_destroy(struct gk *k)
{
	if (!k)
		return;
	free(k->boot_p2m);
	free(k);
}

void flush_tlb_all(struct gk *k)
{
	if (++k->tlb_epoch == 0) {
		memset(k->tlb, 0, sizeof(k->tlb));
		k->tlb_epoch = 1;
	}
}

static void flush_caches(struct gk *k)
{
	flush_tlb_all(k);
	if (++k->fc_epoch == 0) {
		memset(k->fc, 0, sizeof(k->fc));
		k->fc_epoch = 1;
	}
}

static bool tlb_hit(const struct gk *k, const struct gk_tlb_entry *t, u64 vpn)
{
	return t->epoch == k->tlb_epoch && t->page && t->vpn == vpn;
}

static bool fc_hit(const struct gk *k, const struct gk_fc_entry *e, u64 mfn)
{
	return e->epoch == k->fc_epoch && e->page && e->mfn == mfn;
}

void flush_tlb_one(struct gk *k, u64 va)
{
	u64 vpn = va >> PAGE_SHIFT;
	struct gk_tlb_entry *t = &k->tlb[vpn % GK_TLB_SIZE];

	if (tlb_hit(k, t, vpn))
		t->page = NULL;
}

/* --- printk / oops ------------------------------------------------------ */

static u64 load_ulong(const struct gk *k, const u8 *p);
static void store_ulong(const struct gk *k, u8 *p, u64 val);

/*
 * The log ring (gk.h): bytes go to __log_buf[log_end & (LOG_BUF_LEN - 1)]
 * and log_end counts them.  Written through the kernel's own mappings, but
 * without the oops checks: an oopsing kernel still logs.  False when
 * __log_buf is not mapped yet.
 */
static bool log_put(struct gk *k, const char *text, size_t n)
{
	u64 buf = kvar_addr(k, KV___log_buf);
	u8 *endp = va_ptr(k, kvar_addr(k, KV_log_end), true);
	u32 end;
	size_t i;

	if (!endp || !va_ptr(k, buf, true))
		return false;
	end = __atomic_load_n((u32 *)endp, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++) {
		u8 *p = va_ptr(k, buf + ((end + i) & (LOG_BUF_LEN - 1)), true);

		if (!p)
			return false;
		*p = (u8)text[i];
	}
	__atomic_store_n((u32 *)endp, end + (u32)n, __ATOMIC_RELEASE);
	return true;
}

void log_flush_early(struct gk *k)
{
	if (k->early_log_len && log_put(k, k->early_log, k->early_log_len))
		k->early_log_len = 0;
}

static void log_store(struct gk *k, const char *line)
{
	size_t n = strlen(line);
	char text[258];

	if (k->quiet)
		return;
	memcpy(text, line, n);
	text[n++] = '\n';
	log_flush_early(k);
	if (!k->early_log_len && log_put(k, text, n))
		return;
	/* not mapped yet: keep it for later, as the head code's buffer does */
	if (k->early_log_len + n <= sizeof(k->early_log)) {
		memcpy(k->early_log + k->early_log_len, text, n);
		k->early_log_len += (unsigned int)n;
	}
}

static void printk_line(struct gk *k, const char *line)
{
	log_store(k, line);
	if (k->hv.ops->console)
		k->hv.ops->console(k->hv.priv, line);
}

void printk(struct gk *k, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk_line(k, line);
}

void add_taint(struct gk *k, unsigned int flag)
{
	u8 *p;

	if (k->quiet)
		return;
	p = va_ptr(k, kvar_addr(k, KV_tainted_mask), true);
	if (p)
		store_ulong(k, p, load_ulong(k, p) | (1ULL << flag));
}

/* "Not tainted" or "Tainted: G      D W", as print_tainted() says it. */
static const char *print_tainted(struct gk *k, char *buf, size_t len)
{
	static const char letters[] = "PFSRMBUDAWCIOELKXTN";
	u8 *p = va_ptr(k, kvar_addr(k, KV_tainted_mask), false);
	u64 mask = p ? load_ulong(k, p) : 0;
	size_t i, n;

	if (!mask) {
		snprintf(buf, len, "Not tainted");
		return buf;
	}
	n = (size_t)snprintf(buf, len, "Tainted: ");
	for (i = 0; i < sizeof(letters) - 1 && n + 1 < len; i++)
		buf[n++] = (mask & (1ULL << i)) ? letters[i] : (i == 0 ? 'G' : ' ');
	buf[n] = '\0';
	return buf;
}

static void dump_stack(struct gk *k)
{
	unsigned int i = min_u64(k->depth, GK_STACK_DEPTH);
	char taint[48];

	printk(k, "CPU: 0 PID: 0 Comm: swapper/0 %s 6.1.0-gk #1",
	       print_tainted(k, taint, sizeof(taint)));
	printk(k, "Call Trace:");
	if (k->in_irq)
		printk(k, " <IRQ>");
	while (i-- > 0)
		printk(k, " %s", k->stack[i]);
	if (k->in_irq)
		printk(k, " </IRQ>");
}

void gk_die(struct gk *k, int err, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (k->oops)
		return;
	if (!k->quiet) {
		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		printk_line(k, line);
		add_taint(k, TAINT_DIE);
	}
	k->oops = err;
}

void gk_bug_report(struct gk *k, const char *file, int line, const char *cond)
{
	const char *base = strrchr(file, '/');

	if (k->oops)
		return;
	if (!k->quiet) {
		printk(k, "------------[ cut here ]------------");
		printk(k, "kernel BUG at arch/x86/xen/%s:%d! (%s)", base ? base + 1 : file, line,
		       cond);
		printk(k, "invalid opcode: 0000 [#1] SMP NOPTI");
		dump_stack(k);
		printk(k, "---[ end trace 0000000000000000 ]---");
		add_taint(k, TAINT_DIE);
	}
	k->oops = -EINVAL;
}

void gk_warn(struct gk *k, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (k->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk_line(k, line);
	dump_stack(k);
	add_taint(k, TAINT_WARN);
}

/* --- context ------------------------------------------------------------- */

#define HARDIRQ_OFFSET 0x10000U

void irq_enter(struct gk *k, bool lazy)
{
	k->preempt_count += HARDIRQ_OFFSET;
	k->irqs_disabled = true;
	k->in_irq = true;
	k->lazy_mmu = lazy;
}

void irq_exit(struct gk *k)
{
	k->preempt_count -= HARDIRQ_OFFSET;
	k->irqs_disabled = false;
	k->in_irq = false;
	k->lazy_mmu = false;
}

void stop_machine_enter(struct gk *k)
{
	k->preempt_count++;
	k->irqs_disabled = true;
}

void stop_machine_exit(struct gk *k)
{
	k->preempt_count--;
	k->irqs_disabled = false;
}

void __might_sleep(struct gk *k, const char *file, int line)
{
	if (!in_atomic(k) || k->oops || k->quiet)
		return;
	printk(k, "BUG: sleeping function called from invalid context at %s:%d", file, line);
	printk(k, "in_atomic(): %d, irqs_disabled(): %d, non_block: 0, pid: 0, name: swapper/0",
	       k->preempt_count != 0, k->irqs_disabled);
	gk_warn(k, "preempt_count: %x, expected: 0", k->preempt_count);
}

void arch_enter_lazy_mmu_mode(struct gk *k)
{
	/* paravirt's enter_lazy(): the mode must be PARAVIRT_LAZY_NONE */
	if (k->lazy_mmu) {
		gk_bug_report(k, __FILE__, __LINE__, "paravirt_lazy_mode != PARAVIRT_LAZY_NONE");
		return;
	}
	k->lazy_mmu = true;
}

void arch_leave_lazy_mmu_mode(struct gk *k)
{
	k->lazy_mmu = false;
}

void gk_bug(struct gk *k, const char *file, int line, const char *cond)
{
	const char *base = strrchr(file, '/');

	gk_die(k, -EINVAL, "kernel BUG at arch/x86/xen/%s:%d! (%s)", base ? base + 1 : file, line,
	       cond);
}

static void page_fault(struct gk *k, u64 va, bool write)
{
	gk_die(k, -EFAULT, "BUG: unable to handle page fault for address: %0*llx (%s)",
	       k->a->width == 8 ? 16 : 8, (unsigned long long)va, write ? "write" : "read");
}

/* --- the MMU ------------------------------------------------------------ */

/* A machine frame through the frame cache (page-table frames, head code). */
static u8 *fc_frame(struct gk *k, u64 mfn, bool write)
{
	struct gk_fc_entry *e = &k->fc[mfn % GK_FC_SIZE];
	u8 *p;

	if (fc_hit(k, e, mfn) && (e->wptr || !write))
		return e->page;
	if (mfn >= k->max_mfn)
		return NULL;
	p = k->hv.ops->frame(k->hv.priv, mfn, write);
	if (!p)
		return NULL;
	if (fc_hit(k, e, mfn) && e->page != p)
		flush_caches(k); /* the frame moved when it became writable */
	e->epoch = k->fc_epoch;
	e->mfn = mfn;
	e->page = p;
	e->wptr = write;
	return p;
}

u8 *early_frame(struct gk *k, u64 mfn, bool write)
{
	return fc_frame(k, mfn, write);
}

static unsigned int pt_index(const struct gk_arch *a, u64 va, unsigned int level)
{
	if (a->levels == 3 && level == 3)
		return (va >> 30) & 3;
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static bool va_canonical(const struct gk_arch *a, u64 va)
{
	if (a->levels == 3)
		return va <= 0xffffffffULL;
	return va < 0x0000800000000000ULL || va >= 0xffff800000000000ULL;
}

static bool is_pae_top(const struct gk_arch *a, unsigned int level)
{
	return a->levels == 3 && level == 3;
}

int lookup_address(struct gk *k, u64 va, struct pt_lookup *pt)
{
	const struct gk_arch *a = k->a;
	unsigned int level = a->levels;
	u64 mfn = k->cr3;
	bool rw = true;

	memset(pt, 0, sizeof(*pt));
	if (!va_canonical(a, va))
		return -EFAULT;
	for (;;) {
		unsigned int idx = pt_index(a, va, level);
		u8 *t = fc_frame(k, mfn, false);
		u64 e;

		if (!t)
			return -EFAULT;
		e = __atomic_load_n((u64 *)t + idx, __ATOMIC_ACQUIRE);
		pt->table_mfn = mfn;
		pt->idx = idx;
		pt->pte = e;
		pt->level = level;
		if (!(e & _PAGE_PRESENT))
			return -ENOENT;
		if (!is_pae_top(a, level)) {
			/* The model maps no large pages: one here is garbage. */
			if (level > 1 && (e & _PAGE_PSE))
				return -EFAULT;
			if (!(e & _PAGE_RW))
				rw = false;
		}
		mfn = pte_mfn(e);
		if (mfn >= k->max_mfn)
			return -EFAULT;
		if (level == 1) {
			pt->rw = rw;
			return 0;
		}
		level--;
	}
}

u8 *va_ptr(struct gk *k, u64 va, bool write)
{
	u64 vpn = va >> PAGE_SHIFT;
	struct gk_tlb_entry *t = &k->tlb[vpn % GK_TLB_SIZE];
	struct pt_lookup pt;
	u8 *p;

	if (!tlb_hit(k, t, vpn)) {
		if (lookup_address(k, va, &pt))
			return NULL;
		p = k->hv.ops->frame(k->hv.priv, pte_mfn(pt.pte), write && pt.rw);
		if (!p)
			return NULL;
		t->epoch = k->tlb_epoch;
		t->vpn = vpn;
		t->mfn = pte_mfn(pt.pte);
		t->page = p;
		t->rw = pt.rw;
		t->wptr = write && pt.rw;
	}
	if (write && !t->wptr) {
		u64 mfn = t->mfn;

		if (!t->rw)
			return NULL;
		p = k->hv.ops->frame(k->hv.priv, mfn, true);
		if (!p)
			return NULL;
		if (p != t->page) {
			flush_caches(k);
			t->epoch = k->tlb_epoch;
			t->vpn = vpn;
			t->mfn = mfn;
			t->rw = true;
		}
		t->page = p;
		t->wptr = true;
	}
	return t->page + (va & ~PAGE_MASK);
}

u8 *page_ptr(struct gk *k, u64 va, bool write)
{
	u8 *p;

	if (k->oops)
		return NULL;
	if (va & ~PAGE_MASK) {
		BUG();
		return NULL;
	}
	p = va_ptr(k, va, write);
	if (!p)
		page_fault(k, va, write);
	return p;
}

static u64 load_ulong(const struct gk *k, const u8 *p)
{
	if (k->a->width == 8)
		return __atomic_load_n((const u64 *)p, __ATOMIC_RELAXED);
	return __atomic_load_n((const u32 *)p, __ATOMIC_RELAXED);
}

static void store_ulong(const struct gk *k, u8 *p, u64 val)
{
	if (k->a->width == 8)
		__atomic_store_n((u64 *)p, val, __ATOMIC_RELAXED);
	else
		__atomic_store_n((u32 *)p, (u32)val, __ATOMIC_RELAXED);
}

static u8 *access_ptr(struct gk *k, u64 va, unsigned int size, bool write, bool oops)
{
	u8 *p;

	if (k->oops)
		return NULL;
	if (va & (size - 1)) {
		if (oops)
			gk_die(k, -EFAULT, "BUG: unaligned access at %llx", (unsigned long long)va);
		return NULL;
	}
	p = va_ptr(k, va, write);
	if (!p && oops)
		page_fault(k, va, write);
	return p;
}

u64 rd(struct gk *k, u64 va)
{
	u8 *p = access_ptr(k, va, k->a->width, false, true);

	return p ? load_ulong(k, p) : 0;
}

void wr(struct gk *k, u64 va, u64 val)
{
	u8 *p = access_ptr(k, va, k->a->width, true, true);

	if (p)
		store_ulong(k, p, val);
}

int safe_read_ulong(struct gk *k, u64 va, u64 *val)
{
	u8 *p = access_ptr(k, va, k->a->width, false, false);

	if (!p)
		return -EFAULT;
	*val = load_ulong(k, p);
	return 0;
}

int safe_write_ulong(struct gk *k, u64 va, u64 val)
{
	u8 *p = access_ptr(k, va, k->a->width, true, false);

	if (!p)
		return -EFAULT;
	store_ulong(k, p, val);
	return 0;
}

u64 rd64(struct gk *k, u64 va)
{
	u8 *p = access_ptr(k, va, 8, false, true);

	return p ? __atomic_load_n((u64 *)p, __ATOMIC_RELAXED) : 0;
}

void wr64(struct gk *k, u64 va, u64 val)
{
	u8 *p = access_ptr(k, va, 8, true, true);

	if (p)
		__atomic_store_n((u64 *)p, val, __ATOMIC_RELAXED);
}

u32 rd32(struct gk *k, u64 va)
{
	u8 *p = access_ptr(k, va, 4, false, true);

	return p ? __atomic_load_n((u32 *)p, __ATOMIC_RELAXED) : 0;
}

void wr32(struct gk *k, u64 va, u32 val)
{
	u8 *p = access_ptr(k, va, 4, true, true);

	if (p)
		__atomic_store_n((u32 *)p, val, __ATOMIC_RELAXED);
}

u16 rd16(struct gk *k, u64 va)
{
	u8 *p = access_ptr(k, va, 2, false, true);

	return p ? __atomic_load_n((u16 *)p, __ATOMIC_ACQUIRE) : 0;
}

void wr16(struct gk *k, u64 va, u16 val)
{
	u8 *p = access_ptr(k, va, 2, true, true);

	if (p)
		__atomic_store_n((u16 *)p, val, __ATOMIC_RELEASE);
}

u16 cmpxchg16(struct gk *k, u64 va, u16 old, u16 new)
{
	u8 *p = access_ptr(k, va, 2, true, true);
	u16 expected = old;

	if (!p)
		return (u16)~old;
	__atomic_compare_exchange_n((u16 *)p, &expected, new, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return expected;
}

u64 cmpxchg_ulong(struct gk *k, u64 va, u64 old, u64 new)
{
	u8 *p = access_ptr(k, va, k->a->width, true, true);

	if (!p)
		return ~old & ULONG_MASK; /* never "succeeds" on a dead CPU */
	if (k->a->width == 8) {
		u64 expected = old;

		__atomic_compare_exchange_n((u64 *)p, &expected, new, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
		return expected;
	} else {
		u32 expected = (u32)old;

		__atomic_compare_exchange_n((u32 *)p, &expected, (u32) new, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
		return expected;
	}
}

void fill_page(struct gk *k, u64 va, u64 val)
{
	u8 *p = page_ptr(k, va, true);
	unsigned int i;

	if (!p)
		return;
	if (k->a->width == 8) {
		for (i = 0; i < PAGE_SIZE / 8; i++)
			((u64 *)p)[i] = val;
	} else {
		for (i = 0; i < PAGE_SIZE / 4; i++)
			((u32 *)p)[i] = (u32)val;
	}
	wmb();
}

void clear_page(struct gk *k, u64 va)
{
	u8 *p = page_ptr(k, va, true);

	if (p)
		memset(p, 0, PAGE_SIZE);
}

u64 kget(struct gk *k, enum kvar v)
{
	return rd(k, kvar_addr(k, v));
}

void kset(struct gk *k, enum kvar v, u64 val)
{
	wr(k, kvar_addr(k, v), val);
}

/* --- address translation ------------------------------------------------- */

bool virt_addr_valid(struct gk *k, u64 va)
{
	const struct gk_arch *a = k->a;

	if (va >= a->start_kernel_map && va < a->kernel_map_end)
		return true;
	return va >= a->page_offset && va < a->page_offset + PFN_PHYS(a->lowmem_pfns);
}

u64 __pa(struct gk *k, u64 va)
{
	const struct gk_arch *a = k->a;

	if (va >= a->start_kernel_map && va < a->kernel_map_end)
		return va - a->start_kernel_map;
	if (va >= a->page_offset && va < a->page_offset + PFN_PHYS(a->lowmem_pfns))
		return va - a->page_offset;
	gk_die(k, -EINVAL, "kernel BUG: __pa() of a non-linear address %llx",
	       (unsigned long long)va);
	return 0;
}

/* Pure arithmetic, as in Linux: a bad pfn gives an address that faults. */
u64 __va(struct gk *k, u64 phys)
{
	return k->a->page_offset + phys;
}

/* The boot-time p2m: entries of the initial array read by machine frame. */
static u64 head_pfn_to_mfn(struct gk *k, u64 pfn)
{
	u64 frame = pfn / P2M_PER_PAGE;
	u8 *p;

	if (frame >= k->boot_p2m_pages)
		return INVALID_P2M_ENTRY;
	p = early_frame(k, k->boot_p2m[frame], false);
	if (!p) {
		gk_die(k, -EFAULT, "head: initial p2m frame %llx is not accessible",
		       (unsigned long long)k->boot_p2m[frame]);
		return INVALID_P2M_ENTRY;
	}
	return load_ulong(k, p + (pfn % P2M_PER_PAGE) * BYTES_PER_LONG);
}

u64 pfn_to_mfn(struct gk *k, u64 pfn)
{
	u64 mfn;

	if (k->boot_p2m)
		mfn = head_pfn_to_mfn(k, pfn);
	else
		mfn = __pfn_to_mfn(k, pfn);
	if (mfn != INVALID_P2M_ENTRY)
		mfn &= ~(FOREIGN_FRAME_BIT | IDENTITY_FRAME_BIT);
	return mfn;
}

u64 mfn_to_pfn(struct gk *k, u64 mfn)
{
	u64 pfn;

	if (k->oops)
		return INVALID_P2M_ENTRY;
	pfn = k->hv.ops->m2p(k->hv.priv, mfn);
	if (pfn == ~0ULL)
		return INVALID_P2M_ENTRY;
	return pfn & ULONG_MASK;
}

u64 virt_to_mfn(struct gk *k, u64 va)
{
	u64 phys = __pa(k, va);

	if (k->oops)
		return INVALID_P2M_ENTRY;
	return pfn_to_mfn(k, PFN_DOWN(phys));
}

u64 mfn_to_virt(struct gk *k, u64 mfn)
{
	return __va(k, PFN_PHYS(mfn_to_pfn(k, mfn)));
}

bool mfn_is_ram(struct gk *k, u64 mfn)
{
	if (mfn == INVALID_P2M_ENTRY || (mfn & (IDENTITY_FRAME_BIT | FOREIGN_FRAME_BIT)))
		return false;
	return mfn < k->max_mfn;
}

u64 xen_pfn_to_cr3(struct gk *k, u64 mfn)
{
	if (k->a->width == 8)
		return mfn << PAGE_SHIFT;
	return (u32)((u32)mfn << 12 | (u32)mfn >> 20);
}

/* --- hypercalls --------------------------------------------------------- */

int HYPERVISOR_populate_physmap(struct gk *k, u64 pfn, u64 *mfn)
{
	if (k->oops)
		return k->oops;
	return k->hv.ops->populate_physmap(k->hv.priv, pfn, mfn);
}

int HYPERVISOR_decrease_reservation(struct gk *k, u64 mfn)
{
	struct gk_fc_entry *e = &k->fc[mfn % GK_FC_SIZE];

	if (k->oops)
		return k->oops;
	if (fc_hit(k, e, mfn))
		e->page = NULL;
	flush_caches(k);
	return k->hv.ops->decrease_reservation(k->hv.priv, mfn);
}

int HYPERVISOR_pin_table(struct gk *k, u64 mfn, unsigned int level)
{
	int ret;

	if (k->oops)
		return k->oops;
	ret = k->hv.ops->pin_table(k->hv.priv, mfn, level);
	if (ret)
		gk_die(k, ret, "BUG: MMUEXT_%s of mfn %llx failed: %d",
		       level ? "PIN_TABLE" : "UNPIN_TABLE", (unsigned long long)mfn, ret);
	return ret;
}

int HYPERVISOR_new_baseptr(struct gk *k, u64 mfn)
{
	int ret;

	if (k->oops)
		return k->oops;
	ret = k->hv.ops->new_baseptr(k->hv.priv, 0, mfn);
	if (ret) {
		gk_die(k, ret, "BUG: MMUEXT_NEW_BASEPTR to mfn %llx failed: %d",
		       (unsigned long long)mfn, ret);
		return ret;
	}
	k->cr3 = mfn;
	flush_tlb_all(k);
	return 0;
}

u64 HYPERVISOR_maximum_reservation(struct gk *k)
{
	return k->hv.ops->max_pages(k->hv.priv);
}

bool gk_other_cpu_wins(struct gk *k)
{
	if (!gk_test_lose_cmpxchg || k->oops)
		return false;
	if (--gk_test_lose_cmpxchg)
		return false;
	gk_test_cmpxchg_lost++;
	return true;
}

/* --- page-table frames by machine address ------------------------------ */

void pt_write(struct gk *k, u64 table_mfn, unsigned int idx, u64 val)
{
	u8 *p;

	if (k->oops)
		return;
	p = fc_frame(k, table_mfn, true);
	if (!p || idx >= 512) {
		gk_die(k, -EFAULT, "BUG: mmu_update of mfn %llx[%u] failed",
		       (unsigned long long)table_mfn, idx);
		return;
	}
	if (gk_test_pt_write)
		gk_test_pt_write(gk_test_pt_write_arg, table_mfn, idx, val);
	__atomic_store_n((u64 *)p + idx, val, __ATOMIC_RELEASE);
}

u64 pt_read(struct gk *k, u64 table_mfn, unsigned int idx)
{
	u8 *p;

	if (k->oops)
		return 0;
	p = fc_frame(k, table_mfn, false);
	if (!p || idx >= 512) {
		gk_die(k, -EFAULT, "BUG: page table mfn %llx is not accessible",
		       (unsigned long long)table_mfn);
		return 0;
	}
	return __atomic_load_n((u64 *)p + idx, __ATOMIC_ACQUIRE);
}

/* --- the allocator -------------------------------------------------------- */

static u64 mb_get(struct gk *k, unsigned int slot)
{
	if (!k->mb_in_guest) {
		if (slot == MB_NEXT)
			return k->mb_next;
		if (slot == MB_LIMIT)
			return k->mb_limit;
		return 0;
	}
	return rd(k, ARR(kvar_addr(k, KV_gk_memblock), slot));
}

static void mb_set(struct gk *k, unsigned int slot, u64 val)
{
	if (!k->mb_in_guest) {
		if (slot == MB_NEXT)
			k->mb_next = val;
		else if (slot == MB_LIMIT)
			k->mb_limit = val;
		return;
	}
	wr(k, ARR(kvar_addr(k, KV_gk_memblock), slot), val);
}

void memblock_init(struct gk *k, u64 next, u64 limit)
{
	k->mb_in_guest = false;
	k->mb_next = next;
	k->mb_limit = limit;
}

void memblock_to_guest(struct gk *k)
{
	u64 base = kvar_addr(k, KV_gk_memblock);

	wr(k, ARR(base, MB_NEXT), k->mb_next);
	wr(k, ARR(base, MB_LIMIT), k->mb_limit);
	wr(k, ARR(base, MB_NR_FREE), 0);
	if (!k->oops)
		k->mb_in_guest = true;
}

u64 memblock_frontier(struct gk *k)
{
	return mb_get(k, MB_NEXT);
}

/* The highest pfn the allocator may use, whatever guest memory says. */
static u64 memblock_hard_limit(struct gk *k)
{
	return min_u64(k->a->lowmem_pfns, k->img.max_pages);
}

static u64 memblock_alloc_pfn(struct gk *k, bool may_fail)
{
	u64 nr_free = mb_get(k, MB_NR_FREE), next, limit, pfn;

	if (k->oops)
		return ~0ULL;
	if (nr_free > 0 && nr_free <= MB_MAX_FREE) {
		pfn = mb_get(k, MB_FREE + nr_free - 1);
		mb_set(k, MB_NR_FREE, nr_free - 1);
		return k->oops ? ~0ULL : pfn;
	}
	next = mb_get(k, MB_NEXT);
	limit = min_u64(mb_get(k, MB_LIMIT), memblock_hard_limit(k));
	for (pfn = next; pfn < limit && !k->oops; pfn++) {
		if (mfn_is_ram(k, pfn_to_mfn(k, pfn))) {
			mb_set(k, MB_NEXT, pfn + 1);
			return k->oops ? ~0ULL : pfn;
		}
	}
	if (may_fail)
		return ~0ULL;
	gk_die(k, -ENOMEM, "Out of memory: no free page at or above pfn %llx",
	       (unsigned long long)next);
	return ~0ULL;
}

void drain_pt_queue(struct gk *k)
{
	if (k->ptq_busy)
		return;
	k->ptq_busy = true;
	while (k->nr_ptq >= 2 && !k->oops) {
		u64 mfn = k->ptq[--k->nr_ptq];
		u64 pfn = k->ptq[--k->nr_ptq];

		set_pte_va(k, __va(k, PFN_PHYS(pfn)), mfn, k->a->prot_data_ro);
	}
	k->ptq_busy = false;
}

u64 alloc_pt_page(struct gk *k, unsigned int level, u64 *pfnp)
{
	u64 pfn = memblock_alloc_pfn(k, false), mfn;
	u8 *p;

	if (pfn == ~0ULL)
		return ~0ULL;
	mfn = pfn_to_mfn(k, pfn);
	/* Cleared through the frame before it becomes a page table, as the
	 * kernel does through its (then still writable) direct mapping. */
	p = early_frame(k, mfn, true);
	if (!p) {
		gk_die(k, -EFAULT, "BUG: new page-table page pfn %llx (mfn %llx) not accessible",
		       (unsigned long long)pfn, (unsigned long long)mfn);
		return ~0ULL;
	}
	memset(p, 0, PAGE_SIZE);
	if (HYPERVISOR_pin_table(k, mfn, level))
		return ~0ULL;
	if (k->nr_ptq + 2 > GK_PTQ_SIZE) {
		gk_die(k, -ENOMEM, "BUG: page-table queue overflow");
		return ~0ULL;
	}
	k->ptq[k->nr_ptq++] = pfn;
	k->ptq[k->nr_ptq++] = mfn;
	if (pfnp)
		*pfnp = pfn;
	return mfn;
}

static u64 __alloc_page(struct gk *k, bool atomic)
{
	u64 pfn = memblock_alloc_pfn(k, atomic), va;

	if (pfn == ~0ULL) {
		if (atomic && !k->oops)
			printk(k, "swapper/0: page allocation failure: order:0, "
				  "mode:0x820(GFP_ATOMIC)");
		return 0;
	}
	va = __va(k, PFN_PHYS(pfn));
	if (set_pte_va(k, va, pfn_to_mfn(k, pfn), k->a->prot_data))
		return 0;
	clear_page(k, va);
	return k->oops ? 0 : va;
}

u64 alloc_page(struct gk *k)
{
	might_sleep_at("mm/page_alloc.c", __LINE__);
	return __alloc_page(k, false);
}

u64 alloc_page_atomic(struct gk *k)
{
	return __alloc_page(k, true);
}

void free_page(struct gk *k, u64 va)
{
	u64 pfn = PFN_DOWN(__pa(k, va)), nr;

	if (k->oops)
		return;
	nr = mb_get(k, MB_NR_FREE);
	if (nr >= MB_MAX_FREE) {
		printk(k, "free_page: free list full, leaking pfn %llx", (unsigned long long)pfn);
		return;
	}
	mb_set(k, MB_FREE + nr, pfn);
	mb_set(k, MB_NR_FREE, nr + 1);
}

u64 extend_brk(struct gk *k)
{
	u64 end = GET(_brk_end);
	u64 base = k->a->text + k->a->off_bss_stop;
	u64 limit = image_brk_limit(k->a, k->cfg.layout);

	if (k->oops)
		return 0;
	if (!k->booting || end < base || end + PAGE_SIZE > limit || (end & ~PAGE_MASK)) {
		gk_die(k, -ENOMEM, "kernel BUG: extend_brk: brk %s (end %llx, limit %llx)",
		       k->booting ? "overflow" : "is closed", (unsigned long long)end,
		       (unsigned long long)limit);
		return 0;
	}
	SET(_brk_end, end + PAGE_SIZE);
	clear_page(k, end);
	return k->oops ? 0 : end;
}

/* --- building page tables ---------------------------------------------------- */

/* Walk to the table at @stop_level for @va, creating the missing ones. */
static u64 pt_populate(struct gk *k, u64 va, unsigned int stop_level)
{
	const struct gk_arch *a = k->a;
	unsigned int level;
	u64 mfn = k->cr3;

	if (!va_canonical(a, va)) {
		gk_die(k, -EFAULT, "BUG: mapping a non-canonical address %llx",
		       (unsigned long long)va);
		return ~0ULL;
	}
	for (level = a->levels; level > stop_level; level--) {
		unsigned int idx = pt_index(a, va, level);
		u64 e = pt_read(k, mfn, idx);

		if (k->oops)
			return ~0ULL;
		if (!(e & _PAGE_PRESENT)) {
			u64 new = alloc_pt_page(k, level - 1, NULL);

			if (new == ~0ULL)
				return ~0ULL;
			e = PFN_PHYS(new) | (is_pae_top(a, level) ? a->prot_top : a->prot_table);
			pt_write(k, mfn, idx, e);
		} else if (!is_pae_top(a, level) && (e & _PAGE_PSE)) {
			gk_die(k, -EFAULT, "BUG: unexpected large page at %llx",
			       (unsigned long long)va);
			return ~0ULL;
		}
		mfn = pte_mfn(e);
		if (mfn >= k->max_mfn) {
			gk_die(k, -EFAULT, "BUG: bad page-table entry %llx for %llx",
			       (unsigned long long)e, (unsigned long long)va);
			return ~0ULL;
		}
	}
	return mfn;
}

int set_pte_va(struct gk *k, u64 va, u64 mfn, u64 prot)
{
	u64 l1 = pt_populate(k, va, 1);

	if (l1 == ~0ULL)
		return k->oops ? k->oops : -EFAULT;
	pt_write(k, l1, pt_index(k->a, va, 1), PFN_PHYS(mfn) | prot);
	flush_tlb_one(k, va);
	drain_pt_queue(k);
	return k->oops;
}

void clear_pte_va(struct gk *k, u64 va)
{
	struct pt_lookup pt;

	if (k->oops)
		return;
	if (lookup_address(k, va, &pt) == 0)
		pt_write(k, pt.table_mfn, pt.idx, 0);
	flush_tlb_one(k, va);
}

int set_pmd_va(struct gk *k, u64 va, u64 l1_mfn)
{
	u64 l2 = pt_populate(k, va, 2);

	if (l2 == ~0ULL)
		return k->oops ? k->oops : -EFAULT;
	pt_write(k, l2, pt_index(k->a, va, 2), PFN_PHYS(l1_mfn) | k->a->prot_table);
	flush_tlb_all(k);
	drain_pt_queue(k);
	return k->oops;
}

/* --- page ranges --------------------------------------------------------- */

/* The L1 table for @va, or ~0 when a table on the way is missing. */
static u64 existing_l1(struct gk *k, u64 va)
{
	struct pt_lookup pt;
	int ret = lookup_address(k, va, &pt);

	if (ret == 0 || (ret == -ENOENT && pt.level == PG_LEVEL_4K))
		return pt.table_mfn;
	return ~0ULL;
}

int apply_to_page_range(struct gk *k, u64 addr, u64 size,
			int (*fn)(struct gk *k, u64 table_mfn, unsigned int idx, u64 addr,
				  void *data),
			void *data)
{
	u64 va = addr, end = addr + size;
	int ret = 0;

	gk_enter(k, "apply_to_page_range");
	while (va < end && !ret && !k->oops) {
		u64 next = min_u64(end, (va + PMD_SIZE) & ~(PMD_SIZE - 1));
		u64 l1 = existing_l1(k, va);

		if (l1 == ~0ULL) {
			/* pud_alloc()/pmd_alloc()/pte_alloc_kernel(): GFP_KERNEL */
			might_sleep_at("mm/memory.c", __LINE__);
			l1 = pt_populate(k, va, 1);
			drain_pt_queue(k);
			if (l1 == ~0ULL || k->oops)
				break;
		}
		/* apply_to_pte_range() batches the PTE updates */
		arch_enter_lazy_mmu_mode(k);
		for (; va < next && !ret && !k->oops; va += PAGE_SIZE)
			ret = fn(k, l1, pt_index(k->a, va, 1), va, data);
		arch_leave_lazy_mmu_mode(k);
		flush_tlb_all(k);
	}
	gk_leave(k);
	return k->oops ? k->oops : ret;
}

struct vm_area_ptes {
	u64 addr, ptes;
};

static int record_pte(struct gk *k, u64 table_mfn, unsigned int idx, u64 addr, void *data)
{
	const struct vm_area_ptes *v = data;
	u64 pfn = mfn_to_pfn(k, table_mfn);

	if (pfn == INVALID_P2M_ENTRY || !virt_addr_valid(k, __va(k, PFN_PHYS(pfn)))) {
		gk_die(k, -EFAULT, "BUG: page table %llx has no pfn",
		       (unsigned long long)table_mfn);
		return -EFAULT;
	}
	wr(k, ARR(v->ptes, PFN_DOWN(addr - v->addr)), __va(k, PFN_PHYS(pfn)) + idx * 8ULL);
	return 0;
}

static int no_pte(struct gk *k, u64 table_mfn, unsigned int idx, u64 addr, void *data)
{
	return 0;
}

int alloc_vm_area(struct gk *k, u64 addr, u64 nr, u64 ptes)
{
	struct vm_area_ptes v = {.addr = addr, .ptes = ptes};
	int ret;

	gk_enter(k, "alloc_vm_area");
	/* get_vm_area_caller(): kmalloc(GFP_KERNEL) */
	might_sleep_at("mm/vmalloc.c", __LINE__);
	ret = apply_to_page_range(k, addr, PFN_PHYS(nr), ptes ? record_pte : no_pte, &v);
	gk_leave(k);
	return ret;
}

void set_pte_ptr(struct gk *k, u64 pte_va, u64 val)
{
	struct pt_lookup pt;

	if (k->oops)
		return;
	if ((pte_va & 7) || lookup_address(k, pte_va & PAGE_MASK, &pt)) {
		page_fault(k, pte_va, true);
		return;
	}
	pt_write(k, pte_mfn(pt.pte), (unsigned int)((pte_va & ~PAGE_MASK) / 8), val);
}
