#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check and list in Prometheus' format: promtool accepts the output; the
# values are the host's; grant-frames-high and its threshold; the textfile
# for node_exporter, written atomically (a reader looping over it never
# sees half a file), served by a real node_exporter on 127.0.0.1 and
# scraped over HTTP; the example alerting rules pass promtool's checks and
# unit tests.
. "$(dirname "$0")/../lib.sh"

command -v promtool >/dev/null || skip_all "promtool is not installed (Debian: prometheus)"
NODE_EXPORTER=$(command -v prometheus-node-exporter || command -v node_exporter || true)
[ -n "$NODE_EXPORTER" ] || skip_all "node_exporter is not installed (Debian: prometheus-node-exporter)"

H=$TMPD/host
S() { xenp2m-sim "$@"; }
X() { xenp2m --sim="$H" "$@"; }
uuid() { xenp2m --sim="$H" -j snapshot "$1" -o "$TMPD/u.snap" | python3 -c 'import json,sys; print(json.load(sys.stdin)["domains"][0]["uuid"])'; }
domid() { xenp2m --sim="$H" -j list | python3 -c "import json,sys; print([x['domid'] for x in json.load(sys.stdin)['domains'] if x['name'] == '$1'][0])"; }
labels() { echo "domid=\"$(domid "$1")\",name=\"$1\",uuid=\"$(uuid "$1")\""; }
# has TEXT SAMPLE DESCRIPTION: TEXT has the sample 'name{labels} value',
# its labels in any order (node_exporter sorts them)
has() {
	printf '%s\n' "$1" | python3 -c '
import re, sys
def parse(line):
    m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$", line)
    if not m:
        return None
    labels = re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\]|\\.)*)\"", m.group(2) or "")
    return (m.group(1), frozenset(labels), m.group(3))
samples = {parse(l.rstrip("\n")) for l in sys.stdin if not l.startswith("#")}
sys.exit(0 if parse(sys.argv[1]) in samples else 1)' "$2"
	ok $? "$3" || echo "#   no sample: $2"
}

S create "$H" --name fixed --memory 64M --layout list >/dev/null
S create "$H" --name prefix --memory 32M --layout list --kernel pre-fix-003 >/dev/null
S migrate "$H" prefix >/dev/null
S create "$H" --name grants --memory 128M --layout list >/dev/null
S grant "$H" grants --to 0 --count 26700 >/dev/null
S create "$H" --name fresh --memory 32M --layout list >/dev/null
S save --paused "$H" fresh "$TMPD/fresh.save"
S destroy "$H" fresh
S restore --paused "$H" "$TMPD/fresh.save" >/dev/null
L_FIXED=$(labels fixed)
L_PREFIX=$(labels prefix)
L_GRANTS=$(labels grants)
L_FRESH=$(labels fresh)

# ---------------------------------------------------------------- check
run X --format prometheus check --all
is "$rc" 1 "check --all --format prometheus: exit 1 (one guest inconsistent)"
is "$err" "" "nothing on stderr"
printf '%s\n' "$out" >"$TMPD/check.prom"
run promtool check metrics <"$TMPD/check.prom"
is "$rc:$out$err" "0:" "promtool check metrics: no complaint"
m=$(cat "$TMPD/check.prom")
has "$m" 'xenp2m_up 1' "xenp2m_up 1"
has "$m" 'xenp2m_build_info{version="0.1.0"} 1' "xenp2m_build_info"
has "$m" 'xenp2m_domains{result="consistent"} 3' "3 domains consistent (dom0, fixed, grants)"
has "$m" 'xenp2m_domains{result="inconsistent"} 1' "1 inconsistent"
has "$m" 'xenp2m_domains{result="other"} 1' "1 other (just restored)"
has "$m" "xenp2m_domain_check_success{$L_FIXED} 1" "fixed: checked"
has "$m" "xenp2m_domain_verdict{$L_FIXED,verdict=\"consistent\"} 1" "fixed: consistent 1"
has "$m" "xenp2m_domain_verdict{$L_FIXED,verdict=\"inconsistent\"} 0" "fixed: inconsistent 0"
has "$m" "xenp2m_domain_pfns{$L_FIXED,class=\"valid\"} 16384" "fixed: 16384 valid pfns"
has "$m" "xenp2m_domain_pfns{$L_FIXED,class=\"invalid\"} 0" "fixed: 0 invalid"
has "$m" "xenp2m_domain_max_pfn{$L_FIXED} 16384" "fixed: max_pfn"
has "$m" "xenp2m_domain_p2m_generation{$L_FIXED} 0" "fixed: generation"
has "$m" "xenp2m_domain_grant_frames{$L_FIXED} 1" "fixed: 1 grant frame"
has "$m" "xenp2m_domain_grant_frames_max{$L_FIXED} 64" "fixed: of 64"
has "$m" "xenp2m_domain_grant_entries{$L_FIXED,state=\"in_use\"} 2" "fixed: 2 grant entries in use"
has "$m" "xenp2m_domain_grant_entries{$L_FIXED,state=\"mapped\"} 2" "fixed: both mapped (by dom0)"
has "$m" "xenp2m_domain_findings{$L_FIXED,id=\"mfn-stale\",severity=\"error\"} 0" "fixed: no mfn-stale"
has "$m" "xenp2m_domain_verdict{$L_PREFIX,verdict=\"inconsistent\"} 1" "prefix: inconsistent 1"
has "$m" "xenp2m_domain_findings{$L_PREFIX,id=\"mfn-stale\",severity=\"error\"} 1" "prefix: 1 mfn-stale"
has "$m" "xenp2m_domain_verdict{$L_FRESH,verdict=\"just-restored\"} 1" "fresh: just-restored 1"
has "$m" "xenp2m_domain_findings{$L_FRESH,id=\"just-restored\",severity=\"info\"} 1" "fresh: the info finding"
has "$m" "xenp2m_domain_verdict{$L_GRANTS,verdict=\"consistent\"} 1" "grants: consistent all the same"
has "$m" "xenp2m_domain_grant_frames{$L_GRANTS} 53" "grants: 53 frames"
has "$m" "xenp2m_domain_grant_entries{$L_GRANTS,state=\"in_use\"} 26702" "grants: 26702 entries in use"
has "$m" "xenp2m_domain_findings{$L_GRANTS,id=\"grant-frames-high\",severity=\"warning\"} 1" \
	"grants: grant-frames-high 1"
is "$(grep -c '^xenp2m_domain_findings{.*,name="fixed",' "$TMPD/check.prom")" \
	"$("$top_builddir/tests/unit/print-findings" | wc -l)" "fixed: one findings series per id of the engine"
like "$m" "xenp2m_domain_check_duration_seconds\{$L_FIXED\} 0\.[0-9]{6}" "fixed: the check's duration"
like "$m" "xenp2m_last_run_timestamp_seconds [0-9]{10}" "the run's time"

# grant-frames-high: advisory, its threshold
run X check grants
is "$rc" 0 "check of a guest at 82% of its grant frames: exit 0 (advisory)"
like "$out" '^  grant-frames-high \(1\): the grant table uses a large share of its maximum frames' "the finding"
like "$out" '^    the grant table uses 53 of its 64 frames \(82%; the warning is at 80%\): 26702 entries in use$' \
	"its detail"
run X check grants --grant-frames-warn 83
unlike "$out" 'grant-frames-high' "--grant-frames-warn 83: not yet"
run X check grants --grant-frames-warn 0
unlike "$out" 'grant-frames-high' "--grant-frames-warn 0: never"
run X check fixed --grant-frames-warn 1
like "$out" 'the grant table uses 1 of its 64 frames \(1%; the warning is at 1%\)' "--grant-frames-warn 1: at 1 frame"
run X check fixed --grant-frames-warn 101
is "$rc" 2 "--grant-frames-warn 101: exit 2"
like "$err" "--grant-frames-warn: '101' is not a percentage \(0-100\)" "says so"

# ---------------------------------------------------------------- list
run X --format prometheus list
is "$rc" 0 "list --format prometheus: exit 0"
printf '%s\n' "$out" >"$TMPD/list.prom"
run promtool check metrics <"$TMPD/list.prom"
is "$rc:$out$err" "0:" "promtool check metrics: no complaint"
m=$(cat "$TMPD/list.prom")
has "$m" "xenp2m_domain_info{$L_FIXED,type=\"pv\",layout=\"list\",width=\"64\"} 1" "fixed: info"
has "$m" "xenp2m_domain_memory_bytes{$L_FIXED} 67108864" "fixed: 64 MiB"
has "$m" "xenp2m_domain_memory_max_bytes{$L_FIXED} 67108864" "fixed: of 64 MiB"
has "$m" "xenp2m_domain_health{$L_FIXED,health=\"ok\"} 1" "fixed: health ok"
has "$m" "xenp2m_domain_health{$L_FRESH,health=\"restored\"} 1" "fresh: health restored"
has "$m" "xenp2m_domain_health{$L_FRESH,health=\"ok\"} 0" "fresh: not ok"

# ---------------------------------------------------------------- refusals
for v in "show fixed" "grants fixed" "snapshot fixed -o $TMPD/p.snap" "verify fixed --baseline $TMPD/u.snap"; do
	run X --format prometheus $v
	is "$rc:$out" "2:" "${v%% *} --format prometheus: exit 2, nothing on stdout"
	is "$err" "xenp2m: error: --format prometheus: ${v%% *} has no output in this format (check and list have)" \
		"${v%% *}: says so"
done
run X check --all --textfile-dir "$TMPD"
is "$rc" 2 "--textfile-dir without --format prometheus: exit 2"
is "$err" "xenp2m: error: --textfile-dir writes Prometheus metrics: it needs --format prometheus" "says so"
run X --format prometheus check --all --textfile-dir "$TMPD/nosuch"
is "$rc:$out" "3:" "--textfile-dir that does not exist: exit 3"
like "$err" "cannot create a file in $TMPD/nosuch/xenp2m.prom: No such file or directory" "says so"

# ---------------------------------------------------------------- textfile
TF=$TMPD/textfile
mkdir "$TF"
run X --format prometheus check --all --textfile-dir "$TF"
is "$rc:$out" "1:" "check --textfile-dir: exit 1, nothing on stdout"
is "$(stat -c %a "$TF/xenp2m.prom")" 644 "xenp2m.prom is for everyone to read (node_exporter's own user)"
is "$(ls -A "$TF")" xenp2m.prom "and is all there is in the directory"
run promtool check metrics <"$TF/xenp2m.prom"
is "$rc:$out$err" "0:" "promtool check metrics: no complaint"
is "$(grep -v _seconds "$TF/xenp2m.prom")" "$(grep -v _seconds "$TMPD/check.prom")" \
	"the same metrics as on stdout"
run xenp2m --sim="$TMPD/nosuch.host" --format prometheus check --all --textfile-dir "$TF"
is "$rc" 4 "no host: exit 4"
like "$err" 'no such simulated host' "says so"
has "$(cat "$TF/xenp2m.prom")" 'xenp2m_up 0' "and the file says xenp2m_up 0"
run X --format prometheus list --textfile-dir "$TF"
is "$rc" 0 "list --textfile-dir: exit 0"
has "$(cat "$TF/xenp2m.prom")" 'xenp2m_up 1' "xenp2m_up 1 again"

# the file is replaced whole while a reader loops over it
X --format prometheus check --all --textfile-dir "$TF"
lines=$(wc -l <"$TF/xenp2m.prom")
python3 - "$TF/xenp2m.prom" "$lines" "$TMPD/stop" >"$TMPD/reader.out" <<'EOF' &
import os, sys
path, lines, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
reads = bad = 0
while not os.path.exists(stop) or reads < 50:
    with open(path) as f:
        text = f.read()
    reads += 1
    rows = text.split("\n")
    if (len(rows) != lines + 1 or rows[-1] != "" or not rows[0].startswith("# HELP xenp2m_up")
            or not rows[-2].startswith("xenp2m_domain_last_check_timestamp_seconds{")):
        bad += 1
print(reads, bad)
EOF
reader=$!
i=0
while [ $i -lt 40 ]; do
	X --format prometheus check --all --textfile-dir "$TF" >/dev/null 2>&1
	i=$((i + 1))
done
touch "$TMPD/stop"
wait $reader
read -r reads bad <"$TMPD/reader.out"
ok "$([ "${reads:-0}" -ge 50 ]; echo $?)" "the reader read the file $reads times while it was replaced 40 times"
is "$bad" 0 "and never saw an incomplete file"
is "$(ls -A "$TF")" xenp2m.prom "no temporary file left"

# ---------------------------------------------------------------- node_exporter
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$TF" >"$TMPD/node.log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; rm -rf "$TMPD"' EXIT
scrape() {
	python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode(), end="")' \
		"http://127.0.0.1:$port/metrics" 2>/dev/null
}
i=0
until scrape >"$TMPD/scrape" || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
m=$(cat "$TMPD/scrape")
like "$m" 'node_textfile_scrape_error 0' "node_exporter on 127.0.0.1:$port reads the textfile without error"
has "$m" 'xenp2m_up 1' "and serves xenp2m_up 1"
has "$m" "xenp2m_domain_verdict{$L_PREFIX,verdict=\"inconsistent\"} 1" "prefix: inconsistent"
has "$m" "xenp2m_domain_grant_frames{$L_GRANTS} 53" "grants: 53 frames"
has "$m" "xenp2m_domain_findings{$L_GRANTS,id=\"grant-frames-high\",severity=\"warning\"} 1" \
	"grants: grant-frames-high"
printf '%s\n' "$m" | grep -qxF "# HELP xenp2m_domain_grant_frames Frames the domain's grant table uses now"
ok $? "with our HELP"
printf '%s\n' "$m" | grep -qxF '# TYPE xenp2m_domain_verdict gauge'
ok $? "and TYPE"
S corrupt "$H" fixed m2p-mismatch --pfn 7 >/dev/null
X --format prometheus check --all --textfile-dir "$TF"
scrape >"$TMPD/scrape"
has "$(cat "$TMPD/scrape")" "xenp2m_domain_verdict{$L_FIXED,verdict=\"inconsistent\"} 1" \
	"a fault injected, the next check's file: fixed now inconsistent, as scraped"
has "$(cat "$TMPD/scrape")" "xenp2m_domain_findings{$L_FIXED,id=\"m2p-mismatch\",severity=\"error\"} 1" \
	"with its finding"
kill $node
wait $node 2>/dev/null

# ---------------------------------------------------------------- alerting rules
run promtool check rules "$top_srcdir/dist/prometheus/xenp2m-alerts.yml"
is "$rc" 0 "promtool check rules: the example rules load"
like "$out" 'SUCCESS: 5 rules found' "all 5"
run promtool test rules "$top_srcdir/dist/prometheus/xenp2m-alerts-test.yml"
is "$rc" 0 "promtool test rules: they fire when and as they should"
done_testing
