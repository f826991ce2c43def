#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xenp2m-sim corrupt's grant-table kinds: each changes what it says, in the
# hypervisor's table as list -j shows it, for versions 1 and 2.
. "$(dirname "$0")/../lib.sh"

H="$TMPD/gc.host"
xenp2m-sim init "$H" --memory 1G || exit 1

info() {  # info NAME PYTHON_EXPR  ('x': the domain in list -j, 'g': its grant table)
	xenp2m-sim list -j "$H" | python3 -c "import json,sys
d=json.load(sys.stdin)
x=[x for x in d['domains'] if x['name']=='$1'][0]
g=x['grant_table']
e=dict((y['ref'], y) for y in (g['entries'] if g else []))
print($2)"
}
dom0_frame=$(info Domain-0 'x["start_info_mfn"]')

xenp2m-sim create "$H" --name a --memory 32M >/dev/null	# domain 1
xenp2m-sim grant "$H" a --to 0 --count 3 >/dev/null	# refs 8-10
t=$(info a 'g["frames"][0]')
f8=$(info a 'e[8]["frame"]')

# grant-foreign-frame
run xenp2m-sim corrupt "$H" a grant-foreign-frame
is "$rc:$out" "0:grant-foreign-frame: domain 1: grant entry 8 (v1, table frame $t): frame $f8 -> $dom0_frame (a frame of domain 0)" \
	"grant-foreign-frame: the first grant in use"
is "$(info a 'e[8]["flags"], e[8]["domid"], e[8]["frame"]')" "0x1 0 $dom0_frame" "entry 8 grants dom0's frame"
run xenp2m-sim grant-map "$H" a 8 --by 0
like "$rc:$err" "^3:xenp2m-sim: error: domain 0 cannot map grant 8 of domain 1: could not pin grant frame $dom0_frame \(not a frame of domain 1\)$" \
	"which Xen refuses to map"
run xenp2m-sim corrupt "$H" a grant-foreign-frame --ref 20
is "$rc:$out" "0:grant-foreign-frame: domain 1: grant entry 20 (v1, table frame $t): flags 0x0 -> 0x1, frame 0x0 -> $dom0_frame (a frame of domain 0)" \
	"--ref 20: an unused entry becomes such a grant"

# grant-bad-flags
run xenp2m-sim corrupt "$H" a grant-bad-flags --ref 9
is "$rc:$out" "0:grant-bad-flags: domain 1: grant entry 9 (v1, table frame $t): flags 0x1 -> 0x18 (reading|writing on an entry that is not permit_access)" \
	"grant-bad-flags --ref 9"
is "$(info a 'e[9]["flags"], e[9]["status"]')" "0x18 0x18" "entry 9: reading|writing, type invalid"
run xenp2m-sim corrupt "$H" a grant-bad-flags --ref 30
is "$rc:$out" "0:grant-bad-flags: domain 1: grant entry 30 (v1, table frame $t): flags 0x0 -> 0x18 (reading|writing on an entry that is not permit_access)" \
	"on an unused entry"

# grant-dead-peer
run xenp2m-sim corrupt "$H" a grant-dead-peer --ref 10
is "$rc:$out" "0:grant-dead-peer: domain 1: grant entry 10 (v1, table frame $t): domid 0 -> 32751 (no such domain)" \
	"grant-dead-peer --ref 10"
is "$(info a 'e[10]["flags"], e[10]["domid"]')" "0x1 32751" "entry 10 grants to domain 32751"
xenp2m-sim create "$H" --name b --memory 32M >/dev/null	# domain 2, no grants of its own
run xenp2m-sim corrupt "$H" b grant-dead-peer
is "$rc:$out" "0:grant-dead-peer: domain 2: grant entry 8 (v1, table frame $(info b 'g["frames"][0]')): flags 0x0 -> 0x1, domid 0 -> 32751, frame 0x0 -> $(info b 'x["start_info_mfn"]') (no such domain)" \
	"on a guest that granted nothing: entry 8, one of its frames"

# grant-reserved-stale
c=$(info b 'x["rings"]["console_mfn"]')
run xenp2m-sim corrupt "$H" b grant-reserved-stale
like "$rc:$out" "^0:grant-reserved-stale: domain 2: grant entry 0 \(v1, table frame 0x[0-9a-f]+\): frame $c -> (0x[0-9a-f]+) \(a free frame; its M2P entry := 0x[0-9a-f]+, the console ring's pfn; the toolstack recorded $c\)$" \
	"grant-reserved-stale: entry 0"
is "$(info b 'e[0]["frame"] != x["rings"]["console_mfn"], e[0]["flags"]')" "True 0x19" \
	"entry 0 no longer names the recorded ring (dom0 still maps it)"
s=$(info b 'x["rings"]["store_mfn"]')
run xenp2m-sim corrupt "$H" b grant-reserved-stale --ref 1
like "$rc:$out" "^0:grant-reserved-stale: domain 2: grant entry 1 \(v1, table frame 0x[0-9a-f]+\): frame $s -> 0x[0-9a-f]+ \(a free frame; its M2P entry := 0x[0-9a-f]+, the xenstore ring's pfn; the toolstack recorded $s\)$" \
	"--ref 1: the xenstore ring"
run xenp2m-sim corrupt "$H" b grant-reserved-stale --ref 2
is "$rc:$err" "3:xenp2m-sim: error: corrupt grant-reserved-stale: domain 2 ('b'): ref 2 is not a reserved ring entry (0 or 1)" \
	"only entries 0 and 1"
run xenp2m-sim corrupt "$H" Domain-0 grant-reserved-stale
is "$rc:$err" "3:xenp2m-sim: error: corrupt grant-reserved-stale: domain 0 ('Domain-0'): the toolstack recorded no rings for this domain" \
	"dom0 has no rings"

# version 2: the status frame
xenp2m-sim create "$H" --name v --memory 32M --gnttab-version 2 >/dev/null	# domain 3
xenp2m-sim grant "$H" v --to 0 >/dev/null
tv=$(info v 'g["frames"][0]')
run xenp2m-sim corrupt "$H" v grant-bad-flags
is "$rc:$out" "0:grant-bad-flags: domain 3: grant entry 8 (v2, table frame $tv): flags 0x1 -> 0x0, status 0x0 -> 0x18 (reading|writing on an entry that is not permit_access)" \
	"v2: reading|writing in the status frame"
is "$(info v 'e[8]["flags"], e[8]["status"]')" "0x0 0x18" "as list -j shows"
run xenp2m-sim corrupt "$H" v grant-foreign-frame --ref 9
is "$rc:$out" "0:grant-foreign-frame: domain 3: grant entry 9 (v2, table frame $tv): flags 0x0 -> 0x1, frame 0x0 -> $dom0_frame (a frame of domain 0)" \
	"v2: grant-foreign-frame"

# selectors
run xenp2m-sim corrupt "$H" a grant-dead-peer --ref 512
is "$rc:$err" "3:xenp2m-sim: error: corrupt grant-dead-peer: domain 1 ('a'): ref 512 is beyond the grant table (512 entries)" \
	"a ref beyond the table"
run xenp2m-sim corrupt "$H" a grant-bad-flags --ref -1
is "$rc" 2 "a bad ref"
run xenp2m-sim corrupt "$H" a grant-bad-flags --ref 0x100000000
is "$rc" 2 "a ref beyond 32 bits"
run xenp2m-sim corrupt --help
like "$out" "^  grant-reserved-stale +\[--ref 0\|1\] +ring entry R := not the recorded ring$" "corrupt --help lists the grant kinds"

# end to end: the inspector finds each, through the sim backend, and never
# grows a table while it reads one
findings() {  # findings NAME [check options]: "exit-code finding-ids"
	n=$1; shift
	xenp2m --sim="$H" -j check "$@" "$n" >"$TMPD/f.json"
	echo "$? $(python3 -c "import json; d=json.load(open('$TMPD/f.json'))['domains'][0]
print(' '.join(sorted(set(f['id'] for f in d['findings']))))")"
}
k=0
for kind in grant-foreign-frame:grant-frame-not-owned grant-bad-flags:grant-flags-bad \
	grant-dead-peer:grant-peer-missing "grant-reserved-stale:grant-frame-not-owned grant-reserved-mismatch"; do
	k=$((k + 1))
	xenp2m-sim create "$H" --name "m$k" --memory 32M >/dev/null
	xenp2m-sim grant "$H" "m$k" --to 0 --count 2 >/dev/null
	is "$(findings "m$k")" "0 " "${kind%%:*}: consistent before"
	xenp2m-sim corrupt "$H" "m$k" "${kind%%:*}" >/dev/null
	is "$(findings "m$k")" "1 ${kind#*:}" "${kind%%:*}: xenp2m check reports ${kind#*:}"
done
xenp2m-sim create "$H" --name bug --memory 64M --kernel pre-fix-002 >/dev/null
xenp2m-sim grant "$H" bug --to 0 --count 600 2>/dev/null
xenp2m-sim symbols "$H" bug -o "$TMPD/bug.map"
is "$(findings bug --symbols="$TMPD/bug.map")" "1 kernel-tainted" \
	"pre-fix-002's oops: xenp2m check --symbols reports kernel-tainted"
like "$(python3 -c "import json; print(json.load(open('$TMPD/f.json'))['domains'][0]['findings'][0]['detail'])")" \
	"^tainted_mask 0x80 \(D\): kernel BUG at arch/x86/xen/arch\.c:[0-9]+! \(paravirt_lazy_mode != PARAVIRT_LAZY_NONE\)$" \
	"quoting the BUG line from __log_buf"
is "$(info bug 'x["tainted_mask"]')" "0x80" "(the sim agrees: TAINT_DIE)"
is "$(xenp2m-sim list -j "$H" | python3 -c "import json,sys; print(sum(x['grant_table']['resource_grows'] for x in json.load(sys.stdin)['domains']))")" 0 \
	"the inspector grew no grant table"
done_testing
