// SPDX-License-Identifier: GPL-2.0
/*
 * xenp2m-sim: drive a simulated Xen host, like xl drives a real one.
 *
 *	xenp2m-sim [-v] VERB HOST [ARGS] [OPTIONS]
 *
 * Exit status: 0 ok, 2 usage error, 3 runtime failure.
 */
#include "config.h"

#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/util.h"
#include "sim/toolstack/toolstack.h"

#define PROG "xenp2m-sim"
#define DEFAULT_HOST_MEMORY (4ULL << 40)
#define DOM0_MEMORY (256ULL << 20)

enum sim_exit {
	EXIT_OK = 0,
	EXIT_USAGE = 2,
	EXIT_RUNTIME = 3,
};

enum {
	OPT_MEMORY = 0x100,
	OPT_MAXMEM,
	OPT_NAME,
	OPT_WIDTH,
	OPT_LAYOUT,
	OPT_KERNEL,
	OPT_SEED,
	OPT_PAUSED,
	OPT_DELAY,
	OPT_INDEX,
	OPT_PFN,
	OPT_PAGES,
	OPT_REF,
	OPT_GNTTAB_VERSION,
	OPT_TO,
	OPT_BY,
	OPT_COUNT,
	OPT_READONLY,
};

struct opts {
	bool verbose;
	bool json;
	bool paused;
	bool checkpoint;
	const char *memory;
	const char *maxmem;
	const char *name;
	const char *output;
	unsigned int width;
	enum gk_layout layout;
	enum gk_variant variant;
	uint64_t seed;
	unsigned int delay_us;
	unsigned int gnttab_version;
	bool has_peer, readonly;
	uint16_t peer; /* --to, --by */
	unsigned int count;
	struct sim_corrupt_args corrupt;
	const char *args[4];
	unsigned int nargs;
};

struct verb {
	const char *name;
	const char *args_doc;
	unsigned int nargs;
	const char *doc;
	const struct argp_option *options;
	int (*run)(struct opts *o);
};

const char *argp_program_version = PROG " (" PACKAGE_NAME ") " PACKAGE_VERSION;
const char *argp_program_bug_address = PACKAGE_BUGREPORT;

static int fail(struct xp_error *err)
{
	int code = err->kind == XP_ERR_USAGE ? EXIT_USAGE : EXIT_RUNTIME;

	fprintf(stderr, PROG ": error: %s\n", err->message);
	xp_error_destroy(err);
	return code;
}

static struct xp_error *parse_size(const char *what, const char *s, uint64_t *bytes)
{
	if (xp_parse_size(s, bytes) < 0)
		return xp_error_create(
			XP_ERR_INVALID, EINVAL,
			"invalid %s '%s': use a number with an optional K, M, G or T "
			"suffix (e.g. 256M, 4G, 1T)",
			what, s);
	return NULL;
}

/* ---- opening the host ---- */

static struct xp_error *boot_dom0(struct sim_host *h)
{
	struct sim_create_args a = {
		.name = "Domain-0",
		.memory = DOM0_MEMORY,
		.width = 8,
		.layout = GK_LAYOUT_LIST,
		.variant = GK_KERNEL_FIXED,
		.seed = 0,
		.dom0 = true,
	};
	struct sim_domain *d;

	return sim_domain_create(h, &a, &d);
}

static struct xp_error *host_init(const char *path, uint64_t bytes, bool verbose,
				  struct sim_host **out)
{
	struct xp_error *err;
	struct sim_host *h;

	*out = NULL;
	err = sim_host_format(path, bytes, &h);
	if (err)
		return err;
	h->verbose = verbose;
	err = boot_dom0(h);
	if (!err)
		err = sim_host_publish(h);
	if (err) {
		sim_host_destroy(h);
		return xp_error_wrap(err, "%s: initialising the host", path);
	}
	*out = h;
	return NULL;
}

static struct xp_error *host_open(struct opts *o, bool readonly, struct sim_host **h)
{
	struct xp_error *err = sim_host_open(o->args[0], readonly, h);

	if (!err)
		(*h)->verbose = o->verbose;
	return err;
}

static struct xp_error *host_open_domain(struct opts *o, struct sim_host **h, struct sim_domain **d)
{
	struct xp_error *err = host_open(o, false, h);

	if (!err)
		err = sim_domain_lookup(*h, o->args[1], d);
	if (err) {
		sim_host_destroy(*h);
		*h = NULL;
	}
	return err;
}

/* ---- verbs ---- */

static int cmd_init(struct opts *o)
{
	uint64_t bytes = DEFAULT_HOST_MEMORY;
	struct xp_error *err = NULL;
	struct sim_host *h;

	if (o->memory)
		err = parse_size("host memory size", o->memory, &bytes);
	if (!err)
		err = host_init(o->args[0], bytes, o->verbose, &h);
	if (err)
		return fail(err);
	sim_host_destroy(h);
	return EXIT_OK;
}

static int cmd_create(struct opts *o)
{
	struct sim_create_args a = {
		.name = o->name,
		.width = o->width,
		.layout = o->layout,
		.variant = o->variant,
		.seed = o->seed,
		.gnttab_version = o->gnttab_version,
		.paused = o->paused,
	};
	struct sim_host *h = NULL;
	struct sim_domain *d;
	struct xp_error *err;

	err = parse_size("memory size", o->memory, &a.memory);
	if (!err && o->maxmem)
		err = parse_size("maxmem size", o->maxmem, &a.maxmem);
	if (err)
		return fail(err);
	err = host_open(o, false, &h);
	if (err && err->errnum == ENOENT && err->kind == XP_ERR_IO) {
		/* create initialises a missing host, as init would */
		xp_error_destroy(err);
		err = host_init(o->args[0], DEFAULT_HOST_MEMORY, o->verbose, &h);
		if (err && err->kind == XP_ERR_EXISTS) {
			/* another create won the race: use its host */
			xp_error_destroy(err);
			err = host_open(o, false, &h);
		}
	}
	if (!err)
		err = sim_domain_create(h, &a, &d);
	if (err) {
		sim_host_destroy(h);
		return fail(err);
	}
	printf("%u\n", d->domid);
	sim_host_destroy(h);
	return EXIT_OK;
}

static const char *pending_name(uint32_t p)
{
	return p == SIM_PENDING_BOOT ? "boot" : p == SIM_PENDING_RESUME ? "resume" : NULL;
}

static struct json_object *jhex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

/* The guest's own view of its first p2m entries (NULL before it booted). */
static struct json_object *p2m_head(struct sim_host *h, struct sim_domain *d)
{
	struct json_object *arr;
	struct sim_guest g;
	struct gk *k;
	uint64_t pfn;

	if (d->pending == SIM_PENDING_BOOT)
		return NULL;
	sim_guest_init(&g, h, d);
	if (gk_attach(&g.hv, &k) != 0)
		return NULL;
	arr = json_object_new_array();
	for (pfn = 0; pfn < 8 && pfn < d->nr_pfns; pfn++)
		json_object_array_add(arr, jhex(gk_pfn_to_mfn(k, pfn)));
	gk_detach(k);
	return arr;
}

/* The guest kernel's tainted_mask, read as a debugger would (NULL before it booted). */
static struct json_object *tainted_mask(struct sim_host *h, struct sim_domain *d)
{
	struct sim_guest g;
	uint64_t va = 0, v = 0;
	struct gk *k;
	const void *p;

	if (d->pending == SIM_PENDING_BOOT)
		return NULL;
	sim_guest_init(&g, h, d);
	if (gk_attach(&g.hv, &k) != 0)
		return NULL;
	p = gk_symbol(k, "tainted_mask", &va) == 0 ? gk_va(k, va, false) : NULL;
	if (p)
		memcpy(&v, p, d->width);
	gk_detach(k);
	return p ? jhex(v) : NULL;
}

static struct json_object *rings_json(const struct sim_domain *d)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "console_mfn",
			       d->console_ring == SIM_INVALID_MFN ? NULL : jhex(d->console_ring));
	json_object_object_add(j, "store_mfn",
			       d->store_ring == SIM_INVALID_MFN ? NULL : jhex(d->store_ring));
	return j;
}

static struct json_object *frames_json(struct sim_host *h, struct sim_domain *d, bool status)
{
	struct json_object *arr = json_object_new_array();
	unsigned int i, n = status ? d->gnt_nr_status : d->gnt_nr_frames;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, jhex(sim_gnttab_frame(h, d, status, i)));
	return arr;
}

/* The hypervisor's view of the grant table: its size and the entries in use. */
static struct json_object *grant_table_json(struct sim_host *h, struct sim_domain *d)
{
	struct json_object *j, *arr;
	unsigned int n = sim_gnttab_nr_entries(d), ref;

	if (!sim_gnttab_meta(h, d))
		return NULL;
	j = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(j, "version", json_object_new_int((int)d->gnt_version));
	json_object_object_add(j, "nr_frames", json_object_new_int((int)d->gnt_nr_frames));
	json_object_object_add(j, "max_frames", json_object_new_int((int)d->gnt_max_frames));
	json_object_object_add(j, "nr_status_frames", json_object_new_int((int)d->gnt_nr_status));
	json_object_object_add(j, "resource_grows",
			       json_object_new_int((int)d->gnt_resource_grows));
	json_object_object_add(j, "frames", frames_json(h, d, false));
	json_object_object_add(j, "status_frames", frames_json(h, d, true));
	for (ref = 0; ref < n; ref++) {
		struct sim_gnt_entry e;
		struct json_object *x;

		if (sim_gnttab_get_entry(h, d, ref, &e) || (!e.flags && !e.status))
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "ref", json_object_new_int((int)ref));
		json_object_object_add(x, "flags", jhex(e.flags));
		json_object_object_add(x, "status", jhex(e.status));
		json_object_object_add(x, "domid", json_object_new_int(e.domid));
		json_object_object_add(x, "frame", jhex(e.frame));
		json_object_array_add(arr, x);
	}
	json_object_object_add(j, "entries", arr);
	return j;
}

static struct json_object *domain_json(struct sim_host *h, struct sim_domain *d)
{
	struct json_object *j = json_object_new_object(), *arch = json_object_new_object();
	const void *shinfo = NULL;
	const char *pending = pending_name(d->pending);
	char state[7];
	unsigned int f;

	json_object_object_add(j, "domid", json_object_new_int64(d->domid));
	json_object_object_add(j, "name", json_object_new_string(d->name));
	json_object_object_add(j, "state", json_object_new_string(sim_domain_state_str(d, state)));
	json_object_object_add(j, "paused", json_object_new_boolean(d->flags & SIM_DOMF_PAUSED));
	json_object_object_add(j, "pending", pending ? json_object_new_string(pending) : NULL);
	json_object_object_add(j, "width", json_object_new_int((int)d->width * 8));
	json_object_object_add(j, "layout",
			       json_object_new_string(gk_layout_name((enum gk_layout)d->layout)));
	json_object_object_add(
		j, "kernel", json_object_new_string(gk_variant_name((enum gk_variant)d->variant)));
	json_object_object_add(j, "seed", json_object_new_uint64(d->seed));
	json_object_object_add(j, "vcpus", json_object_new_int((int)d->nr_vcpus));
	json_object_object_add(j, "max_pages", json_object_new_uint64(d->max_pages));
	json_object_object_add(j, "tot_pages", json_object_new_uint64(d->tot_pages));
	json_object_object_add(j, "nr_pfns", json_object_new_uint64(d->nr_pfns));
	json_object_object_add(j, "shared_info_mfn", jhex(d->shared_info_mfn));
	json_object_object_add(j, "start_info_mfn", jhex(d->start_info_mfn));
	json_object_object_add(j, "vcpu0_cr3_mfn", jhex(d->vcpu_cr3[0]));
	if (d->shared_info_mfn < h->nr_frames)
		shinfo = sim_frame_ptr(h, d->shared_info_mfn);
	for (f = 0; f < SIM_ARCH_NR && shinfo; f++)
		json_object_object_add(arch, sim_arch_field_name(f),
				       jhex(sim_arch_get(shinfo, d->width, f)));
	json_object_object_add(j, "arch", arch);
	json_object_object_add(j, "p2m_head", p2m_head(h, d));
	json_object_object_add(j, "tainted_mask", tainted_mask(h, d));
	json_object_object_add(j, "rings", rings_json(d));
	json_object_object_add(j, "grant_table", grant_table_json(h, d));
	return j;
}

static int cmp_dom(const void *a, const void *b)
{
	const struct sim_domain *x = a, *y = b;

	if (x->state != y->state)
		return x->state == SIM_DOM_LIVE ? -1 : 1;
	return x->domid < y->domid ? -1 : x->domid > y->domid;
}

static int cmd_list(struct opts *o)
{
	struct sim_domain *snap;
	struct xp_error *err;
	struct sim_host *h;
	unsigned int i;

	err = host_open(o, true, &h);
	if (err)
		return fail(err);
	snap = calloc(SIM_MAX_DOMAINS, sizeof(*snap));
	if (!snap || sim_domtab_read(h->hdr, h->doms, snap) < 0) {
		free(snap);
		sim_host_destroy(h);
		return fail(xp_error_create(XP_ERR_RUNTIME, EBUSY,
					    "%s: the domain table stays locked by a writer",
					    o->args[0]));
	}
	qsort(snap, SIM_MAX_DOMAINS, sizeof(*snap), cmp_dom);
	if (o->json) {
		struct json_object *doc = json_object_new_object(),
				   *host = json_object_new_object();
		struct json_object *arr = json_object_new_array();

		json_object_object_add(doc, "schema_version", json_object_new_int(1));
		json_object_object_add(host, "nr_frames", json_object_new_uint64(h->nr_frames));
		json_object_object_add(host, "free_frames",
				       json_object_new_uint64(h->hdr->free_frames));
		json_object_object_add(doc, "host", host);
		for (i = 0; i < SIM_MAX_DOMAINS && snap[i].state == SIM_DOM_LIVE; i++)
			json_object_array_add(arr, domain_json(h, &snap[i]));
		json_object_object_add(doc, "domains", arr);
		puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(doc);
	} else {
		printf("%-32s %5s %8s %8s %5s %-6s %5s %-9s %s\n", "Name", "ID", "Mem", "MaxMem",
		       "VCPUs", "State", "Width", "Layout", "Kernel");
		for (i = 0; i < SIM_MAX_DOMAINS && snap[i].state == SIM_DOM_LIVE; i++) {
			const struct sim_domain *d = &snap[i];
			char state[7];

			printf("%-32s %5u %8" PRIu64 " %8" PRIu64 " %5u %-6s %5u %-9s %s\n",
			       d->name, d->domid, d->tot_pages >> 8, d->max_pages >> 8, d->nr_vcpus,
			       sim_domain_state_str(d, state), d->width * 8,
			       gk_layout_name((enum gk_layout)d->layout),
			       gk_variant_name((enum gk_variant)d->variant));
		}
	}
	free(snap);
	sim_host_destroy(h);
	return EXIT_OK;
}

static int cmd_destroy(struct opts *o)
{
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;

	err = host_open_domain(o, &h, &d);
	if (!err && d->domid == 0)
		err = xp_error_create(XP_ERR_INVALID, EPERM, "domain 0 cannot be destroyed");
	if (err) {
		sim_host_destroy(h);
		return fail(err);
	}
	sim_domain_destroy(h, d);
	sim_host_destroy(h);
	return EXIT_OK;
}

static int cmd_pause(struct opts *o)
{
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;

	err = host_open_domain(o, &h, &d);
	if (err)
		return fail(err);
	sim_domain_pause(h, d);
	sim_host_destroy(h);
	return EXIT_OK;
}

static int cmd_unpause(struct opts *o)
{
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;

	err = host_open_domain(o, &h, &d);
	if (!err)
		err = sim_domain_unpause(h, d);
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

static int cmd_save(struct opts *o)
{
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;
	bool was_paused;
	int fd;

	err = host_open_domain(o, &h, &d);
	if (err)
		return fail(err);
	was_paused = d->flags & SIM_DOMF_PAUSED;
	fd = open(o->args[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = xp_error_create(XP_ERR_IO, errno, "%s: %s", o->args[2], strerror(errno));
		sim_host_destroy(h);
		return fail(err);
	}
	err = sim_save(h, d, fd, o->delay_us);
	if (close(fd) < 0 && !err)
		err = xp_error_create(XP_ERR_IO, errno, "%s: %s", o->args[2], strerror(errno));
	if (err) {
		unlink(o->args[2]);
	} else if (o->checkpoint) {
		/* the guest carries on: its suspend was "cancelled" */
		err = sim_suspend_cancel(h, d);
		if (!was_paused)
			sim_domain_set_flags(h, d, 0, SIM_DOMF_PAUSED);
	} else {
		/* xl save: the saved domain is gone */
		sim_domain_destroy(h, d);
	}
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

static int cmd_restore(struct opts *o)
{
	struct sim_restore_args ra = {.paused = o->paused};
	struct sim_domain *d = NULL;
	struct xp_error *err;
	struct sim_host *h;
	int fd;

	err = host_open(o, false, &h);
	if (err)
		return fail(err);
	fd = open(o->args[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = xp_error_create(XP_ERR_IO, errno, "%s: %s", o->args[1], strerror(errno));
	} else {
		err = sim_restore(h, fd, &ra, &d);
		close(fd);
		if (err && err->kind == XP_ERR_FORMAT &&
		    strncmp(err->message, "save file:", 10) == 0) {
			/* name the file the user gave */
			char msg[sizeof(err->message)];

			snprintf(msg, sizeof(msg), "%s:%s", o->args[1], err->message + 10);
			memcpy(err->message, msg, sizeof(msg));
		}
	}
	if (!err)
		printf("%u\n", d->domid);
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

static int cmd_migrate(struct opts *o)
{
	struct sim_domain *d, *nd;
	struct xp_error *err;
	struct sim_host *h;

	err = host_open_domain(o, &h, &d);
	if (err)
		return fail(err);
	err = sim_migrate(h, d, o->delay_us, &nd);
	if (!err)
		printf("%u\n", nd->domid);
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

static int cmd_mem_set(struct opts *o)
{
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;
	uint64_t bytes;

	err = parse_size("memory size", o->args[2], &bytes);
	if (err)
		return fail(err);
	err = host_open_domain(o, &h, &d);
	if (!err)
		err = sim_domain_mem_set(h, d, bytes, o->delay_us);
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

/* A reader's view of one domain: a seqlock snapshot of the table, no lock. */
static struct xp_error *snapshot_lookup(struct sim_host *h, const char *what,
					struct sim_domain **snap, struct sim_domain **d)
{
	struct sim_domain *live = h->doms;
	struct xp_error *err;

	*snap = calloc(SIM_MAX_DOMAINS, sizeof(**snap));
	if (!*snap)
		return xp_error_nomem();
	if (sim_domtab_read(h->hdr, h->doms, *snap) < 0)
		return xp_error_create(XP_ERR_RUNTIME, EBUSY,
				       "%s: the domain table stays locked by a writer", h->path);
	/* the lookup helpers read h->doms: point them at the snapshot */
	h->doms = *snap;
	err = sim_domain_lookup(h, what, d);
	h->doms = live;
	return err;
}

static int cmd_symbols(struct opts *o)
{
	struct sim_domain *d = NULL, *snap = NULL;
	struct gk_config cfg;
	struct xp_error *err;
	struct sim_host *h;
	FILE *out = stdout;
	int rc;

	err = host_open(o, true, &h);
	if (err)
		return fail(err);
	err = snapshot_lookup(h, o->args[1], &snap, &d);
	if (err)
		goto out;
	sim_domain_config(d, &cfg);
	if (o->output) {
		out = fopen(o->output, "w");
		if (!out) {
			err = xp_error_create(XP_ERR_IO, errno, "%s: %s", o->output,
					      strerror(errno));
			goto out;
		}
	}
	rc = gk_write_system_map(&cfg, out);
	if (o->output && fclose(out) != 0 && !rc)
		rc = -errno;
	if (rc)
		err = xp_error_create(XP_ERR_IO, -rc, "writing the System.map: %s", strerror(-rc));
out:
	free(snap);
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

static struct xp_error *parse_ref(const char *s, uint32_t *ref)
{
	uint64_t v;

	if (xp_parse_u64(s, &v) < 0 || v > UINT32_MAX)
		return xp_error_create(XP_ERR_USAGE, EINVAL, "invalid ref '%s'", s);
	*ref = (uint32_t)v;
	return NULL;
}

static int cmd_grant(struct opts *o)
{
	uint32_t *refs = calloc(o->count, sizeof(*refs));
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;
	unsigned int i;

	if (!refs)
		return fail(xp_error_nomem());
	err = host_open_domain(o, &h, &d);
	if (!err)
		err = sim_domain_grant(h, d, o->peer, o->readonly, o->count, refs);
	for (i = 0; !err && i < o->count; i++)
		printf("%u\n", refs[i]);
	free(refs);
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

static int cmd_ungrant(struct opts *o)
{
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h = NULL;
	uint32_t ref = 0;

	err = parse_ref(o->args[2], &ref);
	if (!err)
		err = host_open_domain(o, &h, &d);
	if (!err)
		err = sim_domain_ungrant(h, d, ref);
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

/* "flags 0x1 -> 0x19" (v1), "status 0x0 -> 0x18" (v2): what a mapping changed. */
static void say_flags(const struct sim_domain *d, const struct sim_gnt_entry *a,
		      const struct sim_gnt_entry *b)
{
	if (d->gnt_version == 2)
		printf("status 0x%x -> 0x%x\n", a->status, b->status);
	else
		printf("flags 0x%x -> 0x%x\n", a->flags, b->flags);
}

static struct xp_error *grant_peer(struct opts *o, struct sim_host *h, struct sim_domain **mapper)
{
	*mapper = sim_domain_by_id(h, o->peer);
	if (!*mapper)
		return xp_error_create(XP_ERR_NODOMAIN, ESRCH, "no domain with id %u", o->peer);
	return NULL;
}

static int cmd_grant_map(struct opts *o)
{
	struct sim_gnt_entry before, after;
	struct sim_domain *d, *mapper = NULL;
	struct sim_host *h = NULL;
	struct xp_error *err;
	uint32_t ref = 0, handle;
	uint64_t mfn = 0;

	err = parse_ref(o->args[2], &ref);
	if (!err)
		err = host_open_domain(o, &h, &d);
	if (!err)
		err = grant_peer(o, h, &mapper);
	if (!err) {
		sim_gnttab_get_entry(h, d, ref, &before);
		err = sim_gnttab_map(h, mapper, d->domid, ref,
				     o->readonly ? SIM_GNTMAP_READONLY : 0, 0, &handle, &mfn);
	}
	if (!err) {
		sim_gnttab_get_entry(h, d, ref, &after);
		printf("domain %u mapped grant %u of domain %u %s (frame 0x%" PRIx64 "): ",
		       mapper->domid, ref, d->domid, o->readonly ? "read-only" : "read-write", mfn);
		say_flags(d, &before, &after);
	}
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

static int cmd_grant_unmap(struct opts *o)
{
	struct sim_gnt_entry before, after;
	struct sim_domain *d, *mapper = NULL;
	struct sim_host *h = NULL;
	struct xp_error *err;
	uint32_t ref = 0, handle = 0;

	err = parse_ref(o->args[2], &ref);
	if (!err)
		err = host_open_domain(o, &h, &d);
	if (!err)
		err = grant_peer(o, h, &mapper);
	if (!err && sim_gnttab_find_map(h, mapper, d->domid, ref, &handle) < 0)
		err = xp_error_create(XP_ERR_INVALID, ENOENT,
				      "domain %u has no mapping of grant %u of domain %u",
				      mapper->domid, ref, d->domid);
	if (!err) {
		sim_gnttab_get_entry(h, d, ref, &before);
		err = sim_gnttab_unmap(h, mapper, handle);
	}
	if (!err) {
		sim_gnttab_get_entry(h, d, ref, &after);
		printf("domain %u unmapped grant %u of domain %u: ", mapper->domid, ref, d->domid);
		say_flags(d, &before, &after);
	}
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

static int cmd_corrupt(struct opts *o)
{
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;
	char msg[512];

	o->corrupt.kind = o->args[2];
	err = host_open_domain(o, &h, &d);
	if (err)
		return fail(err);
	err = sim_corrupt(h, d, &o->corrupt, msg, sizeof(msg));
	if (!err)
		printf("%s\n", msg);
	sim_host_destroy(h);
	return err ? fail(err) : EXIT_OK;
}

/* ---- option tables ---- */

static const struct argp_option init_options[] = {
	{"memory", OPT_MEMORY, "SIZE", 0, "Host memory (default 4T; the file is sparse)", 0},
	{0},
};

static const struct argp_option create_options[] = {
	{"name", OPT_NAME, "NAME", 0, "Domain name (required)", 0},
	{"memory", OPT_MEMORY, "SIZE", 0, "Memory populated at boot (required)", 0},
	{"maxmem", OPT_MAXMEM, "SIZE", 0, "Most memory the domain may balloon up to", 0},
	{"width", OPT_WIDTH, "64|32", 0, "Guest word size (default 64)", 0},
	{"layout", OPT_LAYOUT, "tree|list|list-only", 0, "p2m layout (default list)", 0},
	{"kernel", OPT_KERNEL, "fixed|pre-fix-003|pre-fix-002", 0,
	 "Guest kernel: fixed (default), pre-fix-003 (resume does not rebuild the mfn list "
	 "list) or pre-fix-002 (maps grant frames by walking page ranges, even from an "
	 "interrupt)",
	 0},
	{"gnttab-version", OPT_GNTTAB_VERSION, "1|2", 0,
	 "The grant table version the guest kernel uses (default 1)", 0},
	{"seed", OPT_SEED, "N", 0, "Vary the frame allocation pattern (default 0)", 0},
	{"paused", OPT_PAUSED, NULL, 0, "Leave the domain paused before its kernel runs", 0},
	{0},
};

static const struct argp_option list_options[] = {
	{"json", 'j', NULL, 0, "Output JSON", 0},
	{0},
};

static const struct argp_option save_options[] = {
	{"checkpoint", 'c', NULL, 0, "Leave the domain running after saving it", 0},
	{"delay-us", OPT_DELAY, "N", 0, "Sleep N microseconds between page batches", 0},
	{0},
};

static const struct argp_option restore_options[] = {
	{"paused", OPT_PAUSED, NULL, 0,
	 "Leave the domain paused, before the guest's resume path runs", 0},
	{0},
};

static const struct argp_option delay_options[] = {
	{"delay-us", OPT_DELAY, "N", 0, "Sleep N microseconds between steps", 0},
	{0},
};

static const struct argp_option symbols_options[] = {
	{"output", 'o', "FILE", 0, "Write to FILE instead of standard output", 0},
	{0},
};

static const struct argp_option corrupt_options[] = {
	{"index", OPT_INDEX, "I", 0, "Entry I of the top-level page", 0},
	{"pfn", OPT_PFN, "P", 0, "The structure covering pfn P", 0},
	{"pages", OPT_PAGES, "N", 0, "max-pfn: the value to write", 0},
	{"ref", OPT_REF, "R", 0, "Grant entry R", 0},
	{0},
};

static const struct argp_option grant_options[] = {
	{"to", OPT_TO, "DOMID", 0, "The domain to grant the pages to (required)", 0},
	{"readonly", OPT_READONLY, NULL, 0, "Grant read-only access", 0},
	{"count", OPT_COUNT, "N", 0, "How many pages (default 1)", 0},
	{0},
};

static const struct argp_option grant_map_options[] = {
	{"by", OPT_BY, "DOMID", 0, "The domain that maps the grant (required)", 0},
	{"readonly", OPT_READONLY, NULL, 0, "Map it read-only", 0},
	{0},
};

static const struct argp_option grant_unmap_options[] = {
	{"by", OPT_BY, "DOMID", 0, "The domain that mapped the grant (required)", 0},
	{0},
};

static const struct verb verbs[] = {
	{"init", "HOST", 1, "Create a host file with a dom0.", init_options, cmd_init},
	{"create", "HOST", 1, "Build and boot a PV guest; prints its domid.", create_options,
	 cmd_create},
	{"list", "HOST", 1, "List the domains.", list_options, cmd_list},
	{"destroy", "HOST NAME", 2, "Destroy a domain.", NULL, cmd_destroy},
	{"pause", "HOST NAME", 2, "Pause a domain.", NULL, cmd_pause},
	{"unpause", "HOST NAME", 2, "Unpause a domain (runs a pending boot or resume).", NULL,
	 cmd_unpause},
	{"save", "HOST NAME FILE", 3, "Save a domain to FILE and destroy it.", save_options,
	 cmd_save},
	{"restore", "HOST FILE", 2, "Restore a domain from FILE; prints its new domid.",
	 restore_options, cmd_restore},
	{"migrate", "HOST NAME", 2, "Save and restore in one go; prints the new domid.",
	 delay_options, cmd_migrate},
	{"mem-set", "HOST NAME SIZE", 3, "Balloon a domain to SIZE.", delay_options, cmd_mem_set},
	{"symbols", "HOST NAME", 2, "Print the guest kernel's System.map.", symbols_options,
	 cmd_symbols},
	{"corrupt", "HOST NAME KIND", 3, "Inject a fault of class KIND into a guest.",
	 corrupt_options, cmd_corrupt},
	{"grant", "HOST NAME", 2, "Grant pages of a guest; prints their refs.", grant_options,
	 cmd_grant},
	{"ungrant", "HOST NAME REF", 3, "End one of those grants.", NULL, cmd_ungrant},
	{"grant-map", "HOST NAME REF", 3, "Map a guest's grant from another domain.",
	 grant_map_options, cmd_grant_map},
	{"grant-unmap", "HOST NAME REF", 3, "Unmap it again.", grant_unmap_options,
	 cmd_grant_unmap},
};

static const struct argp_option global_options[] = {
	{"verbose", 'v', NULL, 0, "Show the guests' console output on stderr", -1},
	{0},
};

static struct opts *parse_opts;

static error_t global_parse(int key, char *arg, struct argp_state *state)
{
	if (key == 'v') {
		parse_opts->verbose = true;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const struct argp global_argp = {global_options, global_parse, NULL, NULL, NULL, NULL, NULL};

static const struct verb *parse_verb;

static unsigned int parse_uint(struct argp_state *state, const char *opt, const char *arg,
			       uint64_t max)
{
	uint64_t v;

	if (xp_parse_u64(arg, &v) < 0 || v > max)
		argp_error(state, "invalid %s '%s'", opt, arg);
	return (unsigned int)v;
}

static error_t verb_parse(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case OPT_MEMORY:
		o->memory = arg;
		return 0;
	case OPT_MAXMEM:
		o->maxmem = arg;
		return 0;
	case OPT_NAME:
		o->name = arg;
		return 0;
	case OPT_WIDTH:
		if (strcmp(arg, "64") == 0)
			o->width = 8;
		else if (strcmp(arg, "32") == 0)
			o->width = 4;
		else
			argp_error(state, "invalid width '%s' (64 or 32)", arg);
		return 0;
	case OPT_LAYOUT:
		if (gk_layout_parse(arg, &o->layout) < 0)
			argp_error(state, "invalid layout '%s' (tree, list or list-only)", arg);
		return 0;
	case OPT_KERNEL:
		if (gk_variant_parse(arg, &o->variant) < 0)
			argp_error(state, "invalid kernel '%s' (fixed, pre-fix-003 or pre-fix-002)",
				   arg);
		return 0;
	case OPT_GNTTAB_VERSION:
		if (strcmp(arg, "1") && strcmp(arg, "2"))
			argp_error(state, "invalid grant table version '%s' (1 or 2)", arg);
		o->gnttab_version = (unsigned int)(arg[0] - '0');
		return 0;
	case OPT_TO:
		o->peer = (uint16_t)parse_uint(state, "--to", arg, SIM_DOMID_LAST);
		o->has_peer = true;
		return 0;
	case OPT_BY:
		o->peer = (uint16_t)parse_uint(state, "--by", arg, SIM_DOMID_LAST);
		o->has_peer = true;
		return 0;
	case OPT_COUNT:
		o->count = parse_uint(state, "--count", arg, 32768);
		if (!o->count)
			argp_error(state, "invalid --count '%s'", arg);
		return 0;
	case OPT_READONLY:
		o->readonly = true;
		return 0;
	case OPT_REF:
		if (xp_parse_u64(arg, &o->corrupt.ref) < 0 || o->corrupt.ref > UINT32_MAX)
			argp_error(state, "invalid ref '%s'", arg);
		o->corrupt.has_ref = true;
		return 0;
	case OPT_SEED:
		if (xp_parse_u64(arg, &o->seed) < 0)
			argp_error(state, "invalid seed '%s'", arg);
		return 0;
	case OPT_PAUSED:
		o->paused = true;
		return 0;
	case OPT_DELAY:
		o->delay_us = parse_uint(state, "--delay-us", arg, 10000000);
		return 0;
	case OPT_INDEX:
		if (xp_parse_u64(arg, &o->corrupt.index) < 0)
			argp_error(state, "invalid index '%s'", arg);
		o->corrupt.has_index = true;
		return 0;
	case OPT_PFN:
		if (xp_parse_u64(arg, &o->corrupt.pfn) < 0)
			argp_error(state, "invalid pfn '%s'", arg);
		o->corrupt.has_pfn = true;
		return 0;
	case OPT_PAGES:
		if (xp_parse_u64(arg, &o->corrupt.pages) < 0)
			argp_error(state, "invalid page count '%s'", arg);
		o->corrupt.has_pages = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'c':
		o->checkpoint = true;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case ARGP_KEY_ARG:
		if (o->nargs >= parse_verb->nargs)
			argp_error(state, "too many arguments");
		o->args[o->nargs++] = arg;
		return 0;
	case ARGP_KEY_END:
		if (o->nargs < parse_verb->nargs)
			argp_error(state, "expected %s", parse_verb->args_doc);
		if (strcmp(parse_verb->name, "create") == 0) {
			if (!o->name)
				argp_error(state, "--name is required");
			if (!o->memory)
				argp_error(state, "--memory is required");
		}
		if (strcmp(parse_verb->name, "grant") == 0 && !o->has_peer)
			argp_error(state, "--to is required");
		if (strncmp(parse_verb->name, "grant-", 6) == 0 && !o->has_peer)
			argp_error(state, "--by is required");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static char *verb_help_filter(int key, const char *text, void *input)
{
	char *buf;
	size_t len;
	unsigned int i;
	FILE *f;

	if (key != ARGP_KEY_HELP_POST_DOC || strcmp(parse_verb->name, "corrupt") != 0)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs("Kinds:\n", f);
	for (i = 0; i < sim_nr_corrupt_kinds; i++)
		fprintf(f, "  %-20s %-13s %s\n", sim_corrupt_kinds[i].name,
			sim_corrupt_kinds[i].args, sim_corrupt_kinds[i].summary);
	fclose(f);
	return buf;
}

static int run_verb(const struct verb *v, int argc, char **argv, struct opts *o)
{
	struct argp_child children[] = {
		{&global_argp, 0, NULL, -1},
		{0},
	};
	struct argp argp = {
		v->options, verb_parse, v->args_doc, v->doc, children, verb_help_filter, NULL,
	};
	char name[64];

	snprintf(name, sizeof(name), PROG " %s", v->name);
	argv[0] = name;
	parse_verb = v;
	argp_parse(&argp, argc, argv, 0, NULL, o);
	return v->run(o);
}

struct main_args {
	int verb_index;
};

static error_t main_parse(int key, char *arg, struct argp_state *state)
{
	struct main_args *a = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		a->verb_index = state->next - 1;
		state->next = state->argc;
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "no verb given");
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static char *main_help_filter(int key, const char *text, void *input)
{
	char *buf;
	size_t len, i;
	FILE *f;

	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs("Verbs:\n", f);
	for (i = 0; i < XP_ARRAY_SIZE(verbs); i++)
		fprintf(f, "  %-11s %-14s %s\n", verbs[i].name, verbs[i].args_doc, verbs[i].doc);
	fputs("\nNAME may also be a domid.  SIZE: 256M, 4G, 1T (a bare number is MiB).\n"
	      "Run '" PROG " VERB --help' for a verb's options.\n"
	      "Exit status: 0 ok, 2 usage error, 3 runtime failure.\n",
	      f);
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{&global_argp, 0, NULL, 0},
		{0},
	};
	static const struct argp argp = {
		NULL,
		main_parse,
		"VERB HOST [ARGS...]",
		"Drive a simulated Xen host: create, save, restore and migrate PV guests, "
		"inject faults into them.\v",
		children,
		main_help_filter,
		NULL,
	};
	struct main_args a = {0};
	struct opts o = {
		.width = 8,
		.layout = GK_LAYOUT_LIST,
		.variant = GK_KERNEL_FIXED,
		.count = 1,
	};
	size_t i;

	argp_err_exit_status = EXIT_USAGE;
	parse_opts = &o;
	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &a);
	for (i = 0; i < XP_ARRAY_SIZE(verbs); i++)
		if (strcmp(verbs[i].name, argv[a.verb_index]) == 0)
			return run_verb(&verbs[i], argc - a.verb_index, argv + a.verb_index, &o);
	fprintf(stderr, PROG ": unknown verb '%s'\nTry '" PROG " --help' for the list of verbs.\n",
		argv[a.verb_index]);
	return EXIT_USAGE;
}
