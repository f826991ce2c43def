# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the shell scenario tests.  Each test is a TAP producer:
#
#	. "$(dirname "$0")/../lib.sh"
#	run xenp2m --sim="$HOST" check 1      # sets $out, $err, $rc
#	is "$rc" 1 "check exits 1"
#	like "$out" 'top-mfn-stale' "finding reported"
#	done_testing
#
# Binaries come from the build tree ($top_builddir, set by the Makefile).
set -u
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
export PATH="$top_builddir:$PATH"
unset XENP2M_SIM
_tap_n=0
_tap_failed=0
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/xenp2m-test.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT

ok() {  # ok COND_EXIT_STATUS DESCRIPTION
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

is() {  # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"; printf '#   got:  %s\n#   want: %s\n' "$1" "$2"; _ctx; fi
}

isnt() {
	if [ "$1" != "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"; printf '#   got %s, wanted anything else\n' "$1"; _ctx; fi
}

like() {  # like TEXT EXTENDED_REGEX DESCRIPTION
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"; printf '#   no match for /%s/ in:\n' "$2"; printf '%s\n' "$1" | sed 's/^/#     /' | head -40; fi
}

unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"; printf '#   unexpected match for /%s/ in:\n' "$2"; printf '%s\n' "$1" | sed 's/^/#     /' | head -40
	else ok 0 "$3"; fi
}

_ctx() {  # show the last command's output after a failure
	[ -n "${_last_cmd:-}" ] || return 0
	printf '#   command: %s (rc=%s)\n' "$_last_cmd" "${rc:-}"
	printf '%s\n' "${out:-}" | head -20 | sed 's/^/#   out: /'
	printf '%s\n' "${err:-}" | head -20 | sed 's/^/#   err: /'
}

run() {  # run CMD ARGS... -> $out $err $rc
	_last_cmd="$*"
	out=$("$@" 2>"$TMPD/.stderr"); rc=$?
	err=$(cat "$TMPD/.stderr")
}

jq_get() {  # jq_get JSON PYTHON_EXPR  (the document is 'd')
	printf '%s' "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}
