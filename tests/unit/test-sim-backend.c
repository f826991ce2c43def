// SPDX-License-Identifier: GPL-2.0
/*
 * The inspector's sim backend (src/backend/sim.c) over a host file built
 * with the simulator's own host layer (no guest kernel needed).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend/backend.h"
#include "lib/util.h"
#include "sim/host.h"
#include "tap.h"

static char dir[256], path[320];
static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, 1);
}

/* Does reading the byte at @p fault? */
static bool faults(const volatile uint8_t *p)
{
	struct sigaction sa = {.sa_handler = on_fault}, old_segv, old_bus;
	bool faulted;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(fault_jmp, 1) == 0) {
		(void)*p;
		faulted = false;
	} else {
		faulted = true;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return faulted;
}

static struct sim_domain *guest(struct sim_host *h, const char *name, uint64_t pages,
				struct sim_runs *runs)
{
	struct sim_domain *d = NULL;
	struct xp_error *err = sim_domain_new(h, name, false, &d);

	if (!err) {
		d->max_pages = pages;
		d->width = 8;
		sim_alloc_seed(d, 7);
		err = sim_populate_bulk(h, d, 0, pages, runs);
	}
	if (!err)
		err = sim_alloc_xenheap(h, d, &d->shared_info_mfn);
	if (err) {
		diag("%s", err->message);
		xp_error_destroy(err);
		return NULL;
	}
	d->vcpu_cr3[0] = sim_runs_lookup(runs, 3);
	sim_domain_set_flags(h, d, 0, SIM_DOMF_PAUSED);
	return d;
}

/* The file $XENP2M_SIM_AUDIT names, as one string. */
static const char *slurp(const char *file)
{
	static char buf[512];
	FILE *f = fopen(file, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* The table of backends and the selection rules (backend.h). */
static void test_selection(void)
{
	struct xp_backend *be = NULL;
	struct xp_error *err;
	char names[64] = "", missing[400], expect[1024];
	size_t i;

	for (i = 0; i < xp_backend_nr_classes; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? " " : "",
			 xp_backend_classes[i]->name);
	is_str(names, "xen sim", "the backends, the running host first");
	ok(xp_backend_class_find("sim") == &xp_backend_sim &&
		   xp_backend_class_find("xen") == &xp_backend_xen &&
		   !xp_backend_class_find("core"),
	   "found by name");
	ok(!xp_backend_sim.probe(path) && xp_backend_sim.file,
	   "sim probes a host file and takes it");

	err = xp_backend_open("core", path, &be);
	is_str(err ? err->message : "", "no backend named 'core'", "an unknown backend name");
	ok(err && err->kind == XP_ERR_USAGE && !be, "is a usage error, and opens nothing");
	xp_error_destroy(err);

	err = xp_backend_open(NULL, path, &be);
	ok(!err && be && strcmp(be->ops->name, "sim") == 0, "a host file, unnamed: sim takes it");
	xp_error_destroy(err);
	xp_backend_destroy(be);
	be = NULL;

	snprintf(missing, sizeof(missing), "%s/nohost", dir);
	snprintf(expect, sizeof(expect),
		 "%s: no such simulated host (create one with 'xenp2m-sim init %s')", missing,
		 missing);
	err = xp_backend_open(NULL, missing, &be);
	is_str(err ? err->message : "", expect,
	       "a file no backend takes: the first file backend's refusal");
	xp_error_destroy(err);
	err = xp_backend_open("sim", NULL, &be);
	is_str(err ? err->message : "",
	       "the sim backend reads a simulated host file (--sim=HOSTFILE)",
	       "sim without a file");
	xp_error_destroy(err);
	err = xp_backend_open("xen", path, &be);
#ifdef HAVE_XEN
	snprintf(expect, sizeof(expect), "%s: the xen backend reads the running host, not a file",
		 path);
#else
	snprintf(expect, sizeof(expect),
		 "this xenp2m was built without the Xen backend; "
		 "try the simulated host with --sim=HOSTFILE");
#endif
	is_str(err ? err->message : "", expect, "xen with a file");
	xp_error_destroy(err);
	if (access("/dev/xen/privcmd", F_OK) == 0) {
		ok(1, "# SKIP this machine runs Xen: the running host would open");
	} else {
		err = xp_backend_open(NULL, NULL, &be);
		ok(err && err->kind == XP_ERR_UNAVAILABLE &&
			   strstr(err->message, "try the simulated host with --sim=HOSTFILE"),
		   "no Xen, no file: Xen's refusal, which suggests --sim");
		xp_error_destroy(err);
	}
	ok(!be, "no handle from any failure");
}

/* A clone works on its own, and outlives its parent. */
static void test_clone(uint64_t own_mfn)
{
	struct xp_backend *be = NULL, *c = NULL;
	struct xp_domain_info *infos = NULL;
	struct xp_backend_mappings m;
	struct xp_error *err;
	const uint64_t *m2p;
	const void *addr;
	char audit[400];
	size_t count = 0;
	uint64_t n = 0;
	int e = -1;

	err = xp_backend_sim_open(path, &be);
	if (!err)
		err = xp_backend_clone(be, &c);
	ok(!err && c && c != be && c->priv != be->priv && c->ops == be->ops,
	   "a clone is a handle of its own");
	xp_error_destroy(err);
	if (!c) {
		xp_backend_destroy(be);
		return;
	}
	ok(!xp_backend_map_frames(be, 1, &own_mfn, 1, &e, &addr) && e == 0,
	   "the parent maps a frame");
	xp_backend_mappings(c, &m);
	is_int(m.frames, 0, "which the clone does not count");
	xp_backend_unmap_frames(be, addr, 1);
	xp_backend_destroy(be);
	err = xp_backend_list_domains(c, &infos, &count);
	ok(!err && count == 2, "the clone lists the domains after its parent is destroyed");
	free(infos);
	err = xp_backend_m2p_map(c, &m2p, &n);
	ok(!err && n == 65536 && m2p[own_mfn] == 10, "and maps the M2P");
	ok(!xp_backend_map_frames(c, 1, &own_mfn, 1, &e, &addr) && e == 0, "and frames");
	xp_backend_mappings(c, &m);
	ok(m.frames == 1 && m.grant_frames == 0 && m.grants == 0, "one region counted");

	/* destroying it with the region still mapped: the audit says so */
	snprintf(audit, sizeof(audit), "%s/audit", dir);
	setenv("XENP2M_SIM_AUDIT", audit, 1);
	xp_backend_destroy(c);
	unsetenv("XENP2M_SIM_AUDIT");
	is_str(slurp(audit),
	       "left frames=1 grant_frames=0 grants=0; after cleanup frames=1 grant_frames=0 "
	       "grants=0\n",
	       "$XENP2M_SIM_AUDIT: the region the caller left");
	munmap((void *)addr, SIM_PAGE_SIZE);
}

int main(void)
{
	struct sim_runs ra = {0}, rb = {0};
	struct xp_domain_info *infos = NULL, info;
	struct sim_domain *a, *b;
	struct xp_host_info hi;
	struct xp_backend *be = NULL;
	struct xp_error *err;
	struct sim_host *h = NULL;
	const uint64_t *m2p;
	const void *addr;
	const uint8_t *p;
	uint64_t mfns[6], n, cr3, run_mfn = 0;
	const char *tmp = getenv("TMPDIR");
	char cmd[400], expect[1024];
	size_t count = 0, i;
	int errs[6];

	snprintf(dir, sizeof(dir), "%s/test-sim-backend.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP cannot create a temporary directory\n");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/b.host", dir);

	err = xp_backend_sim_open(path, &be);
	snprintf(expect, sizeof(expect),
		 "%s: no such simulated host (create one with 'xenp2m-sim init %s')", path, path);
	is_str(err ? err->message : "", expect, "a missing host file is named");
	is_int(err ? xp_error_exit_code(err) : 0, XP_EXIT_UNAVAILABLE, "and is exit code 4");
	xp_error_destroy(err);

	err = sim_host_format(path, 256ULL << 20, &h);
	if (!err)
		err = sim_host_publish(h);
	if (err) {
		diag("%s", err->message);
		return 1;
	}
	a = guest(h, "alpha", 4096, &ra);
	b = guest(h, "beta", 1024, &rb);
	sim_domain_set_flags(h, b, SIM_DOMF_PAUSED, 0);
	ok(a && b, "two domains on the host");

	err = xp_backend_sim_open(path, &be);
	ok(!err, "the backend opens the host while the simulator holds it");
	if (err) {
		diag("%s", err->message);
		return 1;
	}
	err = xp_backend_host_info(be, &hi);
	ok(!err && hi.max_mfn == 65536, "host_info: max_mfn is the host's frame count");
	ok(!err && hi.xen_major == 4 && hi.xen_minor == 17 && strcmp(hi.backend, "sim") == 0,
	   "host_info: Xen 4.17, backend sim");

	err = xp_backend_list_domains(be, &infos, &count);
	ok(!err && count == 2, "list_domains: two domains");
	if (!err && count == 2) {
		is_int(infos[0].domid, 1, "sorted by domid");
		is_str(infos[0].name, "alpha", "with names");
		is_int(infos[1].domid, 2, "second domid");
		is_int(infos[0].type, XP_DOMAIN_PV, "PV");
		is_int(infos[0].guest_width, 8, "64-bit");
		is_u64(infos[0].tot_pages, 4096, "tot_pages");
		is_u64(infos[0].max_pages, 4096, "max_pages");
		is_u64(infos[0].shared_info_frame, a->shared_info_mfn, "shared_info frame");
		ok(!infos[0].paused && infos[1].paused, "paused flags");
		ok(memcmp(infos[0].handle, a->handle, 16) == 0 && (infos[0].handle[6] >> 4) == 4,
		   "a version-4 handle");
	}
	free(infos);

	err = xp_backend_domain_info(be, 2, &info);
	ok(!err && strcmp(info.name, "beta") == 0 && info.tot_pages == 1024, "domain_info");
	err = xp_backend_domain_info(be, 9, &info);
	is_str(err ? err->message : "", "no domain with id 9", "domain_info: unknown domid");
	is_int(err ? err->kind : 0, XP_ERR_NODOMAIN, "is XP_ERR_NODOMAIN");
	xp_error_destroy(err);
	err = xp_backend_resolve(be, "beta", &info);
	ok(!err && info.domid == 2, "resolve by name");

	err = xp_backend_vcpu_cr3(be, 1, 0, &cr3);
	ok(!err && cr3 == a->vcpu_cr3[0], "vcpu_cr3");
	err = xp_backend_vcpu_cr3(be, 1, 1, &cr3);
	is_str(err ? err->message : "", "domain 1 has no vcpu 1", "vcpu_cr3: no such vcpu");
	xp_error_destroy(err);

	err = xp_backend_m2p_map(be, &m2p, &n);
	ok(!err && n == 65536, "m2p_map: one entry per frame");
	ok(!err && m2p[sim_runs_lookup(&ra, 10)] == 10, "m2p_map: entries are the live M2P");

	/* find two pfns whose frames are contiguous, to see runs coalesce */
	for (i = 0; i < ra.n; i++)
		if (ra.v[i].len >= 2 && ra.v[i].dir > 0) {
			run_mfn = ra.v[i].mfn;
			break;
		}
	mfns[0] = sim_runs_lookup(&ra, 0);
	mfns[1] = sim_runs_lookup(&rb, 0); /* beta's */
	mfns[2] = run_mfn;
	mfns[3] = run_mfn + 1;
	mfns[4] = 1ULL << 40; /* beyond the host */
	mfns[5] = a->shared_info_mfn;
	memset(sim_frame_ptr(h, mfns[0]), 0x11, SIM_PAGE_SIZE);
	memset(sim_frame_ptr(h, mfns[2]), 0x22, SIM_PAGE_SIZE);
	memset(sim_frame_ptr(h, mfns[3]), 0x33, SIM_PAGE_SIZE);
	err = xp_backend_map_frames(be, 1, mfns, 6, errs, &addr);
	ok(!err && addr, "map_frames maps a batch");
	if (!err) {
		p = addr;
		ok(errs[0] == 0 && p[5] == 0x11, "an own frame reads its contents");
		is_int(errs[1], -EPERM, "another domain's frame: -EPERM");
		ok(faults(p + SIM_PAGE_SIZE), "and stays inaccessible");
		ok(run_mfn && errs[2] == 0 && errs[3] == 0 && p[2 * SIM_PAGE_SIZE] == 0x22 &&
			   p[3 * SIM_PAGE_SIZE + 9] == 0x33,
		   "contiguous frames map as one run");
		is_int(errs[4], -EINVAL, "beyond host memory: -EINVAL");
		ok(faults(p + 4 * SIM_PAGE_SIZE), "and stays inaccessible");
		is_int(errs[5], 0, "shared_info is mappable by its domain");
		memset(sim_frame_ptr(h, mfns[0]), 0x44, SIM_PAGE_SIZE);
		is_int(p[100], 0x44, "the simulator's writes show through at once");
		xp_backend_unmap_frames(be, addr, 6);
	}
	err = xp_backend_map_frames(be, 5, mfns, 1, errs, &addr);
	is_str(err ? err->message : "", "no domain with id 5", "map_frames of an unknown domain");
	xp_error_destroy(err);

	test_selection();
	test_clone(sim_runs_lookup(&ra, 10));

	sim_domain_destroy(h, b);
	err = xp_backend_domain_info(be, 2, &info);
	ok(err && err->kind == XP_ERR_NODOMAIN, "a destroyed domain is gone for readers");
	xp_error_destroy(err);
	xp_backend_destroy(be);
	sim_host_destroy(h);

	/* a corrupt host file */
	snprintf(cmd, sizeof(cmd), "printf 'XXXXXXXX' | dd of='%s' conv=notrunc status=none", path);
	if (system(cmd) != 0)
		diag("scribble failed");
	err = xp_backend_sim_open(path, &be);
	snprintf(expect, sizeof(expect), "%s: not a xenp2m-sim host file (bad magic)", path);
	is_str(err ? err->message : "", expect, "a corrupt host file is refused");
	is_int(err ? xp_error_exit_code(err) : 0, XP_EXIT_RUNTIME, "with exit code 3");
	xp_error_destroy(err);
	err = xp_backend_open(NULL, path, &be);
	is_str(err ? err->message : "", expect, "also when no backend is named");
	xp_error_destroy(err);

	sim_runs_free(&ra);
	sim_runs_free(&rb);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("cleanup failed");
	return tap_done();
}
