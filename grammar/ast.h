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
#include "text_value.h"

/* One layer statement: [label:] kind [positional] {, key = value}. */
typedef struct ast_layer {
    const char *label;    /* NULL when unlabelled */
    source_span label_span;   /* where the label is written */
    const char *kind;     /* dense, conv2d, ... (checked when lowering) */
    source_span kind_span;    /* where the kind is written */
    text_value *positional;/* value after the kind, or NULL */
    text_args attrs;       /* named attributes */
    source_span span;         /* the whole statement */
} ast_layer;

typedef enum { AST_DATASET, AST_MODEL, AST_TRAIN, AST_FUNCTION } ast_block_kind;

/* A top-level block. */
typedef struct ast_block {
    ast_block_kind kind;  /* dataset, model, train or function */
    const char *name;     /* block name (train: may be NULL) */
    source_span span;         /* the header: keyword and name */
    source_span close;        /* the closing brace */
    text_args entries;     /* dataset, train, function: key = value entries */
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
ast_block *ast_block_push(ast_program *p, ast_block_kind kind, const char *name, source_span span);
void ast_layer_push(ast_program *p, ast_block *b, ast_layer layer);
void ast_program_free(ast_program *p);

#endif
