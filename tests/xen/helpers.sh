#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The real-Xen test's helpers, here on the build machine: p2m-compare,
# which holds `xenp2m show --dump` against xen-mfndump dump-p2m, tried on
# xen-mfndump's output format alone (a sample in its format; the real-Xen
# test repeats this on a real guest's dump), and json-flat, dom0's JSON
# parser.
. "$(dirname "$0")/../lib.sh"

SAMPLE=$top_srcdir/tests/xen/mfndump-sample.txt
cmp_p2m() { "$top_builddir/tests/xen/p2m-compare" "$@"; }

run cmp_p2m --convert "$SAMPLE"
is "$rc" 0 "convert the mfndump sample"
printf '%s\n' "$out" >"$TMPD/dump"
is "$(printf '%s\n' "$out" | head -n1 | cut -c1)" "#" "the conversion starts with a '#' header"
is "$(printf '%s\n' "$out" | grep -c '^0x')" 12 "one line per pfn"
like "$out" '^0x5 0xffffffffffffffff invalid$' "~0 is invalid"
like "$out" '^0x7 0x4000000000000fee identity$' "bit 62 is identity"
like "$out" '^0x8 0x800000000009ec02 foreign$' "bit 63 is foreign"
like "$out" '^0x9 0xbfbbd valid$' "hex is normalised to lower case"

run cmp_p2m "$SAMPLE" "$TMPD/dump"
is "$rc" 0 "mfndump output equals its own conversion"
is "$out" "compared 12 pfns: 0 differ, 0 only in the first, 0 only in the second, 0 bad class, 0 duplicate" \
	"the summary counts every pfn"

run cmp_p2m "$SAMPLE" "$SAMPLE"
is "$rc" 0 "mfndump output equals itself"

sed 's/^0x4 0x918e3 valid$/0x4 0x918e5 valid/' "$TMPD/dump" >"$TMPD/changed"
run cmp_p2m "$SAMPLE" "$TMPD/changed"
is "$rc" 1 "one changed entry: exit 1"
like "$out" '^differ: pfn 0x4: 0x918e3 vs 0x918e5$' "the changed pfn is named, with both values"
like "$out" 'compared 12 pfns: 1 differ' "and counted"

sed 's/^0x6 0xffffffffffffffff invalid$/0x6 0xffffffffffffffff missing/' "$TMPD/dump" >"$TMPD/missing"
run cmp_p2m "$SAMPLE" "$TMPD/missing"
is "$rc" 0 "'missing' is a fine class for ~0"

sed 's/^0x2 0xba802 valid$/0x2 0xba802 identity/' "$TMPD/dump" >"$TMPD/badclass"
run cmp_p2m "$SAMPLE" "$TMPD/badclass"
is "$rc" 1 "a class that contradicts the entry: exit 1"
like "$out" "bad class: .*/badclass pfn 0x2 entry 0xba802 is not 'identity'" "the bad class is named"

grep -v '^0xb ' "$TMPD/dump" >"$TMPD/short"
run cmp_p2m "$SAMPLE" "$TMPD/short"
is "$rc" 1 "a pfn missing from one side: exit 1"
like "$out" "only in .*mfndump-sample.txt: pfn 0xb" "the missing pfn is named"

printf '0xc 0x1234 valid\n' >>"$TMPD/dump"
run cmp_p2m "$SAMPLE" "$TMPD/dump"
is "$rc" 1 "an extra pfn on the other side: exit 1"
like "$out" "only in .*/dump: pfn 0xc" "the extra pfn is named"

: >"$TMPD/empty"
run cmp_p2m "$SAMPLE" "$TMPD/empty"
is "$rc" 2 "nothing to compare with: exit 2"
like "$err" 'got 12 and 0 entries' "and says so"

run cmp_p2m "$SAMPLE"
is "$rc" 2 "one file: usage, exit 2"

run cmp_p2m "$SAMPLE" "$TMPD/no-such-file"
is "$rc" 2 "an unreadable file: exit 2"

printf '0x0 0x1 valid\n0x0 0x1 valid\n' >"$TMPD/dup"
printf '0x0 0x1 valid\n' >"$TMPD/one"
run cmp_p2m "$TMPD/one" "$TMPD/dup"
is "$rc" 1 "a pfn twice: exit 1"
like "$out" ', 1 duplicate$' "counted as duplicate"

printf '0x4000000 0x1 valid\n' >"$TMPD/huge"
run cmp_p2m "$TMPD/one" "$TMPD/huge"
is "$rc" 2 "a pfn beyond the cap: exit 2, no huge allocation"

# printf's %#x writes zero as a bare "0"
printf '0 0x1 valid\n0x1 0 valid\n' >"$TMPD/zero"
printf '  pfn=0x0 ==> mfn=0x1 (type 0x0)\n  pfn=0x1 ==> mfn=0x0 (type 0x0)\n' >"$TMPD/mzero"
run cmp_p2m "$TMPD/mzero" "$TMPD/zero"
is "$rc" 0 "a bare 0 is zero, as pfn and as entry"

# xen-mfndump widens a 32-bit guest's ~0U; a 32-bit dump may not
printf '0x0 0xffffffff invalid\n' >"$TMPD/w4"
printf '  pfn=0x0 ==> mfn=0xffffffffffffffff (type 0xf) invalid\n' >"$TMPD/m4"
run cmp_p2m --width 4 "$TMPD/m4" "$TMPD/w4"
is "$rc" 0 "width=4: 0xffffffff is ~0"
# json-flat: strict parsing, one "path=value" line per scalar
flat() { printf '%s' "$1" | "$top_builddir/tests/xen/json-flat"; }
run flat '{"schema_version":1,"domains":[{"domid":0,"name":"Domain-0"},{"domid":7,"ok":true,"x":null}]}'
is "$rc" 0 "json-flat parses a document"
is "$out" ".schema_version=1
.domains[0].domid=0
.domains[0].name=Domain-0
.domains[1].domid=7
.domains[1].ok=true
.domains[1].x=null" "every scalar, with its path"
run flat '{"a":1,}'
is "$rc" 1 "a trailing comma is refused (strict)"
like "$err" '^json-flat: not JSON' "and says so"
run flat '{"a":1} {"b":2}'
is "$rc" 1 "two documents are refused"
run flat ''
is "$rc" 1 "nothing is not JSON"
done_testing
