#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Two processes at once: readers (xenp2m --sim list, xenp2m-sim list, which
# take no lock) loop while xenp2m-sim migrate and mem-set run; every
# snapshot they take is consistent.
. "$(dirname "$0")/../lib.sh"

H="$TMPD/m.host"
xenp2m-sim init "$H" --memory 2G || exit 1
xenp2m-sim create "$H" --name web --memory 64M --maxmem 128M >/dev/null || exit 1

reader() {  # reader PREFIX: snapshot until $TMPD/stop exists
	i=0
	while [ ! -e "$TMPD/stop" ] && [ $i -lt 2000 ]; do
		xenp2m --sim="$H" -j list > "$TMPD/$1.$i.json" 2>&1
		xenp2m-sim list -j "$H" > "$TMPD/$1.s$i.json" 2>&1
		i=$((i + 1))
	done
}

check() {  # check PREFIX: one line per inconsistent snapshot, then a summary
	python3 - "$TMPD" "$1" <<'EOF'
import glob, json, os, sys
tmp, prefix = sys.argv[1], sys.argv[2]
bad = 0; incoming = 0; n = 0; sizes = set()
allowed = [{"web"}, {"web", "web--incoming"}, {"web--incoming"}]
for f in sorted(glob.glob(os.path.join(tmp, prefix + ".*.json"))):
    n += 1
    try:
        d = json.load(open(f))
    except Exception as e:
        print("unparsable", f, open(f).read()[:200]); bad += 1; continue
    doms = d.get("domains")
    if doms is None:
        print("no domains", f, d); bad += 1; continue
    names = {x["name"] for x in doms if x["name"] != "Domain-0"}
    if names not in allowed:
        print("names", names, f); bad += 1
    if "web--incoming" in names:
        incoming += 1
    for x in doms:
        if x["tot_pages"] > x["max_pages"]:
            print("tot_pages > max_pages", x, f); bad += 1
        if x["name"] == "web" and "max_pages" in x:
            sizes.add(x["tot_pages"])
    if len({x["domid"] for x in doms}) != len(doms):
        print("duplicate domid", f); bad += 1
print("snapshots=%d bad=%d incoming=%d sizes=%d" % (n, bad, incoming, len(sizes)))
EOF
}

rm -f "$TMPD/stop"
reader mig &
rpid=$!
sleep 0.2
run xenp2m-sim migrate "$H" web --delay-us 20000
touch "$TMPD/stop"
wait $rpid
is "$rc:$out:$err" "0:2:" "migrate with a slow stream while readers loop"
res=$(check mig)
like "$res" "bad=0 " "every snapshot during the migration is consistent"
like "$res" "incoming=[1-9]" "the readers saw the migration in progress (the incoming domain)"
printf '%s\n' "$res" | sed 's/^/# /'

rm -f "$TMPD/stop" "$TMPD"/mig.*
reader bal &
rpid=$!
run xenp2m-sim mem-set "$H" web 96M --delay-us 10
run xenp2m-sim mem-set "$H" web 32M --delay-us 10
touch "$TMPD/stop"
wait $rpid
is "$rc:$err" "0:" "balloon up and down while readers loop"
res=$(check bal)
like "$res" "bad=0 " "every snapshot during ballooning is consistent"
like "$res" "sizes=([3-9]|[1-9][0-9]+)$" "the readers saw the guest's size change as it happened"
printf '%s\n' "$res" | sed 's/^/# /'
is "$(jq_get "$(xenp2m --sim="$H" -j list)" '[x["tot_pages"] for x in d["domains"] if x["name"] == "web"][0]')" 8192 "web ends at 32 MiB"

# a writer that waits for another: two creates at once serialise on the lock
xenp2m-sim create "$H" --name a1 --memory 32M > "$TMPD/a1.out" &
p1=$!
xenp2m-sim create "$H" --name a2 --memory 32M > "$TMPD/a2.out" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
is "$r1:$r2" "0:0" "two creates at once both succeed"
is "$(sort "$TMPD/a1.out" "$TMPD/a2.out" | tr '\n' ' ')" "3 4 " "with distinct domids"
done_testing
