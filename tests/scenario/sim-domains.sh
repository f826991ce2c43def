#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xenp2m-sim create, list, pause, unpause, destroy, mem-set, symbols.
. "$(dirname "$0")/../lib.sh"

H="$TMPD/d.host"
xenp2m-sim init "$H" --memory 2G || exit 1

dom() {  # dom NAME PYTHON_EXPR: a field of domain NAME in "list -j" ('x')
	xenp2m-sim list -j "$H" | python3 -c "import json,sys
d=json.load(sys.stdin)
m=[x for x in d['domains'] if x['name']=='$1']
x=m[0] if m else None
print($2 if x else 'none')"
}

run xenp2m-sim create "$H" --name web --memory 64M
is "$rc:$out:$err" "0:1:" "create prints the domid"
run xenp2m-sim create "$H" --name old --memory 64M --layout tree --kernel pre-fix-003 --seed 7
is "$rc:$out" "0:2" "a tree guest with the pre-fix-003 kernel"
run xenp2m-sim create "$H" --name pae --memory 48M --maxmem 96M --width 32
is "$rc:$out" "0:3" "a 32-bit guest with balloon space"
run xenp2m-sim create "$H" --name lo --memory 32M --layout list-only
is "$rc:$out" "0:4" "a list-only guest"

run xenp2m-sim list "$H"
is "$(printf '%s\n' "$out" | tr -s ' ' | sed -n '3,6p' | tr '\n' '|')" \
	"web 1 64 64 1 -b---- 64 list fixed|old 2 64 64 1 -b---- 64 tree pre-fix-003|pae 3 48 96 1 -b---- 32 list fixed|lo 4 32 32 1 -b---- 64 list-only fixed|" \
	"list shows each guest's memory, state, width, layout and kernel"
is "$(dom web 'x["arch"]["max_pfn"]')" 0x4000 "web publishes max_pfn = its 16384 pages"
is "$(dom web 'x["arch"]["p2m_vaddr"]')" 0xffffc90000000000 "web publishes its p2m list"
is "$(dom old 'x["arch"]["p2m_cr3"]')" 0x0 "a tree guest has no p2m_cr3"
isnt "$(dom old 'x["arch"]["pfn_to_mfn_frame_list_list"]')" 0x0 "but a frame list list"
is "$(dom lo 'x["arch"]["pfn_to_mfn_frame_list_list"]')" 0xffffffffffffffff "list-only publishes ~0"
is "$(dom pae 'x["arch"]["p2m_vaddr"]')" 0xf0000000 "the 32-bit guest's list is in its vmalloc area"
is "$(dom pae 'x["max_pages"]'):$(dom pae 'x["tot_pages"]')" "24576:12288" "maxmem is max_pages"
is "$(dom old 'x["seed"]')" 7 "the seed is recorded"

# the seed changes the frames, deterministically
xenp2m-sim init "$TMPD/s1.host" --memory 1G && xenp2m-sim init "$TMPD/s2.host" --memory 1G || exit 1
xenp2m-sim create "$TMPD/s1.host" --name a --memory 32M --seed 1 >/dev/null
xenp2m-sim create "$TMPD/s2.host" --name a --memory 32M --seed 1 >/dev/null
xenp2m-sim create "$TMPD/s2.host" --name b --memory 32M --seed 2 >/dev/null
xenp2m-sim create "$TMPD/s1.host" --name b --memory 32M --seed 3 >/dev/null
frames_of() {  # frames_of HOST NAME
	xenp2m-sim list -j "$1" | python3 -c "import json,sys
print(' '.join(x['p2m_head'][0] + '/' + x['shared_info_mfn'] for x in json.load(sys.stdin)['domains'] if x['name']=='$2'))"
}
is "$(frames_of "$TMPD/s1.host" a)" "$(frames_of "$TMPD/s2.host" a)" "the same seed on the same host gives the same frames"
isnt "$(frames_of "$TMPD/s1.host" b)" "$(frames_of "$TMPD/s2.host" b)" "another seed gives other frames"

# bad input
run xenp2m-sim create "$H" --name web --memory 32M
is "$rc:$err" "3:xenp2m-sim: error: a domain named 'web' already exists (domid 1)" "duplicate name"
run xenp2m-sim create "$H" --name x --memory 12Q
is "$rc:$err" "3:xenp2m-sim: error: invalid memory size '12Q': use a number with an optional K, M, G or T suffix (e.g. 256M, 4G, 1T)" "bad size"
run xenp2m-sim create "$H" --name x --memory 64M --maxmem 32M
is "$rc:$err" "3:xenp2m-sim: error: maxmem 32 MiB is less than memory 64 MiB" "maxmem below memory"
run xenp2m-sim create "$H" --name x --memory 4M
is "$rc" 3 "a guest too small for its kernel: exit 3"
like "$err" "^xenp2m-sim: error: cannot build a list guest of 4 MiB: " "a guest too small: says so"
run xenp2m-sim create "$H" --name x --memory 4G
is "$rc" 3 "more memory than the host has: exit 3"
like "$err" "^xenp2m-sim: error: out of host memory: 4 GiB wanted, [0-9.]+ [MG]iB free$" "out of host memory"
run xenp2m-sim create "$H" --name x --memory 1T --layout tree
is "$rc" 3 "a tree guest past 512 GiB: exit 3"
like "$err" "cannot build a tree guest of 1 TiB: too large for the tree layout" "a tree guest past 512 GiB: says so"
run xenp2m-sim create "$H" --name 42 --memory 32M
is "$rc:$err" "2:xenp2m-sim: error: invalid domain name '42': 1-63 printable characters, no spaces or '/', not a number" \
	"a numeric name is a usage error"
run xenp2m-sim create "$H" --name x --memory 32M --kernel nope
is "$rc" 2 "bad kernel: exit 2"
like "$err" "invalid kernel 'nope'" "bad kernel: named"
run xenp2m-sim create "$H" --name x --memory 32M --seed -1
is "$rc" 2 "bad seed: exit 2"
is "$(xenp2m-sim list "$H" | wc -l)" 6 "failed creates leave no domain behind"

# --paused: the kernel has not run
run xenp2m-sim create "$H" --name later --memory 32M --paused
is "$rc:$out" "0:5" "create --paused"
is "$(dom later 'x["state"]'):$(dom later 'x["pending"]')" "--p---:boot" "paused, its boot pending"
is "$(dom later 'x["arch"]["max_pfn"]'):$(dom later 'x["arch"]["pfn_to_mfn_frame_list_list"]')" "0x0:0x0" \
	"shared_info's arch block is still empty"
is "$(dom later 'x["p2m_head"]')" None "no p2m to read yet"
run xenp2m-sim unpause "$H" later
is "$rc" 0 "unpause boots it"
is "$(dom later 'x["state"]'):$(dom later 'x["pending"]'):$(dom later 'x["arch"]["max_pfn"]')" "-b----:None:0x2000" \
	"running, with a published p2m"

run xenp2m-sim pause "$H" 1
is "$rc" 0 "pause by domid"
is "$(dom web 'x["state"]')" "--p---" "web is paused"
run xenp2m-sim unpause "$H" web
is "$(dom web 'x["state"]')" "-b----" "web runs again"

# mem-set: the balloon driver
run xenp2m-sim mem-set "$H" pae 24M
is "$rc:$err" "0:" "mem-set down"
is "$(dom pae 'x["tot_pages"]')" 6144 "the guest gave pages back"
run xenp2m-sim mem-set "$H" pae 96M
is "$rc:$err" "0:" "mem-set up to maxmem"
is "$(dom pae 'x["tot_pages"]')" 24576 "the guest populated new pages"
run xenp2m-sim mem-set "$H" pae 97M
is "$rc:$err" "3:xenp2m-sim: error: memory target 97 MiB exceeds the domain's maximum of 96 MiB" "mem-set past maxmem"
run xenp2m-sim mem-set "$H" pae lots
is "$rc:$err" "3:xenp2m-sim: error: invalid memory size 'lots': use a number with an optional K, M, G or T suffix (e.g. 256M, 4G, 1T)" "mem-set with a bad size"
xenp2m-sim pause "$H" pae
run xenp2m-sim mem-set "$H" pae 32M
is "$rc:$err" "3:xenp2m-sim: error: domain 3 ('pae') is paused: its balloon driver cannot run (unpause it first)" \
	"mem-set on a paused guest"
xenp2m-sim unpause "$H" pae
run xenp2m-sim mem-set "$H" pae 40M --delay-us 10
is "$rc:$(dom pae 'x["tot_pages"]')" "0:10240" "mem-set --delay-us"

# symbols
run xenp2m-sim symbols "$H" web
is "$rc" 0 "symbols"
like "$out" '^ffffffff81000000 T _text$' "System.map starts at _text"
like "$out" ' [bBdD] p2m_top_mfn$' "it has p2m_top_mfn"
like "$out" ' [dD] xen_p2m_addr$' "and xen_p2m_addr"
run xenp2m-sim symbols "$H" old
like "$out" ' [bBdD] p2m_top$' "a tree kernel has p2m_top"
run xenp2m-sim symbols "$H" pae -o "$TMPD/pae.map"
is "$rc:$out" "0:" "symbols -o writes a file"
like "$(cat "$TMPD/pae.map")" '^c1000000 T _text$' "a 32-bit kernel's System.map"

# unknown domains, destroy
run xenp2m-sim pause "$H" nosuch
is "$rc:$err" "3:xenp2m-sim: error: no domain named 'nosuch'" "unknown domain name"
run xenp2m-sim unpause "$H" 99
is "$rc:$err" "3:xenp2m-sim: error: no domain with id 99" "unknown domid"
run xenp2m-sim symbols "$H" nosuch
is "$rc:$err" "3:xenp2m-sim: error: no domain named 'nosuch'" "symbols of an unknown domain"
free0=$(xenp2m-sim list -j "$H" | python3 -c "import json,sys; print(json.load(sys.stdin)['host']['free_frames'])")
run xenp2m-sim destroy "$H" web
is "$rc:$err" "0:" "destroy"
is "$(dom web 'x')" none "web is gone"
free1=$(xenp2m-sim list -j "$H" | python3 -c "import json,sys; print(json.load(sys.stdin)['host']['free_frames'])")
is "$((free1 - free0))" 16389 "its 16384 pages, its shared_info page and its grant table (a shared frame; meta, active and maptrack frames) are free again"
run xenp2m-sim destroy "$H" web
is "$rc:$err" "3:xenp2m-sim: error: no domain named 'web'" "destroy twice"
run xenp2m-sim destroy "$H" Domain-0
is "$rc:$err" "3:xenp2m-sim: error: domain 0 cannot be destroyed" "dom0 stays"
run xenp2m-sim create "$H" --name web --memory 32M
is "$rc:$out" "0:6" "domids are not reused: the next is 6"
done_testing
