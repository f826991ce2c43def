#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xenp2m-sim corrupt: every fault kind changes what it says it changes.
. "$(dirname "$0")/../lib.sh"

H="$TMPD/c.host"
xenp2m-sim init "$H" --memory 2G || exit 1
NR=0x80000	# frames of a 2 GiB host

info() {  # info NAME PYTHON_EXPR  ('x': the domain in list -j, 'd': the document)
	xenp2m-sim list -j "$H" | python3 -c "import json,sys
d=json.load(sys.stdin)
x=[x for x in d['domains'] if x['name']=='$1'][0]
print($2)"
}
new() {  # new NAME [create options]: a fresh guest
	n=$1; shift
	xenp2m-sim create "$H" --name "$n" --memory 32M "$@" >/dev/null || echo "create $n failed" >&2
}
dom0_frame=$(info Domain-0 'x["start_info_mfn"]')

# shared_info kinds: exact lines
new s1
id=$(info s1 'x["domid"]'); si=$(info s1 'x["shared_info_mfn"]')
run xenp2m-sim corrupt "$H" s1 generation-odd
is "$rc:$out" "0:generation-odd: domain $id: shared_info (mfn $si) arch.p2m_generation: 0x0 -> 0x1 (an update that never finishes)" \
	"generation-odd"
is "$(info s1 'x["arch"]["p2m_generation"]')" 0x1 "p2m_generation is odd now"
run xenp2m-sim corrupt "$H" s1 generation-odd
is "$(info s1 'x["arch"]["p2m_generation"]')" 0x3 "and stays odd when applied again"
run xenp2m-sim corrupt "$H" s1 max-pfn --pages 0x5000
is "$rc:$out" "0:max-pfn: domain $id: shared_info (mfn $si) arch.max_pfn: 0x2000 -> 0x5000 (as asked)" "max-pfn --pages"
run xenp2m-sim corrupt "$H" s1 max-pfn
is "$rc:$out" "0:max-pfn: domain $id: shared_info (mfn $si) arch.max_pfn: 0x5000 -> 0x10000000 (the list maps 0x40000 entries)" \
	"max-pfn: past the list's virtual area"
old=$(info s1 'x["arch"]["pfn_to_mfn_frame_list_list"]')
run xenp2m-sim corrupt "$H" s1 frame-list-list
is "$rc:$out" "0:frame-list-list: domain $id: shared_info (mfn $si) arch.pfn_to_mfn_frame_list_list: $old -> $dom0_frame (a frame of domain 0)" \
	"frame-list-list: a frame of dom0"
old=$(info s1 'x["arch"]["p2m_cr3"]')
run xenp2m-sim corrupt "$H" s1 p2m-cr3
is "$rc:$out" "0:p2m-cr3: domain $id: shared_info (mfn $si) arch.p2m_cr3: $old -> ${dom0_frame}000 (mfn $dom0_frame, a frame of domain 0)" \
	"p2m-cr3: a frame of dom0"
run xenp2m-sim corrupt "$H" s1 p2m-vaddr
is "$rc:$out" "0:p2m-vaddr: domain $id: shared_info (mfn $si) arch.p2m_vaddr: 0xffffc90000000000 -> 0x800000000123 (non-canonical, unaligned)" \
	"p2m-vaddr"
is "$(info s1 'x["arch"]["p2m_vaddr"]')" 0x800000000123 "p2m_vaddr changed"

# mfn tree kinds
new t1
id=$(info t1 'x["domid"]')
run xenp2m-sim corrupt "$H" t1 stale-top-mfn
is "$rc" 0 "stale-top-mfn"
like "$out" "^stale-top-mfn: domain $id: p2m_top_mfn\[0\] \(va 0x[0-9a-f]+\): 0x[0-9a-f]+ -> 0x[0-9a-f]+ \(a free frame; its M2P entry := 0x[0-9a-f]+, the mid-mfn page's pfn\)$" \
	"stale-top-mfn says what it changed"
new t2
run xenp2m-sim corrupt "$H" t2 foreign-top-mfn --index 1
like "$rc:$out" "^0:foreign-top-mfn: domain [0-9]+: p2m_top_mfn\[1\] \(va 0x[0-9a-f]+\): 0x[0-9a-f]+ -> $dom0_frame \(a frame of domain 0\)$" \
	"foreign-top-mfn --index 1"
new t3
run xenp2m-sim corrupt "$H" t3 top-out-of-range
like "$rc:$out" "^0:top-out-of-range: domain [0-9]+: p2m_top_mfn\[0\] \(va 0x[0-9a-f]+\): 0x[0-9a-f]+ -> 0x81000 \(beyond host memory, $NR frames\)$" \
	"top-out-of-range"
new t4
run xenp2m-sim corrupt "$H" t4 top-mfn-p
like "$rc:$out" "^0:top-mfn-p: domain [0-9]+: p2m_top_mfn_p\[0\] \(va 0x[0-9a-f]+\): 0x[0-9a-f]+ -> 0x[0-9a-f]+ \(p2m_mid_missing_mfn; p2m_top_mfn\[0\] unchanged\)$" \
	"top-mfn-p"
new t5
run xenp2m-sim corrupt "$H" t5 missing-mfn --index 3
like "$rc:$out" "^0:missing-mfn: domain [0-9]+: p2m_mid_missing_mfn\[3\] \(va 0x[0-9a-f]+\): (0x[0-9a-f]+) -> 0x[0-9a-f]+ \(p2m_missing is (0x[0-9a-f]+)\)$" \
	"missing-mfn --index 3"
is "$(echo "$out" | sed 's/.*: \(0x[0-9a-f]*\) -> .*p2m_missing is \(0x[0-9a-f]*\))$/\1=\2/' | awk -F= '{ print ($1 == $2) }')" 1 \
	"the entry named p2m_missing before"
new t6
p0=$(info t6 'x["p2m_head"][0]')
run xenp2m-sim corrupt "$H" t6 foreign-mid-mfn
like "$rc:$out" "^0:foreign-mid-mfn: domain [0-9]+: mid-mfn entry 0 of p2m_top_mfn_p\[0\] \(va 0x[0-9a-f]+, covers pfn 0x0\): 0x[0-9a-f]+ -> $dom0_frame \(a frame of domain 0\)$" \
	"foreign-mid-mfn"
new t7
run xenp2m-sim corrupt "$H" t7 mid-wrong-leaf --pfn 0x400
like "$rc:$out" "^0:mid-wrong-leaf: domain [0-9]+: mid-mfn entry 2 of p2m_top_mfn_p\[0\] \(va 0x[0-9a-f]+, covers pfn 0x400\): (0x[0-9a-f]+) -> (0x[0-9a-f]+) \(the guest's leaf page for other pfns\)$" \
	"mid-wrong-leaf --pfn 0x400 (mid entry 2)"

# p2m leaf kinds
new l1
id=$(info l1 'x["domid"]'); a=$(info l1 'x["p2m_head"][5]'); b=$(info l1 'x["p2m_head"][6]')
run xenp2m-sim corrupt "$H" l1 leaf-swap --pfn 5
is "$rc:$out" "0:leaf-swap: domain $id: p2m[0x5] (va 0xffffc90000000028): $a -> $b, p2m[0x6] (va 0xffffc90000000030): $b -> $a" \
	"leaf-swap --pfn 5"
is "$(info l1 '" ".join(x["p2m_head"][5:7])')" "$b $a" "the guest's own view is swapped"
new l2
id=$(info l2 'x["domid"]'); m=$(info l2 'x["p2m_head"][0]')
run xenp2m-sim corrupt "$H" l2 m2p-mismatch
is "$rc:$out" "0:m2p-mismatch: domain $id: M2P[$m] (the frame of pfn 0x0): 0x0 -> 0x1" "m2p-mismatch"
new l3
id=$(info l3 'x["domid"]'); m=$(info l3 'x["p2m_head"][3]')
run xenp2m-sim corrupt "$H" l3 leaf-out-of-range --pfn 3
is "$rc:$out" "0:leaf-out-of-range: domain $id: p2m[0x3] (va 0xffffc90000000018): $m -> 0x81000 (beyond host memory, $NR frames)" \
	"leaf-out-of-range --pfn 3"
is "$(info l3 'x["p2m_head"][3]')" 0x81000 "the guest's own view has it"

# page-table kinds (list layouts)
new p1
run xenp2m-sim corrupt "$H" p1 list-pte-clear --pfn 0x200
like "$rc:$out" "^0:list-pte-clear: domain [0-9]+: L1 table 0x[0-9a-f]+ entry 1 \(maps p2m list page va 0xffffc90000001000, pfn 0x200\): 0x80100[0-9a-f]+067 -> 0x0$" \
	"list-pte-clear --pfn 0x200 (list page 1)"
new p2
run xenp2m-sim corrupt "$H" p2 list-pte-foreign
pte=$(python3 -c "print(hex(0x8010000000000067 | ($dom0_frame << 12)))")
like "$rc:$out" "^0:list-pte-foreign: domain [0-9]+: L1 table 0x[0-9a-f]+ entry 0 \(maps p2m list page va 0xffffc90000000000, pfn 0x0\): 0x80100[0-9a-f]+067 -> $pte \(a frame of domain 0\)$" \
	"list-pte-foreign"
new p3
run xenp2m-sim corrupt "$H" p3 pt-loop
like "$rc:$out" "^0:pt-loop: domain [0-9]+: L3 table (0x[0-9a-f]+) entry 0 \(on the walk of p2m_vaddr 0xffffc90000000000\): 0x[0-9a-f]+067 -> 0x[0-9a-f]+067 \(the table's own frame\)$" \
	"pt-loop"
tbl=$(echo "$out" | sed 's/.*L3 table 0x\([0-9a-f]*\) .*/\1/'); new=$(echo "$out" | sed 's/.* -> 0x\([0-9a-f]*\)067 .*/\1/')
is "$new" "$tbl" "the L3 entry names the L3 table itself"

# tree layout: the pfn side
new tr --layout tree
run xenp2m-sim corrupt "$H" tr pfn-tree-leaf --pfn 0x1000
like "$rc:$out" "^0:pfn-tree-leaf: domain [0-9]+: p2m_top\[0\]\[8\] \(va 0x[0-9a-f]+, covers pfn 0x1000\): 0x[0-9a-f]+ -> 0x[0-9a-f]+ \(another leaf than the mid-mfn entry names\)$" \
	"pfn-tree-leaf --pfn 0x1000"
run xenp2m-sim corrupt "$H" tr max-pfn
like "$out" "arch.max_pfn: 0x2000 -> 0x8000200 \(the mfn tree covers 0x8000000 pfns\)$" "max-pfn on a tree guest"

# 32-bit guests
new w --width 32
run xenp2m-sim corrupt "$H" w p2m-vaddr
like "$rc:$out" "^0:.*arch.p2m_vaddr: 0xf0000000 -> 0xf5800123 \(unaligned, in Xen's range\)$" "p2m-vaddr on a 32-bit guest"
run xenp2m-sim corrupt "$H" w leaf-swap
like "$rc:$out" "^0:leaf-swap: domain [0-9]+: p2m\[0x0\] \(va 0xf0000000\): " "leaf-swap on a 32-bit guest"
run xenp2m-sim corrupt "$H" w pt-loop
like "$rc:$out" "^0:pt-loop: domain [0-9]+: L2 table 0x[0-9a-f]+ entry 384 " "pt-loop on a 32-bit guest (its L2)"

# what does not apply, and bad input
run xenp2m-sim corrupt "$H" tr list-pte-clear
is "$rc:$err" "3:xenp2m-sim: error: corrupt list-pte-clear: domain $(info tr 'x["domid"]') ('tr'): needs a list layout (the guest uses tree)" \
	"a list kind on a tree guest"
run xenp2m-sim corrupt "$H" s1 pfn-tree-leaf
is "$rc:$err" "3:xenp2m-sim: error: corrupt pfn-tree-leaf: domain $(info s1 'x["domid"]') ('s1'): needs the tree layout (the guest uses list)" \
	"a tree kind on a list guest"
new lo --layout list-only
run xenp2m-sim corrupt "$H" lo stale-top-mfn
is "$rc:$err" "3:xenp2m-sim: error: corrupt stale-top-mfn: domain $(info lo 'x["domid"]') ('lo'): the guest has no mfn tree (layout list-only)" \
	"an mfn tree kind on a list-only guest"
run xenp2m-sim corrupt "$H" t7 leaf-swap --pfn 0x10000000
like "$rc:$err" "^3:xenp2m-sim: error: corrupt leaf-swap: domain $(info t7 'x["domid"]') \('t7'\): pfn 0x10000000 is beyond the guest's p2m \(0x[0-9a-f]+ pfns\)$" \
	"a pfn beyond the p2m"
run xenp2m-sim corrupt "$H" t7 stale-top-mfn --index 512
is "$rc:$err" "3:xenp2m-sim: error: corrupt stale-top-mfn: domain $(info t7 'x["domid"]') ('t7'): index 512 out of range (0-511)" \
	"an index beyond the page"
run xenp2m-sim corrupt "$H" t7 frobnicate
is "$rc:$err" "2:xenp2m-sim: error: unknown fault kind 'frobnicate' (see 'xenp2m-sim corrupt --help')" "an unknown kind"
run xenp2m-sim corrupt "$H" t7 leaf-swap --pfn zz
is "$rc" 2 "a bad pfn: exit 2"
run xenp2m-sim corrupt "$H" nosuch leaf-swap
is "$rc:$err" "3:xenp2m-sim: error: no domain named 'nosuch'" "corrupt of an unknown domain"
xenp2m-sim create "$H" --name pz --memory 32M --paused >/dev/null
run xenp2m-sim corrupt "$H" pz generation-odd
is "$rc:$err" "3:xenp2m-sim: error: corrupt generation-odd: domain $(info pz 'x["domid"]') ('pz'): the guest kernel has not booted yet" \
	"a guest that has not booted"
done_testing
