# Benchmarks: `make bench` prints figures; they are not tests.
noinst_PROGRAMS += bench/bench-check
bench_bench_check_SOURCES = bench/bench-check.c
bench_bench_check_LDADD = src/engine/libxpengine.a $(XP_BACKEND_LIBS)
EXTRA_DIST += bench/run.sh

bench: all
	$(SHELL) $(top_srcdir)/bench/run.sh $(abs_top_builddir)
.PHONY: bench
