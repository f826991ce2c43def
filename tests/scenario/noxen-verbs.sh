#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Without Xen, every verb that needs the hypervisor fails the same clear
# way (exit 4, pointing at --sim) before it looks for the domain.  Skipped
# on a Xen dom0 (tests/xen/ covers the real backend there).
. "$(dirname "$0")/../lib.sh"

case $(cat /proc/xen/capabilities 2>/dev/null) in
*control_d*) skip_all "this machine is a Xen dom0" ;;
esac

for args in "check 1" "check --all" "check no-such-guest" "show 1" "show 1 --dump" \
	"show 1 --pfn 0"; do
	# shellcheck disable=SC2086
	run xenp2m $args
	is "$rc" 4 "xenp2m $args without Xen: exit 4"
	like "$err" 'try the simulated host with --sim=HOSTFILE' "xenp2m $args: points at --sim"
	unlike "$err" 'no domain' "xenp2m $args: does not blame the domain"
done

run xenp2m --json check 1
is "$rc" 4 "check --json without Xen: exit 4"
is "$(jq_get "$out" 'd["error"]["kind"]')" backend_unavailable "JSON error kind"
done_testing
