#!/bin/sh
# The engine's rules, checked on its sources: only public engine headers are
# included outside src/engine/ (an internal header says "Internal to
# src/engine/").
. "$(dirname "$0")/../lib.sh"
cd "$top_srcdir" || exit 1

internal=$(grep -l 'Internal to' src/engine/*.h | xargs -n1 basename | sort | tr '\n' ' ')
is "$internal" "checks.h pt.h target.h walk.h " "the engine's internal headers say so"
bad=
for h in $internal; do
	hits=$(grep -rln --include='*.[ch]' "#include \"engine/$h\"" src bench tests | grep -v '^src/engine/')
	[ -n "$hits" ] && bad="$bad $h:$(echo $hits | tr ' ' ',')"
done
is "${bad:-none}" none "outside src/engine/ (bench/ included) only public engine headers are included"
[ -e src/engine/engine.h ]
ok $((! $?)) "no catch-all engine.h: each user includes the topic it uses"
done_testing
