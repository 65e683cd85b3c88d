# compiler/local.mk: IR, lowering, diagnostics, printer and reader.
libdnnc_a_SOURCES += compiler/ir.c compiler/ir.h compiler/ir_enums.h compiler/ir_attrs.c
