#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xenp2m-sim grant, ungrant, grant-map, grant-unmap and --gnttab-version:
# exact output, exit codes, and the grant tables they leave (list -j).
. "$(dirname "$0")/../lib.sh"

H="$TMPD/g.host"
xenp2m-sim init "$H" --memory 1G || exit 1

info() {  # info NAME PYTHON_EXPR  ('x': the domain in list -j, 'g': its grant table)
	xenp2m-sim list -j "$H" | python3 -c "import json,sys
d=json.load(sys.stdin)
x=[x for x in d['domains'] if x['name']=='$1'][0]
g=x['grant_table']
e=dict((y['ref'], y) for y in (g['entries'] if g else []))
print($2)"
}

# a new guest's table, as the toolstack leaves it
run xenp2m-sim create "$H" --name g --memory 64M
is "$rc:$out" "0:1" "create g"
is "$(info g 'g["version"], g["nr_frames"], g["max_frames"], g["nr_status_frames"], g["resource_grows"]')" \
	"1 1 64 0 0" "version 1, 1 frame (64 max), no status frames, never grown by a resource mapping"
is "$(info g 'len(g["frames"]), g["status_frames"]')" "1 []" "one frame listed"
is "$(info g 'e[0]["flags"], e[0]["domid"], e[0]["frame"] == x["rings"]["console_mfn"]')" "0x19 0 True" \
	"entry 0: the console ring, mapped by xenconsoled (0x19)"
is "$(info g 'e[1]["flags"], e[1]["domid"], e[1]["frame"] == x["rings"]["store_mfn"]')" "0x19 0 True" \
	"entry 1: the xenstore ring, mapped by xenstored"
is "$(info g 'sorted(e)')" "[0, 1]" "nothing else in use"
is "$(info g 'x["tainted_mask"]')" "0x0" "the guest is not tainted"
is "$(info Domain-0 'x["rings"]["console_mfn"], x["rings"]["store_mfn"], sorted(e)')" "None None []" \
	"dom0 has a table but no rings"

# grant
run xenp2m-sim grant "$H" g --to 0 --count 3
is "$rc:$out" "0:8
9
10" "grant --count 3: refs 8, 9, 10"
is "$(info g 'e[9]["flags"], e[9]["domid"]')" "0x1 0" "entry 9: permit_access to domain 0"
run xenp2m-sim grant "$H" g --to 5 --readonly
is "$rc:$out" "0:11" "grant --readonly --to 5: ref 11"
is "$(info g 'e[11]["flags"], e[11]["domid"]')" "0x5 5" "entry 11: read-only to domain 5"
f8=$(info g 'e[8]["frame"]')

# grant-map / grant-unmap
run xenp2m-sim grant-map "$H" g 8 --by 0
is "$rc:$out" "0:domain 0 mapped grant 8 of domain 1 read-write (frame $f8): flags 0x1 -> 0x19" \
	"grant-map: reading|writing while mapped read-write"
run xenp2m-sim grant-map "$H" g 8 --by 0 --readonly
is "$rc:$out" "0:domain 0 mapped grant 8 of domain 1 read-only (frame $f8): flags 0x19 -> 0x19" \
	"grant-map --readonly as well"
run xenp2m-sim grant-unmap "$H" g 8 --by 0
is "$rc:$out" "0:domain 0 unmapped grant 8 of domain 1: flags 0x19 -> 0x19" \
	"grant-unmap: the read-only one; writing stays while the writable one does"
run xenp2m-sim grant-unmap "$H" g 8 --by 0
is "$rc:$out" "0:domain 0 unmapped grant 8 of domain 1: flags 0x19 -> 0x1" "the last one: flags clear"
run xenp2m-sim grant-unmap "$H" g 8 --by 0
is "$rc:$err" "3:xenp2m-sim: error: domain 0 has no mapping of grant 8 of domain 1" "nothing left to unmap"
run xenp2m-sim grant-map "$H" g 11 --by 0
is "$rc:$err" "3:xenp2m-sim: error: domain 0 cannot map grant 11 of domain 1: it is granted to domain 5" \
	"a grant to another domain"
run xenp2m-sim grant-map "$H" g 11 --by 5
is "$rc:$err" "3:xenp2m-sim: error: no domain with id 5" "by a domain that does not exist"
run xenp2m-sim grant-map "$H" g 3 --by 0
is "$rc:$err" "3:xenp2m-sim: error: domain 0 cannot map grant 3 of domain 1: the entry is not permit_access (flags 0x0)" \
	"an unused entry"
run xenp2m-sim grant-map "$H" g 512 --by 0
is "$rc:$err" "3:xenp2m-sim: error: domain 0 cannot map grant 512 of domain 1: bad ref (the table has 512 entries in 1 frames)" \
	"a ref beyond the table"
xenp2m-sim create "$H" --name h --memory 64M >/dev/null
run xenp2m-sim grant "$H" g --to 2 --readonly
is "$rc:$out" "0:12" "a read-only grant to domain 2 (h)"
run xenp2m-sim grant-map "$H" g 12 --by h
is "$rc" 2 "--by takes a domid"
run xenp2m-sim grant-map "$H" g 12 --by 2
is "$rc:$err" "3:xenp2m-sim: error: domain 2 cannot map grant 12 of domain 1: attempt to write-pin a read-only grant entry" \
	"no writable mapping of a read-only grant"
run xenp2m-sim grant-map "$H" g 12 --by 2 --readonly
is "$rc:$out" "0:domain 2 mapped grant 12 of domain 1 read-only (frame $(info g 'e[12]["frame"]')): flags 0x5 -> 0xd" \
	"a read-only mapping: reading only"

# ungrant
run xenp2m-sim ungrant "$H" g 12
is "$rc:$out:$err" "3::xenp2m-sim: error: domain 1 ('g'): ref 12 is still mapped by domain 2" \
	"ungrant while the peer has it mapped"
is "$(info g 'e[12]["flags"]')" "0xd" "the entry is untouched"
xenp2m-sim grant-unmap "$H" g 12 --by 2 >/dev/null
run xenp2m-sim ungrant "$H" g 12
is "$rc:$out:$err" "0::" "ungrant once unmapped: silent"
is "$(info g '12 in e')" "False" "entry 12 is free"
run xenp2m-sim ungrant "$H" g 12
is "$rc:$err" "3:xenp2m-sim: error: domain 1 ('g'): ref 12 is not a grant of its driver" "not twice"
run xenp2m-sim ungrant "$H" g 1
is "$rc:$err" "3:xenp2m-sim: error: domain 1 ('g'): ref 1 is not a grant of its driver" \
	"not a reserved entry"

# a mapping domain that dies takes its mappings with it
xenp2m-sim grant "$H" g --to 2 --readonly >/dev/null	# ref 12 again
xenp2m-sim grant-map "$H" g 12 --by 2 --readonly >/dev/null
is "$(info g 'e[12]["flags"]')" "0xd" "domain 2 maps ref 12"
xenp2m-sim destroy "$H" h
is "$(info g 'e[12]["flags"]')" "0x5" "destroying domain 2 unmapped it"
xenp2m-sim ungrant "$H" g 12

# growth from the interrupt: the fixed kernel
run xenp2m-sim grant "$H" g --to 0 --count 600
is "$rc" 0 "600 more grants"
is "$(printf '%s\n' "$out" | sed -n '1p;$p' | tr '\n' ' ')" "12 611 " "refs 12..611"
is "$(printf '%s\n' "$out" | wc -l)" 600 "one per line"
is "$(info g 'g["nr_frames"], len(g["frames"]), x["tainted_mask"]')" "2 2 0x0" \
	"the table grew to 2 frames, the kernel untainted"

# the pre-fix-002 kernel oopses there
xenp2m-sim create "$H" --name p --memory 64M --kernel pre-fix-002 >/dev/null
run xenp2m-sim grant "$H" p --to 0 --count 3
is "$rc:$out" "0:8
9
10" "pre-fix-002: grants that fit"
run xenp2m-sim -v grant "$H" p --to 0 --count 600
is "$rc:$out" "3:" "pre-fix-002: growing from the interrupt fails"
is "$(printf '%s\n' "$err" | tail -1)" \
	"xenp2m-sim: error: domain 3 ('p'): the guest kernel's grant driver failed: $(printf '%s\n' "$err" | grep '^(d3) kernel BUG' | sed 's/^(d3) //')" \
	"with the BUG line"
like "$err" "^\(d3\) kernel BUG at arch/x86/xen/arch\.c:[0-9]+! \(paravirt_lazy_mode != PARAVIRT_LAZY_NONE\)$" \
	"a kernel BUG: lazy MMU mode entered twice"
is "$(printf '%s\n' "$err" | sed -n '/Call Trace/,/end trace/p' | tr '\n' '|')" \
	"(d3) Call Trace:|(d3)  <IRQ>|(d3)  apply_to_page_range|(d3)  arch_gnttab_map_shared|(d3)  gnttab_map|(d3)  gnttab_expand|(d3)  gnttab_alloc_grant_references|(d3)  gntdrv_interrupt|(d3)  </IRQ>|(d3) ---[ end trace 0000000000000000 ]---|" \
	"its call trace, on the console"
is "$(info p 'x["tainted_mask"], g["nr_frames"]')" "0x80 2" \
	"tainted D; Xen grew the table, the guest never mapped it"
run xenp2m-sim grant "$H" p --to 0
is "$rc:$out" "0:11" "the guest carries on"

# version 2
run xenp2m-sim create "$H" --name v --memory 64M --gnttab-version 2
is "$rc:$out" "0:4" "create --gnttab-version 2"
is "$(info v 'g["version"], g["nr_frames"], g["nr_status_frames"], len(g["status_frames"])')" "2 1 1 1" \
	"version 2, one status frame"
is "$(info v 'e[0]["flags"], e[0]["status"], e[1]["flags"], e[1]["status"]')" "0x1 0x18 0x1 0x18" \
	"entries 0 and 1: reading|writing in the status frame"
run xenp2m-sim grant "$H" v --to 0
is "$rc:$out" "0:8" "a grant"
run xenp2m-sim grant-map "$H" v 8 --by 0
is "$rc:$out" "0:domain 0 mapped grant 8 of domain 4 read-write (frame $(info v 'e[8]["frame"]')): status 0x0 -> 0x18" \
	"grant-map says what changed in the status frame"
run xenp2m-sim grant-unmap "$H" v 8 --by 0
is "$rc:$out" "0:domain 0 unmapped grant 8 of domain 4: status 0x18 -> 0x0" "and grant-unmap"
run xenp2m-sim grant "$H" v --to 0 --count 16384
is "$rc:$err" "3:xenp2m-sim: error: domain 4 ('v'): the guest kernel's grant driver failed: its grant table cannot grow past 64 frames" \
	"more grants than 64 frames of v2 entries hold"
is "$(info v 'g["nr_frames"]')" 1 "the table did not grow"

# migrate: the toolstack re-seeds 0 and 1, the guest grants again
old=$(info g 'x["rings"]["console_mfn"], e[8]["frame"], e[611]["frame"]')
run xenp2m-sim migrate "$H" g
is "$rc:$out" "0:5" "migrate g"
new=$(info g 'x["rings"]["console_mfn"], e[8]["frame"], e[611]["frame"]')
is "$(info g 'e[0]["frame"] == x["rings"]["console_mfn"], e[0]["flags"], e[1]["frame"] == x["rings"]["store_mfn"], e[1]["flags"]')" \
	"True 0x19 True 0x19" "entries 0 and 1: the new rings, mapped by dom0"
is "$(info g 'len(e), g["nr_frames"], e[8]["flags"], e[11]["flags"], e[11]["domid"]')" "606 2 0x1 0x5 5" \
	"every grant made again, under its ref"
is "$(info g 'x["tainted_mask"]')" "0x0" "the resume path broke no rule"
is "$(printf '%s\n' "$old" "$new" | awk '{ for (i = 1; i <= 3; i++) if (a[i] == $i) same++; else a[i] = $i } END { print same + 0 }')" 0 \
	"the rings and the granted pages have new frames"
run xenp2m-sim migrate "$H" v
is "$(info v 'g["version"], e[0]["flags"], e[0]["status"], e[8]["flags"]')" "2 0x1 0x18 0x1" \
	"a v2 guest is v2 again after a migration"
run xenp2m-sim migrate "$H" p
is "$rc:$(info p 'x["tainted_mask"], g["nr_frames"], sorted(e)[2:]')" "0:0x80 1 [8, 9, 10, 11]" \
	"pre-fix-002 migrates (its resume maps 1 frame by walking the range, not in a lazy batch)"

# a checkpoint keeps the table
xenp2m-sim grant-map "$H" g 9 --by 0 >/dev/null
run xenp2m-sim save -c "$H" g "$TMPD/g.save"
is "$rc:$(info g 'e[9]["flags"], len(e)')" "0:0x19 606" "save --checkpoint: the table is untouched"
run xenp2m-sim grant "$H" g --to 0
is "$rc:$out" "0:612" "and the guest still grants"

# bad input
run xenp2m-sim grant "$H" g
like "$rc:$err" "^2:xenp2m-sim grant: --to is required" "grant without --to"
run xenp2m-sim grant "$H" g --to 32752
is "$rc" 2 "--to beyond the domids"
like "$err" "invalid --to '32752'" "says so"
run xenp2m-sim grant "$H" g --to 0 --count 0
is "$rc" 2 "--count 0"
run xenp2m-sim grant "$H" g --to 0 --count 32769
is "$rc" 2 "--count beyond 32768"
run xenp2m-sim grant-map "$H" g 8
like "$rc:$err" "^2:xenp2m-sim grant-map: --by is required" "grant-map without --by"
run xenp2m-sim grant-unmap "$H" g 8
like "$rc:$err" "^2:xenp2m-sim grant-unmap: --by is required" "grant-unmap without --by"
run xenp2m-sim ungrant "$H" g eight
is "$rc:$err" "2:xenp2m-sim: error: invalid ref 'eight'" "a ref that is not a number"
run xenp2m-sim grant-map "$H" g 0x100000000 --by 0
is "$rc:$err" "2:xenp2m-sim: error: invalid ref '0x100000000'" "a ref beyond 32 bits"
run xenp2m-sim create "$H" --name x --memory 64M --gnttab-version 3
is "$rc" 2 "--gnttab-version 3"
like "$err" "invalid grant table version '3' \(1 or 2\)" "says so"
run xenp2m-sim grant "$H" nosuch --to 0
is "$rc:$err" "3:xenp2m-sim: error: no domain named 'nosuch'" "an unknown domain"
xenp2m-sim pause "$H" g
run xenp2m-sim grant "$H" g --to 0
is "$rc:$err" "3:xenp2m-sim: error: domain 5 ('g') is paused: its grant driver cannot run (unpause it first)" \
	"a paused guest grants nothing"
run xenp2m-sim ungrant "$H" g 8
is "$rc" 3 "nor ends a grant"
done_testing
