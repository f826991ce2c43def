# SPDX-License-Identifier: GPL-2.0
#
# The steps the real-Xen test runs inside dom0, in order (sourced by
# dom0-init.sh after the toolstack is up; the framework is dom0-lib.sh).
#
# To add a step: write a function of assertions and call `step` with it, or
# use `step_rc` for "this command exits with that status", e.g.
#
#	step_rc "xenp2m check: consistent" 0 xenp2m check "$D"
#
# Steps that need a verb the build lacks are reported as skipped
# (`step_if_verb`, dom0-lib.sh).  $D is the test guest's current domid (it changes with
# every restore), $MAP its System.map (from /proc/kallsyms), $PAGES its
# p2m size.

MEM_MIB=256
PAGES=$((MEM_MIB * 256))
NAME=domu
MAP=/tmp/xt/$NAME.map

cat >/etc/xen/$NAME.cfg <<EOF
name = "$NAME"
type = "pv"
kernel = "/boot/vmlinuz"
ramdisk = "/boot/domu-initrd.gz"
extra = "console=hvc0 rdinit=/init loglevel=4"
memory = $MEM_MIB
vcpus = 2
on_crash = "preserve"
EOF

# ----------------------------------------------------------------- guest up
t_create() {
	_tc=$(now)
	run xl create /etc/xen/$NAME.cfg
	is "$rc" 0 "xl create"
	wait_console $NAME '^DOMU-UP' 120
	ok $? "the guest printed DOMU-UP"
	D=$(xl domid $NAME 2>/dev/null)
	like "$D" '^[0-9]+$' "xl domid $NAME: $D"
	system_map $NAME "$MAP"
	ok $? "System.map built from the guest's /proc/kallsyms"
	like "$(cat "$MAP")" ' [bB] p2m_top_mfn$' "it has p2m_top_mfn"
	like "$(cat "$MAP")" ' [dD] xen_p2m_addr$' "it has xen_p2m_addr"
	summary "guest $NAME: domid $D, ${MEM_MIB} MiB ($PAGES pages), up $(elapsed "$_tc") s after xl create; System.map: $(wc -l <"$MAP") symbols"
}
step "xl create a ${MEM_MIB} MiB PV guest; it boots and prints its symbols" t_create ||
	bail "the test guest did not come up"

# ----------------------------------------------------------------- list
t_list_text() {
	run xenp2m list
	is "$rc" 0 "xenp2m list exits 0"
	like "$out" '^ +ID +NAME +TYPE +WIDTH +LAYOUT +MAX_PFN +GEN +HEALTH$' "header line"
	like "$out" '^ +0 Domain-0 +pv +64 ' "Domain-0: PV, 64-bit"
	like "$out" "^ *$D $NAME +pv +64 +list +0x$(printf %x "$PAGES") +0 +ok\$" \
		"$NAME (domid $D): PV, 64-bit, list layout, max_pfn, generation 0, ok"
	is "$(printf '%s\n' "$out" | wc -l)" 3 "header + two domains"
	is "$err" "" "nothing on stderr"
}
step "xenp2m list: Domain-0 and $NAME, PV, 64-bit, healthy" t_list_text

t_list_json() {
	run xenp2m --json list
	is "$rc" 0 "xenp2m --json list exits 0"
	is "$(json_get "$out" .schema_version)" 2 "valid JSON with schema_version 2"
	is "$(json_get "$out" '.domains[0].domid')" 0 "domains[0] is dom0"
	is "$(json_get "$out" '.domains[0].name')" Domain-0 "domains[0].name"
	is "$(json_get "$out" '.domains[0].type')" pv "domains[0].type"
	is "$(json_get "$out" '.domains[1].domid')" "$D" "domains[1] is the guest"
	is "$(json_get "$out" '.domains[1].name')" "$NAME" "domains[1].name"
	is "$(json_get "$out" '.domains[1].type')" pv "domains[1].type"
	is "$(json_get "$out" '.domains[1].width')" 64 "domains[1].width"
	is "$(json_get "$out" '.domains[1].tot_pages')" "$PAGES" "domains[1].tot_pages"
	is "$(json_get "$out" '.domains[1].layout')" list "domains[1].layout"
	is "$(json_get "$out" '.domains[1].max_pfn')" "$PAGES" "domains[1].max_pfn"
	is "$(json_get "$out" '.domains[1].health')" ok "domains[1].health"
	is "$(json_get "$out" '.domains[2].domid')" "" "no third domain"
}
step "xenp2m --json list: parsed, same facts" t_list_json

# ----------------------------------------------------------------- failures
# as_nobody CMD...: run CMD as an unprivileged user
as_nobody() {
	su -s /bin/sh nobody -c "$*" </dev/null
}
t_not_root() {
	run as_nobody xenp2m list
	is "$rc" 4 "as nobody: exit 4"
	like "$err" '^xenp2m: error: permission denied' "says permission denied"
	like "$err" 'as root' "and that it must run as root"
	run as_nobody xenp2m --json list
	is "$rc" 4 "as nobody, --json: exit 4"
	is "$(json_get "$out" .error.kind)" permission_denied "JSON error kind permission_denied"
	is "$(json_get "$out" .error.exit_code)" 4 "JSON exit_code 4"
	run as_nobody xenp2m check "$D"
	is "$rc" 4 "as nobody, check: exit 4"
	like "$err" 'permission denied' "says permission denied"
}
step "not root: permission denied, exit 4" t_not_root

t_nodomain() {
	_absent=32000
	while xl list "$_absent" >/dev/null 2>&1; do _absent=$((_absent - 1)); done
	run xenp2m show "$_absent"
	is "$rc" 3 "show $_absent: exit 3"
	like "$err" "no domain with id $_absent" "names the domid"
	run xenp2m show no-such-guest
	is "$rc" 3 "show no-such-guest: exit 3"
	like "$err" "no domain named 'no-such-guest'" "names the name"
}
step_if_verb show "an unknown domid or name: exit 3, named" t_nodomain

# ----------------------------------------------------------------- backend
# probe_step TAG [ARGS...]: backend-probe against the guest, its summary
# passed on
t_probe() {
	_tag=$1
	shift
	run backend-probe --pages "$PAGES" --name "$NAME" --save "/tmp/xt/view-$_tag" \
		--dump "/tmp/xt/p2m-$_tag" "$@" "$D"
	is "$rc" 0 "backend-probe passes all its assertions"
	is "$(printf '%s\n' "$out" | grep -c '^not ok')" 0 "no failed assertion"
	[ "$rc" = 0 ] || printf '%s\n' "$out" | grep -A3 '^not ok'
	_s=$(printf '%s\n' "$out" | sed -n 's/^# summary: //p')
	# what the backend saw, for the inspector's steps to agree with
	FLL=$(printf '%s\n' "$_s" | sed -n 's/.* fll=\(0x[0-9a-f]*\) .*/\1/p')
	P2M_CR3=$(printf '%s\n' "$_s" | sed -n 's/.* p2m_cr3=\(0x[0-9a-f]*\) .*/\1/p')
	like "$FLL" '^0x[0-9a-f]+$' "the probe reports the frame list list ($FLL)"
	GNT0=$(printf '%s\n' "$_s" | sed -n 's/.*entry 0 -> \(0x[0-9a-f]*\),.*/\1/p')
	GNT1=$(printf '%s\n' "$_s" | sed -n 's/.*entry 1 -> \(0x[0-9a-f]*\)$/\1/p')
	like "$GNT0 $GNT1" '^0x[0-9a-f]+ 0x[0-9a-f]+$' "the probe reports grant entries 0 and 1"
	printf '%s\n' "$_s" | while IFS= read -r l; do summary "probe $_tag: $l"; done
	printf '%s\n' "$out" | tail -n 5
}
step "backend probe: every backend op against $NAME and dom0" t_probe 0

# xen-mfndump (Xen's own tool) against the backend's view of the p2m,
# with the helper that will compare it with `xenp2m show --dump`
t_mfndump() {
	_tm=$(now)
	run sh -c "xen-mfndump dump-p2m $D >/tmp/xt/mfndump-0"
	is "$rc" 0 "xen-mfndump dump-p2m $D"
	_tdump=$(elapsed "$_tm")
	is "$(grep -c 'pfn=0x' /tmp/xt/mfndump-0)" "$PAGES" "xen-mfndump lists every pfn"
	_tm=$(now)
	run p2m-compare /tmp/xt/mfndump-0 /tmp/xt/p2m-0
	is "$rc" 0 "the backend's p2m (backend-probe --dump) equals xen-mfndump's"
	is "$out" "compared $PAGES pfns: 0 differ, 0 only in the first, 0 only in the second, 0 bad class, 0 duplicate" \
		"every pfn compared"
	_tcmp=$(elapsed "$_tm")
	# the helper catches a difference (on a slice, to keep it quick)
	head -n 1000 /tmp/xt/mfndump-0 >/tmp/xt/mfndump-0.head
	head -n 998 /tmp/xt/p2m-0 | sed '2s/ 0x[0-9a-f]* / 0x1 /' >/tmp/xt/p2m-0.bad
	run p2m-compare /tmp/xt/mfndump-0.head /tmp/xt/p2m-0.bad
	is "$rc" 1 "a changed entry is caught"
	like "$out" '^differ: pfn 0x0: 0x[0-9a-f]+ vs 0x1$' "and named"
	summary "xen-mfndump dump-p2m vs the backend: $PAGES pfns compared, 0 differ (mfndump $_tdump s, compare $_tcmp s)"
}
step "p2m-compare: xen-mfndump dump-p2m == the backend's p2m" t_mfndump

# ----------------------------------------------------------------- the inspector
# t_check TAG: xenp2m check, text and JSON, agreeing with the backend probe
t_check() {
	_tc=$(now)
	run xenp2m check "$D"
	is "$rc" 0 "xenp2m check $D: exit 0 (consistent)"
	_tt=$(elapsed "$_tc")
	run xenp2m check "$NAME"
	is "$rc" 0 "xenp2m check $NAME (by name): exit 0"
	run xenp2m --json check "$D"
	is "$rc" 0 "xenp2m --json check: exit 0"
	is "$(json_get "$out" .schema_version)" 2 "valid JSON"
	is "$(json_get "$out" '.domains[0].domid')" "$D" "the guest's report"
	is "$(json_get "$out" '.domains[0].verdict')" consistent "verdict consistent"
	is "$(json_get "$out" '.domains[0].layout')" list "layout list (tree and list published)"
	is "$(json_get "$out" '.domains[0].p2m.max_pfn')" "$PAGES" "max_pfn"
	is "$(json_get "$out" '.domains[0].p2m.frame_list_list')" "$FLL" "frame list list as the probe saw it"
	is "$(json_get "$out" '.domains[0].p2m.p2m_cr3_mfn')" "$P2M_CR3" "p2m_cr3 as the probe saw it"
	is "$(json_get "$out" '.domains[0].p2m.pfns_checked')" "$PAGES" "every pfn checked"
	is "$(json_get "$out" '.domains[0].p2m.entries.valid')" "$PAGES" "every entry valid"
	is "$(json_get "$out" '.domains[0].p2m.walked.tree')" true "the mfn tree was walked"
	is "$(json_get "$out" '.domains[0].p2m.walked.list')" true "the linear list was walked"
	is "$(json_get "$out" '.domains[0].summary.errors')" 0 "no errors"
	is "$(json_get "$out" '.domains[0].grants.checked')" true "the grant table was checked"
	is "$(json_get "$out" '.domains[0].grants.version')" 1 "grant table v1"
	summary "check $1: domid $D consistent, $PAGES pfns checked ($_tt s)"
}
step_if_verb check "xenp2m check: the guest is consistent (text, JSON agree with the probe)" t_check 0

# t_check_symbols: the guest-internal view through its System.map
t_check_symbols() {
	run xenp2m check --symbols "$MAP" "$D"
	is "$rc" 0 "xenp2m check --symbols $MAP $D: exit 0"
	run xenp2m --json check --symbols "$MAP" "$D"
	is "$(json_get "$out" '.domains[0].verdict')" consistent "verdict consistent"
	is "$(json_get "$out" '.domains[0].p2m.walked.symbols')" true "the symbols were used"
	is "$(json_get "$out" '.domains[0].summary.errors')" 0 "no errors"
}
step_if_verb check "xenp2m check --symbols: the guest-internal view agrees" t_check_symbols

# t_wrong_symbols: a System.map that does not fit (every name given the next
# line's address, as another build's map would) is recognised as such, not
# turned into findings about the guest
t_wrong_symbols() {
	awk '{ a[NR] = $1; t[NR] = $2; n[NR] = $3 }
	     END { for (i = 1; i <= NR; i++) print a[i % NR + 1], t[i], n[i] }' "$MAP" >/tmp/wrong.map
	run xenp2m --json check --symbols /tmp/wrong.map "$D"
	is "$rc" 1 "check --symbols with another kernel's map: exit 1"
	is "$(json_get "$out" '.domains[0].finding_counts.symbols-mismatch')" 1 "reported as symbols-mismatch"
	is "$(json_get "$out" '.domains[0].summary.errors')" 0 "and nothing else"
}
step_if_verb check "xenp2m check --symbols of another kernel: symbols-mismatch" t_wrong_symbols

# t_show_dump TAG: show --dump against xen-mfndump dump-p2m, entry by entry
t_show_dump() {
	_tc=$(now)
	run sh -c "xenp2m show $D --dump >/tmp/xt/show-$1"
	is "$rc" 0 "xenp2m show $D --dump: exit 0"
	_tt=$(elapsed "$_tc")
	like "$(head -n1 /tmp/xt/show-$1)" '^#' "a '#' header line first"
	[ -s "/tmp/xt/mfndump-$1" ] || xen-mfndump dump-p2m "$D" >"/tmp/xt/mfndump-$1"
	run p2m-compare "/tmp/xt/mfndump-$1" "/tmp/xt/show-$1"
	is "$rc" 0 "show --dump equals xen-mfndump dump-p2m"
	is "$out" "compared $PAGES pfns: 0 differ, 0 only in the first, 0 only in the second, 0 bad class, 0 duplicate" \
		"every pfn compared"
	run p2m-compare "/tmp/xt/p2m-$1" "/tmp/xt/show-$1"
	is "$rc" 0 "and equals the backend probe's p2m"
	summary "show --dump $1 vs xen-mfndump: $(printf '%s\n' "$out" | tail -n1) ($_tt s)"
}
step_if_verb show "xenp2m show --dump == xen-mfndump dump-p2m" t_show_dump 0

# the documented --dump line format, "0x<pfn> 0x<entry> <class>", strictly
t_show_dump_format() {
	_bad=$(grep -v '^#' /tmp/xt/show-0 | grep -cvE '^0x[0-9a-f]+ 0x[0-9a-f]+ (valid|invalid|missing|identity|foreign)$')
	is "$_bad" 0 "every --dump line is '0x<pfn> 0x<entry> <class>'"
	[ "$_bad" = 0 ] || grep -v '^#' /tmp/xt/show-0 |
		grep -vE '^0x[0-9a-f]+ 0x[0-9a-f]+ (valid|invalid|missing|identity|foreign)$' | head -n 3
}
step_if_verb show "xenp2m show --dump: every line in the documented format" t_show_dump_format

t_show_pfn() {
	_m=$(sed -n 's/^0x0 \(0x[0-9a-f]*\) .*/\1/p' /tmp/xt/p2m-0)
	run xenp2m show "$D" --pfn 0
	is "$rc" 0 "xenp2m show $D --pfn 0: exit 0"
	like "$out" "$_m" "names pfn 0's mfn ($_m)"
	run xenp2m show "$D" --mfn "$_m"
	is "$rc" 0 "xenp2m show $D --mfn $_m: exit 0"
	like "$out" 'pfn 0x0([^0-9a-fx]|$)|pfn 0([^0-9x]|$)' "leads back to pfn 0"
	run xenp2m show "$D"
	is "$rc" 0 "xenp2m show $D: exit 0"
	like "$out" "$FLL" "shows the frame list list"
}
step_if_verb show "xenp2m show: one pfn, one mfn, the fields" t_show_pfn

# The size of domain $1's grant table as Xen itself reports it (the 'g'
# debug key): "(XEN)   1 frames (64 max), 0 maptrack frames (1024 max)".
xen_gnt_frames() {
	xl dmesg -c >/dev/null 2>&1
	xl debug-keys g
	xl dmesg | awk -v d="remote d$1 " 'index($0, d) { getline; print $2; exit }'
}

# t_grants: the grant table, as the backend probe saw it
t_grants() {
	_before=$(xen_gnt_frames "$D")
	run xenp2m grants "$D"
	is "$rc" 0 "xenp2m grants $D: exit 0"
	run xenp2m --json grants "$D"
	is "$rc" 0 "xenp2m --json grants: exit 0"
	is "$(json_get "$out" .domains[0].grant_table.version)" 1 "version 1"
	is "$(json_get "$out" .domains[0].grant_table.nr_frames)" 1 "1 frame in use (read without growing)"
	is "$(json_get "$out" .domains[0].grant_table.max_frames)" 64 "64 at most"
	is "$(json_get "$out" '.domains[0].grant_table.entries[0].ref')" 0 "entry 0 (console)"
	is "$(json_get "$out" '.domains[0].grant_table.entries[0].flags_raw')" 0x0019 "flags 0x19"
	is "$(json_get "$out" '.domains[0].grant_table.entries[0].peer')" 0 "granted to dom0"
	is "$(json_get "$out" '.domains[0].grant_table.entries[0].frame')" "$GNT0" "its frame as the probe saw it"
	is "$(json_get "$out" '.domains[0].grant_table.entries[1].ref')" 1 "entry 1 (xenstore)"
	is "$(json_get "$out" '.domains[0].grant_table.entries[1].frame')" "$GNT1" "its frame as the probe saw it"
	run xenp2m grants "$D" --ref 1
	is "$rc" 0 "xenp2m grants --ref 1: exit 0"
	like "$out" "$GNT1" "shows entry 1's frame"
	run xenp2m grants "$D" --all-entries
	is "$rc" 0 "xenp2m grants --all-entries: exit 0"
	_after=$(xen_gnt_frames "$D")
	is "$_before" 1 "Xen's 'g' key: the guest's table has 1 frame before"
	is "$_after" "$_before" "Xen's 'g' key: still $_before frame(s) after xenp2m read it: never grown"
	summary "grants $1: v1, entry 0 -> $GNT0, entry 1 -> $GNT1; Xen's 'g' key: $_before frame(s) before, $_after after"
}
step_if_verb grants "xenp2m grants: the table as the backend probe saw it" t_grants 0

t_check_all() {
	run xenp2m check --all
	is "$rc" 0 "xenp2m check --all: exit 0"
	like "$out" "$NAME" "reports the guest"
}
step_if_verb check "xenp2m check --all (dom0 and the guest)" t_check_all
# ----------------------------------------------------------------- PVH, HVM
# QEMU's TCG offers SVM with nested paging, so Xen has HAP and can build
# PVH guests (Debian's Xen has no shadow paging: without HAP it could not).
# Booting one is unreliable there (RDTSCP must be hidden from the vCPU, and
# even then the guest sometimes triple-faults) and slow (20-40 s), so the
# assertions use a paused PVH domain, whose type is all they need.  With
# XENP2M_XEN_EXPLORE=1 (xt_explore=1 on dom0's command line) the guest is
# also booted, and whether it came up recorded in the summary; so is what
# `xl create` says of an HVM guest (it needs hvmloader and a device model,
# qemu-system-xen, which are not installed).
t_pvh() {
	cat >/etc/xen/pvh.cfg <<EOF
name = "pvh"
type = "pvh"
kernel = "/boot/vmlinuz"
ramdisk = "/boot/domu-initrd.gz"
extra = "console=hvc0 rdinit=/init loglevel=4"
memory = 128
vcpus = 1
on_crash = "preserve"
EOF
	run xl create -p /etc/xen/pvh.cfg
	is "$rc" 0 "xl create -p: a paused PVH guest"
	_P=$(xl domid pvh 2>/dev/null)
	like "$_P" '^[0-9]+$' "it is domain $_P"
	run xenp2m list
	like "$out" "^ *$_P pvh +pvh +- +- +- +- +not-pv\$" "xenp2m list: type pvh, not-pv"
	run xenp2m --json list
	is "$(json_domain "$out" "$_P" type)" pvh "JSON: type pvh"
	# Xen reports a guest's width for PV guests only: 0 = unknown
	is "$(json_domain "$out" "$_P" width)" 0 "JSON: width 0 (Xen tells PV guests' only)"
	is "$(json_domain "$out" "$_P" health)" not-pv "JSON: health not-pv"
	run backend-probe --not-pv "$_P"
	is "$rc" 0 "backend-probe --not-pv: type pvh, vcpu_cr3 refused as not PV"
	[ "$rc" = 0 ] || printf '%s\n' "$out" | grep -A3 '^not ok'
	if need_verb check; then
		run xenp2m check pvh
		is "$rc" 3 "xenp2m check of a PVH guest: exit 3"
		like "$err" 'not a PV guest' "says it is not a PV guest"
	fi
	if grep -q xt_explore=1 /proc/cmdline; then
		_tp=$(now)
		xl unpause pvh
		if wait_console pvh '^DOMU-UP' 60 >/dev/null; then
			summary "explore: PVH guest boots in QEMU TCG (DOMU-UP $(elapsed "$_tp") s after unpause)"
		else
			summary "explore: PVH guest did not boot within 60 s: $(xl dmesg | grep -E 'Triple fault|Insn|crash' | tail -n1)"
		fi
	fi
	xl destroy pvh >/dev/null 2>&1
	xl domid pvh >/dev/null 2>&1
	isnt "$?" 0 "the PVH guest is gone again"
	if grep -q xt_explore=1 /proc/cmdline; then
		printf 'name = "hvm"\ntype = "hvm"\nmemory = 64\nvcpus = 1\nboot = "n"\n' >/etc/xen/hvm.cfg
		run xl create /etc/xen/hvm.cfg
		summary "explore: HVM guest: xl create exits $rc: $(printf '%s\n' "$err" | grep -iE 'error|fail' | head -n1)"
		xl destroy hvm >/dev/null 2>&1
	fi
	true
}
step "a PVH guest: typed pvh, refused as not PV" t_pvh

# the guest module: loaded, checked, its services (module_round, module_final)
. /xt/steps-module.sh

# ----------------------------------------------------------------- migration
# A save/restore that keeps the source alive until the copy runs gives the
# guest all new MFNs, as a migration to another host does (live `xl
# migrate` needs shadow paging, which Debian's Xen is built without).
t_migrate() {
	_old=$D
	_tick=$(last_tick $NAME)
	_tm=$(now)
	run xl save -p $NAME /tmp/xt/$NAME.save
	is "$rc" 0 "xl save -p (the source stays, paused)"
	run xl rename $NAME $NAME-old
	is "$rc" 0 "xl rename the source"
	run xl restore /tmp/xt/$NAME.save
	is "$rc" 0 "xl restore"
	run xl destroy $NAME-old
	is "$rc" 0 "xl destroy the old source"
	rm -f /tmp/xt/$NAME.save
	D=$(xl domid $NAME 2>/dev/null)
	like "$D" '^[0-9]+$' "the restored guest is domain $D"
	isnt "$D" "$_old" "with a new domid"
	wait_tick $NAME "${_tick:-0}" 30
	ok $? "the restored guest runs (ticked past $_tick)"
	summary "round $1: xl save -p/rename/restore/destroy: domid $_old -> $D in $(elapsed "$_tm") s"
}

for round in 1 2; do
	step "round $round: migrate by save -p, rename, restore, destroy the source" t_migrate $round
	step "round $round: backend probe after the restore: every MFN moved, round trip holds" \
		t_probe $round --before /tmp/xt/view-$((round - 1))
	step "round $round: xenp2m list shows the guest under its new domid" t_list_text
	step_if_verb check "round $round: xenp2m check: consistent after the restore" t_check $round
	step_if_verb show "round $round: xenp2m show --dump == xen-mfndump dump-p2m" t_show_dump $round
	step_if_verb grants "round $round: xenp2m grants: entries 0/1 name the new frames" t_grants $round
	module_round $round
done
module_final

# ----------------------------------------------------------------- snapshot, verify
# The post-migration validation flow of xenp2m(8): xl save -p leaves the
# source paused as saved; its snapshot --pages; the copy restored paused
# verified page by page before it runs; unpaused, its structures verified
# once it republishes.  Then the same with one page of the paused copy
# changed through a writable foreign mapping (page-poke): that pfn named.
SNAP=/tmp/xt/$NAME.snap

# t_snap_source ROUND: xl save -p, then the paused source's snapshot --pages
t_snap_source() {
	_old=$D
	_ts=$(now)
	run xl save -p $NAME /tmp/xt/$NAME.save
	T_SAVE=$(elapsed "$_ts")
	is "$rc" 0 "xl save -p $NAME (the source stays, paused as saved) in $T_SAVE s"
	run xl list $NAME
	like "$out" "^$NAME +$D .* --p" "the source is paused"
	_ts=$(now)
	run xenp2m -j snapshot $NAME --pages -o $SNAP
	T_SNAP=$(elapsed "$_ts")
	is "$rc" 0 "xenp2m snapshot $NAME --pages: exit 0 in $T_SNAP s"
	is "$(json_get "$out" '.domains[0].pfns.valid')" "$PAGES" "every pfn valid"
	is "$(json_get "$out" '.domains[0].pages.hashed')" "$PAGES" "every page hashed"
	is "$(json_get "$out" '.domains[0].read_through')" published "the p2m as the guest publishes it"
	is "$(json_get "$out" '.domains[0].check.verdict')" consistent "the source is consistent"
	is "$(json_get "$out" '.domains[0].pages.by_kind.ring')" 2 "the console and xenstore rings found"
	is "$(json_get "$out" '.domains[0].pages.by_kind.start-info')" 1 "start_info found (by its magic)"
	isnt "$(json_get "$out" '.domains[0].pages.by_kind.page-table')" 0 "page tables typed by Xen"
	isnt "$(json_get "$out" '.domains[0].pages.by_kind.p2m')" 0 "the p2m's leaves found"
	isnt "$(json_get "$out" '.domains[0].pages.by_kind.p2m-tree')" 0 "the mfn tree's pages found"
	N_PT=$(json_get "$out" '.domains[0].pages.by_kind.page-table')
	N_TREE=$(json_get "$out" '.domains[0].pages.by_kind.p2m-tree')
	N_ZERO=$(json_get "$out" '.domains[0].pages.zero')
	run xl rename $NAME $NAME-old
	is "$rc" 0 "xl rename the source"
	run xl restore -p /tmp/xt/$NAME.save
	is "$rc" 0 "xl restore -p: the copy, paused before it resumes"
	rm -f /tmp/xt/$NAME.save
	D=$(xl domid $NAME 2>/dev/null)
	like "$D" '^[0-9]+$' "the copy is domain $D"
	isnt "$D" "$_old" "a new domid"
	summary "snapshot $1: xl save -p of $PAGES pages in $T_SAVE s; snapshot --pages of the paused source in $T_SNAP s ($N_PT page tables, $N_TREE mfn-tree pages, $N_ZERO zero pages)"
}

# t_verify_pages ROUND: verify --pages of the paused copy: clean
t_verify_pages() {
	_ts=$(now)
	run xenp2m -j verify $NAME --baseline $SNAP --pages
	T_VERIFY=$(elapsed "$_ts")
	is "$rc" 0 "xenp2m verify $NAME --pages: exit 0 in $T_VERIFY s"
	[ "$rc" = 0 ] || { xenp2m verify $NAME --baseline $SNAP --pages; }
	is "$(json_get "$out" '.domains[0].verdict')" clean "verdict clean"
	is "$(json_get "$out" '.domains[0].p2m.read_through')" vcpu0-page-tables \
		"the copy's p2m read through vcpu0's page tables (not republished yet)"
	is "$(json_get "$out" '.domains[0].p2m.class_changed')" 0 "every pfn's class as before"
	is "$(json_get "$out" '.domains[0].p2m.not_owned')" 0 "every valid pfn on a frame of the copy's"
	is "$(json_get "$out" '.domains[0].p2m.mfn_changed')" "$PAGES" "every MFN changed"
	is "$(json_get "$out" '.domains[0].pages.differ')" 0 "no page differs"
	is "$(json_get "$out" '.domains[0].pages.excluded')" 2 "the 2 rings not compared"
	is "$(json_get "$out" '.domains[0].pages.pending')" "$N_TREE" "the mfn tree's $N_TREE pages pending"
	P_CMP=$(json_get "$out" '.domains[0].pages.compared')
	is "$P_CMP" $((PAGES - 2 - N_TREE)) "every other page compared: $P_CMP"
	is "$(json_get "$out" '.domains[0].structures.state')" pending "the structures pending"
	is "$(json_get "$out" '.domains[0].structures.check.verdict')" just-restored "check: just-restored"
	run xenp2m verify $NAME --baseline $SNAP --pages
	like "$out" 'structures: just-restored: structures not checked \(the guest has not resumed yet\)' \
		"text: says the structures are not checked yet"
	summary "verify $1: $P_CMP pages compared, 0 differ, 2 rings not compared, $N_TREE mfn-tree pages pending, in $T_VERIFY s (xl save -p took $T_SAVE s, snapshot --pages $T_SNAP s)"
}

# t_verify_wait ROUND: the source gone, the copy unpaused: verify --wait
t_verify_wait() {
	_tick=$(last_tick $NAME)
	run xl destroy $NAME-old
	is "$rc" 0 "xl destroy the source"
	run xl unpause $NAME
	is "$rc" 0 "xl unpause the copy"
	_ts=$(now)
	run xenp2m -j verify $NAME --baseline $SNAP --wait 60
	is "$rc" 0 "xenp2m verify $NAME --wait 60: exit 0"
	is "$(json_get "$out" '.domains[0].verdict')" clean "verdict clean"
	is "$(json_get "$out" '.domains[0].structures.state')" checked "the structures checked"
	is "$(json_get "$out" '.domains[0].structures.check.verdict')" consistent "consistent: the mfn list rebuilt"
	is "$(json_get "$out" '.domains[0].p2m.read_through')" published "the p2m republished"
	is "$(json_get "$out" '.domains[0].p2m.mfn_changed')" "$PAGES" "every MFN changed"
	wait_tick $NAME "${_tick:-0}" 30
	ok $? "the copy runs (ticked past $_tick)"
	summary "verify $1 after unpause: --wait: republished and consistent $(elapsed "$_ts") s after xl unpause"
}

# t_verify_poke: one page of the paused copy changed: named, exit 1; put back: clean
t_verify_poke() {
	xenp2m show $NAME --dump >/tmp/xt/dump-poke
	run sh -c "page-poke find $D $((PAGES / 2)) </tmp/xt/dump-poke"
	is "$rc" 0 "page-poke finds a zero page from pfn $(printf 0x%x $((PAGES / 2))) on"
	_pfn=${out% *}
	_mfn=${out#* }
	like "$_pfn $_mfn" '^0x[0-9a-f]+ 0x[0-9a-f]+$' "pfn $_pfn at frame $_mfn"
	run page-poke write $D $_mfn
	is "$rc" 0 "page-poke writes 16 bytes into it through a writable foreign mapping"
	run xenp2m -j verify $NAME --baseline $SNAP --pages
	is "$rc" 1 "xenp2m verify --pages: exit 1"
	is "$(json_get "$out" '.domains[0].verdict')" differs "verdict differs"
	is "$(json_get "$out" '.domains[0].pages.differ')" 1 "one page differs"
	is "$(json_get "$out" '.domains[0].pages.diffs[0].pfn')" "$_pfn" "pfn $_pfn, the one changed"
	is "$(json_get "$out" '.domains[0].pages.diffs[0].before')" data "a data page"
	run xenp2m verify $NAME --baseline $SNAP --pages
	like "$out" "^    pfn $_pfn: data differs\$" "text: names pfn $_pfn"
	run page-poke clear $D $_mfn
	is "$rc" 0 "page-poke puts the zeros back"
	run xenp2m verify $NAME --baseline $SNAP --pages
	is "$rc" 0 "verify --pages: clean again"
	summary "verify --pages with pfn $_pfn changed through a foreign mapping: exit 1, that pfn named; put back: clean"
}

# t_bench: snapshot --pages against a plain read of the same pages, same run
t_bench() {
	run bench-snapshot $NAME 3
	is "$rc" 0 "bench-snapshot $NAME: exit 0"
	like "$out" "$PAGES pages +plain read" "it read every page"
	summary "bench: $(printf '%s\n' "$out" | sed 's/  */ /g'); xl save -p: $T_SAVE s"
}

if need_verb snapshot && need_verb verify; then
	step "round 3: xl save -p; snapshot --pages of the paused source; rename; xl restore -p" \
		t_snap_source 3
	step "round 3: verify --pages of the paused copy: clean, structures pending" t_verify_pages 3
	step "round 3: bench-snapshot: snapshot --pages vs. a plain read of the same pages" t_bench
	step "round 3: xl unpause; verify --wait: clean, structures rebuilt" t_verify_wait 3
	step "round 4: xl save -p; snapshot --pages; rename; xl restore -p" t_snap_source 4
	step "round 4: a page of the paused copy changed: verify --pages names it, exit 1" t_verify_poke
	step "round 4: xl unpause; verify --wait: clean" t_verify_wait 4
else
	step_if_verb snapshot "snapshot and verify" true
fi
