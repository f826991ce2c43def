#!/bin/sh
# Golden outputs: every verb of xenp2m (and xenp2m-sim list) on a fixed
# simulated host, text and JSON, compared byte for byte with the files in
# tests/golden/.  They pin what users and scripts see, so that a refactor
# that changes it shows here.  Timings are the only thing masked.
#
# After an intended change: XENP2M_UPDATE_GOLDEN=1 make check TESTS=tests/scenario/golden.sh
# rewrites the files in the source tree; review the diff before committing.
. "$(dirname "$0")/../lib.sh"

GOLD=$top_srcdir/tests/golden
H=$TMPD/host
SYMS=$TMPD/System.map

# the fixed host: every layout and width, a pre-fix-003 guest migrated,
# a corrupted guest, grants mapped by dom0, a v2 grant table
xenp2m-sim create "$H" --name list64 --memory 64M --layout list >/dev/null &&
	xenp2m-sim create "$H" --name tree32 --memory 32M --layout tree --width 32 >/dev/null &&
	xenp2m-sim create "$H" --name only64 --memory 48M --maxmem 64M --layout list-only \
		--gnttab-version 2 >/dev/null &&
	xenp2m-sim create "$H" --name prefix --memory 32M --layout list --kernel pre-fix-003 >/dev/null &&
	xenp2m-sim migrate "$H" prefix >/dev/null &&
	xenp2m-sim create "$H" --name bad --memory 32M --layout tree >/dev/null &&
	xenp2m-sim corrupt "$H" bad m2p-mismatch --pfn 7 >/dev/null &&
	refs=$(xenp2m-sim grant "$H" list64 --to 0 --count 3) &&
	xenp2m-sim grant "$H" tree32 --to 0 --readonly >/dev/null &&
	xenp2m-sim grant-map "$H" list64 "$(echo "$refs" | head -n1)" --by 0 >/dev/null &&
	xenp2m-sim symbols "$H" list64 >"$SYMS" ||
	{ echo "1..0 # SKIP could not build the fixed host"; exit 1; }

# mask what varies from run to run: timings, the host file's path
mask() {
	sed -E -e 's/ in [0-9]+\.[0-9]+ ms/ in N ms/g' \
		-e 's/"elapsed_ms": ?[0-9.e+-]+/"elapsed_ms":N/g' \
		-e "s#$TMPD#TMPD#g"
}

n=0
golden() { # golden NAME CMD... : compare stdout+stderr+exit status
	name=$1
	shift
	n=$((n + 1))
	"$@" >"$TMPD/$name.raw" 2>"$TMPD/.err"
	rc=$?
	{
		cat "$TMPD/$name.raw"
		echo "[exit $rc]"
		sed 's/^/[stderr] /' "$TMPD/.err"
	} | mask >"$TMPD/$name.out"
	case $name in
	*-json | *-pretty) # every JSON output is one valid document, errors included
		python3 -c 'import json,sys; json.load(sys.stdin)' <"$TMPD/$name.raw" 2>/dev/null
		ok $? "golden: $name is one valid JSON document"
		;;
	esac
	if [ "${XENP2M_UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$TMPD/$name.out" "$GOLD/$name.out"
	fi
	if [ -f "$GOLD/$name.out" ] && diff -u "$GOLD/$name.out" "$TMPD/$name.out" >"$TMPD/.diff"; then
		ok 0 "golden: $name ($*)"
	else
		ok 1 "golden: $name ($*)"
		sed 's/^/#   /' "$TMPD/.diff" | head -40
	fi
}

X="xenp2m --sim=$H"
[ "${XENP2M_UPDATE_GOLDEN:-0}" = 1 ] && mkdir -p "$GOLD"

golden sim-list xenp2m-sim list "$H"
golden sim-list-json xenp2m-sim list "$H" -j
golden list $X list
golden list-json $X -j list
golden list-pretty $X -p list
for g in list64 tree32 only64 prefix bad; do
	golden "check-$g" $X check $g
	golden "check-$g-json" $X -j check $g
	golden "show-$g" $X show $g
	golden "show-$g-json" $X -j show $g
	golden "grants-$g" $X grants $g
	golden "grants-$g-json" $X -j grants $g
done
golden check-all $X check --all
golden check-all-json $X -j check --all
golden check-pretty $X -p check bad
golden check-two $X check list64 prefix
golden check-max-findings $X check prefix --max-findings 1
golden check-no-grants $X check list64 --no-grants
golden check-symbols $X check list64 --symbols "$SYMS"
golden check-symbols-json $X -j check list64 --symbols "$SYMS"
golden show-pfn $X show list64 --pfn 5
golden show-pfn-json $X -j show list64 --pfn 5
golden show-pfn32 $X show tree32 --pfn 0x1ff
golden show-pfn-prefix $X show prefix --pfn 0
golden show-mfn $X show list64 --mfn "$($X -j show list64 --pfn 9 | python3 -c 'import json,sys; print(json.load(sys.stdin)["domains"][0]["path"]["entry"])')"
golden show-dump $X show only64 --dump --first 0x2ff0 --last 0x3010
golden show-dump-json $X -j show only64 --dump --first 0x2ff0 --last 0x3010
golden show-dump-pretty $X -p show tree32 --dump --first 0 --last 2
golden grants-ref $X grants list64 --ref 0
golden grants-ref-json $X -j grants list64 --ref 0
golden grants-all $X grants tree32 --all-entries
golden err-nodomain $X check nosuch
golden err-nodomain-json $X -j check nosuch
golden err-show-nodomain $X show nosuch
golden err-grants-json $X -j grants nosuch
golden err-usage xenp2m --sim="$H" check
golden err-unknown-verb xenp2m frobnicate
golden err-unknown-verb-json xenp2m -j frobnicate
golden err-bad-option xenp2m --sim="$H" check --bogus list64
golden err-bad-option-json xenp2m --sim="$H" -j check --bogus list64
golden err-pfn-range $X show list64 --pfn 0x999999
golden err-nohost xenp2m --sim="$TMPD/nohost" list
golden err-nohost-json xenp2m --sim="$TMPD/nohost" -j list
done_testing
