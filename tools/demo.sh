#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The README's demo on the built-in simulated host: two PV guests, one with
# the fixed guest kernel and one with the kernel that lacks "xen: correctly
# rebuild mfn list list after migration"; check, migrate, check.
set -u
B=${1:-.}
SIM="$B/xenp2m-sim"
HOST=$(mktemp -d "${TMPDIR:-/tmp}/xenp2m-demo.XXXXXX")/host
trap 'rm -rf "$(dirname "$HOST")"' EXIT
X() { echo "\$ xenp2m $*"; "$B/xenp2m" --sim="$HOST" "$@"; echo "(exit $?)"; }
S() { echo "\$ xenp2m-sim $*"; "$SIM" "$@" || exit 1; }

echo "== A simulated Xen host with two 1 GiB PV guests (Linux >= 3.19 p2m layout)"
S create "$HOST" --name fixed --memory 1G --layout list --kernel fixed
S create "$HOST" --name prefix --memory 1G --layout list --kernel pre-fix-003
X list
echo
echo "== Both are consistent after boot"
X check fixed prefix
echo
echo "== Migrate both: every MFN changes, then each guest's resume path runs"
S migrate "$HOST" fixed
S migrate "$HOST" prefix
X check fixed prefix
echo
echo "== The pre-fix kernel left p2m_top_mfn naming its frames from before the"
echo "   migration (mfn-stale).  Its path:"
X show prefix --pfn 0
echo
echo "== A legacy guest (Linux 2.6.38-3.18: the mfn tree only) with the pre-fix"
echo "   kernel: its second migration fails in the toolstack, as the seed says"
S create "$HOST" --name legacy --memory 512M --layout tree --kernel pre-fix-003
S migrate "$HOST" legacy
X check legacy
echo "\$ xenp2m-sim migrate $HOST legacy"
"$SIM" migrate "$HOST" legacy
echo "(exit $?)"
