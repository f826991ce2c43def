#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A 1 TiB guest: created in under 10 s, on a host file that stays sparse;
# checked; snapshot and verified with bounded memory.
# It writes about 4 GiB (the M2P and the initial p2m), so it only runs when
# asked: XENP2M_BIG_TESTS=1 make check.
. "$(dirname "$0")/../lib.sh"

[ "${XENP2M_BIG_TESTS:-0}" = 1 ] || skip_all "set XENP2M_BIG_TESTS=1 to create a 1 TiB guest"

H="$TMPD/big.host"
start=$(date +%s%N)
run xenp2m-sim create "$H" --name big --memory 1T
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc:$out:$err" "0:1:" "create a 1 TiB list guest (on a new 4 TiB host)"
ok "$([ "$ms" -lt 10000 ]; echo $?)" "in under 10 s, host initialisation and guest boot included: $ms ms"
apparent=$(stat -c %s "$H")
disk=$(($(stat -c %b "$H") * 512))
ok "$([ "$apparent" -gt $((4 << 40)) ]; echo $?)" "the host file's apparent size is $apparent bytes"
ok "$([ "$disk" -lt $((8 << 30)) ]; echo $?)" "it uses $disk bytes of disk, under 8 GiB for a 1 TiB guest"
run xenp2m --sim="$H" list
like "$out" ' 1 big +pv +64 +list +0x10000000 ' "xenp2m sees 2^28 pfns"
run xenp2m --sim="$H" check big
is "$rc" 0 "and finds the guest consistent"
like "$out" '268435456 pfns checked \(268435456 valid' "every pfn checked"

# snapshot and verify stream: their own memory (anonymous, sampled from
# /proc while they run) stays far below the 2 GiB the p2m takes
peak_anon() { # peak_anon CMD...: "EXIT-STATUS PEAK-KiB"
	python3 -c '
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = 0
while p.poll() is None:
    try:
        with open("/proc/%d/status" % p.pid) as f:
            peak = max([peak] + [int(l.split()[1]) for l in f if l.startswith("RssAnon:")])
    except OSError:
        pass
    time.sleep(0.01)
print(p.returncode, peak)' "$@"
}
set -- $(peak_anon xenp2m --sim="$H" snapshot big -o "$TMPD/big.snap")
is "$1" 0 "snapshot of the 1 TiB guest: exit 0"
ok "$([ "$2" -lt 65536 ]; echo $?)" "its peak anonymous memory: $2 KiB, under 64 MiB"
size=$(stat -c %s "$TMPD/big.snap")
ok "$([ "$size" -lt $((4 << 20)) ]; echo $?)" "the snapshot of 2^28 pfns takes $size bytes, under 4 MiB"
run xenp2m -j --sim="$H" snapshot big -o "$TMPD/big.snap"
is "$(jq_get "$out" "d['domains'][0]['pfns']['valid']")" 268435456 "it records 2^28 valid pfns"
set -- $(peak_anon xenp2m --sim="$H" verify big --baseline "$TMPD/big.snap")
is "$1" 0 "verify against it: exit 0 (clean)"
ok "$([ "$2" -lt 65536 ]; echo $?)" "its peak anonymous memory: $2 KiB, under 64 MiB"
xenp2m-sim destroy "$H" big
done_testing
