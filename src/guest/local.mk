# The guest-side kernel model (gk.h): our own kernel-style implementation
# of a Linux PV guest's p2m code, run by the simulator against its
# modelled hypervisor.
noinst_LIBRARIES += src/guest/libgk.a
src_guest_libgk_a_SOURCES = \
	src/guest/gk.c src/guest/gk.h src/guest/gk-test.h \
	src/guest/linux/arch.c src/guest/linux/arch.h \
	src/guest/linux/balloon.c \
	src/guest/linux/enlighten_pv.c \
	src/guest/linux/grant-table.c \
	src/guest/linux/grant-table-driver.c \
	src/guest/linux/grant-table-x86.c \
	src/guest/linux/image.c \
	src/guest/linux/p2m.c \
	src/guest/linux/setup.c \
	src/guest/linux/suspend_pv.c \
	src/guest/linux/xen-ops.h
