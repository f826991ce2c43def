/* SPDX-License-Identifier: GPL-2.0 */
/* Xen's public ABI headers for both guest widths (they need stdint first). */
#ifndef XP_XEN_ABI_H
#define XP_XEN_ABI_H

#include <stdint.h>

#include <xen/foreign/x86_32.h>
#include <xen/foreign/x86_64.h>

#endif
