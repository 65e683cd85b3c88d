/* ir_verify.h: the invariants every IR holds, checked after lowering, after
 * reading IR text and after every pass, and the shape inference they rest on
 * (shape.c). */
#ifndef DNNC_IR_VERIFY_H
#define DNNC_IR_VERIFY_H

#include "diag.h"
#include "ir.h"

/* Infers every node's shapes of M and checks layer rules; false on error. */
bool ir_infer_shapes(ir_model *m, diag_ctx *d);

/* Checks P (and re-infers its shapes); reports each violation into D.
 * Returns true when P is valid. */
bool ir_verify(ir_program *p, diag_ctx *d);

/* Checks that every use of a user function (activation, loss, metric,
 * objective) names a declared function of that role, with one argument per
 * parameter, which it puts in the parameters' order; reports each use that
 * does not, with the valid choices. */
bool ir_bind_functions(ir_program *p, diag_ctx *d);

/* Verifies a program a pass produced; a violation there is a bug in dnnc, so
 * this prints the errors as internal and returns false. */
bool ir_verify_pass_result(ir_program *p, const char *pass_name);

#endif
