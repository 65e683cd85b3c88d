# base/local.mk: what every layer shares: source spans, allocation and
# located diagnostics.
libdnnc_a_SOURCES += \
	base/diag.c base/diag.h
