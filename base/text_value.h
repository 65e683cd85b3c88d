/* text_value.h: a value as program text writes it, before it means anything.
 *
 * Both text forms of a program, the .dnn language (grammar/) and the IR's
 * text (ir/ir_read.c), write attribute values in one syntax: numbers,
 * strings, names, calls (sgd(learning_rate = 0.01)), lists ([28, 28]) and,
 * in .dnn, constant arithmetic (1/255).  Each front end parses its text into
 * these trees; the IR's attribute tables turn them into typed fields
 * (ir/attr_value.h), so both accept the same values with the same errors.
 * The trees live in an arena (base/arena.h) and are freed with it.
 */
#ifndef DNNC_TEXT_VALUE_H
#define DNNC_TEXT_VALUE_H

#include <stdbool.h>

#include "arena.h"
#include "span.h"

typedef enum {
    TEXT_NUMBER,   /* 256, 0.01, 1e-3 */
    TEXT_STRING,   /* "path" */
    TEXT_IDENT,    /* relu, true */
    TEXT_CALL,     /* sgd(learning_rate = 0.01) */
    TEXT_LIST,     /* [28, 28] */
    TEXT_BINARY,   /* a + b, a - b, a * b, a / b */
    TEXT_NEGATE    /* -a */
} text_kind;

typedef struct text_value text_value;

/* One "key = value" or a positional value (key NULL), in calls, blocks and layers. */
typedef struct text_arg {
    const char *key;      /* NULL for a positional value */
    source_span key_span; /* where the key is written */
    text_value *value;    /* the value */
    source_span span;     /* the whole "key = value" */
} text_arg;

/* A growable array of text_arg. */
typedef struct text_args {
    text_arg *items;      /* the arguments in order */
    int n, cap;           /* count and capacity */
} text_args;

struct text_value {
    text_kind kind;       /* which alternative */
    source_span span;     /* the text of the whole value */
    double number;        /* TEXT_NUMBER */
    bool integer;         /* TEXT_NUMBER written without '.' or exponent */
    const char *text;     /* TEXT_STRING contents, TEXT_IDENT and TEXT_CALL name */
    text_args args;       /* TEXT_CALL arguments, TEXT_LIST items (positional) */
    char op;              /* TEXT_BINARY: '+', '-', '*', '/' */
    text_value *lhs, *rhs;/* TEXT_BINARY operands; TEXT_NEGATE uses lhs */
};

/* A value of KIND at SPAN, every other field cleared, in arena A. */
text_value *text_value_new(arena *a, text_kind kind, source_span span);
/* Appends ARG to ARGS, growing it inside arena A. */
void text_args_push(arena *a, text_args *args, text_arg arg);

#endif
