sbin_PROGRAMS += xenp2m
xenp2m_SOURCES = \
	src/main.c \
	src/cmd/cli.c src/cmd/cli.h \
	src/cmd/list.c
xenp2m_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
xenp2m_LDADD = \
	src/backend/libxpbackend.a \
	src/lib/libxplib.a \
	$(XEN_LIBS) $(JSONC_LIBS)
