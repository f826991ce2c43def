# Snapshot files: the format (format.h), taking one, reading one as
# hostile input, verifying a guest against one (snapshot.h).
noinst_LIBRARIES += src/snapshot/libxpsnapshot.a
src_snapshot_libxpsnapshot_a_SOURCES = \
	src/snapshot/format.h src/snapshot/snapshot.h \
	src/snapshot/writer.c src/snapshot/reader.c src/snapshot/verify.c
src_snapshot_libxpsnapshot_a_CFLAGS = $(AM_CFLAGS) $(XXHASH_CFLAGS)
