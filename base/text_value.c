/* text_value.c: building written-value trees in an arena (text_value.h). */
#include "text_value.h"

text_value *text_value_new(arena *a, text_kind kind, source_span span)
{
    text_value *v = arena_alloc(a, sizeof *v);
    v->kind = kind;
    v->span = span;
    return v;
}

void text_args_push(arena *a, text_args *args, text_arg arg)
{
    args->items = arena_grow(a, args->items, args->n, &args->cap, sizeof *args->items);
    args->items[args->n++] = arg;
}
