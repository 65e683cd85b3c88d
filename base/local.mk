# base/local.mk: what every layer shares: source spans, allocation, the
# arena, values as program text writes them, and located diagnostics.
libdnnc_a_SOURCES += \
	base/alloc.c base/alloc.h base/arena.h \
	base/span.c base/span.h \
	base/text_value.c base/text_value.h \
	base/diag.c base/diag.h
