#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xenp2m-sim init, the host file's checks, list, and dom0.
. "$(dirname "$0")/../lib.sh"

H="$TMPD/a.host"

run xenp2m-sim list "$H"
is "$rc" 3 "list on a missing host: exit 3"
is "$err" "xenp2m-sim: error: $H: no such host file (create one with 'xenp2m-sim init $H')" \
	"list on a missing host: says how to create one"
for verb in destroy pause unpause migrate symbols; do
	run xenp2m-sim $verb "$H" g
	is "$rc:$err" "3:xenp2m-sim: error: $H: no such host file (create one with 'xenp2m-sim init $H')" \
		"$verb on a missing host fails clearly"
done

run xenp2m-sim init "$H" --memory 12Q
is "$rc" 3 "init with a bad size: exit 3"
is "$err" "xenp2m-sim: error: invalid host memory size '12Q': use a number with an optional K, M, G or T suffix (e.g. 256M, 4G, 1T)" \
	"init with a bad size: says what a size is"
run xenp2m-sim init "$H" --memory 100M
is "$rc:$err" "3:xenp2m-sim: error: invalid host memory size 104857600 bytes: must be between 256 MiB and 8 TiB, in steps of 4 MiB" \
	"init with a too small host"
ok "$([ ! -e "$H" ]; echo $?)" "no host file is left by a failed init"

run xenp2m-sim init "$H" --memory 2G
is "$rc" 0 "init a 2 GiB host"
is "$out" "" "init prints nothing"
run xenp2m-sim init "$H"
is "$rc:$err" "3:xenp2m-sim: error: $H: host file already exists" "init refuses an existing host"
is "$(ls "$TMPD" | wc -l)" 1 "no temporary file is left next to it"

size=$(stat -c %s "$H")
disk=$(($(stat -c %b "$H") * 512))
ok "$([ "$size" -gt $((2 << 30)) ]; echo $?)" "the file's apparent size covers 2 GiB of memory ($size)"
ok "$([ "$disk" -lt $((8 << 20)) ]; echo $?)" "but it is sparse: $disk bytes on disk"

run xenp2m-sim list "$H"
is "$rc" 0 "list"
is "$(printf '%s\n' "$out" | sed -n 1p | tr -s ' ')" "Name ID Mem MaxMem VCPUs State Width Layout Kernel" "list header"
is "$(printf '%s\n' "$out" | sed -n 2p | tr -s ' ')" "Domain-0 0 255 256 1 -b---- 64 list fixed" \
	"dom0: 256 MiB less the pages it gave back over its 1:1 range"

run xenp2m-sim list -j "$H"
is "$rc" 0 "list -j"
is "$(jq_get "$out" 'd["schema_version"]')" 1 "schema_version 1"
is "$(jq_get "$out" 'd["host"]["nr_frames"]')" 524288 "host nr_frames"
is "$(jq_get "$out" 'len(d["domains"])')" 1 "one domain"
is "$(jq_get "$out" 'd["domains"][0]["name"]')" Domain-0 "dom0's name"
is "$(jq_get "$out" 'd["domains"][0]["domid"]')" 0 "dom0's domid"
is "$(jq_get "$out" 'd["domains"][0]["max_pages"]')" 65536 "dom0 max_pages"
is "$(jq_get "$out" 'd["domains"][0]["tot_pages"]')" 65440 "dom0 tot_pages (96 pages of the ISA hole released)"
is "$(jq_get "$out" 'd["domains"][0]["arch"]["max_pfn"]')" 0x10000 "dom0 publishes max_pfn"
is "$(jq_get "$out" 'd["domains"][0]["arch"]["p2m_vaddr"]')" 0xffffc90000000000 "dom0 publishes its p2m list"
isnt "$(jq_get "$out" 'd["domains"][0]["arch"]["pfn_to_mfn_frame_list_list"]')" 0x0 "and its frame list list"
like "$(jq_get "$out" 'd["domains"][0]["shared_info_mfn"]')" '^0x[0-9a-f]+$' "shared_info_mfn as a hex string"
is "$(jq_get "$out" 'len(d["domains"][0]["p2m_head"])')" 8 "the first eight p2m entries"

# xenp2m reads the same host
run xenp2m --sim="$H" -j list
is "$rc" 0 "xenp2m --sim list"
is "$(jq_get "$out" '" ".join(str(d["domains"][0][k]) for k in ("domid", "name", "type", "width", "tot_pages", "max_pages", "shared_info_mfn", "layout", "max_pfn"))')" \
	"0 Domain-0 pv 64 65440 65536 $(jq_get "$(xenp2m-sim list -j "$H")" 'd["domains"][0]["shared_info_mfn"]') list 65536" \
	"xenp2m sees dom0 as the simulator does"

# a damaged host file is refused, by both tools
cp --sparse=always "$H" "$TMPD/t.host"
truncate -s -4096 "$TMPD/t.host"
run xenp2m-sim list "$TMPD/t.host"
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/t.host: truncated or resized host file: $((size - 4096)) bytes, header says $size" \
	"a truncated host file is refused"
run xenp2m --sim="$TMPD/t.host" list
is "$rc:$err" "3:xenp2m: error: $TMPD/t.host: truncated or resized host file: $((size - 4096)) bytes, header says $size" \
	"xenp2m refuses it too"
rm -f "$TMPD/t.host"
cp --sparse=always "$H" "$TMPD/s.host"
printf 'garbage!' | dd of="$TMPD/s.host" conv=notrunc status=none
run xenp2m-sim create "$TMPD/s.host" --name g --memory 32M
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/s.host: not a xenp2m-sim host file (bad magic)" \
	"a host file with a scribbled header is refused"
printf 'XP2MHOST\002' | dd of="$TMPD/s.host" conv=notrunc status=none
printf '\377' | dd of="$TMPD/s.host" bs=1 seek=16 conv=notrunc status=none
run xenp2m-sim list "$TMPD/s.host"
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/s.host: corrupt host file: header checksum mismatch" \
	"a host file with a damaged field is refused"
rm -f "$TMPD/s.host"
: > "$TMPD/e.host"
run xenp2m-sim list "$TMPD/e.host"
is "$rc:$err" "3:xenp2m-sim: error: $TMPD/e.host: file too short for a host header (0 bytes)" \
	"an empty file is refused"

# create initialises a missing host (default 4 TiB, sparse)
run xenp2m-sim create "$TMPD/new.host" --name first --memory 32M
is "$rc:$out" "0:1" "create on a missing host initialises it; the first domU is domid 1"
run xenp2m-sim list -j "$TMPD/new.host"
is "$(jq_get "$out" 'd["host"]["nr_frames"]')" 1073741824 "the default host has 4 TiB"
is "$(jq_get "$out" '" ".join(x["name"] for x in d["domains"])')" "Domain-0 first" "with dom0 and the new guest"
disk=$(($(stat -c %b "$TMPD/new.host") * 512))
ok "$([ "$disk" -lt $((64 << 20)) ]; echo $?)" "a 4 TiB host with two guests uses $disk bytes of disk"
done_testing
