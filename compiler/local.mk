# compiler/local.mk: IR, lowering, checking, diagnostics, printer and reader.
libdnnc_a_SOURCES += \
	compiler/attr_value.c \
	compiler/diag.c compiler/diag.h \
	compiler/driver.h \
	compiler/ir.c compiler/ir.h compiler/ir_enums.h compiler/ir_attrs.c \
	compiler/ir_print.c compiler/ir_read.c compiler/ir_text.h \
	compiler/ir_verify.c compiler/ir_verify.h \
	compiler/lower.c compiler/lower.h \
	compiler/shape.c \
	compiler/source.c compiler/source.h
