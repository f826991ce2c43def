noinst_LIBRARIES += src/render/libxprender.a
src_render_libxprender_a_SOURCES = src/render/render.c src/render/render.h src/render/impl.h \
	src/render/text.c src/render/json.c src/render/prometheus.c
src_render_libxprender_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
