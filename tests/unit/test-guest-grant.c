// SPDX-License-Identifier: GPL-2.0
/*
 * The model kernel's context rules and how it reports breaking them
 * (seed 002), against the fake hypervisor, which has no grant table: a
 * sleeping allocation in atomic context is a warning (taint W), a page
 * walk inside a lazy MMU batch is a BUG (taint D); both reach the console
 * and __log_buf, whose ring the inspector reads as gk.h describes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "guest/linux/xen-ops.h"
#include "tap.h"
#include "test-guest-fake.h"

static struct fake *boot(unsigned int width)
{
	struct gk_config cfg = {.layout = GK_LAYOUT_LIST, .width = width, .seed = 1};
	struct fake *f = fake_create(60000);

	if (fake_build(f, &cfg, 16384, 16384)) {
		diag("boot failed: %s", fake_error(f));
		return NULL;
	}
	return f;
}

/* The log as an inspector reads it: the last min(log_end, len) bytes. */
static char *read_log(struct fake *f, uint32_t *end_out)
{
	uint64_t buf = 0, va_end = 0, va_len = 0;
	uint32_t end = 0, len = 0, n, i;
	struct gk *k;
	char *out;

	if (gk_attach(fake_hv(f), &k))
		return strdup("");
	gk_symbol(k, "__log_buf", &buf);
	gk_symbol(k, "log_end", &va_end);
	gk_symbol(k, "log_buf_len", &va_len);
	memcpy(&end, gk_va(k, va_end, false), 4);
	memcpy(&len, gk_va(k, va_len, false), 4);
	n = end < len ? end : len;
	out = calloc(1, (size_t)n + 1);
	for (i = 0; i < n; i++) {
		const char *p = gk_va(k, buf + ((end - n + i) & (len - 1)), false);

		out[i] = p ? *p : '?';
	}
	gk_detach(k);
	if (end_out)
		*end_out = end;
	return out;
}

static int count_fn(struct gk *k, u64 table_mfn, unsigned int idx, u64 addr, void *data)
{
	++*(unsigned int *)data;
	return 0;
}

static void test_rules(unsigned int width)
{
	struct fake *f = boot(width);
	unsigned int w = width * 8, calls = 0;
	uint32_t refs[2];
	struct gk *k;
	char *log;
	int ret;

	if (!f)
		return;
	ok(fake_console_count(f, "no grant table interface, grants disabled") == 1,
	   "%u-bit: without grant ops the kernel has no table", w);
	is_int(gk_grant(fake_hv(f), 0, false, 1, refs), -ENOSYS, "%u-bit: and grants nothing", w);
	log = read_log(f, NULL);
	ok(strncmp(log, "Linux version 6.1.0-gk", 22) == 0,
	   "%u-bit: the banner, printed before __log_buf was mapped, opens the log", w);
	free(log);
	is_u64(fake_kvar(f, "tainted_mask"), 0, "%u-bit: not tainted after boot", w);

	/* a sleeping allocation in process context, then in an interrupt */
	gk_attach(fake_hv(f), &k);
	ok(alloc_page(k) != 0 && fake_console_count(f, "sleeping function") == 0,
	   "%u-bit: GFP_KERNEL in process context is fine", w);
	irq_enter(k, false);
	ok(alloc_page(k) != 0, "%u-bit: GFP_KERNEL in an interrupt still allocates", w);
	ok(alloc_page_atomic(k) != 0, "%u-bit: GFP_ATOMIC too", w);
	irq_exit(k);
	is_int(k->oops, 0, "%u-bit: a warning is not an oops", w);
	is_int(fake_console_count(f, "BUG: sleeping function called from invalid context at "
				     "mm/page_alloc.c:"),
	       1, "%u-bit: but it is a bug, said once", w);
	is_int(fake_console_count(f, "in_atomic(): 1, irqs_disabled(): 1, non_block: 0"), 1,
	       "%u-bit: in atomic context", w);
	is_u64(fake_kvar(f, "tainted_mask"), 1ULL << 9, "%u-bit: tainted W", w);

	/* apply_to_page_range() outside and inside a lazy MMU batch */
	ret = apply_to_page_range(k, k->a->gnttab_vaddr, 2 * PAGE_SIZE, count_fn, &calls);
	ok(ret == 0 && calls == 2, "%u-bit: a page walk in process context (%d, %u calls)", w, ret,
	   calls);
	is_int(fake_console_count(f, "mm/memory.c"), 0,
	       "%u-bit: allocating its tables there is fine", w);
	calls = 0;
	irq_enter(k, true);
	ret = apply_to_page_range(k, k->a->gnttab_vaddr, PAGE_SIZE, count_fn, &calls);
	irq_exit(k);
	ok(ret == -EINVAL && k->oops == -EINVAL && calls == 0,
	   "%u-bit: in a lazy MMU batch it oopses before touching a PTE", w);
	is_u64(fake_kvar(f, "tainted_mask"), (1ULL << 9) | (1ULL << 7), "%u-bit: tainted D and W",
	       w);
	gk_detach(k);
	log = read_log(f, NULL);
	ok(strstr(log, "kernel BUG at arch/x86/xen/arch.c:") != NULL &&
		   strstr(log,
			  "CPU: 0 PID: 0 Comm: swapper/0 Tainted: G        W          6.1.0-gk "
			  "#1\nCall Trace:\n <IRQ>\n apply_to_page_range\n </IRQ>\n") != NULL,
	   "%u-bit: the oops in __log_buf, tainted W before it", w);
	free(log);
	fake_destroy(f);
}

static void test_ring(unsigned int width)
{
	struct fake *f = boot(width);
	unsigned int w = width * 8, i;
	uint32_t end = 0;
	struct gk *k;
	char *log, *nl;

	if (!f)
		return;
	gk_attach(fake_hv(f), &k);
	for (i = 0; i < 1000; i++)
		printk(k, "line %04u of a log that wraps around its ring", i);
	gk_detach(k);
	log = read_log(f, &end);
	ok(end > 16384, "%u-bit: log_end counts past the ring (%u)", w, end);
	is_int((int)strlen(log), 16384, "%u-bit: the ring holds log_buf_len bytes", w);
	nl = strrchr(log, '\n');
	ok(nl && nl[1] == '\0' && strstr(log, "line 0999 of a log that wraps around its ring\n"),
	   "%u-bit: the last line is whole", w);
	ok(!strstr(log, "line 0000 "), "%u-bit: the first lines are gone", w);
	free(log);
	fake_destroy(f);
}

int main(void)
{
	test_rules(8);
	test_rules(4);
	test_ring(8);
	test_ring(4);
	return tap_done();
}
