noinst_LIBRARIES += src/lib/libxplib.a
src_lib_libxplib_a_SOURCES = \
	src/lib/atomic-file.c src/lib/atomic-file.h \
	src/lib/backoff.c src/lib/backoff.h \
	src/lib/dispatch.c src/lib/dispatch.h \
	src/lib/error.c src/lib/error.h \
	src/lib/signal.c src/lib/signal.h \
	src/lib/util.c src/lib/util.h \
	src/lib/xen-abi.h
