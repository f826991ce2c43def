# Tests: TAP producers (C unit tests and shell scenario tests).
TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)'; export top_builddir top_srcdir;
EXTRA_DIST += tests/lib.sh tests/unit/tap.h

# Unit tests of the support library.
check_PROGRAMS += tests/unit/test-util
tests_unit_test_util_SOURCES = tests/unit/test-util.c
tests_unit_test_util_LDADD = src/lib/libxplib.a
TESTS += tests/unit/test-util

# CLI frame; the detection matrix (every fault kind -> its finding).
TESTS += tests/scenario/cli.sh tests/scenario/check-matrix.sh tests/scenario/check-lifecycle.sh \
	tests/scenario/check-race.sh tests/scenario/check-inputs.sh
EXTRA_DIST += tests/scenario/cli.sh tests/scenario/check-matrix.sh tests/scenario/check-lifecycle.sh \
	tests/scenario/check-race.sh tests/scenario/check-inputs.sh

# The engine against the in-memory fixture.
noinst_LIBRARIES += tests/unit/libfixture.a
tests_unit_libfixture_a_SOURCES = tests/unit/fixture.c tests/unit/fixture.h
check_PROGRAMS += tests/unit/test-engine
tests_unit_test_engine_SOURCES = tests/unit/test-engine.c
tests_unit_test_engine_LDADD = tests/unit/libfixture.a src/engine/libxpengine.a \
	$(XP_BACKEND_LIBS)
TESTS += tests/unit/test-engine

# Fuzz targets: libFuzzer with --enable-fuzzing (clang), otherwise a replay
# driver; `make check` replays the committed corpora either way.
FUZZ_LDADD = tests/unit/libfixture.a src/engine/libxpengine.a $(XP_BACKEND_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-engine tests/fuzz/fuzz-symbols
tests_fuzz_fuzz_engine_SOURCES = tests/fuzz/fuzz-engine.c
tests_fuzz_fuzz_engine_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_symbols_SOURCES = tests/fuzz/fuzz-symbols.c
tests_fuzz_fuzz_symbols_LDADD = $(FUZZ_LDADD)
if ENABLE_FUZZING
tests_fuzz_fuzz_engine_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_symbols_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
else
tests_fuzz_fuzz_engine_SOURCES += tests/fuzz/driver.c
tests_fuzz_fuzz_symbols_SOURCES += tests/fuzz/driver.c
endif
TESTS += tests/fuzz/replay.sh
EXTRA_DIST += tests/fuzz/replay.sh tests/fuzz/corpus

# The guest module builds warning-free against Debian's kernel headers.
TESTS += tests/scenario/module-build.sh
EXTRA_DIST += tests/scenario/module-build.sh tests/xen/kver.sh

# Help, man page and completions agree.
TESTS += tests/scenario/docs.sh tests/scenario/style.sh
EXTRA_DIST += tests/scenario/docs.sh tests/scenario/style.sh

# Golden outputs of every verb on a fixed simulated host (tests/golden/).
TESTS += tests/scenario/golden.sh
EXTRA_DIST += tests/scenario/golden.sh tests/golden

include tests/sim.mk
include tests/guest.mk

# Grant tables against the fixture.
check_PROGRAMS += tests/unit/test-grants
tests_unit_test_grants_SOURCES = tests/unit/test-grants.c
tests_unit_test_grants_LDADD = tests/unit/libfixture.a src/engine/libxpengine.a $(XP_BACKEND_LIBS)
TESTS += tests/unit/test-grants
include tests/xen.mk
