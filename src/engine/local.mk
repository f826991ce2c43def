noinst_LIBRARIES += src/engine/libxpengine.a
src_engine_libxpengine_a_SOURCES = \
	src/engine/engine.h \
	src/engine/report.c src/engine/report.h \
	src/engine/target.c src/engine/target.h \
	src/engine/pt.c src/engine/pt.h \
	src/engine/walk.c src/engine/walk.h \
	src/engine/symbols.c src/engine/symbols.h \
	src/engine/check.c \
	src/engine/lookup.c \
	src/engine/grants.c
