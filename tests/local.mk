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

# CLI frame.
TESTS += tests/scenario/cli.sh
EXTRA_DIST += tests/scenario/cli.sh
include tests/sim.mk
