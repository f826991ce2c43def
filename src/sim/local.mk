# The simulated Xen host.  Two libraries, so that what reads a host never
# links the guest model: the hypervisor's side (host file, frames, domain
# table, grant tables), which the sim backend uses, and the toolstack
# (domain builder, save/restore/migrate, fault injection), which runs the
# guest kernel model (src/guest/libgk.a) and is linked only by xenp2m-sim
# and the tests that build hosts.
noinst_LIBRARIES += src/sim/libxpsimhost.a
src_sim_libxpsimhost_a_SOURCES = \
	src/sim/hostfmt.h src/sim/host.h src/sim/grant.h \
	src/sim/host.c src/sim/alloc.c src/sim/domain.c src/sim/shinfo.c src/sim/grant.c

noinst_LIBRARIES += src/sim/libxpsimtool.a
src_sim_libxpsimtool_a_SOURCES = \
	src/sim/toolstack/toolstack.h \
	src/sim/toolstack/hv.c src/sim/toolstack/build.c src/sim/toolstack/save.c \
	src/sim/toolstack/corrupt.c

# What a program that builds or changes simulated hosts links, in link order.
XP_SIM_TOOL_LIBS = src/sim/libxpsimtool.a src/guest/libgk.a src/sim/libxpsimhost.a \
	src/lib/libxplib.a

bin_PROGRAMS += xenp2m-sim
xenp2m_sim_SOURCES = \
	src/sim/toolstack/xenp2m-sim.c src/sim/toolstack/xenp2m-sim.h \
	src/sim/toolstack/cli.c \
	src/sim/toolstack/cmd-domains.c src/sim/toolstack/cmd-save.c \
	src/sim/toolstack/cmd-corrupt.c src/sim/toolstack/cmd-grants.c
xenp2m_sim_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
xenp2m_sim_LDADD = $(XP_SIM_TOOL_LIBS) $(JSONC_LIBS)
