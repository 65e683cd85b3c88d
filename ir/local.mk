# ir/local.mk: the IR: its records and attribute tables, setting attributes
# from written values, printer, reader, verifier and shape inference.
libdnnc_a_SOURCES += \
	ir/ir.c ir/ir.h ir/ir_enums.h ir/ir_attrs.c \
	ir/attr_value.c \
	ir/ir_print.c ir/ir_read.c ir/ir_text.h \
	ir/ir_verify.c ir/ir_verify.h \
	ir/shape.c
