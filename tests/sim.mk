# Tests of the simulated host (src/sim/) and its backend (src/backend/sim.c).

check_PROGRAMS += tests/unit/test-sim-host
tests_unit_test_sim_host_SOURCES = tests/unit/test-sim-host.c
tests_unit_test_sim_host_LDADD = src/sim/libxpsim.a src/lib/libxplib.a
TESTS += tests/unit/test-sim-host
