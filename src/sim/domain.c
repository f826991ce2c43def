// SPDX-License-Identifier: GPL-2.0
/*
 * The domain table: new domains (slot, domid, name, handle), flags, names,
 * destruction.  Everything here is the hypervisor's bookkeeping; what runs
 * the guest kernel is in the toolstack (src/sim/toolstack/build.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "sim/grant.h"
#include "sim/host.h"

static bool name_valid(const char *name)
{
	uint64_t v;
	const char *p;

	if (!*name || strlen(name) >= SIM_NAME_LEN || xp_parse_u64(name, &v) == 0)
		return false;
	for (p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '/' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

struct xp_error *sim_domain_new(struct sim_host *h, const char *name, bool dom0,
				struct sim_domain **out)
{
	struct sim_domain *d = NULL, *other;
	uint32_t domid;
	uint64_t rng;
	unsigned int i, tries;

	*out = NULL;
	if (!name_valid(name))
		return xp_error_create(XP_ERR_USAGE, EINVAL,
				       "invalid domain name '%s': 1-%u printable characters, no "
				       "spaces or '/', not a number",
				       name, SIM_NAME_LEN - 1);
	other = sim_domain_by_name(h, name);
	if (other)
		return xp_error_create(XP_ERR_EXISTS, EEXIST,
				       "a domain named '%s' already exists (domid %u)", name,
				       other->domid);
	for (i = 0; i < SIM_MAX_DOMAINS && !d; i++)
		if (h->doms[i].state == SIM_DOM_UNUSED)
			d = &h->doms[i];
	if (!d)
		return xp_error_create(XP_ERR_INVALID, ENOSPC, "too many domains (at most %u)",
				       SIM_MAX_DOMAINS);
	if (dom0) {
		if (sim_domain_by_id(h, 0))
			return xp_error_create(XP_ERR_EXISTS, EEXIST, "domain 0 already exists");
		domid = 0;
	} else {
		/* Domids increase and are reused only after wrapping, as in Xen. */
		domid = h->hdr->next_domid;
		for (tries = 0; tries <= SIM_DOMID_LAST; tries++) {
			if (domid < SIM_DOMID_FIRST || domid > SIM_DOMID_LAST)
				domid = SIM_DOMID_FIRST;
			if (!sim_domain_by_id(h, domid))
				break;
			domid++;
		}
		h->hdr->next_domid = domid + 1 > SIM_DOMID_LAST ? SIM_DOMID_FIRST : domid + 1;
	}
	sim_domtab_begin(h);
	memset(d, 0, sizeof(*d));
	d->domid = domid;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->flags = SIM_DOMF_PAUSED | (dom0 ? SIM_DOMF_PRIVILEGED : 0);
	d->nr_vcpus = 1;
	d->width = 8;
	d->shared_info_mfn = SIM_INVALID_MFN;
	d->start_info_mfn = SIM_INVALID_MFN;
	d->console_ring = SIM_INVALID_MFN;
	d->store_ring = SIM_INVALID_MFN;
	for (i = 0; i < SIM_MAX_VCPUS; i++)
		d->vcpu_cr3[i] = 0;
	d->create_seq = ++h->hdr->create_seq;
	/* a UUID (version 4 layout), reproducible from the host's history */
	rng = d->create_seq * 0x2545f4914f6cdd1dULL ^ domid;
	for (i = 0; i < 16; i += 8) {
		uint64_t r = sim_rng_next(&rng);

		memcpy(d->handle + i, &r, 8);
	}
	d->handle[6] = (uint8_t)((d->handle[6] & 0x0f) | 0x40);
	d->handle[8] = (uint8_t)((d->handle[8] & 0x3f) | 0x80);
	d->state = SIM_DOM_LIVE;
	sim_domtab_end(h);
	*out = d;
	return NULL;
}

void sim_domain_set_flags(struct sim_host *h, struct sim_domain *d, uint32_t set, uint32_t clear)
{
	sim_domtab_begin(h);
	d->flags = (d->flags & ~clear) | set;
	sim_domtab_end(h);
}

struct xp_error *sim_domain_rename(struct sim_host *h, struct sim_domain *d, const char *name)
{
	struct sim_domain *other;

	if (!name_valid(name))
		return xp_error_create(XP_ERR_USAGE, EINVAL, "invalid domain name '%s'", name);
	other = sim_domain_by_name(h, name);
	if (other && other != d)
		return xp_error_create(XP_ERR_EXISTS, EEXIST,
				       "a domain named '%s' already exists (domid %u)", name,
				       other->domid);
	sim_domtab_begin(h);
	snprintf(d->name, sizeof(d->name), "%s", name);
	sim_domtab_end(h);
	return NULL;
}

void sim_domain_destroy(struct sim_host *h, struct sim_domain *d)
{
	sim_domain_set_flags(h, d, SIM_DOMF_DYING, 0);
	sim_gnttab_destroy(h, d);
	sim_free_domain_frames(h, d);
	sim_domtab_begin(h);
	memset(d, 0, sizeof(*d));
	sim_domtab_end(h);
}

void sim_domain_pause(struct sim_host *h, struct sim_domain *d)
{
	sim_domain_set_flags(h, d, SIM_DOMF_PAUSED, 0);
}

const char *sim_domain_state_str(const struct sim_domain *d, char buf[7])
{
	/* xl's r b p s c d columns; a simulated vcpu is idle unless paused */
	buf[0] = '-';
	buf[1] = (d->flags & (SIM_DOMF_PAUSED | SIM_DOMF_DYING)) ? '-' : 'b';
	buf[2] = (d->flags & SIM_DOMF_PAUSED) ? 'p' : '-';
	buf[3] = (d->flags & SIM_DOMF_SHUTDOWN) ? 's' : '-';
	buf[4] = (d->flags & SIM_DOMF_CRASHED) ? 'c' : '-';
	buf[5] = (d->flags & SIM_DOMF_DYING) ? 'd' : '-';
	buf[6] = '\0';
	return buf;
}
