#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install what xenp2m needs to build and to run its whole test suite on
# Debian 12 (run as root).  The real-Xen tests need the Xen hypervisor and a
# kernel image as files to boot inside QEMU: nothing here changes how this
# machine boots or needs it to run Xen.
set -eu
export DEBIAN_FRONTEND=noninteractive
BUILD="autoconf automake pkg-config make gcc libc6-dev libjson-c-dev libncurses-dev libxen-dev \
	libxxhash-dev"
TEST="python3 tmux clang-format prometheus prometheus-node-exporter systemd"
PACKAGE="dpkg-dev debhelper dh-dkms lintian debootstrap"
REALXEN="xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils \
	linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static cpio kmod"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root (sudo $0)" >&2
	exit 1
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $BUILD $TEST $REALXEN $PACKAGE >/dev/null
echo "install-deps: done"
