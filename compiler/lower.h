/* lower.h: from syntax tree to checked IR.
 *
 * Lowering gives the tree its meaning: it resolves names, fills defaults,
 * converts every value through the attribute tables, infers shapes and reports
 * every rule a user can break, each at its source location.
 */
#ifndef DNNC_LOWER_H
#define DNNC_LOWER_H

#include "ast.h"
#include "diag.h"
#include "ir.h"

/* Lowers a parsed program read from PATH; NULL when errors were reported. */
ir_program *lower_program(const ast_program *ast, const char *path, diag_ctx *d);

/* Converts V into attribute DESC of OBJ (a node, dataset or train record).
 * Reports and returns false on a bad value; OBJ is unchanged then. */
bool lower_attr(const ir_attr_desc *desc, void *obj, const ast_value *v, diag_ctx *d);

/* Sets attribute ARG->key of OBJ from ARG, checking that the key exists in
 * TABLE, applies to KIND (op, source or optimizer), belongs to the optimizer
 * parameters exactly when OPTIMIZER_PARAMS, and was not given before (SEEN,
 * indexed by table row).  Records the value's span in SPANS.  WHAT names the
 * object for messages ("dense layers", "idx data", "adam"). */
void lower_set_attr(const ir_attr_desc *table, int count, void *obj, ir_span *spans,
                    const ast_arg **seen, int kind, bool optimizer_params, const char *what,
                    const ast_arg *arg, diag_ctx *d);

/* Lists the names of TABLE's attributes that apply to KIND, "a, b, c". */
void lower_attr_choices(const ir_attr_desc *table, int count, int kind, bool optimizer_params,
                        char *buf, size_t size);

#endif
