/* attr_value.h: setting an IR attribute from a value as program text writes
 * it (base/text_value.h), with the checks and located errors both text
 * forms share: the .dnn lowering (compiler/lower.c) and the IR reader
 * (ir_read.c) call these, so a value means the same, and is wrong in the same
 * words, in either.
 */
#ifndef DNNC_ATTR_VALUE_H
#define DNNC_ATTR_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "ir.h"
#include "text_value.h"

/* Converts V into attribute DESC of OBJ (a node, dataset or train record).
 * Reports and returns false on a bad value; OBJ is unchanged then. */
bool ir_attr_convert(const ir_attr_desc *desc, void *obj, const text_value *v, diag_ctx *d);

/* Sets attribute ARG->key of OBJ from ARG, checking that the key exists in
 * TABLE, applies to KIND (op, source or optimizer), belongs to the optimizer
 * parameters exactly when OPTIMIZER_PARAMS, and was not given before (SEEN,
 * indexed by table row).  Records the value's span in SPANS.  WHAT names the
 * object for messages ("dense layers", "idx data", "adam"). */
void ir_attr_set(const ir_attr_desc *table, int count, void *obj, ir_span *spans,
                 const text_arg **seen, int kind, bool optimizer_params, const char *what,
                 const text_arg *arg, diag_ctx *d);

/* Lists the names of TABLE's attributes that apply to KIND, "a, b, c". */
void ir_attr_choices(const ir_attr_desc *table, int count, int kind, bool optimizer_params,
                     char *buf, size_t size);

/* The "role = ..." entry of a function block's ARGS, or NULL: the other
 * attributes of a function apply by role, so both front ends set it first. */
const text_arg *ir_function_role_arg(const text_args *args);

#endif
