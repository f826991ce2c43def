#!/bin/sh
# Kernel style, as .clang-format says, for every C file of the project.
. "$(dirname "$0")/../lib.sh"
command -v clang-format >/dev/null || skip_all "clang-format is not installed"
cd "$top_srcdir" || exit 1
files=$(find src tests bench -name '*.[ch]' | sort)
n=0 bad=
for f in $files; do
	n=$((n + 1))
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
is "${bad:-none}" none "all $n C files are formatted as .clang-format says"
[ -z "$bad" ] || echo "# run: clang-format -i$bad"
done_testing
