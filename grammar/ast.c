/* ast.c: the syntax tree's builders.
 *
 * Every node lives in the program's arena (base/arena.h).  Growable arrays
 * inside the tree double in place inside the arena: the old storage is
 * abandoned, which costs at most twice the final size and keeps every node
 * freeable in one sweep.
 */
#include "ast.h"

#include <string.h>

void *ast_alloc(ast_program *p, size_t size)
{
    return arena_alloc(&p->arena, size);
}

char *ast_strndup(ast_program *p, const char *s, size_t n)
{
    return arena_strndup(&p->arena, s, n);
}

ast_block *ast_block_push(ast_program *p, ast_block_kind kind, const char *name, source_span span)
{
    p->blocks = arena_grow(&p->arena, p->blocks, p->n_blocks, &p->cap_blocks, sizeof *p->blocks);
    ast_block *b = &p->blocks[p->n_blocks++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->name = name;
    b->span = span;
    return b;
}

void ast_layer_push(ast_program *p, ast_block *b, ast_layer layer)
{
    b->layers = arena_grow(&p->arena, b->layers, b->n_layers, &b->cap_layers, sizeof *b->layers);
    b->layers[b->n_layers++] = layer;
}

void ast_program_free(ast_program *p)
{
    arena_free(&p->arena);
    p->blocks = NULL;
    p->n_blocks = p->cap_blocks = 0;
}
