#!/bin/sh
# SIGINT, SIGTERM and SIGHUP at random moments of a long check --all and a
# long show --dump on a big simulated host: the run stops, reports
# "interrupted" once (a valid JSON error with -j), unmaps everything it
# mapped ($XENP2M_SIM_AUDIT) and ends killed by the signal, so the shell
# sees 128 + N.  A signal ignored at startup (nohup, a background job of a
# script) stays ignored.
. "$(dirname "$0")/../lib.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
env --default-signal=INT true 2>/dev/null || skip_all "env --default-signal is not supported"

H=$TMPD/host
AUDIT=$TMPD/audit
# check --all spends at least 16 x 62 ms in the engine's retry loop (the
# generation-odd guests never settle), whatever the machine's speed
xenp2m-sim create "$H" --name big --memory 4G >/dev/null &&
	xenp2m-sim create "$H" --name tree32 --memory 1G --layout tree --width 32 >/dev/null &&
	xenp2m-sim create "$H" --name only64 --memory 1G --layout list-only >/dev/null ||
	skip_all "could not build the host"
i=0
while [ $i -lt 16 ]; do
	i=$((i + 1))
	xenp2m-sim create "$H" --name "odd$i" --memory 64M --seed $i >/dev/null &&
		xenp2m-sim corrupt "$H" "odd$i" generation-odd >/dev/null || skip_all "could not build the host"
done
before=$(xenp2m-sim list "$H" -j)

# the moments: reproducible from the seed, which failures print
seed=${XENP2M_SIGNAL_SEED:-$(date +%s)}
echo "# seed $seed (XENP2M_SIGNAL_SEED=$seed to repeat)"
delays=$(awk -v s="$seed" 'BEGIN { srand(s); for (i = 0; i < 16; i++) printf "%.3f ", rand() * 0.3 }')
next_delay() {
	set -- $delays
	delay=$1
	shift
	delays="$* $delay"
}

# started: has the process mapped the host file yet (the backend is open)?
wait_started() { # wait_started PID
	n=0
	while [ $n -lt 500 ] && ! grep -q "$H" "/proc/$1/maps" 2>/dev/null; do
		kill -0 "$1" 2>/dev/null || return
		sleep 0.01
		n=$((n + 1))
	done
}

signum() { # the signal's number (Linux)
	case $1 in
	HUP) echo 1 ;;
	INT) echo 2 ;;
	TERM) echo 15 ;;
	esac
}

# interrupted SIG NAME -- CMD...: run CMD, signal it mid-work, check the rest
interrupted() {
	sig=$1 name=$2
	shift 3
	next_delay
	: >"$AUDIT"
	XENP2M_SIM_AUDIT=$AUDIT env --default-signal=INT,TERM,HUP "$@" >"$TMPD/out" 2>"$TMPD/err" &
	pid=$!
	wait_started $pid
	sleep "$delay"
	kill -"$sig" $pid
	wait $pid
	rc=$?
	_last_cmd="$* (SIG$sig after $delay s)"
	out=$(head -c 2000 "$TMPD/out")
	err=$(cat "$TMPD/err")
	is "$rc" $((128 + $(signum "$sig"))) "$name: SIG$sig $delay s in: killed by it (128 + $(signum "$sig"))"
	is "$(cat "$AUDIT")" \
		"left frames=0 grant_frames=0 grants=0; after cleanup frames=0 grant_frames=0 grants=0" \
		"$name: everything it mapped was unmapped"
}

json_error() { # the error object of the JSON document in $TMPD/out
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["error"]
print(e["kind"], e["message"], e["exit_code"], "summary" not in d,
      all("verdict" in x for x in d.get("domains", [])))' "$TMPD/out"
}

interrupted INT "check --all" -- xenp2m --sim="$H" check --all
is "$err" "xenp2m: error: interrupted by SIGINT" "check --all: 'interrupted', once, on stderr"

interrupted TERM "check --all -j" -- xenp2m --sim="$H" -j check --all
is "$(json_error)" "interrupted interrupted by SIGTERM 143 True True" \
	"check --all -j: one valid JSON document: the domains done, the error, no summary"
is "$err" "" "check --all -j: nothing on stderr"

interrupted HUP "check --all -p" -- xenp2m --sim="$H" -p check --all
is "$(json_error)" "interrupted interrupted by SIGHUP 129 True True" \
	"check --all -p: the same, pretty"

interrupted INT "check of 16 domains" -- xenp2m --sim="$H" -j check odd1 odd2 odd3 odd4 odd5 odd6 \
	odd7 odd8 odd9 odd10 odd11 odd12 odd13 odd14 odd15 odd16
is "$(json_error)" "interrupted interrupted by SIGINT 130 True True" \
	"check of a domain list -j: the domains done, then the error"

# show --dump into a slow reader: 1M lines, never done before the signal
slow_reader='import sys, time
while True:
    b = sys.stdin.buffer.read(65536)
    if not b:
        break
    sys.stdout.buffer.write(b)
    time.sleep(0.005)'
dump() { # dump SIG NAME -- ARGS...: show --dump through the slow reader
	sig=$1 name=$2
	shift 3
	next_delay
	: >"$AUDIT"
	rm -f "$TMPD/fifo"
	mkfifo "$TMPD/fifo"
	python3 -c "$slow_reader" <"$TMPD/fifo" >"$TMPD/out" &
	reader=$!
	XENP2M_SIM_AUDIT=$AUDIT env --default-signal=INT,TERM,HUP xenp2m --sim="$H" "$@" \
		>"$TMPD/fifo" 2>"$TMPD/err" &
	pid=$!
	n=0
	while [ $n -lt 500 ] && [ ! -s "$TMPD/out" ]; do
		sleep 0.01
		n=$((n + 1))
	done
	sleep "$delay"
	kill -"$sig" $pid
	wait $pid
	rc=$?
	wait $reader
	err=$(cat "$TMPD/err")
	is "$rc" $((128 + $(signum "$sig"))) "$name: SIG$sig $delay s into the stream: killed by it"
	is "$(cat "$AUDIT")" \
		"left frames=0 grant_frames=0 grants=0; after cleanup frames=0 grant_frames=0 grants=0" \
		"$name: everything it mapped was unmapped"
}

dump INT "show --dump -j" -- -j show --dump big
got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["error"]; g=d["domains"][0]
n=len(g["entries"])
print(e["kind"], e["message"], e["exit_code"], 0 < n < g["max_pfn"], n == g["count"],
      all(x["pfn"] == hex(i) for i, x in enumerate(g["entries"])))' "$TMPD/out" 2>&1)
is "$got" "interrupted interrupted by SIGINT 130 True True True" \
	"show --dump -j: valid JSON, the entries so far (counted, in order), then the error"
is "$err" "" "show --dump -j: nothing on stderr"

dump TERM "show --dump" -- show --dump big
is "$err" "xenp2m: error: interrupted by SIGTERM" "show --dump: 'interrupted' on stderr"
got=$(awk 'NR > 1 && !/^0x[0-9a-f]+ 0x[0-9a-f]+ [a-z]+$/ { bad++ } END { print (NR > 2), bad + 0 }' "$TMPD/out")
is "$got" "1 0" "show --dump: every line it printed is whole"

# ignored at startup: a background job of a script does not see SIGINT
xenp2m --sim="$H" -j check --all >"$TMPD/out" 2>"$TMPD/err" &
pid=$!
wait_started $pid
kill -INT $pid
wait $pid
rc=$?
is "$rc" 1 "SIGINT ignored at startup stays ignored: check --all completes (exit 1, unstable guests)"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["inconsistent"])' \
	"$TMPD/out")" 16 "with the whole summary"

is "$(xenp2m-sim list "$H" -j)" "$before" "the host is as it was: nothing left mapped in it"
done_testing
