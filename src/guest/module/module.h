/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenp2m_guest: what the files of the module share.  main.c loads, watches
 * xenstore and dispatches requests; store.c writes the keys; self-check.c,
 * grant.c, grow.c and kmap.c each serve one request (doc/guest-module.md).
 */
#ifndef XP_MODULE_H
#define XP_MODULE_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/workqueue.h>

#include "xenp2m-keys.h"

#define XP_MODULE_VERSION "0.1.0"
#define XP_REQUEST_ARGS_MAX 8

extern bool xp_pre_fix;		       /* variant=pre-fix */
extern bool xp_stopping;	       /* the module is unloading */
extern bool xp_stop_asked;	       /* dom0 asked a running kmap to stop */
extern bool xp_stop_served;	       /* and one did */
extern struct workqueue_struct *xp_wq; /* ordered: one request at a time */

/* A request from dom0, parsed in place; msg is the reply's message. */
struct xp_request {
	u32 seq;
	const char *verb;
	unsigned int nr_args;
	struct {
		const char *name;
		const char *value;
	} args[XP_REQUEST_ARGS_MAX];
	char msg[XP_MESSAGE_MAX];
};

int xp_request_parse(char *text, struct xp_request *r);
const char *xp_request_arg(const struct xp_request *r, const char *name);
#define XP_REQUIRED U64_MAX /* dflt of xp_request_u64: the argument must be given */
int xp_request_u64(struct xp_request *r, const char *name, u64 min, u64 max, u64 dflt, u64 *out);
int xp_request_mode(struct xp_request *r, bool *readonly);
__printf(2, 3) int xp_request_fail(struct xp_request *r, const char *fmt, ...);
__printf(2, 3) void xp_request_say(struct xp_request *r, const char *fmt, ...);

/* xenstore, relative to XP_KEY_HOME; errors are logged once per call */
__printf(2, 3) int xp_store_printf(const char *key, const char *fmt, ...);
int xp_store_rm(const char *key);
int xp_store_home_rm(void);

/* one record of a list of refs or mismatches: "a b c" into buf */
struct xp_strbuf {
	char *buf;
	size_t len, size;
	bool truncated;
};
__printf(2, 3) void xp_strbuf_add(struct xp_strbuf *s, const char *fmt, ...);

/* taint letters that mean trouble (B, D, W), "-" for none */
void xp_taint_letters(char *buf, size_t len);

/* self-check (seed 003) */
int xp_selfcheck_setup(void);
int xp_selfcheck_run(const char *trigger, unsigned long resumes, char *msg, size_t len);

/* grant service */
int xp_grant_request(struct xp_request *r);
int xp_grant_release_request(struct xp_request *r);
void xp_grant_resumed(void);
void xp_grant_exit(void);

/* seed 002: grant references from atomic context */
int xp_grow_request(struct xp_request *r);

/* seed 000: map dom0's grants over our pages, unmap and replace */
int xp_kmap_request(struct xp_request *r);

/*
 * The pattern of granted pages, documented for dom0 (doc/guest-module.md):
 * the 64-bit little-endian word `word` (0..511) of page `page` for `seed`
 * is splitmix64's finalizer applied to seed + golden * ((page << 32 | word)
 * + 1), golden = 0x9e3779b97f4a7c15.
 */
static inline u64 xp_pattern(u64 seed, unsigned int page, unsigned int word)
{
	u64 x = seed + 0x9e3779b97f4a7c15ULL * ((((u64)page << 32) | word) + 1);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void xp_pattern_fill(void *page, u64 seed, unsigned int index);

#endif
