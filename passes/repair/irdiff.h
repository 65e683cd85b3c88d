/* irdiff.h: unified diffs of texts, and of two programs' IR.
 *
 * Stable names (an inserted layer is named after its neighbour) keep IR
 * diffs small: one rewrite changes one or two lines.  The IR diff leaves out
 * the trailing source-location comments, which say where a line came from,
 * not what it means.
 */
#ifndef DNNC_IRDIFF_H
#define DNNC_IRDIFF_H

#include "ir.h"

/* A unified diff (CONTEXT lines around each change) turning A into B, with
 * "--- NAME_A" / "+++ NAME_B" headers; "" when the texts are equal.  Caller
 * frees. */
char *rp_unified_diff(const char *a, const char *b, const char *name_a, const char *name_b, int context);

/* The IR of P without location comments; caller frees. */
char *rp_ir_text(const ir_program *p);

/* Unified diff of the IR of A and B; caller frees. */
char *rp_ir_diff(const ir_program *a, const ir_program *b);

#endif
