# bench/local.mk: `make bench`, dnnc against PyTorch (never part of make check).
EXTRA_PROGRAMS = bench/sgemm_peak bench/conv_bench bench/train_bench
bench_sgemm_peak_SOURCES = bench/sgemm_peak.c
bench_sgemm_peak_LDADD = $(DNNC_LIBS)
bench_conv_bench_SOURCES = bench/conv_bench.c
bench_conv_bench_LDADD = $(DNNC_LIBS)
bench_train_bench_SOURCES = bench/train_bench.c
bench_train_bench_LDADD = $(DNNC_LIBS)
CLEANFILES += bench/sgemm_peak bench/conv_bench bench/train_bench
EXTRA_DIST += bench/bench.py bench/torch_train.py

bench: dnnc bench/sgemm_peak bench/conv_bench
	/usr/bin/python3 $(srcdir)/bench/bench.py $(abs_builddir)/dnnc \
	  $(abs_builddir)/bench/sgemm_peak $(srcdir) "$(BENCH_RUNS)" $(BENCH_COMPARE)
	$(abs_builddir)/bench/conv_bench
.PHONY: bench

# Trainings per second of small programs on one thread, as repair runs them.
TRAIN_BENCH_FILES = d2_batch_one d7_line_fit linear_stack_circles wine_unscaled \
	r3_adam_lr_high mape_regression batch_whole_set c2_one_epoch
bench-train: bench/train_bench
	$(abs_builddir)/bench/train_bench $(TRAIN_BENCH_FILES:%=$(srcdir)/examples/faults/%.dnn)
.PHONY: bench-train
