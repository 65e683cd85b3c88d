/* lower.h: from syntax tree to checked IR.
 *
 * Lowering gives the tree its meaning: it resolves names, fills defaults,
 * converts every value through the attribute tables, infers shapes and reports
 * every rule a user can break, each at its source location.
 */
#ifndef DNNC_LOWER_H
#define DNNC_LOWER_H

#include "ast.h"
#include "attr_value.h"
#include "diag.h"
#include "ir.h"

/* Lowers a parsed program read from PATH; NULL when errors were reported. */
ir_program *lower_program(const ast_program *ast, const char *path, diag_ctx *d);

#endif
