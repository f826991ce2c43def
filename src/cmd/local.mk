sbin_PROGRAMS += xenp2m
xenp2m_SOURCES = \
	src/main.c \
	src/cmd/cli.c src/cmd/cli.h \
	src/cmd/check.c \
	src/cmd/grants.c \
	src/cmd/list.c \
	src/cmd/show.c \
	src/cmd/snapshot.c \
	src/cmd/verify.c
xenp2m_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
xenp2m_LDADD = \
	src/render/libxprender.a \
	src/snapshot/libxpsnapshot.a \
	src/engine/libxpengine.a \
	$(XP_BACKEND_LIBS) $(JSONC_LIBS) $(XXHASH_LIBS)
