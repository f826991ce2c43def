#!/bin/sh
# Bad input to xenp2m: each gives one clear error and the documented exit
# status, in text and in JSON; symbols that do not fit the guest are
# recognised as such.
. "$(dirname "$0")/../lib.sh"
H=$TMPD/host
xenp2m-sim create "$H" --name g --memory 256M >/dev/null
xenp2m-sim symbols "$H" g >"$TMPD/System.map"

run xenp2m --sim="$H" check 424242
is "$rc" 2 "domid beyond the domid space: usage error"
like "$err" "'424242' is not a valid domain id" "... says so"
run xenp2m --sim="$H" check 77
is "$rc" 3 "no domain 77: exit 3"
is "$err" "xenp2m: error: no domain with id 77" "... one line naming it"
run xenp2m --sim="$H" check nosuch
is "$rc" 3 "no domain named nosuch: exit 3"
is "$err" "xenp2m: error: no domain named 'nosuch'" "... one line naming it"
run xenp2m --sim="$H" -j check nosuch
is "$rc" 3 "JSON: exit 3"
is "$(jq_get "$out" "d['domains'][0]['error']['kind']")" no_such_domain "JSON: the error's kind"
run xenp2m --sim="$H" -j show 77
is "$(jq_get "$out" "d['error']['exit_code']")" 3 "JSON error object for show carries the exit code"
run xenp2m --sim="$H" check g 77
is "$rc" 3 "one good and one missing domain: the worst status wins"
like "$out" "domain 1 \(g\): consistent" "... the good one is still checked"

run xenp2m --sim="$TMPD/nothere" list
is "$rc" 4 "a missing host file: the backend is unavailable, exit 4"
like "$err" "nothere" "... named"
printf 'not a host\n' >"$TMPD/junk"
run xenp2m --sim="$TMPD/junk" list
is "$rc" 3 "not a host file: exit 3"
like "$err" "junk" "... named"
run env XENP2M_SIM="$H" xenp2m list
is "$rc" 0 "XENP2M_SIM selects the simulated host"

run xenp2m --sim="$H" check g --symbols "$TMPD/none.map"
is "$rc" 3 "a missing System.map: exit 3"
like "$err" "cannot open symbols file .*none.map" "... named"
printf 'hello world\n' >"$TMPD/bad.map"
run xenp2m --sim="$H" check g --symbols "$TMPD/bad.map"
is "$rc" 3 "a file that is not a System.map: exit 3"
like "$err" "bad.map: line 1 is not 'ADDRESS TYPE NAME'" "... says where"
printf 'ffffffff81000000 T _text\n' >"$TMPD/nop2m.map"
run xenp2m --sim="$H" check g --symbols "$TMPD/nop2m.map"
is "$rc" 3 "a System.map without the p2m symbols: exit 3"
like "$err" "not a Xen PV kernel's System.map" "... says why"

# every name given the next line's address: another build's map
awk '{ a[NR] = $1; t[NR] = $2; n[NR] = $3 } END { for (i = 1; i <= NR; i++) print a[i % NR + 1], t[i], n[i] }' \
	"$TMPD/System.map" >"$TMPD/wrong.map"
run xenp2m --sim="$H" -j check g --symbols "$TMPD/wrong.map"
is "$rc" 1 "symbols of another kernel: exit 1"
is "$(jq_get "$out" "' '.join(d['domains'][0]['finding_counts'])")" symbols-mismatch \
	"... reported as symbols-mismatch, and nothing else"
run xenp2m --sim="$H" -j check g --symbols "$TMPD/System.map"
is "$rc" 0 "the right symbols: consistent"
is "$(jq_get "$out" "d['domains'][0]['p2m']['walked']['symbols']")" True "... and used"

run xenp2m --sim="$H" check
is "$rc" 2 "check without a domain: usage error"
run xenp2m --sim="$H" check --all g
is "$rc" 2 "--all with a domain: usage error"
run xenp2m --sim="$H" check g --max-findings lots
is "$rc" 2 "--max-findings not a number: usage error"
run xenp2m --sim="$H" show g --pfn 0x999999999
is "$rc" 2 "show --pfn beyond max_pfn: usage error"
like "$err" "beyond domain 1's max_pfn" "... says so"
run xenp2m --sim="$H" show g --pfn 1 --dump
is "$rc" 2 "show --pfn with --dump: usage error"
run xenp2m --sim="$H" show g --mfn 0xffffffffff
is "$rc" 2 "show --mfn beyond the host: usage error"
run xenp2m --sim="$H" grants g --ref zz
is "$rc" 2 "grants --ref not a number: usage error"
done_testing
