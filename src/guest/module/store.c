// SPDX-License-Identifier: GPL-2.0
/*
 * xenstore keys under the guest's data/xenp2m, and the requests dom0 writes
 * there.  A request is "<seq> <verb> [<name>=<value>...]" (xenp2m-keys.h);
 * the text is dom0's, so every field is checked and bounded here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/panic.h>
#include <xen/xenbus.h>

#include "module.h"

int xp_store_printf(const char *key, const char *fmt, ...)
{
	va_list ap;
	char *val;
	int err;

	va_start(ap, fmt);
	val = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	if (!val)
		return -ENOMEM;
	if (strlen(val) > XP_VALUE_MAX) {
		pr_warn("not writing %s: %zu bytes\n", key, strlen(val));
		kfree(val);
		return -E2BIG;
	}
	err = xenbus_write(XBT_NIL, XP_KEY_HOME, key, val);
	if (err)
		pr_warn_ratelimited("writing %s/%s: error %d\n", XP_KEY_HOME, key, err);
	kfree(val);
	return err;
}

int xp_store_rm(const char *key)
{
	int err = xenbus_rm(XBT_NIL, XP_KEY_HOME, key);

	return err == -ENOENT ? 0 : err;
}

/* data/xenp2m and everything below it */
int xp_store_home_rm(void)
{
	int err = xenbus_rm(XBT_NIL, "data", "xenp2m");

	return err == -ENOENT ? 0 : err;
}

void xp_strbuf_add(struct xp_strbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->truncated)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, s->size - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= s->size - s->len) {
		s->buf[s->len] = '\0';
		s->truncated = true;
		return;
	}
	s->len += n;
}

void xp_taint_letters(char *buf, size_t len)
{
	static const struct {
		unsigned int flag;
		char letter;
	} bad[] = {{TAINT_BAD_PAGE, 'B'}, {TAINT_DIE, 'D'}, {TAINT_WARN, 'W'}};
	size_t i, o = 0;

	for (i = 0; i < ARRAY_SIZE(bad) && o + 1 < len; i++)
		if (test_taint(bad[i].flag))
			buf[o++] = bad[i].letter;
	if (!o && len > 1)
		buf[o++] = '-';
	buf[o] = '\0';
}

void xp_pattern_fill(void *page, u64 seed, unsigned int index)
{
	u64 *w = page;
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(*w); i++)
		w[i] = xp_pattern(seed, index, i);
}

/* -------------------------------------------------------------- requests */

static char *next_word(char **p)
{
	char *s = skip_spaces(*p), *e = s;

	while (*e && !isspace(*e))
		e++;
	if (*e)
		*e++ = '\0';
	*p = e;
	return *s ? s : NULL;
}

int xp_request_parse(char *text, struct xp_request *r)
{
	char *p = text, *w, *eq;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	w = next_word(&p);
	if (!w || kstrtou32(w, 10, &r->seq) || !r->seq || r->seq > XP_SEQ_MAX)
		return -EINVAL;
	r->verb = next_word(&p);
	if (!r->verb)
		return xp_request_fail(r, "request %u has no verb", r->seq);
	while ((w = next_word(&p))) {
		eq = strchr(w, '=');
		if (!eq || eq == w)
			return xp_request_fail(r, "'%.32s' is not <name>=<value>", w);
		*eq = '\0';
		for (i = 0; i < r->nr_args; i++)
			if (!strcmp(r->args[i].name, w))
				return xp_request_fail(r, "'%.32s' given twice", w);
		if (r->nr_args == XP_REQUEST_ARGS_MAX)
			return xp_request_fail(r, "more than %d arguments", XP_REQUEST_ARGS_MAX);
		r->args[r->nr_args].name = w;
		r->args[r->nr_args].value = eq + 1;
		r->nr_args++;
	}
	return 0;
}

int xp_request_fail(struct xp_request *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void xp_request_say(struct xp_request *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

const char *xp_request_arg(const struct xp_request *r, const char *name)
{
	unsigned int i;

	for (i = 0; i < r->nr_args; i++)
		if (!strcmp(r->args[i].name, name))
			return r->args[i].value;
	return NULL;
}

/* name=N (decimal or 0x hex) within [min, max]; dflt when absent */
int xp_request_u64(struct xp_request *r, const char *name, u64 min, u64 max, u64 dflt, u64 *out)
{
	const char *v = xp_request_arg(r, name);

	if (!v) {
		if (dflt == XP_REQUIRED)
			return xp_request_fail(r, "%s: missing %s=", r->verb, name);
		*out = dflt;
		return 0;
	}
	if (kstrtou64(v, 0, out))
		return xp_request_fail(r, "%s=%.32s is not a number", name, v);
	if (*out < min || *out > max)
		return xp_request_fail(r, "%s=%llu is out of range [%llu, %llu]", name, *out, min,
				       max);
	return 0;
}

int xp_request_mode(struct xp_request *r, bool *readonly)
{
	const char *v = xp_request_arg(r, "mode");

	if (!v || !strcmp(v, XP_MODE_RO)) {
		*readonly = true;
		return 0;
	}
	if (!strcmp(v, XP_MODE_RW)) {
		*readonly = false;
		return 0;
	}
	return xp_request_fail(r, "mode=%.32s: not %s or %s", v, XP_MODE_RO, XP_MODE_RW);
}
