#!/bin/sh
# The CLI frame: help, version, usage errors, exit codes.
. "$(dirname "$0")/../lib.sh"

run xenp2m --help
is "$rc" 0 "--help exits 0"
like "$out" '^Usage: xenp2m' "--help shows usage"
like "$out" 'list' "--help lists the list verb"

run xenp2m --version
is "$rc" 0 "--version exits 0"
like "$out" '^xenp2m [0-9]+\.[0-9]+' "--version prints the version"

run xenp2m
is "$rc" 2 "no verb: exit 2"
like "$err" 'no verb' "no verb: says so"

run xenp2m frobnicate
is "$rc" 2 "unknown verb: exit 2"
like "$err" "unknown verb 'frobnicate'" "unknown verb: named"

run xenp2m --bogus-option list
is "$rc" 2 "unknown option: exit 2"

run xenp2m list --help
is "$rc" 0 "verb --help exits 0"
like "$out" 'Usage: xenp2m list' "verb --help names the verb"

# --format, and usage errors as JSON documents when JSON is asked for
# anywhere on the command line (one document on stdout, nothing on stderr)
json_err() {  # json_err DESCRIPTION WANT_MESSAGE_REGEX CMD...
	_d=$1 _m=$2
	shift 2
	run "$@"
	is "$rc" 2 "$_d: exit 2"
	is "$err" "" "$_d: nothing on stderr"
	is "$(jq_get "$out" 'd["schema_version"], d["error"]["kind"], d["error"]["exit_code"]')" \
		"2 usage 2" "$_d: a JSON error document (usage, exit_code 2)"
	like "$(jq_get "$out" 'd["error"]["message"]')" "$_m" "$_d: the message says what was wrong"
}
json_err "unknown verb, -j" "^unknown verb 'frobnicate'\$" xenp2m -j frobnicate
json_err "unknown option after the verb, -j before it" "^unrecognized option '--bogus'\$" \
	xenp2m -j check --bogus 1
json_err "unknown option, -j after it" "^unrecognized option '--bogus'\$" xenp2m check --bogus 1 -j
json_err "unknown option, --format json" "^unrecognized option '--bogus'\$" \
	xenp2m --format json check --bogus
json_err "unknown option, --format=json" "bogus" xenp2m --format=json list --bogus
json_err "-p in a cluster" "bogus" xenp2m check -ap --bogus
json_err "a verb's own usage error" "^no domain given" xenp2m -j show
json_err "a bad option value" "max-findings" xenp2m -j check --max-findings x 1
json_err "no verb" "^no verb given" xenp2m -p
is "$(xenp2m -p frobnicate | head -n1)" "{" "-p: the error document is indented"

run xenp2m --format yaml list
is "$rc" 2 "--format yaml: exit 2"
like "$err" "unknown format 'yaml' \(text, json or prometheus\)" "--format yaml: names the formats"
run xenp2m --format=json --help
is "$rc" 0 "--format json --help: exit 0"
like "$out" "^Usage: xenp2m" "--help is help, also with JSON asked for"
is "$err" "" "--help: nothing on stderr"
run xenp2m -j --version
is "$rc" 0 "-j --version: exit 0"
like "$out" "^xenp2m [0-9]" "--version is the version"
run xenp2m --format text --sim=/nonexistent list
is "$rc" 4 "--format text: a text error"
like "$err" "^xenp2m: error: " "--format text: on stderr"
is "$out" "" "--format text: nothing on stdout"
run xenp2m -j --format text --sim=/nonexistent list
like "$err" "^xenp2m: error: " "the last of -j and --format wins"
run xenp2m --format text -j --sim=/nonexistent list
is "$(jq_get "$out" 'd["verb"], d["error"]["kind"]')" "list backend_unavailable" "... either way round"
done_testing
