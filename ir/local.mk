# ir/local.mk: the IR: its records and attribute tables, printer, verifier
# and shape inference.
libdnnc_a_SOURCES += \
	ir/ir.c ir/ir.h ir/ir_enums.h ir/ir_attrs.c \
	ir/ir_print.c ir/ir_text.h \
	ir/ir_verify.c ir/ir_verify.h \
	ir/shape.c
