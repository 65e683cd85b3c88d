/* ir_text.h: printing the IR as text and reading it back.
 *
 * The reader accepts exactly what the printer writes (and a little more:
 * blank lines, comment lines, attributes left at their defaults), so that
 * `dnnc --emit-ir a.ir` reproduces a.ir byte for byte.
 */
#ifndef DNNC_IR_TEXT_H
#define DNNC_IR_TEXT_H

#include <stdio.h>

#include "diag.h"
#include "ir.h"

#define IR_TEXT_MAGIC "dnnc-ir 1"

/* Whether TEXT starts like an IR file ("dnnc-ir "). */
bool ir_text_is_ir(const char *text, long size);

void ir_print(FILE *out, const ir_program *p);
/* Prints node I of M as one IR line (used by the differ too). */
void ir_print_node(FILE *out, const ir_model *m, int i);
/* Prints P into a malloc'd string. */
char *ir_print_string(const ir_program *p);

/* Reads IR text from PATH (contents TEXT); NULL with errors in D on failure. */
ir_program *ir_read(const char *path, const char *text, long size, diag_ctx *d);

#endif
