#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xenp2m-sim's help, man page and completions name the same verbs, options
# and fault kinds.
. "$(dirname "$0")/../lib.sh"

MAN="$top_srcdir/man/xenp2m-sim.1"
BASHC="$top_srcdir/completions/xenp2m-sim.bash"
ZSHC="$top_srcdir/completions/_xenp2m-sim"

words() {  # one sorted, space-separated line
	tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

bash_fn() {  # bash_fn FUNCTION [ARGS]: call a function of the bash completion
	bash -c ". '$BASHC'; $*" | words
}

# Options of man page section $1 (".SS NAME" or ".SH NAME"): the option
# lines right after each .TP, not options mentioned in passing.
man_opts() {
	awk -v sec="$1" '
		index($0, sec) == 1 { f = 1; next }
		f && (/^\.SS / || /^\.SH /) { exit }
		f && tp { print; tp = 0; next }
		f && /^\.TP/ { tp = 1 }' "$MAN" |
		grep -o -- '\\-\\-[a-z][a-z-]*' | sed 's/\\//g' | words
}

help_opts() {  # long options in "xenp2m-sim VERB --help", less argp's own
	xenp2m-sim "$1" --help | grep -o -- '--[a-z][a-z-]*' |
		grep -v -x -e --help -e --usage -e --version -e --verbose | words
}

run xenp2m-sim --help
is "$rc" 0 "--help exits 0"
help_verbs=$(printf '%s\n' "$out" | awk '/^Verbs:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { exit }' | words)
man_verbs=$(sed -n 's/^\.SS \([a-z-]*\).*/\1/p' "$MAN" | words)
bash_verbs=$(bash_fn _xenp2m_sim_verbs)
zsh_verbs=$(awk '/verbs=\(/ { f = 1; next } f && /\)/ { exit } f { print }' "$ZSHC" |
	sed "s/^[[:space:]]*'\([a-z-]*\):.*/\1/" | words)
is "$(echo "$help_verbs" | wc -w)" 17 "--help lists 17 verbs"
is "$man_verbs" "$help_verbs" "the man page documents the verbs of --help"
is "$bash_verbs" "$help_verbs" "the bash completion completes the verbs of --help"
is "$zsh_verbs" "$help_verbs" "the zsh completion completes the verbs of --help"

for v in $help_verbs; do
	h=$(help_opts "$v")
	is "$(man_opts ".SS $v ")" "$h" "$v: the man page documents its options ($h)"
	is "$(bash_fn _xenp2m_sim_opts "$v")" "$h" "$v: the bash completion completes them"
done

global_help=$(printf '%s\n' "$out" | grep -o -- '--[a-z][a-z-]*' | grep -v -x -e --usage | words)
is "$global_help" "--help --verbose --version" "global options in --help"
is "$(man_opts '.SH OPTIONS')" "$global_help" "the man page documents the global options"
is "$(bash_fn _xenp2m_sim_global_opts)" "$global_help" "the bash completion completes them"

run xenp2m-sim corrupt --help
help_kinds=$(printf '%s\n' "$out" | awk '/^Kinds:/ { f = 1; next } f && /^  [a-z]/ { print $1 }' | words)
man_kinds=$(awk '/^\.SH FAULT KINDS/ { f = 1; next } f && /^\.SH / { exit } f && tp { print $2; tp = 0; next } f && /^\.TP/ { tp = 1 }' "$MAN" | words)
zsh_kinds=$(awk '/kinds=\(/ { f = 1 } f { print } f && /\)/ { exit }' "$ZSHC" |
	sed 's/kinds=(//; s/)//' | tr '\t' ' ' | words)
is "$(echo "$help_kinds" | wc -w)" 24 "corrupt --help lists 24 kinds"
is "$man_kinds" "$help_kinds" "the man page documents every kind"
is "$(bash_fn _xenp2m_sim_kinds)" "$help_kinds" "the bash completion completes every kind"
is "$zsh_kinds" "$help_kinds" "the zsh completion completes every kind"

run xenp2m-sim create --help
like "$out" 'layout=tree\|list\|list-only' "create --help names the layouts"
like "$out" 'kernel=fixed\|pre-fix-003\|pre-fix-002' "create --help names the kernels"
like "$out" 'gnttab-version=1\|2' "create --help names the grant table versions"
like "$(grep -A1 -- '--layout)' "$BASHC")" 'tree list list-only' "bash completes the layouts"
like "$(grep -A1 -- '--kernel)' "$BASHC")" 'fixed pre-fix-003 pre-fix-002' "bash completes the kernels"
like "$(grep -A1 -- '--gnttab-version)' "$BASHC")" '"1 2"' "bash completes the grant table versions"
like "$(grep -A1 -- '--width)' "$BASHC")" '64 32' "bash completes the widths"
like "$(grep -- '--layout=' "$ZSHC")" '\(tree list list-only\)' "zsh completes the layouts"
like "$(grep -- '--kernel=' "$ZSHC")" '\(fixed pre-fix-003 pre-fix-002\)' "zsh completes the kernels"
like "$(grep -- '--gnttab-version=' "$ZSHC")" '\(1 2\)' "zsh completes the grant table versions"
like "$(grep -- 'kernel=' "$MAN")" 'fixed \| pre-fix-003 \| pre-fix-002' "the man page names the kernels"

# the man page's exit codes are the ones --help states
like "$(xenp2m-sim --help)" 'Exit status: 0 ok, 2 usage error, 3 runtime failure' "--help states the exit codes"
is "$(awk '/^\.SH EXIT STATUS/ { f = 1; next } f && /^\.SH / { exit } f && /^\.B [0-9]/ { print $2 }' "$MAN" | words)" "0 2 3" "the man page documents exit codes 0, 2, 3"

run xenp2m-sim
is "$rc" 2 "no verb: exit 2"
like "$err" 'no verb given' "no verb: says so"
run xenp2m-sim frobnicate h
is "$rc" 2 "unknown verb: exit 2"
is "$err" "xenp2m-sim: unknown verb 'frobnicate'
Try 'xenp2m-sim --help' for the list of verbs." "unknown verb: named"
run xenp2m-sim list
is "$rc" 2 "missing HOST: exit 2"
like "$err" 'expected HOST' "missing HOST: says what is expected"
run xenp2m-sim destroy h d extra
is "$rc" 2 "extra argument: exit 2"
like "$err" 'too many arguments' "extra argument: says so"
run xenp2m-sim create h --name x --memory 64M --width 48
is "$rc" 2 "bad width: exit 2"
like "$err" "invalid width '48' \(64 or 32\)" "bad width: named"
run xenp2m-sim create h --name x --memory 64M --layout flat
is "$rc" 2 "bad layout: exit 2"
like "$err" "invalid layout 'flat' \(tree, list or list-only\)" "bad layout: named"
run xenp2m-sim create h --memory 64M
is "$rc" 2 "create without --name: exit 2"
like "$err" -- "--name is required" "create without --name: says so"
run xenp2m-sim --version
like "$out" '^xenp2m-sim \(xenp2m\) [0-9]' "--version"
done_testing
