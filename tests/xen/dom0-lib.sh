# SPDX-License-Identifier: GPL-2.0
#
# The step framework of the real-Xen test, sourced by dom0's /init (busybox
# sh).  A step is a shell function that makes assertions; each step gives
# one TAP line, which the host harness (tests/xen/real-xen.sh) passes on to
# automake's tap driver:
#
#	t_list() {
#		run xenp2m list
#		is "$rc" 0 "exit 0"
#		like "$out" "^ *$D +domu +pv +64 " "domu is PV, 64-bit"
#	}
#	step "xenp2m list: domu is PV" t_list
#
#	step_rc "xenp2m check: consistent" 0 xenp2m check "$D"    # one-liner
#
# Assertions (run/is/isnt/like/unlike/ok) mirror tests/lib.sh.  A step's
# output goes to a log; when the step fails, that log, the tail of Xen's
# console (xl dmesg) and of dom0's kernel log follow the "not ok" line as
# TAP diagnostics.  Protocol lines ("XT|...") go to $XT_OUT: the second
# serial port when dom0 has one, else the console.

XT_DIR=/tmp/xt
XT_TIMEOUT=${XT_TIMEOUT:-120}	# seconds any one command may take
mkdir -p "$XT_DIR"
_xt_n=0
_xt_failed=0
_step_fail=0

# pick the output channel: com2 is ours alone, the console is shared
xt_channel() {
	XT_OUT=/dev/console
	if [ -c /dev/ttyS1 ] && grep -q '^1: uart:16550' /proc/tty/driver/serial 2>/dev/null &&
		stty -F /dev/ttyS1 115200 raw -echo 2>/dev/null; then
		XT_OUT=/dev/ttyS1
	fi
}

emit() {	# emit TEXT: one protocol line
	printf 'XT|%s\n' "$*" >"$XT_OUT"
}

# "seconds.hundredths" since boot
now() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

summary() {	# summary TEXT: a line for the run's summary
	emit "SUMMARY $*"
}

ok() {	# ok STATUS DESCRIPTION: one assertion inside a step
	if [ "$1" -eq 0 ]; then
		echo "  pass: $2"
	else
		echo "  FAIL: $2"
		_step_fail=$((_step_fail + 1))
	fi
}

_ctx() {
	[ -n "${_last_cmd:-}" ] || return 0
	echo "    command: $_last_cmd (rc=${rc:-})"
	printf '%s\n' "${out:-}" | head -n 30 | sed 's/^/    out: /'
	printf '%s\n' "${err:-}" | head -n 30 | sed 's/^/    err: /'
}

is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"
		printf '    got:  %s\n    want: %s\n' "$1" "$2"
		_ctx
	fi
}

isnt() {
	if [ "$1" != "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"
		printf '    got %s, wanted anything else\n' "$1"
		_ctx
	fi
}

like() {	# like TEXT EXTENDED_REGEX DESCRIPTION
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"
		printf '    no match for /%s/ in:\n' "$2"
		printf '%s\n' "$1" | head -n 40 | sed 's/^/      /'
	fi
}

unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"
		printf '    unexpected match for /%s/ in:\n' "$2"
		printf '%s\n' "$1" | head -n 40 | sed 's/^/      /'
	else ok 0 "$3"; fi
}

run() {	# run CMD ARGS... -> $out $err $rc (programs bounded by $XT_TIMEOUT)
	_last_cmd="$*"
	case $(command -v "$1") in
	/*) out=$(timeout "$XT_TIMEOUT" "$@" 2>"$XT_DIR/stderr") ;;
	*) out=$("$@" 2>"$XT_DIR/stderr") ;;	# a shell function
	esac
	rc=$?
	err=$(cat "$XT_DIR/stderr")
}

# json_get JSON PATH: one value of a JSON text, parsed by json-flat (a
# json-c program: dom0 has no python), PATH as it prints it
# (".domains[1].name"); "!invalid-json" when the text does not parse
json_get() {
	printf '%s' "$1" | json-flat >"$XT_DIR/flat" 2>/dev/null || { echo '!invalid-json'; return; }
	grep -F -- "$2=" "$XT_DIR/flat" | while IFS= read -r _l; do
		[ "${_l%%=*}" = "$2" ] && printf '%s\n' "${_l#*=}"
	done
}

# json_domain JSON DOMID FIELD: FIELD of the entry of .domains with DOMID
json_domain() {
	_i=$(json_get "$1" .schema_version >/dev/null; sed -n 's/^\.domains\[\([0-9]*\)\]\.domid='"$2"'$/\1/p' "$XT_DIR/flat")
	[ -n "$_i" ] && json_get "$1" ".domains[$_i].$3"
}

# step DESCRIPTION FUNCTION [ARGS...]: run a step, emit its TAP line
step() {
	_desc=$1
	shift
	_xt_n=$((_xt_n + 1))
	_step_fail=0
	_last_cmd=
	_log=$XT_DIR/step-$_xt_n.log
	_t0=$(now)
	echo "=== step $_xt_n: $_desc" >/dev/console
	"$@" >"$_log" 2>&1
	_st=$?
	# a step function that fails without an assertion failed too
	[ "$_st" -eq 0 ] || [ "$_step_fail" -gt 0 ] || { echo "  FAIL: step returned $_st" >>"$_log"; _step_fail=1; }
	if [ "$_step_fail" -eq 0 ]; then
		emit "ok $_xt_n - $_desc ($(elapsed "$_t0") s)"
	elif [ -n "${_todo:-}" ]; then
		# a known problem, written down: shown, not counted as a failure
		emit "not ok $_xt_n - $_desc # TODO $_todo"
		step_diag "$_log"
		_todo=
		return 0
	else
		_xt_failed=$((_xt_failed + 1))
		emit "not ok $_xt_n - $_desc ($(elapsed "$_t0") s)"
		step_diag "$_log"
	fi
	return "$_step_fail"
}

# need_verb VERB: true when this xenp2m has VERB; otherwise the caller's
# step is reported as skipped
need_verb() {
	xenp2m --help 2>/dev/null | grep -Eq "^  $1 " && return 0
	_skip="xenp2m has no '$1' verb yet"
	return 1
}

# step_if_verb VERB DESCRIPTION FUNCTION...: a step, or a skip without VERB
step_if_verb() {
	_v=$1
	shift
	if need_verb "$_v"; then
		step "$@"
	else
		_xt_n=$((_xt_n + 1))
		emit "ok $_xt_n - $1 # SKIP $_skip"
	fi
}

# step_todo REASON DESCRIPTION FUNCTION...: a step that is known to fail
# for REASON: when it fails it is reported as TODO (not a failure); when
# the problem is fixed it simply passes
step_todo() {
	_todo=$1
	shift
	step "$@"
	_r=$?
	_todo=
	return $_r
}

# step_rc DESCRIPTION RC CMD...: a step that runs CMD and expects exit RC
step_rc() {
	_d=$1
	_want=$2
	shift 2
	step "$_d" _step_rc_fn "$_want" "$@"
}
_step_rc_fn() {
	_w=$1
	shift
	run "$@"
	is "$rc" "$_w" "$* exits $_w"
	[ "$rc" = "$_w" ] || _ctx
}

# the failing step's output, then what Xen and dom0's kernel said lately
step_diag() {
	emit "# --- step output:"
	tail -n 80 "$1" | while IFS= read -r l; do emit "# $l"; done
	emit "# --- Xen's console (xl dmesg, tail):"
	xl dmesg 2>/dev/null | tail -n 15 | while IFS= read -r l; do emit "# $l"; done
	emit "# --- dom0's kernel: errors and Xen messages (tail):"
	dmesg 2>/dev/null | grep -iE 'err|fail|warn|bug|oops|xen' | tail -n 10 |
		while IFS= read -r l; do emit "# $l"; done
}

bail() {	# bail REASON: nothing more can run
	emit "Bail out! $*"
	xt_end
}

xt_end() {
	emit "PLAN 1..$_xt_n"
	emit "DONE failed=$_xt_failed"
	sync
	poweroff -f
	sleep 30
}

# --- guests ------------------------------------------------------------

console_log() { echo "/var/log/xen/console/guest-$1.log"; }

# whole seconds since boot, for deadlines
now_s() { cut -d. -f1 /proc/uptime; }

# wait_console NAME REGEX SECONDS: until the guest's console shows REGEX
# (fails early when the guest crashed or is gone)
wait_console() {
	_end=$(($(now_s) + $3))
	_i=0
	while ! grep -Eq -- "$2" "$(console_log "$1")" 2>/dev/null; do
		[ "$(now_s)" -lt "$_end" ] || return 1
		_i=$((_i + 1))
		if [ $((_i % 20)) = 0 ]; then
			xl list "$1" 2>/dev/null | awk 'NR == 2 && $5 !~ /c/ { ok = 1 } END { exit !ok }' ||
				{ echo "guest $1 crashed or is gone"; return 1; }
		fi
		sleep 0.1
	done
}

last_tick() {
	grep -o 'DOMU-TICK [0-9]*' "$(console_log "$1")" 2>/dev/null | tail -n1 | cut -d' ' -f2
}

# wait_tick NAME AFTER SECONDS: until the guest ticks past AFTER (alive)
wait_tick() {
	_end=$(($(now_s) + $3))
	while :; do
		_t=$(last_tick "$1")
		[ -n "$_t" ] && [ "$_t" -gt "$2" ] && return 0
		[ "$(now_s)" -lt "$_end" ] || return 1
		sleep 0.1
	done
}

# system_map NAME FILE: the guest's System.map, from the KSYM lines it printed
system_map() {
	sed -n 's/^KSYM \([0-9a-f]\{16\} [a-zA-Z] [A-Za-z0-9_.]*\).*/\1/p' "$(console_log "$1")" |
		tr -d '\r' | sort -u >"$2"
	[ -s "$2" ]
}
