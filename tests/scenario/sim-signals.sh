#!/bin/sh
# xenp2m-sim save and migrate interrupted by a signal between two
# batches of pages: undone as a failed one is (no save file left, the source
# carries on, no half-restored domain, every frame given back), and the
# process ends killed by the signal (128 + N).
. "$(dirname "$0")/../lib.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
env --default-signal=INT true 2>/dev/null || skip_all "env --default-signal is not supported"

H=$TMPD/host
F=$TMPD/g.save
# 256 MiB: 64 batches of 1024 pages, 20 ms apart with --delay-us 20000
xenp2m-sim create "$H" --name g --memory 256M >/dev/null || skip_all "could not build the host"
free_frames() {
	xenp2m-sim list "$H" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["host"]["free_frames"])'
}
names() {
	xenp2m-sim list "$H" -j | python3 -c 'import json,sys
print(" ".join(d["name"] + ":" + d["state"] for d in json.load(sys.stdin)["domains"]))'
}
free0=$(free_frames)
names0=$(names)

# bg SIG WAIT_FOR CMD...: run CMD, signal it once WAIT_FOR exists (a file),
# for "-" once it has the host mapped, for "allocated" once the incoming
# domain of a migration has its frames (it is restoring); $rc, $err
bg() {
	sig=$1 want=$2
	shift 2
	env --default-signal=INT,TERM,HUP "$@" >"$TMPD/out" 2>"$TMPD/err" &
	pid=$!
	n=0
	while [ $n -lt 500 ] && kill -0 $pid 2>/dev/null; do
		if [ "$want" = - ]; then
			grep -q "$H" "/proc/$pid/maps" 2>/dev/null && break
		elif [ "$want" = allocated ]; then
			[ "$(free_frames)" -lt $((free0 - 60000)) ] && break
		elif [ -s "$want" ]; then
			break
		fi
		sleep 0.01
		n=$((n + 1))
	done
	sleep 0.1
	kill -"$sig" $pid
	wait $pid
	rc=$?
	err=$(cat "$TMPD/err")
}

bg INT "$F" xenp2m-sim save "$H" g "$F" --delay-us 20000
is "$rc" 130 "save, SIGINT mid-stream: killed by it (130)"
like "$err" "^xenp2m-sim: error: .*interrupted by SIGINT$" "says so, once"
ok "$([ ! -e "$F" ]; echo $?)" "no save file is left"
is "$(names)" "$names0" "the domain carries on, running"
run xenp2m --sim="$H" check g
is "$rc" 0 "and is consistent"

bg TERM - xenp2m-sim migrate "$H" g --delay-us 20000
is "$rc" 143 "migrate, SIGTERM mid-stream: killed by it (143)"
like "$err" "interrupted by SIGTERM$" "says so"
is "$(names)" "$names0" "the source carries on under its name; no --incoming domain"
is "$(free_frames)" "$free0" "every frame the incoming domain took is free again"
run xenp2m --sim="$H" check g
is "$rc" 0 "the source is consistent"

# migrate again, the signal once the incoming domain has its memory
bg HUP allocated xenp2m-sim migrate "$H" g --delay-us 20000
is "$rc" 129 "migrate, SIGHUP while restoring: killed by it (129)"
is "$(names)" "$names0" "no half-restored domain; the source carries on"
is "$(free_frames)" "$free0" "every frame is free again"
run xenp2m --sim="$H" check g
is "$rc" 0 "the source is consistent"
run xenp2m-sim migrate "$H" g
is "$rc:$out" "0:3" "and migrates when left alone (domid 3)"
done_testing
