// SPDX-License-Identifier: GPL-2.0
/*
 * Grant tables: find the current size without growing the table (mapping a
 * frame beyond it through the grant-table resource would grow it:
 * doc/design.md section 5.6), map the frames read-only, decode v1 and v2
 * (with status frames), and validate in-use entries for `check`.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/grants.h"
#include "engine/target.h"
#include "lib/util.h"
#include "lib/xen-abi.h"

/* What Xen allows at most (max_grant_frames is a few hundred at most). */
#define XP_GRANT_MAX_FRAMES 4096U

const char *xp_grant_type_name(unsigned int flags)
{
	switch (flags & GTF_type_mask) {
	case GTF_invalid:
		return "invalid";
	case GTF_permit_access:
		return "permit_access";
	case GTF_accept_transfer:
		return "accept_transfer";
	default:
		return "transitive";
	}
}

const char *xp_grant_flags_str(unsigned int flags, char *buf, size_t len)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{GTF_readonly, "readonly"}, {GTF_reading, "reading"}, {GTF_writing, "writing"},
		{GTF_PWT, "pwt"},	    {GTF_PCD, "pcd"},	      {GTF_PAT, "pat"},
		{GTF_sub_page, "sub_page"},
	};
	size_t i, off;

	off = (size_t)snprintf(buf, len, "%s", xp_grant_type_name(flags));
	if ((flags & GTF_type_mask) == GTF_accept_transfer) {
		if (flags & GTF_transfer_committed)
			off += (size_t)snprintf(buf + off, off < len ? len - off : 0, ",committed");
		if (flags & GTF_transfer_completed)
			off += (size_t)snprintf(buf + off, off < len ? len - off : 0, ",completed");
		return buf;
	}
	for (i = 0; i < XP_ARRAY_SIZE(names); i++)
		if (flags & names[i].bit)
			off += (size_t)snprintf(buf + off, off < len ? len - off : 0, ",%s",
						names[i].name);
	return buf;
}

void xp_grant_table_destroy(struct xp_grant_table *g)
{
	if (!g)
		return;
	free(g->entries);
	free(g->peers);
	free(g);
}

static struct xp_error *add_entry(struct xp_grant_table *g, size_t *cap,
				  const struct xp_grant_entry *e)
{
	struct xp_grant_entry *n = xp_grow(g->entries, cap, g->count + 1, sizeof(*n));

	if (!n)
		return xp_error_nomem();
	g->entries = n;
	g->entries[g->count++] = *e;
	return NULL;
}

static void count_peer(struct xp_grant_table *g, uint32_t domid)
{
	size_t i;
	struct xp_grant_peer *n;

	for (i = 0; i < g->npeers; i++) {
		if (g->peers[i].domid == domid) {
			g->peers[i].count++;
			return;
		}
	}
	n = realloc(g->peers, (g->npeers + 1) * sizeof(*n));
	if (!n)
		return;
	g->peers = n;
	g->peers[g->npeers++] = (struct xp_grant_peer){domid, 1};
}

struct xp_error *xp_grants_read(struct xp_backend *be, uint32_t domid, bool all_entries,
				struct xp_grant_table **out)
{
	const void *shared = NULL, *status = NULL;
	const uint64_t *m2p = NULL;
	struct xp_grant_table *g;
	struct xp_error *err;
	uint64_t m2p_nr = 0;
	size_t cap = 0;
	uint32_t ref;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return xp_error_nomem();
	g->domid = domid;
	/* the size first: never map beyond it (that would grow the guest's table) */
	err = xp_backend_grant_table_info(be, domid, &g->version, &g->nr_frames,
					  &g->nr_status_frames, &g->max_frames);
	if (err)
		goto fail;
	if (g->version != 1 && g->version != 2) {
		err = xp_error_create(XP_ERR_RUNTIME, EINVAL,
				      "domain %u: unknown grant table version %u", domid,
				      g->version);
		goto fail;
	}
	if (g->nr_frames > XP_GRANT_MAX_FRAMES || g->nr_frames > g->max_frames ||
	    g->nr_status_frames > XP_GRANT_MAX_FRAMES) {
		err = xp_error_create(XP_ERR_RUNTIME, EINVAL,
				      "domain %u: implausible grant table size %u (max %u)", domid,
				      g->nr_frames, g->max_frames);
		goto fail;
	}
	g->per_frame = g->version == 1 ? XP_PAGE_SIZE / sizeof(grant_entry_v1_t)
				       : XP_PAGE_SIZE / sizeof(grant_entry_v2_t);
	g->nr_refs = g->nr_frames * g->per_frame;
	if (!g->nr_frames) {
		*out = g;
		return NULL;
	}
	err = xp_backend_grant_frames_map(be, domid, false, 0, g->nr_frames, &shared);
	if (!err && g->version == 2 && g->nr_status_frames)
		err = xp_backend_grant_frames_map(be, domid, true, 0, g->nr_status_frames, &status);
	if (err)
		goto fail;
	/* PV grant frames are MFNs: the M2P gives their pfns */
	err = xp_backend_m2p_map(be, &m2p, &m2p_nr);
	if (err) {
		xp_error_destroy(err);
		err = NULL;
		m2p = NULL;
	}
	for (ref = 0; ref < g->nr_refs; ref++) {
		struct xp_grant_entry e = {.ref = ref};

		if (g->version == 1) {
			const grant_entry_v1_t *v1 = (const grant_entry_v1_t *)shared + ref;

			e.flags = __atomic_load_n(&v1->flags, __ATOMIC_RELAXED);
			e.peer = __atomic_load_n(&v1->domid, __ATOMIC_RELAXED);
			e.frame = __atomic_load_n(&v1->frame, __ATOMIC_RELAXED);
			e.status = e.flags & (GTF_reading | GTF_writing);
		} else {
			const grant_entry_v2_t *v2 = (const grant_entry_v2_t *)shared + ref;
			uint32_t sref = ref;

			e.flags = __atomic_load_n(&v2->hdr.flags, __ATOMIC_RELAXED);
			e.peer = __atomic_load_n(&v2->hdr.domid, __ATOMIC_RELAXED);
			switch (e.flags & GTF_type_mask) {
			case GTF_transitive:
				e.trans_domid = __atomic_load_n(&v2->transitive.trans_domid,
								__ATOMIC_RELAXED);
				e.trans_gref =
					__atomic_load_n(&v2->transitive.gref, __ATOMIC_RELAXED);
				break;
			default:
				e.frame = __atomic_load_n(&v2->full_page.frame, __ATOMIC_RELAXED);
				if (e.flags & GTF_sub_page) {
					e.page_off = __atomic_load_n(&v2->sub_page.page_off,
								     __ATOMIC_RELAXED);
					e.length = __atomic_load_n(&v2->sub_page.length,
								   __ATOMIC_RELAXED);
				}
			}
			/* v2 keeps reading/writing in the status frames */
			if (status &&
			    sref / (XP_PAGE_SIZE / sizeof(grant_status_t)) < g->nr_status_frames)
				e.status = __atomic_load_n((const grant_status_t *)status + sref,
							   __ATOMIC_RELAXED);
		}
		if (!all_entries && !(e.flags & GTF_type_mask) && !e.status)
			continue;
		e.pfn = ~0ULL;
		if ((e.flags & GTF_type_mask) != GTF_transitive && m2p && e.frame < m2p_nr)
			e.pfn = __atomic_load_n(&m2p[e.frame], __ATOMIC_RELAXED);
		if (e.flags & GTF_type_mask) {
			g->in_use++;
			count_peer(g, e.peer);
		}
		if (e.status & GTF_reading)
			g->mapped_read++;
		if (e.status & GTF_writing)
			g->mapped_write++;
		err = add_entry(g, &cap, &e);
		if (err)
			goto fail;
	}
	xp_backend_grant_frames_unmap(be, shared, g->nr_frames);
	if (status)
		xp_backend_grant_frames_unmap(be, status, g->nr_status_frames);
	*out = g;
	return NULL;
fail:
	if (shared)
		xp_backend_grant_frames_unmap(be, shared, g->nr_frames);
	if (status)
		xp_backend_grant_frames_unmap(be, status, g->nr_status_frames);
	xp_grant_table_destroy(g);
	return err ? xp_error_wrap(err, "grant table of domain %u", domid) : NULL;
}

/* ------------------------------------------------------------- validation */

static const struct xp_domain_info *find_dom(const struct xp_domain_info *doms, size_t n,
					     uint32_t domid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (doms[i].domid == domid)
			return &doms[i];
	return NULL;
}

struct xp_error *xp_grants_check(struct xp_backend *be, uint32_t domid, struct xp_report *r)
{
	struct xp_domain_info *doms = NULL;
	struct xp_grant_table *g = NULL;
	uint64_t console = XP_INVALID_MFN, store = XP_INVALID_MFN;
	uint64_t *frames = NULL;
	uint32_t *refs = NULL;
	struct xp_error *err;
	size_t ndoms = 0, nf = 0, i;
	int *errs = NULL;
	char fl[96];

	err = xp_grants_read(be, domid, false, &g);
	if (err)
		return err;
	r->grants.checked = true;
	r->grants.version = g->version;
	r->grants.nr_frames = g->nr_frames;
	r->grants.max_frames = g->max_frames;
	r->grants.in_use = g->in_use;
	for (i = 0; i < g->count; i++)
		r->grants.mapped += !!(g->entries[i].status & (GTF_reading | GTF_writing));
	err = xp_backend_list_domains(be, &doms, &ndoms);
	if (err)
		goto out;
	err = xp_backend_toolstack_rings(be, domid, &console, &store);
	if (err && err->kind == XP_ERR_UNSUPPORTED) {
		xp_error_destroy(err);
		err = NULL;
	}
	if (err)
		goto out;
	/* the reserved entries: 0 is the console ring, 1 the xenstore ring */
	const struct {
		const char *name;
		uint64_t mfn;
	} rings[] = {{"console", console}, {"xenstore", store}};

	frames = malloc((g->count ? g->count : 1) * sizeof(*frames));
	refs = malloc((g->count ? g->count : 1) * sizeof(*refs));
	if (!frames || !refs) {
		err = xp_error_nomem();
		goto out;
	}
	for (i = 0; i < g->count; i++) {
		const struct xp_grant_entry *e = &g->entries[i];
		unsigned int type = e->flags & GTF_type_mask;
		struct xp_finding flags_bad = {
			.id = XP_F_GRANT_FLAGS_BAD,
			.level = "grant",
			.has = XP_LOC_INDEX | XP_LOC_ACTUAL,
			.index = e->ref,
			.actual = e->flags,
		};

		if ((e->status & (GTF_reading | GTF_writing)) &&
		    (type == GTF_invalid || type == GTF_accept_transfer))
			xp_report_addf(
				r, &flags_bad,
				"grant %u is %s but marked mapped (%s%s): Xen sets reading/writing "
				"only on permit_access and transitive entries",
				e->ref, xp_grant_type_name(e->flags),
				xp_grant_flags_str(e->flags, fl, sizeof(fl)),
				g->version == 2 ? ", status" : "");
		else if (type == GTF_permit_access && (e->flags & GTF_readonly) &&
			 (e->status & GTF_writing))
			xp_report_addf(r, &flags_bad,
				       "grant %u is read-only but mapped for writing (%s)", e->ref,
				       xp_grant_flags_str(e->flags, fl, sizeof(fl)));
		if (type == GTF_invalid)
			continue;
		if (!find_dom(doms, ndoms, e->peer)) {
			struct xp_finding f = {
				.id = XP_F_GRANT_PEER_MISSING,
				.level = "grant",
				.has = XP_LOC_INDEX | XP_LOC_ACTUAL,
				.index = e->ref,
				.actual = e->peer,
			};

			xp_report_addf(r, &f, "grant %u (%s) is to domain %u, which does not exist",
				       e->ref, xp_grant_type_name(e->flags), e->peer);
		}
		if (type == GTF_permit_access) {
			frames[nf] = e->frame;
			refs[nf] = e->ref;
			nf++;
		}
		if (e->ref < XP_ARRAY_SIZE(rings) && rings[e->ref].mfn != XP_INVALID_MFN &&
		    e->frame != rings[e->ref].mfn) {
			struct xp_finding f = {
				.id = XP_F_GRANT_RESERVED_MISMATCH,
				.level = "grant",
				.has = XP_LOC_INDEX | XP_LOC_MFN | XP_LOC_EXPECTED | XP_LOC_ACTUAL,
				.index = e->ref,
				.mfn = e->frame,
				.expected = rings[e->ref].mfn,
				.actual = e->frame,
			};

			xp_report_addf(r, &f,
				       "grant %u (%s) names frame 0x%" PRIx64
				       " but the toolstack recorded the %s ring at 0x%" PRIx64,
				       e->ref, rings[e->ref].name, e->frame, rings[e->ref].name,
				       rings[e->ref].mfn);
		}
	}
	/* a PV guest grants machine frames it owns: they must map as the guest */
	errs = malloc((nf ? nf : 1) * sizeof(*errs));
	if (!errs) {
		err = xp_error_nomem();
		goto out;
	}
	for (i = 0; i < nf; i += XP_BATCH) {
		size_t n = XP_MIN((size_t)XP_BATCH, nf - i), j;
		const void *addr = NULL;

		err = xp_backend_map_frames(be, domid, frames + i, n, errs, &addr);
		if (err)
			goto out;
		xp_backend_unmap_frames(be, addr, n);
		for (j = 0; j < n; j++)
			if (errs[j]) {
				struct xp_finding f = {
					.id = XP_F_GRANT_FRAME_NOT_OWNED,
					.level = "grant",
					.has = XP_LOC_INDEX | XP_LOC_MFN,
					.index = refs[i + j],
					.mfn = frames[i + j],
				};

				xp_report_addf(r, &f,
					       "grant %u gives access to frame 0x%" PRIx64
					       ", which domain %u does not own (%s)",
					       refs[i + j], frames[i + j], domid,
					       strerror(-errs[j]));
			}
	}
out:
	free(doms);
	free(frames);
	free(refs);
	free(errs);
	xp_grant_table_destroy(g);
	return err;
}
