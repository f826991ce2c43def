#!/bin/sh
# The engine's rules, checked on its sources: it never sleeps (waiting between
# passes is the caller's, through a callback) and never prints; only public
# engine headers are included outside src/engine/ (an internal header says
# "Internal to src/engine/"); every finding id of its table is emitted
# somewhere; sources cite doc/design.md by sections that exist, and nothing
# outside the repository.
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

# every id of enum xp_finding_id is set as a finding's .id (or f->id) in the engine
ids=$(sed -n '/^enum xp_finding_id/,/^};/p' src/engine/report.h | grep -o 'XP_F_[A-Z0-9_]*' | grep -v XP_F_NR_IDS)
unused=
for id in $ids; do
	grep -qE "id = $id\b" $(ls src/engine/*.c | grep -v report.c) || unused="$unused $id"
done
is "${unused:-none}" none "every finding id in the table ($(echo $ids | wc -w)) is emitted by the engine"

# citations of the design document name sections it has
sections=$(grep -E '^#{2,3} [0-9]' doc/design.md | sed -E 's/^#+ ([0-9.]*[0-9]).*/\1/' | tr '\n' ' ')
cited=$(grep -rhoE 'doc/design\.md,? section [0-9]+(\.[0-9]+)?' src tests bench man README doc |
	sed -E 's/.* //' | sort -u)
missing=
for c in $cited; do
	case " $sections " in *" $c "*) ;; *) missing="$missing $c" ;; esac
done
ok $([ -n "$cited" ] && [ -z "$missing" ]; echo $?) "doc/design.md has every section sources cite ($(echo $cited | tr '\n' ' '))"
[ -z "$missing" ] || echo "#   missing:$missing"
stale=$(grep -rlw 'DESIGN\.md' src tests bench man README doc | grep -v engine-rules.sh)
is "${stale:-none}" none "no source cites a DESIGN.md outside the repository"
done_testing
