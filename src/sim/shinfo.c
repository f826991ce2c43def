// SPDX-License-Identifier: GPL-2.0
/*
 * shared_info's arch block for both guest widths, through the public
 * headers' foreign layouts (xen/foreign/x86_64.h, x86_32.h).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <stdint.h>

#include <xen/xen.h>
#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#include "sim/host.h"

#define ARCH64(f) offsetof(struct shared_info_x86_64, arch.f)
#define ARCH32(f) offsetof(struct shared_info_x86_32, arch.f)

static const struct {
	const char *name;
	size_t off64, off32;
} arch_fields[SIM_ARCH_NR] = {
	[SIM_ARCH_MAX_PFN] = {"max_pfn", ARCH64(max_pfn), ARCH32(max_pfn)},
	[SIM_ARCH_FLL] = {"pfn_to_mfn_frame_list_list", ARCH64(pfn_to_mfn_frame_list_list),
			  ARCH32(pfn_to_mfn_frame_list_list)},
	[SIM_ARCH_P2M_CR3] = {"p2m_cr3", ARCH64(p2m_cr3), ARCH32(p2m_cr3)},
	[SIM_ARCH_P2M_VADDR] = {"p2m_vaddr", ARCH64(p2m_vaddr), ARCH32(p2m_vaddr)},
	[SIM_ARCH_P2M_GENERATION] = {"p2m_generation", ARCH64(p2m_generation),
				     ARCH32(p2m_generation)},
};

size_t sim_arch_offset(unsigned int width, enum sim_arch_field f)
{
	return width == 8 ? arch_fields[f].off64 : arch_fields[f].off32;
}

const char *sim_arch_field_name(enum sim_arch_field f)
{
	return arch_fields[f].name;
}

uint64_t sim_arch_get(const void *shinfo, unsigned int width, enum sim_arch_field f)
{
	const uint8_t *p = (const uint8_t *)shinfo + sim_arch_offset(width, f);

	if (width == 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		return v;
	} else {
		uint32_t v;

		memcpy(&v, p, 4);
		return v;
	}
}

void sim_arch_set(void *shinfo, unsigned int width, enum sim_arch_field f, uint64_t v)
{
	uint8_t *p = (uint8_t *)shinfo + sim_arch_offset(width, f);

	if (width == 8) {
		memcpy(p, &v, 8);
	} else {
		uint32_t w = (uint32_t)v;

		memcpy(p, &w, 4);
	}
}

uint64_t sim_cr3_to_mfn(unsigned int width, uint64_t cr3)
{
	if (width == 8)
		return cr3 >> 12;
	/* a 32-bit guest's cr3 is "folded" to fit MFNs above 4 GiB */
	return xen_cr3_to_pfn_x86_32((uint32_t)cr3);
}

uint64_t sim_mfn_to_cr3(unsigned int width, uint64_t mfn)
{
	if (width == 8)
		return mfn << 12;
	return xen_pfn_to_cr3_x86_32((uint32_t)mfn);
}

/* What the restore does to the copied shared_info (as libxenguest does). */
void sim_shinfo_reset_for_restore(void *shinfo, unsigned int width)
{
	unsigned int i;

	sim_arch_set(shinfo, width, SIM_ARCH_FLL, 0);
	if (width == 8) {
		struct shared_info_x86_64 *s = shinfo;

		memset(s->evtchn_pending, 0, sizeof(s->evtchn_pending));
		memset(s->evtchn_mask, 0xff, sizeof(s->evtchn_mask));
		for (i = 0; i < XEN_LEGACY_MAX_VCPUS_X86_64; i++)
			s->vcpu_info[i].evtchn_pending_sel = 0;
	} else {
		struct shared_info_x86_32 *s = shinfo;

		memset(s->evtchn_pending, 0, sizeof(s->evtchn_pending));
		memset(s->evtchn_mask, 0xff, sizeof(s->evtchn_mask));
		for (i = 0; i < XEN_LEGACY_MAX_VCPUS_X86_32; i++)
			s->vcpu_info[i].evtchn_pending_sel = 0;
	}
}
