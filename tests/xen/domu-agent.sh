#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The test guest's agent (started by domu-init.sh): dom0 has no shell in
# the guest, so it writes "<seq> <command>" to the guest's xenstore
# data/xt/cmd; the agent runs the command with sh, then writes its output
# (the last 1000 bytes) to data/xt/out and "<seq> <exit status>" to
# data/xt/rc, which dom0 waits for (steps-module.sh: guest_sh).  Paths are
# relative to the guest's xenstore home, which follows it through a restore.
# It looks twice a second: a process or two per look, little for TCG.
last=0
while :; do
	c=$(xenstore-read data/xt/cmd 2>/dev/null)
	seq=${c%% *}
	case $seq in
	'' | *[!0-9]*) ;;
	*)
		if [ "$seq" -gt "$last" ]; then
			last=$seq
			o=$(sh -c "${c#* }" 2>&1)
			r=$?
			xenstore-write data/xt/out "$(printf '%s' "$o" | tail -c 1000)"
			xenstore-write data/xt/rc "$seq $r"
		fi
		;;
	esac
	sleep 0.5
done
