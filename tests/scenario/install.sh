#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make install puts the metrics service and timer in the systemd unit
# directory (pkg-config's, or configure's --with-systemdsystemunitdir),
# naming the installed xenp2m, and enables nothing; systemd-analyze
# accepts both; the example alerting rules go with the documentation.
. "$(dirname "$0")/../lib.sh"

mk() { # make in the build tree, as if run by hand
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$top_builddir" "$@"
}
var() { # the value make gives variable $1
	printf 'xp-print-var:\n\t@echo $(%s)\n' "$1" | mk -f Makefile -f - xp-print-var
}

R=$TMPD/root
run mk install DESTDIR="$R"
is "$rc" 0 "make install DESTDIR=... : exit 0"
unitdir=$(var systemdsystemunitdir)
sbindir=$(var sbindir)
docdir=$(var docdir)
like "$unitdir" '^/' "the unit directory: $unitdir"
svc=$R$unitdir/xenp2m-metrics.service
timer=$R$unitdir/xenp2m-metrics.timer
ok "$([ -f "$svc" ] && [ -f "$timer" ]; echo $?)" "xenp2m-metrics.service and .timer installed there"
is "$(grep '^ExecStart=' "$svc")" \
	"ExecStart=$sbindir/xenp2m check --all --format prometheus --textfile-dir \${XENP2M_TEXTFILE_DIR}" \
	"the service runs the installed xenp2m: check --all into the textfile directory"
is "$(grep '^Environment=' "$svc")" "Environment=XENP2M_TEXTFILE_DIR=/var/lib/prometheus/node-exporter" \
	"Debian's node_exporter textfile directory by default"
is "$(grep '^SuccessExitStatus=' "$svc")" "SuccessExitStatus=1" "findings do not fail the unit"
is "$(grep '^Type=' "$svc")" "Type=oneshot" "a oneshot"
is "$(grep -E '^On(Boot|UnitActive)Sec=' "$timer" | tr '\n' ' ')" "OnBootSec=1min OnUnitActiveSec=1min " \
	"the timer: every minute"
is "$(grep '^WantedBy=' "$timer")" "WantedBy=timers.target" "enabled, it runs with timers.target"
is "$(find "$R" -name '*.wants' -o -type l -name 'xenp2m*' | wc -l)" 0 "but nothing enables it"
ok "$([ -x "$R$sbindir/xenp2m" ]; echo $?)" "xenp2m itself in $sbindir"
is "$(cat "$R$docdir/xenp2m-alerts.yml")" "$(cat "$top_srcdir/dist/prometheus/xenp2m-alerts.yml")" \
	"the example alerting rules in $docdir"

if command -v systemd-analyze >/dev/null; then
	# the units as installed, the service pointed at this build's xenp2m
	mkdir "$TMPD/units"
	sed "s|$sbindir/xenp2m|$top_builddir/xenp2m|" "$svc" >"$TMPD/units/xenp2m-metrics.service"
	cp "$timer" "$TMPD/units/"
	run systemd-analyze verify --man=no "$TMPD/units/xenp2m-metrics.service" \
		"$TMPD/units/xenp2m-metrics.timer"
	is "$rc:$out$err" "0:" "systemd-analyze verify: no complaint about either"
fi
run mk uninstall DESTDIR="$R"
is "$rc" 0 "make uninstall: exit 0"
ok "$([ ! -e "$svc" ] && [ ! -e "$timer" ]; echo $?)" "and the units are gone again"
done_testing
