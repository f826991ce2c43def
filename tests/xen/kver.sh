# SPDX-License-Identifier: GPL-2.0
# xt_kver: the kernel version the real-Xen test boots, and builds the guest
# module xenp2m_guest.ko for: the newest in /lib/modules with a
# /boot/vmlinuz of that version and Xen's dom0 modules (linux-image-amd64).
# Prints nothing and fails when there is none.  Sourced by
# build-initramfs.sh and tests/scenario/module-build.sh.
xt_kver() {
	for _k in $(ls /lib/modules 2>/dev/null | sort -rV); do
		if [ -r "/boot/vmlinuz-$_k" ] &&
			[ -n "$(find "/lib/modules/$_k" -name 'xen-privcmd.ko*' -print -quit 2>/dev/null)" ]; then
			echo "$_k"
			return 0
		fi
	done
	return 1
}
