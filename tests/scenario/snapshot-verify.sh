#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# snapshot and verify on the simulated host: the fixed kernel verifies
# clean over three migrations and the pre-fix-003 kernel is caught; the
# xl save -p / xl restore -p flow with pages (clean, then one page changed
# and named); what a guest restored paused can and cannot show; the
# refusals and their exit statuses.
. "$(dirname "$0")/../lib.sh"

H=$TMPD/host
S() { xenp2m-sim "$@"; }
X() { xenp2m --sim="$H" "$@"; }
j() { jq_get "$out" "$1"; } # j PYTHON_EXPR: of the last output (a JSON document 'd')

S create "$H" --name fixed --memory 64M --layout list >/dev/null
S create "$H" --name tree --memory 64M --layout tree --width 32 >/dev/null
S create "$H" --name prefix --memory 64M --layout list --kernel pre-fix-003 >/dev/null
PAGES=16384

# ---------------------------------------------------------- migrations
for g in fixed tree; do
	run X snapshot "$g" -o "$TMPD/$g.snap"
	is "$rc" 0 "$g: snapshot of the running guest: exit 0"
	like "$out" "^domain [0-9]+ \($g\): snapshot written to $TMPD/$g.snap \(UUID [0-9a-f-]{36}\)$" \
		"$g: says where, and the guest's UUID"
	for round in 1 2 3; do
		S migrate "$H" "$g" >/dev/null
		run X -j verify "$g" --baseline "$TMPD/$g.snap"
		is "$rc" 0 "$g: verify after migration $round: exit 0"
		is "$(j "d['domains'][0]['verdict']")" clean "$g: round $round: clean"
		is "$(j "d['domains'][0]['p2m']['pfns_compared']")" $PAGES "$g: round $round: every pfn compared"
		is "$(j "d['domains'][0]['p2m']['class_changed']")" 0 "$g: round $round: no class changed"
		is "$(j "d['domains'][0]['p2m']['not_owned']")" 0 "$g: round $round: every frame the guest's"
		is "$(j "d['domains'][0]['p2m']['mfn_changed']")" $PAGES "$g: round $round: every MFN changed"
		is "$(j "d['domains'][0]['structures']['state']")" checked "$g: round $round: structures checked"
		is "$(j "d['domains'][0]['structures']['check']['verdict']")" consistent \
			"$g: round $round: and consistent"
	done
done
run X verify tree --baseline "$TMPD/tree.snap"
like "$out" "^  p2m: $PAGES pfns compared, classes as before; $PAGES valid, all on frames the guest owns; $PAGES MFNs changed \(100\.0%\)$" \
	"text: the p2m line"
like "$out" '^  structures: consistent, 0 findings; layout tree; grant table v1, 1/64 frames, 2 entries in use$' \
	"text: the structures line"

run X snapshot prefix -o "$TMPD/prefix.snap"
is "$rc" 0 "pre-fix-003: snapshot: exit 0"
S migrate "$H" prefix >/dev/null
run X -j verify prefix --baseline "$TMPD/prefix.snap"
is "$rc" 1 "pre-fix-003 after one migration: verify exits 1"
is "$(j "d['domains'][0]['verdict']")" differs "verdict differs"
is "$(j "d['domains'][0]['p2m']['class_changed']")" 0 "its p2m came through"
is "$(j "d['domains'][0]['structures']['check']['verdict']")" inconsistent "its structures did not"
is "$(j "d['domains'][0]['structures']['check']['finding_counts']")" "{'mfn-stale': 1}" \
	"the stale top-level MFN the fix is about"

# ---------------------------------------------------- xl save -p / restore -p
S create "$H" --name web --memory 64M --layout list >/dev/null
S save --paused "$H" web "$TMPD/web.save"
run X -j snapshot web --pages -o "$TMPD/web.snap"
is "$rc" 0 "snapshot --pages of the source xl save -p left paused: exit 0"
is "$(j "d['domains'][0]['pages']['hashed']")" $PAGES "every page hashed"
is "$(j "d['domains'][0]['pfns']['valid']")" $PAGES "every pfn valid"
is "$(j "d['domains'][0]['read_through']")" published "the p2m as published"
is "$(j "d['domains'][0]['format_version']")" 1 "format version 1"
tree_pages=$(j "d['domains'][0]['pages']['by_kind']['p2m-tree']")
ring_pages=$(j "d['domains'][0]['pages']['by_kind']['ring']")
is "$ring_pages" 2 "the console and xenstore rings are known"
is "$(j "d['domains'][0]['pages']['by_kind']['start-info']")" 1 "start_info found"
isnt "$(j "d['domains'][0]['pages']['by_kind']['page-table']")" 0 "page tables found"
isnt "$tree_pages" 0 "the mfn tree's pages found"
is "$(stat -c %a "$TMPD/web.snap")" 600 "the snapshot file is the owner's only"
S rename "$H" web web-old
S restore --paused "$H" "$TMPD/web.save" >/dev/null

run X -j verify web --baseline "$TMPD/web.snap" --pages
is "$rc" 0 "verify --pages of the copy restored paused: exit 0"
is "$(j "d['domains'][0]['verdict']")" clean "clean"
is "$(j "d['domains'][0]['p2m']['read_through']")" vcpu0-page-tables "its p2m read through vcpu0's page tables"
is "$(j "d['domains'][0]['pages']['compared']")" $((PAGES - ring_pages - tree_pages)) \
	"every page compared but the rings and the mfn tree's"
is "$(j "d['domains'][0]['pages']['differ']")" 0 "none differs"
is "$(j "d['domains'][0]['pages']['excluded']")" "$ring_pages" "the rings not compared"
is "$(j "d['domains'][0]['pages']['pending']")" "$tree_pages" "the mfn tree's pages pending"
is "$(j "d['domains'][0]['structures']['state']")" pending "the structures pending"
is "$(j "d['domains'][0]['structures']['check']['verdict']")" just-restored "as check says: just-restored"
run X verify web --baseline "$TMPD/web.snap" --pages
like "$out" '^  structures: just-restored: structures not checked \(the guest has not resumed yet\); layout none' \
	"text: says the structures are not checked yet"
like "$out" "^  pages: $((PAGES - ring_pages - tree_pages)) compared, 0 differ; 2 not compared \(the console and xenstore rings\); $tree_pages pending" \
	"text: the pages line"

run X show web --dump
is "$rc" 0 "show --dump of the copy restored paused: exit 0 (read through vcpu0's page tables)"
is "$(printf '%s\n' "$out" | grep -c ' valid$')" $PAGES "every pfn valid"
printf '%s\n' "$out" | grep -v '^#' >"$TMPD/dump-paused"
run X verify web --baseline "$TMPD/web.snap" --wait 1
is "$rc" 1 "--wait 1 on a copy nobody unpauses: exit 1"
like "$out" '^  waited 1\.[0-9] s for the guest to republish: it did not$' "says it waited in vain"

msg=$(S corrupt "$H" web page-write --pfn 0x1234)
like "$msg" '^page-write: domain [0-9]+: pfn 0x1234 \(mfn 0x[0-9a-f]+\): bytes 0-15 := "page-write fault"$' \
	"page-write: one page of the copy changed"
run X -j verify web --baseline "$TMPD/web.snap" --pages
is "$rc" 1 "verify --pages: exit 1"
is "$(j "d['domains'][0]['pages']['differ']")" 1 "one page differs"
is "$(j "d['domains'][0]['pages']['diffs']")" "[{'pfn': '0x1234', 'before': 'data', 'now': 'data'}]" \
	"pfn 0x1234, a data page"
run X verify web --baseline "$TMPD/web.snap" --pages
like "$out" '^domain [0-9]+ \(web\): differs against ' "text: differs"
like "$out" '^    pfn 0x1234: data differs$' "text: names pfn 0x1234"
S corrupt "$H" web page-write --pfn 0x1234 >/dev/null
S corrupt "$H" web page-write --pfn 0x1234 >/dev/null # the pattern inverted, not the original
run X verify web --baseline "$TMPD/web.snap" --pages
is "$rc" 1 "the page changed twice: still differs"

S destroy "$H" web-old
S unpause "$H" web
run X -j verify web --baseline "$TMPD/web.snap" --wait 10
is "$rc" 0 "after unpause: verify --wait: exit 0"
is "$(j "d['domains'][0]['structures']['state']")" checked "the structures checked"
is "$(j "d['domains'][0]['structures']['check']['verdict']")" consistent "consistent"
is "$(j "d['domains'][0]['p2m']['read_through']")" published "the p2m as republished"
X show web --dump | grep -v '^#' >"$TMPD/dump-resumed"
cmp -s "$TMPD/dump-paused" "$TMPD/dump-resumed"
ok $? "show --dump while paused == show --dump once republished (the toolstack wrote the p2m)"
run X verify web --baseline "$TMPD/web.snap" --pages
is "$rc" 3 "verify --pages of the running guest: exit 3"
like "$err" "is running: verify --pages compares the pages of a paused guest" "says why"
run X verify web --baseline "$TMPD/web.snap" --pages --force
is "$rc" 1 "--force: compared all the same; its resume wrote pages: exit 1"
like "$out" 'pfn 0x1234: data differs' "among them the changed one"

# a tree guest restored paused has nothing to find its p2m by
S save --paused "$H" tree "$TMPD/tree.save"
S rename "$H" tree tree-old
S restore --paused "$H" "$TMPD/tree.save" >/dev/null
run X verify tree --baseline "$TMPD/tree.snap"
is "$rc" 3 "a tree guest restored paused: exit 3"
like "$err" 'has not published its p2m \(restored, not resumed yet, and it has no linear list to find it by\)' \
	"says why"
S unpause "$H" tree
run X verify tree --baseline "$TMPD/tree.snap" --wait 10
is "$rc" 0 "once resumed: clean"

# ---------------------------------------------------------- refusals
run X snapshot fixed --pages -o "$TMPD/x.snap"
is "$rc" 3 "snapshot --pages of a running guest: exit 3"
is "$err" "xenp2m: error: domain $(X -j list | python3 -c 'import json,sys; print([x["domid"] for x in json.load(sys.stdin)["domains"] if x["name"] == "fixed"][0])') (fixed) is running: snapshot --pages needs it paused, so that its pages hold still (xl pause, or the source of xl save -p); --force takes its pages all the same" \
	"says why, and what to do"
[ ! -e "$TMPD/x.snap" ]
ok $? "no file written"
run X snapshot fixed --force -o "$TMPD/x.snap"
is "$rc" 2 "--force without --pages: exit 2"
like "$err" -- '--force goes with --pages' "says so"
run X snapshot fixed
is "$rc" 2 "no -o: exit 2"
like "$err" 'no snapshot file given \(-o FILE\)' "says so"
run X snapshot nosuch -o "$TMPD/x.snap"
is "$rc" 3 "no such domain: exit 3"
run X snapshot fixed -o "$TMPD/no/such/dir/x.snap"
is "$rc" 3 "a directory that does not exist: exit 3"
like "$err" "cannot create a file in $TMPD/no/such/dir/x.snap: No such file or directory" "says so"
run X verify fixed --baseline "$TMPD/fixed.snap" --pages
is "$rc" 2 "verify --pages with a snapshot without pages: exit 2"
like "$err" "has no page hashes \(taken without --pages\)" "says so"
run X verify fixed
is "$rc" 2 "verify without --baseline: exit 2"
run X verify fixed --baseline "$TMPD/fixed.snap" --wait x
is "$rc" 2 "--wait x: exit 2"
run X verify fixed --baseline "$TMPD/nosuch.snap"
is "$rc" 3 "a baseline that does not exist: exit 3"
run X -j verify fixed --baseline "$TMPD/tree.snap"
is "$rc" 3 "another guest's snapshot: exit 3"
like "$(j "d['error']['message']")" "tree.snap is a snapshot of another guest: UUID [0-9a-f-]{36} \('tree', then domain [0-9]+\), not domain [0-9]+'s [0-9a-f-]{36}" \
	"names both guests"
is "$(j "d['error']['kind']")" invalid "JSON error kind invalid"

# damaged files, each refused whole, before the guest is looked at
size=$(stat -c %s "$TMPD/fixed.snap")
head -c $((size - 5)) "$TMPD/fixed.snap" >"$TMPD/trunc.snap"
run X verify fixed --baseline "$TMPD/trunc.snap"
is "$rc" 3 "a truncated snapshot: exit 3"
like "$err" "trunc.snap: truncated: the END record at offset [0-9]+ runs past the end of the file \\($((size - 5)) bytes\\)" \
	"says truncated"
head -c 1000 "$TMPD/fixed.snap" >"$TMPD/trunc.snap"
run X verify fixed --baseline "$TMPD/trunc.snap"
is "$rc" 3 "cut in the middle: exit 3"
like "$err" "trunc.snap: truncated: the P2M record at offset [0-9]+ runs past the end of the file \\(1000 bytes\\)" \
	"says truncated"
cp "$TMPD/fixed.snap" "$TMPD/corrupt.snap"
printf '\377' | dd of="$TMPD/corrupt.snap" bs=1 seek=400 conv=notrunc 2>/dev/null
run X -j verify fixed --baseline "$TMPD/corrupt.snap"
is "$rc" 3 "a corrupt snapshot: exit 3"
like "$(j "d['error']['message']")" 'corrupt.snap: corrupt: checksum mismatch' "says corrupt"
is "$(j "d['error']['kind']")" bad_format "JSON error kind bad_format"
cp "$TMPD/fixed.snap" "$TMPD/v2.snap"
printf '\002' | dd of="$TMPD/v2.snap" bs=1 seek=8 conv=notrunc 2>/dev/null
run X verify fixed --baseline "$TMPD/v2.snap"
is "$rc" 3 "a snapshot of another format version: exit 3"
like "$err" 'v2.snap: snapshot format version 2: this xenp2m reads version 1' "says which"
printf 'not a snapshot at all\n' >"$TMPD/text.snap"
run X verify fixed --baseline "$TMPD/text.snap"
is "$rc" 3 "a text file: exit 3"
like "$err" 'not a xenp2m snapshot' "says so"

# ---------------------------------------------------------- atomic files
S create "$H" --name big --memory 4G --layout list >/dev/null
S pause "$H" big
echo old >"$TMPD/big.snap"
timeout --preserve-status -s INT 0.3 xenp2m --sim="$H" snapshot big --pages -o "$TMPD/big.snap" >/dev/null 2>"$TMPD/int.err"
is "$?" 130 "snapshot interrupted by SIGINT: killed by it (130)"
like "$(cat "$TMPD/int.err")" 'interrupted by SIGINT' "says interrupted"
is "$(cat "$TMPD/big.snap")" old "the file it was to replace is as it was"
is "$(ls -A "$TMPD" | grep -c '^\.big\.snap\.')" 0 "no temporary file left"
done_testing
