# SPDX-License-Identifier: GPL-2.0
#
# The guest module's real-Xen steps (src/guest/module, doc/guest-module.md),
# sourced by steps.sh once the test guest is up and checked: this file runs
# the steps before the migrations; steps.sh calls module_round after each
# save/restore round and module_final after the last.
#
# dom0 reaches into the guest two ways: the module's own xenstore protocol
# under the guest's data/xenp2m (xp_request), and the test guest's agent
# (domu-agent.sh) for shell commands such as insmod (guest_sh).

KO=/xenp2m_guest.ko
GT_SEED=0x5eed	 # the grant service's pattern
SH_SEED=0xc0ffee # dom0's shared pages' pattern
KMAP_CYCLES=5000
KMAP_PAGES=8

# The module's keys are read all at once (xp_snap, after every answer and
# every wait), then looked up in the shell (xp_key): one process, not one
# per key.
xp_snap() {
	guest-tool xs-dump "/local/domain/$D/data/xenp2m" >"$XT_DIR/xp.snap" 2>/dev/null
}

xp_key() {	# xp_key KEY: KEY's value in the last snapshot
	while IFS= read -r _kl; do
		case $_kl in "$1="*)
			printf '%s\n' "${_kl#*=}"
			return 0
			;;
		esac
	done <"$XT_DIR/xp.snap"
	return 1
}

xp_live() {	# xp_live KEY: KEY's value now
	xenstore-read "/local/domain/$D/data/xenp2m/$1" 2>/dev/null
}

# xp_wait KEY REGEX SECONDS: until the module's KEY matches REGEX, then a
# snapshot
xp_wait() {
	_end=$(($(now_s) + $3))
	until xp_live "$1" | grep -Eq -- "$2"; do
		[ "$(now_s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
	xp_snap
}

xp_done_seq() {	# the seq of the module's last answer, 0 for none
	_dn=$(xp_live done)
	_dn=${_dn%% *}
	case $_dn in '' | *[!0-9]*) _dn=0 ;; esac
	echo "$_dn"
}

# xp_send [SEQ] VERB [NAME=VALUE...]: write a request (SEQ, or the one after
# the last answer) and print its seq
xp_send() {
	case $1 in
	[0-9]*) _s=$1 && shift ;;
	*) _s=$(($(xp_done_seq) + 1)) ;;
	esac
	xenstore-write "/local/domain/$D/data/xenp2m/request" "$_s $*"
	echo "$_s"
}

# xp_wait_done SEQ: its answer (2 minutes at most) -> $xp_errno (0, a
# positive errno, or "timeout") and $xp_msg
xp_wait_done() {
	_end=$(($(now_s) + 120))
	until [ "$(xp_done_seq)" = "$1" ]; do
		if [ "$(now_s)" -ge "$_end" ]; then
			xp_errno=timeout
			xp_msg="no answer to request $1 in 120 s"
			return 1
		fi
		sleep 0.1
	done
	xp_snap
	xp_errno=$(xp_key done)
	xp_errno=${xp_errno#* }
	xp_msg=$(xp_key message)
}

# xp_request VERB [NAME=VALUE...]: one request to the module, its answer
# waited for; $_seq is its sequence number
xp_request() {
	_seq=$(xp_send "$@")
	xp_wait_done "$_seq"
}

# guest_sh COMMAND: COMMAND run in the guest by its agent -> $out $rc
guest_sh() {
	_gs=$(cut -d' ' -f1 /proc/uptime | tr -d .)
	_gp=/local/domain/$D/data/xt
	_last_cmd="in the guest: $*"
	err=
	xenstore-write "$_gp/cmd" "$_gs $*"
	_end=$(($(now_s) + 60))
	until [ "$(xenstore-read "$_gp/rc" 2>/dev/null | cut -d' ' -f1)" = "$_gs" ]; do
		if [ "$(now_s)" -ge "$_end" ]; then
			out="the guest's agent did not answer in 60 s"
			rc=124
			return 0
		fi
		sleep 0.1
	done
	out=$(xenstore-read "$_gp/out" 2>/dev/null)
	rc=$(xenstore-read "$_gp/rc" | cut -d' ' -f2)
}

guest_console() {	# what the guest's kernel said at KERN_ERR and worse, and its init
	tr -d '\r' <"$(console_log $NAME)"
}

# xen_gnt_active DOMID: the active (mapped) entries of DOMID's grant table,
# as Xen's 'g' debug key lists them
xen_gnt_active() {
	xl dmesg -c >/dev/null 2>&1
	xl debug-keys g
	xl dmesg | awk -v d="remote d$1 " '
		/grant-table for remote d/ { on = index($0, d) > 0; next }
		on && /\(XEN\) +\[0x[0-9a-f]+\]/ { n++ }
		END { print n + 0 }'
}

# ----------------------------------------------------------------- load
t_mod_load() {
	guest_sh "insmod $KO"
	is "$rc" 0 "insmod xenp2m_guest.ko in the guest"
	xp_wait state '^ready$' 30
	ok $? "the module says ready in data/xenp2m/state"
	is "$(xp_key protocol)" 1 "protocol 1"
	is "$(xp_key module)" "xenp2m_guest $(xenp2m --version | cut -d' ' -f2)" "module: its version"
	is "$(xp_key variant)" fixed "variant fixed"
	is "$(xp_key self/trigger)" load "the load self-check is published"
	is "$(xp_key self/status)" clean "status clean"
	is "$(xp_key self/run)" 1 "run 1"
	is "$(xp_key self/resumes)" 0 "resumes 0"
	_size=$(($(xp_key self/p2m_size)))
	is "$(xp_key self/max_pfn)" "0x$(printf %x "$PAGES")" "max_pfn 0x$(printf %x "$PAGES"), as shared_info says"
	is "$(xp_key self/pfns)" "$_size" "every entry of the list checked ($_size)"
	is "$(xp_key self/valid)" "$PAGES" "$PAGES valid, M2P round trip included"
	is "$(xp_key self/missing)" "$((_size - PAGES))" "the rest missing"
	is "$(xp_key self/identity) $(xp_key self/foreign)" "0 0" "no identity, no foreign entry"
	is "$(xp_key self/leaves)" "$((_size / 512))" "every leaf MFN of the mfn tree compared"
	is "$(xp_key self/mismatches)" 0 "no mismatch"
	is "$(xp_key self/frame_list_list)" "$FLL" "the frame list list dom0's probe saw"
	like "$(xp_key self/generation)" '^[0-9]*[02468]$' "an even generation"
	like "$(xp_key self/time)" '^[0-9]+$' "a time"
	guest_sh dmesg
	like "$out" 'xenp2m_guest: loaded \(variant fixed\)' "the guest's kernel log says loaded"
	like "$out" "xenp2m_guest: self-check \\(load\\): clean, $_size pfns, $PAGES valid" "and clean"
	guest_sh "insmod $KO"
	isnt "$rc" 0 "a second insmod fails"
	like "$out" 'File exists' "File exists"
	MOD_RUN=1
	summary "module: load self-check clean: $_size pfns, $PAGES valid, $((_size / 512)) leaves, 0 mismatches in $(xp_key self/duration_ms) ms"
}

# ----------------------------------------------------------------- protocol
t_mod_protocol() {
	xp_request self-check
	is "$xp_errno" 0 "request self-check: done, errno 0"
	like "$xp_msg" '^self-check \(request\): clean, ' "message: clean"
	MOD_RUN=$((MOD_RUN + 1))
	is "$(xp_key self/run) $(xp_key self/trigger)" "$MOD_RUN request" "run $MOD_RUN, triggered by the request"
	xp_request frobnicate
	is "$xp_errno $xp_msg" "95 unknown verb 'frobnicate'" "an unknown verb: EOPNOTSUPP"
	xp_request self-check extra=1
	is "$xp_errno $xp_msg" "22 self-check takes no argument 'extra'" "an argument a verb does not take"
	xp_request grant domid=0
	is "$xp_errno $xp_msg" "22 grant: missing pages=" "grant without pages="
	xp_request grant domid=0 pages=0
	is "$xp_errno $xp_msg" "22 pages=0 is out of range [1, 256]" "pages=0"
	xp_request grant domid=0 pages=257
	is "$xp_errno $xp_msg" "22 pages=257 is out of range [1, 256]" "pages=257: above the cap"
	xp_request grant domid=32752 pages=1
	is "$xp_errno $xp_msg" "22 domid=32752 is out of range [0, 32751]" "a reserved domid"
	xp_request grant domid=0 pages=1 mode=rx
	is "$xp_errno $xp_msg" "22 mode=rx: not ro or rw" "mode=rx"
	xp_request grant domid=0 pages=x
	is "$xp_errno $xp_msg" "22 pages=x is not a number" "pages=x"
	xp_request grant domid=0 pages=1 pages=2
	is "$xp_errno $xp_msg" "22 'pages' given twice" "an argument twice"
	xp_request kmap domid=0 refs=1,,2
	is "$xp_errno $xp_msg" "22 refs: ',2' is not a grant reference" "refs=1,,2"
	xp_request grow frames=99
	is "$xp_errno $xp_msg" "22 frames=99 is out of range [2, 16]" "grow frames=99"
	_refs=1
	for _i in $(seq 2 65); do _refs=$_refs,$_i; done
	xp_request kmap domid=0 refs=$_refs
	is "$xp_errno $xp_msg" "22 refs: more than 64" "kmap with 65 refs: above the cap"
	_long=$(printf '%02100d' 0)
	xp_request self-check "pad=$_long"
	_len=$((${#_seq} + 16 + ${#_long}))
	is "$xp_errno $xp_msg" "7 request of $_len bytes (at most 2048)" "a request of $_len bytes: E2BIG"
	_d=$(xp_live done)
	xenstore-write "/local/domain/$D/data/xenp2m/request" "hello"
	xenstore-write "/local/domain/$D/data/xenp2m/request" "1 self-check"
	sleep 2
	is "$(xp_live done)" "$_d" "no sequence number, an old one: ignored, done unchanged"
	xp_request self-check
	is "$xp_errno" 0 "and the next request is served"
	MOD_RUN=$((MOD_RUN + 1))
}

# ----------------------------------------------------------------- mismatch
# a p2m entry changed from dom0, through a writable mapping of the leaf page:
# a pfn of the kernel's text, mapped once at boot and never looked up again
t_mod_mismatch() {
	_text=$(sed -n 's/^ffffffff\([89a-f][0-9a-f]\{7\}\) [tT] _text$/\1/p' "$MAP")
	like "$_text" '^[0-9a-f]{8}$' "_text in the System.map (ffffffff$_text)"
	[ -n "$_text" ] || return 1
	_p=$(((0x$_text - 0x80000000) / 4096 + 16))
	_px=0x$(printf %x "$_p")
	_orig=$(guest-tool p2m-get "$D" "$_p")
	_other=$(guest-tool p2m-get "$D" $((_p + 1)))
	like "$_orig $_other" '^0x[0-9a-f]+ 0x[0-9a-f]+$' "p2m[$_px] and p2m[$_px + 1] through the mfn tree"
	run guest-tool p2m-set "$D" "$_p" "$_other"
	is "$rc $out" "0 $_orig" "p2m[$_px] := $_other (p2m[$_px + 1]'s frame) from dom0"
	xp_request self-check
	is "$xp_errno" 0 "request self-check: done"
	MOD_RUN=$((MOD_RUN + 1))
	is "$(xp_key self/status)" mismatch "status mismatch"
	is "$(xp_key self/mismatches)" 1 "exactly one"
	is "$(xp_key self/mismatch/0)" \
		"kind=m2p pfn=$_px mfn=$_other expected=$_px actual=0x$(printf %x $((_p + 1)))" \
		"named: kind m2p, pfn $_px, its M2P entry says pfn $_px + 1"
	is "$(xp_key self/valid)" "$((PAGES - 1))" "every other entry valid"
	guest_sh dmesg
	like "$out" "xenp2m_guest: self-check \\(request\\): mismatch, .*; first: m2p at pfn $_px" \
		"the guest's kernel log says so too"
	run xenp2m --json check "$D"
	is "$rc" 1 "xenp2m check: exit 1"
	is "$(json_get "$out" '.domains[0].finding_counts.m2p-mismatch')" 1 "its own finding: m2p-mismatch"
	is "$(json_get "$out" '.domains[0].findings[0].pfn')" "$_px" "at pfn $_px"
	is "$(json_get "$out" '.domains[0].summary.errors')" 1 "and nothing else"
	run guest-tool p2m-set "$D" "$_p" "$_orig"
	is "$rc $out" "0 $_other" "p2m[$_px] restored"
	xp_request self-check
	MOD_RUN=$((MOD_RUN + 1))
	is "$xp_errno $(xp_key self/status) $(xp_key self/mismatches)" "0 clean 0" "the module: clean again"
	run xenp2m check "$D"
	is "$rc" 0 "xenp2m check: consistent again"
	summary "module: p2m[$_px] := p2m[$_px + 1] from dom0: the module reported kind=m2p pfn=$_px mfn=$_other expected=$_px actual=0x$(printf %x $((_p + 1))); xenp2m check: m2p-mismatch at pfn $_px"
}

# ----------------------------------------------------------------- grants
t_mod_grant() {
	xp_request grant domid=0 pages=64 mode=ro seed=$GT_SEED
	is "$xp_errno" 0 "request grant 64 pages read-only to dom0: done"
	like "$xp_msg" '^granted 64 pages to domain 0 \(ro\), refs [0-9]+\.\.[0-9]+$' "message"
	is "$(xp_key grant/state) $(xp_key grant/domid) $(xp_key grant/pages) $(xp_key grant/mode) $(xp_key grant/seed)" \
		"granted 0 64 ro $GT_SEED" "grant/: state, domid, pages, mode, seed"
	_refs=$(xp_key grant/refs)
	is "$(printf '%s\n' $_refs | sort -u | wc -l)" 64 "64 distinct refs"
	run guest-tool map "$D" "$GT_SEED" $_refs
	is "$rc $out" "0 mapped 64 pages: the pattern on 64" "dom0 maps all 64 and finds the pattern on every page"
	run guest-tool map --write "$D" "$GT_SEED" ${_refs%% *}
	is "$rc" 3 "a read-only grant cannot be mapped writable"
	run xenp2m --json grants "$D"
	is "$(json_get "$out" .domains[0].grant_table.in_use)" 66 "xenp2m grants: 66 entries in use (0, 1 and ours)"
	is "$(json_get "$out" .domains[0].grant_table.entries[2].flags_raw)" 0x0005 "ours read-only (0x0005), not mapped"
	rm -f /tmp/xt/hold
	guest-tool map --hold /tmp/xt/hold "$D" "$GT_SEED" $_refs >/tmp/xt/hold.out 2>&1 &
	_hp=$!
	_n=0
	while [ ! -e /tmp/xt/hold ] && [ $_n -lt 100 ]; do sleep 0.1; _n=$((_n + 1)); done
	is "$(xen_gnt_active "$D")" 66 "held: Xen's 'g' key shows 66 active entries"
	xp_request release
	is "$xp_errno" 0 "request release: done"
	is "$xp_msg" "ended 0 of 64 grants; 64 still mapped by domain 0: retrying every 500 ms" \
		"none can end while dom0 maps them"
	is "$(xp_key grant/state) $(xp_key grant/still_mapped)" "releasing 64" "state releasing, 64 still mapped"
	is "$(xp_key grant/still_mapped_refs)" "$_refs" "their refs"
	kill -TERM "$_hp"
	wait "$_hp"
	is "$?" 0 "dom0 unmaps (SIGTERM)"
	is "$(tail -n1 /tmp/xt/hold.out)" "unmapped 64" "all 64"
	xp_wait grant/state '^released$' 10
	ok $? "the module's retry ends them all: released"
	is "$(xp_key grant/still_mapped) $(xp_key grant/still_mapped_refs)" "0 " "none still mapped"
	_retries=$(xp_key grant/retries)
	like "$_retries" '^[1-9][0-9]*$' "after $_retries retries"
	run xenp2m --json grants "$D"
	is "$(json_get "$out" .domains[0].grant_table.in_use)" 2 "xenp2m grants: entries 0 and 1 only"
	is "$(xen_gnt_active "$D")" 2 "Xen's 'g' key: 2 active entries (console, xenstore)"
	xp_request grant domid=0 pages=4 mode=rw seed=7
	run guest-tool map --write "$D" 7 $(xp_key grant/refs)
	is "$rc $out" "0 mapped 4 pages writable: the pattern on 4" "4 writable grants mapped writable"
	xp_request grant domid=0 pages=1
	is "$xp_errno $xp_msg" "16 4 pages are still granted to domain 0: release them first" \
		"a second grant before release: EBUSY"
	xp_request release
	is "$xp_errno $xp_msg $(xp_key grant/state)" "0 ended all 4 grants to domain 0 released" \
		"release ends all 4 at once"
	summary "module: grant service: 64 pages granted read-only, dom0 mapped them, pattern on 64; release while mapped: 64 still mapped, released after $_retries retries once dom0 unmapped"
}

# ----------------------------------------------------------------- kmap
share_start() {	# dom0 shares KMAP_PAGES pages with the guest: $_refs, $_sp
	rm -f /tmp/xt/refs
	guest-tool share "$D" "$SH_SEED" "$KMAP_PAGES" /tmp/xt/refs >/tmp/xt/share.out 2>&1 &
	_sp=$!
	_n=0
	while [ ! -e /tmp/xt/refs ] && [ $_n -lt 100 ]; do sleep 0.1; _n=$((_n + 1)); done
	_refs=$(cat /tmp/xt/refs 2>/dev/null)
	like "$_refs" '^[0-9]+(,[0-9]+){7}$' "dom0 shares $KMAP_PAGES pages with the guest"
}

share_stop() {	# and stops sharing them (SIGTERM)
	kill -TERM "$_sp"
	wait "$_sp"
	is "$?" 0 "dom0 unshares"
	is "$(cat /tmp/xt/share.out)" "unshared $KMAP_PAGES" "all $KMAP_PAGES, none still in use"
}

# t_mod_kmap VARIANT: seed 000's cycles over dom0's shared pages
t_mod_kmap() {
	share_start
	xp_request kmap domid=0 refs="$_refs" seed="$SH_SEED" cycles=$KMAP_CYCLES readers=2
	is "$xp_errno" 0 "request kmap: done"
	is "$(xp_key kmap/variant)" "$1" "variant $1"
	is "$(xp_key kmap/cycles) $(xp_key kmap/pages) $(xp_key kmap/readers)" "$KMAP_CYCLES $KMAP_PAGES 2" \
		"$KMAP_CYCLES cycles of $KMAP_PAGES pages, 2 readers"
	is "$(xp_key kmap/cpus)" "0 1 1" "the cycler on vCPU 0, the readers on vCPU 1"
	_reads=$(xp_key kmap/reads)
	_orig=$(xp_key kmap/reads_original)
	_gnt=$(xp_key kmap/reads_granted)
	ok "$([ "$_orig" -gt 0 ] && [ "$_gnt" -gt 0 ]; echo $?)" "the readers saw both: $_orig original, $_gnt granted of $_reads reads"
	_faults=$(xp_key kmap/faults)
	is "$(xp_key kmap/zero) $(xp_key kmap/unexpected)" "0 0" "never a zero page, never foreign content"
	if [ "$1" = fixed ]; then
		is "$(xp_key kmap/status) $_faults" "clean 0" "fixed: no fault: the page's mapping came back atomically"
	else
		like "$(xp_key kmap/status) $_faults" '^(anomalies [1-9][0-9]*|clean 0)$' \
			"pre-fix: the window shows as faults, if the readers hit it"
	fi
	_first=$(xp_key kmap/anomaly/0)
	is "$(xp_key kmap/ended) $(xp_key kmap/progress)" "cycles $KMAP_CYCLES" "ended by its cycle count"
	is "$(xen_gnt_active 0)" 0 "nothing of dom0's left mapped (Xen's 'g' key)"
	share_stop
	summary "module: kmap ($1): $(xp_key kmap/cycles) cycles x $KMAP_PAGES pages in $(xp_key kmap/duration_ms) ms, readers on vCPU 1: $_reads reads ($_orig original, $_gnt granted), $_faults faults, $(xp_key kmap/zero) zero, $(xp_key kmap/unexpected) unexpected${_first:+; first: $_first}"
}

t_mod_kmap_bad() {
	xp_request kmap domid=0 refs=99999 cycles=5 readers=1
	is "$xp_errno" 5 "kmap of a ref dom0 never shared: EIO"
	like "$xp_msg" '^kmap: failed after 0 of 5 cycles: cycle 1: mapping ref 99999 \(page 0\) of domain 0 failed: hypercall 0, status -[0-9]+$' \
		"named, with Xen's status"
	is "$(xp_key kmap/status) $(xp_key kmap/ended)" "failed error" "kmap/status failed, ended by the error"
	is "$(xen_gnt_active 0)" 0 "nothing mapped"
}

# the bounds dom0's injection needs: a time limit, and a stop when it is
# interrupted (a request that overtakes the one running)
t_mod_kmap_limits() {
	share_start
	xp_request kmap domid=0 refs="$_refs" seed="$SH_SEED" cycles=1000000 readers=1 seconds=1
	is "$xp_errno $(xp_key kmap/ended) $(xp_key kmap/status)" "0 seconds clean" \
		"seconds=1: ended by the time limit, clean"
	_c=$(xp_key kmap/cycles)
	_ms=$(xp_key kmap/duration_ms)
	ok "$([ "$_c" -gt 0 ] && [ "$_c" -lt 1000000 ] && [ "$_ms" -ge 1000 ]; echo $?)" \
		"$_c cycles in $_ms ms"
	xenstore-rm "/local/domain/$D/data/xenp2m/kmap/progress"
	_k=$(xp_send kmap domid=0 refs="$_refs" seed="$SH_SEED" cycles=1000000 readers=1 seconds=120)
	xp_wait kmap/progress '^[1-9]' 30
	ok $? "a long run reports its progress ($(xp_key kmap/progress) cycles)"
	_s=$(xp_send $((_k + 1)) stop)
	xp_wait_done "$_s"
	is "$xp_errno $xp_msg" "0 stopped" "stop, sent while it runs: answered 'stopped'"
	is "$(xp_key kmap/ended) $(xp_key kmap/status)" "stop clean" \
		"the run ended by the stop ($(xp_key kmap/cycles) cycles), clean"
	xp_request stop
	is "$xp_errno $xp_msg" "0 nothing to stop" "a stop with nothing running"
	is "$(xen_gnt_active 0)" 0 "nothing of dom0's left mapped"
	share_stop
}

# ----------------------------------------------------------------- rounds
t_mod_round() {
	xp_wait self/resumes "^$1\$" 60
	ok $? "the resume notifier ran: self/resumes $1"
	xp_wait state '^ready$' 30
	ok $? "the keys are back in the new domain's xenstore, state ready"
	MOD_RUN=$((MOD_RUN + 1))
	is "$(xp_key self/run) $(xp_key self/trigger)" "$MOD_RUN resume" "the resume self-check (run $MOD_RUN)"
	is "$(xp_key self/status) $(xp_key self/mismatches)" "clean 0" "clean after the migration"
	is "$(xp_key self/valid)" "$PAGES" "$PAGES valid: the M2P round trip holds with the new MFNs"
	is "$(xp_key self/frame_list_list)" "$FLL" "the new frame list list, as dom0's probe saw it"
	isnt "$(xp_key self/shared_info)" "$MOD_SHINFO" "a new shared_info frame"
	MOD_SHINFO=$(xp_key self/shared_info)
	xp_request self-check
	is "$xp_errno" 0 "a request in the new domain: sequence numbers start again"
	MOD_RUN=$((MOD_RUN + 1))
	summary "module: round $1: resume self-check clean, resumes $1, frame list list $FLL, shared_info $MOD_SHINFO, $(xp_key self/duration_ms) ms"
}

# ----------------------------------------------------------------- after
t_mod_grow() {
	is "$(xen_gnt_frames "$D")" 1 "Xen's 'g' key: 1 frame before"
	xp_request grow frames=3
	is "$xp_errno" 0 "request grow frames=3: done"
	like "$xp_msg" '^grow: grown: 1 -> 3 frames \(64 max\), [0-9]+ refs allocated \(timer irqs-off\) and freed; taint - -> -$' \
		"grown from a timer with irqs off, no taint"
	is "$(xp_key grow/status) $(xp_key grow/frames_before) $(xp_key grow/frames_after)" "grown 1 3" \
		"grow/: grown, 1 -> 3 frames"
	is "$(xp_key grow/context) / $(xp_key grow/taint_before) / $(xp_key grow/taint_after)" \
		"timer irqs-off / - / -" "grow/context, taint before and after"
	_refs=$(xp_key grow/refs)
	ok "$([ "$_refs" -gt 512 ] && [ $((_refs % 64)) = 0 ]; echo $?)" \
		"$_refs refs allocated, 64 at a time (more than a frame's worth), all freed"
	is "$(xen_gnt_frames "$D")" 3 "Xen's 'g' key: 3 frames"
	run xenp2m --json grants "$D"
	is "$(json_get "$out" .domains[0].grant_table.nr_frames) $(json_get "$out" .domains[0].grant_table.in_use)" "3 2" \
		"xenp2m grants: 3 frames, read without growing; entries 0 and 1 in use"
	like "$(cat "$MAP")" ' [dDbB] tainted_mask$' "tainted_mask is in the System.map"
	run xenp2m --json check --symbols "$MAP" "$D"
	is "$rc" 0 "xenp2m check --symbols: exit 0"
	is "$(json_get "$out" '.domains[0].finding_counts.kernel-tainted')" "" "no kernel-tainted"
	guest_sh "cat /proc/sys/kernel/tainted"
	case $out in '' | *[!0-9]*) out=-1 ;; esac
	is "$((out & (32 | 128 | 512)))" 0 "the guest's own tainted: no B, D or W ($out: the module's O/E only)"
	guest_sh "dmesg | grep -E 'WARNING:|BUG:|Oops|sleeping function called from invalid context'"
	is "$rc $out" "1 " "the guest's kernel log: no warning, BUG or oops"
	unlike "$(guest_console)" 'BUG:|Oops|WARNING:|Call Trace' "the guest's console: none either"
	xp_request grow frames=3
	is "$xp_errno $(xp_key grow/status) $xp_msg" "0 already the grant table has 3 frames already" \
		"a second grow: already there"
	summary "module: seed 002: grow/ 1 -> 3 frames, $_refs refs allocated from a timer with irqs off and freed, taint - -> -; Xen's 'g' key 1 -> 3 frames; xenp2m grants 3 frames; check --symbols: no kernel-tainted"
}

t_mod_prefix() {
	guest_sh "rmmod xenp2m_guest"
	is "$rc" 0 "rmmod"
	guest_sh "insmod $KO variant=bogus"
	isnt "$rc" 0 "insmod variant=bogus fails"
	guest_sh "dmesg | tail -n 3"
	like "$out" 'xenp2m_guest: variant=bogus: expected fixed or pre-fix' "and says why"
	guest_sh "insmod $KO variant=pre-fix"
	is "$rc" 0 "insmod variant=pre-fix"
	xp_wait state '^ready$' 30
	ok $? "ready"
	is "$(xp_key variant) $(xp_key self/status)" "pre-fix clean" "variant pre-fix, its load self-check clean"
}

t_mod_unload() {
	guest_sh "rmmod xenp2m_guest"
	is "$rc" 0 "rmmod xenp2m_guest"
	run xenstore-exists "/local/domain/$D/data/xenp2m"
	isnt "$rc" 0 "data/xenp2m is gone"
	guest_sh dmesg
	like "$out" 'xenp2m_guest: unloaded' "the guest's kernel log says unloaded"
	is "$(xen_gnt_active "$D")" 2 "Xen's 'g' key: only entries 0 and 1 active"
	run xenp2m --json grants "$D"
	is "$(json_get "$out" .domains[0].grant_table.in_use)" 2 "xenp2m grants: no entry of the module in use"
	guest_sh "insmod $KO && sleep 1 && rmmod xenp2m_guest && insmod $KO"
	is "$rc" 0 "load, unload, load again"
	xp_wait state '^ready$' 30
	ok $? "ready again"
	is "$(xp_key self/run) $(xp_key self/status)" "1 clean" "a fresh module: run 1, clean"
	guest_sh "rmmod xenp2m_guest"
	is "$rc" 0 "and unload"
}

# ----------------------------------------------------------------- the steps
# what can run depends on the module having loaded: without it, skips
mod_step() {
	if [ -n "${MOD_LOADED:-}" ]; then
		step "$@"
	else
		_xt_n=$((_xt_n + 1))
		emit "ok $_xt_n - $1 # SKIP the module did not load"
	fi
}

step "module: insmod in the PV guest; the keys, a clean load self-check" t_mod_load && MOD_LOADED=1
MOD_SHINFO=$(xp_key self/shared_info)
mod_step "module: the request protocol; bad requests answered with errno and message" t_mod_protocol
mod_step "module: a p2m entry changed from dom0: the module names its pfn, so does xenp2m check" \
	t_mod_mismatch
mod_step "module: the grant service: 64 pages to dom0, mapped, pattern read, released" t_mod_grant
mod_step "module: seed 000 (fixed): $KMAP_CYCLES map / unmap_and_replace cycles, 2 readers, no anomaly" \
	t_mod_kmap fixed
mod_step "module: seed 000 with a bad ref: a clear error, nothing left mapped" t_mod_kmap_bad
mod_step "module: seed 000's time limit (seconds=) and stop" t_mod_kmap_limits

module_round() {	# after each save/restore round of steps.sh
	mod_step "round $1: the module's resume self-check is clean (xenstore)" t_mod_round "$1"
}

module_final() {	# after the last round
	mod_step "module: seed 002: grant refs from a timer grow the table 1 -> 3 frames, no BUG, no taint" \
		t_mod_grow
	mod_step "module: reload with variant=pre-fix (variant=bogus refused)" t_mod_prefix ||
		MOD_LOADED=
	mod_step "module: seed 000 (pre-fix): $KMAP_CYCLES map / unmap, set-PTE cycles, 2 readers" \
		t_mod_kmap pre-fix
	mod_step "module: unload leaves nothing: no key, no grant; load, unload, load again" t_mod_unload
}
