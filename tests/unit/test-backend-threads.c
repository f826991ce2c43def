// SPDX-License-Identifier: GPL-2.0
/*
 * The backends' threading contract (backend.h): one handle per thread, or
 * a clone, and the handles share nothing.  On a simulated host, several
 * threads -- one with a handle opened on its own, the others with clones of
 * the main thread's -- read everything a reader reads (domains, vcpu cr3,
 * rings, grant-table sizes and frames, every frame of every domain and its
 * M2P entry) at the same time, and each of their results must equal a
 * single-threaded run's.  Then they all map, write and unmap grants at the
 * same time, and leave one mapped for destroy to clean up.
 *
 * Built twice: plainly (and under ASan/UBSan by make check-sanitize), and
 * as test-backend-threads-tsan with ThreadSanitizer over the backend, the
 * host library and lib/ (tests/scenario/threads-tsan.sh runs it).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "sim/toolstack/toolstack.h"
#include "tap.h"

/* after backend.h: xen.h defines console_mfn as a macro */
#include "lib/xen-abi.h"

#define NR_THREADS 4
#define NR_ROUNDS 3
#define NR_GUESTS 3
#define GRANTS_PER_THREAD 2 /* of each guest */
#define BATCH 1024

static char path[300];

/* What one reader saw of the whole host. */
struct digest {
	uint64_t nr_domains;
	uint64_t info;	      /* domids, names, sizes, flags */
	uint64_t frames;      /* frames each domain may map */
	uint64_t frames_hash; /* their MFNs, M2P entries and first bytes */
	uint64_t grant_hash;  /* grant-table sizes and frames */
	uint64_t rings_cr3;   /* toolstack rings and vcpu0's cr3 */
	uint64_t left_mapped; /* what the handle still had mapped after */
	char error[160];
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t mix_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = mix(h, b[i]);
	return h;
}

static bool fail(struct digest *d, struct xp_error *err)
{
	if (!err)
		return false;
	snprintf(d->error, sizeof(d->error), "%.*s", (int)sizeof(d->error) - 1, err->message);
	xp_error_destroy(err);
	return true;
}

/* Every frame domain @domid may map, in batches over the host's MFNs. */
static bool read_frames(struct xp_backend *be, uint32_t domid, const uint64_t *m2p,
			uint64_t max_mfn, struct digest *d)
{
	uint64_t mfns[BATCH], base;
	int errs[BATCH];
	size_t i, n;

	for (base = 0; base < max_mfn; base += n) {
		const unsigned char *p = NULL;

		n = (size_t)(max_mfn - base < BATCH ? max_mfn - base : BATCH);
		for (i = 0; i < n; i++)
			mfns[i] = base + i;
		if (fail(d, xp_backend_map_frames(be, domid, mfns, n, errs, (const void **)&p)))
			return false;
		for (i = 0; i < n; i++) {
			if (errs[i])
				continue;
			d->frames++;
			d->frames_hash = mix(d->frames_hash, mfns[i]);
			d->frames_hash = mix(d->frames_hash, m2p[mfns[i]]);
			d->frames_hash = mix_bytes(d->frames_hash, p + i * XP_PAGE_SIZE, 64);
		}
		xp_backend_unmap_frames(be, p, n);
	}
	return true;
}

static bool read_grants(struct xp_backend *be, uint32_t domid, struct digest *d)
{
	unsigned int v = 0, nr = 0, ns = 0, max = 0;
	const void *p = NULL;

	if (fail(d, xp_backend_grant_table_info(be, domid, &v, &nr, &ns, &max)))
		return false;
	d->grant_hash = mix(mix(mix(mix(d->grant_hash, v), nr), ns), max);
	if (fail(d, xp_backend_grant_frames_map(be, domid, false, 0, nr, &p)))
		return false;
	d->grant_hash = mix_bytes(d->grant_hash, p, (size_t)nr * XP_PAGE_SIZE);
	xp_backend_grant_frames_unmap(be, p, nr);
	if (ns) {
		if (fail(d, xp_backend_grant_frames_map(be, domid, true, 0, ns, &p)))
			return false;
		d->grant_hash = mix_bytes(d->grant_hash, p, (size_t)ns * XP_PAGE_SIZE);
		xp_backend_grant_frames_unmap(be, p, ns);
	}
	return true;
}

/*
 * Everything about the host, the domains in an order that depends on
 * @start (so that threads work on different domains at the same moment);
 * each domain is digested on its own and the digests are summed, so the
 * order does not change the result.
 */
static void read_host(struct xp_backend *be, unsigned int start, struct digest *d)
{
	struct xp_domain_info *doms = NULL, info;
	struct xp_backend_mappings m;
	struct xp_host_info host;
	const uint64_t *m2p;
	uint64_t nr, cr3, console, store;
	size_t n = 0, k;

	memset(d, 0, sizeof(*d));
	if (fail(d, xp_backend_host_info(be, &host)) ||
	    fail(d, xp_backend_m2p_map(be, &m2p, &nr)) ||
	    fail(d, xp_backend_list_domains(be, &doms, &n)))
		return;
	d->nr_domains = n;
	for (k = 0; k < n; k++) {
		struct digest one = {0};

		if (fail(d, xp_backend_domain_info(be, doms[(k + start) % n].domid, &info)))
			break;
		one.info = mix_bytes(one.info, &info.domid, sizeof(info.domid));
		one.info = mix_bytes(one.info, info.name, sizeof(info.name));
		one.info = mix(mix(one.info, info.tot_pages), info.max_pages);
		one.info = mix(mix(one.info, info.shared_info_frame), info.paused);
		if (fail(d, xp_backend_vcpu_cr3(be, info.domid, 0, &cr3)) ||
		    fail(d, xp_backend_toolstack_rings(be, info.domid, &console, &store)))
			break;
		one.rings_cr3 = mix(mix(mix(one.rings_cr3, cr3), console), store);
		if (!read_grants(be, info.domid, &one) ||
		    !read_frames(be, info.domid, m2p, host.max_mfn, &one)) {
			memcpy(d->error, one.error, sizeof(d->error));
			break;
		}
		d->info += one.info;
		d->rings_cr3 += one.rings_cr3;
		d->grant_hash += one.grant_hash;
		d->frames += one.frames;
		d->frames_hash += one.frames_hash;
	}
	free(doms);
	xp_backend_mappings(be, &m);
	d->left_mapped = m.frames + m.grant_frames + m.grants;
}

struct worker {
	pthread_t thread;
	unsigned int id;
	struct xp_backend *be; /* a clone; NULL: open one */
	struct digest seen[NR_ROUNDS];
	/* the grant phase */
	uint32_t domid[NR_GUESTS];
	uint32_t refs[NR_GUESTS][GRANTS_PER_THREAD];
	unsigned int grants_done;
	char grant_error[160];
	pthread_barrier_t *start;
};

static void *reader(void *arg)
{
	struct worker *w = arg;
	unsigned int r;

	pthread_barrier_wait(w->start);
	for (r = 0; r < NR_ROUNDS; r++)
		read_host(w->be, w->id + r, &w->seen[r]);
	return NULL;
}

/* Map each of its grants read-write, write its mark, read it back, unmap. */
static void *granter(void *arg)
{
	struct worker *w = arg;
	struct xp_error *err = NULL;
	unsigned int g, k, round;
	void *p = NULL;

	pthread_barrier_wait(w->start);
	for (round = 0; round < NR_ROUNDS && !err; round++) {
		for (g = 0; g < NR_GUESTS && !err; g++) {
			for (k = 0; k < GRANTS_PER_THREAD && !err; k++) {
				volatile unsigned char *b;

				err = xp_backend_grant_map(w->be, w->domid[g], w->refs[g][k], false,
							   &p);
				if (err)
					break;
				b = p;
				b[w->id] = (unsigned char)(0xa0 + w->id);
				if (b[w->id] == 0xa0 + w->id)
					w->grants_done++;
				err = xp_backend_grant_unmap(w->be, p);
			}
		}
	}
	/* one left mapped, for destroying the handle to unmap */
	if (!err)
		err = xp_backend_grant_map(w->be, w->domid[0], w->refs[0][0], true, &p);
	if (err) {
		snprintf(w->grant_error, sizeof(w->grant_error), "%.*s",
			 (int)sizeof(w->grant_error) - 1, err->message);
		xp_error_destroy(err);
	}
	return NULL;
}

static bool build(uint32_t *guests, uint32_t refs[NR_THREADS][NR_GUESTS][GRANTS_PER_THREAD],
		  uint64_t *frames)
{
	struct sim_create_args a0 = {.name = "Domain-0",
				     .memory = 64ULL << 20,
				     .width = 8,
				     .layout = GK_LAYOUT_LIST,
				     .dom0 = true};
	static const struct {
		const char *name;
		uint64_t memory;
		unsigned int width, gnttab;
		enum gk_layout layout;
	} g[NR_GUESTS] = {
		{"list64", 64ULL << 20, 8, 1, GK_LAYOUT_LIST},
		{"tree32", 32ULL << 20, 4, 1, GK_LAYOUT_TREE},
		{"only64", 48ULL << 20, 8, 2, GK_LAYOUT_LIST_ONLY},
	};
	uint32_t all[NR_THREADS * GRANTS_PER_THREAD];
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;
	unsigned int i, t, k;

	err = sim_host_format(path, 512ULL << 20, &h);
	if (!err)
		err = sim_domain_create(h, &a0, &d);
	for (i = 0; !err && i < NR_GUESTS; i++) {
		struct sim_create_args a = {.name = g[i].name,
					    .memory = g[i].memory,
					    .width = g[i].width,
					    .layout = g[i].layout,
					    .gnttab_version = g[i].gnttab,
					    .seed = i + 1};

		err = sim_domain_create(h, &a, &d);
		if (!err) {
			guests[i] = d->domid;
			err = sim_domain_grant(h, d, 0, false, NR_THREADS * GRANTS_PER_THREAD, all);
		}
		for (t = 0; !err && t < NR_THREADS; t++)
			for (k = 0; k < GRANTS_PER_THREAD; k++)
				refs[t][i][k] = all[t * GRANTS_PER_THREAD + k];
	}
	if (!err)
		err = sim_host_publish(h);
	*frames = h ? h->nr_frames : 0;
	sim_host_destroy(h);
	if (err) {
		diag("%s", err->message);
		xp_error_destroy(err);
		return false;
	}
	return true;
}

/* The grant entries' flags (v1) and status (v2) of every guest, summed. */
static unsigned int busy_entries(const uint32_t *guests)
{
	struct sim_host *h = NULL;
	unsigned int i, ref, busy = 0;

	if (sim_host_open(path, true, &h))
		return ~0U;
	for (i = 0; i < NR_GUESTS; i++) {
		struct sim_domain *d = sim_domain_by_id(h, guests[i]);

		for (ref = 8; d && ref < sim_gnttab_nr_entries(d); ref++) {
			struct sim_gnt_entry e;

			if (sim_gnttab_get_entry(h, d, ref, &e) == 0 &&
			    ((e.flags | e.status) & (GTF_reading | GTF_writing)))
				busy++;
		}
	}
	sim_host_destroy(h);
	return busy;
}

static bool same(const struct digest *a, const struct digest *b)
{
	return !a->error[0] && !b->error[0] && a->nr_domains == b->nr_domains &&
	       a->info == b->info && a->frames == b->frames && a->frames_hash == b->frames_hash &&
	       a->grant_hash == b->grant_hash && a->rings_cr3 == b->rings_cr3;
}

int main(void)
{
	static uint32_t refs[NR_THREADS][NR_GUESTS][GRANTS_PER_THREAD];
	const char *tmp = getenv("TMPDIR");
	struct worker w[NR_THREADS];
	pthread_barrier_t start;
	struct xp_backend *be = NULL;
	struct digest ref;
	uint32_t guests[NR_GUESTS];
	uint64_t frames = 0;
	unsigned int t, r, i, agree = 0, clean = 0, done = 0;
	struct xp_error *err;

	snprintf(path, sizeof(path), "%s/test-backend-threads.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkstemp(path) < 0) {
		printf("1..0 # SKIP no temporary file\n");
		return 0;
	}
	unlink(path);
	if (!build(guests, refs, &frames))
		return 1;
	err = xp_backend_open("sim", path, &be);
	if (err) {
		diag("%s", err->message);
		return 1;
	}

	/* the single-threaded run */
	read_host(be, 0, &ref);
	ok(!ref.error[0], "one thread reads the whole host");
	if (ref.error[0])
		diag("%s", ref.error);
	ok(ref.nr_domains == 1 + NR_GUESTS && ref.frames > 4 * 4096 && ref.frames < frames,
	   "%" PRIu64 " domains, %" PRIu64 " frames they may map", ref.nr_domains, ref.frames);
	is_u64(ref.left_mapped, 0, "and leaves nothing mapped");

	/* readers: thread 0 opens its own handle, the others use clones */
	pthread_barrier_init(&start, NULL, NR_THREADS);
	memset(w, 0, sizeof(w));
	for (t = 0; t < NR_THREADS; t++) {
		w[t].id = t;
		w[t].start = &start;
		err = t ? xp_backend_clone(be, &w[t].be) : xp_backend_open(NULL, path, &w[t].be);
		if (err) {
			diag("%s", err->message);
			return 1;
		}
	}
	for (t = 0; t < NR_THREADS; t++)
		pthread_create(&w[t].thread, NULL, reader, &w[t]);
	for (t = 0; t < NR_THREADS; t++)
		pthread_join(w[t].thread, NULL);
	for (t = 0; t < NR_THREADS; t++) {
		for (r = 0; r < NR_ROUNDS; r++) {
			agree += same(&w[t].seen[r], &ref);
			clean += w[t].seen[r].left_mapped == 0;
			if (w[t].seen[r].error[0])
				diag("thread %u: %s", t, w[t].seen[r].error);
		}
	}
	is_int(agree, NR_THREADS * NR_ROUNDS,
	       "%u threads x %u rounds at once: each saw exactly what one thread sees", NR_THREADS,
	       NR_ROUNDS);
	is_int(clean, NR_THREADS * NR_ROUNDS, "and each handle was left with nothing mapped");

	/* the same handles map, write and unmap grants at once */
	for (t = 0; t < NR_THREADS; t++) {
		for (i = 0; i < NR_GUESTS; i++) {
			w[t].domid[i] = guests[i];
			memcpy(w[t].refs[i], refs[t][i], sizeof(w[t].refs[i]));
		}
		pthread_create(&w[t].thread, NULL, granter, &w[t]);
	}
	for (t = 0; t < NR_THREADS; t++) {
		pthread_join(w[t].thread, NULL);
		if (w[t].grant_error[0])
			diag("thread %u: %s", t, w[t].grant_error);
		done += w[t].grants_done;
	}
	is_int(done, NR_THREADS * NR_ROUNDS * NR_GUESTS * GRANTS_PER_THREAD,
	       "every thread mapped, wrote and read back each of its grants, every round");
	is_int(busy_entries(guests), NR_THREADS, "one grant per thread is still mapped");
	for (t = 0; t < NR_THREADS; t++) {
		struct xp_backend_mappings m;

		xp_backend_mappings(w[t].be, &m);
		ok(m.grants == 1 && m.frames == 0 && m.grant_frames == 0,
		   "thread %u's handle counts its one grant", t);
		xp_backend_destroy(w[t].be);
	}
	is_int(busy_entries(guests), 0, "destroying the handles unmapped them");
	xp_backend_destroy(be);
	pthread_barrier_destroy(&start);
	unlink(path);
	return tap_done();
}
