# compiler/local.mk: from .dnn text to checked IR: lowering of the syntax
# tree, and reading and compiling a program file of either text form.
libdnnc_a_SOURCES += \
	compiler/lower.c compiler/lower.h \
	compiler/source.c compiler/source.h
