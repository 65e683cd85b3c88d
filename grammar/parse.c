/* parse.c: the entry point that wires the flex scanner to the bison parser. */
#include "parse.h"

#include "parser.h"
#include "scanner.h"

bool parse_dnn(const char *text, long size, ast_program *prog, diag_ctx *diag)
{
    struct lex_state state = {diag, prog, 1, 1, 0, 0, false};
    yyscan_t scanner;
    if (yylex_init_extra(&state, &scanner) != 0) {
        diag_error(diag, (source_span){0}, "cannot start the scanner");
        return false;
    }
    YY_BUFFER_STATE buf = yy_scan_bytes(text, (int)size, scanner);
    int errors_before = diag->errors;
    int rc = yyparse(scanner, prog, diag);
    yy_delete_buffer(buf, scanner);
    yylex_destroy(scanner);
    return rc == 0 && diag->errors == errors_before;
}
