/* alloc.h: allocation that never returns NULL.  Every layer allocates through
 * these: out of memory, dnnc prints "dnnc: out of memory" and exits with
 * status 2 (an internal error), so no caller carries a failure path for it.
 * (They keep the ir_ prefix they had when the IR was the only layer below
 * everything; the names are used throughout.)
 */
#ifndef DNNC_ALLOC_H
#define DNNC_ALLOC_H

#include <stddef.h>

/* SIZE bytes, zeroed (a size of 0 gets a unique 1-byte block). */
void *ir_alloc(size_t size);
/* P resized to SIZE bytes (new bytes not cleared). */
void *ir_realloc(void *p, size_t size);
/* A copy of S, or NULL for NULL. */
char *ir_strdup(const char *s);

#endif
