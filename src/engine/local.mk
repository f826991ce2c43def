noinst_LIBRARIES += src/engine/libxpengine.a
# Public headers: report.h inspector.h p2m.h grants.h symbols.h quick.h scan.h.
# Internal to src/engine/: target.h pt.h walk.h checks.h.
src_engine_libxpengine_a_SOURCES = \
	src/engine/report.c src/engine/report.h \
	src/engine/inspector.c src/engine/inspector.h \
	src/engine/p2m.c src/engine/p2m.h \
	src/engine/grants.c src/engine/grants.h \
	src/engine/symbols.c src/engine/symbols.h \
	src/engine/quick.c src/engine/quick.h \
	src/engine/scan.c src/engine/scan.h \
	src/engine/target.c src/engine/target.h \
	src/engine/pt.c src/engine/pt.h \
	src/engine/walk.c src/engine/walk.h \
	src/engine/checks.h
