# base/local.mk: what every layer shares: source spans, allocation and
# located diagnostics.
libdnnc_a_SOURCES += \
	base/alloc.c base/alloc.h base/arena.h base/span.h \
	base/diag.c base/diag.h
