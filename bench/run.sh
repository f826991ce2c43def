#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: create simulated guests of 4 GiB, 64 GiB and 1 TiB and time
# `check` on each against the same-run baseline (bench-check.c); then
# `snapshot --pages` of a 1 GiB and a 4 GiB guest against a plain read of
# the same pages (bench-snapshot.c).  Figures, not a test: nothing
# here passes or fails on speed.
set -eu
B=${1:-.}
SIZES=${BENCH_SIZES:-4G 64G 1T}
PAGE_SIZES=${BENCH_PAGE_SIZES:-1G 4G}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/xenp2m-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
HOST=$DIR/host
"$B/xenp2m-sim" init "$HOST" --memory 4T >/dev/null
echo "xenp2m check vs. a plain read of the same p2m pages + their M2P entries (best of 3)"
for s in $SIZES; do
	t0=$(date +%s.%N)
	id=$("$B/xenp2m-sim" create "$HOST" --name "g$s" --memory "$s" --layout list)
	t1=$(date +%s.%N)
	printf '%-6s guest created in %.2f s (host file: %s apparent, %s on disk)\n' "$s" \
		"$(awk "BEGIN { print $t1 - $t0 }")" "$(du -h --apparent-size "$HOST" | cut -f1)" "$(du -h "$HOST" | cut -f1)"
	"$B/bench/bench-check" "$HOST" "$id" 3
	"$B/xenp2m-sim" destroy "$HOST" "g$s" >/dev/null
done
echo "xenp2m snapshot --pages vs. a plain read of the same pages (best of 3)"
for s in $PAGE_SIZES; do
	"$B/xenp2m-sim" create "$HOST" --name "p$s" --memory "$s" --layout list >/dev/null
	# a new guest's pages are mostly zero (holes of the host file): both
	# sides read them the same way
	"$B/bench/bench-snapshot" --sim="$HOST" "p$s" 3
	"$B/xenp2m-sim" destroy "$HOST" "p$s" >/dev/null
done
