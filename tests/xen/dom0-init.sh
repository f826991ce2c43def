#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the real-Xen test's dom0 (Debian's kernel as a PV dom0 on
# Debian's Xen, from an initramfs): bring up the toolstack, run the steps
# of /xt/steps.sh, power off.  Results go out as "XT|" lines (dom0-lib.sh).
XENBIN=$(echo /usr/lib/xen-*/bin)
export PATH=/usr/bin:$XENBIN
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o size=1200m tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /run/xen /run/xenstored /run/lock /var/lib/xen/dump /var/log/xen/console
chmod 1777 /tmp
T_BOOT=$(cut -d' ' -f1 /proc/uptime)

. /xt/dom0-lib.sh
xt_channel
emit "BOOTED dom0 $(uname -r) on Xen $(cat /sys/hypervisor/version/major).$(cat /sys/hypervisor/version/minor)$(cat /sys/hypervisor/version/extra) at $T_BOOT s"

KVER=$(cat /xt/kver)
for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc; do
	insmod "/lib/modules/$KVER/$m.ko" || emit "# insmod $m failed"
done
mount -t xenfs xenfs /proc/xen

toolstack() {
	xenstored --pid-file /run/xen/xenstored.pid || return 1
	i=0
	while [ ! -S /run/xenstored/socket ]; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.1
	done
	xen-init-dom0 || return 1
	xenconsoled --pid-file=/run/xen/xenconsoled.pid --log=guest \
		--log-dir=/var/log/xen/console || return 1
}
toolstack >/tmp/xt/toolstack.log 2>&1 || {
	while IFS= read -r l; do emit "# $l"; done </tmp/xt/toolstack.log
	bail "the Xen toolstack did not start"
}
summary "dom0 up, toolstack ready at $(now) s after boot"

. /xt/steps.sh
xt_end
