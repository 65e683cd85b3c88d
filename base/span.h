/* span.h: a region of a program's text, the one notion of "where" that every
 * layer shares: the scanner stamps tokens with it, the syntax tree and the IR
 * keep it on every value, node and attribute, diagnostics point at it, and
 * the source patcher edits through it.
 */
#ifndef DNNC_SPAN_H
#define DNNC_SPAN_H

/* A region of the source text; line 0 means "not from the source" (inserted). */
typedef struct source_span {
    int line, col;    /* 1-based start, col in bytes */
    int off, len;     /* byte offset and length in the source text */
    int key_off;      /* attributes: offset of "key =" (-1: positional or none) */
} source_span;

/* The smallest span covering A and B (when one is line 0, the other); its
 * key_off is -1. */
source_span source_span_join(source_span a, source_span b);

#endif
