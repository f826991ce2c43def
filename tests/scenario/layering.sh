#!/bin/sh
# The layers stay apart: only src/render/ formats output; only the simulator's toolstack (src/sim/toolstack/)
# runs the guest kernel model (src/guest/); the sim backend reads hosts
# through the hypervisor's side of the simulator alone, so xenp2m does not
# link the guest model at all.
. "$(dirname "$0")/../lib.sh"
cd "$top_srcdir" || exit 1

# files that include a header from one of the folders named in $1
includers() { # includers 'guest|sim/toolstack' FILES...
	pat=$1
	shift
	grep -lE "^#include \"($pat)/" "$@" 2>/dev/null | sort | tr '\n' ' '
}

sim_files=$(find src/sim -name '*.[ch]' ! -path 'src/sim/toolstack/*' | sort)
is "$(includers guest $sim_files)" "" \
	"nothing under src/sim/ but src/sim/toolstack/ includes src/guest/"
tool_users=$(includers 'guest|sim/toolstack' $(find src -name '*.[ch]' ! -path 'src/sim/toolstack/*' \
	! -path 'src/guest/*' | sort))
is "$tool_users" "" "nothing outside the toolstack and the guest model includes either"
is "$(includers 'sim' $(find src/sim/toolstack -name '*.[ch]') | wc -w)" \
	"$(find src/sim/toolstack -name '*.[ch]' | wc -l | tr -d ' ')" \
	"(the check sees includes: every toolstack file includes a sim/ header)"

# only src/render/ formats output: the verbs build models and hand them over
# (cli.c, the edge, may say that the output itself could not be written)
fmt_users=$(grep -lE '\b(f?printf|fputs|fputc|puts|putchar|fwrite|json_object_to_json_string[a-z_]*)\(' \
	$(find src/cmd -name '*.c' ! -name cli.c | sort) | tr '\n' ' ')
is "$fmt_users" "" "no verb under src/cmd/ formats output itself"
is "$(grep -E '\b(f?printf|fputs|fputc|puts|putchar|fwrite)\(' src/cmd/cli.c | grep -v 'fprintf(stderr,' || true)" "" \
	"src/cmd/cli.c prints only errors the renderer cannot carry, on stderr"
isnt "$(grep -lE '\bfprintf\(' src/render/*.c | wc -l | tr -d ' ')" 0 "(the check sees printing: src/render/ does it)"

# the link lists, as make expands them
ldadd() { # ldadd VAR
	printf 'xp-print-var:\n\t@echo $(%s)\n' "$1" |
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$top_builddir" -f Makefile -f - xp-print-var
}
xenp2m_libs=$(ldadd xenp2m_LDADD)
like "$xenp2m_libs" 'libxpbackend\.a.*libxpsimhost\.a' "xenp2m links the backend and the host side"
unlike "$xenp2m_libs" 'libgk\.a|libxpsimtool\.a' "xenp2m links neither the guest model nor the toolstack"
unlike "$(ldadd XP_BACKEND_LIBS)" 'libgk\.a|libxpsimtool\.a' \
	"nor does anything that links only the backend"
like "$(ldadd xenp2m_sim_LDADD)" 'libxpsimtool\.a.*libgk\.a.*libxpsimhost\.a' \
	"xenp2m-sim links the toolstack, the guest model, then the host side"

command -v nm >/dev/null || {
	done_testing
	exit $?
}
gk_undef=$(nm -u "$top_builddir/src/sim/libxpsimhost.a" | awk '$2 ~ /^gk_/ { print $2 }' | sort -u | tr '\n' ' ')
is "$gk_undef" "" "the host library calls no guest model function"
tool_defs=$(nm -g --defined-only "$top_builddir/src/sim/libxpsimtool.a" | awk 'NF == 3 { print $3 }')
tool_undef=$(nm -u "$top_builddir/src/sim/libxpsimhost.a" "$top_builddir/src/backend/libxpbackend.a" |
	awk '{ print $2 }' | grep -Fx "$(printf '%s\n' $tool_defs)" | sort -u | tr '\n' ' ')
is "$tool_undef" "" "neither the host library nor the backend calls into the toolstack"
isnt "$(printf '%s\n' $tool_defs | grep -c '^sim_domain_create$')" 0 \
	"(the toolstack library defines sim_domain_create: the check sees symbols)"
is "$(nm "$top_builddir/xenp2m" | awk '$3 ~ /^gk_/' | wc -l | tr -d ' ')" 0 \
	"the xenp2m binary has no gk_ symbol"
isnt "$(nm "$top_builddir/xenp2m-sim" | awk '$3 ~ /^gk_/' | wc -l | tr -d ' ')" 0 \
	"(xenp2m-sim has them: the check sees symbols)"
done_testing
