/* SPDX-License-Identifier: GPL-2.0 */
/* Xen's public ABI headers for both guest widths (they need stdint first). */
#ifndef XP_XEN_ABI_H
#define XP_XEN_ABI_H

#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1 /* the whole interface, as Xen's own tools see it */
#endif
#include <stdint.h>

#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#endif
