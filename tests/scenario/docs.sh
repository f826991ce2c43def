#!/bin/sh
# Help, the man page and the shell completions never drift: they name the
# same verbs and, per verb, the same long options; the man page's FINDINGS
# lists every finding id of the engine's table, with its severity.
. "$(dirname "$0")/../lib.sh"

man="$top_srcdir/man/xenp2m.8"
bash_comp="$top_srcdir/completions/xenp2m.bash"
zsh_comp="$top_srcdir/completions/_xenp2m"

help_verbs=$(xenp2m --help | sed -n '/^Verbs:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort | tr '\n' ' ')
man_verbs=$(sed -n 's/^\.SS \([a-z-]*\)$/\1/p' "$man" | sort | tr '\n' ' ')
bash_verbs=$(sed -n 's/^[[:space:]]*local verbs="\(.*\)"/\1/p' "$bash_comp" | tr ' ' '\n' | sort | tr '\n' ' ')
zsh_verbs=$(sed -n "s/^[[:space:]]*'\([a-z-]*\):.*/\1/p" "$zsh_comp" | sort | tr '\n' ' ')
is "$man_verbs" "$help_verbs" "man page documents exactly the verbs --help lists"
is "$bash_verbs" "$help_verbs" "bash completion offers exactly those verbs"
is "$zsh_verbs" "$help_verbs" "zsh completion offers exactly those verbs"

global='--format --help --json --pretty --sim --usage --version'
for verb in $help_verbs; do
	opts=$(xenp2m "$verb" --help | grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
	verb_opts=$(for o in $opts; do case " $global " in *" $o "*) ;; *) echo "$o" ;; esac; done | tr '\n' ' ')
	man_opts=$(awk -v v="$verb" '/^\.S[SH] / { in_v = ($0 == ".SS " v) } in_v' "$man" |
		sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
	bash_opts=$(awk -v v="$verb" '$0 ~ "^\t" v "\\)$" { in_v = 1; next } in_v && /^\t\t;;/ { in_v = 0 } in_v' "$bash_comp" |
		grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
	bash_verb_opts=$(for o in $bash_opts; do case " $global " in *" $o "*) ;; *) echo "$o" ;; esac; done | tr '\n' ' ')
	zsh_opts=$(awk -v v="$verb" '$0 ~ "^\t\t" v "\\)$" { in_v = 1; next } in_v && /;;/ { in_v = 0 } in_v' "$zsh_comp" |
		grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
	is "$man_opts" "$verb_opts" "$verb: man page documents the options --help lists"
	is "$bash_verb_opts" "$verb_opts" "$verb: bash completion offers those options"
	is "$zsh_opts" "$verb_opts" "$verb: zsh completion offers those options"
done
for o in $global; do
	grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$man" || grep -q -- "$o" "$man"
	ok $? "man page documents global option $o"
done
# FINDINGS: ".TP", ".B id", then "(severity" opening the description
table=$("$top_builddir/tests/unit/print-findings" | awk '{ print $1, $2 }' | sort)
documented=$(sed -n '/^\.SH FINDINGS/,/^\.SH /p' "$man" |
	awk 'prev == ".TP" && $1 == ".B" { id = $2; getline; sev = $0;
		sub(/^\(/, "", sev); sub(/[,)].*$/, "", sev); print id, sev } { prev = $0 }' | sort)
n=$(printf '%s\n' "$table" | wc -l)
is "$documented" "$table" "man page FINDINGS: all $n ids of the engine's table, each once, with its severity"
done_testing
