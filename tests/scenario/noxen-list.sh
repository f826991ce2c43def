#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Without Xen, xenp2m says so clearly and exits 4, pointing at --sim.
# Runs on any machine that is not a Xen dom0 (skipped on a dom0, where the
# real backend works: tests/xen/ covers that).
. "$(dirname "$0")/../lib.sh"

caps=$(cat /proc/xen/capabilities 2>/dev/null)
case $caps in
*control_d*) skip_all "this machine is a Xen dom0" ;;
esac
if [ -e /dev/xen/privcmd ] || [ -e /proc/xen/capabilities ]; then
	where=guest	# a Xen guest that is not dom0
else
	where=none
fi

run xenp2m list
is "$rc" 4 "list without Xen: exit 4"
is "$out" "" "list without Xen: nothing on stdout"
like "$err" '^xenp2m: error: ' "the one error reporter speaks"
like "$err" 'try the simulated host with --sim=HOSTFILE' "points at --sim=HOSTFILE"
if [ "${XENP2M_BUILT_WITH_XEN:-}" = 1 ]; then
	if [ "$where" = none ]; then
		like "$err" 'Xen was not found \(no /dev/xen/privcmd' "says Xen was not found, and why"
	else
		like "$err" 'not dom0' "in a guest: says this is not dom0"
	fi
else
	like "$err" 'built without the Xen backend' "says the Xen backend is not built in"
fi
is "$(printf '%s\n' "$err" | wc -l)" 1 "one line of error"

run xenp2m --json list
is "$rc" 4 "list --json without Xen: exit 4"
is "$err" "" "list --json: nothing on stderr"
is "$(jq_get "$out" 'd["error"]["kind"]')" backend_unavailable "JSON error kind"
is "$(jq_get "$out" 'd["error"]["exit_code"]')" 4 "JSON exit_code"
is "$(jq_get "$out" 'd["schema_version"]')" 2 "JSON schema_version 2"
like "$(jq_get "$out" 'd["error"]["message"]')" '--sim=HOSTFILE' "JSON message points at --sim"

# an empty XENP2M_SIM does not select the simulator
XENP2M_SIM= run xenp2m list
is "$rc" 4 "empty XENP2M_SIM: still the real backend, exit 4"
done_testing
