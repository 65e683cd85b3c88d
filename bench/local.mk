# bench/local.mk: `make bench`, dnnc against PyTorch (never part of make check).
EXTRA_PROGRAMS = bench/sgemm_peak bench/conv_bench
bench_sgemm_peak_SOURCES = bench/sgemm_peak.c
bench_sgemm_peak_LDADD = $(DNNC_LIBS)
bench_conv_bench_SOURCES = bench/conv_bench.c
bench_conv_bench_LDADD = $(DNNC_LIBS)
CLEANFILES += bench/sgemm_peak bench/conv_bench
EXTRA_DIST += bench/bench.py bench/torch_train.py

bench: dnnc bench/sgemm_peak bench/conv_bench
	/usr/bin/python3 $(srcdir)/bench/bench.py $(abs_builddir)/dnnc \
	  $(abs_builddir)/bench/sgemm_peak $(srcdir) $(BENCH_RUNS)
	$(abs_builddir)/bench/conv_bench
.PHONY: bench
