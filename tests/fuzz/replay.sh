#!/bin/sh
# Replay the committed fuzz corpora through the fuzz targets (built with the
# test suite, and with ASan/UBSan in the sanitizer build).
. "$(dirname "$0")/../lib.sh"
for t in engine symbols snapshot; do
	corpus="$top_srcdir/tests/fuzz/corpus/$t"
	n=$(ls "$corpus" | wc -l)
	run "$top_builddir/tests/fuzz/fuzz-$t" "$corpus"
	is "$rc" 0 "fuzz-$t: $n corpus inputs replay without a crash"
	like "$out" "replayed $n inputs" "fuzz-$t: every input was run"
done
done_testing
