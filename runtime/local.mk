# runtime/local.mk: runtime files.
libdnnc_a_SOURCES += compiler/mode_train.c
