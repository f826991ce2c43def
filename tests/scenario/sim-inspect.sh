#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End to end: the inspector (xenp2m --sim) finds healthy simulated guests
# consistent in every layout and width, and finds each injected fault.
. "$(dirname "$0")/../lib.sh"

H="$TMPD/i.host"
xenp2m-sim init "$H" --memory 4G || exit 1

findings() {  # findings NAME [check options]: the finding ids, sorted, unique
	xenp2m --sim="$H" check -j "$@" | python3 -c "import json,sys
d=json.load(sys.stdin)['domains'][0]
print(' '.join(sorted({f['id'] for f in d.get('findings', [])})) or d['verdict'])"
}

for spec in list:64 tree:64 list-only:64 list:32 tree:32 list-only:32; do
	lay=${spec%:*}; w=${spec#*:}
	xenp2m-sim create "$H" --name "ok-$lay-$w" --memory 48M --maxmem 64M --layout "$lay" --width "$w" --seed 9 >/dev/null
done
run xenp2m --sim="$H" check --all
is "$rc" 0 "every healthy guest, dom0 included, is consistent"
is "$(printf '%s\n' "$out" | grep -c ': consistent;')" 7 "seven domains checked"

xenp2m-sim symbols "$H" ok-list-64 -o "$TMPD/l64.map"
run xenp2m --sim="$H" check -s "$TMPD/l64.map" ok-list-64
is "$rc" 0 "with the kernel's symbols as well"

# after ballooning, save/restore and migration the guests stay consistent
xenp2m-sim mem-set "$H" ok-list-64 16M
xenp2m-sim mem-set "$H" ok-tree-32 64M
xenp2m-sim migrate "$H" ok-list-only-64 >/dev/null
xenp2m-sim migrate "$H" ok-tree-64 >/dev/null
xenp2m-sim migrate "$H" ok-tree-64 >/dev/null
run xenp2m --sim="$H" check --all
is "$rc" 0 "still consistent after ballooning and migrations"

# the just-restored state is recognised, not reported as corruption
xenp2m-sim save "$H" ok-list-32 "$TMPD/l32.save"
xenp2m-sim restore --paused "$H" "$TMPD/l32.save" >/dev/null
is "$(findings ok-list-32)" just-restored "restored, not resumed: just-restored"
run xenp2m --sim="$H" check ok-list-32
is "$rc" 0 "which is not an inconsistency"
xenp2m-sim unpause "$H" ok-list-32
is "$(findings ok-list-32)" consistent "resumed: consistent"

# seed 003: the pre-fix kernel leaves the old mid-mfn frame after a migration
xenp2m-sim create "$H" --name old --memory 32M --layout tree --kernel pre-fix-003 >/dev/null
is "$(findings old)" consistent "a pre-fix-003 guest is fine before migrating"
xenp2m-sim migrate "$H" old >/dev/null
run xenp2m --sim="$H" check old
is "$rc" 1 "after one migration it is inconsistent"
like "$out" "top\[0\] names 0x[0-9a-f]+" "p2m_top_mfn[0] still names the source's frame"

# every fault kind is found
for spec in \
	"stale-top-mfn:list:mfn-stale" \
	"foreign-top-mfn:list:mfn-not-owned" \
	"foreign-mid-mfn:list:mfn-not-owned" \
	"mid-wrong-leaf:list:tree-list-mismatch" \
	"m2p-mismatch:list:m2p-mismatch" \
	"leaf-swap:list:m2p-mismatch" \
	"leaf-out-of-range:list:mfn-out-of-range" \
	"top-out-of-range:list:mfn-out-of-range" \
	"top-mfn-p:list:top-mfn-p-mismatch" \
	"missing-mfn:list:missing-mfn-stale" \
	"list-pte-clear:list:list-pte-not-present" \
	"list-pte-foreign:list:mfn-not-owned" \
	"pt-loop:list:list-pt-loop" \
	"max-pfn:list:max-pfn-implausible" \
	"generation-odd:list:generation-unstable" \
	"frame-list-list:list:mfn-not-owned" \
	"p2m-cr3:list:list-cr3-bad" \
	"p2m-vaddr:list:list-vaddr-bad" \
	"pfn-tree-leaf:tree:pfn-tree-mismatch" \
	"stale-top-mfn:tree:mfn-" \
	"leaf-swap:tree:m2p-mismatch"; do
	kind=${spec%%:*}; rest=${spec#*:}; lay=${rest%%:*}; want=${rest#*:}
	n="k-$kind-$lay"
	xenp2m-sim create "$H" --name "$n" --memory 32M --layout "$lay" >/dev/null
	xenp2m-sim corrupt "$H" "$n" "$kind" >/dev/null
	xenp2m-sim symbols "$H" "$n" -o "$TMPD/$n.map"
	run xenp2m --sim="$H" check -s "$TMPD/$n.map" "$n"
	is "$rc" 1 "$kind ($lay): xenp2m check exits 1"
	like "$(findings "$n" -s "$TMPD/$n.map")" "(^| )$want" "$kind ($lay): found as $want"
done
done_testing
