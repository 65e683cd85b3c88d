/* source.h: reading a program's file and compiling its text (a .dnn source
 * or IR text) to checked IR: what the driver does for the program it is
 * given, and repair for the --reference program and patched sources. */
#ifndef DNNC_SOURCE_H
#define DNNC_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "ir.h"

/* The largest program file read (1 GiB). */
#define DNNC_MAX_INPUT (1L << 30)

/* The whole of file PATH (standard input for "-"), NUL-terminated, its
 * length in *SIZE; NULL with ERR set ("cannot open 'x': ...") on failure. */
char *dnnc_read_file(const char *path, long *size, char *err, size_t errsize);

/* Compiles TEXT of SIZE bytes, .dnn source or IR text (told apart by the IR's
 * first line), named PATH; NULL when errors were reported into D. */
ir_program *dnnc_compile(const char *path, const char *text, long size, diag_ctx *d);

/* Compiles NUL-terminated TEXT (.dnn or IR, named PATH) to checked IR;
 * NULL on errors (printed on stderr when PRINT_ERRORS). */
ir_program *dnnc_compile_text(const char *path, const char *text, bool print_errors);

#endif
