/* alloc.c: allocation that exits on out-of-memory (alloc.h), and the arena
 * (arena.h) built on it. */
#include "alloc.h"
#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of one arena chunk (a larger request gets a chunk of its own size). */
#define ARENA_CHUNK 65536

static void out_of_memory(void)
{
    fputs("dnnc: out of memory\n", stderr);
    exit(2);
}

void *ir_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *ir_realloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        out_of_memory();
    return q;
}

char *ir_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = ir_alloc(n);
    memcpy(d, s, n);
    return d;
}

void *arena_alloc(arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    arena_chunk *c = a->chunks;
    if (!c || c->size - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        c = ir_alloc(sizeof *c + cap);
        c->size = cap;
        c->next = a->chunks;
        a->chunks = c;
    }
    void *mem = (char *)(c + 1) + c->used;
    c->used += size;
    memset(mem, 0, size);
    return mem;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

void *arena_grow(arena *a, void *items, int n, int *cap, size_t size)
{
    if (n < *cap)
        return items;
    int ncap = *cap ? 2 * *cap : 4;
    void *mem = arena_alloc(a, size * (size_t)ncap);
    if (n)
        memcpy(mem, items, size * (size_t)n);
    *cap = ncap;
    return mem;
}

void arena_free(arena *a)
{
    arena_chunk *c = a->chunks;
    while (c) {
        arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->chunks = NULL;
}
