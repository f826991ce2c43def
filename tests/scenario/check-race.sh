#!/bin/sh
# A check racing a concurrent mem-set or migrate never reports a false
# finding: it retries (several passes), says "unstable", or -- for a domain
# that went away under it -- fails with a clear error; never "inconsistent".
. "$(dirname "$0")/../lib.sh"
H=$TMPD/host

# race WHAT NAME COMMAND... : COMMAND in the background, `check NAME` in a
# loop until it ends; then every verdict is judged
race() {
	what=$1 name=$2
	shift 2
	: >"$TMPD/results"
	"$@" >/dev/null 2>"$TMPD/bg.err" &
	bg=$!
	n=0
	while kill -0 $bg 2>/dev/null || [ $n -lt 3 ]; do
		xenp2m --sim="$H" -j check "$name" >>"$TMPD/results" 2>/dev/null
		n=$((n + 1))
		[ $n -gt 2000 ] && break
	done
	wait $bg
	is "$?" 0 "$what: the background command succeeded"
	summary=$(python3 - "$TMPD/results" <<'PY'
import json, sys, collections
verdicts, bad, multi = collections.Counter(), [], 0
for line in open(sys.argv[1]):
    d = json.loads(line)["domains"][0]
    v = d.get("verdict") or d["error"]["kind"]
    verdicts[v] += 1
    if d.get("p2m", {}).get("passes", 1) > 1:
        multi += 1
    if v not in ("consistent", "unstable", "just-restored", "domain_gone", "no_such_domain"):
        bad.append(line[:400])
print(len(bad), " ".join("%s=%d" % kv for kv in sorted(verdicts.items())), "retried=%d" % multi)
for b in bad[:3]:
    print("#", b)
PY
)
	nbad=${summary%% *}
	ok "$nbad" "$what: $n checks while it ran, none inconsistent (${summary#* })"
	[ "$nbad" = 0 ] || printf '%s\n' "$summary" | tail -n +2
}

for layout in list tree; do
	xenp2m-sim create "$H" --name b-$layout --memory 128M --maxmem 256M --layout $layout >/dev/null
	race "$layout: balloon up into the missing region" b-$layout \
		xenp2m-sim mem-set "$H" b-$layout 192M --delay-us 60
	race "$layout: balloon down" b-$layout xenp2m-sim mem-set "$H" b-$layout 96M --delay-us 60
	race "$layout: migrate" b-$layout xenp2m-sim migrate "$H" b-$layout --delay-us 20000
done
done_testing
