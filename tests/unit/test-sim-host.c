// SPDX-License-Identifier: GPL-2.0
/* The host file and the frame allocator (src/sim/host.c, alloc.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "sim/host.h"
#include "tap.h"

static char dir[256];

static char *path_in(const char *name)
{
	static char buf[4][320];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static struct sim_host *fresh(const char *name, uint64_t bytes)
{
	struct sim_host *h = NULL;
	struct xp_error *err = sim_host_format(path_in(name), bytes, &h);

	if (err) {
		diag("format: %s", err->message);
		xp_error_destroy(err);
		return NULL;
	}
	err = sim_host_publish(h);
	if (err) {
		diag("publish: %s", err->message);
		xp_error_destroy(err);
	}
	return h;
}

static const char *open_error(const char *path)
{
	static char msg[512];
	struct sim_host *h = NULL;
	struct xp_error *err = sim_host_open(path, false, &h);

	if (!err) {
		sim_host_destroy(h);
		return "(opened)";
	}
	snprintf(msg, sizeof(msg), "%s", err->message);
	xp_error_destroy(err);
	return msg;
}

static void test_format(void)
{
	struct sim_host *h = fresh("a.host", 256ULL << 20), *h2 = NULL;
	struct xp_error *err;
	struct stat st;
	char expect[512];

	ok(h != NULL, "format a 256 MiB host");
	if (!h)
		return;
	is_u64(h->nr_frames, 65536, "256 MiB is 65536 frames");
	is_u64(h->hdr->nr_chunks, 64, "64 chunks of 1024 frames");
	is_u64(h->hdr->free_frames, 65536 - 1024, "Xen keeps the first chunk");
	is_int(sim_frame_owner(h->chunks, h->frames, 0), SIM_OWNER(SIM_DOMID_XEN),
	       "MFN 0 belongs to Xen");
	is_u64(h->m2p[5], SIM_M2P_INVALID, "Xen's frames have no M2P entry");
	is_int(sim_frame_owner(h->chunks, h->frames, 1024), SIM_OWNER_FREE, "MFN 1024 is free");
	is_u64(h->hdr->mem_off % SIM_MEM_ALIGN, 0, "memory starts 2 MiB aligned");
	is_u64(h->hdr->file_size, h->hdr->mem_off + (65536ULL << 12),
	       "file size = tables + memory");
	memset(&st, 0, sizeof(st));
	stat(path_in("a.host"), &st);
	ok((uint64_t)st.st_size == h->hdr->file_size, "the file has its full apparent size");
	ok((uint64_t)st.st_blocks * 512 < (1ULL << 20), "but is sparse (%llu bytes on disk)",
	   (unsigned long long)st.st_blocks * 512);
	ok(access(path_in("a.host.XXXXXX"), F_OK) != 0, "no temporary file left behind");

	err = sim_host_format(path_in("a.host"), 256ULL << 20, &h2);
	snprintf(expect, sizeof(expect), "%s: host file already exists", path_in("a.host"));
	is_str(err ? err->message : "", expect, "format refuses an existing file");
	xp_error_destroy(err);
	err = sim_host_format(path_in("b.host"), 100ULL << 20, &h2);
	is_str(err ? err->message : "",
	       "invalid host memory size 104857600 bytes: must be between 256 MiB and 8 TiB, in "
	       "steps of 4 MiB",
	       "format refuses a too small host");
	xp_error_destroy(err);
	err = sim_host_format(path_in("b.host"), (1ULL << 30) + 4096, &h2);
	ok(err && err->kind == XP_ERR_INVALID, "format refuses a size not in 4 MiB steps");
	xp_error_destroy(err);
	sim_host_destroy(h);

	is_str(open_error(path_in("a.host")), "(opened)", "the formatted host opens");
	snprintf(expect, sizeof(expect),
		 "%s: no such host file (create one with 'xenp2m-sim init %s')",
		 path_in("none.host"), path_in("none.host"));
	is_str(open_error(path_in("none.host")), expect, "a missing host file is named");
}

static void copy_file(const char *from, const char *to, uint64_t len)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp --sparse=always '%s' '%s'", from, to);
	if (system(cmd) != 0)
		diag("cp failed");
	if (len && truncate(to, (off_t)len) != 0)
		diag("truncate failed");
}

static void scribble(const char *path, off_t off, const void *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || pwrite(fd, bytes, n, off) != (ssize_t)n)
		diag("scribble failed");
	if (fd >= 0)
		close(fd);
}

static void test_corrupt_files(void)
{
	const char *good = path_in("a.host"), *bad = path_in("bad.host");
	char expect[512];
	struct stat st;
	uint32_t v;

	if (stat(good, &st) != 0)
		return;
	copy_file(good, bad, (uint64_t)st.st_size - 4096);
	snprintf(expect, sizeof(expect),
		 "%s: truncated or resized host file: %llu bytes, header says %llu", bad,
		 (unsigned long long)st.st_size - 4096, (unsigned long long)st.st_size);
	is_str(open_error(bad), expect, "truncated host file");

	unlink(bad);
	copy_file(good, bad, 100);
	snprintf(expect, sizeof(expect), "%s: file too short for a host header (100 bytes)", bad);
	is_str(open_error(bad), expect, "host file cut inside the header");

	unlink(bad);
	copy_file(good, bad, 0);
	scribble(bad, 0, "NOTAHOST", 8);
	snprintf(expect, sizeof(expect), "%s: not a xenp2m-sim host file (bad magic)", bad);
	is_str(open_error(bad), expect, "scribbled magic");

	unlink(bad);
	copy_file(good, bad, 0);
	scribble(bad, offsetof(struct sim_host_header, m2p_off), "\x01", 1);
	snprintf(expect, sizeof(expect), "%s: corrupt host file: header checksum mismatch", bad);
	is_str(open_error(bad), expect, "scribbled table offset");

	unlink(bad);
	copy_file(good, bad, 0);
	v = 7;
	scribble(bad, offsetof(struct sim_host_header, version), &v, 4);
	snprintf(expect, sizeof(expect), "%s: unsupported host file version 7 (this build reads 2)",
		 bad);
	is_str(open_error(bad), expect, "foreign version");
	unlink(bad);
}

static struct sim_domain *domain(struct sim_host *h, const char *name, uint64_t max_pages,
				 unsigned int width, uint64_t seed)
{
	struct sim_domain *d = NULL;
	struct xp_error *err = sim_domain_new(h, name, false, &d);

	if (err) {
		diag("%s", err->message);
		xp_error_destroy(err);
		return NULL;
	}
	d->max_pages = max_pages;
	d->width = width;
	sim_alloc_seed(d, seed);
	return d;
}

static void test_domains(void)
{
	struct sim_host *h = fresh("d.host", 256ULL << 20);
	struct sim_domain *a, *b, *c, *x = NULL;
	struct xp_error *err;
	struct sim_domain *snap;

	if (!h)
		return;
	a = domain(h, "alpha", 16, 8, 0);
	b = domain(h, "beta", 16, 8, 0);
	ok(a && b && a->domid == 1 && b->domid == 2, "domids start at 1 and increase");
	sim_domain_destroy(h, a);
	c = domain(h, "gamma", 16, 8, 0);
	is_int(c ? c->domid : 0, 3, "a destroyed domain's id is not reused");
	err = sim_domain_new(h, "beta", false, &x);
	is_str(err ? err->message : "", "a domain named 'beta' already exists (domid 2)",
	       "duplicate name refused");
	xp_error_destroy(err);
	err = sim_domain_new(h, "12", false, &x);
	ok(err && err->kind == XP_ERR_USAGE, "a numeric name is refused");
	xp_error_destroy(err);
	err = sim_domain_new(h, "a b", false, &x);
	ok(err && err->kind == XP_ERR_USAGE, "a name with a space is refused");
	xp_error_destroy(err);

	h->hdr->next_domid = SIM_DOMID_LAST;
	x = domain(h, "last", 16, 8, 0);
	is_int(x ? x->domid : 0, SIM_DOMID_LAST, "domid 0x7fef is handed out");
	x = domain(h, "wrapped", 16, 8, 0);
	is_int(x ? x->domid : 0, 1, "then ids wrap to 1");
	x = domain(h, "skips", 16, 8, 0);
	is_int(x ? x->domid : 0, 4, "skipping ids still in use (2, 3)");

	err = sim_domain_lookup(h, "gamma", &x);
	ok(!err && x == c, "lookup by name");
	err = sim_domain_lookup(h, "3", &x);
	ok(!err && x == c, "lookup by domid");
	err = sim_domain_lookup(h, "nosuch", &x);
	is_str(err ? err->message : "", "no domain named 'nosuch'", "unknown name");
	xp_error_destroy(err);
	err = sim_domain_lookup(h, "77", &x);
	is_str(err ? err->message : "", "no domain with id 77", "unknown domid");
	xp_error_destroy(err);

	snap = calloc(SIM_MAX_DOMAINS, sizeof(*snap));
	is_int(sim_domtab_read(h->hdr, h->doms, snap), 0, "seqlock read when idle");
	ok(strcmp(snap[1].name, "beta") == 0, "the snapshot holds the table");
	sim_domtab_begin(h);
	is_int(sim_domtab_read(h->hdr, h->doms, snap), -EBUSY,
	       "a reader gives up while a writer never finishes");
	sim_domtab_end(h);
	is_u64(h->hdr->domtab_seq % 2, 0, "the sequence is even again");
	free(snap);
	sim_host_destroy(h);
}

static bool m2p_consistent(struct sim_host *h, const struct sim_runs *r, uint16_t owner)
{
	size_t i;
	uint64_t k;

	for (i = 0; i < r->n; i++)
		for (k = 0; k < r->v[i].len; k++) {
			uint64_t pfn = r->v[i].pfn + k;
			uint64_t mfn = sim_runs_lookup(r, pfn);

			if (mfn >= h->nr_frames || h->m2p[mfn] != pfn ||
			    sim_frame_owner(h->chunks, h->frames, mfn) != owner)
				return false;
		}
	return true;
}

static void test_alloc(void)
{
	struct sim_host *h = fresh("m.host", 256ULL << 20), *h2 = fresh("m2.host", 256ULL << 20);
	struct sim_runs r1 = {0}, r2 = {0}, r3 = {0};
	struct sim_domain *a, *b, *c;
	struct xp_error *err;
	uint64_t free0, mfn, pfn, xen, old_m2p;
	size_t i, down = 0, same = 0;
	struct stat st;
	bool identity = true;

	if (!h || !h2)
		return;
	free0 = h->hdr->free_frames;
	a = domain(h, "a", 20000, 8, 42);
	err = sim_populate_bulk(h, a, 0, 16384, &r1);
	ok(!err, "populate 16384 pages");
	is_u64(a->tot_pages, 16384, "tot_pages counts them");
	is_u64(h->hdr->free_frames, free0 - 16384, "the host's free count drops");
	ok(r1.n > 4, "in several runs (%zu)", r1.n);
	ok(m2p_consistent(h, &r1, SIM_OWNER(a->domid)), "M2P[p2m[pfn]] == pfn, owner set");
	for (i = 0; i < r1.n; i++) {
		if (r1.v[i].dir < 0)
			down++;
		if (r1.v[i].mfn != r1.v[i].pfn)
			identity = false;
	}
	ok(down > 0 && down < r1.n, "some runs descend, some ascend (%zu of %zu)", down, r1.n);
	ok(!identity, "MFNs are not a trivial function of pfns");

	b = domain(h2, "a", 20000, 8, 42);
	err = sim_populate_bulk(h2, b, 0, 16384, &r2);
	for (i = 0; !err && i < r1.n && i < r2.n; i++)
		if (r1.v[i].pfn != r2.v[i].pfn || r1.v[i].mfn != r2.v[i].mfn ||
		    r1.v[i].len != r2.v[i].len || r1.v[i].dir != r2.v[i].dir)
			break;
	ok(!err && r2.n == r1.n && i == r1.n,
	   "the same seed on the same host state gives the same frames");
	sim_free_domain_frames(h2, b);
	sim_alloc_seed(b, 43);
	err = sim_populate_bulk(h2, b, 0, 16384, &r3);
	for (i = 0; !err && i < 64; i++)
		if (sim_runs_lookup(&r3, i) == sim_runs_lookup(&r1, i))
			same++;
	ok(!err && same < 64, "another seed gives other frames");

	/* single pages continue the domain's pattern */
	is_int(sim_populate_one(h, a, 16384, &mfn), 0, "populate one page");
	is_u64(h->m2p[mfn], 16384, "its M2P entry is set");
	is_u64(a->tot_pages, 16385, "and counted");
	a->max_pages = a->tot_pages;
	is_int(sim_populate_one(h, a, 16385, &mfn), -ENOMEM, "no page past max_pages");
	err = sim_populate_bulk(h, a, 16385, 2, NULL);
	is_str(err ? err->message : "",
	       "populating 2 pages would exceed the domain's limit of 16385 pages",
	       "no bulk populate past max_pages");
	xp_error_destroy(err);

	/* freeing */
	pfn = 100;
	mfn = sim_runs_lookup(&r1, pfn);
	memset(sim_frame_ptr(h, mfn), 0xab, SIM_PAGE_SIZE);
	sim_frame_mark_written(h, mfn);
	old_m2p = h->m2p[mfn];
	is_int(sim_free_frame(h, a, mfn), 0, "free a frame");
	is_int(sim_frame_owner(h->chunks, h->frames, mfn), SIM_OWNER_FREE, "it is free");
	is_u64(h->m2p[mfn], old_m2p, "its M2P entry is left stale, as Xen does");
	is_int(((uint8_t *)sim_frame_ptr(h, mfn))[17], 0, "its contents are scrubbed");
	is_u64(a->tot_pages, 16384, "tot_pages drops");
	is_int(sim_free_frame(h, a, mfn), -EPERM, "a frame not owned cannot be freed");
	xen = 7;
	is_int(sim_free_frame(h, a, xen), -EPERM, "nor Xen's");
	mfn = sim_runs_lookup(&r1, 200);
	h->frames[mfn].type |= 1;
	is_int(sim_free_frame(h, a, mfn), -EBUSY, "nor a pinned page table");
	h->frames[mfn].type &= (uint8_t)~SIM_FT_PIN_MASK;

	err = sim_alloc_xenheap(h, a, &mfn);
	ok(!err && sim_frame_owner(h->chunks, h->frames, mfn) == SIM_OWNER(a->domid) &&
		   (h->frames[mfn].type & SIM_FT_XENHEAP),
	   "a xenheap page is the domain's");
	is_u64(h->m2p[mfn], SIM_M2P_INVALID, "with an invalid M2P entry");
	is_u64(a->tot_pages, 16384, "not counted in tot_pages");

	c = domain(h, "c", 1ULL << 20, 8, 1);
	err = sim_populate_bulk(h, c, 0, h->hdr->free_frames + 1, NULL);
	ok(err && strncmp(err->message, "out of host memory: ", 20) == 0,
	   "out of host memory is refused up front");
	xp_error_destroy(err);
	is_u64(c->tot_pages, 0, "and allocates nothing");

	sim_free_domain_frames(h, a);
	is_u64(a->tot_pages, 0, "destroying frees every frame");
	is_u64(h->hdr->free_frames, free0, "the host gets them all back");
	for (i = 1; i < h->hdr->nr_chunks; i++)
		if (h->chunks[i].used)
			break;
	is_u64(i, h->hdr->nr_chunks, "every chunk is empty again");
	memset(&st, 0, sizeof(st));
	stat(path_in("m.host"), &st);
	ok(st.st_size && (uint64_t)st.st_blocks * 512 < (2ULL << 20),
	   "the file is sparse again (%llu bytes on disk)", (unsigned long long)st.st_blocks * 512);

	sim_runs_free(&r1);
	sim_runs_free(&r2);
	sim_runs_free(&r3);
	sim_host_destroy(h);
	sim_host_destroy(h2);
}

static void test_32bit_limit(void)
{
	/* a 32-bit PV guest's frames stay below 128 GiB, as Xen keeps them */
	struct sim_host *h = fresh("big.host", 512ULL << 30);
	struct sim_runs r = {0};
	struct sim_domain *d;
	struct xp_error *err;
	uint64_t max = 0, mfn;
	size_t i;

	if (!h)
		return;
	d = domain(h, "pae", 65536, 4, 3);
	err = sim_populate_bulk(h, d, 0, 65536, &r);
	ok(!err, "populate a 32-bit guest on a 512 GiB host");
	for (i = 0; i < r.n; i++)
		max = XP_MAX(max, XP_MAX(r.v[i].mfn, r.v[i].dir > 0 ? r.v[i].mfn + r.v[i].len - 1
								    : r.v[i].mfn));
	ok(max < (128ULL << 30) >> 12, "its highest MFN %#llx is below 128 GiB",
	   (unsigned long long)max);
	err = sim_alloc_xenheap(h, d, &mfn);
	ok(!err && mfn < (4ULL << 30) >> 12, "its shared_info is below 4 GiB");
	sim_runs_free(&r);
	sim_host_destroy(h);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[300];

	snprintf(dir, sizeof(dir), "%s/test-sim-host.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP cannot create a temporary directory\n");
		return 0;
	}
	test_format();
	test_corrupt_files();
	test_domains();
	test_alloc();
	test_32bit_limit();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("cleanup failed");
	return tap_done();
}
