#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test guests (a PV domU running Debian's kernel from an
# initramfs).  Debian ships no real System.map (it is in the -dbg package),
# but a PV kernel is not relocated and has KALLSYMS_ALL, so the guest prints
# the symbols of its p2m code from /proc/kallsyms to its console, prefixed
# "KSYM ", where dom0 collects them into a System.map.  Then it starts the
# agent that runs dom0's commands (domu-agent.sh) and ticks once a second so
# that dom0 can tell it is alive (after a restore, for instance).
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

SYMS='_text|_end|init_top_pgt|xen_start_info|xen_p2m_addr|xen_p2m_size|xen_max_p2m_pfn'
SYMS="$SYMS|p2m_top|p2m_top_mfn|p2m_top_mfn_p|p2m_mid|p2m_mid_mfn|p2m_mid_missing"
SYMS="$SYMS|p2m_mid_missing_mfn|p2m_mid_identity|p2m_missing|p2m_identity"
SYMS="$SYMS|p2m_missing_pte|p2m_identity_pte|xen_p2m_last_pfn|max_pfn|tainted_mask"
grep -E " ($SYMS)\$" /proc/kallsyms | sed 's/^/KSYM /'
echo "DOMU-UP $(uname -r) pages=$(($(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo) / 4))"
[ -x /usr/bin/xt-agent ] && xt-agent &
i=0
while :; do
	echo "DOMU-TICK $i"
	i=$((i + 1))
	sleep 1
done
