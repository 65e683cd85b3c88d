# compiler/local.mk: from program text to checked IR: lowering of the syntax
# tree, attribute values, the IR reader, and reading and compiling a file.
libdnnc_a_SOURCES += \
	compiler/attr_value.c \
	compiler/ir_read.c \
	compiler/lower.c compiler/lower.h \
	compiler/source.c compiler/source.h
