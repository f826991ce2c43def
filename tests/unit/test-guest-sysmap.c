// SPDX-License-Identifier: GPL-2.0
/*
 * The guest model's System.map (nm -n format, the letters real kernels
 * use), and symbol lookup on a booted guest.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "tap.h"
#include "test-guest-fake.h"

static const char list64[] = "ffffffff81000000 T _text\n"
			     "ffffffff81000000 T _stext\n"
			     "ffffffff81010000 T _etext\n"
			     "ffffffff81010000 D _sdata\n"
			     "ffffffff81010000 D init_top_pgt\n"
			     "ffffffff81011000 D HYPERVISOR_shared_info\n"
			     "ffffffff81011008 D _brk_end\n"
			     "ffffffff81011040 D gk_memblock\n"
			     "ffffffff81011200 D gk_config\n"
			     "ffffffff81011300 d log_buf_len\n"
			     "ffffffff81011d60 D xen_max_p2m_pfn\n"
			     "ffffffff81011d68 D xen_p2m_size\n"
			     "ffffffff81011d70 D xen_p2m_addr\n"
			     "ffffffff81012000 D _edata\n"
			     "ffffffff81012000 B __bss_start\n"
			     "ffffffff810120c0 B xen_start_info\n"
			     "ffffffff81012100 B balloon_stats\n"
			     "ffffffff810121c0 b xen_p2m_last_pfn\n"
			     "ffffffff810121c8 b p2m_identity_pte\n"
			     "ffffffff810121d0 b p2m_missing_pte\n"
			     "ffffffff810121d8 b p2m_identity\n"
			     "ffffffff810121e0 b p2m_missing\n"
			     "ffffffff810121e8 b p2m_top_mfn_p\n"
			     "ffffffff810121f0 b p2m_top_mfn\n"
			     "ffffffff810121f8 b p2m_mid_missing_mfn\n"
			     "ffffffff81012220 b tainted_mask\n"
			     "ffffffff81012228 b log_end\n"
			     "ffffffff81012240 b grant_table_version\n"
			     "ffffffff81012248 b nr_grant_frames\n"
			     "ffffffff81012250 b gnttab_free_count\n"
			     "ffffffff81012258 b gnttab_free_head\n"
			     "ffffffff81012260 b gnttab_shared\n"
			     "ffffffff81012268 b grstatus\n"
			     "ffffffff81012270 b gnttab_refs\n"
			     "ffffffff81012280 b gnttab_shared_vm_area\n"
			     "ffffffff81012290 b gnttab_status_vm_area\n"
			     "ffffffff81013000 b __log_buf\n"
			     "ffffffff81017000 B __bss_stop\n"
			     "ffffffff81017000 B __brk_base\n"
			     "ffffffff81027000 B __brk_limit\n"
			     "ffffffff81027000 B _end\n";

static const char tree64[] = "ffffffff81000000 T _text\n"
			     "ffffffff81000000 T _stext\n"
			     "ffffffff81010000 T _etext\n"
			     "ffffffff81010000 D _sdata\n"
			     "ffffffff81010000 D init_top_pgt\n"
			     "ffffffff81011000 D HYPERVISOR_shared_info\n"
			     "ffffffff81011008 D _brk_end\n"
			     "ffffffff81011040 D gk_memblock\n"
			     "ffffffff81011200 D gk_config\n"
			     "ffffffff81011300 d log_buf_len\n"
			     "ffffffff81011d60 D xen_max_p2m_pfn\n"
			     "ffffffff81012000 D _edata\n"
			     "ffffffff81012000 B __bss_start\n"
			     "ffffffff810120c0 B xen_start_info\n"
			     "ffffffff81012100 B balloon_stats\n"
			     "ffffffff810121d8 b p2m_identity\n"
			     "ffffffff810121e0 b p2m_missing\n"
			     "ffffffff810121e8 b p2m_top_mfn_p\n"
			     "ffffffff810121f0 b p2m_top_mfn\n"
			     "ffffffff810121f8 b p2m_mid_missing_mfn\n"
			     "ffffffff81012200 b p2m_top\n"
			     "ffffffff81012208 b p2m_mid_missing\n"
			     "ffffffff81012220 b tainted_mask\n"
			     "ffffffff81012228 b log_end\n"
			     "ffffffff81012240 b grant_table_version\n"
			     "ffffffff81012248 b nr_grant_frames\n"
			     "ffffffff81012250 b gnttab_free_count\n"
			     "ffffffff81012258 b gnttab_free_head\n"
			     "ffffffff81012260 b gnttab_shared\n"
			     "ffffffff81012268 b grstatus\n"
			     "ffffffff81012270 b gnttab_refs\n"
			     "ffffffff81012280 b gnttab_shared_vm_area\n"
			     "ffffffff81012290 b gnttab_status_vm_area\n"
			     "ffffffff81013000 b __log_buf\n"
			     "ffffffff81017000 B __bss_stop\n"
			     "ffffffff81017000 B __brk_base\n"
			     "ffffffff8141f000 B __brk_limit\n"
			     "ffffffff8141f000 B _end\n";

static const char list32[] = "c1000000 T _text\n"
			     "c1000000 T _stext\n"
			     "c1010000 T _etext\n"
			     "c1010000 D _sdata\n"
			     "c1010000 D HYPERVISOR_shared_info\n"
			     "c1010004 D _brk_end\n"
			     "c1010040 D gk_memblock\n"
			     "c1010200 D gk_config\n"
			     "c1010300 d log_buf_len\n"
			     "c1010d60 D xen_max_p2m_pfn\n"
			     "c1010d64 D xen_p2m_size\n"
			     "c1010d68 D xen_p2m_addr\n"
			     "c1011000 D _edata\n"
			     "c1011000 B __bss_start\n"
			     "c1011000 B swapper_pg_dir\n"
			     "c10120c0 B xen_start_info\n"
			     "c1012100 B balloon_stats\n"
			     "c10121c0 b xen_p2m_last_pfn\n"
			     "c10121c4 b p2m_identity_pte\n"
			     "c10121c8 b p2m_missing_pte\n"
			     "c10121cc b p2m_identity\n"
			     "c10121d0 b p2m_missing\n"
			     "c10121d4 b p2m_top_mfn_p\n"
			     "c10121d8 b p2m_top_mfn\n"
			     "c10121dc b p2m_mid_missing_mfn\n"
			     "c1012220 b tainted_mask\n"
			     "c1012228 b log_end\n"
			     "c1012240 b grant_table_version\n"
			     "c1012248 b nr_grant_frames\n"
			     "c1012250 b gnttab_free_count\n"
			     "c1012258 b gnttab_free_head\n"
			     "c1012260 b gnttab_shared\n"
			     "c1012268 b grstatus\n"
			     "c1012270 b gnttab_refs\n"
			     "c1012280 b gnttab_shared_vm_area\n"
			     "c1012290 b gnttab_status_vm_area\n"
			     "c1013000 b __log_buf\n"
			     "c1017000 B __bss_stop\n"
			     "c1017000 B __brk_base\n"
			     "c1027000 B __brk_limit\n"
			     "c1027000 B _end\n";

static char *system_map(enum gk_layout layout, unsigned int width)
{
	struct gk_config cfg = {.layout = layout, .width = width};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int ret = gk_write_system_map(&cfg, out);

	fclose(out);
	if (ret) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void test_map(enum gk_layout layout, unsigned int width, const char *want)
{
	char *got = system_map(layout, width);

	is_str(got, want, "System.map of %s/%u", gk_layout_name(layout), width * 8);
	free(got);
}

int main(void)
{
	struct gk_config cfg = {.layout = GK_LAYOUT_LIST, .width = 8};
	struct fake *f = fake_create(200000);
	struct gk *g;
	uint64_t va = 0;
	char *m;
	enum gk_layout l;
	enum gk_variant v;

	test_map(GK_LAYOUT_LIST, 8, list64);
	test_map(GK_LAYOUT_TREE, 8, tree64);
	test_map(GK_LAYOUT_LIST, 4, list32);
	m = system_map(GK_LAYOUT_LIST_ONLY, 8);
	is_str(m, list64, "list-only has the list's symbols");
	free(m);
	m = system_map(GK_LAYOUT_TREE, 4);
	ok(m && strstr(m, "c1012000 b p2m_top_mfn_p") == NULL &&
		   strstr(m, "c10121e0 b p2m_top\n") && strstr(m, "c10121e4 b p2m_mid_missing\n") &&
		   strstr(m, "c1011000 B swapper_pg_dir\n"),
	   "tree/32 has p2m_top, p2m_mid_missing and swapper_pg_dir");
	free(m);
	cfg.width = 5;
	is_int(gk_write_system_map(&cfg, stdout), -EINVAL, "bad width refused");

	cfg.width = 8;
	is_int(fake_build(f, &cfg, 40000, 40000), 0, "boot a list/64 guest");
	is_int(gk_attach(fake_hv(f), &g), 0, "attach");
	is_int(gk_config(g)->layout, GK_LAYOUT_LIST, "attach finds the layout");
	is_int(gk_config(g)->width, 8, "and the width");
	ok(gk_symbol(g, "p2m_top_mfn", &va) == 0 && va == 0xffffffff810121f0ULL,
	   "gk_symbol(p2m_top_mfn)");
	is_int(gk_symbol(g, "p2m_top", &va), -ENOENT, "no p2m_top in a list kernel");
	is_int(gk_symbol(g, "nonexistent", &va), -ENOENT, "unknown symbol");
	gk_symbol(g, "xen_p2m_addr", &va);
	is_u64(fake_kread(f, va), 0xffffc90000000000ULL, "xen_p2m_addr holds the list's address");
	gk_symbol(g, "xen_start_info", &va);
	ok(fake_kread(f, va) >> 40 == 0xffff88, "xen_start_info is a direct-map address");
	gk_detach(g);
	fake_destroy(f);

	ok(gk_layout_parse("list-only", &l) == 0 && l == GK_LAYOUT_LIST_ONLY, "parse list-only");
	ok(gk_layout_parse("tree", &l) == 0 && l == GK_LAYOUT_TREE, "parse tree");
	is_int(gk_layout_parse("forest", &l), -EINVAL, "parse refuses forest");
	ok(gk_variant_parse("pre-fix-003", &v) == 0 && v == GK_KERNEL_PRE_FIX_003,
	   "parse pre-fix-003");
	is_str(gk_variant_name(GK_KERNEL_FIXED), "fixed", "variant name");
	is_str(gk_layout_name(GK_LAYOUT_LIST), "list", "layout name");
	return tap_done();
}
