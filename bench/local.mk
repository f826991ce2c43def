# Benchmarks: `make bench` prints figures; they are not tests.
noinst_PROGRAMS += bench/bench-check bench/bench-snapshot
bench_bench_check_SOURCES = bench/bench-check.c
bench_bench_check_LDADD = src/engine/libxpengine.a $(XP_BACKEND_LIBS)
bench_bench_snapshot_SOURCES = bench/bench-snapshot.c
bench_bench_snapshot_LDADD = src/snapshot/libxpsnapshot.a src/engine/libxpengine.a \
	$(XP_BACKEND_LIBS) $(XXHASH_LIBS)
EXTRA_DIST += bench/run.sh

bench: all
	$(SHELL) $(top_srcdir)/bench/run.sh $(abs_top_builddir)
.PHONY: bench
