# SPDX-License-Identifier: GPL-2.0
# The real Xen backend's tests (doc/real-xen.md): failures without Xen (run
# anywhere), the real-Xen test's helpers, and the real-Xen test itself,
# which boots Xen + dom0 in QEMU (tests/xen/real-xen.sh; a loud SKIP when
# that is not possible, a failure instead with XENP2M_REQUIRE_XEN_TESTS=1).
TESTS += tests/scenario/noxen-list.sh tests/scenario/noxen-verbs.sh tests/xen/helpers.sh
check_PROGRAMS += tests/xen/p2m-compare tests/xen/json-flat
tests_xen_p2m_compare_SOURCES = tests/xen/p2m-compare.c
tests_xen_json_flat_SOURCES = tests/xen/json-flat.c
tests_xen_json_flat_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_xen_json_flat_LDADD = $(JSONC_LIBS)
EXTRA_DIST += tests/scenario/noxen-list.sh tests/scenario/noxen-verbs.sh tests/xen/helpers.sh \
	tests/xen/mfndump-sample.txt \
	tests/xen/real-xen.sh tests/xen/build-initramfs.sh tests/xen/domu-init.sh \
	tests/xen/dom0-init.sh tests/xen/dom0-lib.sh tests/xen/steps.sh doc/real-xen.md \
	tests/xen/steps-module.sh tests/xen/domu-agent.sh

if HAVE_XEN
# writes one page of a guest for the verify --pages step (never xenp2m itself)
check_PROGRAMS += tests/xen/page-poke
tests_xen_page_poke_SOURCES = tests/xen/page-poke.c
tests_xen_page_poke_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_xen_page_poke_LDADD = $(XEN_LIBS)
check_PROGRAMS += tests/xen/backend-probe
tests_xen_backend_probe_SOURCES = tests/xen/backend-probe.c
tests_xen_backend_probe_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) -pthread
tests_xen_backend_probe_LDADD = $(XP_BACKEND_LIBS) -lpthread
# dom0's side of the guest module's steps (tests/xen/steps-module.sh)
check_PROGRAMS += tests/xen/guest-tool
tests_xen_guest_tool_SOURCES = tests/xen/guest-tool.c
tests_xen_guest_tool_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
tests_xen_guest_tool_LDADD = $(XEN_LIBS)
AM_TESTS_ENVIRONMENT += XENP2M_BUILT_WITH_XEN=1; export XENP2M_BUILT_WITH_XEN;
endif
TESTS += tests/xen/real-xen.sh
CLEANFILES += tests/xen/out/xen tests/xen/out/vmlinuz tests/xen/out/dom0-initrd.gz \
	tests/xen/out/domu-initrd.gz tests/xen/out/serial.log tests/xen/out/results.log
