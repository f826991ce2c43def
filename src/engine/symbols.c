// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-internal view: with the kernel's System.map, read the p2m
 * variables through the guest's own page tables and check the invariants of
 * seed 003 (doc/design.md section 6.1):
 *   p2m_top_mfn[i] == virt_to_mfn(p2m_top_mfn_p[i])
 *   the published frame list list is virt_to_mfn(p2m_top_mfn)
 *   p2m_mid_missing_mfn's entries name p2m_missing's current frame
 *   (legacy) p2m_top[i][j] is the leaf that p2m_mid_mfn[i][j] names
 * Symbols of another kernel fail basic sanity and are reported as such.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/pt.h"
#include "engine/symbols.h"
#include "engine/walk.h"
#include "lib/util.h"

/* Real System.maps are a few MiB; refuse absurd files and lines. */
#define XP_SYMBOLS_MAX_BYTES (256UL << 20)
#define XP_SYMBOLS_MAX_LINE 1024

/* The kernel's variables the checks read. */
enum xp_sym {
	XP_SYM_P2M_TOP = 0,
	XP_SYM_P2M_MID_MISSING,
	XP_SYM_P2M_TOP_MFN,
	XP_SYM_P2M_TOP_MFN_P,
	XP_SYM_P2M_MID_MISSING_MFN,
	XP_SYM_P2M_MISSING,
	XP_SYM_P2M_IDENTITY,
	XP_SYM_XEN_P2M_ADDR,
	XP_SYM_XEN_P2M_SIZE,
	XP_SYM_XEN_MAX_P2M_PFN,
	XP_SYM_TAINTED_MASK,
	XP_SYM_LOG_BUF,
	XP_SYM_LOG_BUF_LEN,
	XP_SYM_NR
};

static const char *const wanted[XP_SYM_NR] = {
	[XP_SYM_P2M_TOP] = "p2m_top",
	[XP_SYM_P2M_MID_MISSING] = "p2m_mid_missing",
	[XP_SYM_P2M_TOP_MFN] = "p2m_top_mfn",
	[XP_SYM_P2M_TOP_MFN_P] = "p2m_top_mfn_p",
	[XP_SYM_P2M_MID_MISSING_MFN] = "p2m_mid_missing_mfn",
	[XP_SYM_P2M_MISSING] = "p2m_missing",
	[XP_SYM_P2M_IDENTITY] = "p2m_identity",
	[XP_SYM_XEN_P2M_ADDR] = "xen_p2m_addr",
	[XP_SYM_XEN_P2M_SIZE] = "xen_p2m_size",
	[XP_SYM_XEN_MAX_P2M_PFN] = "xen_max_p2m_pfn",
	[XP_SYM_TAINTED_MASK] = "tainted_mask",
	[XP_SYM_LOG_BUF] = "__log_buf",
	[XP_SYM_LOG_BUF_LEN] = "log_buf_len",
};

struct xp_symbols {
	uint64_t addr[XP_SYM_NR];
	bool found[XP_SYM_NR];
	unsigned int nr_lines;
};

static bool parse_line(const char *line, size_t len, uint64_t *addr, const char **name,
		       size_t *name_len)
{
	const char *p = line, *end = line + len;
	uint64_t v = 0;
	int digits = 0;

	while (p < end && digits < 17) {
		int c = *p, d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		v = (v << 4) | (uint64_t)d;
		digits++;
		p++;
	}
	if (digits == 0 || digits > 16 || p >= end || *p != ' ')
		return false;
	p++;
	if (p >= end || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	p++;
	if (p >= end || *p != ' ')
		return false;
	p++;
	*name = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	*name_len = (size_t)(p - *name);
	*addr = v;
	return *name_len > 0;
}

struct xp_error *xp_symbols_parse(const char *buf, size_t len, struct xp_symbols **out)
{
	struct xp_symbols *s;
	size_t off = 0;
	int i, nfound = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return xp_error_nomem();
	while (off < len) {
		const char *line = buf + off, *nl = memchr(line, '\n', len - off), *name;
		size_t llen = nl ? (size_t)(nl - line) : len - off, nlen;
		uint64_t addr;

		off += llen + 1;
		if (llen == 0)
			continue;
		if (llen > XP_SYMBOLS_MAX_LINE || !parse_line(line, llen, &addr, &name, &nlen)) {
			unsigned int lineno = s->nr_lines + 1;

			xp_symbols_destroy(s);
			return xp_error_create(
				XP_ERR_FORMAT, EINVAL,
				"line %u is not 'ADDRESS TYPE NAME' (not a System.map?)", lineno);
		}
		s->nr_lines++;
		for (i = 0; i < XP_SYM_NR; i++) {
			if (!s->found[i] && strlen(wanted[i]) == nlen &&
			    memcmp(wanted[i], name, nlen) == 0) {
				s->found[i] = true;
				s->addr[i] = addr;
				nfound++;
			}
		}
	}
	if (!s->nr_lines) {
		xp_symbols_destroy(s);
		return xp_error_create(XP_ERR_FORMAT, EINVAL, "empty, not a System.map");
	}
	if (!s->found[XP_SYM_P2M_TOP_MFN] || !s->found[XP_SYM_P2M_TOP_MFN_P] ||
	    !s->found[XP_SYM_P2M_MID_MISSING_MFN] || !s->found[XP_SYM_P2M_MISSING]) {
		xp_symbols_destroy(s);
		return xp_error_create(
			XP_ERR_FORMAT, ENOENT,
			"has no p2m_top_mfn, p2m_top_mfn_p, p2m_mid_missing_mfn and "
			"p2m_missing: not a Xen PV kernel's System.map (%d of the p2m "
			"symbols found)",
			nfound);
	}
	*out = s;
	return NULL;
}

struct xp_error *xp_symbols_load(const char *path, struct xp_symbols **out)
{
	struct xp_error *err;
	size_t len = 0, cap = 1 << 20, n;
	char *buf;
	FILE *f;

	*out = NULL;
	f = fopen(path, "r");
	if (!f)
		return xp_error_create(errno == EACCES ? XP_ERR_PERM : XP_ERR_IO, errno,
				       "cannot open symbols file %s: %s", path, strerror(errno));
	buf = malloc(cap);
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			char *nb;

			if (cap >= XP_SYMBOLS_MAX_BYTES) {
				free(buf);
				fclose(f);
				return xp_error_create(XP_ERR_FORMAT, EFBIG,
						       "%s: larger than %lu MiB, not a System.map",
						       path, XP_SYMBOLS_MAX_BYTES >> 20);
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (!buf) {
		fclose(f);
		return xp_error_nomem();
	}
	if (ferror(f)) {
		err = xp_error_create(XP_ERR_IO, errno, "reading %s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return err;
	}
	fclose(f);
	err = xp_symbols_parse(buf, len, out);
	free(buf);
	return err ? xp_error_wrap(err, "%s", path) : NULL;
}

void xp_symbols_destroy(struct xp_symbols *s)
{
	free(s);
}

bool xp_symbols_lookup(const struct xp_symbols *s, const char *name, uint64_t *addr)
{
	int i;

	for (i = 0; i < XP_SYM_NR; i++) {
		if (s->found[i] && strcmp(wanted[i], name) == 0) {
			*addr = s->addr[i];
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------ the checks */

struct view {
	struct xp_target *t;
	uint64_t root; /* cr3 used to translate */
	const struct xp_symbols *s;
	char why[160]; /* first sanity failure */
};

/* Read the pointer variable @sym (its value). */
static bool read_var(struct view *v, enum xp_sym sym, uint64_t *val)
{
	int err;

	if (!v->s->found[sym])
		return false;
	err = xp_pt_read_word(v->t, v->root, v->s->addr[sym], val);
	if (err && !*v->why)
		snprintf(v->why, sizeof(v->why),
			 "%s at 0x%" PRIx64 " is not mapped in the guest (%s)", wanted[sym],
			 v->s->addr[sym], strerror(-err));
	return err == 0;
}

static bool va_to_mfn(struct view *v, uint64_t va, uint64_t *mfn)
{
	uint64_t bad;

	return xp_pt_translate(v->t, v->root, va, mfn, &bad) == 0;
}

/* Pointer variable -> the frame it points at (a whole page, as all of these are). */
static bool var_frame(struct view *v, enum xp_sym sym, uint64_t *va, uint64_t *mfn)
{
	if (!read_var(v, sym, va))
		return false;
	if ((*va & (XP_PAGE_SIZE - 1)) || !va_to_mfn(v, *va, mfn)) {
		if (!*v->why)
			snprintf(v->why, sizeof(v->why),
				 "%s = 0x%" PRIx64 " is not a mapped page of the guest",
				 wanted[sym], *va);
		return false;
	}
	return true;
}

static void check_top_mfn_p(struct view *v, struct xp_walk *w, struct xp_report *r,
			    uint64_t top_p_mfn)
{
	struct xp_target *t = v->t;
	const void *page;
	uint64_t i;
	int ferr;

	page = xp_target_frame(t, top_p_mfn, &ferr);
	if (!page)
		return;
	for (i = 0; i < w->nr_top; i++) {
		uint64_t va = xp_word(page, i, t->width), mfn = XP_NO_MFN;

		if (!va_to_mfn(v, va, &mfn) || mfn != w->top_mfns[i]) {
			struct xp_finding f = {
				.id = XP_F_TOP_MFN_P_MISMATCH,
				.level = "top",
				.has = XP_LOC_INDEX | XP_LOC_VA | XP_LOC_EXPECTED | XP_LOC_ACTUAL,
				.index = i,
				.mfn = w->top_mfns[i],
				.va = va,
				.expected = mfn,
				.actual = w->top_mfns[i],
			};

			xp_report_addf(r, &f,
				       "p2m_top_mfn[%" PRIu64 "] = 0x%" PRIx64
				       " but p2m_top_mfn_p[%" PRIu64 "] = 0x%" PRIx64 " is %s",
				       i, w->top_mfns[i], i, va,
				       mfn == XP_NO_MFN ? "not mapped" : "at another frame");
		}
	}
}

static void check_mid_missing(struct view *v, struct xp_report *r, uint64_t mm_mfn,
			      uint64_t missing_mfn)
{
	struct xp_target *t = v->t;
	const void *page;
	uint64_t j;
	int ferr;

	page = xp_target_frame(t, mm_mfn, &ferr);
	if (!page)
		return;
	for (j = 0; j < t->fpp; j++) {
		uint64_t e = xp_word(page, j, t->width);

		if (e != missing_mfn) {
			struct xp_finding f = {
				.id = XP_F_MISSING_MFN_STALE,
				.level = "mid-missing",
				.has = XP_LOC_INDEX | XP_LOC_MFN | XP_LOC_EXPECTED | XP_LOC_ACTUAL,
				.index = j,
				.mfn = mm_mfn,
				.expected = missing_mfn,
				.actual = e,
			};

			xp_report_addf(r, &f,
				       "p2m_mid_missing_mfn[%" PRIu64 "] = 0x%" PRIx64
				       " but p2m_missing is now at 0x%" PRIx64,
				       j, e, missing_mfn);
		}
	}
}

/* Legacy guests: the pfn-side tree must name the same leaves as the mfn tree. */
static void check_pfn_tree(struct view *v, struct xp_walk *w, struct xp_report *r)
{
	struct xp_target *t = v->t;
	uint64_t top_va, top_mfn, i, j;
	const void *top;
	int ferr;

	if (!var_frame(v, XP_SYM_P2M_TOP, &top_va, &top_mfn))
		return;
	top = xp_target_frame(t, top_mfn, &ferr);
	if (!top)
		return;
	for (i = 0; i < w->nr_top; i++) {
		uint64_t mid_va = xp_word(top, i, t->width), mid_mfn;
		const void *mid;

		if (!va_to_mfn(v, mid_va, &mid_mfn))
			continue;
		mid = xp_target_frame(t, mid_mfn, &ferr);
		if (!mid)
			continue;
		for (j = 0; j < t->fpp; j++) {
			uint64_t k = i * t->fpp + j, leaf_va, leaf_mfn = XP_NO_MFN;

			if (k >= w->tree_pages)
				break;
			leaf_va = xp_word(mid, j, t->width);
			if (w->tree_leaf[k] == XP_NO_MFN)
				continue;
			if (!va_to_mfn(v, leaf_va, &leaf_mfn) || leaf_mfn != w->tree_leaf[k]) {
				struct xp_finding f = {
					.id = XP_F_PFN_TREE_MISMATCH,
					.level = "mid",
					.has = XP_LOC_INDEX | XP_LOC_INDEX2 | XP_LOC_PFN |
					       XP_LOC_VA | XP_LOC_EXPECTED | XP_LOC_ACTUAL,
					.index = i,
					.index2 = j,
					.pfn = k * t->fpp,
					.mfn = w->tree_leaf[k],
					.va = leaf_va,
					.expected = leaf_mfn,
					.actual = w->tree_leaf[k],
				};

				xp_report_addf(r, &f,
					       "p2m_top[%" PRIu64 "][%" PRIu64 "] = 0x%" PRIx64
					       " (frame 0x%" PRIx64 ") but p2m_mid_mfn[%" PRIu64
					       "][%" PRIu64 "] = 0x%" PRIx64,
					       i, j, leaf_va, leaf_mfn, i, j, w->tree_leaf[k]);
			}
		}
	}
}

/*
 * Linux's taint flags: a kernel that oopsed (D), warned (W) or found a bad
 * page (B) says so in tainted_mask.  The oops itself is quoted from the log
 * buffer: the first line mentioning BUG, Oops or WARNING.
 */
#define XP_LOG_BUF_MAX (1U << 20)

static void find_oops(struct view *v, char *line, size_t len)
{
	uint64_t addr, n = 0, off;
	unsigned char *buf;
	size_t i, start = 0;

	*line = '\0';
	if (!v->s->found[XP_SYM_LOG_BUF])
		return;
	if (v->s->found[XP_SYM_LOG_BUF_LEN]) {
		uint64_t l;

		/* log_buf_len is a u32: read the guest word holding it */
		uint64_t a = v->s->addr[XP_SYM_LOG_BUF_LEN];

		if (!(a & 3) &&
		    xp_pt_read_word(v->t, v->root, a & ~(uint64_t)(v->t->width - 1), &l) == 0)
			n = v->t->width == 8 && (a & 4) ? l >> 32 : l & 0xffffffffULL;
	}
	if (!n || n > XP_LOG_BUF_MAX)
		n = 128 << 10;
	buf = malloc(n + 1);
	if (!buf)
		return;
	addr = v->s->addr[XP_SYM_LOG_BUF];
	for (off = 0; off < n;) {
		uint64_t va = addr + off, mfn, bad,
			 chunk = XP_MIN(n - off, XP_PAGE_SIZE - (va & 0xfff));
		const unsigned char *page;
		int ferr;

		if (xp_pt_translate(v->t, v->root, va, &mfn, &bad) ||
		    !(page = xp_target_frame(v->t, mfn, &ferr)))
			break;
		memcpy(buf + off, page + (va & 0xfff), chunk);
		off += chunk;
	}
	n = off;
	buf[n] = '\0';
	for (i = 0; i <= n; i++) {
		if (i == n || buf[i] == '\n' || buf[i] == '\0') {
			buf[i] = '\0';
			if (strstr((char *)buf + start, "BUG") ||
			    strstr((char *)buf + start, "Oops") ||
			    strstr((char *)buf + start, "WARNING:")) {
				size_t k, o = 0;

				/* printable only: the buffer is guest memory */
				for (k = start; k < i && o + 1 < len; k++)
					line[o++] = (buf[k] >= 0x20 && buf[k] < 0x7f) ? (char)buf[k]
										      : '.';
				line[o] = '\0';
				break;
			}
			start = i + 1;
		}
	}
	free(buf);
}

static void check_taint(struct view *v, struct xp_report *r)
{
	static const char letters[] = "PFSRMBUDAWCIOELKXT";
	const uint64_t bad = (1ULL << 5) | (1ULL << 7) | (1ULL << 9); /* B, D, W */
	char flags[sizeof(letters)], oops[160];
	uint64_t mask;
	unsigned int i, o = 0;

	if (!v->s->found[XP_SYM_TAINTED_MASK] ||
	    xp_pt_read_word(v->t, v->root, v->s->addr[XP_SYM_TAINTED_MASK], &mask) || !(mask & bad))
		return;
	for (i = 0; i + 1 < sizeof(letters); i++)
		if (mask & (1ULL << i))
			flags[o++] = letters[i];
	flags[o] = '\0';
	find_oops(v, oops, sizeof(oops));
	struct xp_finding f = {
		.id = XP_F_KERNEL_TAINTED,
		.level = "kernel",
		.has = XP_LOC_VA | XP_LOC_ACTUAL,
		.va = v->s->addr[XP_SYM_TAINTED_MASK],
		.actual = mask,
	};

	xp_report_addf(r, &f, "tainted_mask 0x%" PRIx64 " (%s)%s%s", mask, flags, *oops ? ": " : "",
		       oops);
}

struct xp_error *xp_symbols_check(struct xp_target *t, struct xp_walk *w,
				  const struct xp_symbols *s, struct xp_report *r)
{
	struct view v = {.t = t, .s = s};
	uint64_t top_va, top_mfn, top_p_va, top_p_mfn, mm_va, mm_mfn, miss_va, miss_mfn, val;
	bool fll_published = w->tree_leaf != NULL;
	struct xp_error *err;
	int ferr;

	r->p2m.symbols_used = true;
	/* translate kernel addresses through init_top_pgt (= p2m_cr3) when we can */
	v.root = w->si.p2m_cr3_mfn;
	if (!v.root || !xp_target_frame(t, v.root, &ferr)) {
		err = xp_backend_vcpu_cr3(t->be, t->info.domid, 0, &v.root);
		if (err)
			return xp_error_wrap(err, "domain %u: reading vcpu0's cr3 for --symbols",
					     t->info.domid);
	}

	if (!var_frame(&v, XP_SYM_P2M_TOP_MFN, &top_va, &top_mfn) ||
	    !var_frame(&v, XP_SYM_P2M_TOP_MFN_P, &top_p_va, &top_p_mfn) ||
	    !var_frame(&v, XP_SYM_P2M_MID_MISSING_MFN, &mm_va, &mm_mfn) ||
	    !var_frame(&v, XP_SYM_P2M_MISSING, &miss_va, &miss_mfn)) {
		/* The list-only layout never builds the mfn tree: NULL pointers are fine. */
		if (w->layout == XP_LAYOUT_LIST_ONLY) {
			if (read_var(&v, XP_SYM_XEN_P2M_ADDR, &val) && val == w->si.p2m_vaddr)
				check_taint(&v, r);
			return NULL;
		}
		struct xp_finding f = {
			.id = XP_F_SYMBOLS_MISMATCH,
			.level = "symbols",
		};

		xp_report_addf(r, &f, "the symbols do not fit this guest: %s", v.why);
		return NULL;
	}
	/* More sanity: the list's address and size as the kernel keeps them. */
	if (w->si.p2m_cr3 && read_var(&v, XP_SYM_XEN_P2M_ADDR, &val) && val != w->si.p2m_vaddr) {
		struct xp_finding f = {
			.id = XP_F_SYMBOLS_MISMATCH,
			.level = "symbols",
			.has = XP_LOC_EXPECTED | XP_LOC_ACTUAL,
			.expected = w->si.p2m_vaddr,
			.actual = val,
		};

		xp_report_addf(r, &f,
			       "the symbols do not fit this guest: xen_p2m_addr = 0x%" PRIx64
			       " but shared_info says p2m_vaddr 0x%" PRIx64,
			       val, w->si.p2m_vaddr);
		return NULL;
	}
	/* the symbols fit: the kernel's own state can be believed */
	check_taint(&v, r);
	if (fll_published && top_mfn != w->si.frame_list_list) {
		struct xp_finding f = {
			.id = XP_F_FRAME_LIST_LIST_MISMATCH,
			.level = "shared_info",
			.has = XP_LOC_MFN | XP_LOC_VA | XP_LOC_EXPECTED | XP_LOC_ACTUAL,
			.mfn = w->si.frame_list_list,
			.va = top_va,
			.expected = top_mfn,
			.actual = w->si.frame_list_list,
		};

		xp_report_addf(r, &f,
			       "pfn_to_mfn_frame_list_list = 0x%" PRIx64
			       " but p2m_top_mfn (0x%" PRIx64 ") is at 0x%" PRIx64,
			       w->si.frame_list_list, top_va, top_mfn);
	}
	if (fll_published && top_mfn == w->si.frame_list_list)
		check_top_mfn_p(&v, w, r, top_p_mfn);
	if (w->layout != XP_LAYOUT_LIST_ONLY)
		check_mid_missing(&v, r, mm_mfn, miss_mfn);
	if (s->found[XP_SYM_P2M_TOP] && w->layout == XP_LAYOUT_TREE && w->tree_leaf)
		check_pfn_tree(&v, w, r);

	/* max_pfn beyond what the kernel's own p2m holds */
	if (!r->groups[XP_F_MAX_PFN_UNCOVERED].count) {
		uint64_t limit = 0;

		if (w->si.p2m_cr3 && read_var(&v, XP_SYM_XEN_P2M_SIZE, &val))
			limit = val;
		else if (read_var(&v, XP_SYM_XEN_MAX_P2M_PFN, &val))
			limit = XP_DIV_ROUND_UP(val, t->fpp) * t->fpp;
		if (limit && w->si.max_pfn > limit) {
			struct xp_finding f = {
				.id = XP_F_MAX_PFN_UNCOVERED,
				.level = "shared_info",
				.has = XP_LOC_EXPECTED | XP_LOC_ACTUAL,
				.expected = limit,
				.actual = w->si.max_pfn,
			};

			xp_report_addf(r, &f,
				       "max_pfn 0x%" PRIx64 " but the kernel's p2m holds 0x%" PRIx64
				       " pfns",
				       w->si.max_pfn, limit);
		}
	}
	return NULL;
}
