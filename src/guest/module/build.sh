#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build xenp2m_guest.ko against a kernel's build tree:
#
#	build.sh SRCDIR OUTDIR [KDIR [MAKE-ARGUMENTS...]]
#
# SRCDIR is the top of xenp2m's sources, OUTDIR where the module is built
# (kbuild writes its objects beside the sources, so they are copied there,
# with the protocol header, unless OUTDIR is the source folder itself).
# KDIR defaults to the running kernel's /lib/modules/$(uname -r)/build.
# `make module` at the top of the build tree and the tests use this.
set -eu
[ $# -ge 2 ] || { echo "usage: build.sh SRCDIR OUTDIR [KDIR [MAKE-ARGUMENTS...]]" >&2; exit 2; }
src=$1/src/guest/module
out=$2
kdir=${3:-}
[ -n "$kdir" ] || kdir=/lib/modules/$(uname -r)/build
shift 2
[ $# -eq 0 ] || shift
if [ ! -f "$kdir/Makefile" ]; then
	echo "build.sh: no kernel build tree at $kdir (install the linux-headers package of that kernel, or give KDIR=)" >&2
	exit 2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
if [ "$(cd "$src" && pwd -P)" != "$out" ]; then
	cp -p "$src"/*.c "$src"/*.h "$src"/Kbuild "$src"/Makefile "$src"/dkms.conf "$out"/
	cp -p "$src"/../xenp2m-keys.h "$out"/
fi
# not the caller's make: kbuild runs its own
unset MAKEFLAGS MFLAGS MAKELEVEL
exec make -C "$kdir" M="$out" "$@" modules
