#!/bin/sh
# The engine's rules, checked on its sources: it never sleeps (waiting between
# passes is the caller's, through a callback) and never prints; only public
# engine headers are included outside src/engine/ (an internal header says
# "Internal to src/engine/").
. "$(dirname "$0")/../lib.sh"
cd "$top_srcdir" || exit 1

engine_c=$(find src/engine -name '*.[ch]' | sort)
# calls, not words in comments: strip /* */ and // comments first
code() { sed -e 's://.*$::' "$@" | perl -0pe 's:/\*.*?\*/::gs'; }
sleeps=$(for f in $engine_c; do code "$f" | grep -nE '\b(sleep|usleep|nanosleep|clock_nanosleep|pause|sched_yield)[[:space:]]*\(' | sed "s:^:$f\::"; done)
is "${sleeps:-none}" none "nothing under src/engine/ sleeps"
prints=$(for f in $engine_c; do code "$f" | grep -nE '\b(printf|fprintf|vprintf|vfprintf|dprintf|puts|fputs|putchar|fputc|perror|fwrite)[[:space:]]*\(' | sed "s:^:$f\::"; done)
is "${prints:-none}" none "nothing under src/engine/ prints"

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
