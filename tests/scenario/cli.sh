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
done_testing
