/* ast.h: the syntax tree the parser builds, before any checking.
 *
 * The parser's actions only build these nodes; lowering (compiler/lower.c)
 * gives them meaning and reports every semantic error.  All nodes live in one
 * arena owned by the ast_program and are freed together, so error recovery
 * in the parser cannot leak.
 */
#ifndef DNNC_AST_H
#define DNNC_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "span.h"

typedef enum {
    AST_NUMBER,   /* 256, 0.01, 1e-3 */
    AST_STRING,   /* "path" */
    AST_IDENT,    /* relu, true */
    AST_CALL,     /* sgd(learning_rate = 0.01) */
    AST_LIST,     /* [28, 28] */
    AST_BINARY,   /* a + b, a - b, a * b, a / b */
    AST_NEGATE    /* -a */
} ast_kind;

typedef struct ast_value ast_value;

/* One "key = value" or a positional value (key NULL), in calls, blocks and layers. */
typedef struct ast_arg {
    const char *key;      /* NULL for a positional value */
    source_span key_span;     /* where the key is written */
    ast_value *value;     /* the value */
    source_span span;         /* the whole "key = value" */
} ast_arg;

/* A growable array of ast_arg. */
typedef struct ast_args {
    ast_arg *items;       /* the arguments in order */
    int n, cap;           /* count and capacity */
} ast_args;

struct ast_value {
    ast_kind kind;        /* which alternative */
    source_span span;         /* the text of the whole value */
    double number;        /* AST_NUMBER */
    bool integer;         /* AST_NUMBER written without '.' or exponent */
    const char *text;     /* AST_STRING contents, AST_IDENT and AST_CALL name */
    ast_args args;        /* AST_CALL arguments, AST_LIST items (positional) */
    char op;              /* AST_BINARY: '+', '-', '*', '/' */
    ast_value *lhs, *rhs; /* AST_BINARY operands; AST_NEGATE uses lhs */
};

/* One layer statement: [label:] kind [positional] {, key = value}. */
typedef struct ast_layer {
    const char *label;    /* NULL when unlabelled */
    source_span label_span;   /* where the label is written */
    const char *kind;     /* dense, conv2d, ... (checked when lowering) */
    source_span kind_span;    /* where the kind is written */
    ast_value *positional;/* value after the kind, or NULL */
    ast_args attrs;       /* named attributes */
    source_span span;         /* the whole statement */
} ast_layer;

typedef enum { AST_DATASET, AST_MODEL, AST_TRAIN, AST_FUNCTION } ast_block_kind;

/* A top-level block. */
typedef struct ast_block {
    ast_block_kind kind;  /* dataset, model, train or function */
    const char *name;     /* block name (train: may be NULL) */
    source_span span;         /* the header: keyword and name */
    source_span close;        /* the closing brace */
    ast_args entries;     /* dataset, train, function: key = value entries */
    ast_layer *layers;    /* model: its layers */
    int n_layers, cap_layers;
} ast_block;

/* The whole parsed file. */
typedef struct ast_program {
    ast_block *blocks;    /* blocks in source order */
    int n_blocks, cap_blocks;
    arena arena;          /* every node and string of this program */
} ast_program;

void *ast_alloc(ast_program *p, size_t size);
char *ast_strndup(ast_program *p, const char *s, size_t n);
ast_value *ast_value_new(ast_program *p, ast_kind kind, source_span span);
void ast_args_push(ast_program *p, ast_args *a, ast_arg arg);
ast_block *ast_block_push(ast_program *p, ast_block_kind kind, const char *name, source_span span);
void ast_layer_push(ast_program *p, ast_block *b, ast_layer layer);
void ast_program_free(ast_program *p);

/* Joins two spans into one that covers both. */
source_span ast_span_join(source_span a, source_span b);

#endif
