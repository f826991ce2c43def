// SPDX-License-Identifier: GPL-2.0
/*
 * xenp2m-sim's domain verbs: init, create, list, destroy, pause, unpause,
 * mem-set, symbols.
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
#include "sim/toolstack/xenp2m-sim.h"

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

static const struct argp_option symbols_options[] = {
	{"output", 'o', "FILE", 0, "Write to FILE instead of standard output", 0},
	{0},
};

int sim_cmd_init(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	uint64_t bytes = DEFAULT_HOST_MEMORY;
	struct xp_error *err = NULL;
	struct sim_host *h;

	sim_cli_parse(o, 1, init_options, NULL, argc, argv);
	if (o->memory)
		err = sim_cli_parse_size("host memory size", o->memory, &bytes);
	if (!err)
		err = sim_cli_host_init(o->args[0], bytes, o->verbose, &h);
	if (err)
		return sim_cli_fail(err);
	sim_host_destroy(h);
	return EXIT_OK;
}

int sim_cmd_create(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_create_args a;
	struct sim_host *h = NULL;
	struct sim_domain *d;
	struct xp_error *err;

	sim_cli_parse(o, 1, create_options, NULL, argc, argv);
	a = (struct sim_create_args){
		.name = o->name,
		.width = o->width,
		.layout = o->layout,
		.variant = o->variant,
		.seed = o->seed,
		.gnttab_version = o->gnttab_version,
		.paused = o->paused,
	};
	err = sim_cli_parse_size("memory size", o->memory, &a.memory);
	if (!err && o->maxmem)
		err = sim_cli_parse_size("maxmem size", o->maxmem, &a.maxmem);
	if (err)
		return sim_cli_fail(err);
	err = sim_cli_host_open(o, false, &h);
	if (err && err->errnum == ENOENT && err->kind == XP_ERR_IO) {
		/* create initialises a missing host, as init would */
		xp_error_destroy(err);
		err = sim_cli_host_init(o->args[0], DEFAULT_HOST_MEMORY, o->verbose, &h);
		if (err && err->kind == XP_ERR_EXISTS) {
			/* another create won the race: use its host */
			xp_error_destroy(err);
			err = sim_cli_host_open(o, false, &h);
		}
	}
	if (!err)
		err = sim_domain_create(h, &a, &d);
	if (err) {
		sim_host_destroy(h);
		return sim_cli_fail(err);
	}
	printf("%u\n", d->domid);
	sim_host_destroy(h);
	return EXIT_OK;
}

static const char *pending_name(uint32_t p)
{
	return p == SIM_PENDING_BOOT	 ? "boot"
	       : p == SIM_PENDING_RESUME ? "resume"
	       : p == SIM_PENDING_CANCEL ? "cancel"
					 : NULL;
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

int sim_cmd_list(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *snap;
	struct xp_error *err;
	struct sim_host *h;
	unsigned int i;

	sim_cli_parse(o, 1, list_options, NULL, argc, argv);
	err = sim_cli_host_open(o, true, &h);
	if (err)
		return sim_cli_fail(err);
	snap = calloc(SIM_MAX_DOMAINS, sizeof(*snap));
	if (!snap || sim_domtab_read(h->hdr, h->doms, snap) < 0) {
		free(snap);
		sim_host_destroy(h);
		return sim_cli_fail(xp_error_create(XP_ERR_RUNTIME, EBUSY,
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

int sim_cmd_destroy(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;

	sim_cli_parse(o, 2, NULL, NULL, argc, argv);
	err = sim_cli_host_open_domain(o, &h, &d);
	if (!err && d->domid == 0)
		err = xp_error_create(XP_ERR_INVALID, EPERM, "domain 0 cannot be destroyed");
	if (err) {
		sim_host_destroy(h);
		return sim_cli_fail(err);
	}
	sim_domain_destroy(h, d);
	sim_host_destroy(h);
	return EXIT_OK;
}

int sim_cmd_pause(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;

	sim_cli_parse(o, 2, NULL, NULL, argc, argv);
	err = sim_cli_host_open_domain(o, &h, &d);
	if (err)
		return sim_cli_fail(err);
	sim_domain_pause(h, d);
	sim_host_destroy(h);
	return EXIT_OK;
}

int sim_cmd_rename(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;

	sim_cli_parse(o, 3, NULL, NULL, argc, argv);
	err = sim_cli_host_open_domain(o, &h, &d);
	if (!err)
		err = sim_domain_rename(h, d, o->args[2]);
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
}

int sim_cmd_unpause(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;

	sim_cli_parse(o, 2, NULL, NULL, argc, argv);
	err = sim_cli_host_open_domain(o, &h, &d);
	if (!err)
		err = sim_domain_unpause(h, d);
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
}

int sim_cmd_mem_set(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d;
	struct xp_error *err;
	struct sim_host *h;
	uint64_t bytes;

	sim_cli_parse(o, 3, sim_cli_delay_options, NULL, argc, argv);
	err = sim_cli_parse_size("memory size", o->args[2], &bytes);
	if (err)
		return sim_cli_fail(err);
	err = sim_cli_host_open_domain(o, &h, &d);
	if (!err)
		err = sim_domain_mem_set(h, d, bytes, o->delay_us);
	sim_host_destroy(h);
	return err ? sim_cli_fail(err) : EXIT_OK;
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

int sim_cmd_symbols(void *ctx, int argc, char **argv)
{
	struct opts *o = ctx;
	struct sim_domain *d = NULL, *snap = NULL;
	struct gk_config cfg;
	struct xp_error *err;
	struct sim_host *h;
	FILE *out = stdout;
	int rc;

	sim_cli_parse(o, 2, symbols_options, NULL, argc, argv);
	err = sim_cli_host_open(o, true, &h);
	if (err)
		return sim_cli_fail(err);
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
	return err ? sim_cli_fail(err) : EXIT_OK;
}
