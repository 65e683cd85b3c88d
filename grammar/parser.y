/* parser.y: the grammar of the .dnn language.
 *
 * A pure bison parser with locations.  Its actions only build the syntax tree
 * (grammar/ast.h); every semantic check happens when lowering to the IR.
 * Statements end at a newline or ';' (or before a closing brace); inside ()
 * and [] newlines may follow items and commas.  Errors recover at the end of
 * the line, so one run reports every syntax error of a file.
 *
 *   program  := { block | NL }
 *   block    := "dataset" name "{" entries "}"
 *             | "model" name "{" layers "}"
 *             | "train" "{" entries "}"
 *             | "function" name "{" entries "}"
 *   entry    := key "=" value
 *   layer    := [label ":"] kind [value | key "=" value] { "," key "=" value }
 *   value    := number | string | name | name "(" [arg {"," arg}] ")"
 *             | "[" [value {"," value}] "]" | value op value | "-" value | "(" value ")"
 *   arg      := value | key "=" value
 */
%define api.pure full
%define api.location.type {source_span}
%define parse.error custom
%define parse.lac full
%define lr.default-reduction consistent
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {ast_program *prog} {diag_ctx *diag}

%code requires {
#include "ast.h"
#include "diag.h"
typedef void *yyscan_t;
}

%code provides {
int yylex(YYSTYPE *lval, YYLTYPE *lloc, yyscan_t scanner);
}

%code {
#include "parse.h"

struct lex_state *yyget_extra(yyscan_t scanner);

#define YYLLOC_DEFAULT(cur, rhs, n)                                         \
    do {                                                                    \
        if (n) {                                                            \
            (cur) = source_span_join(YYRHSLOC(rhs, 1), YYRHSLOC(rhs, n));      \
        } else {                                                            \
            (cur) = YYRHSLOC(rhs, 0);                                       \
            (cur).off += (cur).len;                                         \
            (cur).col += (cur).len;                                         \
            (cur).len = 0;                                                  \
        }                                                                   \
    } while (0)

static void yyerror(YYLTYPE *loc, yyscan_t scanner, ast_program *prog, diag_ctx *diag,
                    const char *msg)
{
    (void)prog;
    if (!yyget_extra(scanner)->aborted)
        diag_error(diag, *loc, "%s", msg);
}

static text_value *binary(ast_program *prog, char op, text_value *l, text_value *r, source_span span)
{
    text_value *v = text_value_new(&prog->arena, TEXT_BINARY, span);
    v->op = op;
    v->lhs = l;
    v->rhs = r;
    return v;
}

static text_arg make_arg(const char *key, source_span key_span, text_value *value, source_span span)
{
    text_arg a = {key, key_span, value, span};
    a.span.key_off = key ? key_span.off : -1;
    return a;
}

static text_args prepend(ast_program *prog, text_arg first, text_args rest)
{
    text_args all = {0};
    text_args_push(&prog->arena, &all, first);
    for (int i = 0; i < rest.n; i++)
        text_args_push(&prog->arena, &all, rest.items[i]);
    return all;
}

static ast_layer make_layer(const char *label, source_span label_span, const char *kind,
                            source_span kind_span, text_value *positional, text_args attrs,
                            source_span span)
{
    ast_layer l = {label, label_span, kind, kind_span, positional, attrs, span};
    return l;
}
}

%union {
    struct { double value; bool integer; } num;
    const char *str;
    text_value *val;
    text_args args;
    text_arg arg;
    ast_layer layer;
}

%token <str> IDENT "name"
%token <str> STRING "string"
%token <num> NUMBER "number"
%token DATASET "'dataset'"
%token MODEL "'model'"
%token TRAIN "'train'"
%token FUNCTION "'function'"
%token NL "end of line"

%left '+' '-'
%left '*' '/'
%precedence NEG

%type <val> value opt_value
%type <args> entries entries_body layers_attrs args arg_list items item_list
%type <arg> entry arg first_attr
%type <str> key
%type <layer> layer

%%

program
    : %empty
    | program NL
    | program block
    | program error NL                 { yyerrok; }
    ;

block
    : DATASET IDENT '{' entries_body '}' {
          ast_block *b = ast_block_push(prog, AST_DATASET, $2, source_span_join(@1, @2));
          b->entries = $4;
          b->close = @5;
      }
    | MODEL IDENT '{' layers_body '}' {
          ast_block *b = &prog->blocks[prog->n_blocks - 1];
          b->span = source_span_join(@1, @2);
          b->name = $2;
          b->close = @5;
      }
    | FUNCTION IDENT '{' entries_body '}' {
          ast_block *b = ast_block_push(prog, AST_FUNCTION, $2, source_span_join(@1, @2));
          b->entries = $4;
          b->close = @5;
      }
    | TRAIN '{' entries_body '}' {
          ast_block *b = ast_block_push(prog, AST_TRAIN, NULL, @1);
          b->entries = $3;
          b->close = @4;
      }
    ;

entries_body
    : entries
    | entries entry                    { text_args_push(&prog->arena, &$1, $2); $$ = $1; }
    | entries error                    { $$ = $1; }
    ;

entries
    : %empty                           { $$ = (text_args){0}; }
    | entries NL                       { $$ = $1; }
    | entries entry NL                 { text_args_push(&prog->arena, &$1, $2); $$ = $1; }
    | entries error NL                 { $$ = $1; yyerrok; }
    ;

entry
    : key '=' value                    { $$ = make_arg($1, @1, $3, @$); }
    ;

key
    : IDENT                            { $$ = $1; }
    | MODEL                            { $$ = "model"; }
    | DATASET                          { $$ = "dataset"; }
    | TRAIN                            { $$ = "train"; }
    | FUNCTION                         { $$ = "function"; }
    ;

/* The model's block is pushed before its layers so they can be appended in place. */
layers_body
    : layers
    | layers layer                     { ast_layer_push(prog, &prog->blocks[prog->n_blocks - 1], $2); }
    | layers error
    ;

layers
    : %empty                           { ast_block_push(prog, AST_MODEL, NULL, @$); }
    | layers NL
    | layers layer NL                  { ast_layer_push(prog, &prog->blocks[prog->n_blocks - 1], $2); }
    | layers error NL                  { yyerrok; }
    ;

layer
    : IDENT opt_value layers_attrs {
          $$ = make_layer(NULL, (source_span){0}, $1, @1, $2, $3, @$);
      }
    | IDENT ':' IDENT opt_value layers_attrs {
          $$ = make_layer($1, @1, $3, @3, $4, $5, @$);
      }
    | IDENT first_attr layers_attrs {
          $$ = make_layer(NULL, (source_span){0}, $1, @1, NULL, prepend(prog, $2, $3), @$);
      }
    | IDENT ':' IDENT first_attr layers_attrs {
          $$ = make_layer($1, @1, $3, @3, NULL, prepend(prog, $4, $5), @$);
      }
    ;

/* "dropout rate = 0.5": the first attribute may come without a comma. */
first_attr
    : key '=' value                    { $$ = make_arg($1, @1, $3, source_span_join(@1, @3)); }
    ;

opt_value
    : %empty                           { $$ = NULL; }
    | value                            { $$ = $1; }
    ;

layers_attrs
    : %empty                           { $$ = (text_args){0}; }
    | layers_attrs ',' newlines key '=' value {
          text_args_push(&prog->arena, &$1, make_arg($4, @4, $6, source_span_join(@4, @6)));
          $$ = $1;
      }
    ;

newlines
    : %empty
    | newlines NL
    ;

value
    : NUMBER {
          $$ = text_value_new(&prog->arena, TEXT_NUMBER, @1);
          $$->number = $1.value;
          $$->integer = $1.integer;
      }
    | STRING                           { $$ = text_value_new(&prog->arena, TEXT_STRING, @1); $$->text = $1; }
    | IDENT                            { $$ = text_value_new(&prog->arena, TEXT_IDENT, @1); $$->text = $1; }
    | IDENT '(' newlines args ')' {
          $$ = text_value_new(&prog->arena, TEXT_CALL, @$);
          $$->text = $1;
          $$->args = $4;
      }
    | '[' newlines items ']'           { $$ = text_value_new(&prog->arena, TEXT_LIST, @$); $$->args = $3; }
    | '(' newlines value newlines ')'  { $$ = $3; $$->span = @$; }
    | value '+' value                  { $$ = binary(prog, '+', $1, $3, @$); }
    | value '-' value                  { $$ = binary(prog, '-', $1, $3, @$); }
    | value '*' value                  { $$ = binary(prog, '*', $1, $3, @$); }
    | value '/' value                  { $$ = binary(prog, '/', $1, $3, @$); }
    | '-' value %prec NEG {
          $$ = text_value_new(&prog->arena, TEXT_NEGATE, @$);
          $$->lhs = $2;
      }
    ;

/* Inside () and [] a list may span lines: newlines may follow each item and comma. */
args
    : %empty                           { $$ = (text_args){0}; }
    | arg_list                         { $$ = $1; }
    | arg_list ',' newlines            { $$ = $1; }
    ;

arg_list
    : arg newlines                     { $$ = (text_args){0}; text_args_push(&prog->arena, &$$, $1); }
    | arg_list ',' newlines arg newlines { text_args_push(&prog->arena, &$1, $4); $$ = $1; }
    ;

arg
    : value                            { $$ = make_arg(NULL, (source_span){0}, $1, @1); }
    | key '=' value                    { $$ = make_arg($1, @1, $3, @$); }
    ;

items
    : %empty                           { $$ = (text_args){0}; }
    | item_list                        { $$ = $1; }
    | item_list ',' newlines           { $$ = $1; }
    ;

item_list
    : value newlines                   { $$ = (text_args){0}; text_args_push(&prog->arena, &$$, make_arg(NULL, (source_span){0}, $1, @1)); }
    | item_list ',' newlines value newlines { text_args_push(&prog->arena, &$1, make_arg(NULL, (source_span){0}, $4, @4)); $$ = $1; }
    ;

%%

/* "syntax error: unexpected 'x', expecting ')' or ','" with the token's own text. */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, ast_program *prog, diag_ctx *diag)
{
    (void)prog;
    if (yyget_extra(scanner)->aborted)
        return 0;
    const source_span *loc = yypcontext_location(ctx);
    yysymbol_kind_t got = yypcontext_token(ctx);
    char msg[512];
    int len;
    if (got == YYSYMBOL_YYEOF)
        len = snprintf(msg, sizeof msg, "syntax error: unexpected end of file");
    else if (got == YYSYMBOL_NL)
        len = snprintf(msg, sizeof msg, "syntax error: unexpected end of line");
    else if (diag->text && loc->off >= 0 && loc->off + loc->len <= diag->size)
        len = snprintf(msg, sizeof msg, "syntax error: unexpected '%.*s'", loc->len > 40 ? 40 : loc->len,
                       diag->text + loc->off);
    else
        len = snprintf(msg, sizeof msg, "syntax error: unexpected %s", yysymbol_name(got));
    yysymbol_kind_t expected[6];
    int n = yypcontext_expected_tokens(ctx, expected, 6);
    for (int i = 0; i < n && i < 5 && len < (int)sizeof msg; i++)
        len += snprintf(msg + len, sizeof msg - (size_t)len, "%s%s", i == 0 ? ", expecting " : " or ",
                        yysymbol_name(expected[i]));
    diag_error(diag, *loc, "%s", msg);
    return 0;
}
