#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest module xenp2m_guest.ko builds against the headers of the kernel
# the real-Xen test boots (Debian's linux-headers-amd64), with W=1 and not
# one warning; through build.sh, `make module` and the standalone Makefile;
# its metadata and versions agree.  Without the headers: a loud SKIP, or a
# failure when XENP2M_REQUIRE_XEN_TESTS=1 (as CI sets).
. "$(dirname "$0")/../lib.sh"
. "$top_srcdir/tests/xen/kver.sh"

unavailable() {
	echo "# ======================================================================"
	echo "# SKIPPED: the guest module cannot be built here: $1"
	echo "# ======================================================================"
	if [ "${XENP2M_REQUIRE_XEN_TESTS:-0}" = 1 ]; then
		ok 1 "the guest module must build (XENP2M_REQUIRE_XEN_TESTS=1): $1"
		done_testing
		exit 1
	fi
	skip_all "$1"
}

KVER=${KVER:-$(xt_kver)}
[ -n "$KVER" ] || unavailable "no kernel with Xen's modules in /lib/modules (linux-image-amd64)"
KDIR=/usr/src/linux-headers-$KVER
[ -f "$KDIR/Makefile" ] || unavailable "no headers for $KVER in $KDIR (linux-headers-amd64)"
command -v modinfo >/dev/null || unavailable "modinfo (kmod) is not installed"
build=$top_srcdir/src/guest/module/build.sh
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")

# W=1, in a folder of its own (the real-Xen test builds in another)
run sh "$build" "$top_srcdir" "$TMPD/w1" "$KDIR" W=1
is "$rc" 0 "build.sh builds it against $KDIR with W=1"
is "$(printf '%s\n%s\n' "$out" "$err" | grep -ci 'warning')" 0 "not one warning"
[ "$rc" = 0 ] || printf '%s\n' "$err" | tail -n 20 | sed 's/^/#   /'
ko=$TMPD/w1/xenp2m_guest.ko
[ -f "$ko" ]
ok $? "xenp2m_guest.ko is there"
is "$(modinfo -F name "$ko")" xenp2m_guest "modinfo: name xenp2m_guest"
is "$(modinfo -F license "$ko")" GPL "modinfo: license GPL"
is "$(modinfo -F version "$ko")" "$version" "modinfo: version $version, the package's"
like "$(modinfo -F vermagic "$ko")" "^$KVER SMP " "modinfo: built for $KVER"
is "$(modinfo -F depends "$ko")" "" "modinfo: depends on no other module"
like "$(modinfo -F parm "$ko")" '^variant:fixed: .*pre-fix: .*\(charp\)$' "modinfo: parameter variant"
is "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top_srcdir/src/guest/module/dkms.conf")" \
	"$version" "dkms.conf: PACKAGE_VERSION $version"
is "$(sed -n 's/^#define XP_MODULE_VERSION "\(.*\)"$/\1/p' "$top_srcdir/src/guest/module/module.h")" \
	"$version" "module.h: XP_MODULE_VERSION $version"

# make module, at the top of the build tree
rm -f "$top_builddir/src/guest/module/xenp2m_guest.ko"
run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" module KDIR="$KDIR"
is "$rc" 0 "make module KDIR=$KDIR"
[ -f "$top_builddir/src/guest/module/xenp2m_guest.ko" ]
ok $? "make module builds src/guest/module/xenp2m_guest.ko in the build tree"

# the standalone Makefile, in a copy of the folder with the header beside it
mkdir -p "$TMPD/alone"
cp "$top_srcdir"/src/guest/module/* "$top_srcdir/src/guest/xenp2m-keys.h" "$TMPD/alone/"
run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TMPD/alone" KDIR="$KDIR"
is "$rc" 0 "the standalone Makefile: make KDIR=$KDIR"
[ -f "$TMPD/alone/xenp2m_guest.ko" ]
ok $? "and builds xenp2m_guest.ko"

# a kernel tree that is not there
run sh "$build" "$top_srcdir" "$TMPD/none" "$TMPD/no-such-kernel"
is "$rc" 2 "build.sh with a missing KDIR: exit 2"
like "$err" "^build.sh: no kernel build tree at $TMPD/no-such-kernel " "and says so"
done_testing
