# Tests of the simulated host (src/sim/) and its backend (src/backend/sim.c).

check_PROGRAMS += tests/unit/test-sim-host
tests_unit_test_sim_host_SOURCES = tests/unit/test-sim-host.c
tests_unit_test_sim_host_LDADD = src/sim/libxpsimhost.a src/lib/libxplib.a
TESTS += tests/unit/test-sim-host

check_PROGRAMS += tests/unit/test-sim-backend
tests_unit_test_sim_backend_SOURCES = tests/unit/test-sim-backend.c
tests_unit_test_sim_backend_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_unit_test_sim_backend_LDADD = \
	src/backend/libxpbackend.a src/sim/libxpsimhost.a src/lib/libxplib.a $(XEN_LIBS)
TESTS += tests/unit/test-sim-backend

# Scenario tests of xenp2m-sim (tests/lib.sh).
SIM_SCENARIOS = \
	tests/scenario/sim-help.sh \
	tests/scenario/sim-host.sh \
	tests/scenario/sim-domains.sh \
	tests/scenario/sim-save.sh \
	tests/scenario/sim-corrupt.sh \
	tests/scenario/sim-concurrent.sh \
	tests/scenario/sim-inspect.sh \
	tests/scenario/sim-big.sh \
	tests/scenario/sim-grant.sh \
	tests/scenario/sim-grant-corrupt.sh \
	tests/scenario/layering.sh \
	tests/scenario/signals.sh \
	tests/scenario/sim-signals.sh
TESTS += $(SIM_SCENARIOS)
EXTRA_DIST += $(SIM_SCENARIOS)

check_PROGRAMS += tests/unit/test-sim-hv
tests_unit_test_sim_hv_SOURCES = tests/unit/test-sim-hv.c
tests_unit_test_sim_hv_LDADD = $(XP_SIM_TOOL_LIBS)
TESTS += tests/unit/test-sim-hv

# Grant tables: the hypervisor's and the guest kernel's sides together.
check_PROGRAMS += tests/unit/test-sim-grant
tests_unit_test_sim_grant_SOURCES = tests/unit/test-sim-grant.c
tests_unit_test_sim_grant_LDADD = $(XP_SIM_TOOL_LIBS)
TESTS += tests/unit/test-sim-grant

check_PROGRAMS += tests/unit/test-sim-backend-grant
tests_unit_test_sim_backend_grant_SOURCES = tests/unit/test-sim-backend-grant.c
tests_unit_test_sim_backend_grant_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_unit_test_sim_backend_grant_LDADD = src/backend/libxpbackend.a $(XP_SIM_TOOL_LIBS) $(XEN_LIBS)
TESTS += tests/unit/test-sim-backend-grant

# The backends' threading contract (backend.h): plainly, and with
# ThreadSanitizer over the backend, the host library and lib/.
check_PROGRAMS += tests/unit/test-backend-threads
tests_unit_test_backend_threads_SOURCES = tests/unit/test-backend-threads.c
tests_unit_test_backend_threads_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) -pthread
tests_unit_test_backend_threads_LDADD = src/backend/libxpbackend.a $(XP_SIM_TOOL_LIBS) \
	$(XEN_LIBS) -lpthread
TESTS += tests/unit/test-backend-threads tests/scenario/threads-tsan.sh
EXTRA_DIST += tests/scenario/threads-tsan.sh
if HAVE_TSAN
check_PROGRAMS += tests/unit/test-backend-threads-tsan
tests_unit_test_backend_threads_tsan_SOURCES = tests/unit/test-backend-threads.c \
	src/backend/backend.c src/backend/sim.c \
	src/sim/host.c src/sim/alloc.c src/sim/domain.c src/sim/shinfo.c src/sim/grant.c \
	src/lib/error.c src/lib/signal.c src/lib/util.c
if HAVE_XEN
tests_unit_test_backend_threads_tsan_SOURCES += src/backend/xen.c
endif
tests_unit_test_backend_threads_tsan_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) $(TSAN_CFLAGS)
tests_unit_test_backend_threads_tsan_LDFLAGS = $(AM_LDFLAGS) $(TSAN_CFLAGS)
tests_unit_test_backend_threads_tsan_LDADD = src/sim/libxpsimtool.a src/guest/libgk.a \
	$(XEN_LIBS) -lpthread
endif
