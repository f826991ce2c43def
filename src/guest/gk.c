// SPDX-License-Identifier: GPL-2.0
/*
 * gk: the guest-kernel model's entry points (gk.h), on top of the model
 * kernel under linux/.  Every entry point builds a fresh CPU (struct gk):
 * nothing of the kernel's survives in the simulator between calls, all of
 * it is in guest memory.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "guest/gk.h"
#include "guest/linux/xen-ops.h"

static const char *const layout_names[] = {
	[GK_LAYOUT_TREE] = "tree",
	[GK_LAYOUT_LIST] = "list",
	[GK_LAYOUT_LIST_ONLY] = "list-only",
};

static const char *const variant_names[] = {
	[GK_KERNEL_FIXED] = "fixed",
	[GK_KERNEL_PRE_FIX_003] = "pre-fix-003",
	[GK_KERNEL_PRE_FIX_002] = "pre-fix-002",
	[GK_KERNEL_PRE_FIX_000] = "pre-fix-000",
};

#define NR_LAYOUTS (sizeof(layout_names) / sizeof(layout_names[0]))
#define NR_VARIANTS (sizeof(variant_names) / sizeof(variant_names[0]))

const char *gk_layout_name(enum gk_layout layout)
{
	return (unsigned int)layout < NR_LAYOUTS ? layout_names[layout] : "unknown";
}

const char *gk_variant_name(enum gk_variant variant)
{
	return (unsigned int)variant < NR_VARIANTS ? variant_names[variant] : "unknown";
}

int gk_layout_parse(const char *s, enum gk_layout *out)
{
	unsigned int i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < NR_LAYOUTS; i++) {
		if (strcmp(s, layout_names[i]) == 0) {
			*out = (enum gk_layout)i;
			return 0;
		}
	}
	if (strcmp(s, "list_only") == 0) {
		*out = GK_LAYOUT_LIST_ONLY;
		return 0;
	}
	return -EINVAL;
}

int gk_variant_parse(const char *s, enum gk_variant *out)
{
	unsigned int i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < NR_VARIANTS; i++) {
		if (strcmp(s, variant_names[i]) == 0) {
			*out = (enum gk_variant)i;
			return 0;
		}
	}
	return -EINVAL;
}

static bool config_valid(const struct gk_config *cfg)
{
	if (cfg->width != 4 && cfg->width != 8)
		return false;
	if ((unsigned int)cfg->layout >= NR_LAYOUTS || (unsigned int)cfg->variant >= NR_VARIANTS)
		return false;
	if (cfg->gnttab_version > 2)
		return false;
	return !cfg->identity_end || cfg->identity_start < cfg->identity_end;
}

int gk_boot(struct gk_hv *hv, const struct gk_config *cfg)
{
	struct gk *k;
	int ret;

	if (!hv || !hv->ops || !cfg || !config_valid(cfg))
		return -EINVAL;
	k = gk_cpu_create(hv, cfg);
	if (!k)
		return -ENOMEM;
	ret = xen_start_kernel(k);
	gk_cpu_destroy(k);
	return ret;
}

/* Find the model kernel through cr3: its gk_config, at a fixed address. */
static int probe_width(const struct gk_hv *hv, unsigned int width, struct gk **out)
{
	struct gk_config cfg = {.width = width};
	struct gk *k = gk_cpu_create(hv, &cfg);
	u64 f[GKC_NR], base;
	const char *why;
	unsigned int i;

	if (!k)
		return -ENOMEM;
	base = kvar_addr(k, KV_gk_config);
	for (i = 0; i < GKC_NR; i++) {
		const u8 *p = va_ptr(k, base + 8 * i, false);

		if (!p)
			goto fail;
		f[i] = __atomic_load_n((const u64 *)p, __ATOMIC_RELAXED);
	}
	if (f[GKC_MAGIC] != GK_CONFIG_MAGIC || f[GKC_WIDTH] != width)
		goto fail;
	cfg.layout = (enum gk_layout)f[GKC_LAYOUT];
	cfg.variant = (enum gk_variant)f[GKC_VARIANT];
	cfg.seed = f[GKC_SEED];
	cfg.identity_start = f[GKC_IDENTITY_START];
	cfg.identity_end = f[GKC_IDENTITY_END];
	cfg.gnttab_version = (unsigned int)f[GKC_GNTTAB_VERSION];
	if (f[GKC_LAYOUT] >= NR_LAYOUTS || f[GKC_VARIANT] >= NR_VARIANTS ||
	    f[GKC_GNTTAB_VERSION] > 2 || !config_valid(&cfg))
		goto fail;
	k->cfg = cfg;
	if (gk_image_layout(&k->cfg, f[GKC_NR_PAGES], &k->img, &why))
		goto fail;
	*out = k;
	return 0;
fail:
	gk_cpu_destroy(k);
	return -ENOENT;
}

int gk_cpu_attach(const struct gk_hv *hv, struct gk **out)
{
	if (!hv || !hv->ops || !out)
		return -EINVAL;
	if (probe_width(hv, 8, out) == 0)
		return 0;
	if (probe_width(hv, 4, out) == 0)
		return 0;
	return -ENOENT;
}

int gk_resume(struct gk_hv *hv)
{
	struct gk *k;
	int ret = gk_cpu_attach(hv, &k);

	if (ret)
		return ret;
	ret = xen_pv_post_suspend(k);
	gk_cpu_destroy(k);
	return ret;
}

int gk_balloon(struct gk_hv *hv, uint64_t target_pages, unsigned int delay_us)
{
	struct gk *k;
	int ret = gk_cpu_attach(hv, &k);

	if (ret)
		return ret;
	ret = balloon_set_target(k, target_pages, delay_us);
	gk_cpu_destroy(k);
	return ret;
}

int gk_suspend(struct gk_hv *hv)
{
	struct gk *k;
	int ret = gk_cpu_attach(hv, &k);

	if (ret)
		return ret;
	ret = xen_pv_suspend(k);
	gk_cpu_destroy(k);
	return ret;
}

int gk_suspend_cancel(struct gk_hv *hv)
{
	struct gk *k;
	int ret = gk_cpu_attach(hv, &k);

	if (ret)
		return ret;
	ret = xen_pv_suspend_cancel(k);
	gk_cpu_destroy(k);
	return ret;
}

int gk_grant(struct gk_hv *hv, uint16_t domid, bool readonly, unsigned int count, uint32_t *refs)
{
	struct gk *k;
	int ret;

	if (!count || !refs)
		return -EINVAL;
	ret = gk_cpu_attach(hv, &k);
	if (ret)
		return ret;
	ret = gntdrv_grant(k, domid, readonly, count, refs);
	gk_cpu_destroy(k);
	return ret;
}

int gk_ungrant(struct gk_hv *hv, uint32_t ref, uint16_t *peer)
{
	struct gk *k;
	uint16_t dummy;
	int ret = gk_cpu_attach(hv, &k);

	if (ret)
		return ret;
	ret = gntdrv_ungrant(k, ref, peer ? peer : &dummy);
	gk_cpu_destroy(k);
	return ret;
}

/* --- introspection --------------------------------------------------- */

int gk_attach(struct gk_hv *hv, struct gk **out)
{
	return gk_cpu_attach(hv, out);
}

void gk_detach(struct gk *k)
{
	gk_cpu_destroy(k);
}

const struct gk_config *gk_config(const struct gk *k)
{
	return &k->cfg;
}

void *gk_va(struct gk *k, uint64_t va, bool write)
{
	struct pt_lookup pt;
	u8 *p;

	gk_cpu_reset(k);
	/* Fault injection may write where the kernel may not (read-only pages). */
	if (lookup_address(k, va, &pt))
		return NULL;
	p = k->hv.ops->frame(k->hv.priv, pte_mfn(pt.pte), write);
	return p ? p + (va & ~PAGE_MASK) : NULL;
}

int gk_symbol(const struct gk *k, const char *name, uint64_t *va)
{
	if (!k || !name || !va)
		return -EINVAL;
	return image_symbol(k->a, k->cfg.layout, name, va);
}

int gk_va_to_pfn(struct gk *k, uint64_t va, uint64_t *pfn)
{
	struct pt_lookup pt;
	u64 p;

	gk_cpu_reset(k);
	if (virt_addr_valid(k, va)) {
		*pfn = PFN_DOWN(__pa(k, va));
		return 0;
	}
	if (lookup_address(k, va, &pt))
		return -EFAULT;
	p = mfn_to_pfn(k, pte_mfn(pt.pte));
	if (p == INVALID_P2M_ENTRY)
		return -EFAULT;
	*pfn = p;
	return 0;
}

uint64_t gk_pfn_to_mfn(struct gk *k, uint64_t pfn)
{
	u64 mfn;

	gk_cpu_reset(k);
	if (pfn >= min_u64(GET(xen_max_p2m_pfn), k->img.max_pages) || k->oops)
		return ~0ULL;
	mfn = __pfn_to_mfn(k, pfn);
	if (k->oops || mfn == INVALID_P2M_ENTRY)
		return ~0ULL;
	return mfn;
}
