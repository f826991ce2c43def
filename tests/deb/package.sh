#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages (debian/): built from a clean copy of the source tree
# (the files `make dist` ships) with dpkg-buildpackage, checked by lintian,
# installed into a fresh Debian 12 root made by debootstrap, used there, and
# purged without a trace.
#
# Needs root, dpkg-buildpackage, debhelper, lintian, debootstrap and a
# Debian mirror (XENP2M_DEBIAN_MIRROR, default http://deb.debian.org/debian).
# Without them: a loud SKIP, or a failure with XENP2M_REQUIRE_PACKAGE_TESTS=1.
# XENP2M_SKIP_PACKAGE_TESTS=1 skips on purpose.  The debootstrapped root is
# cached as $top_builddir/tests/deb/bookworm-root.tar (delete it to refresh).
. "$(dirname "$0")/../lib.sh"

skip_loud() {
	echo "# ======================================================================"
	echo "# SKIPPED: the Debian package test did not run: $*"
	echo "# ======================================================================"
	if [ "${XENP2M_REQUIRE_PACKAGE_TESTS:-0}" = 1 ]; then
		echo "not ok 1 - the package test is required (XENP2M_REQUIRE_PACKAGE_TESTS=1) but cannot run: $*"
		echo "1..1"
		exit 1
	fi
	skip_all "$*"
}

[ "${XENP2M_SKIP_PACKAGE_TESTS:-0}" = 1 ] && skip_all "XENP2M_SKIP_PACKAGE_TESTS=1"
[ "$(id -u)" = 0 ] || skip_loud "not root (debootstrap and chroot need it)"
for t in dpkg-buildpackage dh lintian debootstrap chroot; do
	command -v "$t" >/dev/null || skip_loud "$t is not installed (tools/install-deps.sh)"
done

MIRROR=${XENP2M_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${XENP2M_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
VERSION=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
CACHE=$top_builddir/tests/deb
ROOT=$TMPD/root
mkdir -p "$CACHE"

# ------------------------------------------------------------------ build
# the files `make dist` ships, as a clean tree
mkdir -p "$TMPD/src"
run make -s -C "$top_builddir" distdir distdir="$TMPD/src/xenp2m-$VERSION"
is "$rc" 0 "a clean source tree (make distdir)"
cd "$TMPD/src/xenp2m-$VERSION" || exit 1
DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b >"$TMPD/build.log" 2>&1
rc=$?
is "$rc" 0 "dpkg-buildpackage -us -uc -b"
[ "$rc" = 0 ] || { tail -n 30 "$TMPD/build.log" | sed 's/^/#   /'; done_testing; exit 1; }
cd "$TMPD/src" || exit 1
debs=$(ls ./*.deb | grep -v dbgsym | sort)
is "$(echo "$debs" | sed 's|^\./||; s|_.*||' | sort | tr '\n' ' ')" "xenp2m xenp2m-guest-dkms xenp2m-sim " \
	"the packages: $(echo "$debs" | tr '\n' ' ')"

lint=$(lintian --suppress-tags-from-file /dev/null ./*.changes 2>&1 | grep -E '^[EW]: ')
is "${lint:-none}" none "lintian: no error, no warning"

for p in xenp2m xenp2m-sim; do
	like "$(dpkg-deb -f ./${p}_*.deb Depends)" 'libc6' "$p: Depends computed (shlibs)"
done
like "$(dpkg-deb -f ./xenp2m-guest-dkms_*.deb Depends)" '(^|, )dkms' "xenp2m-guest-dkms depends on dkms (dh_dkms)"
is "$(dpkg-deb -f ./xenp2m-guest-dkms_*.deb Architecture)" all "xenp2m-guest-dkms: Architecture all"
is "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top_srcdir/src/guest/module/dkms.conf")" "$VERSION" \
	"dkms.conf's version is the project's"
like "$(dpkg-deb -f ./xenp2m_*.deb Depends)" 'libxenforeignmemory1' "xenp2m depends on the Xen libraries it links"
unlike "$(dpkg-deb -f ./xenp2m-sim_*.deb Depends)" 'libxen(ctrl|foreignmemory|gnttab)' \
	"xenp2m-sim does not depend on the Xen libraries"
echo "# contents:"
for d in $debs; do dpkg-deb -c "$d" | awk '$NF !~ /\/$/ { print "#   " $NF }'; done

# ------------------------------------------------------------------ a fresh root
if [ -s "$CACHE/bookworm-root.tar" ]; then
	mkdir -p "$ROOT" && tar -C "$ROOT" -xf "$CACHE/bookworm-root.tar"
	rc=$?
else
	debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$TMPD/debootstrap.log" 2>&1
	rc=$?
	[ "$rc" = 0 ] && tar -C "$ROOT" -cf "$CACHE/bookworm-root.tar" .
fi
if [ "$rc" != 0 ]; then
	tail -n 5 "$TMPD/debootstrap.log" 2>/dev/null | sed 's/^/#   /'
	skip_loud "debootstrap of Debian 12 from $MIRROR failed"
fi
cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY bookworm-security main
EOF
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
# no service starts inside the root
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
mount -t proc proc "$ROOT/proc" && mount --bind /dev "$ROOT/dev" || skip_loud "cannot mount /proc and /dev in the root"
trap 'umount "$ROOT/dev" "$ROOT/proc" 2>/dev/null; rm -rf "$TMPD"' EXIT
mkdir -p "$ROOT/tmp/debs" && cp $debs "$ROOT/tmp/debs/"

inroot() { # inroot CMD...: in the root, as a fresh login would
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"
}

run inroot apt-get update -qq
is "$rc" 0 "apt-get update in the fresh root"
run inroot apt-get install -y -qq --no-install-recommends man-db bash-completion
is "$rc" 0 "man-db and bash-completion in the root"
run inroot sh -c 'apt-get install -y -qq --no-install-recommends /tmp/debs/*.deb'
is "$rc" 0 "apt-get install the packages (their dependencies from the archive)"
[ "$rc" = 0 ] || printf '%s\n' "$err" | tail -n 20 | sed 's/^/#   /'

# ------------------------------------------------------------------ use them
run inroot xenp2m --version
is "$rc" 0 "xenp2m --version"
is "$out" "xenp2m $VERSION" "it is this version"
run inroot man -w xenp2m
is "$out" "/usr/share/man/man8/xenp2m.8.gz" "man -w xenp2m"
run inroot man -w xenp2m-sim
is "$out" "/usr/share/man/man1/xenp2m-sim.1.gz" "man -w xenp2m-sim"

# the demo's core through the installed programs
run inroot sh -c 'xenp2m-sim create /tmp/host --name g1 --memory 256M --kernel pre-fix-003 &&
	xenp2m --sim=/tmp/host check g1 && xenp2m-sim migrate /tmp/host g1 >/dev/null &&
	xenp2m --sim=/tmp/host check g1'
is "$rc" 1 "the installed programs: a pre-fix guest is consistent, then mfn-stale after a migration"
like "$out" "^domain 1 \(g1\): consistent" "consistent after boot"
like "$out" "mfn-stale \(1\)" "mfn-stale after the migration"
run inroot xenp2m --sim=/tmp/nothing list
is "$rc" 4 "no host: exit 4, as documented"

# bash completion: loaded on demand, by name, as bash-completion does it
for p in xenp2m xenp2m-sim; do
	run inroot bash -c ". /usr/share/bash-completion/bash_completion;
		complete -p $p >/dev/null 2>&1 && echo preloaded;
		_completion_loader $p; complete -p $p"
	like "$out" "^complete -F _[a-z0-9_]+ $p\$" "$p: its completion loads on demand"
	unlike "$out" preloaded "$p: ... and only on demand"
done

# the fleet timer: installed, neither enabled nor started (policy-rc.d would
# have refused a start anyway: the test is the missing wants link)
WANTS=/etc/systemd/system/timers.target.wants/xenp2m-metrics.timer
ok "$([ -f "$ROOT/lib/systemd/system/xenp2m-metrics.timer" ] && [ -f "$ROOT/lib/systemd/system/xenp2m-metrics.service" ]; echo $?)" \
	"the service and timer are installed"
like "$(cat "$ROOT/lib/systemd/system/xenp2m-metrics.service")" 'ExecStart=/usr/sbin/xenp2m ' \
	"the service runs the installed /usr/sbin/xenp2m"
ok "$([ ! -e "$ROOT$WANTS" ] && [ ! -L "$ROOT$WANTS" ]; echo $?)" "the timer is not enabled by the install"
# enabled the way Debian's tooling enables units (deb-systemd-helper, as from
# the package's own scripts: it records it, so the purge must take it back)
run inroot env DPKG_MAINTSCRIPT_PACKAGE=xenp2m DPKG_MAINTSCRIPT_NAME=postinst \
	deb-systemd-helper enable xenp2m-metrics.timer
is "$rc" 0 "the timer enabled (deb-systemd-helper enable)"
ok "$([ -L "$ROOT$WANTS" ]; echo $?)" "(enabled: $WANTS)"

# the guest module, through dkms, against the root's own kernel headers
run inroot apt-get install -y -qq --no-install-recommends linux-headers-amd64
is "$rc" 0 "linux-headers-amd64 in the root"
kver=$(ls "$ROOT/lib/modules" | sort -V | tail -n1)
like "$kver" '^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-amd64$' "the root's kernel headers: $kver"
run inroot sh -c 'apt-get install -y -qq --no-install-recommends /tmp/debs/xenp2m-guest-dkms_*.deb'
is "$rc" 0 "apt-get install xenp2m-guest-dkms: dkms builds the module in its postinst"
[ "$rc" = 0 ] || printf '%s\n%s\n' "$out" "$err" | tail -n 30 | sed 's/^/#   /'
run inroot dkms status xenp2m-guest
like "$out" "^xenp2m-guest/$VERSION, $kver, x86_64: installed" "dkms status: built and installed for $kver"
ko=$(find "$ROOT/lib/modules/$kver" -name 'xenp2m_guest.ko*' | head -n1)
isnt "$ko" "" "the module is in /lib/modules/$kver (${ko#$ROOT})"
run inroot modinfo -F license "${ko#$ROOT}"
is "$out" GPL "modinfo: license GPL"
run inroot modinfo -F vermagic "${ko#$ROOT}"
like "$out" "^$kver SMP" "modinfo: built for $kver"
dkms_files=$(inroot dpkg -L xenp2m-guest-dkms | sort -u)

# ------------------------------------------------------------------ purge
files=$(printf '%s\n%s\n' "$(inroot dpkg -L xenp2m xenp2m-sim)" "$dkms_files" | sort -u)
run inroot apt-get purge -y -qq xenp2m xenp2m-sim xenp2m-guest-dkms
is "$rc" 0 "apt-get purge"
is "$(find "$ROOT/lib/modules" -name 'xenp2m_guest.ko*' | wc -l | tr -d ' ')" 0 "the built module is gone"
is "$(inroot dkms status xenp2m-guest)" "" "dkms knows nothing of it"
is "$(ls -d "$ROOT/usr/src/xenp2m-guest-$VERSION" "$ROOT/var/lib/dkms/xenp2m-guest" 2>/dev/null)" "" \
	"no source or dkms tree left"
is "$rc" 0 "apt-get purge"
left=
for f in $files; do
	[ -d "$ROOT$f" ] && continue
	{ [ -e "$ROOT$f" ] || [ -L "$ROOT$f" ]; } && left="$left $f"
done
is "${left:-none}" none "no file of the packages is left"
ok "$([ ! -e "$ROOT$WANTS" ] && [ ! -L "$ROOT$WANTS" ]; echo $?)" "the timer the operator enabled is not left enabled"
is "$(grep -rl xenp2m "$ROOT/var/lib/systemd/deb-systemd-helper-enabled" 2>/dev/null)" "" \
	"no enablement state of it is left"
is "$(inroot dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' 2>/dev/null | grep -E '^xenp2m' || true)" "" \
	"no trace in dpkg's database (not even config-files)"
run inroot apt-get autoremove -y -qq --purge
is "$rc" 0 "apt-get autoremove"
is "$(inroot dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' dkms 2>/dev/null | grep -v '^dkms un' || true)" "" \
	"dkms, pulled in by xenp2m-guest-dkms, went with it"
done_testing
