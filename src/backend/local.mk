noinst_LIBRARIES += src/backend/libxpbackend.a
src_backend_libxpbackend_a_SOURCES = \
	src/backend/backend.c src/backend/backend.h \
	src/backend/sim.c
if HAVE_XEN
src_backend_libxpbackend_a_SOURCES += src/backend/xen.c
endif
src_backend_libxpbackend_a_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
