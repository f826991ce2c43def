# The simulated Xen host and its CLI, xenp2m-sim.
noinst_LIBRARIES += src/sim/libxpsim.a
src_sim_libxpsim_a_SOURCES = \
	src/sim/hostfmt.h src/sim/sim.h \
	src/sim/host.c src/sim/alloc.c src/sim/domain.c src/sim/hv.c src/sim/shinfo.c \
	src/sim/build.c src/sim/save.c src/sim/corrupt.c src/sim/grant.c

bin_PROGRAMS += xenp2m-sim
xenp2m_sim_SOURCES = src/sim/xenp2m-sim.c
xenp2m_sim_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
xenp2m_sim_LDADD = \
	src/sim/libxpsim.a \
	src/guest/libgk.a \
	src/lib/libxplib.a \
	$(JSONC_LIBS)
