/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny in-memory host for the engine's unit tests and fuzz targets: frames
 * with owners, an M2P, domains, and a builder for well-formed PV guests
 * (tree, list or list-only; 64 or 32 bit) that tests then break on purpose.
 * It is test scaffolding, far simpler than the simulator (src/sim/).
 *
 * A one-frame mapping is live, as a foreign mapping is on Xen (the engine
 * keeps shared_info mapped and rereads it); a mapping of several frames is a
 * copy made at map time.  A test scripts changes while the engine reads
 * through the map hook (called before every map call) or between passes.
 */
#ifndef XP_FIXTURE_H
#define XP_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/backend.h"
#include "engine/report.h"

#define FX_FREE 0xffffU
#define FX_MAX_DOMS 8

struct fx_gnttab {
	unsigned int version, nr_frames, max_frames;
	uint8_t *shared[16]; /* 4 KiB each */
	uint8_t *status[4];
	uint64_t console_mfn, store_mfn; /* what the toolstack recorded */
	unsigned int grown;		 /* times a map beyond the size grew it */
};

struct fx_dom {
	bool used;
	struct fx_gnttab gnt;
	uint32_t domid;
	char name[32];
	enum xp_domain_type type;
	unsigned int width;
	uint64_t max_pages, tot_pages, shinfo, cr3;
	unsigned int nr_vcpus;
	bool dying, paused;
};

struct fx_host {
	uint64_t max_mfn;
	uint64_t *m2p;
	uint16_t *owner;
	uint8_t **mem;
	uint64_t next_free;
	struct fx_dom doms[FX_MAX_DOMS];
	unsigned int map_calls;
	/* called at the start of every map_frames, before the frames are read */
	void (*map_hook)(struct fx_host *h, void *arg);
	void *map_hook_arg;
	/* mappings handed out and not unmapped yet: copies, live frames, grant frames */
	void **copies;
	size_t nr_copies, cap_copies;
	unsigned int live_maps, grant_maps;
};

struct fx_guest {
	uint32_t domid;
	unsigned int width, fpp;
	enum xp_layout layout;
	uint64_t nr_pages, max_pfn;
	uint64_t shinfo, fll, missing, mid_missing, cr3, vaddr;
	uint64_t top_idx_mid[1024]; /* mid-mfn page per top index */
	uint64_t *leaf;		    /* [ceil(max_pfn/fpp)] leaf frame per page */
	uint64_t *p2m;		    /* [nr_pages] pfn -> mfn */
	uint64_t l1[64];	    /* L1 tables of the list, in order */
	unsigned int nr_l1;
	uint64_t pt[4]; /* top-down page-table frames on the list path */
};

struct fx_host *fx_host_create(uint64_t max_mfn);
void fx_host_destroy(struct fx_host *h);
struct xp_backend *fx_backend_create(struct fx_host *h);

/* A fresh frame for @domid with M2P = @pfn (~0 for none). */
uint64_t fx_alloc(struct fx_host *h, uint32_t domid, uint64_t pfn);
void fx_free(struct fx_host *h, uint64_t mfn);
void *fx_page(struct fx_host *h, uint64_t mfn);
void fx_set(struct fx_host *h, uint64_t mfn, unsigned int idx, unsigned int width, uint64_t v);
uint64_t fx_get(struct fx_host *h, uint64_t mfn, unsigned int idx, unsigned int width);

/* Give @domid a grant table (v1 or v2) of @frames frames, 64 max. */
void fx_gnttab_init(struct fx_host *h, uint32_t domid, unsigned int version, unsigned int frames);
struct fx_gnttab *fx_gnttab(struct fx_host *h, uint32_t domid);

/* Build a consistent PV guest.  max_pfn >= nr_pages: the rest is missing. */
int fx_build_guest(struct fx_host *h, uint32_t domid, const char *name, unsigned int width,
		   uint64_t nr_pages, uint64_t max_pfn, enum xp_layout layout, struct fx_guest *g);
void fx_guest_release(struct fx_guest *g);
/* Write a shared_info arch field ("max_pfn", "frame_list_list", "p2m_cr3", "p2m_vaddr",
 * "p2m_generation"). */
void fx_set_shinfo(struct fx_host *h, const struct fx_guest *g, const char *field, uint64_t v);
#endif
