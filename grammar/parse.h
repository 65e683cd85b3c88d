/* parse.h: turning .dnn text into an ast_program.
 *
 * parse_dnn runs the flex scanner and the bison parser over a whole file held
 * in memory and reports every lexical and syntax error into a diag_ctx.
 */
#ifndef DNNC_PARSE_H
#define DNNC_PARSE_H

#include "ast.h"
#include "diag.h"

#define LEX_MAX_IDENT 255   /* longest name accepted */
#define LEX_MAX_DEPTH 64    /* deepest nesting of () and [] */

/* The scanner's state (flex's yyextra). */
struct lex_state {
    diag_ctx *diag;         /* where errors go */
    ast_program *prog;      /* arena for strings */
    int line, col;          /* position of the next byte */
    int off;                /* byte offset of the next byte */
    int depth;              /* open ( and [ */
    bool aborted;           /* scanning stopped early; later syntax errors are noise */
};

/* Parses TEXT (SIZE bytes) into PROG; returns true when no error was reported. */
bool parse_dnn(const char *text, long size, ast_program *prog, diag_ctx *diag);

#endif
