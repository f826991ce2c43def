#!/bin/sh
# The detection matrix: every `xenp2m-sim corrupt` KIND, on a fresh guest,
# gives exactly the documented finding id at the right location, exit 1, in
# text and in JSON.  Some need the guest-internal view (--symbols); some
# apply to one layout only.
. "$(dirname "$0")/../lib.sh"
H=$TMPD/host
MAP=$TMPD/System.map

fresh() {  # fresh LAYOUT [WIDTH]
	rm -f "$H"
	# a 64 GiB host: a 32-bit entry can name an MFN beyond it
	xenp2m-sim init "$H" --memory 64G >/dev/null &&
	xenp2m-sim create "$H" --name g --memory 1G --layout "$1" --width "${2:-64}" >/dev/null &&
		xenp2m-sim symbols "$H" g >"$MAP"
}

# hex value after "->" in the corrupt line
newval() { printf '%s\n' "$1" | sed -n 's/.*-> \(0x[0-9a-f]*\).*/\1/p' | head -1; }

# expect LAYOUT WIDTH "KIND ARGS" SYMS ID PYTHON-PREDICATE-ON-FINDING [OTHER-IDS]
# The finding f (a dict from the JSON) must satisfy the predicate; the ids of
# all findings must be exactly ID plus OTHER-IDS.
expect() {
	layout=$1 width=$2 kind=$3 syms=$4 id=$5 pred=$6 others=${7:-}
	what="$layout/$width $kind${syms:+ (symbols)}"
	fresh "$layout" "$width"
	run xenp2m-sim corrupt "$H" g $kind
	is "$rc" 0 "$what: injected"
	corrupt_line=$out
	new=$(newval "$corrupt_line")
	set -- ; [ -n "$syms" ] && set -- --symbols "$MAP"
	run xenp2m --sim="$H" check g "$@"
	is "$rc" 1 "$what: check exits 1"
	like "$out" "^  $id \([0-9]+\): " "$what: text reports $id"
	run xenp2m --sim="$H" -j check g "$@"
	is "$rc" 1 "$what: JSON check exits 1"
	want=$(printf '%s\n' $id $others | sort -u | tr '\n' ' ')
	got=$(jq_get "$out" "' '.join(sorted(d['domains'][0]['finding_counts'])) + ' '")
	is "$got" "$want" "$what: exactly the findings $want"
	got=$(NEW="$new" jq_get "$out" "any(($pred) for f in d['domains'][0]['findings'] if f['id'] == '$id' for new in [__import__('os').environ['NEW']])")
	is "$got" "True" "$what: $id located: $pred"
}

for w in 64 32; do
	# p2m_top_mfn[0] names a free frame whose M2P says the mid page's pfn (seed 003)
	expect list $w "stale-top-mfn" "" mfn-stale "f['level'] == 'top' and f['index'] == 0 and f['mfn'] == new"
	expect list $w "stale-top-mfn" y mfn-stale "f['level'] == 'top' and f['index'] == 0" top-mfn-p-mismatch
	expect tree $w "stale-top-mfn" "" mfn-stale "f['level'] == 'top' and f['index'] == 0 and f['mfn'] == new"
	expect list $w "foreign-top-mfn" "" mfn-not-owned "f['level'] == 'top' and f['index'] == 0 and f['owner'] == 0"
	expect list $w "foreign-mid-mfn --pfn 1000" "" mfn-not-owned "f['level'] == 'mid' and f['index'] == 0 and f['owner'] == 0 and int(f['pfn'], 16) <= 1000"
	expect tree $w "foreign-mid-mfn --pfn 1000" "" mfn-not-owned "f['level'] == 'mid' and f['owner'] == 0"
	expect list $w "mid-wrong-leaf --pfn 1000" "" tree-list-mismatch "f['level'] == 'mid' and f['index'] == 0 and int(f['pfn'], 16) <= 1000 < int(f['pfn'], 16) + 4096 // ($w // 8) and f['actual'] == new"
	expect tree $w "mid-wrong-leaf --pfn 1000" "" leaf-misplaced "f['level'] == 'leaf-page' and int(f['pfn'], 16) <= 1000 and f['mfn'] == new"
	expect list $w "m2p-mismatch --pfn 1000" "" m2p-mismatch "f['pfn'] == '0x3e8' and f['actual'] == new"
	expect list $w "leaf-swap --pfn 1000" "" m2p-mismatch "f['pfn'] in ('0x3e8', '0x3e9')"
	expect tree $w "leaf-out-of-range --pfn 1000" "" mfn-out-of-range "f['level'] == 'leaf' and f['pfn'] == '0x3e8' and f['mfn'] == new"
	expect list $w "top-out-of-range" "" mfn-out-of-range "f['level'] == 'top' and f['index'] == 0 and f['mfn'] == new"
	expect list $w "top-mfn-p" y top-mfn-p-mismatch "f['level'] == 'top' and f['index'] == 0 and f['va'] == new"
	expect tree $w "missing-mfn" y missing-mfn-stale "f['level'] == 'mid-missing' and f['index'] == 0 and f['actual'] == new"
	expect list $w "list-pte-clear --pfn 1000" "" list-pte-not-present "f['level'] == 'list-l1' and int(f['pfn'], 16) <= 1000"
	expect list $w "list-pte-foreign --pfn 1000" "" mfn-not-owned "f['level'] == 'leaf-page' and f['owner'] == 0 and int(f['mfn'], 16) == (int(new, 16) & 0xffffffffff000) >> 12" tree-list-mismatch
	expect list $w "pt-loop" "" list-pt-loop "f['level'].startswith('list-')"
	# beyond what the list maps (a 32-bit model maps its list up to 0x100000 entries)
	if [ $w = 64 ]; then mp=0x80000 covered=0x40000; else mp=0x140000 covered=0x100000; fi
	expect list $w "max-pfn --pages $mp" "" max-pfn-uncovered "f['level'] == 'list' and f['expected'] == '$covered'"
	expect list $w "generation-odd" "" generation-unstable "f['level'] == 'shared_info'"
	expect tree $w "frame-list-list" "" mfn-not-owned "f['level'] == 'frame-list-list' and f['mfn'] == new"
	expect list $w "p2m-cr3" "" list-cr3-bad "f['level'] == 'shared_info'"
	expect list $w "p2m-vaddr" "" list-vaddr-bad "f['level'] == 'shared_info' and f['va'] == new"
	expect tree $w "pfn-tree-leaf --pfn 1000" y pfn-tree-mismatch "f['level'] == 'mid' and f['index'] == 0 and int(f['pfn'], 16) <= 1000"
done

# Without the guest-internal view these are invisible to the toolstack view
# (nothing the toolstack reads changed): a clean bill, exit 0.
for kind in top-mfn-p missing-mfn; do
	fresh list
	xenp2m-sim corrupt "$H" g $kind >/dev/null
	run xenp2m --sim="$H" check g
	is "$rc" 0 "list $kind without --symbols: not visible to the toolstack view (exit 0)"
done

# The verdict of an odd generation is "unstable"
fresh list
xenp2m-sim corrupt "$H" g generation-odd >/dev/null
run xenp2m --sim="$H" -j check g
is "$(jq_get "$out" "d['domains'][0]['verdict']")" unstable "odd generation: verdict unstable"
done_testing
