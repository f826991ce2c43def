// SPDX-License-Identifier: GPL-2.0
/*
 * Seed 000's path, written fresh ("xen/m2p: use GNTTABOP_unmap_and_replace
 * to reinstate the original mapping"): a grant mapped over one of the
 * kernel's own pages must give the page's mapping back atomically when it
 * is unmapped.
 *
 * K pages of ours, filled with the pattern of ~seed, get two vmalloc
 * aliases: the host alias H (PAGE_KERNEL; the kernel addresses whose PTEs
 * we own) and the scratch alias S (read-only).  One cycle maps dom0's grants
 * over H with GNTMAP_host_map at the linear address (never
 * GNTMAP_contains_pte, which unmap_and_replace refuses), then unmaps:
 *
 *  - fixed: GNTTABOP_unmap_and_replace(host H_i, new S_i).  Xen moves the
 *    PTE found at S_i (our page) into H_i and clears S_i; we map S_i again,
 *    read-only.  H_i maps the grant or our page at every instant.
 *  - pre-fix (variant=pre-fix): GNTTABOP_unmap_grant_ref(H_i), which
 *    leaves H_i mapping nothing, then update_va_mapping(H_i, our page): the
 *    window the seed closed.
 *
 * R reader threads, on the other vCPUs when there are any, read H all
 * along with fault-tolerant reads and classify each word as our original
 * pattern, dom0's granted pattern, a fault, zero, or anything else.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/timekeeping.h>
#include <xen/interface/xen.h>
#include <xen/interface/grant_table.h>
#include <asm/xen/hypercall.h>

#include "module.h"

#define XP_WORDS (PAGE_SIZE / sizeof(u64))

struct xp_anomaly {
	u64 cycle;
	unsigned int page, word, reader;
	const char *kind;
	u64 seen;
};

struct xp_kmap;

struct xp_reader {
	struct xp_kmap *km;
	struct task_struct *task;
	unsigned int id, cpu;
	u64 reads, original, granted, faults, zero, unexpected;
	unsigned int nr_rec;
	struct xp_anomaly rec[XP_KMAP_RECORDS_MAX];
};

struct xp_kmap {
	unsigned int nr; /* pages */
	domid_t domid;
	bool readonly;
	u64 seed, cycles, done, seconds;
	const char *ended;   /* why the cycles ended: cycles, seconds, stop, unload, error */
	unsigned long cycle; /* the cycle running now, for the readers */
	struct page *pages[XP_KMAP_PAGES_MAX];
	u8 *host, *scratch;
	grant_ref_t refs[XP_KMAP_PAGES_MAX];
	grant_handle_t handles[XP_KMAP_PAGES_MAX];
	bool mapped[XP_KMAP_PAGES_MAX];
	unsigned int leaked; /* grant mappings that could not be undone */
	union {
		struct gnttab_map_grant_ref map[XP_KMAP_PAGES_MAX];
		struct gnttab_unmap_grant_ref unmap[XP_KMAP_PAGES_MAX];
		struct gnttab_unmap_and_replace replace[XP_KMAP_PAGES_MAX];
	} op;
	struct mmuext_op flush[XP_KMAP_PAGES_MAX];
	unsigned int cycler_cpu, nr_readers;
	atomic_t ready;
	struct completion cycled;
	struct xp_reader readers[XP_KMAP_READERS_MAX];
	struct xp_reader self; /* the cycler's own checks, as reader "cycler" */
	char why[XP_MESSAGE_MAX];
};

static u64 xp_original(const struct xp_kmap *km, unsigned int page, unsigned int word)
{
	return xp_pattern(~km->seed, page, word);
}

static void xp_anomaly(struct xp_reader *rd, const char *kind, unsigned int page, unsigned int word,
		       u64 seen)
{
	if (rd->nr_rec < XP_KMAP_RECORDS_MAX)
		rd->rec[rd->nr_rec++] = (struct xp_anomaly){.cycle = READ_ONCE(rd->km->cycle),
							    .page = page,
							    .word = word,
							    .reader = rd->id,
							    .kind = kind,
							    .seen = seen};
}

/* one read of word `word` of host page `page`, classified */
static void xp_read_word(struct xp_reader *rd, unsigned int page, unsigned int word,
			 bool want_original, bool want_granted)
{
	const struct xp_kmap *km = rd->km;
	u64 v;

	rd->reads++;
	if (copy_from_kernel_nofault(&v, km->host + page * PAGE_SIZE + word * sizeof(v),
				     sizeof(v))) {
		rd->faults++;
		xp_anomaly(rd, "fault", page, word, 0);
	} else if (v == xp_original(km, page, word) && want_original) {
		rd->original++;
	} else if (v == xp_pattern(km->seed, page, word) && want_granted) {
		rd->granted++;
	} else if (!v) {
		rd->zero++;
		xp_anomaly(rd, "zero", page, word, v);
	} else {
		rd->unexpected++;
		xp_anomaly(rd, "unexpected", page, word, v);
	}
}

static int xp_reader_fn(void *data)
{
	struct xp_reader *rd = data;
	unsigned int word = rd->id * 61 % XP_WORDS, i;
	unsigned long n = 0;

	atomic_inc(&rd->km->ready);
	while (!kthread_should_stop()) {
		for (i = 0; i < rd->km->nr; i++)
			xp_read_word(rd, i, word, true, true);
		word = (word + 1) % XP_WORDS;
		if (!(++n % 64))
			cond_resched();
	}
	return 0;
}

static unsigned long xp_host(const struct xp_kmap *km, unsigned int i)
{
	return (unsigned long)km->host + i * PAGE_SIZE;
}

static unsigned long xp_scratch(const struct xp_kmap *km, unsigned int i)
{
	return (unsigned long)km->scratch + i * PAGE_SIZE;
}

/*
 * Map every grant over H.  Xen replaces the present PTE without a flush:
 * flush H on every vCPU, so that readers see the grant, not a stale TLB.
 */
static int xp_kmap_map(struct xp_kmap *km)
{
	unsigned int i;
	int rc, bad = -1;

	for (i = 0; i < km->nr; i++)
		km->op.map[i] = (struct gnttab_map_grant_ref){
			.host_addr = xp_host(km, i),
			.flags = GNTMAP_host_map | (km->readonly ? GNTMAP_readonly : 0),
			.ref = km->refs[i],
			.dom = km->domid,
		};
	rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, km->op.map, km->nr);
	for (i = 0; i < km->nr; i++) {
		if (!rc && km->op.map[i].status == GNTST_okay) {
			km->mapped[i] = true;
			km->handles[i] = km->op.map[i].handle;
		} else if (bad < 0) {
			bad = i;
		}
	}
	if (bad >= 0) {
		snprintf(km->why, sizeof(km->why),
			 "cycle %llu: mapping ref %u (page %d) of "
			 "domain %u failed: hypercall %d, status %d",
			 km->done + 1, km->refs[bad], bad, km->domid, rc,
			 rc ? 0 : km->op.map[bad].status);
		return -EIO;
	}
	for (i = 0; i < km->nr; i++)
		km->flush[i] = (struct mmuext_op){.cmd = MMUEXT_INVLPG_ALL,
						  .arg1.linear_addr = xp_host(km, i)};
	rc = HYPERVISOR_mmuext_op(km->flush, km->nr, NULL, DOMID_SELF);
	if (rc) {
		snprintf(km->why, sizeof(km->why), "MMUEXT_INVLPG_ALL failed: %d", rc);
		return -EIO;
	}
	return 0;
}

/* our page i, read-only or writable, as a PTE (machine frame) */
static pte_t xp_own_pte(const struct xp_kmap *km, unsigned int i, pgprot_t prot)
{
	return pfn_pte(page_to_pfn(km->pages[i]), prot);
}

/*
 * Unmap the grants over H_idx[k].  fixed: unmap_and_replace moves S_i's PTE
 * (our page) into H_i and clears S_i, which is mapped again, read-only.
 * pre-fix: unmap_grant_ref leaves H_i mapping nothing until its PTE is set
 * again, by a second hypercall: the window.
 */
static int xp_kmap_unmap_ops(struct xp_kmap *km, const unsigned int *idx, unsigned int n,
			     bool pre_fix)
{
	unsigned int k, i;
	int rc, status;

	for (k = 0; k < n; k++) {
		i = idx[k];
		if (pre_fix)
			km->op.unmap[k] = (struct gnttab_unmap_grant_ref){
				.host_addr = xp_host(km, i), .handle = km->handles[i]};
		else
			km->op.replace[k] =
				(struct gnttab_unmap_and_replace){.host_addr = xp_host(km, i),
								  .new_addr = xp_scratch(km, i),
								  .handle = km->handles[i]};
	}
	if (pre_fix)
		rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, km->op.unmap, n);
	else
		rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_and_replace, km->op.replace, n);
	for (k = 0; k < n; k++) {
		i = idx[k];
		status = pre_fix ? km->op.unmap[k].status : km->op.replace[k].status;
		if (rc || status != GNTST_okay)
			continue;
		km->mapped[i] = false;
		/* pre-fix: H_i maps nothing until now; fixed: S_i maps nothing */
		if (HYPERVISOR_update_va_mapping(
			    pre_fix ? xp_host(km, i) : xp_scratch(km, i),
			    xp_own_pte(km, i, pre_fix ? PAGE_KERNEL : PAGE_KERNEL_RO), UVMF_INVLPG))
			rc = -EIO;
	}
	return rc;
}

/* unmap whatever is mapped, by the variant's path; fixed as a fallback */
static int xp_kmap_unmap(struct xp_kmap *km, bool pre_fix)
{
	unsigned int idx[XP_KMAP_PAGES_MAX], n = 0, i;
	int rc;

	for (i = 0; i < km->nr; i++)
		if (km->mapped[i])
			idx[n++] = i;
	if (!n)
		return 0;
	rc = xp_kmap_unmap_ops(km, idx, n, pre_fix);
	if (rc && !km->why[0])
		snprintf(km->why, sizeof(km->why), "cycle %llu: %s failed: %d", km->done + 1,
			 pre_fix ? "GNTTABOP_unmap_grant_ref" : "GNTTABOP_unmap_and_replace", rc);
	return rc;
}

/* why the run must end now, or NULL to run another cycle */
static const char *xp_kmap_end(const struct xp_kmap *km, u64 now, u64 deadline)
{
	if (km->done == km->cycles)
		return "cycles";
	if (km->seconds && now >= deadline)
		return "seconds";
	if (READ_ONCE(xp_stop_asked))
		return "stop";
	if (READ_ONCE(xp_stopping))
		return "unload";
	return NULL;
}

/* whether to run another cycle; km->ended says why not */
static bool xp_kmap_more(struct xp_kmap *km, u64 deadline, u64 *next_progress)
{
	u64 now = ktime_get_ns();

	km->ended = xp_kmap_end(km, now, deadline);
	if (km->ended) {
		if (!strcmp(km->ended, "stop"))
			xp_stop_served = true;
		return false;
	}
	if (now >= *next_progress) { /* for dom0's progress display, once a second */
		xp_store_printf(XP_KEY_KMAP_PROGRESS, "%llu", km->done);
		*next_progress = now + NSEC_PER_SEC;
	}
	return true;
}

static int xp_cycler_fn(void *data)
{
	struct xp_kmap *km = data;
	u64 deadline = ktime_get_ns() + km->seconds * NSEC_PER_SEC, next_progress = 0;
	unsigned int i, w;
	int waited;

	for (waited = 0; atomic_read(&km->ready) < km->nr_readers && waited < 5000; waited++)
		msleep(1);
	while (xp_kmap_more(km, deadline, &next_progress)) {
		WRITE_ONCE(km->cycle, km->done + 1);
		if (xp_kmap_map(km))
			break;
		w = km->done % XP_WORDS;
		for (i = 0; i < km->nr; i++)
			xp_read_word(&km->self, i, w, false, true);
		if (xp_kmap_unmap(km, xp_pre_fix))
			break;
		for (i = 0; i < km->nr; i++)
			xp_read_word(&km->self, i, w, true, false);
		km->done++;
		cond_resched();
	}
	if (!km->ended)
		km->ended = "error";
	/* a failed cycle leaves nothing mapped: undo by the fixed path if need be */
	if (xp_kmap_unmap(km, xp_pre_fix) && xp_kmap_unmap(km, false))
		for (i = 0; i < km->nr; i++)
			km->leaked += km->mapped[i];
	complete(&km->cycled);
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static struct task_struct *xp_thread(int (*fn)(void *), void *data, unsigned int cpu,
				     const char *name, unsigned int id)
{
	struct task_struct *t = kthread_create(fn, data, "xenp2m-%s/%u", name, id);

	if (!IS_ERR(t)) {
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	return t;
}

/* the cycler on the first online CPU, readers round-robin on the others */
static void xp_kmap_cpus(struct xp_kmap *km)
{
	unsigned int others = num_online_cpus() - 1, i, k, cpu;

	km->cycler_cpu = cpumask_first(cpu_online_mask);
	for (i = 0; i < km->nr_readers; i++) {
		km->readers[i].cpu = km->cycler_cpu;
		if (!others)
			continue;
		k = i % others;
		for (cpu = cpumask_first(cpu_online_mask); cpu < nr_cpu_ids;
		     cpu = cpumask_next(cpu, cpu_online_mask)) {
			if (cpu == km->cycler_cpu)
				continue;
			if (!k--) {
				km->readers[i].cpu = cpu;
				break;
			}
		}
	}
}

static int xp_kmap_run(struct xp_kmap *km)
{
	struct task_struct *cycler;
	unsigned int i;
	int err = 0;

	xp_kmap_cpus(km);
	for (i = 0; i < km->nr_readers; i++) {
		struct xp_reader *rd = &km->readers[i];

		rd->km = km;
		rd->id = i;
		rd->task = xp_thread(xp_reader_fn, rd, rd->cpu, "reader", i);
		if (IS_ERR(rd->task)) {
			err = PTR_ERR(rd->task);
			rd->task = NULL;
			snprintf(km->why, sizeof(km->why), "starting reader %u: %d", i, err);
			goto stop;
		}
	}
	cycler = xp_thread(xp_cycler_fn, km, km->cycler_cpu, "cycler", 0);
	if (IS_ERR(cycler)) {
		err = PTR_ERR(cycler);
		snprintf(km->why, sizeof(km->why), "starting the cycler: %d", err);
		goto stop;
	}
	/* in slices, so that a long run is not taken for a hung task */
	while (!wait_for_completion_timeout(&km->cycled, 10 * HZ))
		;
	kthread_stop(cycler);
stop:
	for (i = 0; i < km->nr_readers; i++)
		if (km->readers[i].task)
			kthread_stop(km->readers[i].task);
	return err;
}

static int xp_anomaly_cmp(const void *a, const void *b)
{
	const struct xp_anomaly *x = a, *y = b;

	return x->cycle < y->cycle ? -1 : x->cycle > y->cycle;
}

static void xp_kmap_publish(struct xp_kmap *km, const char *status, u64 ms)
{
	struct xp_anomaly rec[XP_KMAP_RECORDS_MAX * 2];
	struct xp_reader sum = {};
	unsigned int i, k, n = 0;
	char key[48], cpus[8 * (XP_KMAP_READERS_MAX + 1)];
	struct xp_strbuf s = {.buf = cpus, .size = sizeof(cpus)};

	/* the first anomalies of all: each reader's first ones, sorted by cycle */
	for (i = 0; i <= km->nr_readers; i++) {
		struct xp_reader *rd = i < km->nr_readers ? &km->readers[i] : &km->self;

		/* the cycler's own checks count as anomalies only */
		if (rd != &km->self) {
			sum.reads += rd->reads;
			sum.original += rd->original;
			sum.granted += rd->granted;
		}
		sum.faults += rd->faults;
		sum.zero += rd->zero;
		sum.unexpected += rd->unexpected;
		for (k = 0; k < rd->nr_rec && n < ARRAY_SIZE(rec); k++)
			rec[n++] = rd->rec[k];
	}
	sort(rec, n, sizeof(rec[0]), xp_anomaly_cmp, NULL);
	xp_store_rm(XP_KEY_KMAP_RECORD);
	for (i = 0; i < n && i < XP_KMAP_RECORDS_MAX; i++) {
		snprintf(key, sizeof(key), "%s/%u", XP_KEY_KMAP_RECORD, i);
		if (rec[i].reader == XP_KMAP_READERS_MAX)
			xp_store_printf(key,
					"kind=%s cycle=%llu page=%u word=%u seen=0x%llx "
					"reader=cycler",
					rec[i].kind, rec[i].cycle, rec[i].page, rec[i].word,
					rec[i].seen);
		else
			xp_store_printf(key,
					"kind=%s cycle=%llu page=%u word=%u seen=0x%llx "
					"reader=%u",
					rec[i].kind, rec[i].cycle, rec[i].page, rec[i].word,
					rec[i].seen, rec[i].reader);
	}
	xp_strbuf_add(&s, "%u", km->cycler_cpu);
	for (i = 0; i < km->nr_readers; i++)
		xp_strbuf_add(&s, " %u", km->readers[i].cpu);
	xp_store_printf(XP_KEY_KMAP_VARIANT, "%s",
			xp_pre_fix ? XP_VARIANT_PRE_FIX : XP_VARIANT_FIXED);
	xp_store_printf(XP_KEY_KMAP_PAGES, "%u", km->nr);
	xp_store_printf(XP_KEY_KMAP_CYCLES, "%llu", km->done);
	xp_store_printf(XP_KEY_KMAP_PROGRESS, "%llu", km->done);
	xp_store_printf(XP_KEY_KMAP_ENDED, "%s", km->ended ? km->ended : "error");
	xp_store_printf(XP_KEY_KMAP_READERS, "%u", km->nr_readers);
	xp_store_printf(XP_KEY_KMAP_CPUS, "%s", cpus);
	xp_store_printf(XP_KEY_KMAP_READS, "%llu", sum.reads);
	xp_store_printf(XP_KEY_KMAP_READS_ORIGINAL, "%llu", sum.original);
	xp_store_printf(XP_KEY_KMAP_READS_GRANTED, "%llu", sum.granted);
	xp_store_printf(XP_KEY_KMAP_FAULTS, "%llu", sum.faults);
	xp_store_printf(XP_KEY_KMAP_ZERO, "%llu", sum.zero);
	xp_store_printf(XP_KEY_KMAP_UNEXPECTED, "%llu", sum.unexpected);
	xp_store_printf(XP_KEY_KMAP_DURATION, "%llu", ms);
	xp_store_printf(XP_KEY_KMAP_STATUS, "%s", status);
}

static int xp_kmap_refs(struct xp_request *r, struct xp_kmap *km)
{
	const char *v = xp_request_arg(r, "refs");
	char buf[16];
	size_t len;
	u32 ref;

	if (!v || !*v)
		return xp_request_fail(r, "kmap: missing refs=");
	while (*v) {
		len = strcspn(v, ",");
		if (!len || len >= sizeof(buf))
			return xp_request_fail(r, "refs: '%.16s' is not a grant reference", v);
		memcpy(buf, v, len);
		buf[len] = '\0';
		if (kstrtou32(buf, 10, &ref))
			return xp_request_fail(r, "refs: '%s' is not a grant reference", buf);
		if (km->nr == XP_KMAP_PAGES_MAX)
			return xp_request_fail(r, "refs: more than %d", XP_KMAP_PAGES_MAX);
		km->refs[km->nr++] = ref;
		v += len;
		if (*v == ',' && *++v == '\0')
			return xp_request_fail(r, "refs: a trailing comma");
	}
	return 0;
}

static int xp_kmap_args(struct xp_request *r, struct xp_kmap *km)
{
	u64 domid, readers;
	int err;

	err = xp_request_u64(r, "domid", 0, DOMID_FIRST_RESERVED - 1, XP_REQUIRED, &domid);
	if (!err)
		err = xp_kmap_refs(r, km);
	if (!err)
		err = xp_request_u64(r, "seed", 0, U64_MAX, 0, &km->seed);
	if (!err)
		err = xp_request_u64(r, "cycles", 1, XP_KMAP_CYCLES_MAX, XP_KMAP_CYCLES_DEFAULT,
				     &km->cycles);
	if (!err)
		err = xp_request_u64(r, "readers", 0, XP_KMAP_READERS_MAX, XP_KMAP_READERS_DEFAULT,
				     &readers);
	if (!err)
		err = xp_request_u64(r, "seconds", 0, XP_KMAP_SECONDS_MAX, 0, &km->seconds);
	if (!err)
		err = xp_request_mode(r, &km->readonly);
	km->domid = domid;
	km->nr_readers = readers;
	return err;
}

static void xp_kmap_free(struct xp_kmap *km)
{
	unsigned int i;

	if (km->leaked) {
		/* never hand a grant-mapped PTE back to the kernel: keep it all */
		pr_err("%u grant mappings could not be undone: their pages stay allocated\n",
		       km->leaked);
		kfree(km);
		return;
	}
	if (km->host)
		vunmap(km->host);
	if (km->scratch)
		vunmap(km->scratch);
	for (i = 0; i < km->nr; i++)
		if (km->pages[i])
			__free_page(km->pages[i]);
	kfree(km);
}

int xp_kmap_request(struct xp_request *r)
{
	struct xp_kmap *km = kzalloc(sizeof(*km), GFP_KERNEL);
	u64 t0 = ktime_get_ns(), ms, anomalies = 0;
	const char *status;
	unsigned int i;
	int err;

	if (!km)
		return -ENOMEM;
	err = xp_kmap_args(r, km);
	if (err)
		goto out;
	for (i = 0; i < km->nr; i++) {
		km->pages[i] = alloc_page(GFP_KERNEL);
		if (!km->pages[i]) {
			err = -ENOMEM;
			goto out;
		}
		xp_pattern_fill(page_address(km->pages[i]), ~km->seed, i);
	}
	km->host = vmap(km->pages, km->nr, VM_MAP, PAGE_KERNEL);
	km->scratch = vmap(km->pages, km->nr, VM_MAP, PAGE_KERNEL_RO);
	if (!km->host || !km->scratch) {
		err = -ENOMEM;
		goto out;
	}
	km->self.km = km;
	km->self.id = XP_KMAP_READERS_MAX; /* "cycler" */
	atomic_set(&km->ready, 0);
	init_completion(&km->cycled);
	err = xp_kmap_run(km);
	if (!err && km->why[0])
		err = -EIO;
	ms = div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
	for (i = 0; i <= km->nr_readers; i++) {
		struct xp_reader *rd = i < km->nr_readers ? &km->readers[i] : &km->self;

		anomalies += rd->faults + rd->zero + rd->unexpected;
	}
	status = err ? "failed" : anomalies ? "anomalies" : "clean";
	xp_kmap_publish(km, status, ms);
	if (err)
		xp_request_say(r, "kmap: %s after %llu of %llu cycles: %s", status, km->done,
			       km->cycles, km->why);
	else
		xp_request_say(r,
			       "kmap (%s): %s: %llu cycles of %u pages, %u readers, %llu "
			       "anomalies; ended by %s",
			       xp_pre_fix ? XP_VARIANT_PRE_FIX : XP_VARIANT_FIXED, status, km->done,
			       km->nr, km->nr_readers, anomalies, km->ended);
	pr_info("%s\n", r->msg);
out:
	xp_kmap_free(km);
	return err;
}
