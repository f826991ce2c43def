#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xenp2m-sim save, restore, migrate: every frame changes, the arch block is
# stale until the guest resumes, the toolstack's checks refuse broken guests,
# malformed save files are refused.
. "$(dirname "$0")/../lib.sh"

H="$TMPD/s.host"
xenp2m-sim init "$H" --memory 2G || exit 1

snap() {  # snap NAME: "domid shared_info start_info cr3 p2m_head... | arch fields"
	xenp2m-sim list -j "$H" | python3 -c "import json,sys
m=[x for x in json.load(sys.stdin)['domains'] if x['name']=='$1']
if not m: print('none'); sys.exit()
x=m[0]; a=x['arch']
print(x['domid'], x['pending'], x['shared_info_mfn'], x['start_info_mfn'], x['vcpu0_cr3_mfn'],
      ' '.join(x['p2m_head'] or []), '|', a['max_pfn'], a['pfn_to_mfn_frame_list_list'],
      a['p2m_cr3'], a['p2m_vaddr'], a['p2m_generation'])"
}
field() {  # field "SNAP" N: the Nth word
	echo "$1" | awk -v n="$2" '{ print $n }'
}
# How many of the MFN words (3-13: shared_info, start_info, cr3, 8 p2m
# entries) two snapshots have in common.
same_mfns() {
	python3 -c "import sys
a=sys.argv[1].split()[2:13]; b=sys.argv[2].split()[2:13]
print(sum(1 for x in a if x in b))" "$1" "$2"
}

xenp2m-sim create "$H" --name web --memory 64M --seed 1 >/dev/null || exit 1
before=$(snap web)

# save + restore
run xenp2m-sim save "$H" web "$TMPD/web.save"
is "$rc:$out:$err" "0::" "save"
is "$(snap web)" none "xl save semantics: the saved domain is gone"
ok "$([ -s "$TMPD/web.save" ]; echo $?)" "the save file exists"
size=$(stat -c %s "$TMPD/web.save")
ok "$([ "$size" -lt $((16 << 20)) ]; echo $?)" "it holds only the frames the guest wrote ($size bytes for 64 MiB)"

run xenp2m-sim restore "$H" "$TMPD/web.save" --paused
is "$rc:$out:$err" "0:2:" "restore --paused prints the new domid"
mid=$(snap web)
is "$(field "$mid" 2)" resume "the guest's resume path is pending"
is "$(same_mfns "$before" "$mid")" 0 "every MFN changed (shared_info, start_info, cr3, p2m entries)"
is "$(echo "$mid" | cut -d'|' -f2)" " $(echo "$before" | cut -d'|' -f2 | awk '{ print $1, "0x0", $3, $4, $5 }')" \
	"shared_info's arch block is the source's, frame list list 0"
run xenp2m --sim="$H" -j list
is "$(jq_get "$out" '" ".join("%s:%s:%s" % (x["domid"], x["tot_pages"], x["shared_info_mfn"]) for x in d["domains"] if x["name"] == "web")')" \
	"2:16384:$(field "$mid" 3)" "xenp2m sees the restored domain and its new shared_info frame"
run xenp2m-sim unpause "$H" web
is "$rc" 0 "unpause runs the resume path"
after=$(snap web)
is "$(field "$after" 2)" None "nothing pending"
is "$(echo "$after" | cut -d' ' -f3-13)" "$(echo "$mid" | cut -d' ' -f3-13)" "the restored frames stay"
isnt "$(field "$after" 16)" 0x0 "the guest published its frame list list again"
isnt "$(field "$after" 17)" "$(field "$before" 17)" "and its new p2m_cr3"

# checkpoint save keeps the domain running
run xenp2m-sim save -c "$H" web "$TMPD/cp.save"
is "$rc:$(field "$(snap web)" 1)" "0:2" "save --checkpoint keeps the domain"
is "$(xenp2m-sim list "$H" | awk '$1 == "web" { print $6 }')" -b---- "and running"
run xenp2m-sim restore "$H" "$TMPD/cp.save"
is "$rc:$err" "3:xenp2m-sim: error: a domain named 'web' already exists (domid 2)" "restore refuses a duplicate name"

# migrate
m0=$(snap web)
run xenp2m-sim migrate "$H" web --delay-us 100
is "$rc:$out:$err" "0:3:" "migrate prints the new domid"
m1=$(snap web)
is "$(field "$m1" 1):$(field "$m1" 2)" "3:None" "the new domain has the name and has resumed"
is "$(same_mfns "$m0" "$m1")" 0 "every MFN changed"
is "$(xenp2m-sim list "$H" | grep -c 'web')" 1 "the source is gone"
run xenp2m-sim migrate "$H" 3
is "$rc:$out" "0:4" "migrate again (by domid)"

for spec in "tree pre-fix-003:old" "tree fixed:tfix" "list-only fixed:lo" "list fixed:w32:32"; do
	layout=${spec%% *}; rest=${spec#* }; kernel=${rest%%:*}; name=${rest#*:}; width=64
	case $name in *:*) width=${name#*:}; name=${name%%:*} ;; esac
	xenp2m-sim create "$H" --name "$name" --memory 32M --layout "$layout" --kernel "$kernel" --width "$width" >/dev/null
	run xenp2m-sim migrate "$H" "$name"
	is "$rc:$err" "0:" "migrate a $width-bit $layout guest with the $kernel kernel"
done
# seed 003: the pre-fix kernel's second migration fails in the toolstack
run xenp2m-sim migrate "$H" old
is "$rc" 3 "a pre-fix-003 guest cannot be migrated twice"
is "$err" "xenp2m-sim: error: saving domain $(field "$(snap old)" 1) ('old'): Failed to map p2m frame list" \
	"the toolstack cannot map the stale mid pages"
is "$(field "$(snap old)" 2):$(xenp2m-sim list "$H" | awk '$1 == "old" { print $6 }')" "None:-b----" \
	"the source carries on after the failed migration"
run xenp2m-sim migrate "$H" tfix
is "$rc:$err" "0:" "the fixed tree kernel migrates twice"

# the toolstack's checks on broken guests
xenp2m-sim create "$H" --name t1 --memory 32M --layout tree >/dev/null
xenp2m-sim corrupt "$H" t1 top-out-of-range >/dev/null
run xenp2m-sim save "$H" t1 "$TMPD/t1.save"
is "$rc:$err" "3:xenp2m-sim: error: saving domain $(field "$(snap t1)" 1) ('t1'): Bad mfn 0x81000 at index 0 (of 1) in p2m frame list list" \
	"Bad mfn in the frame list list"
ok "$([ ! -e "$TMPD/t1.save" ]; echo $?)" "no save file is left"
is "$(xenp2m-sim list "$H" | awk '$1 == "t1" { print $6 }')" -b---- "the guest keeps running"
xenp2m-sim create "$H" --name t2 --memory 32M --layout tree >/dev/null
xenp2m-sim corrupt "$H" t2 frame-list-list >/dev/null
run xenp2m-sim save "$H" t2 "$TMPD/t2.save"
like "$err" "\('t2'\): Failed to map p2m frame list list at 0x[0-9a-f]+$" "a foreign frame list list cannot be mapped"
xenp2m-sim create "$H" --name v1 --memory 32M >/dev/null
xenp2m-sim corrupt "$H" v1 p2m-vaddr >/dev/null
run xenp2m-sim save "$H" v1 "$TMPD/v1.save"
is "$err" "xenp2m-sim: error: saving domain $(field "$(snap v1)" 1) ('v1'): Bad virtual p2m address range 0x800000000123-0x800000010122" \
	"Bad virtual p2m address range"
xenp2m-sim create "$H" --name v2 --memory 32M >/dev/null
xenp2m-sim corrupt "$H" v2 list-pte-clear >/dev/null
run xenp2m-sim save "$H" v2 "$TMPD/v2.save"
is "$err" "xenp2m-sim: error: saving domain $(field "$(snap v2)" 1) ('v2'): Bad mfn 0 during page table walk for vaddr 0xc90000000000 at level 1 of p2m list" \
	"a cleared list PTE stops the page-table walk (the address masked, as libxenguest prints it)"
xenp2m-sim create "$H" --name v3 --memory 32M >/dev/null
xenp2m-sim corrupt "$H" v3 p2m-cr3 >/dev/null
run xenp2m-sim save "$H" v3 "$TMPD/v3.save"
is "$err" "xenp2m-sim: error: saving domain $(field "$(snap v3)" 1) ('v3'): Failed to map 1 page table pages for p2m list" \
	"a foreign p2m_cr3 cannot be mapped"
run xenp2m-sim save "$H" Domain-0 "$TMPD/d0.save"
is "$rc:$err" "3:xenp2m-sim: error: domain 0 cannot be saved" "dom0 cannot be saved"
run xenp2m-sim save "$H" nosuch "$TMPD/n.save"
is "$rc:$err" "3:xenp2m-sim: error: no domain named 'nosuch'" "save of an unknown domain"

# malformed save files
S="$TMPD/web.save"
run xenp2m-sim restore "$H" "$TMPD/none.save"
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/none.save: No such file or directory" "a missing save file"
printf 'not a save file at all, no' > "$TMPD/bad.save"
run xenp2m-sim restore "$H" "$TMPD/bad.save"
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/bad.save: malformed save file: not a xenp2m-sim save file (bad magic)" "bad magic"
head -c 20 "$S" > "$TMPD/short.save"
run xenp2m-sim restore "$H" "$TMPD/short.save"
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/short.save: malformed save file: truncated at offset 20" "a file cut in its header"
head -c $((size - 5000)) "$S" > "$TMPD/cut.save"
run xenp2m-sim restore "$H" "$TMPD/cut.save"
is "$rc" 3 "a file cut in its pages: exit 3"
like "$err" "^xenp2m-sim: error: $TMPD/cut.save: malformed save file: (truncated at offset|record at offset [0-9]+ runs past the end)" \
	"a file cut in its pages: says so"
cp "$S" "$TMPD/v.save"
printf '\007' | dd of="$TMPD/v.save" bs=1 seek=8 conv=notrunc status=none
run xenp2m-sim restore "$H" "$TMPD/v.save"
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/v.save: malformed save file: unsupported version 7 (this build reads 1)" "another version"
cp "$S" "$TMPD/r.save"
printf '\011' | dd of="$TMPD/r.save" bs=1 seek=32 conv=notrunc status=none
run xenp2m-sim restore "$H" "$TMPD/r.save"
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/r.save: malformed save file: unknown record type 9 at offset 32" "an unknown record"
cp "$S" "$TMPD/g.save"
printf 'trailing' >> "$TMPD/g.save"
run xenp2m-sim restore "$H" "$TMPD/g.save"
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/g.save: malformed save file: 8 bytes of garbage after the end record" "garbage after the end"
n0=$(xenp2m-sim list "$H" | wc -l)
cp "$S" "$TMPD/p.save"
# the first page record's first entry: pfn := beyond the p2m
off=$(python3 -c "import struct,sys
b=open(sys.argv[1],'rb').read(); o=32
while True:
    t,_,l=struct.unpack_from('<IIQ',b,o)
    if t==3: print(o+16+8); break
    o+=16+(l+7)//8*8" "$S")
printf '\377\377\377\377\377\377\017' | dd of="$TMPD/p.save" bs=1 seek="$off" conv=notrunc status=none
run xenp2m-sim restore "$H" "$TMPD/p.save"
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/p.save: malformed save file: pfn 0xfffffffffffff out of range or out of order" \
	"a pfn beyond the p2m"
is "$(xenp2m-sim list "$H" | wc -l)" "$n0" "malformed files create no domain"
xenp2m-sim destroy "$H" web
run xenp2m-sim restore "$H" "$S"
is "$rc:$out" "0:$(( $(field "$(snap v3)" 1) + 1 ))" "the intact file still restores"

# save --paused: the source left paused as saved (xl save -p); unpause cancels the suspend
xenp2m-sim destroy "$H" web
xenp2m-sim create "$H" --name web --memory 64M --seed 1 >/dev/null
s0=$(snap web)
run xenp2m-sim save --paused "$H" web "$TMPD/paused.save"
is "$rc:$out:$err" "0::" "save --paused"
s1=$(snap web)
is "$(field "$s1" 1):$(field "$s1" 2)" "$(field "$s0" 1):cancel" "the source stays, its cancelled suspend pending"
is "$(xenp2m-sim list "$H" | awk '$1 == "web" { print $6 }')" --p--- "paused"
is "$(echo "$s1" | cut -d' ' -f3-)" "$(echo "$s0" | cut -d' ' -f3-)" "its frames and arch block as they were"
run xenp2m --sim="$H" -j grants web
is "$(jq_get "$out" 'd["domains"][0]["grant_table"]["in_use"]')" 2 \
	"suspended: the guest unmapped its grant frames, its entries stay"
run xenp2m-sim save --paused --checkpoint "$H" web "$TMPD/x.save"
is "$rc" 2 "--paused and --checkpoint: exit 2"
like "$err" 'mutually exclusive' "says so"
run xenp2m-sim rename "$H" web web-old
is "$rc:$out:$err" "0::" "rename the source"
run xenp2m-sim rename "$H" web-old Domain-0
is "$rc:$err" "3:xenp2m-sim: error: a domain named 'Domain-0' already exists (domid 0)" \
	"rename refuses a name that is taken"
run xenp2m-sim restore --paused "$H" "$TMPD/paused.save"
is "$rc" 0 "the copy restores under the name in the file"
run xenp2m-sim unpause "$H" web-old
is "$rc" 0 "unpause the source: its suspend is cancelled"
is "$(field "$(snap web-old)" 2)" None "nothing pending"
is "$(xenp2m-sim list "$H" | awk '$1 == "web-old" { print $6 }')" -b---- "it runs again"
run xenp2m --sim="$H" check web-old
is "$rc" 0 "and is consistent"
xenp2m-sim destroy "$H" web-old
done_testing
