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

ast_value *ast_value_new(ast_program *p, ast_kind kind, source_span span)
{
    ast_value *v = ast_alloc(p, sizeof *v);
    v->kind = kind;
    v->span = span;
    return v;
}

/* Grows an arena array of N elements of SIZE bytes holding CAP to fit one more. */
static void *grow(ast_program *p, void *items, int n, int *cap, size_t size)
{
    if (n < *cap)
        return items;
    int ncap = *cap ? 2 * *cap : 4;
    void *mem = ast_alloc(p, size * (size_t)ncap);
    if (n)
        memcpy(mem, items, size * (size_t)n);
    *cap = ncap;
    return mem;
}

void ast_args_push(ast_program *p, ast_args *a, ast_arg arg)
{
    a->items = grow(p, a->items, a->n, &a->cap, sizeof *a->items);
    a->items[a->n++] = arg;
}

ast_block *ast_block_push(ast_program *p, ast_block_kind kind, const char *name, source_span span)
{
    p->blocks = grow(p, p->blocks, p->n_blocks, &p->cap_blocks, sizeof *p->blocks);
    ast_block *b = &p->blocks[p->n_blocks++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->name = name;
    b->span = span;
    return b;
}

void ast_layer_push(ast_program *p, ast_block *b, ast_layer layer)
{
    b->layers = grow(p, b->layers, b->n_layers, &b->cap_layers, sizeof *b->layers);
    b->layers[b->n_layers++] = layer;
}

void ast_program_free(ast_program *p)
{
    arena_free(&p->arena);
    p->blocks = NULL;
    p->n_blocks = p->cap_blocks = 0;
}

source_span ast_span_join(source_span a, source_span b)
{
    if (a.line == 0)
        return b;
    if (b.line == 0)
        return a;
    source_span s = a.off <= b.off ? a : b;
    int end_a = a.off + a.len, end_b = b.off + b.len;
    int end = end_a > end_b ? end_a : end_b;
    s.len = end - s.off;
    s.key_off = -1;
    return s;
}
