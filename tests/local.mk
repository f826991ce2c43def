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
check_PROGRAMS += tests/unit/test-backoff
tests_unit_test_backoff_SOURCES = tests/unit/test-backoff.c
tests_unit_test_backoff_LDADD = src/lib/libxplib.a
TESTS += tests/unit/test-backoff

# The command-line frame both programs share.
check_PROGRAMS += tests/unit/test-dispatch
tests_unit_test_dispatch_SOURCES = tests/unit/test-dispatch.c
tests_unit_test_dispatch_LDADD = src/lib/libxplib.a
TESTS += tests/unit/test-dispatch

# The backend wrappers, their counts and interrupts (lib/signal.h).
check_PROGRAMS += tests/unit/test-backend
tests_unit_test_backend_SOURCES = tests/unit/test-backend.c
tests_unit_test_backend_LDADD = $(XP_BACKEND_LIBS)
TESTS += tests/unit/test-backend

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
check_PROGRAMS += tests/unit/test-inspector
tests_unit_test_inspector_SOURCES = tests/unit/test-inspector.c
tests_unit_test_inspector_LDADD = tests/unit/libfixture.a src/engine/libxpengine.a \
	$(XP_BACKEND_LIBS)
TESTS += tests/unit/test-inspector

# Fuzz targets: libFuzzer with --enable-fuzzing (clang), otherwise a replay
# driver; `make check` replays the committed corpora either way.
FUZZ_LDADD = tests/unit/libfixture.a src/engine/libxpengine.a $(XP_BACKEND_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-engine tests/fuzz/fuzz-symbols tests/fuzz/fuzz-snapshot
tests_fuzz_fuzz_engine_SOURCES = tests/fuzz/fuzz-engine.c
tests_fuzz_fuzz_engine_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_symbols_SOURCES = tests/fuzz/fuzz-symbols.c
tests_fuzz_fuzz_symbols_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_snapshot_SOURCES = tests/fuzz/fuzz-snapshot.c
tests_fuzz_fuzz_snapshot_LDADD = tests/unit/libsnapfile.a src/snapshot/libxpsnapshot.a \
	$(FUZZ_LDADD) $(XXHASH_LIBS)
if ENABLE_FUZZING
tests_fuzz_fuzz_engine_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_symbols_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_snapshot_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
else
tests_fuzz_fuzz_engine_SOURCES += tests/fuzz/driver.c
tests_fuzz_fuzz_symbols_SOURCES += tests/fuzz/driver.c
tests_fuzz_fuzz_snapshot_SOURCES += tests/fuzz/driver.c
endif
TESTS += tests/fuzz/replay.sh
EXTRA_DIST += tests/fuzz/replay.sh tests/fuzz/corpus

# The guest module builds warning-free against Debian's kernel headers.
TESTS += tests/scenario/module-build.sh
EXTRA_DIST += tests/scenario/module-build.sh tests/xen/kver.sh

# Help, man page and completions agree (and the man page's FINDINGS with the
# engine's id table); the engine keeps its rules.
check_PROGRAMS += tests/unit/print-findings
tests_unit_print_findings_SOURCES = tests/unit/print-findings.c
tests_unit_print_findings_LDADD = src/engine/libxpengine.a
TESTS += tests/scenario/docs.sh tests/scenario/style.sh tests/scenario/engine-rules.sh
EXTRA_DIST += tests/scenario/docs.sh tests/scenario/style.sh tests/scenario/engine-rules.sh \
	doc/design.md

# Snapshot files: the reader against files built by hand.
noinst_LIBRARIES += tests/unit/libsnapfile.a
tests_unit_libsnapfile_a_SOURCES = tests/unit/snapfile.c tests/unit/snapfile.h
tests_unit_libsnapfile_a_CFLAGS = $(AM_CFLAGS) $(XXHASH_CFLAGS)
check_PROGRAMS += tests/unit/test-snapshot
tests_unit_test_snapshot_SOURCES = tests/unit/test-snapshot.c
tests_unit_test_snapshot_LDADD = tests/unit/libsnapfile.a src/snapshot/libxpsnapshot.a \
	src/engine/libxpengine.a $(XP_BACKEND_LIBS) $(XXHASH_LIBS)
TESTS += tests/unit/test-snapshot

# The renderers on their own.
check_PROGRAMS += tests/unit/test-render
tests_unit_test_render_SOURCES = tests/unit/test-render.c
tests_unit_test_render_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_render_LDADD = src/render/libxprender.a src/snapshot/libxpsnapshot.a \
	src/engine/libxpengine.a $(XP_BACKEND_LIBS) $(JSONC_LIBS) $(XXHASH_LIBS)
TESTS += tests/unit/test-render

# snapshot and verify on the simulated host; Prometheus' format, the
# textfile, node_exporter and the alerting rules; make install's units.
TESTS += tests/scenario/snapshot-verify.sh tests/scenario/prometheus.sh tests/scenario/install.sh
EXTRA_DIST += tests/scenario/snapshot-verify.sh tests/scenario/prometheus.sh \
	tests/scenario/install.sh

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

# The Debian packages: built, linted, installed into a fresh Debian 12 root,
# used and purged (tests/deb/package.sh).
TESTS += tests/deb/package.sh
EXTRA_DIST += tests/deb/package.sh
