# passes/local.mk: analysis, repair and mutation passes and their modes.
libdnnc_a_SOURCES += passes/not_implemented.c
