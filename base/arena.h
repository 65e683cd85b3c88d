/* arena.h: a bump allocator whose blocks are all freed at once.  The syntax
 * tree lives in one, so error recovery in the parser cannot leak: whatever a
 * half-built rule allocated goes when the arena does.
 */
#ifndef DNNC_ARENA_H
#define DNNC_ARENA_H

#include <stddef.h>

/* One chunk of an arena; the memory follows the header. */
typedef struct arena_chunk {
    struct arena_chunk *next; /* the chunk filled before this one */
    size_t used, size;        /* bytes used and available after the header */
} arena_chunk;

/* An arena: zero-initialised it is empty and ready. */
typedef struct arena {
    arena_chunk *chunks;      /* newest chunk first */
} arena;

/* SIZE zeroed bytes, 16-byte aligned, that live until arena_free. */
void *arena_alloc(arena *a, size_t size);
/* A NUL-terminated copy of the N bytes at S. */
char *arena_strndup(arena *a, const char *s, size_t n);
/* ITEMS (an arena array of N elements of SIZE bytes, room for *CAP) with
 * room for one more: the same array, or a copy twice as large (the old
 * storage is abandoned to the arena). */
void *arena_grow(arena *a, void *items, int n, int *cap, size_t size);
/* Frees every chunk; the arena is empty again. */
void arena_free(arena *a);

#endif
