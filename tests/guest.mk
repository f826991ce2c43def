# Unit tests of the guest-side kernel model (src/guest/), against a fake
# hypervisor (tests/unit/test-guest-fake.c).
GUEST_FAKE = tests/unit/test-guest-fake.c tests/unit/test-guest-fake.h
GUEST_TESTS = \
	tests/unit/test-guest-boot \
	tests/unit/test-guest-resume \
	tests/unit/test-guest-alloc \
	tests/unit/test-guest-balloon \
	tests/unit/test-guest-sysmap \
	tests/unit/test-guest-corrupt \
	tests/unit/test-guest-grant
# test-guest-bench is not a test: it times a 1 TiB boot (run it by hand).
check_PROGRAMS += $(GUEST_TESTS) tests/unit/test-guest-bench
TESTS += $(GUEST_TESTS)

tests_unit_test_guest_boot_SOURCES = tests/unit/test-guest-boot.c $(GUEST_FAKE)
tests_unit_test_guest_boot_LDADD = src/guest/libgk.a
tests_unit_test_guest_resume_SOURCES = tests/unit/test-guest-resume.c $(GUEST_FAKE)
tests_unit_test_guest_resume_LDADD = src/guest/libgk.a
tests_unit_test_guest_alloc_SOURCES = tests/unit/test-guest-alloc.c $(GUEST_FAKE)
tests_unit_test_guest_alloc_LDADD = src/guest/libgk.a
tests_unit_test_guest_balloon_SOURCES = tests/unit/test-guest-balloon.c $(GUEST_FAKE)
tests_unit_test_guest_balloon_LDADD = src/guest/libgk.a
tests_unit_test_guest_sysmap_SOURCES = tests/unit/test-guest-sysmap.c $(GUEST_FAKE)
tests_unit_test_guest_sysmap_LDADD = src/guest/libgk.a
tests_unit_test_guest_corrupt_SOURCES = tests/unit/test-guest-corrupt.c $(GUEST_FAKE)
tests_unit_test_guest_corrupt_LDADD = src/guest/libgk.a
tests_unit_test_guest_grant_SOURCES = tests/unit/test-guest-grant.c $(GUEST_FAKE)
tests_unit_test_guest_grant_LDADD = src/guest/libgk.a
tests_unit_test_guest_bench_SOURCES = tests/unit/test-guest-bench.c $(GUEST_FAKE)
tests_unit_test_guest_bench_LDADD = src/guest/libgk.a
